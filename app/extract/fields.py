"""Find each field's value among OCR boxes.

A value is found by its label (the anchor): the text right of it on the same line,
or below it; values that wrap (住址) continue on the following lines, left-aligned
with their first line. Text that is itself another field's label ends a value, so
"性别 男 民族 汉" gives 性别 = 男. A region (relative to the anchor or the source) or
a regular expression can be used instead. Coordinates are image pixels; `scale`
turns a playbook's logical pixels into them (125% display: 1.25).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from app.ocr.base import TextBox
from app.ocr.find import find_text, normalize
from playbooks.model import FieldSpec, ReadSpec, Region

_LEAD = re.compile(r"^[\s:：]+")


Alternatives = tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Found:
    value: str
    box: tuple[int, int, int, int]     # x, y, width, height of everything the value came from
    score: float
    # Per character of `value`, what the OCR engine also considered (see TextBox).
    alternatives: Alternatives | None = None

    def __post_init__(self) -> None:
        if self.alternatives is not None and len(self.alternatives) != len(self.value):
            object.__setattr__(self, "alternatives", None)

    def part(self, start: int, end: int) -> "Found":
        """The value narrowed to value[start:end], its alternatives with it."""
        alts = self.alternatives[start:end] if self.alternatives is not None else None
        return Found(self.value[start:end], self.box, self.score, alts)


def _union(boxes: list[TextBox]) -> tuple[int, int, int, int]:
    x0 = min(b.x for b in boxes)
    y0 = min(b.y for b in boxes)
    x1 = max(b.x + b.width for b in boxes)
    y1 = max(b.y + b.height for b in boxes)
    return (x0, y0, x1 - x0, y1 - y0)


def _stripped(box: TextBox) -> tuple[str, Alternatives | None]:
    text = box.text
    start, end = len(text) - len(text.lstrip()), len(text.rstrip())
    alts = box.alternatives[start:end] if box.alternatives is not None else None
    return text[start:end], alts


def found_from_boxes(boxes: list[TextBox]) -> Found:
    """The boxes' texts joined (OCR drops spaces anyway; Chinese values have none),
    with their alternatives when every box has them."""
    parts = [_stripped(b) for b in boxes]
    alts: Alternatives | None = None
    if all(a is not None for _, a in parts):
        alts = tuple(x for _, a in parts for x in a)  # type: ignore[union-attr]
    return Found("".join(t for t, _ in parts), _union(boxes), min(b.score for b in boxes), alts)


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
    def __init__(self, boxes: list[TextBox], fields: tuple[FieldSpec, ...], scale: float = 1.0) -> None:
        self.boxes = boxes
        self.scale = scale
        self.labels = [a for f in fields for a in self.anchors_of(f)]

    @staticmethod
    def anchors_of(field: FieldSpec) -> list[str]:
        if field.read is not None:
            return [a for a in (field.read.anchor, *field.read.also) if a]
        return [field.label] if field.label else []

    def label_box(self, field: FieldSpec) -> TextBox | None:
        spec = field.read
        for wording in ([spec.anchor, *spec.also] if spec and spec.anchor else []):
            box = find_text(self.boxes, wording)
            if box is not None:
                return box
        return None

    def read(self, field: FieldSpec) -> Found | None:
        spec = field.read or ReadSpec(anchor=field.label)
        if spec.pattern is not None and spec.anchor is None and spec.region is None:
            return self._pattern(spec.pattern, self.boxes)
        label = None
        if spec.anchor is not None:
            for wording in (spec.anchor, *spec.also):
                label = find_text(self.boxes, wording)
                if label is not None:
                    break
            if label is None:
                return None
        if spec.region is not None:
            found = self._region(spec.region, label)
        elif label is not None:
            found = self._beside(label, spec)
        else:
            found = None
        if found is not None and spec.pattern is not None:
            m = re.search(spec.pattern, found.value)
            if m is None:
                return None
            g = 1 if m.groups() else 0
            found = found.part(m.start(g), m.end(g))
        return found

    # -- by label ---------------------------------------------------------------
    def _is_label(self, box: TextBox) -> bool:
        text = normalize(box.text)
        return any(text == normalize(a) or (text.startswith(normalize(a)) and len(normalize(a)) >= 2)
                   for a in self.labels)

    def _rest_of_label_box(self, label: TextBox) -> TextBox | None:
        """OCR often merges a label with its value ("姓名张伟"): the part after the label."""
        for b in self.boxes:
            if (b.x <= label.x + 1 and b.x + b.width >= label.x + label.width - 1
                    and abs(b.y - label.y) <= max(2, label.height * 0.2) and b.text != label.text):
                idx = b.text.find(label.text)
                if idx < 0:
                    continue
                after = idx + len(label.text)
                lead = _LEAD.match(b.text[after:])
                start = after + (lead.end() if lead else 0)
                rest = b.text[start:]
                if rest:
                    right = label.x + label.width
                    alts = b.alternatives[start:] if b.alternatives is not None else None
                    return TextBox(rest, b.score, right, b.y, b.x + b.width - right, b.height, alts)
        return None

    def _beside(self, label: TextBox, spec: ReadSpec) -> Found | None:
        h = label.height
        if spec.direction == "below":
            return self._below(label)
        mid = label.y + h / 2
        reach = (spec.lines - 1) * 1.6 * h + 0.6 * h   # a label may sit mid-height of a wrapped value
        near = [b for b in self.boxes if b is not label and b.text != label.text
                # by the centre: OCR boxes of short values often reach back into the label's
                and b.x + b.width / 2 > label.x + label.width
                and abs(b.y + b.height / 2 - mid) <= reach]
        # The next label to the right (two-column tables, 性别 男 民族 汉) closes the value.
        bound = min((b.x for b in near if self._is_label(b)
                     and abs(b.y + b.height / 2 - mid) <= 0.6 * h), default=float("inf"))
        values = [b for b in near if not self._is_label(b) and b.x < bound]
        merged = self._rest_of_label_box(label)
        if merged is not None:
            values = [merged] + [b for b in values if b.x >= merged.x + merged.width - 2]
        rows = _rows(values)
        if not rows:
            return None
        # The row nearest the label's middle, then adjacent left-aligned rows: wrapped
        # lines sit closer together than separate cells or fields (padding, spacing).
        i = min(range(len(rows)), key=lambda k: abs(_mid(rows[k]) - mid))
        if abs(_mid(rows[i]) - mid) > 0.6 * h and spec.lines == 1:
            return None
        picked = [i]
        left = rows[i][0].x
        while len(picked) < spec.lines:
            below, above = max(picked) + 1, min(picked) - 1
            options = [k for k in (below, above) if 0 <= k < len(rows)
                       and abs(rows[k][0].x - left) <= 1.5 * h
                       and _gap(rows[min(k, min(picked) if k < i else max(picked))],
                                rows[max(k, min(picked) if k < i else max(picked))]) <= 0.6 * h]
            if not options:
                break
            picked.append(options[0])
        parts = [self._line_run(rows[k], h) for k in sorted(picked)]
        return found_from_boxes([b for run in parts for b in run])

    @staticmethod
    def _line_run(row: list[TextBox], h: float) -> list[TextBox]:
        """Boxes of one line that belong together: stop at a wide gap."""
        run = [row[0]]
        for b in row[1:]:
            if b.x - (run[-1].x + run[-1].width) > h * 2.5:
                break
            run.append(b)
        return run

    def _below(self, label: TextBox) -> Found | None:
        h = label.height
        below = [b for b in self.boxes if b.y >= label.y + h * 0.8
                 and b.x < label.x + label.width + h and b.x + b.width > label.x - h
                 and not self._is_label(b)]
        if not below:
            return None
        top = min(below, key=lambda b: b.y)
        row = sorted([b for b in below if abs(b.y - top.y) < h * 0.6], key=lambda b: b.x)
        return found_from_boxes(row)

    # -- by region or pattern ---------------------------------------------------------
    def _region(self, region: Region, label: TextBox | None) -> Found | None:
        ox, oy = (label.x, label.y) if label is not None else (0, 0)
        x0, y0 = ox + region.x * self.scale, oy + region.y * self.scale
        x1, y1 = x0 + region.width * self.scale, y0 + region.height * self.scale
        inside = [b for b in self.boxes
                  if x0 <= b.x + b.width / 2 <= x1 and y0 <= b.y + b.height / 2 <= y1
                  and b is not label and not (label is not None and b.text == label.text)]
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
