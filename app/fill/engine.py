"""The fill engine: types a case into the focused target, guarded, and reads back.

Headless and Qt-free: progress goes out through a plain callback; the UI turns
it into signals. Everything the engine touches comes in through `Desktop`.
"""
from __future__ import annotations

import fnmatch
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from app.a11y.base import Accessibility
from app.cases import NEEDS_PERSON, Case, now_iso
from app.desktop.base import Desktop, FocusMoved, StopRequested, WindowInfo
from app.errors import (AccessibilityError, DesktopError, FillAbortedError, FocusLostError,
                        KeyNotTakenError, ModifiersHeldError, TargetNotFocusedError, UsageError)
from app.fill.addressed import read_later, run_addressed
from app.fill.anchors import ScreenText
from app.fill.gate import printable, refusal, require_typeable, vet
from app.fill.keyguard import SELECT_ALL, TEXT_ROLES, TK_SELECT_ALL, KeyGuard, box_name
from app.fill.target import describe, matches
from app.fill.values import text_for
from app.i18n import _, join, sentences
from app.privacy import mask
from playbooks.model import (ChooseStep, ClickStep, Condition, FieldSpec, KeyStep, Playbook,
                             PressStep, SetStep, Step, TypeStep, WaitStep)
from playbooks.node_words import closest
from playbooks.keys import parse_combo



@dataclass
class FillOptions:
    wait_focus_s: float = 10.0        # how long to wait for the clerk to focus the target
    modifiers_timeout_s: float = 5.0  # how long the hotkey's modifiers may stay held
    abort_keys: str | None = "ctrl+alt+esc"
    failsafe: bool = True             # pointer in a screen corner stops the fill
    readback_timeout_s: float = 1.0
    start_step: int = 0               # resume from this step (0-based)
    # Set from elsewhere (the tray's abort button or hotkey) to stop before the next chunk.
    abort_event: threading.Event | None = None


@dataclass
class PlannedStep:
    index: int
    kind: str
    field: str | None = None
    text: str | None = None           # what will be typed (unmasked: engine use only)
    keys: tuple[str, ...] = ()
    detail: str = ""


@dataclass
class FieldResult:
    field: str
    step: int
    # typed | readback_ok | readback_differs | readback_unavailable | chosen | skipped |
    # refused (its value failed a check or is not a choice: left alone, `message` says why) |
    # not_applicable (its `when:` condition was false). A choice read back from the widget
    # (tree or a look at it) is readback_ok / readback_differs like text; `chosen` = not read.
    status: str
    method: str | None = None         # keys | paste | accessible | accessible+keys | …
    chars: int = 0
    readback: str | None = None       # what the target held (kept for the report; mask before logging)
    expected: str | None = None
    box: str | None = None            # the box it was read back from (its label or name)
    message: str | None = None        # one sentence for the clerk (refused, not read back …)


