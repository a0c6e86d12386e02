"""The target window's pattern, from the titles it showed and its process: the title's
stable part, with `*` only where the title carried case data or changed during the
recording (a counter, a case number), never `*` alone and never a name or an ID number.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from playbooks.patterns import glob_catch_all

__all__ = ["TargetPattern", "target_pattern"]

_SEPARATORS = re.compile(r"(\s+[-–—|·]\s+|\s*[|｜]\s*)")
_CHANGING = re.compile(r"\d{3,}|[（(]\d+[)）]")       # case numbers, counters, dates


@dataclass(frozen=True)
class TargetPattern:
    title: str | None
    process: str | None
    note: str                      # a sentence for the report: what was left out and why


def _escape(text: str) -> str:
    """`text` as a glob matching itself."""
    return "".join(f"[{c}]" if c in "*?[]" else c for c in text)


def _common_prefix(titles: list[str]) -> str:
    first = titles[0]
    n = len(first)
    for t in titles[1:]:
        n = min(n, len(t))
        n = next((i for i in range(n) if first[i] != t[i]), n)
    return first[:n]


def _cut(piece: str | None, value: str) -> list[str | None]:
    """`piece` split around `value`, each occurrence a None (a wildcard)."""
    if piece is None or value not in piece:
        return [piece]
    out: list[str | None] = []
    for i, part in enumerate(piece.split(value)):
        if i:
            out.append(None)
        if part:
            out.append(part)
    return out


def _changing(piece: str | None) -> list[str | None]:
    """`piece` with counters and numbers (a case number, a date) as wildcards."""
    if piece is None:
        return [None]
    out: list[str | None] = []
    last = 0
    for m in _CHANGING.finditer(piece):
        if m.start() > last:
            out.append(piece[last:m.start()])
        out.append(None)
        last = m.end()
    if last < len(piece):
        out.append(piece[last:])
    return out


def target_pattern(titles: list[str], process: str | None, case_values: list[str]
                   ) -> TargetPattern:
    """The target of a playbook recorded in a window that showed `titles`."""
    values = sorted({v.strip() for v in case_values if len(v.strip()) >= 2}, key=len, reverse=True)
    titles = [t for t in titles if t.strip()]
    note = ""
    title: str | None = None
    if titles:
        parts = _SEPARATORS.split(titles[0])
        kept: list[str] = []
        cut = False
        for i, part in enumerate(parts):
            if i % 2 == 1:                       # a separator
                kept.append(_escape(part))
                continue
            pieces = [part]
            for v in values:          # case data → *, whatever surrounds it
                pieces = [q for p in pieces for q in _cut(p, v)]
            glob = "".join(_escape(p) if p is not None else "*"
                           for p in (q for p in pieces for q in _changing(p)))
            cut = cut or "*" in glob
            kept.append(glob)
        glob = "".join(kept)
        if len(titles) > 1:
            stable = _common_prefix(titles).rstrip(" （([-–—|·")
            if stable != titles[0]:
                prefix = _escape(stable)
                if not glob.startswith(prefix):
                    glob = prefix
                glob = glob[:len(prefix)] + "*"
                cut = True
        glob = re.sub(r"\*(\s*[-–—|·｜]\s*\*)+", "*", glob)
        glob = re.sub(r"\*+", "*", glob)
        if cut:
            note = "title-cut"
        title = glob if glob_catch_all(glob) is None else None
        if title is None:
            note = "title-loose"
    proc = process.strip() if process and process.strip() else None
    if proc is not None:
        proc = _escape(proc)
    return TargetPattern(title, proc, note)
