"""The tray icon, drawn rather than shipped as a picture: crisp at every size a tray
asks for, and recoloured for the busy state without extra files."""
from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap

__all__ = ["tray_icon"]

BLUE = QColor(22, 93, 170)      # 政务蓝
AMBER = QColor(214, 137, 16)


def _pixmap(size: int, colour: QColor) -> QPixmap:
    pm = QPixmap(size, size)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setBrush(colour)
    p.setPen(Qt.PenStyle.NoPen)
    r = size * 0.18
    p.drawRoundedRect(QRectF(0, 0, size, size), r, r)
    p.setPen(QColor("white"))
    font = QFont()
    font.setPixelSize(int(size * 0.62))
    font.setBold(True)
    p.setFont(font)
    p.drawText(QRectF(0, 0, size, size), Qt.AlignmentFlag.AlignCenter, "窗")
    p.end()
    return pm


def tray_icon(busy: bool = False) -> QIcon:
    icon = QIcon()
    for size in (16, 22, 24, 32, 48, 64):
        icon.addPixmap(_pixmap(size, AMBER if busy else BLUE))
    return icon
