"""The cases of a batch to file: a batch ledger (SQLite, the `cases` table pinned in issue 15:
the cases in state `done`, in their batch order) or a folder of case .json files (by name).

    paths = batch_cases(Path("batch.ledger"))     # [Path, …]

A ledger is opened read-only: a batch still running keeps its ledger to itself.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

from app.errors import UsageError
from app.i18n import _

__all__ = ["batch_cases", "is_ledger"]

_SQLITE_MAGIC = b"SQLite format 3\x00"


def is_ledger(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(16) == _SQLITE_MAGIC
    except OSError:
        return False


def _ledger_cases(path: Path) -> list[Path]:
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=10)
        try:
            rows = db.execute("SELECT key, case_path FROM cases WHERE state = 'done' "
                              "ORDER BY seq").fetchall()
        finally:
            db.close()
    except sqlite3.Error as exc:
        raise UsageError(_("{path} is not a batch ledger this Deskhand reads ({reason}).",
                           path=path, reason=str(exc))) from None
    out = []
    for key, case_path in rows:
        if not case_path:
            raise UsageError(_("The ledger {path} has no case file for the done case {key}.",
                               path=path, key=key))
        p = Path(case_path)
        if not p.is_absolute():
            # beside the ledger, else as the batch wrote it (relative to where it ran)
            p = next((c for c in (path.parent / p, p) if c.exists()), path.parent / p)
        out.append(p)
    return out


def batch_cases(path: Path) -> list[Path]:
    """The case files of a ledger or a folder, in order (UsageError if it is neither)."""
    if path.is_dir():
        return sorted(p for p in path.glob("*.json") if p.is_file())
    if is_ledger(path):
        return _ledger_cases(path)
    raise UsageError(_("{path} is neither a case file, a batch ledger nor a folder of case "
                       "files.", path=path))
