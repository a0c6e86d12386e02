"""Hostile input through the real command line (issue 9): every bad playbook, case file and
image below gets exit code 2 or 3 and one sentence on stderr — never a traceback — and
leaves no case file or temp file behind. Each runs `python -m app.cli` in a subprocess
with the user's data and config folders inside tmp_path.
"""
from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import zlib
from pathlib import Path
from typing import Callable

import pytest

ROOT = Path(__file__).resolve().parent.parent
LIBRARY = ROOT / "playbooks" / "library"
GOOD_PLAYBOOK = (LIBRARY / "sample-qt-intake.yaml").read_text(encoding="utf-8")
GOOD_TARGET = 'target: {title: "城市审批系统 - 受理登记*"}'
GOOD_VALUES = json.loads((ROOT / "resources/samples/case-zhang-wei.json").read_text(encoding="utf-8"))


def with_target(target: str) -> str:
    return GOOD_PLAYBOOK.replace(GOOD_TARGET, f"target: {target}")


def with_extra(top_level: str) -> str:
    return GOOD_PLAYBOOK.replace("department: 示例\n", f"department: 示例\n{top_level}\n")


def case_file(fields: dict) -> str:
    return json.dumps({"deskhand_case": 1, "case_id": "c1", "playbook": "sample-qt-intake",
                       "fields": fields}, ensure_ascii=False)


def good_fields(**changes: object) -> dict:
    fields = {k: {"value": v, "status": "ok"} for k, v in GOOD_VALUES.items()}
    for name, entry in changes.items():
        fields[name] = entry
    return fields


