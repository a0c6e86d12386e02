"""Windows global hotkeys: RegisterHotKey on a thread with its own message loop.

RegisterHotKey(NULL, id, …) posts WM_HOTKEY to the message queue of the thread
that called it, so one dedicated thread makes every RegisterHotKey /
UnregisterHotKey call and runs GetMessageW; register() and unregister() from
other threads hand it the work (a queue, woken by a private thread message)
and wait for the answer, so a conflict is still raised to the caller. The
loop only hands callbacks to the dispatch. stop() posts WM_QUIT; the thread
unregisters everything on its way out. MOD_NOREPEAT stops auto-repeat from
firing a held hotkey again; ERROR_HOTKEY_ALREADY_REGISTERED (1409) means
another program holds the combination.

Importing this module works on any platform; constructing WindowsHotkeys
without an `api` loads user32 and raises HotkeyError anywhere but Windows.

Tested on Linux only, through a fake user32 that behaves like the documented
calls (tests/test_hotkeys.py). Unverified until run on a Windows PC:
- that WM_HOTKEY reaches the GetMessageW loop of a window-less thread, and that
  PostThreadMessageW reaches it once PeekMessageW has created its queue;
- the ctypes prototypes (MSG layout, 64-bit WPARAM / LPARAM) against real user32;
- that 1409 is what a combination held by another program gives, and what
  Windows' own reserved ones (Win+L, Ctrl+Alt+Del) give;
- MOD_NOREPEAT on a real held key, and the VK chosen for punctuation
  (VkKeyScanW) on a Chinese-layout keyboard;
- that an elevated foreground program (UIPI) still lets WM_HOTKEY through.
"""
from __future__ import annotations

import ctypes
import logging
import queue
import threading
from collections.abc import Callable
from ctypes import wintypes
from dataclasses import dataclass, field
from typing import Any

from app.desktop.windows import Win32Api, declare
from app.desktop.windows_input import NAMED_VK, parse_vkscan
from app.errors import DesktopError, HotkeyError
from app.hotkeys.base import Lifecycle, join_listener
from app.hotkeys.combos import (Hotkey, HotkeyTable, conflict_error, hotkey_name, show_combo,
                                suggest)
from app.hotkeys.dispatch import Dispatch, own_dispatch
from app.i18n import _
from playbooks.keys import KeyCombo

log = logging.getLogger("deskhand.hotkeys")

MOD_ALT, MOD_CONTROL, MOD_SHIFT, MOD_WIN, MOD_NOREPEAT = 0x1, 0x2, 0x4, 0x8, 0x4000
MODIFIER_FLAGS = {"alt": MOD_ALT, "ctrl": MOD_CONTROL, "shift": MOD_SHIFT, "super": MOD_WIN}
WM_QUIT, WM_HOTKEY, WM_USER, WM_APP = 0x0012, 0x0312, 0x0400, 0x8000
WM_CALL = WM_APP + 0x4B       # "run the queued register / unregister calls"
PM_NOREMOVE = 0
ERROR_HOTKEY_ALREADY_REGISTERED = 1409
PROBE_ID = 0xBFFF              # the highest id an application may use; for suggestions only
CALL_TIMEOUT_S = 2.0

Binding = tuple[int, int]      # (vk, MOD_* flags without MOD_NOREPEAT)


def hotkey_prototypes() -> dict[str, dict[str, tuple[Any, tuple[Any, ...]]]]:
    w = wintypes
    LPMSG = ctypes.POINTER(w.MSG)
    return {
        "user32": {
            "RegisterHotKey": (w.BOOL, (w.HWND, ctypes.c_int, w.UINT, w.UINT)),
            "UnregisterHotKey": (w.BOOL, (w.HWND, ctypes.c_int)),
            "GetMessageW": (ctypes.c_int, (LPMSG, w.HWND, w.UINT, w.UINT)),   # -1 on error
            "PeekMessageW": (w.BOOL, (LPMSG, w.HWND, w.UINT, w.UINT, w.UINT)),
            "PostThreadMessageW": (w.BOOL, (w.DWORD, w.UINT, w.WPARAM, w.LPARAM)),
        },
    }


