"""The tray's side of the fill worker process (app/fill/worker.py): start it once, hand it
a fill, relay its progress, pass on an abort, and turn its answer back into a FillReport
or the error that stopped it."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, Callable

from app.errors import DeskhandError, FillError, error_from_json, error_to_json
from app.fill.worker import report_from_json, scenario_report_from_json
from app.i18n import _
from app.paths import ROOT

__all__ = ["FillWorkerProcess"]



class FillWorkerProcess:
    """One warm worker; `fill` blocks (call it from a worker thread) and is not re-entrant."""

    def __init__(self, env: dict[str, str] | None = None, start_timeout_s: float = 15.0) -> None:
        self.env = dict(os.environ if env is None else env)
        self.start_timeout_s = start_timeout_s
        self.proc: subprocess.Popen[str] | None = None
        self._events: list[dict[str, Any]] = []
        self._cond = threading.Condition()
        self._ready = False
        self._lock = threading.Lock()

    # -- life ----------------------------------------------------------------------------
    def start(self) -> None:
        with self._lock:
            if self.proc is not None and self.proc.poll() is None:
                return
            self._ready = False
            self._events.clear()
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "app.fill.worker"], cwd=ROOT, env=self.env, text=True,
                encoding="utf-8", stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=1)
            threading.Thread(target=self._read, args=(self.proc,), name="deskhand-fill-reader",
                             daemon=True).start()

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def close(self, timeout: float = 3.0) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        try:
            self._send(proc, {"cmd": "quit"})
            proc.stdin.close()  # type: ignore[union-attr]
            proc.wait(timeout)
        except (OSError, subprocess.TimeoutExpired, ValueError):
            proc.kill()
            proc.wait()

    def _read(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            try:
                event = json.loads(line)
            except ValueError:
                continue
            with self._cond:
                if event.get("event") == "ready":
                    self._ready = True
                else:
                    self._events.append(event)
                self._cond.notify_all()
        with self._cond:
            self._events.append({"event": "failed", "error": error_to_json(FillError(
                _("The fill worker stopped unexpectedly; the case is kept, try again."))),
                "report": None, "gone": True})
            self._cond.notify_all()

    @staticmethod
    def _send(proc: subprocess.Popen[str], cmd: dict[str, Any]) -> None:
        assert proc.stdin is not None
        proc.stdin.write(json.dumps(cmd) + "\n")
        proc.stdin.flush()

    # -- one fill ------------------------------------------------------------------------
    def fill(self, playbook: Any, case_path: Path, *, progress: Callable[[str, dict], None] | None = None,
             abort: threading.Event | None = None, wait_focus_s: float = 5.0) -> Any:
        """Type the case saved at `case_path` with `playbook` (it must have a file). Returns
        the FillReport; raises the FillError (or other DeskhandError) that stopped it, with
        the report on `__deskhand_report__`. The worker writes the fill log into the case."""
        if not playbook.path:
            raise DeskhandError(_("This playbook has no file, so the fill worker cannot load it."))
        return self._run({"cmd": "fill", "playbook": str(playbook.path), "case": str(case_path),
                          "wait_focus_s": wait_focus_s}, progress, abort,
                         lambda event: report_from_json(event.get("report")))

    def fill_scenario(self, scenario: Path, case_path: Path, *, restart: bool = False,
                      progress: Callable[[str, dict], None] | None = None,
                      abort: threading.Event | None = None, wait_focus_s: float = 5.0) -> Any:
        """Fill the forms of the scenario pack `scenario` not filled yet for the case saved at
        `case_path` (Pipeline.fill_scenario in the worker). Returns the ScenarioReport (a
        stop at a form is in it); raises the DeskhandError that kept it from starting.
        `progress` also gets ("form", {index, total, name}) as each form starts."""
        return self._run({"cmd": "scenario", "scenario": str(scenario), "case": str(case_path),
                          "restart": restart, "wait_focus_s": wait_focus_s}, progress, abort,
                         lambda event: scenario_report_from_json(event["scenario"]))

    def _run(self, cmd: dict[str, Any], progress: Callable[[str, dict], None] | None,
             abort: threading.Event | None, answer: Callable[[dict[str, Any]], Any]) -> Any:
        self.start()
        with self._cond:
            if not self._cond.wait_for(lambda: self._ready or self._events, self.start_timeout_s):
                raise FillError(_("The fill worker did not start; nothing was typed."))
            if not self._ready:
                event = self._events.pop(0)
                self.proc = None
                raise _error(event)
            self._events.clear()
        proc = self.proc
        assert proc is not None
        self._send(proc, cmd)
        stop_watch = threading.Event()
        if abort is not None:
            def watch() -> None:
                while not stop_watch.is_set():
                    if abort.wait(0.05):
                        try:
                            self._send(proc, {"cmd": "abort"})
                        except (OSError, ValueError):
                            pass
                        return
            threading.Thread(target=watch, name="deskhand-fill-abort", daemon=True).start()
        try:
            while True:
                with self._cond:
                    self._cond.wait_for(lambda: bool(self._events))
                    event = self._events.pop(0)
                kind = event.get("event")
                if kind == "progress":
                    if progress is not None:
                        progress(event.get("kind", ""), event.get("data") or {})
                elif kind == "done":
                    return answer(event)
                elif kind == "failed":
                    if event.get("gone"):
                        self.proc = None
                    raise _error(event)
        finally:
            stop_watch.set()


def _error(event: dict[str, Any]) -> DeskhandError:
    """The worker's error as the same class, context and exit code, with its report."""
    exc = error_from_json(event.get("error") or {})
    exc.__deskhand_report__ = report_from_json(event.get("report"))  # type: ignore[attr-defined]
    return exc
