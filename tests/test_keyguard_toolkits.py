"""The keystroke fill made safe, on real toolkits under Xvfb (issue 12, part "keyguard"),
judged by each form's own state (tests/toolkit_targets.py), never by Deskhand's report:

- Java Swing without and with the tree: every hard value lands, fill after fill (a Tab
  used to be lost at random: Java holds back keys after a Tab only when their time stamp
  is later than the Tab's; app/desktop/x11_probe.py);
- a Tab the form swallows stops the fill with nothing typed after it, and --start-step
  resumes it;
- a value typed into another box, and a choice that is not the one meant, are never
  "read back ok";
- a click waits until the box clicked has focus; a click on a disabled box stops the fill;
- focus stolen mid-fill: not one character reaches the other window.
"""
from __future__ import annotations

import random
import threading
import time

import pytest

from app.errors import FocusLostError, KeyNotTakenError
from app.sandbox.targets import launch_decoy
from app.sandbox.toolkits import spec
from app.sandbox.toolkits.launch import launch_form
from playbooks.loader import load_playbook_text
from toolkit_keys import CASE, PLAYBOOKS, KeysFiller, expected_fields
from toolkit_targets import ToolkitDesktop, require_toolkit, toolkit_desktop  # noqa: F401

pytestmark = [pytest.mark.desktop, pytest.mark.timeout(300)]

TYPED = [n for n in CASE if spec.BY_NAME[n].kind not in (spec.RADIO, spec.SELECT, spec.CHECK)]
CHOICES = [n for n in CASE if n not in TYPED]


@pytest.fixture(scope="module")
def filler(toolkit_desktop: ToolkitDesktop):
    with KeysFiller(toolkit_desktop) as f:
        yield f


@pytest.fixture(scope="module")
def java(toolkit_desktop: ToolkitDesktop):
    require_toolkit("java")
    form = toolkit_desktop.launch("java")
    yield form
    form.close()


@pytest.fixture(scope="module")
def gtk(toolkit_desktop: ToolkitDesktop):
    require_toolkit("gtk")
    form = toolkit_desktop.launch("gtk")
    yield form
    form.close()


def _playbook(toolkit: str, edit) -> object:
    text = (PLAYBOOKS / f"{toolkit}.yaml").read_text(encoding="utf-8")
    return load_playbook_text(edit(text), f"{toolkit}-edited.yaml")


def _until(text: str, last_step: str) -> str:
    """The playbook's steps up to and including `last_step` (a line of its fill list)."""
    return text[:text.index(last_step) + len(last_step)] + "\n"


@pytest.mark.parametrize("tree,runs", [(False, 6), (True, 3)], ids=["keys", "keys+tree"])
def test_java_takes_every_value_fill_after_fill(filler, java, tree, runs):
    """Before: 12 of 22 fills held a wrong field (tests/test_toolkit_forms.py's notes)."""
    for _ in range(runs):
        run = filler.fill(java, tree=tree)
        assert run.error is None, run.error.message
        assert run.wrong() == {} and run.false_confirmations() == []
        status = {r.field: r.status for r in run.report.results}
        assert {n: status[n] for n in TYPED} == {n: "readback_ok" for n in TYPED}
        if tree:   # the choices are read back from the tree, and the boxes named
            assert {n: status[n] for n in CHOICES} == {n: "readback_ok" for n in CHOICES}
            boxes = {r.field: r.box for r in run.report.results}
            assert boxes["applicant_name"] == "姓名" and boxes["marital_status"] == "婚姻状况"
        else:
            assert {n: status[n] for n in CHOICES} == {n: "chosen" for n in CHOICES}


def test_tk_reads_back_every_box_without_a_timeout(filler, toolkit_desktop):
    """Tk selects all with Ctrl+/ (found from its library); a Text box copies its text
    with a final newline and a character beyond the BMP as CESU-8: all read back ok."""
    require_toolkit("tk")
    form = toolkit_desktop.launch("tk")
    try:
        run = filler.fill(form, tree=True)      # Tk has no tree: the keys alone
        assert run.error is None, run.error.message
        assert run.wrong() == {} and run.false_confirmations() == []
        status = {r.field: r.status for r in run.report.results}
        assert {n: status[n] for n in TYPED} == {n: "readback_ok" for n in TYPED}
        assert run.report.results[0].readback == CASE["applicant_name"]   # 𠀾 joined again
    finally:
        form.close()


def test_a_swallowed_tab_stops_the_fill_instead_of_merging(filler, toolkit_desktop):
    """The GTK form eats the first Tab in 民族: the fill stops there with a sentence, nothing
    typed after it (出生日期 not merged into 民族); --start-step resumes and completes it."""
    require_toolkit("gtk")
    form = launch_form(toolkit_desktop.session, "gtk", work_dir=toolkit_desktop.dir / "cache",
                       env={**toolkit_desktop.env(), "DESKHAND_FORM_SWALLOW_TAB": "ethnicity"})
    form.name = "gtk"
    try:
        run = filler.fill(form, tree=True)
        assert isinstance(run.error, KeyNotTakenError), run.error
        message = run.error.message
        assert "tab" in message and "ethnicity" in message and "民族" in message
        step = int(message.rsplit("--start-step ", 1)[1].split(".")[0])
        state = form.state()["fields"]
        assert state["ethnicity"] == CASE["ethnicity"] and state["birth_date"] == ""
        empty, order = spec.empty_state()["fields"], list(spec.TAB_ORDER)
        later = order[order.index("ethnicity") + 1:]
        assert {n: state[n] for n in later} == {n: empty[n] for n in later}
        assert run.report.outcome == "failed"
        again = filler.fill(form, tree=True, reset=False, start_step=step - 1)
        assert again.error is None and again.wrong() == {}
    finally:
        form.close()


