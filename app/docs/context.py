"""What templates see of a case: {field: value} and {group: [row, …]} (app/cases.py)."""
from __future__ import annotations

from typing import Any

from app.cases import NEEDS_PERSON, Case, refuse_doubtful_values
from app.i18n import _

__all__ = ["case_context", "refuse_unconfirmed"]


def case_context(case: Case) -> dict[str, Any]:
    """The case's values for templates: a field without a value is left out, so that a
    placeholder naming it is reported missing rather than written empty."""
    context: dict[str, Any] = {name: fv.value for name, fv in case.fields.items()
                               if fv.value is not None}
    for group, rows in case.groups.items():
        context[group] = [dict(row) for row in rows]
    return context


def refuse_unconfirmed(case: Case, used: set[str]) -> None:
    """NeedsPersonError (exit 1) when a field the templates use, or any group value, failed a
    check, disagrees with a registry or was never verified: documents state only confirmed
    values, as the fill types only them."""
    doubtful = sorted(name for name in used
                      if name in case.fields and case.fields[name].status in NEEDS_PERSON)
    refuse_doubtful_values(case, doubtful, _("The documents were not made"))
