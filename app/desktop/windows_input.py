"""The platform-free half of the Windows backend: what to send, not how.

Everything here takes plain values and returns plain values (or ctypes
structures, which exist on every platform), so it runs and is tested on
Linux. Nothing here touches `ctypes.windll`; `app/desktop/windows.py` is the
thin layer that hands the results to user32.

Contents:
- Win32 constants (virtual-key codes, SendInput flags, system-metric indices);
- KeyEvent / MouseEvent and the INPUT structures they become;
- text -> key events (KEYEVENTF_UNICODE, surrogate pairs, Enter / Tab as keys);
- KeyCombo -> key events (VK table, extended keys, modifiers down / up);
- chunking and the focus-guarded send loop;
- absolute mouse coordinates over the virtual screen;
- held-modifier and abort-combination bookkeeping.
"""
from __future__ import annotations

import ctypes
import ntpath
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence, TypeVar

from app.desktop.base import FocusMoved, StopCheck, StopRequested
from app.i18n import _
from playbooks.keys import KeyCombo

# --- SendInput ---------------------------------------------------------------
INPUT_MOUSE = 0
INPUT_KEYBOARD = 1

KEYEVENTF_EXTENDEDKEY = 0x0001
KEYEVENTF_KEYUP = 0x0002
KEYEVENTF_UNICODE = 0x0004
KEYEVENTF_SCANCODE = 0x0008

MOUSEEVENTF_MOVE = 0x0001
MOUSEEVENTF_LEFTDOWN = 0x0002
MOUSEEVENTF_LEFTUP = 0x0004
MOUSEEVENTF_RIGHTDOWN = 0x0008
MOUSEEVENTF_RIGHTUP = 0x0010
MOUSEEVENTF_MIDDLEDOWN = 0x0020
MOUSEEVENTF_MIDDLEUP = 0x0040
MOUSEEVENTF_VIRTUALDESK = 0x4000
MOUSEEVENTF_ABSOLUTE = 0x8000

# dwExtraInfo of every INPUT Deskhand sends: the recorder's low-level hooks see it on the
# event (KBDLLHOOKSTRUCT / MSLLHOOKSTRUCT) and leave Deskhand's own keys and clicks out,
# while other injected input (an on-screen keyboard, an IME's VK_PACKET) is recorded.
DESKHAND_INPUT_MARK = 0x44534B48      # "DSKH"

MOUSE_BUTTONS: dict[str, tuple[int, int]] = {
    "left": (MOUSEEVENTF_LEFTDOWN, MOUSEEVENTF_LEFTUP),
    "right": (MOUSEEVENTF_RIGHTDOWN, MOUSEEVENTF_RIGHTUP),
    "middle": (MOUSEEVENTF_MIDDLEDOWN, MOUSEEVENTF_MIDDLEUP),
}

# --- GetSystemMetrics --------------------------------------------------------
SM_CXSCREEN = 0
SM_CYSCREEN = 1
SM_XVIRTUALSCREEN = 76
SM_YVIRTUALSCREEN = 77
SM_CXVIRTUALSCREEN = 78
SM_CYVIRTUALSCREEN = 79

# --- virtual-key codes (WinUser.h) -------------------------------------------
VK_BACK = 0x08
VK_TAB = 0x09
VK_RETURN = 0x0D
VK_SHIFT = 0x10
VK_CONTROL = 0x11
VK_MENU = 0x12           # alt
VK_PAUSE = 0x13
VK_CAPITAL = 0x14
VK_ESCAPE = 0x1B
VK_SPACE = 0x20
VK_PRIOR = 0x21          # page up
VK_NEXT = 0x22           # page down
VK_END = 0x23
VK_HOME = 0x24
VK_LEFT = 0x25
VK_UP = 0x26
VK_RIGHT = 0x27
VK_DOWN = 0x28
VK_SNAPSHOT = 0x2C       # print screen
VK_INSERT = 0x2D
VK_DELETE = 0x2E
VK_LWIN = 0x5B
VK_RWIN = 0x5C
VK_APPS = 0x5D           # the context-menu key
VK_F1 = 0x70
VK_NUMLOCK = 0x90
VK_LSHIFT = 0xA0
VK_RSHIFT = 0xA1
VK_LCONTROL = 0xA2
VK_RCONTROL = 0xA3
VK_LMENU = 0xA4
VK_RMENU = 0xA5

