"""Set and press steps: a field's value put into the box addressed by its label, through
the target's accessibility tree where it shows that box, else by clicking next to the
label found on screen and typing (the engine's keystroke way).

Through the tree, a value counts as confirmed (readback_ok) only when it is read back from
that very box — the one found by its label — and equals what was meant. Before every set
the box must belong to the target window and process, and the target must still be the
active window: otherwise the fill stops as a keystroke fill that lost focus does
(FocusMoved), with nothing set anywhere else.

FillEngine._run_step hands "set" and "press" steps to `run_addressed`; the state of one
fill (the target's fields, read once and again only when a label is missing; whether the
once-per-fill "why keys" warning was given) lives in `AddressedFill`.
"""
from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING, Callable

from app.a11y.base import (BUTTON, CHECK, COMBO, LIST, METHOD_FOCUS_KEYS, RADIO, Accessibility,
                           FormField, find_field, find_radio, label_key)
from app.a11y.keys import DesktopKeys
from app.fill.later_reads import LaterRead, LaterReads
from app.fill.widget_look import (check_region, chosen_option, indicator_region, ink,
                                  split_options, tick_changed)
from app.ocr.base import TextBox
from app.desktop.base import FocusMoved, StopRequested, WindowInfo
from app.errors import (AccessibilityError, AccessibilityUnavailableError, ChoiceNotFoundError,
                        DesktopError, FieldDisabledError, FieldRefusedError, ForeignFieldError,
                        StaleFieldError)
from app.i18n import _, join
from playbooks.keys import parse_combo
from playbooks.model import Playbook, PressStep, SetStep

if TYPE_CHECKING:  # pragma: no cover
    from app.fill.engine import FieldResult, FillEngine, FillReport, PlannedStep

__all__ = ["AddressedFill", "checkbox_state", "open_for_fill", "read_later", "run_addressed",
           "uses_addressed_steps"]

StopCheck = Callable[[], "str | None"]

# A check box's value as a case gives it (compared after NFKC and case folding).
TICKED = frozenset({"是", "yes", "y", "true", "1", "✓", "✔", "☑", "√", "on", "checked", "对"})
UNTICKED = frozenset({"否", "no", "n", "false", "0", "✗", "✘", "☐", "", "off", "unchecked", "不"})
# A tree that was empty when first asked is read again until it stops growing.
SETTLE_S, SETTLE_READS = 0.25, 12
# A greyed box is read again this many times, SETTLE_S apart, before it is refused.
ENABLE_READS = 4
# How long a look waits for a toolkit to redraw a widget after a click (s).
LOOK_S = 1.0
# A label's line is taken to be at least this tall (logical px).
LINE_HEIGHT = 20


def checkbox_state(value: str) -> bool | None:
    """True for 是/yes/true/1/✓…, False for 否/no/false/0…, None for anything else."""
    v = unicodedata.normalize("NFKC", value or "").strip().casefold()
    if v in TICKED:
        return True
    if v in UNTICKED:
        return False
    return None


def uses_addressed_steps(playbook: Playbook) -> bool:
    return any(isinstance(s, (SetStep, PressStep)) for s in playbook.steps)


def open_for_fill(enabled: bool = True,
                  opener: Callable[[], Accessibility] | None = None
                  ) -> tuple[Accessibility | None, str | None]:
    """The accessibility backend for one fill, or None and the sentence why (turned off,
    or AccessibilityUnavailableError's sentence). The caller closes it after the fill."""
    if not enabled:
        return None, _("Accessibility is turned off for this fill (in the settings, or "
                       "--no-accessibility): fields addressed by label are typed with keys.")
    if opener is None:
        from app.a11y import open_accessibility
        opener = open_accessibility
    try:
        return opener(), None
    except AccessibilityError as exc:
        return None, exc.message


def run_addressed(engine: "FillEngine", playbook: Playbook, step: SetStep | PressStep,
                  ps: "PlannedStep", target: WindowInfo, stop: StopCheck,
                  report: "FillReport") -> None:
    """Run one set or press step of `engine`'s current fill (the hook of _run_step)."""
    current = getattr(engine, "_addressed_fill", None)
    if current is None or current.report is not report:
        current = AddressedFill(engine, report)
        engine._addressed_fill = current   # type: ignore[attr-defined]
    if isinstance(step, SetStep):
        result = current.set(playbook, step, ps, target, stop)
        report.results.append(result)
        if current.later is None or not current.later.holds(result):   # else told when read
            engine.progress("field_done", {"field": ps.field, "status": result.status,
                                           "method": result.method})
    else:
        current.press(step, ps, target, stop)


