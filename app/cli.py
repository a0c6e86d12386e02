"""`deskhand` command line (DESIGN.md §4). Exit codes: 0 done; 1 done but some
field needs a person; 2 bad usage or bad playbook; 3 a fault stopped it.

Each command is a thin wrapper over app.pipeline, which the tray and its fill worker use
too. Whatever goes wrong ends in a sentence and an exit code, never a traceback: those
go to the log (app.logs). Everything printed passes `printable`, so a value holding
terminal escapes cannot drive the clerk's terminal.
"""
from __future__ import annotations

import argparse
import difflib
import json
import os
import sys
from pathlib import Path
from typing import Any, Sequence, TextIO

from app.cases import Case, FieldValue, case_from_values, load_case
from app.confirm import asked_yes
from app.errors import DeskhandError, UsageError
from app.fill.dry_run import dry_run
from app.fill.engine import FillOptions, FillReport, PlannedStep, masked_text
from app.fill.gate import confirm, printable
from app.i18n import N_, _, join, sentences
from app.privacy import mask_text
from app.cli_parser import build_parser
from app.pipeline import CaptureOutcome, Pipeline, PipelineOptions, build_pipeline
from app.values.derive import settle_case
from playbooks.model import Playbook


# Field statuses as the clerk reads them (the review's words); --json keeps the codes.
STATUS_WORDS = {"ok": N_("ok"), "corrected": N_("corrected"), "mismatch": N_("mismatch"),
                "invalid": N_("invalid"), "missing": N_("missing"), "unverified": N_("unverified"),
                "unchecked": N_("unchecked")}


