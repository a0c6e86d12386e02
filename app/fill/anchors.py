"""Finding text on screen for anchor clicks and text waits, by OCR of the target window.

The OCR model is large and slow to load, so nothing here is created unless a
playbook actually uses an anchor or a text wait (see `needs_screen_text`)."""
from __future__ import annotations

from typing import Callable, Protocol

from app.desktop.base import WindowInfo
from playbooks.model import ClickStep, Playbook, WaitStep


class ScreenText(Protocol):
    def locate(self, text: str, window: WindowInfo, *, fuzzy: bool = True) -> tuple[int, int] | None:
        """Centre of `text` inside `window`, in window coordinates, or None. `fuzzy`
        forgives one misread character: right for a label to click next to, wrong for
        a confirmation to wait for (保存成绩 is not 保存成功)."""


class OcrScreenText:
    def __init__(self, engine, grabber) -> None:   # app.ocr OcrEngine, app.capture ScreenGrabber
        self.engine = engine
        self.grabber = grabber

    def locate(self, text: str, window: WindowInfo, *, fuzzy: bool = True) -> tuple[int, int] | None:
        from app.ocr.find import find_text
        image = self.grabber.grab(window.x, window.y, window.width, window.height)
        box = find_text(self.engine.read(image), text, fuzzy=fuzzy)
        if box is None:
            return None
        cx, cy = box.center
        return int(round(cx)), int(round(cy))


def needs_screen_text(playbook: Playbook) -> bool:
    return any((isinstance(s, ClickStep) and s.anchor is not None)
               or (isinstance(s, WaitStep) and s.text is not None) for s in playbook.steps)


def ocr_screen_text_factory(display: str | None) -> Callable[[], ScreenText]:
    """Build the OCR reader on first use only (model load takes about a second)."""
    made: list[ScreenText] = []

    def make() -> ScreenText:
        if not made:
            from app.capture.screen import ScreenGrabber
            from app.ocr import open_engine
            made.append(OcrScreenText(open_engine(), ScreenGrabber(display=display)))
        return made[0]
    return make
