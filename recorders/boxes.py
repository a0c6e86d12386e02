"""What the supervisor did in the target, replayed from a recording's events: which boxes
received a value (and which value each held at the end), how each was reached, which
buttons were pressed.

A box's value is the form's own final state where the tree gave one (`value` events);
otherwise it is rebuilt from the keys: typos, backspace, delete, ctrl+a and retyping are
folded, so "张三三⌫" is 张三. Without a tree a box has no identity: each click or Tab run
starts a new one, and the steps that reached it are kept in order (`trace`).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from app.a11y.base import empty_item
from recorders.recording import Event, RecordedWidget, RecordedWindow, Recording

__all__ = ["Box", "Keys", "Click", "Enter", "Press", "Replay", "replay", "typed_text",
           "CHOICE_ROLES", "NAV_KEYS"]

CHOICE_ROLES = ("combo", "radio", "list", "check")
BUTTON_ROLES = ("button", "push button", "push_button")
NAV_KEYS = ("tab", "shift+tab")
# keys that edit the box being typed into (folded into its value, never replayed)
EDIT_KEYS = ("backspace", "delete", "ctrl+a", "left", "right", "home", "end", "ctrl+z")
CHECKED = ("1", "true", "yes", "是", "checked", "✓", "√", "on")


@dataclass
class Box:
    """One box of the target that ended up holding a value the supervisor put there."""

    n: int                                   # order in which the supervisor first acted in it
    widget: RecordedWidget | None            # as the tree showed it; None without a tree
    window: RecordedWindow | None
    value: str = ""
    from_tree: bool = False                  # the value is the form's own (a `value` event)
    acted: bool = False                      # typed, pasted, chose or clicked in it
    secret: bool = False                     # a password box: its value is never known
    options: tuple[str, ...] = ()            # a choice box's items
    texts: list[str] = field(default_factory=list)   # every text typed or pasted into it
    cleared: bool = False                    # what it held before was removed first
    # a password box without a tree, as its look found it (recorders/secret_look.py):
    # its label and how it was known (`secret_by`); the box stays one without a tree
    seen: RecordedWidget | None = None

    @property
    def role(self) -> str:
        if self.widget is None:
            return ""
        if self.widget.secret:
            return "secret"
        return self.widget.role

    @property
    def label(self) -> str:
        w = self.widget or self.seen
        if w is None:
            return ""
        # a required-field mark (* 姓名) is no part of the label a fill looks for
        return (w.label or w.name or "").strip().rstrip(":：").strip().strip("*＊").strip()

    @property
    def choice(self) -> bool:
        return self.role in CHOICE_ROLES


@dataclass(frozen=True)
class Keys:
    """Keys pressed between boxes (a Tab run, or keys in a box that took no text)."""
    keys: tuple[str, ...]


@dataclass(frozen=True)
class Click:
    """A click that reached a box without a tree: screen pixels and the window then."""
    x: int
    y: int
    window: RecordedWindow | None
    button: str = "left"


@dataclass(frozen=True)
class Enter:
    """The supervisor started putting a value into `box` (a Box.n)."""
    box: int


@dataclass(frozen=True)
class Press:
    """A button of the tree was clicked."""
    name: str


TraceItem = Keys | Click | Enter | Press


@dataclass
class Replay:
    boxes: list[Box]                         # in the order first acted in
    trace: list[TraceItem]                   # what reached each box, in order
    window: RecordedWindow | None            # the target window (the one values went into)
    titles: list[str]                        # every title the target window showed
    dropped_keys: int = 0                    # capture/stop keys left out


class _Buffer:
    """A text box's content as keys would leave it."""

    def __init__(self) -> None:
        self.chars: list[str] = []
        self.cursor = 0
        self.all_selected = False

    @property
    def text(self) -> str:
        return "".join(self.chars)

    def _take_selection(self) -> bool:
        if self.all_selected:
            self.chars, self.cursor, self.all_selected = [], 0, False
            return True
        return False

    def insert(self, text: str) -> None:
        self._take_selection()
        self.chars[self.cursor:self.cursor] = list(text)
        self.cursor += len(text)

    def key(self, key: str) -> None:
        if key == "ctrl+a":
            self.all_selected = bool(self.chars)
            return
        if key in ("backspace", "delete"):
            if self._take_selection():
                return
            if key == "backspace" and self.cursor > 0:
                del self.chars[self.cursor - 1]
                self.cursor -= 1
            elif key == "delete" and self.cursor < len(self.chars):
                del self.chars[self.cursor]
            return
        self.all_selected = False
        moves = {"left": self.cursor - 1, "right": self.cursor + 1, "home": 0,
                 "end": len(self.chars)}
        if key in moves:
            self.cursor = max(0, min(len(self.chars), moves[key]))


