"""The CLIPBOARD selection on X11, done by hand with python-xlib.

Three jobs, all event-driven rather than timed (DESIGN.md §5 saw xclip-based
paste leave fields empty when timing was guessed):
- read what another client owns (read-back after ctrl+c, saving the clerk's clipboard);
- own the selection and serve text until the target has taken it (paste);
- serve a saved snapshot back (app/desktop/x11_clipboard_keeper.py, a process
  that outlives the fill, as xclip does).
"""
from __future__ import annotations

import select
import time
from typing import Callable

from Xlib import X, Xatom
from Xlib.display import Display
from Xlib.protocol import event as xevent, request

from app.desktop.base import ClipboardSnapshot
from app.errors import ClipboardError

# Targets that describe the selection rather than hold data: never saved.
META_TARGETS = frozenset({
    "TARGETS", "MULTIPLE", "TIMESTAMP", "SAVE_TARGETS", "DELETE", "INSERT_SELECTION",
    "INSERT_PROPERTY", "_QT_SELECTION", "SAVE_TARGETS",
})
TEXT_TARGETS = ("UTF8_STRING", "text/plain;charset=utf-8", "STRING", "TEXT", "text/plain")
MAX_SAVED_BYTES = 16 * 1024 * 1024


class Selections:
    """Selection traffic on one display connection, through one hidden window."""

    def __init__(self, display: Display, selection: str = "CLIPBOARD") -> None:
        self.d = display
        self.atom = display.intern_atom(selection)
        self.prop = display.intern_atom("DESKHAND_SEL")
        self.incr = display.intern_atom("INCR")
        self.targets_atom = display.intern_atom("TARGETS")
        self.window = display.screen().root.create_window(
            -10, -10, 1, 1, 0, X.CopyFromParent, event_mask=X.PropertyChangeMask)
        self._serving: dict[str, tuple[str, int, bytes]] = {}
        self._served_data = 0       # data requests answered since the last own()
        self._lost = False          # we got SelectionClear since the last own()
        self._last_request = 0.0    # monotonic time of the last request we answered

    # -- ownership -------------------------------------------------------
    def owner(self) -> int:
        o = self.d.get_selection_owner(self.atom)
        return o.id if hasattr(o, "id") else int(o)

    def own(self, formats: dict[str, tuple[str, int, bytes]]) -> None:
        """Become the owner, serving `formats` (target -> (type, format, data))."""
        self._serving = dict(formats)
        self._served_data = 0
        self._lost = False
        self.window.set_selection_owner(self.atom, X.CurrentTime)
        self.d.sync()
        if self.owner() != self.window.id:
            raise ClipboardError("Could not take the clipboard to transfer text; "
                                 "another program is holding it. Try again.")

    def own_text(self, text: str) -> None:
        data = text.encode("utf-8")
        self.own({t: ("UTF8_STRING" if t != "STRING" else "STRING", 8,
                      data if t != "STRING" else text.encode("latin-1", "replace"))
                  for t in TEXT_TARGETS})

    def disown(self) -> None:
        if self.owner() == self.window.id:
            self.window.set_selection_owner(X.NONE, X.CurrentTime)
            self.d.sync()
        self._serving = {}

    def clear(self) -> None:
        """Leave the selection with no owner at all (an empty clipboard)."""
        request.SetSelectionOwner(display=self.d.display, window=X.NONE,
                                  selection=self.atom, time=X.CurrentTime)
        self.d.sync()
        self._serving = {}

    @property
    def lost(self) -> bool:
        return self._lost

    @property
    def served(self) -> int:
        return self._served_data

    # -- event pump ----------------------------------------------------------
    def pump(self, until: Callable[[], bool], timeout: float) -> bool:
        """Handle events (answering selection requests) until `until()` or timeout."""
        deadline = time.monotonic() + timeout
        while not until():
            ev = self._next_event(deadline)
            if ev is None:
                return until()
            self._handle(ev)
        return True

    def _next_event(self, deadline: float):  # -> event | None
        while True:
            if self.d.pending_events():
                return self.d.next_event()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            select.select([self.d], [], [], min(remaining, 0.05))

    def drain(self) -> None:
        """Answer every request already waiting, without blocking."""
        while self.d.pending_events():
            self._handle(self.d.next_event())

    def settle(self, quiet: float = 0.06, timeout: float = 1.0) -> None:
        """Keep answering until the requesters have been quiet for `quiet` seconds.
        Chromium reads the clipboard more than once per paste; only the last read
        is the one it inserts, so the text must stay on offer until it is done."""
        self.pump(lambda: time.monotonic() - self._last_request >= quiet, timeout)

    def _handle(self, ev) -> None:
        if ev.type == X.SelectionRequest:
            self._last_request = time.monotonic()
            if serve_request(self.d, ev, self._serving, self.targets_atom):
                self._served_data += 1
        elif ev.type == X.SelectionClear and ev.window.id == self.window.id:
            self._lost = True

    # -- reading -------------------------------------------------------------
    def convert(self, target: str, timeout: float = 1.0) -> tuple[str, int, bytes] | None:
        """Ask the owner for `target`; returns (type, format, data) or None if refused."""
        target_atom = self.d.intern_atom(target)
        self.window.delete_property(self.prop)
        self.window.convert_selection(self.atom, target_atom, self.prop, X.CurrentTime)
        self.d.flush()
        result: list = []

        def got() -> bool:
            return bool(result)

        deadline = time.monotonic() + timeout
        while not result:
            ev = self._next_event(deadline)
            if ev is None:
                return None
            if ev.type == X.SelectionNotify and ev.requestor.id == self.window.id:
                result.append(ev)
            else:
                self._handle(ev)
        ev = result[0]
        if ev.property == X.NONE:
            return None
        prop = self.window.get_full_property(self.prop, X.AnyPropertyType, sizehint=1 << 20)
        if prop is None:
            return None
        self.window.delete_property(self.prop)
        self.d.flush()
        if prop.property_type == self.incr:
            return self._read_incr(deadline)
        return (self.d.get_atom_name(prop.property_type), prop.format, _as_bytes(prop))

    def _read_incr(self, deadline: float) -> tuple[str, int, bytes] | None:
        """ICCCM INCR: the owner sends the data in pieces, each announced by a property change."""
        chunks: list[bytes] = []
        type_name, fmt = "UTF8_STRING", 8
        total = 0
        while True:
            ev = self._next_event(deadline + 5.0)
            if ev is None:
                return None
            if not (ev.type == X.PropertyNotify and ev.window.id == self.window.id
                    and ev.atom == self.prop and ev.state == X.PropertyNewValue):
                self._handle(ev)
                continue
            prop = self.window.get_full_property(self.prop, X.AnyPropertyType, sizehint=1 << 20)
            self.window.delete_property(self.prop)
            self.d.flush()
            if prop is None:
                continue
            piece = _as_bytes(prop)
            if not piece:
                return (type_name, fmt, b"".join(chunks))
            type_name, fmt = self.d.get_atom_name(prop.property_type), prop.format
            chunks.append(piece)
            total += len(piece)
            if total > MAX_SAVED_BYTES:
                return None

    def read_text(self, timeout: float = 1.0) -> str | None:
        for target in ("UTF8_STRING", "text/plain;charset=utf-8", "STRING"):
            got = self.convert(target, timeout)
            if got is not None:
                enc = "latin-1" if target == "STRING" else "utf-8"
                return got[2].decode(enc, "replace")
        return None

    def snapshot(self, timeout: float = 1.0) -> ClipboardSnapshot:
        """Everything the current owner offers, to be served back after the fill."""
        snap = ClipboardSnapshot()
        if self.owner() == X.NONE:
            return snap
        listing = self.convert("TARGETS", timeout)
        if listing is None:
            # An owner that lists nothing may still give text.
            text = self.read_text(timeout)
            if text is not None:
                snap.formats["UTF8_STRING"] = text.encode("utf-8")
                snap.meta["UTF8_STRING"] = ("UTF8_STRING", 8)
                snap.empty = False
            return snap
        atoms = _atoms(listing)
        total = 0
        for atom in atoms:
            name = self.d.get_atom_name(atom)
            if name in META_TARGETS or name in snap.formats:
                continue
            got = self.convert(name, timeout)
            if got is None or got[0] == "INCR" or total + len(got[2]) > MAX_SAVED_BYTES:
                snap.skipped.append(name)
                continue
            snap.formats[name] = got[2]
            snap.meta[name] = (got[0], got[1])
            total += len(got[2])
        snap.empty = not snap.formats
        return snap

    def close(self) -> None:
        try:
            self.window.destroy()
            self.d.flush()
        except Exception:  # the display may already be gone
            pass


