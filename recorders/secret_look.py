"""A look at a box of a window without an accessibility tree (Tk, Swing without its bridge):
is it a password box? Nothing else tells the recorder, so it looks at what the box shows.

    look = look_at_box(first, last, after, typed, read_line)
    look.secret, look.by, look.label, look.region

`first` and `last` are the window's pictures when the first and the last character went
into the box (`after`: when the supervisor left it). Where they differ is the box's text
(and the caret): the band of rows with the most change. That band is read by OCR as one
line (`read_line`, ~20 ms), and

- it shows the typed text (half its characters or more): an ordinary box;
- it shows mask glyphs (• ● * ·: runs of ink of one width, measured on Tk's `*` and
  Swing's `•`, which OCR reads as nothing at all), or none of the typed characters:
  a password box (`by="look"`);
- otherwise, or when no change was found (one character, one paste), the look cannot
  tell: a short value without
  Chinese characters typed under a label like 密码/口令/PIN/password is taken for a
  password all the same (`by="label"`), the safe side.

The label is the line left of the box's row (read by OCR too).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable


if TYPE_CHECKING:  # pragma: no cover
    from PIL import Image

__all__ = ["BoxLook", "MASK_GLYPHS", "changed_band", "label_says_secret", "look_at_box",
           "mask_glyphs", "short_non_cjk", "shows_typed"]

MASK_GLYPHS = "•●*·∗⋅∙・◦⚫﹡＊"
SECRET_LABEL = re.compile(r"密码|口令|密碼|pin\b|pin码|password|passwort|passcode|pwd",
                          re.IGNORECASE)
SHORT = 32               # a password is shorter than this; an address or a name list is not
DIFF_STEP = 40           # grey levels of change that count (anti-aliasing moves less)
BAND_GAP = 3             # rows of no change that split two bands
MIN_INK = 6              # fewer changed pixels than this is no box (a stray pixel)
LINE_MIN, LINE_PAD = 18, 6   # a line of text is at least this high; pixels around it
# mask glyphs: at least this many runs of ink, of widths within this many pixels
MASK_RUNS, MASK_WIDTH_SPREAD = 2, 1
INK_STEP = 48            # grey levels from the background that are ink (widget_look's)

Region = tuple[int, int, int, int]          # x, y, width, height in window pixels


@dataclass(frozen=True)
class BoxLook:
    secret: bool
    by: str = ""                  # "look", "label", or "" (an ordinary box)
    label: str = ""               # the label left of the box, "" when none was read
    region: Region | None = None  # the box's text, window pixels; None: not found
    why: str = ""                 # what decided, for the log (never the value)


def changed_band(before: "Image.Image", after: "Image.Image") -> Region | None:
    """The rows band where `after` differs most from `before` (the box typed into), as
    a region; None when the pictures are not of one size or nothing changed."""
    import numpy as np
    if before.size != after.size:
        return None
    a = np.asarray(before.convert("L"), dtype=np.int16)
    b = np.asarray(after.convert("L"), dtype=np.int16)
    diff = np.abs(a - b) > DIFF_STEP
    rows = np.flatnonzero(diff.any(axis=1))
    if rows.size == 0:
        return None
    bands: list[tuple[int, int]] = []
    for r in rows.tolist():
        if bands and r - bands[-1][1] <= BAND_GAP:
            bands[-1] = (bands[-1][0], r)
        else:
            bands.append((r, r))
    y0, y1 = max(bands, key=lambda band: int(diff[band[0]:band[1] + 1].sum()))
    part = diff[y0:y1 + 1]
    if int(part.sum()) < MIN_INK:
        return None
    cols = np.flatnonzero(part.any(axis=0))
    x0, x1 = int(cols[0]), int(cols[-1])
    return x0, y0, x1 - x0 + 1, y1 - y0 + 1


def _background(picture: "Image.Image") -> int | None:
    """The most common grey of `picture`."""
    import numpy as np
    grey = np.asarray(picture.convert("L"), dtype=np.int16)
    return int(np.bincount(grey.ravel()).argmax()) if grey.size else None


def _ink(picture: "Image.Image", background: int | None = None):
    import numpy as np
    grey = np.asarray(picture.convert("L"), dtype=np.int16)
    if grey.size == 0:
        return None
    if background is None:
        background = int(np.bincount(grey.ravel()).argmax())
    return np.abs(grey - background) > INK_STEP


def _runs(ink) -> list[tuple[int, int]]:
    """(start, end) columns of ink, split at every blank column."""
    import numpy as np
    cols = np.flatnonzero(ink.any(axis=0)).tolist()
    runs: list[tuple[int, int]] = []
    for c in cols:
        if runs and c == runs[-1][1]:
            runs[-1] = (runs[-1][0], c + 1)
        else:
            runs.append((c, c + 1))
    return runs


def mask_glyphs(picture: "Image.Image", background: int | None = None) -> bool:
    """`picture` (the changed part of a box) holds runs of ink all of one width and one
    weight: mask glyphs, not text. A caret (one or two columns, taller than the glyphs)
    is left out. `background`: the box's grey (default: `picture`'s most common one,
    which is wrong where glyphs fill most of it)."""
    import numpy as np
    ink = _ink(picture, background)
    if ink is None:
        return False
    runs = []
    for s, e in _runs(ink):
        rows = np.flatnonzero(ink[:, s:e].any(axis=1))
        runs.append((e - s, int(rows[-1] - rows[0] + 1) if rows.size else 0,
                     int(ink[:, s:e].sum())))
    if len(runs) > MASK_RUNS:
        tall = sorted(r[1] for r in runs)[len(runs) // 2] * 1.5
        runs = [r for r in runs if not (r[0] <= 2 and r[1] > tall)]
    if len(runs) < MASK_RUNS:
        return False
    widths = [r[0] for r in runs]
    weights = [r[2] for r in runs]
    return max(widths) - min(widths) <= MASK_WIDTH_SPREAD and min(weights) >= 0.7 * max(weights)


def _label_at(picture: "Image.Image", top: int, bottom: int, right: int,
              read_line: Callable[["Image.Image"], str | None]) -> str:
    """The label left of a box: the rightmost ink in the strip left of `right` that is
    not a box's edge (a line one to three columns wide), read as one line."""
    import numpy as np
    strip = picture.crop((0, top, right, bottom))
    ink = _ink(strip)
    if ink is None:
        return ""
    cols = np.flatnonzero(ink.any(axis=0))
    words: list[list[int]] = []
    for c in cols.tolist():           # words: ink split at gaps of a line's height
        if words and c - words[-1][1] <= bottom - top:
            words[-1][1] = c
        else:
            words.append([c, c])
    words = [w for w in words if w[1] - w[0] > 3]
    if not words:
        return ""
    s, e = words[-1]
    return _clean_label(read_line(strip.crop((max(0, s - 4), 0, min(strip.width, e + 5),
                                               strip.height))) or "")


