"""Value transforms and derived fields: each step, chains, steps that cannot apply, the
loader's checks (file:line, suggestions, Chinese), and what a fill does with values given
on the command line or in a case file (transformed once, derived fields computed, a
missing required derived part refused with its reason)."""
from __future__ import annotations

import dataclasses

import pytest

from app.cases import Case, FieldValue, case_from_values
from app.errors import NeedsPersonError, UsageError
from app.fill.engine import plan
from app.i18n import using
from app.registry.dictionaries import SHIPPED_NAMES, shipped
from app.values.derive import derive_fields, settle_case
from app.values.transforms import apply_transforms, read_any_date
from playbooks.errors import PlaybookErrors
from playbooks.loader import load_playbook_text
from playbooks.model import SHIPPED_DICTIONARIES, TransformStep as T

LONGYAN_ID = "350802199003071234"      # check digit fixed below


def _id(first17: str) -> str:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return first17 + "10X98765432"[sum(int(a) * w for a, w in zip(first17, weights)) % 11]


def run(steps, value, choices=()):
    return apply_transforms(steps, value, choices=choices)


# ------------------------------------------------------------------ each step
@pytest.mark.parametrize("steps, given, want", [
    ([T("halfwidth")], "ＡＢ１２３－４　号", "AB123-4 号"),
    ([T("fullwidth")], "AB 12-3", "ＡＢ\u3000１２－３"),
    ([T("upper")], "91350802ma2xxx0a1b", "91350802MA2XXX0A1B"),
    ([T("lower")], "ZHANG@QQ.COM", "zhang@qq.com"),
    ([T("digits")], "电话：0597-2345678 转 ８", "059723456788"),
    ([T("no_separators")], "80,700.72", "80700.72"),
    ([T("no_separators")], "1，234，567元", "1234567元"),
    ([T("no_separators")], "12 345 678.5", "12345678.5"),
    ([T("no_separators")], "1'234", "1234"),
    ([T("no_separators")], "700.72", "700.72"),
    ([T("strip")], "  福建省　 龙岩市  ", "福建省 龙岩市"),
    ([T("date", format="%Y-%m-%d")], "2024年3月1日", "2024-03-01"),
    ([T("date", format="%Y-%m-%d")], "2024/3/1", "2024-03-01"),
    ([T("date", format="%Y-%m-%d")], "20240301", "2024-03-01"),
    ([T("date", format="%Y-%m-%d")], "2024.03.01", "2024-03-01"),
    ([T("date", format="%Y-%m-%d")], "２０２４－０３－０１", "2024-03-01"),
    ([T("date", format="%Y/%m/%d")], "2024-03-01 10:22:33", "2024/03/01"),
    ([T("date", format="%Y%m%d")], "2024-03-01T10:22:33+08:00", "20240301"),
    ([T("date", format="%Y年%m月%d日")], "二〇二四年三月十一日", "2024年03月11日"),
    ([T("date", format="%Y年%m月%d日")], "2024年3月1号", "2024年03月01日"),
    ([T("code", dictionary="sex")], "1", "男性"),                       # no choices: the label
    ([T("code", dictionary="marital_status")], "21", "初婚"),
    ([T("code", dictionary="ethnicity")], "1", "汉族"),                 # 1 is 01
    ([T("to_code", dictionary="sex")], "女", "2"),
    ([T("to_code", dictionary="ethnicity")], "汉", "01"),
    ([T("to_code", dictionary="marital_status")], "已婚", "20"),
    ([T("replace", pairs=(("－", "-"), ("号", "號")))], "12－3号", "12-3號"),
    ([T("replace", pairs=(("区", "X"), ("新罗区", "Y")))], "新罗区东区", "Y东X"),  # longest first
    ([T("replace", pairs=(("-", ""),))], "0597-2345678", "05972345678"),
])
def test_each_step(steps, given, want):
    out = run(steps, given)
    assert (out.value, out.problem) == (want, None)