@dataclass
class FillReport:
    playbook: str
    outcome: str = "not_started"      # done | dry_run | focus_lost | aborted | failed
    window: str | None = None
    results: list[FieldResult] = field(default_factory=list)
    step_reached: int | None = None
    field_reached: str | None = None
    position: int = 0                 # characters of field_reached already typed
    message: str | None = None
    elapsed_s: float = 0.0
    warnings: list[str] = field(default_factory=list)   # e.g. the clipboard could not be restored

    def log_entry(self, message: str | None) -> dict:
        """This fill as a line of the case's fill log (steps counted from 1, as the
        --start-step option that resumes it)."""
        return {"at": now_iso(), "playbook": self.playbook, "outcome": self.outcome,
                "window": self.window,
                "step_reached": None if self.step_reached is None else self.step_reached + 1,
                "field_reached": self.field_reached, "position": self.position,
                "readback_ok": self.readback_ok, "differs": self.differs, "message": message}

    @property
    def readback_ok(self) -> int:
        """Fields confirmed by reading them back. A choice made by keys counts here only
        when read back from the widget (the tree); else it is under `chosen`, never here."""
        return sum(r.status == "readback_ok" for r in self.results)

    @property
    def chosen(self) -> list[str]:
        return [r.field for r in self.results if r.status == "chosen"]

    @property
    def differs(self) -> list[str]:
        return [r.field for r in self.results if r.status == "readback_differs"]

    @property
    def left_empty(self) -> list[str]:
        """Fields the fill did not type because the case had no value (optional ones only:
        a required one stops the fill before it starts)."""
        return [r.field for r in self.results if r.status == "skipped"]

    @property
    def refused(self) -> list[FieldResult]:
        """Fields left alone because their value may not be typed (each with its sentence)."""
        return [r for r in self.results if r.status == "refused"]

    def summary(self) -> str:
        """One line: what was confirmed, what differs, what was left empty. A field left
        empty or not read back is never counted as fine."""
        filled = [r for r in self.results if r.status not in ("skipped", "not_applicable")]
        parts = [_("{ok} of {total} fields confirmed by reading them back",
                   ok=self.readback_ok, total=len(filled))]
        if self.differs:
            parts.append(_("{n} differ ({fields})", n=len(self.differs), fields=join(self.differs)))
        unread = [r.field for r in self.results if r.status == "readback_unavailable"]
        if unread:
            parts.append(_("{n} could not be read back ({fields})", n=len(unread),
                           fields=join(unread)))
        if self.chosen:
            parts.append(_("{n} chosen from a list, not read back: check by eye ({fields})",
                           n=len(self.chosen), fields=join(self.chosen)))
        if self.left_empty:
            parts.append(_("{n} left empty ({fields})", n=len(self.left_empty),
                           fields=join(self.left_empty)))
        if self.refused:
            parts.append(_("{n} refused and left empty, their values may not be typed "
                           "({fields})", n=len(self.refused),
                           fields=join(r.field for r in self.refused)))
        # Each part is a whole clause; Chinese lists them with ；and ends with 。
        return _("{parts}.", parts=_("; ").join(parts))

    @property
    def unconfirmed(self) -> list[str]:
        """Fields a person should look at: read back differently, or not at all, or
        refused (left empty: their value may not be typed)."""
        return [r.field for r in self.results
                if r.status in ("readback_differs", "readback_unavailable", "refused")]


Progress = Callable[[str, dict], None]


# Planned kinds that put a field's value into the target.
FIELD_KINDS = ("type", "choose", "set")


def plan(playbook: Playbook, case: Case, *, gate: bool = True) -> list[PlannedStep]:
    """Resolve every step against the case before anything is typed, so that a missing
    required value stops the fill with nothing typed. A value that may not be typed — a
    choice that is not one of a step's options and, with `gate` (always, but for a dry run
    that lists the plan first), a value app.fill.gate refuses (control characters) or
    that failed its check and no person confirmed — follows the playbook's `on_invalid`:
    "field" plans its step as "refused" with one sentence in `detail` and the rest goes
    on; "fill" raises (UsageError, RefusedValueError or NeedsPersonError) before
    anything is typed."""
    out: list[PlannedStep] = []
    for i, step in enumerate(playbook.steps):
        if step.when is not None and not holds(step.when, case):
            out.append(PlannedStep(i, "not_applicable", getattr(step, "field", None),
                                   detail=describe_condition(step.when)))
        elif isinstance(step, (TypeStep, ChooseStep, SetStep)):
            out.append(_plan_field(i, step, playbook, case))
        elif isinstance(step, PressStep):
            out.append(PlannedStep(i, "press", detail=step.button))
        elif isinstance(step, KeyStep):
            out.append(PlannedStep(i, "key", keys=tuple(str(k) for k in step.keys)))
        elif isinstance(step, ClickStep):
            where = f"({step.x}, {step.y})" if step.anchor is None else \
                f"'{step.anchor}' {step.dx:+d},{step.dy:+d}"
            out.append(PlannedStep(i, "click", detail=where))
        elif isinstance(step, WaitStep):
            what = (_("{seconds:g} s", seconds=step.seconds) if step.seconds is not None else
                    _("title '{title}'", title=step.title) if step.title else
                    _("text '{text}'", text=step.text))
            out.append(PlannedStep(i, "wait", detail=what))
    if gate:   # after the plan's own refusals (no value, not a choice), which no one can wave
        filled = {ps.field for ps in out if ps.kind in FIELD_KINDS and ps.field}
        if playbook.on_invalid == "fill":
            require_typeable(playbook, case, only=filled)
        else:
            why = {v.field: refusal(v) for v in vet(playbook, case, only=filled)}
            out = [PlannedStep(ps.index, "refused", ps.field, detail=why[ps.field] or "")
                   if ps.kind in FIELD_KINDS and why.get(ps.field or "") else ps for ps in out]
    return out


