"""`deskhand test PACK` on a scenario pack (a folder holding scenario.yaml): one case in,
every target form and every document out, compared with what the pack's samples expect.

    <pack>/samples/<playbook id>/form.yaml              each target form's model
    <pack>/samples/scenario/<case>/case.json            the case, as `deskhand fill --case` takes it
    <pack>/samples/scenario/<case>/expected.yaml        below
    <pack>/samples/scenario/<case>/documents/<output>.txt   each document's text (optional)

expected.yaml:

    kept:                          # what the forms issue (the model cannot): field → value
      registration_no: SL-20261205-0018
    forms:                         # each target (its name in scenario.yaml) after its fill
      设立登记: {企业名称: 龙岩市示例信息科技有限公司, 企业类型: …}

Each form's fill is replayed on its model (app/golden/simulate.py) from the case plus the
values kept before it, as `deskhand fill` would type them; each document is rendered from
the case (docxtpl) and its text compared line by line. The PDF conversion is not part of
a golden test (LibreOffice: `deskhand docs`, tests/test_docs_pdf.py). A target's own
capture samples (samples/<playbook id>/<case>/source.png) are run as for any playbook.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.cases import FieldValue, load_case
from app.errors import DeskhandError, PlaybookError
from app.golden.form_model import load_form
from app.golden.runner import (FieldCheck, PlaybookResult, SampleResult, compare_form,
                               replay_on_model, run_sample)
from app.golden.samples import find_samples, samples_folder
from app.golden.yaml_nodes import fail, line_of, mapping, read_nodes, text
from app.i18n import _, join
from app.pipeline import Pipeline
from app.values.derive import settle_case
from playbooks.scenario import SCENARIO_FILE, Scenario, load_scenario

__all__ = ["is_scenario_pack", "run_scenario_pack", "document_text", "SCENARIO_SAMPLES"]

SCENARIO_SAMPLES = "scenario"          # samples/scenario/<case>/
TOP_KEYS = ("kept", "forms")


@dataclass(frozen=True)
class DocumentsTarget:
    """Stands where a playbook stands in a result: the scenario's documents."""

    id: str
    path: str


@dataclass
class ScenarioSample:
    name: str
    folder: Path
    case: Path
    kept: dict[str, str]
    forms: dict[str, dict[str, str | None]]
    forms_line: int


def is_scenario_pack(path: Path) -> bool:
    return path.is_dir() and (path / SCENARIO_FILE).is_file()


def run_scenario_pack(folder: Path, pipeline: Pipeline, workdir: Path) -> list[PlaybookResult]:
    """A result per target form (its own samples, then the scenario samples' fill of it)
    and one for the documents. PlaybookErrors (exit 2) for a bad scenario or sample."""
    from app.scenario.forms import scenario_forms
    scenario = load_scenario(folder)
    forms = scenario_forms(scenario, pipeline.playbook)
    samples = scenario_samples(folder, [f.name for f in forms.forms])
    results = []
    for form in forms.forms:
        pb = form.playbook
        result = PlaybookResult(pb)
        model_path = samples_folder(pb) / "form.yaml"
        model = load_form(model_path) if model_path.is_file() else None
        result.samples += [run_sample(pb, s, pipeline, workdir, model, None)
                           for s in find_samples(pb)]
        for sample in samples:
            result.samples.append(_fill_sample(form.name, pb, sample, model, model_path))
        if not result.samples:
            result.problems.append(_("form {form} ({playbook}) has no samples: nothing is "
                                     "proven.", form=form.name, playbook=pb.id))
        results.append(result)
    if scenario.documents:
        results.append(_documents(scenario, samples, workdir))
    return results


def scenario_samples(folder: Path, form_names: list[str]) -> list[ScenarioSample]:
    root = folder / "samples" / SCENARIO_SAMPLES
    if not root.is_dir():
        return []
    out = []
    for case_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        case, expected = case_dir / "case.json", case_dir / "expected.yaml"
        for needed in (case, expected):
            if not needed.is_file():
                raise PlaybookError(str(case_dir), 1, _(
                    "a scenario sample holds case.json and expected.yaml; {file} is missing",
                    file=needed.name))
        out.append(_load_expected(case_dir, case, expected, form_names))
    return out


