"""Binding a value the supervisor put into the target to the place on the source it came
from, by the OCR lines of the source.

Tried in turn, the first tier that matches wins: the text as shown; the same after
removing spaces and width and letter-case differences; the same date in another form
(2024年7月10日, 2024-07-10, 2024/7/10, 20240710); the same entry of a code list the project
ships (性别 1 ↔ 男, 民族 汉 ↔ 汉族 ↔ 01). Each match carries the transform steps that turn what
the source shows into what was typed, checked by running them (app/values/transforms.py),
so a capture of another case gives the value in the form the target took.

A value found in two places is never bound by chance: the place whose label is the target
box's label wins, else the value is asked about.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from app.checks.normalize import to_halfwidth
from app.registry.dictionaries import shipped
from app.values.transforms import apply_transforms, read_any_date
from playbooks.anchors import anchor_key
from playbooks.model import TransformStep
from recorders.recording import SourceLine

__all__ = ["Place", "Match", "places", "match_value", "bind", "Binding", "DATE_FORMATS",
           "date_format"]

# How a typed date may look, most common first; each is one the date check reads back.
DATE_FORMATS = ("%Y-%m-%d", "%Y年%m月%d日", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d")
TIERS = ("exact", "normalised", "date", "code")
# "姓名：张三" or "姓名 张三" read by OCR as one line
_INLINE = (re.compile(r"^\s*([\u3400-\u9fff][\u3400-\u9fff\s（）()]{0,14}?)\s*[:：]\s*(\S.*?)\s*$"),
           re.compile(r"^\s*([\u3400-\u9fff]{2,8})\s+(\S.*?)\s*$"))
MAX_WRAP = 3                       # a value continues over at most this many lines


@dataclass(frozen=True)
class Place:
    """Text on the source that could be a value: one OCR line, the part of a line after its
    label ("姓名：张三"), or a line and the lines it wraps onto (an address)."""

    text: str
    lines: tuple[int, ...]          # indices into the source's lines
    label: str | None = None        # the label in front of it on its own line


@dataclass(frozen=True)
class Match:
    place: Place
    tier: str                       # one of TIERS
    transform: tuple[TransformStep, ...] = ()
    date_format: str | None = None  # for a date: how the target took it


@dataclass(frozen=True)
class Binding:
    """What a value was bound to: one match, or none with the reason (`ambiguous` lists the
    places when the value is in two or more and no label settles it)."""

    match: Match | None
    ambiguous: tuple[Place, ...] = ()


def _continues(a: SourceLine, b: SourceLine) -> bool:
    """`b` is the next line of a value that wraps from `a`: just under it, left-aligned."""
    h = max(a.height, 1)
    return (b.y > a.y + 0.5 * h and b.y - (a.y + a.height) < 0.8 * h
            and abs(b.x - a.x) <= 1.5 * h)


def _split_inline(text: str) -> tuple[str, str] | None:
    for pat in _INLINE:
        m = pat.match(text)
        if m:
            return anchor_key(m.group(1)), m.group(2)
    return None


def _pairs(text: str, i: int) -> list[Place]:
    """"性别 男 民族 汉" read as one line: each value after its label (the first pair is the
    inline split's)."""
    tokens = text.split()
    if len(tokens) < 4:
        return []
    return [Place(tokens[k + 1], (i,), anchor_key(tokens[k])) for k in range(2, len(tokens) - 1)
            if re.fullmatch(r"[\u3400-\u9fff]{1,8}[:：]?", tokens[k])]


def places(lines: tuple[SourceLine, ...]) -> list[Place]:
    """Every piece of the source that could be one value."""
    out: list[Place] = []
    order = sorted(range(len(lines)), key=lambda i: (lines[i].y, lines[i].x))
    for i in order:
        ln = lines[i]
        text = ln.text.strip()
        if not text:
            continue
        heads = [Place(text, (i,))]
        split = _split_inline(text)
        if split is not None:
            heads.append(Place(split[1], (i,), split[0]))
        heads += _pairs(text, i)
        out += heads
        chain, last = [i], ln
        for _n in range(MAX_WRAP - 1):
            nxt = next((j for j in order if j not in chain and _continues(last, lines[j])), None)
            if nxt is None:
                break
            chain.append(nxt)
            last = lines[nxt]
            tail = "".join(lines[j].text.strip() for j in chain[1:])
            out += [Place(h.text + tail, tuple(chain), h.label) for h in heads]
    return out


def _norm(text: str) -> str:
    return "".join(to_halfwidth(text).split()).casefold()


def _has_fullwidth(text: str) -> bool:
    return any("\uff01" <= c <= "\uff5e" for c in text)


def date_format(value: str) -> str | None:
    """The strftime format that writes `value` (a date); for a date written without leading
    zeros (2024年7月10日), the format of the same shape (%Y年%m月%d日)."""
    d = read_any_date(value)
    if d is None:
        return None
    v = value.strip()
    exact = next((f for f in DATE_FORMATS if d.strftime(f) == v), None)
    if exact is not None:
        return exact
    shape = next((f for sep, f in (("年", "%Y年%m月%d日"), ("/", "%Y/%m/%d"), (".", "%Y.%m.%d"))
                  if sep in v), None)
    return shape or ("%Y%m%d" if v.isdigit() else DATE_FORMATS[0])


def _gives(steps: tuple[TransformStep, ...], text: str, value: str,
           choices: tuple[str, ...]) -> bool:
    t = apply_transforms(steps, text, choices=choices)
    return t.problem is None and t.value == value


def match_value(value: str, place: Place, choices: tuple[str, ...] = ()) -> Match | None:
    """How `place` gives `value`, or None."""
    v, p = value.strip(), place.text.strip()
    if not v or not p:
        return None
    if v == p:
        return Match(place, "exact")
    if _norm(v) == _norm(p):
        steps: list[TransformStep] = []
        if _has_fullwidth(p) and not _has_fullwidth(v):
            steps.append(TransformStep("halfwidth"))
        elif _has_fullwidth(v) and not any(c.isascii() and c.isalnum() for c in v):
            steps.append(TransformStep("fullwidth"))
        if re.search(r"\s", p) and not re.search(r"\s", v):
            steps.append(TransformStep("replace", pairs=((" ", ""),)))
        if v.upper() == v and p.upper() != p:
            steps.append(TransformStep("upper"))
        elif v.lower() == v and p.lower() != p:
            steps.append(TransformStep("lower"))
        if _gives(tuple(steps), p, v, choices):
            return Match(place, "normalised", tuple(steps))
        return Match(place, "normalised", tuple(steps)) if not steps else None
    dv, dp = read_any_date(v), read_any_date(p)
    if dv is not None and dv == dp:
        fmt = date_format(v) or DATE_FORMATS[0]
        steps_d = () if p == dp.strftime(DATE_FORMATS[0]) else (
            TransformStep("date", format=DATE_FORMATS[0]),)
        return Match(place, "date", steps_d, date_format=fmt)
    for name in shipped():
        for kind in ("code", "to_code"):
            steps_c = (TransformStep(kind, dictionary=name),)
            if _gives(steps_c, p, v, choices):
                return Match(place, "code", steps_c)
    return None


def _label_of(place: Place, labels: dict[Place, str | None]) -> str | None:
    return place.label if place.label is not None else labels.get(place)


def bind(value: str, all_places: list[Place], *, box_label: str = "",
         choices: tuple[str, ...] = (), labels: dict[Place, str | None] | None = None
         ) -> Binding:
    """The place `value` came from. `labels`: each place's label on the source (found by
    geometry), used to settle a value found in several places."""
    found: dict[str, list[Match]] = {}
    for pl in all_places:
        m = match_value(value, pl, choices)
        if m is not None:
            found.setdefault(m.tier, []).append(m)
    for tier in TIERS:
        ms = found.get(tier)
        if not ms:
            continue
        ms = _distinct(ms)
        if len(ms) == 1:
            return Binding(ms[0])
        want = anchor_key(box_label) if box_label else ""
        labels = labels or {}
        same = [m for m in ms if want and _label_of(m.place, labels) == want]
        if len(same) == 1:
            return Binding(same[0])
        inside = [m for m in ms if want and (lab := _label_of(m.place, labels))
                  and (lab in want or want in lab)]
        if len(inside) == 1:
            return Binding(inside[0])
        return Binding(None, tuple(m.place for m in ms))
    return Binding(None)


def _distinct(ms: list[Match]) -> list[Match]:
    """One match per place on the source: a line and the same text after its own label are
    one place (the labelled reading is kept), as are a line and its wrapped reading."""
    by_lines: dict[tuple[int, ...], Match] = {}
    for m in ms:
        old = by_lines.get(m.place.lines)
        if old is None or (old.place.label is None and m.place.label is not None):
            by_lines[m.place.lines] = m
    return list(by_lines.values())
