"""The playbook loader (format v1): valid files load into the model, broken ones are
reported as `file:line: message` with the right line, all problems at once."""
from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from playbooks.errors import PlaybookError, PlaybookErrors
from playbooks.keys import KeyCombo
from playbooks.loader import load_playbook, load_playbook_text
from playbooks.model import (
    ChooseStep,
    ClickStep,
    FieldSpec,
    KeyStep,
    Playbook,
    TargetSpec,
    TypeStep,
    WaitStep,
)

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "playbooks"
README = ROOT / "playbooks" / "README.md"

# A small valid playbook; line numbers on the right. Cases below change or extend it,
# so an appended step is on line 14 and is step 3.
BASE = """\
deskhand: 1
id: t
name: 测试
target:
  title: "城市审批*"
fields:
  - name: applicant_name
  - name: gender
    type: choice
    choices: [男, 女]
fill:
  - type: applicant_name
  - choose: {field: gender, options: {男: space, 女: [right, space]}}
"""


def problems(text: str, filename: str = "t.yaml") -> list[PlaybookError]:
    with pytest.raises(PlaybookErrors) as info:
        load_playbook_text(text, filename)
    return info.value.errors


def only_problem(text: str) -> PlaybookError:
    errs = problems(text)
    assert len(errs) == 1, "\n".join(map(str, errs))
    return errs[0]


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


# --------------------------------------------------------------------------- valid files

def test_base_is_valid():
    pb = load_playbook_text(BASE, "base.yaml")
    assert pb.path == "base.yaml"
    assert [s.line for s in pb.steps] == [12, 13]


def test_complete_playbook_loads_into_the_model():
    path = FIXTURES / "valid_full.yaml"
    pb = load_playbook(path)

    assert isinstance(pb, Playbook)
    assert pb.path == str(path)
    assert (pb.version, pb.id, pb.name) == (1, "sample-qt-intake", "受理登记（示例·桌面客户端）")
    assert pb.department == "示例"
    assert pb.description == "Every key of format v1 in one file."
    assert pb.source == {"kind": "screen", "regions": [{"x": 0, "y": 0, "width": 800, "height": 600}]}
    assert pb.source_spec.regions[0].width == 800
    assert pb.target == TargetSpec(title="城市审批系统*", title_regex="^城市审批",
                                   process="python*", line=8)

    assert pb.fields == (
        FieldSpec(name="applicant_name", label="申请人姓名", line=13),
        FieldSpec(name="gender", label="性别", type="choice", choices=("男", "女"), line=15),
        FieldSpec(name="birth_date", type="date", format="%Y年%m月%d日", required=False, line=19),
        # id_number is always sensitive, even when the file says otherwise
        FieldSpec(name="id_number", label="公民身份号码", type="id_number", sensitive=True, line=23),
        FieldSpec(name="phone", type="phone", sensitive=True, line=27),
    )
    assert pb.field_spec("gender").choices == ("男", "女")

    tab = KeyCombo((), "tab")
    assert pb.steps == (
        ClickStep(x=200, y=60, line=31),
        TypeStep(field="applicant_name", line=32),
        KeyStep(keys=(tab,), line=33),
        ChooseStep(field="gender",
                   options={"男": (KeyCombo((), "space"),),
                            "女": (KeyCombo((), "right"), KeyCombo((), "space"))},
                   line=34),
        KeyStep(keys=(tab, KeyCombo(("ctrl", "shift"), "a"), KeyCombo(("shift",), "tab")), line=35),
        ClickStep(anchor="身份证号", dx=120, dy=-4, button="right", double=True, line=36),
        TypeStep(field="id_number", method="keys", readback=False, clear=True, line=37),
        TypeStep(field="birth_date", method="paste", line=38),
        WaitStep(seconds=0.5, line=39),
        WaitStep(title="提交成功*", timeout=5.0, line=40),
        WaitStep(text="保存成功", timeout=10.0, line=41),
    )


