"""The Windows backend, tested on Linux.

The pure parts (INPUT sequences, VK table, surrogate pairs, chunking, the
focus-guard loop, mouse normalisation, clipboard format classification) are
tested for real. The thin user32 / kernel32 layer is driven through fakes
that behave like the documented Win32 calls, which checks the glue (argument
order, byref out-parameters, 64-bit handles, error paths) but not Windows
itself: see the report for what only a Windows PC can confirm.
"""
from __future__ import annotations

import ctypes
import sys
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, Callable

import pytest

from app.desktop.base import Desktop, FocusMoved, StopRequested, WindowInfo
from app.desktop import windows_clipboard as wc
from app.desktop import windows_input as wi
from app.desktop.windows import WindowsDesktop, Win32Api, declare, prototypes
from app.desktop.windows_input import (
    KEYEVENTF_EXTENDEDKEY as EXT, KEYEVENTF_KEYUP as UP, KEYEVENTF_UNICODE as UNI,
    KeyEvent, MouseEvent, VirtualScreen,
)
from app.errors import ClipboardError, DesktopError
from playbooks.keys import ALIASES, NAMED_KEYS, KeyCombo, parse_combo


def down_up(vk: int, flags: int = 0) -> list[KeyEvent]:
    return [KeyEvent(vk, 0, flags), KeyEvent(vk, 0, flags | UP)]


def chars_of(events: list[Any]) -> str:
    """The characters a KEYEVENTF_UNICODE stream types (key downs only)."""
    units = [e.scan for e in events if isinstance(e, KeyEvent) and e.flags & UNI and not e.up]
    data = b"".join(u.to_bytes(2, "little") for u in units)
    return data.decode("utf-16-le", "surrogatepass")


# --- text -> key events ------------------------------------------------------------

def test_chinese_text_is_unicode_down_up_pairs() -> None:
    assert wi.text_events("张三") == [
        KeyEvent(0, 0x5F20, UNI), KeyEvent(0, 0x5F20, UNI | UP),
        KeyEvent(0, 0x4E09, UNI), KeyEvent(0, 0x4E09, UNI | UP),
    ]


def test_character_outside_bmp_is_a_surrogate_pair() -> None:
    # 𠮷 U+20BB7 (a surname character) = D842 DFB7 in UTF-16
    assert wi.utf16_units("𠮷") == [0xD842, 0xDFB7]
    assert wi.text_events("𠮷") == [
        KeyEvent(0, 0xD842, UNI), KeyEvent(0, 0xDFB7, UNI),
        KeyEvent(0, 0xD842, UNI | UP), KeyEvent(0, 0xDFB7, UNI | UP),
    ]
    assert chars_of(wi.text_events("吉𠮷祥")) == "吉𠮷祥"


def test_newline_and_tab_are_real_keys() -> None:
    assert wi.text_events("\n") == down_up(wi.VK_RETURN)
    assert wi.text_events("\t") == down_up(wi.VK_TAB)
    # "\r\n" is one Enter, a lone "\r" is one Enter too
    assert wi.text_events("a\r\nb") == [*wi.unicode_events("a"), *down_up(wi.VK_RETURN),
                                       *wi.unicode_events("b")]
    assert wi.text_events("\r") == down_up(wi.VK_RETURN)
    assert not any(e.flags & UNI for e in wi.text_events("\n\t"))


def test_ascii_and_digits_go_as_unicode_so_the_layout_does_not_matter() -> None:
    events = wi.text_events("A1-x")
    assert all(e.vk == 0 and e.flags & UNI for e in events)
    assert chars_of(events) == "A1-x"


# --- key combinations ----------------------------------------------------------------

def test_every_playbook_key_name_has_a_vk() -> None:
    canonical = {ALIASES.get(k, k) for k in NAMED_KEYS}
    assert canonical <= set(wi.NAMED_VK), canonical - set(wi.NAMED_VK)
    assert [wi.NAMED_VK[f"f{i}"] for i in range(1, 13)] == list(range(0x70, 0x7C))


def test_ctrl_shift_tab_downs_key_reverse_ups() -> None:
    assert wi.combo_events(parse_combo("ctrl+shift+tab")) == [
        KeyEvent(wi.VK_LCONTROL, 0, 0), KeyEvent(wi.VK_LSHIFT, 0, 0),
        KeyEvent(wi.VK_TAB, 0, 0), KeyEvent(wi.VK_TAB, 0, UP),
        KeyEvent(wi.VK_LSHIFT, 0, UP), KeyEvent(wi.VK_LCONTROL, 0, UP),
    ]


@pytest.mark.parametrize("name", ["up", "down", "left", "right", "home", "end", "insert",
                                  "delete", "pageup", "pagedown", "numlock", "printscreen", "menu"])
def test_navigation_keys_are_extended(name: str) -> None:
    events = wi.combo_events(parse_combo(name))
    assert events == down_up(wi.NAMED_VK[name], EXT)


@pytest.mark.parametrize("name", ["enter", "tab", "esc", "space", "backspace", "f5",
                                  "capslock", "pause"])
def test_main_block_keys_are_not_extended(name: str) -> None:
    assert wi.combo_events(parse_combo(name)) == down_up(wi.NAMED_VK[name])


def test_shift_alt_arrow_keeps_modifiers_plain_and_arrow_extended() -> None:
    assert wi.combo_events(parse_combo("alt+shift+left")) == [
        KeyEvent(wi.VK_LMENU, 0, 0), KeyEvent(wi.VK_LSHIFT, 0, 0),
        KeyEvent(wi.VK_LEFT, 0, EXT), KeyEvent(wi.VK_LEFT, 0, EXT | UP),
        KeyEvent(wi.VK_LSHIFT, 0, UP), KeyEvent(wi.VK_LMENU, 0, UP),
    ]


