"""Render the tray icon (app/ui/icons.py) as PNG files for the desktop menu, at build time.
usage: python installer/render_icon.py OUT_DIR SIZE...   → OUT_DIR/<n>x<n>/apps/deskhand.png"""
from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main(out: Path, sizes: list[int]) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")   # no display needed at build time
    from PySide6.QtGui import QGuiApplication
    from app.ui.icons import BLUE, _pixmap
    app = QGuiApplication([])   # noqa: F841  (QPixmap needs the application)
    for n in sizes:
        path = out / f"{n}x{n}" / "apps" / "deskhand.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        if not _pixmap(n, BLUE).save(str(path), "PNG"):
            raise SystemExit(f"could not write {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), [int(s) for s in sys.argv[2:]]))
