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
from app.scenario.model import Keep, Scenario, ScenarioForm
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


def scenario(web_title: str) -> Scenario:
    first = replace(set_playbook(), target=TargetSpec(title=spec.window_title("qt")))
    second = load_playbook_text(WEB_FORM % web_title, "scenario-second-form.yaml")
    return Scenario("two-forms", "两张表", (
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
