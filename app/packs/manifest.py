"""A pack's manifest (manifest.json) and signature (signature.json), and reading a pack's
files safely from a zip or an installed folder.

    manifest.json   {"format": 1, "id", "version", "created", "builder",
                     "files": [{"path", "size", "sha256", "sm3"}, …]}   sorted by path
    signature.json  {"algorithm": "Ed25519", "key_id", "public_key", "signature"} over the
                    exact bytes of manifest.json (base64 values)

Reading refuses what could write outside the pack or exhaust the disk: absolute names,
`..`, backslashes, links, more than MAX_FILES entries, a file over MAX_FILE_BYTES, a pack
over MAX_PACK_BYTES unpacked, or an entry that unpacks to more than it says.
"""
from __future__ import annotations

import hashlib
import json
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from app.archive.sm3 import sm3_hex
from app.errors import PackError
from app.i18n import _

__all__ = ["MANIFEST", "SIGNATURE", "FORMAT", "Manifest", "manifest_bytes", "parse_manifest",
           "read_zip", "read_folder", "file_entry", "safe_name", "MAX_FILES",
           "MAX_FILE_BYTES", "MAX_PACK_BYTES"]

MANIFEST, SIGNATURE = "manifest.json", "signature.json"
CONTROL = (MANIFEST, SIGNATURE)
FORMAT = 1
MAX_FILES = 5000
MAX_FILE_BYTES = 50 * 1024 ** 2     # a template or a sample picture is a few MB at most
MAX_PACK_BYTES = 200 * 1024 ** 2    # as `deskhand test` allows for a pack


@dataclass(frozen=True)
class Manifest:
    id: str
    version: str
    created: str
    builder: str
    files: dict[str, dict[str, Any]]     # path → {"size", "sha256", "sm3"}


def file_entry(data: bytes) -> dict[str, Any]:
    return {"size": len(data), "sha256": hashlib.sha256(data).hexdigest(), "sm3": sm3_hex(data)}


def manifest_bytes(pack_id: str, version: str, created: str, builder: str,
                   files: dict[str, bytes]) -> bytes:
    doc = {"format": FORMAT, "id": pack_id, "version": version, "created": created,
           "builder": builder,
           "files": [{"path": name, **file_entry(files[name])} for name in sorted(files)]}
    return (json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def _not_pack(where: object, why: str) -> PackError:
    return PackError(_("{path} is not a Deskhand pack: {why}.", path=where, why=why),
                     reason="not_pack")


def parse_manifest(data: bytes, where: object) -> Manifest:
    try:
        doc = json.loads(data.decode("utf-8"))
        if doc.get("format") != FORMAT:
            raise ValueError("format")
        files = {}
        for f in doc["files"]:
            if not safe_name(f["path"]) or f["path"] in CONTROL:
                raise ValueError(f["path"])
            files[f["path"]] = {"size": int(f["size"]), "sha256": str(f["sha256"]),
                                "sm3": str(f["sm3"])}
        return Manifest(str(doc["id"]), str(doc["version"]), str(doc.get("created", "")),
                        str(doc.get("builder", "")), files)
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
        raise PackError(_("The manifest of {path} is altered or damaged: it is not a pack "
                          "manifest Deskhand wrote.", path=where), reason="manifest",
                        file=MANIFEST) from None


def safe_name(name: str) -> bool:
    p = PurePosixPath(name)
    return (bool(name) and not p.is_absolute() and ".." not in p.parts and "\\" not in name
            and ":" not in name and all(part not in ("", ".") for part in name.split("/")))


def _unsafe(where: object, name: str, why: str) -> PackError:
    return PackError(_("{path} holds '{name}', which {why}; the pack is refused.", path=where,
                       name=name, why=why), reason="unsafe", file=name)


def read_zip(path: Path) -> dict[str, bytes]:
    """Every file of the pack at `path` by its name; PackError for an unsafe or unreadable one."""
    files: dict[str, bytes] = {}
    total = 0
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            if len(infos) > MAX_FILES:
                raise _unsafe(path, infos[MAX_FILES].filename,
                              _("is past the {count} files a pack may hold", count=MAX_FILES))
            for info in infos:
                name = info.filename
                if info.is_dir():
                    continue
                if not safe_name(name):
                    raise _unsafe(path, name, _("would be written outside the pack"))
                if stat.S_ISLNK(info.external_attr >> 16):
                    raise _unsafe(path, name, _("is a link"))
                if name in files:
                    raise _unsafe(path, name, _("is in it twice"))
                if info.file_size > MAX_FILE_BYTES or total + info.file_size > MAX_PACK_BYTES:
                    raise _unsafe(path, name, _("unpacks to more than a pack may hold"))
                with z.open(info) as f:          # never trust the size it declares
                    data = f.read(info.file_size + 1)
                if len(data) > info.file_size:
                    raise _unsafe(path, name, _("unpacks to more than it declares"))
                total += len(data)
                files[name] = data
    except FileNotFoundError:
        raise _not_pack(path, _("there is no such file")) from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError) as exc:
        raise _not_pack(path, _("it is not a readable zip ({reason})",
                                reason=str(exc) or type(exc).__name__)) from None
    return files


def read_folder(folder: Path) -> dict[str, bytes]:
    """An installed pack's files as read_zip gives them; links and oversized files refused."""
    files: dict[str, bytes] = {}
    total = 0
    for p in sorted(folder.rglob("*")):
        name = p.relative_to(folder).as_posix()
        if p.is_symlink():
            raise _unsafe(folder, name, _("is a link"))
        if not p.is_file():
            continue
        size = p.stat().st_size
        total += size
        if size > MAX_FILE_BYTES or total > MAX_PACK_BYTES or len(files) >= MAX_FILES:
            raise _unsafe(folder, name, _("is past what a pack may hold"))
        files[name] = p.read_bytes()
    return files
