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


@dataclass(frozen=True)
class Found:
    value: str
    box: tuple[int, int, int, int]     # x, y, width, height of everything the value came from
    score: float


def _union(boxes: list[TextBox]) -> tuple[int, int, int, int]:
    x0 = min(b.x for b in boxes)
    y0 = min(b.y for b in boxes)
    x1 = max(b.x + b.width for b in boxes)
    y1 = max(b.y + b.height for b in boxes)
    return (x0, y0, x1 - x0, y1 - y0)


def _join(boxes: list[TextBox]) -> str:
    # OCR drops spaces anyway; Chinese values have none.
    return "".join(b.text.strip() for b in boxes)


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
        self.labels = [a for a in (self.anchor_of(f) for f in fields) if a]

    @staticmethod
    def anchor_of(field: FieldSpec) -> str | None:
        if field.read is not None:
            return field.read.anchor
        return field.label

    def read(self, field: FieldSpec) -> Found | None:
        spec = field.read or ReadSpec(anchor=field.label)
        if spec.pattern is not None and spec.anchor is None and spec.region is None:
            return self._pattern(spec.pattern, self.boxes)
        label = None
        if spec.anchor is not None:
            label = find_text(self.boxes, spec.anchor)
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
            found = Found(m.group(1) if m.groups() else m.group(0), found.box, found.score)
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
                rest = _LEAD.sub("", b.text[idx + len(label.text):]) if idx >= 0 else ""
                if rest:
                    right = label.x + label.width
                    return TextBox(rest, b.score, right, b.y, b.x + b.width - right, b.height)
        return None

    def _beside(self, label: TextBox, spec: ReadSpec) -> Found | None:
        h = label.height
        first: list[TextBox] = []
        merged = self._rest_of_label_box(label)
        if spec.direction == "right":
            mid = label.y + h / 2
            line = [b for b in self.boxes
                    if abs((b.y + b.height / 2) - mid) <= h * 0.6 and b.x >= label.x + label.width - 2
                    and b is not label and b.text != label.text]
            line.sort(key=lambda b: b.x)
            if merged is not None:
                line = [merged] + [b for b in line if b.x >= merged.x + merged.width - 2]
            prev_right = label.x + label.width
            for b in line:
                if self._is_label(b) and b is not merged:
                    break
                if first and b.x - prev_right > h * 2.5:
                    break
                first.append(b)
                prev_right = b.x + b.width
        else:
            below = [b for b in self.boxes if b.y >= label.y + h * 0.8
                     and b.x < label.x + label.width + h and b.x + b.width > label.x - h
                     and not self._is_label(b)]
            below.sort(key=lambda b: b.y)
            if below:
                top = below[0]
                first = sorted([b for b in below if abs(b.y - top.y) < h * 0.6], key=lambda b: b.x)
        if not first:
            return None
        parts = list(first)
        x_left = min(b.x for b in first)
        bottom = max(b.y + b.height for b in first)
        for _ in range(spec.lines - 1):
            nxt = [b for b in self.boxes
                   if bottom - h * 0.2 <= b.y <= bottom + h * 1.2
                   and abs(b.x - x_left) <= h * 1.5 and not self._is_label(b)
                   and b not in parts]
            if not nxt:
                break
            row_top = min(b.y for b in nxt)
            row = sorted([b for b in nxt if b.y - row_top < h * 0.6], key=lambda b: b.x)
            parts += row
            bottom = max(b.y + b.height for b in row)
        return Found(_join(parts), _union(parts), min(b.score for b in parts))

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
        inside = reading_order(inside)
        return Found(_join(inside), _union(inside), min(b.score for b in inside))

    @staticmethod
    def _pattern(pattern: str, boxes: list[TextBox]) -> Found | None:
        rx = re.compile(pattern)
        for b in reading_order(boxes):
            m = rx.search(b.text.replace(" ", ""))
            if m:
                return Found(m.group(1) if m.groups() else m.group(0), (b.x, b.y, b.width, b.height),
                             b.score)
        return None