def png_header(width: int, height: int) -> bytes:
    """A PNG that declares width×height but holds a few bytes of pixels: a decompression
    bomb as Pillow sees it, built without allocating the picture."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 301)) + chunk(b"IEND", b""))


def small_png(kind: str = "PNG") -> bytes:
    from io import BytesIO

    from PIL import Image
    buf = BytesIO()
    Image.new("RGB", (300, 200), "white").save(buf, kind)
    return buf.getvalue()


# --------------------------------------------------------------------------- inputs
# Each maker writes the hostile input under `tmp` and returns its path.
Maker = Callable[[Path], Path]


def text(name: str, content: str, encoding: str = "utf-8") -> Maker:
    def make(tmp: Path) -> Path:
        path = tmp / name
        path.write_bytes(content.encode(encoding, "surrogatepass"))
        return path
    return make


def raw(name: str, data: bytes | Callable[[], bytes]) -> Maker:
    def make(tmp: Path) -> Path:
        path = tmp / name
        path.write_bytes(data() if callable(data) else data)
        return path
    return make


def folder(tmp: Path) -> Path:
    (tmp / "a-folder.yaml").mkdir()
    return tmp / "a-folder.yaml"


def fifo(tmp: Path) -> Path:
    path = tmp / "pipe.json"
    os.mkfifo(path)   # reading it would block for ever
    return path


def symlink_loop(tmp: Path) -> Path:
    path = tmp / "loop.yaml"
    path.symlink_to(tmp / "loop.yaml")
    return path


def sparse(name: str, size: int) -> Maker:
    def make(tmp: Path) -> Path:
        path = tmp / name
        with path.open("wb") as f:
            f.truncate(size)
        return path
    return make


LAUGHS = ("deskhand: 1\nid: x\nname: x\na: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
          "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
          "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n")

PLAYBOOKS: dict[str, tuple[Maker, str]] = {
    # name: (input, a phrase the sentence must hold)
    "495-nested-brackets": (text("p.yaml", "deskhand: 1\nid: x\nname: " + "[" * 495 + "]" * 495 + "\n"),
                            "nested more than 20 levels"),
    "deep-block-mapping": (text("p.yaml", "a:\n" + "".join("  " * i + "b:\n" for i in range(1, 400))),
                           "nested more than 20 levels"),
    "regex-repeat-overflow": (text("p.yaml", with_target("{title_regex: '{4294967296}'}")),
                              "repeat count"),
    "regex-deep-groups": (text("p.yaml", with_target("{title_regex: '" + "(" * 240 + "审批系统" + ")" * 240 + "'}")),
                          "title_regex"),
    "regex-catastrophic": (text("p.yaml", with_target("{title_regex: '^(审批+)+系统$'}")),
                           "take minutes"),
    "regex-bad-range": (text("p.yaml", with_target("{title_regex: '城市审批[z-a]'}")), "bad character range"),
    "read-pattern-overflow": (text("p.yaml", GOOD_PLAYBOOK.replace(
        "  - {name: applicant_name, label: 申请人姓名, type: text}",
        "  - {name: applicant_name, label: 申请人姓名, type: text, read: {pattern: 'a{99999999999}'}}")),
        "repeat count"),
    "target-title-star": (text("p.yaml", with_target('{title: "*"}')), "could match any window"),
    "target-title-qstar": (text("p.yaml", with_target('{title: "?*"}')), "could match any window"),
    "target-regex-dotstar": (text("p.yaml", with_target('{title_regex: ".*"}')), "could match any window"),
    "target-regex-dotplus": (text("p.yaml", with_target('{title_regex: ".+"}')), "could match any window"),
    "target-regex-anchored-any": (text("p.yaml", with_target('{title_regex: "^.*$"}')), "could match any window"),
    "target-regex-group": (text("p.yaml", with_target('{title_regex: "(.*)"}')), "could match any window"),
    "target-regex-negated-class": (text("p.yaml", with_target('{title_regex: "[^x]*"}')), "could match any window"),
    "target-regex-word": (text("p.yaml", with_target('{title_regex: "\\\\w+"}')), "could match any window"),
    "target-two-characters": (text("p.yaml", with_target('{title: "*审批*"}')), "only 2 letters"),
    "target-process-star": (text("p.yaml", with_target('{process: "*"}')), "could match any window"),
    "target-all-loose": (text("p.yaml", with_target('{title: "*", title_regex: ".*", process: "*"}')),
                         "could match any window"),
    "utf16": (text("p.yaml", "\ufeff" + GOOD_PLAYBOOK, "utf-16"), "UTF-16"),
    "gbk": (text("p.yaml", GOOD_PLAYBOOK, "gbk"), "not UTF-8"),
    "nul-byte": (text("p.yaml", GOOD_PLAYBOOK.replace("示例", "示\x00例", 1)), "U+0000"),
    "python-object-tag": (text("p.yaml", with_extra("source: !!python/object/apply:os.system ['touch /tmp/pwned']")),
                          "tag"),
    "python-name-tag": (text("p.yaml", GOOD_PLAYBOOK.replace("name: 受理登记", "name: !!python/name:os.system 受理登记")),
                        "tag"),
    "billion-laughs": (text("p.yaml", LAUGHS), "more than 100,000 values"),
    "alias-cycle": (text("p.yaml", with_extra("source: &s {kind: screen, regions: *s}")), "refers to the value"),
    "merge-cycle": (text("p.yaml", with_extra("source: &s {<<: *s}")), "refers to the value"),
    "duplicate-keys": (text("p.yaml", with_extra("department: 二科")), "appears twice"),
    "huge-int-click": (text("p.yaml", GOOD_PLAYBOOK.replace("fill:\n", "fill:\n  - click: {x: " + "9" * 5001 + ", y: 1}\n")),
                       "cannot be read"),
    "huge-int-wait": (text("p.yaml", GOOD_PLAYBOOK.replace("fill:\n", "fill:\n  - wait: " + "9" * 4000 + "\n")),
                      "at most 600 seconds"),
    "infinite-wait": (text("p.yaml", GOOD_PLAYBOOK.replace("fill:\n", "fill:\n  - wait: .inf\n")), "at most 600"),
    "nan-wait": (text("p.yaml", GOOD_PLAYBOOK.replace("fill:\n", "fill:\n  - wait: .nan\n")), "more than 0"),
    "impossible-date": (text("p.yaml", with_extra("source: {kind: window, window: 2024-13-45}")), "cannot be read"),
    "long-value": (text("p.yaml", with_extra("description: " + "长" * 20_000)), "at most 10,000"),
    "long-list": (text("p.yaml", GOOD_PLAYBOOK.replace("choices: [男, 女]", "choices: [" + ",".join(map(str, range(6000))) + "]")),
                  "at most 5,000"),
    "ansi-escape-in-id": (text("p.yaml", GOOD_PLAYBOOK.replace("id: sample-qt-intake", 'id: "\\e[31m红\\e[0m"')),
                          "\\x1b[31m"),
    "file-too-large": (sparse("p.yaml", 2 * 1024 * 1024), "at most 262,144"),
    "empty-file": (raw("p.yaml", b""), "empty"),
    "a-folder": (folder, "folder"),
    "a-fifo": (fifo, "not a regular file"),
    "symlink-loop": (symlink_loop, "cannot be read"),
    "binary-junk": (raw("p.yaml", bytes(range(256)) * 4), "UTF-8"),
}

CASES: dict[str, tuple[Maker, str]] = {
    "source-is-text": (text("c.json", case_file(good_fields(applicant_name={"value": "张伟", "source": "ab"}))),
                       "must be an object"),
    "100000-deep-array": (text("c.json", "[" * 100_000 + "]" * 100_000), "levels deep"),
    "deep-in-source": (text("c.json", case_file(good_fields(applicant_name={
        "value": "张伟", "source": {"x": json.loads("[" * 900 + "]" * 900)}}))), "levels deep"),
    "5001-digit-number": (text("c.json", '{"phone": ' + "9" * 5001 + "}"), "5,001 digits"),
    "nan-value": (text("c.json", '{"applicant_name": NaN}'), "NaN"),
    "infinity-value": (text("c.json", '{"applicant_name": -Infinity}'), "-Infinity"),
    "float-overflow": (text("c.json", '{"applicant_name": 1e999}'), "too large"),
    "number-in-plain-case": (text("c.json", '{"phone": 13905971234}'), "must be text"),
    "bool-in-plain-case": (text("c.json", '{"applicant_name": true}'), "must be text"),
    "list-in-plain-case": (text("c.json", '{"applicant_name": ["张", "伟"]}'), "must be text"),
    "number-as-case-value": (text("c.json", case_file(good_fields(phone={"value": 13905971234}))), "must be text"),
    "duplicate-key": (text("c.json", '{"applicant_name": "张伟", "applicant_name": "李四"}'), "twice"),
    "lone-surrogate": (text("c.json", '{"applicant_name": "\\ud800"}'), "invalid character"),
    "utf16": (text("c.json", "\ufeff" + json.dumps(GOOD_VALUES, ensure_ascii=False), "utf-16"), "UTF-16"),
    "gbk": (text("c.json", json.dumps(GOOD_VALUES, ensure_ascii=False), "gbk"), "not UTF-8"),
    "top-level-array": (text("c.json", "[1, 2]"), "JSON object"),
    "top-level-string": (text("c.json", '"张伟"'), "JSON object"),
    "format-true": (text("c.json", '{"deskhand_case": true, "case_id": "x", "fields": {}}'), "format"),
    "fields-a-list": (text("c.json", '{"deskhand_case": 1, "case_id": "x", "fields": []}'), "must be an object"),
    "case-id-number": (text("c.json", '{"deskhand_case": 1, "case_id": 5, "fields": {}}'), "case_id"),
    "case-id-path": (text("c.json", '{"deskhand_case": 1, "case_id": "../../etc/x", "fields": {}}'), "case_id"),
    "status-number": (text("c.json", case_file(good_fields(phone={"value": "1", "status": 5}))), "status"),
    "fills-not-objects": (text("c.json", '{"deskhand_case": 1, "case_id": "x", "fields": {}, "fills": [1]}'),
                          "fills"),
    "field-entry-a-string": (text("c.json", case_file(good_fields(phone="13905971234"))), "must be an object"),
    "empty-file": (raw("c.json", b""), "not valid JSON"),
    "file-too-large": (sparse("c.json", 17 * 1024 * 1024), "at most 16 MiB"),
    "a-folder": (folder, "folder"),
    "a-fifo": (fifo, "not a regular file"),
    "symlink-loop": (symlink_loop, "cannot be read"),
}

IMAGES: dict[str, tuple[Maker, str]] = {
    "20000x20000-png": (raw("i.png", png_header(20000, 20000)), "far larger than 40 megapixels"),
    "9000x9000-png": (raw("i.png", png_header(9000, 9000)), "9000×9000 pixels; Deskhand reads pictures of at most 40 megapixels"),
    "thin-1x30000-png": (raw("i.png", png_header(1, 30000)), "10,000 pixels a side"),
    "truncated-png": (raw("i.png", lambda: small_png()[:300]), "damaged or cut short"),
    "truncated-jpeg": (raw("i.jpg", lambda: small_png("JPEG")[:200]), "damaged or cut short"),
    "png-signature-only": (raw("i.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40), "not an image"),
    "zero-bytes": (raw("i.png", b""), "empty file"),
    "text-file": (raw("i.png", b"hello, not a picture\n"), "not an image"),
    "a-folder": (folder, "folder"),
    "a-fifo": (fifo, "not a regular file"),
    "symlink-loop": (symlink_loop, "cannot be read"),
    "file-too-large": (sparse("i.bmp", 201 * 1024 * 1024), "at most 200 MB"),
}


# --------------------------------------------------------------------------- running

def deskhand(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "DESKHAND_REGISTRIES")}
    env.update(XDG_DATA_HOME=str(tmp / "data"), XDG_CONFIG_HOME=str(tmp / "config"),
               PYTHONPATH=str(ROOT), PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run([sys.executable, "-m", "app.cli", *args], capture_output=True, text=True,
                          timeout=60, env=env, cwd=tmp, stdin=subprocess.DEVNULL)


def files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*")} if folder.exists() else set()


def assert_refused(tmp: Path, args: list[str], phrase: str, *, playbook_lines: bool = False) -> None:
    before = files_under(tmp)
    r = deskhand(tmp, *args)
    assert r.returncode in (2, 3), (r.returncode, r.stdout, r.stderr)
    err = r.stderr.strip()
    assert err and "Traceback" not in r.stderr and "Error:" not in r.stderr, r.stderr
    lines = err.splitlines()
    if playbook_lines:   # `file:line: message`, one line per problem
        assert all(line.split(":")[1].isdigit() for line in lines
                   if line.startswith(str(tmp))), err
    else:
        assert len(lines) == 1, err
    assert phrase in err, err
    assert "\x1b" not in r.stderr   # nothing from the file reaches the terminal raw
    # nothing left behind: no case file, no temp file, nothing in the user's folders
    assert files_under(tmp) == before, files_under(tmp) - before


@pytest.mark.parametrize("name", list(PLAYBOOKS))
def test_hostile_playbook_is_refused_by_check(tmp_path: Path, name: str) -> None:
    make, phrase = PLAYBOOKS[name]
    path = make(tmp_path)
    assert_refused(tmp_path, ["check", str(path)], phrase, playbook_lines=True)


@pytest.mark.parametrize("name", ["495-nested-brackets", "regex-repeat-overflow", "target-title-star",
                                  "billion-laughs", "a-fifo"])
def test_hostile_playbook_is_refused_by_fill_before_typing(tmp_path: Path, name: str) -> None:
    make, phrase = PLAYBOOKS[name]
    path = make(tmp_path)
    case = tmp_path / "values.json"
    case.write_text(json.dumps(GOOD_VALUES, ensure_ascii=False), encoding="utf-8")
    assert_refused(tmp_path, ["fill", str(path), "--case", str(case), "--dry-run"], phrase,
                   playbook_lines=True)


@pytest.mark.parametrize("name", list(CASES))
def test_hostile_case_file_is_refused_by_fill(tmp_path: Path, name: str) -> None:
    make, phrase = CASES[name]
    path = make(tmp_path)
    assert_refused(tmp_path, ["fill", "sample-qt-intake", "--case", str(path), "--dry-run"], phrase)


@pytest.mark.parametrize("command", ["capture", "ocr"])
@pytest.mark.parametrize("name", list(IMAGES))
def test_hostile_image_is_refused(tmp_path: Path, name: str, command: str) -> None:
    make, phrase = IMAGES[name]
    path = make(tmp_path)
    args = (["capture", "idcard-to-qt-intake", "--image", str(path), "--offline"]
            if command == "capture" else ["ocr", str(path)])
    assert_refused(tmp_path, args, phrase)


# --------------------------------------------------------------------------- accepted

def test_a_bom_is_fine_in_a_playbook_and_a_case(tmp_path: Path) -> None:
    """What Windows Notepad writes (UTF-8 with a byte-order mark) is read as it is meant."""
    pb = tmp_path / "bom.yaml"
    pb.write_bytes(b"\xef\xbb\xbf" + GOOD_PLAYBOOK.encode("utf-8"))
    case = tmp_path / "bom.json"
    case.write_bytes(b"\xef\xbb\xbf" + json.dumps(GOOD_VALUES, ensure_ascii=False).encode("utf-8"))
    assert deskhand(tmp_path, "check", str(pb)).returncode == 0
    r = deskhand(tmp_path, "fill", str(pb), "--case", str(case), "--dry-run", "--json")
    assert r.returncode == 0, r.stderr
    assert "张伟" in r.stdout


@pytest.mark.parametrize("target", ['{title: "wps"}', '{process: "et"}', '{title_regex: "^记事本$"}',
                                    '{title: "*城市审批*"}', '{title_regex: "审批.*系统"}',
                                    '{title: "*", process: "approval_client"}'])
def test_specific_targets_pass_check(tmp_path: Path, target: str) -> None:
    """The exact title or program name, or 3 letters every title must hold, is specific:
    short program names such as WPS's `et` are exact, so they pass."""
    pb = tmp_path / "ok.yaml"
    pb.write_text(with_target(target), encoding="utf-8")
    r = deskhand(tmp_path, "check", str(pb))
    assert r.returncode == 0, r.stderr


