"""X11 desktop backend (python-xlib + XTEST), verified under Xvfb + openbox.

Why it is built this way (DESIGN.md §5):
- Keystrokes go through XTEST inside a server grab that first checks the input
  focus: the check and the injection are one atomic step, so a window that
  steals focus can never receive a character meant for the target.
- Characters on the keyboard layout are typed as keystrokes. Characters it
  lacks (Chinese, full-width punctuation) are pasted by owning the CLIPBOARD
  and answering the target's request ourselves — event-driven, so the next
  keystroke waits until the target has taken the text — with the clerk's
  clipboard saved before and served back afterwards. `method: keys` types them
  through spare keycodes instead (x11_keymap.KeycodePool, two characters a
  keycode), for forms that block paste and for the accessibility backend's
  focus-then-type way: never the clipboard. Before keys typed with freshly bound
  keycodes, and before rebinding ones just used, the target's answer to a
  _NET_WM_PING (x11_ping) proves it has read the keymap change and the earlier
  keys; a target that does not answer pings gets fixed pauses. Text larger than
  one X request is pasted by INCR (x11_selection_server).
- Whatever python-xlib, struct or the socket raise in here leaves as a
  DesktopError with a sentence (_x11_faults): the fill engine keeps its report
  and the case's fill log for those, and a clerk never sees a traceback.
"""
from __future__ import annotations

import base64
import functools
import json
import os
import select
import subprocess
import sys
import threading
import time
from typing import Any, Callable, TypeVar

from Xlib import X, Xatom, error as xerror
from Xlib.display import Display
from Xlib.ext import xtest
from Xlib.protocol import event as xevent, request as xrequest

from app.desktop.base import ClipboardSnapshot, FocusMoved, StopCheck, StopRequested, WindowInfo
from app.desktop.x11_keymap import (MODIFIER_KEYSYMS, NAMED_KEYSYMS, KeycodePool, Keymap,
                                    Stroke, char_keysym, char_keysyms, rewritable, runs,
                                    segments, typing_keycodes)
from app.desktop.x11_ime import InputMethodSwitch, fcitx_on_display
from app.desktop.x11_ping import Pinger
from app.desktop.x11_selection import Selections
from app.errors import ClipboardError, DeskhandError, DesktopError
from app.i18n import N_, _
from playbooks.keys import KeyCombo, parse_combo

_MASKS = {"shift": X.ShiftMask, "ctrl": X.ControlMask, "alt": X.Mod1Mask, "super": X.Mod4Mask}
_BUTTONS = {"left": 1, "middle": 2, "right": 3}
_HELD_MASK = X.ShiftMask | X.ControlMask | X.Mod1Mask | X.Mod4Mask
ACTIVATE_NUDGE_S = 0.5      # how long the window manager alone is given to move the focus
IME_SETTLE_S = 0.1          # after a fill's last key, before the input method is turned on again
Event = tuple[int, int]  # (X.KeyPress | X.KeyRelease | X.Button*, keycode or button)
F = TypeVar("F", bound=Callable)


def _x11_faults(doing: str, kind: type[DesktopError] = DesktopError) -> Callable[[F], F]:
    """Let Deskhand's own errors and the engine's FocusMoved/StopRequested through;
    anything else (struct.error, Xlib errors, a closed connection) becomes `kind`
    with a sentence, the original chained for the log. `doing` is marked with N_ and
    translated when the sentence is made."""
    def wrap(fn: F) -> F:
        @functools.wraps(fn)
        def inner(self, *args, **kwargs):
            try:
                return fn(self, *args, **kwargs)
            except (DeskhandError, FocusMoved, StopRequested):
                raise
            except Exception as exc:
                raise kind(_fault_sentence(getattr(self, "display_name", None), doing, exc)) \
                    from exc
        return inner  # type: ignore[return-value]
    return wrap


def _fault_sentence(display: str | None, doing: str, exc: Exception) -> str:
    where = _("the X display {display}", display=display) if display else _("the X display")
    if isinstance(exc, (xerror.ConnectionClosedError, ConnectionError, BrokenPipeError)):
        return _("The connection to {where} closed while {doing}; the desktop session may have "
                 "ended. The case is kept: check the approval client, then resume the fill.",
                 where=where, doing=_(doing))
    detail = (str(exc).splitlines() or [""])[0][:200]
    kind = type(exc).__name__ if type(exc).__module__ == "builtins" else \
        f"{type(exc).__module__}.{type(exc).__name__}"
    return _("The desktop ({where}) failed while {doing} ({kind}: {detail}). The case is kept: "
             "check the approval client, then resume the fill; if it happens again, send "
             "Deskhand's log to IT.", where=where, doing=_(doing), kind=kind, detail=detail)


def open_display(display_name: str) -> Display:
    """A connection to the X display, or DesktopError with a sentence IT can act on."""
    try:
        return Display(display_name)
    except Exception as exc:  # Xlib raises several unrelated types here
        raise DesktopError(_("Cannot open the X display {display} ({reason}). Is the desktop "
                             "session running, and may this user use it?",
                             display=display_name, reason=exc)) from exc


