"""What reading the front of a resident ID card needs beyond its layout (read.py
ID_CARD_LAYOUT): the 住址 runs from its label's line down to the 公民身份号码 line, and
nothing printed between its last line and that one, nor at its lines' ends, may be left
out of it."""
from __future__ import annotations

from typing import TYPE_CHECKING

from app.extract.fields import text_lines
from app.extract.labels import anchor_key, find_labels
from app.i18n import _
from app.ocr.base import OcrEngine, TextBox

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    from PIL import Image

    from app.extract.fields import Found

__all__ = ["ADDRESS", "ID_NUMBER", "address_left_short", "lost_labels"]

ADDRESS, ID_NUMBER = "住址", "公民身份号码"
INK = 12           # grey levels darker than the surroundings that count as ink
FAINT = 0.4        # of a read line's own contrast: what is left of it unread at its ends
MARGIN = 0.3       # of a line's height, kept clear above the ID number's label


def lost_labels(image: "Image.Image", engine: OcrEngine, boxes: list[TextBox],
                anchors: list[str]) -> list[TextBox]:
    """Labels of the card the detector missed (a light blue 性别 beside its value, under
    glare): left of each line whose text starts past the column of the labels found, that
    column is read again, enlarged, and what is exactly a missing label is kept. Nothing
    is read again when every label was found."""
    from PIL import Image
    hits = {a: find_labels(boxes, a, glued=True) for a in anchors}
    missing = {anchor_key(a) for a, found in hits.items() if not found}
    found = [hit.box for a in anchors for hit in hits[a]]
    if not missing or not found:
        return []
    left = min(b.x for b in found)
    h = sorted(b.height for b in found)[len(found) // 2]
    extra: list[TextBox] = []
    for line in text_lines(boxes):
        first = line[0]
        if first.x - left < 2.5 * h:
            continue                     # the line starts in the column: a label is there
        x0 = max(0, int(left - 0.5 * h))
        y0, y1 = max(0, int(first.y - 0.3 * h)), min(image.height, int(first.bottom + 0.3 * h))
        crop = image.crop((x0, y0, first.x, y1))
        big = crop.resize((crop.width * 2, crop.height * 2), Image.Resampling.LANCZOS)
        extra += [TextBox(b.text, b.score, x0 + b.x // 2, y0 + b.y // 2, max(1, b.width // 2),
                          max(1, b.height // 2), b.alternatives)
                  for b in engine.read(big) if anchor_key(b.text) in missing]
    return extra


def address_left_short(image: "Image.Image", boxes: list[TextBox], address: "Found",
                       id_label: TextBox) -> str | None:
    """Why the address read may lack a part, or None: text (an OCR box, or ink OCR did
    not read: glare, blur) under its last line and above the 公民身份号码 line, in its
    column, or before or after a line's text within the column. A card prints its address
    left-aligned, and nothing else there."""
    x, y, w, hh = address.box
    heights = [p.height for p in address.parts] or [hh]
    h = sorted(heights)[len(heights) // 2]
    if any(_inked(image, band, h, min(INK, FAINT * _contrast(image, part, h)))
           for part in address.parts for band in _line_ends(part, address.parts, h)):
        return _("Part of this value is printed but could not be read; check it against the "
                 "source.")
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


def _line_ends(part: TextBox, parts: tuple[TextBox, ...], h: float
               ) -> list[tuple[int, int, int, int]]:
    """The blank a line of the address should have before its text (from the column's
    left edge) and after it (to the column's right edge). A box cut close may end inside
    its last character: the blank after it is looked at from 0.6 line heights on."""
    left, right = min(p.x for p in parts), max(p.right for p in parts)
    bands = []
    if part.x - left > 0.5 * h:
        bands.append((left, part.y, int(part.x - 0.2 * h), part.bottom))
    if right - part.right > 1.1 * h:
        bands.append((int(part.right + 0.6 * h), part.y, right, part.bottom))
    return bands


def _contrast(image: "Image.Image", box: TextBox, h: float) -> float:
    """How much darker than its paper a line's strokes are (their 95th percentile): a
    line washed out by glare is read, faintly; what is left of it is as faint."""
    import numpy as np
    dark = _darker(image, (box.x, box.y, box.right, box.bottom), h)
    return float(np.percentile(dark, 95)) if dark.size else 0.0


def _inked(image: "Image.Image", band: tuple[int, int, int, int], h: float,
           ink: float = INK) -> bool:
    """Whether the band holds printed text, even blurred past reading: pixels `ink` grey
    levels darker than the paper around them, over half a character's width and a third of
    a line's height. On 60 photos and 40 flat cards a blank band had no pixel INK darker;
    a last line left unread (one character, 室) or blurred to a smudge came out 0.7 line
    heights wide or more."""
    x0, y0, x1, y1 = band
    if x1 - x0 < 2 or y1 - y0 < 2:
        return False
    dark = _darker(image, band, h) > ink
    return bool(dark.any(axis=0).sum() >= 0.5 * h and dark.any(axis=1).sum() >= h / 3)


def _darker(image: "Image.Image", band: tuple[int, int, int, int], h: float) -> "np.ndarray":
    """How much darker than the paper each pixel of the band is. Smoothed first (sensor
    noise, JPEG); the paper is what a closing over a line's height leaves (strokes removed,
    glare and shading kept)."""
    import cv2
    import numpy as np
    grey = cv2.GaussianBlur(np.asarray(image.convert("L").crop(band), dtype=np.uint8), (0, 0), 1.5)
    size = max(3, int(h) | 1)
    paper = cv2.morphologyEx(grey, cv2.MORPH_CLOSE, np.ones((size, size), np.uint8),
                             borderType=cv2.BORDER_REPLICATE)
    return paper.astype(np.int16) - grey.astype(np.int16)