def test_code_takes_the_fields_own_spelling():
    assert run([T("code", dictionary="sex")], "1", ("男", "女")).value == "男"
    assert run([T("code", dictionary="marital_status")], "23", ("未婚", "已婚", "离婚", "丧偶")).value == "已婚"


def test_chains_run_in_order():
    steps = [T("halfwidth"), T("strip"), T("no_separators"), T("replace", pairs=(("元", ""),))]
    assert run(steps, " ８０，７００．７２元 ").value == "80700.72"
    assert run([T("halfwidth"), T("upper"), T("digits")], "ｎｏ.１２３").value == "123"
    # order matters: digits first leaves nothing for the date to read
    assert run([T("date", format="%Y%m%d"), T("digits")], "2024年3月1日").value == "20240301"


@pytest.mark.parametrize("steps, given, words", [
    ([T("date", format="%Y-%m-%d")], "2024年13月1日", ["not a date"]),
    ([T("date", format="%Y-%m-%d")], "01/03/2024", ["not a date"]),       # day or month?
    ([T("date", format="%Y-%m-%d")], "下周一", ["not a date"]),
    ([T("code", dictionary="sex")], "7", ["not a code of the sex list", "1 男性"]),
    ([T("to_code", dictionary="sex")], "男的", ["not a word of the sex list"]),
    ([T("digits")], "无", ["has no digits"]),
    ([T("no_separators")], "1,2,3", ["'1,2,3'", "not a number with thousands separators"]),
    ([T("no_separators")], "12,34", ["not a number with thousands separators"]),
    ([T("strip"), T("code", dictionary="ethnicity")], " 火星族 ", ["step 2 (code)"]),
])
def test_a_step_that_cannot_apply_leaves_the_value_and_says_why(steps, given, words):
    out = run(steps, given)
    assert out.value == given                 # as given, not half-transformed
    assert out.problem and all(w in out.problem for w in words), out.problem


def test_steps_give_the_same_value_when_run_again():
    """A case file read back, a value filled twice: no step changes its own result."""
    cases = [([T("code", dictionary="sex")], "1", ("男", "女")),
             ([T("to_code", dictionary="ethnicity")], "汉族", ()),
             ([T("date", format="%Y年%m月%d日")], "20240301", ()),
             ([T("halfwidth"), T("no_separators"), T("strip")], "８０，７００ ", ()),
             ([T("fullwidth")], "A1", ())]
    for steps, given, choices in cases:
        once = run(steps, given, choices)
        assert once.problem is None
        assert run(steps, once.value, choices).value == once.value


def test_read_any_date_refuses_what_it_cannot_be_sure_of():
    assert read_any_date("2024-02-30") is None
    assert read_any_date("03/01/2024") is None
    assert str(read_any_date("1990年3月7日")) == "1990-03-07"


def test_the_playbooks_list_of_code_lists_is_the_shipped_one():
    assert SHIPPED_DICTIONARIES == SHIPPED_NAMES
    assert set(shipped()) == set(SHIPPED_DICTIONARIES)


# ------------------------------------------------------------------ the loader
HEAD = """deskhand: 1
id: t
name: T
target: {title: "城市审批系统*"}
fields:
"""
FILL = "fill:\n  - type: amount\n"


def load(fields: str):
    return load_playbook_text(HEAD + fields + FILL, "t.yaml")


def problems(fields: str) -> list[str]:
    with pytest.raises(PlaybookErrors) as e:
        load(fields)
    return [str(x) for x in e.value.errors]


