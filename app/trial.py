"""试运行 for the playbook editor: a playbook's samples, a capture of one through the case
pipeline, what each field read (value, status, where on the picture), how that compares
with the sample's expected values, and the fill's dry run — what would be typed where.

Samples are read by app/golden/samples.py, the one reader of their layout (playbooks/
README.md, "Samples"), and compared as `deskhand test` compares them (value and status):

    <folder of the playbook>/samples/<playbook id>/<case>/source.png   (or .jpg)
                                                         /expected.yaml

The editor also tries a case folder whose expected.yaml is not written yet, and a
recording's picture, `PLAYBOOK.source.png` beside the playbook: their fields are read and
not compared, and the trial's `note` says why. Headless: the editor (app/ui/editor.py)
shows what this returns.
"""
from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.cases import FieldValue
from app.errors import DeskhandError
from app.fill.dry_run import DryRun, dry_run
from app.fill.engine import masked_text
from app.golden.samples import (Expected, SamplePicture, Want, load_sample, sample_pictures,
                                samples_root)
from app.i18n import _
from app.values.derive import settle_case
from playbooks.errors import PlaybookError
from playbooks.model import Playbook

if TYPE_CHECKING:  # pragma: no cover
    from app.pipeline import CaptureOutcome, Pipeline

__all__ = ["TrialSource", "FieldRead", "Trial", "source_pictures", "expected_of", "run_trial"]


@dataclass(frozen=True)
class TrialSource:
    name: str                          # the case folder's name, or the recording's picture's
    source: Path                       # the picture
    sample: SamplePicture | None = None   # None: a recording's picture (nothing expected)


@dataclass
class FieldRead:
    name: str
    label: str
    shown: str                         # the value as the editor may show it (masked)
    status: str                        # ok, corrected, invalid, missing… (app/cases.py)
    box: tuple[int, int, int, int] | None   # x, y, width, height on the trial's picture
    want: Want | None = None           # what the sample expects, when it says
    value: str | None = None           # unmasked, for comparing (never shown nor logged)

    @property
    def expected(self) -> str | None:
        """The value the sample expects (None: a status only, or nothing)."""
        return self.want.value if self.want is not None else None

    @property
    def as_expected(self) -> bool | None:
        """None when the sample says nothing about this field."""
        return None if self.want is None else self.want.holds(self.value, self.status)


@dataclass
class Trial:
    outcome: "CaptureOutcome"
    fields: list[FieldRead]
    dry: DryRun | None                 # None when the plan itself refused (dry_error says why)
    dry_error: str | None = None
    note: str | None = None            # why nothing is compared, when nothing is

    @property
    def picture(self) -> Any:
        """The picture the boxes are on (an ID card levelled, else the source)."""
        return self.outcome.image

    @property
    def differences(self) -> list[str]:
        return [f.name for f in self.fields if f.as_expected is False]


def source_pictures(playbook_path: Path, playbook_id: str) -> list[TrialSource]:
    """What the editor may show on its left: each sample, then a recording's picture.
    PlaybookError (with its folder) for a case folder without its one source picture."""
    out = [TrialSource(p.name, p.source, p)
           for p in sample_pictures(samples_root(playbook_path, playbook_id))]
    recorded = playbook_path.with_name(playbook_path.stem + ".source.png")
    if recorded.is_file():
        out.append(TrialSource(recorded.name, recorded))
    return out


def expected_of(source: TrialSource, playbook: Playbook) -> tuple[Expected | None, str | None]:
    """What `source` expects of `playbook` (read as `deskhand test` reads it), or None and
    the sentence saying why nothing is compared."""
    if source.sample is None:
        return None, _("{name} is the recording's picture: its fields are read, not compared.",
                       name=source.name)
    if not source.sample.expected_path.is_file():
        return None, _("{name} has no expected.yaml yet: its fields are read, not compared. "
                       "Write the values it shows in {path} (deskhand test needs them).",
                       name=source.name, path=source.sample.expected_path)
    try:
        return load_sample(source.sample, playbook).expected, None
    except PlaybookError as exc:
        return None, _("The sample's expected values are not compared: {problem}",
                       problem=str(exc))


def run_trial(pipeline: "Pipeline", playbook: Playbook, source: TrialSource) -> Trial:
    """Capture `source` with `playbook` through the pipeline (no registry: a trial must
    not ask the population register about a sample), compare it with what the sample
    expects, then plan the fill with the values the clerk would give (`given`). The
    trial's case file goes in a folder that is removed afterwards: it is nobody's case."""
    expected, note = expected_of(source, playbook)
    wants = expected.fields if expected is not None else {}
    image = pipeline.load_image(playbook, source.source)
    with tempfile.TemporaryDirectory(prefix="deskhand-trial-") as folder:
        outcome = pipeline.capture(playbook, image, case_path=Path(folder) / "trial.json",
                                   verify=False)
    case = outcome.case
    for name, value in (expected.given if expected is not None else {}).items():
        case.fields[name] = FieldValue(value, "ok", None, {"kind": "manual"})   # as the clerk
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
            want=wants.get(spec.name), value=fv.value if fv else None))
    try:
        return Trial(outcome, reads, dry_run(playbook, case), note=note)
    except DeskhandError as exc:     # a required value missing: the plan says why
        return Trial(outcome, reads, None, exc.message, note)
