"""Finding text on screen for anchor clicks and text waits, and a look at a widget, by OCR
of the target window.

One OCR of the window per form, not one per click. The first lookup reads the whole
target window and keeps its text boxes and its picture, keyed by the window's id and
geometry. A later lookup finds the label among the kept boxes, then grabs only the
label's own box (a few pixels around it) and compares it pixel for pixel with the kept
picture:
  * the same → the kept position is used, no OCR at all;
  * different → only the label's neighbourhood is read again; found there → that
    position (and the kept boxes and picture of the neighbourhood are updated);
  * not there (the label moved further, or vanished) → the whole window is read again,
    once.
A window with another id, position or size, a text wait (`fresh=True`) and `forget()`
(the engine calls it at a wait step) start from a new whole-window read. So a position is
never used unless the label's pixels at that position are what they were when it was read;
that is also why what is kept may outlive a fill (the tray's next fill of the same window).

For the steps that have no accessibility tree to ask (app/fill/addressed.py, choose steps):
  * `label_box(label, window)` → the label's `TextBox` in window coordinates (`right`,
    `center`), or None: a set step's fallback clicks at its right end + dx.
  * `read_box(window, x, y, width, height)` → the text OCR reads in that region of the
    window ("" for none), lines top to bottom joined by a space: what a drop-down or a
    radio group shows, to read a choice back; `boxes_in` the same as boxes, `pixels`
    the region's picture (app/fill/widget_look.py tells a radio or check box's state).
Pass the window where it is now (FillEngine._as_now), so that a moved window is read anew.
`full_reads` / `part_reads` count the whole-window and neighbourhood reads (bench, tests).

The OCR model is large and slow to load, so nothing here is created unless a playbook
actually uses an anchor or a text wait (see `needs_screen_text`)."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Callable, Protocol

from app.desktop.base import WindowInfo
from app.ocr.base import TextBox
from playbooks.model import ClickStep, Playbook, PressStep, SetStep, WaitStep

if TYPE_CHECKING:
    from PIL import Image

# Pixels around a label's box compared with the kept picture: enough for the ink of
# a glyph the OCR box cut close, little enough to leave a focus frame next to it out.
CHECK_PAD = 3
# A changed label is looked for this far around its old box (in label heights; at least
# NEAR_MIN_PX): a label that moved a little, or whose row was redrawn.
NEAR_HEIGHTS = 1.5
NEAR_MIN_PX = 24


class ScreenText(Protocol):
    def locate(self, text: str, window: WindowInfo, *, fuzzy: bool = True,
               fresh: bool = False) -> tuple[int, int] | None:
        """Centre of `text` inside `window`, in window coordinates, or None. `fuzzy`
        forgives one misread character: right for a label to click next to, wrong for
        a confirmation to wait for (保存成绩 is not 保存成功). `fresh`: read the window
        now, whatever is kept (a text wait polls for a change)."""

    def label_box(self, label: str, window: WindowInfo, *, fuzzy: bool = True) -> TextBox | None:
        """The box of `label` in window coordinates, or None."""

    def read_box(self, window: WindowInfo, x: int, y: int, width: int, height: int) -> str:
        """The text in that region of the window ("" for none)."""

    def boxes_in(self, window: WindowInfo, x: int, y: int, width: int, height: int
                 ) -> list[TextBox]:
        """The text boxes OCR finds in that region now, in window coordinates."""

    def pixels(self, window: WindowInfo, x: int, y: int, width: int, height: int
               ) -> "Image.Image":
        """That region of the window as it shows now (no OCR)."""

    def forget(self) -> None:
        """Drop what was kept: the next lookup reads the whole window."""


Region = tuple[int, int, int, int]   # x, y, width, height in window coordinates


@dataclass
class _Kept:
    key: tuple[int, int, int, int, int]   # window id, x, y, width, height
    picture: "Image.Image"                 # the window as it was read
    boxes: list[TextBox]


def _window_key(window: WindowInfo) -> tuple[int, int, int, int, int]:
    return (int(window.id), window.x, window.y, window.width, window.height)


def _padded(box: TextBox, pad_x: int, pad_y: int, width: int, height: int) -> Region:
    """`box` grown by the pads, clipped to a width×height picture."""
    x0, y0 = max(0, box.x - pad_x), max(0, box.y - pad_y)
    x1, y1 = min(width, box.right + pad_x), min(height, box.bottom + pad_y)
    return x0, y0, max(0, x1 - x0), max(0, y1 - y0)


def _overlaps(box: TextBox, region: Region) -> bool:
    x, y, w, h = region
    return box.x < x + w and box.right > x and box.y < y + h and box.bottom > y


def _shifted(box: TextBox, dx: int, dy: int) -> TextBox:
    return replace(box, x=box.x + dx, y=box.y + dy)


class OcrScreenText:
    def __init__(self, engine, grabber) -> None:   # app.ocr OcrEngine, app.capture ScreenGrabber
        self.engine = engine
        self.grabber = grabber
        self._kept: _Kept | None = None
        self.full_reads = 0
        self.part_reads = 0

    # -- the Protocol ------------------------------------------------------------
    def locate(self, text: str, window: WindowInfo, *, fuzzy: bool = True,
               fresh: bool = False) -> tuple[int, int] | None:
        if fresh:
            self.forget()
        box = self.label_box(text, window, fuzzy=fuzzy)
        if box is None:
            return None
        cx, cy = box.center
        return int(round(cx)), int(round(cy))

    def label_box(self, label: str, window: WindowInfo, *, fuzzy: bool = True) -> TextBox | None:
        from app.ocr.find import find_text
        kept = self._kept
        if kept is None or kept.key != _window_key(window):
            return find_text(self._read_window(window).boxes, label, fuzzy=fuzzy)
        box = find_text(kept.boxes, label, fuzzy=fuzzy)
        if box is not None:
            if self._unchanged(window, kept, box):
                return box
            box = self._reread_near(window, kept, box, label, fuzzy)
            if box is not None:
                return box
        # Not kept, or moved out of its neighbourhood, or gone: the whole window once more.
        return find_text(self._read_window(window).boxes, label, fuzzy=fuzzy)

    def read_box(self, window: WindowInfo, x: int, y: int, width: int, height: int) -> str:
        boxes = sorted(self.boxes_in(window, x, y, width, height),
                       key=lambda b: (b.y + b.height / 2, b.x))
        return " ".join(b.text.strip() for b in boxes if b.text.strip())

    def boxes_in(self, window: WindowInfo, x: int, y: int, width: int, height: int
                 ) -> list[TextBox]:
        x, y = max(0, x), max(0, y)
        picture = self._grab(window, (x, y, width, height))
        if picture.width < 2 or picture.height < 2:
            return []
        self.part_reads += 1
        return [_shifted(b, x, y) for b in self.engine.read(picture)]

    def pixels(self, window: WindowInfo, x: int, y: int, width: int, height: int
               ) -> "Image.Image":
        return self._grab(window, (max(0, x), max(0, y), width, height))

    def forget(self) -> None:
        self._kept = None

    # -- reading -----------------------------------------------------------------
    def _grab(self, window: WindowInfo, region: Region):
        x, y, w, h = region
        return self.grabber.grab(window.x + x, window.y + y, w, h)

    def _read_window(self, window: WindowInfo) -> _Kept:
        picture = self._grab(window, (0, 0, window.width, window.height))
        self.full_reads += 1
        self._kept = _Kept(_window_key(window), picture, list(self.engine.read(picture)))
        return self._kept

    def _unchanged(self, window: WindowInfo, kept: _Kept, box: TextBox) -> bool:
        """The label's box (and CHECK_PAD around it) shows the same pixels as when read."""
        region = _padded(box, CHECK_PAD, CHECK_PAD, kept.picture.width, kept.picture.height)
        x, y, w, h = region
        if w == 0 or h == 0:
            return False
        now = self._grab(window, region)
        before = kept.picture.crop((x, y, x + w, y + h))
        return now.size == before.size and now.tobytes() == before.tobytes()

    def _reread_near(self, window: WindowInfo, kept: _Kept, box: TextBox, label: str,
                     fuzzy: bool) -> TextBox | None:
        """OCR only the neighbourhood of the label's old box; the label's new box there,
        with the kept boxes and picture of that neighbourhood brought up to date."""
        from app.ocr.find import find_text
        pad = max(NEAR_MIN_PX, int(box.height * NEAR_HEIGHTS))
        region = _padded(box, pad, pad, kept.picture.width, kept.picture.height)
        x, y, w, h = region
        now = self._grab(window, region)
        if now.size != (w, h):
            return None
        self.part_reads += 1
        found = [_shifted(b, x, y) for b in self.engine.read(now)]
        # A box cut by the neighbourhood's edge is only part of its text: keep the
        # kept one for those, and take the new ones wholly inside.
        width, height = kept.picture.size
        inside = [b for b in found
                  if (b.x > x or x == 0) and (b.y > y or y == 0)
                  and (b.right < x + w or x + w == width) and (b.bottom < y + h or y + h == height)]
        hit = find_text(inside, label, fuzzy=fuzzy)
        if hit is None:
            return None
        kept.boxes = [b for b in kept.boxes if not _overlaps(b, region)] + inside
        kept.picture.paste(now, (x, y))
        return hit


def needs_screen_text(playbook: Playbook) -> bool:
    """Whether a fill of `playbook` may read the screen: anchors, text waits, and set and
    press steps, whose fallback without an accessibility tree finds a label or a button's
    text on screen (the reader is still made only when one of them looks)."""
    return any((isinstance(s, ClickStep) and s.anchor is not None)
               or (isinstance(s, WaitStep) and s.text is not None)
               or (isinstance(s, SetStep) and s.method != "accessible")
               or isinstance(s, PressStep) for s in playbook.steps)


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
