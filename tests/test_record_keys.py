"""Pure logic of the recorder (no display): key presses understood as text or playbook keys,
the keyboard mapping followed through ChangeKeyboardMapping requests as xdotool sends them,
and the Recorder's handling of secrets, its own windows and the capture/stop keys, fed by a
stand-in listener and desktop (unit tests of logic; the real input is in
tests/test_record_listen.py)."""
from __future__ import annotations

import struct
import time

import pytest

from app.a11y.base import PASSWORD, TEXT, Accessible, Bounds, FormField
from app.desktop.base import WindowInfo
from app.errors import UsageError
from recorders.keysyms import (CONTROL_MASK, LOCK_MASK, MOD1_MASK, SHIFT_MASK, KeyboardMapping,
                               Press, keysym_char, understand)
from recorders.raw_input import RawInput
from recorders.session import Recorder, RecorderOptions, RecorderParts, normal_combo
from recorders.tree_watch import TreeWatch


def test_keysyms_give_characters_including_unicode_keysyms_beyond_the_bmp():
    assert keysym_char(0x61) == "a" and keysym_char(0xE9) == "é"
    assert keysym_char(0x01000000 + ord("张")) == "张"
    assert keysym_char(0x0102003E) == "𠀾"
    assert keysym_char(0x01000000 + ord("１")) == "１"      # full-width digit
    assert keysym_char(0xFFB7) == "7"                       # keypad
    assert keysym_char(0xFF09) is None and keysym_char(0x0100D800) is None


@pytest.mark.parametrize("keysym,state,press", [
    (0x61, 0, Press(text="a")),
    (0x41, SHIFT_MASK, Press(text="A")),
    (0x61, CONTROL_MASK, Press(key="ctrl+a")),
    (0x56, CONTROL_MASK | SHIFT_MASK, Press(key="ctrl+shift+v")),
    (0xFF09, 0, Press(key="tab")),
    (0xFE20, SHIFT_MASK, Press(key="shift+tab")),          # ISO_Left_Tab
    (0xFF0D, 0, Press(key="enter")),
    (0xFF08, 0, Press(key="backspace")),
    (0xFF63, SHIFT_MASK, Press(key="shift+insert")),
    (0x73, CONTROL_MASK | MOD1_MASK, Press(key="ctrl+alt+s")),
    (0x20, 0, Press(text=" ")),
    (0xFFE1, 0, Press()),                                   # Shift alone
    (0x01000000 + ord("汉"), 0, Press(text="汉")),
])
def test_a_press_is_text_or_a_playbook_key(keysym, state, press):
    assert understand(keysym, state) == press


def test_the_mapping_follows_change_keyboard_mapping_requests():
    m = KeyboardMapping(8, [[0, 0], [0x61, 0x41]])          # keycode 8 spare, 9 = a/A
    assert m.keysym(9, 0) == 0x61 and m.keysym(9, SHIFT_MASK) == 0x41
    assert m.keysym(9, LOCK_MASK) == 0x41
    # xdotool binds keycode 8 to 张, types it, then to 𠀾 (two requests in one block)
    def request(first: int, syms: list[int]) -> bytes:
        body = struct.pack("<BBxx", first, len(syms)) + struct.pack(f"<{len(syms)}I", *syms)
        return struct.pack("<BBH", 100, 1, 2 + len(syms)) + body
    other = struct.pack("<BBH", 38, 0, 2) + b"\0\0\0\0"     # another request, skipped
    applied = m.apply_request(request(8, [0x01000000 + ord("张")] * 2) + other, swapped=False)
    assert applied == 1 and keysym_char(m.keysym(8, 0)) == "张"
    m.apply_request(request(8, [0x0102003E, 0x0102003E]), swapped=False)
    assert keysym_char(m.keysym(8, SHIFT_MASK)) == "𠀾"


def test_capture_and_stop_keys_need_a_modifier_and_differ():
    assert normal_combo("Ctrl+Alt+S", "stop key") == "ctrl+alt+s"
    assert normal_combo("alt+ctrl+shift+F5", "stop key") == "ctrl+shift+alt+f5"
    with pytest.raises(UsageError):
        normal_combo("s", "stop key")
    with pytest.raises(UsageError):
        normal_combo("ctrl+nokey", "stop key")
    with pytest.raises(UsageError):
        Recorder(RecorderParts(None, TreeWatch(None)),      # type: ignore[arg-type]
                 RecorderOptions(capture_key="ctrl+alt+s", stop_key="ctrl+alt+s"))


