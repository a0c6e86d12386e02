"""The source the supervisor shows, read once: a picture file given on the command line, or
the screen or a window taken when the capture key is pressed; its OCR lines go into the
recording and the picture is saved beside the playbook."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from app.i18n import _
from recorders.recording import RecordedSource
from recorders.session import ocr_lines

if TYPE_CHECKING:  # pragma: no cover
    from PIL import Image

    from app.desktop.base import Desktop
    from app.ocr.base import OcrEngine

IMAGE, WINDOW, SCREEN, FOCUSED = "image", "window", "screen", "focused"


@dataclass
class SourcePicture:
    image: "Image.Image"
    kind: str                        # image, window or screen (RecordedSource.kind)
    window_title: str | None = None
    window_id: int | None = None
    origin: tuple[int, int] = (0, 0)


def picture_file(path: str) -> SourcePicture:
    from app.capture.sources import load_image
    return SourcePicture(load_image(path), IMAGE)


def picture_now(kind: str, title: str | None, desktop: "Desktop", grabber: Any) -> SourcePicture:
    """The screen, the window titled like `title`, or (FOCUSED) the focused window, as it
    is now. CaptureError (a sentence) when there is no such window."""
    from app.capture.screen import CaptureError
    from app.capture.sources import find_window, grab_window
    if kind == SCREEN:
        return SourcePicture(grabber.grab_screen(), SCREEN)
    window = find_window(desktop, title) if kind == WINDOW and title else desktop.active_window()
    if window is None:
        raise CaptureError(_("No window is focused: click on the source (the portal page or the "
                             "ID card picture) and press the capture key again."))
    return SourcePicture(grab_window(grabber, window), WINDOW, window.title, window.id,
                         (window.x, window.y))


def recorded_source(picture: SourcePicture, engine: "OcrEngine", saved_as: str | None
                    ) -> RecordedSource:
    return RecordedSource(kind=picture.kind, image=saved_as, window_title=picture.window_title,
                          width=picture.image.width, height=picture.image.height,
                          origin=picture.origin, lines=ocr_lines(engine, picture.image))
