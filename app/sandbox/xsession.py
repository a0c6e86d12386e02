"""A private X session for tests, the benchmark and `deskhand demo`: Xvfb + openbox.

    with XSession() as session:
        proc = session.spawn(["xterm"])          # runs on session.display, tracked
        win = session.wait_window("xterm*", timeout=10)
        session.activate(win)

`XSession` starts Xvfb on a display number Xvfb picks itself (`-displayfd`, so
two sessions started at the same moment never collide), then openbox (needed for
`_NET_ACTIVE_WINDOW`), and waits until openbox has claimed the screen
(`_NET_SUPPORTING_WM_CHECK` on the root window). `stop()` ends exactly the
processes it started: Xvfb, openbox and everything started through `spawn()`.
Each spawned process is started in its own process group, so that a browser's
helper processes are ended with it.

No PySide6 here: this module only starts processes and talks X11 through
python-xlib.
"""
from __future__ import annotations

import fnmatch
import os
import select
import shutil
import signal
import subprocess
from pathlib import Path
import threading
import time
from typing import Iterable, Sequence

from app.errors import DesktopError
from app.paths import resources_dir

OPENBOX_RC = resources_dir() / "openbox" / "rc.xml"
INSTALL_HINT = "run `apt-get install xvfb openbox xdotool x11-utils fonts-noto-cjk`"


class XSessionError(DesktopError):
    """The private X session could not be started or driven."""


def _require(binary: str) -> str:
    path = shutil.which(binary)
    if not path:
        raise XSessionError(f"{binary} is not installed: {INSTALL_HINT}.")
    return path


def missing_binaries(names: Iterable[str] = ("Xvfb", "openbox", "xdotool")) -> list[str]:
    """The binaries an XSession needs that are not on PATH (for pytest skips)."""
    return [n for n in names if shutil.which(n) is None]