def test_win_key_is_left_win_extended() -> None:
    events = wi.combo_events(parse_combo("win+e"))
    assert events[0] == KeyEvent(wi.VK_LWIN, 0, EXT)
    assert events[-1] == KeyEvent(wi.VK_LWIN, 0, EXT | UP)
    assert events[1:3] == down_up(ord("E"))


def test_parse_vkscan() -> None:
    assert wi.parse_vkscan(-1) is None
    assert wi.parse_vkscan(0xFFFF) is None
    assert wi.parse_vkscan(0x0041) == (0x41, ())
    assert wi.parse_vkscan(0x01BB) == (0xBB, ("shift",))          # "+" on a US layout
    assert wi.parse_vkscan(0x0645) == (0x45, ("ctrl", "alt"))     # AltGr+e (€ on German)
    assert wi.parse_vkscan(0x0841) is None                        # Hankaku state


def test_single_character_uses_vkkeyscan_and_adds_needed_modifiers() -> None:
    us = {"a": 0x41, "+": 0x1BB, "1": 0x31}.get

    def vk_scan(ch: str) -> int:
        return us(ch, -1)

    assert wi.combo_events(parse_combo("ctrl+a"), vk_scan) == [
        KeyEvent(wi.VK_LCONTROL, 0, 0), *down_up(0x41), KeyEvent(wi.VK_LCONTROL, 0, UP)]
    assert wi.combo_events(parse_combo("ctrl++"), vk_scan) == [
        KeyEvent(wi.VK_LCONTROL, 0, 0), KeyEvent(wi.VK_LSHIFT, 0, 0), *down_up(0xBB),
        KeyEvent(wi.VK_LSHIFT, 0, UP), KeyEvent(wi.VK_LCONTROL, 0, UP)]
    # a character the layout cannot type is sent as Unicode
    assert wi.combo_events(parse_combo("€"), vk_scan) == wi.unicode_events("€")
    # a letter shortcut the layout does not map (e.g. Russian) still goes as its VK
    assert wi.combo_events(parse_combo("ctrl+c"), lambda ch: -1)[1:3] == down_up(ord("C"))
    assert wi.combo_events(KeyCombo(("ctrl",), "v"))[1:3] == down_up(0x56)


def test_scan_codes_are_filled_when_mapvirtualkey_is_given() -> None:
    events = wi.combo_events(parse_combo("ctrl+left"), None, lambda vk: {0xA2: 0x1D, 0x25: 0x4B}[vk])
    assert [(e.vk, e.scan) for e in events] == [(0xA2, 0x1D), (0x25, 0x4B), (0x25, 0x4B), (0xA2, 0x1D)]


def test_unknown_key_name_is_refused() -> None:
    with pytest.raises(ValueError):
        wi.combo_events(KeyCombo((), "hyper"))
    with pytest.raises(ValueError):
        wi.combo_events(KeyCombo(("fn",), "a"))


# --- INPUT structures ------------------------------------------------------------------

def test_input_structure_has_windows_layout() -> None:
    pointer = ctypes.sizeof(ctypes.c_void_p)
    assert ctypes.sizeof(wi.INPUT) == (40 if pointer == 8 else 28)
    assert ctypes.sizeof(wi.KEYBDINPUT) == (24 if pointer == 8 else 16)
    assert wi.INPUT.u.offset == (8 if pointer == 8 else 4)


def test_input_array_round_trip() -> None:
    events = [*wi.text_events("张𠮷\n"), MouseEvent(100, -5, wi.MOUSEEVENTF_MOVE)]
    arr = wi.build_input_array(events)
    assert [slot.type for slot in arr] == [wi.INPUT_KEYBOARD] * (len(events) - 1) + [wi.INPUT_MOUSE]
    assert wi.decode_input_array(arr) == events


# --- chunking and the focus guard -------------------------------------------------------

def test_chunking() -> None:
    assert wi.chunk_text("", 4) == []
    assert wi.chunk_text("abcdefghij", 4) == ["abcd", "efgh", "ij"]
    text = "张三𠮷𠮷𠮷李四\r\n福建省龙岩市"
    chunks = wi.chunk_text(text, 3)
    assert "".join(chunks) == text and all(chunks)
    # code points, never half a surrogate pair; "\r\n" is never split
    assert chunks == ["张三𠮷", "𠮷𠮷李", "四\r\n", "福建省", "龙岩市"]
    assert wi.chunk_text("ab\r\ncd", 3) == ["ab\r\n", "cd"]
    with pytest.raises(ValueError):
        wi.chunk_text("x", 0)


class Foreground:
    """A fake GetForegroundWindow() == target check that turns False after n calls."""

    def __init__(self, true_for: int) -> None:
        self.calls = 0
        self.true_for = true_for

    def __call__(self) -> bool:
        self.calls += 1
        return self.calls <= self.true_for


def test_focus_guard_stops_before_the_first_chunk_after_the_change() -> None:
    chunks = wi.chunk_text("张三李四王五赵六钱七孙八周九吴十𠮷", 3)
    sent: list[str] = []
    active = WindowInfo(id=99, title="微信")
    with pytest.raises(FocusMoved) as info:
        wi.send_guarded(chunks, send=sent.append, is_focused=Foreground(2),
                        focus_lost=lambda n: FocusMoved(n, active))
    assert sent == chunks[:2]
    assert info.value.sent == 6 == len("".join(sent))
    assert info.value.active is active


def test_focus_guard_counts_characters_not_utf16_units() -> None:
    chunks = wi.chunk_text("𠮷𠮷𠮷𠮷", 2)
    sent: list[str] = []
    with pytest.raises(FocusMoved) as info:
        wi.send_guarded(chunks, send=sent.append, is_focused=Foreground(1),
                        focus_lost=lambda n: FocusMoved(n, None))
    assert info.value.sent == 2 and sent == ["𠮷𠮷"]


