"""Synthetic applicants with valid identifiers, for tests, benchmarks and the demo.

    p = make_person(7)
    p.name, p.id_number, p.credit_code      # '林喆', '350802198807154321', '91350802MA2Y8XKQ3W'
    p.to_fields()                           # the approval client's field names -> values

Everything is derived from the seed alone (`random.Random(seed)`), so a seed names the
same person on every machine and every run. Nobody here is real: names, addresses,
phone numbers, companies and codes are assembled from small built-in pools. The
identifiers are *valid*, so that checks which rely on them can be exercised:

- ID number (GB 11643-1999): a real GB/T 2260 county code from the pool below, the
  birth date, a 3-digit sequence number whose parity is the sex (odd = 男), and the
  MOD 11-2 check character. About 10 % of seeds end in X (the sequence number is
  searched until the check comes out X); the others are searched until it does not.
- Unified social credit code (GB 32100-2015): registration authority + organisation
  category ("91" enterprise, "92" sole proprietor, "12" public institution), a county
  or city code, an organisation code (GB 11714: 8 body characters + its MOD 11 check)
  and the MOD 31 check character; every character is from the code's alphabet
  (no I, O, S, V, Z).

Variety a reader of these sources must cope with: rare name characters (喆 鑫 昊 淼 …)
in about a fifth of seeds, compound surnames (欧阳, 司马 …) in a few, minority
ethnicities (畲族 is common in western Fujian), full-width digits in about a third
of addresses, landlines (0597-xxxxxxx) instead of mobiles in some.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

__all__ = [
    "Person", "make_person", "id_check_char", "org_code_check_char", "credit_code_check_char",
    "CREDIT_CODE_ALPHABET", "RARE_NAME_CHARS", "COMPOUND_SURNAMES", "AREAS",
]

# --------------------------------------------------------------------------- check digits

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"   # GB 32100: no I O S V Z
_CREDIT_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))   # 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def id_check_char(first17: str) -> str:
    """GB 11643-1999 MOD 11-2 check character for the first 17 digits."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError(f"need 17 digits, got {first17!r}")
    return _ID_CHECK[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS)) % 11]


