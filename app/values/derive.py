"""Fields computed from another field (`derive: {from: address, part: district}`, or
`{from: id_number, part: birth_date}`), and the
transforms applied to values that did not come from a capture.

    derive_fields(playbook, values)   after a capture has read and checked every field
    settle_case(playbook, case)       before a fill: --set and case-file values transformed,
                                      derived fields computed when absent or out of date

A derived part the address does not settle (ambiguous, renamed, not found) is left empty,
status `missing`, with the address module's sentence: the clerk gives it. The ID number's
area code is compared with the address's district, and only ever adds a remark: people
move, so it never changes a part nor fills one in.

A part of an ID number (birth date, gender, area code, age) is only taken from a number
whose check digit was verified (status ok or corrected); else it is `missing`, with why.
"""
from __future__ import annotations

from datetime import date

from app.cases import NEEDS_PERSON, Case, FieldValue
from app.checks.address import AddressSplit, same_place, split_address
from app.checks.field import check_value
from app.checks.id_number import IdInfo, parse_id_number
from app.errors import InvalidValueError
from app.i18n import N_, _, join
from app.registry.dictionaries import shipped
from app.values.honest import derived_status
from app.values.transforms import apply_transforms
from playbooks.model import ID_PARTS, FieldSpec, Playbook

__all__ = ["derive_fields", "transform_value", "settle_case", "id_part"]

_STATUS_WORDS = {"invalid": N_("invalid"), "mismatch": N_("mismatch"),
                 "unverified": N_("unverified")}


def _id_area(playbook: Playbook, values: dict[str, FieldValue]) -> tuple[str, str] | None:
    """(area code, area name) of the case's ID number, when it has a valid one."""
    for f in playbook.fields:
        fv = values.get(f.name)
        if f.type != "id_number" or fv is None or not fv.value \
                or fv.status not in ("ok", "corrected"):
            continue
        try:
            info = parse_id_number(fv.value)
        except InvalidValueError:
            continue
        return info.area_code, info.area_name or info.area_code
    return None


def _remark(split: AddressSplit, part: str, id_area: tuple[str, str] | None) -> str | None:
    """What the ID number's area code says about this part: agrees, differs, or (for a
    part left to the clerk) which place it was issued in — a hint, never the value."""
    if id_area is None or not part.startswith(("district", "city", "province")):
        return None                       # towns and the rest: the ID number says nothing
    code, name = id_area
    district = split.parts.get("district_code")
    if split.parts.get(part) is None:
        return _("The ID number was issued in {area} ({code}); the address alone does not "
                 "say, so check it.", area=name, code=code)
    if district is None:
        return None
    width = {"province": 2, "city": 4}.get(part.split("_")[0], 6)
    if district[:width] == code[:width]:
        return _("The ID number's area code {code} agrees.", code=code)
    return _("The ID number was issued in {area} ({code}); people move, so the address is "
             "used.", area=name, code=code)


def _derived_value(spec: FieldSpec, split: AddressSplit, source: FieldValue,
                   source_label: str, id_area: tuple[str, str] | None) -> FieldValue:
    assert spec.derive is not None
    part = spec.derive.part
    prov: dict = {"kind": "derived", "from": spec.derive.source, "part": part,
                  "from_value": source.value}
    value = split.parts.get(part)
    remark = _remark(split, part, id_area)
    if value is None:
        problem = split.problems.get(part) or _("The address does not say it.")
        prov["problems"] = [problem] + ([remark] if remark else [])
        return FieldValue(None, "missing", None, prov)
    if remark:
        prov["warnings"] = [remark]
    status = derived_status(part, source.status)
    if spec.type == "choice":
        chosen = next((c for c in spec.choices if same_place(value, c)), None)
        check = check_value("choice", chosen or value, choices=spec.choices)
        value = check.value
        if check.status != "ok":
            status = "invalid"
            prov["problems"] = list(check.problems)
    if status in ("ok", "unchecked") and source.status in _STATUS_WORDS:
        # a part of a value a person must look at needs the same look (invalid: the gate
        # gives this sentence; mismatch would speak of a registry value the part lacks)
        status = "invalid"
        prov["problems"] = [_("It is taken from {field}, which is marked {status}; check "
                              "that first.", field=source_label, status=_(_STATUS_WORDS[source.status]))]
    return FieldValue(value, status, None, prov)


def _age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _choice_of(spec: FieldSpec, word: str, dictionary: str | None) -> tuple[str | None, str | None]:
    """(the choice of `spec` meaning `word`, None) or (None, the sentence why none does): the
    word itself, another wording of it, or its code in a shipped code list (性别 1/2)."""
    if word in spec.choices:
        return word, None
    coded = None
    if dictionary is not None:
        d = shipped().get(dictionary)
        named = [e for e in d.entries.values() if word in (e.label, *e.also)] if d else []
        coded = d.decode(named[0].code) if len(named) == 1 and d else None
    if coded is not None:
        spelled = coded.for_field(spec.choices)
        if spelled in spec.choices:
            return spelled, None
        if coded.code in spec.choices:
            return coded.code, None
    return None, _("The ID number gives {value}, which is not one of the choices ({choices}).",
                   value=word, choices=join(spec.choices))


