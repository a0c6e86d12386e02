"""Replaying a playbook's fill on a form model (app/golden/form_model.py): the would-be
keystrokes of `deskhand fill`, taken from the fill's own plan (app.fill.engine.plan: the
same values, date formats, option keys, `when:` conditions and refusals as a real fill),
applied to the boxes the way the sample clients take them (app/sandbox/targets.py).

    result = simulate(playbook, case, form)
    result.state      {label: value}: text as held, a radio's or combo's chosen text ("" none),
                      a check box 是/否
    result.beyond     None, or the sentence saying which step the model cannot replay
                      (a click, an unknown key, focus it cannot know): the state is then
                      only what came before, never a guess

Only what the model knows is replayed; everything else stops the replay with a sentence.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from app.a11y.base import role_word
from app.cases import Case
from app.errors import DeskhandError
from app.fill.engine import PlannedStep, plan
from app.golden.form_model import FormBox, FormModel
from app.i18n import _
from playbooks.model import Playbook

__all__ = ["SimResult", "simulate", "CHECKED", "UNCHECKED"]

CHECKED, UNCHECKED = "是", "否"


@dataclass
class SimResult:
    state: dict[str, str]
    focus: str | None = None
    pressed: list[str] = field(default_factory=list)
    beyond: str | None = None           # why the replay stopped early (cannot simulate)
    stopped: str | None = None          # the fill itself would not start (its sentence)
    notes: list[str] = field(default_factory=list)   # boxes left empty on purpose, waits


class _Beyond(Exception):
    """A step the model cannot replay: its sentence."""


class _Form:
    """The boxes' state while replaying."""

    def __init__(self, form: FormModel) -> None:
        self.form = form
        self.values: list[str] = [UNCHECKED if b.role == "check" else "" for b in form.boxes]
        self.focus: int | None = form.index(form.focus)
        self.cursor = 0
        self.radio_at: int | None = None        # the focused button of a radio group
        self.popup: int | None = None           # highlighted item of an opened combo list
        self.pressed: list[str] = []

    # -- focus ---------------------------------------------------------------------
    def box(self) -> FormBox:
        if self.focus is None:
            raise _Beyond(_("which box has focus is not known here (after a set step or a "
                            "click, focus depends on how the target took it)"))
        return self.form.boxes[self.focus]

    def move(self, to: int) -> None:
        if not 0 <= to < len(self.form.boxes):
            raise _Beyond(_("the key leaves the form's last (or first) box, where the model "
                            "ends"))
        self.focus, self.popup = to, None
        box = self.form.boxes[to]
        self.cursor = len(self.values[to])
        if box.role == "radio":       # lands on the checked button, else the first
            chosen = self.values[to]
            self.radio_at = box.choices.index(chosen) if chosen in box.choices else 0

    # -- keys ----------------------------------------------------------------------
    def key(self, combo: str) -> None:
        box = self.box()
        if combo == "tab" and self.popup is None:
            return self.move(self.focus + 1)            # type: ignore[operator]
        if combo == "shift+tab" and self.popup is None:
            return self.move(self.focus - 1)            # type: ignore[operator]
        handled = {"text": self._text_key, "radio": self._radio_key, "combo": self._combo_key,
                   "check": self._check_key, "button": self._button_key}[box.role](box, combo)
        if not handled:
            raise _Beyond(_("the key '{key}' in the {role} '{label}' is not one the form model "
                            "knows", key=combo, role=role_word(box.role), label=box.label))

    def type_text(self, text: str) -> None:
        box = self.box()
        if box.role != "text":
            raise _Beyond(_("text typed into the {role} '{label}' is not something the form "
                            "model knows", role=role_word(box.role), label=box.label))
        if "\n" in text and not box.multiline:
            raise _Beyond(_("a line break typed into the one-line box '{label}'",
                            label=box.label))
        i = self.focus
        value = self.values[i]                           # type: ignore[index]
        self.values[i] = value[: self.cursor] + text + value[self.cursor:]   # type: ignore[index]
        self.cursor += len(text)

    def _text_key(self, box: FormBox, combo: str) -> bool:
        i = self.focus
        value = self.values[i]                           # type: ignore[index]
        if combo == "home":
            self.cursor = 0
        elif combo == "end":
            self.cursor = len(value)
        elif combo == "left":
            self.cursor = max(0, self.cursor - 1)
        elif combo == "right":
            self.cursor = min(len(value), self.cursor + 1)
        elif combo == "backspace":
            if self.cursor:
                self.values[i] = value[: self.cursor - 1] + value[self.cursor:]   # type: ignore[index]
                self.cursor -= 1
        elif combo == "delete":
            self.values[i] = value[: self.cursor] + value[self.cursor + 1:]       # type: ignore[index]
        elif combo == "enter" and box.multiline:
            self.type_text("\n")
        elif combo == "space":
            self.type_text(" ")
        elif len(combo) == 1:
            self.type_text(combo)
        else:
            return False
        return True

    def _radio_key(self, box: FormBox, combo: str) -> bool:
        n = len(box.choices)
        at = self.radio_at or 0
        if combo == "space":
            self.values[self.focus] = box.choices[at]    # type: ignore[index]
            return True
        step = {"right": 1, "down": 1, "left": -1, "up": -1}.get(combo)
        if step is None:
            return False
        self.radio_at = (at + step) % n
        if box.arrows == "check":
            self.values[self.focus] = box.choices[self.radio_at]   # type: ignore[index]
        return True

    def _combo_key(self, box: FormBox, combo: str) -> bool:
        last = len(box.choices) - 1
        current = box.choices.index(self.values[self.focus]) \
            if self.values[self.focus] in box.choices else 0   # type: ignore[index]
        if self.popup is not None:           # the opened list: move, then enter commits
            moves = {"home": 0, "end": last, "down": min(last, self.popup + 1),
                     "up": max(0, self.popup - 1)}
            if combo in moves:
                self.popup = moves[combo]
            elif combo == "enter":
                self.values[self.focus], self.popup = box.choices[self.popup], None  # type: ignore[index]
            elif combo == "esc":
                self.popup = None
            else:
                return False
            return True
        moves = {"home": 0, "end": last, "down": min(last, current + 1),
                 "up": max(0, current - 1)}
        if combo in moves:                   # a closed list changes its choice at once
            self.values[self.focus] = box.choices[moves[combo]]      # type: ignore[index]
        elif combo == "alt+down":
            self.popup = current
        elif combo not in ("space", "enter"):     # both change nothing on a closed list
            return False
        return True

    def _check_key(self, box: FormBox, combo: str) -> bool:
        if combo != "space":
            return False
        i = self.focus
        self.values[i] = UNCHECKED if self.values[i] == CHECKED else CHECKED   # type: ignore[index]
        return True

    def _button_key(self, box: FormBox, combo: str) -> bool:
        if combo != "space":
            return False
        self.pressed.append(box.label)
        return True

    # -- addressed steps -----------------------------------------------------------
    def set_value(self, label: str, value: str) -> None:
        i = self.form.index(label)
        if i is None:
            raise _Beyond(_("the form has no box labelled '{label}'", label=label))
        box = self.form.boxes[i]
        if box.role in ("radio", "combo") and value not in box.choices:
            raise _Beyond(_("'{label}' offers no choice '{value}'", label=label, value=value))
        if box.role == "check":
            value = CHECKED if value.lower() in ("是", "yes", "true", "1", "✓") else UNCHECKED
        if box.role == "button":
            raise _Beyond(_("'{label}' is a button, not a box to set", label=label))
        self.values[i] = value
        self.focus = None              # the tree may or may not have moved it

    def press(self, label: str) -> None:
        i = self.form.index(label)
        if i is None or self.form.boxes[i].role != "button":
            raise _Beyond(_("the form has no button '{label}'", label=label))
        self.pressed.append(self.form.boxes[i].label)


