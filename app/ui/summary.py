"""After the fill: what read back, what differs, or why it stopped.

    title, body = summary_text(report, playbook)     # for a tray notification
    FillSummary(report, playbook, on_closed=reactivate_client).show()

Values that differ are shown masked when the field is sensitive (ID numbers, phones, fields
marked `sensitive`): a notification is seen by whoever stands at the window. A clean fill
needs no more than the notification; the dialog is for fills a clerk must look at.
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.fill.engine import FillReport, masked_text
from app.privacy import mask_text
from app.ui.widgets import OnTopDialog
from playbooks.model import Playbook

# Called by this name with literal strings: lupdate finds them (context FillSummary).
translate = QCoreApplication.translate


def _label(playbook: Playbook | None, name: str | None) -> str:
    if name is None:
        return ""
    if playbook is None:
        return name
    try:
        spec = playbook.field_spec(name)
    except KeyError:
        return name
    return spec.label or spec.name


def _shown(playbook: Playbook | None, name: str, text: str | None) -> str:
    if text is None:
        return translate("FillSummary", "(nothing)")
    try:
        return masked_text(playbook, name, text) if playbook else mask_text(text)
    except KeyError:          # a field the playbook no longer has: mask what looks personal
        return mask_text(text)


def _where(report: FillReport, playbook: Playbook | None) -> str:
    if report.field_reached:
        where = translate("FillSummary", "Stopped at {label}").format(
            label=_label(playbook, report.field_reached))
        if report.position:
            where += translate("FillSummary", ", after {n} characters").format(
                n=report.position)
        return where + "."
    if report.step_reached is not None:
        return translate("FillSummary", "Stopped at step {n}.").format(
            n=report.step_reached + 1)
    return ""


def _readback_lines(report: FillReport, playbook: Playbook | None) -> list[str]:
    checked = [r for r in report.results if r.status != "skipped"]
    lines = []
    if checked:
        lines.append(translate("FillSummary", "{ok} of {n} fields read back correctly.").format(
            ok=report.readback_ok, n=len(checked)))
    differs = [r for r in report.results if r.status == "readback_differs"]
    if differs:
        lines.append(translate("FillSummary", "These differ in the form:"))
        for r in differs:
            text = translate("FillSummary", "• {label}: typed {typed}, the form holds {held}")
            lines.append(text.format(label=_label(playbook, r.field),
                                     typed=_shown(playbook, r.field, r.expected),
                                     held=_shown(playbook, r.field, r.readback)))
    unread = [_label(playbook, r.field) for r in report.results if r.status in
              ("readback_unavailable", "typed", "chosen")]
    if unread:
        lines.append(translate("FillSummary", "Not read back, check by eye: {labels}").format(
            labels="、".join(unread)))
    empty = [_label(playbook, name) for name in report.left_empty]
    if empty:
        lines.append(translate("FillSummary", "Left empty (no value in the case): {labels}").format(
            labels="、".join(empty)))
    return lines


def summary_text(report: FillReport, playbook: Playbook | None = None) -> tuple[str, str]:
    """(title, body) for a tray notification or the summary dialog. Give the playbook for
    field labels and masking; without it, field names show and anything that looks like
    an ID number, credit code or mobile number is masked."""
    name = playbook.name if playbook is not None else report.playbook
    kept = translate("FillSummary", "The case is kept; you can fill it again.")
    outcome = report.outcome
    if outcome == "done":
        title = (translate("FillSummary", "Filled, with differences: {name}") if report.unconfirmed
                 else translate("FillSummary", "Filled: {name}")).format(name=name)
        lines = _readback_lines(report, playbook)
    elif outcome == "dry_run":
        title, lines = translate("FillSummary", "Dry run: {name}").format(name=name), [
            translate("FillSummary", "Nothing was typed.")]
    elif outcome == "focus_lost":
        title = translate("FillSummary", "Filling stopped: the focus moved")
        lines = [_where(report, playbook),
                 translate("FillSummary", "Nothing was typed into the other window."), kept]
    elif outcome == "aborted":
        title = translate("FillSummary", "Filling aborted")
        lines = [_where(report, playbook), kept]
    elif outcome == "failed":
        title = translate("FillSummary", "Filling failed")
        lines = [mask_text(report.message or ""), _where(report, playbook), kept]
    else:
        title = translate("FillSummary", "Nothing was filled")
        lines = [mask_text(report.message or ""), kept]
    if outcome in ("focus_lost", "aborted", "failed") and report.results:
        lines += _readback_lines(report, playbook)
    lines += [mask_text(w) for w in report.warnings]
    return title, "\n".join(line for line in lines if line)


class FillSummary(OnTopDialog):
    """The summary as a non-modal, on-top dialog; Enter or Esc closes it. `on_closed` is
    called once when it closes (the tray gives the approval client its focus back)."""

    def __init__(self, report: FillReport, playbook: Playbook | None = None,
                 parent: QWidget | None = None, *,
                 on_closed: Callable[[], None] | None = None) -> None:
        super().__init__(parent, on_closed=on_closed)
        self.report, self.playbook = report, playbook
        self.title = QLabel(self)
        self.title.setTextFormat(Qt.TextFormat.PlainText)   # values may hold '<'
        self.title.setStyleSheet("font-weight: bold;")
        self.body = QLabel(self)
        self.body.setTextFormat(Qt.TextFormat.PlainText)
        self.body.setWordWrap(True)
        self.body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.close_button = QPushButton(self)
        self.close_button.setDefault(True)
        self.close_button.clicked.connect(self.accept)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.body)
        layout.addLayout(buttons)
        self.setMinimumWidth(360)
        self.retranslate()

    def retranslate(self) -> None:
        title, body = summary_text(self.report, self.playbook)
        self.setWindowTitle(title)
        self.title.setText(title)
        self.body.setText(body)
        self.close_button.setText(self.tr("&Close"))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
