"""An ID card read into the intake form: the name and ID number of one person on it.

The card is read by the ID-card playbook (playbooks/library/idcard-to-qt-intake.yaml:
`source: kind: idcard`) through the capture reader, so it is checked as any capture is:
the ID number by its check digit (a misread digit corrected, the original kept), the name
`unchecked` (free text), a reading the engine was unsure of `invalid`. That status is kept
in the value's source (read_status, read_problems) until a person types over it.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app.cases import FieldValue
from app.errors import UsageError
from app.i18n import _, join
from app.intake.model import GROUPS, PERSON_FIELDS, Intake

if TYPE_CHECKING:  # pragma: no cover
    from PIL import Image

    from app.ocr.base import OcrEngine
    from playbooks.model import Playbook

__all__ = ["CARD_PLAYBOOK", "PEOPLE", "read_id_card", "put_person", "parse_who"]

CARD_PLAYBOOK = "idcard-to-qt-intake"
_CARD_FIELDS = {"name": "applicant_name", "id_number": "id_number"}
PEOPLE = tuple(n.removesuffix("_name") for n in PERSON_FIELDS)   # legal_rep, supervisor, agent


def read_id_card(playbook: "Playbook", image: "Image.Image", engine: "OcrEngine",
                 provenance: dict[str, Any], scale: float = 1.0) -> dict[str, FieldValue]:
    """{"name": …, "id_number": …} as read off the card, each with its capture status."""
    from app.capture.read import read_source
    case = read_source(playbook, image, engine, scale=scale, source=provenance).case
    person = {}
    for key, field_name in _CARD_FIELDS.items():
        read = case.fields.get(field_name) or FieldValue(None, "missing", None, {})
        source = {**provenance, **read.source, "kind": "image", "read_status": read.status,
                  "read_problems": list(read.source.get("problems", []))}
        if read.value is None and not source["read_problems"]:
            source["read_problems"] = [_("The name on the card could not be read; type it.")
                                       if key == "name" else
                                       _("The ID number on the card could not be read; type it.")]
        person[key] = FieldValue(read.value or "", read.status, read.original, source)
    return person


def parse_who(who: str) -> tuple[str, int | None]:
    """"legal_rep" → ("legal_rep", None); "shareholders:2" → ("shareholders", 1)."""
    name, _sep, row = who.partition(":")
    groups = [g.name for g in GROUPS]
    if name in PEOPLE and not row:
        return name, None
    if name in groups and row.isdigit() and int(row) >= 1:
        return name, int(row) - 1
    raise UsageError(_("'{who}' names nobody on the form; name {people}, or a group row such as "
                       "shareholders:2 (groups: {groups}).", who=who, people=join(PEOPLE),
                       groups=join(groups)))


def put_person(intake: Intake, who: str, person: dict[str, FieldValue]) -> None:
    """The card's name and ID number into the person `who` names (parse_who); a group row
    that does not exist yet is added."""
    name, row = parse_who(who)
    if row is None:
        intake.fields[f"{name}_name"] = person["name"]
        intake.fields[f"{name}_id"] = person["id_number"]
        return
    rows = intake.groups.setdefault(name, [])
    while len(rows) <= row:
        intake.add_row(name)
    rows[row]["name"] = person["name"]
    rows[row]["id_number"] = person["id_number"]
