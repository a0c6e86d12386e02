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
from app.desktop.x11 import X11Desktop  # noqa: E402
from app.fill.anchors import OcrScreenText  # noqa: E402
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


def shifting_playbook(*steps: str) -> str:
    """A playbook for tests/targets/shifting_form.py putting in 民族, 住址, 工作单位."""
    return "\n".join(["deskhand: 1", "id: shifting", "name: 变动表单", 'target: {title: "变动表单"}',
                      "fields:", "  - {name: ethnicity, label: 民族}",
                      "  - {name: address, label: 住址}", "  - {name: employer, label: 工作单位}",
                      "fill:", *(f"  - {s}" for s in steps)]) + "\n"


@pytest.fixture(scope="module")
def shifting(session):
    form = launch_python_target(session, "shifting-form",
                                [sys.executable, str(ROOT / "tests" / "targets" / "shifting_form.py")],
                                "变动表单", 0, 30.0)
    yield form
    form.close()


def fill_shifting(session, screen, form, playbook: str, values: dict, progress) -> dict:
    """Fill the cleared shifting form in-process; the report, the form's fields after,
    and the whole-window and neighbourhood reads the fill made."""
    form.reset()
    form.activate()
    form.wait_state(lambda s: s.get("focused") == "applicant_name", 5)
    done = fill_label_clicks.fill_with_reads(session.display, screen,
                                             load_playbook_text(playbook, "shifting.yaml"),
                                             values, progress)
    last = list(values)[-1]
    state = form.wait_state(lambda s: s["fields"][last] != "", 5)
    return {**done, "fields": state["fields"]}


def test_a_layout_that_changes_between_clicks_is_never_clicked_at_its_old_place(
        session, screen, shifting):
    """F2 opens a row above the labels (住址 moves down one row, where 民族 was before it),
    F3 a tall notice (工作单位 moves far): each click is next to where the label is now."""
    clicks = {3: 1, 6: 2}   # step → shifts the form must have made (and shown) before it

    def progress(kind: str, data: dict) -> None:
        if kind == "step" and data["index"] in clicks:
            shifting.wait_state(lambda s: s["shifts"] >= clicks[data["index"]], 5)
    values = {"ethnicity": "壮族", "address": "广西南宁市青秀区民族大道100号",
              "employer": "南宁市行政审批局"}
    done = fill_shifting(session, screen, shifting, shifting_playbook(
        "click: {anchor: 民族, dx: 120}", "type: ethnicity", "key: f2",
        "click: {anchor: 住址, dx: 120}", "type: address", "key: f3",
        "click: {anchor: 工作单位, dx: 120}", "type: employer"), values, progress)
    assert done["report"].outcome == "done"
    assert done["fields"] == {**values, "former_name": "", "applicant_name": ""}
    # 住址 found again in its neighbourhood; 工作单位 too far: the window read once more
    assert done["full"] == 2 and done["part"] >= 1


def test_a_window_moved_between_clicks_is_read_again_where_it_is(session, screen, shifting):
    desktop = X11Desktop(session.display)
    before = next(w for w in desktop.list_windows() if w.id == shifting.window_id)

    def progress(kind: str, data: dict) -> None:
        if kind == "step" and data["index"] == 2:    # between the two clicks
            session.xdotool("windowmove", str(before.id), str(before.x + 90), str(before.y + 45))
            deadline = time.monotonic() + 5
            while desktop.active_window().x == before.x and time.monotonic() < deadline:
                time.sleep(0.02)
            time.sleep(0.2)   # and drawn there
    values = {"ethnicity": "回族", "address": "宁夏银川市兴庆区解放西街1号"}
    try:
        done = fill_shifting(session, screen, shifting, shifting_playbook(
            "click: {anchor: 民族, dx: 120}", "type: ethnicity",
            "click: {anchor: 住址, dx: 120}", "type: address"), values, progress)
        moved = desktop.active_window()
    finally:
        desktop.close()
    assert done["report"].outcome == "done" and moved.x == before.x + 90
    assert done["fields"] == {**values, "former_name": "", "applicant_name": "", "employer": ""}
    assert done["full"] == 2