def test_focus_lost_before_anything_sends_nothing() -> None:
    sent: list[str] = []
    with pytest.raises(FocusMoved) as info:
        wi.send_guarded(["abc"], send=sent.append, is_focused=lambda: False,
                        focus_lost=lambda n: FocusMoved(n, None))
    assert sent == [] and info.value.sent == 0


def test_stop_is_checked_before_every_chunk() -> None:
    chunks = ["ab", "cd", "ef", "gh"]
    sent: list[str] = []
    calls = iter([None, None, "abort key ctrl+alt+esc", None])
    with pytest.raises(StopRequested) as info:
        wi.send_guarded(chunks, send=sent.append, is_focused=lambda: True,
                        focus_lost=lambda n: FocusMoved(n, None), stop=lambda: next(calls))
    assert sent == ["ab", "cd"]
    assert info.value.sent == 4 and info.value.reason == "abort key ctrl+alt+esc"


def test_stop_wins_over_focus_and_pause_runs_between_chunks_only() -> None:
    with pytest.raises(StopRequested):
        wi.send_guarded(["a"], send=lambda c: None, is_focused=lambda: False,
                        focus_lost=lambda n: FocusMoved(n, None), stop=lambda: "failsafe")
    pauses: list[int] = []
    total = wi.send_guarded(["ab", "c", "d"], send=lambda c: None, is_focused=lambda: True,
                            focus_lost=lambda n: FocusMoved(n, None),
                            pause=lambda: pauses.append(1))
    assert total == 4 and len(pauses) == 2


# --- mouse -------------------------------------------------------------------------

# A 1920x1080 monitor left of a 2560x1440 primary whose top is 360 px lower:
# the virtual screen starts at (-1920, -360).
MULTI = VirtualScreen(-1920, -360, 1920 + 2560, 1440 + 360)


