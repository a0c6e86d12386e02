"""After a scenario's fill: each form's result, with 继续 (resume at the form not done) and
生成文书 (the scenario's documents); and where the documents were written.

    title, body = scenario_summary_text(report, names)      # for a tray notification
    ScenarioSummary(report, names, documents=True).show()   # resume_requested, documents_requested
    DocumentsWritten(folder, titles, open_folder).show()
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.privacy import mask_text
from app.ui.widgets import OnTopDialog

# Called by this name with literal strings: lupdate finds them (context ScenarioSummary).
translate = QCoreApplication.translate


def _form_line(result, total: int) -> list[str]:  # type: ignore[no-untyped-def]
    head = translate("ScenarioSummary", "Form {n}/{total} {name}").format(
        n=result.index + 1, total=total, name=result.name)
    if result.outcome == "skipped":
        return [head + translate("ScenarioSummary", ": filled before, not typed again")]
    if result.outcome == "failed":
        return [head + translate("ScenarioSummary", ": not filled. {why}").format(
            why=mask_text(result.message or ""))]
    report = result.report
    checked = [r for r in getattr(report, "results", []) if r.status != "skipped"]
    lines = [head + (translate("ScenarioSummary", ": filled, {ok} of {n} fields read back "
                               "correctly").format(ok=result.confirmed, n=len(checked))
                     if checked else translate("ScenarioSummary", ": filled"))]
    if result.differs:
        lines.append("  " + translate("ScenarioSummary", "These differ in the form: {fields}")
                     .format(fields="、".join(result.differs)))
    for kept in result.kept:
        if kept.value is not None:
            lines.append("  " + translate("ScenarioSummary", "Kept {field} = {value}").format(
                field=kept.keep.field, value=mask_text(kept.value)))
        if kept.problem:
            lines.append("  " + mask_text(kept.problem))
    return lines


def scenario_summary_text(report, names: list[str], scenario_name: str  # type: ignore[no-untyped-def]
                          ) -> tuple[str, str]:
    """(title, body): a line per form — filled (read back), filled before, not filled and
    why, not reached — then why it stopped. `names`: every form's name, in order."""
    total = len(names)
    lines: list[str] = []
    for result in report.forms:
        lines += _form_line(result, total)
    for index in range(len(report.forms), total):
        lines.append(translate("ScenarioSummary", "Form {n}/{total} {name}: not started").format(
            n=index + 1, total=total, name=names[index]))
    if report.done:
        title = translate("ScenarioSummary", "All {total} forms filled: {name}").format(
            total=total, name=scenario_name)
    else:
        title = translate("ScenarioSummary", "Stopped: {name}").format(name=scenario_name)
        if report.message:
            lines.append(mask_text(report.message))
        if report.stopped_at is not None:
            lines.append(translate("ScenarioSummary", "Press Continue to go on at form {n}; the "
                                   "forms before it are not typed again.").format(
                n=report.stopped_at + 1))
    return title, "\n".join(lines)


class ScenarioSummary(OnTopDialog):
    """The scenario's summary, non-modal and on top. 继续 when it stopped at a form; 生成文书
    when the scenario has documents."""

    resume_requested = Signal()
    documents_requested = Signal()

    def __init__(self, report, names: list[str], scenario_name: str, *,  # type: ignore[no-untyped-def]
                 documents: bool, parent: QWidget | None = None,
                 on_closed: Callable[[], None] | None = None) -> None:
        super().__init__(parent, on_closed=on_closed)
        self.report, self.names, self.scenario_name = report, names, scenario_name
        self.title = QLabel(self)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setStyleSheet("font-weight: bold;")
        self.body = QLabel(self)
        self.body.setTextFormat(Qt.TextFormat.PlainText)     # values may hold '<'
        self.body.setWordWrap(True)
        self.body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.resume_button = QPushButton(self)
        self.resume_button.setVisible(report.stopped_at is not None)
        self.resume_button.clicked.connect(self._resume)
        self.documents_button = QPushButton(self)
        self.documents_button.setAutoDefault(False)
        self.documents_button.setVisible(documents)
        self.documents_button.clicked.connect(self.documents_requested)
        self.close_button = QPushButton(self)
        self.close_button.clicked.connect(self.accept)
        # Enter: go on when it stopped, else close
        (self.resume_button if report.stopped_at is not None else self.close_button).setDefault(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.documents_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.resume_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.body)
        layout.addLayout(buttons)
        self.setMinimumWidth(420)
        self.retranslate()

    def retranslate(self) -> None:
        title, body = scenario_summary_text(self.report, self.names, self.scenario_name)
        self.setWindowTitle(title)
        self.title.setText(title)
        self.body.setText(body)
        self.resume_button.setText(self.tr("C&ontinue"))
        self.documents_button.setText(self.tr("Write the &documents"))
        self.close_button.setText(self.tr("&Close"))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()

    def _resume(self) -> None:
        self.accept()
        self.resume_requested.emit()


class DocumentsWritten(OnTopDialog):
    """Where the documents went, with a button that opens the folder."""

    def __init__(self, folder: Path, titles: list[str], open_folder: Callable[[Path], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.folder, self.titles = folder, titles
        self.text = QLabel(self)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.open_button = QPushButton(self)
        self.open_button.clicked.connect(lambda: open_folder(folder))
        self.close_button = QPushButton(self)
        self.close_button.setDefault(True)
        self.close_button.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addLayout(buttons)
        self.setMinimumWidth(420)
        self.retranslate()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Documents written"))
        self.text.setText(self.tr("{n} documents (Word and PDF) are in {folder}:\n{titles}").format(
            n=len(self.titles), folder=self.folder, titles="\n".join(self.titles)))
        self.open_button.setText(self.tr("&Open the folder"))
        self.close_button.setText(self.tr("&Close"))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
