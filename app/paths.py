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
