"""One case, two forms (issue 14, part 1): a scenario fills the approval form in Qt, keeps
the 受理编号 that form shows (read through its tree), then fills a second form — the same
form as a page in Chromium — with the applicant's name and that number, each in its own
window brought to the front by Deskhand. Judged by each form's own report. A scenario
stopped because form 2's window is not open resumes at form 2: form 1 is not filled again.
"""
from __future__ import annotations

from dataclasses import replace

import pytest

from app.a11y.atspi import AtSpiAccessibility
from app.a11y.atspi_bus import AtspiBus
from app.cases import case_from_values, load_case
from app.errors import FormWindowError
from app.fill.engine import FillOptions
from app.pipeline import PipelineOptions, build_pipeline
from app.sandbox.toolkits import spec
from app.sandbox.toolkits.set_playbook import set_playbook
from app.scenario.model import Keep, ScenarioForm, ScenarioForms
from app.settings import Settings
from playbooks.loader import load_playbook_text
from playbooks.model import TargetSpec
from test_toolkit_forms import CASE, expected_fields
from toolkit_targets import require_toolkit, toolkit_desktop  # noqa: F401

pytestmark = [pytest.mark.desktop, pytest.mark.timeout(300)]

WEB_FORM = """\
deskhand: 1
id: scenario-second-form
name: 受理登记（网页）
target: {title: "%s"}
fields:
  - {name: applicant_name, label: 姓名, type: text}
  - {name: first_case_no, label: 第一张表的受理编号, type: text}
fill:
  - set: applicant_name
    at: 姓名
  - set: first_case_no
    at: 备注
"""


def scenario(web_title: str) -> ScenarioForms:
    first = replace(set_playbook(), target=TargetSpec(title=spec.window_title("qt")))
    second = load_playbook_text(WEB_FORM % web_title, "scenario-second-form.yaml")
    return ScenarioForms("two-forms", "两张表", (
        ScenarioForm("受理登记（桌面）", first, (Keep("first_case_no", "受理编号", r"SL-\d{8}-\d{4}"),)),
        ScenarioForm("受理登记（网页）", second)))


@pytest.fixture(scope="module")
def forms(toolkit_desktop):  # noqa: F811
    require_toolkit("qt")
    require_toolkit("chromium")
    qt = toolkit_desktop.launch("qt")
    web = toolkit_desktop.launch("chromium")
    yield qt, web
    web.close()
    qt.close()


def test_a_scenario_fills_two_forms_and_carries_the_number_the_first_one_shows(
        forms, toolkit_desktop, tmp_path):  # noqa: F811
    from app.desktop.x11 import X11Desktop
    qt, web = forms
    qt.reset()
    web.reset()
    web.activate()              # the wrong window in front: Deskhand brings each form up
    x11 = X11Desktop(toolkit_desktop.session.display)
    pipeline = build_pipeline(PipelineOptions(
        settings=Settings(), cases_dir=tmp_path, desktop_factory=lambda: x11,
        accessibility_factory=lambda: AtSpiAccessibility(AtspiBus.open(toolkit_desktop.env()))))
    options = FillOptions(wait_focus_s=5, abort_keys=None, failsafe=False)
    case_path = tmp_path / "case.json"
    try:
        # form 2's window "not open" (nothing has that title): form 1 is filled, then a stop
        report = pipeline.fill_scenario(scenario("没有这个窗口*"),
                                        case_from_values(CASE, "two-forms", {}), case_path,
                                        options)
        assert isinstance(report.error, FormWindowError) and report.stopped_at == 1
        assert "没有这个窗口" in report.error.message
        held = qt.wait_state(lambda s: s["status"] == spec.SUBMITTED_STATUS, 8)["fields"]
        want = expected_fields()
        assert {n: held[n] for n in want if held[n] != want[n]} == {}
        case = load_case(case_path)
        assert case.fields["first_case_no"].value == spec.CASE_NUMBER
        assert case.fields["first_case_no"].status == "ok"
        assert case.fields["first_case_no"].source["via"] == "accessible"

        qt.reset()              # anything typed into form 1 from now on would show
        report = pipeline.fill_scenario(scenario(spec.window_title("chromium")), case, case_path,
                                        options)
        assert report.done, report.message
        assert [f.outcome for f in report.forms] == ["skipped", "done"]
        page = web.wait_state(lambda s: s["fields"]["remarks"] == spec.CASE_NUMBER, 8)["fields"]
        assert page["applicant_name"] == CASE["applicant_name"]
        assert qt.state()["fields"]["applicant_name"] == ""       # form 1 not filled again
        fills = load_case(case_path).fills
        assert [(f["scenario"]["form"], f["outcome"]) for f in fills] == [(0, "done"), (1, "done")]
        assert fills[0]["kept"] == {"first_case_no": "accessible"}
    finally:
        x11.close()


