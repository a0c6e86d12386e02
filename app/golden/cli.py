"""`deskhand test PLAYBOOK|PACK [--live TITLE] [--json]` and
`deskhand test PLAYBOOK --record-form TITLE`. Exit codes: 0 every sample as expected;
1 a difference (or a step the form model cannot replay, or no samples); 2 a bad
playbook or sample (file:line); 3 a fault stopped it."""
from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path
from typing import TextIO

from app.errors import UsageError
from app.i18n import _
from app.pipeline import Pipeline

__all__ = ["add_arguments", "cmd_test"]


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("target", metavar="PLAYBOOK|PACK",
                   help="a playbook (file or id), a folder of playbooks, or a .zip of one")
    p.add_argument("--live", metavar="TITLE",
                   help="fill this open window for real for each sample and read its boxes "
                        "back through the accessibility tree, instead of the form model")
    p.add_argument("--record-form", metavar="TITLE",
                   help="write samples/<id>/form.yaml from this open window's accessibility "
                        "tree (the form model), then stop")
    p.add_argument("--engine", default=None, help="OCR engine (default: the settings')")
    p.add_argument("--json", action="store_true", help="one JSON document on stdout")


def cmd_test(args: argparse.Namespace, pipeline: Pipeline, out: TextIO, err: TextIO) -> int:
    from app.golden.runner import open_target, run_playbook
    if args.record_form:
        return _record_form(args, pipeline, out)
    from app.golden.scenario import is_scenario_pack, run_scenario_pack
    if is_scenario_pack(Path(args.target)):
        if args.live:
            raise UsageError(_("--live fills one window: give one of the scenario's playbooks "
                               "(its targets), not the pack."))
        with tempfile.TemporaryDirectory(prefix="deskhand-test-") as tmp:
            results = run_scenario_pack(Path(args.target), pipeline, Path(tmp))
        return _print(args, results, out)
    if _is_pack_zip(Path(args.target)):       # deskhand pack build's zip
        if args.live:
            raise UsageError(_("--live fills one window: give one of the pack's playbooks."))
        from app.golden.pack import run_pack_folder, unpack_pack
        with tempfile.TemporaryDirectory(prefix="deskhand-test-") as tmp:
            folder = unpack_pack(Path(args.target), Path(tmp) / "pack")
            results = run_pack_folder(folder, pipeline, Path(tmp))
        return _print(args, results, out)
    with tempfile.TemporaryDirectory(prefix="deskhand-test-") as tmp:
        playbooks = open_target(args.target, pipeline, Path(tmp))
        live = None
        if args.live:
            from app.golden.live import LiveWindow
            live = LiveWindow(pipeline, args.live)
        try:
            results = [run_playbook(pb, pipeline, Path(tmp), live) for pb in playbooks]
        finally:
            if live is not None:
                live.close()
    return _print(args, results, out)


def _is_pack_zip(path: Path) -> bool:
    import zipfile
    if path.suffix.lower() != ".zip" or not path.is_file():
        return False
    try:
        with zipfile.ZipFile(path) as z:
            return "manifest.json" in z.namelist()
    except (zipfile.BadZipFile, OSError):
        return False


def _print(args: argparse.Namespace, results: list, out: TextIO) -> int:
    from app.golden.report import exit_code, print_results, results_json
    if args.json:
        json.dump(results_json(results), out, ensure_ascii=False, indent=2)
        print(file=out)
    else:
        print_results(results, out)
    return exit_code(results)


def _record_form(args: argparse.Namespace, pipeline: Pipeline, out: TextIO) -> int:
    from app.a11y import open_accessibility
    from app.fill.address_check import find_window
    from app.golden.form_model import dump_form
    from app.golden.record_form import form_from_window
    from app.golden.samples import samples_folder
    if args.live:
        raise UsageError(_("--record-form and --live are used one at a time."))
    pb = pipeline.playbook(args.target)
    window = find_window(pipeline.desktop(), args.record_form)
    a11y = open_accessibility()
    try:
        form = form_from_window(a11y, window)
    finally:
        a11y.close()
    path = samples_folder(pb) / "form.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump_form(form, _("The form of '{title}', recorded from its accessibility "
                                      "tree; boxes in the tree's order (check the tab order).",
                                      title=window.title)), encoding="utf-8")
    print(_("{count} boxes of '{title}' written to {path}.", count=len(form.boxes),
            title=window.title, path=path), file=out)
    return 0
