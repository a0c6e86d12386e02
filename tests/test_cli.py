"""The command line's contract (DESIGN.md §4): exit codes, masking, and that bad input
stops before anything is typed with a sentence a clerk or IT can act on."""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from app.cli import main

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "resources/samples/case-zhang-wei.json"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(autouse=True)
def data_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))


def test_dry_run_needs_no_display_and_masks_the_id_number(monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    code, out, _ = run("fill", "sample-qt-intake", "--case", str(SAMPLE), "--dry-run", "--json")
    assert code == 0
    doc = json.loads(out)
    typed = {f["field"]: f["text"] for f in doc["fields"] if f["kind"] == "type"}
    assert typed["id_number"] == "3508**********103X" and typed["applicant_name"] == "张伟"
    assert "35080219900307103X" not in out


def test_no_display_is_a_fault_and_the_case_is_kept(monkeypatch, tmp_path):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.setenv("DESKHAND_DESKTOP", "x11")
    kept = tmp_path / "kept.json"
    code, _, err = run("fill", "sample-qt-intake", "--case", str(SAMPLE), "--yes", "-o", str(kept))
    assert code == 3 and "No X display" in err
    assert json.loads(kept.read_text(encoding="utf-8"))["fields"]["applicant_name"]["value"] == "张伟"


def test_unknown_field_in_set_suggests_the_right_one():
    code, _, err = run("fill", "sample-qt-intake", "--set", "applicant_nmae=张三", "--dry-run")
    assert code == 2 and "did you mean 'applicant_name'" in err


def test_missing_required_field_stops_before_typing():
    code, _, err = run("fill", "sample-qt-intake", "--set", "applicant_name=张三", "--yes")
    assert code == 2 and "required" in err


def test_without_yes_and_without_a_terminal_nothing_is_typed(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    code, _, err = run("fill", "sample-qt-intake", "--case", str(SAMPLE))
    assert code == 2 and "Refusing to type without confirmation" in err


def test_fields_marked_for_a_person_are_left_empty_until_confirmed(tmp_path, monkeypatch):
    monkeypatch.setenv("DESKHAND_DESKTOP", "dummy")
    case = {"deskhand_case": 1, "case_id": "c1", "playbook": "sample-qt-intake",
            "fields": {k: {"value": v, "status": "ok"} for k, v in
                       json.loads(SAMPLE.read_text(encoding="utf-8")).items()}}
    case["fields"]["id_number"]["status"] = "invalid"
    path = tmp_path / "c.json"
    path.write_text(json.dumps(case, ensure_ascii=False), encoding="utf-8")
    code, out, err = run("fill", "sample-qt-intake", "--case", str(path), "--yes")
    assert code == 1 and "(id_number) is left empty: it is marked invalid" in err
    assert "(id_number): REFUSED, left empty" in out
    code, out, err = run("fill", "sample-qt-intake", "--case", str(path), "--yes",
                         "--accept", "id_number")
    assert code == 0, err


def test_bad_case_file_is_explained(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{oops", encoding="utf-8")
    code, _, err = run("fill", "sample-qt-intake", "--case", str(bad), "--dry-run")
    assert code == 2 and "not valid JSON" in err


def test_check_exit_codes(tmp_path):
    assert run("check", str(ROOT / "playbooks/library/sample-web-intake.yaml"))[0] == 0
    broken = tmp_path / "b.yaml"
    broken.write_text("deskhand: 2\n", encoding="utf-8")
    code, _, err = run("check", str(broken))
    assert code == 2 and f"{broken}:1:" in err and "unsupported format version" in err
