"""`deskhand test`: every sample of a playbook (or of each playbook of a pack) captured
through the one pipeline, its fields compared with expected.yaml, the fill replayed on the
form model (or done for real in a live window) and the form compared.

The capture is offline: golden samples must give the same answer every time, and the
registries' answers for sample people change with the registry (or are "no record").
Local checks (check digits, dates, choices, cross-field) run as in every capture.

    playbooks = open_target(ref, pipeline, workdir)       [Playbook]: a file, an id, a folder, a .zip
    results = [run_playbook(pb, pipeline, workdir, live) for pb in playbooks]
"""
from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from app.cases import Case, FieldValue
from app.errors import CaptureError, DeskhandError, UsageError
from app.golden.form_model import FormModel, load_form
from app.golden.samples import Sample, Want, find_samples, samples_folder
from app.golden.simulate import UNCHECKED, simulate
from app.i18n import _
from app.pipeline import Pipeline
from app.values.derive import settle_case
from playbooks.model import Playbook

__all__ = ["FieldCheck", "SampleResult", "PlaybookResult", "open_target", "run_playbook",
           "run_sample", "replay_on_model", "compare_form", "MAX_ZIP_BYTES"]

MAX_ZIP_BYTES = 200 * 1024 * 1024      # unpacked; a pack of 37 playbooks with samples is ~20 MB
LiveFill = Callable[[Playbook, Case, Sample], tuple[dict[str, str], list[str]]]


@dataclass
class FieldCheck:
    """One compared value: a field of the capture (`where` "field") or a box of the form."""

    where: str                      # "field" or "form"
    name: str                       # field name, or the box's label
    expected: str | None
    got: str | None
    same: bool
    status: str | None = None       # the capture's status (fields)
    expected_status: str | None = None
    sensitive: str | None = None    # the field's type when it is personal (id_number, phone)


@dataclass
class SampleResult:
    name: str
    checks: list[FieldCheck] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)    # each one a difference
    notes: list[str] = field(default_factory=list)       # said, not a difference
    how: str = ""                   # "model", "live" or "" (fields only)

    @property
    def same(self) -> bool:
        return not self.problems and all(c.same for c in self.checks)


@dataclass
class PlaybookResult:
    playbook: Playbook
    samples: list[SampleResult] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def same(self) -> bool:
        return not self.problems and all(s.same for s in self.samples)


def open_target(ref: str, pipeline: Pipeline, workdir: Path) -> list[Playbook]:
    """A playbook file or id, a folder of playbooks (a pack), or a .zip of such a folder
    (unpacked into `workdir`)."""
    path = Path(ref)
    if path.is_file() and path.suffix.lower() == ".zip":
        path = _unzip(path, workdir / "pack")
    if path.is_dir():
        files = sorted(p for p in path.glob("*.y*ml") if p.is_file())
        if not files:      # a zip of one folder: the playbooks are one level down
            inner = [p for p in path.iterdir() if p.is_dir() and p.name != "samples"]
            if len(inner) == 1:
                files = sorted(p for p in inner[0].glob("*.y*ml") if p.is_file())
        if not files:
            raise UsageError(_("{path} holds no playbooks (*.yaml): give a playbook, a folder of "
                               "playbooks or a .zip of one.", path=ref))
        return [pipeline.playbook(str(p)) for p in files]
    return [pipeline.playbook(ref)]


