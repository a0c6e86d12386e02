"""Small pieces the review dialog, the fill overlay and the summary share: source crops,
PIL → Qt conversion, masking decisions and the status chip."""
from __future__ import annotations

from collections.abc import Callable, Sequence

from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QDialog, QLabel, QWidget

from app.privacy import SENSITIVE_TYPES, mask, mask_text
from playbooks.model import FieldSpec

# A crop is shown at least this tall (OCR boxes of small print are ~15 px) and at most
# this tall (a three-line address stays three readable lines), never wider than CROP_MAX_W.
CROP_MIN_H, CROP_MAX_H, CROP_MAX_W = 32, 96, 360
PIXELATE = 12      # a sensitive crop is shrunk by this factor and blown up again: unreadable

# Colours that read on light and dark themes; amber needs dark text to stay legible.
STATUS_COLOURS: dict[str, tuple[str, str]] = {
    "ok": ("#2e7d32", "white"), "corrected": ("#1565c0", "white"),
    "mismatch": ("#ef6c00", "white"), "invalid": ("#c62828", "white"),
    "missing": ("#757575", "white"), "missing_required": ("#c62828", "white"),
    "unverified": ("#ffb300", "black"), "edited": ("#00796b", "white"),
    "unchecked": ("#546e7a", "white"),
}


def is_sensitive(spec: FieldSpec) -> bool:
    """PIPL: ID numbers and phones always, anything else when the playbook says so."""
    return spec.sensitive or spec.type in SENSITIVE_TYPES


def masked(spec: FieldSpec, text: str | None) -> str:
    return mask(text, spec.type) if text else ""


def mask_in_text(text: str, secrets: Sequence[str | None], spec: FieldSpec) -> str:
    """`text` (a check's problem, a registry's warning) with the field's own values masked:
    such sentences quote what was read, which a masked row must not show."""
    for s in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(s, masked(spec, s))
    return mask_text(text)


def crop_box(image: Image.Image, box: Sequence[float], *,
             pixelate: bool = False) -> Image.Image | None:
    """The part of `image` inside `box` [x, y, w, h] with a margin of a fifth of its
    height (so the value's neighbourhood shows what it was read next to), scaled to a
    readable height. None when the box lies outside the image."""
    x, y, w, h = (float(v) for v in box[:4])
    m = max(4.0, 0.2 * h)
    x0, y0 = max(0, int(x - m)), max(0, int(y - m))
    x1, y1 = min(image.width, int(x + w + m + 0.5)), min(image.height, int(y + h + m + 0.5))
    if x1 - x0 < 2 or y1 - y0 < 2:
        return None
    part = image.crop((x0, y0, x1, y1)).convert("RGB")
    out_h = min(max(part.height, CROP_MIN_H), CROP_MAX_H)
    scale = min(out_h / part.height, CROP_MAX_W / part.width)
    size = (max(1, round(part.width * scale)), max(1, round(part.height * scale)))
    if pixelate:
        small = (max(1, size[0] // PIXELATE), max(1, size[1] // PIXELATE))
        return part.resize(small, Image.BILINEAR).resize(size, Image.NEAREST)
    return part.resize(size, Image.LANCZOS)


def to_pixmap(image: Image.Image) -> QPixmap:
    rgba = image.convert("RGBA")
    data = rgba.tobytes("raw", "RGBA")
    # QImage does not own `data`: copy() before it goes out of scope.
    qimage = QImage(data, rgba.width, rgba.height, 4 * rgba.width, QImage.Format.Format_RGBA8888)
    return QPixmap.fromImage(qimage.copy())


class StatusChip(QLabel):
    """A coloured rounded label; `status` (also a Qt property, for tests and styling)
    is one of STATUS_COLOURS' keys."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.status = ""

    def show_status(self, status: str, text: str, tooltip: str = "") -> None:
        self.status = status
        self.setProperty("status", status)
        bg, fg = STATUS_COLOURS[status]
        self.setStyleSheet(f"QLabel {{ background: {bg}; color: {fg}; border-radius: 8px; "
                           "padding: 2px 8px; font-weight: bold; }")
        self.setText(text)
        self.setToolTip(tooltip)
        self.setAccessibleName(text)
        self.setAccessibleDescription(tooltip)


class OnTopDialog(QDialog):
    """A non-modal dialog that stays above the approval client, with no taskbar entry.
    `on_closed` runs once when it closes, however it closes (button, Enter, Esc, the
    window's ×): the tray gives the approval client its focus back there. Subclasses
    react to the outcome in `after_close`, which runs after `on_closed`."""

    def __init__(self, parent: QWidget | None = None, *,
                 on_closed: Callable[[], None] | None = None) -> None:
        super().__init__(parent)
        self.setWindowFlags(Qt.WindowType.Tool | Qt.WindowType.WindowStaysOnTopHint
                            | Qt.WindowType.WindowTitleHint | Qt.WindowType.WindowCloseButtonHint)
        self.setModal(False)
        self._on_closed = on_closed
        self._finished = False

    def done(self, result: int) -> None:
        if self._finished:
            return
        self._finished = True
        super().done(result)
        if self._on_closed is not None:
            self._on_closed()
        self.after_close(result)

    def after_close(self, result: int) -> None:
        pass
