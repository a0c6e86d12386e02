"""公积金提取 end to end (issue 15): the citizen portal's detail page in Chromium → capture by
OCR → the reference registry on loopback (name confirmed; marital status, spouse and
property certificate filled) → the fund system (Qt) filled by label → 保存. Judged by the
fund system's own GET /records against the applications' ground truth
(app/sandbox/fund_cases.py), and a case whose name the registry disagrees with refused
before anything is typed, the field named."""
from __future__ import annotations

import pytest

from app.sandbox.fund_cases import FILLED_BY_REGISTRY, application
from app.sandbox.fund_system import FUND, accept_number
from fund_harness import FundDesk, box_names, wrong_boxes
from toolkit_targets import require_desktop, require_toolkit

pytestmark = [pytest.mark.desktop, pytest.mark.timeout(400)]

# 1 已婚 with spouse and property, 4 未婚 without property, 2 离婚 with property
SEEDS = (1, 4, 2)
MISMATCH = 6             # the portal prints another name than the population register holds
WRONG_NAME = "司马贞"


@pytest.fixture(scope="module")
def fund(tmp_path_factory):
    require_desktop()
    require_toolkit("qt")
    require_toolkit("chromium")
    overrides = {MISMATCH: {"name": WRONG_NAME}}
    with FundDesk(tmp_path_factory.mktemp("fund"), [*SEEDS, MISMATCH],
                  overrides=overrides) as desk:
        yield desk


def test_the_truth_names_every_box_of_the_fund_system():
    assert set(application(1).expected) == box_names()


def test_each_application_lands_in_the_fund_system_with_the_registrys_values(fund):
    runs = [fund.handle(seed) for seed in SEEDS]
    records = fund.records()
    assert [r["accept_no"] for r in records] == [accept_number(i) for i in (1, 2, 3)]
    for run, record in zip(runs, records):
        app = run.app
        assert run.error is None, (app.seed, run.error and run.error.message)
        assert record["fields"]["application_no"] == app.application_no
        assert wrong_boxes(record, app) == {}, app.seed
        fields = run.case.fields
        # verified only where the registry answered: the name confirmed, the rest filled
        assert fields["applicant_name"].status == "ok"
        assert fields["applicant_name"].source["registry"]["result"] == "confirmed", app.seed
        for name in FILLED_BY_REGISTRY:
            held = getattr(app, name)
            assert (fields[name].value or "") == held, (app.seed, name)
            assert fields[name].status == ("ok" if held else "missing"), (app.seed, name)
            if held:          # ok only as the registry's answer
                assert fields[name].source["kind"] == "registry"
                assert fields[name].source["registry"]["result"] == "filled"
        # the portal's own values are never marked as confirmed by a registry
        for name in ("amount", "bank_card", "bank_name", "employer", "application_no"):
            assert not fields[name].source.get("registry"), name
    married, single, divorced = records
    assert married["fields"]["spouse_name"] and married["fields"]["estate_cert"]
    assert single["fields"]["spouse_name"] == single["fields"]["estate_cert"] == ""
    assert divorced["fields"]["marital_status"] == "离婚"
    # the form is empty again, its 保存 confirmed with the last 受理号
    state = fund.fund.state()
    assert state["status"] == FUND.submitted_status
    assert state["fields"]["accept_no"] == accept_number(3)
    assert state["fields"]["applicant_name"] == ""


def test_a_registry_mismatch_is_refused_before_anything_is_typed(fund):
    before = fund.records()
    fund.fund.reset()
    run = fund.handle(MISMATCH)
    assert run.case.fields["applicant_name"].status == "mismatch"
    assert "applicant_name" in run.needs_person
    assert run.error is not None
    assert "applicant_name" in run.error.message or "申请人" in run.error.message, \
        run.error.message
    assert fund.records() == before                        # nothing kept
    held = fund.fund.state()["fields"]
    assert all(v == "" for k, v in held.items()), held     # nothing typed


LANDED = """\
deskhand: 1
id: fund-landed
name: 已受理？
target: {title: "公积金管理系统 - 提取受理*"}
fields:
  - {name: id_number, type: id_number}
fill:
  - {set: id_number, at: 查询（证件号码或网上申请编号）}
  - press: 查询
"""


