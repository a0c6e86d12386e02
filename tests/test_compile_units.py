"""The compiler's pure logic on recordings built by hand: boxes replayed from keys, values
bound to source lines, labels found, steps, the window pattern, questions and answers, the
YAML. Every draft is loaded with the playbook loader."""
from __future__ import annotations

import pytest
import yaml

from app.errors import UsageError
from playbooks.loader import load_playbook_text
from playbooks.model import ClickStep, KeyStep, SetStep, TypeStep
from recorders.bind import Place, bind, match_value, places
from recorders.boxes import replay
from recorders.compile import compile_recording
from recorders.emit import flow, scalar
from recorders.questions import Answer, Answers
from recorders.recording import (Event, RecordedSource, RecordedWidget, RecordedWindow,
                                 Recording, SourceLine)
from recorders.source_fields import field_name, label_of, value_type
from recorders.target import target_pattern

WIN = RecordedWindow(title="不动产登记系统 - 收件", process="estate_client", pid=9, x=100, y=100,
                     width=800, height=600)
ID = "350802199003071234"   # check digit fixed below
from app.checks.id_number import id_check_char  # noqa: E402

ID = ID[:17] + id_check_char(ID[:17])


def L(text: str, x: int, y: int, w: int = 0, h: int = 24) -> SourceLine:
    return SourceLine(text, x, y, w or 20 * len(text), h)


SOURCE = (L("姓名", 20, 20), L("张𠀾伟", 100, 20), L("性别：男", 300, 20),
          L("出生", 20, 60), L("1990年3月7日", 100, 60),
          L("公民身份号码", 20, 100), L(" ".join([ID[:6], ID[6:14], ID[14:]]), 160, 100),
          L("住址", 20, 140), L("福建省龙岩市新罗区", 100, 140), L("西陂街道１２号", 100, 166),
          L("证件类型", 20, 220), L("联系电话", 20, 260), L("13905971234", 20, 286))


def rec(events: list[Event], source=SOURCE, target=None, extra=None) -> Recording:
    return Recording(started="2026-12-05T07:00:00+00:00",
                     source=RecordedSource(kind="image", lines=source, width=800, height=400),
                     events=tuple(events), target=target, extra=extra or {})


def ev(kind: str, **kw) -> Event:
    kw.setdefault("window", WIN)
    return Event(t=0.0, kind=kind, **kw)  # type: ignore[arg-type]


def W(label: str, role: str = "text", **kw) -> RecordedWidget:
    return RecordedWidget(role=role, name=label, label=label, path=f"0/{label}", **kw)


# -- boxes --------------------------------------------------------------------------------

def test_typos_backspace_select_all_and_retyping_are_folded():
    w = W("申请人")
    r = replay(rec([ev("focus", widget=w), ev("text", widget=w, text="张三三"),
                    ev("key", widget=w, key="backspace"), ev("key", widget=w, key="ctrl+a"),
                    ev("text", widget=w, text="李"), ev("text", widget=w, text="四x"),
                    ev("key", widget=w, key="left"), ev("key", widget=w, key="delete"),
                    ev("key", widget=w, key="backspace"), ev("text", widget=w, text="四")]))
    assert [b.value for b in r.boxes] == ["李四"]


def test_the_forms_own_final_value_wins_over_the_keys():
    w = W("申请人")
    r = replay(rec([ev("text", widget=w, text="张"), ev("value", widget=w, text="张伟")]))
    assert r.boxes[0].value == "张伟" and r.boxes[0].from_tree


def test_without_a_tree_each_tab_run_or_click_is_a_new_box_and_capture_keys_are_dropped():
    r = replay(rec([ev("key", key="f9"), ev("click", x=300, y=150, button="left"),
                    ev("text", text="张伟"), ev("key", key="tab"), ev("key", key="tab"),
                    ev("text", text="13905971234"), ev("key", key="f10")]),
               drop_keys=("f9", "f10"))
    assert [b.value for b in r.boxes] == ["张伟", "13905971234"] and r.dropped_keys == 2
    kinds = [type(t).__name__ for t in r.trace]
    assert kinds == ["Click", "Enter", "Keys", "Enter"]


