"""The clerk's tray: the icon and its menu, hotkeys, and the capture → review → fill flow.

Work never runs on the hotkey listener's thread nor on the Qt main thread: capture (OCR,
registries) and fill (typing) run on worker threads; their results come back through
`MainThread.post`. Only one capture and one fill run at a time.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtGui import QAction, QActionGroup, QDesktopServices
from PySide6.QtWidgets import QFileDialog, QMenu, QSystemTrayIcon

from app.cases import Case
from app.errors import DeskhandError
from app.library import PlaybookLibrary
from app.privacy import mask_text
from app.ui.dispatch import MainThread, run_in_worker
from app.ui.icons import tray_icon

__all__ = ["TrayApp", "TrayState"]

log = logging.getLogger("deskhand.ui")
UNMAP_SETTLE_S = 0.2      # our closed windows are off the screen by then


@dataclass
class TrayState:
    """What the tray knows between a capture and a fill (also what tests query)."""

    playbook_id: str | None = None
    scenario_id: str | None = None      # a scenario (业务场景) chosen instead of a playbook
    outcome: Any = None                 # app.pipeline.CaptureOutcome of the last capture
    confirmed: bool = False             # the clerk confirmed the review of that case
    busy: str | None = None             # "capture" | "fill" | "record" | "documents" while one runs
    last_fill: dict[str, Any] | None = None
    fills: int = 0                      # fills finished (done or not) since start
    last_error: str | None = None
    hotkey_problems: dict[str, str] = field(default_factory=dict)
    events: list[str] = field(default_factory=list)   # for tests and the log: what happened


class TrayApp(QObject):
    """`pipeline`: app.pipeline.Pipeline (the same case flow as the command line, with its
    playbook library); `settings`: the loaded app.settings.Settings (hotkeys, language…);
    `hotkeys`: a backend from app.hotkeys or None; `fill_worker`: the process that types
    (app.fill.worker_client); `open_settings`: shows the settings dialog; `log_dir`: opened
    by 打开日志; `remember(**changes)` saves settings such as the scenario picked."""

    state_changed = Signal()

    def __init__(self, *, pipeline: Any, settings: Any,
                 hotkeys: Any | None, main: MainThread, log_dir: Path, fill_worker: Any,
                 open_settings: Callable[[], None] | None = None,
                 quit_app: Callable[[], None] | None = None,
                 remember: Callable[..., Any] | None = None,
                 installed: Callable[[], str | None] | None = None,
                 restart: Callable[[], None] | None = None,
                 update_check_s: float = 60.0) -> None:
        super().__init__()
        self.pipeline = pipeline
        self.fill_worker = fill_worker      # app.fill.worker_client.FillWorkerProcess
        self.library: PlaybookLibrary = pipeline.library
        self.settings = settings
        self.hotkeys = hotkeys
        self.main = main
        self.log_dir = log_dir
        self._open_settings = open_settings
        self._quit_app = quit_app
        self._remember = remember
        self.state = TrayState(playbook_id=self._first_playbook(getattr(settings, "last_playbook", None)))
        from app.ui.scenario_flow import ScenarioFlow
        from app.scenario.library import find_scenarios
        # the folders the library was read from (its packs verified once, at start)
        self.scenarios = ScenarioFlow(self, find_scenarios(self.library.folders))
        if self.scenarios.shelf.get(getattr(settings, "last_scenario", None)):
            self.state.scenario_id = settings.last_scenario
        self.abort_event = threading.Event()
        self._hotkeys_started = False
        self._warming = False
        self.review: Any = None
        self.progress: Any = None
        self.summary: Any = None
        self.recorder_window: Any = None     # app.ui.recorder_window.RecorderWindow, made on use
        self.record_job: Any = None          # recorders.job.RecordJob while one records
        self.editor: Any = None
        self.batch_window: Any = None        # app.ui.batch_window.BatchWindow, made on use
        self.icon = QSystemTrayIcon(tray_icon(), self)
        self.icon.setToolTip(self.tr("Deskhand: pick a playbook, press the capture key on the source"))
        self.menu = QMenu()
        self._build_menu()
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._activated)
        # a packaged build upgraded under the running tray: restart once idle
        self.update_watch: Any = None
        if installed is not None and restart is not None:
            from app.ui.update_watch import UpdateWatch
            self.update_watch = UpdateWatch(installed, idle=self.is_idle,
                                            tell=self._tell_updated, restart=restart,
                                            interval_ms=int(update_check_s * 1000))

    # -- set-up ------------------------------------------------------------------------
    def show(self) -> None:
        self.icon.show()
        self._register_hotkeys()
        self.note("tray shown")

    def _first_playbook(self, wanted: str | None) -> str | None:
        if wanted and self.library.get(wanted):
            return wanted
        return self.library.playbooks[0].id if self.library.playbooks else None

    def rebuild_menu(self) -> None:
        self._build_menu()
        pb = self.library.get(self.state.playbook_id)
        self.icon.setToolTip(self.tr("Deskhand: {0}").format(pb.name) if pb else self.tr("Deskhand"))

    def _build_menu(self) -> None:
        m = self.menu
        m.clear()
        pick = m.addMenu(self.tr("Playbooks"))
        group = QActionGroup(self)
        group.setExclusive(True)
        for department, playbooks in self.library.by_department().items():
            sub = pick.addMenu(department)
            for pb in playbooks:
                act = QAction(pb.name, self, checkable=True)
                act.setData(pb.id)
                act.setChecked(pb.id == self.state.playbook_id and not self.state.scenario_id)
                act.triggered.connect(lambda _=False, pid=pb.id: self.choose_playbook(pid, warm=True))
                group.addAction(act)
                sub.addAction(act)
        for path, problem in self.library.broken:
            act = pick.addAction(self.tr("Broken: {0}").format(path.name))
            act.setEnabled(False)
            act.setToolTip(problem)
        for path, problem in self.library.refused:     # IT requires signed packs
            act = pick.addAction(self.tr("Not trusted: {0}").format(path.name))
            act.setEnabled(False)
            act.setToolTip(problem)
        scenarios = m.addMenu(self.tr("Scenarios"))
        for entry in self.scenarios.shelf.scenarios:
            act = QAction(entry.name, self, checkable=True)
            act.setData(entry.id)
            act.setChecked(entry.id == self.state.scenario_id)
            act.triggered.connect(lambda _=False, sid=entry.id: self.choose_scenario(sid))
            group.addAction(act)
            scenarios.addAction(act)
        for path, problem in self.scenarios.shelf.broken:
            act = scenarios.addAction(self.tr("Broken: {0}").format(path.name))
            act.setEnabled(False)
            act.setToolTip(problem)
        scenarios.setEnabled(not scenarios.isEmpty())
        m.addSeparator()
        keys = getattr(self.settings, "hotkeys", {}) or {}
        self.act_capture = m.addAction(self._with_key(self.tr("&Capture the source"), keys.get("capture")))
        self.act_capture.triggered.connect(self.capture)
        self.act_capture_file = m.addAction(self.tr("Capture from a &picture…"))
        self.act_capture_file.triggered.connect(self.capture_from_file)
        self.act_fill = m.addAction(self._with_key(self.tr("&Fill the approval client"), keys.get("fill")))
        self.act_fill.triggered.connect(self.fill)
        self.act_intake = m.addAction(self.tr("&Open a case for the scenario…"))
        self.act_intake.triggered.connect(lambda: self.scenarios.open_intake())
        self.act_intake.setVisible(self.state.scenario_id is not None)
        self.act_form = m.addAction(self.tr("Fill in the basic-information &form (一张表单)…"))
        self.act_form.triggered.connect(lambda: self.scenarios.fill_intake())
        self.act_form.setVisible(self.state.scenario_id is not None)
        self.act_last = m.addAction(self.tr("&Last case"))
        self.act_last.triggered.connect(self.show_last_case)
        self.act_batch = m.addAction(self.tr("&Batch from a spreadsheet…"))
        self.act_batch.triggered.connect(self.open_batch)
        m.addSeparator()
        self.act_record = m.addAction(self.tr("&Record a playbook…"))
        self.act_record.triggered.connect(self.record)
        self.act_edit = m.addAction(self.tr("&Edit playbook…"))
        self.act_edit.triggered.connect(self.edit_playbook)
        m.addSeparator()
        self.act_settings = m.addAction(self.tr("&Settings…"))
        self.act_settings.triggered.connect(self.open_settings)
        self.act_logs = m.addAction(self.tr("Open &logs"))
        self.act_logs.triggered.connect(self.open_logs)
        self.act_quit = m.addAction(self.tr("&Quit"))
        self.act_quit.triggered.connect(self.quit)

    @staticmethod
    def _with_key(text: str, combo: str | None) -> str:
        return f"{text}\t{combo}" if combo else text

    def _register_hotkeys(self) -> None:
        if self.hotkeys is None:
            return
        keys = getattr(self.settings, "hotkeys", {}) or {}
        actions = {"capture": self.capture, "fill": self.fill, "abort": self.abort}
        for name, callback in actions.items():
            combo = keys.get(name)
            if not combo:
                continue
            try:
                # the backend was opened with our main-thread dispatcher
                self.hotkeys.register(name, combo, callback)
                self.state.hotkey_problems.pop(name, None)
            except DeskhandError as exc:
                self.state.hotkey_problems[name] = exc.message
                self.notify(self.tr("Hotkey not available"), exc.message, warning=True)
        if not self._hotkeys_started:
            try:
                self.hotkeys.start()
                self._hotkeys_started = True
            except DeskhandError as exc:
                self.notify(self.tr("Hotkeys not available"), exc.message, warning=True)

    def apply_settings(self, settings: Any) -> None:
        """New settings saved in the dialog: hotkeys, menu and OCR engine follow."""
        old_engine = getattr(self.settings, "ocr_engine", None)
        self.settings = settings
        self.scenarios.shelf = _find_scenarios(settings)     # the playbook folders may have changed
        if self.hotkeys is not None:
            for name in list(_safe(self.hotkeys.registered) or {}):
                _safe(lambda n=name: self.hotkeys.unregister(n))
            self._register_hotkeys()
        self._build_menu()
        if getattr(settings, "ocr_engine", None) != old_engine:
            self.pipeline.reset_engine()
        self.note("settings applied")

    # -- menu actions --------------------------------------------------------------------
    def choose_scenario(self, scenario_id: str) -> None:
        """A scenario (业务场景) instead of a playbook: its case is opened (or captured with
        its first form's playbook), reviewed once, and every form filled in turn."""
        entry = self.scenarios.shelf.get(scenario_id)
        if entry is None:
            return
        self.state.scenario_id = scenario_id
        self.state.outcome, self.state.confirmed = None, False
        self.note(f"scenario {scenario_id}")
        if self._remember is not None:
            self.settings = _safe(lambda: self._remember(last_scenario=scenario_id)) \
                or self.settings
        self.act_intake.setVisible(True)
        self.act_form.setVisible(True)
        self.icon.setToolTip(self.tr("Deskhand: {0}").format(entry.name))
        self.state_changed.emit()

    def scenario_progress(self, forms: Any) -> Callable[[str, dict], None]:
        """Shows the overlay for a scenario's fill; the callback says which form is filled."""
        from app.ui.progress import FillProgress
        if self.progress is None:
            self.progress = FillProgress()
            self.progress.abort_requested.connect(self.abort)
        self.progress.start(forms.name, 0)
        return self.progress.scenario_callback([(f.name, f.playbook) for f in forms.forms])

    def choose_playbook(self, playbook_id: str, *, warm: bool = False) -> None:
        """`warm`: the clerk picked it in the menu, so a capture is coming: load the OCR
        model now, in the background (idle, the tray holds no model)."""
        self.state.playbook_id = playbook_id
        if self.state.scenario_id is not None:
            self.state.scenario_id = None
            self.act_intake.setVisible(False)
            self.act_form.setVisible(False)
            if self._remember is not None:
                self.settings = _safe(lambda: self._remember(last_scenario=None)) or self.settings
        pb = self.library.get(playbook_id)
        self.note(f"playbook {playbook_id}")
        if warm and not self._warming:
            self._warming = True
            threading.Thread(target=lambda: _safe(self.pipeline.warm_up), name="deskhand-ocr-warm-up",
                             daemon=True).start()
        if pb is not None:
            self.icon.setToolTip(self.tr("Deskhand: {0}").format(pb.name))
        self.state_changed.emit()

    def _playbook(self):  # type: ignore[no-untyped-def]
        if self.state.scenario_id is not None:
            return self.scenarios.capture_playbook()
        pb = self.library.get(self.state.playbook_id)
        if pb is None:
            self.notify(self.tr("No playbook"), self.tr("Pick a playbook in the tray menu first."),
                        warning=True)
        return pb

    def capture(self, image: Any = None) -> None:
        """Capture the playbook's source as it is on screen, or `image` (an
        app.pipeline.Source: a picture the clerk opened)."""
        pb = self._playbook()
        if pb is None or self.refuse_if_busy("capture"):
            return
        self.state.busy = "capture"
        self.state.confirmed = False
        self.note("capture started")
        self.icon.setToolTip(self.tr("Reading the source…"))
        t0 = time.perf_counter()
        # Our own on-top windows would be in the picture: a new capture ends them.
        covered = False
        for window in (self.summary, self.review):
            if window is not None and window.isVisible():
                window.close()
                covered = True

        def work():  # type: ignore[no-untyped-def]
            if image is not None:
                src = image
            else:
                if covered:
                    time.sleep(UNMAP_SETTLE_S)
                src = self.pipeline.grab_source(pb)
            return self.pipeline.capture(pb, src)

        def done(outcome: Any) -> None:
            self.state.busy = None
            self.state.outcome = outcome
            self.note(f"captured in {time.perf_counter() - t0:.2f} s")
            if outcome.verify_error is not None:
                self.notify(self.tr("Registry not reached"), mask_text(outcome.verify_error.message),
                            warning=True)
            if self.state.scenario_id is not None:
                self.state.outcome = None       # the scenario's case, not a playbook's
                self.scenarios.take_case(outcome.case, outcome.case_path)
                return
            self.show_review()

        run_in_worker("deskhand-capture", work, done, self._failed("capture"), self.main)

    def capture_from_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(None, self.tr("Picture of the source"), "",
                                              self.tr("Pictures (*.png *.jpg *.jpeg *.bmp)"))
        if not path:
            return
        pb = self._playbook()
        if pb is None:
            return
        try:
            source = self.pipeline.load_image(pb, path)
        except DeskhandError as exc:
            self.notify(self.tr("Cannot read the picture"), exc.message, warning=True)
            return
        self.capture(image=source)

    def record(self, output: str | None = None) -> None:
        """录制业务流程: the supervisor fills the approval client once while the recorder listens
        (recorders/job.py, the same job as `deskhand record`); the small window counts the
        events and stops it; the files are written beside the chosen playbook."""
        if self.refuse_if_busy("record"):
            return
        if output is None:
            output, _ = QFileDialog.getSaveFileName(None, self.tr("Save the recorded playbook as"),
                                                    "", self.tr("Playbooks (*.yaml)"))
            if not output:
                return
            if not output.endswith((".yaml", ".yml")):
                output += ".yaml"
        from app.hotkeys.combos import show_combo
        from app.ui.recorder_window import RecorderWindow
        from playbooks.keys import parse_combo
        from recorders.job import RecordJob, RecordRequest
        request = RecordRequest(output=output)
        window = self.recorder_window = self.recorder_window or RecorderWindow()
        try:
            job = RecordJob(self.pipeline, request, on_event=window.set_count,
                            on_source=window.note)
        except DeskhandError as exc:
            self.notify(self.tr("Cannot record"), exc.message, warning=True)
            return
        self.record_job = job
        self.state.busy = "record"
        self.note("recording started")
        try:
            window.stop_requested.disconnect()
        except (RuntimeError, TypeError):
            pass
        window.stop_requested.connect(lambda: job.stop("button"))
        window.start(stop_key=show_combo(parse_combo(request.stop_key)),
                     capture_key=show_combo(parse_combo(request.capture_key)))

        def work():  # type: ignore[no-untyped-def]
            job.start()
            while not job.wait(0.2):
                pass
            return job.finish()

        def done(result: Any) -> None:
            self.state.busy = None
            self.record_job = None
            self.note("recording finished")
            window.finished(result.sentences, result.questions)
            self.state_changed.emit()

        def failed(exc: BaseException) -> None:
            window.close()
            self.record_job = None
            self._failed("record")(exc)

        run_in_worker("deskhand-record", work, done, failed, self.main)

    def show_review(self) -> None:
        outcome = self.state.outcome
        if outcome is None:
            self.notify(self.tr("No case yet"), self.tr("Capture a source first."))
            return
        from app.ui.review import ReviewDialog
        if self.review is not None:
            self.review.close()
        # focus goes back to the window the clerk was in; without a desktop connection
        # (none to be had) the review still shows, nothing is handed back
        desktop = _safe(self.pipeline.ui_desktop)     # not the fill worker's connection
        before = _safe(desktop.active_window) if desktop is not None else None

        def give_focus_back() -> None:
            if before is not None and desktop is not None:
                _safe(lambda: desktop.activate(before, 1.0))

        self.review = ReviewDialog(outcome.case, outcome.playbook, outcome.image,
                                   on_closed=give_focus_back)
        self.review.confirmed.connect(self._review_confirmed)
        self.review.cancelled.connect(lambda: self._review_cancelled(outcome))
        self.review.show()
        self.review.raise_()
        self.review.activateWindow()
        self.note("review shown")
        self.state_changed.emit()

    def _review_cancelled(self, outcome: Any) -> None:
        self.pipeline.review(outcome.playbook, outcome.case, "cancelled", "tray review")
        self.note("review cancelled")

    def _review_confirmed(self, case: Case) -> None:
        outcome = self.state.outcome
        if outcome is None:
            return
        outcome.case = case
        self.pipeline.review(outcome.playbook, case, "accepted", "tray review")
        self.state.confirmed = True
        from app.cases import save_case
        try:
            save_case(case, outcome.case_path)
        except DeskhandError as exc:
            self.notify(self.tr("Case not saved"), exc.message, warning=True)
        self.note("review confirmed")
        keys = getattr(self.settings, "hotkeys", {}) or {}
        self.icon.setToolTip(self.tr("Ready: focus the approval client and press {0}").format(
            keys.get("fill", "")))
        self.state_changed.emit()

    def open_batch(self) -> None:
        """The 批量办理 window for the chosen playbook (one with a `batch:` section)."""
        pb = self._playbook()
        if pb is None:
            return
        if getattr(pb, "batch", None) is None:
            self.notify(self.tr("No batch"), self.tr("Playbook {0} has no batch section; a "
                                                     "supervisor adds one.").format(pb.name),
                        warning=True)
            return
        from app.ui.batch_window import BatchWindow
        if self.batch_window is None or self.batch_window.playbook.id != pb.id:
            self.batch_window = BatchWindow(self.pipeline, pb, self.main)
        self.batch_window.show()
        self.batch_window.raise_()

    def show_last_case(self) -> None:
        if self.state.scenario_id is not None:
            self.scenarios.show_review()
            return
        self.show_review()

    def fill(self) -> None:
        if self.state.scenario_id is not None:
            self.scenarios.fill()
            return
        outcome = self.state.outcome
        if outcome is None:
            self.notify(self.tr("Nothing to fill"), self.tr("Capture a source first."), warning=True)
            return
        if self.refuse_if_busy("fill"):
            return
        if outcome.needs_person and not self.state.confirmed:
            # filling waits for the clerk: show the review, which asks for confirmation
            self.notify(self.tr("Check the case first"),
                        self.tr("Some fields need a look before typing."), warning=True)
            self.show_review()
            return
        from app.errors import NeedsPersonError, RefusedValueError
        from app.fill.engine import plan
        try:
            steps = plan(outcome.playbook, outcome.case)    # the gate: what may be typed
        except (NeedsPersonError, RefusedValueError) as exc:
            self.notify(self.tr("Check the case first"), mask_text(exc.message), warning=True)
            self.show_review()
            return
        except DeskhandError as exc:
            self.notify(self.tr("Cannot fill"), mask_text(exc.message), warning=True)
            return
        if self.review is not None and self.review.isVisible():
            self.review.close()
        self.state.busy = "fill"
        self.abort_event.clear()
        self.note("fill started")
        fields = sum(1 for s in steps if s.kind in ("type", "choose"))
        progress = self._show_progress(outcome.playbook, fields)

        from app.cases import save_case
        try:
            save_case(outcome.case, outcome.case_path)   # what the worker types is what is on disk
        except DeskhandError as exc:
            self.state.busy = None
            self.progress.finish()
            self.notify(self.tr("Case not saved"), exc.message, warning=True)
            return

        def work():  # type: ignore[no-untyped-def]
            return self.fill_worker.fill(outcome.playbook, outcome.case_path, progress=progress,
                                         abort=self.abort_event)

        def done(report: Any) -> None:
            self._reload_case()
            self._fill_finished(report, None)

        def failed(exc: BaseException) -> None:
            self._reload_case()
            self._fill_finished(getattr(exc, "__deskhand_report__", None), exc)

        run_in_worker("deskhand-fill", work, done, failed, self.main)

    def _reload_case(self) -> None:
        """The worker wrote the fill log into the case file: read it back."""
        outcome = self.state.outcome
        if outcome is None:
            return
        from app.cases import load_case
        try:
            outcome.case = load_case(outcome.case_path, outcome.playbook.id)
        except DeskhandError as exc:
            log.warning("case not re-read after the fill: %s", exc.message)

    def abort(self) -> None:
        if self.state.busy == "fill":
            self.abort_event.set()
            self.note("abort requested")

    def edit_playbook(self) -> None:
        """The playbook editor on the chosen playbook (a file the supervisor picks when
        none is chosen)."""
        from app.ui.editor import EditorWindow, playbook_file
        pb = self.library.get(self.state.playbook_id)
        ref = pb.path if pb is not None and pb.path else QFileDialog.getOpenFileName(
            None, self.tr("Playbook to edit"), "", self.tr("Playbooks (*.yaml *.yml)"))[0]
        if not ref:
            return
        try:
            path = playbook_file(str(ref), self.pipeline)
        except DeskhandError as exc:
            self.notify(self.tr("Cannot open the playbook"), exc.message, warning=True)
            return
        self.editor = EditorWindow(path, pipeline=self.pipeline, main=self.main)
        self.editor.show()
        self.editor.raise_()
        self.note("editor opened")

    def open_settings(self) -> None:
        if self._open_settings:
            self._open_settings()

    def open_logs(self) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.log_dir)))
        self.note("logs opened")

    def quit(self) -> None:
        self.note("quit")
        self.abort_event.set()
        if self.hotkeys is not None:
            _safe(self.hotkeys.stop)
        self.icon.hide()
        if self._quit_app:
            self._quit_app()

    # -- fill progress and summary ---------------------------------------------------------
    def _show_progress(self, playbook: Any, total: int) -> Callable[[str, dict], None]:
        """Shows the overlay; returns the engine's progress callback (any thread)."""
        from app.ui.progress import FillProgress
        if self.progress is None:
            self.progress = FillProgress()
            self.progress.abort_requested.connect(self.abort)
        self.progress.start(playbook.name, total)
        return self.progress.engine_callback(playbook)

    def _fill_finished(self, report: Any, exc: BaseException | None) -> None:
        self.state.busy = None
        self.state.fills += 1
        if self.progress is not None:
            self.progress.finish()
        message = exc.message if isinstance(exc, DeskhandError) else (repr(exc) if exc else None)
        self.state.last_fill = {
            "outcome": getattr(report, "outcome", "failed"),
            "readback_ok": int(getattr(report, "readback_ok", 0) or 0),
            "differs": list(getattr(report, "differs", []) or []),
            "message": mask_text(message) if message else None}
        self.note(f"fill {self.state.last_fill['outcome']}")
        if exc is not None and not isinstance(exc, DeskhandError):
            log.error("fill failed", exc_info=exc)
        elif message:
            log.info("fill ended: %s", mask_text(message))
        outcome = self.state.outcome
        playbook = outcome.playbook if outcome else None
        if report is None or report.outcome in ("not_started", "cancelled"):
            # stopped before the first key (no focus, no display, a value refused…)
            self.notify(self.tr("Nothing was typed"), mask_text(message or ""), warning=True)
            self.state_changed.emit()
            return
        from app.ui.summary import FillSummary, summary_text
        title, body = summary_text(report, playbook)
        self.notify(title, body, warning=exc is not None or bool(self.state.last_fill["differs"]))
        if self.summary is not None:
            self.summary.close()
        self.summary = FillSummary(report, playbook)
        self.summary.show()
        self.state_changed.emit()

    # -- helpers -------------------------------------------------------------------------
    def refuse_if_busy(self, what: str) -> bool:
        if self.state.busy:
            self.notify(self.tr("Busy"), self.tr("Wait until the current step ends."))
            return True
        return False

    def _failed(self, what: str) -> Callable[[BaseException], None]:
        def failed(exc: BaseException) -> None:
            self.state.busy = None
            message = exc.message if isinstance(exc, DeskhandError) else f"{type(exc).__name__}: {exc}"
            self.state.last_error = mask_text(message)
            if not isinstance(exc, DeskhandError):
                log.error("%s failed", what, exc_info=exc)
            self.note(f"{what} failed")
            self.notify(self.tr("Capture failed") if what == "capture" else self.tr("Failed"),
                        mask_text(message), warning=True)
            self.icon.setToolTip(self.tr("Deskhand"))
            self.state_changed.emit()
        return failed

    def notify(self, title: str, body: str, *, warning: bool = False) -> None:
        log.info("%s: %s", title, mask_text(body))
        icon = QSystemTrayIcon.MessageIcon.Warning if warning else QSystemTrayIcon.MessageIcon.Information
        if self.icon.isVisible() and QSystemTrayIcon.supportsMessages():
            self.icon.showMessage(title, body, icon, 8000)

    def is_idle(self) -> bool:
        """Nothing under way that a restart would cut: no capture, fill or recording, no
        review, editor or batch window open."""
        windows = (self.review, self.scenarios.review, self.editor, self.batch_window,
                   self.recorder_window)
        return self.state.busy is None and self.record_job is None and \
            not any(w is not None and _safe(lambda w=w: w.isVisible()) for w in windows)

    def _tell_updated(self) -> None:
        self.note("update installed")
        self.notify(self.tr("Deskhand was updated"),
                    self.tr("A new version was installed; Deskhand restarts itself as soon as "
                            "nothing is under way. Nothing you are doing is lost."))

    def note(self, event: str) -> None:
        self.state.events.append(event)
        del self.state.events[:-50]
        log.info("tray: %s", event)

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason != QSystemTrayIcon.ActivationReason.Trigger:
            return
        if self.state.scenario_id is not None and self.scenarios.current is not None:
            self.scenarios.show_review()
        elif self.state.outcome is not None:
            self.show_review()

    def status(self) -> dict[str, Any]:
        """A masked snapshot for tests and the single-instance channel."""
        o = self.state.outcome
        geo = self.icon.geometry()
        review = self.review
        if self.state.scenario_id is not None and self.scenarios.review is not None:
            review = self.scenarios.review      # the scenario's one review
        progress = self.progress
        return {
            "tray_visible": self.icon.isVisible(), "tray_available": QSystemTrayIcon.isSystemTrayAvailable(),
            "tray_geometry": [geo.x(), geo.y(), geo.width(), geo.height()],
            "playbook": self.state.playbook_id, "busy": self.state.busy,
            "menu_playbooks": {d: [p.id for p in pbs] for d, pbs in self.library.by_department().items()},
            "menu_refused": [path.name for path, _problem in self.library.refused],
            "confirmed": self.state.confirmed,
            "case": str(o.case_path) if o else None,
            "statuses": {n: f.status for n, f in o.case.fields.items()} if o else None,
            "review_open": bool(review is not None and review.isVisible()),
            "review_active": bool(review is not None and review.isVisible()    # keys reach it now
                                  and _safe(lambda: review.isActiveWindow())),
            "review_fields": _editor_boxes(review) if review is not None and review.isVisible() else {},
            "review_statuses": ({n: r.fv.status for n, r in review.rows.items()}
                                if review is not None and review.isVisible() else {}),
            "review_can_fill": bool(review is not None and review.isVisible() and review.can_fill),
            "last_fill": self.state.last_fill, "fills": self.state.fills,
            "last_error": self.state.last_error,
            "hotkey_problems": dict(self.state.hotkey_problems),
            "events": list(self.state.events[-20:]),
            "progress_shown": list(progress.history) if progress is not None else [],
            "update_pending": self.update_watch.pending if self.update_watch else None,
            "build": self.update_watch.started if self.update_watch else None,
            **self.scenarios.status(),
        }


def _find_scenarios(settings: Any) -> Any:
    """The scenario packs in the folders the playbook library reads (the clerk's folders
    and installed packs, as IT's preset allows) and the shipped library."""
    from app.library import library_sources
    from app.paths import library_dir
    from app.scenario.library import find_scenarios
    return find_scenarios([*library_sources(settings).folders, library_dir()])


def _editor_boxes(review: Any) -> dict[str, list[int]]:
    """Each review row's value editor on screen (x, y, width, height): tests click there."""
    out = {}
    for name, row in getattr(review, "rows", {}).items():
        edit = row.edit
        top_left = edit.mapToGlobal(edit.rect().topLeft())
        out[name] = [top_left.x(), top_left.y(), edit.width(), edit.height()]
    return out


def _safe(fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except Exception:  # focus hand-back and clean-up are best effort
        log.debug("ignored", exc_info=True)
        return None

