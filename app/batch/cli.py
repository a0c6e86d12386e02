"""`deskhand batch PLAYBOOK --from SRC`: many cases, unattended, with a ledger; and
`deskhand batch --status LEDGER`.

Running again with the same ledger resumes it (the source is read only once, into the
ledger). Exit codes: 0 every case done; 1 some set aside or escalated (or stopped before
the end); 2 bad input; 3 a fault stopped it.
"""
from __future__ import annotations

import argparse
import json
import signal
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from app.errors import UsageError
from app.i18n import _

if TYPE_CHECKING:  # pragma: no cover
    from app.pipeline import Pipeline


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("playbook", nargs="?", help="a playbook (file or id) with a 'batch' section")
    p.add_argument("--from", dest="source", metavar="SRC",
                   help="the cases: a .xlsx or .csv file, or a folder of case files or images")
    p.add_argument("--ledger", metavar="FILE",
                   help="the ledger (SQLite) to keep or resume (default: in the cases folder, "
                        "named after the playbook and the source)")
    p.add_argument("--report", metavar="DIR", help="write the report (.xlsx and .html) here")
    p.add_argument("--retries", type=int, metavar="N",
                   help="retries of a system error per case (default: the playbook's, else 2)")
    p.add_argument("--status", metavar="LEDGER", help="print a ledger's counts and stop")
    p.add_argument("--offline", action="store_true", help="do not ask the registries")
    p.add_argument("--registries", metavar="FILE",
                   help="registry settings file (default: the settings, then registries.yaml)")
    p.add_argument("--yes", action="store_true", help="do not ask before typing")
    p.add_argument("--json", action="store_true", help="one JSON document on stdout")
    p.add_argument("--wait-focus", type=float, default=3.0, metavar="S",
                   help="seconds to wait for the target window to be focused (default 3)")
    p.add_argument("--abort-keys", default="ctrl+alt+esc", help="abort combination, or 'none'")


def cmd_batch(args: argparse.Namespace, pipeline: "Pipeline", out: TextIO, err: TextIO) -> int:
    from app.batch.ledger import Ledger, default_ledger
    if args.status:
        return _status(Path(args.status), args, pipeline, out)
    if not args.playbook or not args.source and not args.ledger:
        raise UsageError(_("Give a playbook and the cases: deskhand batch PLAYBOOK --from "
                           "cases.xlsx (or --ledger FILE to resume one)."))
    if args.retries is not None and not 0 <= args.retries <= 10:
        raise UsageError(_("--retries takes a number from 0 to 10."))
    if not 0 <= args.wait_focus <= 600:
        raise UsageError(_("--wait-focus takes seconds from 0 to 600."))
    pb = pipeline.playbook(args.playbook)
    if pb.batch is None:
        raise UsageError(_("Playbook {playbook} has no 'batch' section, so it cannot run a "
                           "batch; add one naming at least its key field (playbooks/README.md, "
                           "\"Batches\").", playbook=pb.id))
    path = Path(args.ledger) if args.ledger else default_ledger(pipeline.cases_dir, pb.id, args.source)
    if path.exists() and not path.is_file():
        raise UsageError(_("--ledger {file} is a folder; give a file name.", file=path))
    with Ledger(path) as ledger:
        if ledger.is_empty():
            if not args.source:
                raise UsageError(_("The ledger {file} holds no cases; give them with --from.",
                                   file=path))
            from app.batch.sources import open_source
            source = open_source(args.source, pb, pipeline)
            n = ledger.ingest(source, pb.id)
            ledger.set_meta("playbook_path", pb.path or "")
            print(_("Read {n} cases from {source} into the ledger {file}.", n=n,
                    source=source.describe(), file=path), file=err)
        else:
            kept = ledger.meta("playbook")
            if kept and kept != pb.id:
                raise UsageError(_("The ledger {file} belongs to playbook {kept}, not {playbook}; "
                                   "give another --ledger.", file=path, kept=kept,
                                   playbook=pb.id))
            print(_("Resuming the ledger {file} ({source}); --from is not read again.",
                    file=path, source=ledger.meta("source") or "?"), file=err)
        todo = sum(n for s, n in ledger.counts().items() if s in ("pending", "filling",
                                                                   "saving", "failed"))
        if todo and not _confirmed(args, pb.name, todo, err):
            print(_("Nothing was typed."), file=err)
            return 1
        result = _run(args, pb, ledger, pipeline, err)
        reports = []
        if args.report:
            from app.batch.report import write_reports
            reports = [str(p) for p in write_reports(Path(args.report), ledger, pb)]
        code = result.exit_code
        if args.json:
            json.dump({"ledger": str(path), "counts": result.counts, "stopped": result.stopped,
                       "halted": result.halted,
                       "seconds": round(result.seconds, 2), "reports": reports,
                       "exit_code": code}, out, ensure_ascii=False, indent=2)
            print(file=out)
        else:
            _print_counts(result.counts, out)
            for r in reports:
                print(_("Report: {file}", file=r), file=out)
        if result.halted:
            print(result.halted, file=err)
        elif result.stopped:
            print(_("Stopped; run the same command again to resume."), file=err)
        return code


