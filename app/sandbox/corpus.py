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

from app.sandbox.forms import FORM_KINDS, render_form_page
from app.sandbox.grids import render_grid
from app.sandbox.people import Person, make_person
from app.sandbox.photos import render_id_card_photo
from app.sandbox.sources import Source

__all__ = ["KINDS", "sample", "person_for"]

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
