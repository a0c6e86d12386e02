"""A private D-Bus session bus for tests, the benchmarks and the demo's accessibility
check: a dbus-daemon listening on `tmp_dir/bus`, without service activation, so nothing
else can be started behind our back (the stock session.conf would activate the user's
gnome-keyring or a prompter). Started and stopped by its own PID.

    with SessionBus(tmp_dir) as bus:
        bus.address       # unix:path=…, for DBUS_SESSION_BUS_ADDRESS
"""
from __future__ import annotations

import select
import subprocess
from pathlib import Path
from typing import Self

SOCKET_PATH_MAX = 100   # sun_path holds 108 bytes

_BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


class SessionBus:
    """A private dbus-daemon listening on `tmp_dir/bus`, without service activation."""

    def __init__(self, tmp_dir: Path, *, timeout: float = 10.0) -> None:
        self.dir = Path(tmp_dir)
        self.timeout = timeout
        self.socket = self.dir / "bus"
        self.address = f"unix:path={self.socket}"
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Self:
        if len(str(self.socket)) > SOCKET_PATH_MAX:
            raise RuntimeError(f"{self.socket} is too long for a Unix socket; use a shorter "
                               "tmp_dir")
        self.dir.mkdir(parents=True, exist_ok=True)
        config = self.dir / "bus.conf"
        config.write_text(_BUS_CONFIG.format(socket=self.socket))
        with open(self.dir / "dbus-daemon.log", "wb") as log:
            self.process = subprocess.Popen(
                ["dbus-daemon", f"--config-file={config}", "--nofork", "--print-address=1"],
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log)
        try:
            # The address is printed once the socket listens: that is the readiness signal.
            assert self.process.stdout is not None
            ready, _, _ = select.select([self.process.stdout], [], [], self.timeout)
            line = self.process.stdout.readline() if ready else b""
            if not line.startswith(b"unix:"):
                raise RuntimeError(f"dbus-daemon did not start within {self.timeout} s; see "
                                   f"{self.dir / 'dbus-daemon.log'}")
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)
            if self.process.stdout:
                self.process.stdout.close()
            self.process = None


def stop_process(process: subprocess.Popen[bytes], grace: float = 3.0) -> None:
    """Stop one process we started, by its PID: terminate, then kill."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=grace)
