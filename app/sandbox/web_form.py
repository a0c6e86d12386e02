"""The sample approval form as a web page, served on 127.0.0.1 for Chromium.

    server = WebFormServer().start()
    session.spawn(chromium_argv(server.url, user_data_dir))
    server.wait_state(lambda s: s["focused"] == "applicant_name")

The page (resources/web_form/index.html) has the same thirteen fields, in the
same tab order, as the Qt sample client (app/sandbox/sample_client.py). Its script
POSTs its full state to `/report` on every input, change and focus event; the
server keeps the latest and answers

    GET  /          the page
    GET  /report.js the script that reports the page's state (shared by the pages)
    GET  /state     {"fields": {name: value}, "focused": name | null, "seq": n,
                     "active": bool, "status": "...", "generation": g}
    GET  /control   {"generation": g}   (the page polls it every 100 ms)
    POST /report    the page's state
    POST /reset     bump the generation; the page clears itself and focuses 申请人姓名

`seq` is counted by the server and grows whenever the reported state changes,
across page reloads too.
"""
from __future__ import annotations

import json
import shutil
import threading
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Callable

from app.sandbox.report_server import QuietHTTPServer

from app.errors import DesktopError
from app.paths import resources_dir

PAGE_DIR = resources_dir() / "web_form"
PAGE_TITLE = "城市审批系统（网页版） - 受理登记"
FIELD_NAMES = ("applicant_name", "gender", "ethnicity", "birth_date", "id_number", "phone",
               "address", "employer", "credit_code", "matter", "postcode", "email", "remarks")
CHROMIUM_BINARIES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str:
    for name in CHROMIUM_BINARIES:
        path = shutil.which(name)
        if path:
            return path
    raise DesktopError("Chromium is not installed: run `apt-get install chromium`.")


def chromium_argv(url: str, user_data_dir: str, *, binary: str | None = None,
                  window_size: tuple[int, int] = (1000, 800),
                  window_position: tuple[int, int] | None = None) -> list[str]:
    """The command line that runs Chromium as a plain app window under Xvfb
    (DESIGN.md §5), with a fresh profile in `user_data_dir`."""
    argv = [
        binary or find_chromium(),
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--password-store=basic",
        "--use-mock-keychain",
        "--disable-default-apps",
        "--disable-extensions",
        "--disable-features=Translate,TranslateUI,MediaRouter,OptimizationHints,AutofillServerCommunication",
        "--disable-translate",
        "--disable-session-crashed-bubble",
        "--hide-crash-restore-bubble",
        "--noerrdialogs",
        "--test-type",                 # no "unsupported command-line flag" info bar
        "--lang=zh-CN",
        f"--window-size={window_size[0]},{window_size[1]}",
        f"--user-data-dir={user_data_dir}",
    ]
    if window_position is not None:
        argv.append(f"--window-position={window_position[0]},{window_position[1]}")
    argv.append(f"--app={url}")
    return argv


# What a page may report besides its fields, kept as it sent them (the approval form of
# app/sandbox/toolkits/ sends these; the intake page does not).
EXTRA_KEYS = ("toolkit", "title", "enabled", "submitted")


def _field_value(v):
    return v if isinstance(v, bool) else str(v)     # a checkbox stays a bool


