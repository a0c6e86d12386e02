"""What the reference registry answers for each generated person, from the seed alone.

    records_for(7) -> {"population": {...}, "licence": {...}, "realestate": {...},
                       "marriage": {...}, "transport": {...} or None}

Each entry is the `data` of that endpoint's answer (DESIGN.md §4 field keys, the pinyin
abbreviations real gateways use); None means the registry holds no record, so the
endpoint answers 404. Pure and deterministic: the person comes from
`app.sandbox.people.make_person(seed)`, and every other value from a `random.Random`
seeded with the seed and the record's name, so one record can change without shifting
the others. Ages and dates are reckoned at the fixed day AS_OF, never today, so the
answers do not drift with the calendar.

Spouses are paired inside blocks of BLOCK consecutive seeds: records_for(seed) stays a
function of its seed (it looks at its block only), and both partners' records name each
other. The partner of a seed below N is a seed below N whenever N is a multiple of BLOCK
(the default 3000 is).
"""
from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any, Iterator

from app.sandbox.people import AREAS, Area, Person, make_person

__all__ = ["ENDPOINTS", "BLOCK", "AS_OF", "records_for", "records_for_seeds", "lookup_key",
           "years_after", "date_between", "TRANSPORT_KINDS"]

ENDPOINTS = ("population", "licence", "realestate", "marriage", "transport")
BLOCK = 40
AS_OF = date(2025, 1, 1)

# Seeds far beyond any seeded population: people who appear only inside a record
# (a company's legal representative), never as an applicant.
_OUTSIDER_SEED = 10_000_000

_PROVINCE_ABBR = {"11": "京", "21": "辽", "31": "沪", "33": "浙", "35": "闽", "36": "赣",
                  "44": "粤", "45": "桂", "64": "宁"}
_ESTATES = ("万达华府", "碧桂园", "恒大名都", "融侨观邸", "建发央著", "中骏四季花都", "龙湖春江郦城",
            "阳光城翡丽湾", "金鸡山庄", "龙腾花园", "莲花新城", "世茂云图", "保利香槟国际", "永鸿花园")
_PROPERTY_KINDS = (("市场化商品房", 70), ("房改房", 9), ("自建房", 9), ("经济适用住房", 6),
                   ("拆迁安置房", 6))
TRANSPORT_KINDS = (("道路货物运输驾驶员", 45), ("道路旅客运输驾驶员", 25),
                    ("网络预约出租汽车驾驶员", 10), ("巡游出租汽车驾驶员", 8),
                    ("道路危险货物运输驾驶员", 7), ("机动车驾驶教练员", 5))
_LEGAL_AGE = {"男": 22, "女": 20}       # Civil Code art. 1047
_UNIFIED_CERTIFICATES = date(2016, 1, 1)   # 不动产权证书 replaced the separate certificates
_ID_AS_CERTIFICATE = date(2017, 1, 1)      # practitioner certificates numbered by the ID number


# --------------------------------------------------------------------------- public

def records_for(seed: int) -> dict[str, dict[str, Any] | None]:
    """Every endpoint's `data` for the person `make_person(seed)`."""
    block = seed // BLOCK
    people = [make_person(s) for s in range(block * BLOCK, (block + 1) * BLOCK)]
    marriages = _marriage_block(people)
    return _records(people[seed - block * BLOCK], marriages[seed])


