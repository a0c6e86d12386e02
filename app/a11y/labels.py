"""Which label belongs to a field, by geometry, for forms whose tree links none.

A QFormLayout row on older Qt, a Java panel or a GTK grid often gives a text box neither an
accessible name nor a labelled-by relation; the clerk sees the label beside it. The rule a
person reads by: the label on the same row, to the left, nearest the box; failing that,
the label just above it, over the box's left part. Labels another field already claims
through a relation are not offered (the caller leaves them out).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from app.a11y.base import Accessible, Bounds, label_key

# How far a label may stand from its box, in pixels: a wide form puts labels in a right-
# aligned column, so the gap on a row can be large; a label above sits close.
MAX_ROW_GAP = 320
MAX_ABOVE_GAP = 40
SLACK = 4           # borders and padding: a label may overlap its box by this much


@dataclass(frozen=True)
class LabelBox:
    text: str
    bounds: Bounds
    node: Accessible | None = None


def _vertical_overlap(a: Bounds, b: Bounds) -> float:
    """Overlap of the two boxes' rows, as a share of the lower of the two heights."""
    top, bottom = max(a.y, b.y), min(a.bottom, b.bottom)
    least = min(a.height, b.height)
    return max(0, bottom - top) / least if least > 0 else 0.0


def _on_row_left(box: Bounds, label: Bounds) -> int | None:
    """The gap from the label's right edge to the box when the label sits on the box's
    row to its left; None otherwise."""
    gap = box.x - label.right
    if gap < -SLACK or gap > MAX_ROW_GAP:
        return None
    centre = label.y + label.height / 2
    if _vertical_overlap(box, label) >= 0.5 or box.y <= centre <= box.bottom:
        return max(gap, 0)
    return None


def _just_above(box: Bounds, label: Bounds) -> int | None:
    gap = box.y - label.bottom
    if gap < -SLACK or gap > MAX_ABOVE_GAP:
        return None
    # the label starts over the box's left part (a caption above a box is left-aligned)
    if label.x < box.x - 2 * SLACK or label.x > box.x + box.width / 2:
        return None
    return max(gap, 0)


def nearest_label(box: Bounds, labels: Sequence[LabelBox]) -> LabelBox | None:
    """The label a person would read for `box` (see the module docstring), or None."""
    best: tuple[int, int, LabelBox] | None = None
    for label in labels:
        if label.bounds.empty or not label_key(label.text):
            continue
        for rank, gap in ((0, _on_row_left(box, label.bounds)), (1, _just_above(box, label.bounds))):
            if gap is not None and (best is None or (rank, gap) < best[:2]):
                best = (rank, gap, label)
    return best[2] if best else None


def reading_order(boxes: Sequence[Bounds]) -> list[int]:
    """The indexes of `boxes` in the order a person reads a form: rows top to bottom, left to
    right within a row (boxes whose middles lie within the other's height share a row).
    Toolkits list their widgets in their own order (GTK's grid: last row first)."""
    by_top = sorted(range(len(boxes)), key=lambda i: (boxes[i].y, boxes[i].x))
    rows: list[list[int]] = []
    for i in by_top:
        b = boxes[i]
        middle = b.y + b.height / 2
        if rows:
            head = boxes[rows[-1][0]]
            if head.y <= middle <= head.bottom or b.y <= head.y + head.height / 2 <= b.bottom:
                rows[-1].append(i)
                continue
        rows.append([i])
    return [i for row in rows for i in sorted(row, key=lambda j: boxes[j].x)]
