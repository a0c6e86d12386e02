"""The fill runs in a process of its own when a Qt UI is in the same program.

Why: on X11 every chunk of keys is sent under a server grab (focus check and keys in one
atomic step). While our worker thread holds that grab, a Qt call on the UI thread that
waits for an X reply blocks with the GIL held; the worker then cannot run to release
the grab, and both wait for ever (seen with the progress overlay: a hang on the first
field). A separate process has its own GIL. It is started once and kept warm, so a fill
still begins within a few milliseconds of the hotkey.

Protocol: JSON lines. In: {"cmd": "fill", "playbook": PATH, "case": PATH,
"wait_focus_s": S, "accessibility": true}, {"cmd": "scenario", "scenario": PACK, "case": PATH,
"restart": false, "wait_focus_s": S} (Pipeline.fill_scenario: its done event holds a
"scenario" report, scenario_report_to_json), {"cmd": "abort"}, {"cmd": "quit"}. Out: {"event": "ready"},
{"event": "progress", "kind": K, "data": {...}}, then {"event": "done", "report": R} or
{"event": "failed", "error": E, "report": R} where E is app.errors.error_to_json of the error
(its class, sentence, playbook, step, field and exit code, so the tray shows and logs the
same thing the command line would). The fill runs through app.pipeline, built from the
same settings as the tray's: the same registries, OCR engine and on-screen text.
"""
from __future__ import annotations

import dataclasses
import json
import sys
import threading
from pathlib import Path
from typing import Any, TextIO

from app.errors import DeskhandError, FillError, error_to_json

__all__ = ["main", "report_to_json", "report_from_json", "scenario_report_to_json",
           "scenario_report_from_json"]


def report_to_json(report: Any) -> dict[str, Any] | None:
    return None if report is None else dataclasses.asdict(report)


def report_from_json(data: dict[str, Any] | None) -> Any:
    from app.fill.engine import FieldResult, FillReport
    if not data:
        return None
    data = dict(data)
    data["results"] = [FieldResult(**r) for r in data.get("results", [])]
    return FillReport(**data)


def scenario_report_to_json(report: Any) -> dict[str, Any]:
    """app.scenario.run.ScenarioReport as JSON: each form's result, its FillReport and the
    values it kept; the error that stopped it as error_to_json."""
    return {"scenario": report.scenario, "stopped_at": report.stopped_at,
            "message": report.message,
            "error": error_to_json(report.error) if report.error is not None else None,
            "forms": [{"index": r.index, "name": r.name, "outcome": r.outcome,
                       "confirmed": r.confirmed, "differs": list(r.differs),
                       "message": r.message, "report": report_to_json(r.report),
                       "kept": [{"keep": dataclasses.asdict(k.keep), "value": k.value,
                                 "via": k.via, "problem": k.problem} for k in r.kept]}
                      for r in report.forms]}


def scenario_report_from_json(data: dict[str, Any]) -> Any:
    from app.errors import error_from_json
    from app.scenario.keep import Kept
    from app.scenario.model import Keep
    from app.scenario.run import FormResult, ScenarioReport
    forms = [FormResult(f["index"], f["name"], f["outcome"], f.get("confirmed", 0),
                        list(f.get("differs") or []),
                        [Kept(Keep(**k["keep"]), k.get("value"), k.get("via", ""),
                              k.get("problem")) for k in f.get("kept") or []],
                        f.get("message"), report_from_json(f.get("report")))
             for f in data.get("forms") or []]
    error = error_from_json(data["error"]) if data.get("error") else None
    return ScenarioReport(data.get("scenario", ""), forms, error, data.get("stopped_at"),
                          data.get("message"))


