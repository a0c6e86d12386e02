"""The Windows UI Automation backend, tested on Linux with fakes of `uiautomation`'s Control
and pattern objects that behave as its documentation says (GetPattern returns None for a
pattern the control lacks; pattern calls take waitTime). This checks the glue — which
pattern is used for what, labels, the ownership guard, the keys fallback — not Windows
itself: the backend is unverified on a real Windows PC (see app/a11y/uia.py)."""
from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace
from typing import Any

import pytest

from app.a11y import uia
from app.a11y.base import METHOD_FOCUS_KEYS, METHOD_TREE, find_field, find_radio
from app.a11y.uia import UiaAccessibility
from app.desktop.base import WindowInfo
from app.errors import (AccessibilityUnavailableError, ChoiceNotFoundError, FieldRefusedError,
                        ForeignFieldError, StaleFieldError)


class Gone(Exception):
    """What comtypes raises for an element that no longer exists (COMError)."""


class Control:
    _next_id = 1

    def __init__(self, ctype: int, name: str = "", rect=(0, 0, 0, 0), *, children=(),
                 enabled: bool = True, password: bool = False, labelled_by: "Control | None" = None,
                 value: str | None = None, readonly: bool = False, set_value_works: bool = True,
                 toggle: int | None = None, selectable: bool = False, invokable: bool = False,
                 expandable: bool = False, offscreen: bool = False) -> None:
        Control._next_id += 1
        self.runtime_id = [42, Control._next_id]
        self.ControlType, self.Name = ctype, name
        left, top, w, h = rect
        self.BoundingRectangle = SimpleNamespace(left=left, top=top, right=left + w, bottom=top + h)
        self.IsEnabled, self.IsPassword, self.IsOffscreen = enabled, password, offscreen
        self.HasKeyboardFocus = False
        self.Element = SimpleNamespace(CurrentLabeledBy=labelled_by)
        self.children = list(children)
        self.parent: Control | None = None
        for c in self.children:
            c.parent = self
        self.value, self.readonly, self.set_value_works = value, readonly, set_value_works
        self.toggle, self.selectable, self.invokable, self.expandable = toggle, selectable, invokable, expandable
        self.selected = False
        self.pressed = 0
        self.pid_value = 0
        self.hwnd = 0
        self.gone = False
        self.calls: list[tuple] = []

    # --- properties of uiautomation.Control
    @property
    def ProcessId(self) -> int:
        if self.gone:
            raise Gone("element not available")
        return self.top().pid_value

    @property
    def NativeWindowHandle(self) -> int:
        return self.hwnd

    def GetRuntimeId(self) -> list[int]:
        return self.runtime_id

    def GetChildren(self) -> list["Control"]:
        return list(self.children)

    def GetParentControl(self) -> "Control | None":
        return self.parent

    def top(self) -> "Control":
        c = self
        while c.parent is not None:
            c = c.parent
        return c

    def GetTopLevelControl(self) -> "Control":
        if self.gone:
            raise Gone("element not available")
        return self.top()

    def SetFocus(self) -> bool:
        for c in walk(self.top()):
            c.HasKeyboardFocus = False
        self.HasKeyboardFocus = True
        return True

    def GetPattern(self, pattern_id: int) -> Any:
        self.calls.append(("GetPattern", pattern_id))
        if pattern_id == uia.VALUE and self.value is not None:
            return ValuePattern(self)
        if pattern_id == uia.TOGGLE and self.toggle is not None:
            return TogglePattern(self)
        if pattern_id == uia.SELECTION_ITEM and self.selectable:
            return SelectionItemPattern(self)
        if pattern_id == uia.SELECTION and self.ControlType in (uia.COMBO_ID, uia.LIST_ID):
            return SelectionPattern(self)
        if pattern_id == uia.EXPAND and self.expandable:
            return ExpandPattern(self)
        if pattern_id == uia.INVOKE and self.invokable:
            return InvokePattern(self)
        return None


