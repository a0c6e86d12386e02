"""A real, private Secret Service for tests: gnome-keyring-daemon on a private D-Bus.

    with SecretService(tmp_dir) as service:
        service.env        # environment for subprocesses (DBUS_SESSION_BUS_ADDRESS, HOME…)
        service.overlay    # just the variables that point into tmp_dir
        service.backend()  # keyring's SecretService backend; it talks to whatever bus
                           # DBUS_SESSION_BUS_ADDRESS names, so set `overlay` first
                           # (monkeypatch.setenv) in the test process
        service.lock() / service.unlock()

Both daemons are started here, by their own PIDs, and stopped by those PIDs (terminate,
then kill). The bus has no service activation, so nothing else can be started behind our
back (the stock session.conf would activate the user's gnome-keyring or a prompter), and
HOME, XDG_DATA_HOME, XDG_CONFIG_HOME, XDG_CACHE_HOME and XDG_RUNTIME_DIR point into
tmp_dir, so the user's own keyring is never read or written. DESIGN.md §5.
"""
from __future__ import annotations

import os
import select
import shutil
import subprocess
import time
from contextlib import closing
from pathlib import Path
from typing import Any, Self

import pytest

from app.sandbox.toolkits.a11y_bus import SESSION_BUS_CONFIG

SECRETS_BUS_NAME = "org.freedesktop.secrets"
LOGIN_COLLECTION = "/org/freedesktop/secrets/collection/login"
_SOCKET_PATH_MAX = 100   # sun_path holds 108 bytes


# What the test process or the user's session may carry that must not reach the daemons.
_SCRUBBED = ("DBUS_SESSION_BUS_ADDRESS", "DISPLAY", "WAYLAND_DISPLAY", "GNOME_KEYRING_CONTROL",
             "SSH_AUTH_SOCK", "PYTHON_KEYRING_BACKEND")