def _load_expected(folder: Path, case: Path, path: Path,
                   form_names: list[str]) -> ScenarioSample:
    root = read_nodes(path)
    top = mapping(root, path, TOP_KEYS, _("expected.yaml"))
    if "forms" not in top:
        raise fail(path, root, _("a scenario sample's expected.yaml needs 'forms': each "
                                 "target form's boxes after its fill"))
    kept = {name: text(node, path, name) for name, node
            in (mapping(top["kept"], path, None, "'kept'").items() if "kept" in top else [])}
    forms: dict[str, dict[str, str | None]] = {}
    for name, node in mapping(top["forms"], path, None, "'forms'").items():
        if name not in form_names:
            raise fail(path, node, _("'{name}' is not a form of the scenario; its forms are: "
                                     "{names}", name=name, names=join(form_names)))
        forms[name] = {label: text(v, path, label, allow_null=True)
                       for label, v in mapping(node, path, None, name).items()}
    return ScenarioSample(folder.name, folder, case, kept, forms, line_of(top["forms"]))


def _fill_sample(form_name: str, pb, sample: ScenarioSample, model,
                 model_path: Path) -> SampleResult:
    out = SampleResult(f"{SCENARIO_SAMPLES}/{sample.name}")
    wanted = sample.forms.get(form_name)
    if wanted is None:
        out.problems.append(_("expected.yaml of {sample} does not say what form {form} holds.",
                              sample=sample.name, form=form_name))
        return out
    if model is None:
        out.problems.append(_("there is no form model ({path}) to replay the fill on: record "
                              "one with --record-form TITLE.", path=model_path))
        return out
    try:
        case = load_case(sample.case, pb.id)
    except DeskhandError as exc:
        out.problems.append(exc.message)
        return out
    for name, value in sample.kept.items():      # as the forms before it issued them
        case.fields[name] = FieldValue(value, "ok", None, {"kind": "form"})
    settle_case(pb, case)
    compare_form(pb, model, wanted, replay_on_model(pb, case, model, out), sample.forms_line, out)
    return out


def _documents(scenario: Scenario, samples: list[ScenarioSample],
               workdir: Path) -> PlaybookResult:
    from app.docs.context import case_context
    from app.docs.templates import read_template, template_environment
    result = PlaybookResult(DocumentsTarget(_("{scenario}: documents", scenario=scenario.name),
                                            str(scenario.path)))   # type: ignore[arg-type]
    env = template_environment()
    for sample in samples:
        out = SampleResult(f"{SCENARIO_SAMPLES}/{sample.name}", how="documents")
        result.samples.append(out)
        folder = sample.folder / "documents"
        if not folder.is_dir():
            out.notes.append(_("no documents/ folder: the documents' text is not compared."))
            continue
        try:
            context = case_context(load_case(sample.case))
            for spec in scenario.documents:
                want_file = folder / f"{spec.output}.txt"
                if not want_file.is_file():
                    out.problems.append(_("{file} is missing: the expected text of {document}.",
                                          file=want_file, document=spec.output))
                    continue
                docx = workdir / f"{sample.name}-{spec.output}.docx"
                read_template(spec.template, env).render(context, docx)
                out.checks.append(_text_check(spec.output, want_file.read_text(encoding="utf-8"),
                                              document_text(docx)))
        except DeskhandError as exc:
            out.problems.append(exc.message)
    return result


def _text_check(name: str, want: str, got: str) -> FieldCheck:
    """The document's text, or its first line that differs."""
    a, b = want.strip("\n").split("\n"), got.strip("\n").split("\n")
    for n, (x, y) in enumerate(zip(a, b), 1):
        if x != y:
            return FieldCheck("document", _("{name} line {n}", name=name, n=n), x, y, False)
    if len(a) != len(b):
        n = min(len(a), len(b)) + 1
        return FieldCheck("document", _("{name} line {n}", name=name, n=n),
                          a[n - 1] if len(a) >= n else "", b[n - 1] if len(b) >= n else "", False)
    shown = _("{n} lines", n=len(a))
    return FieldCheck("document", name, shown, shown, True)


def document_text(docx: Path) -> str:
    """A Word file's text in reading order: each paragraph a line, a table's row one line
    with its cells joined by ' | '."""
    from docx import Document
    from docx.table import Table
    from docx.text.paragraph import Paragraph
    doc = Document(str(docx))
    lines = []
    for block in doc.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(Paragraph(block, doc).text)
        elif tag == "tbl":
            for row in Table(block, doc).rows:
                lines.append(" | ".join(cell.text.replace("\n", " ") for cell in row.cells))
    return "\n".join(lines) + "\n"
