"""Find each field's value among OCR boxes, refusing to guess.

A value is found by its label (the anchor, matched as app/extract/labels.py says: the
label must BE the anchor, one label belongs to one field, a label found twice is taken
for neither): the text right of it on its line, or below it in its column, starting
within `max_gap` label heights (8 right, 1.5 below). Values that wrap (住址) continue on
the following lines, left-aligned with their first line, until a line that starts with
another label. Text that looks like a label ends a value, so "性别 男 民族 汉" gives
性别 = 男 and "姓名 张伟 配偶姓名 李娜" gives 姓名 = 张伟. A region (relative to the
anchor or the source) or a regular expression can be used instead. Coordinates are
image pixels; `scale` turns a playbook's logical pixels into them (125% display: 1.25).
When a field has no value, `Extractor.why` says why, in a sentence for the clerk.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from app.extract.ink import (CUT_HEIGHT, SPLIT_CHARS, cell_edge, ink_between, ink_gap, ink_height,
                             ink_split)
from app.extract.labels import LabelHit, anchor_key, find_labels, looks_like_label
from app.i18n import _
from app.ocr.base import TextBox
from app.ocr.find import slice_box
from playbooks.model import FieldSpec, ReadSpec, Region

if TYPE_CHECKING:  # pragma: no cover
    from PIL import Image

RIGHT_GAP, BELOW_GAP = 8.0, 1.5     # default max_gap, in label heights (playbooks/README.md)
COLUMN_REACH = 12.0                 # labels this many label heights up or down share a column
RUN_GAP = 2.5                       # without the picture, a wider gap in a line ends the value


Alternatives = tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Found:
    value: str
    box: tuple[int, int, int, int]     # x, y, width, height of everything the value came from
    score: float
    # Per character of `value`, what the OCR engine also considered (see TextBox).
    alternatives: Alternatives | None = None
    doubt: str | None = None           # why the value may be incomplete (never then `ok`)
    # Per character of `value`, how probable the engine found another character there
    doubts: tuple[float, ...] | None = None
    # the OCR boxes it was joined from, in reading order (for reading them again)
    parts: tuple[TextBox, ...] = ()

    def __post_init__(self) -> None:
        if self.alternatives is not None and len(self.alternatives) != len(self.value):
            object.__setattr__(self, "alternatives", None)
        if self.doubts is not None and len(self.doubts) != len(self.value):
            object.__setattr__(self, "doubts", None)

    def part(self, start: int, end: int) -> "Found":
        """The value narrowed to value[start:end], its alternatives with it."""
        alts = self.alternatives[start:end] if self.alternatives is not None else None
        doubts = self.doubts[start:end] if self.doubts is not None else None
        parts = self.parts if (start, end) == (0, len(self.value)) else ()
        return Found(self.value[start:end], self.box, self.score, alts, self.doubt, doubts,
                     parts)


def _union(boxes: list[TextBox]) -> tuple[int, int, int, int]:
    x0 = min(b.x for b in boxes)
    y0 = min(b.y for b in boxes)
    x1 = max(b.x + b.width for b in boxes)
    y1 = max(b.y + b.height for b in boxes)
    return (x0, y0, x1 - x0, y1 - y0)


def _stripped(box: TextBox) -> tuple[str, Alternatives | None, tuple[float, ...] | None]:
    text = box.text
    start, end = len(text) - len(text.lstrip()), len(text.rstrip())
    alts = box.alternatives[start:end] if box.alternatives is not None else None
    doubts = box.doubts[start:end] if box.doubts is not None else None
    return text[start:end], alts, doubts


def _unglued(boxes: list[TextBox], anchors: list[str]) -> list[TextBox]:
    """Boxes in which OCR read a number and the next cell's label as one line
    ("350821199012304658联系电话"), cut in two where the digits or letters end and the
    label begins. Chinese text before a label is left alone: 配偶姓名 is a label itself."""
    out = []
    for b in boxes:
        text = b.text.rstrip(" :：")
        cut = next((len(text) - len(a) for a in anchors
                    if len(text) > len(a) and anchor_key(text[len(text) - len(a):]) == a
                    and text[len(text) - len(a) - 1].isascii()
                    and text[len(text) - len(a) - 1].isalnum()), None)
        if cut is None:
            out.append(b)
        else:
            out += [slice_box(b, 0, cut), slice_box(b, cut, len(b.text))]
    return out


def _has_cjk(text: str) -> bool:
    return any("\u3400" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff" for c in text)


def _without_label_end(box: TextBox, label: TextBox) -> TextBox:
    """A value's first box without the end of its label in front, where the two boxes
    overlap: OCR's boxes overlapped and read the label's last character twice ("姓名"
    "名李成杰")."""
    if box.x >= label.right - 1:
        return box
    key = anchor_key(label.text)
    for k in range(min(len(key), len(box.text) - 1), 0, -1):
        if anchor_key(box.text[:k]) == key[-k:]:
            return slice_box(box, k, len(box.text))
    return box


def _without_colon(box: TextBox) -> TextBox:
    """A value's first box without a colon in front: OCR boxes overlap, and the label's
    colon is then read twice, once at the start of the value ("联系电话：" "：1530…")."""
    text = box.text
    k = len(text) - len(text.lstrip(" :：\u3000"))
    return slice_box(box, k, len(text)) if 0 < k < len(text) else box


def found_from_boxes(boxes: list[TextBox]) -> Found:
    """The boxes' texts joined (OCR drops spaces anyway; Chinese values have none),
    with their alternatives when every box has them."""
    parts = [_stripped(b) for b in boxes]
    alts: Alternatives | None = None
    if all(a is not None for _t, a, _d in parts):
        alts = tuple(x for _t, a, _d in parts for x in a)  # type: ignore[union-attr]
    doubts = None
    if all(d is not None for _t, _a, d in parts):
        doubts = tuple(x for _t, _a, d in parts for x in d)  # type: ignore[union-attr]
    return Found("".join(t for t, _a, _d in parts), _union(boxes), min(b.score for b in boxes),
                 alts, doubts=doubts, parts=tuple(boxes))


def _mid(row: list[TextBox]) -> float:
    return sum(b.y + b.height / 2 for b in row) / len(row)


def _gap(upper: list[TextBox], lower: list[TextBox]) -> float:
    return min(b.y for b in lower) - max(b.y + b.height for b in upper)


def _rows(boxes: list[TextBox]) -> list[list[TextBox]]:
    """Boxes grouped into text lines, top to bottom, each left to right."""
    rows: list[list[TextBox]] = []
    for b in sorted(boxes, key=lambda b: b.y + b.height / 2):
        if rows and abs((b.y + b.height / 2) - _mid(rows[-1])) < b.height * 0.5:
            rows[-1].append(b)
        else:
            rows.append([b])
    return [sorted(r, key=lambda b: b.x) for r in rows]


text_lines = _rows


def reading_order(boxes: list[TextBox]) -> list[TextBox]:
    """Top to bottom by line, then left to right."""
    rows: list[list[TextBox]] = []
    for b in sorted(boxes, key=lambda b: b.y + b.height / 2):
        mid = b.y + b.height / 2
        if rows and abs(mid - (rows[-1][0].y + rows[-1][0].height / 2)) < rows[-1][0].height * 0.5:
            rows[-1].append(b)
        else:
            rows.append([b])
    return [b for row in rows for b in sorted(row, key=lambda b: b.x)]


class Extractor:
    """Reads fields from `boxes`. `card`: an ID card's front, whose few labels are never
    part of a longer word, so a label OCR glued to its value ("民族苗") is still one, and
    whose wrapped 住址 starts on its label's line."""

    def __init__(self, boxes: list[TextBox], fields: tuple[FieldSpec, ...], scale: float = 1.0,
                 *, card: bool = False, image: "Image.Image | None" = None,
                 frames: list[tuple[int, int, int, int]] | None = None) -> None:
        self.scale = scale
        self.card = card
        self.why: dict[str, str] = {}           # field name → why it has no value
        self.hits: dict[str, LabelHit] = {}     # field name → its label on the source
        self.cut: set[str] = set()              # fields whose label or value is cut off
        self._column_rights: dict[int, float] = {}
        self.anchors = [anchor_key(a) for f in fields for a in self.anchors_of(f)]
        self.boxes = boxes = _unglued(boxes, [a for a in self.anchors if len(a) >= 2])
        labels: set[int] = set()                # id() of every box holding some field's label
        found: dict[str, list[tuple[str, list[LabelHit]]]] = {}
        gap = ink_gap(image) if image is not None else None
        # a card has no cells to part (and glare hides ink): only unread text is looked for
        self._split = ink_split(image) if image is not None and not card else None
        self._between = ink_between(image) if image is not None else None
        for f in fields:
            found[f.name] = [(w, find_labels(boxes, w, glued=card, gap=gap))
                             for w in self.anchors_of(f)]
            labels |= {id(p) for _w, hits in found[f.name] for h in hits if h.literal for p in h.parts}
        claimed: set[int] = set()
        self._wording: dict[str, str] = {}      # field name → the anchor its label matched
        for f in fields:
            taken = self._claim(f, found[f.name], claimed)
            if taken is not None:
                self._wording[f.name], self.hits[f.name] = taken
                claimed |= {id(p) for p in taken[1].parts}
        labels |= claimed
        self._label_like = {id(b) for b in boxes
                            if id(b) in labels or looks_like_label(b, self.anchors)}
        # what was read: the picture, or the playbook's regions of it (x0, y0, x1, y1)
        self._frames = [] if card else frames or (
            [(0, 0, image.width, image.height)] if image is not None else [])
        self._image = image if not card else None   # a card photo is cut by nothing
        self._label_ink = self._typical_label_ink()

    @staticmethod
    def anchors_of(field: FieldSpec) -> list[str]:
        if field.read is not None:
            return [a for a in (field.read.anchor, *field.read.also) if a]
        return [field.label] if field.label else []

    def _claim(self, field: FieldSpec, found: list[tuple[str, list[LabelHit]]],
               claimed: set[int]) -> tuple[str, LabelHit] | None:
        """The field's label: the first wording found exactly once, exact readings before
        those that needed the engine's alternatives; one found twice is taken for neither."""
        for literal in (True, False):
            for wording, hits in found:
                free = [h for h in hits if h.literal == literal
                        and not any(id(p) in claimed for p in h.parts)]
                if len(free) == 1:
                    return wording, free[0]
                if len(free) > 1:
                    self.why[field.name] = _(
                        "The label {label} is on the source {n} times, so it is not known which "
                        "one is meant; none was taken (a region in the playbook can say where "
                        "to read).", label=wording, n=len(free))
                    return None
        if found:
            self.why[field.name] = _("The label {label} is not on the source.",
                                     label=" / ".join(w for w, _h in found))
        return None

    def label_box(self, field: FieldSpec) -> TextBox | None:
        hit = self.hits.get(field.name)
        return hit.box if hit is not None else None

    def right_limit(self, field: FieldSpec) -> tuple[float, float] | None:
        """How far right of its label the field's value may start (max_gap, the next
        label), and how far it may reach (the next label: +inf when there is none)."""
        hit = self.hits.get(field.name)
        if hit is None:
            return None
        spec = field.read or ReadSpec(anchor=field.label)
        label = hit.box
        gap = (spec.max_gap if spec.max_gap is not None else RIGHT_GAP) * label.height
        end = self._next_label_x(hit)
        return min(self._column_right(hit) + gap, end), end

    def read(self, field: FieldSpec) -> Found | None:
        spec = field.read or ReadSpec(anchor=field.label)
        if spec.pattern is not None and spec.anchor is None and spec.region is None:
            return self._pattern(spec.pattern, self.boxes)
        hit = None
        if spec.anchor is not None:
            hit = self.hits.get(field.name)
            if hit is None:
                return None
        if hit is not None and self._cut_off(hit.box, cjk=True):
            self.cut.add(field.name)
            self.why[field.name] = _(
                "The label {label} is cut off at the edge of what shows: scroll or move the "
                "window so that its line shows whole, and capture again.",
                label=self._wording[field.name])
            return None
        if spec.region is not None:
            found = self._region(spec.region, hit)
        elif hit is not None:
            found = self._below(hit, spec) if spec.direction == "below" else self._right(hit, spec)
            if found is None:
                gap = spec.max_gap if spec.max_gap is not None else \
                    BELOW_GAP if spec.direction == "below" else RIGHT_GAP
                self.why[field.name] = _(
                    "The label {label} is on the source, but no value was found below it, in its "
                    "column, within {gap} label heights.", label=self._wording[field.name],
                    gap=f"{gap:g}") \
                    if spec.direction == "below" else _(
                    "The label {label} is on the source, but no value was found right of it, "
                    "before the next label, within {gap} label heights.",
                    label=self._wording[field.name], gap=f"{gap:g}")
        else:
            found = None
        if found is not None and self._cut_off(TextBox(found.value, found.score, *found.box),
                                               cjk=_has_cjk(found.value)):
            self.cut.add(field.name)
            self.why[field.name] = _(
                "The value of {label} runs off the edge of what shows: scroll or move the "
                "window so that it shows whole, and capture again.",
                label=self._wording.get(field.name, field.label or field.name))
            return None
        if found is not None and spec.pattern is not None:
            m = re.search(spec.pattern, found.value)
            if m is None:
                self.why[field.name] = _("The text read for this field, '{value}', does not match "
                                         "its pattern.", value=found.value)
                return None
            g = 1 if m.groups() else 0
            found = found.part(m.start(g), m.end(g))
        return found

    # -- cut off by the edge of what shows ------------------------------------------
    def _typical_label_ink(self) -> float | None:
        """The median ink height of the labels found: a page's labels share one font."""
        if self._image is None:
            return None
        heights = sorted(h[0] for hit in self.hits.values()
                         if (h := ink_height(self._image, hit.box)) is not None)
        return float(heights[len(heights) // 2]) if len(heights) >= 3 else None

    def _cut_off(self, box: TextBox, *, cjk: bool) -> bool:
        """Whether the text in `box` may be cut by the edge of what was read (a window
        partly off the screen, a row under the browser's toolbar or a fixed header):
        it touches that edge, or (Chinese text, whose characters are all about as tall)
        its ink is clearly shorter than the page's labels'."""
        for x0, y0, x1, y1 in self._frames:
            inside = x0 <= box.x + box.width / 2 <= x1 and y0 <= box.y + box.height / 2 <= y1
            if inside and (box.x <= x0 + 1 or box.y <= y0 + 1 or box.right >= x1 - 1
                           or box.bottom >= y1 - 1):
                return True
        ink = ink_height(self._image, box) if self._image is not None else None
        if ink is None:
            return False
        height, covered = ink
        return covered or (cjk and self._label_ink is not None
                           and height < CUT_HEIGHT * self._label_ink)

    # -- by label ---------------------------------------------------------------
    def _is_label(self, box: TextBox) -> bool:
        return id(box) in self._label_like

    def _column_right(self, hit: LabelHit) -> float:
        key = id(hit.box)           # asked by right_limit and _right: measured once per label
        if key not in self._column_rights:
            self._column_rights[key] = self._measure_column_right(hit)
        return self._column_rights[key]

    def _measure_column_right(self, hit: LabelHit) -> float:
        """Where the gap to a value right of `hit` is measured from: the label's right edge,
        or in a column of labels aligned on the left (姓名 over 统一社会信用代码), the widest
        one's near it, since the values are aligned too and a short label's is far off."""
        label = hit.box
        h = label.height
        mid = label.y + h / 2
        own = {id(p) for p in hit.parts}
        right = max([label.right] + [b.right for b in self.boxes if id(b) not in own
                                     and self._is_label(b) and abs(b.x - label.x) <= 0.5 * h
                                     and abs(b.y + b.height / 2 - mid) <= COLUMN_REACH * h])
        if self._image is not None:        # a label in a grid's cell: from the cell's edge
            edge = cell_edge(self._image, label, right + RIGHT_GAP * h)
            if edge is not None:
                right = max(right, edge)
        return right

    def _next_label_x(self, hit: LabelHit) -> float:
        """The left edge of the next label right of `hit` on its line (+inf: none)."""
        label = hit.box
        mid, h = label.y + label.height / 2, label.height
        own = {id(p) for p in hit.parts}
        return min((b.x for b in self.boxes if id(b) not in own and self._is_label(b)
                    and b.x + b.width / 2 > label.right
                    and abs(b.y + b.height / 2 - mid) <= 0.6 * h), default=float("inf"))

    def _starts_with_label(self, row: list[TextBox], left: float, own: set[int]) -> bool:
        """Whether a line holds a label left of `left` (the value's left edge): another
        field begins on that line, so a wrapped value does not go on into it."""
        top = min(b.y for b in row)
        bottom = max(b.bottom for b in row)
        return any(id(b) not in own and self._is_label(b) and b.x < left
                   and top - 0.3 * b.height < b.y + b.height / 2 < bottom + 0.3 * b.height
                   for b in self.boxes)

    def _right(self, hit: LabelHit, spec: ReadSpec) -> Found | None:
        label = hit.box
        h = label.height
        mid = label.y + h / 2
        own = {id(p) for p in hit.parts}
        gap = (spec.max_gap if spec.max_gap is not None else RIGHT_GAP) * h
        # a label may sit mid-height of a wrapped value (a table cell); on an ID card the
        # value starts on the label's line
        reach = (spec.lines - 1) * 1.6 * h + 0.6 * h
        above = 0.6 * h if self.card else reach
        bound = self._next_label_x(hit)
        start = self._column_right(hit)
        values = [b for b in self.boxes if id(b) not in own and not self._is_label(b)
                  # by the centre: OCR boxes of short values often reach back into the label's
                  and b.x + b.width / 2 > label.right and b.x < bound
                  and -above <= b.y + b.height / 2 - mid <= reach]
        rest = None
        if hit.rest is not None:
            rest = self._cut(hit.rest)
            values = ([rest] if rest is not None else []) + \
                [b for b in values if b.x >= hit.rest.right - 2]
        rows = _rows(values)
        if not rows:
            return None
        # The row nearest the label's middle, then adjacent left-aligned rows: wrapped
        # lines sit closer together than separate cells or fields (padding, spacing).
        i = min(range(len(rows)), key=lambda k: abs(_mid(rows[k]) - mid))
        if abs(_mid(rows[i]) - mid) > 0.6 * h and (spec.lines == 1 or self.card):
            return None
        left = rows[i][0].x
        if left - start > gap:
            return None                                  # too far: another cell's text
        picked = self._wrapped(rows, i, spec.lines, h, own, allow_above=not self.card)
        # a rest cut at another label already ends there; an uncut one may hold a cell more
        whole = rest if rest is hit.rest else None
        return self._joined([rows[k] for k in sorted(picked)], h, hit, whole)

    def _wrapped(self, rows: list[list[TextBox]], i: int, lines: int, h: float, own: set[int],
                 *, allow_above: bool = True) -> list[int]:
        """Row i and the rows a wrapped value goes on in: adjacent, left-aligned with it,
        close, and not begun by another label."""
        picked = [i]
        left = rows[i][0].x
        while len(picked) < lines:
            below, above = max(picked) + 1, min(picked) - 1
            options = []
            for k, near in ((below, max(picked)), (above, min(picked))):
                if k == above and not allow_above:
                    continue
                if not 0 <= k < len(rows) or abs(rows[k][0].x - left) > 1.5 * h:
                    continue
                upper, lower = (rows[near], rows[k]) if k > near else (rows[k], rows[near])
                if _gap(upper, lower) <= 0.6 * h and not self._starts_with_label(rows[k], left, own):
                    options.append(k)
            if not options:
                break
            picked.append(options[0])
        return picked

    def _below(self, hit: LabelHit, spec: ReadSpec) -> Found | None:
        """The value under the label, in the label's column: between the labels left and
        right of it on its line, starting under the label, within max_gap."""
        label = hit.box
        h = label.height
        mid = label.y + h / 2
        own = {id(p) for p in hit.parts}
        gap = (spec.max_gap if spec.max_gap is not None else BELOW_GAP) * h
        beside = [b for b in self.boxes if id(b) not in own and self._is_label(b)
                  and abs(b.y + b.height / 2 - mid) <= 0.6 * h]
        right = min((b.x for b in beside if b.x >= label.right - 1), default=float("inf"))
        left = max((b.right for b in beside if b.right <= label.x + 1), default=float("-inf"))
        column = [b for b in self.boxes if id(b) not in own and b.y >= label.y + 0.8 * h
                  and left <= b.x < right and b.x <= label.right + h and b.right >= label.x - h]
        rows = _rows(column)
        if not rows or min(b.y for b in rows[0]) - label.bottom > gap:
            return None
        if any(self._is_label(b) for b in rows[0]):
            return None                                  # the next label comes first: no value
        if any(b.right > right + 0.5 * h for b in rows[0]):
            return None                                  # runs into the next column: merged
        picked = [0]
        for k in range(1, len(rows)):
            if len(picked) >= spec.lines or _gap(rows[k - 1], rows[k]) > 0.6 * h \
                    or abs(rows[k][0].x - rows[0][0].x) > 1.5 * h \
                    or any(self._is_label(b) or b.right > right + 0.5 * h for b in rows[k]):
                break
            picked.append(k)
        return self._joined([rows[k] for k in picked], h, hit, None)

    def _joined(self, lines: list[list[TextBox]], h: float, hit: LabelHit, rest: TextBox | None
                ) -> Found | None:
        """The value's boxes, line by line, each line up to a wide blank (another cell's
        text follows), also one inside a box that OCR read over two cells; None when such
        a blank is seen but where the text parts cannot be told. Printed text OCR left
        unread between two boxes makes the value doubtful: it may lack a part."""
        boxes: list[TextBox] = []
        doubt = False
        if lines and lines[0] and lines[0][0] is not rest:
            first = _without_colon(_without_label_end(lines[0][0], hit.box))
            lines = [[first, *lines[0][1:]], *lines[1:]]
        for line in lines:
            run, unread = self._run(line, h)
            doubt = doubt or unread
            for b in run:
                if self._split is not None:
                    whole, at = (hit.parts[-1], hit.rest_at) if b is rest else (b, 0)
                    i = self._split(whole, at)
                    if i is not None:
                        if i < 0:
                            return None
                        boxes.append(slice_box(whole, at, i) if i > at else b)
                        return self._found(boxes, doubt)
                boxes.append(b)
            if len(run) < len(line):
                break                         # another cell follows: the value ends here
        return self._found(boxes, doubt)

    @staticmethod
    def _found(boxes: list[TextBox], doubt: bool) -> Found | None:
        if not boxes:
            return None
        found = found_from_boxes(boxes)
        if doubt:
            found = replace(found, doubt=_("Part of this value is printed but could not be "
                                           "read; check it against the source."))
        return found

    def _run(self, row: list[TextBox], h: float) -> tuple[list[TextBox], bool]:
        """The boxes of one line that belong to the value, and whether printed text OCR did
        not read lies between two of them. Without the picture, or on a card (no cells):
        up to a gap of RUN_GAP label heights. With it: up to a blank of SPLIT_CHARS
        characters (another cell) — a gap holding ink is text left unread, not the end."""
        run, unread = [row[0]], False
        for b in row[1:]:
            gap = b.x - run[-1].right
            char = 0.8 * min(b.height, run[-1].height)
            if self._between is None or self.card:
                if gap > h * RUN_GAP:
                    break
                unread = unread or (self._between is not None and gap > 0.5 * char
                                    and self._between(run[-1], b))
            elif gap > 0.5 * char:
                if self._between(run[-1], b):
                    unread = True
                elif gap >= SPLIT_CHARS * char:
                    break
            run.append(b)
        return run, unread

    def _cut(self, rest: TextBox) -> TextBox | None:
        """A value OCR read into its label's box, up to another field's label inside it
        ("男民族：汉" → 男)."""
        text = rest.text
        ends = [i for a in self.anchors if len(a) >= 2 for i in _find_all(text, a) if i > 0]
        if ends:
            rest = slice_box(rest, 0, min(ends))
        return rest if rest.text.strip() else None

    # -- by region or pattern ---------------------------------------------------------
    def _region(self, region: Region, hit: LabelHit | None) -> Found | None:
        label = hit.box if hit is not None else None
        own = {id(p) for p in hit.parts} if hit is not None else set()
        ox, oy = (label.x, label.y) if label is not None else (0, 0)
        x0, y0 = ox + region.x * self.scale, oy + region.y * self.scale
        x1, y1 = x0 + region.width * self.scale, y0 + region.height * self.scale
        inside = [b for b in self.boxes
                  if x0 <= b.x + b.width / 2 <= x1 and y0 <= b.y + b.height / 2 <= y1
                  and id(b) not in own]
        rest = hit.rest if hit is not None else None
        if rest is not None and x0 <= rest.x + rest.width / 2 <= x1 and y0 <= rest.y + rest.height / 2 <= y1:
            inside.append(rest)
        if not inside:
            return None
        return found_from_boxes(reading_order(inside))

    @staticmethod
    def _pattern(pattern: str, boxes: list[TextBox]) -> Found | None:
        rx = re.compile(pattern)
        for b in reading_order(boxes):
            keep = [i for i, ch in enumerate(b.text) if ch != " "]
            text = "".join(b.text[i] for i in keep)
            m = rx.search(text)
            if m:
                alts = tuple(b.alternatives[i] for i in keep) if b.alternatives is not None else None
                g = 1 if m.groups() else 0
                return Found(text, (b.x, b.y, b.width, b.height), b.score, alts).part(m.start(g), m.end(g))
        return None


def _find_all(text: str, anchor: str) -> list[int]:
    """Where `anchor` starts in `text`, spaces in `text` ignored (indexes into `text`)."""
    keep = [i for i, c in enumerate(text) if not c.isspace()]
    squeezed = "".join(text[i] for i in keep).casefold()
    out, at = [], squeezed.find(anchor)
    while at >= 0:
        out.append(keep[at])
        at = squeezed.find(anchor, at + 1)
    return out
