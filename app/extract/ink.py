"""What the picture shows between the characters OCR read: blank space or ink.

OCR boxes say nothing of spacing: "姓名 朱文涛" comes back "姓名朱文涛", and a value that
runs close to the next cell's label comes back as one box with it. The picture does
show it: columns without ink. A CJK character is about as wide as its ink is tall; the
blank between the characters of a word is about 0.2 of one, after a label about 0.6,
between two cells' texts a character or more.
"""
from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING, Callable

from app.extract.labels import Gap
from app.ocr.base import TextBox

if TYPE_CHECKING:  # pragma: no cover
    from PIL import Image

__all__ = ["ink_gap", "ink_split", "ink_between", "ink_height", "GAP_CHARS", "SPLIT_CHARS",
           "CUT_HEIGHT", "without_rules", "first_ink", "cell_edge"]

GAP_CHARS = 0.4          # blank that parts a label from its value, in characters
SPLIT_CHARS = 1.0        # blank inside a value that parts two cells' texts
INK = 60                 # grey levels from the box's background that count as ink
CUT_HEIGHT = 0.75        # a label's ink this much shorter than its page's labels': cut off
COVER = 0.9              # a row this much "ink" is something laid over the text (a header)


def _widths(text: str) -> list[float]:
    """Each character's advance in CJK characters (others about half one)."""
    return [1.0 if unicodedata.east_asian_width(c) in ("W", "F") else 0.55 for c in text]


def _blank_runs(image: "Image.Image", box: TextBox) -> tuple[list[tuple[int, int]], int, int, float] | None:
    """The runs [start, end) of ink-free columns inside the box's ink, the ink's left and
    right edge, and the ink's height (about a CJK character's width); box-relative."""
    import numpy as np
    if box.width < 4 or box.height < 4:
        return None
    crop = np.asarray(image.crop((box.x, box.y, box.right, box.bottom)).convert("L"), dtype=np.int16)
    ink = np.abs(crop - np.median(crop)) > INK
    cols, rows = np.flatnonzero(ink.any(axis=0)), np.flatnonzero(ink.any(axis=1))
    if len(cols) < 2:
        return None
    blank = ~ink.any(axis=0)
    runs, start = [], None
    for x in range(int(cols[0]), int(cols[-1]) + 1):
        if blank[x] and start is None:
            start = x
        elif not blank[x] and start is not None:
            runs.append((start, x))
            start = None
    height = float(min(max(rows[-1] - rows[0] + 1, 0.5 * box.height), box.height))
    return runs, int(cols[0]), int(cols[-1]) + 1, height


def ink_gap(image: "Image.Image") -> Gap:
    """Whether the picture shows blank space before character i of a box: a run of
    columns without ink at least GAP_CHARS of a character wide, where the characters
    before i end — counted from the left, or the characters from i on begin — counted from
    the right (a label spaced out, 性　　别, is wider than its characters). A character is
    as wide as the ink is tall (CJK; other characters about half). Gaps inside a character
    (川, 小) and between the characters of a word are narrower."""

    def gap(box: TextBox, i: int) -> bool:
        ink = _blank_runs(image, box) if 0 < i < len(box.text) else None
        if ink is None:
            return False
        runs, left, right, char = ink
        widths = _widths(box.text)
        for at in (left + char * sum(widths[:i]), right - char * sum(widths[i:])):
            if any(b - a >= GAP_CHARS * char and a - 0.6 * char <= at <= b + 0.6 * char
                   for a, b in runs):
                return True
        return False
    return gap


Split = Callable[[TextBox, int], "int | None"]


def ink_split(image: "Image.Image") -> Split:
    """Where a box holds two cells' texts that OCR read as one line ("…有限公司   文化程度
    本科"): the index of the first character after a blank at least SPLIT_CHARS wide, None
    when there is no such blank, -1 when there is one but the characters cannot be counted
    to it with certainty (then the value is not taken)."""

    def split(box: TextBox, after: int = 0) -> int | None:
        ink = _blank_runs(image, box)
        if ink is None:
            return None
        runs, left, right, char = ink
        wide = [(a, b) for a, b in runs if b - a >= SPLIT_CHARS * char]
        if not wide:
            return None
        widths = _widths(box.text.rstrip())
        pitch = (right - left - sum(b - a for a, b in wide)) / (sum(widths) or 1.0)
        skipped = 0.0                 # blank left of the gap looked at, not text
        for a, b in wide:
            at = a - left - skipped
            skipped += b - a
            if at < sum(widths[:after]) * pitch + 0.4 * pitch:
                continue              # before the value (the gap after its label)
            fits = [i for i in range(after + 1, len(widths))
                    if abs(sum(widths[:i]) * pitch - at) <= 0.4 * pitch]
            return fits[0] if len(fits) == 1 else -1
        return None
    return split


Between = Callable[[TextBox, TextBox], bool]


