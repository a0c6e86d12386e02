"""The keystroke model of app/scenario/keystrokes.py: what typing a value, a form and a
document costs by hand, and what Deskhand asks of the clerk instead."""
from __future__ import annotations

from app.cases import case_from_values
from app.scenario.keystrokes import (KeyModel, deskhand_actions, document_keys, form_keys,
                                     intake_keys, saved_ratio, text_keys)
from playbooks.loader import load_playbook_text

PERFECT = KeyModel.perfect_ime()

FORM = """\
deskhand: 1
id: keys-form
name: 键数
target: {title: "城市审批系统*"}
fields:
  - {name: name, label: 姓名}
  - {name: birth, label: 出生日期, type: date, format: "%Y年%m月%d日"}
  - {name: kind, label: 类型, type: choice, choices: [个体, 企业, 其他]}
  - {name: gender, label: 性别, type: choice, choices: [男, 女]}
  - {name: spouse, label: 配偶, required: false}
  - {name: remarks, label: 备注, required: false}
fill:
  - set: name
    at: 姓名
  - set: birth
    at: 出生日期
  - set: kind
    at: 类型
  - set: gender
    at: 性别
    options: {男: [space], 女: [right, space]}
  - set: spouse
    at: 配偶
    when: {field: kind, is: 个体}
  - set: name
    at: 姓名
  - set: remarks
    at: 备注
"""


def test_digits_and_latin_letters_cost_one_key_each():
    assert text_keys("350802198503122038") == 18
    assert text_keys("91350802MA2Y8XKQ3W") == 18
    assert text_keys("") == 0


def test_chinese_costs_pinyin_letters_and_one_selection_per_two_characters():
    assert text_keys("龙岩市") == 3 * 3 + 2
    assert text_keys("林晓明", PERFECT) == 3          # the pessimistic model: one per character
    assert text_keys("二〇二六年十二月四日") == 10 * 3 + 5     # 〇 is typed as a character too


def test_switching_between_chinese_and_english_costs_a_shift_and_digits_need_none():
    # "docs OK, " 9 keys, Shift, 待复核 9+2, 。1
    assert text_keys("docs OK, 待复核。") == 9 + 1 + 11 + 1
    assert text_keys("示例路88号") == (9 + 2) + 2 + (3 + 1)    # digits go through in both modes


def test_a_form_counts_each_value_it_fills_once_as_typed_plus_a_move():
    playbook = load_playbook_text(FORM, "keys-form.yaml")
    case = case_from_values({"name": "王芳", "birth": "1990-01-02", "kind": "企业",
                             "gender": "女", "spouse": "李明", "remarks": ""}, "keys-form", {})
    job = form_keys("键数", playbook, case)
    by_field = {v.field: v for v in job.values}
    assert list(by_field) == ["name", "birth", "kind", "gender"]   # spouse: its step's when
    assert by_field["name"].keys == (6 + 1) + 1
    assert by_field["birth"].text == "1990年01月02日"              # the text as typed
    assert by_field["birth"].keys == 4 + 4 + 2 + 4 + 2 + 4 + 1     # 4 digits, 年 3+1, …
    assert by_field["kind"].keys == 2 + 1                          # second choice: Home, Down
    assert by_field["gender"].keys == 2 + 1                        # the playbook's own keys
    assert job.keys == sum(v.keys for v in job.values)


def test_a_document_counts_every_value_placed_in_it_one_click_each():
    placed = [{"placeholder": "{{ company_name }}", "fields": ["company_name"], "value": "示例公司"},
              {"placeholder": "{{ s.name }}", "fields": ["shareholders[1].name"], "value": "林晓明"},
              {"placeholder": "{{ s.name }}", "fields": ["shareholders[2].name"], "value": "陈雨桐"}]
    job = document_keys("股东会决议", placed)
    assert [v.keys for v in job.values] == [12 + 2 + 1, 9 + 2 + 1, 9 + 2 + 1]
    assert job.values[1].field == "shareholders[1].name"


def test_the_intake_counts_fields_and_every_group_row():
    case = case_from_values({"company_name": "示例公司", "empty": ""}, None, {})
    case.groups = {"shareholders": [{"name": "林晓明", "share": "60"}, {"name": "陈雨桐", "share": "40"}]}
    job = intake_keys(case, PERFECT)
    assert [v.field for v in job.values] == ["company_name", "shareholders[1].name",
                                             "shareholders[1].share", "shareholders[2].name",
                                             "shareholders[2].share"]
    assert job.keys == (4 + 1) + (3 + 1) + (2 + 1) + (3 + 1) + (2 + 1)


def test_deskhand_asks_for_the_hotkey_one_confirmation_and_the_documents_button():
    actions = deskhand_actions(forms=3, documents=5)
    assert sum(k for _what, k in actions) == 3 + 1 + 1 + 1
    assert deskhand_actions(forms=0, documents=0) == []
    assert saved_ratio(1000, 6) == 0.994
    assert saved_ratio(0, 6) == 0.0 and saved_ratio(5, 6) == 0.0
