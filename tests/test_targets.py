"""The sample targets (Qt client, Chromium web form, decoy) on a private X session.

These pin the keyboard behaviour the sample playbooks rely on: both targets must
react identically to the key sequences documented at the top of
app/sandbox/targets.py. Keys are sent with xdotool, which needs nothing from the
fill engine.
"""
from __future__ import annotations

import time

import pytest

from app.sandbox.xsession import XSession, XSessionError, missing_binaries

MISSING = missing_binaries(("Xvfb", "openbox", "xdotool"))

FIELD_ORDER = ["applicant_name", "gender", "ethnicity", "birth_date", "id_number", "phone",
               "address", "employer", "credit_code", "matter", "postcode", "email", "remarks"]
MATTERS = ["", "公积金提取", "道路运输从业资格证", "企业设立登记", "不动产登记"]

needs_x = pytest.mark.skipif(bool(MISSING), reason=f"needs {', '.join(MISSING)} "
                             "(apt-get install xvfb openbox xdotool)")


def _chromium_missing() -> bool:
    import shutil
    from app.sandbox.web_form import CHROMIUM_BINARIES
    return not any(shutil.which(b) for b in CHROMIUM_BINARIES)


@pytest.fixture(scope="module")
def session():
    with XSession() as s:
        yield s


@pytest.fixture(scope="module")
def launched(session):
    """Both form targets, started once for the module: {"qt": Target, "web": Target}."""
    from app.sandbox.targets import launch_qt_client, launch_web_form
    out = {"qt": launch_qt_client(session)}
    if not _chromium_missing():
        out["web"] = launch_web_form(session)
    yield out
    for t in out.values():
        t.close()


@pytest.fixture(params=["qt", "web"])
def target(request, launched):
    if request.param not in launched:
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    t = launched[request.param]
    t.activate()
    t.reset()
    t.wait_state(lambda s: s["focused"] == "applicant_name" and s["active"])
    return t


def keys(session: XSession, *names: str) -> None:
    session.xdotool("key", "--delay", "25", *names)


def type_text(session: XSession, text: str, delay_ms: int = 25) -> None:
    session.xdotool("type", "--delay", str(delay_ms), text)


def type_checked(session: XSession, text: str, read, timeout: float = 1.5) -> None:
    """Type `text` one character at a time, waiting for `read()` to show each one.

    `xdotool type` remaps one spare keycode per non-ASCII character, and a target
    that looks the keycode up before or after the remapping it was meant for gets
    nothing (dropped) or the previous character (garbled): DESIGN.md §5 "rare
    races", seen here about once per 30 CJK characters in Chromium. These tests
    are about the targets, not xdotool, so a dropped character is typed again and
    a wrong one is erased with BackSpace first (at most 6 tries per character).
    A longer xdotool delay for non-ASCII characters makes both rarer."""
    for i, ch in enumerate(text):
        want, before = text[: i + 1], text[:i]
        for _attempt in range(6):
            type_text(session, ch, 25 if ch.isascii() else 80)
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline and read() != want:
                time.sleep(0.02)
            got = read()
            if got == want:
                break
            if got != before:
                assert len(got) == len(want) and got.startswith(before), \
                    f"typing {ch!r} left {got!r} in the field"
                keys(session, "BackSpace")
                deadline = time.monotonic() + timeout
                while time.monotonic() < deadline and read() != before:
                    time.sleep(0.02)
            time.sleep(0.05)
        else:
            raise AssertionError(f"{ch!r} never arrived after 6 tries; field holds {read()!r}")


def focused_is(name):
    return lambda s: s["focused"] == name


# ---------------------------------------------------------------- no display needed

