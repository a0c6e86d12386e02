"""Launch the sample targets on a private X session and read back what they hold.

    with XSession() as session:
        qt = launch_qt_client(session)
        web = launch_web_form(session)
        qt.activate()
        ...type into it...
        qt.wait_state(lambda s: s["fields"]["applicant_name"] == "张三")
        qt.reset()

No PySide6 here: the targets run as subprocesses (the Qt client, Chromium, the
decoy); their state comes over HTTP (Qt, decoy) or from the in-process
WebFormServer (web form).

Keyboard sequences that behave IDENTICALLY in both targets (the Qt sample client
and the Chromium web form), verified by tests/test_targets.py; the sample
playbooks in playbooks/library/ depend on them:

  * Focus starts in 申请人姓名 (applicant_name); `tab` moves to the next field in
    this order: applicant_name, gender, ethnicity, birth_date, id_number, phone,
    address, employer, credit_code, matter, postcode, email, remarks, (保存).
    `shift+tab` moves back.
  * 性别 (gender) radio group is ONE tab stop in both. Tabbing in with nothing
    checked focuses 男 without checking it. Then:
        男: `space`       (checks the focused 男)
        女: `right`       (moves to 女 and checks it; `down` works too)
    A following `tab` leaves the group for 民族 in both, whichever is checked.
    Tabbing into the group when one is already checked lands on the checked one;
    `shift+tab` into an unchecked group lands on 男 too. Arrow keys wrap round
    (`left` on 男 checks 女).
  * 办理事项 (matter) dropdown, closed: `home` selects the first item (the empty
    "（请选择）"), then `down` × N selects item N:
        公积金提取: home, down        道路运输从业资格证: home, down, down
        企业设立登记: home, down×3     不动产登记: home, down×4
    The opened-list pattern `alt+down, home, down×N, enter` gives the same result
    in both as well, but the closed-list keys need no popup window and are what
    the sample playbooks use. `space` and `enter` on the closed list change
    nothing in either target.
  * 备注 (remarks) is multi-line: `enter` inserts a line break, and `tab` leaves
    it for the 保存 button in both (the Qt editor has tabChangesFocus). `space`
    on 保存 shows 保存成功 (state "status").
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Callable

from app.errors import DesktopError
from app.paths import ROOT, module_argv
from app.sandbox.web_form import PAGE_TITLE, WebFormServer, chromium_argv, find_chromium
from app.sandbox.xsession import XSession

QT_TITLE = "城市审批系统 - 受理登记"
DECOY_TITLE = "诱饵窗口"
DECOY_SCRIPT = ROOT / "tests" / "targets" / "decoy_window.py"

State = dict
Predicate = Callable[[State], bool]


class TargetError(DesktopError):
    """A sample target did not start or does not answer."""


class Target:
    """A running target window: its process, its X window, and its state.

    `state()` returns the target's report (see app/sandbox/sample_client.py and
    app/sandbox/web_form.py; the decoy reports {"text", "keys", "count"})."""

    def __init__(self, session: XSession, name: str, proc: subprocess.Popen, window_id: int,
                 title: str, *, url: str | None = None, server: WebFormServer | None = None,
                 cleanup: list[Callable[[], None]] | None = None,
                 launch_seconds: float = 0.0) -> None:
        self.session = session
        self.name = name
        self.proc = proc
        self.window_id = window_id
        self.title = title
        self.url = url                    # base URL of GET /state, POST /reset
        self.server = server              # the WebFormServer (web form)
        self.launch_seconds = launch_seconds
        self._cleanup = cleanup or []
        self._closed = False

    @property
    def pid(self) -> int:
        return self.proc.pid

    def __repr__(self) -> str:
        return f"<Target {self.name} window={self.window_id:#x} pid={self.pid}>"

    def __enter__(self) -> "Target":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------ state
    def _http(self, method: str, path: str, timeout: float) -> dict:
        req = urllib.request.Request(self.url.rstrip("/") + path, method=method,
                                     data=b"" if method == "POST" else None)
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return json.loads(r.read().decode("utf-8"))

    def state(self, timeout: float = 3.0) -> State:
        if self.server is not None:
            return self.server.state()
        return self._http("GET", "/state", timeout)

    def reset(self, timeout: float = 6.0) -> State:
        """Clear every field and put focus back in the first one; returns the new state."""
        if self.server is not None:
            return self.server.reset(timeout)
        return self._http("POST", "/reset", timeout)

    def wait_state(self, predicate: Predicate, timeout: float = 5.0,
                   interval: float = 0.03) -> State:
        """Poll until predicate(state) is true; returns that state, raises TimeoutError
        with the last state otherwise."""
        if self.server is not None:
            return self.server.wait_state(predicate, timeout)
        deadline = time.monotonic() + timeout
        last: State | None = None
        while True:
            try:
                last = self.state()
                if predicate(last):
                    return last
            except (OSError, ValueError):
                pass
            if time.monotonic() >= deadline:
                raise TimeoutError(f"{self.name}: state not reached within {timeout} s; last "
                                   f"state: {json.dumps(last, ensure_ascii=False)}")
            time.sleep(interval)

    # ------------------------------------------------------------ window
    def activate(self, timeout: float = 5.0) -> None:
        self.session.activate(self.window_id, timeout)

    def is_active(self) -> bool:
        return self.session.active_window() == self.window_id

    def close(self) -> None:
        """End this target's own process (and its helpers), wait for its window to go,
        then stop its servers and remove its temporary files."""
        if self._closed:
            return
        self._closed = True
        self.session.end(self.proc)
        # wait (briefly) for the window manager to drop the window from its list
        deadline = time.monotonic() + 3.0
        while time.monotonic() < deadline:
            try:
                if self.window_id not in [w for w, _, _ in self.session.windows()]:
                    break
            except Exception:
                break
            time.sleep(0.02)
        for fn in reversed(self._cleanup):
            try:
                fn()
            except Exception:
                pass


# ---------------------------------------------------------------- launching
def _log_file(prefix: str):
    return tempfile.NamedTemporaryFile(prefix=f"deskhand-{prefix}-", suffix=".log", delete=False)


def _tail(path: str, n: int = 15) -> str:
    try:
        lines = Path(path).read_text(errors="replace").splitlines()
    except OSError:
        return ""
    return "\n".join(lines[-n:])


def _python_env(session: XSession, base: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(base) if base is not None else session.env()
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    env["PYTHONUNBUFFERED"] = "1"
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def _wait_ready_line(proc: subprocess.Popen, timeout: float, name: str, log: str) -> int:
    """Read `READY port=N` from the child's stdout; keep draining stdout afterwards."""
    found: dict = {}
    got = threading.Event()

    def reader() -> None:
        for raw in proc.stdout:
            line = raw.decode("utf-8", "replace").strip()
            if line.startswith("READY port=") and "port" not in found:
                found["port"] = int(line.split("=", 1)[1])
                got.set()
        got.set()

    threading.Thread(target=reader, name=f"{name}-stdout", daemon=True).start()
    if not got.wait(timeout) or "port" not in found:
        code = proc.poll()
        why = f"exited with code {code}" if code is not None else f"not ready within {timeout:.0f} s"
        raise TargetError(f"The {name} {why}. Its log ({log}):\n{_tail(log)}")
    return found["port"]