def test_defaults_of_a_type_step_and_a_field():
    pb = load_playbook_text(BASE, "t.yaml")
    step = pb.steps[0]
    assert (step.method, step.readback, step.clear) == ("auto", True, False)
    field = pb.field_spec("applicant_name")
    assert (field.type, field.required, field.sensitive, field.label) == ("text", True, False, None)


def test_yaml_booleans_and_plain_scalars_are_taken_as_written():
    text = BASE.replace("  - name: applicant_name\n",
                        "  - name: applicant_name\n    required: no\n    label: 2024\n")
    text = text.replace("choices: [男, 女]", "choices: [yes, no]")
    text = text.replace("{男: space, 女: [right, space]}", "{yes: '1', no: [2, f5]}")
    pb = load_playbook_text(text, "t.yaml")
    assert pb.field_spec("applicant_name").required is False
    assert pb.field_spec("applicant_name").label == "2024"
    assert pb.field_spec("gender").choices == ("yes", "no")
    assert pb.steps[1].options == {"yes": (KeyCombo((), "1"),),
                                   "no": (KeyCombo((), "2"), KeyCombo((), "f5"))}


def test_anchors_and_merge_keys_work():
    text = BASE + ("  - click: &spot {x: 10, y: 20}\n"
                   "  - click:\n"
                   "      <<: *spot\n"
                   "      double: true\n")
    pb = load_playbook_text(text, "t.yaml")
    assert pb.steps[2] == ClickStep(x=10, y=20, line=14)
    assert pb.steps[3] == ClickStep(x=10, y=20, double=True, line=15)


def test_utf8_bom_is_accepted(tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + BASE.encode("utf-8"))
    assert load_playbook(path).id == "t"


# --------------------------------------------------------------------------- README example

def _yaml_blocks(markdown: str) -> list[str]:
    return re.findall(r"^```yaml\n(.*?)^```", markdown, flags=re.S | re.M)


def test_readme_worked_example_loads():
    text = README.read_text(encoding="utf-8")
    section = text.split("## Worked example", 1)[1]
    example = _yaml_blocks(section)[0]
    pb = load_playbook_text(example, "README.md")

    labels = [f.label for f in pb.fields]
    assert labels == ["申请人姓名", "性别", "民族", "出生日期", "公民身份号码", "联系电话", "住址",
                      "工作单位", "统一社会信用代码", "办理事项", "邮政编码", "电子邮箱", "备注"]
    assert pb.field_spec("gender").choices == ("男", "女")
    assert pb.field_spec("matter").choices == ("公积金提取", "道路运输从业资格证", "企业设立登记", "不动产登记")
    assert pb.field_spec("id_number").sensitive
    # the steps visit the fields in tab order
    visited = [s.field for s in pb.steps if isinstance(s, (TypeStep, ChooseStep))]
    assert visited == [f.name for f in pb.fields]


def test_every_complete_playbook_in_the_readme_loads():
    blocks = [b for b in _yaml_blocks(README.read_text(encoding="utf-8"))
              if b.startswith("deskhand:")]
    assert blocks
    for block in blocks:
        load_playbook_text(block, "README.md")


# --------------------------------------------------------------------------- one problem each

