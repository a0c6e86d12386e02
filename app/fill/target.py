"""Does a window match a playbook's target? Title glob or regex, process glob."""
from __future__ import annotations

import fnmatch
import re

from app.desktop.base import WindowInfo
from playbooks.model import TargetSpec


def matches(spec: TargetSpec, window: WindowInfo | None) -> bool:
    if window is None:
        return False
    if spec.title is not None and not fnmatch.fnmatchcase(window.title, spec.title):
        return False
    if spec.title_regex is not None and not re.search(spec.title_regex, window.title):
        return False
    if spec.process is not None and not fnmatch.fnmatchcase(window.process or "", spec.process):
        return False
    return True


def describe(spec: TargetSpec) -> str:
    parts = []
    if spec.title:
        parts.append(f"title '{spec.title}'")
    if spec.title_regex:
        parts.append(f"title matching /{spec.title_regex}/")
    if spec.process:
        parts.append(f"process '{spec.process}'")
    return " and ".join(parts)