# Keys whose scan code carries the E0 prefix. SendInput must set
# KEYEVENTF_EXTENDEDKEY for them, otherwise programs that look at the scan code
# (remote-desktop and Citrix clients, Java, some grids) read the numeric-keypad
# twin: "left" turns into keypad 4 while NumLock is on.
EXTENDED_VKS: frozenset[int] = frozenset({
    VK_INSERT, VK_DELETE, VK_HOME, VK_END, VK_PRIOR, VK_NEXT,
    VK_LEFT, VK_UP, VK_RIGHT, VK_DOWN, VK_NUMLOCK, VK_SNAPSHOT,
    VK_LWIN, VK_RWIN, VK_APPS, VK_RCONTROL, VK_RMENU,
})

# playbooks/keys.py NAMED_KEYS (after ALIASES) -> virtual-key code.
NAMED_VK: dict[str, int] = {
    "tab": VK_TAB, "enter": VK_RETURN, "esc": VK_ESCAPE, "space": VK_SPACE,
    "backspace": VK_BACK, "delete": VK_DELETE, "insert": VK_INSERT,
    "home": VK_HOME, "end": VK_END, "pageup": VK_PRIOR, "pagedown": VK_NEXT,
    "up": VK_UP, "down": VK_DOWN, "left": VK_LEFT, "right": VK_RIGHT,
    **{f"f{i}": VK_F1 + i - 1 for i in range(1, 13)},
    "menu": VK_APPS, "capslock": VK_CAPITAL, "numlock": VK_NUMLOCK,
    "pause": VK_PAUSE, "printscreen": VK_SNAPSHOT,
}

# Modifiers are sent as their left-hand keys: the system updates the generic
# VK_CONTROL / VK_SHIFT / VK_MENU state from them, as for a real keyboard.
MODIFIER_VK: dict[str, int] = {
    "ctrl": VK_LCONTROL, "alt": VK_LMENU, "shift": VK_LSHIFT, "super": VK_LWIN,
}
MODIFIER_ORDER: tuple[str, ...] = ("ctrl", "alt", "shift", "super")

# Every VK that means "this modifier is down" (GetAsyncKeyState, hook events).
MODIFIER_VKS: dict[str, tuple[int, ...]] = {
    "ctrl": (VK_CONTROL, VK_LCONTROL, VK_RCONTROL),
    "shift": (VK_SHIFT, VK_LSHIFT, VK_RSHIFT),
    "alt": (VK_MENU, VK_LMENU, VK_RMENU),
    "super": (VK_LWIN, VK_RWIN),
}

# VkKeyScanW's high byte: the shift state the character needs on this layout.
_VKSCAN_SHIFT_BITS: tuple[tuple[int, str], ...] = ((1, "shift"), (2, "ctrl"), (4, "alt"))


# --- events and INPUT structures ---------------------------------------------

@dataclass(frozen=True)
class KeyEvent:
    """One KEYBDINPUT. For KEYEVENTF_UNICODE events `vk` is 0 and `scan` is a UTF-16 unit."""

    vk: int = 0
    scan: int = 0
    flags: int = 0

    @property
    def up(self) -> bool:
        return bool(self.flags & KEYEVENTF_KEYUP)


@dataclass(frozen=True)
class MouseEvent:
    """One MOUSEINPUT; dx/dy are normalised absolute coordinates when flags say so."""

    dx: int = 0
    dy: int = 0
    flags: int = 0
    data: int = 0


# The structures are declared with fixed-width fields (not wintypes.LONG / DWORD,
# which are 8 bytes on Linux) so that their layout is Windows' on every platform
# and can be checked here: sizeof(INPUT) is 40 on 64-bit Windows, 28 on 32-bit.
class MOUSEINPUT(ctypes.Structure):
    _fields_ = [
        ("dx", ctypes.c_int32),
        ("dy", ctypes.c_int32),
        ("mouseData", ctypes.c_uint32),
        ("dwFlags", ctypes.c_uint32),
        ("time", ctypes.c_uint32),
        ("dwExtraInfo", ctypes.c_size_t),   # ULONG_PTR
    ]


class KEYBDINPUT(ctypes.Structure):
    _fields_ = [
        ("wVk", ctypes.c_uint16),
        ("wScan", ctypes.c_uint16),
        ("dwFlags", ctypes.c_uint32),
        ("time", ctypes.c_uint32),
        ("dwExtraInfo", ctypes.c_size_t),
    ]


class HARDWAREINPUT(ctypes.Structure):
    _fields_ = [
        ("uMsg", ctypes.c_uint32),
        ("wParamL", ctypes.c_uint16),
        ("wParamH", ctypes.c_uint16),
    ]


