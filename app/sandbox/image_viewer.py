"""Show a picture 1:1 in a plain window: the sample sources on a test or demo screen.

    python -m app.sandbox.image_viewer --title "e龙岩 - 办件详情" /tmp/page.png [--pos X,Y]

The window is exactly the picture's size (no margins, no scaling: one image pixel
per device pixel) and prints READY on stdout once the picture has been painted.
The command line comes from app.sandbox.sources.show_image_argv.
"""
from __future__ import annotations

import argparse
import sys

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QApplication, QLabel


class _ImageLabel(QLabel):
    def __init__(self) -> None:
        super().__init__()
        self._announced = False

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().paintEvent(event)
        if not self._announced:
            self._announced = True
            print("READY", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.sandbox.image_viewer")
    parser.add_argument("path")
    parser.add_argument("--title", default="")
    parser.add_argument("--pos", default=None, help="X,Y of the window's top-left corner")
    args = parser.parse_args(argv)

    app = QApplication(sys.argv[:1])
    pixmap = QPixmap(args.path)
    if pixmap.isNull():
        print(f"cannot read a picture from {args.path}", file=sys.stderr, flush=True)
        return 2
    label = _ImageLabel()
    ratio = label.devicePixelRatioF() or 1.0
    pixmap.setDevicePixelRatio(ratio)
    label.setPixmap(pixmap)
    label.setContentsMargins(0, 0, 0, 0)
    label.setMargin(0)
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    label.setFixedSize(round(pixmap.width() / ratio), round(pixmap.height() / ratio))
    label.setWindowTitle(args.title or args.path)
    if args.pos:
        x, y = (int(v) for v in args.pos.split(","))
        label.move(x, y)
    label.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
