"""The one approval form every toolkit target shows, and the state each one reports.

Plain data and the standard library only: Debian's /usr/bin/python3 imports this for the
GTK form, the venv's Python for Tk and Qt; the Swing form reads `spec_lines()` from a file
and the web page reads `spec_json()`.

The form (城市审批系统 - 受理登记), top to bottom as it is drawn (`FIELDS`):
    受理编号 (disabled, pre-filled) · 姓名 · 性别 (radio 男/女) · 民族 · 出生日期 ·
    公民身份号码 · 联系电话 · 婚姻状况 (drop-down) · 配偶姓名 (enabled only when 已婚) ·
    住址 (multi-line) · 邮政编码 · 工作单位 · 统一社会信用代码 · 电子邮箱 · 备注 ·
    已核验原件 (checkbox) · 提交 (button)
Tab order (`TAB_ORDER`) differs from the drawing once: 邮政编码 is drawn under 住址 but
reached after 统一社会信用代码. 电子邮箱 has a visible label that is NOT tied to its box
(no labelled-by / buddy / for=): a reader must find it by geometry (`UNLABELLED`).

Every form answers GET /state with `state_document(...)`'s shape:
    {"toolkit": "gtk", "title": "...", "fields": {name: text | bool},
     "enabled": {name: bool}, "focused": name | "submit" | null, "active": bool,
     "status": "" | "已提交", "submitted": {...} | null, "seq": n}
Radio and drop-down values are the chosen option's text ("" for none); the checkbox is a
bool. POST /reset clears it (受理编号 keeps its number) and puts focus in 姓名.

That form is `APPROVAL`, a `FormSpec`; the module's names (FIELDS, TAB_ORDER, …) are its.
Other forms are FormSpecs too (company_forms.py: the 企业开办 scenario's three), drawn by
the Qt, GTK and web programs given `--spec NAME` (`form_spec(name)`).
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass

TITLE = "城市审批系统 - 受理登记"
HEADING = "城市审批系统 · 受理登记"
SUBMIT_LABEL = "提交"
SUBMITTED_STATUS = "已提交"
CASE_NUMBER = "SL-20240601-0007"
NONE_CHOSEN = "（请选择）"       # the drop-down's first entry, meaning no value

# kinds
TEXT, MULTILINE, RADIO, SELECT, CHECK, READONLY = ("text", "multiline", "radio", "select",
                                                   "check", "readonly")
PASSWORD = "password"     # a masked box; only with $DESKHAND_FORM_PASSWORD (Tk and Swing)
PHOTO = "photo"           # a photo file's path, the picture shown beside it (Qt; road_form.py)


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str = TEXT
    options: tuple[str, ...] = ()
    labelled: bool = True                     # False: no accessible tie to its label
    enabled_when: tuple[str, str] | None = None   # (field, value): enabled only then
    initial: str = ""


# Drawing order, top to bottom.
FIELDS: tuple[Field, ...] = (
    Field("case_no", "受理编号", READONLY, initial=CASE_NUMBER),
    Field("applicant_name", "姓名"),
    Field("gender", "性别", RADIO, ("男", "女")),
    Field("ethnicity", "民族"),
    Field("birth_date", "出生日期"),
    Field("id_number", "公民身份号码"),
    Field("phone", "联系电话"),
    Field("marital_status", "婚姻状况", SELECT, ("未婚", "已婚", "离异", "丧偶")),
    Field("spouse_name", "配偶姓名", enabled_when=("marital_status", "已婚")),
    Field("address", "住址", MULTILINE),
    Field("postcode", "邮政编码"),
    Field("employer", "工作单位"),
    Field("credit_code", "统一社会信用代码"),
    Field("email", "电子邮箱", labelled=False),
    Field("remarks", "备注"),
    Field("verified", "已核验原件", CHECK),
)


def _extra_fields() -> tuple[Field, ...]:
    """$DESKHAND_FORM_EXTRA_FIELDS=n adds n text boxes (附加信息1…n) before 备注: the
    benchmark's 20-field form (bench/fill_toolkits.py --extra-fields). Read at import, so
    the harness and every form it starts (they inherit the environment) agree."""
    n = int(os.environ.get("DESKHAND_FORM_EXTRA_FIELDS") or 0)
    return tuple(Field(f"extra_{i}", f"附加信息{i}") for i in range(1, n + 1))


# A password box (经办人密码) before 备注: a target that shows a masked box without a
# tree (the recorder's tests). Only the Tk and Swing forms draw it: a form started with
# $DESKHAND_FORM_PASSWORD=1 (launch.py `password=True`) has it.
PASSWORD_FIELD = Field("operator_password", "经办人密码", PASSWORD)
PASSWORD_ENV = "DESKHAND_FORM_PASSWORD"


def _before_remarks(fields: tuple, extra: tuple) -> tuple:
    at = [f if isinstance(f, str) else f.name for f in fields].index("remarks")
    return fields[:at] + extra + fields[at:]


EXTRA = _extra_fields()
if EXTRA:
    FIELDS = _before_remarks(FIELDS, EXTRA)

# Keyboard order of the fields that take focus (受理编号 is disabled; 配偶姓名 is skipped
# while it is disabled). The submit button follows the last one.
TAB_ORDER: tuple[str, ...] = (
    "applicant_name", "gender", "ethnicity", "birth_date", "id_number", "phone",
    "marital_status", "spouse_name", "address", "employer", "credit_code", "postcode",
    "email", *(f.name for f in EXTRA), "remarks", "verified",
)


def with_password(fields: tuple[Field, ...], order: tuple[str, ...]
                  ) -> tuple[tuple[Field, ...], tuple[str, ...]]:
    """The form's fields and Tab order with the password box."""
    return _before_remarks(fields, (PASSWORD_FIELD,)), _before_remarks(order, (PASSWORD_FIELD.name,))


