"""The recorder's Windows side, tested on Linux (this machine has no Windows): pynput's key
and button objects and uiautomation's controls are fakes shaped as their documentation and
pynput 1.8's win32 source give them (a KeyCode has `vk`, `char`, `is_dead`; a Key member's
`.value` is a KeyCode; a VK_PACKET arrives as a KeyCode with only `char`). Unit tests of
pure logic: they check the translation and the glue, not Windows — the listener and the
tree watch are written and unit-tested, unverified on Windows."""
from __future__ import annotations

import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest

from app.a11y.base import PASSWORD, label_key
from app.desktop.base import WindowInfo
from app.desktop.windows_input import (DESKHAND_INPUT_MARK, KeyEvent, MouseEvent,
                                       build_input_array)
from app.errors import DesktopError
from recorders import backends
from recorders.listen_windows import (KeyReader, WindowsInputListener, not_deskhands,
                                      pynput_hooks)
from recorders.raw_input import Press, RawInput
from recorders.session import Recorder, RecorderOptions, RecorderParts
from recorders.tree_watch import TreeWatch
from recorders.tree_watch_windows import UiaTreeWatch


# -- fakes of pynput's objects ----------------------------------------------------------
@dataclass
class KeyCode:
    vk: int | None = None
    char: str | None = None
    is_dead: bool = False


class Key:
    """Members of pynput.keyboard.Key on win32: no `vk` of their own, a KeyCode value."""

    def __init__(self, vk: int, char: str | None = None) -> None:
        self.value = KeyCode(vk, char)


CTRL_L, CTRL_R, SHIFT_L, ALT_L, ALT_R, CMD = (Key(0xA2), Key(0xA3), Key(0xA0), Key(0xA4),
                                              Key(0xA5), Key(0x5B))
TAB, ENTER, BACKSPACE, INSERT, F5, SPACE, CAPS = (Key(0x09), Key(0x0D), Key(0x08), Key(0x2D),
                                                  Key(0x74), Key(0x20, " "), Key(0x14))


def letter(ch: str, char: str | None = None) -> KeyCode:
    return KeyCode(ord(ch.upper()), ch if char is None else char)


def packet(ch: str) -> KeyCode:
    return KeyCode(None, ch)


def read(*steps: tuple[str, Any]) -> list[Press]:
    """Presses ("+", key) and releases ("-", key) through one KeyReader; what each press
    meant (modifiers and other nothings left out)."""
    reader, out = KeyReader(), []
    for kind, key in steps:
        if kind == "-":
            reader.release(key)
            continue
        press = reader.press(key)
        if press != Press():
            out.append(press)
    return out


def test_letters_shift_and_combinations_named_from_the_vk_not_the_control_character():
    assert read(("+", letter("a"))) == [Press(text="a")]
    assert read(("+", SHIFT_L), ("+", letter("a", "A"))) == [Press(text="A")]
    # with Ctrl held the layout gives a control character (Ctrl+V is "\x16")
    assert read(("+", CTRL_L), ("+", letter("v", "\x16"))) == [Press(key="ctrl+v")]
    assert read(("+", CTRL_R), ("+", SHIFT_L), ("+", letter("z", "\x1a"))) == \
        [Press(key="ctrl+shift+z")]
    assert read(("+", CTRL_L), ("+", ALT_L), ("+", letter("s", ""))) == [Press(key="ctrl+alt+s")]
    # left Ctrl+Alt is a combination even where the layout types a character with AltGr+S
    assert read(("+", CTRL_L), ("+", ALT_L), ("+", letter("s", "ś"))) == [Press(key="ctrl+alt+s")]
    assert read(("+", CTRL_L), ("+", KeyCode(0x35, None))) == [Press(key="ctrl+5")]
    assert read(("+", CTRL_L), ("+", KeyCode(0xBA, None))) == [Press(key="ctrl+;")]
    assert read(("+", CMD), ("+", letter("e", "e"))) == [Press(key="super+e")]


