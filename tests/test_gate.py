"""The gate before typing (app/fill/gate.py): nothing unchecked is typed, whatever the
case came from. The logic is checked here on a recording desktop (app.desktop.dummy) run
through the real pipeline; the same refusals against a real Qt client and Chromium page
are in tests/test_fill_e2e.py."""
from __future__ import annotations

import dataclasses
import io
import json
from pathlib import Path

import pytest

from app.cases import Case, FieldValue, load_case
from app.cli import main
from app.desktop.dummy import DummyDesktop
from app.errors import NeedsPersonError, RefusedValueError
from app.fill.engine import FillOptions, plan
from app.fill.gate import confirm, forbidden_characters, printable, vet
from app.pipeline import PipelineOptions, build_pipeline
from app.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = json.loads((ROOT / "resources/samples/case-zhang-wei.json").read_text(encoding="utf-8"))
BAD_ID = "35080219900307103"  + "1"      # the sample's number with a wrong check digit


@pytest.fixture(autouse=True)
def homes(tmp_path, monkeypatch):
    for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(var, str(tmp_path / var.lower()))
    monkeypatch.delenv("DESKHAND_PRESET", raising=False)


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def pipeline_with(desktop: DummyDesktop, tmp_path: Path):
    return build_pipeline(PipelineOptions(settings=Settings(), cases_dir=tmp_path / "cases",
                                          desktop_factory=lambda: desktop))


def sample_case(**changes: str) -> Case:
    values = {**SAMPLE, **changes}
    return Case("c1", "sample-qt-intake",
                {k: FieldValue(v, "ok", None, {"kind": "json"}) for k, v in values.items()})


def typed(desktop: DummyDesktop) -> str:
    return "".join(t for chunks in desktop.received.values() for t in chunks if not t.startswith("<"))


# -- characters --------------------------------------------------------------------
@pytest.mark.parametrize("value, bad", [
    ("张\x1b[31m伟", "U+001B (ESC)"), ("a\x00b", "U+0000 (NUL)"), ("ding\x07", "U+0007 (BEL)"),
    ("abc\u202edef", "U+202E (RIGHT-TO-LEFT OVERRIDE)"), ("x\ud800y", "U+D800"),
    ("two\nlines", "U+000A (LINE FEED)"), ("tab\there", "U+0009 (TAB)"), ("c1\x9b", "U+009B"),
    ("del\x7f", "U+007F (DELETE)"), ("nonchar\uffff", "U+FFFF"),
])
def test_control_characters_are_named(value, bad):
    assert any(b.startswith(bad) for b in forbidden_characters(value))


def test_line_breaks_only_in_multiline_fields():
    assert forbidden_characters("第一行\n第二行\r\n第三行", multiline=True) == []
    assert forbidden_characters("lone\rreturn", multiline=True) == ["U+000D (CARRIAGE RETURN)"]
    assert forbidden_characters("𠮷丽娜 Ｆｕｌｌ－ｗｉｄｔｈ (a) 𝒜", multiline=False) == []


def test_printable_escapes_what_a_terminal_would_obey():
    assert printable("张\x1b[31m伟\n") == "张\\x1b[31m伟\n"
    assert printable("\u202eabc") == "\\u202eabc"
    assert json.loads(json.dumps(printable("\x9b"))) == "\\x9b"


# -- values ------------------------------------------------------------------------
def sample_playbook(on_invalid: str = "field"):
    pb = build_pipeline(PipelineOptions(settings=Settings())).playbook("sample-qt-intake")
    assert pb.on_invalid == "field"              # the default: a bad value stops its own box
    return dataclasses.replace(pb, on_invalid=on_invalid)


def fill_policy_file(tmp_path: Path) -> str:
    """The sample playbook saying `on_invalid: fill` (the whole fill stops)."""
    text = (ROOT / "playbooks/library/sample-qt-intake.yaml").read_text(encoding="utf-8")
    path = tmp_path / "sample-fill-policy.yaml"
    path.write_text(text + "\non_invalid: fill\n", encoding="utf-8")
    return str(path)


def refused(steps) -> dict[str, str]:
    return {s.field: s.detail for s in steps if s.kind == "refused"}


def test_a_case_file_cannot_smuggle_an_unchecked_value_past_its_status(tmp_path):
    case = sample_case(id_number=BAD_ID, phone="12345")   # both marked "ok" in the file
    reasons = {v.field: v.reasons for v in vet(sample_playbook(), case) if v.needs_person}
    assert set(reasons) == {"id_number", "phone"}
    # on_invalid: field — those two boxes are left alone, every other one is planned
    steps = plan(sample_playbook(), case)
    why = refused(steps)
    assert set(why) == {"id_number", "phone"}
    assert why["phone"].startswith("联系电话 (phone) is left empty: ")
    assert why["phone"].endswith("or fill again with --accept phone.")
    assert "\n" not in why["phone"] and why["phone"].count(".") == 1
    pb = sample_playbook()
    texts = {n for n in pb.filled_names() if pb.field_spec(n).type != "choice" and case.value(n)}
    assert {s.field for s in steps if s.kind == "type"} == texts - {"id_number", "phone"}
    # on_invalid: fill — nothing at all
    with pytest.raises(NeedsPersonError) as caught:
        plan(sample_playbook("fill"), case)
    assert caught.value.exit_code == 1 and caught.value.fields == ["id_number", "phone"]
    assert "--accept" in caught.value.message


