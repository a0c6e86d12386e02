"""Read-backs gathered and done together, for boxes the tree focused and keys filled.

Chromium's tree on Linux has no EditableText: each value is focused through the tree and
typed by keys, and its tree shows the typed text only some tens of milliseconds later. Waiting
for that after every box costs most of a fill (measured: 15 boxes 0.78 s, 0.5 s of it
waiting). So the box is typed, the target is made to take the keys (a ping: its event loop
has read them before it reads the next focus request), and the read-back is done for all such
boxes at once when the fill next does anything else.

Nothing is claimed earlier: until then a box is only "typed". A box found holding anything
but its value (a key that overtook a focus change would leave one box short and the next one
long) is set again the careful way, then every gathered box is read again, so a box is "read
back ok" only if it holds exactly its value after the last key of the fill went in.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from app.a11y.base import Accessibility, FormField
from app.desktop.base import WindowInfo

if TYPE_CHECKING:  # pragma: no cover
    from app.fill.engine import FieldResult

__all__ = ["LaterRead", "LaterReads"]

POLL_S = 0.004


@dataclass
class LaterRead:
    result: "FieldResult"
    box: FormField
    value: str
    target: WindowInfo


class LaterReads:
    """The boxes typed since the last gathering; `same(got, value, role)` says whether a
    box holds its value."""

    def __init__(self, a11y: Accessibility, same: Callable[[str | None, str, str], bool],
                 settle_s: float, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.a11y = a11y
        self.same = same
        self.settle_s = settle_s
        self.clock = clock
        self.sleep = sleep
        self.waiting: list[LaterRead] = []

    def add(self, read: LaterRead) -> None:
        self.waiting.append(read)

    def holds(self, result: "FieldResult") -> bool:
        return any(r.result is result for r in self.waiting)

    def read(self, redo: Callable[[LaterRead], str | None]) -> list[LaterRead]:
        """Read every gathered box back (waiting up to settle_s for the tree to show the
        last keys); set each again with `redo` that does not hold its value (it may return
        the box's own copy of its text, for a text the tree cannot show); then read all
        once more. Fills in each result's readback and status; returns the reads done."""
        reads, self.waiting = self.waiting, []
        if not reads:
            return reads
        texts = self._until_all_same(reads)
        wrong = [r for r, t in zip(reads, texts) if not self.same(t, r.value, r.box.role)]
        copies: dict[int, str] = {}
        for r in wrong:
            own = redo(r)
            if own is not None:
                copies[id(r)] = own
        if wrong:
            texts = self._texts(reads)
        for r, t in zip(reads, texts):
            if r.result.status == "refused":         # redo found the box gone or greyed
                continue
            if not self.same(t, r.value, r.box.role) and id(r) in copies:
                t = copies[id(r)]                    # the box's own copy: the tree can't show it
            r.result.readback = t
            r.result.status = "readback_ok" if self.same(t, r.value, r.box.role) \
                else "readback_differs"
        return reads

    def _texts(self, reads: list[LaterRead]) -> list[str | None]:
        by_window: dict[int, list[int]] = {}
        for i, r in enumerate(reads):
            by_window.setdefault(r.target.id, []).append(i)
        out: list[str | None] = [None] * len(reads)
        for idx in by_window.values():
            got = self.a11y.read_texts(reads[idx[0]].target, [reads[i].box for i in idx])
            for i, t in zip(idx, got):
                out[i] = t
        return out

    def _until_all_same(self, reads: list[LaterRead]) -> list[str | None]:
        deadline = self.clock() + self.settle_s
        while True:
            texts = self._texts(reads)
            if all(self.same(t, r.value, r.box.role) for r, t in zip(reads, texts)) \
                    or self.clock() >= deadline:
                return texts
            self.sleep(POLL_S)
