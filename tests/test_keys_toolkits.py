"""Characters the keyboard layout lacks, typed as keys into real forms on the test run's own
Xvfb (issue 12, "chromekeys"), judged by what each form says it holds.

More distinct characters than there are spare slots, so slots typed with a moment ago are
bound again in the middle of the text; 𠀾 beyond the BMP; full-width punctuation and
digits. Chromium applies a keymap change late: it gets no blind pause here (bind_settle_s
= 0), only the sync with its pong, and must still get every character exactly. Java does
not answer pings (it gets the pauses) and takes 𠀾 as its UTF-16 halves. The clerk's
clipboard is never touched on the keys way.
"""
from __future__ import annotations

import base64
import json
import subprocess
import sys

import pytest

from app.desktop.x11 import X11Desktop
from toolkit_targets import ROOT, require_toolkit, toolkit_desktop  # noqa: F401 (fixture)

pytestmark = [pytest.mark.desktop, pytest.mark.timeout(300)]

# 60 distinct rare and common characters, one beyond the BMP, full-width punctuation/digits
TEXT = ("欧阳赟彧𠀾维吾尔族龙岩市新罗区华莲路１３６号（龙岩大厦）：鑫喆昊燚犇淼焱垚骉"
        "福建省永定凤城街道东门路，中国建设银行营业部；已提交购房合同发票及身份证复印件！"
        "甄嬛傅恒璎珞乾隆皇帝 Trading Co.")
PARTS = 4       # typed in four calls with no read-back between, as fields typed in a row
CLERK_TEXT = "办事员复制的内容 clerk's clipboard"


@pytest.fixture
def clerk_clipboard(toolkit_desktop):  # noqa: F811 (fixture)
    """The clerk's clipboard, held by a separate process as a clipboard manager would."""
    spec = {"display": toolkit_desktop.session.display,
            "formats": {"UTF8_STRING": ["UTF8_STRING", 8,
                                        base64.b64encode(CLERK_TEXT.encode()).decode()]}}
    proc = subprocess.Popen([sys.executable, "-m", "app.desktop.x11_clipboard_keeper"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=ROOT,
                            env=toolkit_desktop.session.env())
    assert proc.stdin and proc.stdout
    proc.stdin.write(json.dumps(spec).encode())
    proc.stdin.close()
    assert proc.stdout.readline().strip() == b"READY"
    yield
    proc.kill()
    proc.wait(10)


@pytest.mark.parametrize("toolkit", ["chromium", "java"])
def test_characters_the_layout_lacks_land_exactly(toolkit, toolkit_desktop,  # noqa: F811
                                                  clerk_clipboard):
    require_toolkit(toolkit)
    assert len({ch for ch in TEXT if ord(ch) > 0x7F}) > 2 * 19    # more than the slots
    form = toolkit_desktop.launch(toolkit)
    desktop = X11Desktop(toolkit_desktop.session.display,
                         bind_settle_s=0.0 if toolkit == "chromium" else 0.05)
    try:
        clipboard_before = desktop.clipboard_save()
        window = next(w for w in desktop.list_windows() if w.id == form.window_id)
        for attempt in range(2):                   # the second time, slots are already bound
            form.reset()
            form.activate()
            form.wait_state(lambda s: s.get("focused") == "applicant_name", 10)
            desktop.prepare(window)
            cut = [len(TEXT) * i // PARTS for i in range(PARTS + 1)]
            for start, end in zip(cut, cut[1:]):
                assert desktop.type_text(TEXT[start:end], window, method="keys") == "keys"
            # TimeoutError (with what the form holds) unless it holds exactly TEXT
            form.wait_state(lambda s: s["fields"]["applicant_name"] == TEXT, 10)
            desktop.finish(window)
        if toolkit == "chromium":
            assert desktop._pinger is not None and desktop._pinger.answers(window.id)
        first = desktop.d.display.info.min_keycode
        rows = desktop.d.get_keyboard_mapping(first, desktop.d.display.info.max_keycode - first + 1)
        assert not any(any(rows[code - first]) for code in desktop.keymap.spare)   # given back
        after = desktop.clipboard_save()
        assert after.formats.get("UTF8_STRING") == CLERK_TEXT.encode()
        assert after.formats == clipboard_before.formats
    finally:
        desktop.close()
        form.close()
