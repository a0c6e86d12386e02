"""The batch runner: each case of the ledger through the one pipeline, unattended.

For each case not finished, in ledger order:
  check      the playbook's own checks (the fill's gate): a value that fails → set aside
             with the fields a person must look at; never retried
  verify     the registries (a mismatch → set aside; a registry that does not answer is a
             system error)
  fill       `Pipeline.fill` (focus guard, read-back) into an empty form (`batch.new`); a
             field not read back right → set aside, nothing saved
  save       `batch.save` steps, then `batch.saved_when` text in the target → done
A system error (no window, a timeout, the focus stolen) is retried up to `retries` times
with a growing pause, then escalated. Every state is committed in the ledger before the
action it announces (app/batch/ledger.py); a case found in `filling`, `saving` or `failed`
is first looked for in the target (`batch.landed`): there → done, not typed again; not
there → filled again from an empty form.

`control` pauses, resumes and stops between cases and between a case's steps (a stop
during typing is the fill's abort: the case stays `filling`, which a resume checks).
"""
from __future__ import annotations

import dataclasses
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from app.batch.ledger import FINAL_STATES, Ledger, Row
from app.cases import Case, load_case
from app.errors import (CheckError, ChoiceNotFoundError, DeskhandError, FillAbortedError,
                        FillError, NeedsPersonError, RefusedValueError, RegistryConfigError,
                        RegistryUnavailableError, UsageError)
from app.fill.engine import FillOptions
from app.i18n import _, join
from app.privacy import mask
from playbooks.model import Playbook, Step, WaitStep

if TYPE_CHECKING:  # pragma: no cover
    from app.pipeline import Pipeline

Progress = Callable[[str, dict], None]


@dataclass
class BatchOptions:
    fill: FillOptions = field(default_factory=lambda: FillOptions(wait_focus_s=3.0))
    retries: int | None = None        # over the playbook's batch.retries
    backoff_s: float = 1.0            # first pause before a retry; doubled each time
    verify: bool = True               # ask the registries the playbook names
    landed_poll_s: float = 0.1


class BatchControl:
    """Pause / resume / stop from another thread (the tray's buttons, a signal handler)."""

    def __init__(self) -> None:
        self.running = threading.Event()
        self.running.set()
        self.stopping = threading.Event()

    def pause(self) -> None:
        self.running.clear()

    def resume(self) -> None:
        self.running.set()

    def stop(self) -> None:
        self.stopping.set()
        self.running.set()

    def go_on(self) -> bool:
        """Wait while paused; False once stopped."""
        while not self.running.wait(0.2):
            pass
        return not self.stopping.is_set()


class Stopped(Exception):
    """The batch was told to stop (control or the abort keys): the ledger stays resumable."""


class Halted(Exception):
    """Cases in a row failed the same system way: the rest would too (the client closed,
    the network down), so the batch stops; those cases are open again for the resume."""


# escalations in a row that stop a batch rather than run every case into the same fault
HALT_AFTER = 3


class SetAside(Exception):
    """A business error: a person must look at the case; it is not retried."""

    def __init__(self, outcome: str, message: str, fields: list[str]) -> None:
        super().__init__(message)
        self.outcome, self.message, self.fields = outcome, message, fields


@dataclass
class BatchResult:
    counts: dict[str, int]
    stopped: bool = False
    seconds: float = 0.0
    halted: str | None = None       # why the batch stopped itself (cases in a row failed)

    @property
    def exit_code(self) -> int:
        """0 all done; 1 some set aside or escalated (or stopped before the end); 3 the
        batch stopped itself on a fault that every case met."""
        if self.halted:
            return 3
        open_ = sum(n for s, n in self.counts.items() if s not in FINAL_STATES)
        return 0 if not open_ and self.counts["set_aside"] == self.counts["escalated"] == 0 \
            else 1


def masked_key(playbook: Playbook, key: str) -> str:
    spec = playbook.field_spec(playbook.batch.key) if playbook.batch else None
    kind = spec.type if spec is not None and spec.type in ("id_number", "phone") else "text"
    return mask(key, kind) if kind != "text" or (spec is not None and spec.sensitive) else key


