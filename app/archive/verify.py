"""`deskhand archive verify`: the four properties of an archive package, checked offline.

    findings = verify_package(Path("out/20261205-101500-ab12.zip"))   # or an unpacked folder
    for f in findings: print(f.sentence)                                # [] when all is well

- authentic: the manifest's own SM3 (tagmanifest), every file's SM3 against the manifest and
  the metadata, the Ed25519 signature when there is one (and its key, when one is pinned);
- complete: every listed file present, nothing unlisted;
- usable: each file opens as its format says (JSON parses, PNG/PDF/DOCX headers, XML
  well-formed), and the metadata agrees with the case file it describes (a changed
  metadata value is named);
- secure: no unmasked ID number or mobile number in the metadata, no entry outside the
  package (absolute, `..`, links), no executable or world-writable file.
"""
from __future__ import annotations

import io
import json
import stat
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, fields
from pathlib import Path, PurePosixPath

from app.archive.metadata import RECORD_ELEMENTS, Record, read_metadata
from app.archive.package import (MANIFEST, METADATA, SIGNATURE, TAGMANIFEST, parse_manifest,
                                 record_for)
from app.archive.sm3 import same_digest, sm3_hex
from app.cases import load_case
from app.errors import CaseFileError, UsageError
from app.i18n import N_, _
from app.privacy import mask_text

__all__ = ["Finding", "verify_package", "read_package", "PROPERTIES"]

PROPERTIES = {"authentic": N_("authentic"), "complete": N_("complete"), "usable": N_("usable"),
              "secure": N_("secure")}
_CONTROL = (MANIFEST, TAGMANIFEST, SIGNATURE)     # files the manifest does not list
MAX_PACKAGE_BYTES = 2 * 1024 ** 3


@dataclass(frozen=True)
class Finding:
    prop: str           # a key of PROPERTIES
    file: str           # the file inside the package it is about ("" for the package)
    sentence: str


def _safe_name(name: str) -> bool:
    p = PurePosixPath(name)
    return bool(name) and not p.is_absolute() and ".." not in p.parts and "\\" not in name


def read_package(path: Path) -> tuple[dict[str, bytes], list[Finding]]:
    """The package's files by name, and what is insecure about how they are stored."""
    found: list[Finding] = []
    files: dict[str, bytes] = {}
    if path.is_dir():
        for p in sorted(path.rglob("*")):
            name = p.relative_to(path).as_posix()
            if p.is_symlink():
                found.append(Finding("secure", name, _("{file} is a link; a package holds only "
                                                       "plain files.", file=name)))
                continue
            if not p.is_file():
                continue
            mode = p.stat().st_mode
            if mode & (stat.S_IWOTH | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH):
                found.append(Finding("secure", name, _("{file} is executable or writable by "
                                                       "anyone (mode {mode}); set it to 0644.",
                                                       file=name, mode=oct(mode & 0o777))))
            files[name] = p.read_bytes()
        return files, found
    try:
        if path.stat().st_size > MAX_PACKAGE_BYTES:
            raise UsageError(_("{path} is larger than 2 GB: not an archive package of one case.",
                               path=path))
        with zipfile.ZipFile(path) as z:
            for info in z.infolist():
                name = info.filename
                if info.is_dir():
                    continue
                mode = info.external_attr >> 16
                if not _safe_name(name) or stat.S_ISLNK(mode):
                    found.append(Finding("secure", name, _("The entry {file} points outside the "
                                                           "package or is a link; it was not read.",
                                                           file=name)))
                    continue
                if mode & (stat.S_IWOTH | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH):
                    found.append(Finding("secure", name, _("{file} is executable or writable by "
                                                           "anyone (mode {mode}); set it to 0644.",
                                                           file=name, mode=oct(mode & 0o777))))
                files[name] = z.read(info)
    except FileNotFoundError:
        raise UsageError(_("There is no package at {path}.", path=path)) from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
        raise UsageError(_("{path} is not a readable zip archive package ({reason}).", path=path,
                           reason=str(exc) or type(exc).__name__)) from None
    return files, found


def _usable(name: str, data: bytes) -> str | None:
    """Why `data` does not open as the format its name says, or None."""
    suffix = PurePosixPath(name).suffix.lower()
    try:
        if suffix == ".json":
            json.loads(data.decode("utf-8"))
        elif suffix == ".xml":
            ET.fromstring(data)
        elif suffix == ".png" and not data.startswith(b"\x89PNG\r\n\x1a\n"):
            return _("it does not start with the PNG signature")
        elif suffix in (".jpg", ".jpeg") and not data.startswith(b"\xff\xd8\xff"):
            return _("it does not start with the JPEG signature")
        elif suffix == ".pdf" and (not data.startswith(b"%PDF-") or b"%%EOF" not in data[-1024:]):
            return _("it lacks the PDF header or its end-of-file mark")
        elif suffix == ".docx":
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                if "word/document.xml" not in z.namelist():
                    return _("it is a zip without word/document.xml")
        elif suffix == ".txt":
            data.decode("utf-8")
    except (ValueError, ET.ParseError, zipfile.BadZipFile) as exc:
        return _("it does not parse ({reason})", reason=str(exc)[:120] or type(exc).__name__)
    return None


def _personal_texts(xml: bytes) -> list[str]:
    """Every text of the metadata that may hold personal data: not the digests, whose hex
    can hold eleven digits in a row that read like a mobile number."""
    try:
        root = ET.fromstring(xml)
    except ET.ParseError:
        return [xml.decode("utf-8", "replace")]
    return [t for e in root.iter() if e.tag != "数字摘要"
            for t in (e.text, *e.attrib.values()) if t]