class _INPUTUNION(ctypes.Union):
    _fields_ = [("mi", MOUSEINPUT), ("ki", KEYBDINPUT), ("hi", HARDWAREINPUT)]


class INPUT(ctypes.Structure):
    _anonymous_ = ("u",)
    _fields_ = [("type", ctypes.c_uint32), ("u", _INPUTUNION)]


def build_input_array(events: Sequence[KeyEvent | MouseEvent]) -> ctypes.Array[INPUT]:
    """The INPUT[] that SendInput takes for `events`, in order."""
    arr = (INPUT * len(events))()
    for slot, ev in zip(arr, events):
        if isinstance(ev, KeyEvent):
            slot.type = INPUT_KEYBOARD
            slot.ki.wVk = ev.vk
            slot.ki.wScan = ev.scan
            slot.ki.dwFlags = ev.flags
            slot.ki.dwExtraInfo = DESKHAND_INPUT_MARK
        else:
            slot.type = INPUT_MOUSE
            slot.mi.dx = ev.dx
            slot.mi.dy = ev.dy
            slot.mi.mouseData = ev.data
            slot.mi.dwFlags = ev.flags
            slot.mi.dwExtraInfo = DESKHAND_INPUT_MARK
    return arr


def decode_input_array(arr: Iterable[INPUT]) -> list[KeyEvent | MouseEvent]:
    """The inverse of build_input_array (tests and diagnostics)."""
    out: list[KeyEvent | MouseEvent] = []
    for slot in arr:
        if slot.type == INPUT_KEYBOARD:
            out.append(KeyEvent(slot.ki.wVk, slot.ki.wScan, slot.ki.dwFlags))
        else:
            out.append(MouseEvent(slot.mi.dx, slot.mi.dy, slot.mi.dwFlags, slot.mi.mouseData))
    return out


# --- text --------------------------------------------------------------------

def utf16_units(ch: str) -> list[int]:
    """UTF-16 code units of one character: one for the BMP, a surrogate pair above it."""
    data = ch.encode("utf-16-le", "surrogatepass")
    return [data[i] | (data[i + 1] << 8) for i in range(0, len(data), 2)]


def vk_tap(vk: int, scan: int = 0) -> list[KeyEvent]:
    """Down and up of one virtual key, extended where the key needs it."""
    ext = KEYEVENTF_EXTENDEDKEY if vk in EXTENDED_VKS else 0
    return [KeyEvent(vk, scan, ext), KeyEvent(vk, scan, ext | KEYEVENTF_KEYUP)]


def unicode_events(ch: str) -> list[KeyEvent]:
    """KEYEVENTF_UNICODE events for one character.

    Above the BMP both surrogates go down, then both up, as pynput does; the
    target receives WM_CHAR(high), WM_CHAR(low) and joins them.
    """
    units = utf16_units(ch)
    downs = [KeyEvent(0, u, KEYEVENTF_UNICODE) for u in units]
    ups = [KeyEvent(0, u, KEYEVENTF_UNICODE | KEYEVENTF_KEYUP) for u in units]
    return downs + ups


def text_events(text: str) -> list[KeyEvent]:
    """Key events that type `text`.

    Newline (and "\\r\\n", and a lone "\\r") becomes VK_RETURN and tab becomes
    VK_TAB: as characters (WM_CHAR 10 / 9) edit controls ignore them, and a
    form needs the real key to start a new line or move to the next field.
    Every other character is sent as KEYEVENTF_UNICODE, which reaches the
    target whatever the keyboard layout or input method.
    """
    events: list[KeyEvent] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\r":
            events += vk_tap(VK_RETURN)
            if text[i + 1:i + 2] == "\n":
                i += 1
        elif ch == "\n":
            events += vk_tap(VK_RETURN)
        elif ch == "\t":
            events += vk_tap(VK_TAB)
        else:
            events += unicode_events(ch)
        i += 1
    return events


def chunk_text(text: str, size: int) -> list[str]:
    """Split `text` into chunks of at most `size` characters (code points).

    Python strings are code points, so a character outside the BMP is never
    split from its own surrogate; "\\r\\n" is kept in one chunk so that it stays
    one Enter (the last chunk may then hold size + 1 characters).
    """
    if size < 1:
        raise ValueError("chunk size must be at least 1")
    chunks: list[str] = []
    i = 0
    while i < len(text):
        end = min(i + size, len(text))
        if text[end - 1:end] == "\r" and text[end:end + 1] == "\n":
            end += 1
        chunks.append(text[i:end])
        i = end
    return chunks


