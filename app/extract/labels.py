"""Which text on the source is a field's label, and which text is a label at all.

How labels are matched (playbooks/README.md, "How labels are matched"), so that no value
is taken from a label that only resembles the field's:
- a label must BE an anchor once both are normalised (NFKC, case folded, spaces of every
  width dropped, a leading required mark * ★ and a trailing colon removed): `姓　　名：`
  is 姓名; `配偶姓名` is not, though it contains it.
- OCR often reads a label and its value as one box ("身份证号码：3508…", "名：胡梅珍"): the
  anchor may start a box when a colon, a space, (after Chinese) a digit or letter, or
  blank space printed in the picture (`gap`, app/extract/ink.py: "姓名 朱文涛" read as
  "姓名朱文涛") follows it; the rest of the box is the value. `出生日期` does not start with
  the label 出生 that way: 日 continues the word. On an ID card (`glued`) the few labels
  are known and never continue, so "民族苗" is 民族 and 苗.
- a label printed as separate characters (`姓   名`, read as 姓 and 名) is joined back from
  boxes on one line at most JOIN_GAP label heights apart (`lost_heads` finds where OCR
  missed a lone first character, for capture to read again).
- a character the engine read otherwise but also considered (TextBox.alternatives) still
  matches, after every exact reading was tried.
A text "looks like a label" — and so ends the value before it — when it is any field's
label, ends in a colon or has one after Chinese (`婚姻状况：已婚`), or ends with an anchor
(`配偶姓名`, `紧急联系电话：…`).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Callable

from app.ocr.base import TextBox
from app.ocr.find import REQUIRED_MARKS, slice_box
from playbooks.anchors import anchor_key

__all__ = ["LabelHit", "Gap", "find_labels", "looks_like_label", "anchor_key", "lost_heads",
           "JOIN_GAP"]

JOIN_GAP = 3.0                        # in label heights: 姓　　名 leaves two characters' room
_COLONS = frozenset(":")              # after NFKC: ： ﹕ → :
_LABEL_COLON = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]\s*[:：]")


def _is_cjk(c: str) -> bool:
    return unicodedata.east_asian_width(c) in ("W", "F") and c.isalpha()


def _norm(ch: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKC", ch).casefold()
                   if not c.isspace() and unicodedata.category(c) != "Cf")


@dataclass(frozen=True)
class _Char:
    c: str                       # normalised character
    part: int                    # which box of the label it is in
    raw: int                     # its index in that box's text
    alts: frozenset[str]         # what the engine also considered there, normalised


def _chars(box: TextBox, part: int) -> list[_Char]:
    out = []
    for i, ch in enumerate(box.text):
        alts = box.alternatives[i] if box.alternatives is not None else (ch,)
        others = frozenset(n[0] for n in map(_norm, alts) if n)
        out += [_Char(c, part, i, others) for c in _norm(ch)]
    return out


@dataclass(frozen=True)
class LabelHit:
    """One place the label is printed."""

    box: TextBox                    # the label itself: its parts united, up to its colon
    parts: tuple[TextBox, ...]      # the OCR boxes it was read from (the last may hold the value)
    rest: TextBox | None            # a value OCR read into the label's box ("姓名：张伟" → 张伟)
    literal: bool                   # False: a character matched only among the alternatives
    rest_at: int = 0                # where `rest` starts in the last part's text


def _compare(chars: list[_Char], anchor: str) -> tuple[int, bool] | None:
    """How many leading characters of `chars` spell the start of `anchor` (all of
    `chars` or all of `anchor`, whichever is shorter), and whether literally. One
    character may be matched among the engine's alternatives, in anchors of 3 or more."""
    misread = 0
    n = min(len(chars), len(anchor))
    for ch, a in zip(chars[:n], anchor):
        if ch.c != a:
            if a not in ch.alts or len(anchor) < 3 or misread:
                return None
            misread += 1
    return n, not misread


Gap = Callable[[TextBox, int], bool]      # whether blank space precedes text[i] in the box


