"""The panes of the playbook editor (app/ui/editor.py): the source picture with each
field's box, the fields table, the fill steps list, and the YAML text with its problems.
Each pane shows what it is given and reports what the supervisor did through signals;
the editor turns those into edits of the document (playbooks/roundtrip.py)."""
from __future__ import annotations

from typing import Any, Sequence

from PIL import Image
from PySide6.QtCore import QModelIndex, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPen, QTextCursor
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel,
                               QListWidget, QListWidgetItem, QPlainTextEdit, QPushButton,
                               QScrollArea, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from app.ui.widgets import STATUS_COLOURS, PIXELATE, to_pixmap
from playbooks.model import FIELD_TYPES

__all__ = ["SourcePane", "FieldsTable", "StepsPane", "YamlPane", "one_line"]

NAME_ROLE = Qt.ItemDataRole.UserRole


def one_line(text: str) -> str:
    """A step's YAML on one line, for the list."""
    return " ".join(part.strip() for part in text.strip().splitlines())


def hide_boxes(image: Image.Image, boxes: Sequence[Sequence[int]]) -> Image.Image:
    """`image` with the parts in `boxes` pixelated (ID numbers, phones: PIPL)."""
    out = image.convert("RGB")
    for x, y, w, h in boxes:
        part = out.crop((x, y, x + w, y + h))
        small = part.resize((max(1, w // PIXELATE), max(1, h // PIXELATE)), Image.BILINEAR)
        out.paste(small.resize(part.size, Image.NEAREST), (x, y))
    return out


class SourcePane(QWidget):
    """The source picture, each field's box outlined in its status colour with its label
    above it, and the fields that were not found listed under the picture."""

    sample_chosen = Signal(int)
    reread = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.samples = QComboBox(self)
        self.samples.currentIndexChanged.connect(self.sample_chosen)
        self.read_button = QPushButton(self)
        self.read_button.clicked.connect(self.reread)
        self.picture = QLabel(self)
        self.picture.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        scroll = QScrollArea(self)
        scroll.setWidget(self.picture)
        scroll.setWidgetResizable(True)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.not_found = QListWidget(self)
        self.not_found.setMaximumHeight(110)
        top = QHBoxLayout()
        top.addWidget(self.samples, 1)
        top.addWidget(self.read_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.not_found)
        self.boxes: dict[str, tuple[int, int, int, int]] = {}   # field name → box (tests read it)
        self.retranslate()

    def retranslate(self) -> None:
        self.read_button.setText(self.tr("Read again"))
        self.samples.setToolTip(self.tr("The picture of the source: a sample, or the recording's"))

    def set_samples(self, names: list[str]) -> None:
        self.samples.blockSignals(True)
        self.samples.clear()
        self.samples.addItems(names)
        self.samples.blockSignals(False)

    def show_message(self, text: str) -> None:
        self.status.setText(text)

    def show_picture(self, image: Image.Image | None) -> None:
        self.boxes = {}
        self.not_found.clear()
        if image is None:
            self.picture.clear()
            self.picture.setText(self.tr("No picture of the source: add a sample beside the "
                                         "playbook (samples/<id>/<case>/source.png)."))
            return
        self.picture.setPixmap(to_pixmap(image))

    def show_fields(self, image: Image.Image, fields: Sequence[Any],
                    hidden: Sequence[str] = ()) -> None:
        """`fields`: app.trial.FieldRead; `hidden`: names whose boxes are pixelated."""
        self.boxes = {f.name: f.box for f in fields if f.box}
        shown = hide_boxes(image, [f.box for f in fields if f.box and f.name in hidden])
        pixmap = to_pixmap(shown)
        painter = QPainter(pixmap)
        font = QFont(painter.font())
        font.setPixelSize(14)
        painter.setFont(font)
        for f in fields:
            if not f.box:
                continue
            x, y, w, h = f.box
            colour = QColor(STATUS_COLOURS.get(f.status, STATUS_COLOURS["missing"])[0])
            painter.setPen(QPen(colour, 2))
            painter.drawRect(QRect(x, y, w, h))
            text = f"{f.label} ({f.name})"
            width = painter.fontMetrics().horizontalAdvance(text) + 6
            top = max(0, y - 18)
            painter.fillRect(QRect(x, top, width, 17), colour)
            painter.setPen(QPen(QColor("white")))
            painter.drawText(QRect(x + 3, top, width, 17), Qt.AlignmentFlag.AlignVCenter, text)
        painter.end()
        self.picture.setPixmap(pixmap)
        self.not_found.clear()
        for f in fields:
            if not f.box:
                item = QListWidgetItem(self.tr("Not found: {0} ({1}) — {2}").format(
                    f.label, f.name, f.status))
                item.setData(NAME_ROLE, f.name)
                self.not_found.addItem(item)

    def not_found_names(self) -> list[str]:
        return [self.not_found.item(i).data(NAME_ROLE) for i in range(self.not_found.count())]


class FieldsTable(QTableWidget):
    """name, 标签, type of each field; an edited cell is reported, the table redrawn by the
    editor from the document afterwards."""

    renamed = Signal(str, str)          # old name, new name
    field_changed = Signal(str, str, str)   # name, key (label / type), value

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, 3, parent)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.verticalHeader().setVisible(False)
        self.itemChanged.connect(self._changed)
        self.retranslate()

    def retranslate(self) -> None:
        self.setHorizontalHeaderLabels([self.tr("Name"), self.tr("Label"), self.tr("Type")])

    def show_fields(self, fields: Sequence[Any]) -> None:
        """`fields`: the document's field mappings (name, label, type)."""
        self.blockSignals(True)
        self.setRowCount(len(fields))
        for row, f in enumerate(fields):
            name = str(f.get("name", ""))
            for col, text in enumerate((name, f.get("label") or "", f.get("type") or "text")):
                item = QTableWidgetItem(str(text))
                item.setData(NAME_ROLE, name)
                if col == 2:
                    item.setToolTip(" | ".join(FIELD_TYPES))
                self.setItem(row, col, item)
        self.blockSignals(False)

    def _changed(self, item: QTableWidgetItem) -> None:
        name = item.data(NAME_ROLE)
        text = item.text().strip()
        if item.column() == 0:
            if text and text != name:
                self.renamed.emit(name, text)
        else:
            self.field_changed.emit(name, "label" if item.column() == 1 else "type", text)


class StepsPane(QWidget):
    """The fill steps, one line each: drag to reorder; buttons to move, delete, insert
    and edit (the editor asks for the YAML of an inserted or edited step)."""

    moved = Signal(int, int)            # from, to
    deleted = Signal(int)
    insert_requested = Signal(int)      # before this index
    edit_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.list = QListWidget(self)
        self.list.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.list.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.list.model().rowsMoved.connect(self._rows_moved)
        self.list.itemDoubleClicked.connect(lambda item: self.edit_requested.emit(self.list.row(item)))
        self.up, self.down = QPushButton(self), QPushButton(self)
        self.delete, self.insert, self.edit = QPushButton(self), QPushButton(self), QPushButton(self)
        self.up.clicked.connect(lambda: self._move_current(-1))
        self.down.clicked.connect(lambda: self._move_current(1))
        self.delete.clicked.connect(lambda: self._with_current(self.deleted.emit))
        self.insert.clicked.connect(lambda: self.insert_requested.emit(
            max(0, self.list.currentRow()) if self.list.count() else 0))
        self.edit.clicked.connect(lambda: self._with_current(self.edit_requested.emit))
        buttons = QHBoxLayout()
        for b in (self.up, self.down, self.insert, self.edit, self.delete):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        self.retranslate()

    def retranslate(self) -> None:
        self.up.setText(self.tr("Up"))
        self.down.setText(self.tr("Down"))
        self.delete.setText(self.tr("Delete"))
        self.insert.setText(self.tr("Insert…"))
        self.edit.setText(self.tr("Edit…"))
        self.list.setToolTip(self.tr("Drag a step to move it; double-click to edit it"))

    def show_steps(self, lines: list[str], current: int | None = None) -> None:
        self.list.blockSignals(True)
        self.list.model().blockSignals(True)
        self.list.clear()
        for i, text in enumerate(lines):
            self.list.addItem(f"{i + 1}. {text}")
        self.list.model().blockSignals(False)
        self.list.blockSignals(False)
        if current is not None and 0 <= current < len(lines):
            self.list.setCurrentRow(current)

    def steps(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]

    def _rows_moved(self, _parent: QModelIndex, start: int, end: int, _dest: QModelIndex,
                    row: int) -> None:
        if start != end:
            return
        # Qt gives the row the item went in front of, counted before it was taken out.
        self.moved.emit(start, row - 1 if row > start else row)

    def _with_current(self, emit: Any) -> None:
        row = self.list.currentRow()
        if row >= 0:
            emit(row)

    def _move_current(self, by: int) -> None:
        row = self.list.currentRow()
        if row >= 0 and 0 <= row + by < self.list.count():
            self.moved.emit(row, row + by)


class YamlPane(QWidget):
    """The playbook's text and, under it, the loader's problems (`file:line: message`);
    clicking a problem puts the cursor on its line. `edited` fires a moment after the
    supervisor stops typing."""

    edited = Signal(str)
    PAUSE_MS = 400

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text = QPlainTextEdit(self)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self.text.setFont(mono)
        self.problems = QListWidget(self)
        self.problems.setMaximumHeight(130)
        self.problems.itemClicked.connect(self._go_to)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(self.PAUSE_MS)
        self._timer.timeout.connect(lambda: self.edited.emit(self.text.toPlainText()))
        self.text.textChanged.connect(self._timer.start)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.problems)

    def set_text(self, text: str) -> None:
        """Show `text` without reporting it as an edit."""
        if text == self.text.toPlainText():
            return
        self.text.blockSignals(True)
        bar = self.text.verticalScrollBar().value()
        self.text.setPlainText(text)
        self.text.verticalScrollBar().setValue(bar)
        self.text.blockSignals(False)

    def flush(self) -> None:
        """Report a pending edit now (before saving)."""
        if self._timer.isActive():
            self._timer.stop()
            self.edited.emit(self.text.toPlainText())

    def show_problems(self, problems: Sequence[Any]) -> None:
        self.problems.clear()
        for p in problems:
            item = QListWidgetItem(str(p))
            item.setData(NAME_ROLE, getattr(p, "line", 0))
            item.setForeground(QColor(STATUS_COLOURS["invalid"][0]))
            self.problems.addItem(item)

    def _go_to(self, item: QListWidgetItem) -> None:
        line = int(item.data(NAME_ROLE) or 0)
        block = self.text.document().findBlockByLineNumber(max(0, line - 1))
        cursor = QTextCursor(block)
        self.text.setTextCursor(cursor)
        self.text.setFocus()