def _signature(files: dict[str, bytes], public_key: str | None) -> list[Finding]:
    raw = files.get(SIGNATURE)
    if raw is None:
        return [Finding("authentic", SIGNATURE, _("The package is not signed, but a public key "
                                                  "was given to check its signature with."))] \
            if public_key else []
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    try:
        doc = json.loads(raw)
        key = bytes.fromhex(doc["public_key"])
        Ed25519PublicKey.from_public_bytes(key).verify(bytes.fromhex(doc["signature"]),
                                                       files.get(MANIFEST, b""))
    except InvalidSignature:
        return [Finding("authentic", SIGNATURE, _("The signature does not match {manifest}: the "
                                                  "manifest was changed after signing.",
                                                  manifest=MANIFEST))]
    except (ValueError, KeyError, TypeError):
        return [Finding("authentic", SIGNATURE, _("{file} is not an Ed25519 signature this "
                                                  "program can read.", file=SIGNATURE))]
    if public_key and not same_digest(key.hex(), public_key.strip().lower()):
        return [Finding("authentic", SIGNATURE, _("The package is signed with key {key}, not "
                                                  "with the key given.", key=key.hex()[:16] + "…"))]
    return []


def _metadata_values(files: dict[str, bytes], values: dict[str, str]) -> list[Finding]:
    """Each metadata value that the case file in the package does not support."""
    raw = files.get("content/case.json")
    if raw is None:
        return []
    with tempfile.TemporaryDirectory(prefix="deskhand-verify-") as tmp:
        p = Path(tmp) / "case.json"
        p.write_bytes(raw)
        try:
            case = load_case(p)
        except CaseFileError as exc:
            return [Finding("usable", "content/case.json", _("content/case.json is not a case "
                                                             "file: {reason}", reason=exc.message))]
    expected = record_for(case, values["matter"], values["unit"], values["retention"])
    out = []
    for f in fields(Record):
        want, got = getattr(expected, f.name), values[f.name]
        if want != got:
            out.append(Finding("authentic", METADATA, _(
                "The metadata value {element} was changed: it reads '{got}', the case file says "
                "'{want}'.", element=RECORD_ELEMENTS[f.name], got=mask_text(got),
                want=mask_text(want))))
    return out


def verify_package(path: Path, public_key: str | None = None) -> list[Finding]:
    """Every finding about the package at `path` (a .zip or a folder); [] when it holds."""
    files, found = read_package(path)
    for required in (METADATA, MANIFEST, TAGMANIFEST):
        if required not in files:
            found.append(Finding("complete", required, _("{file} is missing from the package.",
                                                         file=required)))
    try:
        manifest = parse_manifest(files.get(MANIFEST, b""))
    except (ValueError, UnicodeDecodeError) as exc:
        found.append(Finding("usable", MANIFEST, _("{file} is not a manifest ({where} is not "
                                                   "'<SM3>  <name>').", file=MANIFEST, where=exc)))
        manifest = {}
    try:
        tags = parse_manifest(files.get(TAGMANIFEST, b""))
    except (ValueError, UnicodeDecodeError):
        tags = {}
    if MANIFEST in files and TAGMANIFEST in files and not same_digest(
            tags.get(MANIFEST, ""), sm3_hex(files[MANIFEST])):
        found.append(Finding("authentic", MANIFEST, _("{file} was changed: its SM3 differs from "
                                                      "the one in {tag}.", file=MANIFEST,
                                                      tag=TAGMANIFEST)))
    found += _signature(files, public_key)

    values: dict[str, str] = {}
    listed = {}
    if METADATA in files:
        try:
            values, entries = read_metadata(files[METADATA])
            listed = {e.name: e for e in entries}
        except (ET.ParseError, ValueError) as exc:
            found.append(Finding("usable", METADATA, _("{file} is not well-formed metadata ({reason}).",
                                                       file=METADATA, reason=str(exc)[:120])))
        if any(mask_text(t) != t for t in _personal_texts(files[METADATA])):
            found.append(Finding("secure", METADATA, _("{file} holds an unmasked ID or mobile "
                                                       "number; the metadata may hold them only "
                                                       "masked.", file=METADATA)))

    for name in sorted(set(manifest) | set(listed)):
        if name not in files:
            found.append(Finding("complete", name, _("{file} is listed but missing from the "
                                                     "package.", file=name)))
            continue
        actual = sm3_hex(files[name])
        changed = name in manifest and not same_digest(manifest[name], actual)
        if changed:
            found.append(Finding("authentic", name, _("{file} was changed: its SM3 differs from "
                                                      "the manifest's.", file=name)))
        entry = listed.get(name)
        if entry is not None and not changed and (entry.size != len(files[name]) or
                                                  not same_digest(entry.sm3, actual)):
            found.append(Finding("authentic", name, _(
                "The metadata's size or SM3 for {file} does not match the file ({size} bytes).",
                file=name, size=len(files[name]))))
        elif entry is None and name != METADATA:
            found.append(Finding("complete", name, _("{file} is in the manifest but not in the "
                                                     "metadata.", file=name)))
        reason = _usable(name, files[name])
        if reason:
            found.append(Finding("usable", name, _("{file} cannot be opened: {reason}.", file=name,
                                                   reason=reason)))
    for name in sorted(set(files) - set(manifest) - set(listed) - set(_CONTROL)):
        found.append(Finding("complete", name, _("{file} is in the package but listed nowhere.",
                                                 file=name)))
    if values:
        found += _metadata_values(files, values)
    return found
