"""Keys for characters the layout lacks (X11Desktop, method keys: spare keycodes rebound
mid-text) with fcitx5 running, as on every UOS/Kylin/Debian office desktop: fcitx5 left
inactive (English) or with pinyin on (the fill puts it in English and back), the target a
GTK 3 entry, judged by what the entry itself holds.

- GTK_IM_MODULE=fcitx (fcitx5's own GTK module, what im-config sets): exact.
- GTK_IM_MODULE=xim (the X input method, as Tk, Java and Xt programs speak it): a known
  failure, kept here as an xfail (not strict: it depends on timing). The entry looks the
  keys' characters up only when fcitx5 hands them back, long after the entry answered the
  ping Deskhand syncs on:
  measured, nearly every Chinese character dropped (the keycodes were given back first)
  or turned into one bound later; a second ping after a round trip through fcitx5's XIM
  selection did not help (the client holds keys back itself, one per round trip).

Needs fcitx5 (Debian: fcitx5 fcitx5-frontend-gtk3 fcitx5-chinese-addons, which
installer/dev.sh test installs), dbus-daemon and Debian's python3 with python3-gi; skipped
without them (failed on CI). Starts its own Xvfb + openbox, D-Bus session bus and
fcitx5, with a private HOME.
"""
from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest

from app.desktop.x11 import X11Desktop
from app.desktop.x11_ime import InputMethodSwitch, fcitx_on_display
from app.sandbox.xsession import XSession, missing_binaries
from toolkit_targets import require

pytestmark = [pytest.mark.desktop, pytest.mark.timeout(180)]

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "tests" / "targets" / "gtk_entry.py"
# 100 distinct characters, 90 of them missing from the us layout: more than the 30 slots
TEXT = ("福建省龙岩市新罗区九一北路２８号（金融大厦）３层—Ａ座，Room 301；材料齐全：身份证、"
        "户口簿“复印件”两份！维吾尔族司马赟彧欧阳晓明不动产登记中国建设银行营业部已提交购房"
        "合同发票及复核待办理永定凤城东门")
PROFILE = """[Groups/0]
Name=Default
Default Layout=us
DefaultIM=pinyin

[Groups/0/Items/0]
Name=keyboard-us
Layout=

[Groups/0/Items/1]
Name=pinyin
Layout=

[GroupOrder]
0=Default
"""


def _require() -> None:
    missing = missing_binaries(("Xvfb", "openbox", "fcitx5", "fcitx5-remote", "dbus-daemon",
                                "xprop"))
    require(f"typing with fcitx5 running needs {', '.join(missing)}" if missing else None)
    require(None if list(Path("/usr/lib").glob("*/gtk-3.0/3.0.0/immodules/im-fcitx5.so"))
            else "typing with fcitx5 running needs its GTK 3 module (fcitx5-frontend-gtk3)")
    gi = subprocess.run(["/usr/bin/python3", "-c", "import gi; gi.require_version('Gtk', '3.0')"],
                        capture_output=True).returncode == 0
    require(None if gi else "the GTK entry needs Debian's python3-gi and gir1.2-gtk-3.0")