class SafeText:
    """A text stream that writes every control character as an escape."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        return self.stream.write(printable(text))

    def flush(self) -> None:
        self.stream.flush()


def _json(doc: dict[str, Any], out: TextIO) -> None:
    json.dump(doc, out, ensure_ascii=False, indent=2)
    print(file=out)


def _warn_settings(pipeline: Pipeline, err: TextIO) -> None:
    for problem in pipeline.problems:
        print(_("Warning: settings: {problem}", problem=mask_text(problem)), file=err)


# -- check -----------------------------------------------------------------------
def cmd_check(args: argparse.Namespace, pipeline: Pipeline, out: TextIO, err: TextIO) -> int:
    worst = 0
    valid: list[Playbook] = []
    from app.scenario.cli import check_scenario, is_scenario
    for ref in args.playbooks:
        try:
            # a scenario: its file and templates, then each of its forms' playbooks
            found = check_scenario(ref, pipeline, out) if is_scenario(ref) \
                else [pipeline.playbook(ref)]
        except DeskhandError as exc:
            print(str(exc), file=err)
            worst = max(worst, exc.exit_code)
            continue
        valid += found
        for pb in found:
            print(_("{path}: ok ({name}, {fields} fields, {steps} steps)", path=pb.path,
                    name=pb.name, fields=len(pb.fields), steps=len(pb.steps)), file=out)
    if args.window is not None and valid:
        worst = max(worst, _check_window(args.window, valid, out))
    for folder, reason in pipeline.library.refused:   # IT requires signed packs
        print(_("Not offered in the tray: {folder}: {reason}", folder=folder, reason=reason),
              file=err)
    return worst


def _check_window(title: str, playbooks: list[Playbook], out: TextIO) -> int:
    """Each set and press step looked up in the open window's accessibility tree: 0 all
    found, 1 some will click and type."""
    from app.a11y import open_accessibility
    from app.desktop import open_desktop
    from app.errors import AccessibilityUnavailableError
    from app.fill.address_check import check_addresses, find_window
    desktop = open_desktop()
    try:
        window = find_window(desktop, title)
        try:
            a11y, unavailable = open_accessibility(), ""
        except AccessibilityUnavailableError as exc:
            a11y, unavailable = None, exc.message
        try:
            code = 0
            for pb in playbooks:
                rows = check_addresses(pb, window, a11y, unavailable)
                print(_("{path} in '{title}':", path=pb.path, title=window.title), file=out)
                for r in rows:
                    what = f"{r.kind} {r.field} ({r.label})" if r.field else f"{r.kind} {r.label}"
                    print(f"  {r.step + 1:>3}. {what}: {r.sentence}", file=out)
                found = sum(r.found for r in rows)
                print(_("{found} of {total} set and press steps reach their box through the "
                        "accessibility tree.", found=found, total=len(rows)) if rows else
                      _("No set or press steps: nothing to look up."), file=out)
                code = max(code, 0 if found == len(rows) else 1)
            return code
        finally:
            if a11y is not None:
                a11y.close()
    finally:
        desktop.close()


# -- fill ------------------------------------------------------------------------
def _field_name(name: str, pb: Playbook, option: str) -> str:
    names = [f.name for f in pb.fields]
    name = name.strip()
    if name not in names:
        close = difflib.get_close_matches(name, names, 1)
        if close:
            raise UsageError(_("{option} names field '{name}', which playbook {playbook} does "
                               "not declare (did you mean '{close}'?).", option=option,
                               name=printable(name), playbook=pb.id, close=close[0]))
        raise UsageError(_("{option} names field '{name}', which playbook {playbook} does not "
                           "declare.", option=option, name=printable(name), playbook=pb.id))
    return name


def _parse_sets(pairs: Sequence[str], pb: Playbook) -> dict[str, str]:
    values: dict[str, str] = {}
    for pair in pairs:
        if "=" not in pair:
            raise UsageError(_("--set takes NAME=VALUE, not '{pair}'.", pair=printable(pair)))
        name, value = pair.split("=", 1)
        values[_field_name(name, pb, "--set")] = value
    return values


def _load_or_make_case(args: argparse.Namespace, pb: Playbook, cases_dir: Path) -> tuple[Case, Path]:
    sets = _parse_sets(args.set or [], pb)
    if args.case:
        case = load_case(args.case, pb.id)
        for k, v in sets.items():
            case.fields[k] = FieldValue(v, "ok", None, {"kind": "manual"})
        path = Path(args.output) if args.output else (
            cases_dir / f"{case.case_id}.json" if case.plain else Path(args.case))
    elif sets:
        case = case_from_values(sets, pb.id, {"kind": "manual"})
        path = Path(args.output) if args.output else cases_dir / f"{case.case_id}.json"
    else:
        raise UsageError(_("Give the case to fill: --case CASE.json, or --set NAME=VALUE pairs."))
    settle_case(pb, case)       # transforms and derived fields, before anything is confirmed
    for name in args.accept or []:
        name = _field_name(name, pb, "--accept")
        fv = case.fields.get(name)
        if fv is None or not fv.value:
            raise UsageError(_("--accept names field '{name}', which has no value in this case.",
                               name=name))
        confirm(fv, "cli --accept")
    return case, path


def _report_json(pb: Playbook, report: FillReport | None, case_path: Path, plan_rows: list[dict],
                 exit_code: int, message: str | None, needs: list[str]) -> dict[str, Any]:
    rows = []
    if report:
        for r in report.results:
            rows.append({"field": r.field, "step": r.step + 1, "status": r.status,
                         "method": r.method, "chars": r.chars, "message": r.message,
                         "typed": masked_text(pb, r.field, r.expected),
                         "readback": masked_text(pb, r.field, r.readback),
                         "box": r.box, "message": r.message})
    typed = report is not None and report.outcome not in ("not_started", "cancelled")
    return {"playbook": pb.id, "case": str(case_path),
            "outcome": report.outcome if report else "not_started",
            "window": report.window if report else None,
            "fields": rows if typed else plan_rows,
            "readback_ok": report.readback_ok if report else 0,
            "differs": report.differs if report else [],
            "left_empty": report.left_empty if report else [],
            "needs_person": needs,
            "step_reached": (report.step_reached + 1) if report and report.step_reached is not None else None,
            "field_reached": report.field_reached if report else None,
            "position": report.position if report else 0,
            "elapsed_s": round(report.elapsed_s, 3) if report else 0.0,
            "message": message, "warnings": report.warnings if report else [],
            "exit_code": exit_code}


def _print_report(pb: Playbook, report: FillReport, out: TextIO) -> None:
    labels = {f.name: f.label or f.name for f in pb.fields}
    print(_("Filled into '{window}' in {seconds} s:", window=report.window,
            seconds=f"{report.elapsed_s:.2f}"), file=out)
    marks = {"readback_ok": _("read back ok"), "readback_differs": _("READ BACK DIFFERS"),
             "readback_unavailable": _("typed (could not read back)"), "typed": _("typed"),
             "chosen": _("chosen (not read back)"), "skipped": _("left empty (no value)"),
             "refused": _("REFUSED, left empty"), "not_applicable": _("not applicable")}
    for r in report.results:
        line = f"  {labels.get(r.field, r.field)} ({r.field}): {marks.get(r.status, r.status)}"
        if r.method:
            line += f" [{r.method}] {masked_text(pb, r.field, r.expected)}"
        if r.status == "readback_differs":
            line += " — " + _("the client holds '{value}'",
                              value=masked_text(pb, r.field, r.readback))
        if r.message:
            line += " — " + r.message
        print(line, file=out)
    print(report.summary(), file=out)


def _dry_run(args: argparse.Namespace, pb: Playbook, case: Case, case_path: Path,
             out: TextIO, err: TextIO) -> int:
    result = dry_run(pb, case)
    rows, code, message = result.rows, result.code, result.message
    if args.json:
        _json(_report_json(pb, None, case_path, rows, code, message,
                           result.needs), out)
    else:
        print(_("Dry run of {playbook}; nothing is typed:", playbook=pb.id), file=out)
        for row in rows:
            what = row["text"] if row["kind"] in ("type", "choose", "set") else \
                " ".join(row["keys"]) or row["detail"]
            flag = ("" if row["kind"] == "refused" else     # its sentence says why
                    " ← " + _("REFUSED: {chars}", chars=", ".join(row["refused"]))
                    if row["refused"] else
                    " ← " + _("needs a person: {reason}", reason=row["needs_person"][0])
                    if row["needs_person"] else
                    " " + _("(confirmed by a person)") if row["confirmed_by_person"] else "")
            print(f"  {row['step']:>2}. {row['kind']:<6} {row['field'] or '':<16} {what}{flag}",
                  file=out)
    if code:
        print(message, file=err)
    return code


def cmd_fill(args: argparse.Namespace, pipeline: Pipeline, out: TextIO, err: TextIO) -> int:
    from app.scenario.cli import fill_scenario, is_scenario
    if is_scenario(args.playbook):       # a scenario: each of its forms in turn
        args.scenario_path = args.playbook
        return fill_scenario(args, pipeline, _fill_options(args), out, err, _print_report)
    if args.restart:
        raise UsageError(_("--restart is for a scenario; a playbook's fill resumes with "
                           "--start-step."))
    pb = pipeline.playbook(args.playbook)
    case, case_path = _load_or_make_case(args, pb, pipeline.cases_dir)
    if args.dry_run:
        return _dry_run(args, pb, case, case_path, out, err)

    def ask(steps: list[PlannedStep]) -> bool:
        yes = args.yes or asked_yes(lambda: _(
            "Type {n} fields of case {case} into the approval client? Focus it within "
            "{seconds} s after answering. [y/N] ",
            n=sum(s.kind in ("type", "set") for s in steps), case=case.case_id,
            seconds=f"{args.wait_focus:g}"))
        pipeline.review(pb, case, "accepted" if yes else "cancelled",
                        "cli --yes" if args.yes else "cli prompt")
        return yes

    last = len(pb.steps)
    if not 1 <= args.start_step <= last:
        raise UsageError(_("--start-step takes a step from 1 to {last} (playbook {playbook} "
                           "has {last} steps).", last=last, playbook=pb.id))
    options = _fill_options(args)
    code, message, needs = 0, None, []
    report: FillReport | None
    try:
        report = pipeline.fill(pb, case, case_path, options, before_typing=ask,
                               accessibility=False if getattr(args, "no_accessibility", False)
                               else None,
                               progress=(
            lambda k, d: print(_("Waiting for the approval client to be focused…"), file=err)
            if k == "waiting_for_target" else None))
        code = 1 if report.unconfirmed or report.outcome == "cancelled" else 0
        if report.outcome == "cancelled":
            message = _("Nothing was typed.")
        elif report.refused:      # left empty, the rest filled: say why, one sentence each
            message = "\n".join(r.message or r.field for r in report.refused)
    except DeskhandError as exc:   # any stage: the report and the case log still follow
        report = getattr(exc, "__deskhand_report__", None)
        code, message = exc.exit_code, exc.message
        needs = list(getattr(exc, "fields", []) or [])
    if args.json:
        _json(_report_json(pb, report, case_path, [], code, message, needs), out)
    elif report is not None and report.outcome == "done":
        _print_report(pb, report, out)
    if message:
        print(message, file=err)
    for warning in (report.warnings if report else []):
        print(_("Warning: {warning}", warning=warning), file=err)
    print(_("Case kept at {path}", path=case_path), file=err)
    return code


def _fill_options(args: argparse.Namespace) -> FillOptions:
    if not 0 <= args.wait_focus <= 600:      # also refuses nan
        raise UsageError(_("--wait-focus takes seconds from 0 to 600."))
    return FillOptions(wait_focus_s=args.wait_focus, start_step=max(0, args.start_step - 1),
                       abort_keys=None if args.abort_keys == "none" else args.abort_keys,
                       failsafe=not args.no_failsafe)


# -- capture ---------------------------------------------------------------------
def cmd_capture(args: argparse.Namespace, pipeline: Pipeline, out: TextIO, err: TextIO) -> int:
    pb = pipeline.playbook(args.playbook)
    if args.scale is not None and not 0.25 <= args.scale <= 8:     # also refuses nan
        raise UsageError(_("--scale takes a display scale from 0.25 to 8, e.g. 1.25 for 125%."))
    match = _match_option(pb, args.match)
    table = pb.source_spec.table if pb.source_spec is not None else None
    batch = table is not None and table.row == "all"
    case_path = case_dir = None
    if args.output and batch and (args.output.endswith(("/", os.sep)) or Path(args.output).is_dir()):
        case_dir = Path(args.output)        # a folder: one case file per row in it
        case_dir.mkdir(parents=True, exist_ok=True)
    elif args.output:
        case_path = Path(args.output)       # for row: all, case-1.json, case-2.json…
    if args.image:
        source = pipeline.load_image(pb, args.image, args.scale)
    elif args.window:
        source = pipeline.grab_window(pb, args.window, args.scale)
    else:
        source = pipeline.grab_screen(pb, args.scale)
    first = pipeline.capture(pb, source, case_path=case_path, verify=not args.offline,
                             match=match, case_dir=case_dir)
    docs = []
    for n, outcome in enumerate(first.outcomes, 1):
        if batch and not args.json:
            print(_("Row {row} of {rows}:", row=n, rows=len(first.outcomes)),
                  file=out)
        docs.append(_capture_report(pb, outcome, args.json, out, err))
    if args.json:
        code = max(d["exit_code"] for d in docs)
        _json({"playbook": pb.id, "rows": docs, "exit_code": code} if batch else docs[0], out)
        return code
    return max(d["exit_code"] for d in docs)


def _match_option(pb: Playbook, given: list[str] | None) -> dict[str, str] | None:
    """--match FIELD=VALUE, for a playbook that picks a table's row by a value."""
    from playbooks.model import RowMatch
    table = pb.source_spec.table if pb.source_spec is not None else None
    row = table.row if table is not None else None
    if not given:
        if isinstance(row, RowMatch):
            raise UsageError(_("Playbook {playbook} takes the table's row whose {column} is a "
                               "value you give: add --match {field}=VALUE.", playbook=pb.id,
                               column=row.column, field=row.field))
        return None
    if not isinstance(row, RowMatch):
        raise UsageError(_("--match is for playbooks that pick a table's row by a value "
                           "(row: {{match: …}}); playbook {playbook} does not.", playbook=pb.id))
    values = {}
    for pair in given:
        name, eq, value = pair.partition("=")
        if not eq or name.strip() != row.field or not value.strip():
            raise UsageError(_("--match takes {field}=VALUE for playbook {playbook}, not "
                               "'{pair}'.", field=row.field, playbook=pb.id,
                               pair=printable(mask_text(pair))))
        values[row.field] = value.strip()
    return values


