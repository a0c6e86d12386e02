"""The fill runs in a process of its own when a Qt UI is in the same program.

Why: on X11 every chunk of keys is sent under a server grab (focus check and keys in one
atomic step). While our worker thread holds that grab, a Qt call on the UI thread that
waits for an X reply blocks with the GIL held; the worker then cannot run to release
the grab, and both wait for ever (seen with the progress overlay: a hang on the first
field). A separate process has its own GIL. It is started once and kept warm, so a fill
still begins within a few milliseconds of the hotkey.

Protocol: JSON lines. In: {"cmd": "fill", "playbook": PATH, "case": PATH,
"wait_focus_s": S, "accessibility": true}, {"cmd": "abort"}, {"cmd": "quit"}. Out: {"event": "ready"},
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

__all__ = ["main", "report_to_json", "report_from_json"]


def report_to_json(report: Any) -> dict[str, Any] | None:
    return None if report is None else dataclasses.asdict(report)


def report_from_json(data: dict[str, Any] | None) -> Any:
    from app.fill.engine import FieldResult, FillReport
    if not data:
        return None
    data = dict(data)
    data["results"] = [FieldResult(**r) for r in data.get("results", [])]
    return FillReport(**data)


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
