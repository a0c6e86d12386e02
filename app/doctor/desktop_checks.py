"""The doctor's checks of the clerk's desktop: the display and its window manager, the
hotkeys, and whether the playbooks' target windows show their fields to accessibility."""
from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from app.doctor.checks import FAIL, OK, WARN, Check
from app.errors import DeskhandError, HotkeyConflictError
from app.i18n import _, join

if TYPE_CHECKING:  # pragma: no cover
    from app.a11y.base import Accessibility
    from app.desktop.base import Desktop
    from app.hotkeys.base import HotkeyBackend
    from playbooks.model import Playbook

__all__ = ["display_check", "hotkeys_check", "target_checks", "x11_window_manager",
           "windows_interactive"]


def x11_window_manager(display: str) -> str | None:
    """The name of the window manager holding `display` (_NET_SUPPORTING_WM_CHECK's
    _NET_WM_NAME), "" if it gives none, None if no window manager runs. Raises when the
    display cannot be opened."""
    from Xlib import X
    from Xlib.display import Display
    d = Display(display)
    try:
        root = d.screen().root
        prop = root.get_full_property(d.intern_atom("_NET_SUPPORTING_WM_CHECK"), X.AnyPropertyType)
        if prop is None or not len(prop.value):
            return None
        wm = d.create_resource_object("window", int(prop.value[0]))
        name = wm.get_full_property(d.intern_atom("_NET_WM_NAME"), d.intern_atom("UTF8_STRING"))
        value = name.value if name is not None else b""
        return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    finally:
        d.close()


def windows_interactive() -> bool:
    """An interactive desktop takes input (not a service session, not the locked screen)."""
    import ctypes
    user32 = ctypes.windll.user32              # type: ignore[attr-defined]
    desk = user32.OpenInputDesktop(0, False, 0x0001)     # DESKTOP_READOBJECTS
    if not desk:
        return False
    user32.CloseDesktop(desk)
    return True


def display_check(environ: Mapping[str, str], *, platform: str = sys.platform,
                  window_manager: Callable[[str], str | None] = x11_window_manager,
                  interactive: Callable[[], bool] = windows_interactive) -> Check:
    title = _("Display")
    if platform.startswith("win"):
        if interactive():
            return Check("display", title, OK, _("an interactive Windows desktop"))
        return Check("display", title, FAIL, _("no interactive desktop (a service session or "
                                               "the locked screen)"),
                     _("Run Deskhand in the clerk's own signed-in session."))
    wayland = bool(environ.get("WAYLAND_DISPLAY")) or \
        environ.get("XDG_SESSION_TYPE", "").lower() == "wayland"
    display = environ.get("DISPLAY", "")
    if not display:
        if wayland:
            return Check("display", title, FAIL, _("a Wayland session without XWayland "
                                                   "(DISPLAY is not set)"),
                         _("Log in to an X11 (Xorg) session: Deskhand types through X11."))
        return Check("display", title, FAIL, _("DISPLAY is not set: no desktop"),
                     _("Run the doctor in the clerk's desktop session (or `deskhand doctor "
                       "--self-test`, which brings its own display)."))
    try:
        wm = window_manager(display)
    except Exception as exc:   # python-xlib raises several unrelated types here
        return Check("display", title, FAIL, _("the X display {display} cannot be opened: "
                                               "{reason}", display=display, reason=exc),
                     _("Run the doctor in the clerk's desktop session."))
    if wm is None:
        return Check("display", title, WARN, _("X11 {display}, but no window manager",
                                               display=display),
                     _("Deskhand needs a window manager to bring windows to the front and to "
                       "guard focus: start the desktop session's (or openbox)."))
    detail = _("X11 {display}, window manager {wm}", display=display, wm=wm or "?")
    if wayland:
        return Check("display", title, WARN, detail + _("; a Wayland session (XWayland)"),
                     _("Deskhand types only into X11 (XWayland) programs here; for native "
                       "Wayland programs log in to an X11 (Xorg) session."))
    return Check("display", title, OK, detail)


