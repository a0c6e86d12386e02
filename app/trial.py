"""试运行 for the playbook editor: a playbook's samples, a capture of one through the case
pipeline, what each field read (value, status, where on the picture), how that compares
with the sample's expected values, and the fill's dry run — what would be typed where.

Samples live beside the playbook (the `golden` format, playbooks/README.md):

    <folder of the playbook>/samples/<playbook id>/<case>/source.png   (or .jpg)
                                                         /expected.yaml   fields: {name: value}

A recording's picture, `PLAYBOOK.source.png` beside the playbook, is a source too (with no
expected values). Headless: the editor (app/ui/editor.py) shows what this returns.
"""
from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from app.cases import FieldValue
from app.errors import DeskhandError, UsageError
from app.fill.dry_run import DryRun, dry_run
from app.fill.engine import masked_text
from app.i18n import _
from app.values.derive import settle_case
from playbooks.model import Playbook

if TYPE_CHECKING:  # pragma: no cover
    from app.pipeline import CaptureOutcome, Pipeline

__all__ = ["Sample", "FieldRead", "Trial", "find_samples", "source_pictures", "run_trial"]

PICTURES = ("source.png", "source.jpg", "source.jpeg")


@dataclass(frozen=True)
class Sample:
    name: str                          # the case folder's name
    source: Path                       # the picture
    expected: dict[str, str] = field(default_factory=dict)   # fields the capture must give
    given: dict[str, str] = field(default_factory=dict)      # what the clerk gives (read: clerk)


@dataclass
class FieldRead:
    name: str
    label: str
    shown: str                         # the value as the editor may show it (masked)
    status: str                        # ok, corrected, invalid, missing… (app/cases.py)
    box: tuple[int, int, int, int] | None   # x, y, width, height on the trial's picture
    expected: str | None = None        # the sample's value, when it gives one
    value: str | None = None           # unmasked, for comparing (never shown nor logged)

    @property
    def as_expected(self) -> bool | None:
        """None when the sample says nothing about this field."""
        return None if self.expected is None else (self.value or "") == self.expected


@dataclass
class Trial:
    outcome: "CaptureOutcome"
    fields: list[FieldRead]
    dry: DryRun | None                 # None when the plan itself refused (dry_error says why)
    dry_error: str | None = None

    @property
    def picture(self) -> Any:
        """The picture the boxes are on (an ID card levelled, else the source)."""
        return self.outcome.image

    @property
    def differences(self) -> list[str]:
        return [f.name for f in self.fields if f.as_expected is False]


def _expected(path: Path) -> tuple[dict[str, str], dict[str, str]]:
    """(fields, given) of expected.yaml, every value as text (1990-03-07 stays a string,
    not a date). A field written `{status: missing}` has no value to compare; one written
    `{value: …, status: …}` is compared by its value (app/golden/samples.py reads the same
    file strictly, for `deskhand test`)."""
    if not path.is_file():
        return {}, {}
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise UsageError(_("The sample's expected values in {path} cannot be read: {problem}",
                           path=path, problem=str(exc).splitlines()[0])) from exc

    def section(key: str) -> dict[str, str]:
        items = data.get(key) if isinstance(data, dict) else None
        out = {}
        for k, v in (items.items() if isinstance(items, dict) else ()):
            v = v.get("value") if isinstance(v, dict) else v
            if isinstance(v, str):
                out[str(k)] = v
        return out
    return section("fields"), section("given")


def find_samples(playbook_path: Path, playbook_id: str) -> list[Sample]:
    """The samples of a playbook, by case name."""
    folder = playbook_path.parent / "samples" / playbook_id
    out = []
    for case in sorted(p for p in folder.glob("*") if p.is_dir()):
        picture = next((case / n for n in PICTURES if (case / n).is_file()), None)
        if picture is not None:
            out.append(Sample(case.name, picture, *_expected(case / "expected.yaml")))
    return out


def source_pictures(playbook_path: Path, playbook_id: str) -> list[Sample]:
    """What the editor may show on its left: each sample, then a recording's picture."""
    out = find_samples(playbook_path, playbook_id)
    recorded = playbook_path.with_name(playbook_path.stem + ".source.png")
    if recorded.is_file():
        out.append(Sample(recorded.name, recorded))
    return out


def run_trial(pipeline: "Pipeline", playbook: Playbook, picture: Path,
              expected: dict[str, str] | None = None,
              given: dict[str, str] | None = None) -> Trial:
    """Capture `picture` with `playbook` through the pipeline (no registry: a trial must
    not ask the population register about a sample), then plan the fill with the values
    the clerk would give (`given`). The trial's case
    file goes in a folder that is removed afterwards: it is nobody's case."""
    expected = expected or {}
    source = pipeline.load_image(playbook, picture)
    with tempfile.TemporaryDirectory(prefix="deskhand-trial-") as folder:
        outcome = pipeline.capture(playbook, source, case_path=Path(folder) / "trial.json",
                                   verify=False)
    case = outcome.case
    for name, value in (given or {}).items():       # as the clerk gives them in the review
        case.fields[name] = FieldValue(value, "ok", None, {"kind": "manual"})
    settle_case(playbook, case)
    reads = []
    for spec in playbook.fields:
        fv = case.fields.get(spec.name)
        box = fv.source.get("box") if fv is not None else None
        reads.append(FieldRead(
            name=spec.name, label=spec.label or spec.name,
            shown=masked_text(playbook, spec.name, fv.value) if fv and fv.value else "",
            status=fv.status if fv is not None else "missing",
            box=tuple(int(v) for v in box) if box else None,   # type: ignore[arg-type]
            expected=expected.get(spec.name), value=fv.value if fv else None))
    try:
        return Trial(outcome, reads, dry_run(playbook, case))
    except DeskhandError as exc:     # a required value missing: the plan says why
        return Trial(outcome, reads, None, exc.message)
