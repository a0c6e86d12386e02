"""One recording: the source read once, the supervisor's input turned into `Event`s with
the window and widget each went to, and at the end the recording saved and compiled.

    recorder = Recorder(parts, RecorderOptions(stop_key="ctrl+alt+s"))
    recorder.start()                # listens (recorders/backends.py) on its own threads
    recorder.wait()                 # until the stop key, or recorder.stop() (SIGINT, a button)
    recording = recorder.finish()   # the final value of every field, the target picture
    result = save_and_compile(recording, paths, answers=None)

`Recorder` sees raw presses in order on one worker thread, which alone talks to the desktop
and the tree (neither connection is shared between threads). Secrets: in a password box a
key's character is dropped here, before any list or log sees it; the event keeps
`secret=True` and no text. A window without a tree does not say which box is one: what is
typed into a box there is held (`HeldBox`, in memory only) until the box is left and a look
at it (recorders/secret_look.py, on a thread of its own) has said whether it is a password
box; only then are its events recorded, without their text if it is. Input into Deskhand's
own windows (this process) and the capture and stop keys themselves are not recorded.

The CLI (`deskhand record`) and the tray's 录制业务流程 both use this module.
"""
from __future__ import annotations

import fnmatch
import logging
import os
import queue
import sys
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Callable

from app.a11y.base import PASSWORD
from app.errors import DeskhandError, UsageError
from app.i18n import _
from playbooks.keys import KeyNameError, parse_combo
from recorders.boxes import typed_text
from recorders.raw_input import RawInput
from recorders.recording import (Event, RecordedSource, RecordedWidget, RecordedWindow,
                                 Recording, SourceLine)
from recorders.secret_look import BoxLook, look_at_box
from recorders.tree_watch import TreeWatch, widget_of

if TYPE_CHECKING:  # pragma: no cover
    from PIL import Image

    from app.a11y.base import FormField
    from app.desktop.base import Desktop, WindowInfo
    from app.ocr.base import OcrEngine

log = logging.getLogger(__name__)

DEFAULT_CAPTURE_KEY = "ctrl+alt+r"
DEFAULT_STOP_KEY = "ctrl+alt+s"
PASTE_KEYS = ("ctrl+v", "shift+insert")
# Keys after which the tree's focus is read again before the next input is placed.
_FOCUS_KEYS = ("tab", "shift+tab", "enter", "up", "down", "left", "right", "esc", "pageup",
               "pagedown", "home", "end")
FOCUS_SETTLE_S = 0.04     # a toolkit has moved focus by then after a Tab (Qt, GTK: < 10 ms)
CHOICE_ROLES = ("radio", "check", "button", "combo", "list")
# Keys that leave a box of a window without a tree (then it is looked at)
_LEAVE_KEYS = ("tab", "shift+tab", "enter", "esc")
LOOK_WAIT_S = 60.0        # at the end, how long the looks still running are waited for


def normal_combo(text: str, what: str) -> str:
    """'Ctrl+Alt+S' → 'ctrl+alt+s' (the listener's spelling); UsageError when it is not a
    key combination."""
    try:
        combo = parse_combo(text)
    except KeyNameError as exc:
        raise UsageError(_("The {what} '{text}' is not a key: {reason}.", what=what, text=text,
                           reason=exc)) from None
    if not set(combo.modifiers) - {"shift"}:
        raise UsageError(_("The {what} '{text}' has no Ctrl, Alt or Win: it would fire while "
                           "you type into the form. Use e.g. Ctrl+Alt+S.", what=what, text=text))
    order = [m for m in ("ctrl", "shift", "alt", "super") if m in combo.modifiers]
    return "+".join((*order, combo.key))


