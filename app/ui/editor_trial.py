"""The results of a 试运行 (app/trial.py): each field as read, against the sample's expected
value; the fill's dry run, step by step; and a real fill into a window the supervisor
names, only after that."""
from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QDialog, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QListWidget, QPushButton, QTableWidget, QTableWidgetItem,
                               QVBoxLayout, QWidget)

from app.errors import DeskhandError
from app.ui.dispatch import MainThread, run_in_worker

__all__ = ["TrialDialog", "plan_line"]


def plan_line(row: dict) -> str:
    """One step of the dry run as `fill --dry-run` prints it."""
    what = row["text"] if row["kind"] in ("type", "choose", "set") else \
        " ".join(row["keys"]) or row["detail"]
    return f"{row['step']:>2}. {row['kind']:<6} {row['field'] or '':<16} {what}".rstrip()


class TrialDialog(QDialog):
    fill_finished = Signal(object)      # app.fill.engine.FillReport, or the error

    def __init__(self, trial: Any, playbook: Any, *, pipeline: Any, main: MainThread,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.trial, self.playbook, self.pipeline, self.main = trial, playbook, pipeline, main
        self.report: Any = None
        self.setModal(False)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.table = QTableWidget(len(trial.fields), 5, self)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        for row, f in enumerate(trial.fields):
            verdict = {True: "✓", False: "✗", None: ""}[f.as_expected]
            expected = self._masked(f.name, f.expected) if f.expected is not None else \
                "/".join(f.want.statuses) if f.want is not None else ""
            cells = (f"{f.label} ({f.name})", f.shown, f.status, expected, verdict)
            for col, text in enumerate(cells):
                self.table.setItem(row, col, QTableWidgetItem(text))
        self.plan = QListWidget(self)
        if trial.dry is not None:
            self.plan.addItems([plan_line(r) for r in trial.dry.rows])
        self.plan_note = QLabel(self)
        self.plan_note.setWordWrap(True)
        self.plan_note.setText(trial.dry_error or (trial.dry.message if trial.dry else ""))
        self.window_title = QLineEdit(self)
        target = playbook.target.title or playbook.target.title_regex or ""
        self.window_title.setText(target.strip("*"))
        self.fill_button = QPushButton(self)
        self.fill_button.clicked.connect(lambda: self.fill_live(self.window_title.text()))
        self.fill_button.setEnabled(trial.dry is not None)
        self.fill_result = QLabel(self)
        self.fill_result.setWordWrap(True)
        self.headers = QLabel(self), QLabel(self)
        live = QHBoxLayout()
        self.live_label = QLabel(self)
        live.addWidget(self.live_label)
        live.addWidget(self.window_title, 1)
        live.addWidget(self.fill_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.headers[0])
        layout.addWidget(self.table, 2)
        layout.addWidget(self.headers[1])
        layout.addWidget(self.plan, 2)
        layout.addWidget(self.plan_note)
        layout.addLayout(live)
        layout.addWidget(self.fill_result)
        self.resize(820, 640)
        self.retranslate()

    def _masked(self, name: str, value: str | None) -> str:
        from app.fill.engine import masked_text
        return masked_text(self.playbook, name, value) if value else ""

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Trial run — {0}").format(self.playbook.name))
        self.table.setHorizontalHeaderLabels([self.tr("Field"), self.tr("Read"),
                                              self.tr("Status"), self.tr("Expected"), ""])
        diff = self.trial.differences
        compared = sum(1 for f in self.trial.fields if f.as_expected is not None)
        self.summary.setText(
            self.tr("{0} of {1} fields as the sample expects.").format(compared - len(diff),
                                                                      compared)
            if compared else self.trial.note
            or self.tr("The sample gives no expected values to compare with."))
        self.headers[0].setText(self.tr("Fields read from the sample"))
        self.headers[1].setText(self.tr("What a fill would type, and where (dry run; nothing "
                                        "is typed)"))
        self.live_label.setText(self.tr("Window to fill:"))
        self.fill_button.setText(self.tr("Fill it for real"))
        self.fill_button.setToolTip(self.tr("Types the sample's case into the window titled "
                                            "like this; the playbook's target must match it"))

    def fill_live(self, title: str) -> None:
        """Raise the window titled like `title` and fill the trial's case into it through
        the pipeline (the focus guard still checks the playbook's target)."""
        from app.fill.engine import FillOptions
        self.fill_button.setEnabled(False)
        self.fill_result.setText(self.tr("Filling…"))
        case = self.trial.outcome.case

        def work() -> Any:
            from app.capture.sources import find_window
            desktop = self.pipeline.desktop()
            window = find_window(desktop, title.strip() or "*")
            desktop.activate(window, 2.0)
            with tempfile.TemporaryDirectory(prefix="deskhand-trial-") as folder:
                return self.pipeline.fill(self.playbook, case, Path(folder) / "trial.json",
                                          FillOptions(wait_focus_s=5.0, abort_keys=None))

        def done(report: Any) -> None:
            self.report = report
            self.fill_button.setEnabled(True)
            self.fill_result.setText(report.summary())
            self.fill_finished.emit(report)

        def failed(exc: BaseException) -> None:
            self.fill_button.setEnabled(True)
            self.fill_result.setText(exc.message if isinstance(exc, DeskhandError) else
                                     self.tr("The fill stopped ({0}).").format(type(exc).__name__))
            self.fill_finished.emit(exc)

        run_in_worker("deskhand-trial-fill", work, done, failed, self.main)
