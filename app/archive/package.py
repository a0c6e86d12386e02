"""Building one archive package (归档包) per case: a zip that holds the materials, the
metadata XML, an SM3 manifest of every file, the manifest's own SM3 and, optionally, an
Ed25519 signature of the manifest.

    result = build_package(Path("case.json"), Path("out"), PackOptions(unit="龙岩市行政服务中心"))
    result.path            # out/<case id>.zip
    build_package(...)     # again: the very same bytes

Layout inside the zip (docs/archive.md):
    metadata.xml                 元数据 (app/archive/metadata.py)
    manifest-sm3.txt             "<sm3>  <name>" for metadata.xml and every material
    tagmanifest-sm3.txt          "<sm3>  manifest-sm3.txt"
    signature.json               optional: Ed25519 over manifest-sm3.txt, with the public key
    content/case.json            the case file as it is on disk
    content/forms.json           the filled forms' final state: the fill log and the values
    content/sources/…            the captured source images the case's fields point to
    content/documents/…          the documents `deskhand docs` made (manifest.json, .docx, .pdf)

Byte-identical rebuilds: every date comes from the case (its last fill, else its creation),
entries are sorted, and each zip entry has a fixed date, mode 0644 and compression.
"""
from __future__ import annotations

import io
import json
import os
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from app.archive.metadata import FileEntry, Record, metadata_xml
from app.archive.sm3 import sm3_hex
from app.cases import NEEDS_PERSON, Case, load_case
from app.errors import ArchiveError, CaseFileError, UsageError
from app.i18n import _
from app.privacy import mask

__all__ = ["PackOptions", "PackageResult", "Material", "build_package", "record_for",
           "package_name", "METADATA", "MANIFEST", "TAGMANIFEST", "SIGNATURE", "RETENTIONS",
           "FORMATS", "manifest_text", "parse_manifest", "zip_bytes", "write_shared_atomically"]

METADATA, MANIFEST, TAGMANIFEST, SIGNATURE = ("metadata.xml", "manifest-sm3.txt",
                                              "tagmanifest-sm3.txt", "signature.json")
RETENTIONS = ("永久", "30年", "10年")
FORMATS = {".json": "JSON", ".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".pdf": "PDF",
           ".docx": "DOCX", ".xml": "XML", ".txt": "TXT", ".ofd": "OFD"}
# Already-compressed formats are stored; text is deflated at a fixed level.
_STORED = {".png", ".jpg", ".jpeg", ".pdf", ".docx", ".ofd", ".zip"}
_NAME_FIELDS = ("applicant_name", "applicant", "name", "申请人", "姓名", "legal_person")
_ID_FIELDS = ("id_number", "applicant_id_number", "证件号码", "身份证号码")
_EPOCH = (1980, 1, 1, 0, 0, 0)     # zip's first date, when the case has none


@dataclass(frozen=True)
class PackOptions:
    unit: str = ""                  # 办理机构 / 立档单位
    retention: str = "30年"         # 保管期限
    matter: str | None = None       # 事项名称; default the case's playbook
    docs: Path | None = None        # a `deskhand docs` folder, or a folder of one per case id
    signing_key: bytes | None = None   # Ed25519 private key (32 raw bytes)


# Titles (题名) are Chinese whatever the clerk's language: they are part of the record, and
# a package must rebuild byte-identically on any PC.
@dataclass(frozen=True)
class Material:
    name: str           # path inside the package
    title: str          # 题名
    data: bytes


@dataclass
class PackageResult:
    path: Path
    case_id: str
    files: int
    bytes: int
    sm3: str                                   # of the zip
    warnings: list[str] = field(default_factory=list)


def package_name(case_id: str) -> str:
    return re.sub(r"[^\w.-]", "_", case_id).lstrip(".") or "case"


def _first(case: Case, names: tuple[str, ...]) -> str:
    for n in names:
        v = case.value(n)
        if v:
            return v
    return ""


