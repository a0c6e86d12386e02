"""Accessibility backends: a window's form fields found, set and read back through the
toolkit's accessibility tree (AT-SPI on Linux, UI Automation on Windows). See base.py.

`DESKHAND_A11Y` (atspi | uia) overrides the choice. Backends are imported lazily so that
importing the core needs neither D-Bus nor COM.
"""
from __future__ import annotations

import os
import sys
from typing import Mapping

from app.a11y.base import Accessibility
from app.errors import AccessibilityUnavailableError
from app.i18n import _, join

BACKENDS = ("atspi", "uia")


def default_backend_name(env: Mapping[str, str] = os.environ, platform: str = sys.platform) -> str:
    chosen = env.get("DESKHAND_A11Y", "").strip().lower()
    if chosen:
        if chosen not in BACKENDS:
            raise AccessibilityUnavailableError(
                _("DESKHAND_A11Y={value!r} is not an accessibility backend; use one of "
                  "{backends}.", value=chosen, backends=join(BACKENDS)))
        return chosen
    return "uia" if platform.startswith("win") else "atspi"


def open_accessibility(name: str | None = None,
                       env: Mapping[str, str] = os.environ) -> Accessibility:
    """The backend for this machine, connected; AccessibilityUnavailableError (a sentence
    saying what to install or turn on) when it cannot be used."""
    name = name or default_backend_name(env)
    if name == "atspi":
        from app.a11y.atspi import AtSpiAccessibility
        from app.a11y.atspi_bus import AtspiBus
        return AtSpiAccessibility(AtspiBus.open(env))
    from app.a11y.uia import UiaAccessibility
    return UiaAccessibility.open()
