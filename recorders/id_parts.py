"""A typed value that is a part of an ID number the source shows (its birth date, gender,
area code, age): a field derived from that number (`derive: {from: id_number, part: …}`)
rather than a question. Portal pages, grids and certificates often show only the
公民身份号码; the approval client still wants 出生日期 and 性别.

The part is computed the way a capture will compute it (app/values/derive.py `id_part`),
so what binds here is what a capture of another case gives. A value that two different ID
numbers on the source would give (an applicant and an agent of the same sex) is not bound:
it is asked about.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.checks.id_number import IdInfo, parse_id_number
from app.checks.normalize import format_code
from app.errors import InvalidValueError
from app.values.derive import id_part
from app.values.transforms import read_any_date
from playbooks.anchors import anchor_key
from playbooks.model import ID_PART_TYPES, DeriveSpec, FieldSpec
from recorders.bind import Place

__all__ = ["IdPart", "id_places", "id_part_of"]

# a box asking for an age: an age alone (two digits) is too common a number to bind blind
_AGE_LABELS = ("年龄", "周岁")


@dataclass(frozen=True)
class IdPart:
    place: Place                    # where the ID number is on the source
    part: str                       # one of playbooks.model.ID_PARTS


def id_places(all_places: list[Place]) -> list[tuple[Place, IdInfo]]:
    """Each place on the source showing a valid ID number, once (the labelled reading of a
    line wins over the line itself)."""
    by_lines: dict[tuple[int, ...], tuple[Place, IdInfo]] = {}
    for p in all_places:
        if len(p.lines) != 1:
            continue
        try:
            info = parse_id_number(p.text)
        except InvalidValueError:
            continue
        old = by_lines.get(p.lines)
        if old is None or (old[0].label is None and p.label is not None):
            by_lines[p.lines] = (p, info)
    return list(by_lines.values())


def _gives(part: str, value: str, info: IdInfo, ftype: str, choices: tuple[str, ...],
           today: date | None) -> bool:
    spec = FieldSpec(name="x", type=ftype, choices=choices,  # type: ignore[arg-type]
                     derive=DeriveSpec(source="id", part=part))
    got, _problem = id_part(spec, info, today=today)
    if got is None:
        return False
    if part == "birth_date":
        return read_any_date(value) == read_any_date(got)
    return got == value.strip()


def id_part_of(value: str, ids: list[tuple[Place, IdInfo]], *, ftype: str,
               choices: tuple[str, ...] = (), box_label: str = "",
               today: date | None = None) -> IdPart | None:
    """The ID number on the source and its part that give `value` for a field of `ftype`
    (the type the draft gives the box), or None."""
    if not value.strip() or not ids:
        return None
    parts = [p for p, types in ID_PART_TYPES.items() if ftype in types]
    if "age" in parts and not any(w in anchor_key(box_label) for w in _AGE_LABELS):
        parts.remove("age")
    for part in parts:
        hits = [(pl, info) for pl, info in ids if _gives(part, value, info, ftype, choices, today)]
        if not hits or len({format_code(pl.text) for pl, _i in hits}) > 1:
            continue                # none, or two people's numbers: asked about
        # one number (perhaps shown twice): its labelled place
        place = next((pl for pl, _i in hits if pl.label is not None), hits[0][0])
        return IdPart(place, part)
    return None
