"""`deskhand batch` into the real Qt sample client on the test run's own Xvfb + openbox:
judged by what the client kept (GET /records: one record per press of 保存), not by
Deskhand's report. A small batch with a wrong check digit fills and saves the rest; a
batch killed with kill -9 while a case is being filled, or saved, resumes without typing
any case twice or skipping one."""
from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.sandbox.xsession import XSession, missing_binaries

pytestmark = [pytest.mark.desktop, pytest.mark.timeout(600)]
if missing_binaries(("Xvfb", "openbox", "xdotool", "xclip")):
    pytest.skip("needs Xvfb, openbox, xdotool and xclip (bash installer/dev.sh setup)",
                allow_module_level=True)

from app.sandbox.batch_cases import (applicant, bad_check_digit, write_batch_playbook,  # noqa: E402
                                     write_workbook)
from app.sandbox.targets import launch_qt_client  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def session():
    with XSession() as s:
        yield s


@pytest.fixture(scope="module")
def client(session):
    qt = launch_qt_client(session, form="batch")
    yield qt
    qt.close()


def records(client) -> list[dict]:
    return client._http("GET", "/records", 3)["records"]


def fresh(client) -> None:
    client._http("POST", "/clear-records", 3)
    client.reset()
    client.activate()


def batch(session, tmp_path: Path, *args: str, wait: bool = True):
    argv = [sys.executable, "-m", "app.cli", "batch", str(write_batch_playbook(tmp_path)),
            "--ledger", str(tmp_path / "b.ledger"), "--yes", "--offline", *args]
    if wait:
        return subprocess.run(argv, env=session.env(), capture_output=True, text=True,
                              timeout=400, cwd=ROOT)
    return subprocess.Popen(argv, env=session.env(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, cwd=ROOT, start_new_session=True)


def assert_each_once_and_right(client, rows: list[dict]) -> None:
    kept = records(client)
    by_id: dict[str, list[dict]] = {}
    for r in kept:
        by_id.setdefault(r["fields"]["id_number"], []).append(r["fields"])
    assert sorted(by_id) == sorted(r["id_number"] for r in rows), "a case skipped or a stray save"
    for row in rows:
        assert len(by_id[row["id_number"]]) == 1, f"typed twice: {row['id_number'][:4]}…"
        assert by_id[row["id_number"]][0] == row


def test_a_small_batch_fills_and_saves_and_sets_aside_a_bad_check_digit(session, client,
                                                                       tmp_path):
    fresh(client)
    rows = [applicant(seed) for seed in range(11, 19)]
    bad = dict(rows[3], id_number=bad_check_digit(rows[3]["id_number"]))
    rows[3] = bad
    write_workbook(tmp_path / "cases.xlsx", rows)
    r = batch(session, tmp_path, "--from", str(tmp_path / "cases.xlsx"), "--report",
              str(tmp_path / "report"), "--json")
    assert r.returncode == 1, r.stderr          # one set aside
    doc = json.loads(r.stdout)
    assert doc["counts"]["done"] == 7 and doc["counts"]["set_aside"] == 1
    good = [x for x in rows if x is not bad]
    assert_each_once_and_right(client, good)
    # what it printed (progress on stderr, the JSON) never shows an ID number whole
    assert all(x["id_number"] not in r.stdout + r.stderr for x in rows)
    assert rows[0]["id_number"][:4] + "*" * 10 + rows[0]["id_number"][-4:] in r.stderr
    # the report says which field needs a person, and never shows an ID number
    page = (tmp_path / "report" / "b-report.html").read_text(encoding="utf-8")
    assert "公民身份号码" in page and 'data-set-aside="1"' in page
    assert all(x["id_number"] not in page for x in rows)
    # running again: nothing left to do, nothing typed again
    again = batch(session, tmp_path, "--from", str(tmp_path / "cases.xlsx"), "--json")
    assert again.returncode == 1 and json.loads(again.stdout)["counts"]["done"] == 7
    assert len(records(client)) == 7


def wait_for_state(ledger: Path, state: str, proc, min_seq: int, timeout: float = 120) -> int:
    """Poll the ledger (a reader beside the writer: WAL) until a case of seq >= min_seq is
    in `state`; its seq."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read()
        if ledger.exists():
            try:
                db = sqlite3.connect(f"file:{ledger}?mode=ro", uri=True, timeout=1)
                row = db.execute("SELECT seq FROM cases WHERE state=? AND seq>=?",
                                 (state, min_seq)).fetchone()
                db.close()
                if row:
                    return row[0]
            except sqlite3.OperationalError:
                pass
        time.sleep(0.005)
    raise AssertionError(f"no case reached {state}")


@pytest.mark.parametrize("state", ["filling", "saving"])
def test_kill_9_mid_case_then_resume_types_no_case_twice_and_skips_none(session, client,
                                                                        tmp_path, state):
    fresh(client)
    rows = [applicant(seed) for seed in range(31, 36)]
    write_workbook(tmp_path / "cases.xlsx", rows)
    rng = random.Random(state)
    proc = batch(session, tmp_path, "--from", str(tmp_path / "cases.xlsx"), wait=False)
    try:
        seq = wait_for_state(tmp_path / "b.ledger", state, proc, min_seq=2)
        time.sleep(rng.uniform(0.0, 0.1))
    finally:
        os.killpg(proc.pid, signal.SIGKILL)      # the batch and only what it started
        proc.wait(10)
    db = sqlite3.connect(tmp_path / "b.ledger")
    cut = db.execute("SELECT state FROM cases WHERE seq=?", (seq,)).fetchone()[0]
    db.close()
    assert cut in ("filling", "saving"), cut
    r = batch(session, tmp_path, "--json")       # resumes from the ledger alone
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["counts"]["done"] == len(rows)
    assert_each_once_and_right(client, rows)
    db = sqlite3.connect(tmp_path / "b.ledger")
    outcome, attempts = db.execute("SELECT outcome, attempts FROM cases WHERE seq=?",
                                   (seq,)).fetchone()
    db.close()
    # the cut case was asked for first: found (landed) or filled again from an empty form
    assert attempts == 2 and outcome in ("landed", "saved")
    print(f"cut in {cut}: {outcome}")


VERIFY = """
verify:
  - lookup: reference.person
    confirm: {applicant_name: exact, gender: exact, birth_date: date}
"""


def test_a_registry_mismatch_is_set_aside_and_a_silent_registry_retried(session, client,
                                                                        tmp_path, monkeypatch):
    """In process (the registry's secret handed in, no keyring): a name the population
    registry holds otherwise is set aside, never typed; a registry that answers too late
    is a system error, retried, then escalated — nothing of that case saved."""
    sys.path.insert(0, str(ROOT / "tests"))
    from registry_server import RegistryServer

    from app.batch.ledger import Ledger
    from app.batch.runner import BatchOptions, run_batch
    from app.batch.sources import open_source
    from app.fill.engine import FillOptions
    from app.pipeline import PipelineOptions, build_pipeline
    from app.registry.reference import write_reference_settings
    from app.settings import Settings
    from playbooks.loader import load_playbook
    fresh(client)
    for name, value in session.env().items():
        if name in ("DISPLAY", "QT_QPA_PLATFORM", "NO_AT_BRIDGE"):
            monkeypatch.setenv(name, value)
    monkeypatch.delenv("XAUTHORITY", raising=False)
    book = write_batch_playbook(tmp_path)
    book.write_text(book.read_text(encoding="utf-8") + VERIFY, encoding="utf-8")
    pb = load_playbook(book)
    rows = [applicant(seed) for seed in (4, 5, 6)]
    rows[1] = dict(rows[1], applicant_name=rows[1]["applicant_name"] + "某")
    write_workbook(tmp_path / "cases.xlsx", rows)
    with RegistryServer(tmp_path / "registry", people=40) as server:
        settings = write_reference_settings(tmp_path / "registries.yaml", server.url,
                                            timeout_s=1.0, retries=0)
        secret = server.secret.decode()
        pipeline = build_pipeline(PipelineOptions(
            settings=Settings(), registries=settings, cases_dir=tmp_path / "cases",
            secrets=lambda name: secret, display=session.display))
        try:
            with Ledger(tmp_path / "b.ledger") as ledger:
                ledger.ingest(open_source(str(tmp_path / "cases.xlsx"), pb, pipeline), pb.id)
                options = BatchOptions(fill=FillOptions(wait_focus_s=3.0), backoff_s=0.1,
                                       retries=1)
                client.activate()
                # the third case's look-up: too late, every time
                calls = []

                def progress(kind, data):
                    calls.append(kind)
                    if kind == "set_aside":
                        server.set_faults("delay=3@population")
                result = run_batch(pb, ledger, pipeline, options, progress=progress)
                first, second, third = ledger.rows()
        finally:
            pipeline.close()
    assert (first.state, second.state, third.state) == ("done", "set_aside", "escalated")
    assert second.outcome == "registry" and second.needs_person == ["applicant_name"]
    assert third.attempts == 2 and calls.count("retry") == 1
    assert "did not answer" in third.error or "time" in third.error.lower()
    assert result.exit_code == 1
    # judged by the client: only the first was saved
    assert [r["fields"] for r in records(client)] == [rows[0]]


def test_the_trays_batch_window_stops_pauses_and_resumes_a_real_batch(session, client, tmp_path,
                                                                     qtbot, monkeypatch):
    """The tray's 批量办理 window driving real fills into the Qt client: 停止 in the middle
    of a case (the fill's own abort between chunks), 暂停 between cases with nothing typed
    while paused, 继续 and 开始 again on the same ledger; judged by the client's records:
    every case once, every field right."""
    pytest.importorskip("PySide6")
    from app.batch.runner import BatchOptions
    from app.fill.engine import FillOptions
    from app.pipeline import PipelineOptions, build_pipeline
    from app.settings import Settings
    from app.ui.batch_window import BatchWindow
    from app.ui.dispatch import MainThread
    from playbooks.loader import load_playbook
    for name, value in session.env().items():
        if name in ("DISPLAY", "NO_AT_BRIDGE"):
            monkeypatch.setenv(name, value)
    fresh(client)
    rows = [applicant(seed) for seed in range(41, 47)]
    write_workbook(tmp_path / "cases.xlsx", rows)
    pb = load_playbook(write_batch_playbook(tmp_path))
    pipeline = build_pipeline(PipelineOptions(settings=Settings(), cases_dir=tmp_path / "cases",
                                              display=session.display))
    window = BatchWindow(pipeline, pb, MainThread(),
                         BatchOptions(fill=FillOptions(wait_focus_s=3.0, abort_keys=None,
                                                       failsafe=False), verify=False))
    qtbot.addWidget(window)
    try:
        with qtbot.wait_signal(window.finished, timeout=120000) as done:
            window.start(tmp_path / "cases.xlsx")
            qtbot.waitUntil(lambda: len(window.history) >= 2, timeout=60000)
            time.sleep(0.15)                         # into the second case's fill
            window.stop()
        assert done.args[0].stopped
        held = len(records(client))
        assert 1 <= held <= 2, "stopped within the second case"
        with qtbot.wait_signal(window.finished, timeout=120000) as done:
            window.start(tmp_path / "cases.xlsx")    # the same ledger: resumed
            qtbot.waitUntil(lambda: len(records(client)) >= held + 1, timeout=60000)
            window.pause()
            # the case under way ends (a loaded machine: some seconds), then nothing moves
            paused_at, deadline = client.state()["seq"], time.monotonic() + 20
            while time.monotonic() < deadline:
                time.sleep(1.0)
                now = client.state()["seq"]
                if now == paused_at:
                    break
                paused_at = now
            kept = len(records(client))
            time.sleep(1.5)
            assert client.state()["seq"] == paused_at and len(records(client)) == kept < 6
            window.resume()
        assert not done.args[0].stopped and done.args[0].counts["done"] == 6
        assert_each_once_and_right(client, rows)
    finally:
        pipeline.close()