def launch_python_target(session: XSession, name: str, argv: list[str], title: str,
                          port: int, timeout: float, extra_args: tuple[str, ...] = (),
                          env: dict[str, str] | None = None, match_pid: bool = True) -> Target:
    """`env`: the environment to start from (default: the session's); match_pid=False
    for a toolkit that does not set _NET_WM_PID on its window (Tk)."""
    t0 = time.monotonic()
    log = _log_file(name)
    proc = session.spawn([*argv, "--report-port", str(port), "--title", title, *extra_args],
                         env=_python_env(session, env), cwd=str(ROOT),
                         stdout=subprocess.PIPE, stderr=log)
    log.close()
    try:
        actual = _wait_ready_line(proc, timeout, name, log.name)
        left = max(1.0, timeout - (time.monotonic() - t0))
        wid = session.wait_window(title, left, pid=proc.pid if match_pid else None)
        target = Target(session, name, proc, wid, title, url=f"http://127.0.0.1:{actual}",
                        cleanup=[lambda: _unlink(log.name)])
        target.wait_state(lambda s: True, timeout=left)
        target.launch_seconds = time.monotonic() - t0
        return target
    except BaseException:
        session.end(proc)
        raise


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def launch_qt_client(session: XSession, port: int = 0, *, title: str = QT_TITLE,
                     timeout: float = 30.0, form: str = "intake",
                     env: dict[str, str] | None = None) -> Target:
    """Start the Qt sample approval client; returns once its window is mapped, its
    report server answers and focus is in 申请人姓名. form="extended" has 20 fields;
    form="secured" has a password box (经办人密码) before 备注.
    `env`: its environment instead of session.env() (an accessibility bus, say)."""
    t = launch_python_target(session, "qt-client",
                              module_argv("app.sandbox.sample_client"), title, port, timeout,
                              ("--form", form), env)
    t.wait_state(lambda s: s.get("focused") == "applicant_name", timeout=10)
    return t


