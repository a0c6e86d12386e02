"""The pure parts of scenarios in the tray: which packs are offered, the one review's fields,
the scenario report across the fill worker's pipe, the summary's lines, the overlay's form
title, and where documents go. The tray itself, end to end: tests/test_tray_scenario.py."""
from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

from app.cases import Case, FieldValue, case_from_values
from app.errors import FormWindowError
from app.fill.engine import FieldResult, FillReport
from app.fill.worker import scenario_report_from_json, scenario_report_to_json
from app.scenario.keep import Kept
from app.scenario.library import find_scenarios, group_lines, review_playbook
from app.scenario.model import Keep, ScenarioForm, ScenarioForms
from app.scenario.run import FormResult, ScenarioReport
from app.ui.scenario_flow import documents_folder
from app.ui.scenario_windows import scenario_summary_text
from playbooks.loader import load_playbook_text

FIRST = """\
deskhand: 1
id: unit-first
name: 设立登记
target: {title: "设立登记*"}
fields:
  - {name: company_name, label: 企业名称}
  - {name: legal_rep_name, label: 法定代表人}
fill:
  - type: company_name
  - type: legal_rep_name
"""
SECOND = """\
deskhand: 1
id: unit-second
name: 税务登记
target: {title: "税务登记*"}
fields:
  - {name: company_name, label: 纳税人名称}
  - {name: registration_no, label: 受理编号}
  - {name: agent_phone, label: 办税人电话, type: phone}
fill:
  - type: company_name
  - type: registration_no
  - type: agent_phone
"""
ROOT = Path(__file__).resolve().parents[1]
PACK = "scenario: 1\nname: {name}\n{targets}"


def forms() -> ScenarioForms:
    first = load_playbook_text(FIRST, "first.yaml")
    second = load_playbook_text(SECOND, "second.yaml")
    return ScenarioForms("setup", "企业开办", (
        ScenarioForm("设立登记", first, (Keep("registration_no", "受理编号"),)),
        ScenarioForm("税务登记", second), ScenarioForm("社保登记", second)))


def pack(folder: Path, name: str, text: str) -> None:
    (folder / name).mkdir(parents=True)
    (folder / name / "scenario.yaml").write_text(text, encoding="utf-8")


def test_packs_with_targets_are_offered_broken_ones_listed_the_first_of_an_id_wins(tmp_path):
    mine, shipped = tmp_path / "mine", tmp_path / "shipped"
    pack(mine, "setup", PACK.format(name="我的企业开办", targets="targets:\n  - a.yaml\n"))
    shutil.copytree(ROOT / "playbooks" / "library" / "company-setup", mine / "docs-only")
    scenario = mine / "docs-only" / "scenario.yaml"     # the shipped pack without its forms
    scenario.write_text(scenario.read_text(encoding="utf-8").split("targets:")[0],
                        encoding="utf-8")
    pack(mine, "broken", "scenario: 1\nname: [\n")
    pack(shipped, "setup", PACK.format(name="企业开办", targets="targets:\n  - a.yaml\n"))
    (mine / "loose.yaml").write_text("deskhand: 1\n", encoding="utf-8")
    shelf = find_scenarios([mine, tmp_path / "absent", shipped])
    assert [(s.id, s.name) for s in shelf.scenarios] == [("setup", "我的企业开办")]
    assert shelf.get("setup").path == mine / "setup" and shelf.get("docs-only") is None
    assert [p.name for p, _why in shelf.broken] == ["broken"]
    assert "scenario.yaml" in shelf.broken[0][1]


def test_the_review_shows_every_typed_field_once_but_not_a_number_a_form_issues():
    f = forms()
    pb = review_playbook(f, case_from_values({"company_name": "示例公司"}, "setup", {}))
    assert pb.filled_names() == ["company_name", "legal_rep_name", "agent_phone"]
    assert pb.field_spec("company_name").label == "企业名称"        # the first form's spec
    assert pb.name == "企业开办" and pb.path is None
    resumed = case_from_values({"registration_no": "SL-1"}, "setup", {})
    assert "registration_no" in review_playbook(f, resumed).filled_names()


