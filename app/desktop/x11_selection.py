"""The CLIPBOARD selection on X11, done by hand with python-xlib.

Three jobs, all event-driven rather than timed (DESIGN.md §5 saw xclip-based
paste leave fields empty when timing was guessed):
- read what another client owns (read-back after ctrl+c, saving the clerk's clipboard);
- own the selection and serve text until the target has taken it (paste);
- serve a saved snapshot back (app/desktop/x11_clipboard_keeper.py, a process
  that outlives the fill, as xclip does).
Data of any size both ways: larger than one X request goes by the ICCCM INCR
protocol (app/desktop/x11_selection_server.py serves it, _read_incr reads it).
"""
from __future__ import annotations

import select
import time
from typing import Callable

from Xlib import X
from Xlib.display import Display
from Xlib.protocol import request

from app.desktop.base import ClipboardSnapshot
from app.desktop.x11_selection_server import Formats, SelectionServer, Transfer
from app.errors import ClipboardError
from app.i18n import _

# Targets that describe the selection rather than hold data: never saved.
META_TARGETS = frozenset({
    "TARGETS", "MULTIPLE", "TIMESTAMP", "SAVE_TARGETS", "DELETE", "INSERT_SELECTION",
    "INSERT_PROPERTY", "_QT_SELECTION", "SAVE_TARGETS",
})
TEXT_TARGETS = ("UTF8_STRING", "text/plain;charset=utf-8", "STRING", "TEXT", "text/plain")
MAX_SAVED_BYTES = 16 * 1024 * 1024


def utf8_text(data: bytes) -> str:
    """UTF-8 as owners send it. Tk sends a character beyond the BMP as its two UTF-16
    halves, each encoded on its own (CESU-8, measured: 𠀾 as ED A1 80 ED B0 BE): they are
    joined again, so the text reads as the box holds it."""
    try:
        text = data.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        return data.decode("utf-8", "replace")
    if not any("\ud800" <= ch <= "\udfff" for ch in text):
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