def test_a_released_modifier_no_longer_counts_but_the_other_side_still_does():
    assert read(("+", CTRL_L), ("-", CTRL_L), ("+", letter("v"))) == [Press(text="v")]
    assert read(("+", CTRL_L), ("+", CTRL_R), ("-", CTRL_L), ("+", letter("v", "\x16"))) == \
        [Press(key="ctrl+v")]


def test_a_modifier_whose_release_was_never_seen_is_forgotten_once_the_keyboard_says_up():
    now = [0.0]
    down = {0x5B: False, 0xA2: True}                    # Win was released on the lock screen
    reader = KeyReader(is_down=lambda vk: down.get(vk, False), clock=lambda: now[0])
    reader.press(CMD)
    reader.press(CTRL_L)
    now[0] = 0.5                                        # fresh: believed (the hook may lag)
    assert reader.press(letter("a", "\x01")) == Press(key="ctrl+super+a")
    now[0] = 3.0
    assert reader.press(letter("v", "\x16")) == Press(key="ctrl+v")    # Ctrl is still held
    down[0xA2] = False
    assert reader.press(letter("a")) == Press(text="a")


def test_named_keys_paste_keys_and_space():
    assert read(("+", TAB), ("+", SHIFT_L), ("+", TAB), ("-", SHIFT_L), ("+", ENTER),
                ("+", BACKSPACE), ("+", F5)) == \
        [Press(key="tab"), Press(key="shift+tab"), Press(key="enter"), Press(key="backspace"),
         Press(key="f5")]
    assert read(("+", SHIFT_L), ("+", INSERT)) == [Press(key="shift+insert")]
    assert read(("+", SPACE), ("+", CTRL_L), ("+", SPACE)) == [Press(text=" "),
                                                                Press(key="ctrl+space")]
    assert read(("+", KeyCode(0x67, None))) == [Press(text="7")]      # keypad 7, Num Lock on


def test_altgr_characters_are_text():
    # AltGr is Ctrl+Alt to Windows; the layout gives the character it types
    assert read(("+", CTRL_L), ("+", ALT_R), ("+", letter("q", "@"))) == [Press(text="@")]


def test_vk_packet_characters_cjk_beyond_the_bmp_and_control_characters():
    assert read(("+", packet("张")), ("+", packet("三"))) == [Press(text="张"), Press(text="三")]
    high, low = "\ud840", "\udc3e"                               # 𠀾 as SendInput sends it
    assert read(("+", packet(high)), ("+", packet(low))) == [Press(text="𠀾")]
    assert read(("+", packet(low))) == []                        # a lone low surrogate
    assert read(("+", packet(high)), ("+", letter("a")), ("+", packet(low))) == [Press(text="a")]
    assert read(("+", packet("\r")), ("+", packet("\t")), ("+", packet("\x07"))) == \
        [Press(key="enter"), Press(key="tab")]
    # a modifier held does not turn a VK_PACKET character into a combination
    assert read(("+", CTRL_L), ("+", packet("李"))) == [Press(text="李")]


def test_ime_dead_lock_and_unknown_keys_are_no_input():
    assert read(("+", KeyCode(0xE5, None))) == []                # VK_PROCESSKEY: the IME's
    assert read(("+", KeyCode(0xDE, "^", is_dead=True))) == []
    assert read(("+", CAPS), ("+", None), ("+", KeyCode(0xAD, None))) == []  # mute: no char


# -- Deskhand's own input ---------------------------------------------------------------
def test_deskhands_own_sendinput_is_marked_and_filtered_other_injected_input_is_not():
    arr = build_input_array([KeyEvent(0x41, 0, 0), MouseEvent(0, 0, 0x0002)])
    assert arr[0].ki.dwExtraInfo == DESKHAND_INPUT_MARK
    assert arr[1].mi.dwExtraInfo == DESKHAND_INPUT_MARK
    assert not_deskhands(0x100, SimpleNamespace(dwExtraInfo=DESKHAND_INPUT_MARK)) is False
    assert not_deskhands(0x100, SimpleNamespace(dwExtraInfo=None)) is True    # a keyboard
    assert not_deskhands(0x100, SimpleNamespace(dwExtraInfo=7)) is True       # another tool