def _capture_report(pb: Playbook, outcome: CaptureOutcome, as_json: bool, out: TextIO,
                    err: TextIO) -> dict[str, Any]:
    """One case's fields printed (or its JSON document returned), with its exit code."""
    result, case, case_path, fault = outcome.result, outcome.case, outcome.case_path, outcome.verify_error
    code = 1 if result.needs_person else 0
    for problem in result.problems:
        print(mask_text(problem), file=err)
    if result.missing_required:
        print(_("These fields could not be found on the source: {fields}. The others are kept in "
                "{path}: give these in the review, or with --set NAME=VALUE when filling.",
                fields=join([_labelled(pb, n) for n in result.missing_required]), path=case_path),
              file=err)
    if fault is not None:
        print(sentences([fault.message, _("The case is kept in {path}.", path=case_path)]),
              file=err)
        code = max(code, fault.exit_code)
    rows = [{"field": name, "status": fv.status,
             "value": masked_text(pb, name, fv.value),
             "original": masked_text(pb, name, fv.original) if fv.original else None,
             "registry": masked_text(pb, name, fv.source.get("registry", {}).get("value"))
             if fv.source.get("registry", {}).get("value") else None,
             "box": fv.source.get("box"),
             "problems": [mask_text(p) for p in fv.source.get("problems", [])]}
            for name, fv in case.fields.items()]
    doc = {"playbook": pb.id, "case": str(case_path), "fields": rows,
           "needs_person": result.needs_person, "missing": result.missing_required,
           "ocr_s": round(result.ocr_s, 3),
           "elapsed_s": round(result.elapsed_s, 3),
           "verify_s": round(outcome.timings["verify_s"], 3) if "verify_s" in outcome.timings else None,
           "verification": [_masked_answer(a) for a in case.verification],
           "error": fault.message if fault else None, "exit_code": code}
    table = next((fv.source["table"] for fv in case.fields.values() if "table" in fv.source), None)
    if table is not None or result.problems:
        doc["table"] = table
        doc["problems"] = [mask_text(p) for p in result.problems]
    if not as_json:
        labels = {f.name: f.label or f.name for f in pb.fields}
        print(_("Read {n} fields in {seconds} s:", n=len(rows),
                seconds=f"{result.elapsed_s:.2f}"), file=out)
        said = {mask_text(fault.message)} if fault is not None else set()   # said once, above
        said |= {mask_text(p) for p in result.problems}
        for row in rows:
            extra = " " + _("(read as {value})", value=row["original"]) if row["original"] else ""
            if row["registry"] and row["status"] == "mismatch":
                extra += " " + _("(registry: {value})", value=row["registry"])
            problems = [p for p in row["problems"] if p not in said]
            why = f" — {'; '.join(problems)}" if problems else ""
            status = _(STATUS_WORDS[row["status"]]) if row["status"] in STATUS_WORDS else row["status"]
            print(f"  {labels.get(row['field'], row['field'])}: {status:<9} "
                  f"{row['value'] or ''}{extra}{why}", file=out)
    print(_("Case written to {path}", path=case_path), file=err)
    return doc