def _plan_field(i: int, step: TypeStep | ChooseStep | SetStep, playbook: Playbook,
                case: Case) -> PlannedStep:
    """A step that puts a field's value in: "type", "choose" or "set" (text: the value as
    typed; keys: a choice's option keys; detail: a set step's label), "skip" for an
    optional field without a value, or "refused" for a choice not among the options."""
    spec = playbook.field_spec(step.field)
    value = case.value(step.field)
    if (value is None or value == "") and spec.secret:
        # a password: a fill reads it from the vault first (app/values/vault_fields.py);
        # a plan without it (a dry run, the review's preview) leaves its box alone
        return PlannedStep(i, "refused", spec.name, detail=_(
            "{label} ({field}) is a password: it is read from the vault only when filling.",
            label=spec.label or spec.name, field=spec.name))
    if value is None or value == "":
        if spec.required:
            raise _required(spec, case, i)
        return PlannedStep(i, "skip", spec.name)
    if isinstance(step, TypeStep) or (isinstance(step, SetStep) and spec.type != "choice"):
        try:
            text = text_for(spec, value)
        except UsageError as exc:      # a date that cannot be written in the field's format
            if playbook.on_invalid == "fill":
                raise
            return PlannedStep(i, "refused", spec.name, detail=_(
                "{label} ({field}) is left empty: {reason}", label=spec.label or spec.name,
                field=spec.name, reason=exc.message))
        if isinstance(step, TypeStep):
            return PlannedStep(i, "type", spec.name, text)
        return PlannedStep(i, "set", spec.name, text, detail=step.at.label)
    # A choice is one of the step's options (the keys it can press), else of the field's
    # choices: said here in one sentence naming a few, not by the check listing them all.
    choices = list(step.options) or list(spec.choices)
    if value not in choices:
        if playbook.on_invalid == "fill":
            raise UsageError(not_a_choice(spec, value, choices, whole_fill=True), step=i,
                             field=spec.name)
        return PlannedStep(i, "refused", spec.name, detail=not_a_choice(spec, value, choices))
    keys = tuple(str(k) for k in step.options.get(value, ()))
    if isinstance(step, ChooseStep):
        return PlannedStep(i, "choose", spec.name, value, keys)
    return PlannedStep(i, "set", spec.name, value, keys, detail=step.at.label)


def _required(spec: FieldSpec, case: Case, step: int) -> UsageError:
    why = _why_empty(case, spec.name)
    label = spec.label or spec.name
    return UsageError(
        _("Field '{label}' ({name}) is required but the case has no value for it: {reason} "
          "Add it (--set NAME=VALUE) or capture again.", label=label, name=spec.name,
          reason=why) if why else
        _("Field '{label}' ({name}) is required but the case has no value for it; add it "
          "(--set NAME=VALUE) or capture again.", label=label, name=spec.name),
        step=step, field=spec.name)


def not_a_choice(spec: FieldSpec, value: str, choices: list[str], *,
                 whole_fill: bool = False) -> str:
    """The sentence for a value that is not one of a step's choices (`whole_fill`: and
    so nothing is typed): the closest three at most, never the whole list (a form may
    have a hundred)."""
    fields = {"label": spec.label or spec.name, "field": spec.name,
              "value": printable(value if len(value) <= 40 else value[:39] + "…"),
              "closest": join(closest(value[:100], choices))}
    if whole_fill:
        return _("'{value}' is not one of the choices of {label} ({field}) (the closest: "
                 "{closest}); nothing was typed.", **fields)
    return _("{label} ({field}) is left empty: '{value}' is not one of its choices (the "
             "closest: {closest}).", **fields)


