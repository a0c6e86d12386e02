"""A Qt form whose layout changes under the labels: F2 opens a row above them (曾用名,
one row's height), F3 a tall notice at the top. A click next to a label at the position
it had before lands in another box — what tests/test_anchors_e2e.py checks never happens.

    python tests/targets/shifting_form.py --report-port N --title "变动表单"

GET /state -> {"fields": {name: text}, "shifts": n, "focused": name | null};
POST /reset clears the boxes, closes the row and the notice, focus in 姓名.
`READY port=<n>` is printed once the window is shown.
"""
from __future__ import annotations

import sys

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QApplication, QGridLayout, QLabel, QLineEdit, QVBoxLayout,
                               QWidget)

from app.sandbox.toolkits.qt_form import Poster
from app.sandbox.toolkits.serve import form_arguments, run_form

ROWS = (("former_name", "曾用名："), ("applicant_name", "姓名："), ("ethnicity", "民族："),
        ("address", "住址："), ("employer", "工作单位："))


class ShiftingForm(QWidget):
    def __init__(self, title: str) -> None:
        super().__init__()
        self.setWindowTitle(title)
        self.resize(560, 520)
        outer = QVBoxLayout(self)
        self.notice = QLabel("请注意：本表单已更新，请核对下列信息后再提交。")
        self.notice.setFixedHeight(180)
        self.notice.setAlignment(Qt.AlignLeft | Qt.AlignTop)
        outer.addWidget(self.notice)
        grid = QGridLayout()
        outer.addLayout(grid)
        outer.addStretch(1)
        self.boxes: dict[str, QLineEdit] = {}
        self.labels: dict[str, QLabel] = {}
        for row, (name, text) in enumerate(ROWS):
            self.labels[name] = label = QLabel(text)
            grid.addWidget(label, row, 0, Qt.AlignRight | Qt.AlignVCenter)
            self.boxes[name] = box = QLineEdit()
            grid.addWidget(box, row, 1)
        QShortcut(QKeySequence("F2"), self, self._open_row)
        QShortcut(QKeySequence("F3"), self, self._open_notice)
        self.shifts = 0
        self._close()

    def _open_row(self) -> None:
        self.labels["former_name"].show()
        self.boxes["former_name"].show()
        self._shifted()

    def _open_notice(self) -> None:
        self.notice.show()
        self._shifted()

    def _shifted(self) -> None:
        # Reported only once the new layout is on screen.
        QTimer.singleShot(50, lambda: setattr(self, "shifts", self.shifts + 1))

    def _close(self) -> None:
        self.notice.hide()
        self.labels["former_name"].hide()
        self.boxes["former_name"].hide()

    def state(self) -> dict:
        focus = QApplication.focusWidget()
        return {"fields": {n: b.text() for n, b in self.boxes.items()}, "shifts": self.shifts,
                "focused": next((n for n, b in self.boxes.items() if b is focus), None)}

    def reset(self) -> None:
        for box in self.boxes.values():
            box.clear()
        self._close()
        self.shifts = 0
        self.boxes["applicant_name"].setFocus()


def main(argv: list[str] | None = None) -> int:
    args = form_arguments("qt", argv)
    app = QApplication(sys.argv[:1])
    form = ShiftingForm(args.title)
    form.show()
    poster = Poster()         # kept referenced while the loop runs
    return run_form(args.report_port, poster.call.emit, form.state, form.reset,
                    main_loop=app.exec, later=lambda fn: QTimer.singleShot(0, fn),
                    focus_first=lambda: form.boxes["applicant_name"].setFocus())


if __name__ == "__main__":
    sys.exit(main())
