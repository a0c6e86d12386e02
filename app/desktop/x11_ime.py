"""The clerk's input method (fcitx5, or fcitx 4 on older UOS/Kylin) put in English for a fill
and back after it. With pinyin on, the Latin letters Deskhand types become pinyin (measured,
fcitx5 5.0.21: "Room" came out as 人偶欧盟 in GTK, Tk and Java Swing). Through the input
method's own remote tool, on the clerk's session bus; where none is installed or it does not
answer, nothing happens and the fill goes on as before."""
from __future__ import annotations

import shutil
import subprocess
from typing import Callable

REMOTES = ("fcitx5-remote", "fcitx-remote")
ACTIVE, INACTIVE = "2", "1"       # what `fcitx5-remote` prints for the focused window


class InputMethodSwitch:
    """`english()` before a fill (the target window has focus), `restore()` after."""

    def __init__(self, *, which: Callable[[str], str | None] = shutil.which,
                 run: Callable[..., subprocess.CompletedProcess] = subprocess.run,
                 timeout_s: float = 1.0) -> None:
        self.tool = next((path for path in map(which, REMOTES) if path), None)
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
        if self._ask() != ACTIVE:
            return False
        self._ask("-c")
        self.turned_off = self._ask() == INACTIVE
        return self.turned_off

    def restore(self) -> None:
        if self.turned_off:
            self.turned_off = False
            self._ask("-o")