def _unzip(path: Path, into: Path) -> Path:
    """Unpack a pack, refusing names that climb out of it and more than MAX_ZIP_BYTES."""
    try:
        with zipfile.ZipFile(path) as z:
            members = z.infolist()
            if sum(m.file_size for m in members) > MAX_ZIP_BYTES:
                raise UsageError(_("{path} unpacks to more than {mb} MB; a playbook pack is far "
                                   "smaller.", path=path, mb=MAX_ZIP_BYTES // 2**20))
            root = into.resolve()
            for m in members:
                target = (into / m.filename).resolve()
                if root != target and root not in target.parents:
                    raise UsageError(_("{path} holds '{name}', which would be written outside "
                                       "the pack; it is refused.", path=path, name=m.filename))
            z.extractall(into)
    except zipfile.BadZipFile:
        raise UsageError(_("{path} is not a readable .zip file.", path=path)) from None
    return into


def run_playbook(pb: Playbook, pipeline: Pipeline, workdir: Path,
                 live: LiveFill | None = None) -> PlaybookResult:
    result = PlaybookResult(pb)
    samples = find_samples(pb)       # PlaybookError for a malformed sample: exit 2
    if not samples:
        result.problems.append(_("playbook {playbook} has no samples in {folder}: nothing is "
                                 "proven.", playbook=pb.id, folder=samples_folder(pb)))
        return result
    form_path = samples_folder(pb) / "form.yaml"
    form = load_form(form_path) if form_path.is_file() else None
    for sample in samples:
        result.samples.append(run_sample(pb, sample, pipeline, workdir, form, live))
    return result


def run_sample(pb: Playbook, sample: Sample, pipeline: Pipeline, workdir: Path,
               form: FormModel | None, live: LiveFill | None) -> SampleResult:
    out = SampleResult(sample.name)
    source = pipeline.load_image(pb, sample.source)
    case_path = workdir / f"{pb.id}-{sample.name}.json"
    try:
        outcome = pipeline.capture(pb, source, case_path=case_path, verify=False)
    except CaptureError as exc:        # no text, or none of the fields: this sample differs
        out.problems.append(exc.message)
        return out
    case = outcome.case
    for name, want in sample.expected.fields.items():
        out.checks.append(_field_check(pb, name, want, case.fields.get(name)))
    for name, value in sample.expected.given.items():
        case.fields[name] = FieldValue(value, "ok", None, {"kind": "manual"})
    settle_case(pb, case)
    wanted = sample.expected.form
    if wanted is None:
        return out
    if live is not None:
        out.how = "live"
        try:
            state, notes = live(pb, case, sample)
        except DeskhandError as exc:
            out.problems.append(exc.message)
            return out
        out.notes += notes
    elif form is None:
        out.problems.append(_("expected.yaml gives the form's final state, but there is no "
                              "form model ({path}) to replay the fill on: record one with "
                              "--record-form TITLE, or use --live TITLE.",
                              path=samples_folder(pb) / "form.yaml"))
        return out
    else:
        state = replay_on_model(pb, case, form, out)
    compare_form(pb, form, wanted, state, sample.expected.form_line, out)
    return out


def replay_on_model(pb: Playbook, case: Case, form: FormModel, out: SampleResult) -> dict[str, str]:
    """The form's boxes after the fill replayed on its model; what stopped the replay is a
    problem of `out`."""
    out.how = "model"
    sim = simulate(pb, case, form)
    if sim.stopped:
        out.problems.append(_("the fill would not start: {why}", why=sim.stopped))
    if sim.beyond:
        out.problems.append(_("cannot simulate: {why}", why=sim.beyond))
    out.notes += sim.notes
    return sim.state


def compare_form(pb: Playbook, form: FormModel | None, wanted: dict[str, str | None],
                 state: dict[str, str], line: int, out: SampleResult) -> None:
    """Each box of the form after the fill against what expected.yaml (at `line`) says."""
    types = _box_types(pb, form)
    # a box expected.yaml does not list is expected as the form starts: empty, unchecked
    empty = {b.label: UNCHECKED for b in form.boxes if b.role == "check"} if form else {}
    for label in dict.fromkeys([*wanted, *state]):
        want = wanted.get(label, empty.get(label, ""))
        got = state.get(label)
        if got is None:
            out.problems.append(_("the form has no box labelled '{label}' (expected.yaml line "
                                  "{line}).", label=label, line=line))
            continue
        out.checks.append(FieldCheck("form", label, want, got, want == got,
                                     sensitive=types.get(label)))


def _field_check(pb: Playbook, name: str, want: Want, fv: FieldValue | None) -> FieldCheck:
    got = fv.value if fv is not None else None
    status = fv.status if fv is not None else "missing"
    same = want.holds(got, status)
    spec = pb.field_spec(name)
    personal = spec.type if spec.type in ("id_number", "phone") else \
        "text" if spec.sensitive else None
    return FieldCheck("field", name, want.value, got, same, status, "/".join(want.statuses),
                      personal)


def _box_types(pb: Playbook, form: FormModel | None) -> dict[str, str]:
    """Which form boxes hold personal numbers: those whose label is a sensitive field's."""
    from app.a11y.base import label_key
    from playbooks.model import SetStep
    out = {}
    for f in pb.fields:
        if f.label and (f.type in ("id_number", "phone") or f.sensitive):
            out[label_key(f.label)] = f.type if f.type in ("id_number", "phone") else "text"
    # the box a `set` step names may be labelled otherwise than the source (手机 → 手机号码)
    for _i, step in pb.field_steps():
        if isinstance(step, SetStep) and label_key(pb.field_spec(step.field).label or "") in out:
            out[label_key(step.at.label)] = out[label_key(pb.field_spec(step.field).label)]
    if form is not None:
        return {b.label: out[b.key] for b in form.boxes if b.key in out}
    return out