def records_for_seeds(n: int) -> Iterator[tuple[int, dict[str, dict[str, Any] | None]]]:
    """(seed, records_for(seed)) for seeds 0..n-1, each block's people made once."""
    for block in range((n + BLOCK - 1) // BLOCK):
        people = [make_person(s) for s in range(block * BLOCK, (block + 1) * BLOCK)]
        marriages = _marriage_block(people)
        for p in people:
            if p.seed < n:
                yield p.seed, _records(p, marriages[p.seed])


def lookup_key(endpoint: str, records: dict[str, dict[str, Any] | None]) -> str:
    """What a client sends to find this record: the credit code for the licence, the ID
    number for everything else."""
    population = records["population"]
    assert population is not None          # every generated person is in the population registry
    if endpoint == "licence":
        licence = records["licence"]
        assert licence is not None
        return str(licence["uniscid"])
    return str(population["sfzh"])


# --------------------------------------------------------------------------- records

def _records(p: Person, marriage: dict[str, Any]) -> dict[str, dict[str, Any] | None]:
    return {"population": _population(p), "licence": _licence(p),
            "realestate": _realestate(p), "marriage": marriage, "transport": _transport(p)}


def _rng(seed: int, topic: str) -> random.Random:
    # A str seed is hashed with SHA-512 by random.Random: the same on every machine.
    return random.Random(f"deskhand-registry:{topic}:{seed}")


def _population(p: Person) -> dict[str, Any]:
    return {"sfzh": p.id_number, "xm": p.name, "xb": p.gender, "mz": p.ethnicity,
            "csrq": p.birth_date.strftime("%Y%m%d"), "hjdz": p.address}


def _licence(p: Person) -> dict[str, Any]:
    rng = _rng(p.seed, "licence")
    kind = p.credit_code[:2]            # 91 enterprise, 92 sole proprietor, 12 public institution
    if kind == "92" or (kind == "91" and rng.random() < 0.25):
        lerep = p.name                  # the applicant runs the business
    else:
        lerep = make_person(_OUTSIDER_SEED + p.seed).name
    modern = p.credit_code[8:10] == "MA"    # organisation codes "MA…" were issued from late 2015
    lo, hi = ((date(2015, 10, 1), AS_OF - timedelta(days=30)) if modern
              else (date(1992, 1, 1), date(2015, 9, 30)))
    area = p.area
    dom = (_head(area) + f"{rng.choice(area.towns)}{rng.choice(area.roads)}{rng.randint(1, 399)}号"
           + rng.choice(("", f"{rng.randint(1, 12)}号楼", f"{rng.randint(1, 28)}层{rng.randint(1, 20):02d}室")))
    return {"uniscid": p.credit_code, "entname": p.employer, "lerep": lerep, "dom": dom,
            "estdate": date_between(rng, lo, hi).isoformat(), "regstate": "存续"}


def _realestate(p: Person) -> dict[str, Any]:
    rng = _rng(p.seed, "realestate")
    n = 0 if _age(p.birth_date) < 20 else rng.choices((0, 1, 2, 3), weights=(30, 45, 18, 7))[0]
    first_year = max(_UNIFIED_CERTIFICATES.year, p.birth_date.year + 20)
    records = []
    for _ in range(n):
        area = p.area if rng.random() < 0.75 else AREAS[rng.choice(sorted(AREAS))]
        # Municipalities number certificates by district: 京(2020)朝阳区不动产权第…号.
        place = area.district if area.city == area.province else area.city
        year = rng.randint(min(first_year, AS_OF.year - 1), AS_OF.year - 1)
        location = (area.city + ("" if area.city == area.province else area.district)
                    + f"{rng.choice(area.roads)}{rng.randint(1, 399)}号{rng.choice(_ESTATES)}"
                    + f"{rng.randint(1, 30)}幢{rng.randint(1, 32)}{rng.randint(1, 4):02d}室")
        records.append({
            "bdcqzh": f"{_PROVINCE_ABBR[area.code[:2]]}({year}){place}不动产权第{rng.randrange(1, 10 ** 7):07d}号",
            "zl": location,
            "jzmj": round(rng.uniform(45.0, 168.0), 2),
            "qlxz": _weighted(rng, _PROPERTY_KINDS),
        })
    return {"total": n, "records": records}


def _transport(p: Person) -> dict[str, Any] | None:
    rng = _rng(p.seed, "transport")
    # A quarter of the working-age four fifths: about 20 % of everyone.
    if rng.random() >= 0.25 or not 21 <= _age(p.birth_date) <= 60:
        return None
    issued = date_between(rng, max(date(2005, 1, 1), years_after(p.birth_date, 21)),
                           AS_OF - timedelta(days=30))
    number = (p.id_number if issued >= _ID_AS_CERTIFICATE
              else f"{p.area_code[:4]}{issued.year}{rng.randrange(10 ** 8):08d}")
    area = p.area
    office = f"{area.city}交通委员会" if area.city == area.province else f"{area.city}交通运输局"
    return {"cyzgzh": number, "cylb": _weighted(rng, TRANSPORT_KINDS),
            "yxqz": years_after(issued, 6).isoformat(), "fzjg": office}


# --------------------------------------------------------------------------- marriage

def _marriage_block(people: list[Person]) -> dict[int, dict[str, Any]]:
    """The marriage record of each person of one block; partners are paired inside it."""
    wanted = {p.seed: _wanted_status(p) for p in people}
    men = sorted((p for p in people if wanted[p.seed] == "已婚" and p.gender == "男"),
                 key=lambda p: p.birth_date)
    women = [p for p in people if wanted[p.seed] == "已婚" and p.gender == "女"]
    out: dict[int, dict[str, Any]] = {}
    for man in men:
        close = [w for w in women if abs((w.birth_date - man.birth_date).days) <= 10 * 365]
        if not close:
            continue
        wife = min(close, key=lambda w: abs((w.birth_date - man.birth_date).days))
        women.remove(wife)
        rng = _rng(min(man.seed, wife.seed), "wedding")
        wed = _wedding_date(rng, man, wife)
        office = _marriage_office(rng.choice((man.area, wife.area)))
        for me, partner in ((man, wife), (wife, man)):
            out[me.seed] = {"hyzk": "已婚", "po_xm": partner.name, "po_sfzh": partner.id_number,
                            "djrq": wed.isoformat(), "djjg": office}
    for p in people:
        if p.seed not in out:
            out[p.seed] = _unpartnered(p, wanted[p.seed])
    return out


def _wanted_status(p: Person) -> str:
    rng = _rng(p.seed, "marriage")
    age = _age(p.birth_date)
    if age < _LEGAL_AGE[p.gender]:
        return "未婚"
    married = 0.35 if age < 26 else 0.75 if age < 32 else 0.9
    r = rng.random()
    if r < married:
        return "已婚"
    if r < married + 0.06 and age >= 25:
        return "离婚"
    if r < married + 0.12 and age >= 55:
        return "丧偶"
    return "未婚"


def _unpartnered(p: Person, wanted: str) -> dict[str, Any]:
    """Someone with no partner in the block: a wish to be married that found no partner
    of a sensible age mostly stays single, sometimes is a divorce."""
    rng = _rng(p.seed, "registration")
    status = wanted
    if wanted == "已婚":
        status = "离婚" if _age(p.birth_date) >= 28 and rng.random() < 0.1 else "未婚"
    if status == "未婚":
        return {"hyzk": "未婚", "po_xm": None, "po_sfzh": None, "djrq": None, "djjg": None}
    lo = max(date(1980, 1, 1), years_after(p.birth_date, _LEGAL_AGE[p.gender] + 1))
    # 离婚: the divorce registration; 丧偶: the marriage registration (death is not registered here).
    return {"hyzk": status, "po_xm": None, "po_sfzh": None,
            "djrq": date_between(rng, lo, AS_OF - timedelta(days=30)).isoformat(),
            "djjg": _marriage_office(p.area)}


def _wedding_date(rng: random.Random, man: Person, wife: Person) -> date:
    lo = max(date(1980, 1, 1), years_after(man.birth_date, _LEGAL_AGE["男"]),
             years_after(wife.birth_date, _LEGAL_AGE["女"]))
    hi = AS_OF - timedelta(days=30)
    # Most couples marry within about eight years of both being old enough.
    return date_between(rng, lo, min(hi, lo + timedelta(days=8 * 365)))


def _marriage_office(area: Area) -> str:
    return f"{area.city}{area.district}民政局婚姻登记处"


# --------------------------------------------------------------------------- small parts

def _head(area: Area) -> str:
    return area.province + ("" if area.city == area.province else area.city) + area.district


def _weighted(rng: random.Random, items: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([i for i, _ in items], weights=[w for _, w in items])[0]


def _age(birth: date) -> int:
    return AS_OF.year - birth.year - ((AS_OF.month, AS_OF.day) < (birth.month, birth.day))


def years_after(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:              # 29 February
        return d.replace(year=d.year + years, day=28)


def date_between(rng: random.Random, lo: date, hi: date) -> date:
    if hi <= lo:
        return lo
    return lo + timedelta(days=rng.randrange((hi - lo).days + 1))
