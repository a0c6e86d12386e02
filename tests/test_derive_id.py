"""Fields derived from an ID number (`derive: {from: id_number, part: birth_date | gender |
area_code | age}`): the values computed, a number whose check digit fails giving nothing
but a sentence, choice codes, the loader's errors, and the compiler binding a typed birth
date and gender to the ID number a source shows instead of asking."""
from __future__ import annotations

from datetime import date

import pytest

from app.cases import FieldValue
from app.checks.id_number import id_check_char
from app.fill.values import text_for
from app.values.derive import derive_fields
from playbooks.errors import PlaybookError
from playbooks.loader import load_playbook_text
from recorders.compile import compile_recording
from recorders.recording import RecordedSource, RecordedWidget, RecordedWindow, Event, \
    Recording, SourceLine


def valid(first17: str) -> str:
    return first17 + id_check_char(first17)


MAN = valid("35080219900307123")          # sequence 123: odd, a man
WOMAN_X = next(n for n in (valid(f"11010519851231{s:03d}") for s in range(2, 999, 2))
               if n.endswith("X"))          # a woman whose check character is X

HEAD = ("deskhand: 1\nid: t\nname: 测试\ntarget: {title: \"城市审批*\"}\nfields:\n"
        "  - {name: id_number, label: 公民身份号码, type: id_number}\n")
FILL = "fill:\n  - type: id_number\n"


def load(fields: str, fill: str = FILL):
    return load_playbook_text(HEAD + fields + fill, "t.yaml")


def derived(fields: str, id_value: str, status: str = "ok", today: date | None = None):
    pb = load(fields)
    values = {"id_number": FieldValue(id_value, status, None, {"kind": "ocr"})}
    derive_fields(pb, values, today=today)
    return pb, values


ALL = ("  - {name: birth_date, label: 出生日期, type: date, format: \"%Y年%m月%d日\", "
       "derive: {from: id_number, part: birth_date}}\n"
       "  - {name: birth_text, derive: {from: id_number, part: birth_date}}\n"
       "  - {name: gender, label: 性别, derive: {from: id_number, part: gender}}\n"
       "  - {name: sex_code, label: 性别代码, type: choice, choices: ['1', '2'], "
       "derive: {from: id_number, part: gender}}\n"
       "  - {name: sex_word, type: choice, choices: [男性, 女性], "
       "derive: {from: id_number, part: gender}}\n"
       "  - {name: area, derive: {from: id_number, part: area_code}}\n"
       "  - {name: age, derive: {from: id_number, part: age}}\n")


def test_every_part_of_an_18_digit_number():
    pb, v = derived(ALL, MAN, today=date(2026, 3, 6))
    got = {k: (fv.value, fv.status) for k, fv in v.items() if k != "id_number"}
    assert got == {"birth_date": ("1990-03-07", "ok"), "birth_text": ("1990-03-07", "ok"),
                   "gender": ("男", "ok"), "sex_code": ("1", "ok"), "sex_word": ("男性", "ok"),
                   "area": ("350802", "ok"), "age": ("35", "ok")}
    # typed in the field's own format
    assert text_for(pb.field_spec("birth_date"), v["birth_date"].value) == "1990年03月07日"
    assert v["gender"].source == {"kind": "derived", "from": "id_number", "part": "gender",
                                  "from_value": MAN}
    _pb, v = derived(ALL, MAN, today=date(2026, 3, 7))
    assert v["age"].value == "36"


def test_an_x_check_digit_and_a_corrected_number():
    _pb, v = derived(ALL, WOMAN_X.lower(), status="corrected")
    assert (v["birth_date"].value, v["gender"].value, v["sex_code"].value, v["area"].value) == \
        ("1985-12-31", "女", "2", "110105")


@pytest.mark.parametrize("status", ["ok", "invalid", "unverified"])
def test_a_bad_check_digit_or_an_unchecked_number_gives_nothing_but_a_sentence(status):
    bad = MAN[:17] + ("0" if MAN[17] != "0" else "1")
    _pb, v = derived(ALL, bad if status == "ok" else MAN, status=status)
    for name in ("birth_date", "gender", "sex_code", "area", "age"):
        fv = v[name]
        assert fv.value is None and fv.status == "missing", name
        problem = fv.source["problems"][0]
        assert "公民身份号码" in problem or "ID number" in problem
    if status == "ok":
        assert "check digit" in v["gender"].source["problems"][0]


def test_a_choice_without_the_gender_says_so():
    _pb, v = derived("  - {name: g, type: choice, choices: [A, B], "
                     "derive: {from: id_number, part: gender}}\n", MAN)
    assert v["g"].status == "missing" and "男" in v["g"].source["problems"][0]