def test_events_in_other_windows_are_not_the_targets():
    viewer = RecordedWindow(title="图片查看器", process="eog", pid=3)
    w = W("姓名")
    r = replay(rec([ev("click", window=viewer, x=1, y=1, button="left"),
                    ev("text", widget=w, text="张伟"), ev("text", widget=w, text="")]))
    assert r.window == WIN and len(r.boxes) == 1


# -- binding ------------------------------------------------------------------------------

@pytest.mark.parametrize("value, tier, steps", [
    ("张𠀾伟", "exact", []),
    ("1990-03-07", "date", ["date"]),
    ("19900307", "date", ["date"]),
    (ID, "normalised", ["replace"]),
    ("福建省龙岩市新罗区西陂街道12号", "normalised", ["halfwidth"]),
])
def test_values_bind_exactly_then_normalised_then_as_dates(value, tier, steps):
    b = bind(value, places(SOURCE))
    assert b.match is not None and b.match.tier == tier
    assert [s.kind for s in b.match.transform] == steps


def test_codes_bind_to_their_words_and_words_to_codes():
    m = match_value("1", Place("男", (0,)))
    assert m is not None and m.tier == "code" and m.transform[0].kind == "to_code"
    m = match_value("汉族", Place("汉", (0,)))
    assert m is not None and m.transform[0].dictionary == "ethnicity"
    assert match_value("男", Place("1", (0,)), choices=("男", "女")).transform[0].kind == "code"
    assert match_value("2", Place("男", (0,))) is None


def test_a_value_in_two_places_is_settled_by_the_boxs_label_or_asked():
    src = (L("申请人", 20, 20), L("张伟", 100, 20), L("代理人", 20, 60), L("张伟", 100, 60))
    ps = places(src)
    labels = {p: (lab.text if (lab := label_of(p, src)) else None) for p in ps}
    b = bind("张伟", ps, box_label="代理人", labels=labels)
    assert b.match is not None and b.match.place.lines == (3,)
    b = bind("张伟", ps, box_label="姓名", labels=labels)
    assert b.match is None and len(b.ambiguous) == 2


def test_labels_inline_left_and_above():
    ps = places(SOURCE)
    inline = next(p for p in ps if p.text == "男")
    assert label_of(inline, SOURCE).how == "inline" and label_of(inline, SOURCE).text == "性别"
    name = next(p for p in ps if p.text == "张𠀾伟")
    assert label_of(name, SOURCE).text == "姓名" and label_of(name, SOURCE).direction == "right"
    phone = next(p for p in ps if p.text == "13905971234")
    lab = label_of(phone, SOURCE)
    assert lab.text == "联系电话" and lab.direction == "below"


def test_names_and_types():
    assert field_name(["姓名"], set(), 1) == "applicant_name"
    assert field_name(["姓名"], {"applicant_name"}, 1) == "applicant_name_2"
    assert field_name(["审批意见"], {"field_1"}, 1) == "field_2"
    assert value_type(ID) == ("id_number", None)
    assert value_type("2024年07月10日") == ("date", "%Y年%m月%d日")
    assert value_type("13905971234")[0] == "phone"
    assert value_type("张伟")[0] == "text"


# -- target -------------------------------------------------------------------------------

def test_the_window_pattern_keeps_its_fixed_part_and_never_case_data():
    t = target_pattern(["e龙岩 - 张伟的办件 - Chromium"], "chromium", ["张伟"])
    assert t.title == "e龙岩 - *的办件 - Chromium" and "张伟" not in t.title and t.process == "chromium"
    t = target_pattern(["审批系统 - 收件（3）", "审批系统 - 收件（4）"], None, [])
    assert t.title == "审批系统 - 收件*"
    t = target_pattern(["张伟"], "estate_client", ["张伟"])
    assert t.title is None and t.process == "estate_client"      # never `*` alone
    assert target_pattern(["审批系统[1]?"], None, []).title == "审批系统[[]1[]][?]"


