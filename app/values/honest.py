"""A value is "ok" only when a check that could have failed passed (DESIGN.md §4 statuses).

Read off a source, a value of a type with its own check (check digits, a real date, a
phone or postcode's form, one of a choice's `choices`, an entry of a code list such as
文化程度) is ok when that check passed. Free text — a name, an address, an employer — has
no such check: the OCR engine may be sure of a wrong character (融中 for 高中). It is shown
`unchecked`: typed like an ok value (a clerk sees every value in the review anyway), but
never claimed to be right until a registry confirms it (app/registry/verify.py).

Values not read by OCR keep their status: a playbook's constant, what a person typed, what
a registry or the vault gave, a part of an ID number whose check digit passed.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from app.cases import FieldValue
from playbooks.model import Playbook

__all__ = ["SELF_CHECKING_TYPES", "NOT_READ", "FREE_TEXT_PARTS", "ok_is_checked",
           "mark_unchecked", "derived_status"]

# Types whose check can fail on a misread value (choice only with its choices).
SELF_CHECKING_TYPES = ("id_number", "credit_code", "date", "phone", "postcode", "bank_card")
# Provenances that are not a reading of the source: their "ok" is not OCR's.
NOT_READ = ("constant", "manual", "registry", "vault", "clerk", "json")
# The parts of an address that no table checks (app/checks/address.py).
FREE_TEXT_PARTS = ("town", "rest")


def ok_is_checked(field_type: str, *, choices: Sequence[str] = (),
                  listed: Sequence[str] = (), coded: bool = False) -> bool:
    """Whether "ok" for a value read as a field of this type says a check passed that a
    wrong value could have failed (`choices`: a choice field's; `listed`: the words of
    the code list a text field holds an entry of; `coded`: a `code`/`to_code` transform
    found the value in its list, or the field would be invalid)."""
    if field_type in SELF_CHECKING_TYPES or coded:
        return True
    if field_type == "choice":
        return bool(choices)
    return bool(listed)


def mark_unchecked(playbook: Playbook, values: Mapping[str, FieldValue],
                   listed: Mapping[str, Sequence[str]]) -> list[str]:
    """Every value read off the source that is "ok" without a check that could have failed
    becomes "unchecked" (derived fields are derive_fields' to mark, after this:
    `derived_status`). `listed`: the code-list words of each field that has them. Returns
    the names changed."""
    changed: list[str] = []
    for spec in playbook.fields:
        fv = values.get(spec.name)
        if fv is None or fv.status != "ok" or fv.value is None:
            continue
        kind = fv.source.get("kind")
        if kind in NOT_READ or kind == "derived":
            continue
        coded = any(t.kind in ("code", "to_code") for t in spec.transform)
        if not ok_is_checked(spec.type, choices=spec.choices, listed=listed.get(spec.name, ()),
                             coded=coded):
            fv.status = "unchecked"
            changed.append(spec.name)
    return changed


def derived_status(part: str, source_status: str) -> str:
    """The status of a part derived, unchanged, from a value of `source_status`: an ID
    number's parts passed its check digit; an address's province, city and district (and
    their codes) are entries of the GB/T 2260 table; its town and the rest are as free as
    the address they come from."""
    return "unchecked" if part in FREE_TEXT_PARTS and source_status == "unchecked" else "ok"
