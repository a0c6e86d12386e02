"""Batches from a paged grid (issue 15), on the test run's own Xvfb + openbox: the sandbox
道路运政 system lists 23 practitioners over 3 pages of 10 (page 3 shows one of page 2's
again). GridSource reads every distinct row exactly once, with the values the window
itself reports as its ground truth (ID numbers exact) and each row's photo the one it
shows, recognising the last page by its pager; three of them are then filled into the
city approval system's 从业资格证 form through `Pipeline.fill`, judged by the form's own
report (its values, and the SHA-256 of the photo file it shows)."""
from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from app.sandbox.xsession import XSession, missing_binaries

pytestmark = [pytest.mark.desktop, pytest.mark.timeout(400)]
if missing_binaries(("Xvfb", "openbox", "xdotool")):
    pytest.skip("needs Xvfb, openbox and xdotool (bash installer/dev.sh setup)",
                allow_module_level=True)

from app.batch.grid import GridSource  # noqa: E402
from app.sandbox.road_launch import launch_road_transport  # noqa: E402
from app.sandbox.road_records import face  # noqa: E402
from app.sandbox.toolkits.launch import launch_form  # noqa: E402
from app.sandbox.toolkits.road_form import ROAD  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PLAYBOOK = ROOT / "playbooks" / "library" / "road-transport" / "practitioners.yaml"
# the case's field -> the ground truth's key
TRUTH_KEYS = {"applicant_name": "name", "gender": "gender", "id_number": "id_number",
              "qualification": "qualification", "certificate_number": "certificate",
              "issue_date": "issued", "valid_until": "valid_until"}


@pytest.fixture(scope="module")
def session():
    with XSession() as s:
        yield s


def pipeline_on(session: XSession, cases_dir: Path, monkeypatch):
    from app.pipeline import PipelineOptions, build_pipeline
    from app.settings import Settings
    monkeypatch.setenv("DISPLAY", session.display)
    return build_pipeline(PipelineOptions(settings=Settings(), cases_dir=cases_dir,
                                          display=session.display))


def read_grid(session, tmp_path, monkeypatch, **window) -> tuple[list, GridSource, dict]:
    grid = launch_road_transport(session, **window)
    try:
        pipe = pipeline_on(session, tmp_path / "cases", monkeypatch)
        source = GridSource(pipe, pipe.playbook(str(PLAYBOOK)), photos_dir=tmp_path / "photos")
        items = list(source.items())
        return items, source, grid.state()
    finally:
        grid.close()


@pytest.mark.parametrize("look", ["legacy", "centred"])
def test_every_distinct_row_is_read_once_with_the_windows_own_values(session, tmp_path,
                                                                     monkeypatch, look):
    """Also with headers centred over left-aligned cells and dark grid lines (a short name
    left-aligned under a centred 姓名 once ended the table after 3 of 10 rows, silently)."""
    items, source, state = read_grid(session, tmp_path, monkeypatch, look=look)
    truth = {r["id_number"]: r for r in state["truth"]}
    assert len(truth) == 23 and state["pages"] == 3
    assert [i.key for i in items] == list(truth), "each record once, in the order shown"
    assert source.summary.pages == 3 and source.summary.ended_by == "pager"
    assert source.summary.rows_read == 24 and source.summary.duplicates == 1
    for item in items:
        want = truth[item.key]
        got = {name: item.case.value(name) for name in TRUTH_KEYS}
        assert got == {name: want[key] for name, key in TRUTH_KEYS.items()}, item.origin
        assert item.case.fields["id_number"].status == "ok", item.origin   # the check digit
        photo = np.asarray(Image.open(item.case.value("photo")).convert("RGB"), dtype=int)
        shown = np.asarray(face(want["photo_seed"]), dtype=int)
        assert photo.shape == shown.shape and np.abs(photo - shown).mean() < 3, item.origin


def test_a_record_shown_twice_with_other_values_is_set_aside_naming_both(session, tmp_path,
                                                                         monkeypatch):
    items, source, state = read_grid(session, tmp_path, monkeypatch, conflict=True)
    assert len(items) == 23 and len(source.summary.conflicts) == 1
    flagged = [i for i in items if i.case.fields["certificate_number"].status == "invalid"]
    assert len(flagged) == 1
    problem = flagged[0].case.fields["certificate_number"].source["problems"][-1]
    assert "999" in problem and "3" in problem      # both readings, and where


