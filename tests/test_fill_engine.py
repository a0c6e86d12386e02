"""Engine logic on the in-memory desktop: planning, focus guard, abort, read-back,
clipboard restore. The real typing is proven in tests/test_fill_e2e.py."""
from __future__ import annotations

import dataclasses

import pytest

from app.cases import case_from_values
from app.desktop.base import WindowInfo
from app.desktop.dummy import DummyDesktop
from app.errors import (FillAbortedError, FocusLostError, ModifiersHeldError,
                        TargetNotFocusedError, UsageError)
from app.fill.engine import FillEngine, FillOptions, plan
from playbooks.loader import load_playbook_text

PLAYBOOK = """\
deskhand: 1
id: t
name: 测试
target: {title: "城市审批系统*"}
fields:
  - {name: name, label: 姓名}
  - {name: gender, type: choice, choices: [男, 女]}
  - {name: birth, type: date, format: "%Y年%m月%d日"}
  - {name: idno, type: id_number}
  - {name: note, required: false}
fill:
  - type: name
  - key: tab
  - choose: {field: gender, options: {男: [space], 女: [right, space]}}
  - key: tab
  - type: birth
  - key: tab
  - type: idno
  - key: tab
  - type: note
"""
# consistent with each other: the gate before typing checks birth date and sex against the ID
VALUES = {"name": "张三", "gender": "女", "birth": "1949-12-31", "idno": "11010519491231002x"}


def engine_for(desktop: DummyDesktop, **opt) -> FillEngine:
    return FillEngine(desktop, FillOptions(wait_focus_s=0.2, modifiers_timeout_s=0.2, **opt),
                      sleep=lambda s: None if s <= 0 else __import__("time").sleep(min(s, 0.01)))


@pytest.fixture
def pb():
    return load_playbook_text(PLAYBOOK, "t.yaml")


def test_plan_formats_values_and_skips_optional(pb):
    steps = plan(pb, case_from_values(VALUES, "t", {}))
    typed = {s.field: s.text for s in steps if s.kind == "type"}
    assert typed == {"name": "张三", "birth": "1949年12月31日", "idno": "11010519491231002X"}
    assert [s.kind for s in steps][-1] == "skip"
    assert next(s for s in steps if s.kind == "choose").keys == ("right", "space")


def test_missing_required_value_stops_before_typing(pb):
    values = dict(VALUES)
    del values["idno"]
    with pytest.raises(UsageError, match="idno.*required"):
        plan(pb, case_from_values(values, "t", {}))


def test_bad_choice_and_bad_date_leave_their_own_box_alone(pb):
    """on_invalid: field (the default): each is planned "refused" with one sentence,
    the other fields as before."""
    steps = plan(pb, case_from_values({**VALUES, "gender": "未知", "birth": "1990-02-30"},
                                      "t", {}))
    why = {s.field: s.detail for s in steps if s.kind == "refused"}
    assert why["gender"] == ("gender (gender) is left empty: '未知' is not one of its choices "
                             "(the closest: 男, 女).")
    assert why["birth"].startswith("birth (birth) is left empty: ") and "date" in why["birth"]
    assert [s.field for s in steps if s.kind == "type"] == ["name", "idno"]


def test_bad_choice_and_bad_date_stop_the_fill_with_on_invalid_fill(pb):
    pb = dataclasses.replace(pb, on_invalid="fill")
    with pytest.raises(UsageError) as caught:
        plan(pb, case_from_values({**VALUES, "gender": "未知"}, "t", {}))
    assert caught.value.message == ("'未知' is not one of the choices of gender (gender) (the "
                                    "closest: 男, 女); nothing was typed.")
    assert caught.value.exit_code == 2
    with pytest.raises(UsageError, match="not a date"):
        plan(pb, case_from_values({**VALUES, "birth": "1990-02-30"}, "t", {}))


def test_a_choice_not_among_a_hundred_names_only_the_three_closest():
    choices = [f"事项{i:03d}" for i in range(112)]
    book = PLAYBOOK.replace("choices: [男, 女]", "choices: [" + ", ".join(choices) + "]").replace(
        "options: {男: [space], 女: [right, space]}",
        "options: {" + ", ".join(f"{c}: [down]" for c in choices) + "}")
    for policy in ("field", "fill"):
        pb = dataclasses.replace(load_playbook_text(book, "t.yaml"), on_invalid=policy)
        case = case_from_values({**VALUES, "gender": "事项0x7"}, "t", {})
        if policy == "fill":
            with pytest.raises(UsageError) as caught:
                plan(pb, case)
            sentence = caught.value.message
        else:
            (sentence,) = [s.detail for s in plan(pb, case) if s.kind == "refused"]
        listed = sentence.split("(the closest: ")[1]
        assert listed.count("事项") == 3 and "事项111" not in listed, sentence
        assert len(sentence) < 120