# --- key combinations ---------------------------------------------------------

def parse_vkscan(result: int) -> tuple[int, tuple[str, ...]] | None:
    """Decode VkKeyScanW's SHORT: (vk, modifiers the character needs), None if unmapped."""
    result &= 0xFFFF
    if result == 0xFFFF:
        return None
    vk, state = result & 0xFF, (result >> 8) & 0xFF
    if vk == 0xFF or state == 0xFF:
        return None
    # Hankaku / reserved bits (8, 16, 32) mean a layout-specific state we cannot press.
    if state & ~0x07:
        return None
    return vk, tuple(name for bit, name in _VKSCAN_SHIFT_BITS if state & bit)


def combo_events(
    combo: KeyCombo,
    vk_scan: Callable[[str], int] | None = None,
    scan_for_vk: Callable[[int], int] | None = None,
) -> list[KeyEvent]:
    """Key events for a KeyCombo: modifiers down, key down, key up, modifiers up (reversed).

    `vk_scan` is VkKeyScanW (a single character's key on the clerk's layout);
    a character it cannot map is sent as KEYEVENTF_UNICODE instead, except a
    letter or digit held with modifiers, which is sent as its VK (a shortcut). Modifiers
    the character itself needs ("+" is shift+= on a US layout) are added.
    `scan_for_vk` is MapVirtualKeyW(vk, MAPVK_VK_TO_VSC), so that programs
    reading scan codes see the right key; without it the scan code is 0.
    """
    key = combo.key
    extra_mods: tuple[str, ...] = ()
    if key in NAMED_VK:
        key_events = vk_tap(NAMED_VK[key], scan_for_vk(NAMED_VK[key]) if scan_for_vk else 0)
    elif len(key) == 1:
        mapped = parse_vkscan(vk_scan(key)) if vk_scan is not None else None
        if mapped is None and combo.modifiers and key.isascii() and key.isalnum():
            # Shortcuts go by VK code, and VK_A..VK_Z / VK_0..VK_9 are the ASCII
            # upper case on every layout: ctrl+c still copies on a Russian layout.
            mapped = (ord(key.upper()), ())
        if mapped is None:
            key_events = unicode_events(key)
        else:
            vk, extra_mods = mapped
            key_events = vk_tap(vk, scan_for_vk(vk) if scan_for_vk else 0)
    else:
        raise ValueError(_("'{key}' is not a key name the Windows backend knows", key=key))

    for m in combo.modifiers:
        if m not in MODIFIER_VK:
            raise ValueError(_("'{modifier}' is not a modifier (ctrl, shift, alt, super)",
                               modifier=m))
    wanted = set(combo.modifiers) | set(extra_mods)
    mods = [m for m in MODIFIER_ORDER if m in wanted]
    downs: list[KeyEvent] = []
    ups: list[KeyEvent] = []
    for m in mods:
        down, up = vk_tap(MODIFIER_VK[m], scan_for_vk(MODIFIER_VK[m]) if scan_for_vk else 0)
        downs.append(down)
        ups.insert(0, up)
    return downs + key_events + ups


# --- the focus-guarded send loop -----------------------------------------------

T = TypeVar("T")


def send_guarded(
    chunks: Sequence[T],
    *,
    send: Callable[[T], None],
    is_focused: Callable[[], bool],
    focus_lost: Callable[[int], FocusMoved],
    stop: StopCheck | None = None,
    weight: Callable[[T], int] = len,  # type: ignore[assignment]
    pause: Callable[[], None] | None = None,
) -> int:
    """Send `chunks` one by one; before each, honour `stop` and check focus.

    Returns how many units (weight of each chunk, characters by default) were
    sent. Raises StopRequested(reason, sent) when `stop()` returns a reason and
    `focus_lost(sent)` (a FocusMoved) when the target is no longer focused;
    in both cases nothing more is sent, and `sent` counts exactly the chunks
    that went out. `pause` runs after every chunk but the last, so that the
    system hands the chunk to the target before focus is checked again.
    """
    sent = 0
    for index, chunk in enumerate(chunks):
        if stop is not None:
            reason = stop()
            if reason:
                raise StopRequested(reason, sent)
        if not is_focused():
            raise focus_lost(sent)
        send(chunk)
        sent += weight(chunk)
        if pause is not None and index < len(chunks) - 1:
            pause()
    return sent


# --- mouse ------------------------------------------------------------------

