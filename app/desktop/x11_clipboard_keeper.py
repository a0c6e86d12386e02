"""Serve a saved clipboard back on X11, after the fill has ended.

On X11 the clipboard lives in its owner: once the fill's process exits, what it
owned is gone. Like `xclip -i`, this small process takes the CLIPBOARD with the
clerk's saved content and answers requests until another program copies
something (SelectionClear) or the display closes. It prints READY once it owns
the selection, so the caller knows the clerk's clipboard is back.

Input on stdin: {"display": ":1", "formats": {target: [type, format, base64]}}.
"""
from __future__ import annotations

import base64
import json
import sys

from Xlib import X
from Xlib.display import Display

from app.desktop.x11_selection import Selections, serve_request


def main() -> int:
    spec = json.load(sys.stdin)
    formats = {name: (t, int(fmt), base64.b64decode(data))
               for name, (t, fmt, data) in spec["formats"].items()}
    d = Display(spec.get("display") or None)
    sel = Selections(d)
    sel.own(formats)
    print("READY", flush=True)
    sys.stdout.close()
    try:
        while True:
            ev = d.next_event()  # blocks; an IO error ends us when the display closes
            if ev.type == X.SelectionRequest:
                serve_request(d, ev, formats, sel.targets_atom)
            elif ev.type == X.SelectionClear:
                return 0
    except Exception:
        return 0


if __name__ == "__main__":
    sys.exit(main())
