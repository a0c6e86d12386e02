"""Serve a saved clipboard back on X11, after the fill has ended.

On X11 the clipboard lives in its owner: once the fill's process exits, what it
owned is gone. Like `xclip -i`, this small process takes the CLIPBOARD with the
clerk's saved content and answers requests until another program copies
something (SelectionClear) or the display closes. It prints READY once it owns
the selection, so the caller knows the clerk's clipboard is back. Large content
goes by INCR, through the same Selections the fill uses.

Input on stdin: {"display": ":1", "formats": {target: [type, format, base64]}}.
"""
from __future__ import annotations

import base64
import json
import sys

from Xlib.display import Display

from app.desktop.x11_selection import Selections

IDLE_POLL_S = 0.5    # nothing to do between requests: wake rarely


def main() -> int:
    spec = json.load(sys.stdin)
    formats = {name: (t, int(fmt), base64.b64decode(data))
               for name, (t, fmt, data) in spec["formats"].items()}
    d = Display(spec.get("display") or None)
    sel = Selections(d, poll_s=IDLE_POLL_S)
    sel.own(formats)
    print("READY", flush=True)
    sys.stdout.close()
    try:
        while not sel.lost:
            sel.pump(lambda: sel.lost, 3600.0)
        # Another program copied: finish any large answer still going, then leave.
        sel.pump(lambda: not sel.busy, 0.0)
    except Exception:  # the display closed: nothing left to serve
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
