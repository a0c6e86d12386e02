"""Getting the source image: an image file, the whole screen, or a window by title.

Never pyautogui.screenshot (80 ms and needs scrot): mss through ScreenGrabber.
"""
from __future__ import annotations

import fnmatch
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from app.capture.screen import CaptureError, ScreenGrabber
from app.desktop.base import Desktop, WindowInfo

MAX_PIXELS = 40_000_000


class UnreadableImageError(CaptureError):
    """The image file the clerk named cannot be used: bad input, not a fault."""

    exit_code = 2


def load_image(path: str | Path) -> Image.Image:
    p = Path(path)
    if not p.is_file():
        raise UnreadableImageError(f"The image {p} does not exist (or is a folder); check the path.")
    try:
        with Image.open(p) as im:
            if im.width * im.height > MAX_PIXELS:
                raise UnreadableImageError(f"The image {p} is {im.width}×{im.height}, too large to "
                                           "read; scan at 300 dpi or less.")
            im.load()
            return im.convert("RGB")
    except UnidentifiedImageError:
        raise UnreadableImageError(f"{p} is not an image Deskhand can read (PNG or JPEG); "
                                   "scan or save it again.") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise UnreadableImageError(f"The image {p} is damaged or cut short ({exc}); scan or "
                                   "save it again.") from None


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
