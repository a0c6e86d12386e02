"""Golden replay's pure parts: the form model, the fill simulator, expected.yaml, masking
and packs. No OCR and no display here (tests/test_golden_library.py runs `deskhand test`
on the shipped samples; tests/test_golden_e2e.py holds the model against the real client)."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from app.cases import case_from_values
from app.errors import PlaybookError, UsageError
from app.golden.form_model import FormBox, FormModel, dump_form, load_form
from app.golden.runner import FieldCheck
from app.golden.samples import load_expected
from app.golden.simulate import simulate
from playbooks.loader import load_playbook, load_playbook_text

ROOT = Path(__file__).resolve().parent.parent
LIBRARY = ROOT / "playbooks" / "library"
QT_FORM = LIBRARY / "samples" / "sample-qt-intake" / "form.yaml"

CASE = {"applicant_name": "林小𠀀", "gender": "女", "ethnicity": "汉族", "birth_date": "1990-03-07",
        "id_number": "350802199003070029", "phone": "13905971234",
        "address": "福建省龙岩市新罗区九一南路1号", "employer": "龙岩市某某有限公司",
        "credit_code": "91350802MA2Y8XKQ3W", "matter": "企业设立登记", "postcode": "364000",
        "email": "lin@example.cn", "remarks": "急件"}
LABELS = {"applicant_name": "申请人姓名", "gender": "性别", "ethnicity": "民族",
          "birth_date": "出生日期", "id_number": "公民身份号码", "phone": "联系电话",
          "address": "住址", "employer": "工作单位", "credit_code": "统一社会信用代码",
          "matter": "办理事项", "postcode": "邮政编码", "email": "电子邮箱", "remarks": "备注"}

HEAD = """deskhand: 1
id: t
name: t
target: {title: "城市审批系统 - 受理登记*"}
fields:
  - {name: applicant_name, label: 申请人姓名}
  - {name: gender, label: 性别, type: choice, choices: [男, 女]}
  - {name: matter, label: 办理事项, type: choice, choices: [公积金提取, 道路运输从业资格证, 企业设立登记, 不动产登记]}
