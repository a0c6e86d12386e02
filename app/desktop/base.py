"""The small interface every desktop backend provides (X11, Windows, dummy).

The fill engine talks only to this. Every injecting call takes the target
window and checks, before each chunk, that the target still has keyboard focus;
on X11 that check and the injection are one atomic step (server grab), so no
character can land in a window that took focus in between.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Protocol, runtime_checkable

from playbooks.keys import KeyCombo


@dataclass(frozen=True)
class WindowInfo:
    id: int                      # X window id / HWND
    title: str
    pid: int | None = None
    process: str | None = None   # executable name without directory, e.g. "chromium"
    x: int = 0                   # client area in screen pixels
    y: int = 0
    width: int = 0
    height: int = 0


@dataclass
class ClipboardSnapshot:
    """What the clerk had on the clipboard: every format the owner offered."""

    formats: dict[str, bytes] = field(default_factory=dict)
    empty: bool = True
    # X11: target name -> (property type name, format 8/16/32) to serve it back as it was.
    meta: dict[str, tuple[str, int]] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)   # formats too large or unreadable


# Called between chunks; returns a reason to stop (abort key, failsafe) or None.
StopCheck = Callable[[], str | None]


class FocusMoved(Exception):
    """Raised by a backend when the target lost focus. `sent` counts characters
    (or key presses) that went to the target before the check failed."""

    def __init__(self, sent: int, active: WindowInfo | None) -> None:
        super().__init__(f"focus moved after {sent} sent")
        self.sent = sent
        self.active = active


class StopRequested(Exception):
    def __init__(self, reason: str, sent: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.sent = sent


@runtime_checkable
class Desktop(Protocol):
    name: str

    # windows
    def active_window(self) -> WindowInfo | None: ...
    # only the id: the guard asks before every field, and a whole WindowInfo costs several
    # round trips to the display
    def active_window_id(self) -> int | None: ...
    def list_windows(self) -> list[WindowInfo]: ...
    def activate(self, window: WindowInfo, timeout: float = 2.0) -> bool: ...

    # keyboard state
    def held_modifiers(self) -> set[str]: ...

    # injection, guarded: raise FocusMoved / StopRequested
    def type_text(self, text: str, target: WindowInfo, *, method: str = "auto",
                  stop: StopCheck | None = None) -> str: ...
    def press(self, combo: KeyCombo, target: WindowInfo, *, stop: StopCheck | None = None) -> None: ...
    def click(self, x: int, y: int, target: WindowInfo, *, button: str = "left",
              double: bool = False) -> None: ...
    def pointer_position(self) -> tuple[int, int]: ...
    def screen_size(self) -> tuple[int, int]: ...

    # clipboard
    def clipboard_save(self) -> ClipboardSnapshot: ...
    def clipboard_restore(self, snapshot: ClipboardSnapshot) -> None: ...
    def copy_selection(self, target: WindowInfo, timeout: float = 1.0,
                       stop: StopCheck | None = None) -> str | None: ...

    def start_abort_watch(self, keys: str) -> Callable[[], bool]: ...
    def stop_abort_watch(self) -> None: ...

    # optional around a fill: re-read the layout, Caps Lock, give back spare keycodes
    def prepare(self, target: WindowInfo) -> None: ...
    def finish(self, target: WindowInfo | None = None) -> None: ...
    def close(self) -> None: ...