# -- answers ------------------------------------------------------------------------------

def test_answers_from_yaml_and_their_mistakes():
    a = Answers.from_yaml("answers:\n  备注: {constant: 无}\n  婚姻状况: {registry: reference.person.marital_status}\n"
                          "  工作单位: {source: 单位名称}\n  办理事项: clerk\nvault:\n  登录密码: city.login\n")
    assert a.for_value("备注") == Answer("constant", "无") and a.for_vault("登录密码") == "city.login"
    assert a.for_value("办理事项") == Answer("clerk")
    for bad in ("answers: {备注: {guess: 1}}", "answers: {x: {registry: person}}",
                "vault: {密码: 'Has Space'}", "[1]", "answers: {x: [1"):
        with pytest.raises(UsageError):
            Answers.from_yaml(bad)


def test_an_answers_file_matches_labels_however_they_are_spelt():
    """A box labelled "婚姻状况：" by the compiler is answered by 婚姻状况, "* 婚 姻 状 况 ",
    婚姻状况: or a full-width ＥＭＡＩＬ for Email; two spellings of one label with
    different answers are refused, the same answer twice is one."""
    from recorders.questions import answer_key
    assert {answer_key(k) for k in ("婚姻状况：", "婚姻状况", "* 婚 姻 状 况 ", "婚姻状况:",
                                    "＊婚姻状况：：")} == {"婚姻状况"}
    assert answer_key("ＥＭＡＩＬ：") == answer_key("Email") == "email"
    a = Answers.from_yaml("answers:\n  \"* 婚姻状况 \": {constant: 未婚}\n  婚姻状况: {constant: 未婚}\n"
                          "  ＥＭＡＩＬ: clerk\nvault:\n  登录密码：: city.login\n")
    assert a.for_value("婚姻状况：") == Answer("constant", "未婚") and len(a.values) == 2
    assert a.for_value("Email") == Answer("clerk") and a.for_vault("登录密码") == "city.login"
    with pytest.raises(UsageError, match="婚姻状况.*婚姻状况："):
        Answers.from_yaml("answers:\n  婚姻状况: {constant: 未婚}\n  婚姻状况：: {constant: 已婚}\n")
    with pytest.raises(UsageError, match="answers"):
        Answers.from_yaml("answers: [备注]\n")


def test_an_answer_fitting_two_boxes_or_none_is_used_for_none_and_said():
    remark, remark2, marital = W("备注："), W("备注"), W("婚姻状况：")
    events = [ev("text", widget=remark, text="加急办理"), ev("text", widget=remark2, text="已核验"),
              ev("text", widget=marital, text="已婚")]
    answers = Answers.from_yaml("answers:\n  备注: {constant: 加急办理}\n  婚姻状况: {constant: 已婚}\n"
                                "  婚姻状态: {constant: 已婚}\n  q9: clerk\n")
    draft = compile_recording(rec(events), answers=answers)
    pb = load_playbook_text(draft.yaml, "x.yaml")
    # 婚姻状况 answered its box
    assert [f.read.constant for f in pb.fields if f.label == "婚姻状况"] == ["已婚"]
    # 备注 fits two boxes: neither is answered, both stay questions for the clerk
    assert [q.box for q in draft.questions] == ["备注", "备注"]
    said = " ".join(draft.report)
    assert "'备注' fits 2 boxes" in said and "q1" in said
    assert "'婚姻状态' fits no box of this recording; its boxes are: 备注, 婚姻状况." in said
    assert "'q9' names no question" in said
    assert "加急办理" not in draft.yaml and "已核验" not in draft.yaml
    # by the questions' ids, each one is answered
    by_id = Answers.from_yaml("answers:\n  q1: {constant: 加急办理}\n  q2: {constant: 已核验}\n"
                              "  婚姻状况: {constant: 已婚}\n")
    draft = compile_recording(rec(events), answers=by_id)
    assert draft.questions == [] and not any("fits" in r or "names no" in r for r in draft.report)
    pb = load_playbook_text(draft.yaml, "x.yaml")
    assert sorted(f.read.constant for f in pb.fields) == ["加急办理", "已婚", "已核验"]