def _tree_shows(a11y: Accessibility, box: FormField) -> bool:
    """Can the tree show what `box` holds? (Where it cannot, a box is proven by its own
    copy at once rather than by a read-back gathered for later, which would wait in vain.)"""
    shows = getattr(a11y, "tree_shows", None)
    return shows is None or bool(shows(box))


def read_later(engine: "FillEngine", stop: StopCheck) -> None:
    """Do the read-backs a fill's set steps left for later (before any other kind of step
    and at the end of the fill)."""
    current = getattr(engine, "_addressed_fill", None)
    if current is not None:
        current.read_later_now(stop)


class AddressedFill:
    """The set and press steps of one fill."""

    def __init__(self, engine: "FillEngine", report: "FillReport") -> None:
        self.engine = engine
        self.report = report
        self.a11y: Accessibility | None = engine.accessibility
        self._fields: dict[int, list[FormField]] = {}
        self._fresh: set[int] = set()      # windows whose fields were read since the last change
        self._why_given = False
        self._why: dict[int, str | None] = {}     # why_not's sentence, once asked
        self._settled_once: set[int] = set()      # windows whose tree was let settle
        # boxes focused by the tree and typed by keys, read back together (later_reads.py)
        self.later: LaterReads | None = None if self.a11y is None else LaterReads(
            self.a11y, _same_value, float(getattr(self.a11y, "settle", 1.0)),
            sleep=engine.sleep)

    # ------------------------------------------------------------------ the target's fields
    def _read(self, target: WindowInfo, refresh: bool = False) -> list[FormField]:
        assert self.a11y is not None
        if refresh or target.id not in self._fields:
            # read afresh once per fill: a window id may be a closed window's, reused
            found = self.a11y.fields(target, refresh=True)
            if not found and target.id not in self._fields:
                # A browser builds its page's tree when first asked (Firefox: ~1 s), so
                # ask once more, through why_not, which says why when there is none
                self._why[target.id] = self.a11y.why_not(target)
                found = [] if self._why[target.id] else self._settled(target)
                self._settled_once.add(target.id)
            self._fields[target.id] = found
            self._fresh.add(target.id)
        return self._fields[target.id]

    def _settled(self, target: WindowInfo) -> list[FormField]:
        """The fields of a tree still being built, once two reads SETTLE_S apart agree on
        some: two empty reads only say the page has not begun (Firefox under load took
        longer than SETTLE_S to start, and the whole form went in by keys)."""
        assert self.a11y is not None
        found = self.a11y.fields(target)
        for _try in range(SETTLE_READS):
            self.engine.sleep(SETTLE_S)
            again = self.a11y.fields(target, refresh=True)
            if again and len(again) == len(found):
                break
            found = again
        return again

    def _find(self, target: WindowInfo, find: Callable[[list[FormField]], FormField | None]
              ) -> FormField | None:
        """The box `find` picks from the target's fields; the fields are read again once
        when it is missing or greyed out (a choice may have just enabled it: 配偶姓名
        after 已婚), unless nothing changed since they were read."""
        try:
            box = find(self._read(target))
            if box is not None and not box.enabled and target.id not in self._fresh:
                box = self._state_now(target, box)     # one call, not the whole form
            if (box is None or not box.enabled) and target.id not in self._fresh:
                box = find(self._read(target, refresh=True))
            for _try in range(ENABLE_READS if box is not None and not box.enabled else 0):
                # a box a choice has just enabled shows so a little later (Firefox)
                self.engine.sleep(SETTLE_S)
                box = find(self._read(target, refresh=True))
                if box is None or box.enabled:
                    break
            if box is None and target.id not in self._settled_once and self._fields[target.id]:
                # a page's tree may still be growing (Firefox builds it when first asked)
                self._settled_once.add(target.id)
                self._fields[target.id] = self._settled(target)
                box = find(self._fields[target.id])
        except AccessibilityUnavailableError as exc:     # the bus went away: keys
            self._why[target.id] = exc.message
            return None
        return box

    def _state_now(self, target: WindowInfo, box: FormField) -> FormField:
        refreshed = getattr(self.a11y, "refreshed", None)
        if refreshed is None:
            return box
        try:
            return refreshed(target, box)
        except AccessibilityError:
            return box

    def _changed(self, target: WindowInfo) -> None:
        self._fresh.discard(target.id)

    # ------------------------------------------------------------------ set
    def set(self, playbook: Playbook, step: SetStep, ps: "PlannedStep", target: WindowInfo,
            stop: StopCheck) -> "FieldResult":
        assert ps.text is not None
        choice = playbook.field_spec(step.field).type == "choice"
        label = step.at.label
        if step.method != "keys" and self.a11y is not None:
            box = self._find(target, lambda fs: _box_for(fs, step, ps.text or "", choice))
            if box is not None:
                return self._through_tree(step, ps, target, stop, box, choice)
            buttons = _radio_names(self._fields.get(target.id, []), label) if choice else []
            if buttons:
                return self._refused(ps, _("'{value}' is not one of the buttons of '{label}' "
                                           "in '{title}' ({choices}); {field} was left alone.",
                                           value=ps.text, label=label, title=target.title,
                                           choices=join(buttons), field=ps.field))
            if step.method == "accessible":
                return self._refused(ps, self._not_in_tree(target, label))
        elif step.method == "accessible":
            return self._refused(ps, _("{field} was not set: the playbook sets it through "
                                       "accessibility only, and no accessibility tree is in "
                                       "use for this fill.", field=ps.field))
        return self._by_keys(step, ps, target, stop, choice,
                             playbook.field_spec(step.field).choices)

    def _not_in_tree(self, target: WindowInfo, label: str) -> str:
        why = self._why.get(target.id)
        return why or _("'{title}' shows no box labelled '{label}' to accessibility, and the "
                        "playbook sets it through accessibility only: it was left alone.",
                        title=target.title, label=label)

    def _guard(self, target: WindowInfo, box: FormField | None, stop: StopCheck) -> None:
        """Before every set: no stop asked for, the box is the target's, the target active."""
        reason = stop()
        if reason:
            raise StopRequested(reason, 0)
        desktop = self.engine.desktop
        if desktop.active_window_id() != target.id:
            raise FocusMoved(0, desktop.active_window())
        if box is not None and (box.window_id != target.id or
                                (target.pid is not None and box.pid != target.pid)):
            raise FocusMoved(0, desktop.active_window())

    def _through_tree(self, step: SetStep, ps: "PlannedStep", target: WindowInfo,
                      stop: StopCheck, box: FormField, choice: bool) -> "FieldResult":
        from app.fill.engine import FieldResult
        assert self.a11y is not None and ps.text is not None
        a11y, value = self.a11y, ps.text
        result = FieldResult(ps.field or "", ps.index, "typed", expected=value,
                             box=box.label or box.name)
        if not box.enabled:
            return self._refused(ps, _greyed(target, box, ps.field), box)
        if box.role in (CHECK, RADIO, COMBO, LIST):
            self.read_later_now(stop)    # a key still on its way must not reach a choice
        keys = DesktopKeys(self.engine.desktop, target, stop)
        self._guard(target, box, stop)
        try:
            if box.role == CHECK:
                want = checkbox_state(value)
                if want is None:
                    return self._refused(ps, _("'{value}' is not a yes or no for the check box "
                                               "'{label}'; {field} was left alone.", value=value,
                                               label=box.label, field=ps.field), box)
                result.method = self._twice(lambda: a11y.set_checked(target, box, want))
                self._changed(target)
                if step.readback:
                    got = a11y.read_choice(target, box)
                    result.readback = value if bool(got) == want else _ticked_word(bool(got))
            elif box.role == RADIO:
                result.method = self._twice(lambda: a11y.select_radio(target, box))
                self._changed(target)
                if step.readback:
                    result.readback = a11y.read_choice(target, box)
            elif box.role in (COMBO, LIST):
                result.method = a11y.choose(target, box, value, keys=keys)
                self._changed(target)
                if step.readback:
                    result.readback = a11y.read_choice(target, box)
            else:
                if not box.editable:
                    return self._refused(ps, _read_only(target, box, ps.field), box)
                later = step.readback and self.later is not None
                result.method = a11y.set_text(target, box, value, keys=keys, wait=not later)
                self._changed(target)
                result.chars = len(value)
                if later and result.method == METHOD_FOCUS_KEYS and _tree_shows(a11y, box):
                    assert self.later is not None
                    self.later.add(LaterRead(result, box, value, target))
                    return result                    # "typed" until read back
                if step.readback:
                    result.readback = a11y.read_text(target, box)
                    if result.readback != value and _beyond_bmp(value) \
                            and result.method == METHOD_FOCUS_KEYS:
                        result.readback = self._copied_back(target, box, stop, result.readback,
                                                             value)
        except ForeignFieldError:
            raise FocusMoved(0, self.engine.desktop.active_window()) from None
        except ChoiceNotFoundError as exc:
            return self._refused(ps, exc.message, box)
        except FieldDisabledError:
            return self._refused(ps, _greyed(target, box, ps.field), box)
        except StaleFieldError as exc:
            self._changed(target)
            return self._refused(ps, exc.message, box)
        except AccessibilityError as exc:
            return self._refused(ps, exc.message, box)
        if step.readback:
            result.status = "readback_ok" if _same_value(result.readback, value, box.role) \
                else "readback_differs"
        elif choice:
            result.status = "chosen"
        return result

    def read_later_now(self, stop: StopCheck) -> None:
        if self.later is None or not self.later.waiting:
            return
        target = self.later.waiting[0].target
        reads = self.later.read(lambda r: self._redo(r, stop))
        if all(r.result.status == "readback_ok" for r in reads):
            DesktopKeys(self.engine.desktop, target, stop).processed()
        for r in reads:
            self.engine.progress("field_done", {"field": r.result.field,
                                                "status": r.result.status,
                                                "method": r.result.method})

    def _redo(self, r: LaterRead, stop: StopCheck) -> str | None:
        """Set a box read back wrong again, waiting for each step this time. Returns the
        box's own copy of its text where the tree cannot show it (Java and 𠀾), else None."""
        assert self.a11y is not None
        self._guard(r.target, r.box, stop)
        try:
            self.a11y.set_text(r.target, r.box, r.value,
                               keys=DesktopKeys(self.engine.desktop, r.target, stop))
            got = self.a11y.read_text(r.target, r.box)
            if got != r.value and _beyond_bmp(r.value):
                return self._copied_back(r.target, r.box, stop, got, r.value)
        except ForeignFieldError:
            raise FocusMoved(0, self.engine.desktop.active_window()) from None
        except AccessibilityError as exc:
            r.result.status, r.result.message = "refused", exc.message
        return None

    def _twice(self, act: Callable[[], str]) -> str:
        """A radio or check box action, tried again once: Firefox gives a node it has just
        built its actions a moment later."""
        try:
            return act()
        except FieldDisabledError:
            raise
        except FieldRefusedError:
            self.engine.sleep(SETTLE_S)
            return act()

    def _refused(self, ps: "PlannedStep", message: str, box: FormField | None = None
                 ) -> "FieldResult":
        from app.fill.engine import FieldResult
        return FieldResult(ps.field or "", ps.index, "refused", expected=ps.text,
                           box=(box.label or box.name) if box is not None else None,
                           message=message)

    # ------------------------------------------------------------------ by keys
    def _why_keys(self, target: WindowInfo) -> None:
        """Once per fill: why a field addressed by label went in by keys."""
        if self._why_given or self.a11y is None:
            return
        self._why_given = True
        try:
            why = self._why[target.id] if target.id in self._why else self.a11y.why_not(target)
        except AccessibilityError as exc:
            why = exc.message
        if why:
            self.report.warnings.append(why)

    def _by_keys(self, step: SetStep, ps: "PlannedStep", target: WindowInfo, stop: StopCheck,
                 choice: bool, choices: tuple[str, ...] = ()) -> "FieldResult":
        assert ps.text is not None
        self.read_later_now(stop)
        if step.method != "keys":
            self._why_keys(target)
        where = self._beside_label(step, ps, target)
        if where is None:
            return self._refused(ps, _("The label '{label}' is not on the screen in '{title}', "
                                       "so {field} was not typed: check that the form shows "
                                       "it.", label=step.at.label, title=target.title,
                                       field=ps.field))
        if choice:
            looked = self._choice_by_look(step, ps, target, stop, choices)
            if looked is not None:
                return looked
        if choice and not ps.keys:
            return self._refused(ps, _("The playbook gives no keys to choose '{value}' in "
                                       "'{label}' without accessibility; {field} was left "
                                       "alone.", value=ps.text, label=step.at.label,
                                       field=ps.field))
        self._guard(target, None, stop)
        self.engine._click_at(where[0], where[1], target, stop)
        if choice:
            from app.fill.engine import FieldResult
            method = "click" if self._pick_from_list(ps, target, stop, where) else "keys"
            if method == "keys":
                for k in ps.keys:
                    self.engine.desktop.press(parse_combo(k), target, stop=stop)
            result = FieldResult(ps.field or "", ps.index, "chosen", method, expected=ps.text,
                                 box=step.at.label)
            if step.readback:
                self._shown_choice(step, ps, target, result)
            return result
        result = self.engine._type_field(ps, target, stop, readback=step.readback)
        # the box read back is the one with focus: its own label if the tree gives one;
        # a box with none (Firefox's 电子邮箱) is taken as the one beside the label clicked
        result.box = self._focused_label(target)
        if result.box == "":
            result.box = step.at.label
        if result.status == "readback_ok" and result.box is not None \
                and label_key(result.box) != label_key(step.at.label):
            result.status = "readback_differs"      # read back from another box
            result.message = _("The text was read back from the box '{box}', not from "
                               "'{label}'.", box=result.box, label=step.at.label)
        return result

    # -- a choice without a tree: clicked, and read back by a look at the widget --
    def _choice_by_look(self, step: SetStep, ps: "PlannedStep", target: WindowInfo,
                        stop: StopCheck, choices: tuple[str, ...]) -> "FieldResult | None":
        """A radio group whose every option shows on its label's row: its option's text
        clicked and the indicators looked at; a check box (choices all yes/no words)
        clicked on its own text and its indicator looked at before and after. None for
        anything else (a drop-down: keys, then its shown text read)."""
        from app.fill.engine import FieldResult
        assert ps.text is not None
        screen, win = self.engine._screen(ps), self.engine._as_now(target)
        label = screen.label_box(step.at.label, win)
        if label is None:
            return None
        result = FieldResult(ps.field or "", ps.index, "chosen", "click", expected=ps.text,
                             box=step.at.label)
        if choices and all(checkbox_state(c) is not None for c in choices):
            want = checkbox_state(ps.text)
            return self._tick_by_look(screen, win, target, stop, label, bool(want), result,
                                      step.readback)
        h = max(label.height, LINE_HEIGHT)
        row = screen.boxes_in(win, label.right, label.y - h // 2, win.width - label.right,
                              label.height + h)
        options: dict[str, tuple[TextBox, tuple[int, int, int, int]]] = {}
        for b in sorted(row, key=lambda b: b.x):
            options.setdefault(label_key(b.text), (b, indicator_region(b)))
            if label_key(b.text) not in choices:     # one box over the group: ◇男 ◇女
                split = split_options(b, choices, screen.pixels(win, b.x, b.y, b.width,
                                                                b.height))
                options.update(split or {})
        if len(choices) < 2 or not all(c in options for c in choices):
            return None
        self._guard(target, None, stop)
        cx, cy = options[ps.text][0].center
        self.engine._click_at(int(cx), int(cy), target, stop)
        if not step.readback:
            return result
        regions = {c: options[c][1] for c in choices}

        def look() -> str | None:
            return chosen_option({c: ink(screen.pixels(win, *r)) for c, r in regions.items()})
        got = self._looked(look, lambda v: v == ps.text)
        result.readback = got
        result.status = ("readback_ok" if got == ps.text else
                         "readback_unavailable" if got is None else "readback_differs")
        if got is None:
            result.message = _("No button of '{label}' showed clearly as chosen after the "
                               "click: check it by eye.", label=step.at.label)
        return result

    def _tick_by_look(self, screen, win: WindowInfo, target: WindowInfo, stop: StopCheck,
                      label: TextBox, want: bool, result: "FieldResult", readback: bool
                      ) -> "FieldResult":
        region = check_region(label)
        cx, cy = label.center
        ticked: bool | None = None
        for _try in range(2):               # at most one click too many, undone
            before = ink(screen.pixels(win, *region))
            self._guard(target, None, stop)
            self.engine._click_at(int(cx), int(cy), target, stop)
            ticked = self._looked(lambda: tick_changed(before, ink(screen.pixels(win, *region))),
                                  lambda v: v is not None)
            if ticked is None or ticked == want:
                break
        if not readback:
            return result
        result.readback = None if ticked is None else _ticked_word(ticked)
        result.status = ("readback_unavailable" if ticked is None else
                         "readback_ok" if ticked == want else "readback_differs")
        if ticked is None:
            result.message = _("The check box '{label}' did not show clearly whether it is "
                               "ticked: check it by eye.", label=result.box)
        elif ticked == want:
            result.readback = result.expected
        return result

    def _looked(self, look: Callable[[], object], done: Callable[[object], bool]):
        """`look()` until `done` says its answer holds, LOOK_S at most: a toolkit redraws
        a little after the click it handled."""
        clock, deadline = self.engine.clock, self.engine.clock() + LOOK_S
        got = look()
        while not done(got) and clock() < deadline:
            self.engine.sleep(0.04)
            got = look()
        return got

    def _pick_from_list(self, ps: "PlannedStep", target: WindowInfo, stop: StopCheck,
                        where: tuple[int, int]) -> bool:
        """After the click that opened a drop-down: its item whose text is exactly the value,
        found below the box (a list opens there; Tk's opens over it) and clicked. False
        when no such item shows (the list is left to the playbook's keys)."""
        screen, win = self.engine._screen(ps), self.engine._as_now(target)
        x, y = where
        top = max(0, y - 4 * LINE_HEIGHT)
        deadline = self.engine.clock() + LOOK_S
        while True:
            items = [b for b in screen.boxes_in(win, x - 8 * LINE_HEIGHT, top,
                                                win.width, win.height - top)
                     if _plain(b.text) == _plain(ps.text or "") and abs(b.center[1] - y) > 2]
            if len(items) == 1:
                self._guard(target, None, stop)
                cx, cy = items[0].center
                self.engine._click_at(int(cx), int(cy), target, stop)
                return True
            if len(items) > 1 or self.engine.clock() >= deadline:
                return False
            self.engine.sleep(0.05)

    def _shown_choice(self, step: SetStep, ps: "PlannedStep", target: WindowInfo,
                      result: "FieldResult") -> None:
        """A drop-down chosen by keys, read back by OCR of what it shows beside its label."""
        screen, win = self.engine._screen(ps), self.engine._as_now(target)
        label = screen.label_box(step.at.label, win)
        if label is None:
            return
        shown = ""
        for _try in range(3):                 # the list closes and redraws a little later
            boxes = screen.boxes_in(win, label.right, max(0, label.y - 6),
                                    win.width - label.right, label.height + 12)
            mid = label.y + label.height / 2       # only text on the label's own row
            # ... and not the label's own tail or colon cut by the region's edge
            shown = " ".join(b.text.strip() for b in sorted(boxes, key=lambda b: b.x)
                             if abs(b.y + b.height / 2 - mid) < 0.35 * label.height
                             and b.x >= label.right + label.height)
            if _plain(shown) == _plain(ps.text or ""):
                break
            self.engine.sleep(0.1)
        result.readback = shown
        result.status = ("readback_ok" if _plain(shown) == _plain(ps.text or "") else
                         "readback_differs" if shown else "readback_unavailable")
        if not shown:
            result.message = _("Nothing could be read beside '{label}' after choosing: check "
                               "it by eye.", label=step.at.label)

    def _copied_back(self, target: WindowInfo, box: FormField, stop: StopCheck,
                     tree: str | None, value: str) -> str | None:
        """The box's text copied from the box itself (select all, copy), when the tree
        cannot show it: Java's bridge reads a text with a character beyond the BMP as ""
        though the box holds it. Only while the tree says this very box has focus (keys
        put it there); else what the tree read stands."""
        assert self.a11y is not None
        if not _same_box(self.a11y.focused(target), box):
            return tree
        got = self.engine._copy_back(value, self.engine._keyguard(target), stop)
        if got is not None:                   # collapse the selection, in a text box
            self.engine.desktop.press(parse_combo("end"), target, stop=stop)
        return got if got is not None and _same_box(self.a11y.focused(target), box) else tree

    def _focused_label(self, target: WindowInfo) -> str | None:
        """The label of the box that has focus, when the tree tells."""
        if self.a11y is None:
            return None
        try:
            box = self.a11y.focused(target)
        except AccessibilityError:
            return None
        return (box.label or box.name) if box is not None else None

    def _beside_label(self, step: SetStep, ps: "PlannedStep", target: WindowInfo
                      ) -> tuple[int, int] | None:
        """Where the box is: `at.dx`, `at.dy` from the right end of its label on screen
        (dx None: just past the label)."""
        left, top, width, height = self._label_box(step.at.label, ps, target) or (0, 0, -1, 0)
        if width < 0:
            return None
        # a label column is often wider than its words (the web form: 33 px to the box)
        dx = step.at.dx if step.at.dx is not None else 2 * max(height, LINE_HEIGHT)
        return left + width + dx, top + height // 2 + step.at.dy

    def _label_box(self, label: str, ps: "PlannedStep", target: WindowInfo
                   ) -> tuple[int, int, int, int] | None:
        found = self.engine._screen(ps).label_box(label, self.engine._as_now(target))
        return None if found is None else (found.x, found.y, found.width, found.height)

    # ------------------------------------------------------------------ press
    def press(self, step: PressStep, ps: "PlannedStep", target: WindowInfo,
              stop: StopCheck) -> None:
        self.read_later_now(stop)          # nothing is sent before every box is read back
        if self.a11y is not None:
            button = self._find(target, lambda fs: find_field(fs, step.button, BUTTON))
            if button is not None:
                self._guard(target, button, stop)
                try:
                    self.a11y.press(target, button)
                    self._changed(target)
                    return
                except ForeignFieldError:
                    raise FocusMoved(0, self.engine.desktop.active_window()) from None
                except AccessibilityError:
                    pass            # a click at its text on screen, below
            self._why_keys(target)
        where = self.engine._screen(ps).locate(step.button, self.engine._as_now(target))
        if where is None:
            raise DesktopError(_("Could not find the button '{button}' in '{title}' to press; "
                                 "check that the form shows it.", button=step.button,
                                 title=target.title), step=ps.index)
        self._guard(target, None, stop)
        self.engine._click_at(where[0], where[1], target, stop)