def walk(c: Control) -> list[Control]:
    out = [c]
    for k in c.children:
        out += walk(k)
    return out


class ValuePattern:
    def __init__(self, c: Control) -> None:
        self.c = c

    @property
    def Value(self) -> str:
        return self.c.value

    @property
    def IsReadOnly(self) -> bool:
        return self.c.readonly

    def SetValue(self, value: str, waitTime: float = 0.5) -> bool:
        assert waitTime == 0
        if not self.c.set_value_works:
            return False
        self.c.value = value
        return True


class TogglePattern:
    def __init__(self, c: Control) -> None:
        self.c = c

    @property
    def ToggleState(self) -> int:
        return self.c.toggle

    def Toggle(self, waitTime: float = 0.5) -> bool:
        assert waitTime == 0
        self.c.toggle = 1 - self.c.toggle
        return True


class SelectionItemPattern:
    def __init__(self, c: Control) -> None:
        self.c = c

    @property
    def IsSelected(self) -> bool:
        return self.c.selected

    def Select(self, waitTime: float = 0.5) -> bool:
        assert waitTime == 0
        holder = self.c.parent
        for sibling in holder.children:
            sibling.selected = False
        self.c.selected = True
        return True


class SelectionPattern:
    def __init__(self, c: Control) -> None:
        self.c = c

    def GetSelection(self) -> list[Control]:
        return [i for i in walk(self.c) if i is not self.c and i.selected]


class ExpandPattern:
    def __init__(self, c: Control) -> None:
        self.c = c

    def Expand(self, waitTime: float = 0.5) -> bool:
        self.c.calls.append(("Expand", waitTime))
        return True

    def Collapse(self, waitTime: float = 0.5) -> bool:
        self.c.calls.append(("Collapse", waitTime))
        return True


class InvokePattern:
    def __init__(self, c: Control) -> None:
        self.c = c

    def Invoke(self, waitTime: float = 0.5) -> bool:
        assert waitTime == 0
        self.c.pressed += 1
        return True


class Lib:
    """The parts of the `uiautomation` module the backend uses."""

    def __init__(self, windows: dict[int, Control]) -> None:
        self.windows = windows
        self.Control = SimpleNamespace(CreateControlFromElement=lambda element: element)

    def ControlFromHandle(self, handle: int) -> Control | None:
        return self.windows.get(handle)

    def GetFocusedControl(self) -> Control | None:
        for root in self.windows.values():
            for c in walk(root):
                if c.HasKeyboardFocus:
                    return c
        return None


class Keys:
    """A KeyInput that types into whatever control has the keyboard focus, as Windows would."""

    def __init__(self, lib: Lib) -> None:
        self.lib = lib
        self.log: list[str] = []

    def type_text(self, text: str) -> None:
        self.log.append(f"type:{text}")
        focused = self.lib.GetFocusedControl()
        focused.value = (focused.value or "") + text

    def press(self, keys: str) -> None:
        self.log.append(keys)
        focused = self.lib.GetFocusedControl()
        if keys == "ctrl+a":
            focused.value = ""


