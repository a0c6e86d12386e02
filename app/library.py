"""The playbooks a clerk can pick: the shipped library plus IT's and the supervisor's
folders and the installed playbook packs. A broken playbook does not hide the others; it
is listed with its error. When IT's preset requires signed packs, only the shipped library
and packs still matching a trusted signature are offered: the clerk's own folders and
untrusted packs are listed in `refused` with the reason."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

from app.errors import DeskhandError
from app.i18n import _
from app.paths import library_dir
from playbooks.loader import load_playbook
from playbooks.model import Playbook

__all__ = ["PlaybookLibrary", "load_library", "DEFAULT_DEPARTMENT", "LibrarySources",
           "library_sources", "library_for"]

DEFAULT_DEPARTMENT = "其他"
log = logging.getLogger("deskhand.library")


@dataclass
class PlaybookLibrary:
    playbooks: list[Playbook] = field(default_factory=list)
    broken: list[tuple[Path, str]] = field(default_factory=list)   # file, first error line
    refused: list[tuple[Path, str]] = field(default_factory=list)  # folder, why not trusted
    folders: list[Path] = field(default_factory=list)    # the folders offered, shipped last

    def offers_file(self, path: str | Path | None) -> bool:
        """`path` lies in a folder the library offers (a pack's subfolder counts): a
        playbook the clerk could have picked in the tray."""
        if not path:
            return False
        target = Path(path).resolve()
        return any(target.is_relative_to(f.resolve()) for f in self.folders)

    def by_department(self) -> dict[str, list[Playbook]]:
        groups: dict[str, list[Playbook]] = {}
        for pb in sorted(self.playbooks, key=lambda p: (p.department or DEFAULT_DEPARTMENT, p.name)):
            groups.setdefault(pb.department or DEFAULT_DEPARTMENT, []).append(pb)
        return groups

    def get(self, playbook_id: str | None) -> Playbook | None:
        return next((p for p in self.playbooks if p.id == playbook_id), None)


@dataclass(frozen=True)
class LibrarySources:
    folders: list[Path]                   # searched in this order, before the shipped library
    refused: list[tuple[Path, str]]       # folders not offered, and why


def library_sources(settings: Any, pack_roots: Sequence[Path] | None = None) -> LibrarySources:
    """The clerk's folders, then the installed packs (system, then the user's), under the
    preset's pack policy (`settings.packs`)."""
    from app.packs.install import installed_packs
    from app.packs.trust import PackPolicy
    from app.paths import system_packs_dir, user_packs_dir
    policy = getattr(settings, "packs", None) or PackPolicy()
    roots = [system_packs_dir(), user_packs_dir()] if pack_roots is None else pack_roots
    folders: list[Path] = []
    refused: list[tuple[Path, str]] = []
    for d in getattr(settings, "playbook_dirs", None) or []:
        if policy.require_signature:
            refused.append((Path(d), _("{folder}: IT requires signed playbook packs, so playbooks "
                                       "in this folder are not offered; ask IT to sign them into "
                                       "a pack.", folder=d)))
        else:
            folders.append(Path(d).expanduser())
    for pack in installed_packs(roots, policy):
        if pack.offered(policy):
            folders.append(pack.folder)
        else:
            refused.append((pack.folder, pack.problem))
    return LibrarySources(folders, refused)


def load_library(folders: Iterable[str | Path] = (),
                 refused: Iterable[tuple[Path, str]] = ()) -> PlaybookLibrary:
    """Every *.yaml in the shipped library and `folders`; the first of two playbooks with
    the same id wins (folders listed first override the shipped ones). Nothing in a
    folder stops the tray from starting: whatever fails is listed in `broken`; `refused`
    (from library_sources) is kept to be shown."""
    lib = PlaybookLibrary(refused=list(refused), folders=[*map(Path, folders), library_dir()])
    seen: set[str] = set()
    for folder in lib.folders:
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


def library_for(settings: Any) -> PlaybookLibrary:
    """The library the settings offer: their folders and the installed packs, as IT's
    preset allows (library_sources), then the shipped library."""
    sources = library_sources(settings)
    return load_library(sources.folders, sources.refused)