def _match(parts: list[TextBox], anchor: str, glued: bool, gap: Gap | None = None
           ) -> LabelHit | None:
    chars = [c for k, p in enumerate(parts) for c in _chars(p, k)]
    while chars and chars[0].c in REQUIRED_MARKS and chars[0].part == 0:
        chars.pop(0)
    found = _compare(chars, anchor)
    if found is None or found[0] < len(anchor):
        return None
    n, literal = found
    last, follow = chars[n - 1], chars[n:]
    if last.part != len(parts) - 1 or any(c.part != last.part for c in follow):
        return None                   # the label must end in the last box, the rest be in it
    box = parts[-1]
    end = last.raw + 1                # the label's end in the last box, colon included
    colon = False
    while follow and not colon and (follow[0].c in _COLONS or follow[0].c in REQUIRED_MARKS):
        colon = follow[0].c in _COLONS
        end = follow[0].raw + 1
        follow = follow[1:]
    if follow and not colon:
        spaced = follow[0].raw > last.raw + 1          # only spaces were dropped in between
        script = _is_cjk(last.c) and not _is_cjk(follow[0].c)
        if not (spaced or script or glued or (gap is not None and gap(box, follow[0].raw))):
            return None               # 出生日期 for 出生: the word goes on
    rest = slice_box(box, follow[0].raw, len(box.text)) if follow else None
    label = slice_box(box, 0, end)
    if len(parts) > 1:
        xs = [*parts[:-1], label]
        x0, y0 = min(b.x for b in xs), min(b.y for b in xs)
        x1, y1 = max(b.right for b in xs), max(b.bottom for b in xs)
        label = TextBox("".join(b.text for b in xs), min(b.score for b in xs), x0, y0,
                        x1 - x0, y1 - y0)
    return LabelHit(label, tuple(parts), rest, literal, follow[0].raw if follow else 0)


def _next_on_line(box: TextBox, boxes: list[TextBox]) -> TextBox | None:
    h = box.height
    mid = box.y + h / 2
    near = [b for b in boxes if b is not box and abs(b.y + b.height / 2 - mid) <= 0.5 * max(h, b.height)
            and b.x > box.x + box.width / 2 and b.x - box.right <= JOIN_GAP * h]
    return min(near, key=lambda b: b.x, default=None)


def find_labels(boxes: list[TextBox], anchor: str, *, glued: bool = False,
                gap: Gap | None = None) -> list[LabelHit]:
    """Every place `anchor` is printed as a label, top to bottom, then left to right.
    `gap` (see `ink_gap`) tells a label OCR glued to its value ("姓名朱文涛") from a longer
    word by the blank space printed between them."""
    a = anchor_key(anchor)
    if not a:
        return []
    hits: list[LabelHit] = []
    for b in boxes:
        hit = _match([b], a, glued, gap)
        if hit is None:
            # characters printed apart: b holds the first ones, the next boxes the rest
            head = [c for c in _chars(b, 0) if c.c not in REQUIRED_MARKS]   # *姓 is 姓
            start = _compare(head, a)
            seq = [b]
            while hit is None and start is not None and 0 < start[0] < len(a) \
                    and len(seq) < len(a) and len(head) < len(a):
                nxt = _next_on_line(seq[-1], boxes)
                if nxt is None:
                    break
                seq.append(nxt)
                hit = _match(seq, a, glued, gap)
        if hit is not None and not any(_same_place(hit.box, h.box) for h in hits):
            hits.append(hit)
    return sorted(hits, key=lambda h: (h.box.y, h.box.x))


def _same_place(a: TextBox, b: TextBox) -> bool:
    """Two readings of one label (overlapping regions read it twice)."""
    w = min(a.right, b.right) - max(a.x, b.x)
    h = min(a.bottom, b.bottom) - max(a.y, b.y)
    return w > 0 and h > 0 and w * h >= 0.5 * min(a.width * a.height, b.width * b.height)


def looks_like_label(box: TextBox, anchors: list[str]) -> bool:
    """Text that is a label, though maybe no field's: it ends in a colon, has one after
    Chinese (a label OCR merged with its value), or ends with one of `anchors`."""
    text = box.text.strip()
    if text.endswith((":", "：")) or _LABEL_COLON.search(text):
        return True
    t = anchor_key(text)
    return any(len(a) >= 2 and t.endswith(a) for a in anchors)


def lost_heads(boxes: list[TextBox], anchor: str) -> list[tuple[TextBox, str]]:
    """Where a label printed spaced out (性　　别：) lost its first characters — OCR often
    misses a lone character — as (the box holding the rest, the characters lost): boxes
    that start with the end of `anchor`, followed by nothing, a colon or a space."""
    a = anchor_key(anchor)
    out = []
    for b in boxes:
        chars = [c for c in _chars(b, 0) if c.c not in REQUIRED_MARKS]
        for k in range(1, len(a)):
            tail = a[k:]
            if "".join(c.c for c in chars[:len(tail)]) != tail:
                continue
            after = chars[len(tail):]
            if not after or after[0].c in _COLONS or after[0].raw > chars[len(tail) - 1].raw + 1:
                out.append((b, a[:k]))
                break
    return out