def _labelled(pb: Playbook, name: str) -> str:
    """A field as the clerk knows it: 姓名 (applicant_name)."""
    label = pb.field_spec(name).label
    return f"{label} ({name})" if label else name


def _masked_answer(answer: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in answer.items() if k != "values"}
    if "error" in out:
        out["error"] = mask_text(out["error"])
    return out


# -- ocr -------------------------------------------------------------------------
def cmd_ocr(args: argparse.Namespace, pipeline: Pipeline, out: TextIO, err: TextIO) -> int:
    """Raw text boxes: for checking what the OCR sees before writing a playbook."""
    from app.capture.sources import load_image
    image = load_image(args.image)
    engine = pipeline.engine()
    reason = getattr(engine, "fallback_reason", None)
    if reason:
        print(_("Warning: {warning}", warning=reason), file=err)
    boxes = engine.read(image)
    if args.json:
        _json({"image": str(args.image), "engine": engine.name, "width": image.width,
               "height": image.height,
               "boxes": [{"text": b.text, "score": round(b.score, 4),
                          "box": [b.x, b.y, b.width, b.height],
                          "alternatives": [list(a) for a in b.alternatives]
                          if getattr(b, "alternatives", None) else None} for b in boxes]}, out)
    else:
        for b in boxes:
            print(f"{b.x:>5},{b.y:<5} {b.width:>4}×{b.height:<4} {b.score:.3f}  {b.text}", file=out)
    return 0 if boxes else 1