def _fill_outcome(case: Case) -> tuple[str, str]:
    """(when the case was finished, what the last fill came to)."""
    if not case.fills:
        return case.created, "未填报"
    last = case.fills[-1]
    outcome = {"done": "已办结", "failed": "填报失败", "aborted": "填报中止"}.get(
        str(last.get("outcome")), str(last.get("outcome") or ""))
    return str(last.get("at") or case.created), outcome


def record_for(case: Case, matter: str, unit: str, retention: str) -> Record:
    finished, outcome = _fill_outcome(case)
    return Record(case_number=case.case_id, matter=matter, playbook=case.playbook or "",
                  applicant=_first(case, _NAME_FIELDS),
                  applicant_id=mask(_first(case, _ID_FIELDS), "id_number"),
                  accepted_at=case.created, finished_at=finished, result=outcome, unit=unit,
                  retention=retention, filed_at=finished)


def _zip_date(iso: str) -> tuple[int, int, int, int, int, int]:
    try:
        t = datetime.fromisoformat(iso)    # the wall time written in the case, as it reads
    except (TypeError, ValueError):
        return _EPOCH
    return _EPOCH if t.year < 1980 else (t.year, t.month, t.day, t.hour, t.minute, t.second)


def _forms_state(case: Case) -> bytes:
    """The filled forms' final state: each fill as logged (outcome, window, fields read back,
    fields that differ) and the values the fill had to type."""
    doc = {"case_id": case.case_id, "fills": case.fills,
           "values": {k: v.value for k, v in sorted(case.fields.items())
                      if v.value is not None and v.status not in NEEDS_PERSON},
           "groups": case.groups}
    return (json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def _sources(case: Case, case_path: Path, warnings: list[str]) -> list[Material]:
    paths: set[Path] = set()
    for fv in case.fields.values():
        f = fv.source.get("file") if isinstance(fv.source, dict) else None
        if isinstance(f, str) and f:
            p = Path(f)
            paths.add(p if p.is_absolute() else case_path.parent / p)
    out = []
    for i, p in enumerate(sorted(paths, key=str), 1):
        try:
            data = p.read_bytes()
        except OSError as exc:
            warnings.append(_("The source image {path} the case points to could not be read "
                              "({reason}); the package is made without it.", path=p,
                              reason=exc.strerror or type(exc).__name__))
            continue
        out.append(Material(f"content/sources/{i:02d}-{package_name(p.name)}",
                            f"采集来源图像 {p.name}", data))
    return out


def _documents(case: Case, docs: Path | None, warnings: list[str]) -> list[Material]:
    if docs is None:
        return []
    for folder in (docs, docs / package_name(case.case_id)):
        manifest = folder / "manifest.json"
        try:
            doc = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(doc, dict) or doc.get("case_id") != case.case_id:
            continue
        out = [Material("content/documents/manifest.json", "文书清单",
                        manifest.read_bytes())]
        for d in doc.get("documents") or []:
            for key in ("docx", "pdf"):
                name = Path(str(d.get(key) or "")).name
                if not name:
                    continue
                try:
                    out.append(Material(f"content/documents/{package_name(name)}",
                                        str(d.get("title") or name), (folder / name).read_bytes()))
                except OSError as exc:
                    warnings.append(_("The document {path} listed in {manifest} could not be "
                                      "read ({reason}); the package is made without it.",
                                      path=folder / name, manifest=manifest,
                                      reason=exc.strerror or type(exc).__name__))
        return out
    return []


def manifest_text(digests: dict[str, str]) -> bytes:
    return "".join(f"{d}  {n}\n" for n, d in sorted(digests.items())).encode("utf-8")


def parse_manifest(data: bytes) -> dict[str, str]:
    """{name: hex SM3}; ValueError naming the first line that is not "<64 hex>  <name>"."""
    out: dict[str, str] = {}
    for i, line in enumerate(data.decode("utf-8").splitlines(), 1):
        m = re.fullmatch(r"([0-9a-f]{64})  (\S.*)", line)
        if not m:
            raise ValueError(f"line {i}")
        out[m.group(2)] = m.group(1)
    return out


def _format(name: str) -> str:
    return FORMATS.get(Path(name).suffix.lower(), Path(name).suffix.lstrip(".").upper() or "BIN")


def _signature(key: bytes, manifest: bytes) -> bytes:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
    try:
        private = Ed25519PrivateKey.from_private_bytes(key)
    except ValueError:
        raise ArchiveError(_("The archive signing key is not an Ed25519 private key (32 bytes, "
                             "64 hex digits); store a right one with deskhand vault set.")) from None
    public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    doc = {"algorithm": "Ed25519", "signed": MANIFEST, "public_key": public.hex(),
           "signature": private.sign(manifest).hex()}
    return (json.dumps(doc, indent=2, sort_keys=True) + "\n").encode("ascii")


def package_files(case: Case, case_path: Path, opts: PackOptions,
                  warnings: list[str]) -> dict[str, bytes]:
    """Every file of the package, by its name inside it."""
    if opts.retention not in RETENTIONS:
        raise UsageError(_("Retention period {value} is not one of {allowed}.",
                           value=opts.retention, allowed="、".join(RETENTIONS)))
    materials = [Material("content/case.json", "办件数据（案卷文件）", case_path.read_bytes()),
                 Material("content/forms.json", "表单填报结果", _forms_state(case)),
                 *_sources(case, case_path, warnings), *_documents(case, opts.docs, warnings)]
    entries = [FileEntry(m.name, m.title, _format(m.name), len(m.data), sm3_hex(m.data))
               for m in materials]
    record = record_for(case, opts.matter or case.playbook or "", opts.unit, opts.retention)
    files = {m.name: m.data for m in materials}
    files[METADATA] = metadata_xml(record, entries)
    digests = {e.name: e.sm3 for e in entries}
    digests[METADATA] = sm3_hex(files[METADATA])
    files[MANIFEST] = manifest_text(digests)
    files[TAGMANIFEST] = manifest_text({MANIFEST: sm3_hex(files[MANIFEST])})
    if opts.signing_key is not None:
        files[SIGNATURE] = _signature(opts.signing_key, files[MANIFEST])
    return files


def zip_bytes(files: dict[str, bytes], date: tuple[int, int, int, int, int, int]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=date)
            info.create_system = 3                   # Unix, so that the mode below is read
            info.external_attr = (0o100644 << 16)    # a regular file, rw-r--r--
            stored = Path(name).suffix.lower() in _STORED
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            z.writestr(info, files[name], compresslevel=None if stored else 6)
    return buf.getvalue()


def write_shared_atomically(path: Path, data: bytes) -> None:
    """`data` at `path` whole or not at all, mode 0644 (a package others read)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_case_file(case_path: Path) -> Case:
    case = load_case(case_path)
    if case.plain:
        raise CaseFileError(_("{path} holds bare values, not a case file: it has no case id or "
                              "dates to file it under. Make it a case with deskhand capture or "
                              "deskhand intake first.", path=case_path))
    return case


def build_package(case_path: Path, outdir: Path, opts: PackOptions) -> PackageResult:
    """Write outdir/<case id>.zip (replacing one there) and say what it holds."""
    case = load_case_file(case_path)
    warnings: list[str] = []
    files = package_files(case, case_path, opts, warnings)
    data = zip_bytes(files, _zip_date(_fill_outcome(case)[0]))
    path = outdir / f"{package_name(case.case_id)}.zip"
    try:
        outdir.mkdir(parents=True, exist_ok=True)
        write_shared_atomically(path, data)
    except OSError as exc:
        raise UsageError(_("Could not write the package {path} ({reason}); choose another "
                           "folder with -o.", path=path,
                           reason=exc.strerror or type(exc).__name__)) from None
    return PackageResult(path, case.case_id, len(files), len(data), sm3_hex(data), warnings)


def describe(result: PackageResult) -> dict[str, Any]:
    return {"case_id": result.case_id, "package": str(result.path), "files": result.files,
            "bytes": result.bytes, "sm3": result.sm3, "warnings": result.warnings}
