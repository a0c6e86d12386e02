"""X11 global hotkeys: XGrabKey on the root window, verified under Xvfb + openbox.

Why it is built this way (DESIGN.md §5):
- A passive key grab, not a keyboard grab or an XRecord listener: the combination
  is delivered only to us and swallowed (the focused client never sees it), and
  every other key is left alone.
- XGrabKey matches the modifier state exactly, so each combination is grabbed in
  every CapsLock / NumLock / ScrollLock variant, with this server's bits for them.
- The X server refuses a grab another client holds with BadAccess, reported
  asynchronously: each grab is followed by a sync round trip that collects it,
  so register() can name the conflict (and any variants already grabbed are let go).
- Our own Display connection, used under one lock by the calling thread
  (register / unregister) and the listener thread. python-xlib is not
  thread-safe unless Xlib.threaded is imported, which would change every
  Display in the process; a lock of our own changes nothing for others.
- The listener waits in select() on the connection and a wake-up pipe with a
  short timeout, so stop() ends it at once; it only reads events and hands
  callbacks to the dispatch (a blocked listener would leave keys stuck).
- On MappingNotify (the layout changed, or xdotool / the fill engine bound a
  spare keycode) the keymap is re-read and a combination whose key moved is
  grabbed again on its new keycode.
"""
from __future__ import annotations

import logging
import os
import select
import threading
from collections.abc import Callable

from Xlib import X
from Xlib import error as xerror
from Xlib.display import Display

from app.desktop.x11_keymap import NAMED_KEYSYMS, Keymap, char_keysym
from app.errors import HotkeyError
from app.hotkeys.base import Lifecycle, join_listener
from app.hotkeys.combos import Hotkey, HotkeyTable, conflict_error, show_combo, suggest
from app.hotkeys.dispatch import Dispatch, own_dispatch
from app.hotkeys.x11_keys import SHIFT, ModifierMasks, RepeatFilter
from app.i18n import _
from playbooks.keys import KeyCombo

log = logging.getLogger("deskhand.hotkeys")

Binding = tuple[int, int]   # (keycode, modifier bits without locks)


