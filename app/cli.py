"""`deskhand` command line (DESIGN.md §4). Exit codes: 0 done; 1 done but some
field needs a person; 2 bad usage or bad playbook; 3 a fault stopped it."""
from __future__ import annotations

import argparse
import difflib
import json
import os
import sys
from pathlib import Path
from typing import Any, Sequence, TextIO

from app.cases import Case, FieldValue, case_from_values, load_case, save_case
from app.capture.screen import CaptureError
from app.errors import DeskhandError, PlaybookError, UsageError
from app.fill.anchors import needs_screen_text, ocr_screen_text_factory
from app.fill.engine import (FillEngine, FillOptions, FillReport, fields_needing_person,
                             masked_text, plan)
from app.paths import default_cases_dir, library_dir
from app.privacy import mask_text
from playbooks.loader import load_playbook
from playbooks.model import Playbook


def resolve_playbook(ref: str) -> Playbook:
    """A path, or the id of a playbook in the shipped library."""
    p = Path(ref)
    if not p.exists() and not ref.endswith((".yaml", ".yml")):
        candidate = library_dir() / f"{ref}.yaml"
        if candidate.exists():
            p = candidate
    return load_playbook(p)


# -- check -----------------------------------------------------------------------
def cmd_check(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    worst = 0
    for ref in args.playbooks:
        try:
            pb = resolve_playbook(ref)
        except PlaybookError as exc:
            print(str(exc), file=err)
            worst = 2
            continue
        print(f"{pb.path}: ok ({pb.name}, {len(pb.fields)} fields, {len(pb.steps)} steps)",
              file=out)
    return worst


# -- fill ------------------------------------------------------------------------
def _parse_sets(pairs: Sequence[str], pb: Playbook) -> dict[str, str]:
    names = [f.name for f in pb.fields]
    values: dict[str, str] = {}
    for pair in pairs:
        if "=" not in pair:
            raise UsageError(f"--set takes NAME=VALUE, not '{pair}'.")
        name, value = pair.split("=", 1)
        name = name.strip()
        if name not in names:
            close = difflib.get_close_matches(name, names, 1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise UsageError(f"--set names field '{name}', which playbook {pb.id} does not "
                             f"declare{hint}.")
        values[name] = value
    return values


def _load_or_make_case(args: argparse.Namespace, pb: Playbook) -> tuple[Case, Path]:
    sets = _parse_sets(args.set or [], pb)
    if args.case:
        case = load_case(args.case, pb.id)
        for k, v in sets.items():
            case.fields[k] = FieldValue(v, "ok", None, {"kind": "manual"})
        path = Path(args.output) if args.output else (
            default_cases_dir() / f"{case.case_id}.json" if case.plain else Path(args.case))
    elif sets:
        case = case_from_values(sets, pb.id, {"kind": "manual"})
        path = Path(args.output) if args.output else default_cases_dir() / f"{case.case_id}.json"
    else:
        raise UsageError("Give the case to fill: --case CASE.json, or --set NAME=VALUE pairs.")
    return case, path


def _report_json(pb: Playbook, report: FillReport | None, case_path: Path, plan_rows: list[dict],
                 exit_code: int, message: str | None) -> dict[str, Any]:
    rows = []
    if report:
        for r in report.results:
            rows.append({"field": r.field, "step": r.step + 1, "status": r.status,
                         "method": r.method, "chars": r.chars,
                         "typed": masked_text(pb, r.field, r.expected),
                         "readback": masked_text(pb, r.field, r.readback)})
    return {"playbook": pb.id, "case": str(case_path),
            "outcome": report.outcome if report else "not_started",
            "window": report.window if report else None,
            "fields": rows if report else plan_rows,
            "readback_ok": report.readback_ok if report else 0,
            "differs": report.differs if report else [],
            "step_reached": (report.step_reached + 1) if report and report.step_reached is not None else None,
            "field_reached": report.field_reached if report else None,
            "position": report.position if report else 0,
            "elapsed_s": round(report.elapsed_s, 3) if report else 0.0,
            "message": message, "warnings": report.warnings if report else [],
            "exit_code": exit_code}


def _print_report(pb: Playbook, report: FillReport, out: TextIO) -> None:
    labels = {f.name: f.label or f.name for f in pb.fields}
    print(f"Filled into '{report.window}' in {report.elapsed_s:.2f} s:", file=out)
    marks = {"readback_ok": "read back ok", "readback_differs": "READ BACK DIFFERS",
             "readback_unavailable": "typed (could not read back)", "typed": "typed",
             "chosen": "chosen", "skipped": "skipped (no value)"}
    for r in report.results:
        line = f"  {labels.get(r.field, r.field)} ({r.field}): {marks.get(r.status, r.status)}"
        if r.method:
            line += f" [{r.method}] {masked_text(pb, r.field, r.expected)}"
        if r.status == "readback_differs":
            line += f" — the client holds {masked_text(pb, r.field, r.readback)!r}"
        print(line, file=out)
    print(f"{report.readback_ok} of {len(report.results)} fields confirmed.", file=out)


def cmd_fill(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    pb = resolve_playbook(args.playbook)
    case, case_path = _load_or_make_case(args, pb)
    steps = plan(pb, case)  # raises before anything is typed
    plan_rows = [{"step": s.index + 1, "kind": s.kind, "field": s.field,
                  "text": masked_text(pb, s.field, s.text), "keys": list(s.keys),
                  "detail": s.detail} for s in steps]
    if args.dry_run:
        if args.json:
            json.dump(_report_json(pb, None, case_path, plan_rows, 0, "dry run: nothing typed"),
                      out, ensure_ascii=False, indent=2)
            print(file=out)
        else:
            print(f"Dry run of {pb.id} — nothing is typed:", file=out)
            for row in plan_rows:
                what = row["text"] if row["kind"] in ("type", "choose") else \
                    " ".join(row["keys"]) or row["detail"]
                print(f"  {row['step']:>2}. {row['kind']:<6} {row['field'] or '':<16} {what}",
                      file=out)
        return 0
    needs = fields_needing_person(pb, case)
    if needs and not args.yes:
        msg = ("These fields need a person before typing: " + ", ".join(
            f"{n} ({case.fields[n].status})" for n in needs) + ". Review them, or run with --yes.")
        print(msg, file=err)
        return 1
    if not args.yes:
        if not sys.stdin.isatty():
            raise UsageError("Refusing to type without confirmation: run with --yes, or from a "
                             "terminal to be asked.")
        answer = input(f"Type {sum(s.kind == 'type' for s in steps)} fields of case "
                       f"{case.case_id} into the approval client? Focus it within "
                       f"{args.wait_focus:g} s after answering. [y/N] ")
        if answer.strip().lower() not in ("y", "yes", "是"):
            print("Nothing typed.", file=err)
            return 1
    save_case(case, case_path)  # the case is on disk before the first keystroke
    from app.desktop import open_desktop
    desktop = open_desktop()
    screen_text = None
    if needs_screen_text(pb):
        screen_text = ocr_screen_text_factory(os.environ.get("DISPLAY"))
    engine = FillEngine(desktop, FillOptions(
        wait_focus_s=args.wait_focus, start_step=max(0, args.start_step - 1),
        abort_keys=None if args.abort_keys == "none" else args.abort_keys,
        failsafe=not args.no_failsafe),
        progress=(lambda k, d: print("Waiting for the approval client to be focused…", file=err)
                  if k == "waiting_for_target" else None),
        screen_text=screen_text)
    code, message = 0, None
    try:
        report = engine.fill(pb, case)
        code = 1 if report.unconfirmed else 0
    except DeskhandError as exc:   # any stage: the report and the case log still follow
        report, code, message = engine.last_report, exc.exit_code, str(exc)
    finally:
        desktop.close()
    if report is not None:
        case.fills.append(report.log_entry(message))
        save_case(case, case_path)
    if args.json:
        json.dump(_report_json(pb, report, case_path, plan_rows, code, message), out,
                  ensure_ascii=False, indent=2)
        print(file=out)
    elif report is not None and report.outcome == "done":
        _print_report(pb, report, out)
    if message:
        print(message, file=err)
    for warning in (report.warnings if report else []):
        print(f"Warning: {warning}", file=err)
    print(f"Case kept at {case_path}", file=err)
    return code


# -- capture ---------------------------------------------------------------------
def cmd_capture(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from app.capture.sources import load_image
    from app.ocr import open_engine
    pb = resolve_playbook(args.playbook)
    source: dict[str, Any]
    if args.image:
        image = load_image(args.image)
        source = {"kind": "image", "file": str(Path(args.image).resolve())}
    else:
        from app.capture.screen import ScreenGrabber
        display = os.environ.get("DISPLAY")
        with ScreenGrabber(display=display) as grabber:
            if args.window:
                from app.capture.sources import find_window, grab_window
                from app.desktop import open_desktop
                desktop = open_desktop()
                try:
                    window = find_window(desktop, args.window)
                finally:
                    desktop.close()
                image = grab_window(grabber, window)
                source = {"kind": "window", "title": window.title}
            else:
                image = grabber.grab_screen()
                source = {"kind": "screen"}
    spec = pb.source_spec
    scale = args.scale or (image.width / spec.size[0] if spec and spec.size and not args.window
                           else 1.0)
    from app.workflow import capture_case

    def registries():  # type: ignore[no-untyped-def]
        from app.paths import registry_settings_path
        from app.registry.settings import load_registry_settings
        return load_registry_settings(args.registries or registry_settings_path())

    def secrets(name: str) -> str:
        from app.vault import Vault
        return Vault().get(name)

    outcome = capture_case(pb, image, open_engine(args.engine), scale=scale, source=source,
                           case_path=Path(args.output) if args.output else None,
                           cases_dir=default_cases_dir(),
                           registries=None if args.offline else registries, secrets=secrets)
    result, case, case_path, fault = outcome.result, outcome.case, outcome.case_path, outcome.verify_error
    code = 1 if result.needs_person else 0
    if fault is not None:
        print(f"{fault.message} The case is kept in {case_path}.", file=err)
        code = fault.exit_code
    rows = [{"field": name, "status": fv.status,
             "value": masked_text(pb, name, fv.value),
             "original": masked_text(pb, name, fv.original) if fv.original else None,
             "registry": masked_text(pb, name, fv.source.get("registry", {}).get("value"))
             if fv.source.get("registry", {}).get("value") else None,
             "box": fv.source.get("box"),
             "problems": [mask_text(p) for p in fv.source.get("problems", [])]}
            for name, fv in case.fields.items()]
    if args.json:
        json.dump({"playbook": pb.id, "case": str(case_path), "fields": rows,
                   "needs_person": result.needs_person, "ocr_s": round(result.ocr_s, 3),
                   "elapsed_s": round(result.elapsed_s, 3),
                   "verification": [_masked_answer(pb, a) for a in case.verification],
                   "error": fault.message if fault else None, "exit_code": code},
                  out, ensure_ascii=False, indent=2)
        print(file=out)
    else:
        labels = {f.name: f.label or f.name for f in pb.fields}
        print(f"Read {len(rows)} fields in {result.elapsed_s:.2f} s:", file=out)
        for row in rows:
            extra = f" (read as {row['original']})" if row["original"] else ""
            if row["registry"] and row["status"] == "mismatch":
                extra += f" (registry: {row['registry']})"
            why = f" — {'; '.join(row['problems'])}" if row["problems"] else ""
            print(f"  {labels.get(row['field'], row['field'])}: {row['status']:<9} "
                  f"{row['value'] or ''}{extra}{why}", file=out)
    print(f"Case written to {case_path}", file=err)
    return code


def _masked_answer(pb: Playbook, answer: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in answer.items() if k != "values"}
    if "error" in out:
        out["error"] = mask_text(out["error"])
    return out


# -- ocr -------------------------------------------------------------------------
def cmd_ocr(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Raw text boxes: for checking what the OCR sees before writing a playbook."""
    from app.capture.sources import load_image
    from app.ocr import open_engine
    image = load_image(args.image)
    engine = open_engine(args.engine, fallback=args.fallback)
    reason = getattr(engine, "fallback_reason", None)
    if reason:
        print(f"Warning: {reason}", file=err)
    boxes = engine.read(image)
    if args.json:
        json.dump({"image": str(args.image), "engine": engine.name, "width": image.width,
                   "height": image.height,
                   "boxes": [{"text": b.text, "score": round(b.score, 4),
                              "box": [b.x, b.y, b.width, b.height],
                              "alternatives": [list(a) for a in b.alternatives]
                              if getattr(b, "alternatives", None) else None} for b in boxes]},
                  out, ensure_ascii=False, indent=2)
        print(file=out)
    else:
        for b in boxes:
            print(f"{b.x:>5},{b.y:<5} {b.width:>4}×{b.height:<4} {b.score:.3f}  {b.text}", file=out)
    return 0 if boxes else 1


# -- parser ------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="deskhand", description="政务数字机器人 · 窗口助手 — Deskhand")
    sub = p.add_subparsers(dest="command")
    c = sub.add_parser("check", help="validate playbooks; errors as file:line: message")
    c.add_argument("playbooks", nargs="+")
    f = sub.add_parser("fill", help="type a case into the focused approval client")
    f.add_argument("playbook")
    f.add_argument("--case", help="case file, or a JSON object of field values")
    f.add_argument("--set", action="append", metavar="NAME=VALUE", help="a field value (repeatable)")
    f.add_argument("-o", "--output", help="where to keep the case file")
    f.add_argument("--dry-run", action="store_true", help="print what would be typed; type nothing")
    f.add_argument("--yes", action="store_true", help="do not ask before typing")
    f.add_argument("--json", action="store_true", help="one JSON document on stdout")
    f.add_argument("--wait-focus", type=float, default=10.0, metavar="S",
                   help="seconds to wait for the approval client to be focused (default 10)")
    f.add_argument("--start-step", type=int, default=1, metavar="N", help="resume at step N")
    f.add_argument("--abort-keys", default="ctrl+alt+esc", help="abort combination, or 'none'")
    f.add_argument("--no-failsafe", action="store_true",
                   help="do not stop when the mouse is moved into a screen corner")
    cp = sub.add_parser("capture", help="read a source into a case file of checked fields")
    cp.add_argument("playbook")
    where = cp.add_mutually_exclusive_group(required=True)
    where.add_argument("--image", metavar="FILE", help="a PNG or JPEG (e.g. a scanned ID card)")
    where.add_argument("--screen", action="store_true", help="the whole screen")
    where.add_argument("--window", metavar="TITLE", help="the window with this title (or a part of it)")
    cp.add_argument("--offline", action="store_true",
                    help="do not ask the registries named in the playbook's verify section")
    cp.add_argument("--registries", metavar="FILE",
                    help="registry settings (default: $DESKHAND_REGISTRIES or registries.yaml "
                         "in the user's config folder)")
    cp.add_argument("--engine", default="rapidocr", help="OCR engine: rapidocr (default) or easyocr")
    cp.add_argument("--scale", type=float, default=None,
                    help="display scale of the source, e.g. 1.25 (default: from the playbook's size)")
    cp.add_argument("--json", action="store_true", help="one JSON document on stdout")
    cp.add_argument("-o", "--output", help="where to write the case file")
    o = sub.add_parser("ocr", help="print the raw text boxes OCR finds in an image")
    o.add_argument("image")
    o.add_argument("--engine", default="rapidocr", help="rapidocr (default) or easyocr")
    o.add_argument("--fallback", action="store_true",
                   help="use RapidOCR if the chosen engine or its weights are missing")
    o.add_argument("--json", action="store_true", help="one JSON document on stdout")
    t = sub.add_parser("tray", help="the clerk's tray (the same as deskhand with no arguments)")
    t.add_argument("--registries", metavar="FILE", help="registry settings file")
    t.add_argument("--playbook", help="pick this playbook at start")
    t.add_argument("--no-hotkeys", action="store_true", help="menu only, no global hotkeys")
    rg = sub.add_parser("registry", help="the reference data-sharing service (for the demo and tests)")
    rsub = rg.add_subparsers(dest="registry_command", required=True)
    from app.registry.service import cli as registry_cli   # argparse only; the server loads on run
    registry_cli.add_arguments(rsub.add_parser("serve", help="serve the reference registry on loopback"))
    v = sub.add_parser("vault", help="credentials in the OS keyring")
    from app.vault import cli as vault_cli
    vault_cli.add_arguments(v)
    d = sub.add_parser("demo", help="the sandbox: registry, portal page, approval client and the tray")
    from app.sandbox import demo as demo_module   # argparse only; the demo loads on run
    demo_module.add_arguments(d)
    return p


def main(argv: Sequence[str] | None = None, out: TextIO | None = None,
         err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    args = build_parser().parse_args(argv)
    if not args.command or args.command == "tray":
        from app.ui.app import TrayOptions, run_tray
        return run_tray(TrayOptions(registries=getattr(args, "registries", None),
                                    playbook=getattr(args, "playbook", None),
                                    hotkeys=not getattr(args, "no_hotkeys", False)))
    try:
        if args.command == "check":
            return cmd_check(args, out, err)
        if args.command == "fill":
            return cmd_fill(args, out, err)
        if args.command == "capture":
            return cmd_capture(args, out, err)
        if args.command == "ocr":
            return cmd_ocr(args, out, err)
        if args.command == "registry":
            from app.registry.service import cli as registry_cli
            return registry_cli.run(args, out, err)
        if args.command == "vault":
            from app.vault import cli as vault_cli
            return vault_cli.run(args, out, err)
        if args.command == "demo":
            from app.sandbox.demo import run_demo
            return run_demo(args, out, err)
    except PlaybookError as exc:
        print(str(exc), file=err)
        return exc.exit_code
    except DeskhandError as exc:
        print(str(exc), file=err)
        return exc.exit_code
    except KeyboardInterrupt:
        print("Stopped.", file=err)
        return 3
    return 2


if __name__ == "__main__":
    sys.exit(main())
