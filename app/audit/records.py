"""What the pipeline records of a case in the audit log: small dicts of masked values.
The log masks again whatever it is given (mask_text); masking here by the playbook's field
types also covers what mask_text cannot recognise (a phone with spaces, a name)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app.audit.masking import PERSONAL_KINDS, masked_value
from app.privacy import mask

if TYPE_CHECKING:  # pragma: no cover
    from app.cases import Case
    from app.fill.engine import FillReport
    from playbooks.model import Playbook

__all__ = ["capture_record", "fill_record", "verify_record", "field_value"]


def field_value(playbook: "Playbook", name: str, value: str | None) -> str | None:
    """ID numbers and phones keep 4+4 / 3+4 characters; a choice (男, 公积金提取) is one of
    the playbook's own words and stays; anything else — a name, an address, a date — keeps
    its first character (张*): the case file holds the value, the log proves what was done."""
    if value is None:
        return None
    try:
        kind = playbook.field_spec(name).type
    except KeyError:
        kind = "text"
    if kind in PERSONAL_KINDS:
        return masked_value(value, kind)
    if kind == "choice":
        return masked_value(value, None)
    return mask(value, "text")


def _type(playbook: "Playbook", name: str) -> str:
    try:
        return playbook.field_spec(name).type
    except KeyError:
        return "text"


def capture_record(playbook: "Playbook", case: "Case", provenance: dict[str, Any]
                   ) -> dict[str, Any]:
    return {"playbook": playbook.id, "case": case.case_id,
            "source": provenance.get("kind"),
            "fields": [{"name": n, "type": _type(playbook, n), "status": fv.status,
                        "value": field_value(playbook, n, fv.value)}
                       for n, fv in case.fields.items()]}


def verify_record(playbook: "Playbook", case: "Case", error: str | None) -> dict[str, Any]:
    return {"playbook": playbook.id, "case": case.case_id,
            "outcome": "error" if error else "done", "message": error,
            "lookups": [{"lookup": a.get("lookup"), "status": a.get("status")}
                        for a in case.verification],
            "fields": [{"name": n, "status": fv.status} for n, fv in case.fields.items()]}


def fill_record(playbook: "Playbook", case: "Case", report: "FillReport",
                message: str | None) -> dict[str, Any]:
    fields = []
    for r in report.results:
        fv = case.fields.get(r.field)
        fields.append({"name": r.field, "status": r.status, "method": r.method,
                       "value": field_value(playbook, r.field, fv.value if fv else None)})
    return {"playbook": playbook.id, "case": case.case_id, "window": report.window,
            "outcome": report.outcome, "readback_ok": report.readback_ok,
            "differs": report.differs, "fields": fields, "message": message}
