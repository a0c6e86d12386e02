"""Clicks next to labels with real OCR on real Qt windows on the test run's own Xvfb:
one read of the window per form, never a position the window no longer shows, and a
look at a drop-down. Judged by what each form reports holding."""
from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from app.sandbox.xsession import XSession, missing_binaries

pytestmark = [pytest.mark.desktop, pytest.mark.timeout(300)]
if missing_binaries(("Xvfb", "openbox", "xdotool", "xclip")):
    pytest.skip("needs Xvfb, openbox, xdotool and xclip (bash installer/dev.sh setup)",
                allow_module_level=True)
pytest.importorskip("rapidocr_onnxruntime")

from app.capture.screen import ScreenGrabber  # noqa: E402
from app.cases import case_from_values  # noqa: E402
from app.desktop.x11 import X11Desktop  # noqa: E402
from app.fill.anchors import OcrScreenText  # noqa: E402
from app.fill.engine import FillEngine, FillOptions  # noqa: E402
from app.ocr import open_engine  # noqa: E402
from app.sandbox.targets import launch_python_target  # noqa: E402
from app.sandbox.toolkits.launch import launch_form  # noqa: E402
from playbooks.loader import load_playbook_text  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
import fill_label_clicks  # noqa: E402   the 15-field form and its values, shared with the bench


@pytest.fixture(scope="module")
def session():
    with XSession() as s:
        yield s


@pytest.fixture(scope="module")
def screen(session):
    return OcrScreenText(open_engine(), ScreenGrabber(display=session.display))


@pytest.fixture(scope="module")
def qt_form(session):
    form = launch_form(session, "qt")
    yield form
    form.close()


def test_five_label_clicks_land_right_with_one_read_of_the_window(session, screen, qt_form):
    done = fill_label_clicks.fill_once(session, qt_form, screen)
    fields = done["state"]["fields"]
    assert {k: fields.get(k) for k in fill_label_clicks.EXPECTED} == fill_label_clicks.EXPECTED
    assert (done["full"], done["part"]) == (1, 0)
    assert done["report"].outcome == "done"


def test_read_box_reads_the_choice_a_drop_down_shows(session, screen, qt_form):
    qt_form.reset()
    qt_form.activate()
    window = X11Desktop(session.display)
    try:
        target = window.active_window()
    finally:
        window.close()
    label = screen.label_box("婚姻状况", target)
    assert label is not None
    # the drop-down is right of its label, as high as the label's row
    region = (label.right + 8, label.y - 8, 220, label.height + 16)
    assert "请选择" in screen.read_box(target, *region)
    session.xdotool("mousemove", str(target.x + label.right + 60), str(target.y + label.y + 8))
    session.xdotool("click", "1")
    time.sleep(0.3)
    session.xdotool("key", "Down", "Down", "Down", "Return")     # （请选择） → 未婚 → 已婚 → 离异
    qt_form.wait_state(lambda s: s["fields"]["marital_status"] == "离异", 5)
    time.sleep(0.2)
    assert screen.read_box(target, *region) == "离异"


SHIFTING_PLAYBOOK = """\
deskhand: 1
id: shifting
name: 变动表单
target: {title: "变动表单"}
fields:
  - {name: ethnicity, label: 民族}
  - {name: address, label: 住址}
  - {name: employer, label: 工作单位}
fill:
  - click: {anchor: 民族, dx: 120}
  - type: ethnicity
  - key: f2
  - click: {anchor: 住址, dx: 120}
  - type: address
  - key: f3
  - click: {anchor: 工作单位, dx: 120}
  - type: employer
"""


def test_a_layout_that_changes_between_clicks_is_never_clicked_at_its_old_place(session, screen):
    """F2 opens a row above the labels (住址 moves down one row, where 民族 was before it),
    F3 a tall notice (工作单位 moves far): each click is next to where the label is now."""
    form = launch_python_target(session, "shifting-form",
                                [sys.executable, str(ROOT / "tests" / "targets" / "shifting_form.py")],
                                "变动表单", 0, 30.0)
    try:
        form.activate()
        form.wait_state(lambda s: s.get("focused") == "applicant_name", 5)
        pb = load_playbook_text(SHIFTING_PLAYBOOK, "shifting.yaml")
        clicks = {3: 1, 6: 2}   # step → shifts the form must have made (and shown) before it

        def progress(kind: str, data: dict) -> None:
            if kind == "step" and data["index"] in clicks:
                form.wait_state(lambda s: s["shifts"] >= clicks[data["index"]], 5)
        values = {"ethnicity": "壮族", "address": "广西南宁市青秀区民族大道100号",
                  "employer": "南宁市行政审批局"}
        screen.forget()
        full, part = screen.full_reads, screen.part_reads
        desktop = X11Desktop(session.display)
        try:
            report = FillEngine(desktop, FillOptions(wait_focus_s=3), progress=progress,
                                screen_text=lambda: screen).fill(
                pb, case_from_values(dict(values), "shift", {}))
        finally:
            desktop.close()
        assert report.outcome == "done"
        state = form.wait_state(lambda s: s["fields"]["employer"] != "", 5)
        assert state["fields"] == {**values, "former_name": "", "applicant_name": ""}
        # 住址 found again in its neighbourhood; 工作单位 too far: the window read once more
        assert screen.full_reads - full == 2 and screen.part_reads - part >= 1
    finally:
        form.close()
