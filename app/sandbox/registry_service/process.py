"""A real `deskhand registry serve` process, for the demo, tests and benchmarks.

    from app.sandbox.registry_service.process import RegistryServer

    with RegistryServer(tmp_path, faults=["delay=2@population"]) as server:
        with server.client() as http:                # httpx.Client, requests HMAC-signed
            r = http.get("/population/v1/persons/350821197408062908")
        server.set_faults("status=503@licence")
        server.clear_faults()
    server.returncode                                # 0 after a clean SIGTERM shutdown

The server runs as a subprocess (`python -m app.cli registry serve --port 0 …`), found by
the "listening on URL" line it prints first; its stderr (one masked line per request)
is kept in a file under `tmp_dir` (`log_text()`). Only the process started here is ever
stopped, by its own PID: SIGTERM, then a kill if it has not gone within `stop_timeout`.
Secrets reach it through its environment, never its command line.
"""
from __future__ import annotations

import os
import secrets
import ssl
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Iterable

import httpx

from app.errors import DeskhandError
from app.paths import ROOT, module_argv
from app.registry.auth import SignedAuth   # the client's own signing, re-exported for benches
from app.sandbox.gateways.profiles import DEFAULT_KEY_IDS

__all__ = ["RegistryServer", "RegistryServerError", "SignedAuth", "AUTO"]

AUTO: Any = object()        # a fresh random value for this server
_ENV = ("DESKHAND_REGISTRY_SECRET", "DESKHAND_REGISTRY_TOKEN", "DESKHAND_REGISTRY_API_KEY",
        "DESKHAND_REGISTRY_ADMIN_TOKEN")


class RegistryServerError(DeskhandError):
    """The registry process did not start, or would not take a fault setting."""


