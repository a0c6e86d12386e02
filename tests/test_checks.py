"""app/checks: every field check, look-alike normalisation, check-digit-guided correction,
cross-field checks. Pure logic: no Qt, no display."""
from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from app.checks import (
    CheckError,
    InvalidValueError,
    areas,
    check_value,
    confusion_alternatives,
    correct,
    credit_check_char,
    credit_code_warnings,
    cross_check,
    id_check_char,
    id_number_warnings,
    normalize_phone,
    org_code_check_char,
    parse_date,
    parse_id_number,
    suggest_roles,
    validate_credit_code,
    validate_date,
    validate_id_number,
    validate_phone,
    validate_postcode,
)
from app.checks.correct import CONFUSIONS
from app.checks.credit_code import ALPHABET, VALUE
from app.checks.credit_code import WEIGHTS as CREDIT_WEIGHTS
from app.checks.field import CREDIT_ALLOWED, ID_ALLOWED
from app.checks.normalize import (
    normalize_credit_code,
    normalize_id_number,
    normalize_numeric,
    remove_spaces,
    to_halfwidth,
)
from app.checks.postcode import inspect_postcode

TODAY = date(2025, 6, 1)
GB_EXAMPLE = "11010519491231002X"   # the example printed in GB 11643-1999


def make_id(area: str, born: str, seq: str = "123") -> str:
    body = area + born + seq
    return body + id_check_char(body)


def make_credit(head: str, area: str, org_body: str) -> str:
    """A credit code with correct GB 11714 and GB 32100 check characters."""
    body = head + area + org_body + org_code_check_char(org_body)
    return body + credit_check_char(body)


def with_char(value: str, i: int, ch: str) -> str:
    return value[:i] + ch + value[i + 1:]


def validate_id(value: str) -> list[str]:
    return validate_id_number(value, today=TODAY)


# ---------------------------------------------------------------- resident ID numbers

def test_gb_example_is_valid_and_parses():
    assert validate_id(GB_EXAMPLE) == []
    assert id_number_warnings(GB_EXAMPLE) == []
    info = parse_id_number(GB_EXAMPLE)
    assert info.area_code == "110105" and info.area_name == "北京市朝阳区"
    assert info.birth_date == date(1949, 12, 31)
    assert info.sex == "女"                       # 17th digit 2: even
    assert parse_id_number(make_id("350802", "19900101", "011")).sex == "男"


def test_lowercase_x_spaces_and_fullwidth_are_accepted():
    assert validate_id(GB_EXAMPLE.lower()) == []
    assert validate_id("110105 19491231 002x") == []
    assert validate_id(to_fullwidth(GB_EXAMPLE)) == []
    assert parse_id_number("11010519491231002x").area_code == "110105"
    fc = check_value("id_number", "110105 19491231 002x")
    assert (fc.status, fc.value) == ("ok", GB_EXAMPLE)


def to_fullwidth(s: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) for c in s)


def test_check_digit_error_names_expected_and_found():
    problems = validate_id("110105194912310021")
    assert len(problems) == 1
    assert "'1'" in problems[0] and "'X'" in problems[0] and "check digit" in problems[0]
    with pytest.raises(InvalidValueError) as e:
        parse_id_number("110105194912310021")
    assert e.value.problems == problems


def test_length_characters_and_legacy_numbers():
    assert validate_id("110105491231002") == [
        "15-digit numbers are not accepted; ask for the 18-digit number."]
    assert "17 characters" in validate_id(GB_EXAMPLE[:17])[0]
    assert validate_id("") == ["The ID number is empty."]
    p = validate_id("1101O519491231002X")
    assert len(p) == 1 and "5 ('O')" in p[0] and "digit" in p[0]
    p = validate_id("11010519491231002K")
    assert "last character" in p[0] and "'K'" in p[0]


def test_birth_date_must_be_real_and_plausible():
    p = validate_id(make_id("110105", "19490229"))
    assert len(p) == 1 and "not a real date" in p[0] and "1949 is not a leap year" in p[0]
    assert validate_id(make_id("110105", "20000229")) == []      # 2000 is a leap year
    assert "not a real date" in validate_id(make_id("110105", "19491301"))[0]
    assert "in the future" in validate_id(make_id("110105", "20250602"))[0]
    assert validate_id(make_id("110105", "20250601")) == []
    assert "before 1900" in validate_id(make_id("110105", "18991231"))[0]


