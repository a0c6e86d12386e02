"""Bank card numbers (银行卡号): 16 to 19 digits whose last is the Luhn check digit
(ISO/IEC 7812, as UnionPay cards issued in China carry). The check digit catches every
single misread digit and most swaps of two neighbours: a card number OCR got wrong is
`invalid`, or corrected where exactly one of the engine's own readings passes it."""
from __future__ import annotations

from app.checks.normalize import remove_spaces, to_halfwidth
from app.i18n import _

__all__ = ["luhn_ok", "inspect_bank_card", "MIN_DIGITS", "MAX_DIGITS"]

MIN_DIGITS, MAX_DIGITS = 16, 19


def luhn_ok(digits: str) -> bool:
    """True if the last digit of `digits` is the Luhn check digit of the others."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def inspect_bank_card(value: str) -> tuple[list[str], list[str]]:
    """(problems, warnings) of a card number; spaces and full-width digits are formatting
    (a letter read for a digit is not: the caller maps look-alikes and says so)."""
    v = remove_spaces(to_halfwidth(value))
    if not v:
        return [_("The bank card number is empty.")], []
    if not v.isdigit() or not MIN_DIGITS <= len(v) <= MAX_DIGITS:
        return [_("A bank card number has 16 to 19 digits; this one has {n} characters.",
                  n=len(v))], []
    if not luhn_ok(v):     # the number itself is not repeated: sentences reach the log
        return [_("The bank card number fails its check digit (Luhn): a digit was misread or "
                  "mistyped.")], []
    return [], []
