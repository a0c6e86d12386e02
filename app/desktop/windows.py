"""The Windows desktop backend: user32 / kernel32 through ctypes.

This module is the thin layer that calls Windows. What to send (INPUT
sequences, VK codes, mouse coordinates, chunks, the focus-guard loop) is
decided in `windows_input.py`; which clipboard formats to keep, in
`windows_clipboard.py`. Both are plain Python and tested on Linux.

Importing this module works on any platform; constructing `WindowsDesktop`
loads user32 and raises DesktopError anywhere but Windows.

Known limits (see the report / README):
- Windows has no equivalent of the X server grab: the focus check and
  SendInput are two calls, so a window that takes focus in the microseconds
  between them can receive one chunk (a few characters). Chunks are kept short
  and paced so the window of exposure is one chunk.
- SendInput cannot reach a program running as administrator unless Deskhand
  does too (UIPI); that shows as a DesktopError, not as silently lost keys.
"""
from __future__ import annotations

import ctypes
import sys
import time
from ctypes import wintypes
from typing import Any, Callable

from app.desktop.base import ClipboardSnapshot, FocusMoved, StopCheck, StopRequested, WindowInfo
from app.desktop.windows_clipboard import Win32Clipboard
from app.desktop.windows_input import (
    INPUT, MOUSE_BUTTONS, SM_CXSCREEN, SM_CXVIRTUALSCREEN, SM_CYSCREEN, SM_CYVIRTUALSCREEN,
    SM_XVIRTUALSCREEN, SM_YVIRTUALSCREEN, VK_MENU, ComboMatcher, KeyEvent, MouseEvent,
    VirtualScreen, build_input_array, button_events, chunk_text, combo_events,
    held_modifier_names, move_event, process_basename, send_guarded, text_events, vk_tap,
)
from app.errors import DesktopError
from app.i18n import N_, _
from playbooks.keys import KeyCombo, KeyNameError, parse_combo

PROCESS_QUERY_LIMITED_INFORMATION = 0x1000
SW_RESTORE = 9
GA_ROOT = 2
MAPVK_VK_TO_VSC = 0
ERROR_ACCESS_DENIED = 5
# DPI_AWARENESS_CONTEXT is a pseudo-handle: ((DPI_AWARENESS_CONTEXT)-4).
DPI_AWARENESS_CONTEXT_PER_MONITOR_AWARE_V2 = -4
PROCESS_PER_MONITOR_DPI_AWARE = 2

_CTRL_C = KeyCombo(("ctrl",), "c")
_CTRL_V = KeyCombo(("ctrl",), "v")

NOT_WINDOWS_MESSAGE = N_(
    "The Windows desktop backend only runs on Windows, and this computer runs {platform}. "
    "Unset DESKHAND_DESKTOP or set it to x11 (or dummy for tests)."
)
BLOCKED_MESSAGE = N_(
    "Windows refused the simulated {what} (SendInput accepted {done} of {total}). "
    "The target program probably runs as administrator: start Deskhand as administrator too, "
    "or start the program normally. A locked screen or a UAC prompt also blocks input."
)
BLOCKED_KEYS, BLOCKED_MOUSE = N_("keys"), N_("mouse input")   # the {what} of BLOCKED_MESSAGE


# --- prototypes ---------------------------------------------------------------
# Declared explicitly so that handles are pointer-sized (64-bit HWND / HANDLE /
# HGLOBAL would be truncated to a C int by ctypes' defaults).

