"""A Qt form whose labels are plain QLabels in a grid, tied to nothing: no buddy, no
accessible name, no labelled-by relation — as older Qt forms and hand-made panels are. A
person reads each label beside or above its box; the accessibility backend must find it by
geometry. Also a read-only box and a disabled box, which must be refused.

    python tests/targets/grid_form.py --report-port N --title "网格表单"

GET /state -> {"fields": {name: text}}; POST /reset clears the editable boxes.
`READY port=<n>` is printed once the window is shown.
"""
from __future__ import annotations

import argparse
import sys
import threading

from app.sandbox.report_server import reset_by, serve_reports
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (QApplication, QGridLayout, QLabel, QLineEdit, QPlainTextEdit,
                               QVBoxLayout, QWidget)

ROWS = (("name", "姓名："), ("phone", "联系电话："), ("fixed", "档案编号："), ("off", "停用项："))


class Bridge(QObject):
    reset_requested = Signal(object)


class GridForm(QWidget):
    def __init__(self, title: str, bridge: Bridge) -> None:
        super().__init__()
        self.setWindowTitle(title)
        self.resize(520, 360)
        self.lock = threading.Lock()
        self.values: dict[str, str] = {}
        outer = QVBoxLayout(self)
        grid = QGridLayout()
        self.boxes: dict[str, QLineEdit | QPlainTextEdit] = {}
        for row, (name, label) in enumerate(ROWS):
            grid.addWidget(QLabel(label), row, 0, Qt.AlignRight | Qt.AlignVCenter)
            box = QLineEdit()
            grid.addWidget(box, row, 1)
            self.boxes[name] = box
        self.boxes["fixed"].setText("DA-0001")
        self.boxes["fixed"].setReadOnly(True)
        self.boxes["off"].setEnabled(False)
        outer.addLayout(grid)
        outer.addWidget(QLabel("情况说明"))                 # a caption above its box
        notes = QPlainTextEdit()
        outer.addWidget(notes)
        self.boxes["notes"] = notes
        for box in self.boxes.values():
            box.textChanged.connect(self._changed)
        bridge.reset_requested.connect(self._reset, Qt.QueuedConnection)
        self._changed()

    def _changed(self, *_args) -> None:
        values = {n: (b.toPlainText() if isinstance(b, QPlainTextEdit) else b.text())
                  for n, b in self.boxes.items()}
        with self.lock:
            self.values = values

    def state(self) -> dict:
        with self.lock:
            return {"fields": dict(self.values)}

    def _reset(self, done: threading.Event) -> None:
        for name in ("name", "phone", "notes"):
            self.boxes[name].clear()
        self.boxes["name"].setFocus()
        done.set()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Qt form with labels tied to nothing.")
    ap.add_argument("--report-port", type=int, default=0)
    ap.add_argument("--title", default="网格表单")
    args = ap.parse_args(argv)
    app = QApplication(sys.argv[:1])
    bridge = Bridge()
    win = GridForm(args.title, bridge)
    server = serve_reports(args.report_port, win.state, reset_by(bridge.reset_requested.emit))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    win.show()
    QTimer.singleShot(0, lambda: print(f"READY port={server.server_address[1]}", flush=True))
    try:
        return app.exec()
    finally:
        server.shutdown()


if __name__ == "__main__":
    sys.exit(main())
