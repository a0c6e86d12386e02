"""An in-memory desktop for unit tests of the engine: windows, focus, a
clipboard and per-window typed text, with hooks to steal focus or hold keys."""
from __future__ import annotations

from typing import Callable

from app.desktop.base import ClipboardSnapshot, FocusMoved, StopCheck, StopRequested, WindowInfo
from playbooks.keys import KeyCombo


class DummyDesktop:
    name = "dummy"

    def __init__(self, windows: list[WindowInfo] | None = None, chunk_chars: int = 4) -> None:
        self.windows = windows or [WindowInfo(1, "城市审批系统 - 受理登记", 100, "python3")]
        self.focused: int | None = self.windows[0].id
        self.received: dict[int, list[str]] = {w.id: [] for w in self.windows}  # text and <keys>
        self.field_text: dict[int, str] = {w.id: "" for w in self.windows}   # the current field
        self.clipboard: dict[str, bytes] = {}
        self.modifiers: set[str] = set()
        self.pointer = (500, 500)
        self.chunk_chars = chunk_chars
        self.on_chunk: Callable[["DummyDesktop"], None] | None = None   # e.g. steal focus
        self.abort = False
        self.restored: list[ClipboardSnapshot] = []
        self.copy_transform: Callable[[str], str] = lambda s: s        # simulate a client that alters text

    def _win(self, wid: int) -> WindowInfo:
        return next(w for w in self.windows if w.id == wid)

    def active_window(self) -> WindowInfo | None:
        return self._win(self.focused) if self.focused is not None else None

    def active_window_id(self) -> int | None:
        return self.focused

    def list_windows(self) -> list[WindowInfo]:
        return list(self.windows)

    def activate(self, window: WindowInfo, timeout: float = 2.0) -> bool:
        self.focused = window.id
        return True

    def held_modifiers(self) -> set[str]:
        return set(self.modifiers)

    def _guard(self, target: WindowInfo, sent: int) -> None:
        if self.on_chunk:
            self.on_chunk(self)
        if self.focused != target.id:
            raise FocusMoved(sent, self.active_window())

    def type_text(self, text: str, target: WindowInfo, *, method: str = "auto",
                  stop: StopCheck | None = None) -> str:
        sent = 0
        for i in range(0, len(text), self.chunk_chars):
            reason = stop() if stop else None
            if reason:
                raise StopRequested(reason, sent)
            self._guard(target, sent)
            chunk = text[i:i + self.chunk_chars]
            self.received[target.id].append(chunk)
            self.field_text[target.id] += chunk
            sent += len(chunk)
        return "keys" if method == "auto" else method

    def press(self, combo: KeyCombo, target: WindowInfo, *, stop: StopCheck | None = None) -> None:
        reason = stop() if stop else None
        if reason:
            raise StopRequested(reason, 0)
        self._guard(target, 0)
        self.received[target.id].append(f"<{combo}>")
        if str(combo) in ("tab", "enter"):
            self.field_text[target.id] = ""
        elif str(combo) == "delete":
            self.field_text[target.id] = ""

    def click(self, x: int, y: int, target: WindowInfo, *, button: str = "left",
              double: bool = False) -> None:
        self._guard(target, 0)
        self.received[target.id].append(f"<click {x},{y}>")

    def pointer_position(self) -> tuple[int, int]:
        return self.pointer

    def screen_size(self) -> tuple[int, int]:
        return (1920, 1080)

    def clipboard_save(self) -> ClipboardSnapshot:
        return ClipboardSnapshot(dict(self.clipboard), not self.clipboard)

    def clipboard_restore(self, snapshot: ClipboardSnapshot) -> None:
        self.clipboard = dict(snapshot.formats)
        self.restored.append(snapshot)

    def copy_selection(self, target: WindowInfo, timeout: float = 1.0,
                       stop: StopCheck | None = None) -> str | None:
        self._guard(target, 0)
        text = self.copy_transform(self.field_text[target.id])
        self.clipboard = {"UTF8_STRING": text.encode()}
        return text

    def start_abort_watch(self, keys: str) -> Callable[[], bool]:
        return lambda: self.abort

    def stop_abort_watch(self) -> None:
        pass

    def prepare(self, target: WindowInfo) -> None:
        pass

    def finish(self, target: WindowInfo | None = None) -> None:
        pass

    def close(self) -> None:
        pass
