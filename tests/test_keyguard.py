"""The keyguard's pure logic on the in-memory desktop and a fake tree (app/fill/keyguard.py);
the real toolkits are in tests/test_keyguard_toolkits.py."""
from __future__ import annotations

import struct
from dataclasses import replace

import pytest

from app.a11y.base import CHECK, RADIO, TEXT, Accessible, Bounds, FormField
from app.cases import case_from_values
from app.desktop.dummy import DummyDesktop
from app.desktop.x11_selection import utf8_text
from app.errors import KeyNotTakenError
from app.fill.engine import FillEngine, FillOptions, _same_text
from app.fill.keyguard import KeyGuard, moves_focus
from playbooks.keys import parse_combo
from playbooks.loader import load_playbook_text

PLAYBOOK = """\
deskhand: 1
id: t
name: 测试
target: {title: "城市审批系统*"}
fields:
  - {name: name, label: 姓名}
  - {name: nation, label: 民族}
  - {name: note, label: 备注}
  - {name: ok, label: 已核验, type: choice, choices: [是, 否]}
fill:
  - type: name
  - key: tab
  - type: nation
  - key: tab
  - type: note
  - key: tab
  - choose: {field: ok, options: {是: [space], 否: [end]}}
"""
VALUES = {"name": "张三", "nation": "汉族", "note": "无", "ok": "是"}


def box(label: str, role: str = TEXT, x: int = 0, name: str = "") -> FormField:
    return FormField(Accessible(":1.1", f"/{label}"), role, name or label, label, "name",
                     Bounds(x, 0, 100, 20), True, role == TEXT, False, 100, 1)


class FakeTree:
    """A tree over DummyDesktop: Tab moves focus along `boxes` unless `stuck`; a box's text
    is what the dummy desktop typed since the last Tab."""

    name = "fake"

    def __init__(self, desktop: DummyDesktop, boxes: list[FormField], *, stuck: bool = False,
                 skip: int | None = None) -> None:
        self.desktop, self.boxes, self.stuck = desktop, boxes, stuck
        self.at = 0
        self.skip = skip            # a Tab at this box jumps one further (a wrong tab order)
        self.checked = False
        desktop.on_chunk = None
        real_press = desktop.press

        def press(combo, target, *, stop=None):
            real_press(combo, target, stop=stop)
            if str(combo) == "tab" and not self.stuck:
                self.at += 2 if self.at == self.skip else 1
            if str(combo) == "space" and self.boxes[self.at].role == CHECK:
                self.checked = not self.checked
        desktop.press = press

    def fields(self, window, *, refresh=False):
        return list(self.boxes)

    def focused(self, window):
        return self.boxes[min(self.at, len(self.boxes) - 1)]

    def read_text(self, window, field):
        return self.desktop.field_text[window.id]

    def read_choice(self, window, field):
        return field.name if self.checked else ""


def engine(desktop, tree=None) -> FillEngine:
    return FillEngine(desktop, FillOptions(wait_focus_s=0.2, modifiers_timeout_s=0.2),
                      sleep=lambda s: None, accessibility=tree)


@pytest.fixture
def pb():
    return load_playbook_text(PLAYBOOK, "t.yaml")


def fields(*labels: str) -> list[FormField]:
    return [box(label, x=i * 200) for i, label in enumerate(labels)] + [box("已核验", CHECK, 900)]


def test_only_tab_and_shift_tab_must_move_focus():
    assert moves_focus(parse_combo("tab")) and moves_focus(parse_combo("shift+tab"))
    assert not moves_focus(parse_combo("ctrl+tab")) and not moves_focus(parse_combo("down"))
    assert not moves_focus(parse_combo("return"))


def test_tk_text_and_cesu8_copies_read_as_the_box_holds():
    hi, lo = struct.unpack("<HH", "𠀾".encode("utf-16-le"))
    cesu = chr(hi).encode("utf-8", "surrogatepass") + chr(lo).encode("utf-8", "surrogatepass")
    assert utf8_text("司马".encode() + cesu) == "司马𠀾"
    assert utf8_text(b"\xff") == "\ufffd"
    assert _same_text("住址\n", "住址") and not _same_text("住址\n\n", "住址")
    assert not _same_text("住", "住址")


