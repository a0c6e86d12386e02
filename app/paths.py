"""Where Deskhand keeps and finds things."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs

if TYPE_CHECKING:
    from collections.abc import Mapping


def is_frozen() -> bool:
    """Running from a PyInstaller build (the .deb, the Windows installer)."""
    return bool(getattr(sys, "frozen", False))


# The folder holding app/, playbooks/library and resources/: the checkout, or the bundle's
# data folder (PyInstaller's sys._MEIPASS, /opt/deskhand/_internal in the Linux package).
ROOT = Path(getattr(sys, "_MEIPASS", None) or Path(__file__).resolve().parent.parent)


def library_dir() -> Path:
    """Playbooks that ship with Deskhand."""
    return ROOT / "playbooks" / "library"


def resources_dir() -> Path:
    return ROOT / "resources"


def default_cases_dir() -> Path:
    return Path(platformdirs.user_data_dir("deskhand", appauthor=False)) / "cases"


def user_config_dir() -> Path:
    """Per-user settings (registries.yaml, settings.yaml)."""
    return Path(platformdirs.user_config_dir("deskhand", appauthor=False))


def registry_settings_path() -> Path:
    """IT's registry settings: $DESKHAND_REGISTRIES, else registries.yaml in the user's
    config folder."""
    import os
    env = os.environ.get("DESKHAND_REGISTRIES")
    return Path(env) if env else user_config_dir() / "registries.yaml"


def system_packs_dir(environ: Mapping[str, str] | None = None, platform: str | None = None) -> Path:
    """Packs IT installed for every user: $DESKHAND_SYSTEM_PACKS, else
    %PROGRAMDATA%\\Deskhand\\packs on Windows, /var/lib/deskhand/packs elsewhere."""
    import os
    import sys
    env = os.environ if environ is None else environ
    if env.get("DESKHAND_SYSTEM_PACKS"):
        return Path(env["DESKHAND_SYSTEM_PACKS"])
    if (platform or sys.platform) == "win32":
        return Path(env.get("PROGRAMDATA", r"C:\ProgramData")) / "Deskhand" / "packs"
    return Path("/var/lib/deskhand/packs")


def user_packs_dir() -> Path:
    """Packs one user installed (`deskhand pack install --user`)."""
    return Path(platformdirs.user_data_dir("deskhand", appauthor=False)) / "packs"
def module_argv(module: str) -> list[str]:
    """How to start a Deskhand module as a process of its own: `python -m MODULE`. Frozen
    (PyInstaller), sys.executable is the deskhand program, whose entry
    (installer/frozen_main.py) answers `-m MODULE` as python would."""
    import sys
    return [sys.executable, "-m", module]