# ---------------------------------------------------------------------- pure helpers
def _box_for(fields: list[FormField], step: SetStep, value: str, choice: bool
             ) -> FormField | None:
    """The box a set step addresses: by label and role; for a choice without a role, a
    combo, list or check box of that label, else the radio button `value` of that group."""
    at = step.at
    if at.role == RADIO:
        return find_radio(fields, at.label, value)
    if at.role is not None:
        return find_field(fields, at.label, at.role)
    box = find_field(fields, at.label)
    if box is None and choice:
        return find_radio(fields, at.label, value)
    return box


def _plain(text: str) -> str:
    """Only the letters, digits and CJK of `text` (NFKC): a drop-down's arrow, brackets
    and spaces are not its value."""
    folded = unicodedata.normalize("NFKC", text)
    return "".join(c for c in folded if c.isalnum())


def _beyond_bmp(text: str) -> bool:
    return any(ord(c) > 0xFFFF for c in text)


def _same_box(a: FormField | None, b: FormField) -> bool:
    return a is not None and a.node == b.node


def _same_value(got: str | None, want: str, role: str) -> bool:
    if got is None:
        return False
    if role in (RADIO, COMBO, LIST):
        return label_key(got) == label_key(want) and bool(label_key(got))
    return got == want


def _ticked_word(ticked: bool) -> str:
    return _("ticked") if ticked else _("not ticked")


def _greyed(target: WindowInfo, box: FormField, field: str | None) -> str:
    return _("The box '{label}' is greyed out in '{title}', so {field} was left empty; if it "
             "should be filled, check the answer it depends on in the form.",
             label=box.label or box.name, title=target.title, field=field)


def _read_only(target: WindowInfo, box: FormField, field: str | None) -> str:
    return _("The box '{label}' in '{title}' is read-only, so {field} was left alone.",
             label=box.label or box.name, title=target.title, field=field)


def _radio_names(fields: list[FormField], group: str) -> list[str]:
    """The radio buttons of a group, for a sentence listing them."""
    want = label_key(group)
    return [f.name for f in fields if f.role == RADIO and f.key == want]