def test_a_question_id_answers_only_a_value_that_is_asked():
    """q1 is the first question: not the first box, which binds to the source by itself."""
    name, remark = W("申请人"), W("备注")
    draft = compile_recording(rec([ev("text", widget=name, text="张𠀾伟"),
                                   ev("text", widget=remark, text="加急办理")]),
                              answers=Answers({"q1": Answer("constant", "加急办理")}))
    pb = load_playbook_text(draft.yaml, "x.yaml")
    assert pb.field_spec("applicant_name").read.anchor == "姓名"
    assert pb.field_spec("remarks").read.constant == "加急办理" and draft.questions == []


# -- emission -----------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["男", "%Y-%m-%d", "yes", "1990", "a: b", "#x", "张 三", "*审批*",
                                   "applicant_name", "[x]", "'q'", "\"d\""])
def test_scalars_read_back_as_written(value):
    assert yaml.safe_load(f"k: {scalar(value)}")["k"] == value
    assert yaml.safe_load(f"k: {flow({'a': [value]})}")["k"] == {"a": [value]}


# -- whole drafts ---------------------------------------------------------------------------

def test_a_tree_recording_compiles_to_set_steps_with_no_case_data():
    name, sex, born, idw = W("申请人"), W("性别", "radio", options=("男", "女")), W("出生日期"), W("身份证号")
    draft = compile_recording(rec([
        ev("text", widget=name, text="张𠀾"), ev("text", widget=name, text="伟"),
        ev("key", widget=name, key="tab"),
        ev("click", widget=RecordedWidget(role="radio", name="男", label="性别", option="男"),
           x=1, y=1, button="left"),
        ev("text", widget=born, text="1990-03-07"), ev("paste", widget=idw, text=ID),
        ev("value", widget=sex, text="男"),
        ev("click", widget=RecordedWidget(role="button", name="保存"), x=5, y=5, button="left")]),
        playbook_id="estate")
    pb = load_playbook_text(draft.yaml, "estate.yaml")
    assert draft.bound_auto == draft.values_total == 4 and draft.literal_case_values_left == 0
    assert [getattr(s, "field", getattr(s, "button", None)) for s in pb.steps] == \
        ["applicant_name", "gender", "birth_date", "id_number", "保存"]
    sets = [s for s in pb.steps if isinstance(s, SetStep)]
    assert sets[1].at.role == "radio" and pb.field_spec("gender").choices == ("男", "女")
    assert pb.field_spec("birth_date").type == "date" and pb.field_spec("birth_date").format == "%Y-%m-%d"
    assert pb.field_spec("applicant_name").read.anchor == "姓名"
    assert pb.target.title == "不动产登记系统 - 收件" and pb.target.process == "estate_client"
    assert "# 来源：“姓名”右侧" in draft.yaml and ID not in draft.yaml and "张𠀾伟" not in draft.yaml


