"""Checks across fields: the birth date and sex written on a form against the ID number.

Field names vary by playbook (出生日期, birth, csrq …), so which field plays which part is
given explicitly in `roles`; nothing is guessed. `suggest_roles` proposes a mapping from the
names and types for a playbook author to confirm.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from app.checks.errors import CheckError
from app.checks.field import check_value
from app.checks.id_number import parse_id_number
from app.checks.normalize import to_halfwidth
from playbooks.model import FieldSpec
from app.i18n import _, join

ROLE_TYPES: dict[str, tuple[str, ...]] = {
    "id_number": ("id_number",),
    "birth_date": ("date",),
    "sex": ("choice", "text"),
}
_SEX = {"男": "男", "男性": "男", "m": "男", "male": "男",
        "女": "女", "女性": "女", "f": "女", "female": "女"}
_BIRTH_NAME = re.compile(r"birth|出生|生日", re.I)
_SEX_NAME = re.compile(r"sex|gender|性别", re.I)


@dataclass(frozen=True)
class CrossProblem:
    field: str       # the field that disagrees with the ID number
    message: str


def suggest_roles(types: Mapping[str, str]) -> dict[str, str]:
    """A proposed `roles` mapping, only where exactly one field fits a role by type and name.
    For authoring tools; review it before putting it in a playbook."""
    found: dict[str, list[str]] = {
        "id_number": [n for n, t in types.items() if t == "id_number"],
        "birth_date": [n for n, t in types.items() if t == "date" and _BIRTH_NAME.search(n)],
        "sex": [n for n, t in types.items() if t in ("choice", "text") and _SEX_NAME.search(n)],
    }
    return {role: names[0] for role, names in found.items() if len(names) == 1}


def roles_for(fields: Iterable[FieldSpec]) -> dict[str, str]:
    """The roles of a playbook's fields, as capture and the gate before typing both use
    them: the first ID number; a date named or labelled as a birth date; a 男/女 choice."""
    roles: dict[str, str] = {}
    for f in fields:
        if f.type == "id_number" and "id_number" not in roles:
            roles["id_number"] = f.name
        elif f.type == "date" and ("birth" in f.name or (f.label or "").startswith("出生")):
            roles.setdefault("birth_date", f.name)
        elif f.type == "choice" and f.choices and set(f.choices) <= {"男", "女"}:
            roles.setdefault("sex", f.name)
    return roles


def _check_roles(types: Mapping[str, str], roles: Mapping[str, str]) -> None:
    for role, name in roles.items():
        if role not in ROLE_TYPES:
            raise CheckError(_("Unknown cross-check role {role!r}; use {roles}.",
                               role=role, roles=join(ROLE_TYPES)), field=name)
        if name not in types:
            raise CheckError(_("The {role} role names field {name!r}, which is not a field.",
                               role=role, name=name), field=name)
        if types[name] not in ROLE_TYPES[role]:
            raise CheckError(_("Field {name!r} has type {type}, but the {role} role needs "
                               "type {types}.", name=name, type=types[name], role=role,
                               types=_(" or ").join(ROLE_TYPES[role])), field=name)


def sex_of(value: str) -> str | None:
    """'男', 'M', 'male', '男性' → 男 (and the same for 女); None if unrecognised."""
    return _SEX.get(to_halfwidth(value).strip().casefold())


def cross_check(
    fields: Mapping[str, str | None],
    types: Mapping[str, str],
    roles: Mapping[str, str],
    *,
    today: date | None = None,
) -> list[CrossProblem]:
    """Compare the birth-date and sex fields with what the ID number says.

    `roles` maps "id_number", "birth_date", "sex" to field names; roles left out are not
    compared. A field that is empty or fails its own check is skipped here: its own check
    already reports it. CheckError if a role names an unknown field or a field of the
    wrong type (a playbook mistake)."""
    _check_roles(types, roles)
    id_field = roles.get("id_number")
    raw_id = fields.get(id_field) if id_field else None
    if not raw_id:
        return []
    id_check = check_value("id_number", raw_id, today=today)
    if id_check.status == "invalid":
        return []
    info = parse_id_number(id_check.value, today=today)

    problems: list[CrossProblem] = []
    birth_field = roles.get("birth_date")
    raw_birth = fields.get(birth_field) if birth_field else None
    if birth_field and raw_birth:
        birth = check_value("date", raw_birth)
        if birth.status != "invalid" and birth.value != info.birth_date.isoformat():
            problems.append(CrossProblem(birth_field, _(
                "The birth date {date} does not match the one in the ID number "
                "({id_date}, field {field}).", date=birth.value,
                id_date=info.birth_date.isoformat(), field=id_field)))
    sex_field = roles.get("sex")
    raw_sex = fields.get(sex_field) if sex_field else None
    if sex_field and raw_sex and raw_sex.strip():
        sex = sex_of(raw_sex)
        if sex is None:
            problems.append(CrossProblem(sex_field, _(
                "The sex '{sex}' is neither 男 nor 女, so it cannot be compared "
                "with the ID number (field {field}).", sex=raw_sex.strip(), field=id_field)))
        elif sex != info.sex:
            problems.append(CrossProblem(sex_field, _(
                "The sex {sex} does not match the ID number, whose 17th digit says "
                "{id_sex} (field {field}).", sex=sex, id_sex=info.sex, field=id_field)))
    return problems
