"""The clerk's input method (fcitx5, or fcitx 4 on older UOS/Kylin) put in English for a fill
and back after it. With pinyin on, the Latin letters Deskhand types become pinyin (measured,
fcitx5 5.0.21: "Room" came out as 人偶欧盟 in GTK, Tk and Java Swing). Through the input
method's own remote tool, on the clerk's session bus, and only when fcitx is running: its X
input method server is on the display. (Asked when it is not running, the remote tool would
have D-Bus start fcitx5 — its package installs a service file for that.) Where none is
installed, running or answering, nothing happens and the fill goes on as before."""
from __future__ import annotations

import shutil
import subprocess
from typing import Any, Callable

from Xlib import Xatom

REMOTES = ("fcitx5-remote", "fcitx-remote")
ACTIVE, INACTIVE = "2", "1"       # what `fcitx5-remote` prints for the focused window


class InputMethodSwitch:
    """`english()` before a fill (the target window has focus), `restore()` after."""

    def __init__(self, *, running: Callable[[], bool],
                 which: Callable[[str], str | None] = shutil.which,
                 run: Callable[..., subprocess.CompletedProcess] = subprocess.run,
                 timeout_s: float = 1.0) -> None:
        self.tool = next((path for path in map(which, REMOTES) if path), None)
        self.running = running
        self._run = run
        self.timeout_s = timeout_s
        self.turned_off = False

    def _ask(self, *args: str) -> str | None:
        if self.tool is None:
            return None
        try:
            done = self._run([self.tool, *args], capture_output=True, text=True,
                             timeout=self.timeout_s)
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    def english(self) -> bool:
        """Turn the focused window's input method off if it is on. True when it was turned
        off (and so restore() turns it on again)."""
        if self.tool is None or not self.running() or self._ask() != ACTIVE:
            return False
        self._ask("-c")
        self.turned_off = self._ask() == INACTIVE
        return self.turned_off

    def restore(self) -> None:
        if self.turned_off:
            self.turned_off = False
            self._ask("-o")


def fcitx_on_display(display: Any) -> bool:
    """Does fcitx (5 or 4) serve this X display? Its XIM server is named in the root
    window's XIM_SERVERS (`@server=fcitx`). `display`: an Xlib Display."""
    root = display.screen().root
    prop = root.get_full_property(display.intern_atom("XIM_SERVERS"), Xatom.ATOM)
    if prop is None:
        return False
    return any(display.get_atom_name(atom).lower().startswith("@server=fcitx")
               for atom in prop.value)
