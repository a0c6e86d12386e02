"""A sync point with the target program through _NET_WM_PING (EWMH).

A program answers the ping from its X event loop, in order: its pong proves it has read
every event queued for it before the ping — the MappingNotify of a keymap change and the
keys typed so far. That replaces blind waits (x11.py: before typing with freshly bound
spare keycodes, before rebinding ones just used). Programs whose window does not list
_NET_WM_PING in WM_PROTOCOLS get the waits instead.
"""
from __future__ import annotations

import itertools
import select
import time

from Xlib import X, Xatom, error as xerror
from Xlib.display import Display
from Xlib.protocol import event as xevent


class Pinger:
    """Its own connection: the pong goes to the root window, whose events this
    connection alone listens to, so the desktop's connection sees none of them."""

    def __init__(self, display_name: str) -> None:
        self.d = Display(display_name)
        self.root = self.d.screen().root
        self._protocols = self.d.intern_atom("WM_PROTOCOLS")
        self._ping = self.d.intern_atom("_NET_WM_PING")
        self._serial = itertools.count(1)
        self._answers: dict[int, bool] = {}
        self.d.sync()

    def answers(self, wid: int) -> bool:
        """Does the window say it answers pings? Asked once per window."""
        if wid not in self._answers:
            try:
                w = self.d.create_resource_object("window", wid)
                prop = w.get_full_property(self._protocols, Xatom.ATOM)
                self._answers[wid] = bool(prop) and self._ping in prop.value
            except xerror.XError:
                self._answers[wid] = False
        return self._answers[wid]

    def ping(self, wid: int, timeout: float) -> bool:
        """Ping the window and wait for its pong; False when it does not answer pings or
        not within `timeout` (a busy program: the caller waits the old way)."""
        if not self.answers(wid):
            return False
        serial = next(self._serial) & 0x7FFFFFFF
        w = self.d.create_resource_object("window", wid)
        # Clients send the pong with SubstructureNotify|SubstructureRedirect (GTK,
        # Chromium) or StructureNotify|SubstructureRedirect (Qt): listen for both, only
        # while waiting, so no other root events pile up between pings.
        self.root.change_attributes(event_mask=X.SubstructureNotifyMask | X.StructureNotifyMask)
        w.send_event(xevent.ClientMessage(window=w, client_type=self._protocols,
                                          data=(32, [self._ping, serial, wid, 0, 0])),
                     event_mask=0, onerror=xerror.CatchError())   # the window may be gone
        self.d.flush()
        try:
            return self._pong(serial, time.monotonic() + timeout)
        finally:
            self.root.change_attributes(event_mask=0)
            self.d.sync()
            while self.d.pending_events():
                self.d.next_event()

    def _pong(self, serial: int, deadline: float) -> bool:
        while True:
            while self.d.pending_events():
                ev = self.d.next_event()
                if (ev.type == X.ClientMessage and ev.client_type == self._protocols
                        and ev.data[1][0] == self._ping and ev.data[1][1] == serial):
                    return True
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            select.select([self.d], [], [], left)

    def close(self) -> None:
        try:
            self.d.close()
        except Exception:  # the display may already be gone
            pass
