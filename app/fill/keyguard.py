"""The keystroke way made safe (issue 12): no two values merge, no read-back confirms a box
it did not mean, nothing is typed before a click has taken.

One `KeyGuard` per fill and target window. What it learns about the target it learns once:
whether the accessibility tree shows the target's focus, which key selects all in its
boxes (Tk: Ctrl+/, Ctrl+A goes to the line start there), whether its boxes can be read back
by copying at all. A target that cannot be read back then costs no wait per field.

- A key that moves focus (Tab, Shift+Tab) is confirmed before anything else is sent: with
  a tree, the focused field must change; without one, the desktop waits until the target
  has taken the key (X11Desktop.wait_processed: the server's clock ticked past it, which
  Java's focus manager needs, and a _NET_WM_PING round trip where the target answers one).
  Focus that does not move stops the fill (KeyNotTakenError): nothing is typed after it.
- A read-back names the box it read (FieldResult.box): from the tree where it shows the
  focused box; a box whose label is not the field's, when the form has a box with the
  field's label, is never "read back ok".
- A click waits until focus is where it clicked (tree: the focused field's bounds hold the
  point), else until the target has taken it.
- A choice made by keys is read back from the focused widget when there is a tree.
"""
from __future__ import annotations

import time
from typing import Callable

from app.a11y.base import CHECK, COMBO, LIST, PASSWORD, RADIO, TEXT, Accessibility, FormField, label_key
from app.desktop.base import Desktop, WindowInfo
from app.errors import AccessibilityError, KeyNotTakenError
from app.i18n import _
from playbooks.keys import KeyCombo, parse_combo

StopCheck = Callable[[], "str | None"]

SELECT_ALL = "ctrl+a"
TK_SELECT_ALL = "ctrl+/"
TEXT_ROLES = (TEXT, PASSWORD)
CHOICE_ROLES = (RADIO, COMBO, LIST, CHECK)
# A check box's choice that means "leave it unticked"; any other value means ticked.
# After a Tab into a target that can neither show its focus (no tree) nor answer a round
# trip (Java, Tk): a pause, measured on the Java form under load 8.7 (2 cores shared): with
# the clock tick alone 3 of 25 fills lost a key after a Tab (a Space or a Ctrl+V went to
# the box left, or nowhere); with 10 ms more, 0 of 30; with 20 ms, 1 of 6 at load 9.5. So
# the pause grows with how long the target itself last took to act on a key (its paste or
# copy, X11Desktop.key_latency): twice that, within these bounds.
UNCONFIRMED_TAB_S = (0.02, 0.3)
UNTICKED = frozenset({"否", "不", "无", "未", "no", "false", "0", "off", "n", "unchecked"})


def moves_focus(combo: KeyCombo) -> bool:
    """Keys that move focus to another field in every toolkit: Tab and Shift+Tab. (Return
    and Down move it only in some clients; they are confirmed as taken, not as moved.)"""
    return combo.key == "tab" and set(combo.modifiers) <= {"shift"}


def box_name(f: FormField) -> str:
    return label_key(f.label) or label_key(f.name)


