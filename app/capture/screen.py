"""Screen pixels as PIL images, through one reused `mss` instance.

    with ScreenGrabber() as grabber:                 # $DISPLAY, or display=":99"
        img = grabber.grab(x, y, width, height)      # clipped to the screen

mss (>= 10.2) is used through `mss.MSS` (the `mss.mss` factory is deprecated there);
older versions through `mss.mss`. Connecting costs far more than a grab (1.2 ms for
1920×1080 with a reused instance), so the instance is created on the first grab and
kept until `close()`. One instance is shared by all threads and calls are serialised
with a lock: mss instances are not meant to be used by two threads at once.

Coordinates are screen pixels of the virtual screen (all monitors; on Windows,
physical pixels, as mss makes the process DPI-aware).
"""
from __future__ import annotations

import os
import sys
import threading
from typing import TYPE_CHECKING, Any

from app.errors import CaptureError, NoDisplayError
from app.i18n import _

if TYPE_CHECKING:  # pragma: no cover
    from PIL import Image

__all__ = ["ScreenGrabber", "CaptureError", "NoDisplayError"]

INSTALL_HINT = "pip install 'mss>=10.2'"


class ScreenGrabber:
    """Grab screen regions. `display` is an X11 display name (Linux only; default
    $DISPLAY); it is ignored elsewhere."""

    def __init__(self, display: str | None = None) -> None:
        self.display = display
        self._sct: Any = None
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ lifecycle
    def __enter__(self) -> "ScreenGrabber":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the connection. The grabber reconnects if used again."""
        with self._lock:
            sct, self._sct = self._sct, None
            if sct is not None:
                try:
                    sct.close()
                except Exception:
                    pass

    def _display_name(self) -> str | None:
        return self.display or os.environ.get("DISPLAY") or None

    def _instance(self) -> Any:
        """The mss instance (call with the lock held)."""
        if self._sct is not None:
            return self._sct
        try:
            import mss
        except ImportError as e:
            raise CaptureError(_("Screen capture needs the mss package: {hint}",
                                 hint=INSTALL_HINT)) from e
        linux = sys.platform.startswith("linux")
        kwargs: dict[str, Any] = {}
        if linux:
            name = self._display_name()
            if not name:
                raise NoDisplayError(_(
                    "No display to capture: DISPLAY is not set. Run Deskhand inside the desktop "
                    "session (on Wayland, the approval client must run under XWayland)."))
            kwargs["display"] = name
        factory = getattr(mss, "MSS", None) or mss.mss
        try:
            self._sct = factory(**kwargs)
        except Exception as e:
            if "display" in kwargs:
                raise NoDisplayError(_("No display to capture: cannot connect to display {display} "
                                       "({reason}).", display=kwargs["display"], reason=e)) from e
            raise NoDisplayError(_("No display to capture: cannot connect to the display ({reason}).",
                                   reason=e)) from e
        return self._sct

    # ------------------------------------------------------------------ geometry
    def screen_bounds(self) -> tuple[int, int, int, int]:
        """The virtual screen as (x, y, width, height)."""
        with self._lock:
            return self._bounds_locked()

    def _bounds_locked(self) -> tuple[int, int, int, int]:
        sct = self._instance()
        try:
            mon = sct.monitors[0]
        except Exception as e:
            raise CaptureError(_("Cannot read the screen size: {reason}", reason=e)) from e
        return int(mon["left"]), int(mon["top"]), int(mon["width"]), int(mon["height"])

    def clip(self, x: int, y: int, width: int, height: int) -> tuple[int, int, int, int]:
        """The part of the region that lies on the screen, as (x, y, width, height);
        this is the area `grab` returns. Raises CaptureError if none of it does."""
        with self._lock:
            return self._clip_locked(x, y, width, height)

    def _clip_locked(self, x: int, y: int, width: int, height: int) -> tuple[int, int, int, int]:
        sx, sy, sw, sh = self._bounds_locked()
        x0, y0 = max(int(x), sx), max(int(y), sy)
        x1, y1 = min(int(x) + int(width), sx + sw), min(int(y) + int(height), sy + sh)
        if x1 <= x0 or y1 <= y0:
            raise CaptureError(_(
                "The region {width}×{height} at ({x}, {y}) is not on the screen ({screen_width}×"
                "{screen_height} at ({screen_x}, {screen_y})); is the window minimised or "
                "off-screen?", width=width, height=height, x=x, y=y, screen_width=sw,
                screen_height=sh, screen_x=sx, screen_y=sy))
        return x0, y0, x1 - x0, y1 - y0

    # ------------------------------------------------------------------ grabbing
    def grab(self, x: int, y: int, width: int, height: int) -> "Image.Image":
        """The region as an RGB PIL image, clipped to the screen (see `clip` for the
        area it covers)."""
        from PIL import Image
        with self._lock:
            cx, cy, cw, ch = self._clip_locked(x, y, width, height)
            try:
                shot = self._sct.grab({"left": cx, "top": cy, "width": cw, "height": ch})
            except Exception as e:
                raise CaptureError(_("Screen capture of {width}×{height} at ({x}, {y}) failed: "
                                     "{reason}", width=cw, height=ch, x=cx, y=cy, reason=e)) from e
        return Image.frombytes("RGB", shot.size, shot.bgra, "raw", "BGRX")

    def grab_screen(self) -> "Image.Image":
        """The whole virtual screen."""
        return self.grab(*self.screen_bounds())
