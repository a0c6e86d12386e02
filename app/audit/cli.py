"""`deskhand audit verify|export` (docs/audit.md). Exit codes: verify 0 intact, 1 broken;
2 bad usage, 3 a fault (no log, no key)."""
from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TextIO

from app.errors import AuditError, DeskhandError
from app.i18n import _

__all__ = ["add_arguments", "run"]


def add_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="audit_action", required=True, metavar="ACTION")
    v = sub.add_parser("verify", help="check the chain and the checkpoints; name the first "
                                      "broken entry (exit 0 intact, 1 broken)")
    e = sub.add_parser("export", help="the entries of a date range for an inspector, with a "
                                      "verification statement")
    for q in (v, e):
        q.add_argument("--log", type=Path, help="the audit log (default: this desk's)")
        q.add_argument("--checkpoints", type=Path, action="append", default=None,
                       help="checkpoints IT collected: the checkpoint file or the syslog "
                            "collector's file (repeatable; default: the preset's file)")
        q.add_argument("--key-file", type=Path,
                       help="the audit key in hex (default: this desk's keyring)")
    v.add_argument("--json", action="store_true", help="one JSON document on stdout")
    e.add_argument("--from", dest="first", required=True, metavar="DATE",
                   help="first day, e.g. 2026-12-01 (local time)")
    e.add_argument("--to", dest="last", required=True, metavar="DATE", help="last day, inclusive")
    e.add_argument("-o", "--output", type=Path, help="write here (default: stdout)")
    e.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")


def _key(args: argparse.Namespace) -> tuple[bytes | None, str | None]:
    from app.audit.key import key_from_file, key_from_vault
    if args.key_file:
        return key_from_file(args.key_file), None
    from app.vault import Vault
    try:
        return key_from_vault(Vault()), None
    except DeskhandError as exc:   # unkeyed entries still verify; keyed ones say what is needed
        return None, exc.message


def _paths(args: argparse.Namespace) -> tuple[Path, list[Path]]:
    from app.audit.config import preset_audit_config
    from app.settings import default_preset_path
    config = None
    if args.log is None or args.checkpoints is None:
        config = preset_audit_config(default_preset_path())
    log = args.log or config.log_path  # type: ignore[union-attr]
    if args.checkpoints is not None:
        cps = list(args.checkpoints)
    else:
        cps = [config.checkpoint_file] if (config and config.checkpoint_file
                                           and config.checkpoint_file.exists()) else []
    return log, cps


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from app.audit.verify import verify_log
    try:
        log, cps = _paths(args)
        key, why_not = _key(args)
        if args.audit_action == "verify":
            try:
                verdict = verify_log(log, key, cps)
            except AuditError as exc:
                if why_not and key is None:
                    raise AuditError(f"{exc.message} ({why_not})") from None
                raise
            if args.json:
                print(json.dumps(verdict.as_json(), ensure_ascii=False, indent=1), file=out)
            elif verdict.ok:
                print(_("Intact: {n} entries (seq {first}–{last}), {cps} of {read} checkpoints "
                        "matched; {algs}.", n=verdict.entries, first=verdict.first_seq,
                        last=verdict.last_seq, cps=verdict.checkpoints_matched,
                        read=verdict.checkpoints_read, algs=", ".join(verdict.algorithms)),
                      file=out)
            else:
                print(_("Broken ({kind}): {message}", kind=verdict.problem.kind,  # type: ignore[union-attr]
                        message=verdict.problem.message), file=out)  # type: ignore[union-attr]
            if verdict.unkeyed:
                print(_("{n} entries were chained without a key (the keyring was unavailable): "
                        "they show damage, not a forger.", n=verdict.unkeyed), file=err)
            if not cps:
                print(_("No checkpoints were given: deleting the newest entries cannot be "
                        "seen without them (--checkpoints)."), file=err)
            return 0 if verdict.ok else 1
        return _export(args, log, cps, key, why_not, out, err)
    except DeskhandError as exc:
        print(str(exc), file=err)
        return exc.exit_code


def _export(args: argparse.Namespace, log: Path, cps: list[Path], key: bytes | None,
            why_not: str | None, out: TextIO, err: TextIO) -> int:
    from app.audit.export import entries_between, parse_day, render_export
    from app.audit.verify import verify_log
    from app.files import write_text_atomically
    first, last = parse_day(args.first, "--from"), parse_day(args.last, "--to")
    entries = entries_between(log, first, last)
    try:
        verdict, reason = verify_log(log, key, cps), None
    except AuditError as exc:
        verdict, reason = None, f"{exc.message}" + (f" ({why_not})" if why_not else "")
    text = render_export(entries, verdict, reason, first, last, args.format)
    if args.output:
        if args.format == "csv":
            text = "\ufeff" + text      # Excel opens UTF-8 CSV right only with the BOM
        write_text_atomically(args.output, text)
        print(_("Exported {n} entries to {path}.", n=len(entries), path=args.output), file=err)
    else:
        out.write(text)
    return 0