def test_without_a_tree_tabs_and_clicks_become_key_click_and_type_steps():
    target = RecordedSource(kind="window", origin=(100, 100), width=800, height=600,
                            lines=(SourceLine("申请人姓名", 20, 40, 100, 24),
                                   SourceLine("保存", 600, 500, 40, 24)))
    draft = compile_recording(rec([
        ev("click", x=100 + 200, y=100 + 50, button="left"),
        ev("text", text="张伟伟"), ev("key", key="backspace"), ev("text", text=""),
        ev("key", key="tab"), ev("key", key="tab"), ev("key", key="ctrl+a"),
        ev("key", key="delete"), ev("text", text="1990年3月7日"),
        ev("click", x=100 + 615, y=100 + 510, button="left")],
        source=(L("姓名", 20, 20), L("张伟", 100, 20), L("出生", 20, 60), L("1990年3月7日", 100, 60)),
        target=target))
    pb = load_playbook_text(draft.yaml, "x.yaml")
    kinds = [type(s).__name__ for s in pb.steps]
    assert kinds == ["ClickStep", "TypeStep", "KeyStep", "TypeStep", "ClickStep"]
    first, last = pb.steps[0], pb.steps[-1]
    assert isinstance(first, ClickStep) and first.anchor == "申请人姓名" and first.x is None
    assert (first.dx, first.dy) == (200 - 70, 50 - 52)
    assert isinstance(last, ClickStep) and last.anchor == "保存"
    assert isinstance(pb.steps[2], KeyStep) and [str(k) for k in pb.steps[2].keys] == ["tab", "tab"]
    assert isinstance(pb.steps[3], TypeStep) and pb.field_spec("birth_date").format == "%Y年%m月%d日"
    assert pb.steps[3].clear and not pb.steps[1].clear      # the box held text before
    assert draft.bound_auto == 2 and draft.literal_case_values_left == 0


def test_a_click_far_from_any_label_is_an_offset_in_the_window():
    draft = compile_recording(rec([ev("click", x=100 + 400, y=100 + 300, button="left"),
                                   ev("text", text="张伟")],
                                  source=(L("姓名", 20, 20), L("张伟", 100, 20))))
    step = load_playbook_text(draft.yaml, "x.yaml").steps[0]
    assert isinstance(step, ClickStep) and (step.x, step.y) == (400, 300)


def test_unbound_values_become_clerk_fields_and_questions_and_answers_settle_them():
    remark, marital, unit = W("备注"), W("婚姻状况"), W("工作单位")
    events = [ev("text", widget=remark, text="加急办理"), ev("text", widget=marital, text="已婚"),
              ev("text", widget=unit, text="龙岩市某某公司")]
    source = SOURCE + (L("单位名称", 20, 320), L("龙岩市某某公司", 120, 320))
    draft = compile_recording(rec(events[:2]))
    assert [q.box for q in draft.questions] == ["备注", "婚姻状况"]
    assert all("加急" not in q.shown and q.shown for q in draft.questions)
    assert draft.literal_case_values_left == 0 and "加急办理" not in draft.yaml
    pb = load_playbook_text(draft.yaml, "x.yaml")
    assert all(f.read is not None and f.read.clerk for f in pb.fields)

    answers = Answers({"备注": Answer("constant", "加急办理"),
                       "婚姻状况": Answer("registry", "reference.person.marital_status")})
    draft = compile_recording(rec(events[:2]), answers=answers)
    pb = load_playbook_text(draft.yaml, "x.yaml")
    assert not draft.questions and draft.literal_case_values_left == 0
    assert pb.field_spec("remarks").read.constant == "加急办理"
    assert pb.verify[0].lookup == "reference.person" and pb.verify[0].fill == {"marital_status": "marital_status"}
    # a value asked about can be pointed at a label the source has
    draft = compile_recording(rec(events[2:], source=source),
                              answers=Answers({"工作单位": Answer("source", "单位名称")}))
    pb = load_playbook_text(draft.yaml, "x.yaml")
    assert pb.field_spec("employer").read.anchor == "单位名称" and draft.literal_case_values_left == 0


