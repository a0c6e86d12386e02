"""Global hotkeys for the clerk's tray: the small interface every backend
provides (X11, Windows, dummy), and picking one for this machine.

    hotkeys = open_hotkeys(dispatch=main_thread.post)
    try:
        hotkeys.register("capture", "Ctrl+Alt+C", start_capture)
    except HotkeyConflictError as exc:      # another program holds it
        tell_clerk(exc.message)             # names the combination, suggests another
    hotkeys.start()
    ...
    hotkeys.stop()

Threads: each backend reads key events on a listener thread of its own and
never runs a callback there; it hands the callback to `dispatch`. The tray
passes `app.ui.dispatch.MainThread.post`, so callbacks run on the Qt main
thread (where they may touch widgets, and from where long work goes to a
worker). Without a dispatch, callbacks run on dispatch.LaneDispatcher's
worker threads. See dispatch.py for why the listener must stay free.

`register` grabs the combination at once, so a conflict is known at once; call
`start()` right after registering. Combinations may also be registered and
unregistered while the backend runs (the clerk changed them in Settings).

No Qt here; platform modules are imported only when chosen, so importing this
never needs a display.
"""
from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable, Mapping
from typing import Protocol, runtime_checkable

from app.errors import HotkeyError
from app.hotkeys.dispatch import Dispatch
from app.i18n import _, join

BACKENDS = ("x11", "windows", "dummy")
log = logging.getLogger("deskhand.hotkeys")

# The defaults; the settings may change them.
DEFAULT_HOTKEYS: dict[str, str] = {"capture": "Ctrl+Alt+C", "fill": "Ctrl+Alt+V",
                                   "abort": "Ctrl+Alt+Esc"}


@runtime_checkable
class HotkeyBackend(Protocol):
    name: str

    def register(self, name: str, combo: str, callback: Callable[[], None]) -> None:
        """Make `combo` (e.g. "Ctrl+Alt+C") call `callback` via the dispatch.
        Registering a name again replaces its combination (the old one is kept
        if the new one fails). Raises HotkeyConflictError when another program
        (or another of our names) holds the combination, HotkeyError when it
        cannot be parsed or is not on the keyboard."""
        ...

    def unregister(self, name: str) -> None:
        """Release the name's combination; unknown names are ignored."""
        ...

    def start(self) -> None:
        """Start the listener thread (once; later calls do nothing)."""
        ...

    def stop(self) -> None:
        """Release every grab, end the listener thread within about a second.
        Idempotent; the backend cannot be started again."""
        ...

    def registered(self) -> dict[str, str]:
        """name -> combination as shown to the clerk, e.g. {"capture": "Ctrl+Alt+C"}."""
        ...


class Lifecycle:
    """`with backend:` starts it and stops it, for the backends to inherit."""

    def start(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def join_listener(thread: threading.Thread | None, timeout: float = 1.0) -> None:
    """Wait for a backend's listener thread to end (not when stop() runs on it)."""
    if thread is None or thread is threading.current_thread():
        return
    thread.join(timeout)
    if thread.is_alive():
        log.warning("hotkey listener %s did not end within %g s", thread.name, timeout)


def backend_name(env: Mapping[str, str] = os.environ, platform: str = sys.platform) -> str:
    chosen = env.get("DESKHAND_HOTKEYS", "").strip().lower()
    if chosen:
        if chosen not in BACKENDS:
            raise HotkeyError(_("DESKHAND_HOTKEYS={value!r} is not a hotkey backend; use one "
                                "of {backends}.", value=chosen, backends=join(BACKENDS)))
        return chosen
    return "windows" if platform.startswith("win") else "x11"


def open_hotkeys(display: str | None = None, dispatch: Dispatch | None = None, *,
                 env: Mapping[str, str] = os.environ,
                 platform: str = sys.platform) -> HotkeyBackend:
    """The backend for this machine (DESKHAND_HOTKEYS=x11|windows|dummy overrides).
    `display` is the X display (default $DISPLAY); other backends ignore it."""
    name = backend_name(env, platform)
    if name == "x11":
        from app.hotkeys.x11 import X11Hotkeys
        return X11Hotkeys(display or env.get("DISPLAY"), dispatch)
    if name == "windows":
        from app.hotkeys.windows import WindowsHotkeys
        return WindowsHotkeys(dispatch)
    from app.hotkeys.dummy import DummyHotkeys
    return DummyHotkeys(dispatch)
