"""A private D-Bus session bus with the AT-SPI bus on it, accessibility switched on.

    with XSession() as session:
        bus = AccessibilityBus(session, runtime_dir).start()
        session.spawn(argv, env=bus.env())      # the program shows in the AT-SPI tree

Programs on the test display find the accessibility bus through the session bus
(`org.a11y.Bus.GetAddress`) and decide whether to expose their widgets from the
`org.a11y.Status IsEnabled` property, read once when they start: it is set here before any
target starts. The session bus has no service activation (nothing of the user's is
started behind our back); at-spi-bus-launcher starts the accessibility bus's own
dbus-daemon, which activates the registry (at-spi2-registryd). All of it is started
through `XSession.spawn`, so `XSession.stop()` ends it, by process group.
"""
from __future__ import annotations

import os
import select
import shutil
import subprocess
import time
from pathlib import Path

from app.sandbox.xsession import XSession, XSessionError

LAUNCHER_PATHS = ("/usr/libexec/at-spi-bus-launcher", "/usr/lib/at-spi2-core/at-spi-bus-launcher",
                  "/usr/lib/x86_64-linux-gnu/at-spi-bus-launcher")
INSTALL_HINT = "run `apt-get install at-spi2-core dbus-daemon`"

# A session bus without service activation: nothing of the user's can be started on it
# (tests/secret_service.py uses it too).
SESSION_BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
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

# Every toolkit's switch, set for every program started on this bus (DESIGN.md §7).
A11Y_ENV = {
    "QT_LINUX_ACCESSIBILITY_ALWAYS_ON": "1",   # Qt: the Status property alone is read too late
    "GNOME_ACCESSIBILITY": "1",                # Firefox, older GTK and Java's ATK wrapper
    "GTK_MODULES": "",                         # GTK 3 loads atk-bridge by itself (no gail)
}


def find_launcher() -> str | None:
    for path in LAUNCHER_PATHS:
        if os.access(path, os.X_OK):
            return path
    return None


def missing_tools() -> list[str]:
    """What an AccessibilityBus needs that is not installed (for skips)."""
    missing = [t for t in ("dbus-daemon", "dbus-send") if shutil.which(t) is None]
    if find_launcher() is None:
        missing.append("at-spi-bus-launcher (at-spi2-core)")
    return missing


class AccessibilityBus:
    """A private session bus plus the AT-SPI bus, for the programs of one XSession."""

    def __init__(self, session: XSession, runtime_dir: Path | str, *, timeout: float = 15.0,
                 enabled: bool = True, on_display: bool = True) -> None:
        self.session = session
        # enabled=False: the desktop's assistive technologies are off (org.a11y.Status).
        # on_display=False: the bus is not named on the X root window (AT_SPI_BUS), as the
        # launcher does when it has a display. Measured: a Qt 6 program registers whenever
        # that property is there, whatever IsEnabled says (tests/test_a11y_atspi.py).
        self.enabled = enabled
        self.on_display = on_display
        self.dir = Path(runtime_dir)
        self.timeout = timeout
        self.address: str | None = None
        self.a11y_address: str | None = None
        self.started_in = 0.0

    def start(self) -> "AccessibilityBus":
        missing = missing_tools()
        if missing:
            raise XSessionError(f"{', '.join(missing)} not installed: {INSTALL_HINT}.")
        t0 = time.monotonic()
        self.dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        socket = self.dir / "bus"
        if len(str(socket)) > 100:        # sun_path holds 108 bytes
            raise XSessionError(f"{socket} is too long for a Unix socket; use a shorter folder.")
        config = self.dir / "session.conf"
        config.write_text(SESSION_BUS_CONFIG.format(socket=socket), encoding="utf-8")
        daemon = self.session.spawn(
            ["dbus-daemon", f"--config-file={config}", "--nofork", "--print-address=1"],
            env=self._base_env(), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        ready, _, _ = select.select([daemon.stdout], [], [], self.timeout)
        line = daemon.stdout.readline().decode().strip() if ready else ""
        daemon.stdout.close()
        if not line.startswith("unix:"):
            raise XSessionError(f"dbus-daemon did not start within {self.timeout:.0f} s.")
        self.address = line
        launcher_env = self._base_env()
        if not self.on_display:
            launcher_env.pop("DISPLAY", None)
        self.session.spawn([find_launcher(), "--launch-immediately",
                            f"--a11y={1 if self.enabled else 0}"],
                           env=launcher_env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
        self.a11y_address = self._wait_a11y_bus()
        if not self.enabled:
            self.started_in = time.monotonic() - t0
            return self
        self._call("org.freedesktop.DBus.Properties.Set", "string:org.a11y.Status",
                   "string:IsEnabled", "variant:boolean:true")
        if "true" not in self._call("org.freedesktop.DBus.Properties.Get",
                                    "string:org.a11y.Status", "string:IsEnabled"):
            raise XSessionError("The AT-SPI bus did not accept IsEnabled=true.")
        self.started_in = time.monotonic() - t0
        return self

    def _base_env(self) -> dict[str, str]:
        env = self.session.env()
        env.pop("NO_AT_BRIDGE", None)
        env.pop("AT_SPI_BUS_ADDRESS", None)    # a host's bus must not leak in
        env["XDG_RUNTIME_DIR"] = str(self.dir)
        if self.address:
            env["DBUS_SESSION_BUS_ADDRESS"] = self.address
        return env

    def env(self, extra: dict[str, str] | None = None, *, switches: bool = True) -> dict[str, str]:
        """The environment for a program that should expose its widgets (switches=False:
        on this bus, but without any toolkit's switch, as a program started plainly)."""
        if self.address is None:
            raise XSessionError("The accessibility bus is not started; call start().")
        env = self._base_env()
        if switches:
            env.update(A11Y_ENV)
        if extra:
            env.update(extra)
        return env

    def _call(self, method: str, *args: str) -> str:
        r = subprocess.run(["dbus-send", "--session", "--print-reply", "--dest=org.a11y.Bus",
                            "/org/a11y/bus", method, *args], env=self._base_env(),
                           capture_output=True, text=True, timeout=10)
        if r.returncode != 0:
            raise XSessionError(f"dbus-send {method} failed: {r.stderr.strip()}")
        return r.stdout

    def _wait_a11y_bus(self) -> str:
        deadline = time.monotonic() + self.timeout
        last = ""
        while time.monotonic() < deadline:
            try:
                out = self._call("org.a11y.Bus.GetAddress")
                addr = out.split('string "', 1)[1].rsplit('"', 1)[0] if 'string "' in out else ""
                if addr:
                    return addr
            except (XSessionError, subprocess.TimeoutExpired) as e:
                last = str(e)
            time.sleep(0.05)
        raise XSessionError(f"at-spi-bus-launcher did not offer the AT-SPI bus within "
                            f"{self.timeout:.0f} s: {last}")
