"""The tray's 批量办理 window: pick the cases (.xlsx, .csv or a folder), run the batch on a
worker thread through `run_batch`, watch it (a progress bar, the current case with its key
masked, the counts), pause, resume or stop it, and open the report at the end.

The ledger is kept in the cases folder under the playbook's and the source's names
(app/batch/ledger.py `default_ledger`), so choosing the same file again resumes it: the
same ledger `deskhand batch` would use.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (QFileDialog, QHBoxLayout, QLabel, QProgressBar, QPushButton,
                               QVBoxLayout, QWidget)

from app.batch.runner import BatchControl, BatchOptions, BatchResult
from app.errors import DeskhandError
from app.privacy import mask_text
from app.ui.dispatch import MainThread, run_in_worker

Starter = Callable[[Path], Any]


class BatchWindow(QWidget):
    # the runner reports on the worker thread; Qt queues this to the window's thread
    _event = Signal(str, object)
    finished = Signal(object)          # the BatchResult, or the exception that stopped it

    def __init__(self, pipeline: Any, playbook: Any, main: MainThread,
                 options: BatchOptions | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pipeline, self.playbook, self.main = pipeline, playbook, main
        self.options = options or BatchOptions()
        self.control: BatchControl | None = None
        self.source: Path | None = None
        self.ledger_path: Path | None = None
        self.reports: list[Path] = []
        self.result: BatchResult | None = None
        self.history: list[str] = []     # what the case line showed, in order (tests)
        self.total = 0
        self.done = 0

        self.title = QLabel(self)
        self.source_label = QLabel(self)
        self.choose_button = QPushButton(self)
        self.choose_button.clicked.connect(self.choose)
        self.start_button = QPushButton(self)
        self.start_button.clicked.connect(lambda: self.start(self.source))
        self.bar = QProgressBar(self)
        self.case_label = QLabel(self)
        self.counts_label = QLabel(self)
        self.pause_button = QPushButton(self)
        self.pause_button.setCheckable(True)
        self.pause_button.toggled.connect(self._pause)
        self.stop_button = QPushButton(self)
        self.stop_button.clicked.connect(self.stop)
        self.report_button = QPushButton(self)
        self.report_button.clicked.connect(self.open_report)
        for w in (self.source_label, self.case_label, self.counts_label):
            w.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(self.source_label, 1)
        top.addWidget(self.choose_button)
        buttons = QHBoxLayout()
        for b in (self.start_button, self.pause_button, self.stop_button, self.report_button):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(top)
        layout.addWidget(self.bar)
        layout.addWidget(self.case_label)
        layout.addWidget(self.counts_label)
        layout.addLayout(buttons)
        self.setMinimumWidth(460)
        self._event.connect(self._on_event)
        self._running = False
        self.retranslate()
        self._update_buttons()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Batch: {name}").format(name=self.playbook.name))
        self.title.setText(self.tr("Fill many cases with {name}, unattended. Leave the keyboard "
                                   "and mouse alone while it runs.").format(name=self.playbook.name))
        self.source_label.setText(str(self.source) if self.source else
                                  self.tr("No cases chosen yet."))
        self.choose_button.setText(self.tr("Choose cases…"))
        self.start_button.setText(self.tr("Start"))
        self.pause_button.setText(self.tr("Resume") if self.pause_button.isChecked()
                                  else self.tr("Pause"))
        self.stop_button.setText(self.tr("Stop"))
        self.report_button.setText(self.tr("Open the report"))

    def changeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        from PySide6.QtCore import QEvent
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # -- actions -----------------------------------------------------------------------
    def choose(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, self.tr("Choose the cases"), "",
            self.tr("Cases (*.xlsx *.csv);;All files (*)"))
        if path:
            self.source = Path(path)
            self.retranslate()
            self._update_buttons()

    def start(self, source: Path | None) -> None:
        """Read `source` into the ledger (or resume it) and run the batch on a worker."""
        if source is None or self._running:
            return
        from app.batch.ledger import default_ledger
        self.source = Path(source)
        self.ledger_path = default_ledger(self.pipeline.cases_dir, self.playbook.id,
                                          str(source))
        self.control = BatchControl()
        self.reports, self.result = [], None
        self._running = True
        self.pause_button.setChecked(False)
        self.counts_label.clear()
        self.case_label.setText(self.tr("Reading the cases…"))
        self._update_buttons()
        pb, pipeline, control, path = self.playbook, self.pipeline, self.control, self.ledger_path

        def work() -> tuple[BatchResult, list[Path]]:
            from app.batch.ledger import Ledger
            from app.batch.report import write_reports
            from app.batch.runner import run_batch
            from app.batch.sources import open_source
            with Ledger(path) as ledger:
                if ledger.is_empty():
                    ledger.ingest(open_source(str(source), pb, pipeline), pb.id)
                result = run_batch(pb, ledger, pipeline, self.options, control,
                                   lambda kind, data: self._event.emit(kind, data))
                return result, write_reports(path.parent, ledger, pb)
        run_in_worker("batch", work, self._finished, self._failed, self.main)

    def pause(self) -> None:
        self.pause_button.setChecked(True)

    def resume(self) -> None:
        self.pause_button.setChecked(False)

    def stop(self) -> None:
        if self.control is not None:
            self.control.stop()
            self.case_label.setText(self.tr("Stopping after this step…"))

    def open_report(self) -> None:
        html = [p for p in self.reports if p.suffix == ".html"]
        if html:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(html[0])))

    # -- from the worker ---------------------------------------------------------------
    def _pause(self, paused: bool) -> None:
        if self.control is not None:
            (self.control.pause if paused else self.control.resume)()
        self.retranslate()

    def _on_event(self, kind: str, data: dict) -> None:
        if kind == "case":
            self.total = data["total"]
            self.bar.setRange(0, max(1, self.total))
            self.bar.setValue(data["seq"] - 1)
            text = self.tr("Case {seq}/{total}: {key} ({origin})").format(**data)
            self.case_label.setText(text)
            self.history.append(text)
        elif kind == "finished":
            self.bar.setValue(self.bar.maximum())
            self._show_counts(data["counts"])

    def _show_counts(self, counts: dict[str, int]) -> None:
        self.counts_label.setText(self.tr(
            "Done {done} · set aside {set_aside} · escalated {escalated} · still to do {left}")
            .format(done=counts["done"], set_aside=counts["set_aside"],
                    escalated=counts["escalated"],
                    left=sum(counts[s] for s in ("pending", "filling", "saving", "failed"))))

    def _finished(self, outcome: tuple[BatchResult, list[Path]]) -> None:
        self.result, self.reports = outcome
        self._running = False
        self._show_counts(self.result.counts)
        self.case_label.setText(
            mask_text(self.result.halted) if self.result.halted else
            self.tr("Stopped; start again to resume.") if self.result.stopped
            else self.tr("Finished. The report is beside the ledger."))
        self._update_buttons()
        self.finished.emit(self.result)

    def _failed(self, exc: BaseException) -> None:
        self._running = False
        message = exc.message if isinstance(exc, DeskhandError) else type(exc).__name__
        self.case_label.setText(mask_text(message))
        self._update_buttons()
        self.finished.emit(exc)

    def _update_buttons(self) -> None:
        self.choose_button.setEnabled(not self._running)
        self.start_button.setEnabled(not self._running and self.source is not None)
        self.pause_button.setEnabled(self._running)
        self.stop_button.setEnabled(self._running)
        self.report_button.setEnabled(bool(self.reports))