def prototypes() -> dict[str, dict[str, tuple[Any, tuple[Any, ...]]]]:
    """dll name -> function name -> (restype, argtypes)."""
    w = wintypes
    functype = getattr(ctypes, "WINFUNCTYPE", ctypes.CFUNCTYPE)   # CFUNCTYPE only off Windows (tests)
    WNDENUMPROC = functype(w.BOOL, w.HWND, w.LPARAM)
    LPRECT, LPPOINT = ctypes.POINTER(w.RECT), ctypes.POINTER(w.POINT)
    user32 = {
        "GetForegroundWindow": (w.HWND, ()),
        "SetForegroundWindow": (w.BOOL, (w.HWND,)),
        "BringWindowToTop": (w.BOOL, (w.HWND,)),
        "ShowWindow": (w.BOOL, (w.HWND, ctypes.c_int)),
        "IsWindow": (w.BOOL, (w.HWND,)),
        "IsIconic": (w.BOOL, (w.HWND,)),
        "IsWindowVisible": (w.BOOL, (w.HWND,)),
        "GetWindowTextLengthW": (ctypes.c_int, (w.HWND,)),
        "GetWindowTextW": (ctypes.c_int, (w.HWND, w.LPWSTR, ctypes.c_int)),
        "GetWindowThreadProcessId": (w.DWORD, (w.HWND, w.LPDWORD)),
        "GetClientRect": (w.BOOL, (w.HWND, LPRECT)),
        "ClientToScreen": (w.BOOL, (w.HWND, LPPOINT)),
        "EnumWindows": (w.BOOL, (WNDENUMPROC, w.LPARAM)),
        "WindowFromPoint": (w.HWND, (w.POINT,)),
        "GetAncestor": (w.HWND, (w.HWND, w.UINT)),
        "AttachThreadInput": (w.BOOL, (w.DWORD, w.DWORD, w.BOOL)),
        "GetAsyncKeyState": (w.SHORT, (ctypes.c_int,)),
        "SendInput": (w.UINT, (w.UINT, ctypes.POINTER(INPUT), ctypes.c_int)),
        "VkKeyScanW": (w.SHORT, (w.WCHAR,)),
        "MapVirtualKeyW": (w.UINT, (w.UINT, w.UINT)),
        "GetSystemMetrics": (ctypes.c_int, (ctypes.c_int,)),
        "GetCursorPos": (w.BOOL, (LPPOINT,)),
        "SetCursorPos": (w.BOOL, (ctypes.c_int, ctypes.c_int)),
        "OpenClipboard": (w.BOOL, (w.HWND,)),
        "CloseClipboard": (w.BOOL, ()),
        "EmptyClipboard": (w.BOOL, ()),
        "CountClipboardFormats": (ctypes.c_int, ()),
        "EnumClipboardFormats": (w.UINT, (w.UINT,)),
        "GetClipboardData": (w.HANDLE, (w.UINT,)),
        "SetClipboardData": (w.HANDLE, (w.UINT, w.HANDLE)),
        "GetClipboardFormatNameW": (ctypes.c_int, (w.UINT, w.LPWSTR, ctypes.c_int)),
        "RegisterClipboardFormatW": (w.UINT, (w.LPCWSTR,)),
        "GetClipboardSequenceNumber": (w.DWORD, ()),
        "GetOpenClipboardWindow": (w.HWND, ()),
        "CreateWindowExW": (w.HWND, (w.DWORD, w.LPCWSTR, w.LPCWSTR, w.DWORD, ctypes.c_int,
                                     ctypes.c_int, ctypes.c_int, ctypes.c_int, w.HWND, w.HMENU,
                                     w.HINSTANCE, w.LPVOID)),
        "DestroyWindow": (w.BOOL, (w.HWND,)),
        # Optional: Windows 10 1703+; older systems fall back (see _make_dpi_aware).
        "SetProcessDpiAwarenessContext": (w.BOOL, (w.HANDLE,)),
        "SetProcessDPIAware": (w.BOOL, ()),
    }
    kernel32 = {
        "GetCurrentThreadId": (w.DWORD, ()),
        "OpenProcess": (w.HANDLE, (w.DWORD, w.BOOL, w.DWORD)),
        "QueryFullProcessImageNameW": (w.BOOL, (w.HANDLE, w.DWORD, w.LPWSTR, w.PDWORD)),
        "CloseHandle": (w.BOOL, (w.HANDLE,)),
        "GlobalAlloc": (w.HGLOBAL, (w.UINT, ctypes.c_size_t)),
        "GlobalLock": (w.LPVOID, (w.HGLOBAL,)),
        "GlobalUnlock": (w.BOOL, (w.HGLOBAL,)),
        "GlobalSize": (ctypes.c_size_t, (w.HGLOBAL,)),
        "GlobalFree": (w.HGLOBAL, (w.HGLOBAL,)),
    }
    return {"user32": user32, "kernel32": kernel32, "WNDENUMPROC": WNDENUMPROC}  # type: ignore[dict-item]


