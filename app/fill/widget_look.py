"""A look at a radio group or a check box where no accessibility tree tells its state (Tk).

A radio button or check box draws its state in the indicator left of its text: the chosen
one filled (a dot, a tick, a coloured diamond), the others empty. Counted as ink — pixels
far from the row's background — the chosen indicator holds clearly more than the others.
That is a look at the widget itself, not at Deskhand's own record of what it clicked; a
state that is not clearly told apart is reported as not read (None), never guessed.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Mapping

from app.ocr.base import TextBox

if TYPE_CHECKING:  # pragma: no cover
    from PIL import Image

__all__ = ["INDICATOR_WIDTH", "check_region", "chosen_option", "indicator_region", "ink",
           "ink_runs", "split_options", "tick_changed"]

# The indicator sits within this many text heights left of its text.
INDICATOR_WIDTH = 1.8
# Grey levels from the row's background that count as ink.
INK_STEP = 48
# The chosen indicator must hold this share more ink than the next, and this many pixels.
CLEAR_RATIO, CLEAR_PIXELS = 1.3, 6


def indicator_region(text: TextBox) -> tuple[int, int, int, int]:
    """(x, y, width, height), window coordinates, of where `text`'s indicator is drawn."""
    h = max(8, text.height)
    width = int(INDICATOR_WIDTH * h)
    return max(0, text.x - width), text.y, width - 1, h


def _ink_mask(picture: "Image.Image"):
    """Which pixels of `picture` are far from its most common grey (None if it is empty)."""
    import numpy as np
    grey = np.asarray(picture.convert("L"), dtype=np.int16)
    if grey.size == 0:
        return None
    background = int(np.bincount(grey.ravel()).argmax())
    return np.abs(grey - background) > INK_STEP


def ink(picture: "Image.Image") -> int:
    """Pixels of `picture` (an indicator's region) far from its most common grey."""
    mask = _ink_mask(picture)
    return 0 if mask is None else int(mask.sum())


def chosen_option(inks: Mapping[str, int]) -> str | None:
    """The option whose indicator holds clearly the most ink; None when none stands out."""
    if len(inks) < 2:
        return None
    ranked = sorted(inks.items(), key=lambda kv: kv[1], reverse=True)
    (best, top), (_, second) = ranked[0], ranked[1]
    if top >= second * CLEAR_RATIO and top - second >= CLEAR_PIXELS:
        return best
    return None


def tick_changed(before: int, after: int) -> bool | None:
    """Whether one click ticked the box (True: more ink), cleared it (False), or — too
    little change to tell — None. The region may hold some of the box's text too, which
    is the same before and after."""
    if abs(after - before) < CLEAR_PIXELS:
        return None
    return after > before


def check_region(text: TextBox) -> tuple[int, int, int, int]:
    """Where a check box's indicator is, beside or inside the OCR box of its own text
    (a detector often takes the little square in with the words)."""
    h = max(8, text.height)
    left = max(0, text.x - int(INDICATOR_WIDTH * h))
    return left, text.y, text.x + int(0.9 * h) - left, h


def ink_runs(picture: "Image.Image", gap: int = 3) -> list[tuple[int, int]]:
    """(start, end) columns of the ink in `picture`, split at blanks `gap` columns wide."""
    import numpy as np
    mask = _ink_mask(picture)
    if mask is None:
        return []
    cols = np.flatnonzero(mask.any(axis=0))
    runs: list[tuple[int, int]] = []
    for c in cols:
        if runs and c - runs[-1][1] <= gap:
            runs[-1] = (runs[-1][0], int(c) + 1)
        else:
            runs.append((int(c), int(c) + 1))
    return runs


def split_options(box: TextBox, options: tuple[str, ...], picture: "Image.Image"
                  ) -> dict[str, tuple[TextBox, tuple[int, int, int, int]]] | None:
    """One OCR box read over a radio group ("男女": ◇男 ◇女), told apart by its ink: an
    indicator then an option's text, for each option of one character, in order. Each
    option as (its text's box, its indicator's region); None unless the ink falls in
    exactly that many runs (anything else is not guessed at)."""
    if "".join(options) != box.text.replace(" ", "") or any(len(o) != 1 for o in options):
        return None
    runs = ink_runs(picture, gap=max(2, box.height // 8))
    if len(runs) != 2 * len(options):
        return None
    out = {}
    for i, option in enumerate(options):
        (i0, i1), (t0, t1) = runs[2 * i], runs[2 * i + 1]
        text = TextBox(option, box.score, box.x + t0, box.y, t1 - t0, box.height)
        out[option] = (text, (box.x + i0, box.y, i1 - i0, box.height))
    return out
