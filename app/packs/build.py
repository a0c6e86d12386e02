"""Building and signing a playbook pack (业务流程包).

    result = build_pack(Path("company-setup"), Path("company-setup.zip"), version="1.2")
    sign_pack(Path("company-setup.zip"), private_key)      # adds or replaces signature.json

A pack's files are laid out as a playbook folder is: playbooks (*.yaml) and `samples/` at
the top, scenario folders (scenario.yaml, its forms, templates/, samples/) below. A DIR
that is itself a scenario folder goes in under its own name, so that an installed pack is
a playbook folder the library reads as it reads the shipped one.

Every playbook and scenario is checked (as `deskhand check` does) before anything is
written: a broken one fails the build with its file:line. The zip is byte-identical for
the same files: entries sorted, one fixed date (SOURCE_DATE_EPOCH, else the newest file's),
fixed modes and compression (app/archive/package.py's zip_bytes).
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from app.archive.package import write_shared_atomically, zip_bytes
from app.errors import PackError, UsageError
from app.i18n import _
from app.packs.manifest import (MANIFEST, MAX_FILE_BYTES, MAX_FILES, MAX_PACK_BYTES, SIGNATURE,
                                manifest_bytes, parse_manifest, read_zip)
from app.packs.trust import signature_bytes
from playbooks.errors import PlaybookError, PlaybookErrors
from playbooks.scenario import SCENARIO_FILE

__all__ = ["BuildResult", "build_pack", "sign_pack", "pack_files", "check_playbooks",
           "builder_name", "PACK_ID"]

PACK_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_SKIPPED = ("__pycache__",)


@dataclass(frozen=True)
class BuildResult:
    path: Path
    id: str
    version: str
    files: int
    bytes: int
    playbooks: int


def builder_name() -> str:
    from importlib.metadata import PackageNotFoundError, version
    try:
        return f"deskhand {version('deskhand')}"
    except PackageNotFoundError:
        return "deskhand"


def pack_files(folder: Path) -> dict[str, bytes]:
    """The files a pack of `folder` holds, by their name inside it; links refused."""
    if not folder.is_dir():
        raise UsageError(_("{path} is not a folder of playbooks.", path=folder))
    prefix = f"{folder.name}/" if (folder / SCENARIO_FILE).is_file() else ""
    files: dict[str, bytes] = {}
    total = 0
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder)
        if any(part.startswith(".") or part in _SKIPPED for part in rel.parts):
            continue          # editor swap files, .git, caches: not the pack's
        if p.is_symlink():
            raise PackError(_("{path} is a link; a pack holds only plain files (copy the file "
                              "in instead).", path=p), reason="unsafe", file=rel.as_posix())
        if not p.is_file():
            continue
        size = p.stat().st_size
        total += size
        if size > MAX_FILE_BYTES or total > MAX_PACK_BYTES or len(files) >= MAX_FILES:
            raise PackError(_("{path} makes the pack too large (at most {files} files, {mb} MB "
                              "each, {total} MB in all).", path=p, files=MAX_FILES,
                              mb=MAX_FILE_BYTES // 2**20, total=MAX_PACK_BYTES // 2**20),
                            reason="unsafe", file=rel.as_posix())
        files[prefix + rel.as_posix()] = p.read_bytes()
    if MANIFEST in files or SIGNATURE in files:
        raise UsageError(_("{path} holds a {name} of its own; that name is the pack's.",
                           path=folder, name=MANIFEST if MANIFEST in files else SIGNATURE))
    return files


def check_playbooks(folder: Path) -> int:
    """Every playbook and scenario a pack of `folder` holds, checked; PlaybookErrors with
    every file:line of every broken one. Returns how many playbooks were checked."""
    from playbooks.loader import load_playbook
    from playbooks.scenario import load_scenario
    scenario_dirs = sorted({p.parent for p in folder.rglob(SCENARIO_FILE)
                            if "samples" not in p.relative_to(folder).parts})
    playbooks = list(dict.fromkeys(p for d in [folder, *scenario_dirs]
                                   for p in sorted(d.glob("*.y*ml"))
                                   if p.name != SCENARIO_FILE and p.is_file()))
    errors: list[PlaybookError] = []
    for d in scenario_dirs:
        try:
            load_scenario(d)
        except PlaybookErrors as exc:
            errors += exc.errors
    for p in playbooks:
        try:
            load_playbook(p)
        except PlaybookErrors as exc:
            errors += exc.errors
    if errors:
        raise PlaybookErrors(errors)
    if not playbooks:
        raise UsageError(_("{path} holds no playbooks (*.yaml) or scenario folders: nothing to "
                           "pack.", path=folder))
    return len(playbooks)


def _created(folder: Path, environ: dict[str, str] | os._Environ[str]) -> datetime:
    epoch = environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        stamp = int(epoch)
    else:
        stamp = max((int(p.stat().st_mtime) for p in folder.rglob("*") if p.is_file()),
                    default=315532800)
    return datetime.fromtimestamp(max(stamp, 315532800), timezone.utc)   # zip starts in 1980


def _write(path: Path, files: dict[str, bytes], created: datetime) -> int:
    date = (created.year, created.month, created.day, created.hour, created.minute,
            created.second)
    data = zip_bytes(files, date)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_shared_atomically(path, data)
    except OSError as exc:
        raise UsageError(_("Could not write the pack {path} ({reason}); choose another place "
                           "with -o.", path=path, reason=exc.strerror or type(exc).__name__)) from None
    return len(data)


def build_pack(folder: Path, out: Path, *, pack_id: str | None = None, version: str = "1.0",
               private_key: bytes | None = None,
               environ: dict[str, str] | os._Environ[str] = os.environ) -> BuildResult:
    pack_id = pack_id or folder.resolve().name
    if not PACK_ID.match(pack_id):
        raise UsageError(_("The pack id '{id}' must be letters, digits, '.', '-' or '_' (at most "
                           "64), e.g. company-setup; give one with --id.", id=pack_id))
    if not re.fullmatch(r"[0-9][0-9A-Za-z.+-]{0,31}", version):
        raise UsageError(_("The version '{version}' must start with a digit, e.g. 1.2 or "
                           "2026.12.1.", version=version))
    files = pack_files(folder)            # links refused before any file is read as YAML
    count = check_playbooks(folder)
    created = _created(folder, environ)
    files[MANIFEST] = manifest_bytes(pack_id, version, created.strftime("%Y-%m-%dT%H:%M:%SZ"),
                                     builder_name(), files)
    if private_key is not None:
        files[SIGNATURE] = signature_bytes(private_key, files[MANIFEST])
    size = _write(out, files, created)
    return BuildResult(out, pack_id, version, len(files), size, count)


def sign_pack(path: Path, private_key: bytes) -> str:
    """Add or replace the pack's signature; its key id. The pack's other entries keep
    their bytes (a file changed since the build is still caught by the manifest)."""
    files = read_zip(path)
    if MANIFEST not in files:
        raise PackError(_("{path} is not a Deskhand pack: it has no manifest.json.", path=path),
                        reason="not_pack")
    manifest = parse_manifest(files[MANIFEST], path)
    files[SIGNATURE] = signature_bytes(private_key, files[MANIFEST])
    created = _parse_created(manifest.created)
    _write(path, files, created)
    from app.packs.keys import key_id, public_of
    return key_id(public_of(private_key))


def _parse_created(text: str) -> datetime:
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return datetime(1980, 1, 1)
