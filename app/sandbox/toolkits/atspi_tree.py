"""Print, as JSON, the widgets one program shows in the AT-SPI tree.

    /usr/bin/python3 -m app.sandbox.toolkits.atspi_tree --pid N [--title T]

Run by Debian's python3 (python3-pyatspi, gir1.2-atspi-2.0; the venv has neither), with
the environment of the program's session bus (AccessibilityBus.env()). The program is the
AT-SPI application whose process id is N, else the one with a window titled T. Prints

    {"apps": [{"name", "pid"}], "found": bool, "widgets": [
        {"role", "name", "labelled_by": [names], "states": [...], "text", "x", "y",
         "width", "height", "depth"}]}

with every widget of a role a form reader cares about (ROLES), in tree order; `text` is
an editable box's text. A test compares this with the form's own report; it also shows
what a toolkit exposes and how (see docs/toolkit-targets.md).
"""
from __future__ import annotations

import argparse
import json
import sys

ROLES = {"text", "entry", "password text", "combo box", "radio button", "check box",
         "push button", "label", "panel", "frame", "filler", "list item", "menu item",
         "document web", "document frame"}
STATES = ("editable", "enabled", "sensitive", "focusable", "focused", "checked", "showing",
          "visible", "multi line", "single line")
MAX_NODES = 5000
MAX_DEPTH = 40


def _labelled_by(acc) -> list[str]:
    import pyatspi
    names: list[str] = []
    try:
        for rel in acc.getRelationSet():
            if rel.getRelationType() == pyatspi.RELATION_LABELLED_BY:
                names += [rel.getTarget(i).name or "" for i in range(rel.getNTargets())]
    except Exception:
        pass
    return names


def _text(acc, states: list[str]) -> str | None:
    if "editable" not in states:
        return None
    try:
        t = acc.queryText()
        return t.getText(0, -1)
    except Exception:
        return None


def describe(acc, depth: int) -> dict:
    import pyatspi
    state_set = acc.getState()
    states = [s for s in STATES
              if state_set.contains(getattr(pyatspi, "STATE_" + s.upper().replace(" ", "_")))]
    try:
        ext = acc.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)
        box = {"x": ext.x, "y": ext.y, "width": ext.width, "height": ext.height}
    except Exception:
        box = {"x": None, "y": None, "width": None, "height": None}
    return {"role": acc.getRoleName(), "name": acc.name or "", "labelled_by": _labelled_by(acc),
            "states": states, "text": _text(acc, states), **box, "depth": depth}


def walk(app) -> list[dict]:
    out: list[dict] = []
    stack = [(app, 0)]
    seen = 0
    while stack and seen < MAX_NODES:
        acc, depth = stack.pop()
        seen += 1
        try:
            role = acc.getRoleName()
        except Exception:
            continue
        if role in ROLES and depth > 0:
            out.append(describe(acc, depth))
        if depth < MAX_DEPTH:
            try:
                kids = [acc.getChildAtIndex(i) for i in range(acc.childCount)]
            except Exception:
                kids = []
            stack.extend((k, depth + 1) for k in reversed(kids) if k is not None)
    return out


def find_app(desktop, pid: int | None, title: str | None):
    apps = []
    match = None
    for app in desktop:
        if app is None:
            continue
        try:
            app_pid = app.get_process_id()
        except Exception:
            app_pid = None
        apps.append({"name": app.name or "", "pid": app_pid})
        if match is None and pid is not None and app_pid == pid:
            match = app
        if match is None and title:
            for i in range(min(app.childCount, 20)):
                child = app.getChildAtIndex(i)
                if child is not None and (child.name or "").startswith(title):
                    match = app
                    break
    return apps, match


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python3 -m app.sandbox.toolkits.atspi_tree")
    ap.add_argument("--pid", type=int)
    ap.add_argument("--title")
    args = ap.parse_args(argv)
    try:
        import pyatspi
    except ImportError:
        print("python3-pyatspi is not installed: run `apt-get install python3-pyatspi "
              "gir1.2-atspi-2.0`.", file=sys.stderr)
        return 3
    apps, app = find_app(pyatspi.Registry.getDesktop(0), args.pid, args.title)
    doc = {"apps": apps, "found": app is not None, "widgets": walk(app) if app is not None else []}
    json.dump(doc, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
