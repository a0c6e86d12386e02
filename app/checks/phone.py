"""Mainland phone numbers: mobiles (1[3-9] + 9 digits, → 13800138000) and landlines
(area code + 7-8 digit local number, → 0597-2345678).

Area codes: 010 and 020-029 have three digits, every other one four (0xxx); no four-digit
code starts with 01 or 02, so the split is known even when the number is typed without one.
"""
from __future__ import annotations

import re

from app.checks.errors import InvalidValueError
from app.checks.normalize import letters_to_digits, to_halfwidth, unify_dashes
from app.i18n import N_, _, sentences

_SEPARATORS = re.compile(r"[\s\-()（）.\u200b\ufeff]+")
_MOBILE = re.compile(r"1[3-9]\d{9}")
FORMS = N_("The phone number must be a mobile number (11 digits starting with 13-19) or a "
           "landline with its area code, like 0597-2345678.")


def parse_phone(value: str) -> tuple[str | None, list[str]]:
    """(normalised number or None, problems)."""
    s = unify_dashes(to_halfwidth(value)).strip()
    if not s:
        return None, [_("The phone number is empty.")]
    digits = _SEPARATORS.sub("", s)
    international = False
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits, international = digits[len(prefix):], True
            break
    else:
        # "86 138…": a country code without '+' is taken only before a mobile number.
        if digits.startswith("86") and len(digits) == 13 and _MOBILE.fullmatch(digits[2:]):
            digits, international = digits[2:], True
    digits = letters_to_digits(digits)  # OCR: O→0, l→1 …; only digits belong here
    if not digits.isdigit():
        odd = "".join(sorted({c for c in digits if not c.isdigit()}))
        return None, [_("The phone number contains characters that are not digits ({chars}).",
                        chars=odd)]
    if international and (digits[:1] in tuple("23456789") or digits.startswith("10")):
        # +86 597 2345678, +86 10 6234 5678: the trunk 0 is dropped after a country code
        # (no mobile number starts with 10).
        digits = "0" + digits

    if digits.startswith("1"):
        if len(digits) != 11:
            return None, [_("A mobile number has 11 digits; this one has {n}.", n=len(digits))]
        if not _MOBILE.fullmatch(digits):
            return None, [_("Mobile numbers start with 13 to 19; this one starts with {prefix}.",
                            prefix=digits[:2])]
        return digits, []
    if digits.startswith("0"):
        area_len = 3 if digits[1] in "12" else 4
        area, local = digits[:area_len], digits[area_len:]
        if digits[1] == "0" or (digits[1] == "1" and area != "010"):
            return None, [_("{area} is not a mainland area code.", area=area)]
        if len(local) not in (7, 8):
            return None, [_("The local number after area code {area} must have 7 or 8 digits; "
                            "it has {n}.", area=area, n=len(local))]
        if local[0] in "01":
            return None, [_("A local number cannot start with {digit} (after area code {area}).",
                            digit=local[0], area=area)]
        return f"{area}-{local}", []
    if len(digits) in (7, 8):
        return None, [_("The landline number has no area code; write it like 0597-2345678.")]
    return None, [_(FORMS)]


def validate_phone(value: str) -> list[str]:
    """Problems with a phone number, as sentences; empty means valid."""
    return parse_phone(value)[1]


def normalize_phone(value: str) -> str:
    """'+86 138-0013-8000' → '13800138000'; '(0597) 234 5678' → '0597-2345678'.
    InvalidValueError if it is neither a mobile nor a landline number."""
    number, problems = parse_phone(value)
    if number is None:
        raise InvalidValueError(_("This is not a phone number: {problems}",
                                  problems=sentences(problems)), problems)
    return number