class KeyGuard:
    def __init__(self, desktop: Desktop, accessibility: Accessibility | None, target: WindowInfo,
                 *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep, key_timeout_s: float = 1.0,
                 click_timeout_s: float = 1.5, choice_settle_s: float = 0.5,
                 tree_settle_s: float = 0.5) -> None:
        self.desktop = desktop
        self.accessibility = accessibility
        self.target = target
        self.clock = clock
        self.sleep = sleep
        self.key_timeout_s = key_timeout_s
        self.click_timeout_s = click_timeout_s
        self.choice_settle_s = choice_settle_s
        self.tree_settle_s = tree_settle_s
        self._tree: bool | None = None if accessibility is not None else False
        self._fields: list[FormField] | None = None
        self._showing = True          # the tree showed a focused field when last asked
        # Tk reads its X events on one thread, in order: focus has moved before it reads
        # the next key, so a Tab needs no pause there (measured: 20/20 fills right)
        self.is_tk = self._is_tk()
        self.select_all = TK_SELECT_ALL if self.is_tk else SELECT_ALL
        self.copy_works: bool | None = None     # decided on the first field read back
        self.last_field: str | None = None      # the field typed last, for sentences

    # -- what the target is ------------------------------------------------------
    def _is_tk(self) -> bool:
        """A Tk program (its boxes select all with Ctrl+/; Ctrl+A goes to the line start):
        WM_CLASS "Tk", or, for a program that renamed its class, libtk in its process."""
        get_class = getattr(self.desktop, "window_class", None)
        if get_class is None:          # not X11
            return False
        wm_class = get_class(self.target)
        if wm_class and "Tk" in wm_class:
            return True
        from app.a11y.advice import linux_libraries
        get_pid = getattr(self.desktop, "window_pid", None)
        pid = get_pid(self.target) if get_pid else self.target.pid
        return any("libtk" in lib.rsplit("/", 1)[-1] for lib in linux_libraries(pid))

    def has_tree(self) -> bool:
        """Whether the tree shows this target's fields (asked once)."""
        if self._tree is None:
            try:
                self._fields = self._read_fields()
            except AccessibilityError:
                self._fields = []
            self._tree = bool(self._fields)
        return self._tree

    def _read_fields(self) -> list[FormField]:
        if self.accessibility is None:
            return []
        found = self.accessibility.fields(self.target)
        if found and self.target.pid is not None and found[0].pid != self.target.pid:
            # kept from a closed window whose id X has given to this one: read again
            found = self.accessibility.fields(self.target, refresh=True)
        return found

    def focused(self) -> FormField | None:
        """The field that has focus, by the tree (None without one)."""
        if not self.has_tree():
            return None
        assert self.accessibility is not None
        try:
            found = self.accessibility.focused(self.target)
        except AccessibilityError:
            found = None
        self._showing = found is not None
        return found

    def focused_settled(self) -> FormField | None:
        """The focused field, given the tree a moment when it shows none although it showed
        one last time: it passes through "no field" while focus moves, and lags behind on a
        busy machine (GTK, measured). Where it keeps showing none (a widget it does not list
        as a field), the moment is spent once, not at every step."""
        if not self.has_tree():
            return None               # nothing to wait for (no tree: Tk, accessibility off)
        expected = self._showing
        got: list[FormField | None] = [self.focused()]
        if got[0] is None and expected:

            def found() -> bool:
                got[0] = self.focused()
                return got[0] is not None
            self._poll(found, self.tree_settle_s)
        return got[0]

    def field_labelled(self, label: str) -> bool:
        """Does the form have a field labelled `label` (so focus in another box is wrong)?"""
        want = label_key(label)
        return bool(want) and any(box_name(f) == want for f in (self._fields or []))

    def wrong_box(self, box: FormField | None, label: str | None) -> bool:
        return (box is not None and bool(label) and box_name(box) != label_key(label or "")
                and self.field_labelled(label or ""))

    # -- waiting -----------------------------------------------------------------
    def _poll(self, test: Callable[[], bool], timeout: float, interval: float = 0.01) -> bool:
        deadline = self.clock() + timeout
        while True:
            if test():
                return True
            if self.clock() >= deadline:
                return False
            self.sleep(interval)

    def processed(self, timeout: float | None = None) -> bool:
        """The target has taken every key sent so far (True where the desktop cannot tell)."""
        wait = getattr(self.desktop, "wait_processed", None)
        return True if wait is None else bool(wait(self.target, timeout or self.key_timeout_s))

    # -- keys --------------------------------------------------------------------
    def press(self, key: str, stop: StopCheck, *, step: int) -> None:
        """Press a key of a key step; a key that moves focus must have moved it."""
        combo = parse_combo(key)
        before = self.focused_settled() if moves_focus(combo) else None
        self.desktop.press(combo, self.target, stop=stop)
        if before is not None:
            # until focus is in another field: the tree passes through "no field" on the
            # way (GTK, measured), and a box typed into then would be read back unnamed
            now: list[FormField | None] = [before]

            def landed() -> bool:
                now[0] = self.focused()
                return now[0] is not None and now[0].node != before.node
            moved = self._poll(landed, self.key_timeout_s) or now[0] is None
            if not moved:
                raise KeyNotTakenError(self._not_moved(combo, before, step), step=step,
                                       field=self.last_field)
            self.processed()      # the clock tick: Java's focus manager needs it even so
        elif not self.processed():
            raise KeyNotTakenError(self._not_taken(combo, step), step=step, field=self.last_field)
        elif moves_focus(combo) and not self.is_tk and not self._round_trip():
            self.sleep(self.unconfirmed_pause())

    def unconfirmed_pause(self) -> float:
        latency = getattr(self.desktop, "key_latency", None)
        seen = (latency(self.target) if latency else None) or 0.0
        low, high = UNCONFIRMED_TAB_S
        return min(high, max(low, 2 * seen))

    def _round_trip(self) -> bool:
        """Whether the target itself answered that it took the keys (not just the clock)."""
        asked = getattr(self.desktop, "answers_round_trip", None)
        return True if asked is None else bool(asked(self.target))

    def _not_moved(self, combo: KeyCombo, box: FormField, step: int) -> str:
        return _("The {key} key after {field} did not move focus in '{title}': it stayed in "
                 "'{box}'. Nothing was typed after it; check the form, then resume with "
                 "--start-step {step}.", key=str(combo), field=self.last_field or "—",
                 title=self.target.title, box=box_name(box) or box.role, step=step + 1)

    def _not_taken(self, combo: KeyCombo, step: int) -> str:
        return _("'{title}' did not take the {key} key within {seconds:g} s (it may be busy "
                 "or hung). Nothing was typed after it; check the form, then resume with "
                 "--start-step {step}.", title=self.target.title, key=str(combo),
                 seconds=self.key_timeout_s, step=step + 1)

    def after_click(self, x: int, y: int, *, step: int) -> None:
        """After a click at (x, y) in the target: wait until focus is there before typing.
        With a tree, when a field lies under the point, that field must get focus."""
        sx, sy = self.target.x + x, self.target.y + y
        under = [f for f in (self._fields or []) if _holds(f, sx, sy)] if self.has_tree() else []
        if under:
            if not self._poll(lambda: _holds(self.focused(), sx, sy), self.click_timeout_s):
                raise KeyNotTakenError(
                    _("The click at ({x}, {y}) in '{title}' did not put focus into '{box}' "
                      "within {seconds:g} s. Nothing was typed after it; check the form, then "
                      "resume with --start-step {step}.", x=x, y=y, title=self.target.title,
                      box=box_name(under[0]), seconds=self.click_timeout_s, step=step + 1),
                    step=step)
            return
        active = self.desktop.active_window
        if not self.processed(self.click_timeout_s) or not self._poll(
                lambda: (active() or self.target).id == self.target.id, self.click_timeout_s):
            raise KeyNotTakenError(
                _("'{title}' did not take the click at ({x}, {y}) within {seconds:g} s. Nothing "
                  "was typed after it; check the form, then resume with --start-step {step}.",
                  title=self.target.title, x=x, y=y, seconds=self.click_timeout_s,
                  step=step + 1), step=step)

    # -- choices -----------------------------------------------------------------
    def read_choice(self, expected: str, label: str | None) -> tuple[str, str | None, str | None, str | None]:
        """(status, what the widget holds, its box name, a sentence) for a choice just made
        by keys: read from the focused widget where the tree shows one, else "chosen"."""
        box = self.focused_settled()
        if box is None or box.role not in CHOICE_ROLES:
            return "chosen", None, box_name(box) if box else None, None
        assert self.accessibility is not None
        name = box_name(box)
        if self.wrong_box(box, label):
            return "readback_differs", None, name, _(
                "The choice went to '{box}', not to '{label}'; check both.", box=name, label=label)
        got: list[str | None] = [None]

        def read() -> bool:
            try:
                got[0] = _choice_shown(self.accessibility.read_choice(self.target, box), box, expected)
            except AccessibilityError:
                got[0] = None
            return got[0] == expected
        if self._poll(read, self.choice_settle_s):
            return "readback_ok", got[0], name, None
        return "readback_differs", got[0], name, None


def _choice_shown(raw: str, box: FormField, expected: str) -> str:
    """A check box reads back as its name when ticked and "" when not: as the value meant."""
    if box.role != CHECK:
        return raw
    ticked = bool(raw)
    want_ticked = label_key(expected).lower() not in UNTICKED
    return expected if ticked == want_ticked else (_("ticked") if ticked else _("not ticked"))


def _holds(f: FormField | None, x: int, y: int) -> bool:
    if f is None or f.bounds.empty:
        return False
    b = f.bounds
    return b.x <= x < b.right and b.y <= y < b.bottom
