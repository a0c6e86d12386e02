"""The status rules (pure logic): "ok" only after a check that a wrong value could have
failed; a code-list field (文化程度, 民族…) ok only when its value is an entry of the list,
and a value one character away from entries shown with them, never replaced."""
from __future__ import annotations

import pytest

from app.cases import NEEDS_PERSON, STATUSES, FieldValue
from app.checks import check_value
from app.checks.listed import LISTED_LABELS, list_of, listed_word, near_words
from app.i18n import using
from app.registry.dictionaries import shipped
from app.values.honest import mark_unchecked, ok_is_checked
from app.values.listed import listed_words, words_of
from playbooks.loader import load_playbook_text
from playbooks.model import FieldSpec

EDUCATION = words_of(shipped()["education"])


@pytest.mark.parametrize("name,label,want", [
    ("education", "文化程度", "education"), ("field_3", "文化程度：", "education"),
    ("education_2", None, "education"), ("degree", "学历", "education"),
    ("ethnicity", None, "ethnicity"), ("x", "* 民族", "ethnicity"), ("gender", "性别", "sex"),
    ("marital_status", "婚姻状况", "marital_status"), ("p", "政治面貌", "political_status"),
    ("r", "与户主关系", "relationship"), ("id_type", "证件类型", "id_type"),
    ("applicant_name", "姓名", None), ("address", "住址", None), ("remarks", None, None),
])
def test_a_field_is_known_as_a_code_list_field_by_its_name_or_label(name, label, want):
    assert list_of(name, label) == want


def test_the_recorder_names_every_code_list_field_so_the_capture_checks_it():
    from recorders.source_fields import KNOWN_NAMES, field_name
    for label, want in LISTED_LABELS.items():
        name = field_name([label], set(), 1)
        assert name in KNOWN_NAMES.values() and list_of(name, None) == want, label
        assert list_of(field_name([label], {name}, 2), None) == want      # a second one


def test_the_words_of_a_list_are_its_labels_and_other_wordings():
    assert {"高中", "普通高中", "初中", "本科", "大专", "中专", "小学", "硕士研究生"} <= set(EDUCATION)
    assert listed_word("高 中", EDUCATION) == "高中" and listed_word("融中", EDUCATION) is None
    assert {"群众", "中共党员", "共青团员"} <= set(words_of(shipped()["political_status"]))
    assert {"户主", "配偶", "子", "女", "父亲"} <= set(words_of(shipped()["relationship"]))


def test_near_words_are_one_character_away_and_the_engines_alternatives_decide():
    assert near_words("融中", EDUCATION) == ["高中", "初中"]
    assert near_words("融中", EDUCATION, [("融", "高"), ("中",)]) == ["高中"]
    assert near_words("本枓", EDUCATION) == ["本科"]
    assert near_words("大学本", EDUCATION) == ["大学本科"]           # a character lost
    # one character from twenty ethnic groups: it says nothing, nothing is offered
    assert near_words("窗族", words_of(shipped()["ethnicity"])) == []
    assert near_words("张三", EDUCATION) == []


def test_a_value_not_in_its_list_is_invalid_with_the_suggestion_and_never_replaced():
    r = check_value("text", "融中", listed=EDUCATION, list_label="文化程度")
    assert r.status == "invalid" and r.value == "融中" and r.candidates == ["高中", "初中"]
    assert "'高中' or '初中'" in r.problems[0] and "文化程度" in r.problems[0]
    with using("zh_CN"):
        zh = check_value("text", "融中", [("融", "高"), ("中",)], listed=EDUCATION,
                         list_label="文化程度")
    assert zh.problems == ["“融中”不是文化程度的规范取值，是否为“高中”？请对照来源核对；系统未作任何改动。"]
    far = check_value("text", "张三", listed=EDUCATION, list_label="文化程度")
    assert far.status == "invalid" and far.candidates == [] and "张三" in far.problems[0]


def test_an_entry_of_its_list_is_ok_and_plain_text_is_not_checked_against_one():
    assert check_value("text", "高中", listed=EDUCATION).status == "ok"
    assert check_value("text", "汉", listed=words_of(shipped()["ethnicity"])).status == "ok"
    assert check_value("text", "融中").status == "ok"     # no list given: no list check


def test_listed_words_only_for_text_fields_named_like_a_list():
    assert listed_words(FieldSpec("education", label="文化程度")) == EDUCATION
    assert listed_words(FieldSpec("gender", label="性别", type="choice", choices=("男", "女"))) == ()
    assert listed_words(FieldSpec("applicant_name", label="姓名")) == ()


