"""The code lists the sandbox gateways answer in, written here from the standards
themselves (not shared with the client's dictionaries, so that a mistake on one side
shows up as a mismatch instead of agreeing with itself).

    SEX_GB          GB/T 2261.1-2003   男 → "1", 女 → "2"
    ETHNICITY_GB    GB/T 3304-1991     汉族 → "01" … 畲族 → "22" … 基诺族 → "56"
    MARITAL_GB      GB/T 2261.2-2003   10 未婚, 20 已婚 (21 初婚, 22 再婚, 23 复婚), 30 丧偶, 40 离婚
    CITY_SEX, CITY_MARITAL, CITY_INSURED   the city gateway's own lists (docs/registry-service.md)
"""
from __future__ import annotations

__all__ = ["SEX_GB", "ETHNICITY_GB", "MARITAL_GB", "MARITAL_WORD", "CITY_SEX", "CITY_MARITAL",
           "CITY_INSURED", "ethnicity_code"]

SEX_GB = {"男": "1", "女": "2"}

_ETHNIC_GROUPS = (
    "汉 蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 "
    "拉祜 水 东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 "
    "怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺").split()
ETHNICITY_GB = {f"{g}族": f"{i:02d}" for i, g in enumerate(_ETHNIC_GROUPS, start=1)}
assert len(ETHNICITY_GB) == 56 and ETHNICITY_GB["畲族"] == "22"

# GB/T 2261.2: the code a registration leaves; the sub-codes of 20 say which marriage it is.
MARITAL_GB = {"未婚": "10", "初婚": "21", "再婚": "22", "复婚": "23", "丧偶": "30", "离婚": "40"}
MARITAL_WORD = {"10": "未婚", "20": "已婚", "21": "已婚", "22": "已婚", "23": "已婚",
                "30": "丧偶", "40": "离婚"}

# The city's own lists: IT declares them under `dictionaries:` in the settings.
CITY_SEX = {"男": "M", "女": "F"}
CITY_MARITAL = {"未婚": "1", "已婚": "2", "离婚": "3", "丧偶": "4"}
CITY_INSURED = {"参保缴费": "1", "暂停缴费": "2", "终止参保": "3"}


def ethnicity_code(name: str) -> str:
    return ETHNICITY_GB[name]
