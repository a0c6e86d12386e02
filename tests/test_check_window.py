"""`deskhand check PLAYBOOK --window TITLE` on the real Qt form (app/sandbox/toolkits/): each
set and press step's label looked up in the window's accessibility tree — found with its
role and how its label was tied, or the sentence saying the fill will click and type."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from app.sandbox.toolkits import spec
from toolkit_targets import ROOT, require_toolkit, toolkit_desktop  # noqa: F401 (fixture)

pytestmark = [pytest.mark.desktop, pytest.mark.timeout(300)]

GLOB = "城市审批系统 - 受理登记*"


def readme_playbook() -> str:
    text = (ROOT / "playbooks" / "README.md").read_text(encoding="utf-8")
    section = text.split("### A whole playbook for the toolkit test form", 1)[1]
    return re.findall(r"^```yaml\n(.*?)^```", section, flags=re.S | re.M)[0]


def check(desk, *args: str) -> subprocess.CompletedProcess:
    env = desk.session.env()        # the display, and the bus as a desktop names it
    env["DBUS_SESSION_BUS_ADDRESS"] = desk.bus.address
    env["DESKHAND_LANG"] = "en"
    return subprocess.run([sys.executable, "-m", "app.cli", "check", *args], env=env,
                          capture_output=True, text=True, timeout=120, cwd=ROOT)


@pytest.fixture(scope="module")
def qt_form(toolkit_desktop):  # noqa: F811
    require_toolkit("qt")
    form = toolkit_desktop.launch("qt")
    yield form
    form.close()


def step_lines(stdout: str) -> dict[str, str]:
    """'set applicant_name (姓名)' → its sentence."""
    out = {}
    for line in stdout.splitlines():
        m = re.match(r"\s+\d+\. (.+?): (.*)$", line)
        if m:
            out[m.group(1)] = m.group(2)
    return out


def test_every_box_of_the_form_is_found_by_its_label(toolkit_desktop, qt_form, tmp_path):  # noqa: F811
    pb = tmp_path / "spec.yaml"
    pb.write_text(readme_playbook().replace(
        "    method: keys                  # typed by keys even where the tree has the box\n",
        ""), encoding="utf-8")
    r = check(toolkit_desktop, str(pb), "--window", GLOB)
    assert r.returncode == 0, r.stdout + r.stderr
    rows = step_lines(r.stdout)
    editable = [f for f in spec.FIELDS if f.kind != spec.READONLY]
    assert len(rows) == len(editable) + 1
    assert rows["set applicant_name (姓名)"] == "found: text box, label by labelled-by."
    assert rows["set email (电子邮箱)"] == "found: text box, label by geometry."   # tied to nothing
    assert rows["set gender (性别)"].startswith("found: a group of 2 radio buttons (男, 女)")
    assert rows["set marital_status (婚姻状况)"].startswith("found: drop-down list")
    assert rows["set spouse_name (配偶姓名)"].endswith(", greyed out now.")   # until 已婚
    assert rows["set verified (已核验原件)"].startswith("found: check box")
    assert rows["press 提交"] == "found: button."
    assert r.stdout.rstrip().endswith(f"{len(rows)} of {len(rows)} set and press steps reach "
                                      "their box through the accessibility tree.")


def test_a_label_not_in_the_tree_and_method_keys_say_the_fill_will_type(
        toolkit_desktop, qt_form, tmp_path):  # noqa: F811
    text = readme_playbook().replace("    at: 民族\n", "    at: 民 族 别\n").replace(
        "  - press: 提交\n", "  - press: 保存\n")
    pb = tmp_path / "spec.yaml"
    pb.write_text(text, encoding="utf-8")
    r = check(toolkit_desktop, str(pb), "--window", "受理登记（qt")   # a part of the title
    assert r.returncode == 1, r.stdout + r.stderr
    rows = step_lines(r.stdout)
    assert rows["set ethnicity (民 族 别)"] == (
        "no box labelled '民 族 别' in the accessibility tree. The fill will click next to "
        "'民 族 别' on screen and type.")
    assert rows["set id_number (公民身份号码)"] == (
        "method keys: the fill will click next to '公民身份号码' on screen and type.")
    assert rows["press 保存"] == ("no button named '保存' in the accessibility tree. The fill "
                                "will click on '保存' on screen.")
    assert f"{len(rows) - 3} of {len(rows)} set and press steps" in r.stdout


def test_no_such_window_or_a_broken_playbook_is_bad_input(toolkit_desktop, qt_form, tmp_path):  # noqa: F811
    pb = tmp_path / "spec.yaml"
    pb.write_text(readme_playbook(), encoding="utf-8")
    r = check(toolkit_desktop, str(pb), "--window", "没有这个窗口*")
    assert r.returncode == 2 and "No window's title matches '没有这个窗口*'" in r.stderr
    assert "Traceback" not in r.stderr
    pb.write_text(readme_playbook().replace("role: radio", "role: radoi"), encoding="utf-8")
    r = check(toolkit_desktop, str(pb), "--window", GLOB)
    assert r.returncode == 2 and "(did you mean 'radio'?)" in r.stderr
