"""Pure logic of the accessibility backends: labels by geometry, label keys, which toolkit a
program is and what turns its accessibility on, the AT-SPI numbers and match rules, and the
backend choice. The backends themselves run against real programs in test_a11y_atspi.py."""
from __future__ import annotations

import pytest

from app.a11y import default_backend_name
from app.a11y import atspi_constants as K
from app.a11y.advice import (CHROMIUM, FIREFOX, GTK, JAVA, QT, TK, UNKNOWN, guess_toolkit,
                             linux_libraries, not_exposed_sentence)
from app.a11y.atspi import _match_item, fault_is_missing
from app.a11y.atspi_bus import DBusFault, session_bus_address
from app.a11y.atspi_tree import frame_score
from app.a11y.base import Accessible, Bounds, FormField, find_field, find_radio, label_key
from app.a11y.labels import LabelBox, nearest_label, reading_order
from app.desktop.base import WindowInfo
from app.errors import AccessibilityUnavailableError


def box(x: int, y: int, w: int = 100, h: int = 30) -> Bounds:
    return Bounds(x, y, w, h)


def lab(text: str, x: int, y: int, w: int = 80, h: int = 24) -> LabelBox:
    return LabelBox(text, Bounds(x, y, w, h))


# ---------------------------------------------------------------- labels by geometry
def test_the_label_left_on_the_same_row_wins():
    field = box(200, 100)
    labels = [lab("姓名：", 110, 103), lab("性别：", 110, 140), lab("标题", 10, 103, 40)]
    assert nearest_label(field, labels).text == "姓名："


def test_a_right_aligned_label_column_far_left_still_counts():
    # QFormLayout in a wide window: labels right-aligned in a column, a wide gap
    assert nearest_label(box(500, 100), [lab("住址：", 300, 104)]).text == "住址："
    assert nearest_label(box(900, 100), [lab("住址：", 300, 104)]) is None   # too far to be its label


def test_a_label_above_is_taken_when_none_is_on_the_row():
    field = box(200, 100)
    assert nearest_label(field, [lab("联系电话", 200, 74)]).text == "联系电话"
    # the row's label beats the one above, even when the one above is nearer
    assert nearest_label(field, [lab("上面", 200, 80), lab("左边", 60, 104)]).text == "左边"


def test_labels_elsewhere_are_not_taken():
    field = box(200, 100)
    assert nearest_label(field, [lab("右边", 320, 104)]) is None            # to the right
    assert nearest_label(field, [lab("下面", 200, 140)]) is None            # below
    assert nearest_label(field, [lab("远上方", 200, 20)]) is None           # far above
    assert nearest_label(field, [lab("偏右上方", 280, 74)]) is None         # above the box's right half
    assert nearest_label(field, [lab("：", 120, 104), lab("", 150, 104)]) is None   # no words
    assert nearest_label(field, [LabelBox("空", Bounds(120, 104, 0, 0))]) is None   # not shown


def test_of_two_labels_on_the_row_the_nearer_wins():
    field = box(300, 100)
    assert nearest_label(field, [lab("组名", 20, 102), lab("邮编：", 200, 102)]).text == "邮编："


def test_a_label_of_a_taller_box_counts_by_its_centre():
    remarks = box(200, 100, 400, 72)                   # a multi-line box; its label sits at the top
    assert nearest_label(remarks, [lab("备注：", 140, 104, 50, 24)]).text == "备注："


def test_reading_order_is_rows_then_left_to_right():
    # GTK lists a grid's widgets last row first; radios of one row; a taller box on a row
    boxes = [Bounds(200, 300, 300, 30), Bounds(260, 104, 40, 20), Bounds(200, 104, 40, 20),
             Bounds(200, 60, 300, 30), Bounds(200, 140, 300, 72), Bounds(520, 160, 80, 24)]
    assert reading_order(boxes) == [3, 2, 1, 4, 5, 0]
    assert reading_order([]) == []