def test_group_values_are_lines_with_id_numbers_masked_and_doubts_marked():
    case = Case("c", None, {}, groups={"shareholders": [
        {"name": "林晓明", "id_number": "350802198503122038", "share": "60"}]},
        group_status={"shareholders": [{"share": "invalid"}]})
    lines = group_lines(case, lambda v: "***" if len(v) == 18 else v, str.upper)
    assert lines == ["shareholders 1: name 林晓明 · id_number *** · share 60 (INVALID)"]


def report() -> ScenarioReport:
    fill = FillReport("unit-first", "done", results=[
        FieldResult("company_name", 0, "readback_ok"), FieldResult("legal_rep_name", 1,
                                                                   "readback_ok")])
    kept = Kept(Keep("registration_no", "受理编号", r"SL-\d+"), "SL-20261205", "accessible")
    error = FormWindowError("No window of form 2 of 3 (税务登记) is open.", playbook="unit-second")
    return ScenarioReport("setup", [
        FormResult(0, "设立登记", "done", 2, [], [kept], report=fill),
        FormResult(1, "税务登记", "failed", message=error.message)], error, 1, "stopped at 2")


def test_a_scenario_report_crosses_the_worker_pipe_whole():
    import json
    back = scenario_report_from_json(json.loads(json.dumps(scenario_report_to_json(report()))))
    assert isinstance(back.error, FormWindowError) and back.error.exit_code == 3
    assert back.stopped_at == 1 and back.message == "stopped at 2" and not back.done
    first = back.forms[0]
    assert (first.outcome, first.confirmed, first.report.readback_ok) == ("done", 2, 2)
    assert first.kept[0].value == "SL-20261205" and first.kept[0].status == "ok"
    assert back.forms[1].report is None and "税务登记" in back.forms[1].message


def test_the_summary_has_a_line_per_form_and_says_where_it_goes_on():
    title, body = scenario_summary_text(report(), ["设立登记", "税务登记", "社保登记"], "企业开办")
    lines = body.splitlines()
    assert title == "Stopped: 企业开办"
    assert lines[0] == "Form 1/3 设立登记: filled, 2 of 2 fields read back correctly"
    assert lines[1] == "  Kept registration_no = SL-20261205"
    assert lines[2].startswith("Form 2/3 税务登记: not filled. No window of form 2")
    assert lines[3] == "Form 3/3 社保登记: not started"
    assert "form 2" in lines[-1]
    done = ScenarioReport("setup", [FormResult(0, "设立登记", "skipped")])
    assert scenario_summary_text(done, ["设立登记"], "企业开办")[0] == "All 1 forms filled: 企业开办"


def test_the_overlay_names_the_form_and_counts_its_own_fields(qapp):
    from app.ui.progress import FillProgress
    f = forms()
    overlay = FillProgress()
    callback = overlay.scenario_callback([(x.name, x.playbook) for x in f.forms])
    overlay.start(f.name, 0)
    overlay._on_engine_event("form", {"index": 1, "total": 3, "name": "税务登记"})
    overlay._on_engine_event("step", {"index": 2})
    assert overlay.title.text() == "Form 2/3: 税务登记"
    assert overlay.detail.text() == "Field 3 of 3: 办税人电话"
    assert overlay.history[-2:] == ["Starting…", "Field 3 of 3: 办税人电话"]
    assert callable(callback)
    overlay.finish()


def test_documents_go_to_a_new_folder_under_the_cases_folder(tmp_path):
    case = Case("20261205-1", None, {"a": FieldValue("x", "ok")})
    out = documents_folder(tmp_path, case, datetime(2026, 12, 5, 13, 1, 2))
    assert out == tmp_path / "文书" / "20261205-1-20261205-130102"


