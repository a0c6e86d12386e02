"""The Windows accessibility backend: UI Automation through `uiautomation` (PyPI, Apache-2.0,
2.0.29 of 2025-08, on comtypes; maintained, and the one that wraps every pattern Deskhand
needs). Same interface as the AT-SPI backend (app/a11y/base.py).

UNVERIFIED on a real Windows PC: written against uiautomation's documented API and tested on
Linux with fakes of its Control and pattern objects (tests/test_a11y_uia.py), which checks
the glue, not Windows. What only Windows can confirm: which controls Win32/WinForms/WPF/Qt/
Chromium/Java (Access Bridge) clients expose, and how fast.

Every pattern call passes waitTime=0: the library otherwise sleeps 0.5 s after each.
Ownership: a field's control must still be in the target window (its top-level control's
handle is the window's) and in the window's process before anything is done.
"""
from __future__ import annotations

import sys
import time
from dataclasses import dataclass, replace
from typing import Any, Callable, Iterable

from app.a11y import refusals as refuse
from app.a11y.advice import guess_toolkit, not_exposed_sentence
from app.a11y.base import (BUTTON, BY_GEOMETRY, BY_NAME, BY_RELATION, CHECK, COMBO, LIST,
                           METHOD_FOCUS_KEYS, METHOD_TREE, PASSWORD, RADIO, TEXT, Accessible,
                           Bounds, FormField, KeyInput, label_key)
from app.a11y.labels import LabelBox, nearest_label
from app.desktop.base import WindowInfo
from app.errors import AccessibilityError, AccessibilityUnavailableError
from app.i18n import _

# UIA_*ControlTypeId
BUTTON_ID, CHECKBOX_ID, COMBO_ID, EDIT_ID, LISTITEM_ID, LIST_ID = 50000, 50002, 50003, 50004, 50007, 50008
RADIO_ID, SPINNER_ID, TEXT_ID, GROUP_ID = 50013, 50016, 50020, 50026
ROLES = {EDIT_ID: TEXT, SPINNER_ID: TEXT, COMBO_ID: COMBO, LIST_ID: LIST, RADIO_ID: RADIO,
         CHECKBOX_ID: CHECK, BUTTON_ID: BUTTON}
# UIA_*PatternId
INVOKE, SELECTION, VALUE, EXPAND, SELECTION_ITEM, TEXT_PATTERN, TOGGLE, LEGACY = (
    10000, 10001, 10002, 10005, 10010, 10014, 10015, 10018)
TOGGLE_ON = 1
MAX_NODES = 3000
FOCUS_ANCESTORS = 4     # levels from a focused inner control up to the field it belongs to
SETTLE, POLL = 1.0, 0.01


@dataclass
class _Window:
    fields: list[FormField]
    controls: dict[Accessible, Any]


def _bounds(control: Any) -> Bounds:
    r = control.BoundingRectangle
    return Bounds(int(r.left), int(r.top), int(r.right - r.left), int(r.bottom - r.top))


def _handle(control: Any) -> Accessible:
    return Accessible("uia", ".".join(str(i) for i in control.GetRuntimeId()))


def _walk(root: Any, limit: int = MAX_NODES) -> list[Any]:
    """The root's descendants in document order (depth first), at most `limit`."""
    out: list[Any] = []
    stack = list(reversed(root.GetChildren()))
    while stack and len(out) < limit:
        c = stack.pop()
        out.append(c)
        stack.extend(reversed(c.GetChildren()))
    return out


