"""What turns accessibility on for a program, guessed from what it is.

Each toolkit has its own switch (DESIGN.md §7): Qt reads QT_LINUX_ACCESSIBILITY_ALWAYS_ON
(or the desktop's org.a11y.Status), Chromium and Electron build their page tree only with
--force-renderer-accessibility, Java needs the ATK bridge (libatk-wrapper-java) named in
assistive_technologies, GTK and Firefox need the accessibility bus of the desktop session,
and Tk has no accessibility on Linux at all. The guess uses the process name first, then the
libraries the process has loaded (a Qt program is often called "python3" or "java"), then
the toolkit name the program gave the accessibility bus, if it registered there.
"""
from __future__ import annotations

import os
from typing import Iterable

from app.i18n import _

QT, CHROMIUM, FIREFOX, JAVA, GTK, TK, UNKNOWN = (
    "qt", "chromium", "firefox", "java", "gtk", "tk", "unknown")

_BY_PROCESS = (
    (CHROMIUM, ("chromium", "chrome", "msedge", "electron", "brave", "opera", "vivaldi",
                "qaxbrowser", "360se", "360chrome", "uos-browser")),
    (FIREFOX, ("firefox", "firefox-esr", "iceweasel", "librewolf", "thunderbird")),
    (JAVA, ("java", "javaw", "jp2launcher")),
    (TK, ("wish", "tclsh")),
)
_BY_LIBRARY = (
    (CHROMIUM, ("libcef.so", "libelectron", "libchrome")),
    (FIREFOX, ("libxul.so",)),
    (JAVA, ("libjvm.so",)),
    (QT, ("libqt5core.so", "libqt6core.so", "libqt4core.so", "libqtcore.so")),
    (TK, ("libtk8", "_tkinter")),
    (GTK, ("libgtk-3.so", "libgtk-x11-2.0.so", "libgtk-4.so")),
)
_BY_TOOLKIT_NAME = (
    (QT, ("qt",)), (CHROMIUM, ("chromium", "chrome")), (FIREFOX, ("gecko", "firefox")),
    (JAVA, ("java", "atk wrapper", "j2se")), (GTK, ("gtk", "gail")),
)


def _process_key(process: str | None) -> str:
    name = os.path.basename((process or "").strip()).lower()
    return name[:-4] if name.endswith(".exe") else name


def guess_toolkit(process: str | None, libraries: Iterable[str] = (),
                  toolkit_name: str | None = None) -> str:
    """QT, CHROMIUM, FIREFOX, JAVA, GTK, TK or UNKNOWN."""
    name = _process_key(process)
    for toolkit, names in _BY_PROCESS:
        if name in names or any(name.startswith(n + "-") for n in names):
            return toolkit
    libs = [os.path.basename(lib).lower() for lib in libraries]
    for toolkit, marks in _BY_LIBRARY:   # order matters: a browser links GTK too
        if any(lib.startswith(mark) or mark in lib for lib in libs for mark in marks):
            return toolkit
    given = (toolkit_name or "").lower()
    for toolkit, marks in _BY_TOOLKIT_NAME:
        if any(mark in given for mark in marks):
            return toolkit
    return UNKNOWN


def linux_libraries(pid: int | None) -> list[str]:
    """The shared libraries a Linux process has mapped ([] when unreadable)."""
    if not pid:
        return []
    try:
        with open(f"/proc/{pid}/maps", encoding="utf-8", errors="replace") as f:
            return sorted({line.rsplit(None, 1)[-1] for line in f
                           if ".so" in line and "/" in line})
    except OSError:
        return []


def not_exposed_sentence(title: str, toolkit: str, platform: str = "linux") -> str:
    """One sentence for the clerk or IT: the window shows no fields, and what turns its
    toolkit's accessibility on; the fill then types with keys. `platform`: "linux" (AT-SPI)
    or "win" (UI Automation)."""
    if platform == "win":
        if toolkit == JAVA:
            return _("'{title}' is a Java program that shows no fields to UI Automation: turn on "
                     "the Java Access Bridge (run jabswitch -enable as the clerk), then restart "
                     "it; until then Deskhand types with keys.", title=title)
        if toolkit == QT:
            return _("'{title}' is a Qt program that shows no fields to UI Automation: it was "
                     "probably built without Qt's accessibility support, ask its supplier; until "
                     "then Deskhand types with keys.", title=title)
        if toolkit not in (CHROMIUM,):
            toolkit = UNKNOWN
    if toolkit == QT:
        return _("'{title}' is a Qt program that shows no fields to accessibility: start it "
                 "with QT_LINUX_ACCESSIBILITY_ALWAYS_ON=1 in its environment (or turn on "
                 "assistive technologies in the desktop settings and restart it); until then "
                 "Deskhand types with keys.", title=title)
    if toolkit == CHROMIUM:
        return _("'{title}' is a Chromium-based browser or app that shows no page fields to "
                 "accessibility: start it with --force-renderer-accessibility; until then "
                 "Deskhand types with keys.", title=title)
    if toolkit == JAVA:
        return _("'{title}' is a Java program that shows no fields to accessibility: install "
                 "libatk-wrapper-java and set assistive_technologies=org.GNOME.Accessibility."
                 "AtkWrapper in the Java runtime's accessibility.properties, then restart it; "
                 "until then Deskhand types with keys.", title=title)
    if toolkit == FIREFOX:
        return _("'{title}' is Firefox, which shows no fields to accessibility: turn on "
                 "assistive technologies in the desktop settings (or start it with "
                 "GNOME_ACCESSIBILITY=1) and restart it; until then Deskhand types with keys.",
                 title=title)
    if toolkit == GTK:
        return _("'{title}' is a GTK program that shows no fields to accessibility: it needs "
                 "the desktop's accessibility bus (package at-spi2-core) and NO_AT_BRIDGE must "
                 "not be set where it starts; until then Deskhand types with keys.", title=title)
    if toolkit == TK:
        return _("'{title}' is a Tk program, and Tk has no accessibility on Linux: Deskhand "
                 "types with keys.", title=title)
    return _("'{title}' shows no fields to accessibility, and Deskhand cannot tell which "
             "toolkit it uses: ask its supplier how to turn on its accessibility; until then "
             "Deskhand types with keys.", title=title)


def exposed_sentence(title: str, count: int) -> str:
    return _("'{title}' shows its fields to accessibility ({count} found): Deskhand can fill "
             "them by their labels.", title=title, count=count)


def no_bus_sentence(detail: str) -> str:
    return _("Deskhand cannot reach the desktop's accessibility bus ({detail}): install "
             "at-spi2-core and turn on assistive technologies in the desktop settings, then "
             "log in again; until then Deskhand types with keys.", detail=detail)