def simulate(playbook: Playbook, case: Case, form: FormModel) -> SimResult:
    """The form as the fill of `case` would leave it, as far as the model can tell."""
    sim = _Form(form)
    result = SimResult(state={})
    try:
        steps = plan(playbook, case)
    except DeskhandError as exc:       # the fill would not start: nothing typed
        result.stopped = exc.message
        steps = []
    for ps in steps:
        try:
            _apply(sim, ps, result)
        except _Beyond as exc:
            result.beyond = _("step {step} ({kind}): {why}; the model cannot replay it or "
                              "what follows (try the live window: --live TITLE)",
                              step=ps.index + 1, kind=ps.kind, why=str(exc))
            break
    result.state = {b.label: v for b, v in zip(form.boxes, sim.values) if b.role != "button"}
    result.focus = form.boxes[sim.focus].label if sim.focus is not None else None
    result.pressed = sim.pressed
    return result


def _apply(sim: _Form, ps: PlannedStep, result: SimResult) -> None:
    if ps.kind == "type":
        sim.type_text(ps.text or "")
    elif ps.kind in ("key", "choose"):
        for combo in ps.keys:
            sim.key(combo)
    elif ps.kind == "set":
        sim.set_value(ps.detail, ps.text or "")
    elif ps.kind == "press":
        sim.press(ps.detail)
    elif ps.kind == "refused":
        result.notes.append(ps.detail)
    elif ps.kind == "click":
        raise _Beyond(_("a click at {where} lands where only the live window can tell",
                        where=ps.detail))
    # skip (no value), not_applicable (when:), wait: nothing changes in the form
