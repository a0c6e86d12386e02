"""The supervisor's keyboard and mouse on Windows, through pynput's low-level hooks
(WH_KEYBOARD_LL, WH_MOUSE_LL), handed on as the same `RawInput` stream the X11 listener
gives (recorders/raw_input.py).

UNVERIFIED on a real Windows PC: written against pynput 1.8's win32 listeners (their
callbacks, `injected` flag and `win32_event_filter`) and unit-tested on Linux with fakes of
pynput's key and button objects (tests/test_record_windows.py), which checks the
translation, not Windows.

What a low-level hook sees, and what follows from it:
- A key's virtual-key code, and the character pynput reads for it from the layout with
  Shift/Ctrl/Alt as they are then. With Ctrl held that character is a control character,
  so a combination is named from the VK code ('ctrl+v'), never from the character.
- VK_PACKET: a character sent with SendInput(KEYEVENTF_UNICODE) — an on-screen keyboard,
  a remote tool, an IME that commits that way. pynput gives it as a KeyCode with only a
  `char`; above the BMP it arrives as two presses (a surrogate pair), joined here.
- An IME's composition is not visible: the hook sees the raw letters (pinyin) before the
  IME takes them, or VK_PROCESSKEY (dropped here). The committed Chinese text reaches the
  recording as the box's `value` from the tree (recorders/tree_watch_windows.py), which the
  compiler trusts over keystrokes; in a window without a tree it is not recorded.
  Dead keys and Caps Lock are likewise corrected only by the box's value.
- `injected` is True for any SendInput, not only Deskhand's: Deskhand marks its own input
  (dwExtraInfo = DESKHAND_INPUT_MARK, app/desktop/windows_input.py) and the event filter
  leaves exactly that out, so an on-screen keyboard's keys are still recorded.
- Mouse points are in per-monitor-aware screen pixels, the coordinates the desktop backend
  (which makes the process per-monitor DPI aware) and UI Automation's rectangles use.

pynput is imported only when a listener starts (it picks its platform backend at import).
"""
from __future__ import annotations

import logging
import time
import unicodedata
from typing import Any, Callable

from app.desktop.windows_input import DESKHAND_INPUT_MARK, MODIFIER_VKS, NAMED_VK
from app.errors import DesktopError
from app.i18n import _
from recorders.raw_input import Press, RawInput

log = logging.getLogger(__name__)

VK_SPACE, VK_PROCESSKEY, VK_RMENU = 0x20, 0xE5, 0xA5
_LOCK_VKS = {0x14, 0x90, 0x91}          # Caps Lock, Num Lock, Scroll Lock: never an event
_MODIFIER_OF = {vk: name for name, vks in MODIFIER_VKS.items() for vk in vks}
_ORDER = ("ctrl", "shift", "alt", "super")
_NAMES = {vk: name for name, vk in NAMED_VK.items()
          if name not in ("space", "capslock", "numlock")}
# Keypad characters (Num Lock on; with it off the keypad sends Home, Left… which are named)
_KEYPAD = {**{0x60 + i: str(i) for i in range(10)},
           0x6A: "*", 0x6B: "+", 0x6D: "-", 0x6E: ".", 0x6F: "/"}
# A combination's key when Ctrl hides the character: US-layout OEM keys (the VK codes are
# the layout's; this only names the combination)
_OEM = {0xBA: ";", 0xBB: "=", 0xBC: ",", 0xBD: "-", 0xBE: ".", 0xBF: "/", 0xC0: "`",
        0xDB: "[", 0xDC: "\\", 0xDD: "]", 0xDE: "'"}
_PACKET_KEYS = {"\r": "enter", "\n": "enter", "\t": "tab", "\b": "backspace"}
BUTTONS = ("left", "middle", "right")
STUCK_S = 2.0


def key_parts(key: Any) -> tuple[int | None, str | None, bool]:
    """(vk, char, is_dead) of a pynput key: a KeyCode, or a Key member (its `.value`)."""
    if key is None:
        return None, None, False
    code = key if hasattr(key, "vk") else getattr(key, "value", key)
    vk = getattr(code, "vk", None)
    char = getattr(code, "char", None)
    return (vk if isinstance(vk, int) else None,
            char if isinstance(char, str) and char else None,
            bool(getattr(code, "is_dead", False)))


def _printable(ch: str | None) -> bool:
    return ch is not None and len(ch) == 1 and unicodedata.category(ch) not in ("Cc", "Cs")


