"""The small interface every accessibility backend provides (AT-SPI on Linux, UI Automation
on Windows), and the plain data it hands out.

A backend finds a window's form fields in its accessibility tree, with their labels, and
sets, chooses and reads them by addressing the widget itself: no Tab counting, no
clipboard. Every operation takes the target window and first checks that the field
belongs to it (same window, same process, node still alive) — an accessibility set is
addressed to a widget, never to "whatever has focus", and a field of another window is
refused (ForeignFieldError) before anything happens.

Where a toolkit cannot take a value through its tree (Chromium has no EditableText on
Linux; a Qt combo box commits a choice only from the keyboard), the backend puts focus
on that very widget through the tree, confirms the widget has it, and then types through
the `KeyInput` the caller passes in; the value is then read back from the widget. The
operation returns which way it went (`METHOD_TREE` or `METHOD_FOCUS_KEYS`).
"""
from __future__ import annotations

import unicodedata
import re
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from app.desktop.base import WindowInfo
from app.i18n import N_, _

# FormField.role
TEXT, PASSWORD, COMBO, LIST, RADIO, CHECK, BUTTON = (
    "text", "password", "combo", "list", "radio", "check", "button")
ROLES = (TEXT, PASSWORD, COMBO, LIST, RADIO, CHECK, BUTTON)
ROLE_WORDS = {TEXT: N_("text box"), PASSWORD: N_("password box"), COMBO: N_("drop-down list"),
              LIST: N_("list"), RADIO: N_("radio button"), CHECK: N_("check box"),
              BUTTON: N_("button")}


def role_word(role: str) -> str:
    """The role as a clerk says it, in the current language."""
    return _(ROLE_WORDS[role]) if role in ROLE_WORDS else role

# FormField.label_source: how the label was found
BY_NAME, BY_RELATION, BY_GEOMETRY = "name", "labelled-by", "geometry"

# what an operation did
METHOD_TREE = "accessible"              # the tree set the value (EditableText, action…)
METHOD_FOCUS_KEYS = "accessible+keys"   # focus put on the widget by the tree, then keys


@dataclass(frozen=True)
class Accessible:
    """A node handle: on AT-SPI the owning connection's bus name and the object path; on
    UI Automation "uia" and the element's runtime id."""

    app: str
    path: str


@dataclass(frozen=True)
class Bounds:
    x: int
    y: int
    width: int
    height: int

    @property
    def right(self) -> int:
        return self.x + self.width

    @property
    def bottom(self) -> int:
        return self.y + self.height

    @property
    def empty(self) -> bool:
        return self.width <= 0 or self.height <= 0


@dataclass(frozen=True)
class FormField:
    node: Accessible
    role: str                   # one of ROLES
    name: str                   # the accessible name as the toolkit gives it
    label: str                  # the label as shown ("* 申请人姓名："); a radio's is its
                                # group's (性别) and its own text is `name` (男); "" if none
    label_source: str           # BY_NAME, BY_RELATION, BY_GEOMETRY or ""
    bounds: Bounds
    enabled: bool
    editable: bool
    focused: bool               # when the list was read
    pid: int | None             # owning process
    window_id: int              # owning window (X window id / HWND)
    multiline: bool = False
    index: int = 0              # position in the window's field list (document order)
    frame: Accessible | None = field(default=None, compare=False)

    @property
    def key(self) -> str:
        """The label as playbooks name it: without asterisks, colons and spaces."""
        return label_key(self.label)


class KeyInput(Protocol):
    """Keys into the target window, focus-guarded by the desktop backend
    (app/a11y/keys.py wraps a Desktop and a target). A backend that has read the typed
    value back calls `processed()` when the KeyInput has it (optional)."""

    def type_text(self, text: str) -> None: ...
    def press(self, keys: str) -> None: ...


@runtime_checkable
class Accessibility(Protocol):
    name: str

    def fields(self, window: WindowInfo, *, refresh: bool = False) -> list[FormField]: ...
    def set_text(self, window: WindowInfo, field: FormField, text: str, *,
                 keys: KeyInput | None = None, wait: bool = True) -> str: ...
    def read_text(self, window: WindowInfo, field: FormField) -> str: ...
    def read_texts(self, window: WindowInfo, fields: list[FormField]) -> list[str | None]: ...
    def choose(self, window: WindowInfo, field: FormField, item_text: str, *,
               keys: KeyInput | None = None) -> str: ...
    def read_choice(self, window: WindowInfo, field: FormField) -> str: ...
    def set_checked(self, window: WindowInfo, field: FormField, checked: bool) -> str: ...
    def select_radio(self, window: WindowInfo, field: FormField) -> str: ...
    def press(self, window: WindowInfo, button: FormField) -> str: ...
    def focused(self, window: WindowInfo) -> FormField | None: ...
    def exposes(self, window: WindowInfo) -> bool: ...
    def why_not(self, window: WindowInfo) -> str | None: ...
    def close(self) -> None: ...


_LABEL_TRIM = " \t\r\n*＊:：·•"


_PLEASE_CHOOSE = re.compile(r"^[-—\s(（]*请选择[-—\s)）]*$")


def empty_item(text: str) -> str:
    """The item a list shows before anything is chosen ("（请选择）", "--请选择--") as "";
    any other text as it is."""
    return "" if not text.strip() or _PLEASE_CHOOSE.match(text) else text


def label_key(text: str) -> str:
    """'* 申请人姓名：' → '申请人姓名': full-width forms folded (NFKC), required-field
    asterisks, colons and spaces at either end dropped, inner runs of spaces made one."""
    folded = unicodedata.normalize("NFKC", text or "")
    return " ".join(folded.strip(_LABEL_TRIM).split())


def find_field(fields: list[FormField], label: str, role: str | None = None) -> FormField | None:
    """The one field (not a radio button) whose label is `label`, compared as label_key;
    None when there is none or more than one."""
    want = label_key(label)
    found = [f for f in fields if f.role != RADIO and (role is None or f.role == role)
             and f.key == want]
    return found[0] if len(found) == 1 else None


def find_radio(fields: list[FormField], group: str, option: str) -> FormField | None:
    """The radio button `option` (男) of the group labelled `group` (性别)."""
    want, choice = label_key(group), label_key(option)
    found = [f for f in fields if f.role == RADIO and f.key == want and label_key(f.name) == choice]
    return found[0] if len(found) == 1 else None