def test_tree_confirms_each_field_in_its_own_box(pb):
    d = DummyDesktop()
    report = engine(d, FakeTree(d, fields("姓名", "民族", "备注"))).fill(
        pb, case_from_values(VALUES, "t", {}))
    assert [(r.field, r.status, r.box) for r in report.results] == [
        ("name", "readback_ok", "姓名"), ("nation", "readback_ok", "民族"),
        ("note", "readback_ok", "备注"), ("ok", "readback_ok", "已核验")]
    # read from the tree: no select-all, no copy, no key after it
    assert not any(k in d.received[1] for k in ("<ctrl+a>", "<right>"))


def test_a_tab_that_does_not_move_focus_stops_the_fill(pb):
    d = DummyDesktop()
    with pytest.raises(KeyNotTakenError) as err:
        engine(d, FakeTree(d, fields("姓名", "民族", "备注"), stuck=True)).fill(
            pb, case_from_values(VALUES, "t", {}))
    assert "tab" in err.value.message and "name" in err.value.message
    assert "--start-step 2" in err.value.message and err.value.exit_code == 3
    assert d.received[1] == ["张三", "<tab>"]          # nothing typed after the Tab


def test_a_value_in_a_box_with_another_label_is_never_read_back_ok(pb):
    d = DummyDesktop()
    # the first Tab jumps over 民族: 汉族 lands in 备注, and 无 in 其他
    report = engine(d, FakeTree(d, fields("姓名", "民族", "备注", "其他"), skip=0)).fill(
        pb, case_from_values(VALUES, "t", {}))
    nation = report.results[1]
    assert (nation.status, nation.box) == ("readback_differs", "备注")
    assert "民族" in nation.message and "备注" in nation.message
    assert report.readback_ok < 4


def test_without_a_tree_a_box_that_cannot_be_copied_costs_one_try(pb):
    d = DummyDesktop()
    copies = []
    d.copy_selection = lambda target, timeout=1.0, stop=None: copies.append(timeout)  # None
    report = engine(d).fill(pb, case_from_values(VALUES, "t", {}))
    statuses = [r.status for r in report.results]
    assert statuses == ["readback_unavailable"] * 3 + ["chosen"]
    assert len(copies) == 2                   # Ctrl+A, then Tk's Ctrl+/ once, then never
    assert "first field" in report.results[2].message
    assert "<right>" not in d.received[1]     # nothing selected: no key to collapse it


def test_a_check_box_reads_back_as_the_value_meant():
    d = DummyDesktop()
    tree = FakeTree(d, [box("已核验", CHECK, name="已核验")])
    guard = KeyGuard(d, tree, d.windows[0], sleep=lambda s: None, choice_settle_s=0.0)
    assert guard.read_choice("是", "已核验")[:2] == ("readback_differs", "not ticked")
    tree.checked = True
    assert guard.read_choice("是", "已核验")[:2] == ("readback_ok", "是")
    assert guard.read_choice("否", "已核验")[:2] == ("readback_differs", "ticked")
    radio = replace(box("性别", RADIO, name="男"))
    assert KeyGuard(d, FakeTree(d, [radio]), d.windows[0]).wrong_box(radio, "民族") is False


def test_without_a_tree_no_step_waits_for_tree_focus():
    """No accessibility (a Tab playbook, Tk, IT turned it off): nothing waits for a tree
    to show focus — a 0.5 s wait there at every Tab made a 20-field Qt fill take 20 s."""
    d = DummyDesktop()
    slept: list[float] = []
    guard = KeyGuard(d, None, d.windows[0], sleep=slept.append)
    assert guard.focused_settled() is None and guard.focused_settled() is None
    guard.press("tab", lambda: None, step=0)
    assert sum(slept) < 0.35, slept          # at most the unconfirmed-Tab pause