class WebFormServer:
    """Serves the web form and holds what the page last reported.

    `page` is the file served at `/` (the 13-field intake form by default), with each
    key of `substitutions` in it replaced by its value; `field_names` are the fields the
    state always has, `initial` their values before the page has reported."""

    def __init__(self, port: int = 0, page_dir: Path | str = PAGE_DIR, *,
                 page: str = "index.html", field_names: tuple[str, ...] = FIELD_NAMES,
                 substitutions: dict[str, str] | None = None,
                 initial: dict | None = None) -> None:
        self.page_dir = Path(page_dir)
        self.page = page
        if not (self.page_dir / page).is_file():
            raise DesktopError(f"The web form is missing: {self.page_dir / page} "
                               "should ship with Deskhand's resources.")
        self.field_names = tuple(field_names)
        self.substitutions = dict(substitutions or {})
        self._port = port
        self._httpd: QuietHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._cond = threading.Condition()
        self._generation = 1
        self._page: str | None = None
        self._page_seq = 0
        self._state: dict = {"fields": dict(initial) if initial is not None
                             else {n: "" for n in self.field_names},
                             "focused": None, "seq": 0, "active": False, "status": "",
                             "generation": None}

    # ------------------------------------------------------------ lifecycle
    def start(self) -> "WebFormServer":
        if self._httpd is None:
            self._httpd = QuietHTTPServer(("127.0.0.1", self._port), self._handler())
            self._httpd.daemon_threads = True
            self._thread = threading.Thread(target=self._httpd.serve_forever,
                                            name="web-form-server", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def __enter__(self) -> "WebFormServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise DesktopError("The web form server is not started.")
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def page_bytes(self) -> bytes:
        text = (self.page_dir / self.page).read_text(encoding="utf-8")
        for key, value in self.substitutions.items():
            text = text.replace(key, value)
        return text.encode("utf-8")

    # ------------------------------------------------------------ state
    def state(self) -> dict:
        with self._cond:
            return json.loads(json.dumps(self._state))

    @property
    def generation(self) -> int:
        with self._cond:
            return self._generation

    def wait_state(self, predicate: Callable[[dict], bool], timeout: float = 5.0) -> dict:
        """Wait until predicate(state) is true; returns that state. Raises TimeoutError
        (with the last state in its message) otherwise."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                snap = json.loads(json.dumps(self._state))
                if predicate(snap):
                    return snap
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"web form state not reached within {timeout} s; "
                                       f"last state: {json.dumps(snap, ensure_ascii=False)}")
                self._cond.wait(min(left, 0.25))

    def reset(self, timeout: float = 5.0) -> dict:
        """Ask the page to clear itself; wait until it has (needs the page open)."""
        with self._cond:
            self._generation += 1
            gen = self._generation
        return self.wait_state(lambda s: s.get("generation") == gen, timeout)

    def _accept(self, report: dict) -> None:
        page, pseq = report.get("page"), int(report.get("page_seq") or 0)
        with self._cond:
            if page == self._page and pseq <= self._page_seq:
                return            # an older report overtaken by a newer one
            self._page, self._page_seq = page, pseq
            fields = report.get("fields") or {}
            new = {
                # the page's fields, plus whatever else it has (?form=extended)
                "fields": {**{n: _field_value(fields.get(n, "")) for n in self.field_names},
                           **{str(n): _field_value(v) for n, v in fields.items()
                              if n not in self.field_names}},
                "focused": report.get("focused"),
                "active": bool(report.get("active")),
                "status": str(report.get("status") or ""),
                "generation": report.get("generation"),
                **{k: report[k] for k in EXTRA_KEYS if k in report},
            }
            old = {k: self._state.get(k) for k in new}
            if new != old:
                new["seq"] = self._state["seq"] + 1
                self._state = new
                self._cond.notify_all()

    # ------------------------------------------------------------ HTTP
    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _send(self, code: int, body: bytes, ctype: str) -> None:
                self.send_response(code)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(body)

            def _json(self, obj, code: int = 200) -> None:
                self._send(code, json.dumps(obj, ensure_ascii=False).encode("utf-8"),
                           "application/json; charset=utf-8")

            def do_GET(self) -> None:  # noqa: N802
                path = self.path.split("?")[0]
                if path in ("/", f"/{server.page}"):
                    self._send(200, server.page_bytes(), "text/html; charset=utf-8")
                elif path == "/report.js":      # the reporting script the pages share
                    self._send(200, (server.page_dir / "report.js").read_bytes(),
                               "text/javascript; charset=utf-8")
                elif path == "/state":
                    self._json(server.state())
                elif path == "/control":
                    self._json({"generation": server.generation})
                elif path == "/favicon.ico":
                    self._send(204, b"", "image/x-icon")
                else:
                    self._json({"error": "not found"}, 404)

            def do_POST(self) -> None:  # noqa: N802
                path = self.path.split("?")[0]
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                if path == "/report":
                    try:
                        server._accept(json.loads(raw.decode("utf-8")))
                    except (ValueError, AttributeError, TypeError):
                        self._json({"error": "bad report"}, 400)
                        return
                    self._json({"ok": True})
                elif path == "/reset":
                    try:
                        self._json(server.reset())
                    except TimeoutError as e:
                        self._json({"error": str(e)}, 504)
                else:
                    self._json({"error": "not found"}, 404)

            def log_message(self, *args) -> None:
                pass

        return Handler
