"""Find a label (an "anchor") among OCR text boxes. Pure logic, no engine needed.

Both sides are normalised first (`normalize`): NFKC (full-width ：（）Ａ１ become
ASCII), case folded, whitespace and zero-width characters dropped, and required-field
marks (* ★ ☆ ※) and trailing colons stripped from the ends. So the box "* 工作单位："
matches the wanted text "工作单位:" exactly.

Then, best first:
1. exact: the box's normalised text equals the wanted text;
2. contains: the box's text contains the wanted text (a label OCR merged with its
   value, "工作单位：某某公司");
3. fuzzy, for wanted texts of 4+ characters only: some stretch of the box's text is
   one character substituted, inserted or dropped away from the wanted text
   ("工作单立" for "工作单位"; difflib's ratio for that is only 0.75), or has a
   difflib ratio >= 0.8 (long labels with two misreads). Shorter labels must match
   exactly or be contained: with difflib alone, "申请" inside "申请日期" would pass
   as "申请人" (ratio 0.8).
Within a kind, the higher OCR score wins, then the top-most, then the left-most box
(fuzzy matches: fewest edits first, then the higher difflib ratio).

A match covering only part of a box comes back as a box narrowed to the matched
characters, in proportion to their widths (CJK characters count double the width
of Latin ones), so its `center` lies on the wanted characters, not on the "*" or
the value next to them. Its `text` is the matched part of the box's text.
"""
from __future__ import annotations

import difflib
import math
import unicodedata
from collections import Counter
from dataclasses import replace
from typing import Iterable

from app.ocr.base import TextBox

__all__ = ["find_text", "find_all", "normalize", "slice_box", "FUZZY_RATIO", "FUZZY_MIN_LENGTH",
           "REQUIRED_MARKS"]

FUZZY_RATIO = 0.8
FUZZY_MIN_LENGTH = 4
REQUIRED_MARKS = frozenset("*★☆※")    # after NFKC: ＊ ﹡ → *
COLONS = frozenset(":")                # after NFKC: ： ﹕ → :

EXACT, CONTAINS, FUZZY = 0, 1, 2


def _normalize_map(text: str) -> tuple[str, list[int]]:
    """The normalised text and, for each of its characters, the index of the
    character of `text` it came from."""
    chars: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        for c in unicodedata.normalize("NFKC", ch).casefold():
            if c.isspace() or unicodedata.category(c) == "Cf":
                continue
            chars.append(c)
            index.append(i)
    start, end = 0, len(chars)
    while start < end and chars[start] in REQUIRED_MARKS:
        start += 1
    while end > start and (chars[end - 1] in COLONS or chars[end - 1] in REQUIRED_MARKS):
        end -= 1
    return "".join(chars[start:end]), index[start:end]


def normalize(text: str) -> str:
    """`text` as `find_text` compares it (see the module docstring)."""
    return _normalize_map(text)[0]


def _width(c: str) -> float:
    return 1.0 if unicodedata.east_asian_width(c) in ("W", "F") else 0.5


def _narrow(box: TextBox, index: list[int], start: int, end: int) -> TextBox:
    """`box` narrowed to the raw characters behind normalised characters [start, end)."""
    return slice_box(box, index[start], index[end - 1] + 1)


def slice_box(box: TextBox, i0: int, i1: int) -> TextBox:
    """`box` narrowed to its characters text[i0:i1] (and their alternatives), in
    proportion to the characters' widths (CJK characters count double)."""
    if i0 == 0 and i1 == len(box.text):
        return box
    widths = [_width(c) for c in box.text]
    total = sum(widths) or 1.0
    x0 = box.x + round(box.width * sum(widths[:i0]) / total)
    x1 = box.x + round(box.width * sum(widths[:i1]) / total)
    alts = box.alternatives[i0:i1] if box.alternatives is not None else None
    doubts = box.doubts[i0:i1] if box.doubts is not None else None
    gaps = box.gaps[i0:i1 + 1] if box.gaps is not None else None
    return replace(box, text=box.text[i0:i1], x=x0, width=max(1, x1 - x0), alternatives=alts,
                   doubts=doubts, gaps=gaps)


