"""An in-memory hotkey backend for unit tests of the tray and settings:
`trigger(name)` stands for the clerk pressing the hotkey, and combinations
listed in `taken` behave as if another program held them."""
from __future__ import annotations

from collections.abc import Callable, Iterable

from app.errors import HotkeyError
from app.hotkeys.base import Lifecycle
from app.hotkeys.combos import (
    Hotkey,
    HotkeyTable,
    conflict_error,
    parse_hotkey,
    suggest,
)
from app.hotkeys.dispatch import Dispatch
from app.i18n import _
from playbooks.keys import KeyCombo


def call_now(fn: Callable[[], None]) -> None:
    fn()


class DummyHotkeys(Lifecycle):
    """The HotkeyBackend contract without a desktop. Without a `dispatch`,
    trigger() runs the callback at once on the caller's thread, so a test sees
    its effect on the next line."""

    name = "dummy"

    def __init__(self, dispatch: Dispatch | None = None, *, taken: Iterable[str] = ()) -> None:
        self._dispatch = dispatch or call_now
        self.taken: set[KeyCombo] = {parse_hotkey(text, "another program") for text in taken}
        self._table = HotkeyTable()
        self.running = False
        self.stopped = False

    def _is_free(self, combo: KeyCombo) -> bool:
        return combo not in self.taken and all(h.combo != combo for h in self._table.hotkeys())

    def register(self, name: str, combo: str, callback: Callable[[], None]) -> None:
        if self.stopped:
            raise HotkeyError(_("The hotkeys were stopped and cannot be used again."))
        parsed = self._table.check(name, combo)
        if parsed in self.taken:
            raise conflict_error(name, parsed, suggest(parsed, self._is_free))
        self._table.put(Hotkey(name, parsed, callback))

    def unregister(self, name: str) -> None:
        self._table.pop(name)

    def registered(self) -> dict[str, str]:
        return self._table.shown()

    def start(self) -> None:
        if self.stopped:
            raise HotkeyError(_("The hotkeys were stopped and cannot be started again."))
        self.running = True

    def stop(self) -> None:
        self.running = False
        self.stopped = True
        self._table.clear()

    def trigger(self, name: str) -> bool:
        """The clerk pressed `name`'s hotkey: dispatch its callback. False (and
        nothing runs) when it is not registered or the backend is not running."""
        hotkey = self._table.get(name)
        if hotkey is None or not self.running:
            return False
        self._dispatch(hotkey.callback)
        return True
