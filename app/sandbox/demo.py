"""`deskhand demo`: type the sample case into the sample approval client.

On the user's display when there is one; otherwise on a private virtual display,
saving a screenshot of the filled client so the result can still be seen.
(The full sandbox — registry, portal source, tray — arrives with later issues.)
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import TextIO

from app.cases import load_case
from app.errors import DesktopError
from app.paths import library_dir, resources_dir
from playbooks.loader import load_playbook


def run_demo(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if sys.platform.startswith("win"):
        raise DesktopError("The demo runs on Linux (X11) for now; on Windows, start "
                           "`python -m app.ui.sample_client` and use `deskhand fill`.")
    from app.cli import _print_report
    from app.desktop.x11 import X11Desktop
    from app.fill.engine import FillEngine, FillOptions
    from app.sandbox.targets import launch_qt_client
    from app.sandbox.xsession import XSession

    playbook = load_playbook(library_dir() / "sample-qt-intake.yaml")
    case = load_case(resources_dir() / "samples" / "case-zhang-wei.json", playbook.id)
    session, private = None, False
    if os.environ.get("DISPLAY"):
        try:
            session = XSession.attach(os.environ["DISPLAY"])
        except DesktopError:
            print(f"The display {os.environ['DISPLAY']} does not answer.", file=err)
    if session is None:
        print("No display here: using a private virtual display; a screenshot of the "
              "result will be saved.", file=err)
        session, private = XSession().start(), True
    os.environ["DISPLAY"] = session.display   # the abort-key watcher follows $DISPLAY
    client = None
    try:
        print("Starting the sample approval client (城市审批系统)…", file=err)
        client = launch_qt_client(session)
        client.activate()
        desktop = X11Desktop(session.display)
        try:
            report = FillEngine(desktop, FillOptions(wait_focus_s=5)).fill(playbook, case)
        finally:
            desktop.close()
        _print_report(playbook, report, out)
        if private:
            shot = Path.cwd() / "deskhand-demo.png"
            time.sleep(0.3)
            session.screenshot(str(shot))
            print(f"Screenshot of the filled client: {shot}", file=err)
        elif args.keep_open is not None:
            time.sleep(args.keep_open)
        elif sys.stdin.isatty():
            input("Press Enter to close the sample client… ")
        else:
            time.sleep(10)
        return 1 if report.unconfirmed else 0
    finally:
        if client is not None:
            client.close()
        session.stop()
