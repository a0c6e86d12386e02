"""Numbers as applicants write them on an intake form: 100, １２.５, 一百, 壹佰万元, 60%, 百分之六十.

    parse_number(text, unit) -> Decimal      raises ValueError with a sentence
    plain(decimal) -> "12.5"                 as the case keeps it (no trailing zeros)

Full-width digits and Chinese numerals (小写 一二三, 大写 壹贰叁, 两, 点 for the decimal
point) are read; the unit (万元/万 for amounts, %/％/百分之 for shares) may be written or
left out. Anything else is refused rather than guessed.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from app.checks.normalize import to_halfwidth
from app.i18n import _

__all__ = ["parse_number", "plain", "WAN", "PERCENT"]

WAN = "wan"            # an amount in 万元
PERCENT = "percent"    # a share in %

_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")}
_DIGITS.update({c: i for i, c in enumerate("〇壹贰叁肆伍陆柒捌玖")})
_DIGITS.update({"两": 2, "贰": 2, "貳": 2, "叄": 3, "陸": 6})
_SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_NUMBER = re.compile(r"\d+(\.\d+)?")
_CHINESE = set(_DIGITS) | set(_SMALL_UNITS) | {"万", "萬", "亿", "点", "點"}


def _chinese_integer(text: str) -> int:
    """一百二十 → 120, 十五 → 15, 一千零五 → 1005, 三万五千 → 35000; digit by digit (一二〇) too."""
    if text and all(c in _DIGITS for c in text) and len(text) > 1:
        return int("".join(str(_DIGITS[c]) for c in text))
    total = section = digit = 0
    for c in text:
        if c in _DIGITS:
            digit = _DIGITS[c]
        elif c in _SMALL_UNITS:
            section += (digit or 1) * _SMALL_UNITS[c]
            digit = 0
        elif c in ("万", "萬", "亿"):
            total = (total + section + digit) * (10000 if c != "亿" else 100_000_000)
            section = digit = 0
        else:
            raise ValueError(c)
    return total + section + digit


def _chinese(text: str) -> Decimal:
    whole, _sep, frac = text.replace("點", "点").partition("点")
    if any(c not in _DIGITS for c in frac):
        raise ValueError(frac)
    value = Decimal(_chinese_integer(whole) if whole else 0)
    if frac:
        value += Decimal("0." + "".join(str(_DIGITS[c]) for c in frac))
    return value


def parse_number(text: str, unit: str) -> Decimal:
    """The number in `text`, in the form's unit (`WAN` or `PERCENT`); ValueError with a
    sentence naming the value when it is not a plain non-negative number."""
    t = re.sub(r"\s+", "", to_halfwidth(text or "")).replace(",", "").replace("，", "")
    if unit == WAN:
        t = t.removesuffix("元").removesuffix("人民币")
        t = t.removesuffix("万").removesuffix("萬") if t.endswith(("万", "萬")) else t
    else:
        t = t.removeprefix("百分之").removesuffix("%")
    try:
        if _NUMBER.fullmatch(t):
            return Decimal(t)
        if t and all(c in _CHINESE for c in t):
            return _chinese(t)
    except (ValueError, InvalidOperation):
        pass
    if unit == WAN:
        raise ValueError(_("'{value}' is not an amount in 万元; write it in digits, such as 100 or "
                           "12.5 (万元).", value=text))
    raise ValueError(_("'{value}' is not a share; write it as a percentage in digits, such as 60 "
                       "or 33.33.", value=text))


def plain(value: Decimal) -> str:
    """12.50 → "12.5", 100 → "100": how the case keeps a number (the templates read it)."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