class X11Desktop:
    name = "x11"

    @_x11_faults(N_("connecting to the desktop"))
    def __init__(self, display_name: str | None, *, chunk_chars: int = 32,
                 reuse_gap_s: float = 0.25, bind_settle_s: float = 0.05,
                 paste_timeout_s: float = 2.0, modifier_wait_s: float = 5.0,
                 paste_stall_s: float = 5.0, use_ping: bool = True,
                 ping_timeout_s: float = 0.5, ime: InputMethodSwitch | None = None) -> None:
        if not display_name:
            raise DesktopError(_("No X display: DISPLAY is not set. Start Deskhand from the "
                                 "desktop session where the approval client runs."))
        self.d = open_display(display_name)
        if not self.d.has_extension("XTEST"):
            raise DesktopError(_("The X server has no XTEST extension, so Deskhand cannot type. "
                                 "Ask IT to enable XTEST in the X server configuration."))
        self.display_name = display_name
        self.root = self.d.screen().root
        # keys go in chunks, each one guarded send (focus checked under a server grab, so
        # a chunk is all-or-nothing); between chunks the abort key and the pause are
        # heard. 32 characters inject in about a millisecond, and each send costs three
        # round trips to the display (Chromium, 20 boxes: 59 sends a fill at 8, 20 at 32)
        self.chunk_chars = chunk_chars
        self.paste_timeout_s = paste_timeout_s
        self.bind_settle_s = bind_settle_s
        self.modifier_wait_s = modifier_wait_s
        self.use_ping = use_ping
        self.ping_timeout_s = ping_timeout_s
        self._pinger: Pinger | None = None
        self._atom = {name: self.d.intern_atom(name) for name in (
            "_NET_ACTIVE_WINDOW", "_NET_WM_NAME", "_NET_WM_PID", "_NET_CLIENT_LIST",
            "UTF8_STRING", "WM_STATE")}
        # paste_stall_s: a target reading a large paste piece by piece may pause this
        # long between pieces before the paste is given up (ClipboardError).
        self.sel = Selections(self.d, stall_s=paste_stall_s)
        self._primary: Selections | None = None     # made when the recorder reads PRIMARY
        self._good_focus: dict[int, set[int]] = {}
        self._shown_in: dict[int, set[int]] = {}   # target → top-level windows it lies in
        self._ahead = ""     # what the fill will type next (expect_text)
        self._caps_toggled = False
        self._paste_pending = False   # pasted text the target may still be reading
        self._listener = None
        self._abort_hotkeys = None    # app.hotkeys X11Hotkeys holding the abort grab
        self._probe = None            # x11_probe.X11Probe, made on first use
        self._latency: dict[int, float] = {}   # window → its last key-to-answer time (s)
        # fcitx put in English for a fill, where it runs on this display
        self.ime = ime if ime is not None else InputMethodSwitch(
            running=lambda: fcitx_on_display(self.d))
        self._load_keymap(reuse_gap_s)

    # -- keyboard layout -----------------------------------------------------
    def _load_keymap(self, reuse_gap_s: float) -> None:
        info = self.d.display.info
        first, last = info.min_keycode, info.max_keycode
        mapping = [list(row) for row in self.d.get_keyboard_mapping(first, last - first + 1)]
        mod_codes = {c for group in self.d.get_modifier_mapping() for c in group if c}
        self.keymap = Keymap(first, mapping, mod_codes)
        self.pool = KeycodePool(typing_keycodes(self.keymap.spare,
                                                lambda code: mapping[code - first]),
                                reuse_gap_s)
        self._mod_code = {}
        for name, sym in MODIFIER_KEYSYMS.items():
            stroke = self.keymap.stroke(sym)
            if stroke is not None:
                self._mod_code[name] = stroke.keycode

    # -- windows ---------------------------------------------------------------
    def _window_info(self, wid: int) -> WindowInfo | None:
        try:
            w = self.d.create_resource_object("window", wid)
            title = _prop_text(w, self._atom["_NET_WM_NAME"], self._atom["UTF8_STRING"])
            if title is None:
                title = _prop_text(w, Xatom.WM_NAME, X.AnyPropertyType) or ""
            pid_prop = w.get_full_property(self._atom["_NET_WM_PID"], Xatom.CARDINAL)
            pid = int(pid_prop.value[0]) if pid_prop and len(pid_prop.value) else None
            geo = w.get_geometry()
            origin = self.root.translate_coords(w, 0, 0)
            return WindowInfo(id=wid, title=title, pid=pid, process=_process_name(pid),
                              x=origin.x, y=origin.y, width=geo.width, height=geo.height)
        except (xerror.BadWindow, xerror.BadDrawable, xerror.BadMatch):
            return None

    @_x11_faults(N_("reading the focused window"))
    def active_window(self) -> WindowInfo | None:
        wid = self._active_id()
        return self._window_info(wid) if wid else None

    @_x11_faults(N_("reading the focused window"))
    def active_window_id(self) -> int | None:
        return self._active_id() or None

    def _active_id(self) -> int:
        prop = self.root.get_full_property(self._atom["_NET_ACTIVE_WINDOW"], Xatom.WINDOW)
        return int(prop.value[0]) if prop and len(prop.value) else 0

    @_x11_faults(N_("listing windows"))
    def list_windows(self) -> list[WindowInfo]:
        prop = self.root.get_full_property(self._atom["_NET_CLIENT_LIST"], Xatom.WINDOW)
        infos = [self._window_info(int(w)) for w in (prop.value if prop else [])]
        return [i for i in infos if i is not None]

    @_x11_faults(N_("activating a window"))
    def activate(self, window: WindowInfo, timeout: float = 2.0) -> bool:
        target = self.d.create_resource_object("window", window.id)
        msg = xevent.ClientMessage(
            window=target,
            client_type=self._atom["_NET_ACTIVE_WINDOW"], data=(32, [2, X.CurrentTime, 0, 0, 0]))
        self.root.send_event(msg, event_mask=X.SubstructureRedirectMask | X.SubstructureNotifyMask)
        self.d.sync()
        start = time.monotonic()
        deadline, nudged = start + timeout, False
        while time.monotonic() < deadline:
            if self._focus_within(window.id):
                return True
            if not nudged and time.monotonic() - start > min(ACTIVATE_NUDGE_S, timeout / 2):
                nudged = True
                self._give_focus(target)
                # and asked again, so that the manager, finding the focus there, makes it
                # the active window too (a fill waits for _NET_ACTIVE_WINDOW)
                self.root.send_event(msg, event_mask=X.SubstructureRedirectMask
                                     | X.SubstructureNotifyMask)
                self.d.sync()
            time.sleep(0.01)
        return False

    def _give_focus(self, target: Any) -> None:
        """Set the input focus on a window the manager was asked to activate but that has
        not taken it: after a fill typed Chinese into Chromium, openbox answers seconds
        late (measured: the GTK and Qt forms had not the focus after 2 s, and were
        reported active 3-5 s later), and a 2 s activation failed."""
        try:
            target.set_input_focus(X.RevertToParent, X.CurrentTime)
            self.d.sync()
        except (xerror.BadMatch, xerror.BadWindow):
            pass                    # not viewable (yet): the manager's own answer decides

    def _shows_at(self, target: WindowInfo, x: int, y: int, seen: Any = None) -> bool:
        """Is the target the top-level window seen at screen point (x, y)? False when a
        pop-up, a menu or another window lies over it there. `seen`: the top-level window
        there, when asked already."""
        if seen is None:
            seen = self.root.translate_coords(self.root, x, y).child
        if not seen:
            return False
        seen_id = seen if isinstance(seen, int) else seen.id
        shown = self._shown_in.setdefault(target.id, set())
        if seen_id in shown:        # the target's frame: it keeps it, walked up once
            return True
        if self._within(self.d.create_resource_object("window", target.id), seen_id):
            shown.add(seen_id)
            return True
        return False

    def _within(self, w: Any, ancestor_id: int) -> bool:
        """Is window `w` the window `ancestor_id` or inside it?"""
        try:
            for _depth in range(64):
                if w.id == ancestor_id:
                    return True
                parent = w.query_tree().parent
                if not parent or parent.id in (0, self.root.id):
                    return False
                w = parent
        except xerror.BadWindow:
            return False
        return False

    # -- focus guard -------------------------------------------------------------
    def _focus_within(self, target_id: int, focus: Any = None) -> bool:
        """Does the X input focus (where keys really go) lie inside the target? `focus`:
        the focus window, when asked already."""
        if focus is None:
            focus = self.d.get_input_focus().focus
        fid = focus if isinstance(focus, int) else focus.id
        if fid in (X.NONE, X.PointerRoot):
            return False
        good = self._good_focus.setdefault(target_id, {target_id})
        if fid in good:
            return True
        if self._within(focus, target_id):
            good.add(fid)
            return True
        return False

    def _send_guarded(self, events: list[Event], target: WindowInfo,
                      shown_at: tuple[int, int] | None = None) -> str:
        """Inject `events` only if the target has focus and no modifier is held (and, with
        `shown_at`, the target is what shows at that screen point), atomically (server
        grab). Returns "sent", "focus", "modifiers" or "covered". Every chunk releases what
        it presses, so a held modifier is always the clerk's."""
        self.d.grab_server()
        try:
            # the checks' questions go out together: one round trip to the display, not three
            disp, root = self.d.display, self.root.id
            focus = xrequest.GetInputFocus(display=disp, defer=True)
            pointer = xrequest.QueryPointer(display=disp, defer=True, window=root)
            at = None if shown_at is None else xrequest.TranslateCoords(
                display=disp, defer=True, src_wid=root, dst_wid=root,
                src_x=shown_at[0], src_y=shown_at[1])
            for asked in (focus, pointer, at):
                if asked is not None:
                    asked.reply()
            if not self._focus_within(target.id, focus.focus):
                return "focus"
            if at is not None and not self._shows_at(target, *shown_at, seen=at.child or 0):
                return "covered"
            if pointer.mask & _HELD_MASK:
                return "modifiers"
            for kind, detail in events:
                if kind == X.MotionNotify:   # detail is the (x, y) to move the pointer to
                    xtest.fake_input(self.d, kind, x=detail[0], y=detail[1])
                else:
                    xtest.fake_input(self.d, kind, detail)
            return "sent"
        finally:
            # flushed, not synced: the next request that wants an answer on this
            # connection comes after these anyway; a check made on another connection
            # (a ping) syncs first (_caught_up). A round trip less per chunk of keys.
            self.d.ungrab_server()
            self.d.flush()

    def _send(self, events: list[Event], target: WindowInfo, stop: StopCheck | None,
              sent: int = 0, shown_at: tuple[int, int] | None = None) -> bool:
        """Send one chunk. While the clerk holds Ctrl/Alt/Shift/Super (our keys would
        become shortcuts) wait, watching for the abort key, up to modifier_wait_s.
        False (nothing sent) when `shown_at` is given and something lies over the target
        there."""
        deadline = time.monotonic() + self.modifier_wait_s
        while True:
            status = self._send_guarded(events, target, shown_at)
            if status == "sent":
                return True
            if status == "covered":
                return False
            if status == "focus":
                raise FocusMoved(sent, self.active_window())
            reason = stop() if stop else None
            if reason:
                raise StopRequested(reason, sent)
            if time.monotonic() >= deadline:
                raise StopRequested(_("a Ctrl/Alt/Shift key held down for over {seconds:g} s "
                                      "during the fill", seconds=self.modifier_wait_s), sent)
            time.sleep(0.02)

    # -- keyboard --------------------------------------------------------------
    @_x11_faults(N_("reading the keyboard"))
    def held_modifiers(self) -> set[str]:
        mask = self.root.query_pointer().mask
        return {name for name, bit in _MASKS.items() if mask & bit}

    @_x11_faults(N_("reading the keyboard"))
    def held_keys(self) -> set[int]:
        """Keycodes physically down now. A hotkey's own key (the V of Ctrl+Alt+V) keeps
        the hotkey owner's keyboard grab active until it is released, and keys sent
        before that go to the grab's owner, not the target: a fill waits for it."""
        bitmap = self.d.query_keymap()
        return {i * 8 + b for i, byte in enumerate(bitmap) for b in range(8) if byte >> b & 1}

    @_x11_faults(N_("preparing the keyboard"))
    def keys_processed(self) -> None:
        """The caller saw the target hold everything typed so far (read back through its
        accessibility tree): spare keycodes may be rebound at once, without the reuse gap,
        and a paste it holds need not be offered until a quiet spell before the next one
        (without this, a fill read back from the tree waited 0.5 s before every paste)."""
        self.pool.settle()
        self._paste_pending = False

    @_x11_faults(N_("waiting for the target to take a key"))
    def wait_processed(self, target: WindowInfo, timeout: float = 1.0) -> bool:
        """Block until the keys sent so far are behind the target (x11_probe): the
        server's clock has ticked past them (Java needs this), and a target that answers
        _NET_WM_PING has read them. False when the target did not answer in `timeout`."""
        if self._probe is None:
            from app.desktop.x11_probe import X11Probe
            self._probe = X11Probe(self.display_name)
        self.d.sync()         # the probe's connection must see the keys as sent
        ticked = self._probe.tick_past(min(timeout, 0.5))
        return self._probe.confirm(target.id, timeout) and ticked

    def key_latency(self, target: WindowInfo) -> float | None:
        """How long the target last took from a key (Ctrl+V, Ctrl+C) to acting on it, as
        seen by its clipboard traffic: a measure of how busy it is now."""
        return self._latency.get(target.id)

    def answers_round_trip(self, target: WindowInfo) -> bool:
        """Whether wait_processed had an answer from the target itself (a ping), not only
        the clock tick."""
        return self._probe is not None and self._probe.round_trips(target.id)

    @_x11_faults(N_("reading the target window's process"))
    def window_pid(self, target: WindowInfo) -> int | None:
        """The target's process: _NET_WM_PID, else asked of the X server (X-Resource), for
        programs that do not set it (Tk)."""
        if target.pid:
            return target.pid
        if not self.d.has_extension("X-Resource"):
            return None
        from Xlib.ext import res
        got = self.d.res_query_client_ids([{"client": target.id, "mask": res.LocalClientPIDMask}])
        pids = [int(v.value[0]) for v in got.ids if v.value]
        return pids[0] if pids else None

    @_x11_faults(N_("reading the target window's class"))
    def window_class(self, target: WindowInfo) -> tuple[str, str] | None:
        """WM_CLASS (instance, class) of the target, e.g. ("wish", "Tk")."""
        got = self.d.create_resource_object("window", target.id).get_wm_class()
        return (str(got[0]), str(got[1])) if got else None

    def prepare(self, target: WindowInfo) -> None:
        """Before a fill: re-read the layout (the clerk may have switched it), put the
        input method in English and turn Caps Lock off, so letters come out as written;
        finish() turns both back."""
        self._load_keymap(self.pool.reuse_gap_s)
        self.ime.english()
        if self.root.query_pointer().mask & X.LockMask:
            code = self.keymap.stroke(NAMED_KEYSYMS["capslock"])
            if code and self._send_guarded(_tap(code.keycode), target) == "sent":
                self._caps_toggled = True

    @_x11_faults(N_("restoring the keyboard"))
    def finish(self, target: WindowInfo | None = None) -> None:
        """After a fill: give spare keycodes back once the target can no longer
        need them, and restore Caps Lock."""
        self._ahead = ""
        if self.pool.bound():
            if self.pool.unsettled() and target is not None and self._caught_up(target):
                self.pool.settle()
            time.sleep(self.pool.restore_wait())
            bound = self.pool.bound()
            self.pool.clear()
            self._remap(bound)
        if self._caps_toggled:
            code = self.keymap.stroke(NAMED_KEYSYMS["capslock"])
            if code:
                self.d.grab_server()
                for kind, kc in _tap(code.keycode):
                    xtest.fake_input(self.d, kind, kc)
                self.d.ungrab_server()
                self.d.sync()
            self._caps_toggled = False
        if self.ime.turned_off:
            # the last keys may still be on their way to the input method, which would take
            # them as pinyin once it is on: the target's pong, and a moment for the IM
            if target is None or not self._caught_up(target):
                time.sleep(self.bind_settle_s)
            time.sleep(IME_SETTLE_S)
            self.ime.restore()

    def choose_method(self, text: str, method: str = "auto") -> str:
        if method in ("keys", "paste"):
            return method
        return "keys" if not self.keymap.missing_chars(text) else "paste"

    @_x11_faults(N_("typing"))
    def type_text(self, text: str, target: WindowInfo, *, method: str = "auto",
                  stop: StopCheck | None = None) -> str:
        method = self.choose_method(text, method)
        if method == "paste":
            self._paste(text, target, stop)
            return "paste"
        self._keys(text, target, stop)
        return "keys"

    @_x11_faults(N_("typing"))
    def click_and_type(self, x: int, y: int, target: WindowInfo, text: str, *,
                       select_all: bool = False, stop: StopCheck | None = None) -> bool:
        """A click at screen point (x, y), then Ctrl+A if asked, then `text` by keys: the
        click and the first keys go in one guarded send, checked as click_if_shown checks
        (one round of checks, not three, and nothing can come between them). False, and
        nothing sent, when something lies over the target there."""
        lead: list[Event] = [(X.MotionNotify, (x, y)), (X.ButtonPress, 1), (X.ButtonRelease, 1)]
        if select_all:
            lead += self._combo_events(parse_combo("ctrl+a"))
        return self._keys(text, target, stop, lead=lead, shown_at=(x, y))

    def _keys(self, text: str, target: WindowInfo, stop: StopCheck | None,
              lead: list[Event] | None = None, shown_at: tuple[int, int] | None = None) -> bool:
        """`text` as keystrokes, chunk by chunk, each chunk one guarded send; `lead` (a
        click) goes in the first send, checked at `shown_at` (False: nothing sent)."""
        sent, utf16 = 0, _utf16_keys(target)
        self._advance_ahead(text)
        pieces = segments(text, self.keymap, len(self.pool), utf16) or [""]
        for i, piece in enumerate(pieces):
            self._bind_missing(piece, target, utf16, "".join(pieces[i + 1:]) + self._ahead)
            for start in range(0, max(len(piece), 1), self.chunk_chars):
                chunk = piece[start:start + self.chunk_chars]
                reason = stop() if stop else None
                if reason:
                    raise StopRequested(reason, sent)
                events, pooled = self._char_events(chunk, utf16)
                if lead:
                    if not self._send(lead + events, target, stop, sent, shown_at):
                        return False
                    lead = None
                else:
                    self._send(events, target, stop, sent)
                for stroke in pooled:
                    self.pool.used(stroke)
                sent += len(chunk)
        return True

    def expect_text(self, texts: list[str]) -> None:
        """A hint: the fill will type these values next, in this order. A keymap change
        made for one value then also binds, in spare slots no value still needs, what the
        values after it lack: fewer changes, each of which waits for the target's answer
        (measured, Chromium, 20 boxes: 6 changes a fill, ~10 ms each)."""
        self._ahead = "".join(texts)

    def _advance_ahead(self, text: str) -> None:
        at = self._ahead.find(text) if text else -1
        if at >= 0:
            self._ahead = self._ahead[at + len(text):]

    def _bind_missing(self, piece: str, target: WindowInfo, utf16: bool, later: str = "") -> None:
        """Bind every character of `piece` the layout lacks to a spare slot, with one
        ChangeKeyboardMapping per run of neighbouring keycodes, before any of it is typed;
        what `later` lacks rides along where slots are free."""
        def lacking(text: str) -> list[int]:
            return list(dict.fromkeys(s for ch in text for s in char_keysyms(ch, utf16)
                                      if self.keymap.stroke(s) is None))
        missing = lacking(piece)
        if not missing:
            return
        if not self.pool.slots:
            raise DesktopError(_("This keyboard layout has no spare keycodes to type Chinese "
                                 "with keystrokes; use method: paste for this field."))
        # the characters needed soonest after the piece fill the slots it leaves, in
        # place of any needed later (so each change binds as much as it can: fewer changes)
        ahead = [s for s in lacking(later) if s not in missing][:len(self.pool) - len(missing)]
        bindings, wait = self.pool.plan(missing, set(ahead))
        if not bindings:
            return
        if wait or (ahead and self.pool.unsettled()):
            # keys typed with these slots may still wait in the target's queue, to be
            # read with the new map: its pong says it has read them. Asked for the
            # characters ahead too, so that they may take every slot: each keymap change
            # costs every X client on the desktop (x11_keymap.rewritable)
            if self._caught_up(target):
                self.pool.settle()
            elif wait:
                time.sleep(wait)
        needed = set(missing) | set(ahead)
        bindings += self.pool.plan_ahead(ahead, {stroke for stroke, _sym in bindings}, needed)
        for stroke, sym in bindings:
            self.pool.bind(stroke, sym)
        self._remap([stroke.keycode for stroke, _sym in bindings])
        # Chromium applies a keymap change on a later turn of its event loop: a key that
        # arrives in the same batch as the MappingNotify is read with the old map
        # (measured: 七 typed as the 木 bound there before). Its pong comes after it has
        # read the MappingNotify; a program that does not answer pings gets a pause.
        if self._caught_up(target):
            self.pool.settle()           # and every key sent before the change
        else:
            time.sleep(self.bind_settle_s)

    def _remap(self, codes: list[int]) -> None:
        """Give the spare `codes` the rows their slots hold now, in as few keymap changes
        as the keys between them allow (x11_keymap.rewritable): those keys get their own
        rows back, read afresh under a server grab so that nothing changes them between
        the read and the write."""
        if not codes:
            return
        first, last = min(codes), max(codes)
        ours, changed = set(self.pool.keycodes), set(codes)
        self.d.grab_server()
        try:
            held = {first + i: list(row) for i, row in enumerate(
                self.d.get_keyboard_mapping(first, last - first + 1))}
            width = max(2, *(len(row) for row in held.values()))
            for start, count in runs(codes, lambda c: c in ours or rewritable(held[c])):
                rows = [self.pool.row(c) if c in changed else held[c]
                        for c in range(start, start + count)]
                self.d.change_keyboard_mapping(start, [r + [0] * (width - len(r)) for r in rows])
        finally:
            self.d.ungrab_server()
            self.d.sync()

    def caught_up(self, target: WindowInfo) -> bool:
        """Has the target's event loop read every key sent to it so far? Waits for its
        answer to a ping (False if it does not answer in time, or pings are off)."""
        return self._caught_up(target)

    def _caught_up(self, target: WindowInfo) -> bool:
        """Has the target read everything sent to it so far? (its answer to a ping)"""
        if not self.use_ping:
            return False
        if self._pinger is None:
            self._pinger = Pinger(self.display_name)
        self.d.sync()         # the keys sent on this connection reach the server first
        return self._pinger.ping(target.id, self.ping_timeout_s)

    def _char_events(self, chunk: str, utf16: bool = False) -> tuple[list[Event], set[Stroke]]:
        """Key events for `chunk`, whose missing characters are bound already."""
        events: list[Event] = []
        pooled: set[Stroke] = set()
        shift = self._mod_code.get("shift")
        for sym in (s for ch in chunk for s in char_keysyms(ch, utf16)):
            stroke = self.keymap.stroke(sym)
            if stroke is None:
                stroke = self.pool.lookup(sym)
                assert stroke is not None
                pooled.add(stroke)
            if stroke.shift and shift:
                events += [(X.KeyPress, shift), *_tap(stroke.keycode), (X.KeyRelease, shift)]
            else:
                events += _tap(stroke.keycode)
        return events, pooled

    def _combo_events(self, combo: KeyCombo) -> list[Event]:
        sym = NAMED_KEYSYMS.get(combo.key) or char_keysym(combo.key)
        stroke = self.keymap.stroke(sym)
        if stroke is None:
            raise DesktopError(_("The key '{combo}' is not on this keyboard layout.", combo=combo))
        mods = [self._mod_code[m] for m in combo.modifiers if m in self._mod_code]
        if stroke.shift and "shift" not in combo.modifiers and "shift" in self._mod_code:
            mods.append(self._mod_code["shift"])
        return ([(X.KeyPress, m) for m in mods] + _tap(stroke.keycode)
                + [(X.KeyRelease, m) for m in reversed(mods)])

    @_x11_faults(N_("pressing keys"))
    def press(self, combo: KeyCombo, target: WindowInfo, *, stop: StopCheck | None = None) -> None:
        reason = stop() if stop else None
        if reason:
            raise StopRequested(reason, 0)
        self._send(self._combo_events(combo), target, stop)

    def _paste(self, text: str, target: WindowInfo, stop: StopCheck | None) -> None:
        reason = stop() if stop else None
        if reason:
            raise StopRequested(reason, 0)
        self._settle_paste()
        self.sel.own_text(text)
        sent_at = time.monotonic()
        self._send(self._combo_events(parse_combo("ctrl+v")), target, stop)
        taken = self.sel.wait_taken(self.paste_timeout_s)
        if taken:
            self._latency[target.id] = time.monotonic() - sent_at
        if not taken:
            reason = stop() if stop else None
            if reason:
                raise StopRequested(reason, 0)
            raise DesktopError(_("The target window did not take the pasted text within "
                                 "{seconds:g} s; it may block paste. Set method: keys for this "
                                 "field in the playbook.", seconds=self.paste_timeout_s))
        # The target has started reading, so it handled every event before the
        # ctrl+v. It may read again: the text stays on offer until the next sync
        # point (a read-back's copy, or a quiet spell before the next paste).
        self._paste_pending = True
        self.pool.settle()

    def _settle_paste(self) -> None:
        if self._paste_pending:
            self.sel.settle()
            self._paste_pending = False

    # -- read-back ---------------------------------------------------------------
    @_x11_faults(N_("reading back a field"), ClipboardError)
    def copy_selection(self, target: WindowInfo, timeout: float = 1.0,
                       stop: StopCheck | None = None) -> str | None:
        """Send ctrl+c to the target and return the text it put on the clipboard."""
        # We must own the selection so the target's copy shows as a change of owner.
        # If we still own it from a paste, keep offering that text: the target
        # finishes the paste before it handles this ctrl+c, and then takes ownership.
        if self.sel.owner() != self.sel.window.id:
            self.sel.own({})
        sent_at = time.monotonic()
        self._send(self._combo_events(parse_combo("ctrl+c")), target, stop)
        if not self.sel.pump(lambda: self.sel.lost, timeout):
            self._settle_paste()
            return None
        self._latency[target.id] = time.monotonic() - sent_at
        self._paste_pending = False
        self.pool.settle()
        return self.sel.read_text(timeout)

    @_x11_faults(N_("reading the clipboard"), ClipboardError)
    def selection_text(self, selection: str = "CLIPBOARD", timeout: float = 0.5) -> str | None:
        """The text CLIPBOARD (or PRIMARY, what a middle click pastes) holds now; None when
        nothing is offered as text. For the recorder, which notes what was pasted."""
        if selection == "CLIPBOARD":
            return self.sel.read_text(timeout)
        if self._primary is None:
            self._primary = Selections(self.d, "PRIMARY")
        return self._primary.read_text(timeout)

    # -- clipboard save / restore ------------------------------------------------
    @_x11_faults(N_("saving the clipboard"), ClipboardError)
    def clipboard_save(self) -> ClipboardSnapshot:
        return self.sel.snapshot()

    @_x11_faults(N_("putting the clipboard back"), ClipboardError)
    def clipboard_restore(self, snapshot: ClipboardSnapshot) -> None:
        self._settle_paste()
        # Answer whatever is still asked of us before letting go: a requester left
        # without a reply (Chromium asks every new owner for its targets) blocks.
        if self.sel.owner() == self.sel.window.id:
            self.sel.settle(quiet=0.05, timeout=0.5)
        if snapshot.empty:
            self.sel.clear()  # it was empty before the fill: leave it empty
            return
        spec = {"display": self.display_name,
                "formats": {name: [*snapshot.meta.get(name, ("UTF8_STRING", 8)),
                                   base64.b64encode(data).decode()]
                            for name, data in snapshot.formats.items()}}
        proc = subprocess.Popen([sys.executable, "-m", "app.desktop.x11_clipboard_keeper"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, start_new_session=True,
                                env={**os.environ, "DISPLAY": self.display_name})
        assert proc.stdin and proc.stdout
        proc.stdin.write(json.dumps(spec).encode())
        proc.stdin.close()
        # Keep answering requests until the keeper owns the selection, then answer any
        # that were already on their way to us.
        line, deadline = b"", time.monotonic() + 5.0
        while time.monotonic() < deadline:
            ready, _writable, _failed = select.select([proc.stdout, self.d], [], [], 0.05)
            self.sel.drain()
            if proc.stdout in ready:
                line = proc.stdout.readline()
                break
        proc.stdout.close()
        self.sel.drain()
        if line.strip() != b"READY":
            proc.kill()
            raise ClipboardError(_("Could not put your clipboard back after the fill; what you "
                                   "had copied before may need copying again."))

    # -- pointer -----------------------------------------------------------------
    @_x11_faults(N_("clicking"))
    def click(self, x: int, y: int, target: WindowInfo, *, button: str = "left",
              double: bool = False) -> None:
        info = self._window_info(target.id) or target
        if not (0 <= x < info.width and 0 <= y < info.height):
            raise DesktopError(_("The click at ({x}, {y}) lies outside the target window "
                                 "({width}×{height}); check the playbook's position.",
                                 x=x, y=y, width=info.width, height=info.height))
        b = _BUTTONS[button]
        events: list = [(X.MotionNotify, (info.x + x, info.y + y))]
        events += [(X.ButtonPress, b), (X.ButtonRelease, b)] * (2 if double else 1)
        self._send(events, target, None)

    @_x11_faults(N_("clicking"))
    def click_if_shown(self, x: int, y: int, target: WindowInfo) -> bool:
        """Click at screen point (x, y) only if the target is what shows there, checked
        under the same server grab as the click (no pop-up can come between); False, and
        no click, otherwise."""
        events: list = [(X.MotionNotify, (x, y)), (X.ButtonPress, 1), (X.ButtonRelease, 1)]
        return self._send(events, target, None, shown_at=(x, y))

    @_x11_faults(N_("reading the pointer"))
    def pointer_position(self) -> tuple[int, int]:
        p = self.root.query_pointer()
        return p.root_x, p.root_y

    @_x11_faults(N_("reading the screen size"))
    def screen_size(self) -> tuple[int, int]:
        s = self.d.screen()
        return s.width_in_pixels, s.height_in_pixels

    # -- abort key ---------------------------------------------------------------
    @_x11_faults(N_("watching the abort key"))
    def start_abort_watch(self, keys: str) -> Callable[[], bool]:
        """Watch for the abort combination with a passive key grab (app.hotkeys): the
        combination reaches only us. When another program holds it (the tray does, for
        the same key), fall back to pynput, which listens through XRecord without a grab
        (it sees every key, our own injected ones too; they never form the combination)."""
        from app.errors import HotkeyError
        from app.hotkeys.x11 import X11Hotkeys
        self._stop_listener()
        fired = threading.Event()
        try:
            hotkeys = X11Hotkeys(self.display_name)
        except HotkeyError as exc:
            raise DesktopError(_("Cannot watch the abort key: {reason}", reason=exc.message)) \
                from None
        try:
            hotkeys.register("abort", keys, fired.set)
            hotkeys.start()
        except HotkeyError:
            hotkeys.stop()
            return self._start_pynput_watch(keys)
        self._abort_hotkeys = hotkeys
        return fired.is_set

    def _start_pynput_watch(self, keys: str) -> Callable[[], bool]:
        """pynput connects to $DISPLAY, so that must name this backend's display."""
        if os.environ.get("DISPLAY") != self.display_name:
            raise DesktopError(_("The abort key can only be watched on $DISPLAY ({current!r}), "
                                 "not on {display}.", current=os.environ.get("DISPLAY"),
                                 display=self.display_name))
        try:
            from pynput import keyboard
        except ImportError as exc:
            raise DesktopError(_("Cannot watch the abort key: {reason}",
                                 reason=(str(exc).splitlines() or [""])[0])) from exc
        fired: list[bool] = []
        hotkey = keyboard.HotKey(keyboard.HotKey.parse(_pynput_combo(parse_combo(keys))),
                                 lambda: fired.append(True))
        listener = keyboard.Listener(
            on_press=lambda k: hotkey.press(listener.canonical(k)),
            on_release=lambda k: hotkey.release(listener.canonical(k)))
        listener.start()
        listener.wait()
        self._listener = listener
        return lambda: bool(fired)

    @_x11_faults(N_("releasing the abort key"))
    def stop_abort_watch(self) -> None:
        self._stop_listener()

    def _stop_listener(self) -> None:
        if self._abort_hotkeys is not None:
            self._abort_hotkeys.stop()
            self._abort_hotkeys = None
        if self._listener is not None:
            self._listener.stop()     # asynchronous: wait, or the thread outlives the display
            self._listener.join(2.0)
            self._listener = None

    def close(self) -> None:
        self._stop_listener()
        try:
            if self.sel.owner() == self.sel.window.id:
                self.sel.settle(quiet=0.05, timeout=0.5)
            self.sel.drain()
        except Exception:  # the display may already be gone
            pass
        self.sel.close()
        if self._primary is not None:
            self._primary.close()
        if self._pinger is not None:
            self._pinger.close()
        if self._probe is not None:
            self._probe.close()
        try:
            self.d.close()
        except Exception:
            pass


def _utf16_keys(target: WindowInfo) -> bool:
    """Java's AWT takes a character beyond the BMP as its two UTF-16 halves
    (x11_keymap.char_keysyms); known by its launcher's name, `java`."""
    return (target.process or "").lower() in ("java", "javaw")


def _tap(code: int) -> list[Event]:
    return [(X.KeyPress, code), (X.KeyRelease, code)]


def _prop_text(w, atom: int, type_: int) -> str | None:
    prop = w.get_full_property(atom, type_)
    if prop is None:
        return None
    value = prop.value
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _process_name(pid: int | None) -> str | None:
    if not pid:
        return None
    try:
        return os.path.basename(os.readlink(f"/proc/{pid}/exe"))
    except OSError:
        try:
            with open(f"/proc/{pid}/comm", encoding="utf-8") as f:
                return f.read().strip()
        except OSError:
            return None


_PYNPUT_NAMES = {"esc": "esc", "enter": "enter", "tab": "tab", "space": "space",
                 "backspace": "backspace", "delete": "delete", "insert": "insert",
                 "home": "home", "end": "end", "pageup": "page_up", "pagedown": "page_down",
                 "up": "up", "down": "down", "left": "left", "right": "right", "menu": "menu",
                 "capslock": "caps_lock", "numlock": "num_lock", "pause": "pause",
                 "printscreen": "print_screen", **{f"f{i}": f"f{i}" for i in range(1, 13)}}


def _pynput_combo(combo: KeyCombo) -> str:
    mods = ["<cmd>" if m == "super" else f"<{m}>" for m in combo.modifiers]
    key = f"<{_PYNPUT_NAMES[combo.key]}>" if combo.key in _PYNPUT_NAMES else combo.key
    return "+".join(mods + [key])
