"""The one place where the recorder's platform parts are chosen (DESIGN.md §3): the input
listener (X RECORD on X11, pynput's hooks on Windows) and the tree watch (AT-SPI through
TreeWatch, UI Automation through UiaTreeWatch). Both follow the desktop backend the
pipeline opened (app/desktop/__init__.py, DESKHAND_DESKTOP), so input, windows and tree
always come from the same platform. Backends are imported only when chosen: nothing on
Linux imports pynput's Windows hooks or COM, nothing on Windows imports python-xlib.
"""
from __future__ import annotations

import logging
import os
import sys
from typing import TYPE_CHECKING, Any, Callable, Mapping

from app.errors import DesktopError
from app.i18n import _
from recorders.raw_input import RawInput
from recorders.tree_watch import TreeWatch

if TYPE_CHECKING:  # pragma: no cover
    from app.a11y.base import Accessibility

log = logging.getLogger(__name__)


def listener_platform(desktop: Any, env: Mapping[str, str] = os.environ,
                      platform: str = sys.platform) -> str:
    """'x11' or 'windows': where the recorder listens; DesktopError with a sentence for
    IT where it cannot (a Wayland session without X, the dummy desktop, another OS)."""
    name = getattr(desktop, "name", None)
    if name == "windows" or (name is None and platform.startswith("win")):
        return "windows"
    if name == "dummy":
        raise DesktopError(_("The recorder needs a real desktop to listen to; the dummy "
                             "desktop (DESKHAND_DESKTOP=dummy) has no keyboard. Unset "
                             "DESKHAND_DESKTOP."))
    if name not in (None, "x11"):
        raise DesktopError(_("The recorder cannot listen on the {name} desktop backend; it "
                             "listens on X11 and Windows.", name=name))
    check_session(env, platform, display=getattr(desktop, "display_name", None))
    return "x11"


def check_session(env: Mapping[str, str] = os.environ, platform: str = sys.platform, *,
                  display: str | None = None) -> None:
    """DesktopError with a sentence when this session cannot be listened to at all (before
    anything opens: the desktop's own "no DISPLAY" would not say why)."""
    if platform.startswith("win"):
        return
    if platform.startswith("darwin"):
        raise DesktopError(_("The recorder listens on Windows and on Linux desktops with "
                             "X11; this computer runs macOS."))
    if not (display or env.get("DISPLAY")) and env.get("WAYLAND_DISPLAY"):
        raise DesktopError(_("This desktop session is Wayland without X, where no program "
                             "may read another's keyboard, so the recorder cannot listen. "
                             "Log out and choose an X11 (Xorg) session at the login screen, "
                             "then record again."))
    if env.get("XDG_SESSION_TYPE", "").lower() == "wayland":
        # XWayland: RECORD sees only input that goes to X programs, not native Wayland ones
        log.warning("Wayland session with XWayland: only input into X11 programs is recorded")


def open_listener(desktop: Any, on_input: Callable[[RawInput], None],
                  env: Mapping[str, str] = os.environ, platform: str = sys.platform) -> Any:
    """The input listener for the desktop the recording runs on (not started)."""
    if listener_platform(desktop, env, platform) == "windows":
        from recorders.listen_windows import WindowsInputListener, key_is_down
        return WindowsInputListener(on_input, is_down=key_is_down)
    from recorders.listen_x11 import X11InputListener
    display = getattr(desktop, "display_name", None) or env.get("DISPLAY")
    return X11InputListener(display, on_input)


def tree_watch(accessibility: "Accessibility | None") -> TreeWatch:
    """The tree watch for the accessibility backend the pipeline opened (None: no tree)."""
    if accessibility is not None and getattr(accessibility, "name", None) == "uia":
        from recorders.tree_watch_windows import UiaTreeWatch
        return UiaTreeWatch(accessibility)
    return TreeWatch(accessibility)
