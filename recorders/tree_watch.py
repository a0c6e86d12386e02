"""The target's accessibility tree during a recording: which widget has focus, which one is
under a click, and what each field holds (the final state the compiler trusts over the
keystrokes).

A password box is `secret`: its text is never read. Where a window shows no tree (Tk, a
toolkit without its bridge) every call answers None or nothing, and the recording keeps
only keys, clicks and the window.
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from app.a11y.base import CHECK, COMBO, LIST, PASSWORD, RADIO, FormField, empty_item
from app.errors import DeskhandError
from recorders.recording import RecordedWidget

if TYPE_CHECKING:  # pragma: no cover
    from app.a11y.base import Accessibility
    from app.desktop.base import WindowInfo

log = logging.getLogger(__name__)


def widget_of(f: FormField, options: tuple[str, ...] = ()) -> RecordedWidget:
    b = f.bounds
    # `path` (a child-index path) stays None: the backend gives the field's place in the
    # form's reading order, not its place in the tree; the label and role address it.
    return RecordedWidget(role=f.role, name=f.name, label=f.label, x=b.x, y=b.y,
                          width=b.width, height=b.height,
                          secret=f.role == PASSWORD,
                          option=f.name if f.role in (RADIO, CHECK) else None,
                          options=options)


class TreeWatch:
    """Reads of one accessibility backend; every fault of the tree is logged and taken as
    "no tree here" (a recording must not stop because a toolkit's bridge hiccuped)."""

    def __init__(self, accessibility: "Accessibility | None") -> None:
        self.a11y = accessibility
        self._fields: dict[int, list[FormField]] = {}

    def close(self) -> None:
        if self.a11y is not None:
            self.a11y.close()
            self.a11y = None

    def fields(self, window: "WindowInfo", *, refresh: bool = False) -> list[FormField]:
        if self.a11y is None:
            return []
        if window.id in self._fields and not refresh:
            return self._fields[window.id]
        try:
            found = self.a11y.fields(window, refresh=refresh)
        except DeskhandError as exc:
            log.info("no tree for window %s: %s", window.id, exc.message)
            found = []
        self._fields[window.id] = found
        return found

    def focused(self, window: "WindowInfo") -> FormField | None:
        if self.a11y is None or not self.fields(window):
            return None
        try:
            got = self.a11y.focused(window)
            if got is None:      # the form may have been rebuilt (a box enabled, a page)
                self.fields(window, refresh=True)
                got = self.a11y.focused(window)
            return got
        except DeskhandError as exc:
            log.info("focus not read: %s", exc.message)
            return None

    def at(self, window: "WindowInfo", x: int, y: int) -> FormField | None:
        """The smallest field whose bounds hold the screen point (x, y)."""
        hits = [f for f in self.fields(window)
                if not f.bounds.empty and f.bounds.x <= x < f.bounds.right
                and f.bounds.y <= y < f.bounds.bottom]
        return min(hits, key=lambda f: f.bounds.width * f.bounds.height) if hits else None

    def value(self, window: "WindowInfo", f: FormField) -> str | None:
        """What `f` holds; None for a password box (never read), a button, or a read
        that failed. A radio gives its group's checked option; a check box its own text
        when ticked, "" when not."""
        if self.a11y is None or f.role == PASSWORD:
            return None
        try:
            if f.role in (COMBO, LIST, RADIO, CHECK):
                return self.a11y.read_choice(window, f)
            if f.role == "button":
                return None
            return self.a11y.read_text(window, f)
        except DeskhandError as exc:
            log.info("value of a field not read: %s", exc.message)
            return None

    def options(self, window: "WindowInfo", f: FormField) -> tuple[str, ...]:
        """A choice box's choices, in order: a drop-down's or list's items (without its
        请选择 entry), a radio group's buttons; () for other boxes or when the tree does
        not tell. The compiler writes them as the field's `choices`."""
        if f.role == RADIO:
            return tuple(g.name for g in self.fields(window) if g.role == RADIO and g.key == f.key)
        items = getattr(self.a11y, "items", None)
        if f.role not in (COMBO, LIST) or items is None:
            return ()
        try:
            return tuple(n for n in items(window, f) if empty_item(n))
        except DeskhandError as exc:
            log.info("items of a list not read: %s", exc.message)
            return ()

    def final_values(self, window: "WindowInfo") -> list[tuple[FormField, str | None]]:
        """Every field of the form and what it holds (a radio group once, as its checked
        button, or its first button when none is checked); password boxes with None."""
        out: list[tuple[FormField, str | None]] = []
        groups: dict[str, list[FormField]] = {}
        for f in self.fields(window, refresh=True):
            if f.role == "button":
                continue
            if f.role == RADIO:
                groups.setdefault(f.key, []).append(f)
                continue
            out.append((f, self.value(window, f)))
        for group in groups.values():
            chosen = self.value(window, group[0]) or ""
            pick = next((f for f in group if f.name == chosen), group[0])
            out.append((pick, chosen))
        out.sort(key=lambda pair: pair[0].index)
        return out