def holds(when: Condition, case: Case) -> bool:
    """Whether a step's `when:` lets it run for this case (values compared as written,
    after trimming spaces; a field without a value is none of the values)."""
    value = (case.value(when.field) or "").strip()
    hit = value in {v.strip() for v in when.values}
    return not hit if when.negate else hit


def describe_condition(when: Condition) -> str:
    return (_("only when {field} is not {values}", field=when.field, values=join(when.values))
            if when.negate else
            _("only when {field} is {values}", field=when.field, values=join(when.values)))


def _why_empty(case: Case, name: str) -> str | None:
    """The sentence a capture left on an empty field (a derived address part that was
    ambiguous, say), ending with a full stop."""
    fv = case.fields.get(name)
    problems = [str(p) for p in (fv.source.get("problems") or [])] if fv else []
    if not problems:
        return None
    first = problems[0].rstrip()
    return first if first.endswith((".", "。")) else first + "."


def fields_needing_person(playbook: Playbook, case: Case) -> list[str]:
    used = playbook.filled_names()
    return [n for n in used if n in case.fields and case.fields[n].status in NEEDS_PERSON]


class FillEngine:
    def __init__(self, desktop: Desktop, options: FillOptions | None = None,
                 progress: Progress | None = None, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic,
                 screen_text: Callable[[], ScreenText] | None = None,
                 accessibility: Accessibility | None = None) -> None:
        self.desktop = desktop
        # The target's widgets through the OS accessibility API (app/a11y), when there is
        # one: set steps address boxes through it, and keys are checked against its focus.
        self.accessibility = accessibility
        self.screen_text = screen_text   # made on first use: anchors and text waits only
        self.opt = options or FillOptions()
        self.progress = progress or (lambda kind, data: None)
        self.sleep = sleep
        self.clock = clock
        self.last_report: FillReport | None = None   # kept when a fill raises, for the case log
        self._guard: KeyGuard | None = None   # what the keys have learnt about this target

    def _keyguard(self, target: WindowInfo) -> KeyGuard:
        if self._guard is None or self._guard.target.id != target.id:
            self._guard = KeyGuard(self.desktop, self.accessibility, target, clock=self.clock,
                                   sleep=self.sleep)
        return self._guard

    # -- preconditions -------------------------------------------------------
    def wait_for_target(self, playbook: Playbook) -> WindowInfo:
        deadline = self.clock() + self.opt.wait_focus_s
        announced = False
        while True:
            active = self.desktop.active_window()
            if matches(playbook.target, active):
                assert active is not None
                return active
            if self.clock() >= deadline:
                if active is not None:
                    message = _("The focused window is '{title}', not the approval client this "
                                "playbook types into ({target}). Click into the client's first "
                                "field and try again; nothing was typed.",
                                title=active.title, target=describe(playbook.target))
                else:
                    message = _("No window is focused, and this playbook types into an approval "
                                "client ({target}). Click into the client's first field and try "
                                "again; nothing was typed.", target=describe(playbook.target))
                raise TargetNotFocusedError(message, playbook=playbook.id)
            if not announced:
                self.progress("waiting_for_target", {"target": describe(playbook.target)})
                announced = True
            self.sleep(0.05)

    def wait_modifiers_released(self) -> None:
        deadline = self.clock() + self.opt.modifiers_timeout_s
        held = self.desktop.held_modifiers()
        if held:
            self.progress("waiting_for_modifiers", {"held": sorted(held)})
        while held:
            if self.clock() >= deadline:
                raise ModifiersHeldError(
                    _("The keys {keys} are still held down; release them so typing does not "
                      "turn into shortcuts. Nothing was typed.", keys="+".join(sorted(held))))
            self.sleep(0.02)
            held = self.desktop.held_modifiers()
        # Then every other key: the hotkey's own key (V of Ctrl+Alt+V) may still be down
        # after its modifiers, and while it is, keys sent go to the hotkey's grab.
        held_keys = getattr(self.desktop, "held_keys", None)
        while held_keys is not None and held_keys():
            if self.clock() >= deadline:
                raise ModifiersHeldError(_("A key is still held down; release it so that typing "
                                           "goes into the approval client. Nothing was typed."))
            self.sleep(0.01)

    # -- the fill ----------------------------------------------------------------
    def fill(self, playbook: Playbook, case: Case) -> FillReport:
        steps = plan(playbook, case)
        report = FillReport(playbook=playbook.id)
        target = self.wait_for_target(playbook)
        report.window = target.title
        self.wait_modifiers_released()
        started = self.clock()
        self._guard = None
        snapshot = self.desktop.clipboard_save()
        aborted = self.desktop.start_abort_watch(self.opt.abort_keys) if self.opt.abort_keys \
            else (lambda: False)
        stop = self._stop_check(aborted)
        current: PlannedStep | None = None
        prepare = getattr(self.desktop, "prepare", None)
        finish = getattr(self.desktop, "finish", None)
        expect = getattr(self.desktop, "expect_text", None)
        try:
            if prepare:
                prepare(target)
            if expect:      # the values in the order they go in (X11 binds ahead)
                expect([ps.text for ps in steps[self.opt.start_step:] if ps.text])
            for ps in steps[self.opt.start_step:]:
                current = ps
                report.step_reached, report.field_reached, report.position = ps.index, ps.field, 0
                self.progress("step", {"index": ps.index, "kind": ps.kind, "field": ps.field,
                                       "total": len(steps)})
                if ps.kind != "set":
                    read_later(self, stop)
                target = self._run_step(playbook, playbook.steps[ps.index], ps, target, stop, report)
            read_later(self, stop)
            report.outcome = "done"
            report.step_reached = None
            report.field_reached = None
        except FocusMoved as exc:
            report.outcome = "focus_lost"
            report.position = exc.sent
            report.message = _focus_lost_sentence(current, exc)
            raise FocusLostError(report.message, field=current.field if current else None,
                                 step=current.index if current else None, typed=exc.sent,
                                 window_title=exc.active.title if exc.active else None) from None
        except StopRequested as exc:
            report.outcome = "aborted"
            report.position = exc.sent
            report.message = (
                _("Typing stopped by {reason} in {field}; the case is kept.",
                  reason=exc.reason, field=current.field) if current and current.field else
                _("Typing stopped by {reason}; the case is kept.", reason=exc.reason))
            raise FillAbortedError(report.message, field=current.field if current else None,
                                   step=current.index if current else None, typed=exc.sent) from None
        except (DesktopError, KeyNotTakenError) as exc:
            report.outcome = "failed"
            report.message = exc.message
            raise
        finally:
            report.elapsed_s = self.clock() - started
            self.last_report = report
            try:
                if self.opt.abort_keys:
                    self.desktop.stop_abort_watch()
                if finish:
                    finish(target)
            finally:
                self._restore_clipboard(snapshot, report)
        return report

    def _restore_clipboard(self, snapshot, report: FillReport) -> None:
        # A failure here must not hide why the fill ended: it becomes a warning.
        try:
            self.desktop.clipboard_restore(snapshot)
        except DesktopError as exc:
            report.warnings.append(exc.message)
        if snapshot.skipped:
            report.warnings.append(_("These clipboard formats could not be kept and were not "
                                     "put back: {formats}.", formats=join(snapshot.skipped)))
        for w in report.warnings:
            self.progress("warning", {"message": w})

    def _stop_check(self, aborted: Callable[[], bool]) -> Callable[[], str | None]:
        corners: list[tuple[int, int]] = []
        if self.opt.failsafe:
            w, h = self.desktop.screen_size()
            corners = [(0, 0), (w - 1, 0), (0, h - 1), (w - 1, h - 1)]

        event = self.opt.abort_event

        def stop() -> str | None:
            # What stopped typing, as the reason in "Typing stopped by {reason}…"
            if event is not None and event.is_set():
                return _("the abort button")
            if aborted():
                return _("the abort key ({keys})", keys=self.opt.abort_keys)
            if corners:
                x, y = self.desktop.pointer_position()
                if any(abs(x - cx) <= 1 and abs(y - cy) <= 1 for cx, cy in corners):
                    return _("the failsafe (mouse moved into a screen corner)")
            return None
        return stop

    def _run_step(self, playbook: Playbook, step: Step, ps: PlannedStep, target: WindowInfo,
                  stop: Callable[[], str | None], report: FillReport) -> WindowInfo:
        d = self.desktop
        if ps.kind == "skip":
            report.results.append(FieldResult(ps.field or "", ps.index, "skipped"))
        elif ps.kind == "refused":       # its value may not be typed: its box is left alone
            report.results.append(FieldResult(ps.field or "", ps.index, "refused",
                                              message=ps.detail))
            self.progress("field_done", {"field": ps.field, "status": "refused", "method": None})
        elif ps.kind == "not_applicable":
            if ps.field:
                report.results.append(FieldResult(ps.field, ps.index, "not_applicable",
                                                  message=ps.detail))
        elif ps.kind == "key":
            guard = self._keyguard(target)
            for k in ps.keys:
                guard.press(k, stop, step=ps.index)
        elif ps.kind == "choose":
            guard = self._keyguard(target)
            for k in ps.keys:
                guard.press(k, stop, step=ps.index)
            # keys that leave the widget (Tk's "space, tab") leave focus elsewhere: the
            # choice is then read from the focused widget without naming its box
            moved = any(parse_combo(k).key == "tab" for k in ps.keys)
            label = None if moved else playbook.field_spec(ps.field).label if ps.field else None
            status, got, box, message = guard.read_choice(ps.text or "", label)
            report.results.append(FieldResult(ps.field or "", ps.index, status, "keys",
                                              readback=got, expected=ps.text, box=box,
                                              message=message))
        elif ps.kind == "type":
            assert isinstance(step, TypeStep) and ps.text is not None
            secret = ps.field is not None and playbook.field_spec(ps.field).secret
            # a password never passes through the clipboard, and its box cannot be read back
            result = self._type_field(ps, target, stop, method="keys" if secret else step.method,
                                      clear=step.clear, readback=step.readback and not secret,
                                      label=playbook.field_spec(ps.field).label if ps.field else None)
            report.results.append(result)
            self.progress("field_done", {"field": ps.field, "status": result.status,
                                         "method": result.method})
        elif ps.kind == "click":
            assert isinstance(step, ClickStep)
            if step.anchor is not None:
                where = self._screen(ps).locate(step.anchor, self._as_now(target))
                if where is None:
                    raise DesktopError(
                        _("Could not find the text '{text}' in the window '{title}' to click "
                          "on; check that the form shows it, or click by position (x, y) "
                          "instead.", text=step.anchor, title=target.title), step=ps.index)
                x, y = where[0] + step.dx, where[1] + step.dy
            else:
                x, y = int(step.x or 0), int(step.y or 0)
            self._click_at(x, y, target, stop, button=step.button, double=step.double,
                           step=ps.index)
        elif ps.kind == "wait":
            assert isinstance(step, WaitStep)
            target = self._wait(playbook, step, ps, target, stop)
            if step.text is None:
                self._forget_screen()
        elif ps.kind in ("set", "press"):
            assert isinstance(step, (SetStep, PressStep))
            run_addressed(self, playbook, step, ps, target, stop, report)
        return target

    def _type_field(self, ps: PlannedStep, target: WindowInfo, stop: Callable[[], str | None],
                    *, method: str = "auto", clear: bool = False, readback: bool = True,
                    label: str | None = None) -> FieldResult:
        """Type `ps.text` into the focused box by keys (or paste) and, with `readback`, read
        it back: from the tree where it shows the focused box, else by select-all and copy.
        The keystroke way, shared by type steps and by set steps whose box the tree does
        not have. `label`: the field's label (default: a set step's, ps.detail); focus in a
        box of the form with another label is never "read back ok"."""
        d = self.desktop
        assert ps.text is not None
        guard = self._keyguard(target)
        if clear:
            d.press(parse_combo(guard.select_all), target, stop=stop)
            d.press(parse_combo("delete"), target, stop=stop)
        used = d.type_text(ps.text, target, method=method, stop=stop)
        guard.last_field = ps.field
        result = FieldResult(ps.field or "", ps.index, "typed", used, len(ps.text),
                             expected=ps.text)
        if readback:
            self._read_back(ps.text, result, guard, stop, label or ps.detail or None)
        return result

    def _read_back(self, text: str, result: FieldResult, guard: KeyGuard,
                   stop: Callable[[], str | None], label: str | None) -> None:
        box = guard.focused_settled()
        got: str | None = None
        if box is not None:
            result.box = box_name(box)
            if guard.wrong_box(box, label):
                result.status = "readback_differs"
                result.message = _("The value went into '{box}', not into '{label}': check "
                                   "both boxes.", box=result.box, label=label)
                return
            if box.role in TEXT_ROLES:
                got = self._tree_text(guard, box, text)
                if got is not None and _same_text(got, text):
                    result.readback, result.status = got, "readback_ok"
                    done = getattr(self.desktop, "keys_processed", None)
                    if done is not None:
                        done()
                    return
            # else: the tree holds something else (Java's bridge garbles a character
            # beyond the BMP): the target's own copy decides, where it can copy
        if guard.copy_works is False:
            result.readback = got
            result.status = "readback_unavailable" if got is None else "readback_differs"
            if got is None:
                result.message = _("This window's boxes cannot be read back (found at the "
                                   "first field); check it by eye.")
            return
        copied = self._copy_back(text, guard, stop)
        if copied is not None and (box is None or box.role in TEXT_ROLES):
            # collapse the selection, in a text box only (in a radio group or a list an
            # arrow key would change the choice)
            self.desktop.press(parse_combo("right"), guard.target, stop=stop)
        result.readback = copied if copied is not None else got
        result.status = ("readback_unavailable" if result.readback is None else
                         "readback_ok" if _same_text(result.readback, text) else
                         "readback_differs")

    def _tree_text(self, guard: KeyGuard, box, text: str) -> str | None:
        """The box's text by the tree, given a moment to show what was just typed."""
        assert self.accessibility is not None
        got: list[str | None] = [None]

        def read() -> bool:
            try:
                got[0] = self.accessibility.read_text(guard.target, box)
            except AccessibilityError:
                got[0] = None
            return got[0] is not None and _same_text(got[0], text)
        # Java's tree garbles a character beyond the BMP (tests/test_toolkit_forms.py): no
        # wait for what will not come, the copy decides
        guard._poll(read, 0.0 if any(ord(c) > 0xFFFF for c in text) else 0.3)
        return got[0]

    def _copy_back(self, text: str, guard: KeyGuard, stop: Callable[[], str | None]) -> str | None:
        """Select all and copy. The first field decides whether this target can be read
        back so (trying Tk's select-all once when Ctrl+A copied nothing)."""
        d, target = self.desktop, guard.target
        # The copy is handled after every keystroke before it: allow for a target still
        # working through a long field (Chromium: ~1 ms a key).
        wait = self.opt.readback_timeout_s + 0.003 * len(text)
        d.press(parse_combo(guard.select_all), target, stop=stop)
        got = d.copy_selection(target, wait, stop=stop)
        if got is None and guard.copy_works is None and guard.select_all == SELECT_ALL:
            d.press(parse_combo(TK_SELECT_ALL), target, stop=stop)
            got = d.copy_selection(target, wait, stop=stop)
            if got is not None:
                guard.select_all = TK_SELECT_ALL
        if guard.copy_works is None:
            guard.copy_works = got is not None
        return got

    def _click_at(self, x: int, y: int, target: WindowInfo, stop: Callable[[], str | None],
                  *, button: str = "left", double: bool = False, step: int = 0) -> None:
        """Click at (x, y) in the target window (after a stop check), then wait until the
        target has taken focus there (KeyNotTakenError if it does not)."""
        reason = stop()
        if reason:
            raise StopRequested(reason, 0)
        self.desktop.click(x, y, target, button=button, double=double)
        self._keyguard(target).after_click(x, y, step=step)

    def _wait(self, playbook: Playbook, step: WaitStep, ps: PlannedStep, target: WindowInfo,
              stop: Callable[[], str | None]) -> WindowInfo:
        if step.seconds is not None:
            end = self.clock() + step.seconds
            while self.clock() < end:
                reason = stop()
                if reason:
                    raise StopRequested(reason, 0)
                self.sleep(min(0.05, max(0.0, end - self.clock())))
            return target
        if step.title is not None:
            title = step.title

            def titled() -> WindowInfo | None:
                active = self.desktop.active_window()
                return active if active and fnmatch.fnmatchcase(active.title, title) else None
            active = self._poll(titled, step, ps, stop, 0.05,
                                _("Waited {seconds:g} s for a window titled '{title}', but it "
                                  "did not appear.", seconds=step.timeout, title=title))
            # A window that matches the playbook's target becomes the new target (a
            # client may replace its window); any other one is only waited for.
            return active if matches(playbook.target, active) else target
        assert step.text is not None
        screen, text = self._screen(ps), step.text
        self._poll(lambda: screen.locate(text, self._as_now(target), fuzzy=False, fresh=True),
                   step, ps, stop, 0.1,
                   _("Waited {seconds:g} s for the text '{text}' in '{title}', but it did not "
                     "appear.", seconds=step.timeout, text=text, title=target.title))
        return target

    def _poll(self, probe: Callable[[], Any], step: WaitStep, ps: PlannedStep,
              stop: Callable[[], str | None], interval: float, timed_out: str) -> Any:
        """Call `probe` until it returns something, the wait times out (DesktopError
        saying `timed_out`), or a stop."""
        deadline = self.clock() + step.timeout
        while True:
            found = probe()
            if found is not None:
                return found
            if self.clock() >= deadline:
                raise DesktopError(timed_out, step=ps.index)
            reason = stop()
            if reason:
                raise StopRequested(reason, 0)
            self.sleep(interval)

    def _screen(self, ps: PlannedStep) -> ScreenText:
        if self.screen_text is None:
            raise DesktopError(_("Step {step} needs text on screen to be read, but no OCR "
                                 "reader was given to the fill.", step=ps.index + 1),
                               step=ps.index)
        return self.screen_text()

    def _as_now(self, target: WindowInfo) -> WindowInfo:
        """The target where it is now: a window moved or resized since the fill began is
        read there (and what was kept of it is read again)."""
        now = self.desktop.active_window()
        return now if now is not None and now.id == target.id else target

    def _forget_screen(self) -> None:
        """After a wait the window may show another page: the next anchor reads it anew."""
        if self.screen_text is not None:
            self.screen_text().forget()


