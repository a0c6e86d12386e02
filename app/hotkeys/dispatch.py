"""Running hotkey callbacks off the listener thread.

DESIGN.md §5: a hotkey callback that blocks the listener leaves keys stuck (the
X server keeps the keyboard grabbed until the listener reads the release), so
backends never call a callback themselves; they hand it to a `Dispatch`.

The tray passes its own: `app.ui.dispatch.MainThread.post`, which posts the
callable to the Qt main thread through a queued signal. Without one, a backend
uses `LaneDispatcher`.
"""
from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable

Callback = Callable[[], None]
Dispatch = Callable[[Callback], None]

log = logging.getLogger("deskhand.hotkeys")


class LaneDispatcher:
    """One worker thread ("lane") per distinct callback, started on first use.

    A callback never overlaps itself: pressing Capture again while a capture
    runs queues a second one behind it. A slow callback never delays another:
    Abort runs while Fill is still typing. (A single shared worker would hold
    Abort back until the fill it is meant to stop had finished.)
    """

    def __init__(self, thread_name: str = "deskhand-hotkey-worker") -> None:
        self._thread_name = thread_name
        self._lanes: dict[Callback, tuple[queue.SimpleQueue, threading.Thread]] = {}
        self._lock = threading.Lock()
        self._closed = False

    def __call__(self, fn: Callback) -> None:
        with self._lock:
            if self._closed:
                log.warning("hotkey callback %r dropped: the dispatcher is closed", fn)
                return
            lane = self._lanes.get(fn)
            if lane is None:
                q: queue.SimpleQueue = queue.SimpleQueue()
                t = threading.Thread(target=_work, args=(q,), daemon=True,
                                     name=f"{self._thread_name}-{len(self._lanes) + 1}")
                lane = self._lanes[fn] = (q, t)
                t.start()
        lane[0].put(fn)

    def close(self, timeout: float = 0.5) -> None:
        """Let each lane finish what it is running and end. Waits at most
        `timeout` in all; a callback still running after that ends on its own
        (the threads are daemons, so they never hold up the program's exit)."""
        with self._lock:
            self._closed = True
            lanes = list(self._lanes.values())
            self._lanes.clear()
        for q, _ in lanes:
            q.put(None)
        deadline = time.monotonic() + timeout
        for _, t in lanes:
            if t is not threading.current_thread():
                t.join(max(0.0, deadline - time.monotonic()))


def _work(q: queue.SimpleQueue) -> None:
    while (fn := q.get()) is not None:
        try:
            fn()
        except Exception:  # one failing callback must not end the lane
            log.exception("hotkey callback failed")


def own_dispatch(dispatch: Dispatch | None) -> tuple[Dispatch, Callable[[float], None]]:
    """The dispatch to use and how to close it at stop(): a dispatch passed in
    belongs to the caller and is left alone."""
    if dispatch is not None:
        return dispatch, lambda timeout: None
    lanes = LaneDispatcher()
    return lanes, lanes.close