def test_three_rows_filled_into_the_approval_form_judged_by_the_form(session, tmp_path,
                                                                     monkeypatch):
    from app.fill.engine import FillOptions
    items, _source, state = read_grid(session, tmp_path, monkeypatch)
    truth = {r["id_number"]: r for r in state["truth"]}
    pipe = pipeline_on(session, tmp_path / "cases", monkeypatch)
    playbook = pipe.playbook(str(PLAYBOOK))
    form = launch_form(session, "qt", spec=ROAD.name)
    try:
        taken = [i for i in items if not [n for n, f in i.case.fields.items()
                                          if f.status in ("invalid", "missing")]][:3]
        assert len(taken) == 3
        for item in taken:
            form.reset()
            session.activate(form.window_id)
            pipe.fill(playbook, item.case, tmp_path / "cases" / f"{item.case.case_id}.json",
                      FillOptions(wait_focus_s=5, failsafe=False, abort_keys=None))
            want = truth[item.key]
            held = form.wait_state(lambda s: s["fields"]["photo"] != "", 5)
            expected = {name: want[key] for name, key in TRUTH_KEYS.items()}
            assert {n: held["fields"][n] for n in expected} == expected
            photo_file = Path(item.case.value("photo"))
            assert held["fields"]["photo"] == str(photo_file)
            digest = hashlib.sha256(photo_file.read_bytes()).hexdigest()
            assert held["photos"]["photo"]["sha256"] == digest
    finally:
        form.close()
        pipe.close()


@pytest.mark.parametrize("pager, ended_by", [
    (None, "pager"),
    ("{pattern: \"页码(\\\\d+)/(\\\\d+)\"}", "next disabled"),   # a pager never read
])
def test_pages_turned_by_pressing_the_next_button_through_the_accessibility_tree(
        tmp_path, monkeypatch, pager, ended_by):
    """`next_page: {press: 下一页}`: the button found by its name in the window's tree and
    pressed there (no key, no position); the last page is where the pager says 3/3, or,
    with no pager read, where 下一页 is greyed out in the tree."""
    from toolkit_targets import ToolkitDesktop, require_desktop
    require_desktop()
    text = PLAYBOOK.read_text(encoding="utf-8").replace("next_page: {key: pagedown}",
                                                         "next_page: {press: 下一页}")
    assert "press: 下一页" in text
    if pager is not None:
        start = text.index("    pager: ")
        text = text[:start] + f"    pager: {pager}" + text[text.index("\n", start):]
    playbook_file = tmp_path / "press.yaml"
    playbook_file.write_text(text, encoding="utf-8")
    with ToolkitDesktop() as desk:
        for name, value in desk.env().items():
            monkeypatch.setenv(name, value)
        grid = launch_road_transport(desk.session, env=desk.env())
        try:
            pipe = pipeline_on(desk.session, tmp_path / "cases", monkeypatch)
            source = GridSource(pipe, pipe.playbook(str(playbook_file)),
                                photos_dir=tmp_path / "photos")
            items = list(source.items())
            assert grid.state()["page"] == 3
        finally:
            grid.close()
    assert len(items) == 23 and source.summary.ended_by == ended_by
    assert source.summary.pages == 3


def test_a_batch_from_the_grid_submits_every_clean_row_once(session, tmp_path, monkeypatch):
    """`deskhand batch practitioners.yaml --from grid` in process: the grid read page by page
    into the ledger, then each row typed into the 从业资格证 form and 提交 pressed once
    (Ctrl+N an empty form before each, 已提交 awaited after). Judged by the form's own
    records: every row the batch calls done is there once with the window's values and its
    photo; every row set aside is one whose reading needed a person, and is not there."""
    from app.batch.ledger import Ledger
    from app.batch.runner import BatchOptions, run_batch
    from app.batch.sources import open_source
    from app.fill.engine import FillOptions
    grid = launch_road_transport(session)
    pipe = pipeline_on(session, tmp_path / "cases", monkeypatch)
    playbook = pipe.playbook(str(PLAYBOOK))
    form = launch_form(session, "qt", spec=ROAD.name)
    try:
        truth = {r["id_number"]: r for r in grid.state()["truth"]}
        with Ledger(tmp_path / "road.ledger") as ledger:
            session.activate(grid.window_id)
            assert ledger.ingest(open_source("grid", playbook, pipe), playbook.id) == 23
            session.activate(form.window_id)
            result = run_batch(playbook, ledger, pipe, BatchOptions(
                fill=FillOptions(wait_focus_s=5, failsafe=False, abort_keys=None),
                backoff_s=0.1))
            rows = ledger.rows()
        records = form.state()["records"]
    finally:
        form.close()
        grid.close()
        pipe.close()
    done = [r for r in rows if r.state == "done"]
    aside = [r for r in rows if r.state == "set_aside"]
    assert len(done) + len(aside) == 23 and len(done) >= 18, [(r.key, r.error) for r in aside]
    kept = [r["fields"]["id_number"] for r in records]
    assert sorted(kept) == sorted(r.key for r in done), "each done row submitted once"
    for record in records:
        want = truth[record["fields"]["id_number"]]
        assert {n: record["fields"][n] for n in TRUTH_KEYS} == \
            {n: want[k] for n, k in TRUTH_KEYS.items()}
        assert record["photos"]["photo"]["sha256"] == hashlib.sha256(
            Path(record["fields"]["photo"]).read_bytes()).hexdigest()
    for r in aside:
        assert r.outcome == "check" and r.needs_person, (r.key, r.outcome, r.error)
    assert result.exit_code == (1 if aside else 0)
