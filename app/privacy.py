"""Masking of personal data for logs and screens that do not need it (PIPL)."""
from __future__ import annotations

import re

SENSITIVE_TYPES = frozenset({"id_number", "phone"})


def mask(value: str | None, kind: str = "text") -> str:
    """`350802199001011234` -> `3508**********1234`; a phone keeps 3 + 4 digits;
    anything else keeps its first character (a name reads 张*)."""
    if not value:
        return "" if value is None else value
    n = len(value)
    if kind == "id_number" and n > 8:
        return value[:4] + "*" * (n - 8) + value[-4:]
    if kind == "phone" and n > 7:
        return value[:3] + "*" * (n - 7) + value[-4:]
    if n <= 1:
        return "*"
    return value[0] + "*" * (n - 1)


_ID_RE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_CREDIT_RE = re.compile(r"(?<![0-9A-Z])[0-9A-HJ-NP-RTUW-Y]{2}\d{6}[0-9A-HJ-NP-RTUW-Y]{10}(?![0-9A-Z])")
_MOBILE_RE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def mask_text(text: str) -> str:
    """`text` (a URL, a log line, a JSON body) with every ID number, credit code and
    mobile number in it masked, for logs that must not hold personal data."""
    text = _ID_RE.sub(lambda m: mask(m.group(0), "id_number"), text)
    text = _CREDIT_RE.sub(lambda m: m.group(0)[:4] + "*" * 10 + m.group(0)[-4:], text)
    return _MOBILE_RE.sub(lambda m: mask(m.group(0), "phone"), text)