def test_a_playbook_with_transforms_and_derived_fields_loads():
    pb = load("""  - name: amount
    transform: [halfwidth, no_separators, {replace: {"元": }}]
  - {name: gender, type: choice, choices: [男, 女], transform: [{code: sex}]}
  - {name: issued, transform: [{date: "%Y年%m月%d日"}]}
  - {name: birth, type: date, transform: [{date: "%Y-%m-%d"}]}
  - {name: nation, transform: {to_code: ethnicity}}
  - {name: address, label: 住址}
  - {name: province, label: 省, type: choice, choices: [福建, 广东], derive: {from: address, part: province}}
  - {name: district_code, derive: {from: address, part: district_code}, required: false}
""")
    f = {x.name: x for x in pb.fields}
    assert [s.kind for s in f["amount"].transform] == ["halfwidth", "no_separators", "replace"]
    assert f["amount"].transform[2].pairs == (("元", ""),)
    assert f["gender"].transform[0].dictionary == "sex"
    assert f["issued"].transform[0].format == "%Y年%m月%d日"
    assert f["nation"].transform[0].kind == "to_code"        # one step without brackets
    assert (f["province"].derive.source, f["province"].derive.part) == ("address", "province")
    assert f["address"].derive is None and f["address"].transform == ()


def test_loader_problems_name_the_line_and_suggest():
    got = problems("""  - name: amount
    transform:
      - uper
      - {date: "%Y-%q"}
      - {code: sexx}
      - date
      - {upper: 1}
      - {replace: {}}
      - {date: "%Y", code: sex}
  - {name: birth, type: date, transform: [{date: "%d.%m.%Y"}]}
  - {name: address}
  - {name: province, derive: {from: adress, part: province}}
  - {name: district, derive: {from: address, part: distrct}}
  - {name: dcode, type: phone, derive: {from: address}, read: {anchor: 代码}}
  - {name: twice, derive: {from: province, part: city}}
""")
    assert got == [
        "t.yaml:8: transform step 1 of field 'amount' is 'uper', which is not a transform step "
        "(did you mean 'upper'?)",
        "t.yaml:9: the date format of transform step 2 of field 'amount' uses %q, which is not "
        "a date code; use codes such as %Y (year), %m (month) and %d (day)",
        "t.yaml:10: transform step 3 of field 'amount' names the code list 'sexx', which "
        "Deskhand does not ship (did you mean 'sex'?); the lists are sex, ethnicity, "
        "marital_status, id_type, education, political_status, relationship",
        "t.yaml:11: transform step 4 of field 'amount' is 'date', which needs its argument, "
        "e.g. {date: \"%Y-%m-%d\"}",
        "t.yaml:12: transform step 5 of field 'amount' is 'upper', which takes no argument; "
        "write it as '- upper'",
        "t.yaml:13: transform step 6 of field 'amount' replaces nothing; give OLD: NEW pairs",
        "t.yaml:14: transform step 7 of field 'amount' must be one name such as upper, or a "
        "mapping with one key such as {date: \"%Y-%m-%d\"}; write each step as its own item "
        "of the list",
        "t.yaml:15: transform step 1 of field 'birth' writes dates as '%d.%m.%Y', but field "
        "'birth' is of type date and is checked as year, month, day: write one of %Y-%m-%d, "
        "%Y/%m/%d, %Y.%m.%d, %Y年%m月%d日, %Y%m%d, and give the field a 'format' for how it is "
        "typed",
        "t.yaml:17: field 'province' is derived from 'adress', which is not declared in fields "
        "(did you mean 'address'?)",
        "t.yaml:18: 'part' of 'derive' of field 'district' is 'distrct', which is not a part of "
        "an address or an ID number (did you mean 'district'?); parts: province, city, "
        "district, town, rest, province_code, city_code, district_code, birth_date, gender, "
        "area_code, age",
        "t.yaml:19: 'derive' of field 'dcode' has no 'part'; write derive: {from: address, "
        "part: district}",
        "t.yaml:19: field 'dcode' is derived from another field, so it is not read and has no "
        "'read'; remove 'read', or put it on the field it is derived from",
        "t.yaml:19: field 'dcode' is derived from an address, so its type must be text or "
        "choice, not phone",
        "t.yaml:20: field 'twice' is derived from 'province', which is itself derived; derive "
        "it from the field that is read",
    ]