class BatchRunner:
    def __init__(self, playbook: Playbook, ledger: Ledger, pipeline: "Pipeline",
                 options: BatchOptions, control: BatchControl, progress: Progress | None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        if playbook.batch is None:
            raise UsageError(_("Playbook {playbook} has no 'batch' section.", playbook=playbook.id))
        self.pb, self.ledger, self.pipeline = playbook, ledger, pipeline
        self.spec = playbook.batch
        self.options, self.control = options, control
        self.progress = progress or (lambda kind, data: None)
        self.sleep = sleep
        self.retries = options.retries if options.retries is not None else self.spec.retries
        # stop → the fill's own abort between chunks
        self.fill_options = dataclasses.replace(options.fill, abort_event=control.stopping)
        steps = playbook.steps
        save = self.spec.save
        if save and _unlined(steps[-len(save):]) == _unlined(save):
            # the fill ends with the save itself (one case at the tray saves too): in a batch
            # those steps are the save stage, once, with `saving` committed before them
            steps = steps[:-len(save)]
        self.fill_pb = dataclasses.replace(playbook, steps=self.spec.new + steps)
        wait = (WaitStep(text=self.spec.saved_when.text, timeout=self.spec.saved_when.within_s),)\
            if self.spec.saved_when else ()
        self.save_pb = dataclasses.replace(playbook, steps=self.spec.save + wait) \
            if self.spec.save else None
        landed = self.spec.landed
        self.ask_pb = dataclasses.replace(playbook, steps=self.spec.new + landed.ask) \
            if landed is not None else None

    # -- the batch -------------------------------------------------------------------
    def run(self) -> BatchResult:
        t0 = time.perf_counter()
        total = sum(self.ledger.counts().values())
        stopped, halted = False, None
        in_a_row: list[str] = []          # escalated one after another
        try:
            self.pipeline.desktop()        # no display at all: said once, no case touched
        except DeskhandError as exc:
            result = BatchResult(self.ledger.counts(), True, time.perf_counter() - t0,
                                 exc.message)
            self.progress("finished", {"counts": result.counts, "stopped": True})
            return result
        audit = self.pipeline.audit
        audit("batch", {"action": "start", "playbook": self.pb.id, "cases": total,
                        "counts": self.ledger.counts()})
        try:
            for row in self.ledger.open_rows():
                if not self.control.go_on():
                    raise Stopped()
                self.progress("case", {"seq": row.seq, "total": total, "origin": row.origin,
                                       "key": masked_key(self.pb, row.key)})
                self.run_case(row)
                after = self.ledger.row(row.key)
                audit("batch", {"action": "case", "playbook": self.pb.id, "seq": row.seq,
                                "key": masked_key(self.pb, row.key), "state": after.state,
                                "outcome": after.outcome})
                in_a_row = in_a_row + [row.key] if after.state == "escalated" else []
                if len(in_a_row) >= HALT_AFTER:
                    raise Halted(after.error or "?")
        except Stopped:
            stopped = True
        except Halted as exc:
            for key in in_a_row:
                self.ledger.reopen(key)
            stopped, halted = True, _(
                "{n} cases in a row could not be done because of the same kind of fault "
                "({error}); the batch stopped so that the rest are not run into it. Put it "
                "right (start the client, check the network) and run the same command again: "
                "the batch resumes, those {n} cases included.", n=len(in_a_row), error=exc)
        result = BatchResult(self.ledger.counts(), stopped, time.perf_counter() - t0, halted)
        audit("batch", {"action": "stop", "playbook": self.pb.id, "counts": result.counts,
                        "stopped": stopped, "halted": halted})
        self.progress("finished", {"counts": result.counts, "stopped": stopped})
        return result

    def run_case(self, row: Row) -> None:
        """One case to a final state (or `failed`, retried here up to the bound)."""
        while True:
            t0 = time.perf_counter()
            state = row.state
            try:
                self.attempt(row)
                return
            except SetAside as sa:
                self.ledger.finish(row.key, "set_aside", outcome=sa.outcome, error=sa.message,
                                   needs_person=sa.fields, seconds=time.perf_counter() - t0)
                self.progress("set_aside", {"seq": row.seq, "fields": sa.fields})
                return
            except (NeedsPersonError, RefusedValueError, CheckError, ChoiceNotFoundError) as exc:
                fields = list(getattr(exc, "fields", None) or ([exc.field] if exc.field else []))
                self.ledger.finish(row.key, "set_aside", outcome="check", error=exc.message,
                                   needs_person=fields, seconds=time.perf_counter() - t0)
                self.progress("set_aside", {"seq": row.seq, "fields": fields})
                return
            except (Stopped, FillAbortedError):
                raise Stopped() from None
            except (RegistryConfigError, UsageError):
                raise        # the set-up is wrong: nothing else would go better
            except DeskhandError as exc:
                row = self.ledger.row(row.key)
                if row.state == "saving" and self.spec.landed is None:
                    # the save may have taken: without a way to ask, a retry could save twice
                    self.ledger.finish(row.key, "set_aside", outcome="maybe_saved", error=_(
                        "Saving this case went wrong ({error}), and the playbook has no "
                        "'landed' check to ask the client; look in the client whether it is "
                        "there before doing it by hand.", error=exc.message),
                        seconds=time.perf_counter() - t0)
                    self.progress("set_aside", {"seq": row.seq, "fields": []})
                    return
                if row.attempts > self.retries:
                    self.ledger.finish(row.key, "escalated", outcome="system_error",
                                       error=exc.message, seconds=time.perf_counter() - t0)
                    self.progress("escalated", {"seq": row.seq, "error": exc.message})
                    return
                self.ledger.finish(row.key, "failed", outcome="system_error", error=exc.message)
                self.progress("retry", {"seq": row.seq, "attempt": row.attempts,
                                        "error": exc.message, "was": state})
                self.sleep(self.options.backoff_s * 2 ** (row.attempts - 1))
                row = self.ledger.row(row.key)

    def attempt(self, row: Row) -> None:
        t0 = time.perf_counter()
        key = row.key
        case = load_case(row.case_path, self.pb.id)
        # one more attempt; a case that may be in the target keeps its state until asked
        resumed = row.state in ("filling", "saving", "failed") and row.attempts > 0
        self.ledger.start(key, row.state if resumed else "pending")
        self._bring_target()
        if resumed:
            landed = self.landed(case, row)
            if landed:
                self.ledger.finish(key, "done", outcome="landed",
                                   seconds=time.perf_counter() - t0)
                self.progress("done", {"seq": row.seq, "landed": True})
                return
            if landed is None and row.state == "saving":
                raise SetAside("maybe_saved", _(
                    "The batch stopped while this case was being saved, and the playbook has "
                    "no 'landed' check to ask the client; look in the client whether it is "
                    "there before doing it by hand."), [])
        registry = bool(self.options.verify and self.pb.verify and not case.verification)
        self.check(case, registry_to_come=registry)
        self._go_on()
        if registry:
            self.verify(case)
            self._go_on()
        self.ledger.mark(key, "filling")          # committed before the first key
        report = self._fill(self.fill_pb, case, row)
        wrong = report.differs + [r.field for r in report.refused] + [
            r.field for r in report.results if r.status == "readback_unavailable"]
        if wrong:
            raise SetAside("readback", _("{fields} did not read back as typed; the case was "
                                         "not saved.", fields=join(wrong)), wrong)
        if self.save_pb is not None:
            self._go_on()
            self.ledger.mark(key, "saving")       # committed before the save is pressed
            self._fill(self.save_pb, case, row)
        self.ledger.finish(key, "done", outcome="saved" if self.save_pb else "filled",
                           seconds=time.perf_counter() - t0)
        self.progress("done", {"seq": row.seq, "landed": False})

    # -- the stages ------------------------------------------------------------------
    def check(self, case: Case, registry_to_come: bool = False) -> None:
        """The gate's verdicts now, before anything is typed: a value that fails → set aside.
        With `registry_to_come`, a field a registry look-up fills (婚姻状况) is not judged
        empty yet: verify checks the whole case again once the registry answered."""
        from app.fill.gate import vet
        from app.values.derive import settle_case
        settle_case(self.pb, case)
        later = ({name for spec in self.pb.verify for name in spec.fill}
                 if registry_to_come else set())
        problems: dict[str, list[str]] = {}
        for v in vet(self.pb, case):
            if (v.refused or v.needs_person) and not (v.field in later and not case.value(v.field)):
                problems[v.field] = v.reasons or [_("it holds characters that are never typed")]
        filled = set(self.pb.filled_names())
        for spec in self.pb.fields:
            fv = case.fields.get(spec.name)
            if spec.name in later:
                continue
            if spec.required and spec.name in filled and (fv is None or not fv.value):
                problems.setdefault(spec.name, [_("it has no value")])
        if problems:
            raise SetAside("check", "; ".join(
                f"{self._label(n)}: {join(r)}" for n, r in problems.items()), list(problems))

    def verify(self, case: Case) -> None:
        """A registry that did not answer is a system error (retried; the case is not saved
        until it did, so a retry asks again); a value it disagrees with sets the case aside."""
        error = self.pipeline.verify(self.pb, case)
        if error is not None:
            raise error
        failed = [a for a in case.verification if a.get("status") == "failed"]
        if failed:       # IT's on_outage "unverified": no exception, but no answer either
            raise RegistryUnavailableError(_("The registry look-up {lookup} did not answer: "
                                             "{why}", lookup=failed[0].get("lookup"),
                                             why=failed[0].get("error") or "?"))
        try:
            self.check(case)
        except SetAside as sa:
            raise SetAside("registry", sa.message, sa.fields) from None

    def landed(self, case: Case, row: Row) -> bool | None:
        """Is the case in the target already? None when the playbook cannot ask."""
        spec = self.spec.landed
        if spec is None or self.ask_pb is None:
            return None
        self._fill(self.ask_pb, case, row)
        screen = self.pipeline.screen_text()
        desktop = self.pipeline.desktop()
        deadline = time.monotonic() + spec.within_s
        while True:
            window = desktop.active_window()
            if window is not None:
                if screen.locate(spec.found, window, fuzzy=False, fresh=True) is not None:
                    return True
                if screen.locate(spec.not_found, window, fuzzy=False) is not None:
                    return False
            if time.monotonic() >= deadline:
                raise FillError(_("The client showed neither '{found}' nor '{not_found}' within "
                                  "{seconds:g} s after the query.", found=spec.found,
                                  not_found=spec.not_found, seconds=spec.within_s))
            self.sleep(self.options.landed_poll_s)

    # -- helpers ---------------------------------------------------------------------
    def _fill(self, playbook: Playbook, case: Case, row: Row):
        return self.pipeline.fill(playbook, case, Path(row.case_path), self.fill_options)

    def _go_on(self) -> None:
        if not self.control.go_on():
            raise Stopped()

    def _label(self, name: str) -> str:
        try:
            return self.pb.field_spec(name).label or name
        except KeyError:
            return name

    def _bring_target(self) -> None:
        """Unattended: the target is brought to the front before each attempt (the fill's
        guard still refuses any other window)."""
        from app.fill.target import matches
        desktop = self.pipeline.desktop()
        if matches(self.pb.target, desktop.active_window()):
            return
        found = [w for w in desktop.list_windows() if matches(self.pb.target, w)]
        if found:
            desktop.activate(found[0], 2.0)


def run_batch(playbook: Playbook, ledger: Ledger, pipeline: "Pipeline", options: BatchOptions,
              control: BatchControl | None = None, progress: Progress | None = None
              ) -> BatchResult:
    """Run every case of `ledger` not finished yet (see the module's docstring)."""
    return BatchRunner(playbook, ledger, pipeline, options, control or BatchControl(),
                       progress).run()


def _unlined(steps: tuple[Step, ...]) -> list[Step]:
    """The steps as written, wherever in the file (a step's line is not what it does)."""
    return [dataclasses.replace(s, line=0) for s in steps]


__all__ = ["BatchControl", "BatchOptions", "BatchResult", "run_batch", "masked_key"]
