"""The fill overlay (app/ui/progress.py) and the end-of-fill summary (app/ui/summary.py).

In-process tests run on Qt's offscreen platform (tests/conftest.py). That platform
activates every window it shows, whatever its flags, so whether the overlay leaves the
focus alone is tested for real in a subprocess on a private X display with a window
manager (marked `desktop`)."""
from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QApplication, QLineEdit

from app.fill.engine import FieldResult, FillReport
from app.privacy import mask
from app.ui.progress import FillProgress
from app.ui.summary import FillSummary, summary_text
from playbooks.loader import load_playbook_text

ROOT = Path(__file__).resolve().parents[1]
ID = "11010519491231002X"
ID_READ = "110105194912310020"
PHONE = "13800138000"

PLAYBOOK = """
deskhand: 1
id: progress-test
name: 测试受理
target: {title: "审批系统*"}
fields:
  - {name: applicant_name, label: 姓名}
  - {name: id_number, label: 公民身份号码, type: id_number}
  - {name: phone, label: 联系电话, type: phone}
  - {name: address, label: 住址}
fill:
  - type: applicant_name
  - key: tab
  - type: id_number
  - key: tab
  - type: phone
  - type: address
"""


@pytest.fixture(scope="module")
def playbook():
    return load_playbook_text(PLAYBOOK, "progress-test.yaml")


@pytest.fixture(autouse=True)
def _offscreen(qapp):
    assert qapp.platformName() == "offscreen", "a QApplication on another platform exists"


def tr(text: str) -> str:
    return QCoreApplication.translate("FillSummary", text)


# -- the overlay ---------------------------------------------------------------------
def test_overlay_flags_never_take_focus(qtbot):
    overlay = FillProgress()
    qtbot.addWidget(overlay)
    flags = overlay.windowFlags()
    for flag in (Qt.WindowType.Tool, Qt.WindowType.FramelessWindowHint,
                 Qt.WindowType.WindowStaysOnTopHint, Qt.WindowType.WindowDoesNotAcceptFocus):
        assert flags & flag == flag, flag
    assert overlay.testAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
    assert overlay.testAttribute(Qt.WidgetAttribute.WA_X11DoNotAcceptFocus)
    assert overlay.abort_button.focusPolicy() == Qt.FocusPolicy.NoFocus
    assert overlay.focusPolicy() == Qt.FocusPolicy.NoFocus


def test_overlay_shows_name_field_and_progress_in_a_corner(qtbot):
    overlay = FillProgress()
    qtbot.addWidget(overlay)
    overlay.start("测试受理", 4)
    assert overlay.isVisible()
    assert "测试受理" in overlay.title.text()
    assert overlay.bar.maximum() == 4 and overlay.bar.value() == 0
    overlay.step(2, "公民身份号码")
    assert overlay.detail.text() == overlay.tr("Field {i} of {n}: {label}").format(
        i=2, n=4, label="公民身份号码")
    assert overlay.bar.value() == 1
    area = overlay.screen().availableGeometry()
    geo = overlay.frameGeometry()
    assert area.right() - geo.right() == overlay.margin
    assert area.bottom() - geo.bottom() == overlay.margin
    overlay.finish()
    assert not overlay.isVisible() and overlay.bar.value() == 4


def test_abort_button_asks_once(qtbot):
    overlay = FillProgress()
    qtbot.addWidget(overlay)
    overlay.start("测试受理", 3)
    with qtbot.wait_signal(overlay.abort_requested, timeout=1000):
        qtbot.mouseClick(overlay.abort_button, Qt.MouseButton.LeftButton)
    assert not overlay.abort_button.isEnabled()
    assert overlay.abort_button.text() == overlay.tr("Stopping…")
    overlay.start("测试受理", 3)                            # the next fill may abort again
    assert overlay.abort_button.isEnabled()


def test_engine_events_from_a_worker_thread(qtbot, playbook):
    overlay = FillProgress()
    qtbot.addWidget(overlay)
    overlay.start(playbook.name, 4)
    progress = overlay.engine_callback(playbook)

    def engine() -> None:      # what FillEngine.fill reports, from its own thread
        progress("waiting_for_target", {"target": "title '审批*'"})
        progress("step", {"index": 2, "kind": "type", "field": "id_number", "total": 6})
        progress("field_done", {"field": "id_number", "status": "readback_ok", "method": "keys"})
        progress("step", {"index": 3, "kind": "key", "field": None, "total": 6})

    worker = threading.Thread(target=engine)
    worker.start()
    worker.join()
    expected = overlay.tr("Field {i} of {n}: {label}").format(i=2, n=4, label="公民身份号码")
    qtbot.wait_until(lambda: overlay.detail.text() == expected)
    assert overlay.bar.value() == 2          # field 2 typed; the key step changes nothing


def test_overlay_does_not_steal_focus_from_a_widget_of_the_same_app(qtbot):
    # offscreen activates any window it shows, so this only covers Qt's own side: the
    # overlay never asks for focus and its button never takes it.
    target = QLineEdit()
    qtbot.addWidget(target)
    target.show()
    qtbot.wait_until(lambda: QApplication.focusWidget() is target)
    overlay = FillProgress()
    qtbot.addWidget(overlay)
    overlay.start("测试受理", 2)
    overlay.step(1, "姓名")
    qtbot.mouseClick(overlay.abort_button, Qt.MouseButton.LeftButton)
    assert not overlay.abort_button.hasFocus()
    assert overlay.focusWidget() is None