def test_a_folder_of_broken_playbooks_does_not_stop_the_library(tmp_path: Path) -> None:
    """The tray loads its playbook folders at start; whatever is in them, it starts, lists
    each broken file with its sentence, and offers the good ones."""
    from app.library import load_library
    folder_ = tmp_path / "playbooks"
    folder_.mkdir()
    for name in ("495-nested-brackets", "utf16", "billion-laughs", "regex-repeat-overflow",
                 "target-title-star", "python-object-tag"):
        (folder_ / f"{name}.yaml").write_bytes(PLAYBOOKS[name][0](tmp_path).read_bytes())
    (folder_ / "loop.yaml").symlink_to(folder_ / "loop.yaml")
    os.mkfifo(folder_ / "pipe.yaml")
    (folder_ / "mine.yaml").write_text(GOOD_PLAYBOOK.replace("id: sample-qt-intake", "id: mine"),
                                       encoding="utf-8")
    looped = tmp_path / "looped"
    looped.symlink_to(looped)   # a symlink loop as a playbook folder
    lib = load_library([folder_, looped])
    broken = {p.name: why for p, why in lib.broken}
    assert set(broken) == {"495-nested-brackets.yaml", "utf16.yaml", "billion-laughs.yaml",
                           "regex-repeat-overflow.yaml", "target-title-star.yaml",
                           "python-object-tag.yaml", "loop.yaml", "pipe.yaml"}
    assert "could match any window" in broken["target-title-star.yaml"]
    assert lib.get("mine") is not None and lib.get("sample-qt-intake") is not None