@pytest.mark.parametrize("policy", ["field", "fill"])
def test_a_confirmation_holds_for_the_value_it_was_given_for_only(policy):
    pb = sample_playbook(policy)
    case = sample_case(phone="12345")
    confirm(case.fields["phone"], "clerk")
    assert refused(plan(pb, case)) == {}               # a person looked: it may be typed
    case.fields["phone"].value = "123456"              # changed afterwards: ask again
    if policy == "fill":
        with pytest.raises(NeedsPersonError):
            plan(pb, case)
    else:
        assert set(refused(plan(pb, case))) == {"phone"}


def test_birth_date_against_the_id_number():
    pb = sample_playbook()
    verdicts = {v.field: v for v in vet(pb, sample_case(birth_date="1991-03-07", gender="女"))}
    assert verdicts["birth_date"].needs_person and verdicts["gender"].needs_person
    assert not verdicts["id_number"].needs_person


def test_registry_statuses_still_need_a_person_even_when_the_check_passes():
    pb = sample_playbook()
    case = sample_case()
    case.fields["address"].status = "mismatch"
    case.fields["address"].source["registry"] = {"value": "福建省龙岩市新罗区九一北路26号"}
    (v,) = [v for v in vet(pb, case) if v.needs_person]
    assert v.field == "address" and "九一北路26号" in v.reasons[0]


def test_control_characters_are_refused_even_when_confirmed():
    case = sample_case(applicant_name="张\x1b[31m伟")
    confirm(case.fields["applicant_name"], "clerk")
    why = refused(plan(sample_playbook(), case))
    assert list(why) == ["applicant_name"] and "U+001B (ESC)" in why["applicant_name"]
    assert "\x1b" not in why["applicant_name"]
    with pytest.raises(RefusedValueError) as caught:
        plan(sample_playbook("fill"), case)
    assert caught.value.exit_code == 2 and "U+001B (ESC)" in caught.value.message


def test_a_step_whose_when_does_not_hold_is_not_gated():
    """A value the fill would not type (its step's condition is false) neither refuses
    its step nor, with on_invalid: fill, stops the fill."""
    from playbooks.model import Condition
    pb = sample_playbook("fill")
    i = next(i for i, s in enumerate(pb.steps) if getattr(s, "field", None) == "phone")
    steps = list(pb.steps)
    steps[i] = dataclasses.replace(steps[i], when=Condition("marital_status", ("离异",)))
    pb = dataclasses.replace(pb, steps=tuple(steps))
    planned = plan(pb, sample_case(phone="12345"))
    assert planned[i].kind == "not_applicable" and planned[i].field == "phone"


# -- through the pipeline ------------------------------------------------------------
def test_an_invalid_value_leaves_only_its_own_box_and_the_rest_is_typed(tmp_path):
    desktop = DummyDesktop()
    pipeline = pipeline_with(desktop, tmp_path)
    case = sample_case(id_number=BAD_ID)
    path = tmp_path / "case.json"
    report = pipeline.fill(sample_playbook(), case, path,
                           FillOptions(wait_focus_s=0.1, abort_keys=None, failsafe=False))
    assert BAD_ID not in typed(desktop) and SAMPLE["applicant_name"] in typed(desktop)
    (r,) = report.refused
    assert r.field == "id_number" and r.status == "refused" and "--accept id_number" in r.message
    assert report.unconfirmed == ["id_number"]
    assert "1 refused and left empty, their values may not be typed (id_number)" in report.summary()
    kept = load_case(path)
    assert kept.fields["id_number"].value == BAD_ID and kept.fills[-1]["outcome"] == "done"


def test_with_on_invalid_fill_a_refused_fill_types_nothing_and_keeps_a_log_entry(tmp_path):
    desktop = DummyDesktop()
    pipeline = pipeline_with(desktop, tmp_path)
    case = sample_case(id_number=BAD_ID)
    path = tmp_path / "case.json"
    with pytest.raises(NeedsPersonError):
        pipeline.fill(sample_playbook("fill"), case, path,
                      FillOptions(wait_focus_s=0.1, abort_keys=None, failsafe=False))
    assert typed(desktop) == "" and desktop.received == {1: []}
    kept = load_case(path)
    assert kept.fields["id_number"].value == BAD_ID
    assert kept.fills[-1]["outcome"] == "not_started" and "id_number" in kept.fills[-1]["message"]


