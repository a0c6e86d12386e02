"""Pick the desktop backend for this machine.

`DESKHAND_DESKTOP` (x11 | windows | dummy) overrides the choice. Backends are
imported lazily so that importing the core never needs a display.
"""
from __future__ import annotations

import os
import sys
from typing import Mapping

from app.desktop.base import Desktop
from app.errors import DesktopError
from app.i18n import _, join

BACKENDS = ("x11", "windows", "dummy")


def default_backend_name(env: Mapping[str, str] = os.environ, platform: str = sys.platform) -> str:
    chosen = env.get("DESKHAND_DESKTOP", "").strip().lower()
    if chosen:
        if chosen not in BACKENDS:
            raise DesktopError(
                _("DESKHAND_DESKTOP={value!r} is not a desktop backend; use one of {backends}.",
                  value=chosen, backends=join(BACKENDS)))
        return chosen
    if platform.startswith("win"):
        return "windows"
    return "x11"


def open_desktop(name: str | None = None, env: Mapping[str, str] = os.environ) -> Desktop:
    name = name or default_backend_name(env)
    if name == "x11":
        from app.desktop.x11 import X11Desktop
        return X11Desktop(env.get("DISPLAY"))
    if name == "windows":
        from app.desktop.windows import WindowsDesktop
        return WindowsDesktop()
    if name == "dummy":
        from app.desktop.dummy import DummyDesktop
        return DummyDesktop()
    raise DesktopError(_("Unknown desktop backend {name!r}; use one of {backends}.",
                         name=name, backends=join(BACKENDS)))