@pytest.mark.parametrize("ftype,choices,listed,checked", [
    ("id_number", (), (), True), ("credit_code", (), (), True), ("date", (), (), True),
    ("phone", (), (), True), ("choice", ("男", "女"), (), True), ("choice", (), (), False),
    ("text", (), (), False), ("text", (), ("高中",), True),
])
def test_ok_is_checked_only_where_a_wrong_value_could_have_failed(ftype, choices, listed, checked):
    assert ok_is_checked(ftype, choices=choices, listed=listed) is checked
    assert ok_is_checked(ftype, choices=choices, listed=listed, coded=True)   # found in its list


PLAYBOOK = """deskhand: 1
id: p
name: p
target: {title: "城市审批系统*"}
fields:
  - {name: applicant_name, label: 姓名}
  - {name: education, label: 文化程度}
  - {name: id_number, label: 公民身份号码, type: id_number}
  - {name: matter, label: 办理事项, read: {constant: 公积金提取}}
  - {name: kind, label: 类别, type: choice, choices: [甲, 乙]}
  - {name: address, label: 住址}
  - {name: district, label: 区县, derive: {from: address, part: district}}
  - {name: street, label: 街道门牌, derive: {from: address, part: rest}}
  - {name: gender, label: 性别, type: choice, choices: [男, 女], derive: {from: id_number, part: gender}}
  - {name: remarks, label: 备注, read: clerk}
  - {name: nation_code, label: 民族代码, transform: [{to_code: ethnicity}]}
fill:
  - type: applicant_name
"""


def test_mark_unchecked_leaves_ok_only_where_a_check_ran():
    pb = load_playbook_text(PLAYBOOK, "p.yaml")
    read = {"kind": "image"}
    values = {
        "applicant_name": FieldValue("何荣连", "ok", None, dict(read)),
        "education": FieldValue("高中", "ok", None, dict(read)),
        "id_number": FieldValue("350802199003071234", "ok", None, dict(read)),
        "matter": FieldValue("公积金提取", "ok", None, {"kind": "constant"}),
        "kind": FieldValue("甲", "ok", None, dict(read)),
        "address": FieldValue("福建省龙岩市新罗区西城路1号", "ok", None, dict(read)),
        "district": FieldValue("新罗区", "ok", None, {"kind": "derived", "from": "address"}),
        "street": FieldValue("西城路1号", "ok", None, {"kind": "derived", "from": "address"}),
        "gender": FieldValue("男", "ok", None, {"kind": "derived", "from": "id_number"}),
        "remarks": FieldValue("加急", "ok", None, {"kind": "manual"}),
        "nation_code": FieldValue("01", "ok", None, dict(read)),     # 汉族 found in its list
    }
    changed = mark_unchecked(pb, values, {"education": EDUCATION})
    assert changed == ["applicant_name", "address"]
    assert {n: fv.status for n, fv in values.items()} == {
        "applicant_name": "unchecked", "education": "ok", "id_number": "ok", "matter": "ok",
        "kind": "ok", "address": "unchecked", "district": "ok", "street": "ok", "gender": "ok",
        "remarks": "ok", "nation_code": "ok"}      # derived fields are derive_fields' to mark (below)
    # without its list, 文化程度 is free text too
    values["education"].status = "ok"
    assert mark_unchecked(pb, values, {}) == ["education"]


def test_the_parts_of_an_unchecked_address_that_no_table_checks_are_unchecked():
    from app.values.derive import derive_fields
    pb = load_playbook_text(PLAYBOOK, "p.yaml")
    values = {"address": FieldValue("福建省龙岩市新罗区东城街道九一北路12号", "unchecked", None,
                                    {"kind": "image"}),
              "id_number": FieldValue(None, "missing")}
    derive_fields(pb, values)
    assert values["district"].value == "新罗区" and values["district"].status == "ok"
    assert values["street"].value == "九一北路12号" and values["street"].status == "unchecked"
    values["address"].status = "ok"            # confirmed by a registry: the rest is too
    derive_fields(pb, values)
    assert values["street"].status == "ok"


def test_unchecked_is_a_status_of_its_own_that_does_not_stop_a_fill():
    assert "unchecked" in STATUSES and "unchecked" not in NEEDS_PERSON


def test_the_gate_checks_a_code_list_value_again_whatever_the_case_file_says():
    from app.cases import Case
    from app.fill.gate import vet
    pb = load_playbook_text(PLAYBOOK.replace("  - type: applicant_name\n",
                                             "  - type: applicant_name\n  - type: education\n"),
                            "p.yaml")
    case = Case("c", "p", {"applicant_name": FieldValue("何荣连", "unchecked", None, {}),
                           "education": FieldValue("融中", "ok", None, {})})   # edited by hand
    verdicts = {v.field: v for v in vet(pb, case)}
    assert not verdicts["applicant_name"].needs_person
    assert verdicts["education"].needs_person and "'高中'" in verdicts["education"].reasons[0]
    case.fields["education"].value = "高中"
    assert not {v.field: v for v in vet(pb, case)}["education"].needs_person
