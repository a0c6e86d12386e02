"""Three ways to damage an archive package, for tests and bench/archive.py: one byte of a
material flipped, a material removed, a metadata value changed. Each writes a new zip and
says what `deskhand archive verify` must name.

    bad, names = flip_byte(pkg, tmp / "a.zip")            # names == "content/sources/…png"
    bad, names = drop_file(pkg, tmp / "b.zip")
    bad, names = change_metadata(pkg, tmp / "c.zip")      # names == "申请人"
"""
from __future__ import annotations

import zipfile
from pathlib import Path

__all__ = ["flip_byte", "drop_file", "change_metadata", "TAMPERINGS"]


def _rewrite(src: Path, dst: Path, change: dict[str, bytes | None]) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            data = change.get(info.filename, zin.read(info))
            if data is not None:
                zout.writestr(info, data)
    return dst


def _biggest_material(src: Path) -> str:
    with zipfile.ZipFile(src) as z:
        return max((i for i in z.infolist() if i.filename.startswith("content/")),
                   key=lambda i: i.file_size).filename


def flip_byte(src: Path, dst: Path) -> tuple[Path, str]:
    name = _biggest_material(src)
    with zipfile.ZipFile(src) as z:
        data = bytearray(z.read(name))
    data[len(data) // 2] ^= 0x01
    return _rewrite(src, dst, {name: bytes(data)}), name


def drop_file(src: Path, dst: Path) -> tuple[Path, str]:
    name = "content/forms.json"
    return _rewrite(src, dst, {name: None}), name


def change_metadata(src: Path, dst: Path) -> tuple[Path, str]:
    with zipfile.ZipFile(src) as z:
        xml = z.read("metadata.xml").decode("utf-8")
    start = xml.index("<申请人>") + len("<申请人>")
    end = xml.index("</申请人>")
    xml = xml[:start] + "王" + xml[start + 1:end] + xml[end:]
    return _rewrite(src, dst, {"metadata.xml": xml.encode("utf-8")}), "申请人"


TAMPERINGS = {"byte": flip_byte, "missing": drop_file, "metadata": change_metadata}