def test_unknown_province_is_invalid():
    for area in ("990105", "200105", "010105"):
        p = validate_id(make_id(area, "19800101"))
        assert len(p) == 1 and "not a province" in p[0], area
    assert "foreigner" in validate_id(make_id("990105", "19800101"))[0]


def test_retired_county_code_is_a_warning_only():
    # 350822 永定县 became 永定区 (350803) in 2014; cards issued before keep the old code.
    old = make_id("350822", "19900101")
    assert validate_id(old) == []
    [w] = id_number_warnings(old)
    assert "350822" in w and "永定县" in w and "2013" in w
    assert parse_id_number(old).area_name == "福建省龙岩市永定县"
    assert check_value("id_number", old).status == "ok"
    assert check_value("id_number", old).warnings == [w]
    # A county code in no list, in a known province: still only a warning.
    unknown = make_id("350899", "19900101")
    assert validate_id(unknown) == []
    assert "not in the GB/T 2260 list" in id_number_warnings(unknown)[0]
    assert id_number_warnings(make_id("350802", "19900101")) == []


def test_residence_permit_prefixes_are_known():
    for area in ("810000", "820000", "830000"):
        assert validate_id(make_id(area, "19900101")) == []


def test_area_table_ships_with_the_package():
    assert areas.lookup("350802").name == "新罗区" and areas.lookup("350802").current
    assert not areas.lookup("350822").current
    assert areas.full_name("350802") == "福建省龙岩市新罗区"
    assert areas.full_name("110105") == "北京市朝阳区"
    assert areas.province_name("35") == "福建省"
    assert areas.lookup("653228").name == "和康县"          # created 2024: supplement
    assert areas.lookup("500112").name == "渝北区"


# ---------------------------------------------------------------- credit codes

VALID_CREDIT = ("91350100M000100Y43", "91110000802100433B")


def test_valid_credit_codes():
    for code in VALID_CREDIT:
        assert validate_credit_code(code) == [] and credit_code_warnings(code) == []
    made = make_credit("51", "350802", "MJ1234AB")
    assert validate_credit_code(made) == [] and credit_code_warnings(made) == []
    assert validate_credit_code(VALID_CREDIT[0].lower()) == []
    assert validate_credit_code("9135 0100 M000 100Y 43") == []


def test_credit_check_character_rules():
    assert credit_check_char("91350100M000100Y4") == "3"
    # 31 - (sum mod 31) is 31 when the sum is a multiple of 31: the check is then 0
    for tail in ALPHABET:
        body = "9135010000000000" + tail
        if sum(VALUE[c] * w for c, w in zip(body, CREDIT_WEIGHTS)) % 31 == 0:
            assert credit_check_char(body) == "0"
            assert validate_credit_code(body + "0") == []
            break
    else:
        pytest.fail("no body with a sum divisible by 31")
    assert CREDIT_WEIGHTS[:4] == (1, 3, 9, 27) and CREDIT_WEIGHTS[4] == 81 % 31
    # GB 11714: 11 - (sum mod 11); 10 → X, 11 → 0
    assert org_code_check_char("80210043") == "3"
    assert org_code_check_char("M000100Y") == "4"
    checks = {org_code_check_char(f"{n:08d}") for n in range(0, 200)}
    assert {"X", "0"} <= checks
    assert org_code_check_char("00000000") == "0"            # sum 0 → 11 → 0
    assert org_code_check_char("00000001") == "9"            # 11 - 2


def test_invalid_credit_codes():
    p = validate_credit_code(with_char(VALID_CREDIT[0], 17, "4"))
    assert len(p) == 1 and "'4'" in p[0] and "'3'" in p[0]
    assert "17 characters" in validate_credit_code(VALID_CREDIT[0][:17])[0]
    assert "organisation code" in validate_credit_code("M000100Y4")[0]
    p = validate_credit_code(with_char(VALID_CREDIT[0], 8, "I"))
    assert "9 ('I')" in p[0] and "alphabet" in p[0]
    p = validate_credit_code(make_credit("B1", "350802", "MJ1234AB"))
    assert any("registration authority" in x for x in p)
    p = validate_credit_code(make_credit("91", "3508A2", "MJ1234AB"))
    assert any("must be digits" in x for x in p)


