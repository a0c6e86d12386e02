"""The tray's 批量办理 window (offscreen), on a stand-in pipeline: it reads the chosen
sheet into a ledger, runs the batch on a worker, shows each case with its key masked,
pauses, resumes and stops it (a stop leaves the ledger to resume), and writes the report."""
from __future__ import annotations

import time

import pytest

pytest.importorskip("PySide6")

from app.batch.runner import BatchOptions  # noqa: E402
from app.fill.engine import FillOptions  # noqa: E402
from app.sandbox.batch_cases import applicant, write_batch_playbook, write_workbook  # noqa: E402
from app.ui.batch_window import BatchWindow  # noqa: E402
from app.ui.dispatch import MainThread  # noqa: E402
from batch_fakes import FakePipeline  # noqa: E402
from playbooks.loader import load_playbook  # noqa: E402

OPTIONS = BatchOptions(fill=FillOptions(), backoff_s=0.0)


@pytest.fixture()
def window(qtbot, tmp_path):
    pb = load_playbook(write_batch_playbook(tmp_path))
    rows = [applicant(seed) for seed in range(1, 5)]
    write_workbook(tmp_path / "cases.xlsx", rows)
    fake = FakePipeline(cases_dir=tmp_path / "cases", fill_s=0.15)
    main = MainThread()
    w = BatchWindow(fake, pb, main, OPTIONS)
    qtbot.addWidget(w)
    w.rows, w.fake, w.book = rows, fake, tmp_path / "cases.xlsx"
    return w


def test_a_batch_runs_to_the_end_with_its_report(qtbot, window):
    assert not window.start_button.isEnabled()        # nothing chosen yet
    with qtbot.wait_signal(window.finished, timeout=20000) as done:
        window.start(window.book)
    result = done.args[0]
    assert result.counts["done"] == 4 and not result.stopped
    assert len(window.history) == 4 and window.history[0].startswith("Case 1/4: ")
    assert all(r["id_number"] not in " ".join(window.history) for r in window.rows)
    assert window.rows[0]["id_number"][:4] in window.history[0]     # masked, not dropped
    assert "Done 4" in window.counts_label.text()
    assert window.report_button.isEnabled() and all(p.is_file() for p in window.reports)
    assert window.bar.value() == window.bar.maximum()


def test_pause_holds_the_batch_and_resume_goes_on(qtbot, window):
    window.start(window.book)
    qtbot.waitUntil(lambda: len(window.history) >= 1, timeout=10000)
    window.pause()
    assert window.pause_button.text() == "Resume"
    time.sleep(0.8)
    qtbot.wait(50)
    held = len(window.history)
    time.sleep(0.5)
    qtbot.wait(50)
    assert len(window.history) == held < 4 and window.result is None
    with qtbot.wait_signal(window.finished, timeout=20000) as done:
        window.resume()
    assert done.args[0].counts["done"] == 4


def test_stop_leaves_the_ledger_to_resume(qtbot, window):
    window.start(window.book)
    qtbot.waitUntil(lambda: len(window.history) >= 1, timeout=10000)
    with qtbot.wait_signal(window.finished, timeout=20000) as done:
        window.stop()
    first = done.args[0]
    assert first.stopped and first.counts["done"] < 4
    assert window.start_button.isEnabled()
    with qtbot.wait_signal(window.finished, timeout=20000) as done:
        window.start(window.book)                  # the same ledger: resumed, not re-read
    assert done.args[0].counts["done"] == 4 and not done.args[0].stopped
    fills = [c for c in window.fake.calls if c[0] == "fill"]
    assert len({c[1] for c in fills}) == 4
