"""The demo's short guide: what to press, where. Non-modal, on top, never in the way
of the keys (it does not take focus when shown)."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

__all__ = ["DemoGuide"]


class DemoGuide(QWidget):
    def __init__(self, capture_key: str, fill_key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Tool | Qt.WindowType.WindowStaysOnTopHint)
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setWindowTitle(self.tr("Deskhand demo: how it works"))
        self.text = QLabel(self.tr(
            "<b>Deskhand demo</b><ol>"
            "<li>The citizen portal page (e龙岩 · 办件详情) is the source: press <b>{0}</b>. "
            "Deskhand reads it, checks every field and confirms it with the registry.</li>"
            "<li>Look at the review: edit anything, then press <b>Enter</b>.</li>"
            "<li>Click into the first field of the approval client (城市审批系统) and press "
            "<b>{1}</b>: Deskhand types the case and reads every field back.</li></ol>"
            "The tray icon 窗 holds the playbooks, settings and logs.").format(capture_key, fill_key))
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        close = QPushButton(self.tr("Got it"))
        close.clicked.connect(self.close)
        lay = QVBoxLayout(self)
        lay.addWidget(self.text)
        lay.addWidget(close, alignment=Qt.AlignmentFlag.AlignRight)
        self.resize(460, 220)
