"""Case files: the "unified local data file" that joins capture and fill.

Plain JSON, written atomically (temp file in the same folder, fsync, rename),
so a crash or a stolen focus mid-fill never leaves a half-written case. A case
holds each field's value, status and provenance, and a log of fill attempts
that is enough to resume one that was interrupted.
"""
from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from app.case_json import check_case, check_plain, read_case_json, split_group_status, split_groups
from app.errors import CaseFileError, NeedsPersonError
from app.i18n import _, join
from app.files import write_text_atomically

CASE_FORMAT = 1
STATUSES = ("ok", "corrected", "mismatch", "invalid", "missing", "unverified", "unchecked")
NEEDS_PERSON = ("invalid", "mismatch", "missing", "unverified")   # statuses a person must look at
# "unchecked": read, but no check could have failed on it (free text): shown as such, typed
# like ok (app/values/honest.py); a registry confirming it makes it ok


@dataclass
class FieldValue:
    value: str | None
    status: str = "ok"
    original: str | None = None          # what the source said, when corrected
    source: dict[str, Any] = field(default_factory=dict)   # provenance: kind, file, box, registry…


def settle_doubt(fv: FieldValue) -> None:
    """A field that was `invalid` only for the OCR engine's doubt (source["unsure"]), settled
    by an independent source of the same value (a registry, the ID number's own digits): ok,
    the doubt kept as a warning."""
    fv.status = "ok"
    fv.source.pop("unsure", None)
    warnings = fv.source.setdefault("warnings", [])
    for doubt in fv.source.pop("problems", []):
        if doubt not in warnings:
            warnings.append(doubt)


@dataclass
class Case:
    case_id: str
    playbook: str | None
    fields: dict[str, FieldValue]
    created: str = ""
    fills: list[dict[str, Any]] = field(default_factory=list)
    plain: bool = False     # read from a bare {name: value} file, not a case file (not saved)
    verification: list[dict[str, Any]] = field(default_factory=list)   # what each registry answered
    # repeating groups: {"shareholders": [{"name": "张三", "id_number": "…", "share": "60"}, …]}
    groups: dict[str, list[dict[str, str | None]]] = field(default_factory=dict)
    # the status of each group value, in the same places ({"shareholders": [{"share": "ok"}]});
    # a value without one was given as plain text (older files): "ok", as a plain field is
    group_status: dict[str, list[dict[str, str]]] = field(default_factory=dict)

    def status_in_group(self, group: str, row: int, key: str) -> str:
        return self._statuses(group, row).get(key, "ok")

    def doubtful_group_values(self) -> list[str]:
        """Each group value a person must look at, as "shareholders › 2 › share" (rows from 1)."""
        return [f"{group} › {i} › {key}"
                for group, rows in self.groups.items() for i, row in enumerate(rows, 1)
                for key in row if self.status_in_group(group, i - 1, key) in NEEDS_PERSON]

    def value(self, name: str) -> str | None:
        fv = self.fields.get(name)
        return fv.value if fv else None

    def to_json(self) -> dict[str, Any]:
        doc = {"deskhand_case": CASE_FORMAT, "case_id": self.case_id,
               "playbook": self.playbook, "created": self.created,
               "fields": {k: asdict(v) for k, v in self.fields.items()},
               "fills": self.fills, "verification": self.verification}
        if self.groups:     # only when there are some: older readers see the same file
            doc["groups"] = {g: [{k: {"value": v, "status": self._statuses(g, i)[k]}
                                  if k in self._statuses(g, i) else v for k, v in row.items()}
                                 for i, row in enumerate(rows)]
                             for g, rows in self.groups.items()}
        return doc

    def _statuses(self, group: str, row: int) -> dict[str, str]:
        rows = self.group_status.get(group, [])
        return rows[row] if row < len(rows) else {}


def refuse_doubtful_values(case: Case, fields: list[str], what: str) -> None:
    """NeedsPersonError (exit 1) naming `fields` (the case's fields a person must look at)
    and every group value that failed a check or needs a person, by group, row and field;
    `what` says what is refused (the documents, the forms)."""
    places = fields + case.doubtful_group_values()
    if places:
        raise NeedsPersonError(_("{what}: {places} failed a check or need a person (a registry "
                                 "disagreement or no verification); correct them in the intake "
                                 "form or the review, then try again.", what=what,
                                 places=join(places)), fields=places)


def now_iso() -> str:
    return datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds")


def new_case_id() -> str:
    return datetime.now().strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(2)


def case_from_values(values: dict[str, str], playbook: str | None, source: dict[str, Any]) -> Case:
    return Case(case_id=new_case_id(), playbook=playbook, created=now_iso(),
                fields={k: FieldValue(v, "ok", None, dict(source)) for k, v in values.items()})


def load_case(path: str | Path, playbook: str | None = None) -> Case:
    """Read a case file, or a plain JSON object of field values ({"name": "张三", …}).
    Raises CaseFileError for anything that is not one (app/case_json.py has the limits)."""
    p = Path(path)
    raw = read_case_json(p)
    if not isinstance(raw, dict):
        raise CaseFileError(_("The case file {path} must hold a JSON object such as "
                              "{{\"applicant_name\": \"张三\"}}.", path=p))
    if "deskhand_case" not in raw:
        values, groups = split_groups(raw, p)
        case = case_from_values(check_plain(values, p), playbook, {"kind": "json", "file": str(p)})
        case.plain = True
        case.groups, case.group_status = split_group_status(groups, p, STATUSES)
        return case
    version = raw["deskhand_case"]
    if version != CASE_FORMAT or isinstance(version, bool):
        shown = version if isinstance(version, int) else repr(str(version)[:20])
        raise CaseFileError(_("The case file {path} has format {format}; this Deskhand reads "
                              "format {supported}.", path=p, format=shown, supported=CASE_FORMAT))
    raw = check_case(raw, p, STATUSES)
    groups, group_status = split_group_status(raw.get("groups") or {}, p, STATUSES)
    fields = {k: FieldValue(v.get("value"), v.get("status", "ok"), v.get("original"),
                            dict(v.get("source") or {}))
              for k, v in raw["fields"].items()}
    return Case(case_id=raw["case_id"], playbook=raw.get("playbook"),
                fields=fields, created=raw.get("created", ""),
                fills=list(raw.get("fills") or []),
                verification=list(raw.get("verification") or []),
                groups=groups, group_status=group_status)


def save_case(case: Case, path: str | Path) -> None:
    """Write atomically: readers see the old file or the new one, never a mix."""
    p = Path(path)
    data = json.dumps(case.to_json(), ensure_ascii=False, indent=2) + "\n"
    try:
        write_text_atomically(p, data)
    except OSError as exc:
        raise CaseFileError(f"Could not save the case file {p} ({exc.strerror}); "
                            "the case is still in memory — choose another folder.") from None
