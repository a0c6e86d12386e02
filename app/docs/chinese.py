"""Dates and amounts in the Chinese forms documents use, written here because libraries get
零 wrong (cn2an 0.5.24 writes 103453 as 壹拾万叁仟肆佰伍拾叁元整, without the 零).

    date_upper("2026-12-04")      -> 二〇二六年十二月四日
    date_digits("2026-12-04")     -> 2026年12月4日
    amount_upper(Decimal("103453")) -> 壹拾万零叁仟肆佰伍拾叁元整
    wan_to_yuan("100")            -> Decimal("1000000")   (注册资本 100 万元)

The 零 rule (中国人民银行《支付结算办法》's rules for 大写金额, one of the forms they allow):
one 零 for each run of zero digits that lies between two non-zero digits of the whole amount,
across 万/亿 groups and across 元/角 too (10.05 壹拾元零伍分; 103453 壹拾万零叁仟…;
1680.32 壹仟陆佰捌拾元零叁角贰分); a group's unit (万, 亿) is written when the group holds a
non-zero digit; 整 ends an amount without 角 and 分 (0.50 is 伍角, as the rules allow).

Amounts are Decimal only: a float (0.1 + 0.2) is refused, and so is a third decimal place,
as rounding would change a sum of money. Each refusal is a FormValueError whose sentence
names the value.
"""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from app.checks.dates import inspect_date
from app.errors import FormValueError
from app.i18n import _

__all__ = ["date_upper", "date_digits", "amount_upper", "parse_amount", "wan_to_yuan",
           "amount_digits", "MAX_AMOUNT"]

MAX_AMOUNT = Decimal("999999999999.99")     # below 1 万亿: the largest a form's box holds

_UPPER_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_PLACE = ("", "拾", "佰", "仟")               # within a group of four digits
_GROUP = ("", "万", "亿")                      # the unit of each group, from the right
_DATE_DIGITS = "〇一二三四五六七八九"
_NUMBER = re.compile(r"[0-9]+(\.[0-9]+)?")


# ------------------------------------------------------------------ dates
def _date(value: object) -> date:
    if isinstance(value, date):
        return value
    parsed, problems = inspect_date(str(value))
    if parsed is None:
        raise FormValueError(problems[0] if problems else
                             _("'{value}' is not a date; write it like 2024-03-01.", value=value))
    return parsed


def _small_number(n: int) -> str:
    """1-31 as written in a date: 四, 十, 十二, 二十, 三十一."""
    tens, ones = divmod(n, 10)
    text = ("" if tens < 2 else _DATE_DIGITS[tens]) + ("十" if tens else "")
    return text + (_DATE_DIGITS[ones] if ones else "")


def date_upper(value: object) -> str:
    """二〇二六年十二月四日: the year digit by digit with 〇, month and day as numbers."""
    d = _date(value)
    year = "".join(_DATE_DIGITS[int(c)] for c in f"{d.year:04d}")
    return f"{year}年{_small_number(d.month)}月{_small_number(d.day)}日"


def date_digits(value: object) -> str:
    """2026年12月4日 (no leading zeros)."""
    d = _date(value)
    return f"{d.year}年{d.month}月{d.day}日"


# ------------------------------------------------------------------ amounts
def parse_amount(value: object) -> Decimal:
    """An amount of money as a Decimal: a Decimal, an int, or text such as "103453.00",
    "1,000,000" or "500元". Floats are refused (they are not exact), and so are more than two
    decimal places, negative amounts and amounts of 1 万亿 or more."""
    if isinstance(value, bool) or isinstance(value, float):
        raise FormValueError(_("The amount {value} is a binary fraction, not an exact sum; give "
                               "amounts as text or Decimal.", value=value))
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, int):
        amount = Decimal(value)
    else:
        text = str(value).strip().replace(",", "").replace("，", "").removesuffix("元").strip()
        negative = text.startswith(("-", "－"))
        if negative:
            text = text[1:].strip()
        if not _NUMBER.fullmatch(text):
            raise FormValueError(_("'{value}' is not an amount of money; write it in digits, "
                                   "such as 103453.00.", value=value))
        try:
            amount = Decimal(text)
        except InvalidOperation:   # pragma: no cover - the pattern admits only digits
            raise FormValueError(_("'{value}' is not an amount of money; write it in digits, "
                                   "such as 103453.00.", value=value)) from None
        amount = -amount if negative else amount
    if not amount.is_finite():
        raise FormValueError(_("'{value}' is not an amount of money; write it in digits, "
                               "such as 103453.00.", value=value))
    if amount < 0:
        raise FormValueError(_("The amount {value} is negative; a document states no negative "
                               "sums.", value=value))
    if amount != amount.quantize(Decimal("0.01")):
        raise FormValueError(_("The amount {value} has more than two decimal places (分 is the "
                               "smallest unit); round it yourself first.", value=value))
    if amount > MAX_AMOUNT:
        raise FormValueError(_("The amount {value} is 1 万亿 or more; a document amount is at "
                               "most {limit}.", value=value, limit=f"{MAX_AMOUNT:,}"))
    return amount


def wan_to_yuan(value: object) -> Decimal:
    """An amount given in 万元 (注册资本 100 万元) in 元: 100 → 1000000."""
    text = value if not isinstance(value, str) else value.strip().removesuffix("万元").removesuffix("万")
    try:
        wan = parse_amount(text)
    except FormValueError:
        raise FormValueError(_("'{value}' is not an amount in 万元; write it in digits, such as "
                               "100 or 12.5.", value=value)) from None
    return parse_amount((wan * 10000).quantize(Decimal("0.01")))


def amount_digits(value: object) -> str:
    """1,000,000.00: digits with thousands separators and two decimals."""
    return f"{parse_amount(value):,.2f}"


def amount_upper(value: object) -> str:
    """大写金额: 壹拾万零叁仟肆佰伍拾叁元整, 壹拾元零伍分, 伍角 (see the module docstring)."""
    amount = parse_amount(value)
    cents = int((amount * 100).to_integral_value())
    yuan, rest = divmod(cents, 100)
    jiao, fen = divmod(rest, 10)
    if cents == 0:
        return "零元整"
    # Every digit with what follows it when non-zero; a run of zeros between non-zero
    # digits is written once, as 零; a group's unit follows its last digit.
    digits = str(yuan) if yuan else ""
    parts: list[str] = []
    pending_zero = False
    seen = False
    for i, ch in enumerate(digits):
        pos = len(digits) - 1 - i
        place, group = pos % 4, pos // 4
        d = int(ch)
        if d:
            if pending_zero:
                parts.append("零")
            parts.append(_UPPER_DIGITS[d] + _PLACE[place])
            pending_zero, seen = False, True
        else:
            pending_zero = seen
        if place == 0 and group and _group_has_digit(digits, group):
            parts.append(_GROUP[group])
    if yuan:
        parts.append("元")
    for d, unit in ((jiao, "角"), (fen, "分")):
        if d:
            if pending_zero:
                parts.append("零")
            parts.append(_UPPER_DIGITS[d] + unit)
            pending_zero, seen = False, True
        else:
            pending_zero = seen
    if not fen and not jiao:
        parts.append("整")
    return "".join(parts)


def _group_has_digit(digits: str, group: int) -> bool:
    """Does the group of four digits `group` (0 = 元 group, 1 = 万, 2 = 亿) hold a non-zero digit?"""
    end = len(digits) - 4 * group
    return any(c != "0" for c in digits[max(0, end - 4):end])
