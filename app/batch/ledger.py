"""The batch's ledger (台账): one SQLite file recording every case's state, so that a batch
killed at any instant resumes without typing a case twice or skipping one.

Every state change is its own committed transaction (WAL, synchronous=FULL), written
BEFORE the action it announces: `filling` before the first key of a case, `saving` before
the save is pressed. A case found in `filling` or `saving` on resume may therefore be
partly typed or already saved: the runner asks the target (the landed check) before
anything else. The cases themselves are files (app/cases.py) in the folder beside it.

States: pending, filling, saving, done, set_aside (business error: a person must look),
failed (system error, will be retried), escalated (system error after the retries).
"""
from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from app.batch.source import BatchItem, BatchSource
from app.cases import now_iso, save_case
from app.errors import UsageError
from app.i18n import _

STATES = ("pending", "filling", "saving", "done", "set_aside", "failed", "escalated")
OPEN_STATES = ("pending", "filling", "saving", "failed")     # still to do
FINAL_STATES = ("done", "set_aside", "escalated")

SCHEMA = """
CREATE TABLE IF NOT EXISTS cases (
    key TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    state TEXT NOT NULL,
    case_path TEXT,
    origin TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    outcome TEXT,
    error TEXT,
    needs_person TEXT,
    started_at TEXT,
    finished_at TEXT,
    seconds REAL
);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT);
"""


def default_ledger(cases_dir: Path, playbook_id: str, source: str) -> Path:
    """Where a batch's ledger is kept unless one is named: in the cases folder, under the
    playbook's and the source's names (so the same source resumes the same ledger)."""
    stem = re.sub(r"[^\w.-]+", "_", Path(source.rstrip("/\\")).name or "source")
    return cases_dir / "batches" / f"{playbook_id}-{stem}.ledger"


@dataclass(frozen=True)
class Row:
    key: str
    seq: int
    state: str
    case_path: str | None
    origin: str | None
    attempts: int
    outcome: str | None
    error: str | None
    needs_person: list[str]
    started_at: str | None
    finished_at: str | None
    seconds: float | None