# (case id, YAML text, expected line, text the message must contain)
SINGLE_PROBLEMS = [
    ("yaml-syntax", "deskhand: 1\nid: t\n  name: x\n", 3,
     "not valid YAML: mapping values are not allowed here"),
    ("yaml-tab-indent", "deskhand: 1\nfields:\n\t- name: x\n", 3, "indent with spaces, not tabs"),
    ("yaml-second-document", BASE + "---\nid: u\n", 14, "second YAML document"),
    ("empty-file", "# only a comment\n", 1, "the playbook is empty"),
    ("top-level-list", "- deskhand: 1\n- id: t\n", 1, "the playbook must be a mapping"),
    ("version-2", BASE.replace("deskhand: 1", "deskhand: 2") + "feilds: 1\n", 1,
     "unsupported format version 2; this Deskhand reads version 1"),
    ("version-quoted", BASE.replace("deskhand: 1", 'deskhand: "1"'), 1,
     "'deskhand' must be the format version number 1, not the text '1'"),
    ("version-missing", BASE.replace("deskhand: 1\n", "# v1\n"), 2,
     "missing required key 'deskhand'"),
    ("missing-fill", BASE.split("fill:")[0], 1, "missing required key 'fill' in the playbook"),
    ("unknown-top-key", BASE.replace("fields:", "feilds:"), 6,
     "unknown key 'feilds' in the playbook (did you mean 'fields'?)"),
    ("bad-id", BASE.replace("id: t", "id: Sample Intake"), 2, "id 'Sample Intake' may contain only"),
    ("empty-name", BASE.replace("name: 测试", "name: ''"), 3, "'name' is empty"),
    ("duplicate-yaml-key", BASE.replace("  title: \"城市审批*\"\n", "  title: \"城市审批*\"\n  title: x\n"), 6,
     "key 'title' appears twice in the same mapping (first on line 5)"),
    ("target-not-mapping", BASE.replace("target:\n  title: \"城市审批*\"", "target: \"城市审批*\"\n#"), 4,
     "'target' must be a mapping"),
    ("target-unknown-key", BASE.replace("  title: \"城市审批*\"", "  title: \"城市审批*\"\n  window: x"), 6,
     "unknown key 'window' in target"),
    ("target-empty", BASE.replace("  title: \"城市审批*\"", "  # none"), 4,
     "target is empty; it needs at least one of 'title', 'title_regex' or 'process'"),
    ("target-no-matcher", BASE.replace("target:\n  title: \"城市审批*\"", "target: {}\n#"), 4,
     "target needs at least one of 'title', 'title_regex' or 'process'"),
    ("bad-regex", BASE.replace("  title: \"城市审批*\"", "  title_regex: \"(城市\""), 5,
     "title_regex '(城市' is not a valid regular expression: missing ), unterminated subpattern"),
    ("fields-not-list", dedent("""
        deskhand: 1
        id: t
        name: 测试
        target: {process: p}
        fields: applicant_name
        fill:
          - type: applicant_name
        """), 5, "'fields' must be a list of fields, each starting with '- name: ...', not the text"),
    ("fields-empty", dedent("""
        deskhand: 1
        id: t
        name: 测试
        target: {process: p}
        fields: []
        fill:
          - key: tab
        """), 5, "'fields' is empty"),
    ("fill-empty", BASE.split("fill:")[0] + "fill:\n", 11, "'fill' is empty"),
    ("field-unknown-key", BASE.replace("  - name: applicant_name", "  - name: applicant_name\n    lable: 姓名"),
     8, "unknown key 'lable' in field 'applicant_name' (did you mean 'label'?)"),
    ("field-missing-name", BASE.replace("  - name: applicant_name", "  - label: 姓名")
                                .replace("  - type: applicant_name\n", "  - key: tab\n"),
     7, "field 1 has no 'name'"),
    ("field-bad-name", BASE.replace("  - name: gender", "  - name: 申请人\n  - name: gender"), 8,
     "field name '申请人' is not allowed"),
    ("field-duplicate", BASE.replace("  - name: gender", "  - name: applicant_name\n  - name: gender"), 8,
     "field name 'applicant_name' is declared twice; the first one is on line 7"),
    ("field-required-string", BASE.replace("  - name: applicant_name",
                                           "  - name: applicant_name\n    required: \"yes\""), 8,
     "'required' of field 'applicant_name' must be true or false, not the text 'yes'"),
    ("field-bad-type", BASE.replace("    type: choice", "    type: choise"), 9,
     "type 'choise' of field 'gender' is not a field type (did you mean 'choice'?)"),
    ("choice-without-choices", BASE.replace("    choices: [男, 女]\n", ""), 9,
     "field 'gender' has type choice but no 'choices'"),
    ("choices-on-text", BASE.replace("  - name: applicant_name",
                                     "  - name: applicant_name\n    choices: [a, b]"), 8,
     "has 'choices' but its type is text"),
    ("choices-duplicate", BASE.replace("[男, 女]", "[男, 女, 男]"), 10,
     "choice '男' is listed twice in field 'gender'"),
    ("date-format-without-date", BASE.replace("  - name: gender",
                                              "  - name: d\n    type: date\n    format: '%H:%M'\n"
                                              "  - name: gender")
     + "  - type: d\n", 10, "has none of %Y, %m or %d"),
    ("format-on-text", BASE.replace("  - name: applicant_name",
                                    "  - name: applicant_name\n    format: '%Y'"), 8,
     "format is only for fields of type date"),
    ("source-not-mapping", BASE + "source: screen\n", 14, "'source' must be a mapping"),
    ("read-nothing", BASE.replace("  - name: applicant_name\n", "  - name: applicant_name\n    read: {lines: 2}\n"),
     8, "'read' of field 'applicant_name' needs an anchor, a region or a pattern"),
    ("read-bad-pattern", BASE.replace("  - name: applicant_name\n",
                                      "  - name: applicant_name\n    read: {pattern: '[0-9'}\n"),
     8, "'pattern' of field 'applicant_name' is not a valid regular expression"),
    ("read-bad-direction", BASE.replace("  - name: applicant_name\n",
                                        "  - name: applicant_name\n    read: {anchor: 姓名, direction: left}\n"),
     8, "'direction' of field 'applicant_name' must be right or below"),
    ("source-unknown-kind", BASE + "source: {kind: scren}\n", 14,
     "source kind 'scren' is not one of: screen, window, image, idcard (did you mean 'screen'?)"),
    ("source-window-without-title", BASE + "source: {kind: window}\n", 14,
     "a source of kind window needs 'window'"),
    ("source-bad-region", BASE + "source:\n  regions:\n    - {x: 0, y: 0, width: 0, height: 5}\n",
     16, "'width' of region 1 of the source must be between 1 and 10000 pixels, not 0"),
    ("step-undeclared-field", BASE + "  - type: adress\n", 14,
     "step 3 types field 'adress', which is not declared in fields"),
    ("step-misspelt-field", BASE + "  - type: applicant_nam\n", 14, "(did you mean 'applicant_name'?)"),
    ("type-on-choice", BASE + "  - type: gender\n", 14,
     "step 3 types field 'gender', which is a choice field; use choose for choice fields"),
    ("step-two-actions", BASE + "  - type: applicant_name\n    key: tab\n", 15,
     "step 3 has two actions, 'type' and 'key'"),
    ("step-no-action", BASE + "  - {}\n", 14, "step 3 is empty"),
    ("step-unknown-kind", BASE + "  - hotkey: tab\n", 14,
     "step 3 has an unknown action 'hotkey' (did you mean 'key'?)"),
    ("press-a-key", BASE + "  - press: tab\n", 14,
     "the press action in step 3 names 'tab', which is a key; press names a button by its "
     "text (press: 提交), keys are pressed with key: tab"),
    ("step-option-outside-action", BASE + "  - type: applicant_name\n    readback: false\n", 15,
     "'readback' in step 3 belongs inside the type action"),
    ("step-not-mapping", BASE + "  - tab\n", 14, "step 3 must be a mapping"),
    ("type-unknown-key", BASE + "  - type: {field: applicant_name, readbak: false}\n", 14,
     "unknown key 'readbak' in the type action in step 3 (did you mean 'readback'?)"),
    ("type-bad-method", BASE + "  - type: {field: applicant_name, method: typing}\n", 14,
     "'method' of the type action in step 3 is 'typing', but must be auto, keys or paste"),
    ("bad-key-name", BASE + "  - key: [tab, ctrll+a]\n", 14,
     "'ctrll+a' in step 3 is not a key: 'ctrll' in 'ctrll+a' is not a modifier"),
    ("bad-key-suggestion", BASE + "  - key: pgae_down\n", 14, "is not a key"),
    ("empty-key-list", BASE + "  - key: []\n", 14, "the key list in step 3 is empty"),
    ("choose-non-choice", BASE + "  - choose: {field: applicant_name, options: {a: tab}}\n", 14,
     "step 3 chooses field 'applicant_name', which is a text field; choose works only on fields "
     "of type choice"),
    ("choose-option-not-a-choice", BASE.replace("{男: space, 女: [right, space]}",
                                                "{男: space, 女: right, 难: down}"), 13,
     "option '难' in step 2 is not one of the choices of field 'gender' (男, 女)"),
    ("choose-missing-option", BASE.replace("女: [right, space]", ""), 13,
     "step 2 gives no keys for '女' of field 'gender'"),
    ("choose-bad-option-key", BASE.replace("女: [right, space]", "女: [rigth, space]"), 13,
     "'rigth' in option '女' of step 2 is not a key"),
    ("choose-no-options", BASE + "  - choose: {field: gender}\n", 14,
     "the choose action in step 3 has no 'options'"),
    ("click-x-not-number", BASE + "  - click: {x: abc, y: 3}\n", 14,
     "'x' of the click in step 3 must be a whole number of pixels, not the text 'abc'"),
    ("click-x-without-y", BASE + "  - click:\n      x: 3\n", 15, "has 'x' but no 'y'"),
    ("click-position-and-anchor", BASE + "  - click:\n      x: 3\n      y: 4\n      anchor: 姓名\n",
     17, "has both a position (x/y) and an anchor"),
    ("click-nothing", BASE + "  - click: {button: left}\n", 14,
     "the click in step 3 needs a position (x and y) or an anchor"),
    ("click-negative", BASE + "  - click: {x: -3, y: 4}\n", 14, "must be between 0 and 10000 pixels, not -3"),
    ("click-offset-without-anchor", BASE + "  - click: {x: 3, y: 4, dx: 5}\n", 14,
     "'dx' of the click in step 3 only applies to a click at an anchor"),
    ("click-bad-button", BASE + "  - click: {x: 3, y: 4, button: rigth}\n", 14,
     "must be left, right or middle (did you mean 'right'?)"),
    ("wait-zero", BASE + "  - wait: 0\n", 14, "the wait in step 3 must be more than 0 seconds"),
    ("wait-negative-timeout", BASE + "  - wait: {title: a*, timeout: -5}\n", 14,
     "'timeout' of the wait in step 3 must be more than 0 seconds"),
    ("wait-absurd", BASE + "  - wait: 3600\n", 14, "must be at most 600 seconds"),
    ("wait-text-value", BASE + "  - wait: '5'\n", 14,
     "the wait in step 3 must be a number of seconds such as 0.5"),
    ("wait-nothing", BASE + "  - wait: {timeout: 3}\n", 14,
     "the wait in step 3 needs one of 'seconds', 'title' or 'text'"),
    ("wait-several", BASE + "  - wait:\n      title: a*\n      text: 保存成功\n", 16,
     "the wait in step 3 has 'title' and 'text'"),
    ("wait-timeout-on-pause", BASE + "  - wait: {seconds: 1, timeout: 3}\n", 14,
     "'timeout' of the wait in step 3 only applies when waiting for a title or text"),
]


