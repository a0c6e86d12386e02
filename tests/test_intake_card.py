"""An ID card read by real OCR into the intake form, and `deskhand intake --yes` writing the
case from answers and a card (generated images: app/sandbox/sources.py)."""
from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from app.cases import load_case
from app.intake.card import CARD_PLAYBOOK, put_person, read_id_card
from app.intake.checks import check_intake
from app.intake.model import Intake
from app.ocr import open_engine
from app.sandbox.people import make_person
from app.sandbox.sources import render_id_card
from playbooks.loader import load_playbook

ROOT = Path(__file__).resolve().parent.parent
PACK = ROOT / "playbooks/library/company-setup"
CARD_PB = ROOT / f"playbooks/library/{CARD_PLAYBOOK}.yaml"


@pytest.fixture(scope="module")
def engine():
    e = open_engine("rapidocr")
    e.load()
    return e


def deskhand(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app.cli", *args], capture_output=True,
                          text=True, timeout=180, cwd=ROOT)


def answers_for(person, path: Path) -> Path:
    """The sample's answers with the card's person as the first shareholder and no legal
    representative typed: the card gives those."""
    doc = json.loads((PACK / "samples/case.json").read_text(encoding="utf-8"))
    del doc["legal_rep_name"], doc["legal_rep_id"]
    doc["shareholders"][0].update(name=person.name, id_number=person.id_number)
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def test_a_card_read_by_ocr_fills_the_legal_representative(engine):
    person = make_person(7)
    src = render_id_card(person, seed=7, blur=0.6, jpeg_quality=70)
    read = read_id_card(load_playbook(CARD_PB), src.image, engine, {"kind": "image", "file": "x"})
    assert read["name"].value == person.name and read["id_number"].value == person.id_number
    assert read["name"].status == "unchecked"        # free text: no check can confirm a name
    assert read["id_number"].status == "ok"          # its check digit passed
    intake = Intake()
    put_person(intake, "shareholders:2", read)
    assert len(intake.groups["shareholders"]) == 2
    assert intake.groups["shareholders"][1]["id_number"].value == person.id_number


def test_a_name_the_engine_was_unsure_of_is_not_ok_until_a_person_types_it(engine, monkeypatch):
    person = make_person(3)
    src = render_id_card(person, seed=3)
    real_read, real_recognise = engine.read, engine.recognise

    def unsure(b):            # the engine gave 口 30% at each character, read again or not
        return replace(b, doubts=tuple(0.3 for _c in b.text),
                       alternatives=tuple((c, "口") for c in b.text))

    monkeypatch.setattr(engine, "read", lambda image: [
        unsure(b) if person.name in b.text else b for b in real_read(image)])
    monkeypatch.setattr(engine, "recognise", lambda image, crops: [
        unsure(ln) for ln in real_recognise(image, crops)])
    read = read_id_card(load_playbook(CARD_PB), src.image, engine, {"kind": "image"})
    assert read["name"].status == "invalid"
    intake = Intake()
    put_person(intake, "legal_rep", read)
    check_intake(intake)
    assert intake.fields["legal_rep_name"].status == "invalid"     # kept through the checks
    assert any("not sure" in s for _w, s in intake.problems())
    intake.set("legal_rep_name", person.name)                       # a person typed it
    check_intake(intake)
    assert intake.fields["legal_rep_name"].status == "ok"


def test_intake_yes_writes_the_case_from_answers_and_a_card(tmp_path):
    person = make_person(21)
    render_id_card(person, seed=21).image.save(tmp_path / "card.jpg", quality=85)
    answers = answers_for(person, tmp_path / "answers.json")
    case_path = tmp_path / "case.json"
    r = deskhand("intake", str(PACK), "--from", str(answers), "--id-card", str(tmp_path / "card.jpg"),
                 "-o", str(case_path), "--yes", "--json")
    assert r.returncode == 0, r.stderr + r.stdout
    assert json.loads(r.stdout)["needs_person"] == []
    case = load_case(case_path)
    assert case.value("legal_rep_name") == person.name
    assert case.value("legal_rep_id") == person.id_number
    assert case.fields["legal_rep_id"].source["kind"] == "image"
    assert case.fields["legal_rep_name"].status == "unchecked"
    assert case.groups["shareholders"][0]["name"] == person.name
    assert case.status_in_group("shareholders", 0, "id_number") == "ok"


def test_intake_yes_lists_what_needs_a_person_and_docs_refuse_the_case(tmp_path):
    doc = json.loads((PACK / "samples/case.json").read_text(encoding="utf-8"))
    doc["shareholders"][1]["amount"] = "30"
    doc["shareholders"][1]["share"] = "30"
    (tmp_path / "answers.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    case_path = tmp_path / "case.json"
    r = deskhand("intake", str(PACK), "--from", str(tmp_path / "answers.json"), "-o",
                 str(case_path), "--yes")
    assert r.returncode == 1
    assert "add up to 90%, not 100%" in r.stdout and "registered capital is 100 万元" in r.stdout
    assert "values need a person" in r.stderr and case_path.exists()      # nothing lost
    out = tmp_path / "docs"
    r = deskhand("docs", str(PACK), "--case", str(case_path), "-o", str(out))
    assert r.returncode == 1, r.stderr
    assert "shareholders › 2 › share" in r.stderr and "Traceback" not in r.stderr
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.parametrize("args, words", [
    (["--id-card", "nobody=card.png"], "names nobody on the form"),
    (["--id-card", "missing.png"], "does not exist"),
    (["--from", "missing.json"], "does not exist"),
    (["--from", "a.json", "--case", "a.json"], "not both"),
])
def test_bad_usage_is_a_sentence_and_exit_2(tmp_path, args, words):
    r = deskhand("intake", str(PACK), "-o", str(tmp_path / "case.json"), "--yes",
                 *[str(tmp_path / a) if a.endswith((".png", ".json")) and "=" not in a else a
                   for a in args])
    assert r.returncode == 2, r.stderr
    assert words in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "case.json").exists()


def test_the_form_without_a_display_says_how_to_go_on_and_writes_nothing(tmp_path):
    import os
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY",
                                                             "QT_QPA_PLATFORM")}
    r = subprocess.run([sys.executable, "-m", "app.cli", "intake", str(PACK), "-o",
                        str(tmp_path / "case.json")], capture_output=True, text=True, timeout=120,
                       cwd=ROOT, env=env)
    assert r.returncode == 3 and "--from ANSWERS.json" in r.stderr
    assert not (tmp_path / "case.json").exists()
