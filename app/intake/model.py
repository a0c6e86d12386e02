"""The 一张表单 of 企业开办: what the form asks, and the values a clerk or applicant gave.

The names are the case's (playbooks/library/company-setup/samples/case.json), which the
scenario's templates and forms read; the labels are the form's own Chinese words (data,
like a playbook's labels). Kinds decide the check (app/intake/checks.py):

    text       free text, only required or not
    id_number  GB 11643 check digit and birth date
    phone      a mobile or fixed-line number
    date       a real date, kept as 2026-12-04
    wan        an amount in 万元, decimals allowed (注册资本, 认缴出资额)
    percent    a share in % (持股比例)
"""
from __future__ import annotations

from dataclasses import dataclass, field

from app.cases import NEEDS_PERSON, Case, FieldValue, new_case_id, now_iso

__all__ = ["Item", "Section", "Group", "SECTIONS", "GROUPS", "ITEMS", "Intake", "PERSON_FIELDS"]


@dataclass(frozen=True)
class Item:
    name: str
    label: str
    kind: str = "text"
    required: bool = True


@dataclass(frozen=True)
class Section:
    title: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Group:
    name: str
    title: str
    columns: tuple[Item, ...]
    min_rows: int = 0


SECTIONS: tuple[Section, ...] = (
    Section("企业基本信息", (
        Item("company_name", "企业名称"),
        Item("address", "住所"),
        Item("company_type", "企业类型"),
        Item("registered_capital", "注册资本（万元）", "wan"),
        Item("business_scope", "经营范围"),
        Item("operating_period", "营业期限"),
    )),
    Section("法定代表人", (
        Item("legal_rep_name", "姓名"),
        Item("legal_rep_id", "身份证号码", "id_number"),
        Item("legal_rep_phone", "联系电话", "phone"),
    )),
    Section("监事", (
        Item("supervisor_name", "姓名"),
        Item("supervisor_id", "身份证号码", "id_number", required=False),
    )),
    Section("委托代理人", (
        Item("agent_name", "姓名"),
        Item("agent_id", "身份证号码", "id_number"),
        Item("agent_phone", "联系电话", "phone"),
    )),
    Section("日期", (
        Item("meeting_date", "股东会召开日期", "date"),
        Item("application_date", "申请日期", "date"),
        Item("authorization_end", "委托期限至", "date"),
    )),
)

_PERSON = (Item("name", "姓名"), Item("id_number", "身份证号码", "id_number"))
GROUPS: tuple[Group, ...] = (
    Group("shareholders", "股东（发起人）", _PERSON + (
        Item("amount", "认缴出资额（万元）", "wan"),
        Item("share", "持股比例（%）", "percent"),
        Item("method", "出资方式"),
        Item("due_date", "出资期限", "date"),
    ), min_rows=1),
    Group("directors", "董事", _PERSON),
    Group("supervisors", "监事会成员", _PERSON),
)

ITEMS: dict[str, Item] = {i.name: i for s in SECTIONS for i in s.items}
# the fields that name one person and hold their ID number (name field → ID field)
PERSON_FIELDS: dict[str, str] = {"legal_rep_name": "legal_rep_id", "supervisor_name": "supervisor_id",
                                 "agent_name": "agent_id"}


def label_of(name: str) -> str:
    """A field as the form shows it: 法定代表人 姓名."""
    for s in SECTIONS:
        for i in s.items:
            if i.name == name:
                return f"{s.title} {i.label}"
    return name


def group(name: str) -> Group:
    return next(g for g in GROUPS if g.name == name)


@dataclass
class Intake:
    """The form's values, each a FieldValue (value, status, source with problems)."""

    fields: dict[str, FieldValue] = field(default_factory=dict)
    groups: dict[str, list[dict[str, FieldValue]]] = field(default_factory=dict)
    case_id: str = ""

    def value(self, name: str) -> str:
        fv = self.fields.get(name)
        return (fv.value or "") if fv else ""

    def set(self, name: str, value: str, source: dict | None = None) -> None:
        self.fields[name] = FieldValue(value, "ok", None, dict(source or {"kind": "intake"}))

    def add_row(self, group_name: str, values: dict[str, str] | None = None,
                source: dict | None = None) -> dict[str, FieldValue]:
        row = {c.name: FieldValue((values or {}).get(c.name, ""), "ok", None,
                                  dict(source or {"kind": "intake"}))
               for c in group(group_name).columns}
        self.groups.setdefault(group_name, []).append(row)
        return row

    def problems(self) -> list[tuple[str, str]]:
        """(place, sentence) for every value a person must look at, in the form's order."""
        out = [(label_of(n), p) for n, fv in self.fields.items()
               if fv.status in NEEDS_PERSON for p in fv.source.get("problems", [])]
        for g in GROUPS:
            for i, row in enumerate(self.groups.get(g.name, []), 1):
                for c in g.columns:
                    fv = row.get(c.name)
                    if fv is not None and fv.status in NEEDS_PERSON:
                        out += [(f"{g.title} {i} {c.label}", p)
                                for p in fv.source.get("problems", [])]
        return out

    def to_case(self, scenario: str | None) -> Case:
        """The case the scenario's forms and documents are made from; each group value
        carries its status (Case.group_status)."""
        fields = {n: FieldValue(fv.value or None, fv.status, fv.original, dict(fv.source))
                  for n, fv in self.fields.items()}
        groups = {g: [{k: fv.value or None for k, fv in row.items()} for row in rows]
                  for g, rows in self.groups.items()}
        status = {g: [{k: fv.status for k, fv in row.items()} for row in rows]
                  for g, rows in self.groups.items()}
        return Case(case_id=self.case_id or new_case_id(), playbook=scenario, fields=fields,
                    created=now_iso(), groups=groups, group_status=status)

    @classmethod
    def from_case(cls, case: Case) -> "Intake":
        """An existing case back in the form (its values; the checks are run again)."""
        intake = cls(case_id=case.case_id)
        for name, fv in case.fields.items():
            intake.fields[name] = FieldValue(fv.value or "", fv.status, fv.original, dict(fv.source))
        for g, rows in case.groups.items():
            for i, row in enumerate(rows):
                intake.groups.setdefault(g, []).append(
                    {k: _cell(v, case.status_in_group(g, i, k)) for k, v in row.items()})
        return intake


def _cell(value: str | None, status: str) -> FieldValue:
    """A group value from a case file. Only its status is kept there: "unchecked" is what
    a reading of free text gets, never what typing gets, so it stays unchecked until a
    person types over it; other values are checked again as typed."""
    if status == "unchecked":
        return FieldValue(value or "", status, None, {"kind": "image", "read_status": status})
    return FieldValue(value or "", status, None, {"kind": "intake"})