def test_normalisation_corners_on_a_negative_origin_virtual_screen() -> None:
    assert wi.normalise_absolute(-1920, -360, MULTI) == (0, 0)
    dx, dy = wi.normalise_absolute(2559, 1439, MULTI)
    assert dx <= 65535 and dy <= 65535
    assert wi.denormalise_absolute(dx, dy, MULTI) == (2559, 1439)
    # the primary monitor's origin is not at the middle of the range
    assert wi.normalise_absolute(0, 0, MULTI) == (-(-1920 * 65536 // 4480), -(-360 * 65536 // 1800))


@pytest.mark.parametrize("screen", [MULTI, VirtualScreen(0, 0, 1920, 1080),
                                    VirtualScreen(-3840, 0, 7680, 2160), VirtualScreen(0, -1200, 1366, 1968)])
def test_normalisation_lands_on_every_pixel(screen: VirtualScreen) -> None:
    for px in range(screen.x, screen.x + screen.width):
        dx, _ = wi.normalise_absolute(px, screen.y, screen)
        assert wi.denormalise_absolute(dx, 0, screen)[0] == px
    for py in range(screen.y, screen.y + screen.height):
        _, dy = wi.normalise_absolute(screen.x, py, screen)
        assert wi.denormalise_absolute(0, dy, screen)[1] == py


def test_normalisation_refuses_points_off_screen() -> None:
    with pytest.raises(ValueError):
        wi.normalise_absolute(-1921, 0, MULTI)
    with pytest.raises(ValueError):
        wi.normalise_absolute(2560, 0, MULTI)


def test_move_and_button_events() -> None:
    move = wi.move_event(0, 0, MULTI)
    assert move.flags == wi.MOUSEEVENTF_MOVE | wi.MOUSEEVENTF_ABSOLUTE | wi.MOUSEEVENTF_VIRTUALDESK
    assert [e.flags for e in wi.button_events("right")] == [wi.MOUSEEVENTF_RIGHTDOWN, wi.MOUSEEVENTF_RIGHTUP]
    assert [e.flags for e in wi.button_events("left", double=True)] == [
        wi.MOUSEEVENTF_LEFTDOWN, wi.MOUSEEVENTF_LEFTUP] * 2
    with pytest.raises(ValueError):
        wi.button_events("fourth")


# --- keyboard state ----------------------------------------------------------------

def test_held_modifiers_from_left_or_right_keys() -> None:
    assert wi.held_modifier_names(lambda vk: vk in {wi.VK_RCONTROL, wi.VK_LSHIFT}) == {"ctrl", "shift"}
    assert wi.held_modifier_names(lambda vk: vk == wi.VK_RWIN) == {"super"}
    assert wi.held_modifier_names(lambda vk: vk == wi.VK_RMENU) == {"alt"}
    assert wi.held_modifier_names(lambda vk: False) == set()


def test_combo_matcher() -> None:
    m = wi.ComboMatcher(parse_combo("ctrl+alt+esc"))
    m.key_down(wi.VK_ESCAPE)
    m.key_up(wi.VK_ESCAPE)
    m.key_down(wi.VK_LCONTROL)
    m.key_down(wi.VK_ESCAPE)       # alt missing
    assert not m.fired
    m.key_up(wi.VK_ESCAPE)
    m.key_down(wi.VK_RMENU)        # right alt counts as alt
    m.key_down(wi.VK_ESCAPE)
    assert m.fired
    m.key_up(wi.VK_ESCAPE)
    assert m.fired                 # sticky
    q = wi.ComboMatcher(parse_combo("ctrl+shift+q"))
    assert q.key_vks == {ord("Q")}


def test_process_basename() -> None:
    assert wi.process_basename(r"C:\Program Files\Zwfw\ApprovalClient.EXE") == "ApprovalClient"
    assert wi.process_basename(r"D:\tools\chrome.exe") == "chrome"
    assert wi.process_basename("notepad") == "notepad"


# --- clipboard formats ------------------------------------------------------------

def test_clipboard_format_classification() -> None:
    for fmt in (wc.CF_TEXT, wc.CF_UNICODETEXT, wc.CF_OEMTEXT, wc.CF_LOCALE, wc.CF_DIB,
                wc.CF_DIBV5, wc.CF_HDROP, wc.CF_DSPTEXT, 0xC0A1):
        assert wc.format_kind(fmt) == "memory" and wc.should_save(fmt), fmt
    for fmt in (wc.CF_BITMAP, wc.CF_PALETTE, wc.CF_METAFILEPICT, wc.CF_ENHMETAFILE,
                wc.CF_DSPBITMAP, wc.CF_DSPENHMETAFILE, 0x0300, 0x03FF):
        assert wc.format_kind(fmt) == "gdi" and not wc.should_save(fmt), fmt
    assert wc.format_kind(0x0200) == wc.format_kind(0x02FF) == "private"
    assert wc.format_kind(wc.CF_OWNERDISPLAY) == "display"


def test_clipboard_format_keys_round_trip() -> None:
    assert wc.format_key(wc.CF_UNICODETEXT) == "CF_UNICODETEXT"
    assert wc.format_key(0xC1F0, "HTML Format") == "HTML Format"
    assert wc.format_key(0xC1F0, None) == "#49648"
    assert wc.format_key(0x0040) == "#64"
    for key in ("CF_UNICODETEXT", "CF_DIBV5", "#64"):
        assert wc.format_key(wc.format_from_key(key)) == key  # type: ignore[arg-type]
    assert wc.format_from_key("HTML Format") == "HTML Format"


def test_unicode_text_bytes() -> None:
    data = wc.unicode_text_bytes("张三𠮷")
    assert data.endswith(b"\x00\x00") and len(data) == 2 * 5
    assert wc.text_from_unicode_bytes(data + b"junk!") == "张三𠮷"
    assert wc.text_from_unicode_bytes(b"a\x00b") == "a"


# --- fakes of user32 / kernel32 -------------------------------------------------------

class FakeMemory:
    """GlobalAlloc & co. over real ctypes buffers, so string_at / memmove work."""

    def __init__(self) -> None:
        self.blocks: dict[int, ctypes.Array[ctypes.c_char]] = {}
        self.next = 0x10000
        self.freed: list[int] = []

    def alloc(self, data: bytes) -> int:
        h = self.GlobalAlloc(wc.GMEM_MOVEABLE, len(data))
        ctypes.memmove(ctypes.addressof(self.blocks[h]), data, len(data))
        return h

    def GlobalAlloc(self, flags: int, size: int) -> int:
        self.next += 16
        self.blocks[self.next] = ctypes.create_string_buffer(size)
        return self.next

    def GlobalLock(self, h: int) -> int | None:
        return ctypes.addressof(self.blocks[h]) if h in self.blocks else None

    def GlobalUnlock(self, h: int) -> bool:
        return True

    def GlobalSize(self, h: int) -> int:
        return len(self.blocks[h]) if h in self.blocks else 0

    def GlobalFree(self, h: int) -> None:
        self.freed.append(h)
        self.blocks.pop(h, None)


@dataclass
class FakeWindow:
    title: str
    pid: int
    thread: int
    path: str
    origin: tuple[int, int] = (0, 0)
    size: tuple[int, int] = (800, 600)
    visible: bool = True


class FakeUser32:
    """Enough of user32 to drive WindowsDesktop, recording what it was asked to do."""

    def __init__(self, mem: FakeMemory) -> None:
        self.mem = mem
        self.windows: dict[int, FakeWindow] = {}
        self.foreground = 0
        self.sends: list[list[Any]] = []
        self.on_send: Callable[[list[Any]], int | None] | None = None
        self.keys_down: set[int] = set()
        self.cursor = (0, 0)
        self.virtual = VirtualScreen(0, 0, 1920, 1080)
        self.primary = (1920, 1080)
        self.at_point: dict[tuple[int, int], int] = {}
        self.calls: list[str] = []
        # clipboard
        self.clip: dict[int, int] = {}           # format -> handle
        self.registered: dict[str, int] = {}
        self.open_fails = 0                      # OpenClipboard fails this many times
        self.is_open = False
        self.seq = 1
        self.owner: int | None = None
        self.dpi_context: Any = None

    # windows
    def GetForegroundWindow(self) -> int | None:
        return self.foreground or None

    def GetWindowTextLengthW(self, hwnd: int) -> int:
        return len(self.windows[hwnd].title)

    def GetWindowTextW(self, hwnd: int, buf: Any, n: int) -> int:
        text = self.windows[hwnd].title[: n - 1]
        buf.value = text
        return len(text)

    def GetWindowThreadProcessId(self, hwnd: int, pid_ref: Any) -> int:
        w = self.windows[hwnd]
        if pid_ref is not None:
            pid_ref._obj.value = w.pid
        return w.thread

    def GetClientRect(self, hwnd: int, rect_ref: Any) -> bool:
        r = rect_ref._obj
        r.left, r.top = 0, 0
        r.right, r.bottom = self.windows[hwnd].size
        return True

    def ClientToScreen(self, hwnd: int, pt_ref: Any) -> bool:
        if hwnd not in self.windows:
            return False
        pt = pt_ref._obj
        ox, oy = self.windows[hwnd].origin
        pt.x, pt.y = pt.x + ox, pt.y + oy
        return True

    def IsWindowVisible(self, hwnd: int) -> bool:
        return self.windows[hwnd].visible

    def IsWindow(self, hwnd: int) -> bool:
        return hwnd in self.windows

    def IsIconic(self, hwnd: int) -> bool:
        return False

    def EnumWindows(self, callback: Any, lparam: int) -> bool:
        for hwnd in list(self.windows):
            if not callback(hwnd, lparam):
                break
        return True

    def WindowFromPoint(self, pt: Any) -> int:
        return self.at_point.get((pt.x, pt.y), self.foreground)

    def GetAncestor(self, hwnd: int, flags: int) -> int:
        return hwnd

    # activation: by default refuse (foreground lock); tests set `grant_on`
    grant_on = "AttachThreadInput"

    def SetForegroundWindow(self, hwnd: int) -> bool:
        self.calls.append("SetForegroundWindow")
        if self.grant_on in self.calls:
            self.foreground = hwnd
            return True
        return False

    def AttachThreadInput(self, a: int, b: int, attach: bool) -> bool:
        self.calls.append("AttachThreadInput" if attach else "DetachThreadInput")
        return True

    def BringWindowToTop(self, hwnd: int) -> bool:
        return True

    def ShowWindow(self, hwnd: int, cmd: int) -> bool:
        return True

    # input
    def GetAsyncKeyState(self, vk: int) -> int:
        return -32768 if vk in self.keys_down else 0   # SHORT with the high bit set

    def SendInput(self, n: int, arr: Any, size: int) -> int:
        assert size == ctypes.sizeof(wi.INPUT)
        events = wi.decode_input_array(arr)
        assert len(events) == n
        self.sends.append(events)
        result = self.on_send(events) if self.on_send else None
        for e in events:
            if isinstance(e, MouseEvent) and e.flags & wi.MOUSEEVENTF_ABSOLUTE:
                self.cursor = wi.denormalise_absolute(e.dx, e.dy, self.virtual)
        return n if result is None else result

    def VkKeyScanW(self, ch: str) -> int:
        return {"a": 0x41, "c": 0x43, "v": 0x56, "+": 0x1BB}.get(ch, -1)

    def MapVirtualKeyW(self, vk: int, kind: int) -> int:
        return 0

    def GetSystemMetrics(self, index: int) -> int:
        v = self.virtual
        return {0: self.primary[0], 1: self.primary[1], 76: v.x, 77: v.y,
                78: v.width, 79: v.height}[index]

    def GetCursorPos(self, pt_ref: Any) -> bool:
        pt_ref._obj.x, pt_ref._obj.y = self.cursor
        return True

    def SetCursorPos(self, x: int, y: int) -> bool:
        self.calls.append("SetCursorPos")
        self.cursor = (x, y)
        return True

    def SetProcessDpiAwarenessContext(self, ctx: Any) -> bool:
        self.dpi_context = ctx
        return True

    # clipboard
    def OpenClipboard(self, hwnd: int | None) -> bool:
        if self.open_fails > 0:
            self.open_fails -= 1
            return False
        assert not self.is_open
        self.is_open, self.open_owner = True, hwnd
        return True

    def CloseClipboard(self) -> bool:
        self.is_open = False
        return True

    def EmptyClipboard(self) -> bool:
        assert self.is_open
        self.clip.clear()
        self.seq += 1
        return True

    def CountClipboardFormats(self) -> int:
        return len(self.clip)

    def EnumClipboardFormats(self, fmt: int) -> int:
        assert self.is_open
        keys = list(self.clip)
        if fmt == 0:
            return keys[0] if keys else 0
        i = keys.index(fmt)
        return keys[i + 1] if i + 1 < len(keys) else 0

    def GetClipboardData(self, fmt: int) -> int | None:
        assert self.is_open
        return self.clip.get(fmt)

    def SetClipboardData(self, fmt: int, handle: int) -> int:
        assert self.is_open and self.open_owner, "SetClipboardData needs an owner window"
        self.clip[fmt] = handle
        self.seq += 1
        return handle

    def GetClipboardFormatNameW(self, fmt: int, buf: Any, n: int) -> int:
        for name, f in self.registered.items():
            if f == fmt:
                buf.value = name
                return len(name)
        return 0

    def RegisterClipboardFormatW(self, name: str) -> int:
        return self.registered.setdefault(name, 0xC000 + len(self.registered) + 1)

    def GetClipboardSequenceNumber(self) -> int:
        return self.seq

    def GetOpenClipboardWindow(self) -> int:
        return 0x777

    def CreateWindowExW(self, *args: Any) -> int:
        assert args[1] == "STATIC"
        return 0x4242

    def DestroyWindow(self, hwnd: int) -> bool:
        self.calls.append("DestroyWindow")
        return True

    # helpers for tests
    def put(self, fmt: int | str, data: bytes) -> None:
        if isinstance(fmt, str):
            fmt = self.RegisterClipboardFormatW(fmt)
        self.clip[fmt] = self.mem.alloc(data)

    def data(self, fmt: int | str) -> bytes:
        if isinstance(fmt, str):
            fmt = self.registered[fmt]
        return ctypes.string_at(self.mem.GlobalLock(self.clip[fmt]), self.mem.GlobalSize(self.clip[fmt]))


class FakeKernel32(FakeMemory):
    def __init__(self, user32: FakeUser32) -> None:
        super().__init__()
        self.user32 = user32
        self.handles_open = 0

    def GetCurrentThreadId(self) -> int:
        return 1

    def OpenProcess(self, access: int, inherit: bool, pid: int) -> int | None:
        assert access == 0x1000
        if pid == 4:
            return None     # System: access denied
        self.handles_open += 1
        return 0x5000 + pid

    def QueryFullProcessImageNameW(self, h: int, flags: int, buf: Any, size_ref: Any) -> bool:
        pid = h - 0x5000
        path = next(w.path for w in self.user32.windows.values() if w.pid == pid)
        buf.value = path
        size_ref._obj.value = len(path)
        return True

    def CloseHandle(self, h: int) -> bool:
        self.handles_open -= 1
        return True


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, s: float) -> None:
        self.now += s


# A 64-bit HWND that a c_int restype would truncate.
APPROVAL = 0x7FF6_1234_5678
WECHAT = 0x0001_0000_0042


@pytest.fixture()
def fake() -> SimpleNamespace:
    user32 = FakeUser32(FakeMemory())
    kernel32 = FakeKernel32(user32)
    user32.mem = kernel32          # one heap: what the backend allocates, the fake clipboard reads
    user32.windows = {
        APPROVAL: FakeWindow("城市审批系统 - 受理", 3120, 11, r"C:\Program Files\Zwfw\ApprovalClient.exe",
                             origin=(-1500, 100), size=(1200, 800)),
        WECHAT: FakeWindow("微信", 4410, 12, r"C:\Program Files\Tencent\WeChat\WeChat.exe"),
        0x99: FakeWindow("", 3120, 11, r"C:\Program Files\Zwfw\ApprovalClient.exe"),
        0x98: FakeWindow("hidden", 3120, 11, r"C:\x.exe", visible=False),
    }
    user32.foreground = APPROVAL
    user32.virtual = MULTI
    clock = FakeClock()
    functype = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_ssize_t)

    def wndenumproc(fn: Callable[[int, int], bool]) -> Callable[[int, int], bool]:
        functype(fn)          # the real wrapper must accept the callback's signature
        return fn

    api = Win32Api(user32, kernel32, wndenumproc)
    desk = WindowsDesktop(api=api, sleep=clock.sleep, clock=clock)
    return SimpleNamespace(user32=user32, kernel32=kernel32, desk=desk, clock=clock)


