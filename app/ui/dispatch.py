"""Running work off the Qt main thread and getting results back onto it.

Hotkey listeners and worker threads must never touch widgets; they hand a callable to
`MainThread.post`, which a queued signal delivers to the main thread's event loop."""
from __future__ import annotations

import logging
import threading
from typing import Any, Callable

from PySide6.QtCore import QObject, Signal, Slot

__all__ = ["MainThread", "run_in_worker"]

log = logging.getLogger("deskhand.ui")


class MainThread(QObject):
    _call = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._call.connect(self._run)   # queued when emitted from another thread

    def post(self, fn: Callable[[], Any]) -> None:
        """Call `fn` on the main thread soon; safe from any thread."""
        self._call.emit(fn)

    @Slot(object)
    def _run(self, fn: Callable[[], Any]) -> None:
        try:
            fn()
        except Exception:  # a UI callback must not take the tray down
            log.exception("UI callback failed")


def run_in_worker(name: str, work: Callable[[], Any], done: Callable[[Any], None],
                  failed: Callable[[BaseException], None], main: MainThread) -> threading.Thread:
    """`work()` on a daemon thread; then `done(result)` or `failed(exc)` on the main thread."""
    def body() -> None:
        try:
            result = work()
        except BaseException as exc:  # noqa: BLE001 - reported to the clerk, not swallowed
            main.post(lambda exc=exc: failed(exc))
        else:
            main.post(lambda: done(result))
    t = threading.Thread(target=body, name=name, daemon=True)
    t.start()
    return t
