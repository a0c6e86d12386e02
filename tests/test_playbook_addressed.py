"""Playbook steps that address a field by its label (`set`, `press`), `when:` on every
step, and `on_invalid`: what loads, and each mistake as `file:line: message`."""
from __future__ import annotations

import pytest

from playbooks.errors import PlaybookError, PlaybookErrors
from playbooks.keys import KeyCombo
from playbooks.loader import load_playbook_text
from playbooks.model import (ChooseStep, Condition, FieldAddress, KeyStep, PressStep, SetStep,
                             TypeStep)

# A step appended to BASE is on line 18 and is step 2.
BASE = """\
deskhand: 1
id: t
name: 测试
target:
  title: "城市审批*"
fields:
  - name: applicant_name
  - name: marital_status
    type: choice
    choices: [未婚, 已婚, 离异, 丧偶]
  - name: spouse_name
    required: false
  - name: id_number
    type: id_number
fill:
  - set: applicant_name
    at: 姓名
"""


def loads(text: str):
    return load_playbook_text(text, "t.yaml")


def problems(text: str) -> list[PlaybookError]:
    with pytest.raises(PlaybookErrors) as info:
        loads(text)
    return info.value.errors


def only_problem(text: str) -> PlaybookError:
    errs = problems(text)
    assert len(errs) == 1, "\n".join(map(str, errs))
    return errs[0]


def test_set_press_when_and_on_invalid_load_into_the_model():
    pb = loads(BASE + """\
  - set: marital_status
    at: {label: 婚姻状况, role: combo, dx: 120, dy: -2}
    method: keys
    readback: false
    options: {未婚: [down], 已婚: [down, down], 离异: [end, up], 丧偶: end}
  - set: spouse_name
    at: {label: 配偶姓名}
    method: accessible
    when: {field: marital_status, is: 已婚}
  - type: id_number
    when: {field: marital_status, not: [未婚, 丧偶]}
  - key: tab
    when: {field: spouse_name, is: 张三}
  - choose: {field: marital_status, options: {未婚: a, 已婚: b, 离异: c, 丧偶: d}}
    when: {field: applicant_name, not: 某}
  - press: 提交
    when: {field: marital_status, is: [已婚, 离异]}
on_invalid: fill
""")
    assert pb.on_invalid == "fill"
    name, marital, spouse, ident, key, choose, press = pb.steps
    assert name == SetStep("applicant_name", FieldAddress("姓名", line=17), line=16)
    assert isinstance(marital, SetStep) and marital.at == FieldAddress(
        "婚姻状况", role="combo", dx=120, dy=-2, line=19)
    assert (marital.method, marital.readback, marital.when) == ("keys", False, None)
    assert marital.options["已婚"] == (KeyCombo((), "down"), KeyCombo((), "down"))
    assert marital.options["丧偶"] == (KeyCombo((), "end"),)
    assert isinstance(spouse, SetStep) and spouse.method == "accessible" and spouse.readback
    assert spouse.at.dx is None and spouse.at.role is None
    assert spouse.when == Condition("marital_status", ("已婚",), line=26)
    assert isinstance(ident, TypeStep) and ident.when == Condition(
        "marital_status", ("未婚", "丧偶"), negate=True, line=28)
    assert isinstance(key, KeyStep) and key.when.values == ("张三",)
    assert isinstance(choose, ChooseStep) and choose.when.negate
    assert press == PressStep("提交", Condition("marital_status", ("已婚", "离异"), line=34),
                              line=33)
    assert pb.filled_names() == ["applicant_name", "marital_status", "spouse_name", "id_number"]


def test_on_invalid_defaults_to_field():
    assert loads(BASE).on_invalid == "field"