class X11Hotkeys(Lifecycle):
    """The HotkeyBackend on X11 (see base.py for the contract)."""

    name = "x11"

    def __init__(self, display_name: str | None, dispatch: Dispatch | None = None, *,
                 repeat_gap_ms: int = 300, poll_s: float = 0.25) -> None:
        if not display_name:
            raise HotkeyError(_("No X display: DISPLAY is not set, so Deskhand cannot listen for "
                                "its hotkeys. Start it from the desktop session."))
        try:
            self.d = Display(display_name)
        except Exception as exc:  # Xlib raises several unrelated types here
            raise HotkeyError(_("Cannot open the X display {display} for hotkeys ({reason}).",
                                display=display_name, reason=exc)) from exc
        self.display_name = display_name
        self.root = self.d.screen().root
        self.poll_s = poll_s
        self._lock = threading.RLock()
        self._table = HotkeyTable()
        self._grabs: dict[str, Binding] = {}
        self._repeat = RepeatFilter(repeat_gap_ms)
        self._dispatch, self._close_dispatch = own_dispatch(dispatch)
        self._wake_r, self._wake_w = os.pipe()
        self._stopping = threading.Event()
        self._closed = False
        self._thread: threading.Thread | None = None
        self._load_keyboard()

    # -- keyboard ----------------------------------------------------------------
    def _load_keyboard(self) -> None:
        first = self.d.display.info.min_keycode
        count = self.d.display.info.max_keycode - first + 1
        mapping = [list(row) for row in self.d.get_keyboard_mapping(first, count)]
        modmap = [list(codes) for codes in self.d.get_modifier_mapping()]
        mod_codes = {c for codes in modmap for c in codes if c}
        self.keymap = Keymap(first, mapping, mod_codes)

        def keysym_of(code: int) -> int:
            row = mapping[code - first] if 0 <= code - first < len(mapping) else []
            return row[0] if row else 0
        self.masks = ModifierMasks.from_mapping(modmap, keysym_of)

    def _binding(self, combo: KeyCombo) -> Binding:
        stroke = self.keymap.stroke(NAMED_KEYSYMS.get(combo.key) or char_keysym(combo.key))
        if stroke is None:
            raise HotkeyError(_("The key of {combo} is not on this keyboard layout; choose "
                                "another combination in Settings.", combo=show_combo(combo)))
        mods = self.masks.of(combo.modifiers)
        if stroke.shift:          # e.g. "+" is Shift and "=" on a US layout
            mods |= SHIFT
        return stroke.keycode, mods

    # -- grabs (call with self._lock held) ------------------------------------------
    def _grab(self, binding: Binding) -> bool:
        """Grab every lock variant; False, with nothing left grabbed, if another
        client holds any of them."""
        keycode, mods = binding
        caught = xerror.CatchError(xerror.BadAccess)
        for lock in self.masks.lock_variants():
            self.root.grab_key(keycode, mods | lock, False, X.GrabModeAsync, X.GrabModeAsync,
                               onerror=caught)
        self.d.sync()
        if caught.get_error() is None:
            return True
        self._ungrab(binding)     # XUngrabKey releases only our own grabs
        return False

    def _ungrab(self, binding: Binding, masks: ModifierMasks | None = None) -> None:
        keycode, mods = binding
        for lock in (masks or self.masks).lock_variants():
            self.root.ungrab_key(keycode, mods | lock)
        self.d.sync()

    def _is_free(self, combo: KeyCombo) -> bool:
        try:
            binding = self._binding(combo)
        except HotkeyError:
            return False
        if binding in self._grabs.values():
            return False
        if not self._grab(binding):
            return False
        self._ungrab(binding)
        return True

    # -- the interface ----------------------------------------------------------------
    def register(self, name: str, combo: str, callback: Callable[[], None]) -> None:
        parsed = self._table.check(name, combo)
        with self._lock:
            if self._closed:
                raise HotkeyError(_("The hotkeys were stopped; open them again to register "
                                    "{combo}.", combo=show_combo(parsed)))
            binding = self._binding(parsed)
            old = self._grabs.get(name)
            if binding != old:
                if not self._grab(binding):
                    raise conflict_error(name, parsed, suggest(parsed, self._is_free))
                if old is not None:
                    self._ungrab(old)
            self._grabs[name] = binding
            self._table.put(Hotkey(name, parsed, callback))
        self._wake()   # the sync above may have queued events the listener has not seen

    def unregister(self, name: str) -> None:
        with self._lock:
            self._table.pop(name)
            binding = self._grabs.pop(name, None)
            if binding is not None and not self._closed:
                self._ungrab(binding)

    def registered(self) -> dict[str, str]:
        return self._table.shown()

    def start(self) -> None:
        if self._closed:
            raise HotkeyError(_("The hotkeys were stopped and cannot be started again."))
        if self._thread is None:
            self._thread = threading.Thread(target=self._listen, name="deskhand-hotkeys-x11",
                                            daemon=True)
            self._thread.start()

    def stop(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
        self._stopping.set()
        self._wake()
        join_listener(self._thread)
        with self._lock:
            try:
                for binding in self._grabs.values():
                    self._ungrab(binding)
                self.d.close()     # closing the connection would release the grabs anyway
            except Exception as exc:  # noqa: BLE001 - the X server may already be gone
                log.debug("closing the hotkey display: %s", exc)
            self._grabs.clear()
            self._table.clear()
        os.close(self._wake_r)
        os.close(self._wake_w)
        self._close_dispatch(0.5)

    # -- the listener thread ----------------------------------------------------------
    def _wake(self) -> None:
        try:
            os.write(self._wake_w, b"x")
        except OSError:   # closed by stop(), or full: the listener wakes anyway
            pass

    def _listen(self) -> None:
        fd = self.d.fileno()
        while not self._stopping.is_set():
            try:
                with self._lock:
                    if self._closed:
                        return
                    events = []
                    while self.d.pending_events():
                        events.append(self.d.next_event())
                if events:
                    for event in events:
                        self._handle(event)
                    # Handling a MappingNotify makes round trips, which may have read
                    # more events into Xlib's queue: select() would not see those.
                    continue
                ready, _writable, _failed = select.select([fd, self._wake_r], [], [], self.poll_s)
                if self._wake_r in ready:
                    os.read(self._wake_r, 512)
            except (xerror.ConnectionClosedError, OSError, ValueError) as exc:
                if not self._stopping.is_set():
                    log.error("hotkeys stopped: lost the X display %s (%s)", self.display_name, exc)
                return

    def _handle(self, event) -> None:
        if event.type == X.KeyRelease:
            self._repeat.release(event.detail, event.time)
        elif event.type == X.KeyPress:
            hotkey = self._match(event.detail, event.state)
            if hotkey is not None and self._repeat.press(event.detail, event.time):
                self._dispatch(hotkey.callback)
        elif event.type == X.MappingNotify and event.request in (X.MappingKeyboard,
                                                                 X.MappingModifier):
            self._remap()

    def _match(self, keycode: int, state: int) -> Hotkey | None:
        with self._lock:
            wanted = (keycode, self.masks.meaningful(state))
            name = next((n for n, b in self._grabs.items() if b == wanted), None)
        return self._table.get(name) if name is not None else None

    def _remap(self) -> None:
        """The keyboard mapping changed: grab combinations whose key moved again."""
        with self._lock:
            if self._closed:
                return
            old_masks = self.masks
            self._load_keyboard()
            for name, old in list(self._grabs.items()):
                hotkey = self._table.get(name)
                problem = None
                try:
                    new: Binding | None = self._binding(hotkey.combo) if hotkey else None
                except HotkeyError as exc:
                    new, problem = None, exc.message
                if new == old and self.masks == old_masks:
                    continue
                self._ungrab(old, old_masks)
                if new is not None:
                    if self._grab(new):
                        self._grabs[name] = new
                        continue
                    problem = conflict_error(name, hotkey.combo, None).message
                del self._grabs[name]
                self._table.pop(name)
                log.warning("hotkey %s lost after a keyboard change: %s", name, problem)
