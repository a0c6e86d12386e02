"""Asking the X server and the target whether a key has been taken in, on a connection of
its own (the main one pumps selection traffic, which must not swallow these events).

Why this is needed (issue 12, measured under Xvfb): XSync only says the X server has the
keys, not that the target read them. Java Swing loses a Tab at random because its focus
manager holds back keys typed after a Tab only when their time stamp is LATER than the
Tab's (DefaultKeyboardFocusManager.typeAheadAssertions: `ke.getWhen() > marker.after`):
keys injected in the same millisecond as the Tab go to the box it left. So after a key
that moves focus, the server's clock must have ticked past it before anything else is
sent. Targets that answer _NET_WM_PING (GTK, Chromium, Firefox) are also asked for a
round trip, which proves their event loop has read the key; Java and Tk do not list it
in WM_PROTOCOLS, and the Qt 6 form lists it but never answers: for those the clock tick
is what there is.
"""
from __future__ import annotations

import select
import time

from Xlib import X, Xatom, error as xerror
from Xlib.display import Display
from Xlib.protocol import event as xevent


class X11Probe:
    def __init__(self, display_name: str) -> None:
        self.d = Display(display_name)
        self.root = self.d.screen().root
        # our own window: a property change on it returns the server's time
        self.window = self.root.create_window(-10, -10, 1, 1, 0, X.CopyFromParent,
                                              event_mask=X.PropertyChangeMask)
        self.root.change_attributes(event_mask=X.SubstructureNotifyMask)
        self._atom = {n: self.d.intern_atom(n) for n in (
            "WM_PROTOCOLS", "_NET_WM_PING", "DESKHAND_CLOCK")}
        self._pings: dict[int, bool] = {}     # window id → answers _NET_WM_PING
        self._answered: set[int] = set()      # windows seen to answer one
        self._serial = 0
        self.d.sync()

    def server_time(self, timeout: float = 1.0) -> int | None:
        """The X server's clock now (ms), read from a property change on our window."""
        self.window.change_property(self._atom["DESKHAND_CLOCK"], Xatom.INTEGER, 32, [0])
        self.d.flush()
        found = self._wait_event(lambda e: e.type == X.PropertyNotify
                                 and e.window.id == self.window.id, timeout)
        return int(found.time) if found is not None else None

    def tick_past(self, timeout: float = 0.5) -> bool:
        """Wait until the server's clock has moved on from now: whatever was sent before
        this call carries an earlier time stamp than whatever is sent after it."""
        start = self.server_time(timeout)
        if start is None:
            return False
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            time.sleep(0.0005)
            now = self.server_time(timeout)
            if now is not None and now != start:    # != : the 32-bit clock wraps
                return True
        return False

    def answers_ping(self, window_id: int) -> bool:
        if window_id not in self._pings:
            try:
                w = self.d.create_resource_object("window", window_id)
                protocols = w.get_full_property(self._atom["WM_PROTOCOLS"], Xatom.ATOM)
                atoms = list(protocols.value) if protocols else []
            except xerror.XError:
                atoms = []
            self._pings[window_id] = self._atom["_NET_WM_PING"] in atoms
        return self._pings[window_id]

    def confirm(self, window_id: int, timeout: float = 1.0, first_timeout: float = 0.25) -> bool:
        """The target has read everything sent to it so far, as far as it can say: a ping
        answered. A window that lists _NET_WM_PING but never answers the first (the Qt 6
        form here, measured) is not asked again: True, the clock tick must do."""
        if not self.answers_ping(window_id):
            return True
        if window_id in self._answered:
            return self.ping(window_id, timeout)
        if self.ping(window_id, first_timeout):
            self._answered.add(window_id)
        else:
            self._pings[window_id] = False
        return True

    def round_trips(self, window_id: int) -> bool:
        """Whether `confirm` gets an answer from this window (it answered a ping)."""
        return window_id in self._answered and self.answers_ping(window_id)

    def ping(self, window_id: int, timeout: float = 1.0) -> bool:
        """_NET_WM_PING round trip: True once the target's event loop answered (it has
        read every event sent to it before)."""
        self._serial = (self._serial + 1) & 0x7FFFFFFF
        stamp = self._serial or 1
        w = self.d.create_resource_object("window", window_id)
        msg = xevent.ClientMessage(window=w, client_type=self._atom["WM_PROTOCOLS"],
                                   data=(32, [self._atom["_NET_WM_PING"], stamp, window_id, 0, 0]))
        w.send_event(msg, event_mask=0)
        self.d.flush()
        found = self._wait_event(
            lambda e: e.type == X.ClientMessage and e.client_type == self._atom["WM_PROTOCOLS"]
            and e.data[1][0] == self._atom["_NET_WM_PING"] and e.data[1][1] == stamp, timeout)
        return found is not None

    def _wait_event(self, wanted, timeout: float):
        deadline = time.monotonic() + timeout
        while True:
            while self.d.pending_events():
                e = self.d.next_event()
                if wanted(e):
                    return e
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            select.select([self.d], [], [], min(left, 0.05))

    def close(self) -> None:
        try:
            self.d.close()
        except Exception:   # the display may already be gone
            pass