def build_form(hwnd: int, pid: int) -> Control:
    phone_label = Control(uia.TEXT_ID, "联系电话：", (20, 60, 80, 20))
    radios = [Control(uia.RADIO_ID, "男", (120, 100, 40, 20), selectable=True),
              Control(uia.RADIO_ID, "女", (170, 100, 40, 20), selectable=True)]
    items = [Control(uia.LISTITEM_ID, n, (120, 150 + 20 * i, 200, 20), selectable=True)
             for i, n in enumerate(("（请选择）", "公积金提取", "不动产登记"))]
    root = Control(50032, "审批", (0, 0, 600, 400), children=[
        Control(uia.TEXT_ID, "* 姓名：", (40, 20, 60, 20)),
        Control(uia.EDIT_ID, "", (120, 18, 300, 24), value=""),
        phone_label,
        Control(uia.EDIT_ID, "", (120, 58, 300, 24), value="", labelled_by=phone_label),
        Control(uia.GROUP_ID, "性别", (110, 95, 200, 30), children=radios),
        Control(uia.COMBO_ID, "办理事项", (120, 140, 200, 24), value="", expandable=True,
                children=[Control(uia.LIST_ID, "", (120, 150, 200, 60), children=items)]),
        Control(uia.EDIT_ID, "密码", (120, 220, 200, 24), value="", password=True),
        Control(uia.EDIT_ID, "只读编号", (120, 250, 200, 24), value="X1", readonly=True),
        Control(uia.EDIT_ID, "停用", (120, 280, 200, 24), value="", enabled=False),
        Control(uia.CHECKBOX_ID, "同意", (120, 310, 80, 20), toggle=0),
        Control(uia.BUTTON_ID, "保存", (500, 360, 80, 30), invokable=True),
        Control(uia.EDIT_ID, "", (0, 0, 0, 0), value=""),         # not shown: left out
    ])
    root.hwnd, root.pid_value = hwnd, pid
    return root


@pytest.fixture()
def world():
    a, b = build_form(0x100, 100), build_form(0x200, 200)
    lib = Lib({0x100: a, 0x200: b})
    backend = UiaAccessibility(lib, settle=0.05)
    win_a = WindowInfo(0x100, "审批", pid=100, process="approval.exe")
    win_b = WindowInfo(0x200, "审批", pid=200, process="approval.exe")
    return SimpleNamespace(lib=lib, backend=backend, a=a, b=b, win_a=win_a, win_b=win_b,
                           keys=Keys(lib))


def test_fields_roles_and_labels(world):
    fields = world.backend.fields(world.win_a)
    summary = [(f.role, f.key, f.label_source, f.name if f.role in ("radio", "check", "button") else "")
               for f in fields]
    assert summary == [
        ("text", "姓名", "geometry", ""), ("text", "联系电话", "labelled-by", ""),
        ("radio", "性别", "name", "男"), ("radio", "性别", "name", "女"),
        ("combo", "办理事项", "name", ""), ("password", "密码", "name", ""),
        ("text", "只读编号", "name", ""), ("text", "停用", "name", ""),
        ("check", "同意", "name", "同意"), ("button", "保存", "name", "保存")]
    assert [f.index for f in fields] == list(range(10))
    assert all(f.window_id == 0x100 and f.pid == 100 for f in fields)
    assert [f.key for f in fields if not f.editable] == ["只读编号", "停用"]


def test_set_and_read_text_through_the_value_pattern(world):
    b, w = world.backend, world.win_a
    fields = b.fields(w)
    name = find_field(fields, "姓名")
    assert b.set_text(w, name, "赟彧𠀾") == METHOD_TREE
    assert world.a.children[1].value == "赟彧𠀾" and b.read_text(w, name) == "赟彧𠀾"
    assert b.set_text(w, find_field(fields, "密码", role="password"), "p@ss") == METHOD_TREE


def test_read_only_and_disabled_boxes_are_refused(world):
    b, w = world.backend, world.win_a
    fields = b.fields(w)
    with pytest.raises(FieldRefusedError, match="read-only"):
        b.set_text(w, find_field(fields, "只读编号"), "X2")
    with pytest.raises(FieldRefusedError, match="disabled"):
        b.set_text(w, find_field(fields, "停用"), "x")
    assert world.a.children[7].value == "X1"


def test_a_box_without_a_working_value_pattern_is_focused_then_typed(world):
    b, w = world.backend, world.win_a
    box = world.a.children[3]
    box.set_value_works, box.value = False, "旧"
    fields = b.fields(w)
    phone = find_field(fields, "联系电话")
    with pytest.raises(FieldRefusedError, match="keys are needed"):
        b.set_text(w, phone, "0597-1234567")
    assert b.set_text(w, phone, "0597-1234567", keys=world.keys) == METHOD_FOCUS_KEYS
    assert box.HasKeyboardFocus and box.value == "0597-1234567"
    assert world.keys.log == ["ctrl+a", "type:0597-1234567"]