def scenario_tray(qtbot, tmp_path, last_scenario=None):
    """The tray in-process (offscreen), a pack of two forms in the clerk's folder."""
    from types import SimpleNamespace

    from playbooks.loader import load_playbook
    from test_tray_unit import KEYS, FakePipeline
    from app.hotkeys.dummy import DummyHotkeys
    from app.library import load_library
    from app.ui.dispatch import MainThread
    from app.ui.tray import TrayApp
    folder = tmp_path / "mine"
    pack(folder, "setup", PACK.format(name="企业开办", targets=(
        "targets:\n  - playbook: first.yaml\n    keep:\n"
        "      - {field: registration_no, label: 受理编号}\n  - second.yaml\n")))
    (folder / "setup" / "first.yaml").write_text(FIRST, encoding="utf-8")
    (folder / "setup" / "second.yaml").write_text(SECOND, encoding="utf-8")
    pipeline = FakePipeline(load_library([folder]))    # as the pipeline reads the settings
    pipeline.playbook = lambda ref: load_playbook(ref)
    pipeline.cases_dir = tmp_path / "cases"
    saved: list[dict] = []
    settings = SimpleNamespace(hotkeys=dict(KEYS), last_playbook=None, playbook_dirs=[str(folder)],
                               last_scenario=last_scenario)
    hotkeys = DummyHotkeys()
    tray = TrayApp(pipeline=pipeline, settings=settings, hotkeys=hotkeys, main=MainThread(),
                   log_dir=tmp_path / "logs", fill_worker=None,
                   remember=lambda **changes: saved.append(changes) or settings)
    tray.show()
    return tray, hotkeys, saved


def test_the_menu_offers_the_scenario_and_the_pick_is_remembered(qtbot, tmp_path):
    tray, _hotkeys, saved = scenario_tray(qtbot, tmp_path)
    menus = {a.text(): a.menu() for a in tray.menu.actions() if a.menu() is not None}
    scenarios = [m for m in menus.values() if any(a.data() == "setup" for a in m.actions())]
    assert len(scenarios) == 1 and not tray.act_intake.isVisible()
    pick = next(a for a in scenarios[0].actions() if a.data() == "setup")
    assert pick.text() == "企业开办"
    pick.trigger()
    assert tray.state.scenario_id == "setup" and saved == [{"last_scenario": "setup"}]
    assert tray.act_intake.isVisible()
    tray.choose_playbook("sample-qt-intake")                 # a playbook again: no scenario
    assert tray.state.scenario_id is None and saved[-1] == {"last_scenario": None}
    tray.icon.hide()
    again, _h, _s = scenario_tray(qtbot, tmp_path / "again", last_scenario="setup")
    assert again.state.scenario_id == "setup"
    again.icon.hide()


def test_a_capture_for_a_scenario_reads_with_its_first_form_and_opens_one_review(qtbot, tmp_path):
    tray, hotkeys, _saved = scenario_tray(qtbot, tmp_path, last_scenario="setup")
    seen = []
    original = tray.pipeline.capture
    tray.pipeline.capture = lambda pb, src: seen.append(pb.id) or original(pb, src)
    hotkeys.trigger("capture")
    qtbot.waitUntil(lambda: tray.scenarios.review is not None, timeout=5000)
    review = tray.scenarios.review
    assert seen == ["unit-first"]
    # form 1's fields and form 2's, once; not the number form 1 issues
    assert list(review.rows) == ["company_name", "legal_rep_name", "agent_phone"]
    assert review.rows["agent_phone"].fv.status == "missing" and not review.can_fill
    assert review.documents_button.isHidden()                # the pack has no documents
    status = tray.status()
    assert status["review_open"] and status["scenario_case"].endswith("c1.json")
    review.close()
    # the clerk's decision is an entry of the audit log (Pipeline.review)
    assert tray.pipeline.reviews == [("c1", "cancelled", "tray scenario review")]
    tray.icon.hide()