@pytest.mark.parametrize("content", ["hotkeys: " + "[" * 495 + "]" * 495, "a: &a [*a]",
                                     "language: " + "9" * 5001, "x: !!python/object/apply:os.system [id]",
                                     "a: &a [x,x,x,x,x,x,x,x,x,x]\n" + "".join(
                                         f"{c}: &{c} [" + ",".join([f"*{p}"] * 10) + "]\n"
                                         for p, c in zip("abcde", "bcdef"))])
def test_hostile_settings_files_are_set_aside_or_refused(tmp_path: Path, content: str) -> None:
    """The clerk's settings.yaml is read as the tray starts: a damaged one is set aside
    with a sentence, the defaults are used. IT's registry settings are refused (exit 2)."""
    from app.errors import RegistryConfigError
    from app.registry.settings import load_registry_settings
    from app.settings import SettingsStore
    user = tmp_path / "settings.yaml"
    user.write_text(content, encoding="utf-8")
    store = SettingsStore(user)
    settings = store.load()
    assert settings.language and len(store.problems) == 1 and "is damaged" in store.problems[0]
    registries = tmp_path / "registries.yaml"
    registries.write_text(content, encoding="utf-8")
    with pytest.raises(RegistryConfigError) as info:
        load_registry_settings(registries)
    assert info.value.exit_code == 2 and "line " in info.value.message


