"""Asking the X server and the target whether a key has been taken in, on a connection of
its own (the main one pumps selection traffic, which must not swallow these events).

Why this is needed (issue 12, measured under Xvfb): XSync only says the X server has the
keys, not that the target read them. Java Swing loses a Tab at random because its focus
manager holds back keys typed after a Tab only when their time stamp is LATER than the
Tab's (DefaultKeyboardFocusManager.typeAheadAssertions: `ke.getWhen() > marker.after`):
keys injected in the same millisecond as the Tab go to the box it left. So after a key
that moves focus, the server's clock must have ticked past it before anything else is
sent. Targets that answer _NET_WM_PING (GTK, Chromium, Firefox) are also asked for a
round trip, which proves their event loop has read the key (Qt 6 answers too, sending
its pong with StructureNotify: x11_ping.py listens for both); Java and Tk do not list it
in WM_PROTOCOLS: for those the clock tick is what there is.
"""
from __future__ import annotations

import select
import time

from Xlib import X, Xatom
from Xlib.display import Display

from app.desktop.x11_ping import Pinger


class X11Probe:
    def __init__(self, display_name: str) -> None:
        self.d = Display(display_name)
        self.root = self.d.screen().root
        # our own window: a property change on it returns the server's time
        self.window = self.root.create_window(-10, -10, 1, 1, 0, X.CopyFromParent,
                                              event_mask=X.PropertyChangeMask)
        self._atom = {n: self.d.intern_atom(n) for n in ("DESKHAND_CLOCK",)}
        self.pinger = Pinger(display_name)    # the round trip, shared with typing's
        self._answered: set[int] = set()      # windows seen to answer a ping
        self._silent: set[int] = set()        # windows that list it but did not answer
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

    def confirm(self, window_id: int, timeout: float = 1.0, first_timeout: float = 0.25) -> bool:
        """The target has read everything sent to it so far, as far as it can say: a ping
        answered (app/desktop/x11_ping.py). A window that lists _NET_WM_PING but does not
        answer the first is not asked again: True, the clock tick must do."""
        if window_id in self._silent or not self.pinger.answers(window_id):
            return True
        if window_id in self._answered:
            return self.pinger.ping(window_id, timeout)
        if self.pinger.ping(window_id, first_timeout):
            self._answered.add(window_id)
        else:
            self._silent.add(window_id)
        return True

    def round_trips(self, window_id: int) -> bool:
        """Whether `confirm` gets an answer from this window (it answered a ping)."""
        return window_id in self._answered

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
        self.pinger.close()
        try:
            self.d.close()
        except Exception:   # the display may already be gone
            pass
