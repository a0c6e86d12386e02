"""The reference registry's records in SQLite, seeded from app.sandbox.registry_service.data.

One table holds every endpoint's answer as JSON, keyed by (endpoint, lookup key): the
service only ever looks a record up by the key a client sends, and storing the answer
exactly as data.records_for builds it keeps the server and the tests in agreement by
construction. A database file given with --db is reused when it was seeded with the same
number of people and the same data version, and rebuilt otherwise.
"""
from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path
from typing import Any

from app.errors import UsageError
from app.sandbox.registry_service.data import ENDPOINTS, lookup_key, records_for_seeds

__all__ = ["RecordStore", "DATA_VERSION"]

# Bump when data.py changes what it generates, so a kept --db file is rebuilt.
DATA_VERSION = "1"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (
    endpoint TEXT NOT NULL,
    key      TEXT NOT NULL,
    data     TEXT NOT NULL,
    PRIMARY KEY (endpoint, key)
) WITHOUT ROWID;
"""


class RecordStore:
    """Look-ups by (endpoint, key). Built by `open`; `seed_s` says how long seeding took
    (0.0 when a kept database file was reused)."""

    def __init__(self, conn: sqlite3.Connection, people: int, seed_s: float) -> None:
        self._conn = conn
        self.people = people
        self.seed_s = seed_s

    @classmethod
    def open(cls, path: Path | None, people: int) -> "RecordStore":
        """An in-memory database when `path` is None, else the file at `path`."""
        if people < 0:
            raise UsageError(f"--people must be 0 or more, not {people}.")
        try:
            # The server answers from one event loop thread; check_same_thread is off only
            # because uvicorn may build the app on another thread than the one it serves on.
            conn = sqlite3.connect(":memory:" if path is None else str(path),
                                   check_same_thread=False)
            conn.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            raise UsageError(f"Cannot open the registry database {path}: {exc}. "
                             "Give a writable file with --db, or leave --db out.") from exc
        want = {"people": str(people), "data_version": DATA_VERSION}
        if dict(conn.execute("SELECT name, value FROM meta").fetchall()) == want:
            return cls(conn, people, 0.0)
        start = time.perf_counter()
        _seed(conn, people, want)
        return cls(conn, people, time.perf_counter() - start)

    def get(self, endpoint: str, key: str) -> dict[str, Any] | None:
        row = self._conn.execute("SELECT data FROM records WHERE endpoint = ? AND key = ?",
                                 (endpoint, key)).fetchone()
        return None if row is None else json.loads(row[0])

    def count(self, endpoint: str) -> int:
        return int(self._conn.execute("SELECT count(*) FROM records WHERE endpoint = ?",
                                      (endpoint,)).fetchone()[0])

    def close(self) -> None:
        self._conn.close()


def _seed(conn: sqlite3.Connection, people: int, meta: dict[str, str]) -> None:
    rows = []
    for _seed_no, records in records_for_seeds(people):
        for endpoint in ENDPOINTS:
            data = records[endpoint]
            if data is not None:
                rows.append((endpoint, lookup_key(endpoint, records),
                             json.dumps(data, ensure_ascii=False)))
    with conn:
        conn.execute("DELETE FROM records")
        conn.execute("DELETE FROM meta")
        # Generated identifiers have not collided so far; should two ever do, the lower
        # seed keeps the record, as records_for of the higher seed would then disagree.
        conn.executemany("INSERT OR IGNORE INTO records (endpoint, key, data) VALUES (?, ?, ?)",
                         rows)
        conn.executemany("INSERT INTO meta (name, value) VALUES (?, ?)", meta.items())
