"""A decoy window for focus-guard tests: it records every key event it receives.

    python tests/targets/decoy_window.py --report-port N --title "诱饵窗口"

One QPlainTextEdit. Every KeyPress / KeyRelease and input-method commit that
reaches the window (or the editor) is recorded. A small HTTP server on
127.0.0.1 answers
    GET  /state -> {"text": ..., "keys": [{"type", "key", "text", "modifiers"}...],
                    "count": number of key presses + commits, "active": bool}
    POST /reset -> clears the text and the record
and `READY port=<n>` is printed on stdout once the window is shown.
A test proves that no keystroke went astray by checking that "count" stays 0.
"""
from __future__ import annotations

import argparse
import sys
import threading

from app.sandbox.report_server import reset_by, serve_reports
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QLabel, QPlainTextEdit, QVBoxLayout, QWidget


class Record:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.text = ""
        self.keys: list[dict] = []
        self.active = False

    def snapshot(self) -> dict:
        with self.lock:
            count = sum(1 for k in self.keys if k["type"] in ("press", "commit"))
            return {"text": self.text, "keys": list(self.keys), "count": count,
                    "active": self.active}


class Bridge(QObject):
    reset_requested = Signal(object)


class Decoy(QWidget):
    def __init__(self, title: str, record: Record, bridge: Bridge) -> None:
        super().__init__()
        self.record = record
        self.setWindowTitle(title)
        self.resize(500, 300)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("诱饵窗口：这里不应收到任何按键。"))
        self.edit = QPlainTextEdit()
        lay.addWidget(self.edit)
        self.edit.installEventFilter(self)
        self.installEventFilter(self)
        self.edit.textChanged.connect(self._text_changed)
        bridge.reset_requested.connect(self._reset, Qt.QueuedConnection)

    def eventFilter(self, obj, ev) -> bool:  # noqa: N802
        t = ev.type()
        entry = None
        if t in (QEvent.KeyPress, QEvent.KeyRelease) and not (obj is self and self.edit.hasFocus()):
            # (key events for the focused editor are recorded once, at the editor)
            entry = {"type": "press" if t == QEvent.KeyPress else "release", "key": int(ev.key()),
                     "text": ev.text(), "modifiers": int(ev.modifiers().value),
                     "native": int(ev.nativeScanCode()), "auto_repeat": ev.isAutoRepeat()}
        elif t == QEvent.InputMethod and ev.commitString():
            entry = {"type": "commit", "key": 0, "text": ev.commitString(), "modifiers": 0,
                     "native": 0, "auto_repeat": False}
        if entry is not None:
            with self.record.lock:
                self.record.keys.append(entry)
        return super().eventFilter(obj, ev)

    def changeEvent(self, ev) -> None:  # noqa: N802
        if ev.type() == QEvent.ActivationChange:
            with self.record.lock:
                self.record.active = self.isActiveWindow()
        super().changeEvent(ev)

    def _text_changed(self) -> None:
        text = self.edit.toPlainText()
        with self.record.lock:
            self.record.text = text

    def _reset(self, done: threading.Event) -> None:
        self.edit.clear()
        with self.record.lock:
            self.record.keys.clear()
            self.record.text = ""
        self.edit.setFocus()
        done.set()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Decoy window that records stray key events.")
    ap.add_argument("--report-port", type=int, default=0)
    ap.add_argument("--title", default="诱饵窗口")
    args = ap.parse_args(argv)

    app = QApplication(sys.argv[:1])
    record, bridge = Record(), Bridge()
    win = Decoy(args.title, record, bridge)
    server = serve_reports(args.report_port, record.snapshot, reset_by(bridge.reset_requested.emit))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    win.show()
    win.edit.setFocus()
    QTimer.singleShot(0, lambda: print(f"READY port={server.server_address[1]}", flush=True))
    try:
        return app.exec()
    finally:
        server.shutdown()


if __name__ == "__main__":
    sys.exit(main())
