"""A value whose OCR box starts inside its label's box, read again from the label's end.

The detector sometimes cuts a label and its value into boxes that overlap (申请日期 ends at
x=584, the value's box starts at 573): the value's first character is then the right half
of the label's last one (期 → 月, 箱 → 百, 码 → B), read with little doubt. When the label's
end was not read twice as text (fields.py `_without_label_end`), the value is read again
from the pixels right of the label only; the new reading is taken when the first one ends
with it and it is shorter — the dropped head lay inside the label — and otherwise the value
is flagged with a sentence, never guessed.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from app.extract.fields import Found
from app.extract.ink import first_ink, without_rules
from app.i18n import _
from app.ocr.base import Line, TextBox

if TYPE_CHECKING:  # pragma: no cover
    from PIL import Image

__all__ = ["OVERLAP", "clear_of_label"]

# The value's box reaching this share of one label character into the label: suspect.
OVERLAP = 0.3


def _char_width(label: TextBox) -> float:
    return label.width / max(1, len(label.text.strip()))


def clear_of_label(found: Found, label: TextBox | None, image: "Image.Image",
                   read_line: Callable[["Image.Image"], Line | None] | None) -> Found:
    """`found` unchanged unless its first box starts inside `label`; then read again right
    of the label (see the module's docstring)."""
    if label is None or not found.parts or not found.value:
        return found
    first = found.parts[0]
    shared = min(first.bottom, label.bottom) - max(first.y, label.y)
    if shared < 0.5 * min(first.height, label.height) or first.right <= label.right:
        return found                               # not on the label's line, or not after it
    inside = label.right - first.x
    if inside < OVERLAP * _char_width(label):
        return found
    doubt = _("The value of {label} was read partly over its label ('{value}'): compare it "
              "with the source.", label=label.text, value=found.value)
    if read_line is None:
        return _flagged(found, doubt)
    h = max(first.height, label.height)
    x0, x1 = label.right + 1, min(image.width, first.right + int(0.5 * h))
    y0, y1 = max(0, first.y - int(0.3 * h)), min(image.height, first.bottom + int(0.3 * h))
    if x1 - x0 < 4 or y1 - y0 < 4:
        return _flagged(found, doubt)
    crop = without_rules(image.crop((x0, y0, x1, y1)))
    ink = first_ink(crop, gap=2 * h)
    if ink is None:
        return _flagged(found, doubt)
    left, top, right, bottom = ink
    pad = max(2, int(0.3 * h))
    box = (max(0, left - pad), max(0, top - pad // 2), min(crop.width, right + pad),
           min(crop.height, bottom + pad // 2))
    line = read_line(crop.crop(box))
    text = line.text.strip() if line is not None else ""
    if text == found.value:
        return found                               # read the same: the box only overlapped
    if line is None or not text or len(text) >= len(found.value) \
            or not found.value.endswith(text) or len(found.parts) != 1:
        return _flagged(found, doubt)
    head = len(found.value) - len(text)
    part = found.part(head, len(found.value))
    return Found(part.value, (x0 + box[0], y0 + box[1], box[2] - box[0], box[3] - box[1]),
                 min(found.score, line.score), part.alternatives, found.doubt,
                 line.doubts if line.doubts and len(line.doubts) == len(text) else part.doubts,
                 found.parts)


def _flagged(found: Found, doubt: str) -> Found:
    return Found(found.value, found.box, found.score, found.alternatives,
                 found.doubt or doubt, found.doubts, found.parts)