fill:
"""


def qt_form() -> FormModel:
    return load_form(QT_FORM)


def sim(fill: str, values: dict, form: FormModel | None = None):
    pb = load_playbook_text(HEAD + fill, "t.yaml")
    return simulate(pb, case_from_values(values, "t", {"kind": "manual"}), form or qt_form())


# ---------------------------------------------------------------- the simulator

def test_the_shipped_tab_playbook_fills_every_box_of_the_model():
    pb = load_playbook(LIBRARY / "sample-qt-intake.yaml")
    result = simulate(pb, case_from_values(CASE, pb.id, {"kind": "manual"}), qt_form())
    assert result.beyond is None and result.stopped is None
    assert result.state == {LABELS[k]: v for k, v in CASE.items()}
    assert result.focus == "备注"


def test_a_man_and_an_empty_optional_field():
    pb = load_playbook(LIBRARY / "sample-qt-intake.yaml")
    values = dict(CASE, gender="男", email="", remarks="", matter="公积金提取")
    result = simulate(pb, case_from_values(values, pb.id, {"kind": "manual"}), qt_form())
    # 男 with a woman's ID number: the gate refuses it, as the fill would, and says why
    assert result.state["性别"] == "" and any("性别" in n for n in result.notes)
    assert result.state["电子邮箱"] == "" and result.state["备注"] == ""
    assert result.state["办理事项"] == "公积金提取" and result.state["出生日期"] == "1990-03-07"


def test_radio_arrows_wrap_and_tab_lands_on_the_checked_button():
    r = sim("  - key: [tab, left]\n", {"applicant_name": "a", "gender": "男", "matter": "公积金提取"})
    assert r.state["性别"] == "女"                      # left on 男 wraps round to 女
    r = sim("  - key: [tab, right, tab, shift+tab, space]\n",
            {"applicant_name": "a", "gender": "男", "matter": "公积金提取"})
    assert r.state["性别"] == "女" and r.focus == "性别"  # back on the checked 女


def test_closed_and_opened_lists():
    r = sim("  - key: [tab, tab, tab, tab, tab, tab, tab, tab, tab, home, down, down, space]\n",
            {"applicant_name": "a", "gender": "男", "matter": "公积金提取"})
    assert r.state["办理事项"] == "道路运输从业资格证"
    r = sim("  - key: [tab, tab, tab, tab, tab, tab, tab, tab, tab, alt+down, down, down, esc]\n",
            {"applicant_name": "a", "gender": "男", "matter": "公积金提取"})
    assert r.state["办理事项"] == ""                      # escape closes without choosing
    r = sim("  - key: [tab, tab, tab, tab, tab, tab, tab, tab, tab, alt+down, end, enter]\n",
            {"applicant_name": "a", "gender": "男", "matter": "公积金提取"})
    assert r.state["办理事项"] == "不动产登记"


def test_a_key_the_model_does_not_know_is_reported_not_guessed():
    r = sim("  - type: applicant_name\n  - key: ctrl+a\n  - key: tab\n",
            {"applicant_name": "张三", "gender": "男", "matter": "公积金提取"})
    assert r.beyond is not None and "step 2" in r.beyond and "ctrl+a" in r.beyond
    assert r.state["申请人姓名"] == "张三"                # what came before is kept
    assert r.focus == "申请人姓名"                        # and nothing after it happened


@pytest.mark.parametrize("fill, words", [
    ("  - click: {x: 10, y: 10}\n", "click"),
    ("  - key: enter\n", "enter"),                                   # one-line box: submit?
    ("  - key: [tab, tab, tab, tab, tab, tab, tab, tab, tab, tab, tab, tab, tab, tab]\n",
     "last"),                                                        # past 保存
    ("  - key: tab\n  - type: applicant_name\n", "radio"),           # text into a radio group
    ("  - set: applicant_name\n    at: {label: 申请人姓名}\n  - key: tab\n", "focus"),
    ("  - set: applicant_name\n    at: {label: 姓名}\n", "no box"),
])
def test_cannot_simulate(fill, words):
    r = sim(fill, {"applicant_name": "张三", "gender": "男", "matter": "公积金提取"})
    assert r.beyond is not None and words in r.beyond, r.beyond


def test_set_and_press_steps_by_label():
    r = sim("  - set: matter\n    at: {label: 办理事项}\n"
            "  - set: gender\n    at: {label: 性别}\n  - press: 保存\n",
            {"applicant_name": "张三", "gender": "女", "matter": "不动产登记"})
    assert r.beyond is None
    assert r.state["办理事项"] == "不动产登记" and r.state["性别"] == "女" and r.pressed == ["保存"]


def test_when_conditions_and_refused_values_follow_the_fill_plan():
    r = sim("  - type: applicant_name\n    when: {field: gender, is: 女}\n",
            {"applicant_name": "张三", "gender": "男", "matter": "公积金提取"})
    assert r.state["申请人姓名"] == ""
    r = sim("  - type: applicant_name\n", {"applicant_name": "张\x1b三", "gender": "男",
                                             "matter": "公积金提取"})
    assert r.state["申请人姓名"] == "" and r.notes and "never typed" in r.notes[0]
    r = sim("  - type: applicant_name\n", {"gender": "男", "matter": "公积金提取"})
    assert r.stopped and "applicant_name" in r.stopped


# ---------------------------------------------------------------- form.yaml

def test_form_yaml_round_trips(tmp_path):
    form = FormModel((FormBox("姓 名", "text"), FormBox("类别", "combo", ("", "a, b", "#1", "是")),
                      FormBox("同意", "check"), FormBox("确定", "button")), "姓 名", "窗口: x")
    path = tmp_path / "form.yaml"
    path.write_text(dump_form(form, "comment"), encoding="utf-8")
    again = load_form(path)
    assert again.boxes == tuple(FormBox(b.label, b.role, b.choices, b.multiline, b.arrows, i + 5)
                                for i, b in enumerate(form.boxes, 1))
    assert (again.focus, again.window) == (form.focus, form.window)


@pytest.mark.parametrize("text, line, words", [
    ("focus: a\nboxes:\n  - {label: a, role: slider}\n", 3, "slider"),
    ("focus: a\nboxes:\n  - {label: a}\n  - {label: a}\n", 4, "two boxes"),
    ("focus: b\nboxes:\n  - {label: a}\n", 1, "not one of the boxes"),
    ("focus: a\nboxes:\n  - {label: a, role: radio}\n", 3, "choices"),
    ("focus: a\nboxes:\n  - {label: a, colour: red}\n", 3, "colour"),
    ("focus: a\n", 1, "boxes"),
])
def test_form_yaml_problems_say_file_and_line(tmp_path, text, line, words):
    path = tmp_path / "form.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PlaybookError) as e:
        load_form(path)
    assert e.value.line == line and words in e.value.message and e.value.exit_code == 2
    assert str(e.value).startswith(f"{path}:{line}: ")


# ---------------------------------------------------------------- expected.yaml

@pytest.mark.parametrize("text, line, words", [
    ("fields:\n  applicant_nam: 张三\n", 2, "not a field"),
    ("fields:\n  applicant_name: 张三\n", 2, "gender"),
    ("fields:\n  applicant_name: 张三\n  gender: {status: great}\n  matter: a\n", 3, "great"),
    ("fields:\n  applicant_name: 张三\n  gender: {status: ok}\n  matter: a\n", 3, "value"),
    ("fieldz: {}\n", 1, "fieldz"),
    ("fields: [\n", 2, "YAML"),
])
def test_expected_yaml_problems_say_file_and_line(tmp_path, text, line, words):
    pb = load_playbook_text(HEAD + "  - type: applicant_name\n", "t.yaml")
    path = tmp_path / "expected.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PlaybookError) as e:
        load_expected(path, pb)
    assert e.value.line == line and words in e.value.message, str(e.value)


def test_expected_yaml_reads_values_statuses_given_and_form(tmp_path):
    pb = load_playbook_text(HEAD + "  - type: applicant_name\n", "t.yaml")
    path = tmp_path / "expected.yaml"
    path.write_text("fields:\n  applicant_name: 张三\n  gender: {status: missing}\n"
                    "  matter: {status: invalid, value: x}\ngiven: {matter: 公积金提取}\n"
                    "form:\n  申请人姓名: 张三\n  性别: ''\n", encoding="utf-8")
    e = load_expected(path, pb)
    assert e.fields["applicant_name"].value == "张三"
    assert e.fields["applicant_name"].statuses == ("ok", "corrected", "unchecked")
    assert e.fields["gender"].statuses == ("missing",) and e.fields["gender"].value is None
    assert e.given == {"matter": "公积金提取"} and e.form == {"申请人姓名": "张三", "性别": ""}


# ---------------------------------------------------------------- what is shown

def test_personal_numbers_are_masked_and_only_differing_characters_shown():
    from app.golden.report import shown_pair
    same = FieldCheck("field", "id_number", "35080219900307002X", "35080219900307002X", True,
                      sensitive="id_number")
    assert shown_pair(same) == ("3508**********002X",) * 2
    differs = FieldCheck("field", "id_number", "35080219900307002X", "35080219900307082X", False,
                         sensitive="id_number")
    want, got = shown_pair(differs)
    assert want == "*" * 15 + "0" + "*" * 2 and got == "*" * 15 + "8" + "*" * 2
    plain = FieldCheck("field", "applicant_name", "张三", "张四", False)
    assert shown_pair(plain) == ("张三", "张四")


# ---------------------------------------------------------------- packs

def test_a_zip_that_climbs_out_is_refused(tmp_path):
    from app.golden.runner import _unzip
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as z:
        z.writestr("../evil.yaml", "x")
    with pytest.raises(UsageError, match="outside the pack"):
        _unzip(bad, tmp_path / "out")
    assert not (tmp_path / "evil.yaml").exists()
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"not a zip")
    with pytest.raises(UsageError, match="not a readable .zip"):
        _unzip(junk, tmp_path / "out2")


def test_form_from_the_tree_groups_radios_and_keeps_list_items():
    from app.a11y.base import Accessible, Bounds, FormField
    from app.golden.record_form import form_from_fields

    def f(i, role, name, label, multiline=False):
        return FormField(Accessible("a", str(i)), role, name, label, "name", Bounds(0, i, 1, 1),
                         True, True, False, 1, 1, multiline, i)

    fields = [f(0, "text", "", "* 申请人姓名："), f(1, "radio", "男", "性别"),
              f(2, "radio", "女", "性别"), f(3, "combo", "", "办理事项："),
              f(4, "text", "", "备注：", True), f(5, "button", "保存", "")]
    form = form_from_fields(fields, lambda _f: ["", "公积金提取"], fields[0], "窗口")
    assert [(b.label, b.role, b.choices, b.multiline) for b in form.boxes] == [
        ("申请人姓名", "text", (), False), ("性别", "radio", ("男", "女"), False),
        ("办理事项", "combo", ("", "公积金提取"), False), ("备注", "text", (), True),
        ("保存", "button", (), False)]
    assert form.focus == "申请人姓名"


def test_a_check_box_not_listed_in_expected_yaml_is_expected_unchecked(tmp_path):
    """An unlisted box is expected as the form starts: a text box empty, a check box 否."""
    from app.golden.runner import run_sample
    from app.golden.samples import Expected, Sample, Want
    form = FormModel((FormBox("申请人姓名", "text"), FormBox("同意", "check")), "申请人姓名")
    pb = load_playbook_text(HEAD + "  - type: applicant_name\n", str(tmp_path / "t.yaml"))

    class Pipeline:              # the capture's part only: this test is about the form
        def load_image(self, pb, path):
            return None

        def capture(self, pb, source, **kw):
            from types import SimpleNamespace
            return SimpleNamespace(case=case_from_values(
                {"applicant_name": "张三", "gender": "男", "matter": "公积金提取"}, pb.id,
                {"kind": "manual"}))

    expected = Expected(tmp_path, {"applicant_name": Want("张三", ("ok",))},
                        form={"申请人姓名": "张三"})
    result = run_sample(pb, Sample("c", tmp_path, tmp_path, expected), Pipeline(), tmp_path,
                        form, None)
    assert result.same, [(c.name, c.expected, c.got) for c in result.checks]
    assert [(c.name, c.expected) for c in result.checks if c.where == "form"] == [
        ("申请人姓名", "张三"), ("同意", "否")]