def _confirmed(args: argparse.Namespace, name: str, todo: int, err: TextIO) -> bool:
    from app.confirm import asked_yes
    return args.yes or asked_yes(lambda: _(
        "Fill {n} cases with {playbook} unattended? Leave the keyboard and mouse alone while "
        "it runs; Ctrl+Alt+Esc stops it. [y/N] ", n=todo, playbook=name))


def _run(args: argparse.Namespace, pb, ledger, pipeline: "Pipeline", err: TextIO):
    from app.batch.runner import BatchControl, BatchOptions, run_batch
    from app.fill.engine import FillOptions
    control = BatchControl()
    previous = {s: signal.signal(s, lambda *_a: control.stop())
                for s in (signal.SIGTERM, signal.SIGINT)}

    def progress(kind: str, data: dict) -> None:
        if kind == "case":
            print(_("Case {seq}/{total}: {key} ({origin})", **data), file=err, flush=True)
        elif kind == "set_aside":
            print(_("  set aside for a person"), file=err)
        elif kind == "retry":
            print(_("  system error, retrying: {error}", error=data["error"]), file=err)
        elif kind == "escalated":
            print(_("  escalated: {error}", error=data["error"]), file=err)
    try:
        options = BatchOptions(
            fill=FillOptions(wait_focus_s=args.wait_focus,
                             abort_keys=None if args.abort_keys == "none" else args.abort_keys),
            retries=args.retries, verify=not args.offline)
        return run_batch(pb, ledger, pipeline, options, control, progress)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def _print_counts(counts: dict[str, int], out: TextIO) -> None:
    from app.batch.report import STATE_WORDS
    total = sum(counts.values())
    parts = [f"{_(STATE_WORDS[s])} {n}" for s, n in counts.items() if n]
    print(_("{n} cases: {parts}", n=total, parts=", ".join(parts) or "—"), file=out)


def _status(path: Path, args: argparse.Namespace, pipeline: "Pipeline", out: TextIO) -> int:
    from app.batch.ledger import FINAL_STATES, Ledger
    if not path.is_file():
        raise UsageError(_("There is no ledger {file}.", file=path))
    with Ledger(path) as ledger:
        counts = ledger.counts()
        if args.json:
            json.dump({"ledger": str(path), "playbook": ledger.meta("playbook"),
                       "source": ledger.meta("source"), "counts": counts}, out,
                      ensure_ascii=False, indent=2)
            print(file=out)
        else:
            _print_counts(counts, out)
        if args.report:
            from app.batch.report import write_reports
            pb = pipeline.playbook(args.playbook or ledger.meta("playbook_path")
                                   or ledger.meta("playbook") or "")
            for p in write_reports(Path(args.report), ledger, pb):
                print(_("Report: {file}", file=p), file=out)
    open_ = sum(n for s, n in counts.items() if s not in FINAL_STATES)
    return 0 if not open_ and counts["set_aside"] == counts["escalated"] == 0 else 1