# ---------------------------------------------------------------- label keys and look-up
@pytest.mark.parametrize("shown, key", [
    ("* 申请人姓名：", "申请人姓名"), ("＊身份证号:", "身份证号"), ("电子邮箱：", "电子邮箱"),
    ("  联系  电话 ", "联系 电话"), ("ＡＢＣ：", "ABC"), ("", ""), ("：", "")])
def test_label_key(shown, key):
    assert label_key(shown) == key


def field(role: str, label: str, name: str = "", index: int = 0) -> FormField:
    return FormField(Accessible(":1.0", f"/n{index}"), role, name, label, "labelled-by",
                     Bounds(0, 0, 10, 10), True, True, False, 1, 1, index=index)


def test_find_field_and_find_radio():
    fields = [field("text", "* 申请人姓名：", index=0), field("radio", "* 性别：", "男", 1),
              field("radio", "* 性别：", "女", 2), field("combo", "办理事项", "（请选择）", 3),
              field("text", "备注", index=4), field("text", "备注：", index=5),
              field("button", "保存", "保存", 6)]
    assert find_field(fields, "申请人姓名").index == 0
    assert find_field(fields, "办理事项：", role="combo").index == 3
    assert find_field(fields, "办理事项", role="text") is None
    assert find_field(fields, "备注") is None            # two boxes: ambiguous, not a guess
    assert find_field(fields, "性别") is None            # radios are found by group and option
    assert find_radio(fields, "性别", "女").index == 2
    assert find_radio(fields, "* 性别：", "未知") is None
    assert find_field(fields, "保存", role="button").index == 6


# ---------------------------------------------------------------- toolkits and advice
@pytest.mark.parametrize("process, libs, given, toolkit", [
    ("chromium", [], None, CHROMIUM), ("chrome.exe", [], None, CHROMIUM),
    ("msedge.exe", [], None, CHROMIUM), ("firefox-esr", [], None, FIREFOX),
    ("java", ["/usr/lib/libgtk-3.so.0"], None, JAVA), ("javaw.exe", [], None, JAVA),
    ("python3.11", ["/venv/PySide6/Qt/lib/libQt6Core.so.6", "/usr/lib/libgtk-3.so.0"], None, QT),
    ("python3", ["/usr/lib/x86_64-linux-gnu/libtk8.6.so"], None, TK),
    ("zenity", ["/usr/lib/x86_64-linux-gnu/libgtk-3.so.0"], None, GTK),
    ("approval", ["/opt/app/libcef.so", "/usr/lib/libgtk-3.so.0"], None, CHROMIUM),
    ("approval", [], "Qt", QT), ("approval", [], "GAIL", GTK), ("approval", [], None, UNKNOWN),
])
def test_guess_toolkit(process, libs, given, toolkit):
    assert guess_toolkit(process, libs, given) == toolkit


def test_each_toolkit_has_its_own_setting_in_the_sentence():
    assert "QT_LINUX_ACCESSIBILITY_ALWAYS_ON=1" in not_exposed_sentence("审批", QT)
    assert "--force-renderer-accessibility" in not_exposed_sentence("审批", CHROMIUM)
    java = not_exposed_sentence("审批", JAVA)
    assert "libatk-wrapper-java" in java and "assistive_technologies" in java
    assert "at-spi2-core" in not_exposed_sentence("审批", GTK)
    assert "Tk has no accessibility" in not_exposed_sentence("审批", TK)
    assert "jabswitch -enable" in not_exposed_sentence("审批", JAVA, platform="win")
    for toolkit in (QT, CHROMIUM, JAVA, FIREFOX, GTK, TK, UNKNOWN):
        sentence = not_exposed_sentence("'审批'", toolkit)
        assert ". " not in sentence and sentence.endswith("types with keys.")   # one sentence


def test_libraries_of_this_process_are_read_and_a_missing_one_is_empty():
    assert any("libpython" in lib or "libc.so" in lib for lib in linux_libraries(__import__("os").getpid()))
    assert linux_libraries(None) == [] and linux_libraries(2 ** 22 + 7) == []