@pytest.mark.parametrize("text, line, message",
                         [pytest.param(t, ln, m, id=i) for i, t, ln, m in SINGLE_PROBLEMS])
def test_single_problem_is_reported_at_its_line(text, line, message):
    err = only_problem(text)
    assert message in err.message
    assert err.line == line
    assert err.file == "t.yaml"
    assert str(err) == f"t.yaml:{line}: {err.message}"


def test_messages_are_single_sentences():
    for case_id, text, _, _ in SINGLE_PROBLEMS:
        message = only_problem(text).message
        assert "\n" not in message, case_id
        assert message[0].islower() or message[0] in "'(", case_id


def test_duplicate_key_in_a_step_mapping_is_rejected():
    err = only_problem(BASE + "  - click: {x: 3, y: 4, x: 5}\n")
    assert (err.line, err.message.split(";")[0]) == (
        14, "key 'x' appears twice in the same mapping (first on line 14)")


def test_undeclared_field_in_choose_gets_a_suggestion():
    err = only_problem(BASE.replace("field: gender, options", "field: gendr, options"))
    assert err.line == 13
    assert err.message == ("step 2 chooses field 'gendr', which is not declared in fields "
                           "(did you mean 'gender'?)")


def test_key_typo_suggests_the_corrected_combination():
    err = only_problem(BASE + "  - key: ctrl+shft+tabb\n")
    assert err.message.endswith("(did you mean 'ctrl+shift+tab'?)")