def test_a_refused_field_is_reported_and_the_rest_typed(pb):
    d = DummyDesktop()
    report = engine_for(d).fill(pb, case_from_values({**VALUES, "gender": "未知"}, "t", {}))
    assert report.outcome == "done"
    assert [r.status for r in report.results] == ["readback_ok", "refused", "readback_ok",
                                                 "readback_ok", "skipped"]
    assert report.refused[0].message.startswith("gender (gender) is left empty")
    assert report.unconfirmed == ["gender"]
    assert "1 refused and left empty, their values may not be typed (gender)" in report.summary()
    assert "<space>" not in d.received[1], d.received[1]     # its keys were never pressed


def test_full_fill_reads_back_every_field_and_restores_clipboard(pb):
    d = DummyDesktop()
    d.clipboard = {"UTF8_STRING": "剪贴板".encode()}
    report = engine_for(d).fill(pb, case_from_values(VALUES, "t", {}))
    assert report.outcome == "done"
    assert [r.status for r in report.results] == ["readback_ok", "chosen", "readback_ok",
                                                 "readback_ok", "skipped"]
    assert "".join(x for x in d.received[1] if not x.startswith("<")) == "张三1949年12月31日11010519491231002X"
    assert d.clipboard == {"UTF8_STRING": "剪贴板".encode()}


def test_readback_difference_is_reported(pb):
    d = DummyDesktop()
    d.copy_transform = lambda s: s[:-1]  # a client that drops the last character
    report = engine_for(d).fill(pb, case_from_values(VALUES, "t", {}))
    assert report.differs == ["name", "birth", "idno"]


def test_wrong_window_focused_types_nothing(pb):
    other = WindowInfo(2, "微信", 7, "wechat")
    d = DummyDesktop([WindowInfo(1, "城市审批系统 - 受理登记"), other])
    d.focused = 2
    with pytest.raises(TargetNotFocusedError, match="微信"):
        engine_for(d).fill(pb, case_from_values(VALUES, "t", {}))
    assert d.received == {1: [], 2: []}


def test_focus_stolen_mid_field_stops_at_once(pb):
    d = DummyDesktop([WindowInfo(1, "城市审批系统 - 受理登记"), WindowInfo(2, "诱饵")], chunk_chars=4)
    def steal(desk: DummyDesktop) -> None:
        if desk.field_text[1] == "1101":      # 4 characters into the id number
            desk.focused = 2
    d.on_chunk = steal
    eng = engine_for(d)
    with pytest.raises(FocusLostError) as info:
        eng.fill(pb, case_from_values(VALUES, "t", {}))
    assert d.received[2] == []
    assert info.value.field == "idno" and info.value.typed == 4
    assert eng.last_report.outcome == "focus_lost"
    assert d.restored, "clipboard must be restored after a stopped fill"


def test_abort_key_stops(pb):
    d = DummyDesktop()
    d.on_chunk = lambda desk: setattr(desk, "abort", True)
    with pytest.raises(FillAbortedError, match="abort key"):
        engine_for(d).fill(pb, case_from_values(VALUES, "t", {}))
    assert d.received[1] == ["张三"]   # the chunk under way when the key was pressed, no more


def test_failsafe_corner_stops(pb):
    d = DummyDesktop()
    d.pointer = (0, 0)
    with pytest.raises(FillAbortedError, match="failsafe"):
        engine_for(d).fill(pb, case_from_values(VALUES, "t", {}))


def test_held_modifiers_wait_then_give_up(pb):
    d = DummyDesktop()
    d.modifiers = {"ctrl", "alt"}
    with pytest.raises(ModifiersHeldError, match="alt\\+ctrl"):
        engine_for(d).fill(pb, case_from_values(VALUES, "t", {}))
    assert d.received[1] == []


def test_resume_from_step(pb):
    d = DummyDesktop()
    report = engine_for(d, start_step=6).fill(pb, case_from_values(VALUES, "t", {}))
    assert [r.field for r in report.results] == ["idno", "note"]


ANCHOR_PLAYBOOK = """\
deskhand: 1
id: a
name: 锚点
target: {title: "城市审批系统*"}
fields:
  - {name: employer}
fill:
  - click: {anchor: 工作单位, dx: 120, dy: -2}
  - type: {field: employer, readback: false}
  - wait: {text: 保存成功, timeout: 0.3}
"""


class FakeScreen:
    """Text positions inside the window; `appears_after` calls before 保存成功 shows."""

    def __init__(self, appears_after: int = 2) -> None:
        self.calls = 0
        self.appears_after = appears_after

    def locate(self, text, window, fuzzy=True, fresh=False):
        self.calls += 1
        assert fresh == (text == "保存成功"), "a text wait polls fresh reads"
        assert fuzzy == (text != "保存成功"), "waits match exactly, anchors forgive a misread"
        if text == "工作单位":
            return (80, 300)
        if text == "保存成功" and self.calls > self.appears_after:
            return (400, 700)
        return None

    def forget(self):
        pass