def hotkeys_check(open_backend: Callable[[], "HotkeyBackend"], hotkeys: Mapping[str, str],
                  tray_status: Callable[[], Mapping[str, Any] | None] = lambda: None) -> Check:
    """Try to grab each configured hotkey, then let it go: a combination another program
    holds is named. One the Deskhand tray running on this display holds (`tray_status`:
    its status, None when none runs) is as it should be."""
    title = _("Hotkeys")
    try:
        backend = open_backend()
    except DeskhandError as exc:
        return Check("hotkeys", title, FAIL, exc.message,
                     _("Run the doctor in the clerk's desktop session."))
    taken: list[tuple[str, str, str]] = []          # name, combination, why
    try:
        for name, combo in hotkeys.items():
            try:
                backend.register(name, combo, lambda: None)
            except HotkeyConflictError as exc:
                taken.append((name, exc.combo or combo, exc.message))
            except DeskhandError as exc:      # not on this keyboard, cannot be parsed
                taken.append((name, combo, exc.message))
    finally:
        backend.stop()
    tray = tray_status() if taken else None
    if tray is not None:       # the tray holds its own, except those it could not have
        problems = tray.get("hotkey_problems") or {}
        held = [combo for name, combo, _why in taken if name not in problems]
        taken = [t for t in taken if t[0] in problems]
        if not taken:
            return Check("hotkeys", title, OK, _("{combos} held by the Deskhand tray running "
                                                 "on this display", combos=join(held)))
    if taken:
        return Check("hotkeys", title, FAIL, _("taken: {combos}. {why}",
                                               combos=join([c for _n, c, _w in taken]),
                                               why=" ".join(w for _n, _c, w in taken)),
                     _("Close the program holding them, or choose others in 设置."))
    return Check("hotkeys", title, OK, _("{combos} free", combos=join(list(hotkeys.values()))))


def target_checks(playbooks: Iterable["Playbook"], desktop: "Desktop",
                  open_a11y: Callable[[], "Accessibility"], *, enabled: bool = True) -> list[Check]:
    """For each target of the playbooks (each once): is a window of it open now, and does it
    show its fields to accessibility. Not open is said, not a failure; a window that shows
    nothing is a warning (the fill types with keys)."""
    from app.fill.target import describe, matches
    targets: dict[str, Any] = {}
    for pb in playbooks:
        spec = getattr(pb, "target", None)
        if spec is not None:
            targets.setdefault(describe(spec), spec)
    if not targets:
        return []
    windows = desktop.list_windows()
    a11y: Any = None
    unavailable: Check | None = None       # the accessibility bus cannot be reached: said once
    checks = []
    try:
        for shown, spec in targets.items():
            name, title = f"target.{shown}", _("Target {target}", target=shown)
            open_now = [w for w in windows if matches(spec, w)]
            if not open_now:
                checks.append(Check(name, title, OK, _("not open now: nothing to look at")))
                continue
            if not enabled:
                checks.append(Check(name, title, OK, _("open; accessibility is off in the "
                                                       "settings: Deskhand types with keys")))
                continue
            if a11y is None and unavailable is None:
                try:
                    a11y = open_a11y()
                except DeskhandError as exc:
                    unavailable = Check("accessibility", _("Accessibility"), WARN, exc.message,
                                        _("Deskhand types with keys until it is installed."))
            if a11y is None:
                checks.append(Check(name, title, WARN, _("open; its fields cannot be asked (see "
                                                         "Accessibility): Deskhand types with "
                                                         "keys")))
                continue
            checks.append(_exposes(name, title, a11y, open_now[0]))
    finally:
        if a11y is not None:
            a11y.close()
    return checks + ([unavailable] if unavailable else [])


def _exposes(name: str, title: str, a11y: "Accessibility", window: Any) -> Check:
    from app.a11y.advice import exposed_sentence
    try:
        found = a11y.fields(window, refresh=True)
    except DeskhandError as exc:
        return Check(name, title, WARN, exc.message, _("Deskhand types with keys."))
    if found:
        return Check(name, title, OK, exposed_sentence(window.title, len(found)))
    return Check(name, title, WARN, a11y.why_not(window) or _("'{title}' shows no fields to "
                                                              "accessibility", title=window.title),
                 _("Until then Deskhand types with keys; labels are found on screen."))