def test_unsupported_version_hides_other_complaints():
    errs = problems("deskhand: 3\nstuff: {}\n")
    assert [(e.line, e.message) for e in errs] == [
        (1, "unsupported format version 3; this Deskhand reads version 1")]


def test_broken_fields_section_does_not_cascade_into_steps():
    text = BASE.replace("fields:\n", "fields: oops\nx:\n")
    messages = [e.message for e in problems(text)]
    assert not any("not declared" in m for m in messages)


# --------------------------------------------------------------------------- files

def test_missing_file(tmp_path):
    path = tmp_path / "nope.yaml"
    with pytest.raises(PlaybookErrors) as info:
        load_playbook(path)
    assert str(info.value) == f"{path}:0: the playbook file does not exist; check the path and the file name"
    assert info.value.exit_code == 2


def test_folder_instead_of_file(tmp_path):
    with pytest.raises(PlaybookErrors) as info:
        load_playbook(tmp_path)
    assert info.value.line == 0
    assert "folder, not a playbook file" in info.value.message


def test_gbk_file_is_reported_as_not_utf8_at_the_right_line(tmp_path):
    path = tmp_path / "gbk.yaml"
    path.write_bytes(BASE.encode("gbk"))
    with pytest.raises(PlaybookErrors) as info:
        load_playbook(path)
    [err] = info.value.errors
    assert err.line == 3  # `name: 测试` is the first non-ASCII text
    assert "not UTF-8" in err.message and "save it as UTF-8" in err.message