OVERLAY_SCRIPT = r"""
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLineEdit
from app.ui.progress import FillProgress

app = QApplication(sys.argv[:1])
target = QLineEdit()
target.setWindowTitle("Overlay focus target")
target.resize(400, 60)
target.show()
overlay = FillProgress()
overlay.abort_requested.connect(lambda: print("ABORT", int(target.isActiveWindow()), flush=True))

def begin():
    if not target.isActiveWindow():
        QTimer.singleShot(50, begin)
        return
    overlay.start("测试受理", 3)
    overlay.step(1, "姓名")
    QTimer.singleShot(300, shown)

def shown():
    overlay.step(2, "公民身份号码")
    c = overlay.abort_button.mapToGlobal(overlay.abort_button.rect().center())
    print("SHOWN", int(target.isActiveWindow()), int(overlay.isVisible()), c.x(), c.y(), flush=True)

QTimer.singleShot(0, begin)
QTimer.singleShot(20000, app.quit)
app.exec()
"""


def _line(proc, prefix: str, timeout: float = 15.0) -> list[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        if line.startswith(prefix):
            return line.split()
    raise AssertionError(f"no {prefix} line from the overlay script; stderr: "
                         f"{proc.stderr.read() if proc.poll() is not None else '(running)'}")


@pytest.mark.desktop
def test_overlay_leaves_the_focus_on_the_target_under_x11():
    from app.sandbox.xsession import XSession, missing_binaries
    if missing_binaries():
        pytest.skip(f"needs {', '.join(missing_binaries())}")
    import subprocess
    with XSession(1280, 800) as session:
        proc = session.spawn([sys.executable, "-c", OVERLAY_SCRIPT], env=session.env(),
                             cwd=str(ROOT), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
        try:
            wid = session.wait_window("Overlay focus target", timeout=15, pid=proc.pid)
            session.activate(wid)                        # the script waits for this
            _, active, visible, x, y = _line(proc, "SHOWN")
            assert visible == "1" and active == "1"
            assert session.active_window() == wid        # what the window manager says
            session.xdotool("mousemove", x, y, "click", "1")
            _, still_active = _line(proc, "ABORT")
            assert still_active == "1"
            assert session.active_window() == wid
        finally:
            session.end(proc)


# -- the summary -----------------------------------------------------------------------
def report_with_difference() -> FillReport:
    return FillReport("progress-test", "done", "审批系统", [
        FieldResult("applicant_name", 0, "readback_ok", "keys", 2, "张三", "张三"),
        FieldResult("id_number", 2, "readback_differs", "keys", 18, ID_READ, ID),
        FieldResult("phone", 4, "readback_unavailable", "keys", 11, None, PHONE),
        FieldResult("address", 5, "skipped"),
    ])


def test_summary_lists_differing_fields_masked(playbook):
    title, body = summary_text(report_with_difference(), playbook)
    assert title == tr("Filled, with differences: {name}").format(name="测试受理")
    assert tr("{ok} of {n} fields read back correctly.").format(ok=1, n=3) in body
    assert "公民身份号码" in body
    assert mask(ID, "id_number") in body and mask(ID_READ, "id_number") in body
    assert ID not in body and ID_READ not in body
    assert "联系电话" in body and PHONE not in body           # not read back: named


def test_summary_without_a_playbook_still_masks(playbook):
    _, body = summary_text(report_with_difference())
    assert "id_number" in body and ID not in body and ID_READ not in body


def test_summary_of_a_clean_fill(playbook):
    report = FillReport("progress-test", "done", "审批系统", [
        FieldResult("applicant_name", 0, "readback_ok", "keys", 2, "张三", "张三")])
    title, body = summary_text(report, playbook)
    assert title == tr("Filled: {name}").format(name="测试受理")
    assert body == tr("{ok} of {n} fields read back correctly.").format(ok=1, n=1)


@pytest.mark.parametrize("outcome,title", [("focus_lost", "Filling stopped: the focus moved"),
                                           ("aborted", "Filling aborted")])
def test_summary_of_a_stopped_fill_names_the_field_and_keeps_the_case(playbook, outcome, title):
    report = FillReport("progress-test", outcome, "审批系统", [
        FieldResult("applicant_name", 0, "readback_ok", "keys", 2, "张三", "张三")],
        step_reached=2, field_reached="id_number", position=7,
        message="Typing stopped by the abort button in id_number; the case is kept.")
    got_title, body = summary_text(report, playbook)
    assert got_title == tr(title)
    assert tr("Stopped at {label}").format(label="公民身份号码") in body
    assert tr(", after {n} characters").format(n=7) in body
    assert tr("The case is kept; you can fill it again.") in body


def test_summary_of_a_failed_fill_masks_its_message(playbook):
    report = FillReport("progress-test", "failed", message=f"The target refused {ID}.",
                        step_reached=1)
    title, body = summary_text(report, playbook)
    assert title == tr("Filling failed")
    assert ID not in body and mask(ID, "id_number") in body
    assert tr("Stopped at step {n}.").format(n=2) in body


def test_summary_dialog_closes_from_the_keyboard(qtbot, playbook):
    closed: list[int] = []
    for key in (Qt.Key.Key_Escape, Qt.Key.Key_Return):
        dialog = FillSummary(report_with_difference(), playbook,
                             on_closed=lambda: closed.append(1))
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.wait_until(lambda: dialog.isActiveWindow())
        assert dialog.body.text() == summary_text(report_with_difference(), playbook)[1]
        assert dialog.windowFlags() & Qt.WindowType.WindowStaysOnTopHint
        assert not dialog.isModal()
        qtbot.keyClick(QApplication.focusWidget() or dialog, key)
        assert not dialog.isVisible()
    assert closed == [1, 1]
