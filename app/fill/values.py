"""Turning a case value into the exact text typed for a field of a given type.
Parsing and normalising come from app.checks, the one place that knows the formats."""
from __future__ import annotations

from app.checks.dates import inspect_date
from app.checks.normalize import remove_spaces, to_halfwidth
from app.errors import UsageError
from app.i18n import _
from playbooks.model import FieldSpec


def text_for(spec: FieldSpec, value: str) -> str:
    """The text to type for `value` in a field of `spec`'s type."""
    if spec.type == "date":
        d, _problems = inspect_date(value)
        if d is None:
            raise UsageError(_("'{value}' in field {field} is not a date (write it like "
                               "2024-03-01).", value=value, field=spec.name), field=spec.name)
        return d.strftime(spec.format or "%Y-%m-%d")
    if spec.type in ("id_number", "credit_code", "bank_card"):
        return remove_spaces(to_halfwidth(value)).upper()
    if spec.type == "phone":
        return remove_spaces(to_halfwidth(value))
    if spec.multiline:
        return value.replace("\r\n", "\n")   # one key (Return) per line break
    return value