# -- the listener over fake hooks ---------------------------------------------------------
class Hook:
    def __init__(self, callbacks: dict[str, Any], *, fail_start: bool = False,
                 fail_join: bool = False) -> None:
        self.callbacks = callbacks
        self.fail_start, self.fail_join = fail_start, fail_join
        self.log: list[str] = []

    def start(self) -> None:
        self.log.append("start")
        if self.fail_start:
            raise OSError("SetWindowsHookEx failed")

    def wait(self) -> None:
        self.log.append("wait")

    def stop(self) -> None:
        self.log.append("stop")

    def join(self, timeout: float | None = None) -> None:
        if self.fail_join:
            raise RuntimeError("hook thread died")


def listener_with(**hook_options: Any) -> tuple[WindowsInputListener, list[RawInput], list[Hook]]:
    got: list[RawInput] = []
    hooks: list[Hook] = []

    def make(*, on_press, on_release, on_click):
        hooks.append(Hook({"on_press": on_press, "on_release": on_release}, **hook_options))
        hooks.append(Hook({"on_click": on_click}))
        return tuple(hooks)
    clock = iter(range(100))
    return WindowsInputListener(got.append, hooks=make, clock=lambda: float(next(clock))), got, hooks


def test_the_listener_hands_on_the_same_raw_input_stream_as_on_x11():
    listener, got, hooks = listener_with()
    listener.start()
    assert [h.log for h in hooks] == [["start", "wait"], ["start", "wait"]]
    kb, mouse = hooks[0].callbacks, hooks[1].callbacks
    kb["on_press"](packet("王"), True)                   # an IME / on-screen keyboard
    kb["on_press"](CTRL_L, False)
    kb["on_press"](letter("v", "\x16"), False)
    kb["on_release"](CTRL_L, False)
    kb["on_press"](TAB, False)
    mouse["on_click"](640, 480, SimpleNamespace(name="left"), True, False)
    mouse["on_click"](640, 480, SimpleNamespace(name="left"), False, False)   # the release
    mouse["on_click"](5, 5, SimpleNamespace(name="x1"), True, False)          # a side button
    mouse["on_click"](-1200, 30, SimpleNamespace(name="right"), True, False)  # left monitor
    listener.stop()
    assert [(r.kind, r.press, r.button, r.x, r.y) for r in got] == [
        ("key", Press(text="王"), None, 0, 0),
        ("key", Press(key="ctrl+v"), None, 0, 0),
        ("key", Press(key="tab"), None, 0, 0),
        ("button", None, "left", 640, 480),
        ("button", None, "right", -1200, 30)]
    assert [r.t for r in got] == sorted(r.t for r in got)
    assert listener.injected == 1 and listener.failure is None
    assert [h.log[-1] for h in hooks] == ["stop", "stop"]


def test_a_fault_in_a_callback_is_kept_not_raised_into_pynput():
    listener, got, hooks = listener_with()
    listener.on_input = lambda raw: (_ for _ in ()).throw(ValueError("boom"))
    listener.start()
    assert hooks[0].callbacks["on_press"](letter("a"), False) is None   # pynput goes on
    listener.stop()
    assert isinstance(listener.failure, ValueError)


def test_a_hook_that_cannot_be_installed_is_a_sentence_and_nothing_is_left_running():
    listener, _got, hooks = listener_with(fail_start=True)
    with pytest.raises(DesktopError, match="security software may block keyboard hooks"):
        listener.start()
    assert hooks[0].log == ["start", "stop"] and hooks[1].log == ["stop"]


def test_a_hook_thread_that_died_is_the_listeners_failure():
    listener, _got, _hooks = listener_with(fail_join=True)
    listener.start()
    listener.stop()
    assert isinstance(listener.failure, RuntimeError)


def test_without_pynput_the_sentence_says_to_reinstall(monkeypatch):
    monkeypatch.setitem(sys.modules, "pynput", None)
    with pytest.raises(DesktopError, match="pynput is missing"):
        pynput_hooks(on_press=print, on_release=print, on_click=print)


