"""Closed sample cases to archive, for tests and bench/archive.py: each the generated person
`seed` read from their ID card picture (kept beside the case, as a capture keeps it) and
filled into the sample approval client, with fixed dates so that packages rebuild alike.

    path = write_sample_case(folder, 7)     # folder/case-0007.json + folder/card-0007.png
"""
from __future__ import annotations

from pathlib import Path

from app.cases import Case, FieldValue, save_case
from app.sandbox.people import make_person
from app.sandbox.sources import render_id_card

__all__ = ["write_sample_case", "sample_case"]

PLAYBOOK = "sample-approval"


def sample_case(seed: int, card: Path) -> Case:
    p = make_person(seed)
    source = {"kind": "image", "file": str(card)}
    fields = {k: FieldValue(v, "ok", None, dict(source)) for k, v in p.to_fields().items()}
    day = 1 + seed % 28
    created = f"2026-11-{day:02d}T09:{seed % 60:02d}:00+08:00"
    fill = {"at": f"2026-11-{day:02d}T09:{seed % 60:02d}:40+08:00", "playbook": PLAYBOOK,
            "outcome": "done", "window": "审批系统 - 受理", "step_reached": None,
            "field_reached": None, "position": None, "readback_ok": len(fields), "differs": [],
            "message": None}
    return Case(f"2026{11:02d}{day:02d}-{seed:04d}", PLAYBOOK, fields, created=created,
                fills=[fill])


def write_sample_case(folder: Path, seed: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    card = folder / f"card-{seed:04d}.png"
    if not card.exists():
        render_id_card(make_person(seed), seed=seed).image.save(card, optimize=False)
    path = folder / f"case-{seed:04d}.json"
    save_case(sample_case(seed, card.resolve()), path)
    return path
