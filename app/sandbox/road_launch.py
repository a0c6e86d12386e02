"""Start the sandbox 道路运政 system (app/sandbox/road_transport.py) on a private X session.

    with XSession() as session:
        grid = launch_road_transport(session, conflict=False)   # a targets.Target
        grid.state()["page"], grid.state()["truth"]
        grid.close()                                            # ends only its process
"""
from __future__ import annotations

import sys

from app.sandbox.road_transport import TITLE
from app.sandbox.targets import Target, launch_python_target
from app.sandbox.xsession import XSession

__all__ = ["launch_road_transport", "window_picture", "TITLE"]


def launch_road_transport(session: XSession, *, seed: int = 0, count: int = 23,
                          per_page: int = 10, conflict: bool = False, title: str = TITLE,
                          look: str = "legacy",
                          timeout: float = 30.0, env: dict[str, str] | None = None) -> Target:
    """The window, once mapped and reporting page 1."""
    extra = ("--seed", str(seed), "--count", str(count), "--per-page", str(per_page),
             *(("--conflict",) if conflict else ()), "--look", look)
    t = launch_python_target(session, "road-transport",
                             [sys.executable, "-m", "app.sandbox.road_transport"], title, 0,
                             timeout, extra, env)
    t.wait_state(lambda s: s.get("page") == 1, timeout=10)
    return t


def window_picture(session: XSession, window_id: int):
    """The window's inside as a PIL image, as a capture grabs it (the samples, the guide)."""
    from app.capture.screen import ScreenGrabber
    from app.capture.sources import grab_window
    from app.desktop.x11 import X11Desktop
    desktop = X11Desktop(session.display)
    try:
        window = next(w for w in desktop.list_windows() if w.id == window_id)
        with ScreenGrabber(display=session.display) as grabber:
            return grab_window(grabber, window)
    finally:
        desktop.close()
