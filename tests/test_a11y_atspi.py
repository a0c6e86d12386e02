"""The AT-SPI backend on real programs: the Qt sample client (QT_LINUX_ACCESSIBILITY_ALWAYS_ON=1)
and the Chromium web form (--force-renderer-accessibility), on the test run's own Xvfb
display and its own session bus with at-spi-bus-launcher (app/sandbox/toolkits/a11y_bus.py).

Every value set is checked in the program's own state (the sample client's report, the
web page's report), not only in the accessibility tree.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from app.sandbox.toolkits.a11y_bus import AccessibilityBus, missing_tools
from app.sandbox.xsession import XSession, missing_binaries

pytestmark = [pytest.mark.desktop, pytest.mark.timeout(300)]
if missing_binaries(("Xvfb", "openbox", "xdotool")) or missing_tools():
    _WHY = ("needs Xvfb, openbox, xdotool, dbus-daemon and at-spi2-core "
            "(bash installer/dev.sh test)")
    if os.environ.get("CI", "").strip().lower() in ("true", "1", "yes"):
        pytest.fail(_WHY, pytrace=False)     # CI installs them: a skip would hide a gap
    pytest.skip(_WHY, allow_module_level=True)

from app.a11y import atspi_constants as K  # noqa: E402
from app.a11y.atspi import AtSpiAccessibility  # noqa: E402
from app.a11y.atspi_tree import find_frame, walk_matches  # noqa: E402
from app.a11y.atspi_bus import AtspiBus  # noqa: E402
from app.a11y.base import (METHOD_FOCUS_KEYS, METHOD_TREE, Accessible,  # noqa: E402
                           find_field, find_radio)
from app.a11y.keys import DesktopKeys  # noqa: E402
from app.desktop.x11 import X11Desktop  # noqa: E402
from app.errors import (ChoiceNotFoundError, FieldRefusedError, ForeignFieldError,  # noqa: E402
                        StaleFieldError)
from app.sandbox.sample_client import FIELDS  # noqa: E402
from app.sandbox.targets import (launch_python_target, launch_qt_client,  # noqa: E402
                                 launch_web_form)
from playbooks.keys import parse_combo  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_A11Y = ("--force-renderer-accessibility",)

# label as shown (without * and colon) -> the sample client's field name
LABELS = {label: name for name, label in FIELDS}
TEXT_FIELDS = [name for name, _ in FIELDS if name not in ("gender", "matter")]
HARD = {   # rare characters (one beyond the BMP), full-width punctuation, mixed scripts
    "applicant_name": "赟彧𠀾",
    "ethnicity": "维吾尔族",
    "birth_date": "１９９０年０３月０７日",
    "id_number": "35080219900307103X",
    "phone": "+86 (0597) 123-4567",
    "address": "福建省龙岩市新罗区九一北路２８号（东侧）",
    "employer": "Müller & 李氏 Trading Co.，Ltd.",
    "credit_code": "91350802MA2Y8XKQ3W",
    "postcode": "３６４０００",
    "email": "zhang.wei+测试@example.com",
    "remarks": "第一行：「复印件」两份；……完毕！\n第二行 Ünïcödé ½ ①②",
}


@pytest.fixture(scope="module")
def session():
    with XSession() as s:
        yield s


@pytest.fixture(scope="module")
def a11y_bus(session, tmp_path_factory):
    """Ended with the session (its processes are the session's)."""
    return AccessibilityBus(session, tmp_path_factory.mktemp("a11y")).start()


def deskhand_side(bus: AccessibilityBus) -> dict[str, str]:
    """What Deskhand finds the accessibility bus by: the session bus, as on a desktop."""
    return {"DBUS_SESSION_BUS_ADDRESS": bus.address}


@pytest.fixture(scope="module")
def desktop(session):
    d = X11Desktop(session.display)
    yield d
    d.close()


@pytest.fixture(scope="module")
def backend(a11y_bus):
    a = AtSpiAccessibility(AtspiBus.open(deskhand_side(a11y_bus)))
    yield a
    a.close()


@pytest.fixture(scope="module")
def targets(session, a11y_bus):
    qt = launch_qt_client(session, env=a11y_bus.env())
    web = launch_web_form(session, env=a11y_bus.env(), flags=CHROMIUM_A11Y)
    yield {"qt": qt, "web": web}
    for t in (web, qt):
        t.close()


def window_of(desktop, target):
    for w in desktop.list_windows():
        if w.id == target.window_id:
            return w
    raise AssertionError(f"{target} has no window")


def ready(target, desktop, backend):
    """The target reset, focused, and its fields as the backend reads them now."""
    target.reset()
    target.activate()
    target.wait_state(lambda s: s.get("focused") == "applicant_name", 5)
    window = window_of(desktop, target)
    return window, backend.fields(window, refresh=True)


def by_name(fields):
    """sample-client field name -> FormField (radios under 'gender_<option>')."""
    out = {}
    for f in fields:
        if f.role == "radio":
            out[f"gender_{f.name}"] = f
        elif f.key in LABELS:
            out[LABELS[f.key]] = f
    return out


@pytest.mark.parametrize("kind", ["qt", "web"])
def test_lists_the_form_fields_with_their_labels(targets, desktop, backend, kind):
    window, fields = ready(targets[kind], desktop, backend)
    summary = [(f.role, f.key, f.name if f.role in ("radio", "button") else "") for f in fields]
    expected = [("text", label, "") if name not in ("gender", "matter") else None
                for name, label in FIELDS]
    expected[1:2] = [("radio", "性别", "男"), ("radio", "性别", "女")]
    expected[expected.index(None)] = ("combo", "办理事项", "")
    expected.append(("button", "保存", "保存"))
    assert summary == expected
    assert all(f.label_source == "labelled-by" for f in fields if f.role != "button")
    assert all(f.window_id == window.id and f.pid == window.pid for f in fields)
    assert all(f.enabled and f.editable and not f.bounds.empty for f in fields)
    assert [f.index for f in fields] == list(range(len(fields)))
    assert fields[0].focused and not any(f.focused for f in fields[1:])
    assert [f.key for f in fields if f.multiline] == ["备注"]
    # the fields lie inside the window, top to bottom in form order
    texts = [f for f in fields if f.role == "text"]
    assert [f.bounds.y for f in texts] == sorted(f.bounds.y for f in texts)
    assert all(window.x <= f.bounds.x and f.bounds.right <= window.x + window.width
               for f in fields)


@pytest.mark.parametrize("kind", ["qt", "web"])
def test_hard_values_land_in_the_program_and_read_back(targets, desktop, backend, kind):
    target = targets[kind]
    window, fields = ready(target, desktop, backend)
    named = by_name(fields)
    keys = DesktopKeys(desktop, window)
    # a value already there is replaced, not appended to
    backend.set_text(window, named["address"], "旧地址 old", keys=keys)
    methods = {name: backend.set_text(window, named[name], value, keys=keys)
               for name, value in HARD.items()}
    assert set(methods.values()) == {METHOD_TREE if kind == "qt" else METHOD_FOCUS_KEYS}
    state = target.wait_state(lambda s: all(s["fields"][n] == v for n, v in HARD.items()), 5)
    assert {n: state["fields"][n] for n in HARD} == HARD
    assert state["fields"]["gender"] == "" and state["fields"]["matter"] == ""
    assert {n: backend.read_text(window, named[n]) for n in HARD} == HARD


@pytest.mark.parametrize("kind", ["qt", "web"])
def test_chooses_an_item_and_a_radio_and_reads_them_back(targets, desktop, backend, kind):
    target = targets[kind]
    window, fields = ready(target, desktop, backend)
    keys = DesktopKeys(desktop, window)
    matter = find_field(fields, "* 办理事项：")
    assert matter is not None and matter.role == "combo"
    for item in ("企业设立登记", "公积金提取", "不动产登记"):
        backend.choose(window, matter, item, keys=keys)
        assert target.wait_state(lambda s: s["fields"]["matter"] == item, 5)
        assert backend.read_choice(window, matter) == item
    for option in ("女", "男"):
        radio = find_radio(fields, "性别", option)
        assert backend.select_radio(window, radio) == METHOD_TREE
        assert target.wait_state(lambda s: s["fields"]["gender"] == option, 5)
        assert backend.read_choice(window, radio) == option
        assert backend.read_choice(window, find_radio(fields, "性别", "男" if option == "女" else "女")) == option
    # nothing else moved
    state = target.state()
    assert all(state["fields"][n] == "" for n in TEXT_FIELDS)


@pytest.mark.parametrize("kind", ["qt", "web"])
def test_an_item_not_in_the_list_is_refused_with_the_choices(targets, desktop, backend, kind):
    target = targets[kind]
    window, fields = ready(target, desktop, backend)
    matter = find_field(fields, "办理事项")
    backend.choose(window, matter, "公积金提取", keys=DesktopKeys(desktop, window))
    with pytest.raises(ChoiceNotFoundError) as caught:
        backend.choose(window, matter, "户口迁移", keys=DesktopKeys(desktop, window))
    assert caught.value.exit_code == 2
    assert "户口迁移" in caught.value.message and "不动产登记" in caught.value.message
    assert "企业设立登记" in caught.value.choices
    assert target.state()["fields"]["matter"] == "公积金提取"


@pytest.mark.parametrize("kind", ["qt", "web"])
def test_press_a_button_by_name(targets, desktop, backend, kind):
    target = targets[kind]
    window, fields = ready(target, desktop, backend)
    save = find_field(fields, "保存", role="button")
    backend.press(window, save)
    assert target.wait_state(lambda s: s["status"] == "保存成功", 5)


@pytest.mark.parametrize("kind", ["qt", "web"])
def test_walking_the_tree_finds_what_the_collection_interface_finds(targets, desktop, backend, kind):
    """The fallback for toolkits without Collection.GetMatches: the same nodes, same order."""
    window, _ = ready(targets[kind], desktop, backend)
    frame = find_frame(backend.bus, window).node
    wanted = (tuple(K.FIELD_ROLES), K.LABEL_ROLES)
    matched = [[Accessible(a, p) for a, p in backend.bus.call(
        frame.app, frame.path, "Collection", "GetMatches", K.MATCH_RULE_SIGNATURE,
        *K.match_rule(roles, (K.STATE_VISIBLE,)))] for roles in wanted]
    walked = walk_matches(backend.bus, frame, wanted)
    assert walked[1] == matched[1] and len(matched[0]) >= 15
    # the walk does not enter hidden parents; Collection also gives a visible child of one
    # (Chromium's hidden address bar), which has no extents and is no field anyway
    assert walked[0] == [n for n in matched[0] if n in walked[0]]
    for n in set(matched[0]) - set(walked[0]):
        assert backend.bus.call(n.app, n.path, "Component", "GetExtents", "u", 0)[2:] == (0, 0)


def test_focused_field_follows_the_program(targets, desktop, backend):
    target = targets["qt"]
    window, fields = ready(target, desktop, backend)
    assert backend.focused(window).key == "申请人姓名"
    backend.select_radio(window, find_radio(fields, "性别", "女"))
    target.activate()
    desktop.press(parse_combo("tab"), window)       # into the group, on the checked 女
    target.wait_state(lambda s: s["focused"] == "gender", 5)
    now = backend.focused(window)
    assert (now.key, now.name, now.focused) == ("性别", "女", True)
    desktop.press(parse_combo("tab"), window)
    target.wait_state(lambda s: s["focused"] == "ethnicity", 5)
    assert backend.focused(window).key == "民族"


def test_a_field_of_another_window_is_refused(session, a11y_bus, targets, desktop, backend):
    """A field read from one window, handed in with another as the target, is refused
    before anything is set: neither window changes."""
    qt = targets["qt"]
    other = launch_qt_client(session, title="另一个审批窗口",
                             env=a11y_bus.env())
    try:
        window, _ = ready(qt, desktop, backend)
        other_window, other_fields = ready(other, desktop, backend)
        name_b = by_name(other_fields)["applicant_name"]
        with pytest.raises(ForeignFieldError):
            backend.set_text(window, name_b, "不该出现")
        # forged to look like the target's own: the process behind the node gives it away
        forged = replace(name_b, window_id=window.id, pid=window.pid)
        with pytest.raises(ForeignFieldError):
            backend.set_text(window, forged, "不该出现")
        combo_b = find_field(other_fields, "办理事项")
        with pytest.raises(ForeignFieldError):
            backend.choose(window, combo_b, "公积金提取")
        with pytest.raises(ForeignFieldError):
            backend.press(window, find_field(other_fields, "保存", role="button"))
        for t in (qt, other):
            state = t.state()
            assert all(v == "" for v in state["fields"].values()), state
            assert state["status"] == ""
    finally:
        other.close()


def test_a_closed_window_gives_a_stale_field_not_a_traceback(session, a11y_bus, desktop, backend):
    temp = launch_qt_client(session, title="临时审批窗口", env=a11y_bus.env())
    window, fields = ready(temp, desktop, backend)
    temp.close()
    with pytest.raises(StaleFieldError) as caught:
        backend.set_text(window, fields[0], "张三")
    assert "临时审批窗口" in caught.value.message and caught.value.exit_code == 3


def test_labels_tied_to_nothing_are_found_by_geometry(session, a11y_bus, desktop, backend):
    """A grid of plain QLabels beside their boxes and a caption above one: the tree links
    no label to any box, so each label is the one a person reads beside or above it. A
    read-only and a disabled box are listed and refused, and keep what they hold."""
    form = launch_python_target(session, "grid-form",
                                [sys.executable, str(ROOT / "tests" / "targets" / "grid_form.py")],
                                "网格表单", 0, 30.0, env=a11y_bus.env())
    try:
        form.activate()
        window = window_of(desktop, form)
        fields = backend.fields(window, refresh=True)
        assert [(f.key, f.label_source, f.editable, f.enabled) for f in fields] == [
            ("姓名", "geometry", True, True), ("联系电话", "geometry", True, True),
            ("档案编号", "geometry", False, True), ("停用项", "geometry", False, False),
            ("情况说明", "geometry", True, True)]
        assert all(f.name == "" for f in fields)            # nothing in the tree named them
        values = {"name": "赟彧𠀾", "phone": "０５９７－１２３４５６７", "notes": "第一行；\n第二行！"}
        for name, key in (("name", "姓名"), ("phone", "联系电话"), ("notes", "情况说明")):
            backend.set_text(window, find_field(fields, key), values[name])
        state = form.wait_state(lambda s: all(s["fields"][n] == v for n, v in values.items()), 5)
        with pytest.raises(FieldRefusedError, match="read-only"):
            backend.set_text(window, find_field(fields, "档案编号"), "改")
        with pytest.raises(FieldRefusedError, match="disabled"):
            backend.set_text(window, find_field(fields, "停用项"), "改")
        state = form.state()
        assert state["fields"] == dict(values, fixed="DA-0001", off="")
    finally:
        form.close()


# ---------------------------------------------------------------- deskhand doctor
def doctor(session, env_overlay: dict, *args: str, lang: str = "en"):
    env = session.env()           # the display; the bus as Deskhand would find it on a desktop
    env.update(env_overlay)
    env["DESKHAND_LANG"] = lang
    return subprocess.run([sys.executable, "-m", "app.cli", "doctor", *args], env=env,
                          capture_output=True, text=True, timeout=60, cwd=ROOT)


def test_doctor_says_an_accessible_window_shows_its_fields(session, a11y_bus, targets):
    r = doctor(session, deskhand_side(a11y_bus), "--window", "城市审批系统 - 受理登记", "--fields")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == ("'城市审批系统 - 受理登记' shows its fields to accessibility (15 found): "
                        "Deskhand can fill them by their labels.")
    assert any("公民身份号码" in line and "labelled-by" in line for line in lines[1:])
    r = doctor(session, deskhand_side(a11y_bus), "--window", "网页版", "--json")
    report = json.loads(r.stdout)
    assert r.returncode == 0 and report["exposes"] and report["window"]["process"] == "chromium"
    assert [f["key"] for f in report["fields"]][:3] == ["申请人姓名", "性别", "性别"]


def test_doctor_names_the_setting_for_a_qt_window_without_accessibility(session, tmp_path_factory):
    """A desktop whose assistive technologies are off (and whose accessibility bus is not
    named on the X display, where Qt 6 would take it as "on"), a Qt program started
    plainly: the sentence names QT_LINUX_ACCESSIBILITY_ALWAYS_ON; in Chinese too."""
    off = AccessibilityBus(session, tmp_path_factory.mktemp("a11y-off"), enabled=False,
                           on_display=False).start()
    plain = launch_qt_client(session, title="未开无障碍的审批窗口", env=off.env(switches=False))
    try:
        r = doctor(session, deskhand_side(off), "--window", "未开无障碍")
        assert r.returncode == 1, r.stderr
        assert r.stdout.strip() == (
            "'未开无障碍的审批窗口' is a Qt program that shows no fields to accessibility: start "
            "it with QT_LINUX_ACCESSIBILITY_ALWAYS_ON=1 in its environment (or turn on "
            "assistive technologies in the desktop settings and restart it); until then "
            "Deskhand types with keys.")
        r = doctor(session, deskhand_side(off), "--window", "未开无障碍", lang="zh_CN")
        assert r.returncode == 1 and r.stdout.strip().startswith(
            "“未开无障碍的审批窗口”是 Qt 程序，未向无障碍接口提供任何字段：请在其启动环境中设置 "
            "QT_LINUX_ACCESSIBILITY_ALWAYS_ON=1")
    finally:
        plain.close()


def test_qt_6_shows_its_tree_when_the_bus_is_named_on_the_display(session, tmp_path_factory):
    """What a desktop session's launcher does on X11 (the AT_SPI_BUS property on the root
    window) is enough for a Qt 6 program, with assistive technologies off and no Qt switch."""
    off = AccessibilityBus(session, tmp_path_factory.mktemp("a11y-x"), enabled=False).start()
    plain = launch_qt_client(session, title="只有根窗口属性的审批窗口", env=off.env(switches=False))
    try:
        r = doctor(session, deskhand_side(off), "--window", "只有根窗口属性")
        assert r.returncode == 0 and "(15 found)" in r.stdout, (r.stdout, r.stderr)
    finally:
        plain.close()
        # the property names the last launcher's bus; later programs must not find this one
        subprocess.run(["xprop", "-root", "-remove", "AT_SPI_BUS"], env=session.env(),
                       capture_output=True, timeout=10)


def test_doctor_without_an_accessibility_bus_says_what_to_install(session, targets, tmp_path):
    r = doctor(session, {"DBUS_SESSION_BUS_ADDRESS": f"unix:path={tmp_path / 'no-bus'}",
                         "AT_SPI_BUS_ADDRESS": ""}, "--window", "城市审批系统 - 受理登记")
    assert r.returncode == 1, r.stderr
    assert "at-spi2-core" in r.stdout and "Traceback" not in r.stderr


def test_doctor_for_a_window_that_is_not_there(session, a11y_bus, targets):
    r = doctor(session, deskhand_side(a11y_bus), "--window", "没有这个窗口")
    assert r.returncode == 2 and "没有这个窗口" in r.stderr and "Traceback" not in r.stderr