# -- registry test ---------------------------------------------------------------
def cmd_registry_test(args: argparse.Namespace, pipeline: Pipeline, out: TextIO, err: TextIO) -> int:
    from app.registry.tester import test_lookup
    given = {}
    for pair in args.values:
        if "=" not in pair:
            raise UsageError(_("--with takes NAME=VALUE, not '{pair}'.", pair=printable(pair)))
        name, value = pair.split("=", 1)
        given[name.strip()] = value
    return test_lookup(pipeline.registry_settings(), args.lookup, given, pipeline.secret,
                       out, unmasked=args.unmasked, as_json=args.json)


# -- doctor ------------------------------------------------------------------------
def cmd_doctor(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """The system checks (no window named), the self-test, or: does a window show its
    fields to accessibility; if not, what turns it on."""
    if args.self_test:
        from app.doctor.selftest import run_self_test
        return run_self_test(out, as_json=args.json)
    if not (args.window or args.fields or args.delay):
        from app.doctor.report import print_report, report_json
        from app.doctor.runner import DoctorParts, run_checks
        checks = run_checks(DoctorParts.default(getattr(args, "registries", None)))
        return report_json(checks, out) if args.json else print_report(checks, out)
    from app.a11y import open_accessibility
    from app.a11y.doctor import run_doctor
    from app.desktop import open_desktop
    desktop = open_desktop()
    try:
        return run_doctor(desktop, open_accessibility, title=args.window, delay=args.delay,
                          list_fields=args.fields, as_json=args.json, out=out)
    finally:
        desktop.close()


# -- record ------------------------------------------------------------------------
def cmd_record(args: argparse.Namespace, pipeline: Pipeline, out: TextIO, err: TextIO) -> int:
    """Record a supervisor doing the job once; write the recording and the playbook draft
    (recorders/job.py, the same job as the tray's 录制业务流程)."""
    from recorders.job import RecordJob, RecordRequest
    request = RecordRequest(output=args.output, source_image=args.source_image,
                            source_window=args.source_window, source_screen=args.source_screen,
                            target=args.target, capture_key=args.capture_key,
                            stop_key=args.stop_key, answers=args.answers,
                            recording=args.recording)
    job = RecordJob(pipeline, request, on_source=lambda s: print(s, file=err, flush=True))
    if args.recording:
        if args.source_image or args.source_window or args.source_screen:
            raise UsageError(_("--recording compiles a saved recording, whose source is in "
                               "it: leave out --source-image, --source-window and "
                               "--source-screen."))
        result = job.compile_only()
    else:
        result = _listen(job, request, err)
    if result.questions and result.playbook_written and sys.stdin.isatty() and \
            getattr(out, "stream", out).isatty():
        result = _ask(result, request, out)
    for sentence in result.sentences:
        print(sentence, file=out)
    if result.questions:
        print(_("Values that matched no source field ({count}); each is typed by the clerk in "
                "the review until you answer it in an answers file (--answers FILE, then "
                "'deskhand record -o {playbook} --recording {recording} --answers FILE'):",
                count=len(result.questions), playbook=str(result.paths.playbook),
                recording=str(result.paths.recording)), file=out)
        for q in result.questions:
            print("  - " + q, file=out)
    return result.exit_code


def _ask(result, request, out: TextIO):
    """The questions asked on the terminal; the answers kept as PLAYBOOK.answers.yaml and
    the recording compiled again with them."""
    from recorders.ask import ask_questions, write_answers
    from recorders.outcome import finish_recording
    for sentence in result.sentences:
        print(sentence, file=out)
    print(_("Answer the questions (Enter leaves one for the clerk to type in the review):"),
          file=out)
    doc = ask_questions(result.draft.questions,
                        Path(request.answers) if request.answers else None, out, sys.stdin)
    if not doc:
        result.sentences.clear()
        return result
    write_answers(doc, result.paths.answers)
    print(_("Your answers are in {path}.", path=str(result.paths.answers)), file=out)
    return finish_recording(result.recording, result.paths, answers_file=result.paths.answers)


def _listen(job, request, err: TextIO):
    import signal
    from app.hotkeys.combos import show_combo
    from playbooks.keys import parse_combo
    stop_shown = show_combo(parse_combo(request.stop_key))
    job.start()
    if request.source_image:
        print(_("Recording. Fill the approval client once, then press {stop} to stop.",
                stop=stop_shown), file=err, flush=True)
    else:
        print(_("Recording. Show the source and press {capture}; then fill the approval client "
                "once and press {stop} to stop.",
                capture=show_combo(parse_combo(request.capture_key)), stop=stop_shown),
              file=err, flush=True)
    handlers = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        handlers[sig] = signal.signal(sig, lambda *_a: job.stop("signal"))
    try:
        while not job.wait(0.2):
            pass
    finally:
        for sig, old in handlers.items():
            signal.signal(sig, old)
    print(_("Stopped; writing the recording."), file=err, flush=True)
    return job.finish()


def cmd_test(args: argparse.Namespace, pipeline: Pipeline, out: TextIO, err: TextIO) -> int:
    from app.golden.cli import cmd_test as golden_test
    return golden_test(args, pipeline, out, err)


def cmd_intake(args: argparse.Namespace, pipeline: Pipeline, out: TextIO, err: TextIO) -> int:
    from app.intake.cli import cmd_intake as intake
    return intake(args, pipeline, out, err)


def cmd_batch(args: argparse.Namespace, pipeline: Pipeline, out: TextIO, err: TextIO) -> int:
    from app.batch.cli import cmd_batch as batch
    return batch(args, pipeline, out, err)


PIPELINE_COMMANDS = {"check": cmd_check, "fill": cmd_fill, "capture": cmd_capture, "ocr": cmd_ocr,
                     "test": cmd_test, "record": cmd_record, "intake": cmd_intake,
                     "batch": cmd_batch}


def _pipeline(args: argparse.Namespace) -> Pipeline:
    return build_pipeline(PipelineOptions(
        registries=getattr(args, "registries", None), ocr_engine=getattr(args, "engine", None),
        ocr_fallback=bool(getattr(args, "fallback", True)) if args.command == "ocr" else True))


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.show_version:
        from app.version import version_text
        print(version_text(), file=out)
        return 0
    if not args.command or args.command == "tray":
        from app.ui.app import TrayOptions, run_tray
        return run_tray(TrayOptions(registries=getattr(args, "registries", None),
                                    playbook=getattr(args, "playbook", None),
                                    hotkeys=not getattr(args, "no_hotkeys", False),
                                    autostart=getattr(args, "autostart", False)))
    command = PIPELINE_COMMANDS.get(args.command)
    if command is not None:
        pipeline = _pipeline(args)
        try:
            if args.command != "check":
                _warn_settings(pipeline, err)
            return command(args, pipeline, out, err)
        finally:
            pipeline.close()
    if args.command == "registry" and args.registry_command == "test":
        return cmd_registry_test(args, _pipeline(args), out, err)
    if args.command == "registry":
        from app.sandbox.registry_service import cli as registry_cli
        return registry_cli.run(args, out, err)
    if args.command == "doctor":
        return cmd_doctor(args, out, err)
    if args.command == "vault":
        from app.vault import cli as vault_cli
        return vault_cli.run(args, out, err)
    if args.command == "docs":
        from app.docs.cli import cmd_docs
        return cmd_docs(args, out, err)
    if args.command == "audit":
        from app.audit.cli import run as run_audit
        return run_audit(args, out, err)
    if args.command == "archive":
        from app.archive.cli import run as run_archive
        return run_archive(args, out, err)
    if args.command == "pack":
        from app.packs.cli import run as run_pack
        return run_pack(args, out, err)
    if args.command == "edit":
        from app.ui.editor import run_editor
        return run_editor(args.playbook)
    if args.command == "demo":
        from app.sandbox.demo import run_demo
        return run_demo(args, out, err)
    return 2


def main(argv: Sequence[str] | None = None, out: TextIO | None = None,
         err: TextIO | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    out = SafeText(out or sys.stdout)  # type: ignore[assignment]
    err = SafeText(err or sys.stderr)  # type: ignore[assignment]
    try:
        try:
            args = build_parser().parse_args(argv)
        except SystemExit as exc:   # --help
            return int(exc.code or 0)
        return run(args, out, err)  # type: ignore[arg-type]
    except DeskhandError as exc:
        print(str(exc), file=err)
        return exc.exit_code
    except KeyboardInterrupt:
        print(_("Stopped. Any case file is kept."), file=err)
        return 3
    except Exception as exc:   # the last line: a sentence here, the traceback in the log
        from app.logs import crash_sentence, log_crash
        print(crash_sentence(exc, log_crash(exc, "deskhand " + " ".join(
            (argv if argv is not None else sys.argv[1:])[:1]))), file=err)
        return 3


if __name__ == "__main__":
    sys.exit(main())