def test_deskhand_fill_runs_a_scenario_pack_and_a_second_run_goes_on_where_it_stopped(
        forms, toolkit_desktop, tmp_path):  # noqa: F811
    """The command line on a pack folder: scenario.yaml names the two playbooks beside it
    and what to keep. With form 2's window missing it stops (exit 3) after form 1; run
    again with the window there, it fills form 2 only (exit 0)."""
    import json
    import subprocess
    import sys
    from toolkit_targets import PLAYBOOKS
    qt, web = forms
    qt.reset()
    web.reset()
    pack = tmp_path / "two-forms"
    pack.mkdir()
    first = (PLAYBOOKS / "spec_form_set.yaml").read_text(encoding="utf-8").replace(
        'target: {title: "城市审批系统 - 受理登记*"}', f'target: {{title: "{spec.window_title("qt")}"}}')
    assert spec.window_title("qt") in first
    (pack / "first.yaml").write_text(first, encoding="utf-8")
    (pack / "second.yaml").write_text(WEB_FORM % "这个窗口还没打开*", encoding="utf-8")
    (pack / "scenario.yaml").write_text(
        "scenario: 1\nname: 两张表\ntargets:\n"
        "  - playbook: first.yaml\n    name: 受理登记（桌面）\n"
        "    keep:\n      - {field: first_case_no, label: 受理编号, pattern: 'SL-\\d{8}-\\d{4}'}\n"
        "  - second.yaml\n", encoding="utf-8")
    case = tmp_path / "case.json"
    case.write_text(json.dumps(CASE, ensure_ascii=False), encoding="utf-8")
    kept = tmp_path / "kept.json"

    def deskhand() -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "app.cli", "fill", str(pack), "--case",
                               str(case), "-o", str(kept), "--yes", "--json",
                               "--wait-focus", "5"], env=toolkit_desktop.env(),
                              capture_output=True, text=True, timeout=180,
                              cwd=PLAYBOOKS.parents[3])

    r = deskhand()
    assert r.returncode == 3, r.stderr
    doc = json.loads(r.stdout)
    assert doc["stopped_at"] == 2 and [f["outcome"] for f in doc["forms"]] == ["done", "failed"]
    assert doc["forms"][0]["kept"]["first_case_no"]["value"] == spec.CASE_NUMBER
    assert "这个窗口还没打开" in doc["forms"][1]["message"]
    assert qt.wait_state(lambda s: s["status"] == spec.SUBMITTED_STATUS, 8)["fields"][
        "applicant_name"] == CASE["applicant_name"]

    qt.reset()
    (pack / "second.yaml").write_text(WEB_FORM % spec.window_title("chromium"), encoding="utf-8")
    case.write_text(kept.read_text(encoding="utf-8"), encoding="utf-8")   # the case as kept
    r = deskhand()
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert [f["outcome"] for f in doc["forms"]] == ["skipped", "done"] and doc["done"]
    page = web.wait_state(lambda s: s["fields"]["remarks"] == spec.CASE_NUMBER, 8)["fields"]
    assert page["applicant_name"] == CASE["applicant_name"]
    assert qt.state()["fields"]["applicant_name"] == ""           # form 1 not typed again
