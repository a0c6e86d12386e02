"""Where Deskhand keeps and finds things."""
from __future__ import annotations

import sys
from pathlib import Path

import platformdirs


def is_frozen() -> bool:
    """True in the packaged program (PyInstaller), False when run from source."""
    return bool(getattr(sys, "frozen", False)) and hasattr(sys, "_MEIPASS")


# The folder holding app/, playbooks/library and resources/: the checkout, or the bundle's
# data folder (PyInstaller's sys._MEIPASS, /opt/deskhand/_internal in the Linux package).
ROOT = Path(getattr(sys, "_MEIPASS")) if is_frozen() else Path(__file__).resolve().parent.parent


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
