"""The target's UI Automation tree during a recording on Windows: the same reads and the
same answers as TreeWatch on X11 (focus, the field under a click, values, choices, the
final values), through app/a11y/uia.py.

UNVERIFIED on a real Windows PC (unit-tested on Linux with fakes of uiautomation's
controls, tests/test_record_windows.py).

What differs from AT-SPI, and why this class exists:
- COM: uiautomation's objects belong to the thread that joined COM. The recorder reads the
  tree from its worker thread and, at the end, from the thread that called finish(); so
  every read runs here on one thread of our own, which joined COM once
  (uiautomation.UIAutomationInitializerInThread).
- A target that hangs makes a UIA call hang. A read that takes longer than CALL_TIMEOUT_S
  is given up and taken as "no tree" (logged), as any fault of the tree is: the recording
  goes on with keys and clicks.
- Polled, as on X11: the session reads focus before it places each input (one call), so
  no event handler runs inside the target's UIA callbacks.
- Password boxes: a field is read only after IsPassword is read live and is False (a web
  page can turn a box into a password box after the form was read); a focused password
  box is a secret field even when it was not among the fields (app/a11y/uia.py, focused).
"""
from __future__ import annotations

import logging
import queue
import threading
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import nullcontext
from typing import TYPE_CHECKING, Any, Callable, ContextManager, TypeVar

from app.errors import DeskhandError
from recorders.tree_watch import TreeWatch

if TYPE_CHECKING:  # pragma: no cover
    from app.a11y.base import Accessibility, FormField
    from app.desktop.base import WindowInfo

log = logging.getLogger(__name__)

CALL_TIMEOUT_S = 5.0
T = TypeVar("T")


class UiaTreeWatch(TreeWatch):
    def __init__(self, accessibility: "Accessibility", *,
                 com_init: Callable[[], ContextManager[Any]] | None = None,
                 timeout: float = CALL_TIMEOUT_S) -> None:
        super().__init__(accessibility)
        lib = getattr(accessibility, "lib", None)
        self._com_init = com_init or getattr(lib, "UIAutomationInitializerInThread", None) \
            or nullcontext
        self.timeout = timeout
        self._com_thread: int | None = None
        self._com: Any = None
        self._com_failed = False
        # A daemon thread, not a ThreadPoolExecutor: the interpreter waits for a pool's
        # threads at exit, and one stuck in a hanging target's UIA call would keep
        # `deskhand record` from ever ending.
        self._jobs: queue.Queue[tuple[Future[Any], Callable[[], Any]] | None] = queue.Queue()
        self._closed = False
        self._thread = threading.Thread(target=self._serve, name="recorder-uia", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            future, call = job
            if future.set_running_or_notify_cancel():
                future.set_result(call())

    def _on_com(self, default: T, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """fn(*args) on the COM thread; `default` when it faults or does not answer."""
        if threading.get_ident() == self._com_thread:
            return self._run(default, fn, *args, **kwargs)
        if self._closed:
            return default
        future: Future[T] = Future()
        self._jobs.put((future, lambda: self._run(default, fn, *args, **kwargs)))
        try:
            return future.result(self.timeout)
        except FutureTimeout:
            future.cancel()
            log.warning("UI Automation did not answer within %.0f s (the target may hang); "
                        "recording this input without the tree", self.timeout)
            return default

    def _run(self, default: T, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """On the watch's own thread, which joins COM before its first read."""
        if self._com_thread is None:
            self._com_thread = threading.get_ident()
            try:
                self._com = self._com_init()      # kept entered for the thread's life
                self._com.__enter__()
            except Exception:
                log.warning("UI Automation could not start on the recorder's thread; "
                            "recording without the tree", exc_info=True)
                self._com, self._com_failed = None, True
        if self._com_failed:
            return default
        return self._guarded(default, fn, *args, **kwargs)

    @staticmethod
    def _guarded(default: T, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        try:
            return fn(*args, **kwargs)
        except DeskhandError as exc:
            log.info("tree not read: %s", exc.message)
        except Exception:                     # COMError and the like: no tree here
            log.warning("UI Automation failed; recording without the tree", exc_info=True)
        return default

    # -- TreeWatch's reads, each on the COM thread ---------------------------------------
    def fields(self, window: "WindowInfo", *, refresh: bool = False) -> list["FormField"]:
        return self._on_com([], super().fields, window, refresh=refresh)

    def focused(self, window: "WindowInfo") -> "FormField | None":
        return self._on_com(None, super().focused, window)

    def value(self, window: "WindowInfo", f: "FormField") -> str | None:
        return self._on_com(None, self._value, window, f)

    def _value(self, window: "WindowInfo", f: "FormField") -> str | None:
        is_password = getattr(self.a11y, "is_password", None)
        if is_password is not None and is_password(window, f):
            return None
        return super().value(window, f)

    def options(self, window: "WindowInfo", f: "FormField") -> tuple[str, ...]:
        return self._on_com((), super().options, window, f)

    def final_values(self, window: "WindowInfo") -> list[tuple["FormField", str | None]]:
        return self._on_com([], super().final_values, window)

    def close(self) -> None:
        if self._closed:
            return
        self._on_com(None, self._close_on_com)
        self._closed = True
        self._jobs.put(None)

    def _close_on_com(self) -> None:
        super().close()
        com, self._com = self._com, None
        if com is not None:
            com.__exit__(None, None, None)