def test_anchor_click_lands_at_text_plus_offset_and_text_wait_polls():
    pb = load_playbook_text(ANCHOR_PLAYBOOK, "a.yaml")
    d = DummyDesktop()
    screen = FakeScreen()
    report = FillEngine(d, FillOptions(wait_focus_s=0.2), sleep=lambda s: None,
                        screen_text=lambda: screen).fill(pb, case_from_values({"employer": "龙岩建设"}, "a", {}))
    assert d.received[1][0] == "<click 200,298>"
    assert report.outcome == "done" and screen.calls >= 3


def test_anchor_missing_or_text_never_shown_stop_with_a_sentence():
    pb = load_playbook_text(ANCHOR_PLAYBOOK, "a.yaml")
    from app.errors import DesktopError

    class Blind:
        def locate(self, text, window, fuzzy=True, fresh=False):
            return None
    d = DummyDesktop()
    eng = FillEngine(d, FillOptions(wait_focus_s=0.2), sleep=lambda s: None,
                     screen_text=lambda: Blind())
    with pytest.raises(DesktopError, match="Could not find the text '工作单位'"):
        eng.fill(pb, case_from_values({"employer": "x"}, "a", {}))
    assert d.received[1] == []
    import time as _t
    eng = FillEngine(DummyDesktop(), FillOptions(wait_focus_s=0.2),
                     sleep=lambda s: _t.sleep(0.01), screen_text=lambda: FakeScreen(10**6))
    with pytest.raises(DesktopError, match="Waited 0.3 s for the text '保存成功' in"):
        eng.fill(pb, case_from_values({"employer": "x"}, "a", {}))


def test_a_clipboard_that_cannot_be_restored_is_a_warning_not_a_lost_reason(pb):
    from app.errors import ClipboardError
    d = DummyDesktop([WindowInfo(1, "城市审批系统 - 受理登记"), WindowInfo(2, "诱饵")])

    def broken_restore(snapshot):
        raise ClipboardError("Could not put your clipboard back after the fill.")
    d.clipboard_restore = broken_restore
    d.on_chunk = lambda desk: setattr(desk, "focused", 2) if desk.field_text[1] == "1101" else None
    eng = engine_for(d)
    with pytest.raises(FocusLostError):          # the real reason survives
        eng.fill(pb, case_from_values(VALUES, "t", {}))
    assert eng.last_report.warnings == ["Could not put your clipboard back after the fill."]


def test_title_wait_follows_a_replaced_target_window_or_times_out():
    pb = load_playbook_text(ANCHOR_PLAYBOOK.replace(
        "  - click: {anchor: 工作单位, dx: 120, dy: -2}\n", "").replace(
        "  - wait: {text: 保存成功, timeout: 0.3}\n",
        "  - key: enter\n  - wait: {title: '城市审批系统 - 已提交*', timeout: 0.5}\n"
        "  - key: tab\n"), "w.yaml")
    first, second = WindowInfo(1, "城市审批系统 - 受理登记"), WindowInfo(3, "城市审批系统 - 已提交 #7")
    d = DummyDesktop([first, second])
    d.received[3], d.field_text[3] = [], ""
    press = d.press

    def press_then_submit(combo, target, stop=None):
        press(combo, target, stop=stop)
        if str(combo) == "enter":      # the client replaces its window after submitting
            d.focused = 3
    d.press = press_then_submit
    FillEngine(d, FillOptions(wait_focus_s=0.2), sleep=lambda s: None).fill(
        pb, case_from_values({"employer": "x"}, "w", {}))
    assert d.received[3] == ["<tab>"]          # the step after the wait went to the new window
    import time as _t
    d = DummyDesktop([first, second])
    from app.errors import DesktopError
    with pytest.raises(DesktopError, match="Waited 0.5 s for a window titled"):
        FillEngine(d, FillOptions(wait_focus_s=0.2), sleep=lambda s: _t.sleep(0.01)).fill(
            pb, case_from_values({"employer": "x"}, "w", {}))


def test_set_steps_are_planned_and_a_choice_without_options_is_judged_by_its_choices():
    choices = [f"事项{i:03d}" for i in range(112)]
    book = PLAYBOOK.replace("choices: [男, 女]", "choices: [" + ", ".join(choices) + "]").replace(
        "  - choose: {field: gender, options: {男: [space], 女: [right, space]}}\n",
        "  - set: gender\n    at: {label: 事项, role: combo}\n").replace(
        "  - type: birth\n", "  - set: birth\n    at: 出生日期\n")
    pb = load_playbook_text(book, "t.yaml")
    steps = plan(pb, case_from_values({**VALUES, "gender": "事项007"}, "t", {}))
    sets = [(s.field, s.text, s.keys, s.detail) for s in steps if s.kind == "set"]
    assert sets == [("gender", "事项007", (), "事项"), ("birth", "1949年12月31日", (), "出生日期")]
    steps = plan(pb, case_from_values({**VALUES, "gender": "事项7"}, "t", {}))
    (left,) = [s for s in steps if s.kind == "refused"]
    assert left.field == "gender" and left.detail.count("事项") == 4, left.detail   # 3 named