class _Worker:
    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.lock = threading.Lock()
        self.abort = threading.Event()
        self.jobs: list[dict[str, Any]] = []
        self.cond = threading.Condition()
        self.pipeline: Any = None

    def emit(self, event: dict[str, Any]) -> None:
        with self.lock:
            self.out.write(json.dumps(event, ensure_ascii=False) + "\n")
            self.out.flush()

    def read_commands(self, stdin: TextIO) -> None:
        for line in stdin:
            try:
                cmd = json.loads(line)
            except ValueError:
                continue
            if cmd.get("cmd") == "abort":
                self.abort.set()      # seen by the engine before its next chunk
                continue
            with self.cond:
                self.jobs.append(cmd)
                self.cond.notify()
        with self.cond:               # stdin closed: the tray is gone
            self.jobs.append({"cmd": "quit"})
            self.cond.notify()

    def run(self) -> None:
        from app.pipeline import build_pipeline
        self.pipeline = build_pipeline()
        self.pipeline.desktop()                       # connect now, not on the first hotkey
        self.emit({"event": "ready"})
        while True:
            with self.cond:
                while not self.jobs:
                    self.cond.wait()
                job = self.jobs.pop(0)
            if job.get("cmd") == "quit":
                break
            if job.get("cmd") == "fill":
                self.fill(job)
            elif job.get("cmd") == "scenario":
                self.fill_scenario(job)
        self.pipeline.close()

    def fill(self, job: dict[str, Any]) -> None:
        from app.cases import load_case
        from app.fill.engine import FillOptions
        self.abort.clear()
        try:
            playbook = self.pipeline.playbook(job["playbook"])
            case = load_case(job["case"], playbook.id)
            report = self.pipeline.fill(
                playbook, case, Path(job["case"]),
                FillOptions(wait_focus_s=float(job.get("wait_focus_s", 5.0)), abort_keys=None,
                            abort_event=self.abort),
                accessibility=job.get("accessibility"),     # None: the settings' switch
                progress=lambda kind, data: self.emit({"event": "progress", "kind": kind,
                                                       "data": _plain(data)}))
        except DeskhandError as exc:
            self.emit({"event": "failed", "error": error_to_json(exc),
                       "report": report_to_json(getattr(exc, "__deskhand_report__", None))})
        except Exception as exc:  # a fault of ours: logged here, a sentence for the tray
            from app.logs import crash_sentence, log_crash
            error = FillError(crash_sentence(exc, log_crash(exc, "fill worker")))
            self.emit({"event": "failed", "error": error_to_json(error), "report": None})
        else:
            self.emit({"event": "done", "report": report_to_json(report)})


    def fill_scenario(self, job: dict[str, Any]) -> None:
        """Every form of the scenario not filled yet, through Pipeline.fill_scenario (the
        same run as `deskhand fill PACK`); a stop is a report, not a failure."""
        from app.cases import load_case
        from app.fill.engine import FillOptions
        from app.scenario.forms import scenario_forms
        from playbooks.scenario import load_scenario
        self.abort.clear()
        try:
            forms = scenario_forms(load_scenario(job["scenario"]), self.pipeline.playbook)
            case = load_case(job["case"], forms.id)
            report = self.pipeline.fill_scenario(
                forms, case, Path(job["case"]),
                FillOptions(wait_focus_s=float(job.get("wait_focus_s", 5.0)), abort_keys=None,
                            abort_event=self.abort),
                restart=bool(job.get("restart")),
                progress=lambda kind, data: self.emit({"event": "progress", "kind": kind,
                                                       "data": _plain(data)}))
        except DeskhandError as exc:
            self.emit({"event": "failed", "error": error_to_json(exc), "report": None})
        except Exception as exc:  # a fault of ours: logged here, a sentence for the tray
            from app.logs import crash_sentence, log_crash
            error = FillError(crash_sentence(exc, log_crash(exc, "fill worker")))
            self.emit({"event": "failed", "error": error_to_json(error), "report": None})
        else:
            self.emit({"event": "done", "scenario": scenario_report_to_json(report)})


def _plain(data: Any) -> Any:
    return json.loads(json.dumps(data, default=str))


def main() -> int:
    from app.i18n import language_from_environment, set_language
    set_language(language_from_environment())   # the tray passes its language in $DESKHAND_LANG
    worker = _Worker(sys.stdout)
    threading.Thread(target=worker.read_commands, args=(sys.stdin,), daemon=True).start()
    try:
        worker.run()
    except DeskhandError as exc:
        worker.emit({"event": "failed", "error": error_to_json(exc), "report": None})
        return exc.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