@pytest.mark.parametrize("addition,line,message", [
    ("  - set: applicant_nam\n    at: 姓名\n", 18,
     "step 2 sets field 'applicant_nam', which is not declared in fields (did you mean "
     "'applicant_name'?)"),
    ("  - set: spouse_name\n", 18,
     "the set action in step 2 has no 'at'; say which box by its label on the form, e.g. "
     "'at: 姓名' on the next line"),
    ("  - set: {field: spouse_name, at: 配偶姓名}\n", 18,
     "the set action in step 2 names the field to put in, e.g. '- set: applicant_name', with "
     "at:, method:, readback: and options: on their own lines beside it, not a mapping"),
    ("  - set: spouse_name\n    at: {role: text}\n", 19,
     "'at' of the set action in step 2 has no 'label'"),
    ("  - set: spouse_name\n    at: {label: 配偶姓名, role: textbox}\n", 19,
     "'role' of 'at' of the set action in step 2 is 'textbox', but must be one of text, combo, "
     "list, radio, check (did you mean 'text'?)"),
    ("  - set: spouse_name\n    at: {label: 配偶姓名, colour: red}\n", 19,
     "unknown key 'colour' in 'at' of the set action in step 2"),
    ("  - set: spouse_name\n    at: {label: 配偶姓名, dx: 20000}\n", 19,
     "'dx' of 'at' of the set action in step 2 must be between -10000 and 10000 pixels"),
    ("  - set: spouse_name\n    at: 配偶姓名\n    method: paste\n", 20,
     "'method' of the set action in step 2 is 'paste', but must be auto, accessible or keys"),
    ("  - set: spouse_name\n    at: 配偶姓名\n    readback: maybe\n", 20,
     "'readback' of the set action in step 2 must be true or false"),
    ("  - set: spouse_name\n    at: 配偶姓名\n    options: {a: tab}\n", 20,
     "'options' of the set action in step 2 gives keys for the choices of a choice field, but "
     "field 'spouse_name' is a text field; remove options"),
    ("  - set: marital_status\n    at: 婚姻状况\n    options: {已昏: down, 已婚: z, 未婚: up, "
     "离异: x, 丧偶: y}\n", 20,
     "option '已昏' in step 2 is not one of the choices of field 'marital_status'"),
    ("  - set: marital_status\n    at: 婚姻状况\n    options: {未婚: up}\n", 20,
     "step 2 gives no keys for '已婚', '离异' and '丧偶' of field 'marital_status'"),
    ("  - type: id_number\n    at: 公民身份号码\n", 19,
     "'at' in step 2 belongs to a set step (a field addressed by its label); this step is "
     "not one"),
    ("  - press: {button: 提交}\n", 18,
     "the press action in step 2 names the button to press by the text on it, e.g. "
     "'- press: 提交', not a mapping"),
    ("  - press: ctrl+s\n", 18, "names 'ctrl+s', which is a key; press names a button"),
    ("  - press: 提交\n    when: {field: marital, is: 已婚}\n", 19,
     "the 'when' of step 2 tests field 'marital', which is not declared in fields (did you "
     "mean 'marital_status'?)"),
    ("  - press: 提交\n    when: {field: marital_status, is: 已昏}\n", 19,
     "'is' of the 'when' of step 2 is '已昏', which is not one of the choices of field "
     "'marital_status' (the closest: "),
    ("  - press: 提交\n    when: {field: marital_status, is: [已婚, 再婚]}\n", 19,
     "'is' of the 'when' of step 2 is '再婚', which is not one of the choices"),
    ("  - press: 提交\n    when: {field: marital_status, is: 已婚, not: 离异}\n", 19,
     "the 'when' of step 2 has both 'is' and 'not'; give one"),
    ("  - press: 提交\n    when: {field: marital_status}\n", 19,
     "the 'when' of step 2 has neither 'is' nor 'not'; write {field: marital_status, is: 已婚}"),
    ("  - press: 提交\n    when: {is: 已婚}\n", 19, "the 'when' of step 2 has no 'field'"),
    ("  - press: 提交\n    when: {field: spouse_name, is: []}\n", 19,
     "'is' of the 'when' of step 2 is an empty list; give at least one value"),
    ("  - press: 提交\n    when: marital_status\n", 19,
     "the 'when' of step 2 must be a mapping such as {field: marital_status, is: 已婚}"),
    ("  - key: tab\n    wehn: {field: spouse_name, is: x}\n", 19,
     "step 2 has an unknown action 'wehn' (did you mean 'when'?)"),
    ("on_invalid: stop\n", 18,
     "'on_invalid' is 'stop', but must be field (a value that fails its check leaves only its "
     "own box empty) or fill"),
])
def test_each_mistake_is_one_problem_at_its_line(addition, line, message):
    problem = only_problem(BASE + addition)
    assert problem.line == line, str(problem)
    assert message in problem.message, str(problem)


def test_a_choice_value_not_in_the_choices_names_at_most_three_closest():
    many = ", ".join(f"选项{i}" for i in range(40))
    text = BASE.replace("choices: [未婚, 已婚, 离异, 丧偶]", f"choices: [已婚, {many}]")
    problem = only_problem(text + "  - press: 提交\n    when: {field: marital_status, is: 已昏}\n")
    listed = problem.message.split("(the closest: ")[1]
    assert listed.count("'") + listed.count("“") <= 6 and "选项39" not in listed
    assert "已婚" in listed


def test_every_existing_playbook_still_loads_with_field_as_its_policy():
    from pathlib import Path
    root = Path(__file__).resolve().parent.parent / "playbooks" / "library"
    files = sorted(root.glob("*.yaml"))      # samples/ beside them hold expected.yaml, form.yaml
    assert files
    for path in files:
        from playbooks.loader import load_playbook
        assert load_playbook(path).on_invalid == "field"


def test_the_readme_example_sets_every_box_of_the_toolkit_form_by_its_label():
    import re
    from pathlib import Path
    from app.sandbox.toolkits import spec
    readme = (Path(__file__).resolve().parent.parent / "playbooks" / "README.md").read_text(
        encoding="utf-8")
    section = readme.split("### A whole playbook for the toolkit test form", 1)[1]
    block = re.findall(r"^```yaml\n(.*?)^```", section, flags=re.S | re.M)[0]
    pb = load_playbook_text(block, "README.md")
    sets = [s for s in pb.steps if isinstance(s, SetStep)]
    editable = [f for f in spec.FIELDS if f.kind != spec.READONLY]
    assert [s.at.label for s in sets] == [f.label for f in editable]
    assert [s.field for s in sets] == [f.name for f in editable]
    for f in editable:
        if f.options:
            assert pb.field_spec(f.name).choices == f.options
    assert pb.steps[-1] == PressStep(spec.SUBMIT_LABEL, line=pb.steps[-1].line)
    spouse = next(s for s in sets if s.field == "spouse_name")
    assert spouse.when == Condition("marital_status", ("已婚",), line=spouse.when.line)
    import fnmatch
    assert all(fnmatch.fnmatchcase(spec.window_title(t), pb.target.title) for t in spec.TOOLKITS)
