"""Dates as they appear on ID cards, licences and portal pages:
2024-03-01, 2024/3/1, 2024.03.01, 2024年3月1日, 20240301, in full-width digits too."""
from __future__ import annotations

import re
from datetime import date

from app.checks.errors import InvalidValueError
from app.checks.normalize import remove_spaces, to_halfwidth, unify_dashes

_PATTERNS = (
    re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})"),
    re.compile(r"(\d{4})(年)(\d{1,2})月(\d{1,2})日?"),
    re.compile(r"(\d{4})()(\d{2})(\d{2})"),
)
EARLIEST_YEAR, LATEST_YEAR = 1900, 2099


def format_date_text(value: str) -> str:
    """Formatting only: half-width, no spaces, one kind of dash, '。' read as '.'."""
    return unify_dashes(remove_spaces(to_halfwidth(value))).replace("。", ".")


def inspect_date(value: str) -> tuple[date | None, list[str]]:
    """(the date or None, problems)."""
    s = format_date_text(value)
    if not s:
        return None, ["The date is empty."]
    for pat in _PATTERNS:
        m = pat.fullmatch(s)
        if m:
            y, mo, d = int(m[1]), int(m[3]), int(m[4])
            break
    else:
        return None, [f"'{value.strip()}' is not a date; write it like 2024-03-01."]
    shown = f"{y:04d}-{mo:02d}-{d:02d}"
    try:
        parsed = date(y, mo, d)
    except ValueError:
        why = f" ({y} is not a leap year)" if mo == 2 and d == 29 else ""
        return None, [f"{shown} is not a real date{why}."]
    if not EARLIEST_YEAR <= y <= LATEST_YEAR:
        return None, [f"The year {y} is outside {EARLIEST_YEAR}-{LATEST_YEAR}; "
                      "a digit may be misread."]
    return parsed, []


def validate_date(value: str) -> list[str]:
    """Problems with a date, as sentences; empty means valid."""
    return inspect_date(value)[1]


def parse_date(value: str) -> date:
    """The date written in `value`; InvalidValueError if it is not one."""
    parsed, problems = inspect_date(value)
    if parsed is None:
        raise InvalidValueError("This is not a date: " + " ".join(problems), problems)
    return parsed
