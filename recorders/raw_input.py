"""What every input listener hands the recorder (recorders/session.py), whatever the
platform: one press, understood as text or as a key in the playbook vocabulary
(playbooks/keys.py), or one mouse button with its place on the screen.

The listeners (recorders/listen_x11.py, recorders/listen_windows.py) are chosen in
recorders/backends.py; the session never sees a platform's own key codes.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Press:
    """One key press, understood: `text` (a character the key put in) or `key` (a
    combination such as 'ctrl+a', 'shift+tab', 'enter'); both None for a modifier."""

    text: str | None = None
    key: str | None = None


@dataclass(frozen=True)
class RawInput:
    """One press, as the listener saw it. `kind` is "key" (with `press`: its meaning on
    the keyboard of that moment, and the platform's `keysym`/`state` for diagnostics) or
    "button" (`button`, `x`, `y` on the screen)."""

    t: float                      # time.monotonic() when it arrived
    kind: str
    press: Press | None = None
    keysym: int = 0
    state: int = 0
    button: str | None = None
    x: int = 0
    y: int = 0