@pytest.mark.timeout(120)   # a hang guard, not a measurement: bench/hostile.py has the figures
def test_the_worst_playbooks_inside_the_limits_are_answered_in_seconds() -> None:
    """Thousands of misspelt names used to cost a difflib search each (374 s for 176 KB);
    now suggestions look among at most 300 names and checking stops at 100 problems."""
    from playbooks.errors import PlaybookErrors
    from playbooks.loader import MAX_ERRORS, load_playbook_text
    head = 'deskhand: 1\nid: x\nname: x\ntarget: {title: "城市审批系统*"}\n'
    fields = "fields:\n" + "".join(f"  - {{name: field_{i:04d}}}\n" for i in range(4000))
    misspelt = head + fields + "fill:\n" + "".join(f"  - type: fielb_{i:04d}\n" for i in range(4000))
    with pytest.raises(PlaybookErrors) as info:
        load_playbook_text(misspelt, "x.yaml")
    assert len(info.value.errors) == MAX_ERRORS + 1
    assert "checking stopped after 100 problems" in info.value.errors[-1].message
    choices = ",".join(f"c{i}" for i in range(4999))
    options = ",".join(f"c{i}: tab" for i in range(4999))
    big = (head + f"fields:\n  - {{name: g, type: choice, choices: [{choices}]}}\nfill:\n"
           + f"  - choose: {{field: g, options: {{{options}}}}}\n" * 4)
    assert len(load_playbook_text(big, "x.yaml").steps) == 4


def test_only_picture_formats_are_opened(tmp_path: Path) -> None:
    """Pillow's EPS plugin would hand the file to Ghostscript; Deskhand opens the formats
    scanners, phones and screenshots write, and refuses the rest with a sentence."""
    eps = tmp_path / "scan.png"
    eps.write_bytes(b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\nshowpage\n")
    assert_refused(tmp_path, ["ocr", str(eps)], "not an image Deskhand can read")
    from PIL import Image
    for kind in ("BMP", "TIFF", "WEBP", "GIF"):
        Image.new("RGB", (40, 30), "white").save(tmp_path / f"ok.{kind.lower()}", kind)
        from app.capture.sources import load_image
        assert load_image(tmp_path / f"ok.{kind.lower()}").size == (40, 30)
