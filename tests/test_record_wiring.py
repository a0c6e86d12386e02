"""What the listener hands the compiler, where the recording proof (tests/test_record_e2e.py)
found the two sides disagreeing: a GTK combo whose accessible name is the item it shows, a
check box read as its own text, and a grid's row where the cell left of a value is another
value (its header is above)."""
from __future__ import annotations

from recorders.bind import Place
from recorders.boxes import _choice_value, replay
from recorders.recording import Event, RecordedWidget, RecordedWindow, Recording, SourceLine
from recorders.source_fields import label_of

WINDOW = RecordedWindow(title="城市审批系统 - 受理登记（gtk）", pid=42)


def test_a_combo_whose_name_is_its_item_is_one_box():
    """GTK names a combo by the item it shows: the click (（请选择）) and the final value
    (未婚) are the same box, which keeps the value."""
    def combo(name: str) -> RecordedWidget:
        return RecordedWidget(role="combo", name=name, label="婚姻状况：", x=300, y=200,
                              width=120, height=28)
    events = (Event(1.0, "click", WINDOW, combo("（请选择）"), x=310, y=210, button="left"),
              Event(5.0, "value", WINDOW, combo("未婚"), text="未婚"))
    boxes = replay(Recording(started="2026-12-05T07:00:00", source=None, events=events)).boxes
    assert [(b.widget.role, b.value) for b in boxes] == [("combo", "未婚")]


def test_a_check_box_read_as_its_own_text_is_ticked():
    box = RecordedWidget(role="check", name="已核验原件", label="已核验原件", option="已核验原件")
    assert _choice_value(box, "已核验原件") == "是"
    assert _choice_value(box, "") == "否"
    assert _choice_value(box, "true") == "是"


def test_in_a_grid_row_the_header_above_is_the_label():
    lines = (SourceLine("姓名", 76, 75, 37, 22), SourceLine("性别", 183, 74, 35, 23),
             SourceLine("联系电话", 705, 75, 61, 21),
             SourceLine("简洁月", 75, 117, 48, 23), SourceLine("女", 183, 116, 21, 24),
             SourceLine("机动车驾驶培训教练员", 445, 118, 142, 21),
             SourceLine("15299441269", 705, 117, 90, 21))
    typed = frozenset({"简洁月", "女", "机动车驾驶培训教练员", "15299441269"})
    gender = label_of(Place("女", (4,)), lines, typed)
    phone = label_of(Place("15299441269", (6,)), lines, typed)
    assert (gender.text, gender.direction) == ("性别", "below")
    assert (phone.text, phone.direction) == ("联系电话", "below")
    # without knowing what was typed, the cell to the left passes for a label
    assert label_of(Place("女", (4,)), lines).text == "简洁月"