def test_pilot_code_failing_the_organisation_check_is_a_warning():
    body = "91350100" + "M000100Y" + "5"          # org check should be 4
    code = body + credit_check_char(body)
    assert validate_credit_code(code) == []
    [w] = credit_code_warnings(code)
    assert "GB 11714" in w and "pilot" in w
    fc = check_value("credit_code", code)
    assert fc.status == "ok" and fc.warnings == [w]


def test_unlisted_type_is_a_warning():
    code = make_credit("94", "350802", "MJ1234AB")
    assert validate_credit_code(code) == []
    assert "type '4'" in credit_code_warnings(code)[0]


# ---------------------------------------------------------------- phones

@pytest.mark.parametrize("raw, expected", [
    ("13800138000", "13800138000"),
    ("138 0013 8000", "13800138000"),
    ("138-0013-8000", "13800138000"),
    ("+86 138 0013 8000", "13800138000"),
    ("+8613800138000", "13800138000"),
    ("86 13800138000", "13800138000"),
    ("0086-138-0013-8000", "13800138000"),
    ("１９９１２３４５６７８", "19912345678"),
    ("0597-2345678", "0597-2345678"),
    ("0597 2345678", "0597-2345678"),
    ("05972345678", "0597-2345678"),
    ("(0597)2345678", "0597-2345678"),
    ("0597—2345678", "0597-2345678"),
    ("010-62345678", "010-62345678"),
    ("02162345678", "021-62345678"),
    ("+86 10 6234 5678", "010-62345678"),
    ("+86 597 2345678", "0597-2345678"),
])
def test_valid_phones(raw, expected):
    assert validate_phone(raw) == []
    assert normalize_phone(raw) == expected
    assert check_value("phone", raw).value == expected


@pytest.mark.parametrize("raw, words", [
    ("12345678901", "start with 13 to 19"),
    ("1380013800", "11 digits"),
    ("138001380001", "11 digits"),
    ("2345678", "no area code"),
    ("0597-234567", "7 or 8 digits"),
    ("0597-0345678", "cannot start with 0"),
    ("011-62345678", "not a mainland area code"),
    ("138abc38000", "not digits"),
    ("4008123123", "mobile number"),
    ("", "empty"),
])
def test_invalid_phones(raw, words):
    problems = validate_phone(raw)
    assert len(problems) == 1 and words in problems[0], problems
    with pytest.raises(InvalidValueError):
        normalize_phone(raw)


def test_phone_lookalike_letter_is_corrected_not_ok():
    fc = check_value("phone", "138OO138000")
    assert (fc.status, fc.value, fc.original) == ("corrected", "13800138000", "138OO138000")


# ---------------------------------------------------------------- dates

@pytest.mark.parametrize("raw", [
    "2024-03-01", "2024-3-1", "2024/3/1", "2024/03/01", "2024.03.01", "2024.3.1",
    "2024年3月1日", "2024年03月01日", "2024 年 3 月 1 日", "2024年3月1", "20240301",
    "２０２４－０３－０１", "２０２４年３月１日", "２０２４０３０１", " 2024-03-01 ",
])
def test_dates_in_every_format(raw):
    assert validate_date(raw) == []
    assert parse_date(raw) == date(2024, 3, 1)
    fc = check_value("date", raw)
    assert (fc.status, fc.value) == ("ok", "2024-03-01")


@pytest.mark.parametrize("raw, words", [
    ("2023-02-29", "2023 is not a leap year"),
    ("2024-13-01", "not a real date"),
    ("2024-04-31", "not a real date"),
    ("2024-03", "not a date"),
    ("2024/03-01", "not a date"),
    ("yesterday", "not a date"),
    ("1850-01-01", "outside"),
    ("", "empty"),
])
def test_invalid_dates(raw, words):
    problems = validate_date(raw)
    assert len(problems) == 1 and words in problems[0], problems
    with pytest.raises(InvalidValueError):
        parse_date(raw)


def test_leap_day_and_lookalike_in_dates():
    assert validate_date("2024-02-29") == []
    fc = check_value("date", "2O24-O3-01")
    assert (fc.status, fc.value) == ("corrected", "2024-03-01") and len(fc.warnings) == 2


# ---------------------------------------------------------------- postcodes

@pytest.mark.parametrize("raw", ["364000", "100000", "010010", "850000", "999077", "３６４０００"])
def test_valid_postcodes(raw):
    assert validate_postcode(raw) == []


@pytest.mark.parametrize("raw", ["190000", "000000", "870000", "14000", "3640000", "36400A", ""])
def test_invalid_postcodes(raw):
    assert len(validate_postcode(raw)) == 1