def test_the_query_box_tells_a_kept_application_from_one_never_saved(fund):
    """What a batch asks before it retries a case: has it landed already?"""
    from app.cases import Case, FieldValue
    from app.fill.engine import FillOptions
    from playbooks.loader import load_playbook_text
    pb = load_playbook_text(LANDED, "fund-landed.yaml")
    window = next(w for w in fund.x11.list_windows() if w.id == fund.fund.window_id)
    kept = {r["fields"]["id_number"]: r["accept_no"] for r in fund.records()}
    for seed in (SEEDS[0], MISMATCH):
        number = application(seed).person.id_number
        case = Case(f"landed-{seed}", pb.id, {"id_number": FieldValue(number, "ok")})
        fund.x11.activate(window, 3.0)
        fund.pipeline.fill(pb, case, fund.work / f"landed-{seed}.json",
                           FillOptions(abort_keys=None, failsafe=False, wait_focus_s=5.0))
        shown = fund.fund.wait_state(lambda s: s["query"] != "", 5)["query"]
        assert shown == (f"已受理：受理号 {kept[number]} {application(seed).person.name} "
                         f"{application(seed).amount}" if number in kept else "未找到"), shown
        fund.fund.reset()


def test_typing_the_next_application_clears_the_last_saves_message(fund):
    """A batch waits for 保存成功 after each 保存: the previous one must not still show."""
    fund.fund.reset()
    run = fund.handle(SEEDS[1])
    assert run.error is None and fund.fund.state()["status"] == FUND.submitted_status
    import subprocess
    window = next(w for w in fund.x11.list_windows() if w.id == fund.fund.window_id)
    fund.x11.activate(window, 3.0)
    subprocess.run(["xdotool", "type", "--delay", "20", "TQ1"], env=fund.desk.session.env(),
                   check=True, timeout=10)
    state = fund.fund.wait_state(lambda s: s["fields"]["application_no"] == "TQ1", 5)
    assert state["status"] == "" and state["fields"]["accept_no"] == ""
    # Ctrl+N: an empty form for the next application (a batch's `new` step)
    subprocess.run(["xdotool", "key", "ctrl+n"], env=fund.desk.session.env(), check=True,
                   timeout=10)
    state = fund.fund.wait_state(lambda s: s["fields"]["application_no"] == "", 5)
    assert state["focused"] == FUND.first and state["status"] == ""


def test_the_portal_goes_to_its_list_and_back_to_an_application(fund):
    from app.sandbox.fund_portal import DETAIL_TITLE, LIST_TITLE
    session = fund.desk.session
    fund.portal.show(None)
    assert session.window_title(fund.browser.window_id).startswith(LIST_TITLE)
    assert fund.portal.show(SEEDS[1]).seed == SEEDS[1]
    assert session.window_title(fund.browser.window_id).startswith(DETAIL_TITLE)


def test_a_batch_from_the_portals_export_saves_each_once_and_sets_the_mismatch_aside(fund, tmp_path):
    """`deskhand batch`'s runner over the portal's .xlsx export: the registry fills what the
    applicants no longer bring before the batch judges the case; the fill's 保存 is the
    batch's save stage, pressed once and confirmed by 保存成功. Judged by the fund system's
    records kept during the batch."""
    from app.batch.ledger import Ledger
    from app.batch.runner import BatchOptions, run_batch
    from app.batch.sources import open_source
    from app.fill.engine import FillOptions
    export = tmp_path / "tiqu.xlsx"
    export.write_bytes(fund.portal.export_xlsx())
    before = len(fund.records())
    window = next(w for w in fund.x11.list_windows() if w.id == fund.fund.window_id)
    fund.x11.activate(window, 3.0)
    with Ledger(tmp_path / "fund.ledger") as ledger:
        ledger.ingest(open_source(str(export), fund.playbook, fund.pipeline), fund.playbook.id)
        result = run_batch(fund.playbook, ledger, fund.pipeline,
                           BatchOptions(fill=FillOptions(abort_keys=None, failsafe=False,
                                                         wait_focus_s=5.0), backoff_s=0.1))
        rows = {r.key: r for r in ledger.rows()}
    new = fund.records()[before:]
    by_id = {r["fields"]["id_number"]: r for r in new}
    assert len(new) == len(by_id) == len(SEEDS), [r["fields"]["id_number"] for r in new]
    for seed in SEEDS:
        app = next(a for a in fund.apps if a.seed == seed)
        assert rows[app.person.id_number].state == "done", rows[app.person.id_number].error
        assert rows[app.person.id_number].outcome == "saved"
        assert wrong_boxes(by_id[app.person.id_number], app) == {}
    wrong = next(a for a in fund.apps if a.seed == MISMATCH)
    assert rows[wrong.person.id_number].state == "set_aside"
    assert rows[wrong.person.id_number].needs_person == ["applicant_name"]
    assert wrong.person.id_number not in by_id
    assert result.exit_code == 1