@dataclass(frozen=True)
class VirtualScreen:
    """The bounding box of all monitors (SM_X/Y/CX/CYVIRTUALSCREEN); x, y may be negative."""

    x: int
    y: int
    width: int
    height: int

    def contains(self, px: int, py: int) -> bool:
        return self.x <= px < self.x + self.width and self.y <= py < self.y + self.height


def _normalise_axis(p: int, origin: int, size: int) -> int:
    # Windows maps a normalised value n back to pixel floor(n * size / 65536);
    # the smallest n that lands on pixel p is ceil(p * 65536 / size). The common
    # p * 65535 / (size - 1) lands one pixel short on large screens.
    offset = p - origin
    n = -((-offset * 65536) // size)
    return max(0, min(65535, n))


def normalise_absolute(x: int, y: int, screen: VirtualScreen) -> tuple[int, int]:
    """Screen pixel -> SendInput dx, dy for MOUSEEVENTF_ABSOLUTE | MOUSEEVENTF_VIRTUALDESK."""
    if screen.width <= 0 or screen.height <= 0:
        raise ValueError("the virtual screen has no size")
    if not screen.contains(x, y):
        raise ValueError(f"({x}, {y}) is outside the screen {screen}")
    return _normalise_axis(x, screen.x, screen.width), _normalise_axis(y, screen.y, screen.height)


def denormalise_absolute(dx: int, dy: int, screen: VirtualScreen) -> tuple[int, int]:
    """What Windows does with dx, dy (used to check normalise_absolute)."""
    return (screen.x + dx * screen.width // 65536, screen.y + dy * screen.height // 65536)


def move_event(x: int, y: int, screen: VirtualScreen) -> MouseEvent:
    dx, dy = normalise_absolute(x, y, screen)
    return MouseEvent(dx, dy, MOUSEEVENTF_MOVE | MOUSEEVENTF_ABSOLUTE | MOUSEEVENTF_VIRTUALDESK)


def button_events(button: str = "left", double: bool = False) -> list[MouseEvent]:
    """Button down/up (twice for a double click) at the current pointer position."""
    try:
        down, up = MOUSE_BUTTONS[button]
    except KeyError:
        raise ValueError(_("'{button}' is not a mouse button (left, right, middle)",
                           button=button)) from None
    one = [MouseEvent(flags=down), MouseEvent(flags=up)]
    return one * 2 if double else one


# --- keyboard state ------------------------------------------------------------

def held_modifier_names(is_down: Callable[[int], bool]) -> set[str]:
    """Modifier names whose left or right key is down; `is_down(vk)` wraps GetAsyncKeyState."""
    return {name for name, vks in MODIFIER_VKS.items() if any(is_down(vk) for vk in vks)}


class ComboMatcher:
    """Watches key downs / ups (as VK codes) for one combination, e.g. ctrl+alt+esc.

    `fired` turns True when the combination's key goes down while all its
    modifiers are held, and stays True. Fed by the low-level keyboard hook.
    """

    def __init__(self, combo: KeyCombo, vk_scan: Callable[[str], int] | None = None) -> None:
        self.combo = combo
        self.key_vks = self._key_vks(combo.key, vk_scan)
        self.down: set[int] = set()
        self.fired = False

    @staticmethod
    def _key_vks(key: str, vk_scan: Callable[[str], int] | None) -> frozenset[int]:
        if key in NAMED_VK:
            return frozenset({NAMED_VK[key]})
        mapped = parse_vkscan(vk_scan(key)) if vk_scan is not None else None
        if mapped is not None:
            return frozenset({mapped[0]})
        # Without the layout: letters and digits have VKs equal to their upper-case ASCII.
        if key.isascii() and key.isalnum():
            return frozenset({ord(key.upper())})
        raise ValueError(_("'{key}' cannot be watched as an abort key on this keyboard layout",
                           key=key))

    def key_down(self, vk: int) -> bool:
        self.down.add(vk)
        if vk in self.key_vks and all(
            any(v in self.down for v in MODIFIER_VKS[m]) for m in self.combo.modifiers
        ):
            self.fired = True
        return self.fired

    def key_up(self, vk: int) -> None:
        self.down.discard(vk)


# --- windows -----------------------------------------------------------------

def process_basename(image_path: str) -> str:
    """`C:\\Program Files\\Zwfw\\approval_client.exe` -> `approval_client`.

    The extension is dropped so that a playbook's `process: approval_client`
    names the same program on Windows and Linux.
    """
    name = ntpath.basename(image_path)
    if name.lower().endswith(".exe"):
        name = name[:-4]
    return name