# -- the Recorder fed by hand ----------------------------------------------------------
WIN = WindowInfo(id=7, title="城市审批系统", pid=4242, process="client", x=10, y=20,
                 width=600, height=400)
OWN = WindowInfo(id=9, title="录制中…", pid=1111, process="deskhand")


def field(label: str, role: str, index: int) -> FormField:
    return FormField(Accessible(":1.5", f"/n/{index}"), role, label, label, "name",
                     Bounds(20, 40 + 30 * index, 200, 24), True, True, False, 4242, 7,
                     index=index)


NAME, PW = field("姓名", TEXT, 0), field("密码", PASSWORD, 1)


class FakeTree:
    """A form with a name box and a password box; focus set by the test."""

    def __init__(self) -> None:
        self.focus = NAME
        self.texts = {0: "张三", 1: "hunter2"}

    def fields(self, window, *, refresh=False):
        return [NAME, PW]

    def focused(self, window):
        return self.focus

    def read_text(self, window, f):
        return self.texts[f.index]

    def read_choice(self, window, f):
        return ""

    def close(self):
        pass


class FakeDesktop:
    def __init__(self) -> None:
        self.active = WIN

    def active_window(self):
        return self.active

    def list_windows(self):
        return [WIN]

    def selection_text(self, which):
        return {"CLIPBOARD": "clip-" + which}.get(which)


class Feed:
    def __init__(self, put) -> None:
        self.put = put

    def start(self):
        pass

    def stop(self):
        pass


def keys(*presses: Press) -> list[RawInput]:
    return [RawInput(time.monotonic(), "key", p) for p in presses]


def record(inputs: list, *, tree: FakeTree, desktop: FakeDesktop):
    """Feed `inputs` (RawInputs, or callables that change the fake desktop or tree once
    the worker has handled what came before) to a Recorder; its Recording."""
    feeds: list[Feed] = []

    def listener(put) -> Feed:
        feeds.append(Feed(put))
        return feeds[0]
    rec = Recorder(RecorderParts(desktop, TreeWatch(tree),    # type: ignore[arg-type]
                                 listener_factory=listener),
                   RecorderOptions(own_pids=(1111,)))
    rec.start()
    for item in inputs:
        if callable(item):
            time.sleep(0.3)
            item()
        else:
            feeds[0].put(item)
    time.sleep(0.3)
    return rec.finish()


def test_nothing_typed_or_pasted_into_a_password_box_is_kept():
    tree, desktop = FakeTree(), FakeDesktop()

    def to_password():
        tree.focus = PW

    r = record(keys(Press(text="张"), Press(key="tab")) + [to_password] +
               keys(Press(text="h"), Press(text="2"), Press(key="ctrl+v"), Press(key="ctrl+alt+s"),
                    Press(text="z")), tree=tree, desktop=desktop)
    secret = [e for e in r.events if e.widget is not None and e.widget.secret]
    assert [e.kind for e in secret if e.kind in ("text", "paste")] == ["text", "text", "paste"]
    assert all(e.text is None for e in secret)
    assert "hunter2" not in r.to_json() and "clip-" not in r.to_json()
    assert [e.text for e in r.events if e.kind == "text" and not e.widget.secret] == ["张"]
    # the stop key is not recorded and nothing after it is
    assert not any(e.key == "ctrl+alt+s" for e in r.events)
    assert "z" not in [e.text for e in r.events]
    # the final values: the name box's text, the password box without one
    finals = {e.widget.label: e.text for e in r.events if e.kind == "value" and e.t == r.stopped}
    assert finals == {"姓名": "张三", "密码": None}


def test_input_into_deskhands_own_window_is_not_recorded():
    tree, desktop = FakeTree(), FakeDesktop()

    def to_own():
        desktop.active = OWN

    r = record(keys(Press(text="a")) + [to_own] + keys(Press(text="b"), Press(key="ctrl+alt+s")),
               tree=tree, desktop=desktop)
    assert [e.text for e in r.events if e.kind == "text"] == ["a"]
    assert {e.window.title for e in r.events if e.window} == {WIN.title}


def test_own_processes_are_this_one_and_the_ones_that_started_it():
    import os
    from recorders.session import own_process_chain
    chain = own_process_chain()
    # a process whose parent is init (an orphaned run, a container's first process) has
    # only itself: init is never one of "ours"
    parent = os.getppid()
    assert chain[0] == os.getpid() and (parent in chain or parent <= 1) and 1 not in chain
    assert own_process_chain(chain[0], limit=1) == (chain[0],)