def test_postcode_overseas_placeholder_warns():
    assert inspect_postcode("999077")[1]
    assert check_value("postcode", "36400O").status == "corrected"


# ---------------------------------------------------------------- normalisation

def test_normalisation_helpers():
    assert to_halfwidth("ＡＢ１２　张三") == "AB12 张三"
    assert remove_spaces(" 1 2\u30003\u200b4\n") == "1234"
    assert normalize_numeric("l3B O0") == "13800"
    assert normalize_id_number("1101O5 l949l23lOO2x") == GB_EXAMPLE
    # credit codes: I O S Z have one look-alike each; V does not; digit spots take B→8
    assert normalize_credit_code("9I35OIOOMOOOIOOY43") == "9135010" + "0M000100Y43"
    assert normalize_credit_code("91350IB0M000100V43") == "91350180M000100V43"
    assert normalize_credit_code("9135010OS") == "913501005"


def test_free_text_is_never_normalised():
    fc = check_value("text", " Ｏｌｉｖｅｒ 张三 ")
    assert (fc.status, fc.value) == ("ok", "Ｏｌｉｖｅｒ 张三")


# ---------------------------------------------------------------- correction

def test_confusion_alternatives_respect_the_alphabet():
    alts = confusion_alternatives("8B", "0123456789")
    assert set(alts[0]) == {"3", "6"} and set(alts[1]) == {"8", "3"}
    per_position = confusion_alternatives("1K", ["0123456789", "0123456789X"])
    assert per_position == [["7"], ["X"]]


def test_o_and_b_misreads_of_a_generated_id_are_corrected():
    truth = make_id("350802", "19880808", "203")
    for i, ch in enumerate(truth[:17]):
        if ch in "08":
            read = with_char(truth, i, "O" if ch == "0" else "B")
            fc = check_value("id_number", read, today=TODAY)
            assert (fc.status, fc.value, fc.original) == ("corrected", truth, read)
            assert fc.problems == [] and f"Character {i + 1}" in fc.warnings[-1]
            # and with the generic function, from the confusion table
            result = correct(read, validate_id, confusion_alternatives(read, ID_ALLOWED))
            assert (result.status, result.value, result.original) == ("corrected", truth, read)


def test_b_read_for_a_3_is_fixed_by_the_check_digit():
    truth = make_id("350802", "19830303", "303")
    i = truth.index("3", 6)
    fc = check_value("id_number", with_char(truth, i, "B"), today=TODAY)
    assert (fc.status, fc.value) == ("corrected", truth)   # B→8 fails; 3 passes


def _two_fix_case() -> tuple[str, str, int, int, str]:
    """A valid ID, a misread of one sequence digit, and a second position whose change
    also satisfies the check digit: (truth, read, p, q, other fix)."""
    for seq in range(100, 200):
        truth = make_id("350802", "19900101", str(seq))
        p = 14                                        # sequence digits: area, date stay valid
        read = with_char(truth, p, str((int(truth[p]) + 1) % 10))
        for q in (15, 16):
            fixes = [d for d in "0123456789"
                     if d != read[q] and not validate_id(with_char(read, q, d))]
            if fixes:
                return truth, read, p, q, fixes[0]
    raise AssertionError("construction failed")


def test_two_candidates_stay_invalid():
    truth, read, p, q, other = _two_fix_case()
    alternatives: list[list[str]] = [[] for _ in read]
    alternatives[p] = [truth[p]]
    alternatives[q] = [other]
    result = correct(read, validate_id, alternatives)
    assert result.status == "invalid" and result.value == read
    assert set(result.candidates) == {truth, with_char(read, q, other)}
    fc = check_value("id_number", read, alternatives, today=TODAY)
    assert fc.status == "invalid" and fc.value == read and len(fc.candidates) == 2
    assert "2 different readings" in fc.problems[-1]


def test_a_passing_value_is_untouched():
    result = correct(GB_EXAMPLE, validate_id, confusion_alternatives(GB_EXAMPLE, ID_ALLOWED))
    assert (result.status, result.value, result.candidates) == ("ok", GB_EXAMPLE, ())
    assert check_value("id_number", GB_EXAMPLE).status == "ok"


def test_nothing_passes_stays_invalid():
    read = "110105194912310021"
    result = correct(read, validate_id, [[] for _ in read])
    assert (result.status, result.value, result.candidates) == ("invalid", read, ())


