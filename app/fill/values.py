"""Turning a case value into the exact text typed for a field of a given type."""
from __future__ import annotations

import re
import unicodedata
from datetime import date

from app.errors import UsageError
from playbooks.model import FieldSpec

_DATE_PATTERNS = (
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def halfwidth_ascii(text: str) -> str:
    """Full-width letters and digits (ＡＢ１２) to ASCII; leaves CJK alone."""
    return "".join(unicodedata.normalize("NFKC", ch) if "\uff01" <= ch <= "\uff5e" else ch
                   for ch in text)


def parse_date(text: str) -> date | None:
    t = halfwidth_ascii(text).strip()
    for pat in _DATE_PATTERNS:
        m = pat.match(t)
        if m:
            try:
                return date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                return None
    return None


def text_for(spec: FieldSpec, value: str) -> str:
    """The text to type for `value` in a field of `spec`'s type."""
    if spec.type == "date":
        d = parse_date(value)
        if d is None:
            raise UsageError(f"'{value}' in field {spec.name} is not a date "
                             "(write it like 2024-03-01).", field=spec.name)
        return d.strftime(spec.format or "%Y-%m-%d")
    if spec.type in ("id_number", "credit_code"):
        return re.sub(r"\s+", "", halfwidth_ascii(value)).upper()
    if spec.type == "phone":
        return re.sub(r"[\s]+", "", halfwidth_ascii(value))
    return value