class RegistryServer:
    """`secret`, `admin_token`: AUTO (default) for a random one, None for none.
    `profile`: "reference", or a sandbox gateway ("prov", "city", "ministry"), whose
    requests a test signs itself (`client(signed=None)`); `key_id` defaults to the profile's.
    `tls`: (certificate chain PEM, key PEM) for HTTPS; `client_ca`: PEM CA whose client
    certificates are then required; `client_ssl`: the SSLContext this helper's own
    requests (client(), set_faults()) use against an HTTPS server."""

    def __init__(self, tmp_dir: str | os.PathLike[str], *, secret: bytes | str | None = AUTO,
                 key_id: str | None = None, faults: Iterable[str] = (),
                 tls: tuple[os.PathLike[str] | str, os.PathLike[str] | str] | None = None,
                 client_ca: os.PathLike[str] | str | None = None,
                 client_ssl: ssl.SSLContext | None = None,
                 token: str | None = None, api_key: str | None = None,
                 admin_token: str | None = AUTO, people: int | None = None,
                 db: os.PathLike[str] | str | None = None, extra_args: Iterable[str] = (),
                 start_timeout: float = 30.0, stop_timeout: float = 10.0,
                 profile: str = "reference") -> None:
        self.tmp_dir = Path(tmp_dir)
        self.secret: bytes | None = (secrets.token_hex(16).encode() if secret is AUTO
                                     else secret.encode() if isinstance(secret, str) else secret)
        self.admin_token: str | None = secrets.token_hex(12) if admin_token is AUTO else admin_token
        self.profile = profile
        self.key_id = key_id or DEFAULT_KEY_IDS.get(profile, "deskhand-demo")
        self.token, self.api_key = token, api_key
        self.client_ssl = client_ssl
        self.start_timeout, self.stop_timeout = start_timeout, stop_timeout
        args = ["--profile", profile, "--port", "0", "--key-id", self.key_id]
        for spec in faults:
            args += ["--fault", spec]
        if tls:
            args += ["--tls-cert", str(tls[0]), "--tls-key", str(tls[1])]
        if client_ca:
            args += ["--client-ca", str(client_ca)]
        if people is not None:
            args += ["--people", str(people)]
        if db is not None:
            args += ["--db", str(db)]
        self.command = [*module_argv("app.cli"), "registry", "serve", *args, *extra_args]
        self.url = ""
        self.proc: subprocess.Popen[bytes] | None = None
        self.returncode: int | None = None
        self._out_path = self._err_path = Path()

    # ----------------------------------------------------------------- lifecycle
    def start(self) -> "RegistryServer":
        self.tmp_dir.mkdir(parents=True, exist_ok=True)
        env = {k: v for k, v in os.environ.items() if k not in _ENV}
        for name, value in zip(_ENV, (self.secret.decode() if self.secret else None, self.token,
                                      self.api_key, self.admin_token)):
            if value:
                env[name] = value
        fd, out = tempfile.mkstemp(prefix="registry-", suffix=".out", dir=self.tmp_dir)
        os.close(fd)
        self._out_path, self._err_path = Path(out), Path(out).with_suffix(".log")
        with open(self._out_path, "wb") as stdout, open(self._err_path, "wb") as stderr:
            self.proc = subprocess.Popen(self.command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                                         stdout=stdout, stderr=stderr)
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            first = self._out_path.read_text("utf-8", "replace").partition("\n")
            if first[1] and first[0].startswith("listening on "):
                self.url = first[0].removeprefix("listening on ").strip()
                return self
            if self.proc.poll() is not None:
                self.returncode = self.proc.returncode
                raise RegistryServerError(
                    f"The registry server exited with code {self.returncode} before listening. "
                    f"Its stderr:\n{self.log_text()}")
            time.sleep(0.02)
        self.stop()
        raise RegistryServerError(f"The registry server did not say 'listening on' within "
                                  f"{self.start_timeout:g} s. Its stderr:\n{self.log_text()}")

    def stop(self) -> int | None:
        """SIGTERM, then kill after `stop_timeout`; the exit code (0 = clean shutdown)."""
        proc = self.proc
        if proc is None:
            return self.returncode
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(self.stop_timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.returncode, self.proc = proc.returncode, None
        return self.returncode

    def __enter__(self) -> "RegistryServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ----------------------------------------------------------------- use
    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def log_text(self) -> str:
        """The server's stderr so far: its request log and any error."""
        try:
            return self._err_path.read_text("utf-8", "replace")
        except OSError:
            return ""

    def auth(self, method: str = "HMAC-SHA256") -> SignedAuth:
        if not self.secret:
            raise RegistryServerError("This server was started without an HMAC secret.")
        return SignedAuth(method, self.key_id, self.secret)

    def client(self, *, signed: str | None = "HMAC-SHA256", **kwargs: Any) -> httpx.Client:
        """An httpx.Client on this server; requests are signed unless `signed` is None."""
        kwargs.setdefault("timeout", 10.0)
        if self.client_ssl is not None:
            kwargs.setdefault("verify", self.client_ssl)
        if signed and self.secret:
            kwargs.setdefault("auth", self.auth(signed))
        return httpx.Client(base_url=self.url, **kwargs)

    def set_faults(self, *faults: str | dict[str, Any]) -> list[str]:
        """Replace the faults in force (PUT /_admin/faults); the server's list back."""
        return self._admin("PUT", list(faults))

    def clear_faults(self) -> list[str]:
        return self._admin("DELETE", None)

    def faults(self) -> list[str]:
        return self._admin("GET", None)

    def _admin(self, method: str, body: Any) -> list[str]:
        if not self.admin_token:
            raise RegistryServerError("This server was started without an admin token.")
        with self.client(signed=None) as http:
            r = http.request(method, "/_admin/faults", json=body,
                             headers={"X-Admin-Token": self.admin_token})
        if r.status_code != 200:
            raise RegistryServerError(f"The registry refused the faults ({r.status_code}): {r.text}")
        return list(r.json()["data"]["faults"])