def test_engine_alternatives_follow_their_characters_through_spaces():
    truth = make_id("350802", "19900101", "123")
    read = with_char(truth, 15, "7" if truth[15] != "7" else "1")
    spaced = read[:6] + " " + read[6:]
    alternatives = [[] for _ in spaced]
    alternatives[16] = [truth[15]]                    # raw index 16 is ID position 15
    fc = check_value("id_number", spaced, alternatives, today=TODAY)
    assert (fc.status, fc.value) == ("corrected", truth)


def test_credit_code_corrections():
    code = VALID_CREDIT[0]                            # 91350100M000100Y43
    fc = check_value("credit_code", code.replace("0", "O", 1))
    assert (fc.status, fc.value) == ("corrected", code)
    fc = check_value("credit_code", with_char(code, 15, "V"))    # V: U or Y, check decides
    assert (fc.status, fc.value) == ("corrected", code)
    assert check_value("credit_code", code.lower()).status == "ok"
    assert check_value("credit_code", "12345").status == "invalid"


def _random_ids(rng: random.Random, n: int) -> list[str]:
    current = [a.code for a in map(areas.lookup, _current_codes()) if a]
    out = []
    for _ in range(n):
        born = date(1930, 1, 1) + timedelta(days=rng.randrange(0, 90 * 365))
        out.append(make_id(rng.choice(current), born.strftime("%Y%m%d"),
                           f"{rng.randrange(1000):03d}"))
    return out


def _current_codes() -> list[str]:
    return [c for c, a in areas._table().items() if a.current and not c.endswith("00")]


def test_property_single_confusions_never_pass_a_wrong_id():
    """Without the engine's alternatives: a letter misread where a digit belongs is
    corrected to the true number; a digit misread as another digit is never guessed
    (it stays invalid), so no wrong number is ever marked ok or corrected."""
    rng = random.Random(11643)
    letters = digits = 0
    for truth in _random_ids(rng, 400):
        assert validate_id(truth) == [], truth
        i = rng.randrange(18)
        misread = rng.choice(CONFUSIONS[truth[i]])
        read = with_char(truth, i, misread)
        fc = check_value("id_number", read, today=TODAY)
        if misread.upper() == truth[i]:                 # x for X
            assert fc.status == "ok" and fc.value == truth
        elif misread.isdigit() or (i == 17 and misread.upper() == "X"):
            digits += 1
            assert fc.status == "invalid" and fc.value != truth, (truth, read, fc)
        else:
            letters += 1
            assert fc.status == "corrected" and fc.value == truth, (truth, read, fc)
        assert correct(read, validate_id, confusion_alternatives(read, ID_ALLOWED)).status != "ok" \
            or read.upper() == truth
    assert letters > 100 and digits > 50


def test_property_any_single_substitution_is_never_ok():
    rng = random.Random(32100)
    for truth in _random_ids(rng, 300):
        i = rng.randrange(18)
        wrong = rng.choice([c for c in "0123456789X" if c != truth[i]])
        fc = check_value("id_number", with_char(truth, i, wrong), today=TODAY)
        assert fc.status != "ok"
        if fc.status == "corrected":
            assert validate_id(fc.value) == []


def test_property_single_confusions_in_credit_codes():
    rng = random.Random(31)
    current = _current_codes()
    for _ in range(300):
        org = "".join(rng.choice(ALPHABET) for _ in range(8))
        truth = make_credit(rng.choice(["91", "92", "51", "12", "Y1"]), rng.choice(current), org)
        i = rng.randrange(18)
        misread = rng.choice(CONFUSIONS.get(truth[i]) or truth[i].lower())
        read = with_char(truth, i, misread)
        fc = check_value("credit_code", read)
        if fc.status == "ok":
            assert fc.value == truth
        elif fc.status == "corrected":
            assert fc.value == truth, (truth, read, fc)
        result = correct(read, validate_credit_code, confusion_alternatives(read, CREDIT_ALLOWED))
        assert result.status != "ok" or read.upper() == truth


# ---------------------------------------------------------------- cross-field

TYPES = {"证件号码": "id_number", "出生日期": "date", "性别": "choice", "姓名": "text"}
ROLES = {"id_number": "证件号码", "birth_date": "出生日期", "sex": "性别"}