def _as_bytes(prop) -> bytes:
    value = prop.value
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if isinstance(value, str):
        return value.encode("latin-1")
    # format 16/32: a sequence of ints
    width = {16: 2, 32: 4}.get(prop.format, 4)
    return b"".join(int(v).to_bytes(width, "little") for v in value)


def _atoms(got: tuple[str, int, bytes]) -> list[int]:
    data = got[2]
    return [int.from_bytes(data[i:i + 4], "little") for i in range(0, len(data) - 3, 4)]


def serve_request(d: Display, ev, formats: dict[str, tuple[str, int, bytes]],
                  targets_atom: int) -> bool:
    """Answer one SelectionRequest from `formats`. Returns True if data was sent."""
    prop = ev.property if ev.property != X.NONE else ev.target  # obsolete clients
    target = d.get_atom_name(ev.target)
    sent_data = False
    if ev.target == targets_atom:
        atoms = [targets_atom] + [d.intern_atom(name) for name in formats]
        ev.requestor.change_property(prop, Xatom.ATOM, 32, atoms)
    elif target in formats:
        type_name, fmt, data = formats[target]
        if fmt == 8:
            payload: bytes | list[int] = data
        else:
            width = fmt // 8
            payload = [int.from_bytes(data[i:i + width], "little")
                       for i in range(0, len(data), width)]
        ev.requestor.change_property(prop, d.intern_atom(type_name), fmt, payload)
        sent_data = True
    else:
        prop = X.NONE
    reply = xevent.SelectionNotify(time=ev.time, requestor=ev.requestor, selection=ev.selection,
                                   target=ev.target, property=prop)
    ev.requestor.send_event(reply, event_mask=0, propagate=False)
    d.flush()
    return sent_data
