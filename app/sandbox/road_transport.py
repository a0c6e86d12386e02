"""The sandbox 道路运政 system: a legacy-looking window listing road-transport practitioners
in a dense grey grid with a photo thumbnail a row, paged 第 n/N 页 with 上一页 / 下一页 buttons
(and PageDown / PageUp), reporting its own state.

    python -m app.sandbox.road_transport [--report-port N] [--title T] [--seed S]
                                         [--count 23] [--per-page 10] [--conflict]

GET /state -> {"page": n, "pages": N, "rows": [{seq, name, …, photo_seed}], "selected": i|null,
               "next_enabled": bool, "truth": [every distinct record], "active": bool, "seq": k}
POST /reset -> back to page 1, nothing selected. Prints `READY port=N` once shown.
The records and pages are app/sandbox/road_records.py's (the last page repeats a record of
the page before; with --conflict, with another 资格证号).
"""
from __future__ import annotations

import argparse
import sys
import threading

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QFont, QImage, QPixmap
from PySide6.QtWidgets import (QAbstractItemView, QApplication, QHBoxLayout, QHeaderView,
                               QLabel, QPushButton, QTableWidget, QTableWidgetItem,
                               QVBoxLayout, QWidget)

from app.sandbox.report_server import reset_by, serve_reports
from app.sandbox.road_records import COLUMNS, PHOTO_SIZE, face, paged, practitioners

TITLE = "道路运政管理信息系统 - 从业人员信息查询"
ROW_HEIGHT = PHOTO_SIZE[1] + 8
STYLE = """
QWidget#root { background: #d4d0c8; }
QLabel#banner { background: #0a246a; color: white; padding: 4px 8px; font-weight: bold; }
QTableWidget { background: white; gridline-color: #a0a0a0; border: 1px solid #404040; }
QTableWidget::item { padding-left: 6px; }
QHeaderView::section { background: #d4d0c8; color: black; border: 1px solid #808080;
                       padding: 2px 2px 2px 6px; }
QPushButton { background: #d4d0c8; border: 2px outset #ffffff; padding: 2px 10px; }
QPushButton:disabled { color: #808080; }
"""
CENTRED_STYLE = STYLE.replace("gridline-color: #a0a0a0", "gridline-color: #303030").replace(
    "padding: 2px 2px 2px 6px", "padding: 2px")


def _pixmap(seed: int) -> QPixmap:
    img = face(seed)
    data = img.tobytes("raw", "RGB")
    q = QImage(data, img.width, img.height, 3 * img.width, QImage.Format_RGB888)
    return QPixmap.fromImage(q.copy())


class Bridge(QObject):
    reset_requested = Signal(object)