def target(fake: SimpleNamespace) -> WindowInfo:
    info = fake.desk.active_window()
    assert info is not None and info.id == APPROVAL
    return info


# --- WindowsDesktop on the fakes --------------------------------------------------------

def test_not_windows_raises_a_clear_desktop_error() -> None:
    if sys.platform == "win32":
        pytest.skip("this is Windows")
    with pytest.raises(DesktopError) as info:
        WindowsDesktop()
    assert "only runs on Windows" in info.value.message
    assert "DESKHAND_DESKTOP" in info.value.message
    from app.desktop import open_desktop
    with pytest.raises(DesktopError):
        open_desktop("windows")


def test_prototypes_declare_pointer_sized_handles() -> None:
    table = prototypes()

    class Dll:
        def __init__(self, missing: set[str]) -> None:
            self.missing = missing

        def __getattr__(self, name: str) -> Any:
            if name in self.missing:
                raise AttributeError(name)
            fn = SimpleNamespace()
            self.__dict__[name] = fn
            return fn

    user32 = Dll({"SetProcessDpiAwarenessContext"})   # Windows 8.1: optional, skipped
    declare(user32, table["user32"])
    assert user32.GetForegroundWindow.restype is ctypes.wintypes.HWND
    assert ctypes.sizeof(user32.GetClipboardData.restype) == ctypes.sizeof(ctypes.c_void_p)
    assert user32.SendInput.argtypes[1]._type_ is wi.INPUT
    declare(Dll(set()), table["kernel32"])
    with pytest.raises(DesktopError):
        declare(Dll({"SendInput"}), table["user32"])


