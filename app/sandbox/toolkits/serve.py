"""The report server of a toolkit form whose widgets live on one GUI thread (GTK, Tk).

The server thread never touches a widget: it posts the read (or the reset) to the GUI
thread and waits for the answer, so a report is always what the widgets hold at that
moment. Standard library only (Debian's python3 runs the GTK form).
"""
from __future__ import annotations

import argparse
import threading
from http.server import ThreadingHTTPServer
from typing import Callable

from app.sandbox.report_server import serve_reports
from app.sandbox.toolkits import spec

Post = Callable[[Callable[[], None]], None]


def on_gui(post: Post, fn: Callable[[], object], timeout: float) -> tuple[bool, object]:
    """Run fn on the GUI thread through `post`; (done in time, its result)."""
    done = threading.Event()
    box: dict = {}

    def run() -> None:
        try:
            box["value"] = fn()
        finally:
            done.set()

    post(run)
    return done.wait(timeout), box.get("value")


def serve_form(port: int, post: Post, read: Callable[[], dict],
               reset: Callable[[], None]) -> ThreadingHTTPServer:
    """Bind 127.0.0.1:`port` (0: any free one); run serve_forever in a thread."""
    def get_state() -> dict:
        ok, value = on_gui(post, read, 5.0)
        return value if ok and isinstance(value, dict) else {
            "error": "the form did not answer within 5 s (its GUI thread is busy)"}

    def do_reset(timeout: float) -> bool:
        return on_gui(post, reset, timeout)[0]

    return serve_reports(port, get_state, do_reset)


def form_arguments(toolkit: str, argv: list[str] | None) -> argparse.Namespace:
    """The command line every toolkit form takes."""
    ap = argparse.ArgumentParser(prog=f"python -m app.sandbox.toolkits.{toolkit}_form",
                                 description=f"The approval form in {toolkit}, for Deskhand's "
                                             "tests (app/sandbox/toolkits/spec.py).")
    ap.add_argument("--report-port", type=int, default=0,
                    help="port for GET /state and POST /reset on 127.0.0.1 (0: a free one)")
    ap.add_argument("--spec", default=spec.APPROVAL.name,
                    help="which form: approval (default), company, tax or social")
    ap.add_argument("--title", help="window title (default: the form's, with the toolkit)")
    args = ap.parse_args(argv)
    if args.title is None:
        args.title = spec.form_spec(args.spec).window_title(toolkit)
    return args


def run_form(port: int, post: Post, read: Callable[[], dict], reset: Callable[[], None], *,
             main_loop: Callable[[], object], later: Callable[[Callable[[], None]], None],
             focus_first: Callable[[], None]) -> int:
    """Serve the form's reports, run its GUI's main loop, and once the loop runs put focus
    in the first field and print `READY port=N` (what app/sandbox/targets.py waits for)."""
    server = serve_form(port, post, read, reset)
    threading.Thread(target=server.serve_forever, name="report-server", daemon=True).start()

    def ready() -> None:
        focus_first()
        print(f"READY port={server.server_address[1]}", flush=True)

    later(ready)
    try:
        return int(main_loop() or 0)
    finally:
        server.shutdown()
        server.server_close()