def test_choose_an_item_and_refuse_one_not_in_the_list(world):
    b, w = world.backend, world.win_a
    combo = find_field(b.fields(w), "办理事项")
    assert b.choose(w, combo, "不动产登记") == METHOD_TREE
    assert b.read_choice(w, combo) == "不动产登记"
    control = world.a.children[5]
    assert ("Expand", 0) in control.calls and ("Collapse", 0) in control.calls
    with pytest.raises(ChoiceNotFoundError) as caught:
        b.choose(w, combo, "户口迁移")
    assert caught.value.choices == ["（请选择）", "公积金提取", "不动产登记"]
    assert caught.value.exit_code == 2 and "公积金提取" in caught.value.message
    assert b.read_choice(w, combo) == "不动产登记"


def test_radio_check_box_and_button(world):
    b, w = world.backend, world.win_a
    fields = b.fields(w)
    assert b.select_radio(w, find_radio(fields, "性别", "女")) == METHOD_TREE
    assert b.read_choice(w, find_radio(fields, "性别", "男")) == "女"
    b.select_radio(w, find_radio(fields, "性别", "男"))
    assert [r.selected for r in world.a.children[4].children] == [True, False]
    agree = find_field(fields, "同意", role="check")
    b.set_checked(w, agree, True)
    assert world.a.children[9].toggle == 1 and b.read_choice(w, agree) == "同意"
    b.set_checked(w, agree, True)                       # already: no toggle back
    assert world.a.children[9].toggle == 1
    b.set_checked(w, agree, False)
    assert world.a.children[9].toggle == 0 and b.read_choice(w, agree) == ""
    b.press(w, find_field(fields, "保存", role="button"))
    assert world.a.children[10].pressed == 1


def test_a_field_of_another_window_is_refused_and_nothing_changes(world):
    b = world.backend
    b.fields(world.win_a)
    other = find_field(b.fields(world.win_b), "姓名")
    with pytest.raises(ForeignFieldError):
        b.set_text(world.win_a, other, "不该出现")
    # forged to name the target: the control's own window and process give it away
    with pytest.raises(ForeignFieldError):
        b.set_text(world.win_a, replace(other, window_id=0x100, pid=100), "不该出现")
    assert world.a.children[1].value == "" and world.b.children[1].value == ""
    # a control that now lives in another window (re-parented) is refused as well
    mine = find_field(b.fields(world.win_a), "姓名")
    world.a.children[1].parent = world.b
    with pytest.raises(ForeignFieldError):
        b.set_text(world.win_a, mine, "不该出现")
    assert world.a.children[1].value == ""


def test_a_gone_control_is_a_stale_field(world):
    b, w = world.backend, world.win_a
    name = find_field(b.fields(w), "姓名")
    world.a.children[1].gone = True
    with pytest.raises(StaleFieldError):
        b.set_text(w, name, "张三")
    with pytest.raises(StaleFieldError):               # the cache was dropped: read again
        b.set_text(w, name, "张三")


def test_focused_field(world):
    b, w = world.backend, world.win_a
    fields = b.fields(w)
    world.a.children[3].SetFocus()
    assert b.focused(w).key == "联系电话"


def test_why_not_names_the_java_access_bridge(world):
    world.lib.windows[0x300] = Control(50032, "空", (0, 0, 100, 100))
    java = WindowInfo(0x300, "社保客户端", pid=300, process="javaw.exe")
    assert not world.backend.exposes(java)
    assert "jabswitch -enable" in world.backend.why_not(java)
    assert world.backend.why_not(world.win_a) is None


def test_open_off_windows_says_so():
    with pytest.raises(AccessibilityUnavailableError, match="only on Windows"):
        UiaAccessibility.open()
