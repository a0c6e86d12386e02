"""The suite-wide privacy scan: every log the test run wrote (deskhand.log and its
rotations, anything named *.log, audit logs) is searched for resident ID numbers in clear —
18 characters whose check digit passes GB 11643 and whose birth date is a real date.
Case files, ledgers and workbooks legitimately hold the number and are not logs.

Run from conftest's session fixture at the very end, so any subset of the suite is scanned
(a test named to run last would be skipped by `-k`, a single file or `-x`)."""
from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from app.checks.id_number import id_check_char
from app.privacy import mask

__all__ = ["is_log", "scan_logs", "unmasked_ids"]

_CANDIDATE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_ROTATED = re.compile(r"\.log(\.\d+)?$")


def is_log(path: Path) -> bool:
    """deskhand.log, x.log.3 (rotations), audit logs and checkpoint files."""
    name = path.name
    return bool(_ROTATED.search(name)) or (name.endswith(".jsonl") and (
        "audit" in name or "checkpoint" in name or path.parent.name == "audit"))


def _real_id(text: str) -> bool:
    if id_check_char(text[:17]) != text[17].upper():
        return False
    try:
        born = date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return False
    return 1900 <= born.year <= 2100


def unmasked_ids(text: str) -> Iterator[tuple[int, str]]:
    """(line number, masked value) of each ID number in clear in `text`."""
    for number, line in enumerate(text.splitlines(), 1):
        for m in _CANDIDATE.finditer(line):
            if _real_id(m.group(0)):
                yield number, mask(m.group(0), "id_number")


def scan_logs(root: Path) -> list[str]:
    """`file:line: 3508**********1234` for every ID number in clear in a log under `root`."""
    found = []
    for path in sorted(p for p in root.rglob("*") if p.is_file() and is_log(p)):
        try:
            raw = path.read_bytes()
        except OSError:
            continue
        if b"\0" in raw:    # a browser profile's leveldb "*.log" is binary, not a log
            continue
        text = raw.decode("utf-8", errors="replace")
        found += [f"{path}:{n}: {value}" for n, value in unmasked_ids(text)]
    return found