def test_missing_xvfb_is_explained(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(XSessionError, match=r"Xvfb is not installed: run `apt-get install xvfb"):
        XSession().start()


def test_chromium_argv_has_the_required_flags():
    from app.sandbox.web_form import chromium_argv
    argv = chromium_argv("http://127.0.0.1:1/", "/tmp/profile", binary="chromium")
    for flag in ("--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--password-store=basic", "--user-data-dir=/tmp/profile"):
        assert flag in argv
    assert argv[0] == "chromium" and argv[-1] == "--app=http://127.0.0.1:1/"


def test_web_form_server_keeps_newest_report_and_resets():
    """The server side of the web form without a browser: ordering and reset handshake."""
    import json
    import threading
    import urllib.request
    from app.sandbox.web_form import WebFormServer

    def post(url, obj):
        req = urllib.request.Request(url, data=json.dumps(obj).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
        return urllib.request.urlopen(req, timeout=5).read()

    with WebFormServer() as srv:
        html = urllib.request.urlopen(srv.url, timeout=5).read().decode("utf-8")
        assert "<title>城市审批系统（网页版） - 受理登记</title>" in html
        base = {"page": "p1", "focused": "applicant_name", "active": True, "status": "",
                "generation": 1}
        post(srv.url + "report", {**base, "page_seq": 2, "fields": {"applicant_name": "新"}})
        post(srv.url + "report", {**base, "page_seq": 1, "fields": {"applicant_name": "旧"}})
        assert srv.state()["fields"]["applicant_name"] == "新"
        seq = srv.state()["seq"]
        # a reset completes when the page reports the new generation
        gen = json.loads(urllib.request.urlopen(srv.url + "control", timeout=5).read())["generation"]
        timer = threading.Timer(0.2, post, (srv.url + "report",
                                            {**base, "page_seq": 3, "generation": gen + 1,
                                             "fields": {}}))
        timer.start()
        st = srv.reset(timeout=5)
        timer.join()
        assert st["generation"] == gen + 1 and st["fields"]["applicant_name"] == ""
        assert st["seq"] > seq
        # a reloaded page (new id) starts its own counter again
        post(srv.url + "report", {**base, "page": "p2", "page_seq": 1, "generation": gen + 1,
                                  "fields": {"remarks": "𠀀"}})
        assert srv.state()["fields"]["remarks"] == "𠀀"


# ---------------------------------------------------------------- on the private X session

@pytest.mark.desktop
@needs_x
class TestSession:
    def test_display_env_and_windows(self, session, launched):
        env = session.env()
        assert env["DISPLAY"] == session.display and "XAUTHORITY" not in env
        assert env["QT_QPA_PLATFORM"] == "xcb"
        listed = {wid: (title, pid) for wid, title, pid in session.windows()}
        for t in launched.values():
            assert listed[t.window_id] == (t.title, t.pid)

    def test_activate_switches_the_active_window(self, session, launched):
        for t in launched.values():
            t.activate()
            assert session.active_window() == t.window_id
            t.wait_state(lambda s: s["active"])

    def test_wait_window_times_out_with_a_useful_message(self, session):
        with pytest.raises(XSessionError, match="No window titled 'no such window'"):
            session.wait_window("no such window", timeout=0.2)


@pytest.mark.desktop
@needs_x
class TestFormTargets:
    def test_starts_empty_with_focus_in_the_first_field(self, target, session):
        st = target.state()
        assert set(st["fields"]) == set(FIELD_ORDER)
        assert all(v == "" for v in st["fields"].values())
        assert st["focused"] == "applicant_name"
        assert session.active_window() == target.window_id

    def test_type_then_tab(self, target, session):
        type_text(session, "Li Lei")
        keys(session, "Tab")
        st = target.wait_state(lambda s: s["focused"] == "gender")
        assert st["fields"]["applicant_name"] == "Li Lei"

    def test_tab_order(self, target, session):
        for name in FIELD_ORDER[1:]:
            keys(session, "Tab")
            target.wait_state(focused_is(name))
        keys(session, "Tab")
        target.wait_state(focused_is("save"))
        for name in reversed(FIELD_ORDER):
            keys(session, "shift+Tab")
            target.wait_state(focused_is(name))

    def test_tab_space_selects_male_and_tab_leaves_the_group(self, target, session):
        keys(session, "Tab")
        st = target.wait_state(focused_is("gender"))
        assert st["fields"]["gender"] == ""          # tabbing in checks nothing
        keys(session, "space")
        target.wait_state(lambda s: s["fields"]["gender"] == "男")
        keys(session, "Tab")
        st = target.wait_state(focused_is("ethnicity"))
        assert st["fields"]["gender"] == "男"

    @pytest.mark.parametrize("key", ["Right", "Down"])
    def test_tab_right_selects_female_and_tab_leaves_the_group(self, target, session, key):
        keys(session, "Tab", key)
        target.wait_state(lambda s: s["fields"]["gender"] == "女" and s["focused"] == "gender")
        keys(session, "Tab")
        target.wait_state(focused_is("ethnicity"))
        # back into the group: lands on the checked button, keeps the choice
        keys(session, "shift+Tab")
        target.wait_state(focused_is("gender"))
        keys(session, "shift+Tab")
        st = target.wait_state(focused_is("applicant_name"))
        assert st["fields"]["gender"] == "女"

    def test_backtab_into_unchecked_group_lands_on_male_and_arrows_wrap(self, target, session):
        keys(session, "Tab", "Tab")
        target.wait_state(focused_is("ethnicity"))
        keys(session, "shift+Tab", "space")
        target.wait_state(lambda s: s["fields"]["gender"] == "男" and s["focused"] == "gender")
        keys(session, "Left")
        target.wait_state(lambda s: s["fields"]["gender"] == "女")
        keys(session, "Left")
        target.wait_state(lambda s: s["fields"]["gender"] == "男")

    def test_matter_home_then_down_n_selects_item_n(self, target, session):
        keys(session, *["Tab"] * FIELD_ORDER.index("matter"))
        target.wait_state(focused_is("matter"))
        for n in (1, 2, 3, 4, 2):
            keys(session, "Home", *["Down"] * n)
            target.wait_state(lambda s, n=n: s["fields"]["matter"] == MATTERS[n], timeout=5)
        keys(session, "Home")
        target.wait_state(lambda s: s["fields"]["matter"] == "")
        # the opened-list pattern works the same in both
        keys(session, "alt+Down")
        # Chromium opens the list as a pop-up window a moment later; keys sent before it
        # shows go to the closed list (seen once in a fresh clone's CI: one Down too many)
        time.sleep(0.5)
        keys(session, "Home", "Down", "Down", "Down", "Return")
        target.wait_state(lambda s: s["fields"]["matter"] == MATTERS[3])
        keys(session, "Tab")
        target.wait_state(focused_is("postcode"))

    def test_chinese_full_width_and_beyond_bmp(self, target, session):
        value = "张三丰，（测试）𠀀"
        type_checked(session, value, lambda: target.state()["fields"]["applicant_name"])
        keys(session, "Tab")
        st = target.wait_state(focused_is("gender"))
        assert st["fields"]["applicant_name"] == value

    def test_remarks_multiline_then_tab_to_save(self, target, session):
        keys(session, *["Tab"] * FIELD_ORDER.index("remarks"))
        target.wait_state(focused_is("remarks"))
        type_text(session, "a")
        keys(session, "Return")
        type_text(session, "b")
        keys(session, "Tab")
        st = target.wait_state(focused_is("save"))
        assert st["fields"]["remarks"] == "a\nb"
        keys(session, "space")
        target.wait_state(lambda s: s["status"] == "保存成功")

    def test_reset_clears_everything(self, target, session):
        type_text(session, "x1")
        keys(session, "Tab", "Right", "Tab")
        type_text(session, "y2")
        target.wait_state(lambda s: s["fields"]["ethnicity"] == "y2")
        st = target.reset()
        assert all(v == "" for v in st["fields"].values())
        assert st["focused"] == "applicant_name" and st["status"] == ""
        type_text(session, "z")
        target.wait_state(lambda s: s["fields"]["applicant_name"] == "z")


@pytest.mark.desktop
@needs_x
def test_decoy_records_keys_and_only_its_own_process_ends(session, launched):
    from app.sandbox.targets import launch_decoy
    qt = launched["qt"]
    decoy = launch_decoy(session)
    try:
        assert decoy.title == "诱饵窗口"
        decoy.activate()
        type_checked(session, "k中", lambda: decoy.state()["text"])
        st = decoy.state()
        assert st["count"] >= 2
        assert [k["text"] for k in st["keys"] if k["type"] == "press" and k["text"]] == ["k", "中"]
        assert decoy.reset()["count"] == 0
        # keys sent to another window do not reach the decoy
        qt.activate()
        qt.reset()
        type_text(session, "q")
        qt.wait_state(lambda s: s["fields"]["applicant_name"] == "q")
        assert decoy.state()["count"] == 0
    finally:
        decoy.close()
    assert decoy.proc.poll() is not None
    assert qt.proc.poll() is None
    assert decoy.window_id not in [w for w, _, _ in session.windows()]


# ---------------------------------------------------------------- the sample playbooks

XDOTOOL_KEYS = {"tab": "Tab", "space": "space", "enter": "Return", "home": "Home", "end": "End",
                "up": "Up", "down": "Down", "left": "Left", "right": "Right", "esc": "Escape",
                "backspace": "BackSpace", "delete": "Delete"}

SAMPLE_CASES = [
    {"applicant_name": "林小𠀀", "gender": "女", "ethnicity": "汉族", "birth_date": "1990-03-07",
     "id_number": "35080219900307002X", "phone": "13905971234",
     "address": "福建省龙岩市新罗区九一南路１号", "employer": "龙岩市某某有限公司",
     "credit_code": "91350800MA2XXXXX0X", "matter": "企业设立登记", "postcode": "364000",
     "email": "lin@example.cn", "remarks": "急件，请尽快办理"},
    {"applicant_name": "Wang Wei", "gender": "男", "ethnicity": "畲族", "birth_date": "1985-12-31",
     "id_number": "350802198512310016", "phone": "0597-2345678", "address": "龙岩市",
     "employer": "个体", "credit_code": "", "matter": "公积金提取", "postcode": "364000",
     "email": "", "remarks": ""},
]


def _xkey(combo) -> str:
    parts = [{"ctrl": "ctrl", "alt": "alt", "shift": "shift", "super": "super"}[m]
             for m in combo.modifiers]
    return "+".join([*parts, XDOTOOL_KEYS.get(combo.key, combo.key)])


def play(session, target, playbook, case) -> None:
    """A tiny stand-in for the fill engine: type / key / choose steps with xdotool."""
    from playbooks.model import ChooseStep, KeyStep, TypeStep
    for step in playbook.steps:
        if isinstance(step, TypeStep):
            value = case[step.field]
            if value:
                type_checked(session, value,
                             lambda f=step.field: target.state()["fields"][f])
        elif isinstance(step, KeyStep):
            keys(session, *[_xkey(k) for k in step.keys])
        elif isinstance(step, ChooseStep):
            keys(session, *[_xkey(k) for k in step.options[case[step.field]]])
        else:
            raise AssertionError(f"the sample playbooks use no {type(step).__name__}")


@pytest.mark.desktop
@needs_x
@pytest.mark.parametrize("case", SAMPLE_CASES, ids=["woman-cjk", "man-ascii"])
def test_sample_playbook_fills_its_target(target, session, case):
    import fnmatch
    from pathlib import Path
    loader = pytest.importorskip("playbooks.loader")
    name = "sample-qt-intake" if target.name == "qt-client" else "sample-web-intake"
    path = Path(__file__).resolve().parents[1] / "playbooks" / "library" / f"{name}.yaml"
    pb = loader.load_playbook(path)
    assert fnmatch.fnmatchcase(target.title, pb.target.title)
    assert [f.name for f in pb.fields] == FIELD_ORDER
    play(session, target, pb, case)
    st = target.wait_state(lambda s: s["fields"] == case)
    assert st["focused"] == "remarks"
