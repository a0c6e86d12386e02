"""The unseen-style corpus of issue 11: sample sources of kinds the shipped playbooks were
never written for, each with its ground truth, numbered and deterministic.

    src = sample("table", 4)            # Source: image, truth, meta (rows, selected …)
    src.meta["playbook"]                # which playbook of tests/fixtures/playbooks/unseen reads it

Kinds: `above`, `nested`, `spaced`, `columns`, `scrolled`, `transform` (form pages,
app/sandbox/forms.py), `idcard_photo` (app/sandbox/photos.py), `table`
(app/sandbox/grids.py). A truth of None means the field must come out empty (left empty
on the page, or not wholly on screen); anything read there is wrong.
"""
from __future__ import annotations

import math

from app.checks.normalize import halfwidth_alnum
from app.ocr.base import TextBox
from app.sandbox.forms import FORM_KINDS, render_form_page
from app.sandbox.grids import render_grid
from app.sandbox.people import Person, make_person
from app.sandbox.photos import render_id_card_photo
from app.sandbox.sources import Source

__all__ = ["KINDS", "sample", "person_for", "seen_by_ocr"]

KINDS = ("above", "nested", "spaced", "columns", "scrolled", "idcard_photo", "table", "transform")
_FIRST_SEED = 20_000           # people of the corpus: none of the shipped tests' seeds


def person_for(kind: str, i: int) -> Person:
    """The applicant of sample `i` of `kind`. The transform kind skips Beijing and
    Shanghai: what 市 a municipality's address has is not what it tests."""
    seed = _FIRST_SEED + i
    person = make_person(seed)
    while kind == "transform" and person.area.city == person.area.province:
        seed += 100_000
        person = make_person(seed)
    return person


def sample(kind: str, i: int) -> Source:
    """Sample `i` (0, 1, 2 …) of `kind`; `meta["playbook"]` names the playbook variant
    that reads it (e.g. nested-above, for pages that put labels above values)."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    if kind == "table":
        src = render_grid(seed=i)
        src.meta["playbook"] = "table"
    elif kind == "idcard_photo":
        src = render_id_card_photo(person_for(kind, i), seed=i)
        src.meta["playbook"] = "idcard_photo"
    else:
        assert kind in FORM_KINDS
        src = render_form_page(person_for(kind, i), kind, seed=i)
        variant = kind in ("nested", "spaced")
        src.meta["playbook"] = f"{kind}-{src.meta['placement']}" if variant else kind
    src.meta["sample"] = (kind, i)
    return src


def _plain(text: str) -> str:
    return halfwidth_alnum("".join(text.split()))


def seen_by_ocr(src: Source, boxes: list[TextBox]) -> dict[str, bool]:
    """For each field with a value on `src`: whether the OCR `boxes` (image pixels) over its
    value hold every character of it, in order (they may hold more). What a reader can at
    best deliver: a field OCR did not see is the engine's miss, not the reader's."""
    a = math.radians(src.meta.get("tilt_deg", 0.0))
    cos, sin = math.cos(a), math.sin(a)
    out = {}
    for name, want in src.truth.items():
        shown = src.shown.get(name)
        if want is None or not shown or name not in src.value_boxes:
            continue
        x0, y0, x1, y1 = src.value_boxes[name]
        over = [b for b in boxes if b.x < x1 - 2 and b.right > x0 + 2
                and b.y < y1 - 2 and b.bottom > y0 + 2]
        # reading order along the text's own lines (photos are tilted)
        lines: list[list[tuple[float, float, TextBox]]] = []
        for b in sorted(over, key=lambda b: b.center[0] * sin + b.center[1] * cos):
            u = b.center[0] * cos - b.center[1] * sin
            v = b.center[0] * sin + b.center[1] * cos
            if lines and abs(v - lines[-1][0][1]) < 0.5 * b.height:
                lines[-1].append((u, v, b))
            else:
                lines.append([(u, v, b)])
        text = "".join(b.text for line in lines for _u, _v, b in sorted(line, key=lambda t: t[0]))
        got = iter(_plain(text))
        out[name] = all(ch in got for ch in _plain(shown))
    return out