class Ledger:
    """One batch's ledger file. Not shared between threads (one runner owns it)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            # isolation_level None: each statement below is committed as it is made
            self.db = sqlite3.connect(self.path, isolation_level=None, timeout=10)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")
            self.db.executescript(SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise UsageError(_("{file} is not a batch ledger ({why}); give another --ledger "
                               "file.", file=self.path, why=exc)) from None

    @property
    def cases_dir(self) -> Path:
        return self.path.with_name(self.path.stem + "-cases")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "Ledger":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- meta -------------------------------------------------------------------------
    def meta(self, name: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE name=?", (name,)).fetchone()
        return row[0] if row else None

    def set_meta(self, name: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta(name, value) VALUES (?, ?)", (name, value))

    # -- filling it -------------------------------------------------------------------
    def is_empty(self) -> bool:
        return self.db.execute("SELECT COUNT(*) FROM cases").fetchone()[0] == 0

    def ingest(self, source: BatchSource | Iterable[BatchItem], playbook: str) -> int:
        """Write every item of `source` in, with its case file, in one transaction (so a
        crash while reading leaves the ledger empty, and the next run reads again). An
        item without a key, or with the key of an earlier one, is set aside, named."""
        items = source.items() if hasattr(source, "items") else iter(source)
        self.cases_dir.mkdir(parents=True, exist_ok=True)
        seen: dict[str, str] = {}
        rows = []
        for seq, item in enumerate(items, 1):
            path = self.cases_dir / f"{seq:05d}.json"
            item.case.playbook = item.case.playbook or playbook
            save_case(item.case, path)
            key, state, outcome, error = item.key, "pending", None, None
            if not key:
                key, state, outcome = f"#{seq}", "set_aside", "no_key"
                error = _("{origin} has no value in the key field; give it one.",
                          origin=item.origin)
            elif key in seen:
                error = _("{origin} holds the same key as {first}; only the first is done.",
                          origin=item.origin, first=seen[key])
                key, state, outcome = f"{key}#{seq}", "set_aside", "duplicate"
            else:
                seen[key] = item.origin
            rows.append((key, seq, state, str(path), item.origin, outcome, error, "[]", None,
                         now_iso() if state == "set_aside" else None))
        with self.db:      # one transaction: all items or none
            self.db.execute("BEGIN")
            self.db.executemany(
                "INSERT INTO cases(key, seq, state, case_path, origin, outcome, error, "
                "needs_person, started_at, finished_at) VALUES (?,?,?,?,?,?,?,?,?,?)", rows)
            if hasattr(source, "describe"):
                self.db.execute("INSERT OR REPLACE INTO meta(name, value) VALUES ('source', ?)",
                                (source.describe(),))
            self.db.execute("INSERT OR REPLACE INTO meta(name, value) VALUES ('playbook', ?)",
                            (playbook,))
        return len(rows)

    # -- reading it -------------------------------------------------------------------
    def rows(self, states: Iterable[str] | None = None) -> list[Row]:
        sql = "SELECT * FROM cases"
        args: tuple = ()
        if states is not None:
            states = tuple(states)
            sql += f" WHERE state IN ({','.join('?' * len(states))})"
            args = states
        return [self._row(r) for r in self.db.execute(sql + " ORDER BY seq", args)]

    def row(self, key: str) -> Row:
        r = self.db.execute("SELECT * FROM cases WHERE key=?", (key,)).fetchone()
        if r is None:
            raise KeyError(key)
        return self._row(r)

    def open_rows(self) -> Iterator[Row]:
        """The cases still to do, in seq order (read one at a time: states change as it goes)."""
        done: set[str] = set()
        while True:
            marks = ",".join("?" * len(OPEN_STATES))
            r = self.db.execute(f"SELECT * FROM cases WHERE state IN ({marks}) ORDER BY seq",
                                OPEN_STATES).fetchall()
            r = [x for x in r if x[0] not in done]
            if not r:
                return
            row = self._row(r[0])
            done.add(row.key)
            yield row

    def counts(self) -> dict[str, int]:
        out = {s: 0 for s in STATES}
        for state, n in self.db.execute("SELECT state, COUNT(*) FROM cases GROUP BY state"):
            out[state] = n
        return out

    @staticmethod
    def _row(r: tuple) -> Row:
        return Row(key=r[0], seq=r[1], state=r[2], case_path=r[3], origin=r[4], attempts=r[5],
                   outcome=r[6], error=r[7], needs_person=json.loads(r[8] or "[]"),
                   started_at=r[9], finished_at=r[10], seconds=r[11])

    # -- changing it: each a committed transaction, before the action it announces ----
    def start(self, key: str, state: str) -> None:
        """`filling` (one more attempt) before the first key of a case is sent."""
        self.db.execute("UPDATE cases SET state=?, attempts=attempts+1, error=NULL, "
                        "started_at=COALESCE(started_at, ?) WHERE key=?", (state, now_iso(), key))

    def reopen(self, key: str) -> None:
        """An escalated case to do again from the start (the batch stopped on a fault every
        case met: its retries were spent on that fault, not on the case)."""
        self.db.execute("UPDATE cases SET state='failed', attempts=0, finished_at=NULL "
                        "WHERE key=?", (key,))

    def mark(self, key: str, state: str) -> None:
        """`saving`, before the save is pressed."""
        self.db.execute("UPDATE cases SET state=? WHERE key=?", (state, key))

    def finish(self, key: str, state: str, *, outcome: str, error: str | None = None,
               needs_person: list[str] | None = None, seconds: float | None = None) -> None:
        """done, set_aside, failed or escalated, with what happened."""
        self.db.execute(
            "UPDATE cases SET state=?, outcome=?, error=?, needs_person=?, finished_at=?, "
            "seconds=COALESCE(?, seconds) WHERE key=?",
            (state, outcome, error, json.dumps(needs_person or [], ensure_ascii=False),
             now_iso(), seconds, key))