class KeyReader:
    """Presses and releases of one keyboard turned into `Press`es. Pure logic: the
    modifiers held are followed from their own presses and releases (the hook gives no
    state), and a surrogate pair sent as two VK_PACKETs is joined."""

    def __init__(self, is_down: Callable[[int], bool] | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.held: dict[str, set[int]] = {}
        self._since: dict[int, float] = {}
        self._high: str | None = None
        self._is_down, self._clock = is_down, clock

    def modifiers(self) -> tuple[str, ...]:
        self._forget_stuck()
        return tuple(m for m in _ORDER if self.held.get(m))

    def _forget_stuck(self) -> None:
        """A modifier whose release the hook never saw (Win+L: the release happens on the
        secure desktop) would turn all later typing into combinations. One held longer
        than STUCK_S that the keyboard's state says is up is forgotten; a fresh one is
        believed (the hook may lag behind the keyboard)."""
        if self._is_down is None:
            return
        now = self._clock()
        for vks in self.held.values():
            for vk in [v for v in vks if now - self._since.get(v, now) > STUCK_S]:
                if not self._is_down(vk):
                    vks.discard(vk)
                    self._since.pop(vk, None)

    def release(self, key: Any) -> None:
        vk, _char, _dead = key_parts(key)
        name = _MODIFIER_OF.get(vk) if vk is not None else None
        if name is not None:
            self.held.get(name, set()).discard(vk)
            self._since.pop(vk, None)

    def press(self, key: Any) -> Press:
        vk, char, dead = key_parts(key)
        if vk is None:
            return self._packet(char)
        self._high = None
        name = _MODIFIER_OF.get(vk)
        if name is not None:
            self.held.setdefault(name, set()).add(vk)
            self._since.setdefault(vk, self._clock())
            return Press()
        if vk in _LOCK_VKS or vk == VK_PROCESSKEY or dead:
            return Press()
        mods = self.modifiers()
        if VK_RMENU in self.held.get("alt", ()) and "ctrl" in mods and _printable(char) \
                and vk not in _NAMES:
            # AltGr (Windows sends it as LCtrl+RAlt) typed a character; left Ctrl+Alt
            # stays a combination, so the stop key works on every layout
            mods = tuple(m for m in mods if m not in ("ctrl", "alt"))
        if vk in _NAMES:
            return Press(key="+".join((*mods, _NAMES[vk])))
        ch = " " if vk == VK_SPACE else _KEYPAD.get(vk, char if _printable(char) else None)
        if not set(mods) - {"shift"}:
            return Press(text=ch) if ch is not None else Press()
        base = _combo_base(vk, ch)
        return Press(key="+".join((*mods, base))) if base else Press()

    def _packet(self, char: str | None) -> Press:
        """A VK_PACKET character (modifiers do not apply to it)."""
        if char is None:
            return Press()
        if "\ud800" <= char <= "\udbff":
            self._high = char
            return Press()
        if "\udc00" <= char <= "\udfff":
            high, self._high = self._high, None
            if high is None:
                return Press()
            char = (high + char).encode("utf-16-le", "surrogatepass").decode("utf-16-le")
        self._high = None
        if char in _PACKET_KEYS:
            return Press(key=_PACKET_KEYS[char])
        return Press(text=char) if _printable(char) else Press()


def _combo_base(vk: int, ch: str | None) -> str | None:
    if vk == VK_SPACE:
        return "space"
    if 0x41 <= vk <= 0x5A or 0x30 <= vk <= 0x39:
        return chr(vk).lower()
    if ch is not None:
        return ch.lower()
    return _OEM.get(vk)


def button_name(button: Any) -> str | None:
    """'left', 'middle' or 'right' for a pynput Button; None for x1/x2 and the rest."""
    name = getattr(button, "name", None)
    return name if name in BUTTONS else None


def not_deskhands(_msg: int, data: Any) -> bool:
    """pynput's win32_event_filter: False (not handed to the callbacks, still delivered to
    every program) for input Deskhand itself sent."""
    return getattr(data, "dwExtraInfo", None) != DESKHAND_INPUT_MARK


def key_is_down(vk: int) -> bool:
    """GetAsyncKeyState: whether the key is down on the keyboard now (Windows only)."""
    import ctypes
    return bool(ctypes.windll.user32.GetAsyncKeyState(vk) & 0x8000)   # type: ignore[attr-defined]


def process_parents() -> dict[int, int]:
    """pid → parent pid of every process (a Toolhelp snapshot), so that the terminal
    `deskhand record` runs in counts as Deskhand's own window; {} when it cannot be read."""
    import ctypes
    from ctypes import wintypes

    class PROCESSENTRY32W(ctypes.Structure):
        _fields_ = [("dwSize", wintypes.DWORD), ("cntUsage", wintypes.DWORD),
                    ("th32ProcessID", wintypes.DWORD), ("th32DefaultHeapID", ctypes.c_size_t),
                    ("th32ModuleID", wintypes.DWORD), ("cntThreads", wintypes.DWORD),
                    ("th32ParentProcessID", wintypes.DWORD), ("pcPriClassBase", ctypes.c_long),
                    ("dwFlags", wintypes.DWORD), ("szExeFile", ctypes.c_wchar * 260)]
    try:
        k = ctypes.WinDLL("kernel32", use_last_error=True)     # type: ignore[attr-defined]
    except (AttributeError, OSError):
        return {}
    k.CreateToolhelp32Snapshot.restype = wintypes.HANDLE
    k.CreateToolhelp32Snapshot.argtypes = (wintypes.DWORD, wintypes.DWORD)
    k.Process32FirstW.argtypes = k.Process32NextW.argtypes = (
        wintypes.HANDLE, ctypes.POINTER(PROCESSENTRY32W))
    k.CloseHandle.argtypes = (wintypes.HANDLE,)
    snapshot = k.CreateToolhelp32Snapshot(0x2, 0)          # TH32CS_SNAPPROCESS
    if not snapshot or snapshot == wintypes.HANDLE(-1).value:
        return {}
    out: dict[int, int] = {}
    try:
        entry = PROCESSENTRY32W()
        entry.dwSize = ctypes.sizeof(PROCESSENTRY32W)
        more = k.Process32FirstW(snapshot, ctypes.byref(entry))
        while more:
            out[int(entry.th32ProcessID)] = int(entry.th32ParentProcessID)
            more = k.Process32NextW(snapshot, ctypes.byref(entry))
    finally:
        k.CloseHandle(snapshot)
    return out


def pynput_hooks(*, on_press: Callable[..., None], on_release: Callable[..., None],
                 on_click: Callable[..., None]) -> tuple[Any, Any]:
    """pynput's keyboard and mouse listeners, not yet started."""
    try:
        from pynput import keyboard, mouse   # lazy: pynput picks its backend at import
    except ImportError as exc:
        raise DesktopError(_("The recorder cannot listen to the keyboard: pynput is missing "
                             "or cannot start ({reason}). Reinstall Deskhand.",
                             reason=exc)) from exc
    return (keyboard.Listener(on_press=on_press, on_release=on_release,
                              win32_event_filter=not_deskhands),
            mouse.Listener(on_click=on_click, win32_event_filter=not_deskhands))


class WindowsInputListener:
    """Key and button presses on this Windows session, each handed to `on_input` in
    order (the interface of recorders/listen_x11.X11InputListener)."""

    def __init__(self, on_input: Callable[[RawInput], None], *,
                 hooks: Callable[..., tuple[Any, Any]] = pynput_hooks,
                 is_down: Callable[[int], bool] | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.on_input = on_input
        self._hooks = hooks
        self._clock = clock
        self.keys = KeyReader(is_down, clock)
        self._listeners: tuple[Any, ...] = ()
        self.failure: BaseException | None = None
        self.injected = 0              # presses some other program sent (kept, counted)

    def start(self) -> None:
        self._listeners = self._hooks(on_press=self._on_press, on_release=self._on_release,
                                      on_click=self._on_click)
        try:
            for listener in self._listeners:
                listener.start()
            for listener in self._listeners:
                listener.wait()     # the hook is installed before the first key counts
        except Exception as exc:
            self.stop()
            raise DesktopError(_("The recorder could not watch the keyboard and mouse "
                                 "({reason}); security software may block keyboard hooks: "
                                 "ask IT to allow Deskhand.", reason=exc)) from exc

    # pynput ends a listener whose callback raises or returns False: these return None
    # and keep a fault for stop() (the session says the listener failed).
    def _on_press(self, key: Any, injected: bool = False) -> None:
        try:
            press = self.keys.press(key)
            if press.text is None and press.key is None:
                return
            self.injected += bool(injected)
            vk = key_parts(key)[0] or 0
            self.on_input(RawInput(self._clock(), "key", press, keysym=vk))
        except Exception as exc:
            log.exception("a key press was not understood")
            self.failure = self.failure or exc

    def _on_release(self, key: Any, injected: bool = False) -> None:
        try:
            self.keys.release(key)
        except Exception as exc:
            self.failure = self.failure or exc

    def _on_click(self, x: int, y: int, button: Any, pressed: bool,
                  injected: bool = False) -> None:
        try:
            name = button_name(button)
            if not pressed or name is None:
                return
            self.injected += bool(injected)
            self.on_input(RawInput(self._clock(), "button", button=name, x=int(x), y=int(y)))
        except Exception as exc:
            log.exception("a click was not understood")
            self.failure = self.failure or exc

    def stop(self) -> None:
        listeners, self._listeners = self._listeners, ()
        for listener in listeners:
            try:
                listener.stop()
            except Exception:       # a hook thread that already died needs no stopping
                pass
        for listener in listeners:
            try:
                listener.join(2.0)  # pynput raises here what ended its thread
            except Exception as exc:
                self.failure = self.failure or exc
        if self.injected:
            log.info("%d presses were sent by another program (kept)", self.injected)