def test_loader_problems_in_chinese():
    import app.i18n  # noqa: F401  installs the translator in playbooks.text
    with using("zh_CN"):
        got = problems("  - {name: amount, transform: [uper, {code: sexx}]}\n"
                       "  - {name: d, derive: {from: amount, part: distrct}}\n")
    assert all("\n" not in g for g in got)
    assert "“uper”" in got[0] and "upper" in got[0] and "转换" in got[0]
    assert "sexx" in got[1] and "代码表" in got[1]
    assert "distrct" in got[2] and "district" in got[2]


# ------------------------------------------------------------------ derive, settle, gate
PB = HEAD + """  - {name: applicant_name, label: 姓名}
  - {name: id_number, label: 公民身份号码, type: id_number}
  - {name: amount, label: 金额, transform: [no_separators]}
  - {name: gender, label: 性别, type: choice, choices: [男, 女], transform: [{code: sex}]}
  - {name: address, label: 住址}
  - {name: province, label: 省, type: choice, choices: [福建, 江苏, 北京], derive: {from: address, part: province}}
  - {name: city, label: 市, derive: {from: address, part: city}}
  - {name: district, label: 区县, derive: {from: address, part: district}}
  - {name: district_code, label: 区划代码, derive: {from: address, part: district_code}}
  - {name: town, label: 乡镇街道, derive: {from: address, part: town}, required: false}
  - {name: rest, label: 详细地址, derive: {from: address, part: rest}}
fill:
  - type: applicant_name
  - type: amount
  - choose: {field: gender, options: {男: [space], 女: [right]}}
  - type: address
  - choose: {field: province, options: {福建: [down], 江苏: [down, down], 北京: [up]}}
  - type: city
  - type: district
  - type: district_code
  - type: town
  - type: rest
"""


@pytest.fixture
def pb():
    return load_playbook_text(PB, "derive.yaml")


def given(**values: str) -> Case:
    return case_from_values(values, "t", {"kind": "manual"})


def test_set_values_are_transformed_and_parts_derived_before_a_fill(pb):
    case = given(applicant_name="张三", amount="80,700.72", gender="1",
                 address="福建龙岩新罗区东城街道九一北路12号")
    settle_case(pb, case)
    v = {k: fv.value for k, fv in case.fields.items()}
    assert v["amount"] == "80700.72" and v["gender"] == "男"
    assert (v["province"], v["city"], v["district"], v["district_code"], v["town"], v["rest"]) \
        == ("福建", "龙岩市", "新罗区", "350802", "东城街道", "九一北路12号")
    assert case.fields["district"].source["kind"] == "derived"
    typed = {s.field: s.text for s in plan(pb, case)}
    assert typed["amount"] == "80700.72" and typed["district_code"] == "350802"
    assert typed["province"] == "福建"
    # settling again changes nothing (the transform marker, the derived source value)
    before = {k: (fv.value, fv.status) for k, fv in case.fields.items()}
    settle_case(pb, case)
    assert {k: (fv.value, fv.status) for k, fv in case.fields.items()} == before


@pytest.mark.parametrize("policy", ["field", "fill"])
def test_a_value_a_step_cannot_clean_is_invalid_and_never_typed(pb, policy):
    pb = dataclasses.replace(pb, on_invalid=policy)
    case = given(applicant_name="张三", amount="1,2,3", gender="男", address="北京市朝阳区望京街道1号")
    settle_case(pb, case)
    assert case.fields["amount"].value == "1,2,3" and case.fields["amount"].status == "invalid"
    if policy == "fill":
        with pytest.raises(NeedsPersonError) as e:
            plan(pb, case)
        assert e.value.fields == ["amount"] and "thousands separators" in e.value.message
    else:     # only its own box is left: the sentence says why
        (left,) = [s for s in plan(pb, case) if s.kind == "refused"]
        assert left.field == "amount" and "thousands separators" in left.detail
    # a code the list does not have is kept as given: not one of the choices, never typed
    case = given(applicant_name="张三", amount="1", gender="7", address="北京市朝阳区望京街道1号")
    settle_case(pb, case)
    assert case.fields["gender"].value == "7" and case.fields["gender"].status == "invalid"
    assert "not a code of the sex list" in case.fields["gender"].source["problems"][0]
    if policy == "fill":
        with pytest.raises(UsageError):
            plan(pb, case)
    else:
        (left,) = [s for s in plan(pb, case) if s.kind == "refused"]
        assert left.field == "gender" and "'7' is not one of its choices" in left.detail