# -- the session fed by the Windows listener ----------------------------------------------
WIN = WindowInfo(id=0x100, title="审批", pid=100, process="approval", x=0, y=0,
                 width=600, height=400)


class Desktop:
    name = "windows"

    def active_window(self) -> WindowInfo:
        return WIN

    def list_windows(self) -> list[WindowInfo]:
        return [WIN]


def test_a_recording_over_the_windows_listener_and_the_uia_tree(uia_world):
    """Keys into the name box, Tab into the password box (whose keys are never kept), the
    stop key: the events and final values the compiler gets, as on X11."""
    made: list[WindowsInputListener] = []
    hooks: list[Hook] = []

    def factory(put):
        def make(*, on_press, on_release, on_click):
            hooks.extend([Hook({"on_press": on_press, "on_release": on_release}),
                          Hook({"on_click": on_click})])
            return tuple(hooks)
        made.append(WindowsInputListener(put, hooks=make))
        return made[0]
    tree = UiaTreeWatch(uia_world.backend)
    rec = Recorder(RecorderParts(Desktop(), tree, listener_factory=factory),  # type: ignore[arg-type]
                   RecorderOptions(own_pids=(1,)))
    rec.start()
    kb = hooks[0].callbacks
    name_box, password_box = uia_world.root.children[1], uia_world.root.children[6]

    def typed(box, text: str) -> None:
        for ch in text:
            kb["on_press"](packet(ch), False)
        time.sleep(0.3)
        box.value = (box.value or "") + text       # what the box holds (the toolkit typed it)

    name_box.SetFocus()
    typed(name_box, "张三")
    kb["on_press"](TAB, False)
    password_box.SetFocus()
    typed(password_box, "hunter2")
    kb["on_press"](CTRL_L, False)
    kb["on_press"](ALT_L, False)
    kb["on_press"](letter("s", ""), False)
    assert rec.wait(5.0)
    r = rec.finish()
    tree.close()
    text = [(label_key(e.widget.label) if e.widget else None, e.text)
            for e in r.events if e.kind == "text"]
    assert text[:2] == [("姓名", "张"), ("姓名", "三")]
    assert all(t is None for label, t in text[2:]) and len(text) == 9
    assert "hunter2" not in r.to_json() and "h" not in [t for _l, t in text]
    finals = {label_key(e.widget.label): e.text for e in r.events
              if e.kind == "value" and e.t == r.stopped}
    assert finals["姓名"] == "张三" and finals["密码"] is None


# -- the UIA tree watch -------------------------------------------------------------------
@pytest.fixture()
def uia_world():
    from tests.test_a11y_uia import Lib, build_form
    from app.a11y.uia import UiaAccessibility
    root = build_form(0x100, 100)
    lib = Lib({0x100: root})
    joined: list[int] = []

    class Initializer:
        def __enter__(self):
            joined.append(threading.get_ident())
            return self

        def __exit__(self, *exc):
            joined.append(-threading.get_ident())
            return False
    lib.UIAutomationInitializerInThread = Initializer
    return SimpleNamespace(root=root, lib=lib, backend=UiaAccessibility(lib, settle=0.05),
                           joined=joined)


def test_every_uia_read_runs_on_one_thread_that_joined_com(uia_world):
    seen: set[int] = set()
    real = uia_world.lib.ControlFromHandle
    uia_world.lib.ControlFromHandle = lambda h: (seen.add(threading.get_ident()), real(h))[1]
    tree = UiaTreeWatch(uia_world.backend)
    assert [f.key for f in tree.fields(WIN)][:2] == ["姓名", "联系电话"]
    done: list[Any] = []
    t = threading.Thread(target=lambda: done.append(tree.fields(WIN, refresh=True)))
    t.start()
    t.join()
    assert len(done[0]) == 10
    assert len(seen) == 1 and seen == {uia_world.joined[0]}
    assert threading.get_ident() not in seen
    tree.close()
    assert uia_world.joined == [uia_world.joined[0], -uia_world.joined[0]]   # left COM
    assert tree.a11y is None and tree.fields(WIN) == []