def load_api() -> Win32Api:
    try:
        api = Win32Api.load()
    except DesktopError as exc:
        raise HotkeyError(_("Windows hotkeys: {reason}", reason=exc.message)) from exc
    declare(api.user32, hotkey_prototypes()["user32"])
    return api


def binding_of(combo: KeyCombo, vk_scan: Callable[[str], int]) -> Binding:
    """The VK and MOD_* flags RegisterHotKey needs for `combo`.

    Letters and digits are their VK (VK_A..VK_Z are the ASCII capitals on every
    layout); other characters are looked up on the clerk's layout with
    VkKeyScanW, adding the Shift the character itself needs."""
    key = combo.key
    extra: tuple[str, ...] = ()
    if key in NAMED_VK:
        vk = NAMED_VK[key]
    elif key.isascii() and key.isalnum():
        vk = ord(key.upper())
    else:
        mapped = parse_vkscan(vk_scan(key))
        if mapped is None:
            raise HotkeyError(_("The key of {combo} is not on this keyboard layout; choose "
                                "another combination in Settings.", combo=show_combo(combo)))
        vk, extra = mapped
    return vk, sum({MODIFIER_FLAGS[m] for m in (*combo.modifiers, *extra)})


@dataclass
class _Call:
    fn: Callable[[], Any]
    done: threading.Event = field(default_factory=threading.Event)
    result: Any = None
    error: BaseException | None = None