def org_code_check_char(body8: str) -> str:
    """GB 11714 organisation code check character for its 8 body characters
    (digits and capital letters, A = 10 … Z = 35)."""
    if len(body8) != 8:
        raise ValueError(f"need 8 characters, got {body8!r}")
    total = sum(int(c, 36) * w for c, w in zip(body8, _ORG_WEIGHTS))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def credit_code_check_char(first17: str) -> str:
    """GB 32100-2015 MOD 31 check character for the first 17 characters."""
    if len(first17) != 17 or any(c not in CREDIT_CODE_ALPHABET for c in first17):
        raise ValueError(f"need 17 characters of the credit-code alphabet, got {first17!r}")
    total = sum(CREDIT_CODE_ALPHABET.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


# --------------------------------------------------------------------------- pools

# (char, pinyin). Surnames weighted towards western Fujian.
_SURNAMES = [(c, p) for c, p in (x.split(":") for x in (
    "林:lin 陈:chen 黄:huang 张:zhang 李:li 王:wang 吴:wu 刘:liu 蔡:cai 杨:yang 郑:zheng "
    "谢:xie 邱:qiu 赖:lai 罗:luo 曾:zeng 周:zhou 徐:xu 何:he 廖:liao 江:jiang 温:wen 游:you "
    "翁:weng 卢:lu 傅:fu 钟:zhong 蓝:lan 雷:lei 郭:guo 朱:zhu 胡:hu 马:ma 高:gao 梁:liang "
    "宋:song 唐:tang 邓:deng 韩:han 曹:cao 彭:peng 潘:pan 叶:ye 苏:su 魏:wei 沈:shen 吕:lv "
    "丁:ding 严:yan 巫:wu 范:fan 邹:zou 简:jian").split())]
_SHE_SURNAMES = [("蓝", "lan"), ("雷", "lei"), ("钟", "zhong")]
COMPOUND_SURNAMES = [("欧阳", "ouyang"), ("司马", "sima"), ("上官", "shangguan"), ("诸葛", "zhuge")]

_MALE = [(c, p) for c, p in (x.split(":") for x in (
    "伟:wei 强:qiang 磊:lei 军:jun 勇:yong 杰:jie 涛:tao 明:ming 超:chao 华:hua 建:jian "
    "国:guo 志:zhi 文:wen 斌:bin 辉:hui 鹏:peng 宇:yu 浩:hao 凯:kai 俊:jun 峰:feng 晨:chen "
    "阳:yang 荣:rong 海:hai 波:bo 东:dong 平:ping 福:fu 兴:xing 永:yong 金:jin 德:de 龙:long "
    "添:tian 清:qing 连:lian 生:sheng 家:jia 成:cheng").split())]
_FEMALE = [(c, p) for c, p in (x.split(":") for x in (
    "芳:fang 娜:na 敏:min 静:jing 丽:li 艳:yan 娟:juan 霞:xia 秀:xiu 英:ying 玲:ling 燕:yan "
    "婷:ting 雪:xue 慧:hui 琳:lin 颖:ying 倩:qian 洁:jie 梅:mei 兰:lan 红:hong 萍:ping 琴:qin "
    "月:yue 欣:xin 怡:yi 佳:jia 惠:hui 凤:feng 珍:zhen 春:chun 玉:yu 丹:dan").split())]
# Characters OCR models see rarely (DESIGN.md §5: the weakest name characters).
RARE_NAME_CHARS = [("喆", "zhe"), ("鑫", "xin"), ("昊", "hao"), ("淼", "miao"), ("垚", "yao"),
                   ("焱", "yan"), ("彧", "yu"), ("玥", "yue"), ("赟", "yun"), ("珺", "jun"),
                   ("晗", "han"), ("翀", "chong")]

_ETHNICITIES = [("汉族", 800), ("畲族", 60), ("壮族", 30), ("回族", 30), ("满族", 25),
                ("苗族", 20), ("土家族", 15), ("蒙古族", 10), ("侗族", 10)]


@dataclass(frozen=True)
class Area:
    code: str            # GB/T 2260 county-level code
    province: str
    city: str            # == province for the municipalities
    district: str
    postcode: str
    phone_area: str      # trunk code, with the leading 0
    towns: tuple[str, ...]
    roads: tuple[str, ...]


_LONGYAN_ROADS = ("九一北路", "九一南路", "龙岩大道", "登高西路", "华莲路", "西安北路", "龙腾中路",
                  "北环西路", "南环东路", "曹溪路", "双龙路", "人民路", "中山路", "莲庄路")
_ROADS = ("人民路", "中山路", "解放路", "建设路", "和平路", "文化路", "新华路", "长安路", "五一路",
          "胜利路", "迎宾大道", "滨江路", "东环路", "学府路")

AREAS: dict[str, Area] = {a.code: a for a in (
    # Longyan (3508xx): most applicants
    Area("350802", "福建省", "龙岩市", "新罗区", "364000", "0597",
         ("东城街道", "西城街道", "南城街道", "中城街道", "曹溪街道", "西陂街道", "东肖街道", "铁山镇"),
         _LONGYAN_ROADS),
    Area("350803", "福建省", "龙岩市", "永定区", "364100", "0597", ("凤城街道", "坎市镇", "湖坑镇"),
         ("永定大道", "城中路", "河滨路", "东门路")),
    Area("350821", "福建省", "龙岩市", "长汀县", "366300", "0597", ("汀州镇", "大同镇", "河田镇"),
         ("兆征路", "营背街", "南大街", "汀江路")),
    Area("350823", "福建省", "龙岩市", "上杭县", "364200", "0597", ("临城镇", "临江镇", "古田镇"),
         ("北环路", "振兴路", "瓦子街", "城西路")),
    Area("350824", "福建省", "龙岩市", "武平县", "364300", "0597", ("平川街道", "中山镇", "十方镇"),
         ("兴贤坊", "环城路", "园丁路")),
    Area("350825", "福建省", "龙岩市", "连城县", "366200", "0597", ("莲峰镇", "北团镇", "朋口镇"),
         ("北大东路", "西康路", "莲花路")),
    Area("350881", "福建省", "龙岩市", "漳平市", "364400", "0597", ("菁城街道", "桂林街道", "新桥镇"),
         ("和平路", "城北路", "九龙路")),
    # Elsewhere in Fujian
    Area("350102", "福建省", "福州市", "鼓楼区", "350001", "0591", ("东街街道", "鼓东街道", "温泉街道"),
         ("五四路", "东街", "湖东路", "杨桥中路")),
    Area("350203", "福建省", "厦门市", "思明区", "361001", "0592", ("中华街道", "鹭江街道", "莲前街道"),
         ("中山路", "思明南路", "湖滨南路", "厦禾路")),
    Area("350503", "福建省", "泉州市", "丰泽区", "362000", "0595", ("东海街道", "丰泽街道", "华大街道"),
         ("丰泽街", "刺桐路", "泉秀路")),
    Area("350602", "福建省", "漳州市", "芗城区", "363000", "0596", ("南坑街道", "东铺头街道"),
         ("胜利路", "延安北路", "新华西路")),
    Area("350702", "福建省", "南平市", "延平区", "353000", "0599", ("梅山街道", "紫云街道"),
         ("八一路", "滨江中路")),
    Area("350902", "福建省", "宁德市", "蕉城区", "352100", "0593", ("蕉南街道", "蕉北街道"),
         ("天湖路", "蕉城南路")),
    Area("350302", "福建省", "莆田市", "城厢区", "351100", "0594", ("龙桥街道", "凤凰山街道"),
         ("荔城中大道", "梅园路")),
    # Other provinces
    Area("110105", "北京市", "北京市", "朝阳区", "100020", "010", ("呼家楼街道", "三里屯街道", "望京街道"),
         ("朝阳路", "东三环中路", "工体北路")),
    Area("310115", "上海市", "上海市", "浦东新区", "200120", "021", ("陆家嘴街道", "花木街道", "张江镇"),
         ("世纪大道", "张杨路", "浦东南路")),
    Area("440305", "广东省", "深圳市", "南山区", "518052", "0755", ("南头街道", "粤海街道", "蛇口街道"),
         ("南海大道", "深南大道", "南山大道")),
    Area("330106", "浙江省", "杭州市", "西湖区", "310013", "0571", ("北山街道", "西溪街道", "文新街道"),
         ("文三路", "天目山路", "教工路")),
    Area("360702", "江西省", "赣州市", "章贡区", "341000", "0797", ("南外街道", "东外街道"),
         ("红旗大道", "文清路", "赣江路")),
    Area("450102", "广西壮族自治区", "南宁市", "兴宁区", "530012", "0771", ("民生街道", "朝阳街道"),
         ("民族大道", "朝阳路", "民生路")),
    Area("640104", "宁夏回族自治区", "银川市", "兴庆区", "750001", "0951", ("富宁街街道", "胜利街街道"),
         ("解放西街", "北京东路", "民族北街")),
    Area("210102", "辽宁省", "沈阳市", "和平区", "110001", "024", ("太原街街道", "南湖街道"),
         ("中华路", "南京北街", "太原北街")),
)}
_LONGYAN = [c for c in AREAS if c.startswith("3508")]
_FUJIAN_OTHER = [c for c in AREAS if c.startswith("35") and not c.startswith("3508")]
_OTHER = [c for c in AREAS if not c.startswith("35")]

_COMMUNITIES = ("华莲小区", "龙腾花园", "中山新村", "御景园", "阳光城", "金鸡山庄", "锦绣家园", "翠园",
                "世纪华府", "江山帝景", "学府名苑", "东方花园", "龙津苑", "紫金花园")
_VILLAGES = ("城东村", "溪南村", "上坊村", "丰田村", "湖洋村", "大洋村", "铜钵村", "石桥村", "坑头村")

_BRANDS = ("鑫达", "恒源", "宏发", "永安", "闽西", "汇丰", "金龙", "华兴", "祥和", "博远", "盛通", "佳美",
           "顺泰", "中联", "瑞丰", "天虹", "海峡", "凯旋", "汀江", "红土", "客家", "冠豸")
_INDUSTRIES = ("建设工程", "商贸", "物流", "科技", "食品", "机械制造", "环保设备", "旅游开发", "电子",
               "印务", "建材", "房地产开发", "餐饮管理", "汽车运输", "农业开发", "茶业")
_FORMS = ("有限公司", "有限公司", "有限责任公司", "股份有限公司")
_SHOPS = ("便利店", "五金店", "汽车修理厂", "小吃店", "电器商行", "服装店", "茶叶店", "建材经营部")

_MOBILE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151",
                    "152", "153", "155", "157", "158", "159", "166", "177", "180", "181", "182",
                    "183", "185", "186", "187", "188", "189", "191", "199")