def test_accepted_fields_are_typed_and_the_summary_counts_empty_ones(tmp_path):
    desktop = DummyDesktop()
    pipeline = pipeline_with(desktop, tmp_path)
    pb = pipeline.playbook("sample-qt-intake")
    case = sample_case(phone="12345", email="", remarks="")
    confirm(case.fields["phone"], "cli --accept")
    report = pipeline.fill(pb, case, tmp_path / "c.json",
                           FillOptions(wait_focus_s=0.1, abort_keys=None, failsafe=False))
    assert "12345" in typed(desktop)
    assert report.left_empty == ["email", "remarks"] and report.refused == []
    assert "2 left empty (email, remarks)" in report.summary()
    assert report.summary().startswith(f"{report.readback_ok} of 11 fields confirmed")


# -- the command line ----------------------------------------------------------------
def test_cli_leaves_an_invalid_value_empty_in_a_dry_run_and_a_fill(tmp_path, monkeypatch):
    monkeypatch.setenv("DESKHAND_DESKTOP", "dummy")
    sets = [f"--set={k}={v}" for k, v in {**SAMPLE, "phone": "12345"}.items()]
    code, out, err = run("fill", "sample-qt-intake", *sets, "--dry-run")
    assert code == 1 and "联系电话 (phone) is left empty" in err
    (line,) = [x for x in out.splitlines() if "refused phone" in x]
    assert line.endswith("or fill again with --accept phone.")      # the sentence, once
    code, out, err = run("fill", "sample-qt-intake", *sets, "--yes", "--json")
    doc = json.loads(out)
    assert code == 1 and doc["outcome"] == "done", err
    (row,) = [r for r in doc["fields"] if r["status"] == "refused"]
    assert row["field"] == "phone" and "--accept phone" in row["message"]
    assert "联系电话 (phone) is left empty" in err
    code, out, err = run("fill", "sample-qt-intake", *sets, "--yes")
    assert code == 1 and "联系电话 (phone): REFUSED, left empty" in out
    assert "1 refused and left empty" in out and "联系电话 (phone) is left empty" in err
    code, out, err = run("fill", "sample-qt-intake", *sets, "--yes", "--accept", "phone")
    assert code == 0, err


def test_cli_with_on_invalid_fill_refuses_the_whole_fill(tmp_path, monkeypatch):
    monkeypatch.setenv("DESKHAND_DESKTOP", "dummy")
    book = fill_policy_file(tmp_path)
    sets = [f"--set={k}={v}" for k, v in {**SAMPLE, "phone": "12345"}.items()]
    code, out, err = run("fill", book, *sets, "--dry-run")
    assert code == 1 and "needs a person" in out and "联系电话 (phone)" in err
    code, out, err = run("fill", book, *sets, "--yes", "--json")
    doc = json.loads(out)
    assert code == 1 and doc["outcome"] == "not_started" and doc["needs_person"] == ["phone"]
    code, out, err = run("fill", book, *sets, "--yes", "--accept", "phone")
    assert code == 0, err


def test_cli_refuses_control_characters_and_never_prints_them(tmp_path, monkeypatch):
    monkeypatch.setenv("DESKHAND_DESKTOP", "dummy")
    case = tmp_path / "case.json"
    case.write_text(json.dumps({**SAMPLE, "applicant_name": "张\x1b[31m伟\u202e"}), encoding="utf-8")
    for book, code_wanted in (("sample-qt-intake", 1), (fill_policy_file(tmp_path), 2)):
        for extra in (["--dry-run"], ["--yes"], ["--dry-run", "--json"], ["--yes", "--json"]):
            code, out, err = run("fill", book, "--case", str(case), *extra)
            assert code == code_wanted, (book, extra, err)
            assert "\x1b" not in out + err and "\u202e" not in out + err
            assert "U+001B (ESC)" in err


def test_accept_names_a_declared_field(monkeypatch):
    code, _, err = run("fill", "sample-qt-intake", "--case",
                       str(ROOT / "resources/samples/case-zhang-wei.json"), "--accept", "phnoe",
                       "--dry-run")
    assert code == 2 and "did you mean 'phone'" in err


@pytest.mark.parametrize("extra, said", [
    (["--start-step", "999"], "--start-step takes a step from 1 to 25"),
    (["--start-step", "0"], "--start-step takes a step from 1 to 25"),
    (["--wait-focus", "nan"], "--wait-focus takes seconds"),
    (["--wait-focus", "-1"], "--wait-focus takes seconds"),
])
def test_fill_options_out_of_range_are_usage_errors(monkeypatch, extra, said):
    monkeypatch.setenv("DESKHAND_DESKTOP", "dummy")
    code, out, err = run("fill", "sample-qt-intake", "--case",
                         str(ROOT / "resources/samples/case-zhang-wei.json"), "--yes", *extra)
    assert code == 2 and said in err and "confirmed" not in out