class WindowsHotkeys(Lifecycle):
    """The HotkeyBackend on Windows (see base.py for the contract)."""

    name = "windows"

    def __init__(self, dispatch: Dispatch | None = None, *, api: Win32Api | None = None) -> None:
        self._api = api if api is not None else load_api()
        self._u = self._api.user32
        self._table = HotkeyTable()
        self._ids: dict[str, int] = {}              # only touched on the hotkey thread
        self._bindings: dict[str, Binding] = {}
        self._next_id = 1
        self._calls: queue.SimpleQueue[_Call] = queue.SimpleQueue()
        self._dispatch, self._close_dispatch = own_dispatch(dispatch)
        self._thread: threading.Thread | None = None
        self._thread_id = 0
        self._ready = threading.Event()
        self._lock = threading.Lock()
        self._closed = False

    # -- the hotkey thread ------------------------------------------------------------
    def _ensure_thread(self) -> None:
        with self._lock:
            if self._closed:
                raise HotkeyError(_("The hotkeys were stopped and cannot be used again."))
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="deskhand-hotkeys-win",
                                                daemon=True)
                self._thread.start()
        if not self._ready.wait(CALL_TIMEOUT_S):
            raise HotkeyError(_("The Windows hotkey thread did not start."))

    def _loop(self) -> None:
        msg = wintypes.MSG()
        # A thread has no message queue until it calls a message function, and
        # PostThreadMessageW to it fails until then.
        self._u.PeekMessageW(ctypes.byref(msg), None, WM_USER, WM_USER, PM_NOREMOVE)
        self._thread_id = int(self._api.kernel32.GetCurrentThreadId())
        self._ready.set()
        try:
            while True:
                got = self._u.GetMessageW(ctypes.byref(msg), None, 0, 0)
                if got == 0:          # WM_QUIT
                    break
                if got == -1:
                    log.error("hotkeys stopped: GetMessageW failed (error %s)",
                              self._api.last_error())
                    break
                if msg.message == WM_HOTKEY:
                    self._fire(int(msg.wParam))
                elif msg.message == WM_CALL:
                    self._run_calls()
        finally:
            for hotkey_id in self._ids.values():
                self._u.UnregisterHotKey(None, hotkey_id)
            self._ids.clear()
            self._bindings.clear()
            self._run_calls(closing=True)

    def _run_calls(self, closing: bool = False) -> None:
        while True:
            try:
                call = self._calls.get_nowait()
            except queue.Empty:
                return
            if closing:       # a caller still waiting: answer it, register nothing
                call.error = HotkeyError(_("The hotkeys were stopped while this was asked of them."))
            else:
                try:
                    call.result = call.fn()
                except BaseException as exc:  # noqa: BLE001 - re-raised on the caller's thread
                    call.error = exc
            call.done.set()

    def _on_thread(self, fn: Callable[[], Any]) -> Any:
        """Run `fn` on the hotkey thread and return its result (or raise its error)."""
        self._ensure_thread()
        if threading.current_thread() is self._thread:
            return fn()
        call = _Call(fn)
        self._calls.put(call)
        if not self._u.PostThreadMessageW(self._thread_id, WM_CALL, 0, 0):
            raise HotkeyError(_("Cannot reach the Windows hotkey thread (error {code}).",
                                code=self._api.last_error()))
        if not call.done.wait(CALL_TIMEOUT_S):
            raise HotkeyError(_("The Windows hotkey thread did not answer within {seconds:g} s.",
                                seconds=CALL_TIMEOUT_S))
        if call.error is not None:
            raise call.error
        return call.result

    def _fire(self, hotkey_id: int) -> None:
        name = next((n for n, i in self._ids.items() if i == hotkey_id), None)
        hotkey = self._table.get(name) if name is not None else None
        if hotkey is not None:
            self._dispatch(hotkey.callback)

    # -- on the hotkey thread ---------------------------------------------------------
    def _try_register(self, hotkey_id: int, binding: Binding) -> int:
        """0 when registered, else GetLastError."""
        vk, mods = binding
        if self._u.RegisterHotKey(None, hotkey_id, mods | MOD_NOREPEAT, vk):
            return 0
        return int(self._api.last_error())

    def _is_free(self, combo: KeyCombo) -> bool:
        try:
            binding = binding_of(combo, self._vk_scan)
        except HotkeyError:
            return False
        if binding in self._bindings.values() or self._try_register(PROBE_ID, binding):
            return False
        self._u.UnregisterHotKey(None, PROBE_ID)
        return True

    def _register_here(self, hotkey: Hotkey) -> None:
        binding = binding_of(hotkey.combo, self._vk_scan)
        old_id = self._ids.get(hotkey.name)
        if self._bindings.get(hotkey.name) != binding:
            new_id = self._next_id
            self._next_id += 1
            err = self._try_register(new_id, binding)
            if err == ERROR_HOTKEY_ALREADY_REGISTERED:
                raise conflict_error(hotkey.name, hotkey.combo, suggest(hotkey.combo, self._is_free))
            if err:
                raise HotkeyError(_("Windows refused the hotkey {combo} for {name} (error {code}); "
                                    "choose another in Settings.", combo=show_combo(hotkey.combo),
                                    name=hotkey_name(hotkey.name), code=err))
            if old_id is not None:
                self._u.UnregisterHotKey(None, old_id)
            self._ids[hotkey.name] = new_id
            self._bindings[hotkey.name] = binding
        self._table.put(hotkey)

    def _unregister_here(self, name: str) -> None:
        self._table.pop(name)
        self._bindings.pop(name, None)
        hotkey_id = self._ids.pop(name, None)
        if hotkey_id is not None:
            self._u.UnregisterHotKey(None, hotkey_id)

    def _vk_scan(self, ch: str) -> int:
        return int(self._u.VkKeyScanW(ch))

    # -- the interface ----------------------------------------------------------------
    def register(self, name: str, combo: str, callback: Callable[[], None]) -> None:
        parsed = self._table.check(name, combo)
        self._on_thread(lambda: self._register_here(Hotkey(name, parsed, callback)))

    def unregister(self, name: str) -> None:
        if self._thread is not None and not self._closed:
            self._on_thread(lambda: self._unregister_here(name))

    def registered(self) -> dict[str, str]:
        return self._table.shown()

    def start(self) -> None:
        self._ensure_thread()

    def stop(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            thread = self._thread
        if thread is not None:
            if not self._u.PostThreadMessageW(self._thread_id, WM_QUIT, 0, 0):
                log.warning("could not post WM_QUIT to the hotkey thread (error %s)",
                            self._api.last_error())
            join_listener(thread)
        self._table.clear()
        self._close_dispatch(0.5)
