"""`deskhand test --live TITLE`: each sample filled for real into an open window (the
same fill as `deskhand fill --yes`), then every box read back through the window's
accessibility tree — the target's own state, not the fill's report.

Before each sample the window's text boxes are emptied through the tree and focus is put
back on the box that had it when the first sample began, so that a Tab playbook starts
where it expects. Radio buttons and lists cannot be un-chosen that way: a form with
choices should be reopened between runs (the sample clients reset themselves).
"""
from __future__ import annotations

from app.a11y.base import BUTTON, CHECK, COMBO, LIST, RADIO, FormField, label_key
from app.cases import Case
from app.errors import AccessibilityError
from app.fill.engine import FillOptions
from app.a11y.base import empty_item
from app.golden.samples import Sample
from app.golden.simulate import CHECKED, UNCHECKED
from app.i18n import _
from app.pipeline import Pipeline
from playbooks.model import Playbook

__all__ = ["LiveWindow"]


class LiveWindow:
    """A callable `(playbook, case, sample) -> (state by label, notes)` for run_sample."""

    def __init__(self, pipeline: Pipeline, title: str) -> None:
        from app.a11y import open_accessibility
        from app.fill.address_check import find_window
        self.pipeline = pipeline
        self.window = find_window(pipeline.desktop(), title)
        self.a11y = open_accessibility()
        self.start: FormField | None = None

    def close(self) -> None:
        self.a11y.close()

    def __call__(self, pb: Playbook, case: Case, sample: Sample) -> tuple[dict[str, str], list[str]]:
        fields = self.a11y.fields(self.window, refresh=True)
        if not fields:
            raise AccessibilityError(self.a11y.why_not(self.window) or _(
                "The window '{title}' shows no fields to accessibility, so what it holds "
                "cannot be read back.", title=self.window.title))
        self._prepare(fields)
        self.pipeline.desktop().activate(self.window, 2.0)
        report = self.pipeline.fill(pb, case, None, FillOptions(wait_focus_s=5.0,
                                                                 failsafe=False, abort_keys=None))
        notes = [r.message for r in report.results if r.message]
        return self.read_state(), notes

    def _prepare(self, fields: list[FormField]) -> None:
        if self.start is None:
            self.start = self.a11y.focused(self.window) or next(
                (f for f in fields if f.role == "text"), None)
        for f in fields:
            if f.role == "text" and f.editable and self.a11y.read_text(self.window, f):
                self.a11y.set_text(self.window, f, "")
        focus = getattr(self.a11y, "focus", None)
        start = next((f for f in fields if self.start is not None and f.key == self.start.key
                      and f.role == self.start.role), None)
        if focus is not None and start is not None:
            focus(self.window, start)

    def read_state(self) -> dict[str, str]:
        """Every box's value, by label: text, the checked radio's text, the chosen item."""
        state: dict[str, str] = {}
        for f in self.a11y.fields(self.window, refresh=True):
            if f.role == RADIO:
                if f.key not in state:      # the group's checked button, read once
                    state[f.key] = label_key(self.a11y.read_choice(self.window, f))
            elif f.role in (COMBO, LIST):
                state[f.key] = empty_item(self.a11y.read_choice(self.window, f))
            elif f.role == CHECK:
                state[f.key or f.name] = CHECKED if self.a11y.read_choice(self.window, f) \
                    else UNCHECKED
            elif f.role != BUTTON:
                state[f.key] = self.a11y.read_text(self.window, f)
        return state