def launch_decoy(session: XSession, port: int = 0, *, title: str = DECOY_TITLE,
                 timeout: float = 30.0) -> Target:
    """Start the decoy window (tests/targets/decoy_window.py) that records stray keys."""
    if not DECOY_SCRIPT.is_file():
        raise TargetError(f"The decoy window script is missing: {DECOY_SCRIPT} "
                          "(it ships with the source tree's tests).")
    return launch_python_target(session, "decoy", [sys.executable, str(DECOY_SCRIPT)],
                                 title, port, timeout)


def launch_web_form(session: XSession, *, timeout: float = 45.0,
                    window_position: tuple[int, int] | None = None,
                    form: str = "intake", env: dict[str, str] | None = None,
                    flags: tuple[str, ...] = (), extra_above: bool = False) -> Target:
    """Start the web form server and Chromium (fresh temporary profile) showing it;
    returns once the window is mapped and the page has reported focus in 申请人姓名.
    form="extended" shows the 20-field variant, form="case" the 17-field one (办件编号,
    申请日期, 婚姻状况, 文化程度 before 备注); `extra_above` a 预约号 box above 申请人姓名. `env`
    replaces session.env(); `flags` are more Chromium switches
    (--force-renderer-accessibility)."""
    binary = find_chromium()

    def argv(url: str, profile: str) -> list[str]:
        line = chromium_argv(url, profile, binary=binary, window_position=window_position)
        line[-1:-1] = flags           # before --app=URL
        return line

    return launch_browser_page(
        session, "web-form", WebFormServer(), argv,
        query=_web_query(form, extra_above),
        title_glob=PAGE_TITLE.split("）")[0] + "）*", first_field="applicant_name",
        env=env, timeout=timeout)


def _web_query(form: str, extra_above: bool) -> str:
    if form not in ("intake", "extended", "case"):
        raise ValueError(f"form must be intake, extended or case, not {form!r}")
    params = ([f"form={form}"] if form != "intake" else []) + (["extra=above"] if extra_above else [])
    return "?" + "&".join(params) if params else ""


def launch_browser_page(session: XSession, name: str, server: WebFormServer,
                        argv: Callable[[str, str], list[str]], *, title_glob: str,
                        first_field: str, query: str = "", env: dict[str, str] | None = None,
                        profile_dir: str | None = None, timeout: float = 45.0) -> Target:
    """Start `server` and a browser showing its page: `argv(url, profile)` is the browser's
    command line, run with a fresh profile folder (made in `profile_dir`, default the
    temporary folder; removed with the target). Returns once a window of the browser's
    process titled like `title_glob` is mapped and the page has reported focus in
    `first_field`."""
    t0 = time.monotonic()
    server.start()
    profile = tempfile.mkdtemp(prefix=f"deskhand-{name}-", dir=profile_dir)
    log = _log_file(name)
    cleanup = [server.stop, lambda: shutil.rmtree(profile, ignore_errors=True),
               lambda: _unlink(log.name)]
    proc = None
    try:
        proc = session.spawn(argv(server.url + query, profile), stdout=log,
                             stderr=subprocess.STDOUT,
                             **({"env": env} if env is not None else {}))
        log.close()
        try:
            wid = session.wait_window(title_glob, timeout, pid=proc.pid)
        except DesktopError as e:
            raise TargetError(f"The {name} browser did not show its page: {e}\n"
                              f"{_tail(log.name)}") from e
        left = max(2.0, timeout - (time.monotonic() - t0))
        server.wait_state(lambda s: s.get("focused") == first_field
                          and s.get("generation") is not None, left)
        title = session.window_title(wid)
        return Target(session, name, proc, wid, title, url=server.url.rstrip("/"),
                      server=server, cleanup=cleanup,
                      launch_seconds=time.monotonic() - t0)
    except BaseException:
        if proc is not None:
            session.end(proc)
        for fn in reversed(cleanup):
            fn()
        raise
