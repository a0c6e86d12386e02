"""A private accessibility bus for tests and the benchmark: a session bus of our own
(app/sandbox/session_bus.py) with at-spi-bus-launcher on it, as a desktop session has.

    with AccessibilityBus(tmp_dir, display=session.display) as a11y:
        env = a11y.env(session.env(), qt=True)       # for a program that should show its tree
        bus = AtspiBus.open(a11y.overlay)             # Deskhand's side

The launcher starts the accessibility bus's own dbus-daemon, which starts
at-spi2-registryd when the first program registers. `enabled=True` sets the bus's
org.a11y.Status IsEnabled (what "assistive technologies: on" in a desktop's settings does):
Chromium and GTK register only then; `enabled=False` is a desktop with it off. The launcher
and everything it starts run in their own process group, ended by the launcher's PID when
the bus stops; their sockets live under `tmp_dir`, never in the user's runtime folder.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import Self

from app.sandbox.session_bus import SessionBus, stop_process

LAUNCHER_PATHS = ("/usr/libexec/at-spi-bus-launcher", "/usr/lib/at-spi2-core/at-spi-bus-launcher",
                  "/usr/lib/at-spi-bus-launcher")
INSTALL_HINT = "apt-get install at-spi2-core"


def find_launcher() -> str | None:
    for path in LAUNCHER_PATHS:
        if os.access(path, os.X_OK):
            return path
    return shutil.which("at-spi-bus-launcher")


class AccessibilityBus:
    def __init__(self, tmp_dir: Path, *, display: str | None = None, enabled: bool = True,
                 timeout: float = 10.0) -> None:
        self.dir = Path(tmp_dir)
        self.display = display
        self.enabled = enabled
        self.timeout = timeout
        self.session = SessionBus(self.dir / "session", timeout=timeout)
        self.launcher: subprocess.Popen[bytes] | None = None
        self.address: str | None = None       # the accessibility bus itself

    @property
    def overlay(self) -> dict[str, str]:
        """What a program needs to find this bus (and its launcher)."""
        return {"DBUS_SESSION_BUS_ADDRESS": self.session.address,
                "XDG_RUNTIME_DIR": str(self.dir / "runtime")}

    def env(self, base: dict[str, str], *, qt: bool = False) -> dict[str, str]:
        """`base` (e.g. XSession.env()) for a program on this bus: its accessibility bridge
        not switched off, and Qt's tree forced on when `qt`."""
        env = dict(base)
        env.update(self.overlay)
        env.pop("NO_AT_BRIDGE", None)
        env.pop("AT_SPI_BUS_ADDRESS", None)
        if qt:
            env["QT_LINUX_ACCESSIBILITY_ALWAYS_ON"] = "1"
        return env

    def __enter__(self) -> Self:
        launcher = find_launcher()
        if launcher is None:
            raise RuntimeError(f"at-spi-bus-launcher is not installed: {INSTALL_HINT}")
        runtime = self.dir / "runtime"
        runtime.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.session.__enter__()
        try:
            env = {k: v for k, v in os.environ.items()
                   if k not in ("DBUS_SESSION_BUS_ADDRESS", "AT_SPI_BUS_ADDRESS", "DISPLAY")}
            env.update(self.overlay)
            if self.display:
                env["DISPLAY"] = self.display
            argv = [launcher, "--launch-immediately", f"--a11y={1 if self.enabled else 0}"]
            with open(self.dir / "at-spi-bus-launcher.log", "wb") as log:
                self.launcher = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL,
                                                 stdout=log, stderr=log, start_new_session=True)
            self.address = self._wait_address()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_address(self) -> str:
        from app.a11y.atspi_bus import AtspiBus
        from app.errors import AccessibilityUnavailableError
        deadline = time.monotonic() + self.timeout
        last = ""
        while time.monotonic() < deadline:
            assert self.launcher is not None
            if self.launcher.poll() is not None:
                break
            try:
                return AtspiBus.address_from_session(self.overlay)
            except AccessibilityUnavailableError as e:
                last = e.message
            time.sleep(0.02)
        raise RuntimeError(f"at-spi-bus-launcher did not serve org.a11y.Bus within "
                           f"{self.timeout} s ({last}); see {self.dir / 'at-spi-bus-launcher.log'}")

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        if self.launcher is not None:
            # its bus daemon and the registry it started are in its process group: ours
            try:
                os.killpg(self.launcher.pid, signal.SIGTERM)
            except (ProcessLookupError, PermissionError):
                pass
            stop_process(self.launcher)
            try:
                os.killpg(self.launcher.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self.launcher = None
        self.session.stop()
