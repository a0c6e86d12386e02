"""Filling a scenario's forms in turn from one case.

Each form is one playbook fill through the case pipeline (`fill` is Pipeline.fill with the
clerk's options): its own target window, found and brought to the front here; its own
focus guard, gate and read-back. After a form, the values it issued (`keep`) are read off
its window into the case. Every fill is logged in the case with the scenario's id and the
form's place, so a scenario stopped at form 2 — a window not open, focus lost, a value
refused, a box read back different — resumes at form 2 and never fills form 1 again.

A form whose read-back found differences stops the scenario after it: the clerk looks at
that form before the next one starts (resuming goes on with the next form).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Protocol

from app.cases import Case, save_case
from app.desktop.base import WindowInfo
from app.errors import DeskhandError, FormWindowError
from app.fill.target import describe, matches
from app.i18n import _
from app.scenario.keep import Kept, keep_in_case
from app.scenario.model import Keep, ScenarioForm, ScenarioForms

__all__ = ["FormResult", "ScenarioReport", "forms_done", "run_scenario"]


class Windows(Protocol):
    def list_windows(self) -> list[WindowInfo]: ...
    def activate(self, window: WindowInfo, timeout: float = 2.0) -> bool: ...
    def active_window_id(self) -> int | None: ...


# How long a form's window may take to be reported active once it has the focus: openbox
# reported it 3-5 s late after a fill typed Chinese into Chromium (measured; why is not
# known), and a fill starts only in the window the desktop reports active.
SETTLE_TIMEOUT_S = 10.0


FillForm = Callable[[ScenarioForm, Case, dict], object]     # → FillReport; raises DeskhandError
ReadKept = Callable[[Keep, WindowInfo], Kept]


@dataclass
class FormResult:
    index: int                      # 0-based place in the scenario
    name: str
    outcome: str                    # done, skipped (filled before), failed, not_started…
    confirmed: int = 0
    differs: list[str] = field(default_factory=list)
    kept: list[Kept] = field(default_factory=list)
    message: str | None = None
    report: object | None = None    # the fill's FillReport (None: not filled this time)


@dataclass
class ScenarioReport:
    scenario: str
    forms: list[FormResult] = field(default_factory=list)
    error: DeskhandError | None = None
    stopped_at: int | None = None   # the form to resume at (0-based); None: all filled
    message: str | None = None      # why it stopped, for the clerk

    @property
    def done(self) -> bool:
        """Every form filled, read back the same, and its values kept."""
        return self.error is None and self.message is None


def forms_done(case: Case, scenario: ScenarioForms) -> dict[int, dict]:
    """The forms of `scenario` this case has filled, from its fill log: form index → the
    log entry of its last finished fill (its kept values included)."""
    done: dict[int, dict] = {}
    for entry in case.fills:
        tag = entry.get("scenario")
        if not isinstance(tag, dict) or tag.get("id") != scenario.id:
            continue
        form = tag.get("form")
        if tag.get("restart"):
            done.clear()
        if isinstance(form, int) and entry.get("outcome") == "done":
            done[form] = entry
    return done


def run_scenario(scenario: ScenarioForms, case: Case, case_path: Path, *, fill: FillForm,
                 windows: Windows, read_kept: ReadKept, restart: bool = False,
                 settle_s: float = 0.0, sleep: Callable[[float], None] = time.sleep
                 ) -> ScenarioReport:
    """Fill every form of `scenario` not filled yet for `case`, in order. Stops at the first
    form that cannot be filled, or after one whose read-back differs or whose kept values
    could not be read; the report says where and why, and the case (saved) says where to
    resume. `settle_s`: how long a form's window must keep the focus once brought up before
    it is filled (it is brought up again if the program just filled took the focus back)."""
    report = ScenarioReport(scenario.id)
    done = {} if restart else forms_done(case, scenario)
    first = True
    for index, form in enumerate(scenario.forms):
        if index in done and not _keeps_missing(case, form):
            report.forms.append(FormResult(index, form.name, "skipped",
                                           message=_("filled before")))
            continue
        tag = {"id": scenario.id, "form": index, "name": form.name}
        if restart and first:
            tag["restart"] = True
        first = False
        try:
            window = _window_of(form, windows, index, len(scenario.forms), settle_s, sleep)
            if index in done:           # filled before; only its kept values are missing
                result = FormResult(index, form.name, "done")
            else:
                filled = fill(form, case, {"scenario": tag})
                result = FormResult(index, form.name, str(getattr(filled, "outcome", "done")),
                                    int(getattr(filled, "readback_ok", 0)),
                                    list(getattr(filled, "differs", [])), report=filled)
            result.kept = [read_kept(k, window) for k in form.keep]
        except DeskhandError as exc:
            report.forms.append(FormResult(index, form.name, "failed", message=exc.message,
                                           report=getattr(exc, "__deskhand_report__", None)))
            report.error, report.stopped_at = exc, index
            report.message = _("Form {n} of {total} ({name}) was not filled: {why} The forms "
                               "before it are kept; running the scenario again goes on at "
                               "this form.", n=index + 1, total=len(scenario.forms),
                               name=form.name, why=exc.message)
            return report
        for kept in result.kept:
            keep_in_case(case, kept, form.name)
        _log_kept(case, scenario, index, result.kept)
        save_case(case, case_path)
        report.forms.append(result)
        missing = [k for k in result.kept if k.value is None]
        if missing or result.differs:
            # kept values missing: this form's are read again on resuming; else the next form
            report.stopped_at = index if missing else \
                (index + 1 if index + 1 < len(scenario.forms) else None)
            report.message = _stop_sentence(form, index, len(scenario.forms), result, missing)
            return report
    return report


def _keeps_missing(case: Case, form: ScenarioForm) -> bool:
    return any(case.value(k.field) in (None, "") for k in form.keep)


def _window_of(form: ScenarioForm, windows: Windows, index: int, total: int,
               settle_s: float = 0.0, sleep: Callable[[float], None] = time.sleep) -> WindowInfo:
    """The one open window of the form's target, brought to the front — and still there
    `settle_s` later: a program typed into a moment ago (Chromium) may finish its own work
    by taking the focus back; activating again then returns it, or says it cannot."""
    spec = form.playbook.target
    found = [w for w in windows.list_windows() if matches(spec, w)]
    if not found:
        raise FormWindowError(_("No window of form {n} of {total} ({name}) is open: Deskhand "
                                "looks for {target}. Open it, then run the scenario again.",
                                n=index + 1, total=total, name=form.name,
                                target=describe(spec)), playbook=form.playbook.id)
    if len(found) > 1:
        raise FormWindowError(_("{count} windows could be form {n} ({name}): {titles}. Close "
                                "all but the one to fill, then run the scenario again.",
                                count=len(found), n=index + 1, name=form.name,
                                titles="、".join(w.title for w in found[:4])),
                              playbook=form.playbook.id)
    if not windows.activate(found[0]) or (settle_s > 0 and not _settled(windows, found[0],
                                                                          settle_s, sleep)):
        raise FormWindowError(_("The window of form {n} ({name}), '{title}', did not come to "
                                "the front. Click it once, then run the scenario again.",
                                n=index + 1, name=form.name, title=found[0].title),
                              playbook=form.playbook.id)
    return found[0]


def _settled(windows: Windows, window: WindowInfo, settle_s: float,
             sleep: Callable[[float], None]) -> bool:
    """Still focused `settle_s` after it was brought up, and reported active (asked again
    while not, for up to SETTLE_TIMEOUT_S)."""
    for _attempt in range(max(1, int(SETTLE_TIMEOUT_S / settle_s))):
        sleep(settle_s)
        if not windows.activate(window):      # at once when it kept the focus
            return False
        if windows.active_window_id() == window.id:
            return True
    return False


def _log_kept(case: Case, scenario: ScenarioForms, index: int, kept: list[Kept]) -> None:
    """Note on the form's last log entry which values it gave (what, how read)."""
    for entry in reversed(case.fills):
        tag = entry.get("scenario")
        if isinstance(tag, dict) and tag.get("id") == scenario.id and tag.get("form") == index:
            entry["kept"] = {k.keep.field: k.via if k.value is not None else None for k in kept}
            return


def _stop_sentence(form: ScenarioForm, index: int, total: int, result: FormResult,
                   missing: list[Kept]) -> str:
    if missing:
        return _("Form {n} ({name}) is filled, but {problems} Check the form; running the "
                 "scenario again reads these values again before the next form.", n=index + 1,
                 name=form.name, problems=" ".join(k.problem or "" for k in missing))
    return _("Form {n} ({name}) is filled, but {count} fields read back different: {fields}. "
             "Check them in the client; running the scenario again goes on with the next "
             "form.", n=index + 1, name=form.name, count=len(result.differs),
             fields="、".join(result.differs))
