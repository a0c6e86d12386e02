"""The tiny loopback HTTP server through which a sample target reports what it holds:
`GET /state` -> JSON, `POST /reset` -> clears the target, then its state. Qt-free:
the target passes in how to read its state and how to reset it (on its GUI thread)."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable


def make_report_handler(get_state: Callable[[], dict],
                        reset: Callable[[float], bool],
                        gets: dict[str, Callable[[], object]] | None = None,
                        posts: dict[str, Callable[[], object]] | None = None
                        ) -> type[BaseHTTPRequestHandler]:
    """`reset(timeout)` returns False if the target did not reset in time. `gets` and
    `posts` add paths of the target's own (the sample client's /records)."""
    gets, posts = dict(gets or {}), dict(posts or {})

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _send(self, code: int, obj) -> None:
            body = json.dumps(obj, ensure_ascii=False).encode("utf-8")
            self.send_response(code)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802
            path = self.path.split("?")[0]
            if path == "/state":
                self._send(200, get_state())
            elif path in gets:
                self._send(200, gets[path]())
            else:
                self._send(404, {"error": "not found"})

        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            path = self.path.split("?")[0]
            if path in posts:
                self._send(200, posts[path]())
            elif path != "/reset":
                self._send(404, {"error": "not found"})
            elif not reset(5.0):
                self._send(504, {"error": "the target did not reset within 5 s"})
            else:
                self._send(200, get_state())

        def log_message(self, *args) -> None:
            pass

    return Handler


class QuietHTTPServer(ThreadingHTTPServer):
    """Loopback server for the sample targets: a client that hangs up mid-request
    (Chromium being closed) is normal here, not a traceback on the console."""

    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        import sys
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


def serve_reports(port: int, get_state: Callable[[], dict],
                  reset: Callable[[float], bool],
                  gets: dict[str, Callable[[], object]] | None = None,
                  posts: dict[str, Callable[[], object]] | None = None) -> ThreadingHTTPServer:
    """Bind 127.0.0.1:`port` (0 = any free port); the caller runs serve_forever in a thread."""
    return QuietHTTPServer(("127.0.0.1", port),
                           make_report_handler(get_state, reset, gets, posts))


def reset_by(request: Callable[[threading.Event], None]) -> Callable[[float], bool]:
    """A reset that asks the GUI thread (e.g. by emitting a queued Qt signal with an
    Event) and waits for it: the server thread must never touch widgets itself."""
    def reset(timeout: float) -> bool:
        done = threading.Event()
        request(done)
        return done.wait(timeout)
    return reset