class UiaAccessibility:
    name = "uia"

    def __init__(self, lib: Any, *, settle: float = SETTLE,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.lib = lib
        self.settle = settle
        self._clock, self._sleep = clock, sleep
        self._windows: dict[int, _Window] = {}

    @classmethod
    def open(cls) -> "UiaAccessibility":
        if not sys.platform.startswith("win"):
            raise AccessibilityUnavailableError(_(
                "UI Automation exists only on Windows, and this computer runs {platform}.",
                platform=sys.platform))
        try:
            import uiautomation
        except ImportError as e:
            raise AccessibilityUnavailableError(_(
                "The uiautomation package is missing: reinstall Deskhand (pip install "
                "uiautomation).")) from e
        return cls(uiautomation)

    def close(self) -> None:
        self._windows.clear()

    # ------------------------------------------------------------------ reading the form
    def fields(self, window: WindowInfo, *, refresh: bool = False) -> list[FormField]:
        known = self._windows.get(window.id)
        if known is not None and not refresh:
            return list(known.fields)
        root = self.lib.ControlFromHandle(window.id)
        if root is None:
            return []
        controls = _walk(root)
        # a combo box's own drop-down list and items are not fields of the form
        inner = {id(d) for c in controls if c.ControlType == COMBO_ID for d in _walk(c, 500)}
        controls = [c for c in controls if id(c) not in inner]
        labels = [LabelBox(c.Name, _bounds(c)) for c in controls
                  if c.ControlType == TEXT_ID and c.Name and not c.IsOffscreen]
        out: list[FormField] = []
        by_handle: dict[Accessible, Any] = {}
        for c in controls:
            role = ROLES.get(c.ControlType)
            if role is None:
                continue
            bounds = _bounds(c)
            if bounds.empty:
                continue
            if role == TEXT and c.IsPassword:
                role = PASSWORD
            label, source = self._label(c, role, bounds, labels)
            value = c.GetPattern(VALUE)
            node = _handle(c)
            by_handle[node] = c
            out.append(FormField(
                node=node, role=role, name=c.Name, label=label, label_source=source,
                bounds=bounds, enabled=bool(c.IsEnabled),
                editable=bool(c.IsEnabled) and not (value is not None and role in (TEXT, PASSWORD)
                                                    and value.IsReadOnly),
                focused=bool(c.HasKeyboardFocus), pid=window.pid, window_id=window.id,
                index=len(out), frame=Accessible("uia", str(window.id))))
        self._windows[window.id] = _Window(out, by_handle)
        return list(out)

    def _label(self, c: Any, role: str, bounds: Bounds, labels: list[LabelBox]) -> tuple[str, str]:
        subject = c
        if role == RADIO:
            parent = c.GetParentControl()
            if parent is not None and parent.ControlType == GROUP_ID:
                subject = parent
        labelled = getattr(subject.Element, "CurrentLabeledBy", None)
        if labelled is not None:
            other = self.lib.Control.CreateControlFromElement(labelled)
            if other is not None and label_key(other.Name):
                return other.Name.strip(), BY_RELATION
        # UI Automation names a box after its label (a combo box too: its value is the
        # Value pattern's); a radio button's own name is its option, its group's the label
        if label_key(subject.Name) and (subject is not c or role != RADIO):
            return subject.Name.strip(), BY_NAME
        near = nearest_label(_bounds(subject), labels)
        if near is not None:
            return near.text.strip(), BY_GEOMETRY
        return "", ""

    def exposes(self, window: WindowInfo) -> bool:
        return bool(self.fields(window))

    def why_not(self, window: WindowInfo) -> str | None:
        if self.fields(window, refresh=True):
            return None
        return not_exposed_sentence(window.title, guess_toolkit(window.process), platform="win")

    def focused(self, window: WindowInfo) -> FormField | None:
        """The field holding the keyboard focus: the focused control, or the field it is
        part of (an editable combo box's inner edit, a spinner's). A control that is a
        password box now (IsPassword, read live: a page can turn a box into one) is given
        as a password field, even when it is none of the fields read before."""
        known = self._windows.get(window.id)
        now = self.lib.GetFocusedControl()
        if known is None or now is None:
            return None
        secret = bool(now.IsPassword)
        by_node = {f.node: f for f in known.fields}
        control: Any = now
        for _hop in range(FOCUS_ANCESTORS + 1):
            f = by_node.get(_handle(control))
            if f is not None:
                return replace(f, focused=True, role=PASSWORD if secret else f.role)
            control = control.GetParentControl()
            if control is None or control.NativeWindowHandle == window.id:
                break
        if secret:          # its keys are typed into a password box: never kept as text
            name = str(now.Name or "")
            return FormField(node=_handle(now), role=PASSWORD, name=name, label=name.strip(),
                             label_source=BY_NAME if label_key(name) else "",
                             bounds=_bounds(now), enabled=True, editable=True, focused=True,
                             pid=window.pid, window_id=window.id, index=len(known.fields),
                             frame=Accessible("uia", str(window.id)))
        return None

    def is_password(self, window: WindowInfo, field: FormField) -> bool:
        """Whether `field` is a password box now (IsPassword read live); True when that
        cannot be told (the control is gone), so that nothing reads it."""
        if field.role == PASSWORD:
            return True
        known = self._windows.get(window.id)
        control = known.controls.get(field.node) if known else None
        if control is None:
            return False        # not of this form: every read of it is refused anyway
        try:
            return bool(control.IsPassword)
        except Exception:       # COMError: the element is gone
            return True

    # ------------------------------------------------------------------ the guard
    def _control(self, window: WindowInfo, field: FormField, roles: Iterable[str]) -> Any:
        if field.window_id != window.id or (window.pid is not None and field.pid != window.pid):
            raise refuse.foreign(window, field)
        known = self._windows.get(window.id)
        control = known.controls.get(field.node) if known else None
        if control is None:
            if any(field.node in w.controls for w in self._windows.values()):
                raise refuse.foreign(window, field)
            raise refuse.earlier_form(window, field)
        try:
            top = control.GetTopLevelControl()
            pid, top_handle, enabled = control.ProcessId, top.NativeWindowHandle if top else 0, control.IsEnabled
        except Exception as e:          # COMError: the element is gone
            self._windows.pop(window.id, None)
            raise refuse.gone(window, field) from e
        if top_handle != window.id or (window.pid is not None and pid != window.pid):
            raise refuse.foreign(window, field)
        if field.role not in roles:
            raise refuse.wrong_role(field)
        if not enabled:
            raise refuse.disabled(window, field)
        return control

    def _wait(self, test: Callable[[], bool]) -> bool:
        deadline = self._clock() + self.settle
        while not test():
            if self._clock() >= deadline:
                return False
            self._sleep(POLL)
        return True

    def _keys(self, window: WindowInfo, field: FormField, keys: KeyInput | None, control: Any) -> KeyInput:
        if keys is None:
            raise refuse.keys_needed(window, field)
        control.SetFocus()
        if not self._wait(lambda: bool(control.HasKeyboardFocus)):
            raise refuse.no_focus(window, field)
        return keys

    # ------------------------------------------------------------------ text
    def set_text(self, window: WindowInfo, field: FormField, text: str, *,
                 keys: KeyInput | None = None, wait: bool = True) -> str:
        control = self._control(window, field, (TEXT, PASSWORD))
        value = control.GetPattern(VALUE)
        if value is not None and value.IsReadOnly:
            raise refuse.read_only(window, field)
        if value is not None and value.SetValue(text, waitTime=0):
            return METHOD_TREE
        keys = self._keys(window, field, keys, control)
        keys.press("ctrl+a")
        keys.type_text(text)
        self._wait(lambda: self._read(control) == text)
        return METHOD_FOCUS_KEYS

    def _read(self, control: Any) -> str:
        value = control.GetPattern(VALUE)
        if value is not None:
            return str(value.Value)
        text = control.GetPattern(TEXT_PATTERN)
        if text is not None:
            return str(text.DocumentRange.GetText(-1))
        return str(control.Name)

    def read_text(self, window: WindowInfo, field: FormField) -> str:
        return self._read(self._control(window, field, (TEXT, PASSWORD, COMBO)))

    def read_texts(self, window: WindowInfo, fields: list[FormField]) -> list[str | None]:
        out: list[str | None] = []
        for f in fields:
            try:
                out.append(self.read_text(window, f))
            except AccessibilityError:
                out.append(None)
        return out

    # ------------------------------------------------------------------ choices
    def _items(self, control: Any) -> list[Any]:
        return [c for c in _walk(control, 500) if c.ControlType == LISTITEM_ID]

    def items(self, window: WindowInfo, field: FormField) -> list[str]:
        """The texts of a combo box's or list's items, in order, as the tree has them now
        (not expanded: opening a drop-down would change the supervisor's screen)."""
        control = self._control(window, field, (COMBO, LIST))
        return [str(i.Name) for i in self._items(control)]

    def _choice(self, control: Any) -> str:
        selection = control.GetPattern(SELECTION)
        if selection is not None:
            chosen = selection.GetSelection()
            if chosen:
                return str(chosen[0].Name)
        value = control.GetPattern(VALUE)
        return str(value.Value) if value is not None else ""

    def choose(self, window: WindowInfo, field: FormField, item_text: str, *,
               keys: KeyInput | None = None) -> str:
        control = self._control(window, field, (COMBO, LIST))
        expand = control.GetPattern(EXPAND) if field.role == COMBO else None
        if expand is not None:
            expand.Expand(waitTime=0)       # many combo boxes build their items on opening
        items = self._items(control)
        names = [str(i.Name) for i in items]
        index = names.index(item_text) if item_text in names else next(
            (i for i, n in enumerate(names) if label_key(n) == label_key(item_text) and n), None)
        if index is None:
            if expand is not None:
                expand.Collapse(waitTime=0)
            raise refuse.not_a_choice(window, field, item_text, names)
        chosen = items[index].GetPattern(SELECTION_ITEM)
        if chosen is not None:
            chosen.Select(waitTime=0)
        if expand is not None:
            expand.Collapse(waitTime=0)
        if self._wait(lambda: self._choice(control) == names[index]):
            return METHOD_TREE
        keys = self._keys(window, field, keys, control)
        keys.press("home")
        for _step in range(index):
            keys.press("down")
        if not self._wait(lambda: self._choice(control) == names[index]):
            raise refuse.not_taken(window, field, item_text)
        return METHOD_FOCUS_KEYS

    def read_choice(self, window: WindowInfo, field: FormField) -> str:
        control = self._control(window, field, (COMBO, LIST, RADIO, CHECK))
        if field.role == CHECK:
            toggle = control.GetPattern(TOGGLE)
            return field.name if toggle is not None and toggle.ToggleState == TOGGLE_ON else ""
        if field.role == RADIO:
            known = self._windows[window.id]
            for f in known.fields:
                if f.role == RADIO and f.key == field.key:
                    item = known.controls[f.node].GetPattern(SELECTION_ITEM)
                    if item is not None and item.IsSelected:
                        return f.name
            return ""
        return self._choice(control)

    def select_radio(self, window: WindowInfo, field: FormField) -> str:
        control = self._control(window, field, (RADIO,))
        item = control.GetPattern(SELECTION_ITEM)
        if item is None or not item.Select(waitTime=0) or not self._wait(lambda: item.IsSelected):
            raise refuse.not_selected(window, field)
        return METHOD_TREE

    def set_checked(self, window: WindowInfo, field: FormField, checked: bool) -> str:
        if field.role == RADIO and checked:
            return self.select_radio(window, field)
        control = self._control(window, field, (CHECK,))
        toggle = control.GetPattern(TOGGLE)
        for _turn in range(3):              # off → on, or through "indeterminate"
            if toggle is None or (toggle.ToggleState == TOGGLE_ON) == checked:
                break
            toggle.Toggle(waitTime=0)
        if toggle is None or (toggle.ToggleState == TOGGLE_ON) != checked:
            raise refuse.unchanged(window, field)
        return METHOD_TREE

    def press(self, window: WindowInfo, button: FormField) -> str:
        control = self._control(window, button, (BUTTON,))
        invoke = control.GetPattern(INVOKE)
        if invoke is not None and invoke.Invoke(waitTime=0):
            return METHOD_TREE
        legacy = control.GetPattern(LEGACY)
        if legacy is not None and legacy.DoDefaultAction(waitTime=0):
            return METHOD_TREE
        raise refuse.not_pressed(window, button)