def _widget_key(w: RecordedWidget) -> tuple:
    """One box per widget; the buttons of a radio group are one box (its label)."""
    if w.role == "radio":
        return ("radio", w.label or w.name)
    if w.path:
        return ("path", w.path)
    if w.role in ("combo", "list"):
        # a GTK combo's accessible name is the item it shows: it changes with the choice
        return (w.role, w.label, w.x, w.y)
    return (w.role, w.name, w.label, w.x, w.y)


def _has_tree(e: Event) -> bool:
    return e.widget is not None and bool(e.widget.role)


def _blind_secret(e: Event) -> bool:
    """An event in a password box of a window without a tree (known by its look)."""
    return e.widget is not None and not e.widget.role and e.widget.secret


def typed_text(events: list[Event]) -> str:
    """What text, paste and editing-key events leave in one box."""
    buf = _Buffer()
    for e in events:
        if e.kind in ("text", "paste") and e.text:
            buf.insert(e.text)
        elif e.kind == "key" and e.key in EDIT_KEYS:
            buf.key(e.key)
    return buf.text


def _target_window(events: tuple[Event, ...]) -> RecordedWindow | None:
    """The window values went into: the one with the most text, paste and value events
    (the source viewer and the recorder's own windows get clicks, not values)."""
    counts: Counter[tuple] = Counter()
    first: dict[tuple, RecordedWindow] = {}
    for e in events:
        if e.window is not None and e.kind in ("text", "paste", "value", "key"):
            k = (e.window.title, e.window.process, e.window.pid, e.window.wm_class)
            counts[k] += 2 if e.kind != "key" else 1
            first.setdefault(k, e.window)
    if not counts:
        return None
    return first[counts.most_common(1)[0][0]]


def _same_window(a: RecordedWindow | None, b: RecordedWindow | None) -> bool:
    if a is None or b is None:
        return a is b or b is None
    if a.pid is not None and b.pid is not None:
        return a.pid == b.pid
    return (a.process, a.wm_class) == (b.process, b.wm_class) and (
        a.process is not None or a.wm_class is not None or a.title == b.title)


def _choice_value(w: RecordedWidget, text: str) -> str:
    if w.role == "check":
        # the tree reads a ticked box as its own text (app/a11y read_choice), "" if not
        ticked = text.strip().lower() in CHECKED or (bool(text.strip()) and text.strip() == w.name)
        return "是" if ticked else "否"
    return text.strip()