class Selections:
    """Selection traffic on one display connection, through one hidden window."""

    def __init__(self, display: Display, selection: str = "CLIPBOARD", *,
                 stall_s: float = 5.0, chunk_bytes: int | None = None,
                 poll_s: float = 0.05) -> None:
        self.d = display
        self.atom = display.intern_atom(selection)
        self.prop = display.intern_atom("DESKHAND_SEL")
        self.incr = display.intern_atom("INCR")
        self.targets_atom = display.intern_atom("TARGETS")
        self.window = display.screen().root.create_window(
            -10, -10, 1, 1, 0, X.CopyFromParent, event_mask=X.PropertyChangeMask)
        # stall_s: how long a requestor may leave an INCR piece unread (serving), or
        # an owner leave us waiting for the next piece (reading), before we give up.
        self.stall_s = stall_s
        self.poll_s = poll_s
        self.server = SelectionServer(display, self.window.id, chunk_bytes=chunk_bytes,
                                      stall_s=stall_s)
        self._lost = False          # we got SelectionClear since the last own()

    # -- ownership -------------------------------------------------------
    def owner(self) -> int:
        o = self.d.get_selection_owner(self.atom)
        return o.id if hasattr(o, "id") else int(o)

    def own(self, formats: Formats) -> None:
        """Become the owner, serving `formats` (target -> (type, format, data))."""
        self.server.offer(formats)
        self._lost = False
        self.window.set_selection_owner(self.atom, X.CurrentTime)
        self.d.sync()
        if self.owner() != self.window.id:
            raise ClipboardError(_("Could not take the clipboard to transfer text; another "
                                   "program is holding it. Try again."))

    def own_text(self, text: str) -> None:
        data = text.encode("utf-8")
        self.own({t: ("UTF8_STRING" if t != "STRING" else "STRING", 8,
                      data if t != "STRING" else text.encode("latin-1", "replace"))
                  for t in TEXT_TARGETS})

    def disown(self) -> None:
        if self.owner() == self.window.id:
            self.window.set_selection_owner(X.NONE, X.CurrentTime)
            self.d.sync()
        self.server.offer({})

    def clear(self) -> None:
        """Leave the selection with no owner at all (an empty clipboard)."""
        request.SetSelectionOwner(display=self.d.display, window=X.NONE,
                                  selection=self.atom, time=X.CurrentTime)
        self.d.sync()
        self.server.offer({})

    @property
    def lost(self) -> bool:
        return self._lost

    @property
    def served(self) -> int:
        """Data requests answered in full since the last own()."""
        return self.server.completed

    @property
    def busy(self) -> bool:
        """A large answer (INCR) is still going to a requestor."""
        return self.server.busy

    # -- event pump ----------------------------------------------------------
    def pump(self, until: Callable[[], bool], timeout: float) -> bool:
        """Handle events (answering selection requests) until `until()` or timeout.
        A large answer under way outlives the timeout until it ends or stalls, so
        that no requestor is left with half the data."""
        deadline = time.monotonic() + timeout
        while not until():
            self.server.expire()
            expiry = self.server.next_expiry()
            ev = self._next_event(deadline if expiry is None else max(deadline, expiry))
            if ev is not None:
                self._handle(ev)
            elif time.monotonic() >= deadline and not self.server.busy:
                return until()
        return True

    def wait_taken(self, timeout: float) -> bool:
        """After own(): answer requests until one has taken the data in full. False
        if none came within `timeout`; ClipboardError if a requestor began taking a
        large text and stopped."""
        server = self.server
        self.pump(lambda: server.completed > 0 or bool(server.stalled), timeout)
        if server.completed > 0:
            return True
        if server.stalled:
            raise ClipboardError(_stalled_sentence(server.stalled[0], self.stall_s))
        return False

    def _next_event(self, deadline: float):  # -> event | None
        while True:
            if self.d.pending_events():
                return self.d.next_event()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            select.select([self.d], [], [], min(remaining, self.poll_s))

    def drain(self) -> None:
        """Answer every request already waiting, without blocking."""
        while self.d.pending_events():
            self._handle(self.d.next_event())

    def settle(self, quiet: float = 0.06, timeout: float = 1.0) -> None:
        """Keep answering until the requesters have been quiet for `quiet` seconds.
        Chromium reads the clipboard more than once per paste; only the last read
        is the one it inserts, so the text must stay on offer until it is done."""
        self.pump(lambda: not self.server.busy
                  and time.monotonic() - self.server.last_activity >= quiet, timeout)

    def _handle(self, ev) -> None:
        if self.server.handle(ev):
            return
        if ev.type == X.SelectionClear and ev.window.id == self.window.id:
            self._lost = True

    # -- reading -------------------------------------------------------------
    def convert(self, target: str, timeout: float = 1.0) -> tuple[str, int, bytes] | None:
        """Ask the owner for `target`; returns (type, format, data) or None if refused."""
        target_atom = self.d.intern_atom(target)
        self.window.delete_property(self.prop)
        self.window.convert_selection(self.atom, target_atom, self.prop, X.CurrentTime)
        self.d.flush()
        result: list = []
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
            return self._read_incr(self.stall_s)
        return (self.d.get_atom_name(prop.property_type), prop.format, _as_bytes(prop))

    def _read_incr(self, step_s: float) -> tuple[str, int, bytes] | None:
        """ICCCM INCR: the owner sends the data in pieces, each announced by a property
        change; None if a piece is `step_s` late or the whole grows past MAX_SAVED_BYTES."""
        chunks: list[bytes] = []
        type_name, fmt = "UTF8_STRING", 8
        total = 0
        deadline = time.monotonic() + step_s
        while True:
            ev = self._next_event(deadline)
            if ev is None:
                return None
            if not (ev.type == X.PropertyNotify and ev.window.id == self.window.id
                    and ev.atom == self.prop and ev.state == X.PropertyNewValue):
                self._handle(ev)
                continue
            prop = self.window.get_full_property(self.prop, X.AnyPropertyType, sizehint=1 << 20)
            self.window.delete_property(self.prop)
            self.d.flush()
            deadline = time.monotonic() + step_s
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
                if target == "STRING":
                    return got[2].decode("latin-1")
                return utf8_text(got[2])
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
            if got is None or total + len(got[2]) > MAX_SAVED_BYTES:
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


def _stalled_sentence(t: Transfer, stall_s: float) -> str:
    return _("The target window stopped taking the pasted text: it read {sent:,} of {total:,} "
             "bytes, then nothing for {seconds:g} s. The field may hold part of the text; check "
             "it and resume the fill. If it happens again, set method: keys for this field in "
             "the playbook.", sent=t.sent, total=len(t.data), seconds=stall_s)