def test_focus_value_and_options_read_through_uia(uia_world):
    tree = UiaTreeWatch(uia_world.backend)
    root = uia_world.root
    root.children[1].value = "张三"
    root.children[1].SetFocus()
    f = tree.focused(WIN)
    assert f.key == "姓名" and tree.value(WIN, f) == "张三"
    combo = next(g for g in tree.fields(WIN) if g.role == "combo")
    assert tree.options(WIN, combo) == ("公积金提取", "不动产登记")
    at = tree.at(WIN, 130, 30)
    assert at is not None and at.key == "姓名"
    finals = dict((g.key, v) for g, v in tree.final_values(WIN))
    assert finals["姓名"] == "张三" and finals["密码"] is None and finals["性别"] == ""
    tree.close()


def test_a_password_box_never_gives_its_text_even_when_it_became_one_after_the_read(uia_world):
    tree = UiaTreeWatch(uia_world.backend)
    root = uia_world.root
    pw = root.children[6]
    pw.value = "hunter2"
    pw.SetFocus()
    f = tree.focused(WIN)
    assert f.role == PASSWORD and tree.value(WIN, f) is None
    # the name box turns into a password box (a page's "hide" toggle) after the form was read
    name = root.children[1]
    name.value = "s3cret"
    name.IsPassword = True
    name.SetFocus()
    f = tree.focused(WIN)
    assert f.role == PASSWORD                         # its keys are secret from now on
    cached = next(g for g in tree.fields(WIN) if g.key == "姓名")
    assert cached.role != PASSWORD and tree.value(WIN, cached) is None
    assert "s3cret" not in [v for _g, v in tree.final_values(WIN)]
    tree.close()


def test_a_focused_password_box_outside_the_known_fields_is_still_secret(uia_world):
    from tests.test_a11y_uia import Control
    from app.a11y import uia
    tree = UiaTreeWatch(uia_world.backend)
    assert tree.fields(WIN)
    # a custom control (no Edit type) added after the read, that says it is a password box
    odd = Control(50033, "PIN", (300, 300, 100, 20), password=True)
    odd.parent = uia_world.root
    uia_world.root.children.append(odd)
    odd.SetFocus()
    f = tree.focused(WIN)
    assert f is not None and f.role == PASSWORD and f.label == "PIN"
    assert uia.UiaAccessibility.is_password(uia_world.backend, WIN, f)
    tree.close()


def test_focus_inside_a_field_is_the_field(uia_world):
    from tests.test_a11y_uia import Control
    from app.a11y import uia
    tree = UiaTreeWatch(uia_world.backend)
    combo = uia_world.root.children[5]
    inner = Control(uia.EDIT_ID, "", (122, 142, 150, 20), value="")    # an editable combo's edit
    inner.parent = combo
    combo.children.append(inner)
    tree.fields(WIN, refresh=True)
    inner.SetFocus()
    f = tree.focused(WIN)
    assert f is not None and f.role == "combo" and f.key == "办理事项"
    tree.close()


def test_a_hanging_or_failing_target_is_no_tree_not_a_stopped_recording(uia_world):
    tree = UiaTreeWatch(uia_world.backend, timeout=0.2)
    release = threading.Event()
    uia_world.lib.GetFocusedControl = lambda: release.wait(5.0)    # the target hangs
    assert tree.fields(WIN)
    t0 = time.monotonic()
    assert tree.focused(WIN) is None
    assert time.monotonic() - t0 < 1.0
    release.set()

    def com_error():
        raise OSError("COMError -2147220991: the element is not available")
    uia_world.lib.GetFocusedControl = com_error
    assert tree.focused(WIN) is None
    tree.close()


