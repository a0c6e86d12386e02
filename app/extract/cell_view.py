"""One table cell read on its own: the ink in the cell cut tight, then set on the cell's own
background with fixed margins, so that the recogniser sees every cell alike whatever box
the detector drew around it.

    read = read_cells(image, engine, boxes)   # a TextBox (on the ink, with its doubts) or None each

Why the margins: the recogniser (PP-OCRv5, lines scaled to 48 px high) reads a name's
rare character right far more often when the text fills about 60% of the height and has
room at the ends. Measured on the names of the two sample grids (app/sandbox/grids.py
seeds 150–299, app/sandbox/ministry_grid.py seeds 0–59 at 100% and 125%), cut to their
ink: with 0.3 ink heights all round, 10 of 475 common names and 12 of 161 with a rare
character (昊 赟 彧 垚…) were misread (雷玉 as nothing, 吴 as 吳); with 1.5 at the ends and
0.3 above and below, none and 3. Digits, dates and qualifications read alike either way.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app.ocr.base import Line, TextBox

if TYPE_CHECKING:  # pragma: no cover
    from PIL import Image

    from app.ocr.base import OcrEngine

__all__ = ["ink_box", "cell_view", "read_cells", "MARGIN_X", "MARGIN_Y"]

MARGIN_X, MARGIN_Y = 1.5, 0.3    # a view's margins, in heights of the cell's ink
FAINT = 24                       # grey levels from the background that are a glyph's edge


def _pixels(image: "Image.Image", box: tuple[int, int, int, int]) -> Any:
    import numpy as np
    x0, y0, x1, y1 = box
    return np.asarray(image.crop((x0, y0, x1, y1)).convert("RGB"), dtype=np.int16)


def _background(image: "Image.Image", box: TextBox) -> Any:
    """The cell's background colour (RGB): the median of the strips just above and below
    `box`, which hold no text even when `box` is cut tight to its ink; of `box` itself when
    it touches the picture's edges."""
    import numpy as np
    m = max(2, box.height // 4)
    strips = [(box.y - m, box.y), (box.bottom, box.bottom + m)]
    x0, x1 = max(0, box.x), min(image.width, box.right)
    parts = [_pixels(image, (x0, max(0, a), x1, min(image.height, b))).reshape(-1, 3)
             for a, b in strips if min(image.height, b) > max(0, a) and x1 > x0]
    pixels = np.concatenate(parts) if parts else np.zeros((0, 3))
    if not len(pixels):
        pixels = _pixels(image, (x0, max(0, box.y), x1, min(image.height, box.bottom))
                         ).reshape(-1, 3)
    return np.median(pixels, axis=0)


def ink_box(image: "Image.Image", box: TextBox, background: Any = None
            ) -> tuple[int, int, int, int] | None:
    """(x0, y0, x1, y1) of the ink inside `box` (image pixels), or None when it holds none."""
    import numpy as np
    x0, y0 = max(0, box.x), max(0, box.y)
    x1, y1 = min(image.width, box.right), min(image.height, box.bottom)
    if x1 - x0 < 1 or y1 - y0 < 1:
        return None
    if background is None:
        background = _background(image, box)
    luma = np.array([299, 587, 114])
    gray = _pixels(image, (x0, y0, x1, y1)) @ luma // 1000
    ink = np.abs(gray - float(background @ luma) / 1000) > FAINT
    cols, rows = np.flatnonzero(ink.any(axis=0)), np.flatnonzero(ink.any(axis=1))
    if not cols.size:
        return None
    return (x0 + int(cols[0]), y0 + int(rows[0]), x0 + int(cols[-1]) + 1, y0 + int(rows[-1]) + 1)


def cell_view(image: "Image.Image", box: TextBox) -> tuple["Image.Image", tuple] | None:
    """The picture the recogniser is given for the cell in `box`, and where its ink lies;
    None for a cell without ink. Nothing outside `box` is in it: the margins are painted
    in the cell's background colour, never taken from the neighbours."""
    from PIL import Image
    background = _background(image, box)
    ink = ink_box(image, box, background)
    if ink is None:
        return None
    x0, y0, x1, y1 = ink
    # a pixel more all round for the glyphs' faint edges; sideways only within the box
    cut = (max(box.x, x0 - 1), max(0, y0 - 1), min(box.right, x1 + 1),
           min(image.height, y1 + 1))
    h = y1 - y0
    mx, my = round(MARGIN_X * h), max(1, round(MARGIN_Y * h))
    view = Image.new("RGB", (cut[2] - cut[0] + 2 * mx, cut[3] - cut[1] + 2 * my),
                     tuple(int(v) for v in background))
    view.paste(image.crop(cut).convert("RGB"), (mx, my))
    return view, ink


def read_cells(image: "Image.Image", engine: "OcrEngine", boxes: list[TextBox]
               ) -> list[TextBox | None]:
    """Each cell in `boxes` read from its view (the engine's `read_lines`, else `read_line`
    one by one): a TextBox on the ink, with the recogniser's doubts, or None where nothing
    is written or recognised."""
    views = [cell_view(image, b) for b in boxes]
    pictures = [v[0] for v in views if v is not None]
    many = getattr(engine, "read_lines", None)
    lines: list[Line | None] = (many(pictures) if many is not None
                                else [engine.read_line(p) for p in pictures])   # type: ignore[attr-defined]
    got = iter(lines)
    out: list[TextBox | None] = []
    for v in views:
        line = next(got) if v is not None else None
        if v is None or line is None or not line.text.strip():
            out.append(None)
            continue
        x0, y0, x1, y1 = v[1]
        box = TextBox(line.text, line.score, x0, y0, x1 - x0, y1 - y0, line.alternatives,
                      line.doubts or None)
        out.append(box)
    return out
