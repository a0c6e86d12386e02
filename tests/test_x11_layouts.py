"""Typing Chinese by keystrokes leaves the clerk's keyboard exactly as it was, on the layouts
Chinese offices use and on ones with AltGr levels and second groups, and each rebinding of
spare keycodes is one keymap change (every X client on the desktop handles each change).

Real X (the test run's own Xvfb + openbox), a real Qt window (tests/targets/decoy_window.py)
that records what it receives, xkbcomp's dump of the server's XKB keymap before and after,
and the MappingNotify events a second client of the display is sent.
"""
from __future__ import annotations

import shutil
import subprocess
import time

import pytest
from Xlib import X
from Xlib.display import Display

from app.desktop.x11 import X11Desktop
from app.sandbox.targets import launch_decoy
from app.sandbox.xsession import XSession, missing_binaries
from toolkit_targets import require

pytestmark = [pytest.mark.desktop, pytest.mark.timeout(300)]

# 90-odd distinct characters the layouts lack (more than the spare keycodes hold at once),
# with Latin letters, digits and full-width forms between them
TEXT = ("福建省龙岩市新罗区九一北路２８号（金融大厦）３层—Ａ座，Room 301；"
        "材料齐全：身份证、户口簿“复印件”两份！维吾尔族司马赟彧欧阳晓明"
        "不动产登记中国建设银行营业部已提交购房合同发票及复核待办理永定凤城东门")
LAYOUTS = [("us", "", ""), ("cn", "", ""), ("de", "", ""), ("cn", "altgr-pinyin", ""),
           ("us,ru", "", "grp:alt_shift_toggle")]


@pytest.fixture(scope="module")
def session():
    missing = missing_binaries(("Xvfb", "openbox", "setxkbmap", "xkbcomp"))
    require(f"typing into other layouts needs {', '.join(missing)}" if missing else None)
    with XSession() as s:
        yield s


@pytest.fixture(scope="module")
def decoy(session):
    target = launch_decoy(session)
    yield target
    target.close()


def xkb_dump(display: str) -> str:
    r = subprocess.run([shutil.which("xkbcomp") or "xkbcomp", "-xkb", display, "-"],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode == 0 and "xkb_symbols" in r.stdout, r.stderr
    return r.stdout


def keymap_changes(watcher: Display) -> int:
    watcher.sync()
    seen = 0
    while watcher.pending_events():
        event = watcher.next_event()
        seen += event.type == X.MappingNotify and event.request == X.MappingKeyboard
    return seen


@pytest.mark.parametrize("layout,variant,option", LAYOUTS,
                         ids=["+".join(filter(None, p)) for p in LAYOUTS])
def test_chinese_by_keys_leaves_the_layout_as_it_was(session, decoy, layout, variant, option):
    args = ["setxkbmap", "-display", session.display, "-layout", layout, "-option", ""]
    args += ["-variant", variant] if variant else []
    args += ["-option", option] if option else []
    subprocess.run(args, check=True, timeout=30)
    before = xkb_dump(session.display)
    desktop = X11Desktop(session.display)
    watcher = Display(session.display)
    try:
        decoy.reset()
        decoy.activate()
        target = desktop.active_window()
        assert target is not None and target.id == decoy.window_id
        desktop.prepare(target)
        keymap_changes(watcher)                       # from before the typing: not counted
        slots = len(desktop.pool)
        distinct = len({c for c in TEXT if not desktop.keymap.has_char(c)})
        assert distinct > slots                        # the keycodes are rebound mid-text
        desktop.type_text(TEXT, target, method="keys")
        held = decoy.wait_state(lambda s: s["text"] == TEXT, 10)["text"]
        desktop.finish(target)
        changes = keymap_changes(watcher)
    finally:
        watcher.close()
        desktop.close()
    assert held == TEXT
    after = xkb_dump(session.display)
    assert after == before, "the keyboard layout was left changed"
    # one change per rebinding (the pieces of TEXT), one to give the keycodes back; before
    # the changes spanned the keys between spare keycodes it was one per spare keycode (~18)
    pieces = -(-distinct // slots) + 1
    assert changes <= pieces + 1, (changes, pieces)
