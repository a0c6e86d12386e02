"""`deskhand doctor --window TITLE`: does a window show its fields to accessibility, and
if not, what turns it on — one sentence for the clerk or IT (app/a11y/advice.py), and with
--fields the fields found, with their labels and how each label was found. (`deskhand
doctor` with no window named runs the system checks: app/doctor/.)

Exit codes: 0 the window shows its fields; 1 it shows none (the fill will type with keys);
2 no such window; 3 no display.
"""
from __future__ import annotations

import json
import time
from typing import Any, Callable, TextIO

from app.a11y.advice import exposed_sentence
from app.a11y.base import Accessibility, FormField
from app.desktop.base import Desktop, WindowInfo
from app.errors import AccessibilityUnavailableError, UsageError
from app.i18n import _, join

def pick_window(desktop: Desktop, title: str | None) -> WindowInfo:
    """The focused window, or the one whose title is `title` (else the one window whose
    title holds it)."""
    if not title:
        active = desktop.active_window()
        if active is None:
            raise UsageError(_("No window has the focus: name one with --window TITLE."))
        return active
    windows = desktop.list_windows()
    exact = [w for w in windows if w.title == title]
    if exact:
        return exact[0]
    part = [w for w in windows if title in w.title]
    if len(part) == 1:
        return part[0]
    if not part:
        raise UsageError(_("No window's title holds '{title}'; open windows: {titles}.",
                           title=title, titles=join([w.title for w in windows if w.title][:12])))
    raise UsageError(_("Several windows' titles hold '{title}': {titles}; give more of the title.",
                       title=title, titles=join([w.title for w in part][:12])))


def field_row(f: FormField) -> dict[str, Any]:
    return {"index": f.index, "role": f.role, "label": f.label, "key": f.key, "name": f.name,
            "label_source": f.label_source, "enabled": f.enabled, "editable": f.editable,
            "focused": f.focused,
            "bounds": [f.bounds.x, f.bounds.y, f.bounds.width, f.bounds.height]}


def run_doctor(desktop: Desktop, open_a11y: Callable[[], Accessibility], *, title: str | None,
               delay: float, list_fields: bool, as_json: bool, out: TextIO) -> int:
    if delay > 0:
        time.sleep(delay)               # time to click the program to look at
    window = pick_window(desktop, title)
    found: list[FormField] = []
    try:
        a11y = open_a11y()
    except AccessibilityUnavailableError as e:
        sentence = e.message
    else:
        try:
            found = a11y.fields(window, refresh=True)
            sentence = exposed_sentence(window.title, len(found)) if found \
                else a11y.why_not(window) or ""
        finally:
            a11y.close()
    if as_json:
        json.dump({"window": {"id": window.id, "title": window.title, "pid": window.pid,
                              "process": window.process},
                   "exposes": bool(found), "sentence": sentence,
                   "fields": [field_row(f) for f in found]}, out, ensure_ascii=False, indent=2)
        print(file=out)
        return 0 if found else 1
    print(sentence, file=out)
    if list_fields and found:
        for f in found:
            print(f"{f.index:>3}  {f.role:<8}  {f.key or '-':<20}  {f.name if f.role in ('radio', 'check', 'button') else '':<10}  "
                  + _("label by {how}", how=f.label_source or "-")
                  + ("" if f.enabled else "  " + _("disabled"))
                  + ("" if f.editable or not f.enabled else "  " + _("read-only")), file=out)
    return 0 if found else 1
