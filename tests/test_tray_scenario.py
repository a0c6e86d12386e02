"""Scenarios (业务场景) in the clerk's tray, end to end on the test run's own Xvfb: the real
tray process (no hotkeys), its fill worker, the approval form in Qt and as a Chromium page
(tests/test_scenario_e2e.py's pair). The tray is driven through its command socket as the
menu would (pick the scenario, open its case) and by keys (Enter confirms the review); the
forms are judged by their own /state.

- a pack in the clerk's playbook folder is offered; one review shows every field either
  form types (not the number form 1 issues); Enter fills form 1, the progress overlay says
  which form and field; form 2's window is missing: the summary says so and offers 继续;
  with the window there, 继续 fills form 2 only.
- 生成文书 writes the 企业开办 documents (LibreOffice) into a folder under the cases folder;
  a case lacking a template's field gets a sentence naming it, and no folder.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable

import pytest

from app.sandbox.toolkits import spec
from app.ui.app import send_command, wait_for_status
from test_scenario_e2e import WEB_FORM
from toolkit_keys import CASE, expected_fields
from toolkit_targets import PLAYBOOKS, require_toolkit, toolkit_desktop  # noqa: F401

pytestmark = [pytest.mark.desktop, pytest.mark.timeout(400)]

ROOT = Path(__file__).resolve().parent.parent
COMPANY = ROOT / "playbooks" / "library" / "company-setup"
MISSING_TITLE = "这个窗口还没打开*"


def qt_playbook() -> str:
    text = (PLAYBOOKS / "spec_form_set.yaml").read_text(encoding="utf-8").replace(
        'target: {title: "城市审批系统 - 受理登记*"}', f'target: {{title: "{spec.window_title("qt")}"}}')
    assert spec.window_title("qt") in text
    return text


class Tray:
    def __init__(self, proc: subprocess.Popen, env: dict[str, str], tmp: Path) -> None:
        self.proc, self.env, self.tmp = proc, env, tmp

    def send(self, **command: Any) -> dict[str, Any]:
        return send_command(command, 5.0, self.env) or {}

    def status(self) -> dict[str, Any]:
        return self.send(cmd="status")

    def wait(self, pred: Callable[[dict], Any], timeout: float, what: str) -> dict[str, Any]:
        try:
            return wait_for_status(pred, timeout, what, env=self.env, interval=0.1)
        except TimeoutError as exc:
            raise AssertionError(f"{exc}; tray stderr: " + (self.tmp / "tray.err").read_text(
                errors="replace")[-3000:]) from None


@pytest.fixture(scope="module")
def world(toolkit_desktop, tmp_path_factory):  # noqa: F811
    require_toolkit("qt")
    require_toolkit("chromium")
    tmp = tmp_path_factory.mktemp("tray-scenario")
    folder = tmp / "playbooks"
    pack = folder / "two-forms"
    pack.mkdir(parents=True)
    (pack / "first.yaml").write_text(qt_playbook(), encoding="utf-8")
    (pack / "second.yaml").write_text(WEB_FORM % MISSING_TITLE, encoding="utf-8")
    (pack / "scenario.yaml").write_text(
        "scenario: 1\nname: 两张表\ntargets:\n"
        "  - playbook: first.yaml\n    name: 受理登记（桌面）\n"
        "    keep:\n      - {field: first_case_no, label: 受理编号, pattern: 'SL-\\d{8}-\\d{4}'}\n"
        "  - second.yaml\n", encoding="utf-8")
    slow = folder / "slow"                    # form 1 pauses mid-way: time to press 中止
    slow.mkdir()
    (slow / "first.yaml").write_text(qt_playbook().replace(
        "  - set: phone\n", "  - wait: {seconds: 4}\n  - set: phone\n"), encoding="utf-8")
    (slow / "second.yaml").write_text(WEB_FORM % spec.window_title("chromium"), encoding="utf-8")
    (slow / "scenario.yaml").write_text(
        "scenario: 1\nname: 慢的两张表\ntargets:\n  - playbook: first.yaml\n    name: 受理登记（桌面）\n"
        "    keep:\n      - {field: first_case_no, label: 受理编号}\n  - second.yaml\n",
        encoding="utf-8")
    company = folder / "company"            # the 企业开办 pack, with a form to fill
    shutil.copytree(COMPANY, company)
    (company / "first.yaml").write_text(qt_playbook(), encoding="utf-8")
    documents_only = (COMPANY / "scenario.yaml").read_text(encoding="utf-8").split("targets:")[0]
    (company / "scenario.yaml").write_text(documents_only + "targets:\n  - first.yaml\n",
                                           encoding="utf-8")
    (folder / "no-targets").mkdir()          # documents only: not offered in the tray
    (folder / "no-targets" / "scenario.yaml").write_text(documents_only, encoding="utf-8")
    env = {**toolkit_desktop.env(), "XDG_RUNTIME_DIR": str(tmp / "run"),
           "XDG_CONFIG_HOME": str(tmp / "config"), "XDG_DATA_HOME": str(tmp / "data"),
           "XDG_STATE_HOME": str(tmp / "state"), "XDG_CACHE_HOME": str(tmp / "cache"),
           "PYTHONPATH": str(ROOT)}
    (tmp / "config" / "deskhand").mkdir(parents=True)
    (tmp / "config" / "deskhand" / "settings.yaml").write_text(
        f"playbook_dirs: ['{folder}']\n", encoding="utf-8")
    qt = toolkit_desktop.launch("qt")
    web = toolkit_desktop.launch("chromium")
    proc = toolkit_desktop.session.spawn([sys.executable, "-m", "app.cli", "tray", "--no-hotkeys"],
                                         env=env, cwd=str(ROOT), stderr=open(tmp / "tray.err", "w"))
    tray = Tray(proc, env, tmp)
    tray.wait(lambda s: "events" in s, 60, "the tray to answer")
    yield tray, qt, web, pack
    tray.send(cmd="quit")
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        toolkit_desktop.session.end(proc)
    web.close()
    qt.close()


def test_a_scenario_is_picked_reviewed_once_filled_form_by_form_and_resumed(world, toolkit_desktop):  # noqa: F811
    tray, qt, web, pack = world
    qt.reset()
    web.reset()
    st = tray.status()
    assert "two-forms" in st["menu_scenarios"] and "company" in st["menu_scenarios"]
    assert "no-targets" not in st["menu_scenarios"]
    assert tray.send(cmd="scenario", id="two-forms")["ok"]
    assert tray.status()["scenario"] == "two-forms"
    case = tray.tmp / "case.json"
    case.write_text(json.dumps(CASE, ensure_ascii=False), encoding="utf-8")
    tray.send(cmd="open_case", path=str(case))
    st = tray.wait(lambda s: s["review_active"], 20, "the scenario's review, focused")
    # every field the two forms type, once; not the number form 1 issues for form 2
    assert set(st["review_fields"]) == set(CASE)
    assert "first_case_no" not in st["review_fields"] and st["review_can_fill"]

    toolkit_desktop.session.xdotool("key", "Return")        # Enter confirms: the fill starts
    st = tray.wait(lambda s: (s["last_fill"] or {}).get("outcome") in ("stopped", "done", "failed"),
                   120, "the scenario's first run")
    assert st["last_fill"]["outcome"] == "stopped" and st["last_fill"]["stopped_at"] == 1, st
    held = qt.wait_state(lambda s: s["status"] == spec.SUBMITTED_STATUS, 8)["fields"]
    want = expected_fields()
    assert {n: held[n] for n in want if held[n] != want[n]} == {}
    assert [f["outcome"] for f in st["last_fill"]["forms"]] == ["done", "failed"]
    shown = st["progress_shown"]
    assert "第 1/2 张表：受理登记（桌面）" in shown, shown     # the UI speaks Chinese by default
    assert "第 1 / 15 项：姓名" in shown, shown                # and the field being typed
    assert st["summary_open"] and st["scenario_can_resume"]
    assert "这个窗口还没打开" in st["summary_text"]
    kept = json.loads(Path(st["scenario_case"]).read_text(encoding="utf-8"))
    assert kept["fields"]["first_case_no"]["value"] == spec.CASE_NUMBER

    # form 2's window is there now: 继续 fills form 2 only
    qt.reset()
    (pack / "second.yaml").write_text(WEB_FORM % spec.window_title("chromium"), encoding="utf-8")
    fills = st["fills"]
    tray.wait(lambda s: s["summary_active"], 20, "the summary, focused")
    toolkit_desktop.session.xdotool("key", "Return")        # 继续, the summary's default button
    st = tray.wait(lambda s: s["fills"] > fills and not s["busy"], 120, "the resumed run")
    assert st["last_fill"]["outcome"] == "done", st
    assert [f["outcome"] for f in st["last_fill"]["forms"]] == ["skipped", "done"]
    page = web.wait_state(lambda s: s["fields"]["remarks"] == spec.CASE_NUMBER, 8)["fields"]
    assert page["applicant_name"] == CASE["applicant_name"]
    assert qt.state()["fields"]["applicant_name"] == ""       # form 1 not typed again
    assert "第 2/2 张表：受理登记（网页）" in st["progress_shown"]
    assert not st["scenario_can_resume"]


def test_documents_are_written_under_the_cases_folder_or_a_sentence_says_why_not(world):
    tray, qt, web, _pack = world
    assert tray.send(cmd="scenario", id="company")["ok"]
    person = tray.tmp / "person.json"          # a person's case: no company fields
    person.write_text(json.dumps(CASE, ensure_ascii=False), encoding="utf-8")
    tray.send(cmd="open_case", path=str(person))
    tray.wait(lambda s: s["review_open"] and s["scenario_case"], 20, "the review")
    tray.send(cmd="documents")
    st = tray.wait(lambda s: s["documents_error"] and not s["busy"], 60, "the refusal")
    assert "company_name" in st["documents_error"] and st["documents"] is None
    assert not (tray.tmp / "data" / "deskhand" / "cases" / "文书").exists() or not any(
        (tray.tmp / "data" / "deskhand" / "cases" / "文书").iterdir())

    tray.send(cmd="open_case", path=str(COMPANY / "samples" / "case.json"))
    tray.wait(lambda s: s["review_open"], 20, "the review of the company's case")
    tray.send(cmd="documents")
    st = tray.wait(lambda s: (s["documents"] or s["documents_error"]) and not s["busy"], 240,
                   "the documents")
    assert st["documents"], st["documents_error"]
    out = Path(st["documents"])
    assert out.parent == tray.tmp / "data" / "deskhand" / "cases" / "文书"
    assert len(list(out.glob("*.pdf"))) == 5 and len(list(out.glob("*.docx"))) == 5
    assert (out / "manifest.json").is_file()


def test_an_abort_in_form_1_stops_the_scenario_and_continue_fills_both_forms(world, toolkit_desktop):  # noqa: F811
    tray, qt, web, _pack = world
    qt.reset()
    web.reset()
    assert tray.send(cmd="scenario", id="slow")["ok"]
    case = tray.tmp / "slow-case.json"
    case.write_text(json.dumps(CASE, ensure_ascii=False), encoding="utf-8")
    tray.send(cmd="open_case", path=str(case))
    st = tray.wait(lambda s: s["review_active"] and s["scenario_case"], 20, "the review, focused")
    fills = st["fills"]
    toolkit_desktop.session.xdotool("key", "Return")
    tray.wait(lambda s: "第 5 / 15 项：公民身份号码" in s["progress_shown"], 60, "form 1 half typed")
    tray.send(cmd="abort")                       # the overlay's 中止 does the same
    st = tray.wait(lambda s: s["fills"] > fills and not s["busy"], 60, "the stop")
    assert st["last_fill"]["outcome"] == "stopped" and st["last_fill"]["stopped_at"] == 0, st
    assert [f["outcome"] for f in st["last_fill"]["forms"]] == ["failed"]
    assert st["summary_open"] and st["scenario_can_resume"]
    held = qt.state()["fields"]
    assert held["applicant_name"] == CASE["applicant_name"] and held["phone"] == ""
    assert web.state()["fields"]["applicant_name"] == ""          # form 2 not begun

    qt.reset()
    fills = st["fills"]
    tray.wait(lambda s: s["summary_active"], 20, "the summary, focused")
    toolkit_desktop.session.xdotool("key", "Return")            # 继续
    st = tray.wait(lambda s: s["fills"] > fills and not s["busy"], 120, "the resumed run")
    assert st["last_fill"]["outcome"] == "done", st
    assert [f["outcome"] for f in st["last_fill"]["forms"]] == ["done", "done"]
    held = qt.wait_state(lambda s: s["status"] == spec.SUBMITTED_STATUS, 8)["fields"]
    want = expected_fields()
    assert {n: held[n] for n in want if held[n] != want[n]} == {}
    page = web.wait_state(lambda s: s["fields"]["remarks"] == spec.CASE_NUMBER, 8)["fields"]
    assert page["applicant_name"] == CASE["applicant_name"]
