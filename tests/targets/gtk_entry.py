"""One GTK 3 entry, for tests/test_x11_fcitx5.py; run by Debian's python3 (python3-gi).

    /usr/bin/python3 tests/targets/gtk_entry.py TITLE

Prints READY once shown; then, one command a line on stdin: `get` prints
{"text": what the entry holds} as JSON, `clear` empties it. The input method is the one
GTK_IM_MODULE names (fcitx: fcitx5's own GTK module over D-Bus; xim: X input method).
"""
import json, sys, os
import gi
gi.require_version("Gtk", "3.0")
from gi.repository import Gtk, GLib
win = Gtk.Window(title=sys.argv[1] if len(sys.argv) > 1 else "fcx-gtk")
win.set_default_size(900, 120)
entry = Gtk.Entry()
win.add(entry)
win.connect("destroy", Gtk.main_quit)
win.show_all()
def on_stdin(src, cond):
    line = sys.stdin.readline()
    if not line:
        Gtk.main_quit(); return False
    cmd = line.strip()
    if cmd == "get":
        print(json.dumps({"text": entry.get_text()}, ensure_ascii=False), flush=True)
    elif cmd == "clear":
        entry.set_text(""); print(json.dumps({"ok": 1}), flush=True)
    elif cmd == "im":
        s = Gtk.Settings.get_default()
        print(json.dumps({"im": s.get_property("gtk-im-module"), "env": os.environ.get("GTK_IM_MODULE")}), flush=True)
    return True
GLib.io_add_watch(sys.stdin, GLib.IO_IN | GLib.IO_HUP, on_stdin)
print("READY", flush=True)
Gtk.main()