def replay(recording: Recording, *, drop_keys: tuple[str, ...] = ()) -> Replay:
    """The boxes that got values, and the trace that reached them."""
    window = _target_window(recording.events)
    titles: list[str] = []
    boxes: dict[tuple, Box] = {}
    buffers: dict[tuple, _Buffer] = {}
    trace: list[TraceItem] = []
    current: tuple | None = None          # the box keys go into
    slot = 0                              # boxes without a tree: one per click or Tab run
    pending_keys: list[str] = []
    dropped = 0
    entered: set[tuple] = set()

    def box_for(key: tuple, w: RecordedWidget | None, win: RecordedWindow | None) -> Box:
        b = boxes.get(key)
        if b is None:
            b = boxes[key] = Box(n=len(boxes), widget=w, window=win)
            buffers[key] = _Buffer()
        if w is not None and w.options:
            b.options = tuple(dict.fromkeys(w.options + b.options))
        if w is not None and b.widget is not None and w.role == "radio" and w.option:
            b.options = tuple(dict.fromkeys(b.options + (w.option,)))
        return b

    def flush_keys() -> None:
        if pending_keys:
            trace.append(Keys(tuple(pending_keys)))
            pending_keys.clear()

    def enter(key: tuple) -> None:
        if key not in entered:
            entered.add(key)
            flush_keys()
            trace.append(Enter(boxes[key].n))

    for e in recording.events:
        if window is not None and e.window is not None and not _same_window(window, e.window):
            continue
        if e.window is not None and e.window.title and e.window.title not in titles:
            titles.append(e.window.title)
        if e.kind == "key" and e.key is not None and e.key.lower() in drop_keys:
            dropped += 1
            continue
        w = e.widget
        tree = _has_tree(e)
        if e.kind == "window":
            continue
        if e.kind == "focus":
            if tree and w is not None:
                current = _widget_key(w)
                box_for(current, w, e.window)
            continue
        if e.kind == "click":
            if tree and w is not None and w.role in BUTTON_ROLES:
                flush_keys()
                trace.append(Press(w.name or w.label))
                current = None
                continue
            if tree and w is not None:
                current = _widget_key(w)
                b = box_for(current, w, e.window)
                if w.role in CHOICE_ROLES:
                    b.acted = True
                    if w.role == "radio" and w.option is not None:
                        b.value = w.option
                    enter(current)
                continue
            flush_keys()
            slot += 1
            current = ("slot", slot)
            trace.append(Click(e.x or 0, e.y or 0, e.window, e.button or "left"))
            continue
        if e.kind == "value":
            if w is None:
                continue
            key = _widget_key(w)
            b = box_for(key, w, e.window)
            b.value = _choice_value(w, e.text or "") if w.role in CHOICE_ROLES else (e.text or "")
            b.from_tree = True
            if w.secret:
                b.secret = True
            continue
        if tree and w is not None:
            current = _widget_key(w)
            box_for(current, w, e.window)
        if e.kind == "key":
            k = (e.key or "").lower()
            if k in NAV_KEYS:
                if current is not None and current[0] == "slot" and current in entered:
                    current = None
                if current is not None and current[0] != "slot" and not tree:
                    current = None
                pending_keys.append(k)
                if not tree:
                    slot += 1
                    current = ("slot", slot)
                continue
            if current is None:
                slot += 1
                current = ("slot", slot)
            b = box_for(current, w if tree else None, e.window)
            if b.widget is None and k in EDIT_KEYS and (_blind_secret(e) or b.secret):
                b.secret, b.seen = True, b.seen or w
                if k in ("ctrl+a", "backspace", "delete"):
                    b.cleared = True
                continue          # keys in a password box edit what is never known
            if k in EDIT_KEYS and buffers[current].chars:
                buffers[current].key(k)
                continue
            if k in ("ctrl+a", "backspace", "delete") and not b.choice:
                b.cleared = True      # text the box held before: the fill clears it too
                continue
            if b.widget is not None and b.widget.secret:
                b.secret = True
                b.acted = True
                enter(current)
                continue
            if b.choice or (b.widget is None and not buffers[current].chars):
                # a choice made by keys (space, arrows): replayed only where there is no tree
                b.acted = True
                if b.widget is None:
                    pending_keys.append(k)
                else:
                    enter(current)
                continue
            pending_keys.append(k)
            continue
        if e.kind in ("text", "paste"):
            if current is None:
                slot += 1
                current = ("slot", slot)
            b = box_for(current, w if tree else None, e.window)
            b.acted = True
            if (b.widget is not None and b.widget.secret) or _blind_secret(e):
                b.secret = True       # its text never reaches a recording anyway
                b.seen = b.seen or (w if b.widget is None else None)
                enter(current)
                continue
            enter(current)
            buffers[current].insert(e.text or "")
            if e.text:
                b.texts.append(e.text)
    flush_keys()
    out: list[Box] = []
    for key, b in boxes.items():
        if not b.from_tree and not b.choice:
            b.value = buffers[key].text
        elif not b.from_tree and b.choice and buffers[key].chars:
            b.value = buffers[key].text
        if b.acted and (b.secret or empty_item(b.value.strip())):
            out.append(b)
    kept = {b.n for b in out}
    trace = [t for t in trace if not isinstance(t, Enter) or t.box in kept]
    return Replay(out, trace, window, titles, dropped)
