"""The 一张表单 dialog: the intake form of 企业开办, each value with its status.

    dialog = IntakeDialog(intake, read_card, output, scenario="企业开办")
    dialog.show()      # 读取身份证 reads a card into a person; 保存 writes the case

A section per part of the form (app/intake/model.py: SECTIONS) with a line edit per value,
a table per repeating group (GROUPS) with 添加行 / 删除行. Every edit runs the form's checks
(app/intake/checks.py, pure Python, instant) and shows each value's status: a chip beside
a line edit, the cell's colour and tooltip in a table. 保存 writes the case even when values
need a person (nothing typed is lost); the status line says so, and `deskhand docs` and
`deskhand fill` refuse such a case. Sentences go through app/i18n.py's `_()`, whose
language the windows set (Chinese by default).
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QApplication, QComboBox, QDialog, QFileDialog, QFormLayout,
                               QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPushButton,
                               QScrollArea, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from app.cases import FieldValue, save_case
from app.errors import DeskhandError
from app.i18n import _
from app.intake.card import PEOPLE, put_person
from app.intake.checks import check_intake
from app.intake.model import GROUPS, SECTIONS, Group, Intake
from app.ui.dispatch import MainThread, run_in_worker
from app.ui.widgets import STATUS_COLOURS, StatusChip

__all__ = ["IntakeDialog", "run_intake_dialog", "status_text"]

ReadCard = Callable[[str], dict[str, FieldValue]]
STATUS_ROLE = Qt.ItemDataRole.UserRole + 1      # a table cell's status, for tests and styling


def status_text(status: str) -> str:
    return {"ok": _("Passed"), "corrected": _("Corrected"), "invalid": _("Invalid"),
            "missing": _("Missing"), "unchecked": _("Unchecked"), "mismatch": _("Mismatch"),
            "unverified": _("Unverified")}.get(status, status)


class IntakeDialog(QDialog):
    def __init__(self, intake: Intake, read_card: ReadCard | None, output: Path,
                 scenario: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.intake, self.read_card, self.output, self.scenario = intake, read_card, output, scenario
        self.saved = False
        self.reading = False
        # owned by the dialog: a card read that ends after it closed is dropped with it
        self._main = MainThread(self)
        self.problems: list[str] = []
        self.setWindowTitle(_("{scenario} · basic information form (一张表单)", scenario=scenario))
        self.edits: dict[str, QLineEdit] = {}
        self.chips: dict[str, StatusChip] = {}
        self.tables: dict[str, QTableWidget] = {}
        body = QWidget()
        column = QVBoxLayout(body)
        for section in SECTIONS:
            box = QGroupBox(section.title)
            form = QFormLayout(box)
            for item in section.items:
                edit = QLineEdit(intake.value(item.name))
                edit.setObjectName(item.name)
                edit.setAccessibleName(f"{section.title} {item.label}")
                edit.textEdited.connect(lambda text, n=item.name: self._typed(n, text))
                chip = StatusChip()
                row = QHBoxLayout()
                row.addWidget(edit, 1)
                row.addWidget(chip)
                form.addRow(item.label + ("" if item.required else _(" (optional)")), row)
                self.edits[item.name], self.chips[item.name] = edit, chip
            column.addWidget(box)
        for g in GROUPS:
            column.addWidget(self._group_box(g))
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        self.who = QComboBox()
        self.card_button = QPushButton(_("Read ID card…"))
        self.card_button.clicked.connect(lambda: self.read_card_file(None))
        self.card_button.setEnabled(read_card is not None)
        self.status_line = QLabel()
        self.status_line.setWordWrap(True)
        self.save_button = QPushButton(_("Save"))
        self.save_button.clicked.connect(self.save)
        cancel = QPushButton(_("Cancel"))
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(QLabel(_("ID card of:")))
        buttons.addWidget(self.who)
        buttons.addWidget(self.card_button)
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.status_line)
        layout.addLayout(buttons)
        self.resize(820, 900)
        self.refresh()

    # -- groups ------------------------------------------------------------------
    def _group_box(self, g: Group) -> QGroupBox:
        box = QGroupBox(g.title)
        table = QTableWidget(0, len(g.columns))
        table.setObjectName(g.name)
        table.setHorizontalHeaderLabels([c.label for c in g.columns])
        table.itemChanged.connect(lambda item, name=g.name: self._cell_changed(name, item))
        add, remove = QPushButton(_("Add row")), QPushButton(_("Remove row"))
        add.setObjectName(f"{g.name}_add")
        remove.setObjectName(f"{g.name}_remove")
        add.clicked.connect(lambda _c=False, name=g.name: self.add_row(name))
        remove.clicked.connect(lambda _c=False, name=g.name: self.remove_row(name))
        side = QVBoxLayout()
        side.addWidget(add)
        side.addWidget(remove)
        side.addStretch(1)
        row = QHBoxLayout(box)
        row.addWidget(table, 1)
        row.addLayout(side)
        self.tables[g.name] = table
        return box

    def add_row(self, group_name: str) -> None:
        self.intake.add_row(group_name)
        self.refresh()

    def remove_row(self, group_name: str) -> None:
        rows = self.intake.groups.get(group_name, [])
        current = self.tables[group_name].currentRow()
        if rows:
            del rows[current if 0 <= current < len(rows) else len(rows) - 1]
        self.refresh()

    def _cell_changed(self, group_name: str, item: QTableWidgetItem) -> None:
        g = next(x for x in GROUPS if x.name == group_name)
        row = self.intake.groups[group_name][item.row()]
        key = g.columns[item.column()].name
        if item.text() != (row[key].value or ""):
            row[key] = FieldValue(item.text(), "ok", None, {"kind": "intake"})   # typed by a person
            self.refresh()

    # -- values ------------------------------------------------------------------
    def _typed(self, name: str, text: str) -> None:
        self.intake.set(name, text)
        self.refresh()

    def refresh(self) -> None:
        """Run the checks and show every value's status (and the people a card can go to)."""
        whole = check_intake(self.intake)
        for name, edit in self.edits.items():
            fv = self.intake.fields[name]
            if not edit.hasFocus() and edit.text() != (fv.value or ""):
                edit.setText(fv.value or "")     # normalised: full-width digits, 一百 → 100
            problems = "\n".join(fv.source.get("problems", []))
            self.chips[name].show_status(fv.status, status_text(fv.status), problems)
            edit.setToolTip(problems)
        for g in GROUPS:
            self._show_group(g)
        self.problems = [f"{where}: {s}" for where, s in self.intake.problems()] + whole
        self.status_line.setText(
            _("{count} values need a person: {first}", count=len(self.problems),
              first=self.problems[0]) if self.problems else _("Every value passed its checks."))
        self._people()

    def _show_group(self, g: Group) -> None:
        table, rows = self.tables[g.name], self.intake.groups.get(g.name, [])
        table.blockSignals(True)
        table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, column in enumerate(g.columns):
                fv = row[column.name]
                item = table.item(r, c)
                if item is None:
                    item = QTableWidgetItem()
                    table.setItem(r, c, item)
                if table.currentItem() is not item or item.text() != (fv.value or ""):
                    item.setText(fv.value or "")
                bg, fg = STATUS_COLOURS[fv.status] if fv.status != "ok" else ("", "")
                item.setBackground(QBrush(QColor(bg)) if bg else QBrush())
                item.setForeground(QBrush(QColor(fg)) if fg else QBrush())
                item.setData(STATUS_ROLE, fv.status)
                item.setToolTip("\n".join([status_text(fv.status), *fv.source.get("problems", [])]))
        table.blockSignals(False)

    def _people(self) -> None:
        current = self.who.currentData()
        self.who.clear()
        labels = {"legal_rep": "法定代表人", "supervisor": "监事", "agent": "委托代理人"}
        for who in PEOPLE:
            self.who.addItem(labels.get(who, who), who)
        for g in GROUPS:
            for i in range(len(self.intake.groups.get(g.name, [])) + 1):
                self.who.addItem(f"{g.title} {i + 1}", f"{g.name}:{i + 1}")
        if current:
            self.who.setCurrentIndex(max(0, self.who.findData(current)))

    # -- actions -----------------------------------------------------------------
    def read_card_file(self, path: str | None, who: str | None = None) -> bool:
        """Start reading the ID card at `path` (asked for when None) into `who` (the combo's
        person) off the main thread: OCR takes about a second and the form must not freeze.
        False when nothing was started; `reading` is True until the values are in."""
        if self.read_card is None or self.reading:
            return False
        if path is None:
            path, _filter = QFileDialog.getOpenFileName(
                self, _("Read ID card…"), "", _("Images (*.png *.jpg *.jpeg *.bmp *.tif *.tiff)"))
            if not path:
                return False
        person = who or self.who.currentData() or "legal_rep"
        read_card = self.read_card
        self._reading(True)
        self.status_line.setText(_("Reading the ID card…"))
        run_in_worker("deskhand-id-card", lambda: read_card(path),
                      lambda values: self._card_read(person, values), self._card_failed,
                      self._main)
        return True

    def _reading(self, on: bool) -> None:
        self.reading = on
        self.card_button.setEnabled(not on and self.read_card is not None)
        self.save_button.setEnabled(not on)     # saving now would lose the card's values

    def _card_read(self, who: str, values: dict[str, FieldValue]) -> None:
        self._reading(False)
        put_person(self.intake, who, values)
        for name, edit in self.edits.items():
            edit.setText(self.intake.value(name))
        self.refresh()

    def _card_failed(self, exc: BaseException) -> None:
        self._reading(False)
        self.refresh()
        if isinstance(exc, DeskhandError):
            self.status_line.setText(str(exc))
            return
        from app.logs import log_crash
        logged = log_crash(exc, "reading an ID card in the intake form")
        self.status_line.setText(
            _("The ID card could not be read because of an unexpected problem ({kind}); the "
              "details are in {path}. The form keeps what is typed.",
              kind=type(exc).__name__, path=logged) if logged else
            _("The ID card could not be read because of an unexpected problem ({kind}). The "
              "form keeps what is typed.", kind=type(exc).__name__))

    def save(self) -> bool:
        self.refresh()
        try:
            save_case(self.intake.to_case(self.scenario), self.output)
        except DeskhandError as exc:
            self.status_line.setText(str(exc))
            return False
        self.saved = True
        self.accept()
        return True


def run_intake_dialog(intake: Intake, read_card: ReadCard | None, output: Path,
                      scenario: str) -> int:
    """`deskhand intake` without --yes: 0 saved and every value passed; 1 saved with values
    that need a person, or closed without saving; 3 no display to show it on."""
    import sys

    from app.pipeline import load_settings
    from app.ui.app import _install_language, display_problem
    problem = display_problem()
    if problem:
        print(problem, file=sys.stderr)
        print(_("Without a display, give the form's answers in a file: deskhand intake SCENARIO "
                "--from ANSWERS.json -o CASE.json --yes."), file=sys.stderr)
        return 3
    app = QApplication.instance() or QApplication([sys.argv[0]])
    settings, _problems = load_settings()
    _install_language(app, getattr(settings, "language", "zh_CN"))
    dialog = IntakeDialog(intake, read_card, output, scenario)
    dialog.exec()
    if not dialog.saved:
        print(_("Closed without saving; nothing was written."), file=sys.stderr)
        return 1
    for line in dialog.problems:
        print("✗ " + line, file=sys.stderr)
    print(_("Case written to {path}.", path=output), file=sys.stderr)
    return 1 if dialog.problems else 0