def _chars(text: str) -> list[str]:
    return [unicodedata.normalize("NFKC", c).lower() for c in text if not c.isspace()]


def shows_typed(seen: str, typed: str) -> float:
    """The share of the typed characters (each counted once per time typed) the box shows."""
    want = _chars(typed)
    if not want:
        return 0.0
    have = _chars(seen)
    found = 0
    for c in want:
        if c in have:
            have.remove(c)
            found += 1
    return found / len(want)


def _is_cjk(c: str) -> bool:
    return "CJK" in unicodedata.name(c, "") or unicodedata.east_asian_width(c) == "W"


def short_non_cjk(value: str) -> bool:
    v = value.strip()
    return 0 < len(v) <= SHORT and not any(_is_cjk(c) for c in v)


def label_says_secret(label: str) -> bool:
    return bool(SECRET_LABEL.search(label or ""))


def _clean_label(text: str) -> str:
    text = (text or "").strip()
    for sep in ("：", ":"):            # what follows the colon is the box's own edge or text
        if sep in text:
            text = text.rsplit(sep, 1)[0] if text.rsplit(sep, 1)[0].strip() else text
    return text.strip().strip("*＊").strip().rstrip(":：").strip()


def _read_box(picture: "Image.Image", region: Region, typed: str,
              read_line: Callable[["Image.Image"], str | None]) -> tuple[str, float, bool, str]:
    """(label, share of `typed` the box shows, mask glyphs seen, OCR text) at `region`."""
    x, y, w, h = region
    # the line the box's text is on: the change may be only the masks' middle rows
    line = max(h, LINE_MIN)
    top = max(0, y + h // 2 - line // 2 - LINE_PAD)
    bottom = min(picture.height, y + h // 2 + line // 2 + LINE_PAD)
    left = max(0, x - int(1.5 * line))          # the first character (drawn before the change)
    label = ""
    if x > 8:
        label = _label_at(picture, top, bottom, x - 2, read_line)
    seen = read_line(picture.crop((left, top, min(picture.width, x + w + line), bottom))) or ""
    # the box's own grey from the rows around the change too (glyphs may fill the change)
    masks = mask_glyphs(picture.crop((x, y, x + w, y + h)),
                        _background(picture.crop((left, top, x + w, bottom)))) or (
        bool(seen) and all(c in MASK_GLYPHS for c in _chars(seen)))
    return label, shows_typed(seen, typed), masks, seen


def look_at_box(first: "Image.Image | None", last: "Image.Image | None",
                after: "Image.Image | None", typed: str,
                read_line: Callable[["Image.Image"], str | None] | None,
                near: tuple[int, int] | None = None) -> BoxLook:
    """Whether the box the supervisor typed `typed` into is a password box (see the
    module's docstring). `first`, `last`: the window when the first and the last
    character went in; `after`: when the box was left (the next box may show focus
    then, so that change alone decides only by plain text or masks). `near`: where a
    click reached the box (window pixels), for its label when the box is not found.
    `read_line` None (no OCR engine): only mask glyphs tell."""
    reads = read_line is not None
    read_line = read_line or (lambda _picture: None)
    label = ""
    if len(typed.strip()) >= 2:
        typing = changed_band(first, last) if first is not None and last is not None \
            and first is not last else None
        if typing is not None:
            assert last is not None
            label, share, masks, _seen = _read_box(last, typing, typed, read_line)
            if share >= 0.5:
                return BoxLook(False, "", label, typing, "it shows the typed text")
            if masks:
                return BoxLook(True, "look", label, typing, "it shows mask glyphs")
            if share == 0.0 and reads:
                return BoxLook(True, "look", label, typing,
                               "it shows none of the typed characters")
        elif first is not None and after is not None:
            left = changed_band(first, after)
            if left is not None:
                label, share, masks, _seen = _read_box(after, left, typed, read_line)
                if share >= 0.5:
                    return BoxLook(False, "", label, left, "it shows the typed text")
                if masks:
                    return BoxLook(True, "look", label, left, "it shows mask glyphs")
    picture = after or last
    if not label and near is not None and picture is not None and near[0] > 8:
        nx, ny = near
        label = _label_at(picture, max(0, ny - 14), min(picture.height, ny + 14), nx,
                          read_line)
    if label_says_secret(label) and short_non_cjk(typed):
        return BoxLook(True, "label", label, None,
                       "the look could not tell; a short value under a password label")
    return BoxLook(False, "", label, None, "the look could not tell")
