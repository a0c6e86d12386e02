"""What reading the front of a resident ID card needs beyond its layout (read.py
ID_CARD_LAYOUT): the 住址 runs from its label's line down to the 公民身份号码 line, and
nothing printed between its last line and that one may be left out of it."""
from __future__ import annotations

from typing import TYPE_CHECKING

from app.i18n import _
from app.ocr.base import TextBox

if TYPE_CHECKING:  # pragma: no cover
    from PIL import Image

    from app.extract.fields import Found

__all__ = ["ADDRESS", "ID_NUMBER", "address_left_short"]

ADDRESS, ID_NUMBER = "住址", "公民身份号码"
INK = 60           # grey levels from the band's background that count as ink
MARGIN = 0.3       # of a line's height, kept clear above the ID number's label


def address_left_short(image: "Image.Image", boxes: list[TextBox], address: "Found",
                       id_label: TextBox) -> str | None:
    """Why the address read may lack its end, or None: text (an OCR box, or ink OCR did
    not read: glare, blur) under its last line and above the 公民身份号码 line, in its
    column. A card prints nothing there but the address."""
    x, y, w, hh = address.box
    lines = [p.height for p in address.parts] or [hh]
    h = sorted(lines)[len(lines) // 2]
    top, bottom = y + hh + MARGIN * h, id_label.y - MARGIN * h
    if bottom - top < 0.5 * h:
        return None
    x1 = x + w
    skipped = [b for b in boxes if top <= b.y + b.height / 2 <= bottom
               and b.x < x1 and b.right > x and b.x >= x - h]
    if skipped or _inked(image, (x, int(top), x1, int(bottom)), h):
        return _("The address may go on below what was read ({value}): there is text under its "
                 "last line that was not read; compare it with the source.", value=address.value)
    return None


def _inked(image: "Image.Image", band: tuple[int, int, int, int], h: float) -> bool:
    """Whether the band holds printed text: ink over a character's width and a third of a
    line's height (the card's fine background lines are thinner)."""
    import numpy as np
    x0, y0, x1, y1 = band
    if x1 - x0 < 2 or y1 - y0 < 2:
        return False
    grey = np.asarray(image.crop(band).convert("L"), dtype=np.int16)
    ink = np.abs(grey - np.median(grey)) > INK
    return bool(ink.any(axis=0).sum() >= 0.8 * h and ink.any(axis=1).sum() >= h / 3)