OPTIONAL_FUNCTIONS = frozenset({"SetProcessDpiAwarenessContext"})


def declare(dll: Any, table: dict[str, tuple[Any, tuple[Any, ...]]]) -> None:
    """Set restype / argtypes on each function of `dll`; missing optional ones are skipped."""
    for name, (restype, argtypes) in table.items():
        try:
            fn = getattr(dll, name)
        except AttributeError:
            if name in OPTIONAL_FUNCTIONS:
                continue
            raise DesktopError(_("This Windows lacks {function}; Deskhand needs Windows 8.1 or "
                                 "later.", function=name)) from None
        fn.restype = restype
        fn.argtypes = argtypes


class Win32Api:
    """user32 and kernel32 with prototypes, plus GetLastError. Tests pass fakes instead."""

    def __init__(self, user32: Any, kernel32: Any, wndenumproc: Any,
                 last_error: Callable[[], int] = lambda: 0) -> None:
        self.user32 = user32
        self.kernel32 = kernel32
        self.WNDENUMPROC = wndenumproc
        self.last_error = last_error

    @classmethod
    def load(cls) -> "Win32Api":
        if sys.platform != "win32" or not hasattr(ctypes, "WinDLL"):
            raise DesktopError(_(NOT_WINDOWS_MESSAGE, platform=sys.platform))
        try:
            user32 = ctypes.WinDLL("user32", use_last_error=True)      # type: ignore[attr-defined]
            kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
        except OSError as exc:
            raise DesktopError(_("Windows' user32 / kernel32 could not be loaded ({reason}).",
                                 reason=exc)) from exc
        table = prototypes()
        declare(user32, table["user32"])
        declare(kernel32, table["kernel32"])
        return cls(user32, kernel32, table["WNDENUMPROC"], ctypes.get_last_error)  # type: ignore[attr-defined]


def _pynput_listener(on_press: Callable[[Any], None], on_release: Callable[[Any], None]) -> Any:
    from pynput import keyboard   # lazy: pynput picks its platform backend at import
    return keyboard.Listener(on_press=on_press, on_release=on_release)


def _vk_of(key: Any) -> int | None:
    """VK code of a pynput key: KeyCode.vk, or Key.<name>.value.vk."""
    vk = getattr(key, "vk", None)
    if vk is None:
        vk = getattr(getattr(key, "value", None), "vk", None)
    return vk if isinstance(vk, int) else None


