"""Unified social credit codes (GB 32100-2015).

    position  1     registration authority (1 机构编制, 5 民政, 9 市场监管, Y 其他 …)
              2     type within that authority (91 企业, 92 个体工商户, 93 农民专业合作社 …)
              3-8   division code of the registering authority (GB/T 2260)
              9-17  subject code: the organisation code (GB 11714: 8 characters + check)
              18    check character, MOD 31 over positions 1-17

The alphabet is 0-9 and A-Z without I O S V Z. Some codes issued in the early pilots carry
a subject code whose GB 11714 check does not hold: that is a warning, not invalid
(DESIGN.md §6).
"""
from __future__ import annotations

from app.checks import areas
from app.checks.normalize import format_code
from app.i18n import _, join, n_

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUE = {c: i for i, c in enumerate(ALPHABET)}
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 3^(i-1) mod 31 for positions 1..17

# Registration authority → {type: meaning}, as listed in GB 32100-2015 and its amendments
# (A: the military's establishment office, N: agriculture and rural affairs).
AUTHORITIES: dict[str, tuple[str, dict[str, str]]] = {
    "1": ("机构编制", {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体",
                      "9": "其他"}),
    "2": ("外交", {"1": "外国常驻新闻机构", "9": "其他"}),
    "3": ("司法行政", {"1": "律师执业机构", "2": "公证处", "3": "基层法律服务所",
                      "4": "司法鉴定机构", "5": "仲裁委员会", "9": "其他"}),
    "4": ("文化", {"1": "外国在华文化中心", "9": "其他"}),
    "5": ("民政", {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"}),
    "6": ("旅游", {"1": "外国旅游部门常驻代表机构",
                  "2": "港澳台地区旅游部门常驻内地（大陆）代表机构", "9": "其他"}),
    "7": ("宗教", {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"}),
    "8": ("工会", {"1": "基层工会", "9": "其他"}),
    "9": ("工商", {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"}),
    "A": ("中央军委改革和编制办公室", {"1": "军队事业单位", "9": "其他"}),
    "N": ("农业", {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织",
                  "9": "其他"}),
    "Y": ("其他", {"1": "其他"}),
}

ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def credit_check_char(first17: str) -> str:
    """The GB 32100 check character for the first 17 characters (alphabet values)."""
    c = 31 - sum(VALUE[ch] * w for ch, w in zip(first17, WEIGHTS)) % 31
    return ALPHABET[0 if c == 31 else c]


def org_code_check_char(body8: str) -> str:
    """GB 11714 check character for an 8-character organisation code body (0-9, A-Z)."""
    s = sum((int(ch) if ch.isdigit() else ord(ch) - 55) * w for ch, w in zip(body8, ORG_WEIGHTS))
    c = 11 - s % 11
    return "X" if c == 10 else "0" if c == 11 else str(c)


def inspect_credit_code(value: str) -> tuple[list[str], list[str]]:
    """(problems, warnings) for a credit code."""
    v = format_code(value)
    if not v:
        return [_("The credit code is empty.")], []
    if len(v) != 18:
        if len(v) in (9, 15):
            return [_("The credit code has {n} characters; it must have 18. A 15-digit business "
                      "registration number or a 9-character organisation code is not a credit "
                      "code.", n=len(v))], []
        return [_("The credit code has {n} characters; it must have 18.", n=len(v))], []
    bad = [(i, c) for i, c in enumerate(v) if c not in VALUE]
    if bad:
        where = join(_("{position} ('{char}')", position=i + 1, char=c) for i, c in bad)
        return [n_("Character {where} of the credit code is not in its alphabet "
                   "(0-9 and A-Z without I, O, S, V, Z).",
                   "Characters {where} of the credit code are not in its alphabet "
                   "(0-9 and A-Z without I, O, S, V, Z).", len(bad), where=where)], []

    problems: list[str] = []
    warnings: list[str] = []
    authority = AUTHORITIES.get(v[0])
    if authority is None:
        problems.append(_("The first character of the credit code ('{char}') is not a "
                          "registration authority in GB 32100 (1-9, A, N or Y).", char=v[0]))
    elif v[1] not in authority[1]:
        # New types are added by amendment; do not block on one we do not list.
        warnings.append(_("The type '{type}' is not one GB 32100 lists for registration "
                          "authority '{authority}' ({name}); check the code.",
                          type=v[1], authority=v[0], name=authority[0]))
    if not v[2:8].isdigit():
        problems.append(_("Characters 3-8 of the credit code ('{code}') must be digits: "
                          "they are a division code.", code=v[2:8]))
    elif v[2:4] != "10" and not areas.is_known_province(v[2:8]):  # 10xxxx: national level
        warnings.append(_("Characters 3-8 of the credit code ({code}) are not a known "
                          "division code.", code=v[2:8]))
    expected = credit_check_char(v[:17])
    if v[17] != expected:
        problems.append(_("The check character of the credit code is '{found}' but the first 17 "
                          "characters give '{expected}'; a character was misread or mistyped.",
                          found=v[17], expected=expected))
    elif org_code_check_char(v[8:16]) != v[16]:
        warnings.append(_("The organisation code inside the credit code (characters 9-17) fails "
                          "its GB 11714 check, as some early pilot codes do; confirm it with the "
                          "registry."))
    return problems, warnings


def validate_credit_code(value: str) -> list[str]:
    """Problems with a credit code, as sentences; empty means valid."""
    return inspect_credit_code(value)[0]


def credit_code_warnings(value: str) -> list[str]:
    return inspect_credit_code(value)[1]