_MAIL_DOMAINS = ("163.com", "126.com", "139.com", "sina.com", "foxmail.com", "qq.com")

_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")

MIN_ADDRESS_CHARS = 26     # long enough to wrap in the portal's address cell
MAX_ADDRESS_CHARS = 33     # short enough for three lines on the ID card


# --------------------------------------------------------------------------- the person

@dataclass(frozen=True)
class Person:
    seed: int
    name: str
    surname: str
    gender: str              # 男 / 女
    ethnicity: str           # 汉族, 畲族 …  (the ID card prints it without 族: see ethnicity_short)
    birth_date: date
    id_number: str
    area_code: str           # the ID number's first six digits (and household registration)
    address: str             # household registration address, as printed
    phone: str               # mobile "13905971234" or landline "0597-2345678"
    employer: str
    credit_code: str         # the employer's unified social credit code
    postcode: str
    email: str
    issuing_authority: str   # ID card back: 签发机关
    valid_from: date
    valid_until: date | None  # None = 长期

    @property
    def given_name(self) -> str:
        return self.name[len(self.surname):]

    @property
    def ethnicity_short(self) -> str:
        """As the ID card prints it: 汉, 畲, 土家, 蒙古 …"""
        return self.ethnicity[:-1] if self.ethnicity.endswith("族") else self.ethnicity

    @property
    def validity(self) -> str:
        """ID card back: 有效期限, e.g. '2015.03.07-2035.03.07' or '2012.05.01-长期'."""
        end = "长期" if self.valid_until is None else self.valid_until.strftime("%Y.%m.%d")
        return f"{self.valid_from.strftime('%Y.%m.%d')}-{end}"

    @property
    def area(self) -> Area:
        return AREAS[self.area_code]

    def to_fields(self) -> dict[str, str]:
        """The approval client's field names (app.sandbox.sample_client) -> values."""
        return {
            "applicant_name": self.name,
            "gender": self.gender,
            "ethnicity": self.ethnicity,
            "birth_date": self.birth_date.isoformat(),
            "id_number": self.id_number,
            "phone": self.phone,
            "address": self.address,
            "employer": self.employer,
            "credit_code": self.credit_code,
            "postcode": self.postcode,
            "email": self.email,
        }