def test_unreadable_file(tmp_path, monkeypatch):
    path = tmp_path / "secret.yaml"
    path.write_text(BASE, encoding="utf-8")

    def refuse(self):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", refuse)  # as for a file the clerk may not read
    with pytest.raises(PlaybookErrors) as info:
        load_playbook(path)
    assert str(info.value) == (f"{path}:0: the playbook file cannot be read (Permission denied); "
                               "check its permissions")


def test_control_character_is_reported_at_its_line():
    err = only_problem(BASE.replace("name: 测试", "name: 测\x07试"))
    assert err.line == 3
    assert "a character YAML does not allow (U+0007)" in err.message


# --------------------------------------------------------------------------- many at once

def test_all_problems_in_a_file_are_reported_in_line_order():
    path = FIXTURES / "broken_several.yaml"
    with pytest.raises(PlaybookErrors) as info:
        load_playbook(path)
    got = [(e.line, e.message) for e in info.value.errors]
    assert got == [
        (5, "unknown key 'titel' in target (did you mean 'title'?)"),
        (12, "'required' of field 'gender' must be true or false, not the text 'yes'"),
        (14, "step 1 types field 'adress', which is not declared in fields (did you mean 'address'?)"),
        (15, "'ctrll+a' in step 2 is not a key: 'ctrll' in 'ctrll+a' is not a modifier "
             "(ctrl, shift, alt, super) (did you mean 'ctrl+a'?)"),
        (16, "step 3 gives no keys for '女' of field 'gender'; add an option for every choice"),
        (17, "the wait in step 4 must be more than 0 seconds, not -1"),
        (18, "unknown key 'feilds' in the playbook (did you mean 'fields'?)"),
    ]
    # str() of the whole exception is what `deskhand check` prints: one line per problem
    lines = str(info.value).splitlines()
    assert len(lines) == len(got)
    assert lines[0].startswith(f"{path}:5: ")
    assert info.value.line == 5  # the first problem is also the exception's own location


VERIFY_BASE = """\
deskhand: 1
id: v
name: v
target: {title: "x"}
fields:
  - {name: applicant_name}
  - {name: id_number, type: id_number}
  - {name: address}
  - {name: marital_status}
fill:
  - type: applicant_name
verify:
"""


