"""Does a window match a playbook's target? Title glob or regex, process glob."""
from __future__ import annotations

import fnmatch
import re

from app.desktop.base import WindowInfo
from app.i18n import _
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
    """The target as a clerk reads it: "title '城市审批系统*' and process 'python*'"."""
    parts = []
    if spec.title:
        parts.append(_("title '{title}'", title=spec.title))
    if spec.title_regex:
        parts.append(_("title matching /{pattern}/", pattern=spec.title_regex))
    if spec.process:
        parts.append(_("process '{process}'", process=spec.process))
    text = parts[0] if parts else ""
    for more in parts[1:]:
        text = _("{first} and {second}", first=text, second=more)
    return text