def _wait(check, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = check()
        if got:
            return got
        time.sleep(0.1)
    raise TimeoutError(what)


@pytest.mark.parametrize("gtk_im,pinyin", [
    ("fcitx", False),
    # pinyin on, as a clerk may leave it: the fill puts fcitx5 in English and back
    ("fcitx", True),
    # not strict: the loss depends on timing, and a fast machine may be lucky
    pytest.param("xim", False, marks=pytest.mark.xfail(strict=False, reason=(
        "XIM hands the keys back late: they are looked up after the spare keycodes were "
        "rebound or given back (module docstring)"))),
], ids=["gtk-module", "gtk-module-pinyin-on", "xim"])
def test_keys_with_fcitx5_running_land_exactly(gtk_im, pinyin, tmp_path):
    _require()
    home = tmp_path / "home"
    (home / ".config" / "fcitx5").mkdir(parents=True)
    (home / ".config" / "fcitx5" / "profile").write_text(PROFILE)
    (home / "run").mkdir(mode=0o700)
    extra = {"HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"),
             "XDG_DATA_HOME": str(home / "share"), "XDG_CACHE_HOME": str(home / "cache"),
             "XDG_RUNTIME_DIR": str(home / "run"), "XMODIFIERS": "@im=fcitx",
             "GTK_IM_MODULE": gtk_im, "QT_IM_MODULE": "fcitx", "NO_AT_BRIDGE": "1"}
    with XSession() as session:
        bus = session.spawn(["dbus-daemon", "--session", "--nofork", "--print-address=1"],
                            env=session.env(extra), stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
        assert bus.stdout is not None
        extra["DBUS_SESSION_BUS_ADDRESS"] = bus.stdout.readline().decode().strip()
        env = session.env(extra)
        session.spawn(["fcitx5", "--disable=cloudpinyin,notificationitem,kimpanel"], env=env,
                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait(lambda: "fcitx" in subprocess.run(["xprop", "-root", "XIM_SERVERS"], env=env,
                                                capture_output=True, text=True).stdout,
              20, "fcitx5 did not register its XIM server")
        entry = session.spawn(["/usr/bin/python3", str(TARGET), "fcitx5-entry"], env=env,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL)
        assert entry.stdin and entry.stdout
        assert entry.stdout.readline().strip() == b"READY"

        def ask(cmd: str) -> dict:
            entry.stdin.write((cmd + "\n").encode())
            entry.stdin.flush()
            return json.loads(entry.stdout.readline())

        wid = session.wait_window("fcitx5-entry", timeout=10)
        desktop = X11Desktop(session.display)
        # fcitx5-remote on this test's own session bus; fcitx found the desktop's own way
        desktop.ime = InputMethodSwitch(
            run=lambda argv, **kw: subprocess.run(argv, env=env, **kw),
            running=lambda: fcitx_on_display(desktop.d))
        try:
            window = next(w for w in desktop.list_windows() if w.id == wid)
            assert desktop.activate(window)

            def remote(*args: str) -> str:
                return subprocess.run(["fcitx5-remote", *args], env=env, capture_output=True,
                                      text=True).stdout.strip()
            # the entry has an input context in fcitx5 (1: inactive, 2: active)
            _wait(lambda: remote() in ("1", "2"), 10, "the entry has no fcitx5 input context")
            state = "2" if pinyin else "1"
            remote("-o" if pinyin else "-c")
            _wait(lambda: remote() == state, 5, f"fcitx5 did not go to state {state}")
            if pinyin:
                assert remote("-n") == "pinyin"
            text = TEXT + " Room B7"        # Latin letters last: still English as they go in
            assert len({ch for ch in text if ord(ch) > 0x7F}) > len(desktop.pool)
            for _attempt in range(2):
                ask("clear")
                assert desktop.activate(window)
                desktop.prepare(window)
                assert desktop.type_text(text, window, method="keys") == "keys"
                desktop.finish(window)
                # the entry's own word, given time to take in whatever is still on its way
                held = ""
                deadline = time.monotonic() + 5
                while time.monotonic() < deadline and held != text:
                    time.sleep(0.2)
                    held = ask("get")["text"]
                assert held == text
                assert remote() == state        # the clerk's input method as it was
        finally:
            desktop.close()
            entry.stdin.close()


def test_a_fill_never_starts_fcitx5_where_it_is_not_running(tmp_path):
    """fcitx5 installed, a session bus that could start it (its D-Bus service file), but no
    fcitx5 running: the fill's prepare and finish ask nothing of it."""
    _require()
    asked: list[list[str]] = []
    with XSession() as session:
        bus = session.spawn(["dbus-daemon", "--session", "--nofork", "--print-address=1"],
                            env=session.env(), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        assert bus.stdout is not None
        env = session.env({"DBUS_SESSION_BUS_ADDRESS": bus.stdout.readline().decode().strip(),
                           "HOME": str(tmp_path)})
        desktop = X11Desktop(session.display)
        try:
            def run(argv, **kw):
                asked.append(argv)
                return subprocess.run(argv, env=env, **kw)
            desktop.ime = InputMethodSwitch(run=run, running=lambda: fcitx_on_display(desktop.d))
            assert desktop.ime.tool is not None and not fcitx_on_display(desktop.d)
            assert not desktop.ime.english()          # what prepare() and finish() call
            desktop.ime.restore()
        finally:
            desktop.close()
    assert asked == []
