"""Masking of personal data for logs and screens that do not need it (PIPL)."""
from __future__ import annotations

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
