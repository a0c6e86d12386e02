"""Deliberate differences: where a sandbox gateway's record disagrees with what the
person's sources show, the ground truth for tests of verification.

    deliberate_differences("prov")
    # {2: {"applicant_name": ("郑梅颖", "郑梅莹")}, 5: {"address": ("…１９５号…", "…１９７号…")}, …}

Each value is (what the sources show, what the gateway holds, decoded to words: a date
ISO, a marital status as 已婚/未婚/离婚/丧偶, an ethnic group as 畲族). Every difference is
among seeds 0–39 (DIFFERENCE_SEEDS); every other seed, and every other field of these
seeds, agrees with the sources, so a flag anywhere else is a false alarm. The kinds are
the ones real registries show: one character of a name (a homophone), a house number,
a birth date ten days off, an ethnic group, a marital status the sources do not know of
yet, the company form of an employer's name.
"""
from __future__ import annotations

import re
from datetime import date, timedelta

from app.sandbox.gateways.facts import truth

__all__ = ["DIFFERENCE_SEEDS", "PLANNED", "deliberate_differences", "changes_for"]

DIFFERENCE_SEEDS = range(40)

# profile → seed → the fields that differ; a marital status names the registry's value.
PLANNED: dict[str, dict[int, dict[str, str | None]]] = {
    "prov": {2: {"applicant_name": None}, 5: {"address": None}, 9: {"birth_date": None},
             11: {"ethnicity": None}, 14: {"marital_status": "已婚"}, 21: {"employer": None},
             24: {"ethnicity": None, "applicant_name": None}, 30: {"marital_status": "离婚"},
             37: {"address": None}},
    "city": {1: {"marital_status": "已婚"}, 6: {"applicant_name": None}, 10: {"address": None},
             13: {"birth_date": None}, 17: {"ethnicity": None}, 20: {"employer": None},
             28: {"applicant_name": None}, 34: {"marital_status": "离婚"}, 38: {"address": None}},
    "ministry": {0: {"birth_date": None}, 3: {"applicant_name": None}, 8: {"ethnicity": None},
                 12: {"marital_status": "丧偶"}, 19: {"marital_status": "已婚"},
                 23: {"address": None}, 29: {"applicant_name": None},
                 32: {"birth_date": None}, 36: {"ethnicity": None}},
}

# A given name's character → one that sounds the same (a registry typed by ear).
_HOMOPHONES = dict(zip(
    "伟强磊军勇杰涛明超华建国志文斌辉鹏宇浩凯俊峰晨阳荣海波东平福兴永金德龙添清连生家成"
    "芳娜敏静丽艳娟霞秀英玲燕婷雪慧琳颖倩洁梅兰红萍琴月欣怡佳惠凤珍春玉丹喆鑫昊淼垚焱彧玥赟珺晗翀",
    "玮蔷垒君湧捷滔铭朝桦健帼智闻彬晖朋禹皓恺骏锋辰扬嵘涵博冬坪富星咏锦得隆天青莲升嘉诚"
    "舫纳闵靖俪燕鹃遐琇瑛琳艳亭学惠玲莹茜杰媚岚虹苹芹玥昕宜嘉慧风真椿钰单哲新皓渺尧炎煜悦韵君涵冲"))
assert len(_HOMOPHONES) == 87 and all(k != v for k, v in _HOMOPHONES.items())
_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
_HALFWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")
_HOUSE_NUMBER = re.compile(r"([0-9０-９]+)号")


def deliberate_differences(profile: str) -> dict[int, dict[str, tuple[str, str]]]:
    """{seed: {field: (sources' value, gateway's value in words)}} for a gateway profile."""
    if profile not in PLANNED:
        raise KeyError(f"no gateway profile {profile!r}; the profiles are {', '.join(PLANNED)}")
    out: dict[int, dict[str, tuple[str, str]]] = {}
    for seed in PLANNED[profile]:
        t = truth(seed)
        out[seed] = {field: (t[field], value)
                     for field, value in changes_for(profile, seed).items()}
    return out


def changes_for(profile: str, seed: int) -> dict[str, str]:
    """The values gateway `profile` holds instead of the sources' for `seed` (none for most)."""
    planned = PLANNED.get(profile, {}).get(seed)
    if not planned:
        return {}
    t = truth(seed)
    return {field: value if value is not None else _MUTATE[field](t[field])
            for field, value in planned.items()}


def _name(name: str) -> str:
    last = name[-1]
    return name[:-1] + _HOMOPHONES.get(last, "华" if last != "华" else "桦")


def _house_number(address: str) -> str:
    m = _HOUSE_NUMBER.search(address)
    if m is None:
        raise ValueError(f"no house number in {address!r}")
    digits = m.group(1)
    changed = str(int(digits.translate(_HALFWIDTH)) + 2)
    if digits != digits.translate(_HALFWIDTH):
        changed = changed.translate(_FULLWIDTH)
    return address[:m.start(1)] + changed + address[m.end(1):]


def _birth_date(iso: str) -> str:
    return (date.fromisoformat(iso) + timedelta(days=10)).isoformat()


def _ethnicity(group: str) -> str:
    return "畲族" if group == "汉族" else "汉族"


def _employer(name: str) -> str:
    # The company form as registered differs from the one the applicant wrote.
    for written, registered in (("有限责任公司", "有限公司"), ("股份有限公司", "有限公司"),
                                ("有限公司", "有限责任公司")):
        if name.endswith(written):
            return name[:-len(written)] + registered
    return name + "（分支机构）"


_MUTATE = {"applicant_name": _name, "address": _house_number, "birth_date": _birth_date,
           "ethnicity": _ethnicity, "employer": _employer}