def test_a_required_derived_part_the_address_does_not_settle_is_refused_with_its_reason(pb):
    case = given(applicant_name="张三", amount="1", gender="男", address="江苏省鼓楼区中山路1号")
    settle_case(pb, case)
    assert case.fields["district"].value is None and case.fields["district"].status == "missing"
    assert case.fields["province"].value == "江苏"          # what is sure is still given
    with pytest.raises(UsageError) as e:
        plan(pb, case)
    assert e.value.field == "city" and "南京市鼓楼区" in e.value.message \
        and "徐州市鼓楼区" in e.value.message
    # the clerk gives the parts (--set): they are kept, not derived again
    for name, value in (("city", "南京市"), ("district", "鼓楼区"), ("district_code", "320106")):
        case.fields[name] = FieldValue(value, "ok", None, {"kind": "manual"})
    settle_case(pb, case)
    assert case.fields["district"].value == "鼓楼区"
    assert {s.field: s.text for s in plan(pb, case)}["district_code"] == "320106"


def test_parts_follow_an_address_changed_after_the_capture(pb):
    case = given(applicant_name="张三", amount="1", gender="男", address="福建省龙岩市新罗区东城街道1号")
    settle_case(pb, case)
    case.fields["address"] = FieldValue("北京市朝阳区望京街道2号", "ok", None, {"kind": "manual"})
    settle_case(pb, case)
    assert case.fields["district_code"].value == "110105" and case.fields["province"].value == "北京"
    del case.fields["district_code"]                          # absent from the case file
    settle_case(pb, case)
    assert case.fields["district_code"].value == "110105"


def test_the_id_number_confirms_or_is_noted_but_never_decides(pb):
    values = {"address": FieldValue("福建省龙岩市新罗区东城街道1号"),
              "id_number": FieldValue(_id("35080219900307123"))}
    derive_fields(pb, values)
    assert values["district_code"].value == "350802"
    assert "agrees" in values["district_code"].source["warnings"][0]
    values = {"address": FieldValue("福建省龙岩市新罗区东城街道1号"),
              "id_number": FieldValue(_id("11010519900307123"))}
    derive_fields(pb, values)
    assert values["district_code"].value == "350802" and values["district_code"].status == "ok"
    assert "people move" in values["district_code"].source["warnings"][0]
    # an ambiguous address stays empty even when the ID number names one of the two
    values = {"address": FieldValue("江苏省鼓楼区中山路1号"),
              "id_number": FieldValue(_id("32010619900307123"))}
    derive_fields(pb, values)
    assert values["district_code"].value is None and values["district_code"].status == "missing"
    assert any("江苏省南京市鼓楼区" in p and "issued" in p
               for p in values["district_code"].source["problems"])


def test_a_part_of_an_address_the_registry_disputes_needs_the_same_look(pb):
    values = {"address": FieldValue("福建省龙岩市新罗区东城街道1号", "mismatch")}
    derive_fields(pb, values)
    assert values["district"].value == "新罗区" and values["district"].status == "invalid"
    assert "marked mismatch" in values["district"].source["problems"][0]
    values = {"address": FieldValue(None, "missing")}
    derive_fields(pb, values)
    assert values["district"].status == "missing" and "no value" in \
        values["district"].source["problems"][0]