def test_verify_section_is_read():
    from playbooks.loader import load_playbook_text
    pb = load_playbook_text(VERIFY_BASE + """\
  - lookup: city.person
    with: {id_number: id_number}
    confirm: {applicant_name: exact, address: {rule: fuzzy, threshold: 80, as: hjdz}}
  - lookup: city.marriage
    fill: {marital_status: hyzk}
""", "v.yaml")
    person, marriage = pb.verify
    assert person.lookup == "city.person" and person.params == {"id_number": "id_number"}
    assert person.confirm["address"].rule == "fuzzy" and person.confirm["address"].threshold == 80
    assert person.confirm["address"].registry_name == "hjdz" and person.line == 13
    assert marriage.fill == {"marital_status": "hyzk"}


@pytest.mark.parametrize("body,line,words", [
    ("  - lookup: city\n    confirm: {applicant_name: exact}\n", 13, "'registry.endpoint'"),
    ("  - lookup: city.person\n    confirm: {adress: exact}\n", 14, "did you mean 'address'"),
    ("  - lookup: city.person\n    confirm: {address: fuzy}\n", 14, "unknown rule 'fuzy'"),
    ("  - lookup: city.person\n    confirm: {address: {rule: exact, threshold: 80}}\n", 14,
     "only applies to the fuzzy rule"),
    ("  - lookup: city.person\n", 13, "neither confirms nor fills"),
    ("  - lookup: city.person\n    fill: [spouse]\n", 14, "does not declare"),
    ("  - lookup: city.person\n    confirm: {address: exact}\n    when: always\n", 15, "when"),
    ("  city.person\n", 13, "must be a list"),
])
def test_verify_section_errors(body, line, words):
    from playbooks.errors import PlaybookErrors
    from playbooks.loader import load_playbook_text
    with pytest.raises((PlaybookErrors, PlaybookError)) as e:
        load_playbook_text(VERIFY_BASE + body, "v.yaml")
    text = str(e.value)
    assert f"v.yaml:{line}:" in text and words in text, text


def test_two_fields_with_the_same_anchor_are_an_error_at_the_second():
    text = BASE.replace("  - name: gender\n", "  - {name: spouse, label: 姓名}\n"
                        "  - name: holder\n    read: {anchor: ['户主', '姓　名：']}\n  - name: gender\n")
    err = only_problem(text)
    assert (err.line, err.file) == (10, "t.yaml")       # its read: line
    assert "field 'holder' reads the label '姓　名：', as field 'spouse' on line 8 does" in err.message
    # wordings of one field, a clerk's field and a pattern are not anchors of two fields
    fine = BASE.replace("  - name: gender\n", "  - name: spouse\n    label: 姓名\n    read: clerk\n"
                        "  - {name: a, read: {anchor: [住址, 住 址]}}\n"
                        "  - {name: b, label: 住址, read: {pattern: 'x'}}\n  - name: gender\n")
    load_playbook_text(fine, "t.yaml")


@pytest.mark.parametrize("value, words", [
    ("0", "must be more than 0 and at most 100 label heights, not 0"),
    ("101", "must be more than 0 and at most 100 label heights, not 101"),
    (".nan", "must be more than 0 and at most 100 label heights"),
    ("far", "must be a number of label heights such as 6 or 1.5, not the text 'far'"),
])
def test_max_gap_is_a_number_of_label_heights(value, words):
    text = BASE.replace("  - name: applicant_name\n",
                        f"  - name: applicant_name\n    read: {{anchor: 姓名, max_gap: {value}}}\n")
    err = only_problem(text)
    assert err.line == 8 and "'max_gap' of field 'applicant_name' " + words in err.message, err.message
    ok = load_playbook_text(BASE.replace("  - name: applicant_name\n",
                                         "  - name: applicant_name\n    read: {anchor: 姓名, max_gap: 2.5}\n"),
                            "t.yaml")
    assert ok.fields[0].read.max_gap == 2.5