def test_satisfies_the_desktop_protocol(fake: SimpleNamespace) -> None:
    assert isinstance(fake.desk, Desktop)
    assert fake.desk.dpi_awareness == "per-monitor-v2"
    assert ctypes.c_void_p(fake.user32.dpi_context.value).value == ctypes.c_void_p(-4).value


def test_active_window(fake: SimpleNamespace) -> None:
    info = fake.desk.active_window()
    assert info == WindowInfo(id=APPROVAL, title="城市审批系统 - 受理", pid=3120,
                              process="ApprovalClient", x=-1500, y=100, width=1200, height=800)
    assert fake.kernel32.handles_open == 0       # process handle closed
    fake.user32.foreground = 0
    assert fake.desk.active_window() is None


def test_list_windows_keeps_visible_titled_ones(fake: SimpleNamespace) -> None:
    titles = [w.title for w in fake.desk.list_windows()]
    assert titles == ["城市审批系统 - 受理", "微信"]


def test_held_modifiers(fake: SimpleNamespace) -> None:
    fake.user32.keys_down = {wi.VK_RCONTROL, wi.VK_LMENU}
    assert fake.desk.held_modifiers() == {"ctrl", "alt"}


def test_type_text_sends_unicode_in_chunks(fake: SimpleNamespace) -> None:
    text = "张三，福建省龙岩市新罗区𠮷\n350802199001011234"
    assert fake.desk.type_text(text, target(fake)) == "keys"
    assert all(len(chars_of(s)) <= fake.desk.chunk_size + 1 for s in fake.user32.sends)
    everything = [e for s in fake.user32.sends for e in s]
    assert chars_of(everything) == text.replace("\n", "")
    assert KeyEvent(wi.VK_RETURN, 0, 0) in everything


def test_type_text_stops_when_focus_moves(fake: SimpleNamespace) -> None:
    t = target(fake)

    def switch_after_two(events: list[Any]) -> None:
        if len(fake.user32.sends) == 2:
            fake.user32.foreground = WECHAT   # a chat message pops up and takes focus
    fake.user32.on_send = switch_after_two
    text = "张三李四王五赵六钱七孙八周九吴十郑十一王十二冯十三陈十四"
    with pytest.raises(FocusMoved) as info:
        fake.desk.type_text(text, t)
    assert len(fake.user32.sends) == 2
    typed = chars_of([e for s in fake.user32.sends for e in s])
    assert info.value.sent == len(typed) == 2 * fake.desk.chunk_size
    assert text.startswith(typed)
    assert info.value.active is not None and info.value.active.process == "WeChat"


