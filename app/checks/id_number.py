"""Resident ID numbers (GB 11643-1999): 6-digit area code (GB/T 2260), birth date
YYYYMMDD, 3-digit sequence (odd for men), MOD 11-2 check character (0-9 or X)."""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from typing import Literal

from app.checks import areas
from app.checks.errors import InvalidValueError
from app.checks.normalize import format_code
from app.i18n import N_, _, join, n_, sentences

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"  # indexed by (weighted sum mod 11)
LEGACY_15 = N_("15-digit numbers are not accepted; ask for the 18-digit number.")
EARLIEST_BIRTH = date(1900, 1, 1)

Sex = Literal["男", "女"]


@dataclass(frozen=True)
class IdInfo:
    area_code: str
    area_name: str | None       # e.g. 福建省龙岩市新罗区; a retired county keeps its last name
    birth_date: date
    sex: Sex


def id_check_char(first17: str) -> str:
    """The check character GB 11643 gives the first 17 digits."""
    return CHECK_CHARS[sum(int(c) * w for c, w in zip(first17, WEIGHTS)) % 11]


def inspect_id_number(value: str, *, today: date | None = None) -> tuple[list[str], list[str]]:
    """(problems, warnings) for an ID number. Problems make it invalid; warnings (a county
    code no longer in the current list) are for the clerk to glance at."""
    v = format_code(value)  # half-width, no spaces, lowercase x accepted
    if not v:
        return [_("The ID number is empty.")], []
    if len(v) == 15 and v.isdigit():
        return [_(LEGACY_15)], []
    if len(v) != 18:
        return [_("The ID number has {n} characters; it must have 18.", n=len(v))], []

    bad = [(i, c) for i, c in enumerate(v[:17]) if not ("0" <= c <= "9")]
    problems: list[str] = []
    if bad:
        where = join(_("{position} ('{char}')", position=i + 1, char=c) for i, c in bad)
        problems.append(n_("Character {where} of the ID number must be a digit.",
                           "Characters {where} of the ID number must be digits.",
                           len(bad), where=where))
    if not ("0" <= v[17] <= "9" or v[17] == "X"):
        problems.append(_("The last character of the ID number ('{char}') must be a digit or X.",
                          char=v[17]))
    if problems:
        return problems, []

    warnings: list[str] = []
    # Area code: an unknown province is wrong; an unknown county may be an old card.
    code = v[:6]
    if not areas.is_known_province(code):
        if v[0] == "9":
            problems.append(_("The area code {code} starts with {prefix}, which is not a "
                              "province in GB/T 2260. It starts with 9 like a foreigner's "
                              "permanent residence ID card, which is not a resident ID number.",
                              code=code, prefix=code[:2]))
        else:
            problems.append(_("The area code {code} starts with {prefix}, which is not a "
                              "province in GB/T 2260.", code=code, prefix=code[:2]))
    else:
        area = areas.lookup(code)
        if area is None:
            warnings.append(_("The area code {code} is not in the GB/T 2260 list for "
                              "{province}; check it against the card.", code=code,
                              province=areas.province_name(code)))
        elif not area.current and area.until != "?":
            warnings.append(_("The area code {code} ({name}) was retired in {year} and is not "
                              "in the current GB/T 2260 list; ID cards issued before keep it.",
                              code=code, name=areas.full_name(code), year=area.until))
        elif not area.current:
            warnings.append(_("The area code {code} ({name}) was retired recently and is not "
                              "in the current GB/T 2260 list; ID cards issued before keep it.",
                              code=code, name=areas.full_name(code)))

    # Birth date: a real date, not in the future, not before 1900.
    y, m, d = int(v[6:10]), int(v[10:12]), int(v[12:14])
    shown = f"{v[6:10]}-{v[10:12]}-{v[12:14]}"
    try:
        born = date(y, m, d)
    except ValueError:
        if m == 2 and d == 29 and not calendar.isleap(y):
            problems.append(_("The birth date in the ID number, {date}, is not a real date "
                              "({year} is not a leap year).", date=shown, year=y))
        else:
            problems.append(_("The birth date in the ID number, {date}, is not a real date.",
                              date=shown))
    else:
        if born > (today or date.today()):
            problems.append(_("The birth date in the ID number, {date}, is in the future.",
                              date=shown))
        elif born < EARLIEST_BIRTH:
            problems.append(_("The birth date in the ID number, {date}, is before 1900.",
                              date=shown))

    expected = id_check_char(v[:17])
    if v[17] != expected:
        problems.append(_("The check digit of the ID number is '{found}' but the first 17 digits "
                          "give '{expected}'; a digit was misread or mistyped.",
                          found=v[17], expected=expected))
    return problems, warnings


def validate_id_number(value: str, *, today: date | None = None) -> list[str]:
    """Problems with an ID number, as sentences; empty means valid."""
    return inspect_id_number(value, today=today)[0]


def id_number_warnings(value: str, *, today: date | None = None) -> list[str]:
    """Warnings that do not make a number invalid (a retired or unlisted county code)."""
    return inspect_id_number(value, today=today)[1]


def parse_id_number(value: str, *, today: date | None = None) -> IdInfo:
    """Area, birth date and sex of a valid ID number; InvalidValueError if it is not valid."""
    problems = validate_id_number(value, today=today)
    if problems:
        raise InvalidValueError(_("This is not a valid ID number: {problems}",
                                  problems=sentences(problems)), problems)
    v = format_code(value)
    return IdInfo(
        area_code=v[:6],
        area_name=areas.full_name(v[:6]),
        birth_date=date(int(v[6:10]), int(v[10:12]), int(v[12:14])),
        sex="男" if int(v[16]) % 2 else "女",
    )
