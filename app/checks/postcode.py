"""Mainland postal codes: 6 digits whose first two name a postal zone.

Zones in use (China Post's assignment; unused prefixes such as 14, 17-19, 28-29, 37-39,
48-50, 58-60, 68-70, 76-80, 82 and 87-99 are rejected):
01-02 内蒙古  03-04 山西  05-07 河北  10 北京  11-12 辽宁  13 吉林  15-16 黑龙江
20 上海  21-22 江苏  23-24 安徽  25-27 山东  30 天津  31-32 浙江  33-34 江西  35-36 福建
40 重庆  41-42 湖南  43-44 湖北  45-47 河南  51-52 广东  53-54 广西  55-56 贵州  57 海南
61-64 四川  65-67 云南  71-72 陕西  73-74 甘肃  75 宁夏  81 青海  83-84 新疆  85-86 西藏
999077 is not a postcode but forms use it for Hong Kong, Macao, Taiwan and abroad: it
passes with a warning.
"""
from __future__ import annotations

from app.checks.normalize import normalize_numeric
from app.i18n import _

ZONES: dict[str, str] = {}
for _prefixes, _name in (
    ("01 02", "内蒙古"), ("03 04", "山西"), ("05 06 07", "河北"), ("10", "北京"),
    ("11 12", "辽宁"), ("13", "吉林"), ("15 16", "黑龙江"), ("20", "上海"), ("21 22", "江苏"),
    ("23 24", "安徽"), ("25 26 27", "山东"), ("30", "天津"), ("31 32", "浙江"), ("33 34", "江西"),
    ("35 36", "福建"), ("40", "重庆"), ("41 42", "湖南"), ("43 44", "湖北"), ("45 46 47", "河南"),
    ("51 52", "广东"), ("53 54", "广西"), ("55 56", "贵州"), ("57", "海南"),
    ("61 62 63 64", "四川"), ("65 66 67", "云南"), ("71 72", "陕西"), ("73 74", "甘肃"),
    ("75", "宁夏"), ("81", "青海"), ("83 84", "新疆"), ("85 86", "西藏"),
):
    for _p in _prefixes.split():
        ZONES[_p] = _name

OVERSEAS = "999077"


def inspect_postcode(value: str) -> tuple[list[str], list[str]]:
    v = normalize_numeric(value)
    if not v:
        return [_("The postal code is empty.")], []
    if not v.isdigit() or len(v) != 6:
        return [_("A postal code has 6 digits; '{value}' does not.", value=value.strip())], []
    if v == OVERSEAS:
        return [], [_("999077 is the placeholder for Hong Kong, Macao, Taiwan and abroad, not a "
                      "mainland postal code.")]
    if v[:2] not in ZONES:
        return [_("The postal code {code} starts with {prefix}, which is not a postal zone in "
                  "use.", code=v, prefix=v[:2])], []
    return [], []


def validate_postcode(value: str) -> list[str]:
    """Problems with a postal code, as sentences; empty means valid."""
    return inspect_postcode(value)[0]
