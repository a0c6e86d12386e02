"""Keys for the accessibility backends' focus-then-type way, through the desktop backend:
every key goes to the target window only (the desktop's focus guard), after the backend
has put focus on the very widget through the tree."""
from __future__ import annotations

from app.desktop.base import Desktop, StopCheck, WindowInfo
from playbooks.keys import parse_combo


class DesktopKeys:
    """`method` is the desktop's typing method; "keys" by default: the value goes in as
    keystrokes (X11 binds spare keycodes for characters the layout lacks), never through
    the clerk's clipboard."""

    def __init__(self, desktop: Desktop, target: WindowInfo, stop: StopCheck | None = None,
                 *, method: str = "keys") -> None:
        self.desktop = desktop
        self.target = target
        self.stop = stop
        self.method = method

    def type_text(self, text: str) -> None:
        self.desktop.type_text(text, self.target, method=self.method, stop=self.stop)

    def press(self, keys: str) -> None:
        self.desktop.press(parse_combo(keys), self.target, stop=self.stop)

    def click_at(self, x: int, y: int) -> bool:
        """Click at screen point (x, y) if the target is what shows there; False (and no
        click) when something lies over it or the desktop cannot tell."""
        click = getattr(self.desktop, "click_if_shown", None)
        return bool(click(x, y, self.target)) if click is not None else False

    def click_type(self, x: int, y: int, text: str, *, select_all: bool = False) -> bool:
        """A click at screen point (x, y), Ctrl+A if asked, then `text`: where the desktop
        can, the click and the first keys in one guarded send. False, and nothing done,
        when something lies over the target there (or the desktop cannot tell)."""
        both = getattr(self.desktop, "click_and_type", None)
        if both is not None:
            return bool(both(x, y, self.target, text, select_all=select_all, stop=self.stop))
        if not self.click_at(x, y):
            return False
        if select_all:
            self.press("ctrl+a")
        self.type_text(text)
        return True

    def caught_up(self) -> bool:
        """Wait until the target has read every key sent so far (X11: a ping); False where
        the desktop cannot tell or the target did not answer."""
        sync = getattr(self.desktop, "caught_up", None)
        return bool(sync(self.target)) if sync is not None else False

    def processed(self) -> None:
        """The target was seen to hold what was typed: the desktop may reuse what it
        set up for typing (X11's spare keycodes) without waiting."""
        done = getattr(self.desktop, "keys_processed", None)
        if done is not None:
            done()