def test_documents_without_libreoffice_are_a_sentence_and_leave_no_folder(qtbot, tmp_path,
                                                                          monkeypatch):
    company = ROOT / "playbooks" / "library" / "company-setup"
    tray, _hotkeys, _saved = scenario_tray(qtbot, tmp_path, last_scenario="setup")
    pack_dir = tmp_path / "mine" / "setup"
    for item in company.iterdir():            # the 企业开办 documents, with the pack's forms
        if item.name != "scenario.yaml":
            (shutil.copytree if item.is_dir() else shutil.copy)(item, pack_dir / item.name)
    forms_part = (pack_dir / "scenario.yaml").read_text(encoding="utf-8").split("targets:", 1)[1]
    (pack_dir / "scenario.yaml").write_text(
        (company / "scenario.yaml").read_text(encoding="utf-8") + "targets:" + forms_part,
        encoding="utf-8")
    tray.scenarios.shelf = find_scenarios([tmp_path / "mine"])
    tray.scenarios.open_intake(str(company / "samples" / "case.json"))
    review = tray.scenarios.review
    assert review is not None and not review.documents_button.isHidden()
    assert any("shareholders 2" in line for line in review.groups.text().splitlines())
    assert "350802198503122038" not in review.groups.text()        # ID numbers masked
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))              # no soffice to be found
    review.documents_button.click()
    qtbot.waitUntil(lambda: tray.scenarios.docs_error is not None, timeout=60000)
    assert "LibreOffice" in tray.scenarios.docs_error and tray.state.busy is None
    assert tray.scenarios.last_docs is None
    docs = tmp_path / "cases" / "文书"
    assert not docs.exists() or not any(docs.iterdir())
    review.close()
    tray.icon.hide()


def test_a_group_value_that_failed_its_check_stops_the_fill_before_the_worker(qtbot, tmp_path):
    tray, _hotkeys, _saved = scenario_tray(qtbot, tmp_path, last_scenario="setup")
    said = []
    tray.notify = lambda title, body, warning=False: said.append(body)
    case = case_from_values({"company_name": "示例公司", "legal_rep_name": "林晓明",
                             "agent_phone": "13905970002"}, "setup", {})
    case.groups = {"shareholders": [{"name": "林晓明", "share": "60"}]}
    case.group_status = {"shareholders": [{"share": "invalid"}]}
    tray.scenarios.take_case(case, tmp_path / "case.json")
    review = tray.scenarios.review
    assert "share 60 (" in review.groups.text()
    review.accept()                        # 填写: the refusal comes before the fill worker
    assert tray.state.busy is None and tray.state.fills == 0
    assert said and "shareholders › 1 › share" in said[-1]
    assert not (tmp_path / "case.json").exists()             # nothing sent to be typed
    tray.icon.hide()


def test_the_intake_form_opens_from_the_tray_and_its_saved_case_goes_to_the_review(qtbot,
                                                                                    tmp_path):
    import json

    from test_intake_dialog import commit_text
    company = ROOT / "playbooks" / "library" / "company-setup"
    values = json.loads((company / "samples" / "case.json").read_text(encoding="utf-8"))
    values["agent_id"] = "350802198809091520"                   # its check digit is 9
    given = tmp_path / "given.json"
    given.write_text(json.dumps(values, ensure_ascii=False), encoding="utf-8")
    tray, _hotkeys, _saved = scenario_tray(qtbot, tmp_path, last_scenario="setup")
    assert tray.act_form.isVisible()
    tray.scenarios.open_intake(str(given))
    first = tray.scenarios.current
    # the case not yet filled opens in the form again, its wrong value shown as such
    tray.act_form.trigger()
    dialog = tray.scenarios.intake_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.edits["agent_id"].text() == "350802198809091520"
    assert dialog.intake.fields["agent_id"].status == "invalid"
    commit_text(dialog.edits["agent_id"], "350802198809091529")
    assert dialog.save()
    qtbot.waitUntil(lambda: tray.scenarios.current is not first, timeout=5000)
    current = tray.scenarios.current
    assert current.case_path == first.case_path and current.case_path.is_file()
    assert current.case.fields["agent_id"].value == "350802198809091529"
    assert current.case.fields["agent_id"].status == "ok"
    assert tray.scenarios.review is not None and tray.scenarios.review.isVisible()
    tray.scenarios.review.close()
    # a new applicant: the form starts empty and its case gets a file of its own
    tray.scenarios.current.confirmed = True
    tray.act_form.trigger()
    fresh = tray.scenarios.intake_dialog
    assert fresh is not dialog and fresh.edits["agent_id"].text() == ""
    assert fresh.output.parent == tmp_path / "cases" and fresh.output != first.case_path
    fresh.close()
    tray.icon.hide()
