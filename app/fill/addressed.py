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
from app.desktop.base import FocusMoved, StopRequested, WindowInfo
from app.errors import (AccessibilityError, AccessibilityUnavailableError, ChoiceNotFoundError,
                        DesktopError, FieldDisabledError, FieldRefusedError, ForeignFieldError,
                        StaleFieldError)
from app.i18n import _, join
from playbooks.keys import parse_combo
from playbooks.model import Playbook, PressStep, SetStep

if TYPE_CHECKING:  # pragma: no cover
    from app.fill.engine import FieldResult, FillEngine, FillReport, PlannedStep

__all__ = ["AddressedFill", "checkbox_state", "open_for_fill", "run_addressed",
           "uses_addressed_steps"]

StopCheck = Callable[[], "str | None"]

# A check box's value as a case gives it (compared after NFKC and case folding).
TICKED = frozenset({"是", "yes", "y", "true", "1", "✓", "✔", "☑", "√", "on", "checked", "对"})
UNTICKED = frozenset({"否", "no", "n", "false", "0", "✗", "✘", "☐", "", "off", "unchecked", "不"})
# A tree that was empty when first asked is read again until it stops growing.
SETTLE_S, SETTLE_READS = 0.25, 12
# A greyed box is read again this many times, SETTLE_S apart, before it is refused.
ENABLE_READS = 4
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
        return None, _("Accessibility is turned off for this fill (--no-accessibility): "
                       "fields addressed by label are typed with keys.")
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
        engine.progress("field_done", {"field": ps.field, "status": result.status,
                                       "method": result.method})
    else:
        current.press(step, ps, target, stop)


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
        """The fields of a tree still being built, once two reads SETTLE_S apart agree."""
        assert self.a11y is not None
        found = self.a11y.fields(target)
        for _try in range(SETTLE_READS):
            self.engine.sleep(SETTLE_S)
            again = self.a11y.fields(target, refresh=True)
            if len(again) == len(found):
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
        return self._by_keys(step, ps, target, stop, choice)

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
        active = self.engine.desktop.active_window()
        if active is None or active.id != target.id:
            raise FocusMoved(0, active)
        if box is not None and (box.window_id != target.id or
                                (target.pid is not None and box.pid != target.pid)):
            raise FocusMoved(0, active)

    def _through_tree(self, step: SetStep, ps: "PlannedStep", target: WindowInfo,
                      stop: StopCheck, box: FormField, choice: bool) -> "FieldResult":
        from app.fill.engine import FieldResult
        assert self.a11y is not None and ps.text is not None
        a11y, value = self.a11y, ps.text
        result = FieldResult(ps.field or "", ps.index, "typed", expected=value,
                             box=box.label or box.name)
        if not box.enabled:
            return self._refused(ps, _greyed(target, box, ps.field), box)
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
                result.method = a11y.set_text(target, box, value, keys=keys)
                self._changed(target)
                result.chars = len(value)
                if step.readback:
                    result.readback = a11y.read_text(target, box)
                    if result.readback != value and _beyond_bmp(value) \
                            and result.method == METHOD_FOCUS_KEYS:
                        result.readback = self._copied_back(target, box, stop, result.readback)
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
                 choice: bool) -> "FieldResult":
        assert ps.text is not None
        if step.method != "keys":
            self._why_keys(target)
        where = self._beside_label(step, ps, target)
        if where is None:
            return self._refused(ps, _("The label '{label}' is not on the screen in '{title}', "
                                       "so {field} was not typed: check that the form shows "
                                       "it.", label=step.at.label, title=target.title,
                                       field=ps.field))
        if choice and not ps.keys:
            return self._refused(ps, _("The playbook gives no keys to choose '{value}' in "
                                       "'{label}' without accessibility; {field} was left "
                                       "alone.", value=ps.text, label=step.at.label,
                                       field=ps.field))
        self._guard(target, None, stop)
        self.engine._click_at(where[0], where[1], target, stop)
        if choice:
            from playbooks.keys import parse_combo
            from app.fill.engine import FieldResult
            for k in ps.keys:
                self.engine.desktop.press(parse_combo(k), target, stop=stop)
            return FieldResult(ps.field or "", ps.index, "chosen", "keys", expected=ps.text)
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

    def _copied_back(self, target: WindowInfo, box: FormField, stop: StopCheck,
                     tree: str | None) -> str | None:
        """The box's text copied from the box itself (select all, copy), when the tree
        cannot show it: Java's bridge reads a text with a character beyond the BMP as ""
        though the box holds it. Only while the tree says this very box has focus (keys
        put it there); else what the tree read stands."""
        assert self.a11y is not None
        if not _same_box(self.a11y.focused(target), box):
            return tree
        d = self.engine.desktop
        d.press(parse_combo("ctrl+a"), target, stop=stop)
        got = d.copy_selection(target, self.engine.opt.readback_timeout_s, stop=stop)
        d.press(parse_combo("end"), target, stop=stop)          # collapse it, in a text box
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