def own_process_chain(pid: int | None = None, limit: int = 32,
                      parents: Callable[[], dict[int, int]] | None = None) -> tuple[int, ...]:
    """`pid` (this process) and its parents up to init: read from /proc on Linux, from a
    process snapshot on Windows (`parents`: pid → parent pid); just `pid` where neither
    can be read."""
    if parents is None and sys.platform.startswith("win"):
        from recorders.listen_windows import process_parents
        parents = process_parents
    table = parents() if parents is not None else None
    chain = [pid or os.getpid()]
    while len(chain) < limit:
        parent = table.get(chain[-1]) if table is not None else _proc_parent(chain[-1])
        # a parent that ended may have left its pid to another process: no loops
        if parent is None or parent <= 1 or parent in chain:
            break
        chain.append(parent)
    return tuple(chain)


def _proc_parent(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8", errors="replace") as f:
            stat = f.read()
        return int(stat.rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def checked_keys(capture_key: str, stop_key: str) -> tuple[str, str]:
    """Both keys in the listener's spelling; UsageError when one cannot be used."""
    capture = normal_combo(capture_key, _("capture key"))
    stop = normal_combo(stop_key, _("stop key"))
    if capture == stop:
        raise UsageError(_("The capture key and the stop key are both {combo}; give them "
                           "different keys.", combo=stop))
    return capture, stop


@dataclass
class HeldBox:
    """A box of a window without a tree being typed into: its events (their text too)
    are kept here, in memory only, until the look has decided whether it is a password
    box. `first`/`last`: the window's pictures at the first and last text; `after`: when
    the box was left; `near`: a click that reached it (window pixels)."""

    window: "WindowInfo"
    events: list[Event] = field(default_factory=list)
    first: "Image.Image | None" = None
    last: "Image.Image | None" = None
    after: "Image.Image | None" = None
    near: tuple[int, int] | None = None
    look: BoxLook | None = None

    def recorded(self) -> list[Event]:
        """The events to record: as typed, or, in a password box (or one the look never
        decided about), without their text and with a secret widget."""
        look = self.look
        if look is not None and not look.secret:
            return list(self.events)
        w = self.window
        x, y, width, height = look.region if look is not None and look.region else (0, 0, 0, 0)
        widget = RecordedWidget(label=look.label if look is not None else "",
                                x=w.x + x, y=w.y + y, width=width, height=height, secret=True,
                                secret_by=look.by if look is not None else "unlooked")
        return [replace(e, widget=widget, text=None) for e in self.events]


@dataclass
class RecorderParts:
    """What a recorder works with, made by the caller (the pipeline's parts)."""

    desktop: "Desktop"
    tree: TreeWatch
    engine: Callable[[], "OcrEngine"] | None = None     # OCR for the target's picture
    grab: Callable[[int, int, int, int], "Image.Image"] | None = None   # screen pixels
    listener_factory: Callable[[Callable[[RawInput], None]], Any] | None = None


@dataclass
class RecorderOptions:
    capture_key: str = DEFAULT_CAPTURE_KEY
    stop_key: str = DEFAULT_STOP_KEY
    # Deskhand's windows, and the terminal `deskhand record` was started from (where a
    # Ctrl+C ends the recording): this process and the processes it was started by
    own_pids: tuple[int, ...] = field(default_factory=lambda: own_process_chain())
    source_window: int | None = None        # the source's window id: not a target
    source_taken: bool = True               # False until the capture key took the source:
                                            # no window is a target before that
    target_title: str | None = None         # a glob: input into other windows is not kept
    on_capture: Callable[[], None] | None = None   # the capture key was pressed
    on_event: Callable[[int], None] | None = None  # the count of events, after each one


class Recorder:
    def __init__(self, parts: RecorderParts, options: RecorderOptions | None = None) -> None:
        self.parts = parts
        self.options = options or RecorderOptions()
        self.capture_key, self.stop_key = checked_keys(self.options.capture_key,
                                                       self.options.stop_key)
        self.events: list[Event | HeldBox] = []    # a HeldBox until its look decided
        self.started = datetime.now(timezone.utc).isoformat(timespec="seconds")
        self.stopped = threading.Event()
        self.stop_reason = ""
        self._t0 = time.monotonic()
        self._inbox: queue.Queue[RawInput | None] = queue.Queue()
        self._listener = None
        self._worker: threading.Thread | None = None
        self._window: "WindowInfo | None" = None
        self._widget: "FormField | None" = None
        self._focus_dirty_at: float | None = 0.0
        self._targets: dict[int, "WindowInfo"] = {}     # windows acted in (not the source)
        self._target_shot: tuple["WindowInfo", "Image.Image"] | None = None
        self._target_ocr: threading.Thread | None = None
        self._target_source: RecordedSource | None = None
        self.failure: BaseException | None = None
        self._lock = threading.Lock()
        self._classes: dict[int, str | None] = {}
        self._held: HeldBox | None = None           # the box without a tree typed into now
        self._near: tuple[int, int] | None = None    # the last click, screen pixels
        self._looks: queue.Queue[HeldBox | None] = queue.Queue()
        self._looker: threading.Thread | None = None

    # -- life ------------------------------------------------------------------------
    def start(self) -> None:
        factory = self.parts.listener_factory
        if factory is None:
            from recorders.backends import open_listener
            self._listener = open_listener(self.parts.desktop, self._inbox.put)
        else:
            self._listener = factory(self._inbox.put)
        self._t0 = time.monotonic()
        self._worker = threading.Thread(target=self._work, name="recorder", daemon=True)
        self._worker.start()
        self._looker = threading.Thread(target=self._look_at_boxes, name="recorder-look",
                                        daemon=True)
        self._looker.start()
        self._listener.start()

    def stop(self, reason: str = "stop") -> None:
        """Stop listening (from any thread: a signal handler, the tray's button)."""
        if not self.stopped.is_set():
            self.stop_reason = reason
            self.stopped.set()

    def wait(self, timeout: float | None = None) -> bool:
        return self.stopped.wait(timeout)

    @property
    def count(self) -> int:
        return len(self.events)

    def finish(self, *, source: RecordedSource | None = None, note: str = "") -> Recording:
        """After stop(): the worker drained, every field's final value read, the target's
        picture read; the Recording."""
        self.stop()
        if self._listener is not None:
            self._listener.stop()
            self.failure = self.failure or getattr(self._listener, "failure", None)
        self._inbox.put(None)
        if self._worker is not None:
            self._worker.join(10.0)
        stopped = round(time.monotonic() - self._t0, 3)
        self._close_held()           # (the worker has ended: the desktop is this thread's)
        self._final_values(stopped)
        if self._target_ocr is not None:
            self._target_ocr.join(120.0)
        self._looks.put(None)
        if self._looker is not None:
            self._looker.join(LOOK_WAIT_S)
        with self._lock:
            events = [e for item in self.events
                      for e in (item.recorded() if isinstance(item, HeldBox) else (item,))]
        return Recording(started=self.started, source=source, events=tuple(events),
                         target=self._target_source, stopped=stopped, note=note)

    # -- the worker ------------------------------------------------------------------
    def _work(self) -> None:
        try:
            # Only input makes the worker look at the desktop: a look of its own between
            # inputs could see focus a Tab already moved before that Tab is in the queue
            # (RECORD's delivery lags when the machine is busy) and place the Tab wrongly.
            while True:
                raw = self._inbox.get()
                if raw is None:
                    self._close_held()
                    return
                if self.stopped.is_set():
                    continue       # keys after the stop key are not part of the job
                self._handle(raw)
        except Exception as exc:   # kept; finish() saves what was recorded before it
            log.exception("the recorder's worker failed")
            self.failure = exc
            self.stop("failure")

    def _now(self, raw: RawInput | None = None) -> float:
        return round((raw.t if raw is not None else time.monotonic()) - self._t0, 3)

    def _emit(self, event: Event) -> None:
        if event.widget is not None and event.widget.secret and event.text is not None:
            event = replace(event, text=None)   # never kept
        with self._lock:
            self.events.append(event)
        if self.options.on_event is not None:
            self.options.on_event(len(self.events))

    def _handle(self, raw: RawInput) -> None:
        key = raw.press.key if raw.press is not None else None
        if key == self.stop_key:
            self._close_held()
            self.stop("stop key")
            return
        if key == self.capture_key:
            if self.options.on_capture is not None:
                self.options.on_capture()
            return
        if raw.kind == "key" and raw.press is not None and raw.press.text is None and key is None:
            return                       # a modifier alone
        window = self._active()
        if not self._keeps(window):
            return
        self._track_window(window, raw)
        if raw.kind == "button":
            self._click(window, raw)
            return
        # A key that is not text is placed in the widget known before it (the toolkit may
        # already have moved focus because of it); text and pastes where focus is now.
        self._settle_focus(window, raw.t, ask=key is None or key in PASTE_KEYS)
        widget = widget_of(self._widget) if self._widget is not None else None
        rw = self._rw(window)
        blind = widget is None and not self.parts.tree.fields(window)
        if key in PASTE_KEYS:
            event = Event(self._now(raw), "paste", rw, widget, key=key,
                          text=None if widget and widget.secret else self._selection("CLIPBOARD"))
            self._put(window, event, blind)
        elif key is not None:
            if key in _LEAVE_KEYS:
                self._close_held()
            self._put(window, Event(self._now(raw), "key", rw, widget, key=key), blind,
                      opens=False)
            if key.split("+")[-1] in _FOCUS_KEYS:
                self._focus_dirty_at = raw.t
                self._settle_focus(window, raw.t)
        else:
            text = raw.press.text if raw.press is not None else None
            if text == " " and widget is not None and widget.role in CHOICE_ROLES:
                self._emit(Event(self._now(raw), "key", rw, widget, key="space"))
                self._focus_dirty_at = raw.t
                self._settle_focus(window, raw.t)
            elif widget is not None and widget.secret:
                self._emit(Event(self._now(raw), "text", rw, widget))   # the character dropped
            elif blind:
                self._hold(window, Event(self._now(raw), "text", rw, None, text=text))
            else:
                self._emit(Event(self._now(raw), "text", rw, widget, text=text))

    def _keeps(self, window: "WindowInfo | None") -> bool:
        """Input into this window is recorded: not Deskhand's own, and with --target only
        the target's and the source's."""
        if window is None or window.pid in self.options.own_pids:
            return False
        pattern = self.options.target_title
        if pattern and window.id != self.options.source_window:
            glob = pattern if any(c in pattern for c in "*?[") else f"*{pattern}*"
            return fnmatch.fnmatchcase(window.title, glob)
        return True

    def _active(self) -> "WindowInfo | None":
        try:
            return self.parts.desktop.active_window()
        except DeskhandError as exc:
            log.info("active window not read: %s", exc.message)
            return None

    def _track_window(self, window: "WindowInfo", raw: RawInput | None) -> None:
        if self._window is None or self._window.id != window.id:
            self._close_held()
            self._leave_widget(raw)
            self._window = window
            self._widget = None
            self._focus_dirty_at = raw.t if raw is not None else time.monotonic()
            self.parts.tree.fields(window, refresh=True)
            self._emit(Event(self._now(raw), "window", self._rw(window)))
        else:
            self._window = window       # moved or resized: the newest geometry
        if raw is not None and window.id != self.options.source_window and \
                self.options.source_taken:
            self._targets[window.id] = window
            if self._target_shot is None:
                self._picture(window)

    def _click(self, window: "WindowInfo", raw: RawInput) -> None:
        under = self.parts.tree.at(window, raw.x, raw.y)
        widget = widget_of(under) if under is not None else None
        rw = self._rw(window)
        if raw.button == "middle":
            self._settle_focus(window, raw.t)
            target = widget if widget is not None else (
                widget_of(self._widget) if self._widget is not None else None)
            secret = target is not None and target.secret
            event = Event(self._now(raw), "paste", rw, target, key="middle", x=raw.x, y=raw.y,
                          button="middle", text=None if secret else self._selection("PRIMARY"))
            self._put(window, event, target is None and not self.parts.tree.fields(window))
        else:
            self._close_held()
            self._near = (raw.x, raw.y)
            self._emit(Event(self._now(raw), "click", rw, widget, x=raw.x, y=raw.y,
                             button=raw.button))
        self._focus_dirty_at = raw.t
        self._settle_focus(window, raw.t)

    def _settle_focus(self, window: "WindowInfo", since: float, ask: bool = True) -> None:
        """Read the tree's focus before each input is placed (one call, ~2 ms): `focus`
        and the left widget's `value` events when it moved. After a key or click that
        may move focus, first give the toolkit FOCUS_SETTLE_S to move it. Focus that left
        a password box with no such input in between is not believed: the key being placed
        was pressed while the box had focus (the toolkit is only ahead of the queue here),
        so it stays a secret. With `ask` False the tree is read only after such an input."""
        dirty = self._focus_dirty_at is not None
        if not ask and not dirty:
            return
        if dirty:
            wait = self._focus_dirty_at + FOCUS_SETTLE_S - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            self._focus_dirty_at = None
        if not self.parts.tree.fields(window):
            return
        now = self.parts.tree.focused(window)
        if not dirty and self._widget is not None and self._widget.role == PASSWORD:
            return
        self._moved_to(window, now, None)

    def _moved_to(self, window: "WindowInfo", now: "FormField | None", raw: RawInput | None) -> None:
        before = self._widget.node if self._widget is not None else None
        if before == (now.node if now is not None else None):
            self._widget = now or self._widget      # the newest bounds
            return
        self._leave_widget(raw)
        self._widget = now
        if now is not None:
            self._emit(Event(self._now(raw), "focus", self._rw(window), widget_of(now)))

    def _leave_widget(self, raw: RawInput | None) -> None:
        """The `value` the widget losing focus holds (never a password box's)."""
        if self._widget is None or self._window is None:
            return
        w = widget_of(self._widget)
        if w.secret or w.role == "button":
            return
        text = self.parts.tree.value(self._window, self._widget)
        if text is not None:
            self._emit(Event(self._now(raw), "value",
                             self._rw(self._window), w, text=text))

    # -- boxes without a tree: held until looked at ------------------------------------
    def _put(self, window: "WindowInfo", event: Event, blind: bool, opens: bool = True) -> None:
        if blind:
            self._hold(window, event, opens)
        else:
            self._emit(event)

    def _hold(self, window: "WindowInfo", event: Event, opens: bool = True) -> None:
        """`event` into the box of `window` being typed into (a key that opens none, when
        none is: recorded at once). Text opens a box, with a picture of the window."""
        held = self._held
        if held is not None and held.window.id != window.id:
            self._close_held()
            held = None
        if held is None:
            if not opens:
                self._emit(event)
                return
            near = self._near
            held = self._held = HeldBox(window, near=None if near is None else (
                near[0] - window.x, near[1] - window.y))
            held.first = self._grab_window(window)
            with self._lock:
                self.events.append(held)
        elif event.kind in ("text", "paste"):
            held.last = self._grab_window(window)
        held.events.append(event)
        if self.options.on_event is not None:
            self.options.on_event(len(self.events))

    def _close_held(self) -> None:
        """The box being typed into was left: its picture now, then its look (on the
        look thread)."""
        held, self._held = self._held, None
        self._near = None
        if held is None:
            return
        # (pictures are of the window, wherever it is; one resized is not compared)
        now = self._window if self._window is not None and self._window.id == held.window.id \
            else held.window
        held.after = self._grab_window(now)
        self._looks.put(held)

    def _grab_window(self, window: "WindowInfo") -> "Image.Image | None":
        """The window's pixels now (~2 ms), or None."""
        if self.parts.grab is None or window.width <= 0 or window.height <= 0:
            return None
        try:
            return self.parts.grab(window.x, window.y, window.width, window.height)
        except DeskhandError as exc:
            log.info("the window's picture not taken: %s", exc.message)
            return None

    def _look_at_boxes(self) -> None:
        """The look thread: each box left, in order; its decision, then its pictures and
        (in a password box) its text let go."""
        while True:
            held = self._looks.get()
            if held is None:
                return
            try:
                held.look = look_at_box(held.first, held.last, held.after,
                                        typed_text(held.events), self._read_line(),
                                        held.near)
            except Exception:        # no look: the box is kept as a secret (the safe side)
                log.exception("a box without a tree was not looked at")
                held.look = BoxLook(True, "look", why="the look failed")
            if held.look.secret:
                log.info("a box of a window without a tree is taken for a password box "
                         "(%s): its text is not recorded", held.look.why)
                with self._lock:
                    held.events[:] = held.recorded()
            held.first = held.last = held.after = None

    def _read_line(self) -> Callable[["Image.Image"], str | None] | None:
        """OCR of one line (None without an OCR engine: then only mask glyphs are seen)."""
        if self.parts.engine is None:
            return None
        engine = self.parts.engine()
        one = getattr(engine, "read_line", None)
        if one is not None:
            return lambda image: (lambda line: line.text if line is not None else None)(one(image))
        return lambda image: " ".join(b.text for b in engine.read(image)) or None

    def _selection(self, which: str) -> str | None:
        read = getattr(self.parts.desktop, "selection_text", None)
        if read is None:
            return None
        try:
            return read(which)
        except DeskhandError as exc:
            log.info("%s not read: %s", which, exc.message)
            return None

    # -- the target's picture ----------------------------------------------------------
    def _picture(self, window: "WindowInfo") -> None:
        """The window's pixels now (fast); its OCR on a thread of its own."""
        image = self._grab_window(window)
        if image is None:
            return
        self._target_shot = (window, image)
        if self.parts.engine is None:
            self._target_source = RecordedSource(kind="window", window_title=window.title,
                                                 width=image.width, height=image.height,
                                                 origin=(window.x, window.y))
            return
        self._target_ocr = threading.Thread(target=self._read_target, name="recorder-target-ocr",
                                            daemon=True)
        self._target_ocr.start()

    def _read_target(self) -> None:
        assert self._target_shot is not None
        window, image = self._target_shot
        lines: tuple[SourceLine, ...] = ()
        try:
            lines = ocr_lines(self.parts.engine(), image)   # type: ignore[misc]
        except DeskhandError as exc:
            log.warning("the target window was not read: %s", exc.message)
        self._target_source = RecordedSource(kind="window", window_title=window.title,
                                             width=image.width, height=image.height,
                                             origin=(window.x, window.y), lines=lines)

    # -- at stop ---------------------------------------------------------------------------
    def _final_values(self, t: float) -> None:
        """One `value` per field of every target window that shows a tree."""
        if self._window is not None:
            self._leave_widget(None)
            self._widget = None
        for window in self._targets.values():
            fresh = next((w for w in self._windows() if w.id == window.id), window)
            rw = self._rw(fresh)
            for f, text in self.parts.tree.final_values(fresh):
                w = widget_of(f, self.parts.tree.options(fresh, f))
                self._emit(Event(t, "value", rw, w, text=None if w.secret else text))

    def _rw(self, window: "WindowInfo") -> RecordedWindow:
        return recorded_window(window, self.parts.desktop, self._classes)

    def _windows(self) -> list["WindowInfo"]:
        try:
            return self.parts.desktop.list_windows()
        except DeskhandError:
            return []


def recorded_window(window: "WindowInfo", desktop: Any,
                    classes: dict[int, str | None] | None = None) -> RecordedWindow:
    """`classes`: WM_CLASS already read, by window id (it does not change)."""
    wm_class = None
    get_class = getattr(desktop, "window_class", None)
    if classes is not None and window.id in classes:
        get_class, wm_class = None, classes[window.id]
    if get_class is not None:
        try:
            got = get_class(window)
            wm_class = ".".join(got) if got else None
        except DeskhandError:
            wm_class = None
    if classes is not None:
        classes[window.id] = wm_class
    return RecordedWindow(title=window.title, wm_class=wm_class, process=window.process,
                          pid=window.pid, x=window.x, y=window.y, width=window.width,
                          height=window.height)


def ocr_lines(engine: "OcrEngine", image: "Image.Image") -> tuple[SourceLine, ...]:
    return tuple(SourceLine(text=b.text, x=int(b.x), y=int(b.y), width=int(b.width),
                            height=int(b.height), score=round(float(b.score), 4))
                 for b in engine.read(image))
