"""What a fill would type, step by step, without typing anything: `deskhand fill
--dry-run` prints it, and the playbook editor's 试运行 lists it. One function, so the two
never disagree."""
from __future__ import annotations

from dataclasses import dataclass, field

from app.cases import Case
from app.errors import DeskhandError
from app.fill.engine import PlannedStep, masked_text, plan
from app.fill.gate import Verdict, require_typeable, vet
from app.i18n import _
from playbooks.model import Playbook

__all__ = ["DryRun", "dry_run", "plan_rows"]


@dataclass
class DryRun:
    rows: list[dict]                   # one per planned step (plan_rows)
    code: int                          # the exit code `fill --dry-run` gives (0, 1 or 2)
    message: str                       # why not 0, or "nothing was typed"
    needs: list[str] = field(default_factory=list)   # fields a person must look at


def plan_rows(pb: Playbook, steps: list[PlannedStep], verdicts: list[Verdict]) -> list[dict]:
    """Each planned step as plain data: what is typed (masked), keys, and what stops it."""
    by_field = {v.field: v for v in verdicts}
    rows = []
    for s in steps:
        v = by_field.get(s.field or "")
        rows.append({"step": s.index + 1, "kind": s.kind, "field": s.field,
                     "text": "" if v and v.refused else masked_text(pb, s.field, s.text),
                     "keys": list(s.keys), "detail": s.detail,
                     "refused": v.refused if v else [],
                     "needs_person": (v.reasons if v and v.needs_person else []),
                     "confirmed_by_person": bool(v and v.confirmed and v.reasons)})
    return rows


def dry_run(pb: Playbook, case: Case) -> DryRun:
    """The plan of a fill of `case` (already settled). Raises for a missing required value.
    With on_invalid: field the gate's refusals are steps of the plan ("refused", with
    their sentence), as the fill would leave them."""
    by_field = pb.on_invalid == "field"
    steps = plan(pb, case, gate=by_field)
    verdicts = vet(pb, case)
    rows = plan_rows(pb, steps, verdicts)
    refused = [v for v in verdicts if v.refused]
    needs = [v.field for v in verdicts if v.needs_person]
    code = 2 if refused else 1 if needs else 0
    message = _("Dry run: nothing was typed.")
    left = [s.detail for s in steps if s.kind == "refused"]
    if by_field:
        code = 1 if left else 0
        message = "\n".join(left) if left else message
    elif refused or needs:
        try:
            require_typeable(pb, case)
        except DeskhandError as exc:
            message = exc.message
    return DryRun(rows, code, message, needs)