def ink_between(image: "Image.Image") -> Between:
    """Whether there is printed text between two boxes of one line that OCR did not read
    (glare, a smudge): ink in at least a third of a character's width of the columns
    between them, against the first box's own background."""
    import numpy as np

    def between(a: TextBox, b: TextBox) -> bool:
        x0, x1 = a.right, b.x
        y0, y1 = min(a.y, b.y), max(a.bottom, b.bottom)
        if x1 - x0 < 2 or a.width < 2 or y1 - y0 < 2:
            return False
        ref = np.asarray(image.crop((a.x, a.y, a.right, a.bottom)).convert("L"), dtype=np.int16)
        gap = np.asarray(image.crop((x0, y0, x1, y1)).convert("L"), dtype=np.int16)
        inked = (np.abs(gap - np.median(ref)) > INK).any(axis=0).sum()
        return bool(inked >= min(a.height, b.height) * 0.8 / 3)
    return between


def ink_height(image: "Image.Image", box: TextBox) -> tuple[int, bool] | None:
    """How tall the box's printed text is, in pixels, and whether something laid over the
    page (a fixed header, the browser's toolbar) touches it: rows nearly all "ink" right
    above or below its ink, with no blank row between. Such rows are not counted in the
    height. A line cut by the edge of what shows is shorter than its neighbours' of the
    same font, or touches what covers it."""
    import numpy as np
    if box.width < 4 or box.height < 4:
        return None
    y0, y1 = max(0, box.y - 3), min(image.height, box.bottom + 3)
    crop = np.asarray(image.crop((box.x, y0, box.right, y1)).convert("L"), dtype=np.int16)
    own = crop[box.y - y0:box.bottom - y0]
    ink = np.abs(crop - np.median(own)) > INK
    share = ink.mean(axis=1)
    rows = np.flatnonzero((share > 0) & (share < COVER))
    if len(rows) == 0:
        return None
    top, bottom = int(rows[0]), int(rows[-1])
    covered = (top > 0 and share[top - 1] >= COVER) or \
        (bottom + 1 < len(share) and share[bottom + 1] >= COVER)
    return bottom - top + 1, bool(covered)


def without_rules(image: "Image.Image") -> "Image.Image":
    """`image` (a small crop) with the lines of a table's grid painted over in its
    background: a vertical rule read alone is a "1" or "|" that no one printed."""
    import numpy as np
    from PIL import Image
    arr = np.asarray(image.convert("RGB")).copy()
    grey = arr.astype(np.int16).mean(axis=2)
    bg = np.median(grey)
    ink = np.abs(grey - bg) > INK / 2          # rules are often lighter than text
    cols = ink.mean(axis=0) >= 0.8
    rows = ink.mean(axis=1) >= 0.8
    if not cols.any() and not rows.any():
        return image
    fill = np.median(arr.reshape(-1, 3), axis=0).astype(arr.dtype)
    arr[:, cols] = fill
    arr[rows, :] = fill
    return Image.fromarray(arr)


def first_ink(image: "Image.Image", gap: float) -> tuple[int, int, int, int] | None:
    """The box (left, top, right, bottom) of the first printed text from the left of a
    small crop: ink columns up to a blank `gap` pixels wide (the end of a cell's text)."""
    import numpy as np
    grey = np.asarray(image.convert("L"), dtype=np.int16)
    ink = np.abs(grey - np.median(grey)) > INK
    cols = np.flatnonzero(ink.any(axis=0))
    if len(cols) == 0:
        return None
    end = int(cols[0])
    for c in cols[1:]:
        if c - end > gap:
            break
        end = int(c)
    rows = np.flatnonzero(ink[:, int(cols[0]):end + 1].any(axis=1))
    return int(cols[0]), int(rows[0]), end + 1, int(rows[-1]) + 1


def cell_edge(image: "Image.Image", label: TextBox, limit: float) -> int | None:
    """Where the cell holding `label` ends on the right, if the label sits in a grid's
    cell: the first column right of it, before `limit`, that is a rule (ink from top to
    bottom of the label's line) or where the background changes for good (a grey label
    cell next to a white value cell). None when nothing ends the cell there."""
    import numpy as np
    h = label.height
    y0, y1 = max(0, int(label.y - 0.2 * h)), min(image.height, int(label.bottom + 0.2 * h))
    x0, x1 = label.right, min(image.width, int(limit))
    if x1 - x0 < 3 or y1 - y0 < 3:
        return None
    grey = np.asarray(image.crop((x0, y0, x1, y1)).convert("L"), dtype=np.int16)
    bg = int(np.median(grey[:, : max(1, min(grey.shape[1], int(0.5 * h)))]))
    differs = np.abs(grey - bg) > 6
    full = differs.mean(axis=0) >= 0.95            # the whole line's height: rule or new background
    for x in np.flatnonzero(full):
        return x0 + int(x)
    return None