# ---------------------------------------------------------------- AT-SPI numbers
def test_state_words_and_sets():
    assert K.states([1 << K.STATE_FOCUSED | 1 << K.STATE_EDITABLE, 1 << (K.STATE_READ_ONLY - 32)]) \
        == {K.STATE_FOCUSED, K.STATE_EDITABLE, K.STATE_READ_ONLY}
    hidden_popup = K.states([2164263168, 0])                # Qt's closed combo list
    assert hidden_popup == {8, 11, 24, 31} and K.STATE_VISIBLE not in hidden_popup
    assert K.state_set([K.STATE_VISIBLE]) == [1 << 30, 0]
    assert K.state_set([31]) == [-(1 << 31), 0]           # int32 on the wire


def test_role_set_and_match_rule():
    words = K.role_set([K.ROLE_TEXT, K.ROLE_ENTRY, K.ROLE_STATIC])
    assert words[1] == 1 << (61 - 32) and words[2] == 1 << (79 - 64) and words[3] == 1 << (116 - 96)
    rule, sort, count, traverse = K.match_rule([K.ROLE_LABEL], (K.STATE_VISIBLE,))
    assert (sort, count, traverse) == (K.SORT_CANONICAL, 0, True)
    assert rule[0] == [1 << 30, 0] and rule[1] == K.MATCH_ALL and rule[5] == K.MATCH_ANY


def test_faults():
    assert DBusFault("org.freedesktop.DBus.Error.UnknownObject", "x").gone
    assert DBusFault("org.qtproject.Error", "No such object path '/a'").gone
    assert not DBusFault("org.freedesktop.DBus.Error.UnknownMethod", "x").gone
    assert fault_is_missing(DBusFault("org.freedesktop.DBus.Error.UnknownMethod",
                                      'Method "SetTextContents" doesn\'t exist'))
    assert fault_is_missing(DBusFault("org.freedesktop.DBus.Error.Failed",
                                      "Interface org.a11y.atspi.Selection was not found"))


def test_items_are_matched_exactly_then_folded():
    names = ["（请选择）", "公积金提取", "ＡＢ类", "AB类 "]
    assert _match_item(names, "公积金提取") == 1
    assert _match_item(names, "ＡＢ类") == 2                  # exact wins
    assert _match_item(["（请选择）", "ＡＢ类"], "AB类") == 1    # folded, one match
    assert _match_item(names, "AB") is None
    assert _match_item(["甲", "甲 "], "甲") == 0


def test_frame_score_prefers_the_title_then_the_geometry():
    window = WindowInfo(7, "审批", pid=10, x=100, y=50, width=800, height=600)
    assert frame_score(window, "审批", Bounds(100, 50, 800, 600), {K.STATE_ACTIVE}) == 7
    assert frame_score(window, "审批", Bounds(0, 0, 10, 10), set()) == 4
    assert frame_score(window, "别的", Bounds(110, 75, 800, 600), set()) == 2   # decorations
    assert frame_score(window, "别的", Bounds(600, 50, 800, 600), set()) == 0


# ---------------------------------------------------------------- choosing a backend
def test_backend_choice_and_override():
    assert default_backend_name({}, "linux") == "atspi"
    assert default_backend_name({}, "win32") == "uia"
    assert default_backend_name({"DESKHAND_A11Y": "UIA"}, "linux") == "uia"
    with pytest.raises(AccessibilityUnavailableError, match="DESKHAND_A11Y"):
        default_backend_name({"DESKHAND_A11Y": "magic"}, "linux")


def test_session_bus_address(tmp_path):
    assert session_bus_address({"DBUS_SESSION_BUS_ADDRESS": "unix:path=/x"}) == "unix:path=/x"
    assert session_bus_address({"XDG_RUNTIME_DIR": str(tmp_path)}) is None
    (tmp_path / "bus").touch()
    assert session_bus_address({"XDG_RUNTIME_DIR": str(tmp_path)}) == f"unix:path={tmp_path / 'bus'}"