def test_a_value_in_another_box_is_never_read_back_ok(filler, gtk):
    """A playbook with one Tab too many before 出生日期: the date lands in 公民身份号码's
    box, and the tree names that box; the read-back says it differs, not ok."""
    pb = _playbook("gtk", lambda t: _until(t.replace("  - type: birth_date",
                                                     "  - key: tab\n  - type: birth_date"),
                                           "  - type: birth_date"))
    run = filler.fill(gtk, tree=True, playbook=pb)
    result = {r.field: r for r in run.report.results}["birth_date"]
    assert gtk.state()["fields"]["id_number"] == CASE["birth_date"]
    assert (result.status, result.box) == ("readback_differs", "公民身份号码")
    assert "出生日期" in result.message and "公民身份号码" in result.message
    assert run.false_confirmations() == []


def test_a_choice_not_the_one_meant_is_never_read_back_ok(filler, java):
    """Keys that choose 离异 for 已婚: read back from the tree as 离异, differs."""
    pb = _playbook("java", lambda t: _until(
        t.replace("已婚: [down, down, down, return]", "已婚: [down, down, down, down, return]"),
        "丧偶: [down, down, down, down, down, return]"))
    run = filler.fill(java, tree=True, playbook=pb)
    result = {r.field: r for r in run.report.results}["marital_status"]
    assert java.state()["fields"]["marital_status"] == "离异"
    assert (result.status, result.readback) == ("readback_differs", "离异")


def _click_playbook(x: int, y: int) -> object:
    return _playbook("gtk", lambda t: t[:t.index("fill:")] +
                     f"fill:\n  - click: {{x: {x}, y: {y}}}\n  - type: remarks\n")


def _box_centre(filler, form, label: str) -> tuple[int, int]:
    form.activate()
    window = filler.desktop.active_window()
    box = next(f for f in filler.accessibility().fields(window, refresh=True)
               if f.key == label)
    return (box.bounds.x - window.x + box.bounds.width // 2,
            box.bounds.y - window.y + box.bounds.height // 2)


def test_a_click_waits_for_focus_where_it_clicked(filler, gtk):
    """Typing right after a click lands in the box clicked (备注), not in 姓名 that had
    focus; a click on the disabled 受理编号 box gets no focus: the fill stops, nothing typed."""
    gtk.reset()
    x, y = _box_centre(filler, gtk, "备注")
    case = {"remarks": CASE["remarks"]}
    run = filler.fill(gtk, tree=True, case=case, playbook=_click_playbook(x, y))
    assert run.error is None, run.error.message
    fields = gtk.state()["fields"]
    assert fields["remarks"] == CASE["remarks"] and fields["applicant_name"] == ""
    assert run.report.results[0].box == "备注"

    gtk.reset()
    x, y = _box_centre(filler, gtk, spec.BY_NAME["case_no"].label)
    run = filler.fill(gtk, tree=True, case=case, playbook=_click_playbook(x, y))
    assert isinstance(run.error, KeyNotTakenError), run.error
    assert "did not put focus" in run.error.message
    assert gtk.state()["fields"] == spec.empty_state()["fields"]


@pytest.mark.parametrize("toolkit,tree", [("tk", False), ("gtk", True)])
def test_focus_stolen_mid_fill_sends_nothing_to_the_other_window(filler, toolkit_desktop,
                                                                  request, toolkit, tree):
    require_toolkit(toolkit)
    own = toolkit != "gtk"      # one form of a toolkit at a time: their titles are the same
    form = toolkit_desktop.launch(toolkit) if own else request.getfixturevalue(toolkit)
    decoy = launch_decoy(toolkit_desktop.session)
    try:
        for seed in range(3):
            decoy.reset()
            form.reset()
            form.activate()
            form.wait_state(lambda s: s.get("focused") == spec.FIRST and s.get("active"), 10)
            runs: list = []

            def fill() -> None:
                try:
                    runs.append(filler.fill(form, tree=tree, reset=False))
                except BaseException as exc:      # shown by the assertion below
                    runs.append(exc)
            worker = threading.Thread(target=fill)
            worker.start()
            form.wait_state(lambda s: any(v for v in s["fields"].values() if isinstance(v, str)),
                            20)
            time.sleep(random.Random(seed).uniform(0.0, 0.3))
            decoy.activate()
            worker.join(60)
            time.sleep(0.3)
            assert decoy.state()["count"] == 0, f"keys reached the decoy: {decoy.state()}"
            run = runs[0]
            assert not isinstance(run, BaseException), repr(run)
            assert run.error is None or isinstance(run.error, FocusLostError), run.error
            assert run.false_confirmations() == []
    finally:
        decoy.close()
        if own:
            form.close()