def test_type_text_honours_stop(fake: SimpleNamespace) -> None:
    answers = iter([None, "abort key"])
    with pytest.raises(StopRequested) as info:
        fake.desk.type_text("一二三四五六七八九十甲乙丙丁", target(fake), stop=lambda: next(answers))
    assert info.value.sent == fake.desk.chunk_size and len(fake.user32.sends) == 1


def test_type_text_refuses_a_window_that_is_not_the_target(fake: SimpleNamespace) -> None:
    t = target(fake)
    fake.user32.foreground = WECHAT
    with pytest.raises(FocusMoved) as info:
        fake.desk.type_text("张三", t)
    assert info.value.sent == 0 and fake.user32.sends == []


def test_blocked_sendinput_is_a_desktop_error(fake: SimpleNamespace) -> None:
    fake.user32.on_send = lambda events: 0     # UIPI: target runs as administrator
    with pytest.raises(DesktopError) as info:
        fake.desk.type_text("张三", target(fake))
    assert "administrator" in info.value.message


def test_paste_puts_text_on_clipboard_then_ctrl_v(fake: SimpleNamespace) -> None:
    assert fake.desk.type_text("张三𠮷", target(fake), method="paste") == "paste"
    assert wc.text_from_unicode_bytes(fake.user32.data(wc.CF_UNICODETEXT)) == "张三𠮷"
    assert fake.user32.data("CanIncludeInClipboardHistory") == b"\0\0\0\0"
    assert fake.user32.data("CanUploadToCloudClipboard") == b"\0\0\0\0"
    assert "ExcludeClipboardContentFromMonitorProcessing" not in fake.user32.registered
    assert fake.user32.sends == [[KeyEvent(wi.VK_LCONTROL, 0, 0), *down_up(0x56),
                                  KeyEvent(wi.VK_LCONTROL, 0, UP)]]
    assert "DestroyWindow" in fake.user32.calls


def test_paste_into_the_wrong_window_leaves_the_clipboard_alone(fake: SimpleNamespace) -> None:
    t = target(fake)
    fake.user32.foreground = WECHAT
    with pytest.raises(FocusMoved):
        fake.desk.type_text("350802199001011234", t, method="paste")
    assert fake.user32.clip == {} and fake.user32.sends == []


def test_unknown_method(fake: SimpleNamespace) -> None:
    with pytest.raises(DesktopError):
        fake.desk.type_text("x", target(fake), method="telepathy")


def test_press(fake: SimpleNamespace) -> None:
    fake.desk.press(parse_combo("ctrl+a"), target(fake))
    assert fake.user32.sends == [[KeyEvent(wi.VK_LCONTROL, 0, 0), *down_up(0x41),
                                  KeyEvent(wi.VK_LCONTROL, 0, UP)]]
    t = target(fake)
    fake.user32.foreground = WECHAT
    with pytest.raises(FocusMoved) as info:
        fake.desk.press(parse_combo("tab"), t)
    assert info.value.sent == 0 and len(fake.user32.sends) == 1
    with pytest.raises(StopRequested):
        fake.desk.press(parse_combo("tab"), t, stop=lambda: "failsafe")


def test_click_in_client_coordinates_on_a_negative_origin_screen(fake: SimpleNamespace) -> None:
    fake.desk.click(10, 20, target(fake), double=True)
    move, buttons = fake.user32.sends
    assert wi.denormalise_absolute(move[0].dx, move[0].dy, MULTI) == (-1490, 120)
    assert [e.flags for e in buttons] == [wi.MOUSEEVENTF_LEFTDOWN, wi.MOUSEEVENTF_LEFTUP] * 2
    assert fake.user32.cursor == (-1490, 120)
    assert "SetCursorPos" not in fake.user32.calls


def test_click_refuses_when_target_not_foreground_or_covered(fake: SimpleNamespace) -> None:
    t = target(fake)
    fake.user32.foreground = WECHAT
    with pytest.raises(FocusMoved):
        fake.desk.click(10, 20, t)
    fake.user32.foreground = APPROVAL
    fake.user32.at_point[(-1490, 120)] = WECHAT     # a pop-up covers the point
    with pytest.raises(DesktopError) as info:
        fake.desk.click(10, 20, t)
    assert "WeChat" in info.value.message
    fake.user32.at_point[(-1490, 120)] = 0x99       # a drop-down of the same program is fine
    fake.desk.click(10, 20, t)
    with pytest.raises(DesktopError):
        fake.desk.click(10, 5000, t)                # off the screen
    assert len(fake.user32.sends) == 2


def test_pointer_and_screen(fake: SimpleNamespace) -> None:
    fake.user32.cursor = (-5, 7)
    assert fake.desk.pointer_position() == (-5, 7)
    assert fake.desk.screen_size() == (1920, 1080)


def test_activate_falls_back_to_attach_thread_input(fake: SimpleNamespace) -> None:
    t = target(fake)
    fake.user32.foreground = WECHAT
    assert fake.desk.activate(t, timeout=2.0)
    assert fake.user32.foreground == APPROVAL
    assert fake.user32.calls.count("SetForegroundWindow") == 3   # plain, after input, attached
    assert fake.user32.calls[-1] == "DetachThreadInput"
    assert fake.clock.now < 2.0


