"""Answering selection requests on X11, large data included (ICCCM §2.7.2, INCR).

One ChangeProperty request carries at most the server's maximum request length
(python-xlib has no BIG-REQUESTS: 65535 four-byte units, 256 KiB, less the
request's header). Data larger than that — a 100,000-character Chinese field is
about 300 KB of UTF-8 — goes by INCR: the reply property holds type INCR and the
size; each time the requestor deletes the property we write the next piece; a
zero-length piece ends it. A requestor that stops deleting is given up after
`stall_s` seconds, so that a target that never reads cannot hang a fill.

Used by app/desktop/x11_selection.Selections, for the fill's paste and for the
clipboard keeper that serves the clerk's saved clipboard back.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable

from Xlib import X, Xatom
from Xlib.display import Display
from Xlib.protocol import event as xevent

Formats = dict[str, tuple[str, int, bytes]]   # target -> (type name, format 8/16/32, data)
HEADER_BYTES = 24          # a ChangeProperty request before its data
MARGIN_BYTES = 1000        # room for whatever a server counts that we do not
CHUNK_CAP = 256 * 1024     # servers with BIG-REQUESTS advertise more than we can send


def max_property_bytes(display: Display) -> int:
    """The most data one ChangeProperty may carry on `display`'s connection, with a
    margin, a multiple of 4 so that 16- and 32-bit data never splits mid-item."""
    limit = display.display.info.max_request_length * 4 - HEADER_BYTES - MARGIN_BYTES
    return max(4096, min(limit, CHUNK_CAP)) // 4 * 4


@dataclass
class Transfer:
    """One INCR transfer under way: `data` goes to `requestor`'s `prop` piece by piece."""
    requestor: Any            # Xlib window object
    prop: int
    target: str
    type_atom: int
    fmt: int
    data: bytes
    sent: int = 0             # bytes written so far
    last_step: float = 0.0    # monotonic time the requestor last moved it on


class SelectionServer:
    """Serves `formats` to requestors on behalf of `owner_id` (our selection window)."""

    def __init__(self, display: Display, owner_id: int, *, chunk_bytes: int | None = None,
                 stall_s: float = 5.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.d = display
        self.owner_id = owner_id
        self.chunk = chunk_bytes or max_property_bytes(display)
        if self.chunk % 4:
            raise ValueError("chunk_bytes must be a multiple of 4")
        self.stall_s = stall_s
        self.clock = clock
        self.incr_atom = display.intern_atom("INCR")
        self.targets_atom = display.intern_atom("TARGETS")
        self.formats: Formats = {}
        self.transfers: dict[tuple[int, int], Transfer] = {}
        self.completed = 0           # data requests answered in full since offer()
        self.stalled: list[Transfer] = []   # given up since offer(): the requestor stopped
        self.last_activity = 0.0     # a request or an INCR step
        self.errors: list[str] = []  # X errors on requestor windows (they may have gone)

    def offer(self, formats: Formats) -> None:
        """Serve `formats` from now on. Transfers under way finish with their own data."""
        self.formats = dict(formats)
        self.completed = 0
        self.stalled = []

    @property
    def busy(self) -> bool:
        return bool(self.transfers)

    # -- events ----------------------------------------------------------------
    def handle(self, ev) -> bool:
        """Handle `ev` if it is ours (a request, or a step of a transfer); True if it was."""
        if ev.type == X.SelectionRequest:
            self._request(ev)
            return True
        if ev.type == X.PropertyNotify and ev.state == X.PropertyDelete:
            transfer = self.transfers.get((ev.window.id, ev.atom))
            if transfer is not None:
                self._step(transfer)
                return True
        return False

    def expire(self) -> None:
        """Give up transfers whose requestor has not moved them on for `stall_s`."""
        now = self.clock()
        for key, t in list(self.transfers.items()):
            if now - t.last_step > self.stall_s:
                self._end(key)
                self.stalled.append(t)

    def next_expiry(self) -> float | None:
        """When the earliest transfer under way will be given up, if none moves."""
        if not self.transfers:
            return None
        return min(t.last_step for t in self.transfers.values()) + self.stall_s

    # -- answering ---------------------------------------------------------------
    def _request(self, ev) -> None:
        self.last_activity = self.clock()
        prop = ev.property if ev.property != X.NONE else ev.target  # obsolete clients
        target = self.d.get_atom_name(ev.target)
        requestor = ev.requestor
        if ev.target == self.targets_atom:
            atoms = [self.targets_atom] + [self.d.intern_atom(name) for name in self.formats]
            requestor.change_property(prop, Xatom.ATOM, 32, atoms, onerror=self._error)
        elif target in self.formats:
            type_name, fmt, data = self.formats[target]
            type_atom = self.d.intern_atom(type_name)
            if len(data) <= self.chunk:
                requestor.change_property(prop, type_atom, fmt, _payload(data, fmt),
                                          onerror=self._error)
                self.completed += 1
            else:
                self._begin(requestor, prop, target, type_atom, fmt, data)
        else:
            prop = X.NONE
        reply = xevent.SelectionNotify(time=ev.time, requestor=requestor, selection=ev.selection,
                                       target=ev.target, property=prop)
        requestor.send_event(reply, event_mask=0, propagate=False, onerror=self._error)
        self.d.flush()

    def _begin(self, requestor, prop: int, target: str, type_atom: int, fmt: int,
               data: bytes) -> None:
        # Watch the requestor's properties before it can see the INCR reply, or its
        # first delete could come before we listen.
        if requestor.id != self.owner_id:
            requestor.change_attributes(event_mask=X.PropertyChangeMask, onerror=self._error)
        key = (requestor.id, prop)
        self.transfers[key] = Transfer(requestor, prop, target, type_atom, fmt, data,
                                       last_step=self.clock())
        requestor.change_property(prop, self.incr_atom, 32, [len(data)], onerror=self._error)

    def _step(self, t: Transfer) -> None:
        """The requestor deleted the property: write the next piece (empty at the end)."""
        now = self.clock()
        t.last_step = self.last_activity = now
        piece = t.data[t.sent:t.sent + self.chunk]
        t.requestor.change_property(t.prop, t.type_atom, t.fmt, _payload(piece, t.fmt),
                                    onerror=self._error)
        t.sent += len(piece)
        if not piece:
            self._end((t.requestor.id, t.prop))
            self.completed += 1
        self.d.flush()

    def _end(self, key: tuple[int, int]) -> None:
        t = self.transfers.pop(key)
        if t.requestor.id != self.owner_id and not any(
                k[0] == key[0] for k in self.transfers):
            t.requestor.change_attributes(event_mask=0, onerror=self._error)
        self.d.flush()

    def _error(self, err, request) -> None:
        # A requestor window that went away mid-transfer: its transfer stalls and expires.
        self.errors.append(str(err).splitlines()[0] if str(err) else type(err).__name__)


def _payload(data: bytes, fmt: int) -> bytes | list[int]:
    if fmt == 8:
        return data
    width = fmt // 8
    return [int.from_bytes(data[i:i + width], "little") for i in range(0, len(data), width)]
