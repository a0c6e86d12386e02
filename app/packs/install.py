"""Installed playbook packs: install, remove, list, and the trust re-checked on every load.

    root = system_packs_dir()                       # or user_packs_dir()
    pack = install_pack(Path("p.zip"), root, policy, audit=log.append)
    for p in installed_packs([system_packs_dir(), user_packs_dir()], policy): p.state, p.problem
    remove_pack("company-setup", root)

An installed pack is the folder <root>/<id>/ holding the pack's files with its
manifest.json and signature.json beside them, so that a file edited after the install is
caught whenever the library loads the pack. A pack is unpacked into a temporary folder
beside its target and renamed into place: a crash leaves the old pack or the new one.
"""
from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

from app.errors import PackError, UsageError
from app.i18n import _
from app.packs.build import PACK_ID
from app.packs.manifest import MANIFEST, parse_manifest, read_folder, read_zip
from app.packs.trust import PackPolicy, Verdict, check_pack

__all__ = ["InstalledPack", "install_pack", "unpack", "remove_pack", "installed_packs", "read_installed",
           "version_key", "Audit", "SampleRunner"]

Audit = Callable[[str, dict[str, Any]], None]
# The folder a pack was unpacked into → a sentence per golden sample that failed.
SampleRunner = Callable[[Path], list[str]]


@dataclass
class InstalledPack:
    id: str
    version: str
    folder: Path
    state: str               # "trusted", "unsigned", "unknown_key" or "refused"
    key_id: str = ""
    signer: str = ""
    problem: str = ""        # why it is refused (or "")

    def offered(self, policy: PackPolicy) -> bool:
        """Shown to the clerk: signed by a trusted key and intact; or anything, as a loose
        folder is, when IT does not require signatures."""
        return self.state == "trusted" or not policy.require_signature


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", version))


def _installed(folder: Path, verdict: Verdict) -> InstalledPack:
    m = verdict.manifest
    return InstalledPack(m.id, m.version, folder, verdict.state, verdict.key_id, verdict.signer)


def read_installed(folder: Path, policy: PackPolicy) -> InstalledPack:
    """The pack in `folder` as the library sees it now: its files checked against its
    manifest and signature under `policy`."""
    try:
        return _installed(folder, check_pack(read_folder(folder), policy, folder))
    except PackError as exc:
        pack_id, version = folder.name, ""
        try:
            m = parse_manifest((folder / MANIFEST).read_bytes(), folder)
            pack_id, version = m.id, m.version
        except (OSError, PackError):
            pass
        return InstalledPack(pack_id, version, folder, "refused", exc.key_id, "", exc.message)
    except OSError as exc:
        return InstalledPack(folder.name, "", folder, "refused", "", "",
                             _("The pack folder {path} cannot be read ({reason}).", path=folder,
                               reason=exc.strerror or type(exc).__name__))


def installed_packs(roots: Iterable[Path], policy: PackPolicy) -> list[InstalledPack]:
    """Every pack under `roots` (system first, then the user's), by id; the first root
    holding an id wins."""
    out: list[InstalledPack] = []
    seen: set[str] = set()
    for root in roots:
        try:
            folders = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
        except OSError:
            continue            # no packs installed there (or none readable)
        for folder in folders:
            if folder.name in seen:
                continue
            seen.add(folder.name)
            out.append(read_installed(folder, policy))
    return out


def _report(audit: Audit | None, event: str, **data: Any) -> None:
    if audit is not None:
        audit(event, data)


def unpack(files: dict[str, bytes], into: Path) -> None:
    for name, data in files.items():
        target = into / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "xb") as f:
            f.write(data)
        os.chmod(target, 0o644)


def _move_into_place(staged: Path, target: Path) -> None:
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
        os.replace(target, old / target.name)
    try:
        os.replace(staged, target)
    except OSError:
        if old is not None:
            os.replace(old / target.name, target)     # put the old pack back
        raise
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


def install_pack(path: Path, root: Path, policy: PackPolicy, *, force: bool = False,
                 run_samples: SampleRunner | None = None,
                 audit: Audit | None = None) -> InstalledPack:
    """Verify the pack at `path` under `policy`, run its golden samples if `run_samples`
    is given, and put it in <root>/<id>/. PackError naming the reason when refused."""
    outcome: dict[str, Any] = {"pack": str(path)}
    try:
        files = read_zip(path)
        verdict = check_pack(files, policy, path)
        m = verdict.manifest
        outcome.update(id=m.id, version=m.version, key_id=verdict.key_id)
        if not PACK_ID.match(m.id):
            raise PackError(_("The pack id '{id}' cannot name a folder; the pack is refused.",
                              id=m.id), reason="unsafe")
        target = root / m.id
        if (target / MANIFEST).is_file() and not force:
            have = read_installed(target, PackPolicy()).version
            if have and version_key(have) > version_key(m.version):
                raise PackError(_("The pack {pack} {have} installed is newer than {version}; "
                                  "add --force to go back to {version}.", pack=m.id, have=have,
                                  version=m.version), reason="older")
        try:
            root.mkdir(parents=True, exist_ok=True)
            staged = Path(tempfile.mkdtemp(prefix=f".{m.id}.new-", dir=root))
        except OSError as exc:
            raise UsageError(_("Cannot install into {path} ({reason}); IT installs into the "
                               "system folder as an administrator, a clerk with --user.",
                               path=root, reason=exc.strerror or type(exc).__name__)) from None
        try:
            os.chmod(staged, 0o755)
            unpack(files, staged)
            failed = run_samples(staged) if run_samples is not None else []
            if failed:
                raise PackError(_("The pack {pack} failed its golden samples, so it was not "
                                  "installed: {problems}", pack=m.id,
                                  problems=_("; ").join(failed)), reason="samples")
            _move_into_place(staged, target)
        finally:
            shutil.rmtree(staged, ignore_errors=True)
    except PackError as exc:
        _report(audit, "pack_install", **outcome, outcome="refused", reason=exc.reason,
                problem=exc.message, **({"key_id": exc.key_id} if exc.key_id else {}))
        raise
    _report(audit, "pack_install", **outcome, outcome="installed", state=verdict.state,
            folder=str(target))
    return _installed(target, verdict)


def remove_pack(pack_id: str, root: Path, audit: Audit | None = None) -> InstalledPack:
    target = root / pack_id
    if not PACK_ID.match(pack_id) or not target.is_dir():
        raise PackError(_("No pack {pack} is installed in {path}.", pack=pack_id, path=root),
                        reason="not_installed")
    pack = read_installed(target, PackPolicy())
    gone = Path(tempfile.mkdtemp(prefix=f".{pack_id}.old-", dir=root))
    os.replace(target, gone / pack_id)        # gone from the library at once
    shutil.rmtree(gone, ignore_errors=True)
    _report(audit, "pack_remove", id=pack_id, version=pack.version, key_id=pack.key_id,
            outcome="removed", folder=str(target))
    return pack