class XSession:
    """Xvfb + openbox on a free display; see the module docstring."""

    def __init__(self, width: int = 1920, height: int = 1080, depth: int = 24, *,
                 window_manager: bool = True, timeout: float = 20.0) -> None:
        self.width, self.height, self.depth = width, height, depth
        self.window_manager = window_manager
        self.timeout = timeout
        self.display: str | None = None
        self._xvfb: subprocess.Popen | None = None
        self._wm: subprocess.Popen | None = None
        self._children: list[subprocess.Popen] = []
        self._x = None                   # python-xlib Display, opened lazily
        self._xlock = threading.RLock()
        self._atoms: dict[str, int] = {}
        self._attached = False           # True: someone else's display; we start nothing there

    # ------------------------------------------------------------------ lifecycle
    def __enter__(self) -> "XSession":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    @classmethod
    def attach(cls, display: str, timeout: float = 3.0) -> "XSession":
        """Use an existing display (the user's, for `deskhand demo`): no Xvfb, no window
        manager; stop() ends only what spawn() started there."""
        s = cls(window_manager=False, timeout=timeout)
        s.display = display
        s._attached = True
        s._connect()
        return s

    def start(self) -> "XSession":
        if self._xvfb is not None or self._attached:
            return self
        xvfb = _require("Xvfb")
        if self.window_manager:
            _require("openbox")
        try:
            import Xlib.display  # noqa: F401
        except ImportError as e:  # pragma: no cover - python-xlib is a dependency on Linux
            raise XSessionError("python-xlib is not installed: run `pip install python-xlib`.") from e
        try:
            self._start_xvfb(xvfb)
            if self.window_manager:
                self._start_wm()
        except BaseException:
            self.stop()
            raise
        return self

    def _start_xvfb(self, xvfb: str) -> None:
        rfd, wfd = os.pipe()
        try:
            argv = [xvfb, "-displayfd", str(wfd), "-screen", "0",
                    f"{self.width}x{self.height}x{self.depth}", "-nolisten", "tcp",
                    "-noreset"]
            self._xvfb = subprocess.Popen(
                argv, pass_fds=(wfd,), stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
            os.close(wfd)
            wfd = -1
            deadline = time.monotonic() + self.timeout
            buf = b""
            while b"\n" not in buf:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise XSessionError(
                        f"Xvfb did not report a display within {self.timeout:.0f} s; "
                        "check that /tmp is writable and no stale /tmp/.X*-lock files are left.")
                ready, _, _ = select.select([rfd], [], [], min(left, 0.2))
                if ready:
                    chunk = os.read(rfd, 64)
                    if not chunk:
                        break
                    buf += chunk
                elif self._xvfb.poll() is not None:
                    break
            if not buf.strip():
                err = b""
                if self._xvfb.poll() is not None and self._xvfb.stderr:
                    err = self._xvfb.stderr.read() or b""
                raise XSessionError(
                    "Xvfb exited before it was ready: "
                    + (err.decode(errors="replace").strip().splitlines() or ["no message"])[-1])
            self.display = ":" + buf.split(b"\n")[0].decode().strip()
        finally:
            os.close(rfd)
            if wfd >= 0:
                os.close(wfd)
        # Xvfb's stderr is only read on failure; stop it from filling a pipe later.
        if self._xvfb.stderr:
            self._xvfb.stderr.close()
            self._xvfb.stderr = None
        self._connect()

    def _connect(self) -> None:
        from Xlib import display as xdisplay
        deadline = time.monotonic() + self.timeout
        last: Exception | None = None
        while time.monotonic() < deadline:
            try:
                self._x = xdisplay.Display(self.display)
                return
            except Exception as e:  # Xlib raises several types while the socket appears
                last = e
                time.sleep(0.05)
        raise XSessionError(f"Cannot connect to the new X display {self.display}: {last}")

    def _start_wm(self) -> None:
        # No compose table for openbox: it reopens its input method on every keymap change
        # and so parsed the UTF-8 Compose file each time, ~35 ms of CPU apiece (one core of
        # two, taken from the program under test while Chinese is typed by keystrokes);
        # without it 0.7 ms. It has no key bindings and takes no text in these sessions.
        self._wm = subprocess.Popen(
            [_require("openbox"), "--sm-disable", "--config-file", str(OPENBOX_RC)],
            env=self.env({"XCOMPOSEFILE": os.devnull}), stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self._wm.poll() is not None:
                raise XSessionError(
                    f"openbox exited (code {self._wm.returncode}) on {self.display}; "
                    f"check that it starts by hand: DISPLAY={self.display} openbox")
            if self._root_prop("_NET_SUPPORTING_WM_CHECK"):
                return
            time.sleep(0.05)
        raise XSessionError(f"openbox did not take over display {self.display} within "
                            f"{self.timeout:.0f} s.")

    def stop(self, timeout: float = 5.0) -> None:
        """End every process this session started (spawned ones first, then openbox, Xvfb)."""
        for p in reversed(self._children):
            _end_process(p, timeout)
        self._children.clear()
        with self._xlock:
            if self._x is not None:
                try:
                    self._x.close()
                except Exception:
                    pass
                self._x = None
        for p in (self._wm, self._xvfb):
            if p is not None:
                _end_process(p, timeout)
        self._wm = self._xvfb = None

    @property
    def running(self) -> bool:
        if self._attached:
            return self._x is not None
        return self._xvfb is not None and self._xvfb.poll() is None

    # ------------------------------------------------------------------ processes
    def env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        """os.environ for a program on this display (no XAUTHORITY: Xvfb runs without
        authorization, and a stale cookie file from the host would only confuse clients)."""
        if self.display is None:
            raise XSessionError("The X session is not started; call start() or use `with XSession()`.")
        env = dict(os.environ)
        env["DISPLAY"] = self.display
        if not self._attached:
            env.pop("XAUTHORITY", None)
        env.pop("WAYLAND_DISPLAY", None)
        env["QT_QPA_PLATFORM"] = "xcb"
        env.setdefault("NO_AT_BRIDGE", "1")
        if extra:
            env.update(extra)
        return env

    def spawn(self, argv: Sequence[str], **popen_kwargs) -> subprocess.Popen:
        """Start a program on this display; it is ended by `stop()` (or `end(proc)`)."""
        popen_kwargs.setdefault("env", self.env())
        popen_kwargs.setdefault("stdin", subprocess.DEVNULL)
        popen_kwargs.setdefault("start_new_session", True)
        try:
            proc = subprocess.Popen(list(argv), **popen_kwargs)
        except FileNotFoundError as e:
            raise XSessionError(f"{argv[0]} is not installed or not on PATH: {e}") from e
        self._children.append(proc)
        return proc

    def end(self, proc: subprocess.Popen, timeout: float = 5.0) -> None:
        """End one process started with `spawn()` (and its process group)."""
        _end_process(proc, timeout)
        if proc in self._children:
            self._children.remove(proc)

    # ------------------------------------------------------------------ X11 helpers
    def _atom(self, name: str) -> int:
        if name not in self._atoms:
            self._atoms[name] = self._x.intern_atom(name)
        return self._atoms[name]

    def _root_prop(self, name: str):
        with self._xlock:
            root = self._x.screen().root
            prop = root.get_full_property(self._atom(name), 0)
            return list(prop.value) if prop is not None else None

    def _window(self, wid: int):
        return self._x.create_resource_object("window", wid)

    def _title(self, wid: int) -> str:
        from Xlib import error as xerror
        with self._xlock:
            w = self._window(wid)
            try:
                p = w.get_full_property(self._atom("_NET_WM_NAME"), self._atom("UTF8_STRING"))
                if p is not None and p.value:
                    v = p.value
                    return v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v)
                name = w.get_wm_name()
                if isinstance(name, bytes):
                    return name.decode("latin-1")
                return name or ""
            except (xerror.BadWindow, xerror.BadDrawable):
                return ""

    def _pid(self, wid: int) -> int | None:
        from Xlib import Xatom, error as xerror
        with self._xlock:
            try:
                p = self._window(wid).get_full_property(self._atom("_NET_WM_PID"), Xatom.CARDINAL)
            except (xerror.BadWindow, xerror.BadDrawable):
                return None
            return int(p.value[0]) if p is not None and len(p.value) else None

    def windows(self) -> list[tuple[int, str, int | None]]:
        """Top-level client windows as (id, title, pid), from openbox's _NET_CLIENT_LIST."""
        ids = self._root_prop("_NET_CLIENT_LIST") or []
        return [(wid, self._title(wid), self._pid(wid)) for wid in ids]

    def wait_window(self, title_glob: str, timeout: float = 15.0, *, pid: int | None = None) -> int:
        """Wait for a mapped client window whose title matches the glob (and pid, if
        given); returns its id."""
        deadline = time.monotonic() + timeout
        while True:
            for wid, title, wpid in self.windows():
                if fnmatch.fnmatchcase(title, title_glob) and (pid is None or wpid == pid):
                    return wid
            if time.monotonic() >= deadline:
                seen = ", ".join(repr(t) for _, t, _ in self.windows()) or "none"
                raise XSessionError(
                    f"No window titled {title_glob!r} appeared on {self.display} within "
                    f"{timeout:.0f} s (windows: {seen}).")
            time.sleep(0.05)

    def active_window(self) -> int | None:
        v = self._root_prop("_NET_ACTIVE_WINDOW")
        return int(v[0]) if v and v[0] else None

    def window_title(self, wid: int) -> str:
        return self._title(wid)

    def window_pid(self, wid: int) -> int | None:
        return self._pid(wid)

    def activate(self, win_id: int, timeout: float = 5.0) -> None:
        """Raise and focus a window (`xdotool windowactivate --sync`), then check that
        the window manager reports it active."""
        xdotool = _require("xdotool")
        start = time.monotonic()
        deadline = start + timeout

        def ask(*how: str) -> None:
            try:
                subprocess.run([xdotool, *how, str(win_id)], env=self.env(),
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, check=False,
                               timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
        ask("windowactivate", "--sync")
        asked_again = False
        while self.active_window() != win_id:
            if time.monotonic() >= deadline:
                raise XSessionError(f"Window {win_id:#x} ({self._title(win_id)!r}) could not be "
                                    f"activated on {self.display}.")
            if not asked_again and time.monotonic() - start > timeout / 3:
                # a window that takes focus itself (WM_TAKE_FOCUS) with the manager's older
                # timestamp is refused by the server after another program set the focus
                # later (seen after Chromium): give it the focus, then ask the manager again
                asked_again = True
                ask("windowfocus", "--sync")
                ask("windowactivate")
            time.sleep(0.02)

    def xdotool(self, *args: str, timeout: float = 30.0) -> str:
        """Run xdotool on this display; returns its stdout."""
        r = subprocess.run([_require("xdotool"), *args], env=self.env(), stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=timeout)
        if r.returncode != 0:
            raise XSessionError(f"xdotool {' '.join(args)} failed: "
                                f"{r.stderr.decode(errors='replace').strip()}")
        return r.stdout.decode(errors="replace")

    def screenshot(self, path: str | None = None):
        """The whole screen as a PIL image (saved to `path` if given); needs pillow."""
        from PIL import ImageGrab
        img = ImageGrab.grab(xdisplay=self.display)
        if path:
            img.save(path)
        return img


def _end_process(p: subprocess.Popen, timeout: float) -> None:
    """SIGTERM the process group we created for `p`, wait, then SIGKILL it.

    The group id is `p.pid` (start_new_session=True), so this reaches only the
    process we started and the helpers it started itself."""
    def signal_group(sig: int) -> None:
        try:
            os.killpg(p.pid, sig)
        except (ProcessLookupError, PermissionError):
            if p.poll() is None:
                try:
                    p.send_signal(sig)
                except ProcessLookupError:
                    pass

    if p.poll() is None:
        signal_group(signal.SIGTERM)
        try:
            p.wait(timeout)
        except subprocess.TimeoutExpired:
            signal_group(signal.SIGKILL)
            try:
                p.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
    # helpers of an exited leader may linger in its group; they are ours too
    try:
        os.killpg(p.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    for stream in (p.stdout, p.stderr, p.stdin):
        if stream is not None:
            try:
                stream.close()
            except Exception:
                pass