def make_person(seed: int) -> Person:
    """The synthetic applicant for `seed` (any int); the same seed gives the same person."""
    rng = random.Random(seed)
    gender = "男" if rng.random() < 0.5 else "女"
    ethnicity = _weighted(rng, _ETHNICITIES)

    area_code = _pick_area(rng)
    area = AREAS[area_code]
    surname, name, pinyin = _make_name(rng, gender, ethnicity)

    birth = date(1955, 1, 1) + timedelta(days=rng.randrange((date(2004, 12, 31) - date(1955, 1, 1)).days))
    want_x = rng.random() < 0.10
    id_number = _make_id_number(rng, area_code, birth, gender, want_x)

    address = _make_address(rng, area)
    phone = _make_phone(rng, area)
    employer, credit_code = _make_employer(rng, area)
    email = _make_email(rng, pinyin, birth)
    authority = _issuing_authority(area)
    valid_from, valid_until = _validity(rng, birth)

    return Person(seed=seed, name=name, surname=surname, gender=gender, ethnicity=ethnicity,
                  birth_date=birth, id_number=id_number, area_code=area_code, address=address,
                  phone=phone, employer=employer, credit_code=credit_code, postcode=area.postcode,
                  email=email, issuing_authority=authority, valid_from=valid_from,
                  valid_until=valid_until)


# --------------------------------------------------------------------------- parts

def _weighted(rng: random.Random, items: list[tuple[str, int]]) -> str:
    return rng.choices([i for i, _ in items], weights=[w for _, w in items])[0]


