"""Reading pixels off the screen (mss, imported lazily on the first grab)."""
from __future__ import annotations

from app.capture.screen import CaptureError, NoDisplayError, ScreenGrabber

__all__ = ["ScreenGrabber", "CaptureError", "NoDisplayError"]