def test_a_password_box_becomes_a_vault_field_and_its_name_is_asked():
    pw = RecordedWidget(role="text", name="登录密码", label="登录密码", path="0/9", secret=True)
    user = W("用户名")
    events = [ev("text", widget=user, text="张伟"), ev("key", widget=pw, key="a"),
              ev("text", widget=pw, text=None), ev("key", widget=pw, key="tab")]
    draft = compile_recording(rec(events, source=(L("用户名", 0, 0), L("张伟", 80, 0))))
    pb = load_playbook_text(draft.yaml, "x.yaml")
    f = pb.field_spec("login_password")
    assert f.secret and f.sensitive and f.read.vault == "estate-client.login_password"
    assert [q.kind for q in draft.questions] == ["vault"] and draft.values_total == 1
    assert "deskhand vault set estate-client.login_password" in draft.questions[0].why
    step = next(s for s in pb.steps if getattr(s, "field", "") == "login_password")
    assert isinstance(step, SetStep) and not step.readback
    draft = compile_recording(rec(events, source=(L("用户名", 0, 0), L("张伟", 80, 0))),
                              answers=Answers(vault={"登录密码": "estate.login"}))
    assert not draft.questions and "read: {vault: estate.login}" in draft.yaml


def test_a_recording_holding_a_secret_is_refused():
    pw = RecordedWidget(role="text", name="密码", secret=True)
    with pytest.raises(ValueError, match="password"):
        compile_recording(rec([ev("text", widget=pw, text="hunter2")]))


def test_parts_of_an_address_become_derived_fields_and_pairs_on_one_line_bind():
    province, code, nation = W("省"), W("行政区划代码"), W("民族")
    source = SOURCE + (L("性别 男 民族 汉", 400, 60),)
    draft = compile_recording(rec([ev("text", widget=province, text="福建省"),
                                   ev("text", widget=code, text="350802"),
                                   ev("text", widget=nation, text="汉族")], source=source))
    pb = load_playbook_text(draft.yaml, "x.yaml")
    assert draft.bound_auto == 3 and not draft.questions
    derived = {f.derive.part: f.derive.source for f in pb.fields if f.derive is not None}
    assert derived == {"province": "address", "district_code": "address"}
    assert pb.field_spec("address").read.lines == 2 and "350802" not in draft.yaml
    nation_field = pb.field_spec("ethnicity")
    assert nation_field.read.anchor == "民族" and nation_field.transform[0].dictionary == "ethnicity"


def test_a_click_is_never_addressed_by_text_holding_case_data():
    target = RecordedSource(kind="window", origin=(100, 100), width=800, height=600,
                            lines=(SourceLine("当前办件：张伟", 20, 40, 140, 24),))
    draft = compile_recording(rec([ev("click", x=100 + 200, y=100 + 50, button="left"),
                                   ev("text", text="张伟")],
                                  source=(L("姓名", 20, 20), L("张伟", 100, 20)), target=target))
    step = load_playbook_text(draft.yaml, "x.yaml").steps[0]
    assert isinstance(step, ClickStep) and step.anchor is None and (step.x, step.y) == (200, 50)
    assert draft.literal_case_values_left == 0


def test_an_area_code_derives_from_the_one_place_name_the_source_shows():
    code = W("区划代码")
    source = (L("行政区划", 20, 20), L("福建省龙岩市新罗区", 120, 20), L("姓名", 20, 60),
              L("张伟", 120, 60))
    draft = compile_recording(rec([ev("text", widget=code, text="350802")], source=source))
    pb = load_playbook_text(draft.yaml, "x.yaml")
    derived = [f for f in pb.fields if f.derive is not None]
    assert len(derived) == 1 and derived[0].derive.part == "district_code"
    assert pb.field_spec(derived[0].derive.source).read.anchor == "行政区划"
    # the same name under two labels: asked, not guessed
    source += (L("户籍所在区", 20, 100), L("福建省龙岩市新罗区", 120, 100))
    draft = compile_recording(rec([ev("text", widget=code, text="350802")], source=source))
    assert draft.bound_auto == 0 and [q.box for q in draft.questions] == ["区划代码"]


def test_a_box_label_loses_its_colon_and_required_mark():
    w = RecordedWidget(role="text", name="", label="＊ 申请人：", path="0/1")
    draft = compile_recording(rec([ev("text", widget=w, text="张𠀾伟")]))
    step = load_playbook_text(draft.yaml, "x.yaml").steps[0]
    assert isinstance(step, SetStep) and step.at.label == "申请人"
