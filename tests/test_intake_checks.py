"""The intake form's checks (app/intake/checks.py), its numbers, and group values' statuses
in the case file: pure logic, no OCR and no Qt."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from app.cases import Case, load_case, save_case
from app.errors import CaseFileError, NeedsPersonError
from app.docs.context import refuse_unconfirmed
from app.intake.checks import check_intake
from app.intake.model import Intake
from app.intake.numbers import PERCENT, WAN, parse_number, plain

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "playbooks/library/company-setup/samples/case.json"
TODAY = date(2026, 12, 5)


def sample() -> Intake:
    return Intake.from_case(load_case(SAMPLE))


def status(intake: Intake, group: str, row: int, key: str) -> str:
    return intake.groups[group][row][key].status


def problems(intake: Intake) -> str:
    return " | ".join(s for _w, s in intake.problems())


def test_the_sample_passes_every_check():
    intake = sample()
    assert check_intake(intake, TODAY) == []
    assert intake.problems() == []
    assert intake.fields["registered_capital"].value == "100"
    assert {fv.status for row in intake.groups["shareholders"] for fv in row.values()} == {"ok"}


def test_shares_that_do_not_add_up_to_100_are_invalid_each():
    intake = sample()
    intake.groups["shareholders"][1]["share"].value = "30"
    check_intake(intake, TODAY)
    assert status(intake, "shareholders", 0, "share") == status(intake, "shareholders", 1, "share") \
        == "invalid"
    assert "add up to 90%, not 100%" in problems(intake)
    assert status(intake, "shareholders", 0, "amount") == "ok"


def test_amounts_that_are_not_the_registered_capital_are_invalid_with_the_capital():
    intake = sample()
    intake.set("registered_capital", "120")
    check_intake(intake, TODAY)
    assert intake.fields["registered_capital"].status == "invalid"
    assert status(intake, "shareholders", 0, "amount") == "invalid"
    assert "add up to 100 万元, but the registered capital is 120 万元" in problems(intake)


def test_wan_with_decimals_full_width_and_chinese_numerals_are_normalised():
    intake = sample()
    intake.set("registered_capital", "壹佰万元")
    rows = intake.groups["shareholders"]
    rows[0]["amount"].value, rows[1]["amount"].value = "５９.５", "四十点五"
    rows[0]["share"].value, rows[1]["share"].value = "59.5%", "百分之四十点五"
    check_intake(intake, TODAY)
    assert intake.problems() == []
    assert intake.fields["registered_capital"].value == "100"
    assert [r["amount"].value for r in rows] == ["59.5", "40.5"]
    assert [r["share"].value for r in rows] == ["59.5", "40.5"]


@pytest.mark.parametrize("text, unit, expected", [
    ("100", WAN, "100"), ("12.50万元", WAN, "12.5"), ("１２.５", WAN, "12.5"), ("一百", WAN, "100"),
    ("一千零五", WAN, "1005"), ("十五", WAN, "15"), ("壹佰贰拾", WAN, "120"), ("60%", PERCENT, "60"),
    ("６０％", PERCENT, "60"), ("百分之三十三点三", PERCENT, "33.3"), ("1,000", WAN, "1000")])
def test_numbers_as_applicants_write_them(text, unit, expected):
    assert plain(parse_number(text, unit)) == expected


@pytest.mark.parametrize("text", ["abc", "12.5.1", "一百元整吧", "", "-5"])
def test_what_is_not_a_number_is_refused_with_a_sentence(text):
    with pytest.raises(ValueError, match="is not an amount in 万元"):
        parse_number(text, WAN)


def test_a_bad_check_digit_and_an_impossible_birth_date_are_invalid():
    intake = sample()
    intake.groups["shareholders"][1]["id_number"].value = "350802199007151011"   # check digit 0
    intake.set("agent_id", "350802199002301234")                                 # 30 February
    check_intake(intake, TODAY)
    assert status(intake, "shareholders", 1, "id_number") == "invalid"
    assert "check digit" in problems(intake)
    assert intake.fields["agent_id"].status == "invalid"


def test_the_same_id_number_with_two_names_marks_both_names():
    intake = sample()
    intake.groups["shareholders"][0]["name"].value = "林小明"     # the legal rep's ID, another name
    check_intake(intake, TODAY)
    assert intake.fields["legal_rep_name"].status == "invalid"
    assert status(intake, "shareholders", 0, "name") == "invalid"
    text = problems(intake)
    assert "given with different names" in text and "3508**********2038" in text
    assert "350802198503122038" not in text                          # masked (PIPL)


def test_a_person_listed_twice_in_a_group_is_invalid_and_once_in_two_groups_is_fine():
    intake = sample()
    first = {k: fv.value for k, fv in intake.groups["shareholders"][0].items()}
    intake.add_row("directors", {"name": first["name"], "id_number": first["id_number"]})
    check_intake(intake, TODAY)
    assert intake.problems() == []                       # legal rep, shareholder and director
    intake.add_row("directors", {"name": first["name"], "id_number": first["id_number"]})
    check_intake(intake, TODAY)
    assert status(intake, "directors", 1, "id_number") == "invalid"
    assert status(intake, "directors", 0, "id_number") == "ok"
    assert "given twice in 董事" in problems(intake)


def test_required_values_missing_dates_and_phones_checked_full_width_accepted():
    intake = sample()
    intake.set("company_name", "  ")
    intake.set("meeting_date", "2026年１２月１日")
    intake.set("legal_rep_phone", "１３９０５９７０００１")
    intake.set("application_date", "2026-13-01")
    intake.groups["shareholders"].clear()
    whole = check_intake(intake, TODAY)
    assert intake.fields["company_name"].status == "missing"
    assert intake.fields["meeting_date"].value == "2026-12-01"
    assert intake.fields["legal_rep_phone"].value == "13905970001"
    assert intake.fields["application_date"].status == "invalid"
    assert whole and "股东" in whole[0]


def test_group_values_keep_their_status_in_the_case_file_and_old_files_load(tmp_path):
    intake = sample()
    intake.groups["shareholders"][1]["share"].value = "30"
    check_intake(intake, TODAY)
    save_case(intake.to_case("企业开办"), tmp_path / "case.json")
    doc = json.loads((tmp_path / "case.json").read_text(encoding="utf-8"))
    assert doc["groups"]["shareholders"][1]["share"] == {"value": "30", "status": "invalid"}
    case = load_case(tmp_path / "case.json")
    assert case.groups["shareholders"][1]["share"] == "30"          # templates see text
    assert case.status_in_group("shareholders", 1, "share") == "invalid"
    assert case.doubtful_group_values() == ["shareholders › 1 › share", "shareholders › 2 › share"]
    old = load_case(SAMPLE)                                          # bare text: no statuses
    assert old.group_status == {} and old.doubtful_group_values() == []
    doc["groups"]["shareholders"][0]["share"]["status"] = "fine"
    (tmp_path / "bad.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CaseFileError, match="shareholders › 1 › share › status is the unknown"):
        load_case(tmp_path / "bad.json")


def test_documents_are_refused_naming_the_group_row_and_field():
    intake = sample()
    intake.groups["shareholders"][1]["id_number"].value = "350802199007151011"
    check_intake(intake, TODAY)
    case: Case = intake.to_case("企业开办")
    with pytest.raises(NeedsPersonError) as info:
        refuse_unconfirmed(case, {"company_name"})
    assert "shareholders › 2 › id_number" in info.value.message
    assert info.value.exit_code == 1


def test_fill_scenario_refuses_a_case_whose_group_values_need_a_person(tmp_path):
    """Before any window is looked for: the sentence names the group, row and field."""
    import subprocess
    import sys
    (tmp_path / "a.yaml").write_text(
        'deskhand: 1\nid: form-a\nname: 设立登记\ntarget: {title: "设立登记*"}\nfields:\n'
        '  - {name: company_name, label: 企业名称, type: text}\nfill:\n  - type: company_name\n',
        encoding="utf-8")
    (tmp_path / "scenario.yaml").write_text("scenario: 1\nname: 企业开办\ntargets:\n  - a.yaml\n",
                                            encoding="utf-8")
    intake = sample()
    intake.groups["shareholders"][0]["due_date"].value = "2046-02-30"
    check_intake(intake, TODAY)
    save_case(intake.to_case("企业开办"), tmp_path / "case.json")
    r = subprocess.run([sys.executable, "-m", "app.cli", "fill", str(tmp_path), "--case",
                        str(tmp_path / "case.json"), "--yes"], capture_output=True, text=True,
                       timeout=120, cwd=ROOT, env={**__import__("os").environ, "DISPLAY": ""})
    assert r.returncode == 1, r.stderr
    assert "Nothing was typed: shareholders › 1 › due_date failed a check" in r.stderr
    assert "Traceback" not in r.stderr


def test_a_name_read_by_ocr_into_a_group_stays_unchecked_when_the_case_is_opened_again(tmp_path):
    from app.cases import FieldValue
    intake = sample()
    intake.groups["shareholders"][1]["name"] = FieldValue(
        "陈雨桐", "unchecked", None, {"kind": "image", "read_status": "unchecked"})
    check_intake(intake, TODAY)
    save_case(intake.to_case("企业开办"), tmp_path / "case.json")
    again = Intake.from_case(load_case(tmp_path / "case.json"))
    check_intake(again, TODAY)
    assert status(again, "shareholders", 1, "name") == "unchecked"
    assert status(again, "shareholders", 0, "name") == "ok"


def test_a_share_that_is_not_the_amounts_part_of_the_capital_is_invalid():
    intake = sample()
    rows = intake.groups["shareholders"]
    rows[0]["share"].value, rows[1]["share"].value = "40", "60"      # the amounts are 60 and 40
    check_intake(intake, TODAY)
    assert status(intake, "shareholders", 0, "share") == "invalid"
    assert "60 of 100 万元 is 60% of the capital, but the share given is 40%" in problems(intake)
    rows[0]["amount"].value, rows[1]["amount"].value = "33.33", "66.67"
    rows[0]["share"].value, rows[1]["share"].value = "33.33", "66.67"
    check_intake(intake, TODAY)
    assert intake.problems() == []


def test_a_legal_representative_under_18_is_invalid():
    from app.checks import id_check_char
    first17 = "35080220100101201"                                     # born 2010-01-01
    intake = sample()
    minor = first17 + id_check_char(first17)
    intake.set("legal_rep_id", minor)
    intake.groups["shareholders"][0]["id_number"].value = minor
    check_intake(intake, TODAY)
    assert intake.fields["legal_rep_id"].status == "invalid"
    assert status(intake, "shareholders", 0, "id_number") == "ok"    # a shareholder may be
    assert "is 16 on 2026-12-04" in problems(intake)