def require_tools() -> None:
    """Skip the calling test when the daemons are not installed; on CI (CI=true) fail it,
    so that a machine set up without them cannot pass the suite by skipping."""
    missing = [t for t in ("dbus-daemon", "gnome-keyring-daemon") if shutil.which(t) is None]
    if not missing:
        return
    message = (f"{' and '.join(missing)} not installed: the vault tests need a real Secret "
               "Service. Run `bash installer/dev.sh setup` or "
               "`apt-get install --no-install-recommends gnome-keyring dbus-daemon`.")
    if os.environ.get("CI", "").strip().lower() in ("true", "1", "yes"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def dead_bus_address(tmp_dir: Path) -> str:
    """A session bus address where nothing listens."""
    return f"unix:path={Path(tmp_dir) / 'no-bus-here'}"


class SessionBus:
    """A private dbus-daemon listening on `tmp_dir/bus`, without service activation."""

    def __init__(self, tmp_dir: Path, *, timeout: float = 10.0) -> None:
        self.dir = Path(tmp_dir)
        self.timeout = timeout
        self.socket = self.dir / "bus"
        self.address = f"unix:path={self.socket}"
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Self:
        if len(str(self.socket)) > _SOCKET_PATH_MAX:
            raise RuntimeError(f"{self.socket} is too long for a Unix socket; use a shorter "
                               "tmp_dir")
        self.dir.mkdir(parents=True, exist_ok=True)
        config = self.dir / "bus.conf"
        config.write_text(SESSION_BUS_CONFIG.format(socket=self.socket))
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
            _stop(self.process)
            if self.process.stdout:
                self.process.stdout.close()
            self.process = None


class SecretService:
    """gnome-keyring-daemon (secrets component only) on a private SessionBus, with a login
    keyring created and unlocked with `password`. Entering yields the running service."""

    def __init__(self, tmp_dir: Path, *, password: str = "deskhand-test-login",
                 timeout: float = 10.0) -> None:
        self.dir = Path(tmp_dir)
        self.password = password
        self.timeout = timeout
        self.bus = SessionBus(self.dir, timeout=timeout)
        self.process: subprocess.Popen[bytes] | None = None
        self.started_in = 0.0   # seconds from launching dbus-daemon to the service answering
        self.overlay: dict[str, str] = {}
        self.env: dict[str, str] = {}

    def __enter__(self) -> Self:
        require_tools()
        t0 = time.monotonic()
        home, runtime = self.dir / "home", self.dir / "runtime"
        home.mkdir(parents=True, exist_ok=True)
        runtime.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.bus.__enter__()
        try:
            self.overlay = {
                "DBUS_SESSION_BUS_ADDRESS": self.bus.address,
                "HOME": str(home),
                "XDG_DATA_HOME": str(home / ".local" / "share"),
                "XDG_CONFIG_HOME": str(home / ".config"),
                "XDG_CACHE_HOME": str(home / ".cache"),
                "XDG_RUNTIME_DIR": str(runtime),
            }
            self.env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED}
            self.env.update(self.overlay)
            with open(self.dir / "gnome-keyring.log", "wb") as log:
                # --unlock reads the login password from stdin until EOF, creating the login
                # keyring on first use; --foreground keeps the PID we launched the daemon's.
                self.process = subprocess.Popen(
                    ["gnome-keyring-daemon", "--foreground", "--unlock",
                     "--components=secrets"],
                    stdin=subprocess.PIPE, stdout=log, stderr=log, env=self.env)
            assert self.process.stdin is not None
            self.process.stdin.write(self.password.encode())
            self.process.stdin.close()
            self._wait_until_served()
        except BaseException:
            self.stop()
            raise
        self.started_in = time.monotonic() - t0
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in (self.process, self.bus.process) if p is not None]

    def stop(self) -> None:
        # The keyring first: it is the bus's client.
        if self.process is not None:
            _stop(self.process)
            self.process = None
        self.bus.stop()

    def backend(self) -> Any:
        from keyring.backends import SecretService as backend
        return backend.Keyring()

    def lock(self) -> None:
        """Lock the login collection, as the screen locker or `seahorse` would."""
        import secretstorage
        with closing(self._connect()) as conn:
            secretstorage.Collection(conn, LOGIN_COLLECTION).lock()

    def unlock(self) -> None:
        """Unlock the login collection without a prompter (none runs on this bus), through
        gnome-keyring's private interface, as its PAM module does at login."""
        from jeepney import DBusAddress, new_method_call
        service = DBusAddress("/org/freedesktop/secrets", bus_name=SECRETS_BUS_NAME)
        with closing(self._connect()) as conn:
            _, session = self._call(conn, new_method_call(
                service.with_interface("org.freedesktop.Secret.Service"), "OpenSession", "sv",
                ("plain", ("s", ""))))
            self._call(conn, new_method_call(
                service.with_interface("org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface"),
                "UnlockWithMasterPassword", "o(oayays)",
                (LOGIN_COLLECTION, (session, b"", self.password.encode(), "text/plain"))))

    def _connect(self) -> Any:
        from jeepney.io.blocking import open_dbus_connection
        return open_dbus_connection(bus=self.bus.address)

    @staticmethod
    def _call(conn: Any, message: Any) -> Any:
        from jeepney import MessageType
        reply = conn.send_and_get_reply(message, timeout=10)
        if reply.header.message_type == MessageType.error:
            raise RuntimeError(f"Secret Service call failed: {reply.body}")
        return reply.body

    def _wait_until_served(self) -> None:
        from jeepney.bus_messages import message_bus
        deadline = time.monotonic() + self.timeout
        with closing(self._connect()) as conn:
            while time.monotonic() < deadline:
                assert self.process is not None
                if self.process.poll() is not None:
                    raise RuntimeError(f"gnome-keyring-daemon exited with {self.process.returncode}; "
                                       f"see {self.dir / 'gnome-keyring.log'}")
                (owned,) = self._call(conn, message_bus.NameHasOwner(SECRETS_BUS_NAME))
                if owned:
                    return
                time.sleep(0.01)
        raise RuntimeError(f"gnome-keyring-daemon did not serve {SECRETS_BUS_NAME} within "
                           f"{self.timeout} s; see {self.dir / 'gnome-keyring.log'}")


def _stop(process: subprocess.Popen[bytes], grace: float = 3.0) -> None:
    """Stop one process we started, by its PID: terminate, then kill."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=grace)