def test_a_target_that_never_answers_does_not_keep_deskhand_from_exiting():
    code = ("import threading; from tests.test_a11y_uia import Lib, build_form; "
            "from app.a11y.uia import UiaAccessibility; from app.desktop.base import WindowInfo; "
            "from recorders.tree_watch_windows import UiaTreeWatch; "
            "lib = Lib({1: build_form(1, 1)}); w = WindowInfo(1, 'x', pid=1); "
            "tree = UiaTreeWatch(UiaAccessibility(lib), timeout=0.2); tree.fields(w); "
            "lib.GetFocusedControl = lambda: threading.Event().wait(); "
            "print(tree.focused(w))")
    t0 = time.monotonic()
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={"PYTHONPATH": ".", "PATH": "/usr/bin:/bin"}, timeout=60)
    assert done.stdout.strip() == "None", done.stderr
    assert time.monotonic() - t0 < 30


def test_a_com_thread_that_cannot_start_means_no_tree(uia_world):
    def broken():
        raise OSError("CoInitializeEx failed")
    tree = UiaTreeWatch(uia_world.backend, com_init=broken)
    assert tree.fields(WIN) == [] and tree.focused(WIN) is None
    tree.close()


# -- the one place that chooses -----------------------------------------------------------
def test_the_listener_and_tree_follow_the_desktop_backend(uia_world):
    got = backends.open_listener(Desktop(), print, env={}, platform="linux")
    assert isinstance(got, WindowsInputListener)         # not started: no hook, no pynput
    assert isinstance(backends.tree_watch(uia_world.backend), UiaTreeWatch)
    assert type(backends.tree_watch(None)) is TreeWatch
    assert type(backends.tree_watch(SimpleNamespace(name="atspi"))) is TreeWatch
    x11 = SimpleNamespace(name="x11", display_name=":5")
    assert backends.listener_platform(x11, env={}, platform="linux") == "x11"
    assert backends.listener_platform(None, env={}, platform="win32") == "windows"


@pytest.mark.parametrize("desktop,env,platform,sentence", [
    (None, {"WAYLAND_DISPLAY": "wayland-0"}, "linux", "Wayland without X"),
    (None, {}, "darwin", "macOS"),
    (SimpleNamespace(name="dummy"), {"DISPLAY": ":1"}, "linux", "dummy desktop"),
])
def test_an_unsupported_session_is_a_sentence(desktop, env, platform, sentence):
    with pytest.raises(DesktopError, match=sentence):
        backends.open_listener(desktop, print, env=env, platform=platform)


def test_deskhand_record_under_wayland_without_x_says_so_with_exit_3(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "WAYLAND_DISPLAY": "wayland-0",
           "XDG_SESSION_TYPE": "wayland", "PYTHONPATH": ".", "LANG": "C.UTF-8"}
    card = tmp_path / "card.png"
    from PIL import Image
    Image.new("RGB", (40, 20), "white").save(card)
    done = subprocess.run([sys.executable, "-m", "app.cli", "record", "-o",
                           str(tmp_path / "new.yaml"), "--source-image", str(card)],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 3, done.stderr
    assert "Wayland without X" in done.stderr + done.stdout
    assert "Traceback" not in done.stderr


def test_nothing_at_start_up_imports_pynput():
    code = ("import sys, app.cli, recorders.backends, recorders.job, recorders.listen_windows, "
            "recorders.tree_watch_windows; print('pynput' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={"PYTHONPATH": ".", "PATH": "/usr/bin:/bin"}, timeout=120)
    assert done.stdout.strip() == "False", done.stderr


def test_deskhands_own_processes_on_windows_come_from_the_process_snapshot():
    from recorders.listen_windows import process_parents
    from recorders.session import own_process_chain
    # python.exe ← cmd.exe ← OpenConsole.exe ← WindowsTerminal.exe ← explorer (gone: pid 1 is not followed)
    table = {5000: 4200, 4200: 3100, 3100: 2900, 2900: 1}
    assert own_process_chain(5000, parents=lambda: table) == (5000, 4200, 3100, 2900)
    # a parent that ended left its pid to a child of ours: no loop
    assert own_process_chain(5000, parents=lambda: {5000: 4200, 4200: 5000}) == (5000, 4200)
    assert own_process_chain(5000, parents=dict) == (5000,)
    assert process_parents() == {}                      # no Toolhelp here: just this process
