"""The supervisor's keyboard and mouse on X11, through the X RECORD extension.

Why RECORD through python-xlib and not pynput's listeners (which use RECORD too): pynput
binds the display named by $DISPLAY when it is imported, and reads the keyboard mapping
from the server when a key arrives — too late for a character xdotool (or an input method
helper) typed through a keycode it rebinds every few milliseconds. Here the recording
context also takes the ChangeKeyboardMapping requests, so every key press is read with the
mapping it was typed with (recorders/keysyms.py). RECORD sees XTEST input (xdotool) as it
sees a real keyboard: both arrive as device events.

The RECORD callback only turns protocol bytes into `RawInput` and hands them on (a queue
in recorders/session.py): nothing slow runs on the recording connection's thread.
"""
from __future__ import annotations

import threading
import time
from typing import Callable

from app.errors import DesktopError
from app.i18n import _
from recorders.keysyms import KeyboardMapping, understand
from recorders.raw_input import RawInput

BUTTONS = {1: "left", 2: "middle", 3: "right"}


class X11InputListener:
    """Key and button presses on `display_name`, each handed to `on_input` in order."""

    def __init__(self, display_name: str | None, on_input: Callable[[RawInput], None]) -> None:
        if not display_name:
            raise DesktopError(_("No X display: DISPLAY is not set. Start the recorder from "
                                 "the desktop session where the approval client runs."))
        from Xlib import X
        from Xlib.ext import record

        from app.desktop.x11 import open_display
        self._X, self._record = X, record
        self._ctl = open_display(display_name)
        try:
            self._data = open_display(display_name)
        except DesktopError:
            self._ctl.close()
            raise
        if not self._data.has_extension("RECORD"):
            self._close_displays()
            raise DesktopError(_("The X server has no RECORD extension, so the recorder "
                                 "cannot see the keyboard. Ask IT to enable RECORD in the X "
                                 "server configuration."))
        info = self._ctl.display.info
        first, last = info.min_keycode, info.max_keycode
        rows = [list(r) for r in self._ctl.get_keyboard_mapping(first, last - first + 1)]
        self.mapping = KeyboardMapping(first, rows)
        self.on_input = on_input
        self.display_name = display_name
        self._ctx = None
        self._thread: threading.Thread | None = None
        self.failure: BaseException | None = None
        self._started = threading.Event()

    def start(self) -> None:
        X, record = self._X, self._record
        self._ctx = self._ctl.record_create_context(0, [record.AllClients], [{
            "core_requests": (100, 100),       # ChangeKeyboardMapping
            "core_replies": (0, 0), "ext_requests": (0, 0, 0, 0), "ext_replies": (0, 0, 0, 0),
            "delivered_events": (0, 0), "device_events": (X.KeyPress, X.ButtonRelease),
            "errors": (0, 0), "client_started": False, "client_died": False}])
        self._ctl.sync()
        self._thread = threading.Thread(target=self._run, name="record-input", daemon=True)
        self._thread.start()
        # enable_context blocks in its thread; the server's StartOfData says it runs
        self._started.wait(2.0)

    def _run(self) -> None:
        try:
            self._data.record_enable_context(self._ctx, self._on_reply)
        except Exception as exc:   # kept for stop(): the session says the listener failed
            self.failure = exc

    def _on_reply(self, reply) -> None:
        record = self._record
        if reply.category == record.StartOfData:
            self._started.set()
            return
        if reply.category == record.FromClient:
            self.mapping.apply_request(bytes(reply.data), bool(reply.client_swapped))
            return
        if reply.category != record.FromServer or reply.client_swapped:
            return
        from Xlib.protocol import rq
        X = self._X
        data = reply.data
        while len(data):
            ev, data = rq.EventField(None).parse_binary_value(data, self._data.display, None, None)
            now = time.monotonic()
            if ev.type == X.KeyPress:
                sym = self.mapping.keysym(ev.detail, ev.state)
                self.on_input(RawInput(now, "key", understand(sym, ev.state), sym, ev.state))
            elif ev.type == X.ButtonPress and ev.detail in BUTTONS:
                self.on_input(RawInput(now, "button", state=ev.state, button=BUTTONS[ev.detail],
                                       x=ev.root_x, y=ev.root_y))

    def stop(self) -> None:
        if self._ctx is not None:
            try:
                self._ctl.record_disable_context(self._ctx)
                self._ctl.sync()
            except Exception:
                pass
        if self._thread is not None:
            self._thread.join(2.0)
        if self._ctx is not None:
            try:
                self._ctl.record_free_context(self._ctx)
                self._ctl.sync()
            except Exception:
                pass
            self._ctx = None
        self._close_displays()

    def _close_displays(self) -> None:
        for d in (getattr(self, "_data", None), getattr(self, "_ctl", None)):
            try:
                if d is not None:
                    d.close()
            except Exception:
                pass