def _focus_lost_sentence(current: PlannedStep | None, exc: FocusMoved) -> str:
    """Where typing stopped, where focus went, and how to resume, as whole sentences."""
    step = current.index + 1 if current else 0
    window = exc.active.title if exc.active else None
    if current and current.field:
        where = (_("Typing stopped: focus moved to '{window}' while typing {field}, after "
                   "{typed} characters.", window=window, field=current.field, typed=exc.sent)
                 if window is not None else
                 _("Typing stopped: focus moved to another window while typing {field}, after "
                   "{typed} characters.", field=current.field, typed=exc.sent))
    else:
        where = (_("Typing stopped: focus moved to '{window}' at step {step}.",
                   window=window, step=step) if window is not None else
                 _("Typing stopped: focus moved to another window at step {step}.", step=step))
    return sentences([where, _("Nothing was typed into the other window; the case is kept. "
                               "Check the client, then resume with --start-step {step}.",
                               step=step if current else 1)])


def _same_text(got: str, meant: str) -> bool:
    """A multi-line box of Tk (a Text widget) copies its text with the newline it always
    ends in; no other difference is the same text."""
    return got == meant or got == meant + "\n"


def masked_text(playbook: Playbook, name: str | None, text: str | None) -> str:
    if name is None or text is None:
        return text or ""
    spec = playbook.field_spec(name)
    if spec.secret:
        return "******"
    if spec.sensitive or spec.type in ("id_number", "phone"):
        return mask(text, spec.type)
    return text