if os.environ.get(PASSWORD_ENV) == "1":
    FIELDS, TAB_ORDER = with_password(FIELDS, TAB_ORDER)
BY_NAME = {f.name: f for f in FIELDS}
FIRST = TAB_ORDER[0]
UNLABELLED = tuple(f.name for f in FIELDS if not f.labelled)
TEXT_FIELDS = tuple(f.name for f in FIELDS if f.kind in (TEXT, MULTILINE))

TOOLKITS = ("gtk", "tk", "java", "qt", "firefox", "chromium")


@dataclass(frozen=True)
class FormSpec:
    """One form every toolkit can draw: its fields in drawing order, its Tab order, its
    title. `issues` (field, number): a read-only box 提交 fills with the number the form
    issued (a 受理编号 read back off the form by a scenario's `keep`)."""

    name: str
    title: str
    heading: str
    fields: tuple[Field, ...]
    tab_order: tuple[str, ...]
    issues: tuple[str, str] | None = None
    submit: str = SUBMIT_LABEL
    submitted_status: str = SUBMITTED_STATUS
    none_chosen: str = NONE_CHOSEN

    @property
    def by_name(self) -> dict[str, Field]:
        return {f.name: f for f in self.fields}

    @property
    def first(self) -> str:
        return self.tab_order[0]

    def window_title(self, toolkit: str) -> str:
        """Each toolkit's window carries its name, so that several can share one display
        (in full-width brackets: `[` would be a character class in a playbook's title glob)."""
        return f"{self.title}（{toolkit}）"

    def empty_state(self) -> dict:
        """`fields` and `enabled` of a freshly started (or reset) form."""
        values = {f.name: initial_value(f) for f in self.fields}
        return {"fields": values, "enabled": {f.name: is_enabled(f, values) for f in self.fields}}

    def state_document(self, toolkit: str, title: str, fields: dict, enabled: dict,
                       focused: str | None, active: bool, status: str,
                       submitted: dict | None = None) -> dict:
        """What GET /state answers (without `seq`, which `StateCounter` adds)."""
        return {"toolkit": toolkit, "title": title,
                "fields": {f.name: fields.get(f.name, initial_value(f)) for f in self.fields},
                "enabled": {f.name: bool(enabled.get(f.name, False)) for f in self.fields},
                "focused": focused, "active": bool(active), "status": status,
                "submitted": submitted}

    def spec_json(self) -> str:
        """The form for the web page (a JSON object)."""
        return json.dumps({
            "title": self.title, "heading": self.heading, "submit": self.submit,
            "submitted": self.submitted_status, "none_chosen": self.none_chosen,
            "tab_order": list(self.tab_order), "issues": list(self.issues or ()),
            "fields": [{"name": f.name, "label": f.label, "kind": f.kind,
                        "options": list(f.options), "labelled": f.labelled,
                        "enabled_when": list(f.enabled_when or ()), "initial": f.initial}
                       for f in self.fields],
        }, ensure_ascii=False)


def initial_value(field: Field) -> str | bool:
    if field.kind == CHECK:
        return False
    return field.initial


def is_enabled(field: Field, values: dict) -> bool:
    if field.kind == READONLY:
        return False
    if field.enabled_when is None:
        return True
    other, wanted = field.enabled_when
    return values.get(other) == wanted


APPROVAL = FormSpec("approval", TITLE, HEADING, FIELDS, TAB_ORDER)


def form_spec(name: str) -> FormSpec:
    """The form called `name`: `approval` (this module's), one of company_forms.py's, or
    road_form.py's."""
    from app.sandbox.toolkits.company_forms import COMPANY_FORMS   # it imports this module
    from app.sandbox.toolkits.road_form import ROAD
    forms = {APPROVAL.name: APPROVAL, **{f.name: f for f in COMPANY_FORMS}, ROAD.name: ROAD}
    if name not in forms:
        raise ValueError(f"unknown form {name!r}: one of {', '.join(forms)}")
    return forms[name]


def window_title(toolkit: str) -> str:
    return APPROVAL.window_title(toolkit)


def empty_state() -> dict:
    return APPROVAL.empty_state()


def state_document(toolkit: str, title: str, fields: dict, enabled: dict,
                   focused: str | None, active: bool, status: str,
                   submitted: dict | None = None) -> dict:
    return APPROVAL.state_document(toolkit, title, fields, enabled, focused, active, status,
                                   submitted)


class StateCounter:
    """Adds `seq`, which grows whenever the reported state changes (not thread-safe:
    call it where the state is read)."""

    def __init__(self) -> None:
        self._last: dict | None = None
        self._seq = 0

    def __call__(self, doc: dict) -> dict:
        if doc != self._last:
            self._last = json.loads(json.dumps(doc))
            self._seq += 1
        return {**doc, "seq": self._seq}


def spec_json() -> str:
    return APPROVAL.spec_json()


def spec_lines(password: bool = False) -> str:
    """The form for the Swing program, one field a line, tab-separated:
    name, label, kind, options joined by |, labelled (1/0), enabled_when as field=value,
    initial value, tab position (-1 when not in the tab order). `password`: with the
    password box."""
    fields, order = FIELDS, TAB_ORDER
    if password and PASSWORD_FIELD.name not in BY_NAME:
        fields, order = with_password(fields, order)
    rows = []
    for f in fields:
        cond = f"{f.enabled_when[0]}={f.enabled_when[1]}" if f.enabled_when else ""
        pos = order.index(f.name) if f.name in order else -1
        rows.append("\t".join([f.name, f.label, f.kind, "|".join(f.options),
                               "1" if f.labelled else "0", cond, f.initial, str(pos)]))
    return "\n".join(rows) + "\n"
