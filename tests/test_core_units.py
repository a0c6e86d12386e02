"""Pure logic: keymap and keycode pool, value formatting, case files, masking, target matching."""
from __future__ import annotations

import json

import pytest

from app.cases import FieldValue, case_from_values, load_case, save_case
from app.desktop import default_backend_name
from app.desktop.base import WindowInfo
from app.desktop.x11_keymap import Keymap, char_keysym
from app.errors import CaseFileError, DesktopError
from app.fill.target import matches
from app.checks.dates import inspect_date
from app.checks.normalize import to_halfwidth
from app.privacy import mask
from playbooks.keys import KeyNameError, parse_combo
from playbooks.model import TargetSpec


def test_char_keysyms():
    assert char_keysym("a") == 0x61 and char_keysym("é") == 0xE9
    assert char_keysym("张") == 0x01000000 + 0x5F20
    assert char_keysym("𠮷") == 0x01000000 + 0x20BB7
    assert char_keysym("\n") == 0xFF0D


def test_keymap_finds_levels_and_spare_codes():
    # keycodes 10..14: '1'/'!', 'a'/'A', unused, Shift_L (a modifier), unused
    km = Keymap(10, [[0x31, 0x21], [0x61, 0x41], [0, 0], [0xFFE1], []], {13})
    assert km.stroke(0x41).keycode == 11 and km.stroke(0x41).shift
    assert km.stroke(0x21).shift and not km.stroke(0x31).shift
    assert km.spare == [12, 14]
    assert km.missing_chars("aA张三张!") == ["张", "三"]


def test_values_normalise():
    assert to_halfwidth("ＡＢ１２张") == "AB12张"
    assert str(inspect_date("2024年3月1日")[0]) == "2024-03-01"
    assert str(inspect_date("２０２４/03/01")[0]) == "2024-03-01"
    assert inspect_date("2023-02-29")[0] is None


def test_combo_parsing():
    assert str(parse_combo("Ctrl+Shift+Tab")) == "ctrl+shift+tab"
    assert str(parse_combo("return")) == "enter"
    with pytest.raises(KeyNameError):
        parse_combo("ctrll+a")


def test_case_roundtrip_is_atomic_and_keeps_provenance(tmp_path):
    case = case_from_values({"name": "张三"}, "pb", {"kind": "manual"})
    case.fields["idno"] = FieldValue("11010519491231002X", "corrected", "11010519491231002Y",
                                     {"kind": "ocr", "box": [1, 2, 3, 4]})
    path = tmp_path / "c.json"
    save_case(case, path)
    assert [p.name for p in tmp_path.iterdir()] == ["c.json"]  # no temp file left behind
    back = load_case(path)
    assert back.fields["idno"].original == "11010519491231002Y"
    assert back.fields["name"].value == "张三"


def test_plain_json_values_become_a_case(tmp_path):
    path = tmp_path / "v.json"
    path.write_text(json.dumps({"name": "李四", "age": "30", "note": None}, ensure_ascii=False),
                    encoding="utf-8")
    case = load_case(path, "pb")
    assert case.value("age") == "30" and case.fields["name"].source["kind"] == "json"
    assert case.value("note") is None


def test_plain_json_numbers_are_refused_not_turned_into_text(tmp_path):
    # 3.50802199003071e17 or 1.0 would not be what the applicant wrote
    path = tmp_path / "v.json"
    path.write_text('{"name": "李四", "age": 30}', encoding="utf-8")
    with pytest.raises(CaseFileError, match=r"'age' is the number 30, but field values must be "
                                            r"text: write it in quotes, \"30\""):
        load_case(path, "pb")


@pytest.mark.parametrize("content,msg", [
    ("{not json", "not valid JSON"),
    ("[1, 2]", "JSON object"),
    ('{"deskhand_case": 9, "fields": {}}', "format 9"),
    ('{"deskhand_case": 1, "case_id": "x", "fields": {"a": {"status": "weird"}}}', "unknown status"),
    ('{"name": {"nested": 1}}', "must be text"),
])
def test_bad_case_files_are_explained(tmp_path, content, msg):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CaseFileError, match=msg):
        load_case(path)
    with pytest.raises(CaseFileError, match="does not exist"):
        load_case(tmp_path / "nope.json")


def test_masking():
    assert mask("35080219900101123X", "id_number") == "3508**********123X"
    assert mask("13812345678", "phone") == "138****5678"
    assert mask("张三丰") == "张**"


def test_target_matching():
    w = WindowInfo(1, "城市审批系统 - 受理登记", 1, "python3.11")
    assert matches(TargetSpec(title="城市审批系统*"), w)
    assert matches(TargetSpec(title_regex="受理", process="python*"), w)
    assert not matches(TargetSpec(title="城市审批系统*", process="chromium"), w)
    assert not matches(TargetSpec(title="*"), None)


def test_backend_choice():
    assert default_backend_name({}, "linux") == "x11"
    assert default_backend_name({}, "win32") == "windows"
    assert default_backend_name({"DESKHAND_DESKTOP": "Dummy"}, "linux") == "dummy"
    with pytest.raises(DesktopError, match="not a desktop backend"):
        default_backend_name({"DESKHAND_DESKTOP": "wayland"}, "linux")


def test_core_imports_without_qt_and_without_a_display():
    """DESIGN.md §3: only app/ui/ imports PySide6; nothing needs a display to import."""
    import os
    import subprocess
    import sys
    code = ("import sys; sys.modules['PySide6'] = None\n"
            "import app.cli, app.fill.engine, app.fill.anchors, app.desktop, app.desktop.x11, "
            "app.desktop.windows, app.desktop.dummy, app.cases, app.ocr, app.capture.screen, "
            "playbooks.loader, recorders\n"
            "assert 'PySide6.QtCore' not in sys.modules\n")
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stderr
