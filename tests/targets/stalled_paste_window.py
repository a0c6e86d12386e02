"""A window that asks for the clipboard on Ctrl+V and then never reads it.

    python tests/targets/stalled_paste_window.py --title "停滞粘贴窗口"

Plain python-xlib, no toolkit: on Ctrl+V it sends ConvertSelection(CLIPBOARD,
UTF8_STRING) to its own property, like any paste, but never deletes the
property, so an owner answering by INCR never gets to send the first piece.
It prints READY once mapped and REQUESTED on each Ctrl+V; it runs until ended.
"""
from __future__ import annotations

import argparse
import os

from Xlib import X, XK, Xatom
from Xlib.display import Display


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--title", required=True)
    args = ap.parse_args()
    d = Display()
    w = d.screen().root.create_window(100, 100, 400, 200, 0, X.CopyFromParent,
                                      event_mask=X.KeyPressMask | X.ExposureMask)
    utf8 = d.intern_atom("UTF8_STRING")
    w.change_property(d.intern_atom("_NET_WM_NAME"), utf8, 8, args.title.encode("utf-8"))
    w.change_property(d.intern_atom("_NET_WM_PID"), Xatom.CARDINAL, 32, [os.getpid()])
    w.set_wm_name("stalled-paste")
    w.set_wm_hints(flags=1, input=1)   # InputHint: the window takes keyboard focus
    w.map()
    d.sync()
    print("READY", flush=True)
    clipboard, prop = d.intern_atom("CLIPBOARD"), d.intern_atom("STALLED_PASTE")
    v = d.keysym_to_keycode(XK.string_to_keysym("v"))
    while True:
        ev = d.next_event()
        if ev.type == X.KeyPress and ev.detail == v and ev.state & X.ControlMask:
            w.convert_selection(clipboard, utf8, prop, ev.time)
            d.flush()
            print("REQUESTED", flush=True)


if __name__ == "__main__":
    main()
