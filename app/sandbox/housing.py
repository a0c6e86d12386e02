"""A housing-fund style case for the reference registry (tests and bench/verify.py):
an applicant's data as the source gave it, and a playbook that confirms it against the
population register and the business licence, and fills marital status, spouse, property
and road-transport certificate from the registries (7 look-up sections, 5 distinct)."""
from __future__ import annotations

from app.cases import Case, FieldValue
from app.sandbox.people import make_person
from playbooks.loader import load_playbook_text
from playbooks.model import Playbook

__all__ = ["HOUSING_PLAYBOOK", "housing_playbook", "housing_case", "FILLED"]

FILLED = ("marital_status", "spouse_name", "estate_cert", "practitioner_cert")

HOUSING_PLAYBOOK = """\
deskhand: 1
id: housing-fund-check
name: 公积金提取·核验（示例）
target: {title: "x"}
fields:
  - {name: applicant_name}
  - {name: gender, type: choice, choices: [男, 女]}
  - {name: birth_date, type: date}
  - {name: id_number, type: id_number}
  - {name: address}
  - {name: employer}
  - {name: credit_code, type: credit_code}
  - {name: marital_status}
  - {name: spouse_name}
  - {name: estate_cert}
  - {name: practitioner_cert}
verify:
  - {lookup: reference.person, confirm: {applicant_name: exact, birth_date: date, address: fuzzy}}
  - {lookup: reference.person, confirm: {gender: exact}}
  - {lookup: reference.business, confirm: {employer: exact}}
  - {lookup: reference.estate, fill: [estate_cert]}
  - {lookup: reference.marriage, fill: [marital_status]}
  - {lookup: reference.marriage, fill: [spouse_name]}
  - {lookup: reference.transport, fill: [practitioner_cert]}
fill:
  - type: applicant_name
"""


def housing_playbook() -> Playbook:
    return load_playbook_text(HOUSING_PLAYBOOK, "housing-fund-check.yaml")


def housing_case(seed: int, **over: str) -> Case:
    """The generated person `seed` as a source would give them; `over` changes values."""
    p = make_person(seed)
    values = {"applicant_name": p.name, "gender": p.gender, "birth_date": p.birth_date.isoformat(),
              "id_number": p.id_number, "address": p.address, "employer": p.employer,
              "credit_code": p.credit_code}
    values.update(over)
    fields = {k: FieldValue(v, "ok", None, {"kind": "ocr"}) for k, v in values.items()}
    fields.update({k: FieldValue(None, "missing") for k in FILLED})
    return Case(f"housing-{seed}", "housing-fund-check", fields)