class WindowsDesktop:
    """The Desktop protocol on Windows (Windows 10 / 11; 8.1 without per-monitor DPI v2)."""

    name = "windows"
    chunk_size = 8           # characters per SendInput call, each preceded by a focus check
    chunk_pause = 0.004      # lets the system hand a chunk to the target before the next check
    poll = 0.02

    def __init__(
        self,
        *,
        api: Win32Api | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        listener_factory: Callable[..., Any] = _pynput_listener,
    ) -> None:
        self._api = api if api is not None else Win32Api.load()
        self._u = self._api.user32
        self._k = self._api.kernel32
        self._sleep = sleep
        self._clock = clock
        self._listener_factory = listener_factory
        self._listeners: list[Any] = []
        self.dpi_awareness = self._make_dpi_aware()
        self._clipboard = Win32Clipboard(self._u, self._k, describe_window=self._describe, sleep=sleep)

    # --- set-up ---------------------------------------------------------------
    def _make_dpi_aware(self) -> str:
        """Per-monitor DPI awareness, so that window rectangles, the pointer and
        SendInput all use physical pixels on every monitor. Qt may have set it
        already (the call then fails with ERROR_ACCESS_DENIED: fine)."""
        fn = getattr(self._u, "SetProcessDpiAwarenessContext", None)
        if fn is not None:
            if fn(ctypes.c_void_p(DPI_AWARENESS_CONTEXT_PER_MONITOR_AWARE_V2)):
                return "per-monitor-v2"
            if self._api.last_error() == ERROR_ACCESS_DENIED:
                return "already set"
        try:   # Windows 8.1
            shcore = ctypes.WinDLL("shcore")   # type: ignore[attr-defined]
            if shcore.SetProcessDpiAwareness(PROCESS_PER_MONITOR_DPI_AWARE) == 0:
                return "per-monitor"
        except (AttributeError, OSError):
            pass
        try:
            if self._u.SetProcessDPIAware():
                return "system"
        except AttributeError:
            pass
        return "unaware"

    # --- windows ----------------------------------------------------------------
    def _foreground(self) -> int:
        return int(self._u.GetForegroundWindow() or 0)

    def _title(self, hwnd: int) -> str:
        n = self._u.GetWindowTextLengthW(hwnd)
        if n <= 0:
            return ""
        buf = ctypes.create_unicode_buffer(n + 1)
        got = self._u.GetWindowTextW(hwnd, buf, n + 1)
        return buf.value[:got] if got > 0 else buf.value

    def _pid(self, hwnd: int) -> int:
        pid = wintypes.DWORD(0)
        self._u.GetWindowThreadProcessId(hwnd, ctypes.byref(pid))
        return int(pid.value)

    def _process_name(self, pid: int) -> str | None:
        if not pid:
            return None
        handle = self._k.OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, False, pid)
        if not handle:
            return None    # e.g. a protected system process
        try:
            buf = ctypes.create_unicode_buffer(32768)
            size = wintypes.DWORD(len(buf))
            if not self._k.QueryFullProcessImageNameW(handle, 0, buf, ctypes.byref(size)):
                return None
            return process_basename(buf.value[:size.value])
        finally:
            self._k.CloseHandle(handle)

    def _client_origin(self, hwnd: int, x: int = 0, y: int = 0) -> tuple[int, int]:
        pt = wintypes.POINT(x, y)
        if not self._u.ClientToScreen(hwnd, ctypes.byref(pt)):
            raise DesktopError(_("The target window is gone; open it again and retry."))
        return int(pt.x), int(pt.y)

    def _window_info(self, hwnd: int) -> WindowInfo:
        pid = self._pid(hwnd)
        rect = wintypes.RECT()
        self._u.GetClientRect(hwnd, ctypes.byref(rect))
        pt = wintypes.POINT(0, 0)
        self._u.ClientToScreen(hwnd, ctypes.byref(pt))
        return WindowInfo(
            id=hwnd, title=self._title(hwnd), pid=pid or None, process=self._process_name(pid),
            x=int(pt.x), y=int(pt.y),
            width=int(rect.right - rect.left), height=int(rect.bottom - rect.top),
        )

    def _describe(self, hwnd: int) -> str | None:
        info = self._window_info(hwnd)
        return info.process or info.title or None

    def active_window(self) -> WindowInfo | None:
        hwnd = self._foreground()
        return self._window_info(hwnd) if hwnd else None

    def active_window_id(self) -> int | None:
        return self._foreground() or None

    def list_windows(self) -> list[WindowInfo]:
        hwnds: list[int] = []

        def collect(hwnd: int, _lparam: int) -> bool:
            # Keep the callback trivial: an exception here is swallowed by ctypes.
            if hwnd and self._u.IsWindowVisible(hwnd) and self._u.GetWindowTextLengthW(hwnd) > 0:
                hwnds.append(int(hwnd))
            return True

        callback = self._api.WNDENUMPROC(collect)   # kept referenced for the call's duration
        self._u.EnumWindows(callback, 0)
        return [self._window_info(h) for h in hwnds]

    def _wait_foreground(self, hwnd: int, until: float) -> bool:
        while True:
            if self._foreground() == hwnd:
                return True
            if self._clock() >= until:
                return False
            self._sleep(self.poll)

    def activate(self, window: WindowInfo, timeout: float = 2.0) -> bool:
        """Bring `window` to the foreground; True once it is.

        Windows' foreground lock lets only the process that received the last
        input take the foreground, so SetForegroundWindow alone often just
        flashes the taskbar button. The fallbacks, in order: an empty input
        event (we then own the last input), attaching to the foreground
        thread's input, and an Alt tap (which also releases a menu-mode lock).
        """
        hwnd = window.id
        deadline = self._clock() + timeout
        if not self._u.IsWindow(hwnd):
            return False
        if self._foreground() == hwnd:
            return True
        if self._u.IsIconic(hwnd):
            self._u.ShowWindow(hwnd, SW_RESTORE)
        for attempt in (self._activate_plain, self._activate_after_input,
                        self._activate_attached, self._activate_after_alt):
            attempt(hwnd)
            if self._wait_foreground(hwnd, min(deadline, self._clock() + 0.25)):
                return True
            if self._clock() >= deadline:
                return False
        return self._wait_foreground(hwnd, deadline)

    def _activate_plain(self, hwnd: int) -> None:
        self._u.SetForegroundWindow(hwnd)

    def _send_quietly(self, events: list[KeyEvent] | list[MouseEvent]) -> None:
        """SendInput for activation tricks: if Windows refuses it (UIPI), the
        attempt just fails and activate() reports False; nothing is raised."""
        try:
            self._send_raw(events)
        except DesktopError:
            pass

    def _activate_after_input(self, hwnd: int) -> None:
        self._send_quietly([MouseEvent()])      # a zero-length relative move makes us "last input"
        self._u.SetForegroundWindow(hwnd)

    def _activate_attached(self, hwnd: int) -> None:
        fg = self._foreground()
        ours = self._k.GetCurrentThreadId()
        theirs = self._u.GetWindowThreadProcessId(fg, None) if fg else 0
        attached = bool(theirs and theirs != ours and self._u.AttachThreadInput(ours, theirs, True))
        try:
            self._u.BringWindowToTop(hwnd)
            self._u.SetForegroundWindow(hwnd)
        finally:
            if attached:
                self._u.AttachThreadInput(ours, theirs, False)

    def _activate_after_alt(self, hwnd: int) -> None:
        # The tap goes to the old foreground window before the switch; if it opens
        # that window's menu mode, losing activation closes it again.
        self._send_quietly(vk_tap(VK_MENU))
        self._u.SetForegroundWindow(hwnd)

    # --- keyboard state --------------------------------------------------------
    def held_modifiers(self) -> set[str]:
        return held_modifier_names(lambda vk: bool(self._u.GetAsyncKeyState(vk) & 0x8000))

    # --- injection --------------------------------------------------------------
    def _send_raw(self, events: list[KeyEvent] | list[MouseEvent]) -> None:
        arr = build_input_array(events)
        done = int(self._u.SendInput(len(arr), arr, ctypes.sizeof(INPUT)))
        if done != len(arr):
            what = BLOCKED_KEYS if events and isinstance(events[0], KeyEvent) else BLOCKED_MOUSE
            raise DesktopError(_(BLOCKED_MESSAGE, what=_(what), done=done, total=len(arr)))

    def _is_target(self, target: WindowInfo) -> Callable[[], bool]:
        return lambda: self._foreground() == target.id

    def _check(self, focused: Callable[[], bool], stop: StopCheck | None, sent: int = 0) -> None:
        """The guard of send_guarded, once, without sending."""
        reason = stop() if stop is not None else None
        if reason:
            raise StopRequested(reason, sent)
        if not focused():
            raise self._focus_lost(sent)

    def _focus_lost(self, sent: int) -> FocusMoved:
        try:
            active = self.active_window()
        except Exception:   # the window may vanish while we look at it
            active = None
        return FocusMoved(sent, active)

    def _vk_scan(self, ch: str) -> int:
        return int(self._u.VkKeyScanW(ch))

    def _scan_for_vk(self, vk: int) -> int:
        return int(self._u.MapVirtualKeyW(vk, MAPVK_VK_TO_VSC)) & 0xFFFF

    def _combo_events(self, combo: KeyCombo) -> list[KeyEvent]:
        try:
            return combo_events(combo, self._vk_scan, self._scan_for_vk)
        except ValueError as exc:
            raise DesktopError(_("The key '{combo}' cannot be pressed on Windows: {reason}.",
                                 combo=combo, reason=exc)) from exc

    def type_text(self, text: str, target: WindowInfo, *, method: str = "auto",
                  stop: StopCheck | None = None) -> str:
        """Type `text` into `target`, checking focus (and `stop`) before every chunk.

        "auto" and "keys" send KEYEVENTF_UNICODE key events; "paste" puts the
        text on the clipboard and sends ctrl+v. Saving and restoring the clerk's
        clipboard around a paste is the caller's job (clipboard_save/restore),
        so that one restore can follow the target's read of the clipboard.
        """
        if method not in ("auto", "keys", "paste"):
            raise DesktopError(_("Unknown typing method {method!r}; use auto, keys or paste.",
                                 method=method))
        focused = self._is_target(target)
        if method == "paste":
            if text:
                # Check before touching the clipboard, and again (in send_guarded) before ctrl+v.
                self._check(focused, stop)
                self._clipboard.set_text(text)
                paste = combo_events(_CTRL_V, None, self._scan_for_vk)  # VK_V on every layout
                send_guarded([paste], send=self._send_raw, is_focused=focused,
                             focus_lost=self._focus_lost, stop=stop, weight=lambda _chunk: len(text))
            return "paste"
        send_guarded(
            chunk_text(text, self.chunk_size),
            send=lambda chunk: self._send_raw(text_events(chunk)),
            is_focused=focused, focus_lost=self._focus_lost, stop=stop,
            pause=lambda: self._sleep(self.chunk_pause),
        )
        return "keys"

    def press(self, combo: KeyCombo, target: WindowInfo, *, stop: StopCheck | None = None) -> None:
        events = self._combo_events(combo)
        send_guarded([events], send=self._send_raw, is_focused=self._is_target(target),
                     focus_lost=self._focus_lost, stop=stop, weight=lambda _chunk: 1)

    def _virtual_screen(self) -> VirtualScreen:
        m = self._u.GetSystemMetrics
        return VirtualScreen(m(SM_XVIRTUALSCREEN), m(SM_YVIRTUALSCREEN),
                             m(SM_CXVIRTUALSCREEN), m(SM_CYVIRTUALSCREEN))

    def _belongs_to(self, hwnd: int, target: WindowInfo) -> bool:
        """Whether the window under a point is the target, a control in it, or
        another window of the same program (a drop-down list, an owned dialog)."""
        if not hwnd:
            return False
        if hwnd == target.id or int(self._u.GetAncestor(hwnd, GA_ROOT) or 0) == target.id:
            return True
        pid = target.pid or self._pid(target.id)
        return bool(pid) and self._pid(hwnd) == pid

    def click(self, x: int, y: int, target: WindowInfo, *, button: str = "left",
              double: bool = False) -> None:
        """Click at (x, y) in the target's client area (physical pixels).

        Refused with FocusMoved when the target is not the foreground window, and
        with DesktopError when the point is off screen or another program's
        window covers it, so a click never lands in someone else's window.
        """
        if button not in MOUSE_BUTTONS:
            raise DesktopError(_("Unknown mouse button {button!r}; use left, right or middle.",
                                 button=button))
        focused = self._is_target(target)
        if not focused():
            raise self._focus_lost(0)
        sx, sy = self._client_origin(target.id, x, y)   # the window may have moved since it was read
        screen = self._virtual_screen()
        if not screen.contains(sx, sy):
            raise DesktopError(
                _("The click at ({x}, {y}) in '{title}' is off the screen; move the window fully "
                  "onto the screen and try again.", x=x, y=y, title=target.title))
        hit = int(self._u.WindowFromPoint(wintypes.POINT(sx, sy)) or 0)
        if not self._belongs_to(hit, target):
            other = self._describe(hit) if hit else None
            raise DesktopError(
                _("Another window ({other}) covers the point to click in '{title}'; move or "
                  "close it and try again.", other=other, title=target.title) if other else
                _("Another window covers the point to click in '{title}'; move or close it and "
                  "try again.", title=target.title))
        self._send_raw([move_event(sx, sy, screen)])
        if self.pointer_position() != (sx, sy):
            # Belt and braces: if the normalised move rounded to a neighbour pixel, set it exactly.
            self._u.SetCursorPos(sx, sy)
        if not focused():
            raise self._focus_lost(0)
        self._send_raw(button_events(button, double))

    def pointer_position(self) -> tuple[int, int]:
        pt = wintypes.POINT()
        if not self._u.GetCursorPos(ctypes.byref(pt)):
            raise DesktopError(_("The pointer position could not be read (is the screen "
                                 "locked?)."))
        return int(pt.x), int(pt.y)

    def screen_size(self) -> tuple[int, int]:
        """The primary monitor in physical pixels (the failsafe corner is (0, 0))."""
        return int(self._u.GetSystemMetrics(SM_CXSCREEN)), int(self._u.GetSystemMetrics(SM_CYSCREEN))

    # --- clipboard ------------------------------------------------------------------
    def clipboard_save(self) -> ClipboardSnapshot:
        return self._clipboard.save()

    def clipboard_restore(self, snapshot: ClipboardSnapshot) -> None:
        self._clipboard.restore(snapshot)

    def selection_text(self, selection: str = "CLIPBOARD", timeout: float = 0.5) -> str | None:
        """The clipboard's text now, for the recorder, which notes what was pasted; None
        when it holds no text, and for PRIMARY (Windows has no such selection)."""
        if selection != "CLIPBOARD":
            return None
        return self._clipboard.read_text()

    def copy_selection(self, target: WindowInfo, timeout: float = 1.0,
                       stop: StopCheck | None = None) -> str | None:
        """Send ctrl+c to the target and return the text it copied; None if it
        copied nothing within `timeout` (e.g. an empty selection). The clipboard
        is left as the target set it: wrap in clipboard_save / clipboard_restore."""
        before = self._clipboard.sequence()
        copy = combo_events(_CTRL_C, None, self._scan_for_vk)   # VK_C on every layout
        send_guarded([copy], send=self._send_raw, is_focused=self._is_target(target),
                     focus_lost=self._focus_lost, stop=stop, weight=lambda _chunk: 1)
        deadline = self._clock() + timeout
        while self._clock() < deadline:
            if self._clipboard.sequence() != before:
                # Some programs empty the clipboard, close it, then open it again to
                # write: keep looking until text appears or time runs out.
                text = self._clipboard.read_text()
                if text is not None:
                    return text
            self._sleep(self.poll)
        return None

    # --- abort key ---------------------------------------------------------------------
    def start_abort_watch(self, keys: str) -> Callable[[], bool]:
        """Watch for the abort combination with a low-level keyboard hook (pynput).

        The returned callable is True once the combination was pressed (and
        stays True). The hook sees the clerk's keys in every program; it does not
        swallow them.
        """
        try:
            combo = parse_combo(keys)
            matcher = ComboMatcher(combo, self._vk_scan)
        except (KeyNameError, ValueError) as exc:
            raise DesktopError(_("The abort key '{keys}' cannot be watched: {reason}.",
                                 keys=keys, reason=exc)) from exc

        # pynput stops a listener whose callback returns False: return None.
        def on_press(key: Any) -> None:
            vk = _vk_of(key)
            if vk is not None:
                matcher.key_down(vk)

        def on_release(key: Any) -> None:
            vk = _vk_of(key)
            if vk is not None:
                matcher.key_up(vk)

        self.stop_abort_watch()   # one watch at a time, as on X11
        try:
            listener = self._listener_factory(on_press, on_release)
            listener.start()
            wait = getattr(listener, "wait", None)
            if wait is not None:
                wait()            # the hook is installed before the first key is typed
        except Exception as exc:
            raise DesktopError(
                _("The abort key '{keys}' could not be watched ({reason}); security software may "
                  "block keyboard hooks: ask IT to allow Deskhand.", keys=keys, reason=exc)
            ) from exc
        self._listeners.append(listener)
        return lambda: matcher.fired

    def stop_abort_watch(self) -> None:
        listeners, self._listeners = self._listeners, []
        for listener in listeners:
            try:
                listener.stop()
            except Exception:   # a hook thread that already died needs no stopping
                pass

    # --- around a fill ----------------------------------------------------------------
    def prepare(self, target: WindowInfo) -> None:
        """Nothing to do on Windows: KEYEVENTF_UNICODE ignores the layout and Caps
        Lock, and shortcuts are sent as VK codes."""

    def finish(self, target: WindowInfo | None = None) -> None:
        """Nothing to give back on Windows (see prepare)."""

    def close(self) -> None:
        self.stop_abort_watch()
