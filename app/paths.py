"""Where Deskhand keeps and finds things."""
from __future__ import annotations

from pathlib import Path

import platformdirs

ROOT = Path(__file__).resolve().parent.parent


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
