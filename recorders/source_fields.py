"""Defining a field on the source from the place its value was found: the nearest label
(the text before the value on its own line, else the line left of it on the same row, else
the line above it) and the reading direction, written the way playbooks already say it
(`read: {anchor, direction, lines}`), so that a capture of another case of the same source
reads that case's value.

Names: an ASCII name from the labels Deskhand's shipped playbooks use (姓名 → applicant_name),
else `field_N`; the Chinese label is always kept.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from app.checks.credit_code import validate_credit_code
from app.checks.id_number import validate_id_number
from app.checks.phone import validate_phone
from app.values.transforms import read_any_date
from playbooks.anchors import anchor_key
from recorders.bind import Place, date_format
from recorders.recording import SourceLine

__all__ = ["SourceLabel", "label_of", "field_name", "value_type", "KNOWN_NAMES",
           "ADDRESS_LABELS", "is_id_card", "anchor_wordings"]

# Labels as printed on sources and forms → the names the shipped playbooks use.
KNOWN_NAMES: dict[str, str] = {
    "姓名": "applicant_name", "申请人姓名": "applicant_name", "申请人": "applicant_name",
    "性别": "gender", "民族": "ethnicity", "出生": "birth_date", "出生日期": "birth_date",
    "公民身份号码": "id_number", "身份证号": "id_number", "身份证号码": "id_number",
    "证件号码": "id_number", "联系电话": "phone", "电话": "phone", "手机": "phone",
    "手机号码": "phone", "住址": "address", "户籍地址": "address", "地址": "address",
    "户籍所在地": "address", "工作单位": "employer", "统一社会信用代码": "credit_code",
    "办理事项": "matter", "申请事项": "matter", "邮政编码": "postcode", "电子邮箱": "email",
    "邮箱": "email", "备注": "remarks", "婚姻状况": "marital_status", "配偶姓名": "spouse_name",
    "证件类型": "id_type", "文化程度": "education", "学历": "education", "户口性质": "household_type",
    "政治面貌": "political_status", "与户主关系": "relationship", "户主关系": "relationship",
    "婚姻状态": "marital_status",
    "受理编号": "case_number", "申请日期": "apply_date", "受理部门": "department",
    "办理进度": "progress", "联系人": "contact_name", "联系人电话": "contact_phone",
    "房屋坐落": "property_address", "合同编号": "contract_no", "开户银行": "bank_name",
    "银行账号": "bank_account", "企业名称": "company_name", "法定代表人": "legal_representative",
    "从业资格类别": "qualification", "发证日期": "issue_date", "有效期限": "valid_until",
    "签发机关": "issuing_authority", "登录密码": "login_password", "密码": "password",
    "口令": "password", "用户名": "username", "账号": "account",
}
ADDRESS_LABELS = ("住址", "户籍地址", "地址", "户籍所在地", "房屋坐落", "经营场所", "住所")
# Labels sources print in several wordings for the same value (the portal's 户籍地址 is 住址
# on another page): a field anchored on one is also found by the others.
WORDINGS: tuple[tuple[str, ...], ...] = (
    ("户籍地址", "住址", "户籍所在地"),
    ("公民身份号码", "身份证号码", "身份证号"),
)
ID_CARD_LABELS = ("姓名", "性别", "出生", "住址", "公民身份号码")
_MAX_LABEL = 12                     # characters: longer text is a value, not a label


@dataclass(frozen=True)
class SourceLabel:
    text: str                        # the label as an anchor (no spaces, no colon)
    direction: str                   # "right" or "below"
    gap: float                       # from the label to the value, in label heights
    how: str                         # "inline", "left" or "above" (for the comment)


def _looks_like_label(text: str) -> bool:
    key = anchor_key(text)
    return (0 < len(key) <= _MAX_LABEL and re.search(r"[\u3400-\u9fff]", key) is not None
            and not re.search(r"\d{3}", key))


def _overlap_y(a: SourceLine, b: SourceLine) -> bool:
    ca, cb = a.y + a.height / 2, b.y + b.height / 2
    return abs(ca - cb) <= 0.6 * max(a.height, b.height)


def label_of(place: Place, lines: tuple[SourceLine, ...],
             values: frozenset[str] = frozenset()) -> SourceLabel | None:
    """The label a capture will find the value by, or None when the value stands alone.
    `values`: what the supervisor typed; a line holding one of them is a value, not a label
    (in a grid's row the cell left of a value is another value: its header is above)."""
    first = lines[place.lines[0]]
    h = max(first.height, 1)
    if place.label:
        return SourceLabel(place.label, "right", 0.0, "inline")
    own = set(place.lines)
    left = [ln for i, ln in enumerate(lines) if i not in own and _overlap_y(ln, first)
            and ln.x + ln.width <= first.x + 0.3 * h and _looks_like_label(ln.text)
            and ln.text.strip() not in values]
    if left:
        ln = max(left, key=lambda ln: ln.x + ln.width)
        gap = (first.x - (ln.x + ln.width)) / max(ln.height, 1)
        return SourceLabel(anchor_key(ln.text), "right", gap, "left")
    above = [ln for i, ln in enumerate(lines) if i not in own and _looks_like_label(ln.text)
             and ln.text.strip() not in values
             and ln.y + ln.height <= first.y + 0.2 * h
             and first.y - (ln.y + ln.height) <= 1.5 * h
             and ln.x < first.x + first.width and first.x < ln.x + ln.width]
    if above:
        ln = max(above, key=lambda ln: ln.y)
        gap = (first.y - (ln.y + ln.height)) / max(ln.height, 1)
        return SourceLabel(anchor_key(ln.text), "below", gap, "above")
    return None


def field_name(labels: list[str], taken: set[str], n: int) -> str:
    """An ASCII name for the field: the shipped playbooks' name for the first known label,
    else field_N; never one already taken."""
    for lab in labels:
        name = KNOWN_NAMES.get(anchor_key(lab or ""))
        if name and name not in taken:
            return name
        if name:
            k = 2
            while f"{name}_{k}" in taken:
                k += 1
            return f"{name}_{k}"
    k = n
    while f"field_{k}" in taken:
        k += 1
    return f"field_{k}"


def value_type(value: str) -> tuple[str, str | None]:
    """(type, date format) a value shows itself to be: id_number, credit_code, date, phone
    or text."""
    v = value.strip()
    compact = v.replace(" ", "")
    if len(compact) == 18 and not validate_id_number(compact):
        return "id_number", None
    if len(compact) == 18 and not validate_credit_code(compact):
        return "credit_code", None
    if read_any_date(v) is not None and re.search(r"\d", v):
        return "date", date_format(v)
    if re.fullmatch(r"[\d\s\-()（）+]{7,20}", v) and not validate_phone(v):
        return "phone", None
    return "text", None


def is_id_card(lines: tuple[SourceLine, ...]) -> bool:
    """The front of a resident ID card: its fixed labels are all there."""
    keys = {anchor_key(ln.text) for ln in lines}
    return all(lab in keys for lab in ID_CARD_LABELS)


def anchor_wordings(label: str, lines: tuple[SourceLine, ...]) -> list[str]:
    """`label` and the other wordings of it, those not printed elsewhere on the source (a
    wording that is there labels something else)."""
    shown = {anchor_key(ln.text) for ln in lines}
    for group in WORDINGS:
        if label in group:
            return [label, *(w for w in group if w != label and w not in shown)]
    return [label]
