"""The gate before typing (app/fill/gate.py): nothing unchecked is typed, whatever the
case came from. The logic is checked here on a recording desktop (app.desktop.dummy) run
through the real pipeline; the same refusals against a real Qt client and Chromium page
are in tests/test_fill_e2e.py."""
from __future__ import annotations

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
def test_a_case_file_cannot_smuggle_an_unchecked_value_past_its_status(tmp_path):
    pb = build_pipeline(PipelineOptions(settings=Settings())).playbook("sample-qt-intake")
    case = sample_case(id_number=BAD_ID, phone="12345")   # both marked "ok" in the file
    reasons = {v.field: v.reasons for v in vet(pb, case) if v.needs_person}
    assert set(reasons) == {"id_number", "phone"}
    with pytest.raises(NeedsPersonError) as caught:
        plan(pb, case)
    assert caught.value.exit_code == 1 and caught.value.fields == ["id_number", "phone"]
    assert "--accept" in caught.value.message


def test_a_confirmation_holds_for_the_value_it_was_given_for_only():
    pb = build_pipeline(PipelineOptions(settings=Settings())).playbook("sample-qt-intake")
    case = sample_case(phone="12345")
    confirm(case.fields["phone"], "clerk")
    assert plan(pb, case)                              # a person looked: it may be typed
    case.fields["phone"].value = "123456"              # changed afterwards: ask again
    with pytest.raises(NeedsPersonError):
        plan(pb, case)


def test_birth_date_against_the_id_number():
    pb = build_pipeline(PipelineOptions(settings=Settings())).playbook("sample-qt-intake")
    verdicts = {v.field: v for v in vet(pb, sample_case(birth_date="1991-03-07", gender="女"))}
    assert verdicts["birth_date"].needs_person and verdicts["gender"].needs_person
    assert not verdicts["id_number"].needs_person


def test_registry_statuses_still_need_a_person_even_when_the_check_passes():
    pb = build_pipeline(PipelineOptions(settings=Settings())).playbook("sample-qt-intake")
    case = sample_case()
    case.fields["address"].status = "mismatch"
    case.fields["address"].source["registry"] = {"value": "福建省龙岩市新罗区九一北路26号"}
    (v,) = [v for v in vet(pb, case) if v.needs_person]
    assert v.field == "address" and "九一北路26号" in v.reasons[0]


def test_control_characters_are_refused_even_when_confirmed():
    pb = build_pipeline(PipelineOptions(settings=Settings())).playbook("sample-qt-intake")
    case = sample_case(applicant_name="张\x1b[31m伟")
    confirm(case.fields["applicant_name"], "clerk")
    with pytest.raises(RefusedValueError) as caught:
        plan(pb, case)
    assert caught.value.exit_code == 2 and "U+001B (ESC)" in caught.value.message


# -- through the pipeline: nothing reaches the desktop --------------------------------
def test_a_refused_fill_types_nothing_and_keeps_a_log_entry(tmp_path):
    desktop = DummyDesktop()
    pipeline = pipeline_with(desktop, tmp_path)
    pb = pipeline.playbook("sample-qt-intake")
    case = sample_case(id_number=BAD_ID)
    path = tmp_path / "case.json"
    with pytest.raises(NeedsPersonError):
        pipeline.fill(pb, case, path, FillOptions(wait_focus_s=0.1, abort_keys=None, failsafe=False))
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
    assert report.left_empty == ["email", "remarks"]
    assert "2 left empty (email, remarks)" in report.summary()
    assert report.summary().startswith(f"{report.readback_ok} of 11 fields confirmed")


# -- the command line ----------------------------------------------------------------
def test_cli_refuses_invalid_values_in_a_dry_run_and_a_fill(tmp_path, monkeypatch):
    monkeypatch.setenv("DESKHAND_DESKTOP", "dummy")
    sets = [f"--set={k}={v}" for k, v in {**SAMPLE, "phone": "12345"}.items()]
    code, out, err = run("fill", "sample-qt-intake", *sets, "--dry-run")
    assert code == 1 and "needs a person" in out and "联系电话 (phone)" in err
    code, out, err = run("fill", "sample-qt-intake", *sets, "--yes", "--json")
    doc = json.loads(out)
    assert code == 1 and doc["outcome"] == "not_started" and doc["needs_person"] == ["phone"]
    code, out, err = run("fill", "sample-qt-intake", *sets, "--yes", "--accept", "phone")
    assert code == 0, err


def test_cli_refuses_control_characters_and_never_prints_them(tmp_path, monkeypatch):
    monkeypatch.setenv("DESKHAND_DESKTOP", "dummy")
    case = tmp_path / "case.json"
    case.write_text(json.dumps({**SAMPLE, "applicant_name": "张\x1b[31m伟\u202e"}), encoding="utf-8")
    for extra in (["--dry-run"], ["--yes"], ["--dry-run", "--json"]):
        code, out, err = run("fill", "sample-qt-intake", "--case", str(case), *extra)
        assert code == 2, (extra, err)
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
