"""The entry of both Windows programs: deskhand.exe (console, IT's commands) and
deskhand-tray.exe (no console: the Start menu and autostart start the tray with it).

A program built without a console has sys.stdout and sys.stderr None: the first print (argparse,
a warning) would raise and the tray would never show. Both go to os.devnull; the tray keeps its
own log file (app.logs). The rest is the shared frozen entry, installer/frozen_main.py:
`-m MODULE` and `-c CODE` as python would (helpers are started as sys.executable -m …),
else the CLI (no arguments: the tray).
"""
from __future__ import annotations

import os
import sys

for _name in ("stdout", "stderr"):
    if getattr(sys, _name) is None:
        setattr(sys, _name, open(os.devnull, "w", encoding="utf-8"))

from frozen_main import main  # noqa: E402  (after the streams exist)

if __name__ == "__main__":
    sys.exit(main())