def _pick_area(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.60:
        return rng.choice(_LONGYAN)
    if r < 0.85:
        return rng.choice(_FUJIAN_OTHER)
    return rng.choice(_OTHER)


def _make_name(rng: random.Random, gender: str, ethnicity: str) -> tuple[str, str, list[str]]:
    """(surname, full name, pinyin syllables)."""
    if rng.random() < 0.06:
        surname, sp = rng.choice(COMPOUND_SURNAMES)
        n_given = 1
    else:
        pool = _SHE_SURNAMES if ethnicity == "畲族" and rng.random() < 0.7 else _SURNAMES
        surname, sp = rng.choice(pool)
        n_given = 1 if rng.random() < 0.3 else 2
    given_pool = _MALE if gender == "男" else _FEMALE
    given = [rng.choice(given_pool) for _ in range(n_given)]
    if rng.random() < 0.22:
        given[rng.randrange(n_given)] = rng.choice(RARE_NAME_CHARS)
    name = surname + "".join(c for c, _ in given)
    return surname, name, [sp] + [p for _, p in given]


def _make_id_number(rng: random.Random, area_code: str, birth: date, gender: str,
                    want_x: bool) -> str:
    parity = 1 if gender == "男" else 0
    seq = rng.randrange(1, 1000)
    if seq % 2 != parity:
        seq = seq + 1 if seq < 999 else seq - 1
    prefix = area_code + birth.strftime("%Y%m%d")
    for _ in range(1000):
        first17 = f"{prefix}{seq:03d}"
        check = id_check_char(first17)
        if (check == "X") == want_x:
            return first17 + check
        seq += 2
        if seq > 999:
            seq = 1 if parity else 2
    raise AssertionError("no sequence number gives the wanted check character")  # pragma: no cover


def _digits(rng: random.Random, lo: int, hi: int) -> str:
    return str(rng.randint(lo, hi))


def _make_address(rng: random.Random, area: Area) -> str:
    head = area.province + ("" if area.city == area.province else area.city) + area.district
    fullwidth = rng.random() < 0.33
    for _ in range(50):
        town = rng.choice(area.towns)
        kind = rng.random()
        if kind < 0.45:
            tail = (f"{town}{rng.choice(area.roads)}{_digits(rng, 1, 399)}号"
                    f"{rng.choice(_COMMUNITIES)}{_digits(rng, 1, 28)}幢{_digits(rng, 1, 3)}单元"
                    f"{rng.randint(1, 26)}{rng.randint(1, 4):02d}室")
        elif kind < 0.75 and town.endswith("镇"):
            tail = f"{town}{rng.choice(_VILLAGES)}{rng.choice('一二三四五六七八九十')}组{_digits(rng, 1, 120)}号"
            if len(head + tail) < MIN_ADDRESS_CHARS:
                tail += f"{_digits(rng, 1, 3)}栋"
        else:
            tail = (f"{town}{rng.choice(area.roads)}{_digits(rng, 1, 399)}号"
                    f"{_digits(rng, 1, 30)}栋{rng.randint(1, 30)}{rng.randint(1, 6):02d}室")
            if len(head + tail) < MIN_ADDRESS_CHARS:
                tail = tail.replace("号", "号" + rng.choice(_COMMUNITIES), 1)
        address = head + tail
        if MIN_ADDRESS_CHARS <= len(address) <= MAX_ADDRESS_CHARS:
            return address.translate(_FULLWIDTH) if fullwidth else address
    # pragma: no cover - the pools always give one within 50 tries
    raise AssertionError(f"no address of the wanted length for {area.code}")


def _make_phone(rng: random.Random, area: Area) -> str:
    if rng.random() < 0.15:
        n = 8 if len(area.phone_area) == 3 or area.phone_area in ("0755", "0571") else 7
        first = str(rng.randint(2, 8))
        return f"{area.phone_area}-{first}{rng.randrange(10 ** (n - 1)):0{n - 1}d}"
    return rng.choice(_MOBILE_PREFIXES) + f"{rng.randrange(10 ** 8):08d}"


def _org_code(rng: random.Random, modern: bool, first: str = "") -> str:
    """A GB 11714 organisation code (8 body characters + check) whose characters are all
    in the credit-code alphabet: "MA…" since 2015, eight digits before."""
    if modern:
        body = "MA" + rng.choice("0123456789ABCDEFGH") + "".join(
            rng.choice(CREDIT_CODE_ALPHABET) for _ in range(5))
    else:
        head = first or str(rng.randint(1, 7))
        body = head + "".join(rng.choice("0123456789") for _ in range(8 - len(head)))
    return body + org_code_check_char(body)     # the check is a digit or X: both in the alphabet


def _make_employer(rng: random.Random, area: Area) -> tuple[str, str]:
    city = area.city
    district = area.district
    division = area.code if rng.random() < 0.7 else area.code[:4] + "00"
    kind = rng.random()
    if kind < 0.75:
        where = city + district if division == area.code and rng.random() < 0.5 else city
        if rng.random() < 0.15:
            where = area.province.replace("省", "").replace("壮族自治区", "").replace("回族自治区", "")
        name = f"{where}{rng.choice(_BRANDS)}{rng.choice(_INDUSTRIES)}{rng.choice(_FORMS)}"
        prefix = "91"
        org = _org_code(rng, modern=rng.random() < 0.7)
    elif kind < 0.85:
        name = f"{district}{rng.choice(_BRANDS)}{rng.choice(_SHOPS)}"
        prefix = "92"
        division = area.code
        org = _org_code(rng, modern=True)
    else:
        options = (f"{city}第{rng.choice('一二三四五六七八')}中学", f"{city}{district}实验小学",
                   f"{city}{district}{rng.choice(area.towns)}卫生院", f"{city}不动产登记中心",
                   f"{city}疾病预防控制中心", f"{city}{district}图书馆")
        name = rng.choice(options)
        prefix = "12"
        org = _org_code(rng, modern=False, first="4")
    first17 = prefix + division + org
    return name, first17 + credit_code_check_char(first17)


def _make_email(rng: random.Random, pinyin: list[str], birth: date) -> str:
    r = rng.random()
    if r < 0.35:
        return f"{rng.randint(10 ** 5, 3 * 10 ** 9)}@qq.com"
    if r < 0.7:
        user = "".join(pinyin) + rng.choice(("", str(birth.year), f"{birth.year % 100:02d}",
                                             birth.strftime("%m%d"), str(rng.randint(1, 999))))
    else:
        user = pinyin[0] + "".join(p[0] for p in pinyin[1:]) + rng.choice(("", str(birth.year), "_" + str(rng.randint(1, 99))))
    return f"{user}@{rng.choice(_MAIL_DOMAINS)}"


def _issuing_authority(area: Area) -> str:
    d = area.district
    if d.endswith("区"):
        stem = d[:-2] if d.endswith("新区") else d[:-1]
        return f"{area.city}公安局{stem}分局"
    return f"{d}公安局"


def _validity(rng: random.Random, birth: date) -> tuple[date, date | None]:
    earliest = max(date(2008, 1, 1), _add_years(birth, 16))
    latest = date(2024, 12, 28)
    if earliest >= latest:          # pragma: no cover - births end in 2004
        earliest = latest - timedelta(days=365)
    issued = earliest + timedelta(days=rng.randrange((latest - earliest).days))
    if issued.month == 2 and issued.day == 29:
        issued = issued.replace(day=28)
    age = issued.year - birth.year - ((issued.month, issued.day) < (birth.month, birth.day))
    years = 5 if age < 16 else 10 if age <= 25 else 20 if age <= 45 else None
    return issued, (None if years is None else _add_years(issued, years))


def _add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:              # 29 February
        return d.replace(year=d.year + years, day=28)


LONG_TEXT_POOLS = [
    ("申请人张伟于龙岩市行政服务中心办理住房公积金提取材料已核验复印件两份新罗区九一北路", 80),
    ("abcXYZ0123 .,-/@", 8),
    ("０１２３ＡＢＣ，。（）：；！？—“”", 10),
    ("𠮷𩸽𠀋𡈽𪚲", 2),               # outside the BMP: two UTF-16 units, four UTF-8 bytes
]


def long_text(n: int, seed: int = 9) -> str:
    """`n` characters of a remark, the same for a seed: mostly Chinese, with ASCII,
    full-width forms and characters outside the BMP (~2.9 bytes each in UTF-8, so
    100,000 of them are more than one X request may carry)."""
    rng = random.Random(seed)
    pools, weights = zip(*LONG_TEXT_POOLS)
    return "".join(rng.choice(rng.choices(pools, weights)[0]) for _ in range(n))