def test_cross_check_agreeing_fields():
    fields = {"证件号码": GB_EXAMPLE, "出生日期": "1949年12月31日", "性别": "女", "姓名": "张三"}
    assert cross_check(fields, TYPES, ROLES, today=TODAY) == []
    assert cross_check({**fields, "性别": "Female"}, TYPES, ROLES, today=TODAY) == []


def test_cross_check_disagreements():
    fields = {"证件号码": GB_EXAMPLE, "出生日期": "1949-12-30", "性别": "男"}
    problems = cross_check(fields, TYPES, ROLES, today=TODAY)
    assert [p.field for p in problems] == ["出生日期", "性别"]
    assert "1949-12-31" in problems[0].message and "1949-12-30" in problems[0].message
    assert "17th digit" in problems[1].message
    odd = cross_check({**fields, "出生日期": "", "性别": "未知"}, TYPES, ROLES, today=TODAY)
    assert [p.field for p in odd] == ["性别"] and "neither" in odd[0].message


def test_cross_check_skips_what_cannot_be_compared():
    bad_id = {"证件号码": make_id("990105", "19800101"), "出生日期": "1950-01-01", "性别": "男"}
    assert cross_check(bad_id, TYPES, ROLES) == []
    only_id = {"证件号码": GB_EXAMPLE, "出生日期": "1950-01-01"}
    assert cross_check(only_id, TYPES, {"id_number": "证件号码"}) == []
    # a corrected ID number (O read for 0) is compared as corrected
    misread = {"证件号码": "11010519491231OO2X", "出生日期": "1949-12-31", "性别": "男"}
    assert [p.field for p in cross_check(misread, TYPES, ROLES)] == ["性别"]


def test_cross_check_roles_must_name_fields_of_the_right_type():
    fields = {"证件号码": GB_EXAMPLE}
    with pytest.raises(CheckError, match="not a field"):
        cross_check(fields, TYPES, {"id_number": "身份证"})
    with pytest.raises(CheckError, match="needs type date"):
        cross_check(fields, TYPES, {"id_number": "证件号码", "birth_date": "姓名"})
    with pytest.raises(CheckError, match="Unknown cross-check role"):
        cross_check(fields, TYPES, {"age": "姓名"})


def test_suggest_roles_only_where_unambiguous():
    assert suggest_roles(TYPES) == ROLES
    types = {**TYPES, "出生年月": "date"}
    assert "birth_date" not in suggest_roles(types)


# ---------------------------------------------------------------- the entry point

def test_check_value_text_and_choice():
    assert check_value("text", "张三").status == "ok"
    assert check_value("text", "  ").problems == ["The value is empty."]
    assert check_value("choice", "男").status == "ok"
    assert check_value("choice", "").status == "invalid"
    assert check_value("choice", "男", choices=["男", "女"]).status == "ok"
    bad = check_value("choice", "未知", choices=["男", "女"])
    assert bad.status == "invalid" and "男, 女" in bad.problems[0]
    assert check_value("choice", "ｙｅｓ", choices=["Yes", "No"]).value == "Yes"


def test_check_value_statuses_for_id_numbers():
    ok = check_value("id_number", GB_EXAMPLE)
    assert (ok.status, ok.value, ok.original, ok.problems) == ("ok", GB_EXAMPLE, GB_EXAMPLE, [])
    fixed = check_value("id_number", "11010519491231OO2X")
    assert (fixed.status, fixed.value, fixed.original) == (
        "corrected", GB_EXAMPLE, "11010519491231OO2X")
    assert len(fixed.warnings) == 2
    bad = check_value("id_number", "110105491231002")
    assert bad.status == "invalid" and "15-digit" in bad.problems[0]


def test_check_value_unknown_type():
    with pytest.raises(CheckError, match="Unknown field type"):
        check_value("iban", "x")


def test_misread_district_names_are_put_right_from_the_table():
    from app.checks.places import correct_place_names
    fixed, notes = correct_place_names("漳州市艺城区顺泰商贸有限责任公司")
    assert fixed == "漳州市芗城区顺泰商贸有限责任公司" and len(notes) == 1
    # a real district, and text with no city, are left alone
    assert correct_place_names("龙岩市新罗区九一北路28号") == ("龙岩市新罗区九一北路28号", [])
    assert correct_place_names("城区人民政府") == ("城区人民政府", [])
    # one character from both 东城区 and 西城区: no guess
    assert correct_place_names("北京市南城区") == ("北京市南城区", [])
