"""Deskhand's version, and what a packaged build was made of (`deskhand --version`)."""
from __future__ import annotations

import json
from pathlib import Path

from app.paths import ROOT, is_frozen

# pyproject.toml reads this (setuptools' dynamic version): one place to bump.
VERSION = "0.1.0"

# Written into the bundle by installer/build_deb.sh (PyInstaller's data folder).
BUILD_INFO = "build_info.json"


def build_info(root: Path = ROOT) -> dict[str, str]:
    """What the packaged build holds (python, Qt, OCR engine, glibc it needs); {} from source."""
    try:
        data = json.loads((root / BUILD_INFO).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def version_text(frozen: bool | None = None, root: Path = ROOT) -> str:
    """`deskhand <version>`, then, in a packaged build, one line per part it was built with."""
    lines = [f"deskhand {VERSION}"]
    if is_frozen() if frozen is None else frozen:
        lines += [f"{key}: {value}" for key, value in build_info(root).items()]
    return "\n".join(lines)