def _edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (labels are short; plain dynamic programming)."""
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def _fuzzy_window(text: str, wanted: str) -> tuple[int, float, int, int] | None:
    """The stretch of `text` closest to `wanted`, as (edits, ratio, start, end), if it
    is close enough (one edit, or a difflib ratio >= 0.8). Fewest edits first, then the same length
    as `wanted`, then the higher difflib ratio, then the left-most."""
    m, n = len(wanted), len(text)
    if m < FUZZY_MIN_LENGTH:
        return None
    # Neither test can pass unless the window shares this many characters with
    # `wanted` (one edit: m - 1; ratio: 2·shared/(2m - 1) >= 0.8 at the shortest window).
    need = min(m - 1, math.ceil(FUZZY_RATIO * (2 * m - 1) / 2 - 1e-9))
    if sum((Counter(text) & Counter(wanted)).values()) < need:
        return None
    matcher = difflib.SequenceMatcher(None, autojunk=False)
    matcher.set_seq2(wanted)
    best: tuple[tuple[int, int, float, int], int, int] | None = None
    for length in (m, m - 1, m + 1):
        if length < 1 or length > n:
            continue
        for start in range(n - length + 1):
            part = text[start:start + length]
            matcher.set_seq1(part)
            if matcher.quick_ratio() * (length + m) / 2 < need - 1e-9:
                continue
            ratio = matcher.ratio()
            edits = _edit_distance(part, wanted)
            if edits > 1 and ratio < FUZZY_RATIO:
                continue
            key = (edits, abs(length - m), -ratio, start)
            if best is None or key < best[0]:
                best = (key, start, start + length)
    if best is None:
        return None
    (edits, _, neg_ratio, _), start, end = best
    return edits, -neg_ratio, start, end


def _matches(boxes: Iterable[TextBox], wanted: str, fuzzy: bool) -> list[tuple[tuple, TextBox]]:
    target = normalize(wanted)
    if not target:
        raise ValueError(f"Nothing to look for: {wanted!r} is empty once spaces, '*' and ':' are dropped.")
    found: list[tuple[tuple, TextBox]] = []
    for box in boxes:
        text, index = _normalize_map(box.text)
        if not text:
            continue
        place = (-box.score, box.y, box.x, box.text)
        if text == target:
            found.append(((EXACT, 0, 0.0, *place), _narrow(box, index, 0, len(text))))
            continue
        at = text.find(target)
        if at >= 0:
            while at >= 0:
                narrowed = _narrow(box, index, at, at + len(target))
                found.append(((CONTAINS, 0, 0.0, -narrowed.score, narrowed.y, narrowed.x, box.text),
                              narrowed))
                at = text.find(target, at + 1)
            continue
        if fuzzy:
            hit = _fuzzy_window(text, target)
            if hit is not None:
                edits, ratio, start, end = hit
                found.append(((FUZZY, edits, -ratio, *place), _narrow(box, index, start, end)))
    found.sort(key=lambda item: item[0])
    return found


def find_all(boxes: Iterable[TextBox], wanted: str, *, fuzzy: bool = True) -> list[TextBox]:
    """Every box that matches `wanted`, best first (the order `find_text` uses);
    boxes narrowed to the matched characters."""
    return [box for _, box in _matches(boxes, wanted, fuzzy)]


def find_text(boxes: Iterable[TextBox], wanted: str, *, fuzzy: bool = True) -> TextBox | None:
    """The best box for `wanted` (narrowed to it), or None. `fuzzy=False` accepts only
    exact and containing matches (after normalisation).
    Raises ValueError if `wanted` is empty after normalisation."""
    found = _matches(boxes, wanted, fuzzy)
    return found[0][1] if found else None
