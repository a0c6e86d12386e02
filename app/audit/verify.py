"""Checking an audit log: each entry's mac, the chain from one entry to the next, and the
checkpoints IT collected. The FIRST broken entry is named, with its seq, its line and what
was done to it:

  edited     the entry's mac does not match its content (or the line is not an entry)
  deleted    a gap: the seq after the previous entry is missing and appears nowhere later
  reordered  an entry stands before one that should precede it
  inserted   an entry that does not chain onto the one before (a duplicate seq, or a
             forged entry in the right place)
  truncated  the log ends before a checkpoint's entry (the newest entries were deleted)
  checkpoint a checkpoint's mac differs from the log's entry of that seq (rewritten with the key)
  replaced   the checkpoints name another log of this desk and user (the log was swapped)

Entries chained without a key (SHA-256, the keyring was unavailable) verify as intact but
are counted as weaker: anyone could have rewritten them.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from app.audit.chain import ALG_UNKEYED, GENESIS, mac_ok
from app.audit.checkpoints import Checkpoint
from app.errors import AuditError
from app.i18n import _

__all__ = ["Problem", "Verdict", "read_entries", "verify_entries", "verify_log"]

REQUIRED = {"seq": int, "time": str, "event": str, "data": dict, "alg": str, "prev": str,
            "mac": str}


@dataclass
class Problem:
    kind: str
    seq: int | None
    line: int
    message: str


@dataclass
class Verdict:
    log: str
    entries: int = 0
    first_seq: int | None = None
    last_seq: int | None = None
    algorithms: list[str] = field(default_factory=list)
    unkeyed: int = 0
    checkpoints_read: int = 0
    checkpoints_matched: int = 0
    problem: Problem | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None

    def as_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["ok"] = self.ok
        return d


def read_entries(path: Path) -> list[tuple[int, dict[str, Any] | None, str]]:
    """(line number, entry or None when the line is not one, raw text) for each non-empty line."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise AuditError(_("There is no audit log at {path}.", path=path)) from None
    except OSError as e:
        raise AuditError(_("The audit log {path} cannot be read ({reason}).", path=path,
                           reason=e.strerror or e)) from None
    out = []
    for number, line in enumerate(raw.split(b"\n"), 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            entry = None
        if isinstance(entry, dict) and all(isinstance(entry.get(k), t) for k, t in REQUIRED.items()):
            out.append((number, entry, line.decode("utf-8", "replace")))
        else:
            out.append((number, None, line.decode("utf-8", "replace")))
    return out


def _chain_problem(rows: list[tuple[int, dict[str, Any] | None, str]],
                   key: bytes | None) -> Problem | None:
    later: dict[int, int] = {}
    for number, entry, _raw in rows:
        if entry is not None:
            later.setdefault(entry["seq"], number)
    seen: set[int] = set()
    prev: dict[str, Any] | None = None
    expected = 1
    for number, entry, _raw in rows:
        if entry is None:
            return Problem("edited", expected, number, _(
                "Line {line} is not an audit entry (edited, or a write cut off): the entry "
                "after seq {seq} is damaged.", line=number, seq=expected - 1))
        seq = entry["seq"]
        try:
            good = mac_ok(entry, key)
        except LookupError:
            raise AuditError(_("The audit log is signed with {alg} but no key was given: run "
                               "verify on the desk it was written on (the key is in its "
                               "keyring) or give --key-file.", alg=entry["alg"])) from None
        except KeyError:
            good = False
        if not good:
            return Problem("edited", seq, number, _(
                "Entry seq {seq} (line {line}) was edited: its MAC does not match its content.",
                seq=seq, line=number))
        want_prev = prev["mac"] if prev is not None else GENESIS
        if seq != expected or entry["prev"] != want_prev:
            if seq > expected and expected in later and later[expected] > number:
                return Problem("reordered", seq, number, _(
                    "Entry seq {seq} (line {line}) stands before seq {expected} (line "
                    "{other}): the entries were reordered.", seq=seq, line=number,
                    expected=expected, other=later[expected]))
            if seq > expected:
                return Problem("deleted", seq, number, _(
                    "Entries seq {first}–{last} were deleted: line {line} holds seq {seq} "
                    "right after seq {before}.", first=expected, last=seq - 1, line=number,
                    seq=seq, before=expected - 1))
            if seq < expected and seq not in seen:
                return Problem("reordered", seq, number, _(
                    "Entry seq {seq} (line {line}) stands after seq {before}: the entries "
                    "were reordered.", seq=seq, line=number, before=expected - 1))
            return Problem("inserted", seq, number, _(
                "Entry seq {seq} (line {line}) does not chain onto the entry before it: it was "
                "inserted (or copied) there.", seq=seq, line=number))
        seen.add(seq)
        prev, expected = entry, seq + 1
    return None


def _checkpoint_problem(entries: dict[int, tuple[int, dict[str, Any]]], last_seq: int,
                        log_id: str | None, host: str | None, user: str | None,
                        checkpoints: list[Checkpoint], verdict: Verdict) -> Problem | None:
    mine = [cp for cp in checkpoints if cp.log == log_id]
    verdict.checkpoints_read = len(mine)
    beyond = [cp for cp in mine if cp.seq > last_seq]
    if beyond:
        newest = max(beyond, key=lambda c: c.seq)
        return Problem("truncated", last_seq + 1, 0, _(
            "The newest entries were deleted: the log ends at seq {last} but the checkpoint "
            "of {time} names seq {seq}; entries seq {first}–{seq} at least are gone.",
            last=last_seq, time=newest.time, seq=newest.seq, first=last_seq + 1))
    for cp in sorted(mine, key=lambda c: c.seq):
        if cp.seq not in entries:
            continue       # a gap inside the log: the chain names it
        number, entry = entries[cp.seq]
        if entry["mac"] != cp.mac:
            return Problem("checkpoint", cp.seq, number, _(
                "Entry seq {seq} (line {line}) differs from the checkpoint of {time}: the log "
                "was rewritten from there on.", seq=cp.seq, line=number, time=cp.time))
        verdict.checkpoints_matched += 1
    others = sorted({cp.log for cp in checkpoints if cp.log != log_id and host and cp.host == host
                     and cp.user == user})
    if others:
        return Problem("replaced", None, 0, _(
            "The checkpoints name another audit log of this desk and user ({other}): the log "
            "was replaced or started afresh.", other=others[0]))
    return None


def verify_entries(path: Path, key: bytes | None,
                   checkpoints: list[Checkpoint] | None = None) -> Verdict:
    rows = read_entries(path)
    verdict = Verdict(log=str(path))
    good = [(n, e) for n, e, _raw in rows if e is not None]
    verdict.entries = len(rows)
    if good:
        verdict.first_seq, verdict.last_seq = good[0][1]["seq"], good[-1][1]["seq"]
    verdict.algorithms = sorted({e["alg"] for _n, e in good})
    verdict.unkeyed = sum(e["alg"] == ALG_UNKEYED for _n, e in good)
    problems = []
    chain = _chain_problem(rows, key)
    if chain is not None:
        problems.append(chain)
    if checkpoints:
        first = good[0][1] if good else {}
        log_id = first.get("data", {}).get("log_id") if first.get("event") == "log_start" else None
        cp = _checkpoint_problem({e["seq"]: (n, e) for n, e in good},
                                 verdict.last_seq or 0, log_id, first.get("host"),
                                 first.get("user"), checkpoints, verdict)
        if cp is not None:
            problems.append(cp)
    if problems:   # the earliest entry that is wrong; a truncated tail comes after the chain
        verdict.problem = min(problems, key=lambda p: (p.seq is None, p.seq or 0))
    return verdict


def verify_log(path: Path, key: bytes | None, checkpoint_files: list[Path]) -> Verdict:
    from app.audit.checkpoints import read_checkpoints
    cps: list[Checkpoint] = []
    for f in checkpoint_files:
        cps += read_checkpoints(f)
    return verify_entries(path, key, cps)
