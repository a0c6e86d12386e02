"""The playbooks a clerk can pick: the shipped library plus IT's and the supervisor's
folders. A broken playbook does not hide the others; it is listed with its error."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from app.errors import DeskhandError
from app.i18n import _
from app.paths import library_dir
from playbooks.loader import load_playbook
from playbooks.model import Playbook

__all__ = ["PlaybookLibrary", "load_library", "DEFAULT_DEPARTMENT"]

DEFAULT_DEPARTMENT = "其他"
log = logging.getLogger("deskhand.library")


@dataclass
class PlaybookLibrary:
    playbooks: list[Playbook] = field(default_factory=list)
    broken: list[tuple[Path, str]] = field(default_factory=list)   # file, first error line

    def by_department(self) -> dict[str, list[Playbook]]:
        groups: dict[str, list[Playbook]] = {}
        for pb in sorted(self.playbooks, key=lambda p: (p.department or DEFAULT_DEPARTMENT, p.name)):
            groups.setdefault(pb.department or DEFAULT_DEPARTMENT, []).append(pb)
        return groups

    def get(self, playbook_id: str | None) -> Playbook | None:
        return next((p for p in self.playbooks if p.id == playbook_id), None)


def load_library(folders: Iterable[str | Path] = ()) -> PlaybookLibrary:
    """Every *.yaml in the shipped library and `folders`; the first of two playbooks with
    the same id wins (folders listed first override the shipped ones). Nothing in a
    folder stops the tray from starting: whatever fails is listed in `broken`."""
    lib = PlaybookLibrary()
    seen: set[str] = set()
    for folder in [*map(Path, folders), library_dir()]:
        try:
            if not folder.is_dir():
                continue
            paths = sorted(folder.glob("*.y*ml"))
        except OSError as exc:   # unreadable folder, a symlink loop, a vanished drive
            lib.broken.append((folder, _("{folder}: the folder cannot be read ({reason})",
                                         folder=folder, reason=exc.strerror or exc)))
            continue
        for path in paths:
            try:
                pb = load_playbook(path)
            except DeskhandError as exc:
                lib.broken.append((path, str(exc).splitlines()[0]))
                continue
            except Exception as exc:  # noqa: BLE001 - a fence: one file never stops the tray
                log.exception("loading the playbook %s failed", path)
                lib.broken.append((path, _("{path}:0: the playbook could not be loaded ({kind}); "
                                           "run 'deskhand check' on it", path=path,
                                           kind=type(exc).__name__)))
                continue
            if pb.id not in seen:
                seen.add(pb.id)
                lib.playbooks.append(pb)
    return lib
