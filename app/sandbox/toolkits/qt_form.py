"""The approval form in Qt (spec.py), reporting its own state on 127.0.0.1.

    python -m app.sandbox.toolkits.qt_form [--report-port N] [--title T]

The same form as the GTK, Tk, Swing and web ones (app/sandbox/sample_client.py is the
older 13-field intake form the fill tests use). Labels are tied with QLabel.setBuddy
(AT-SPI `labelled-by`), except 电子邮箱 (spec.UNLABELLED). Prints `READY port=N` once
the window is shown. Run with QT_LINUX_ACCESSIBILITY_ALWAYS_ON=1 to show in the AT-SPI tree.
"""
from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (QApplication, QButtonGroup, QCheckBox, QComboBox, QGridLayout,
                               QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit, QPushButton,
                               QRadioButton, QVBoxLayout, QWidget)

from app.sandbox.toolkits import spec
from app.sandbox.toolkits.serve import form_arguments, run_form


class Poster(QObject):
    """Runs callables on the GUI thread (a queued signal), for the report server."""

    call = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.call.connect(self._run, Qt.QueuedConnection)

    @Slot(object)
    def _run(self, fn) -> None:
        fn()


class QtForm(QWidget):
    def __init__(self, title: str, form: spec.FormSpec = spec.APPROVAL) -> None:
        super().__init__()
        self.spec = form
        self.title = title
        self.status_text = ""
        self.submitted: dict | None = None
        # every 提交 kept, like a real client's saved applications (a batch's judge: one
        # record per case, none twice); POST /reset keeps them
        self.records: list[dict] = []
        self.counter = spec.StateCounter()
        self.setWindowTitle(title)
        self.resize(760, 860)
        outer = QVBoxLayout(self)
        heading = QLabel(form.heading)
        heading.setStyleSheet("background: #1f4e8c; color: white; padding: 10px 16px; "
                              "font-size: 18px; font-weight: bold;")
        outer.addWidget(heading)
        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        outer.addLayout(grid)
        self.widgets: dict[str, QWidget] = {}
        self.stops: dict[str, list[QWidget]] = {}
        self.owner: dict[QWidget, str] = {}
        self.groups: dict[str, QButtonGroup] = {}
        self.previews: dict[str, QLabel] = {}
        self.photos: dict[str, dict] = {}     # name -> the shown file's sha256 and size
        for row, f in enumerate(form.fields):
            self._add_row(grid, row, f)
        bottom = QHBoxLayout()
        self.status = QLabel("")
        self.submit = QPushButton(form.submit)
        self.submit.clicked.connect(self._on_submit)
        self.owner[self.submit] = "submit"
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.submit)
        grid.addLayout(bottom, len(form.fields), 1)
        outer.addStretch(1)
        # Tab order from the spec, not from the drawing (邮政编码 comes later).
        chain = [w for n in form.tab_order for w in self.stops[n]] + [self.submit]
        for a, b in zip(chain, chain[1:]):
            QWidget.setTabOrder(a, b)
        for f in form.fields:       # a choice may enable another box (婚姻状况 → 配偶姓名)
            if f.kind == spec.SELECT:
                self.widgets[f.name].currentIndexChanged.connect(self._apply_conditions)
        self._apply_conditions()
        # Ctrl+N: an empty form for the next application (a batch's `new` step)
        QShortcut(QKeySequence("Ctrl+N"), self, activated=self.new_form)

    def new_form(self) -> None:
        """Ctrl+N: an empty form for the next application (a form may clear more)."""
        self.reset()

    def _add_row(self, grid: QGridLayout, row: int, f: spec.Field) -> None:
        label = None
        if f.kind != spec.CHECK:
            label = QLabel(f"{f.label}：")
            label.setAlignment(Qt.AlignRight | Qt.AlignVCenter)
            grid.addWidget(label, row, 0)
        if f.kind in (spec.TEXT, spec.READONLY):
            w = QLineEdit(f.initial)
            w.setEnabled(f.kind != spec.READONLY)
            stops = [w]
        elif f.kind == spec.PHOTO:
            box = QWidget()
            lay = QHBoxLayout(box)
            lay.setContentsMargins(0, 0, 0, 0)
            w = QLineEdit()
            preview = QLabel("（无照片）")
            preview.setFixedSize(96, 120)
            preview.setAlignment(Qt.AlignCenter)
            preview.setStyleSheet("border: 1px solid #aab4c2;")
            lay.addWidget(w, 1)
            lay.addWidget(preview)
            self.previews[f.name] = preview
            w.textChanged.connect(lambda text, name=f.name: self._show_photo(name, text))
            grid.addWidget(box, row, 1)
            stops = [w]
        elif f.kind == spec.MULTILINE:
            w = QPlainTextEdit()
            w.setTabChangesFocus(True)
            w.setFixedHeight(64)
            stops = [w]
        elif f.kind == spec.RADIO:
            w = QWidget()
            w.setAccessibleName(f.label)
            lay = QHBoxLayout(w)
            lay.setContentsMargins(0, 0, 0, 0)
            group = self.groups[f.name] = QButtonGroup(w)
            for option in f.options:
                b = QRadioButton(option)
                group.addButton(b)
                lay.addWidget(b)
                self.owner[b] = f.name
            lay.addStretch(1)
            stops = list(group.buttons())
        elif f.kind == spec.SELECT:
            w = QComboBox()
            for option in (spec.NONE_CHOSEN, *f.options):
                w.addItem(option)
            stops = [w]
        elif f.kind == spec.CHECK:
            w = QCheckBox(f.label)
            stops = [w]
        else:  # pragma: no cover
            raise ValueError(f.kind)
        if f.kind != spec.PHOTO:
            grid.addWidget(w, row, 1)
        self.widgets[f.name] = w
        self.stops[f.name] = stops
        self.owner.setdefault(w, f.name)
        if label is not None and f.labelled:
            label.setBuddy(stops[0] if f.kind != spec.RADIO else w)

    # ------------------------------------------------------------ behaviour
    def _show_photo(self, name: str, path: str) -> None:
        """The picture at `path` beside its box, when it is a picture; its file's SHA-256
        (and size) in the state, so a test can judge the photo by the form's own report."""
        import hashlib
        import os
        from PySide6.QtGui import QPixmap
        preview = self.previews[name]
        pixmap = QPixmap(path) if path and os.path.isfile(path) else QPixmap()
        if pixmap.isNull():
            preview.setPixmap(QPixmap())
            preview.setText("（无照片）")
            self.photos.pop(name, None)
            return
        preview.setPixmap(pixmap.scaled(preview.size(), Qt.KeepAspectRatio))
        with open(path, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        self.photos[name] = {"sha256": digest, "width": pixmap.width(), "height": pixmap.height()}

    def _apply_conditions(self, *_args) -> None:
        values = self.values()
        for f in self.spec.fields:
            if f.enabled_when is not None:
                self.widgets[f.name].setEnabled(spec.is_enabled(f, values))

    def _on_submit(self) -> None:
        if self.spec.issues:
            name, number = self.spec.issues
            self.widgets[name].setText(number)
        self.submitted = self.values()
        self.records.append({"fields": dict(self.submitted),
                             "photos": {n: self.photos.get(n) for n in self.previews}})
        self.status_text = self.spec.submitted_status
        self.status.setText(self.status_text)

    def values(self) -> dict:
        out: dict = {}
        for f in self.spec.fields:
            w = self.widgets[f.name]
            if f.kind == spec.MULTILINE:
                out[f.name] = w.toPlainText()
            elif f.kind == spec.RADIO:
                b = self.groups[f.name].checkedButton()
                out[f.name] = b.text() if b is not None else ""
            elif f.kind == spec.SELECT:
                out[f.name] = "" if w.currentIndex() <= 0 else w.currentText()
            elif f.kind == spec.CHECK:
                out[f.name] = w.isChecked()
            else:
                out[f.name] = w.text()
        return out

    def focused(self) -> str | None:
        w = QApplication.focusWidget()
        while w is not None:
            if w in self.owner:
                return self.owner[w]
            w = w.parentWidget()
        return None

    def state(self) -> dict:
        enabled = {f.name: self.widgets[f.name].isEnabled() for f in self.spec.fields}
        doc = self.spec.state_document(
            "qt", self.title, self.values(), enabled, self.focused(), self.isActiveWindow(),
            self.status_text, self.submitted)
        if self.previews:
            doc["photos"] = {name: self.photos.get(name) for name in self.previews}
        doc["records"] = self.records
        return self.counter(doc)

    def reset(self) -> None:
        for f in self.spec.fields:
            w = self.widgets[f.name]
            if f.kind == spec.MULTILINE:
                w.clear()
            elif f.kind == spec.RADIO:
                group = self.groups[f.name]
                group.setExclusive(False)
                for b in group.buttons():
                    b.setChecked(False)
                group.setExclusive(True)
            elif f.kind == spec.SELECT:
                w.setCurrentIndex(0)
            elif f.kind == spec.CHECK:
                w.setChecked(False)
            else:
                w.setText(f.initial)
        self.submitted, self.status_text = None, ""
        self.status.clear()
        self.widgets[self.spec.first].setFocus(Qt.OtherFocusReason)


def main(argv: list[str] | None = None) -> int:
    args = form_arguments("qt", argv)
    app = QApplication(sys.argv[:1])
    font = QFont()
    font.setFamilies(["Noto Sans CJK SC", "Noto Sans SC", "Sans Serif"])
    font.setPointSize(11)
    app.setFont(font)
    form = QtForm(args.title, spec.form_spec(args.spec))
    form.show()
    form.raise_()
    form.activateWindow()
    poster = Poster()         # kept referenced while the loop runs
    return run_form(args.report_port, poster.call.emit, form.state, form.reset,
                    main_loop=app.exec, later=lambda fn: QTimer.singleShot(0, fn),
                    focus_first=lambda: form.widgets[form.spec.first].setFocus(Qt.OtherFocusReason))


if __name__ == "__main__":
    sys.exit(main())
