"""`deskhand test` on the shipped playbooks' samples, with the real OCR: the library passes
as shipped, and fails (exit 1) when a sample is altered — its expected value or its
picture — or exit 2 when a sample file is malformed."""
from __future__ import annotations

import io
import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from app.cli import main

ROOT = Path(__file__).resolve().parent.parent
LIBRARY = ROOT / "playbooks" / "library"
ID_RE = re.compile(r"\d{17}[\dX]")


def deskhand(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["test", *args], out, err)
    return code, out.getvalue(), err.getvalue()


def one_case(tmp_path: Path, pb_id: str = "sample-qt-intake", case: str = "case-2") -> Path:
    """A pack folder holding one shipped playbook with one of its samples."""
    pack = tmp_path / "pack"
    (pack / "samples" / pb_id).mkdir(parents=True)
    shutil.copy(LIBRARY / f"{pb_id}.yaml", pack)
    src = LIBRARY / "samples" / pb_id
    shutil.copy(src / "form.yaml", pack / "samples" / pb_id)
    shutil.copytree(src / case, pack / "samples" / pb_id / case)
    return pack


def test_the_shipped_library_passes_its_samples():
    code, out, err = deskhand(str(LIBRARY), "--json")
    doc = json.loads(out)
    assert code == 0, out + err
    assert doc["samples"] == doc["samples_same"] == 15
    assert {p["playbook"] for p in doc["playbooks"]} == {
        p.stem for p in LIBRARY.glob("*.yaml")}
    assert all(s["how"] == "model" for p in doc["playbooks"] for s in p["samples"])
    assert not ID_RE.search(out), "a whole ID number was shown"


def test_an_altered_expected_value_fails_and_shows_only_the_differing_characters(tmp_path):
    pack = one_case(tmp_path)
    expected = pack / "samples" / "sample-qt-intake" / "case-2" / "expected.yaml"
    text = expected.read_text(encoding="utf-8")
    number = ID_RE.search(text).group(0)
    wrong = number[:10] + ("1" if number[10] != "1" else "2") + number[11:]
    expected.write_text(text.replace(f'id_number: "{number}"', f'id_number: "{wrong}"'),
                        encoding="utf-8")
    code, out, err = deskhand(str(pack / "sample-qt-intake.yaml"))
    assert code == 1, out + err
    line = next(l for l in out.splitlines() if "≠" in l and "id_number" in l)
    assert number not in out and wrong not in out
    assert f"'{'*' * 10}{wrong[10]}{'*' * 7}'" in line and f"'{'*' * 10}{number[10]}{'*' * 7}'" in line
    assert "0 of 1 samples as expected." in out


def test_an_altered_picture_fails(tmp_path):
    pack = one_case(tmp_path)
    source = pack / "samples" / "sample-qt-intake" / "case-2" / "source.png"
    image = Image.open(source).convert("L")
    ImageDraw.Draw(image).rectangle((250, 130, 1000, 175), fill=255)   # the 性别 row's value
    image.save(source)
    code, out, err = deskhand(str(pack), "--json")
    doc = json.loads(out)
    assert code == 1 and doc["samples_same"] == 0
    checks = doc["playbooks"][0]["samples"][0]["checks"]
    differ = {(c["where"], c["name"]) for c in checks if not c["same"]}
    assert ("field", "gender") in differ, differ


def test_a_malformed_sample_is_exit_2_with_file_and_line(tmp_path):
    pack = one_case(tmp_path)
    expected = pack / "samples" / "sample-qt-intake" / "case-2" / "expected.yaml"
    lines = expected.read_text(encoding="utf-8").splitlines()
    at = next(i for i, l in enumerate(lines) if l.startswith("  gender:"))
    lines[at] = "  gendr: 女"
    expected.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = deskhand(str(pack))
    assert code == 2
    assert f"{expected}:{at + 1}: 'gendr' is not a field of playbook sample-qt-intake" in err


def test_a_zipped_pack_and_a_playbook_without_samples(tmp_path):
    pack = one_case(tmp_path, "idcard-to-qt-intake", "case-1")
    archive = tmp_path / "pack.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for p in pack.rglob("*"):
            if p.is_file():
                z.write(p, Path("idcard-pack") / p.relative_to(pack))
    code, out, err = deskhand(str(archive))
    assert code == 0, out + err
    assert "✓ case-1" in out
    bare = tmp_path / "bare"
    bare.mkdir()
    shutil.copy(LIBRARY / "sample-web-intake.yaml", bare)
    code, out, err = deskhand(str(bare))
    assert code == 1 and "has no samples" in out