def id_part(spec: FieldSpec, info: IdInfo, *, today: date | None = None
            ) -> tuple[str | None, str | None]:
    """(value, None) of `spec`'s part of an ID number, or (None, the sentence why not)."""
    assert spec.derive is not None
    part = spec.derive.part
    if part == "birth_date":
        # a date field holds the ISO date and is typed in its format (app/fill/values.py)
        return info.birth_date.strftime("%Y-%m-%d"), None
    if part == "age":
        return str(_age(info.birth_date, today or date.today())), None
    word = info.sex if part == "gender" else info.area_code
    if spec.type != "choice":
        return word, None
    return _choice_of(spec, word, "sex" if part == "gender" else None)


def _derived_from_id(spec: FieldSpec, source: FieldValue, source_label: str,
                     today: date | None) -> FieldValue:
    """A part of the ID number: only from a number whose check digit was verified."""
    assert spec.derive is not None
    prov: dict = {"kind": "derived", "from": spec.derive.source, "part": spec.derive.part,
                  "from_value": source.value}
    if source.status not in ("ok", "corrected"):
        prov["problems"] = [_("It is taken from the ID number in {field}, which is not a valid "
                              "number; correct the ID number or give this value.",
                              field=source_label)]
        return FieldValue(None, "missing", None, prov)
    try:
        info = parse_id_number(source.value or "", today=today)
    except InvalidValueError as e:
        prov["problems"] = [_("It is taken from the ID number in {field}: {problem}",
                              field=source_label, problem=str(e))]
        return FieldValue(None, "missing", None, prov)
    value, problem = id_part(spec, info, today=today)
    if value is None:
        prov["problems"] = [problem]
        return FieldValue(None, "missing", None, prov)
    return FieldValue(value, "ok", None, prov)


def derive_fields(playbook: Playbook, values: dict[str, FieldValue], *,
                  only: set[str] | None = None, today: date | None = None) -> None:
    """Compute every derived field (or those in `only`) from its source's value."""
    id_area = _id_area(playbook, values)
    labels = {f.name: f.label or f.name for f in playbook.fields}
    splits: dict[str, AddressSplit] = {}
    for f in playbook.fields:
        if f.derive is None or (only is not None and f.name not in only):
            continue
        source = values.get(f.derive.source)
        if source is None or not source.value:
            values[f.name] = FieldValue(None, "missing", None, {
                "kind": "derived", "from": f.derive.source, "part": f.derive.part,
                "from_value": None,
                "problems": [_("It is taken from {field}, which has no value.",
                               field=labels.get(f.derive.source, f.derive.source))]})
            continue
        if f.derive.part in ID_PARTS:
            values[f.name] = _derived_from_id(f, source, labels.get(f.derive.source,
                                                                    f.derive.source), today)
            continue
        split = splits.get(source.value)
        if split is None:
            split = splits[source.value] = split_address(source.value)
        values[f.name] = _derived_value(f, split, source, labels.get(f.derive.source,
                                                                     f.derive.source), id_area)


def transform_value(spec: FieldSpec, fv: FieldValue) -> None:
    """Apply `spec.transform` to `fv` once: a value the steps already gave (the marker
    `source.transform.to`) is left alone. A step that cannot apply marks it invalid."""
    if not spec.transform or fv.value is None:
        return
    done = fv.source.get("transform")
    if isinstance(done, dict) and done.get("to") == fv.value:
        return
    given = fv.value
    result = apply_transforms(spec.transform, given, choices=spec.choices)
    if result.problem is not None:
        fv.status = "invalid"
        problems = fv.source.setdefault("problems", [])
        if result.problem not in problems:
            problems.append(result.problem)
    else:
        fv.value = result.value
    fv.source["transform"] = {"from": given, "to": fv.value}


def settle_case(playbook: Playbook, case: Case) -> None:
    """Before a fill: the transforms of every field applied to values that did not pass
    them (--set, a case file written by hand, an edit), then each derived field computed
    when the case lacks it, or its source changed since it was computed. A derived field
    given by a person (--set, the review) is kept."""
    for f in playbook.fields:
        fv = case.fields.get(f.name)
        if f.transform and fv is not None and fv.source.get("kind") != "derived":
            transform_value(f, fv)
    stale = set()
    for f in playbook.fields:
        if f.derive is None:
            continue
        fv = case.fields.get(f.name)
        source = case.fields.get(f.derive.source)
        now = source.value if source is not None else None
        if fv is None or (fv.source.get("kind") == "derived" and fv.source.get("from_value") != now):
            stale.add(f.name)
        elif fv.source.get("kind") == "derived" and fv.status in NEEDS_PERSON and fv.value is None:
            stale.add(f.name)        # recomputed: the same sentence, in today's language
    if stale:
        derive_fields(playbook, case.fields, only=stale)