def test_activate_survives_refused_input(fake: SimpleNamespace) -> None:
    t = target(fake)
    fake.user32.foreground = WECHAT
    fake.user32.grant_on = "never"
    fake.user32.on_send = lambda events: 0       # UIPI refuses the empty-input / Alt tricks
    assert not fake.desk.activate(t, timeout=1.0)
    assert fake.user32.calls.count("SetForegroundWindow") == 4


def test_activate_gives_up_at_timeout(fake: SimpleNamespace) -> None:
    t = target(fake)
    fake.user32.foreground = WECHAT
    fake.user32.grant_on = "never"
    assert not fake.desk.activate(t, timeout=1.5)
    assert 1.5 <= fake.clock.now < 1.6
    assert not fake.desk.activate(WindowInfo(id=0xDEAD, title="gone"))


def test_clipboard_save_and_restore(fake: SimpleNamespace) -> None:
    u = fake.user32
    u.put(wc.CF_UNICODETEXT, wc.unicode_text_bytes("办件编号 2024-0001"))
    u.put("HTML Format", b"Version:0.9\r\n<b>x</b>")
    u.put(wc.CF_BITMAP, b"")          # a GDI handle: not saved
    u.put(wc.CF_DIB, b"BM" + bytes(40))
    snap = fake.desk.clipboard_save()
    assert not snap.empty
    assert list(snap.formats) == ["CF_UNICODETEXT", "HTML Format", "CF_DIB"]
    if hasattr(snap, "skipped"):
        assert snap.skipped == ["CF_BITMAP"]
    fake.desk.type_text("张三", target(fake), method="paste")
    fake.desk.clipboard_restore(snap)
    assert wc.text_from_unicode_bytes(u.data(wc.CF_UNICODETEXT)) == "办件编号 2024-0001"
    assert u.data("HTML Format") == b"Version:0.9\r\n<b>x</b>"
    assert u.data(wc.CF_DIB) == b"BM" + bytes(40)
    assert "CanIncludeInClipboardHistory" not in [k for k, v in u.registered.items() if v in u.clip]
    assert not u.is_open


def test_restoring_an_empty_clipboard_empties_it(fake: SimpleNamespace) -> None:
    snap = fake.desk.clipboard_save()
    assert snap.empty and snap.formats == {}
    fake.desk.type_text("350802199001011234", target(fake), method="paste")
    fake.desk.clipboard_restore(snap)
    assert fake.user32.clip == {}


def test_clipboard_open_is_retried_then_explained(fake: SimpleNamespace) -> None:
    fake.user32.open_fails = 3
    assert fake.desk.clipboard_save().empty
    fake.user32.windows[0x777] = FakeWindow("", 555, 13, r"C:\Tools\ClipMgr.exe")
    fake.user32.open_fails = 10_000
    with pytest.raises(ClipboardError) as info:
        fake.desk.clipboard_save()
    assert info.value.message == (
        "The clipboard is held by another program (ClipMgr); close it and try again.")
    assert not fake.user32.is_open


def test_selection_text_is_the_clipboards_text_for_the_recorder(fake: SimpleNamespace) -> None:
    assert fake.desk.selection_text("CLIPBOARD") is None            # empty
    fake.user32.put(wc.CF_UNICODETEXT, wc.unicode_text_bytes("福建省龙岩市𠮷"))
    assert fake.desk.selection_text("CLIPBOARD") == "福建省龙岩市𠮷"
    assert fake.desk.selection_text("PRIMARY") is None              # no such thing on Windows


def test_copy_selection(fake: SimpleNamespace) -> None:
    u = fake.user32

    def copies(events: list[Any]) -> None:
        if KeyEvent(0x43, 0, 0) in events:             # ctrl+c reached the target
            u.open_fails = 0
            u.is_open = True; u.open_owner = 1
            u.EmptyClipboard()
            u.put(wc.CF_UNICODETEXT, wc.unicode_text_bytes("350802199001011234"))
            u.is_open = False
    u.on_send = copies
    assert fake.desk.copy_selection(target(fake)) == "350802199001011234"


def test_copy_selection_times_out(fake: SimpleNamespace) -> None:
    assert fake.desk.copy_selection(target(fake), timeout=0.5) is None
    assert 0.5 <= fake.clock.now < 0.6
    t = target(fake)
    fake.user32.foreground = WECHAT
    with pytest.raises(FocusMoved):
        fake.desk.copy_selection(t)


def test_abort_watch(fake: SimpleNamespace) -> None:
    made: list[Any] = []

    class Listener:
        def __init__(self, on_press: Callable[[Any], None], on_release: Callable[[Any], None]) -> None:
            self.on_press, self.on_release = on_press, on_release
            self.running = False
            made.append(self)

        def start(self) -> None:
            self.running = True

        def stop(self) -> None:
            self.running = False

    fake.desk._listener_factory = Listener
    fired = fake.desk.start_abort_watch("ctrl+alt+esc")
    (listener,) = made
    # pynput gives KeyCode(vk=...) for plain keys and Key.x with .value.vk for special ones
    ctrl = SimpleNamespace(value=SimpleNamespace(vk=wi.VK_LCONTROL))
    assert listener.on_press(ctrl) is None       # never False: that would stop pynput's listener
    listener.on_press(SimpleNamespace(vk=wi.VK_ESCAPE))
    assert not fired()
    listener.on_press(SimpleNamespace(vk=wi.VK_LMENU))
    listener.on_press(SimpleNamespace(vk=wi.VK_ESCAPE))
    assert fired()
    fake.desk.stop_abort_watch()
    assert not listener.running
    again = fake.desk.start_abort_watch("ctrl+alt+esc")
    assert not again() and made[-1].running
    fake.desk.close()
    assert not made[-1].running
    with pytest.raises(DesktopError):
        fake.desk.start_abort_watch("ctrl+hyper")
