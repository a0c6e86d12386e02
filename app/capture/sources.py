"""Getting the source image: an image file, the whole screen, or a window by title.

Never pyautogui.screenshot (80 ms and needs scrot): mss through ScreenGrabber.
"""
from __future__ import annotations

import fnmatch
import struct
import warnings
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from app.capture.screen import ScreenGrabber
from app.desktop.base import Desktop, WindowInfo
from app.errors import CaptureError, OcrImageError, UnreadableImageError
from app.i18n import _
from app.ocr.base import image_far_too_large, image_size_problem
from playbooks.files import FileRefused, check_regular_file

MAX_IMAGE_BYTES = 200 * 1024 * 1024   # a 40-megapixel picture is ~120 MB even as BMP
# What scanners, phones and screenshots write. Not every format Pillow knows: its EPS
# plugin runs Ghostscript on the file, and a picture the clerk was sent may be hostile.
IMAGE_FORMATS = ("PNG", "JPEG", "BMP", "TIFF", "WEBP", "GIF")


def load_image(path: str | Path) -> Image.Image:
    """The picture in `path` as RGB, or UnreadableImageError with a sentence saying why:
    missing, a folder or device, not a picture, damaged or cut short, or beyond the size
    limits (app/ocr/base.py) — checked from the header, before any pixel is decoded."""
    p = Path(path)
    try:
        size = check_regular_file(p, MAX_IMAGE_BYTES)
    except FileRefused as e:
        raise UnreadableImageError(_refused(e, p)) from None
    if size == 0:
        raise UnreadableImageError(_("The image {path} is an empty file (0 bytes); scan or save it "
                                     "again.", path=p))
    try:
        with warnings.catch_warnings():
            # Pillow warns above 89 megapixels; our own, lower limit is checked below
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(p, formats=IMAGE_FORMATS) as im:
                problem = image_size_problem(im.width, im.height, p)
                if problem is not None:
                    raise UnreadableImageError(problem)
                im.load()
                return im.convert("RGB")
    except Image.DecompressionBombError:
        # Pillow refuses before we see the size (above 179 megapixels)
        raise UnreadableImageError(image_far_too_large(p)) from None
    except UnidentifiedImageError:
        raise UnreadableImageError(_("{path} is not an image Deskhand can read (PNG or JPEG); "
                                     "scan or save it again.", path=p)) from None
    except (OSError, SyntaxError, ValueError, EOFError, struct.error, IndexError,
            TypeError, MemoryError) as exc:
        # what Pillow's decoders raise for damaged files
        raise UnreadableImageError(_("The image {path} is damaged or cut short ({reason}); scan "
                                     "or save it again.", path=p,
                                     reason=_short(str(exc) or type(exc).__name__))) from None


def _refused(e: FileRefused, p: Path) -> str:
    if e.kind == "missing":
        return _("The image {path} does not exist; check the path.", path=p)
    if e.kind == "folder":
        return _("{path} is a folder, not an image; name a PNG or JPEG file inside it.", path=p)
    if e.kind == "special":
        return _("{path} is not a regular file (a device, pipe or socket); name a PNG or JPEG "
                 "file.", path=p)
    if e.kind == "too_large":
        return _("The image {path} is {size} MB; Deskhand reads image files of at most {limit} MB, "
                 "so save it as PNG or JPEG, or scan at 300 dpi.", path=p,
                 size=f"{e.size / 2**20:,.0f}", limit=MAX_IMAGE_BYTES // 2**20)
    return _("The image {path} cannot be read ({reason}).", path=p, reason=e.reason)


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def find_window(desktop: Desktop, title: str) -> WindowInfo:
    """The window whose title matches `title` (a glob, or a plain substring)."""
    pattern = title if any(c in title for c in "*?[") else f"*{title}*"
    found = [w for w in desktop.list_windows() if fnmatch.fnmatchcase(w.title, pattern)]
    if not found:
        raise CaptureError(f"No open window is titled like '{title}'. Open the source (for "
                           "example the citizen portal page) and try again.")
    active = desktop.active_window()
    for w in found:   # prefer the one the clerk is looking at
        if active is not None and w.id == active.id:
            return w
    return found[0]


def grab_window(grabber: ScreenGrabber, window: WindowInfo) -> Image.Image:
    if window.width <= 0 or window.height <= 0:
        raise CaptureError(f"The window '{window.title}' has no visible area (is it minimised?).")
    return grabber.grab(window.x, window.y, window.width, window.height)