def test_an_empty_id_number_leaves_the_part_missing():
    pb = load(ALL)
    values: dict = {}
    derive_fields(pb, values)
    assert values["gender"].status == "missing" and values["gender"].value is None


@pytest.mark.parametrize("fields,words", [
    ("  - {name: address, label: 住址}\n"
     "  - {name: birth_date, derive: {from: address, part: birth_date}}\n",
     ["t.yaml:8:", "birth_date", "address", "id_number"]),
    ("  - {name: district, derive: {from: id_number, part: district}}\n",
     ["t.yaml:7:", "district", "id_number", "address"]),
    ("  - {name: birth_date, type: choice, choices: [a], "
     "derive: {from: id_number, part: birth_date}}\n",
     ["t.yaml:7:", "birth_date", "date", "choice"]),
    ("  - {name: birth_date, derive: {from: id_number, part: birthday}}\n",
     ["t.yaml:7:", "birthday", "birth_date"]),
])
def test_loader_errors_name_the_line_and_the_fix(fields, words):
    with pytest.raises(PlaybookError) as e:
        load(fields)
    text = str(e.value)
    for w in words:
        assert w in text, (w, text)


# -- the compiler ---------------------------------------------------------------------------

WIN = RecordedWindow(title="城市审批系统 - 受理", process="approval", pid=9, x=0, y=0,
                     width=800, height=600)


def L(text: str, x: int, y: int) -> SourceLine:
    return SourceLine(text, x, y, 20 * len(text), 24)


def W(label: str, role: str = "text", **kw) -> RecordedWidget:
    return RecordedWidget(role=role, name=label, label=label, path=f"0/{label}", **kw)


def rec(values: list[tuple[RecordedWidget, str]], source) -> Recording:
    events: list[Event] = []
    for w, t in values:
        if w.role == "text":
            events.append(Event(t=0.0, kind="text", window=WIN, widget=w, text=t))
        else:                       # a drop-down: clicked, then the form says what it holds
            events += [Event(t=0.0, kind="click", window=WIN, widget=w, x=1, y=1, button="left"),
                       Event(t=0.0, kind="value", window=WIN, widget=w, text=t)]
    return Recording(started="2026-12-05T07:00:00+00:00",
                     source=RecordedSource(kind="image", lines=source, width=800, height=400),
                     events=tuple(events))


PORTAL = (L("姓名", 20, 20), L("张伟", 140, 20), L("公民身份号码", 20, 60), L(MAN, 160, 60))


def test_a_typed_birth_date_and_gender_bind_to_the_id_number_not_a_question():
    sex = W("性别", "combo", options=("1", "2"))
    draft = compile_recording(rec([(W("姓名"), "张伟"), (W("出生日期"), "1990年3月7日"),
                                   (sex, "1"), (W("性别文字"), "男")], PORTAL))
    pb = load_playbook_text(draft.yaml, "x.yaml")
    assert not draft.questions and draft.bound_auto == draft.values_total == 4
    parts = {f.name: (f.derive.source, f.derive.part) for f in pb.fields if f.derive}
    assert sorted(parts.values()) == [("id_number", "birth_date"), ("id_number", "gender"),
                                      ("id_number", "gender")]
    birth = next(f for f in pb.fields if f.derive and f.derive.part == "birth_date")
    assert birth.type == "date" and birth.format == "%Y年%m月%d日"
    assert pb.field_spec("id_number").type == "id_number"
    assert "推算" in draft.yaml and MAN not in draft.yaml and draft.literal_case_values_left == 0


def test_a_direct_match_wins_and_two_peoples_numbers_are_asked():
    shown = PORTAL + (L("出生日期", 20, 100), L("1990-03-07", 140, 100))
    draft = compile_recording(rec([(W("出生日期"), "1990-03-07")], shown))
    pb = load_playbook_text(draft.yaml, "x.yaml")
    assert [f.derive for f in pb.fields] == [None] and pb.fields[0].read.anchor == "出生日期"
    # an agent with another number and the same sex: 男 could come from either
    agent = valid("35080219800101111")
    two = PORTAL + (L("代理人身份号码", 20, 100), L(agent, 180, 100))
    draft = compile_recording(rec([(W("性别"), "男")], two))
    assert draft.bound_auto == 0 and [q.box for q in draft.questions] == ["性别"]
    # ... but the birth date is only the applicant's
    draft = compile_recording(rec([(W("出生日期"), "1990-03-07")], two))
    assert draft.bound_auto == 1 and not draft.questions
    # an age binds only to a box that asks for one
    draft = compile_recording(rec([(W("备注"), "35")], PORTAL))
    assert draft.questions