class RoadWindow(QWidget):
    def __init__(self, title: str, pages: list, truth: list, look: str = "legacy") -> None:
        super().__init__()
        self.pages, self.truth = pages, truth
        self.page = 0
        self._lock = threading.Lock()
        self._state: dict = {}
        self._seq = 0
        self.setObjectName("root")
        self.setWindowTitle(title)
        # "centred": headers centred over left-aligned cells and dark grid lines, the look
        # the table reader was not tuned on
        self.setStyleSheet(STYLE if look == "legacy" else CENTRED_STYLE)
        self.resize(1040, 100 + ROW_HEIGHT * max(len(p) for p in pages) + 90)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(6, 6, 6, 6)
        banner = QLabel("道路运政管理信息系统 · 从业人员管理 › 从业资格证信息查询")
        banner.setObjectName("banner")
        outer.addWidget(banner)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([h for _k, h in COLUMNS])
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.table.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.Fixed)
        header.setDefaultAlignment((Qt.AlignLeft if look == "legacy" else Qt.AlignHCenter)
                                   | Qt.AlignVCenter)
        for k, width in enumerate((44, 48, 80, 44, 190, 170, 180, 110, 110)):
            self.table.setColumnWidth(k, width)
        self.table.installEventFilter(self)
        self.table.itemSelectionChanged.connect(self._changed)
        outer.addWidget(self.table, 1)
        bar = QHBoxLayout()
        self.total = QLabel("")
        self.pager = QLabel("")
        self.prev_button = QPushButton("上一页")
        self.next_button = QPushButton("下一页")
        self.prev_button.clicked.connect(lambda: self.turn(-1))
        self.next_button.clicked.connect(lambda: self.turn(1))
        bar.addStretch(1)
        for w in (self.total, self.pager, self.prev_button, self.next_button):
            bar.addWidget(w)
        outer.addLayout(bar)
        self.show_page()

    # ------------------------------------------------------------ behaviour
    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt name)
        # the grid would scroll on PageDown; here, as in the legacy client, it turns the page
        if event.type() == event.Type.KeyPress and event.key() in (Qt.Key_PageDown, Qt.Key_PageUp):
            self.turn(1 if event.key() == Qt.Key_PageDown else -1)
            return True
        return super().eventFilter(obj, event)

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt name)
        if event.key() in (Qt.Key_PageDown, Qt.Key_PageUp):
            self.turn(1 if event.key() == Qt.Key_PageDown else -1)
            return
        super().keyPressEvent(event)

    def turn(self, step: int) -> None:
        page = min(max(0, self.page + step), len(self.pages) - 1)
        if page != self.page:
            self.page = page
            self.show_page()

    def show_page(self) -> None:
        rows = self.pages[self.page]
        self.table.clearSelection()
        self.table.setRowCount(len(rows))
        first = sum(len(p) for p in self.pages[:self.page])
        for i, r in enumerate(rows):
            values = {"seq": str(first + i + 1), **r.row()}
            for k, (key, _h) in enumerate(COLUMNS):
                if key == "photo":
                    label = QLabel()
                    label.setAlignment(Qt.AlignCenter)
                    label.setPixmap(_pixmap(r.photo_seed))
                    self.table.setCellWidget(i, k, label)
                    continue
                item = QTableWidgetItem(values[key])
                item.setTextAlignment(Qt.AlignLeft | Qt.AlignVCenter)
                self.table.setItem(i, k, item)
        n = len(self.pages)
        self.total.setText(f"共 {sum(len(p) for p in self.pages)} 条")
        self.pager.setText(f"第 {self.page + 1}/{n} 页")
        self.prev_button.setEnabled(self.page > 0)
        self.next_button.setEnabled(self.page + 1 < n)
        self.table.setFocus(Qt.OtherFocusReason)
        self._changed()

    def changeEvent(self, event) -> None:  # noqa: N802
        if event.type() == event.Type.ActivationChange:
            self._changed()
        super().changeEvent(event)

    def _changed(self, *_args) -> None:
        """The snapshot the server thread reads (written here, on the GUI thread)."""
        rows = self.pages[self.page]
        first = sum(len(p) for p in self.pages[:self.page])
        picked = self.table.selectionModel().selectedRows()
        doc = {"page": self.page + 1, "pages": len(self.pages),
               "rows": [{"seq": str(first + i + 1), **r.row(), "photo_seed": r.photo_seed}
                        for i, r in enumerate(rows)],
               "selected": picked[0].row() if picked else None,
               "next_enabled": self.next_button.isEnabled(),
               "truth": [{**r.row(), "photo_seed": r.photo_seed} for r in self.truth],
               "active": self.isActiveWindow()}
        with self._lock:
            if {k: v for k, v in self._state.items() if k != "seq"} != doc:
                self._seq += 1
                self._state = {**doc, "seq": self._seq}

    def state(self) -> dict:
        with self._lock:
            return dict(self._state)

    @Slot(object)
    def reset(self, done: threading.Event | None = None) -> None:
        self.page = 0
        self.show_page()
        if done is not None:
            done.set()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m app.sandbox.road_transport",
                                 description="Sample 道路运政 system (a paged grid) for Deskhand.")
    ap.add_argument("--report-port", type=int, default=0)
    ap.add_argument("--title", default=TITLE)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--count", type=int, default=23)
    ap.add_argument("--per-page", type=int, default=10)
    ap.add_argument("--conflict", action="store_true",
                    help="the record shown twice shows another 资格证号 the second time")
    ap.add_argument("--look", choices=("legacy", "centred"), default="legacy")
    args = ap.parse_args(argv)
    truth = practitioners(args.seed, args.count)
    pages = paged(truth, args.per_page, conflict=args.conflict)

    app = QApplication(sys.argv[:1])
    app.setApplicationName("sample-road-transport")
    f = QFont()
    f.setFamilies(["SimSun", "Noto Sans CJK SC", "Sans Serif"])
    f.setPointSize(10)
    app.setFont(f)
    window = RoadWindow(args.title, pages, truth, args.look)
    bridge = Bridge()
    bridge.reset_requested.connect(window.reset, Qt.QueuedConnection)
    server = serve_reports(args.report_port, window.state, reset_by(bridge.reset_requested.emit))
    threading.Thread(target=server.serve_forever, name="report-server", daemon=True).start()
    window.show()
    window.raise_()
    window.activateWindow()
    QTimer.singleShot(0, lambda: print(f"READY port={server.server_address[1]}", flush=True))
    try:
        return app.exec()
    finally:
        server.shutdown()
        server.server_close()


if __name__ == "__main__":
    sys.exit(main())
