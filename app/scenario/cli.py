"""`deskhand fill SCENARIO --case CASE`: every form of a scenario from one case, in turn.

A scenario (playbooks/scenario.py: a pack folder holding scenario.yaml, or a scenario file)
goes to this command instead of a playbook's fill. The clerk confirms once for all forms;
each form's window is brought to the front by Deskhand. Exit codes: 0 every form filled and
read back the same; 1 stopped after a form for a person to look (differences, a value not
kept) or nothing typed; else the code of the error that stopped it (2 bad input, 3 a fault).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Callable, TextIO

from app.errors import UsageError
from app.i18n import _

from playbooks.scenario import SCENARIO_FILE

if TYPE_CHECKING:  # pragma: no cover
    from app.fill.engine import FillOptions
    from app.pipeline import Pipeline
    from app.scenario.run import ScenarioReport
    from playbooks.model import Playbook


def is_scenario(ref: str) -> bool:
    """A pack folder holding scenario.yaml, or a YAML file that says `scenario:` at its top."""
    p = Path(ref)
    if p.is_dir():
        return (p / SCENARIO_FILE).is_file()
    if not p.is_file() or p.suffix.lower() not in (".yaml", ".yml"):
        return False
    try:
        with p.open("rb") as f:
            head = f.read(4096).decode("utf-8-sig", errors="replace")
    except OSError:
        return False
    return any(line.startswith("scenario:") for line in head.splitlines())


def check_scenario(ref: str, pipeline: "Pipeline", out: TextIO) -> list["Playbook"]:
    """`deskhand check` on a scenario: the scenario file, each target's playbook and each
    document's template; prints the scenario's line, returns the targets' playbooks. Raises
    PlaybookErrors (exit 2) naming the scenario's lines, TemplateError for a template."""
    from app.docs.templates import read_template, template_environment
    from app.scenario.forms import scenario_forms
    from playbooks.scenario import load_scenario
    scenario = load_scenario(ref)
    forms = scenario_forms(scenario, pipeline.playbook) if scenario.targets else None
    env = template_environment()
    for spec in scenario.documents:
        read_template(spec.template, env)
    playbooks = [f.playbook for f in forms.forms] if forms else []
    print(_("{path}: ok (scenario {name}: {forms} forms, {documents} documents)",
            path=scenario.path, name=scenario.name, forms=len(playbooks),
            documents=len(scenario.documents)), file=out)
    return playbooks


def fill_scenario(args: argparse.Namespace, pipeline: "Pipeline", options: "FillOptions",
                  out: TextIO, err: TextIO,
                  print_report: Callable[["Playbook", object, TextIO], None]) -> int:
    from app.cases import NEEDS_PERSON, load_case, refuse_doubtful_values
    from app.scenario.forms import scenario_forms
    from playbooks.scenario import load_scenario
    for flag, given in (("--set", args.set), ("--accept", args.accept),
                        ("--dry-run", args.dry_run), ("--start-step", args.start_step != 1)):
        if given:
            raise UsageError(_("{flag} is for one playbook; a scenario fills whole forms. Run "
                               "it on the form's playbook, or give the values in the case.",
                               flag=flag))
    if not args.case:
        raise UsageError(_("Give the case to fill the scenario's forms from: --case CASE.json."))
    forms = scenario_forms(load_scenario(args.scenario_path), pipeline.playbook)
    case = load_case(args.case, forms.id)
    refuse_doubtful_values(case, [n for n, fv in case.fields.items() if fv.status in NEEDS_PERSON
                                  and fv.source.get("kind") != "form"],   # kept: run.py's
                           _("Nothing was typed"))
    case_path = Path(args.output) if args.output else (
        pipeline.cases_dir / f"{case.case_id}.json" if case.plain else Path(args.case))
    if not args.yes:
        if not sys.stdin.isatty():
            raise UsageError(_("Refusing to type without confirmation: run with --yes, or "
                               "from a terminal to be asked."))
        answer = input(_("Fill the {n} forms of {name} ({forms}) from case {case}? Deskhand "
                         "brings each form's window to the front. [y/N] ", n=len(forms.forms),
                         name=forms.name, forms="、".join(f.name for f in forms.forms),
                         case=case.case_id))
        if answer.strip().lower() not in ("y", "yes", "是"):
            print(_("Nothing was typed."), file=err)
            return 1
    report = pipeline.fill_scenario(
        forms, case, case_path, options, restart=args.restart,
        accessibility=False if args.no_accessibility else None,
        progress=lambda k, d: print(_("Waiting for the approval client to be focused…"),
                                    file=err) if k == "waiting_for_target" else None)
    code = report.error.exit_code if report.error else (0 if report.done else 1)
    if args.json:
        _json(report, case_path, code, out)
    else:
        _print(forms, report, out, print_report)
    if report.message:
        print(report.message, file=err)
    print(_("Case kept at {path}", path=case_path), file=err)
    return code


def _print(forms, report: "ScenarioReport", out: TextIO,
           print_report: Callable[["Playbook", object, TextIO], None]) -> None:
    total = len(forms.forms)
    for result in report.forms:
        form = forms.forms[result.index]
        head = _("Form {n} of {total}: {name}", n=result.index + 1, total=total, name=form.name)
        if result.outcome == "skipped":
            print(f"{head} — " + _("filled before, not typed again"), file=out)
            continue
        print(head, file=out)
        if result.report is not None and getattr(result.report, "results", None):
            print_report(form.playbook, result.report, out)
        for kept in result.kept:
            if kept.value is None:
                continue
            how = _("through the accessibility tree") if kept.via == "accessible" else _("by OCR")
            print("  " + _("kept {field} = {value} (read {how})", field=kept.keep.field,
                           value=kept.value, how=how), file=out)


def _json(report: "ScenarioReport", case_path: Path, code: int, out: TextIO) -> None:
    doc = {"scenario": report.scenario, "case": str(case_path), "exit_code": code,
           "done": report.done, "stopped_at": None if report.stopped_at is None
           else report.stopped_at + 1, "message": report.message,
           "forms": [{"form": r.index + 1, "name": r.name, "outcome": r.outcome,
                      "readback_ok": r.confirmed, "differs": r.differs, "message": r.message,
                      "kept": {k.keep.field: {"value": k.value, "via": k.via,
                                              "problem": k.problem} for k in r.kept}}
                     for r in report.forms]}
    print(json.dumps(doc, ensure_ascii=False, indent=2), file=out)
