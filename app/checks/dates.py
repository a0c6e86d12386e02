"""Dates as they appear on ID cards, licences and portal pages:
2024-03-01, 2024/3/1, 2024.03.01, 2024年3月1日, 20240301, in full-width digits too."""
from __future__ import annotations

import re
from datetime import date

from app.checks.errors import InvalidValueError
from app.checks.normalize import remove_spaces, to_halfwidth, unify_dashes
from app.i18n import _, sentences

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
        return None, [_("The date is empty.")]
    for pat in _PATTERNS:
        m = pat.fullmatch(s)
        if m:
            y, mo, d = int(m[1]), int(m[3]), int(m[4])
            break
    else:
        return None, [_("'{value}' is not a date; write it like 2024-03-01.", value=value.strip())]
    shown = f"{y:04d}-{mo:02d}-{d:02d}"
    try:
        parsed = date(y, mo, d)
    except ValueError:
        if mo == 2 and d == 29:
            return None, [_("{date} is not a real date ({year} is not a leap year).",
                            date=shown, year=y)]
        return None, [_("{date} is not a real date.", date=shown)]
    if not EARLIEST_YEAR <= y <= LATEST_YEAR:
        return None, [_("The year {year} is outside {earliest}-{latest}; a digit may be "
                        "misread.", year=y, earliest=EARLIEST_YEAR, latest=LATEST_YEAR)]
    return parsed, []


def validate_date(value: str) -> list[str]:
    """Problems with a date, as sentences; empty means valid."""
    return inspect_date(value)[1]


def parse_date(value: str) -> date:
    """The date written in `value`; InvalidValueError if it is not one."""
    parsed, problems = inspect_date(value)
    if parsed is None:
        raise InvalidValueError(_("This is not a date: {problems}", problems=sentences(problems)),
                                problems)
    return parsed
