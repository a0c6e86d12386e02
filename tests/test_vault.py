"""The vault against a real Secret Service (gnome-keyring on a private D-Bus, one daemon
for the module; tests/secret_service.py), plus the ways a keyring can be missing, locked
or failing. keyrings.alt is never used: the vault refuses file backends."""
from __future__ import annotations

import argparse
import io
import logging
import os
import pty
import select
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from keyring.backend import KeyringBackend
from keyring.backends import SecretService as secret_service_backend
from keyring.backends import fail, null
from secret_service import SecretService, SessionBus, dead_bus_address, require_tools

from app.errors import (
    CredentialMissingError,
    UsageError,
    VaultError,
    VaultUnavailableError,
)
from app.vault import Vault, mask_secret, validate_name
from app.vault import cli as vault_cli

ROOT = Path(__file__).resolve().parents[1]
CJK_SECRET = "人口库密钥·甲乙丙-Ｋｅｙ🔑"
LONG_SECRET = ("k3Y-" + CJK_SECRET) * 400   # ~9,600 characters


@pytest.fixture(scope="module")
def secret_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecretService]:
    with SecretService(tmp_path_factory.mktemp("keyring")) as service:
        yield service


@pytest.fixture
def vault(secret_service: SecretService, monkeypatch: pytest.MonkeyPatch) -> Vault:
    # keyring's SecretService backend opens the bus named by DBUS_SESSION_BUS_ADDRESS on
    # every call, so the variable is what points it at the private daemon.
    for key, value in secret_service.overlay.items():
        monkeypatch.setenv(key, value)
    return Vault(backend=secret_service.backend())


@pytest.fixture
def name() -> str:
    return f"registry.t{uuid.uuid4().hex[:8]}.secret"   # the module shares one keyring


def _chain(exc: BaseException | None) -> Iterator[BaseException]:
    while exc is not None:
        yield exc
        exc = exc.__cause__ or exc.__context__


def _cli(*argv: str, env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "app.cli", "vault", *argv], input=stdin,
                          capture_output=True, text=True, encoding="utf-8", env=env, cwd=ROOT,
                          timeout=60, check=False)


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    vault_cli.add_arguments(parser)
    return parser.parse_args(argv)


# -- round trips -------------------------------------------------------------------
@pytest.mark.parametrize("secret", ["s3cr3t-token", CJK_SECRET, LONG_SECRET],
                         ids=["ascii", "cjk", "long"])
def test_set_get_delete_round_trip(vault: Vault, name: str, secret: str) -> None:
    assert not vault.has(name)
    vault.set(name, secret)
    assert vault.has(name)
    assert vault.get(name) == secret
    vault.delete(name)
    assert not vault.has(name)
    with pytest.raises(CredentialMissingError):
        vault.get(name)


def test_set_replaces_and_services_are_separate(vault: Vault, secret_service: SecretService,
                                                name: str) -> None:
    vault.set(name, "first-value")
    vault.set(name, "second-value")
    assert vault.get(name) == "second-value"
    other = Vault(service="deskhand-other", backend=secret_service.backend())
    assert not other.has(name)
    vault.delete(name)


def test_missing_credential_names_it_and_the_command(vault: Vault, name: str) -> None:
    with pytest.raises(CredentialMissingError) as info:
        vault.get(name)
    assert name in str(info.value)
    assert f"deskhand vault set {name}" in str(info.value)
    assert info.value.exit_code == 3
    with pytest.raises(CredentialMissingError, match="deskhand vault set"):
        vault.delete(name)


@pytest.mark.parametrize("bad", ["", "a\nb", "tab\there", " padded", "x" * 201, None])
def test_names_are_validated_before_the_keyring_is_asked(bad: object) -> None:
    v = Vault(backend=fail.Keyring())   # would raise VaultUnavailableError if reached
    for call in (lambda: v.get(bad), lambda: v.set(bad, "secret"),  # type: ignore[arg-type]
                 lambda: v.delete(bad), lambda: v.has(bad)):        # type: ignore[arg-type]
        with pytest.raises(UsageError) as info:
            call()
        assert info.value.exit_code == 2
    assert validate_name("registry.population.secret") == "registry.population.secret"
    assert validate_name("登记库.人口.密钥") == "登记库.人口.密钥"


@pytest.mark.parametrize("empty", ["", "   "])
def test_empty_secret_is_refused(vault: Vault, name: str, empty: str) -> None:
    with pytest.raises(UsageError, match="empty"):
        vault.set(name, empty)
    assert not vault.has(name)


def test_mask_secret() -> None:
    assert mask_secret("abcdefgh-long") == "ab***"
    assert mask_secret("short") == "***"


# -- a keyring that is locked, missing or failing ----------------------------------------
def test_locked_keyring_says_unlock(vault: Vault, secret_service: SecretService,
                                    name: str) -> None:
    vault.set(name, "before-the-lock")
    secret_service.lock()
    try:
        for call in (lambda: vault.get(name), lambda: vault.set(name, "while-locked"),
                     lambda: vault.delete(name), vault.check):
            with pytest.raises(VaultUnavailableError, match="unlock the keyring") as info:
                call()
            assert info.value.exit_code == 3
            assert "while-locked" not in "".join(str(e) for e in _chain(info.value))
    finally:
        secret_service.unlock()
    assert vault.get(name) == "before-the-lock"
    vault.delete(name)


def test_dead_session_bus_gives_install_advice(tmp_path: Path, name: str,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", dead_bus_address(tmp_path))
    v = Vault(backend=secret_service_backend.Keyring(), platform="linux")
    for call in (lambda: v.get(name), lambda: v.set(name, "x-secret"), v.check):
        with pytest.raises(VaultUnavailableError) as info:
            call()
        message = str(info.value)
        assert "gnome-keyring" in message and "KWallet" in message
        assert "plain files" in message


def test_bus_without_secret_service_gives_install_advice(tmp_path: Path, name: str,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    require_tools()
    with SessionBus(tmp_path) as bus:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", bus.address)
        with pytest.raises(VaultUnavailableError, match="install gnome-keyring"):
            Vault(backend=secret_service_backend.Keyring()).get(name)


@pytest.mark.parametrize("backend", [fail.Keyring(), null.Keyring()], ids=["fail", "null"])
def test_fail_and_null_backends_are_unavailable(backend: KeyringBackend) -> None:
    v = Vault(backend=backend, platform="linux")
    with pytest.raises(VaultUnavailableError, match="install gnome-keyring"):
        v.set("registry.population.secret", "secret-value")
    with pytest.raises(VaultUnavailableError):
        v.get("registry.population.secret")   # null would have answered None: "missing"
    windows = Vault(backend=backend, platform="win32")
    with pytest.raises(VaultUnavailableError, match="Credential Manager"):
        windows.get("registry.population.secret")


class _FileKeyring(KeyringBackend):
    """Stands in for keyrings.alt: keeps secrets in a file."""
    priority = 1  # type: ignore[assignment]
    stored: ClassVar[dict[tuple[str, str], str]] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.stored.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.stored[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.stored.pop((service, username))


def test_file_backends_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    v = Vault(backend=_FileKeyring())
    with pytest.raises(VaultUnavailableError, match="not an OS keyring"):
        v.set("registry.population.secret", "secret-value")
    assert _FileKeyring.stored == {}
    # Configured by name, as IT might by mistake: refused too (here: not even installed).
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    with pytest.raises(VaultUnavailableError, match="PYTHON_KEYRING_BACKEND"):
        Vault().get("registry.population.secret")


class _BrokenKeyring(secret_service_backend.Keyring):
    """A Secret Service whose calls fail for a reason of its own; one that echoes the secret."""

    def get_password(self, service: str, username: str) -> str | None:
        raise RuntimeError("org.freedesktop.DBus.Error.NoMemory: out of memory")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise RuntimeError(f"cannot store {password!r}: quota exceeded")


def test_other_backend_failures_carry_the_backends_message() -> None:
    v = Vault(backend=_BrokenKeyring())
    with pytest.raises(VaultError) as info:
        v.get("registry.population.secret")
    assert type(info.value) is VaultError
    assert "out of memory" in str(info.value) and "registry.population.secret" in str(info.value)
    with pytest.raises(VaultError) as info:
        v.set("registry.population.secret", "echoed-secret-value")
    assert "quota exceeded" in str(info.value)
    assert "echoed-secret-value" not in str(info.value)


def test_secret_never_in_logs_exceptions_or_reprs(vault: Vault, secret_service: SecretService,
                                                  name: str,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    secret = "never-shown-" + uuid.uuid4().hex
    caplog.set_level(logging.DEBUG)   # every logger: ours, keyring's, secretstorage's
    texts = []
    vault.set(name, secret)
    assert vault.get(name) == secret
    texts.append(repr(vault))
    secret_service.lock()
    try:
        with pytest.raises(VaultError) as info:
            vault.set(name, secret)
        texts += [str(e) for e in _chain(info.value)] + [repr(e) for e in _chain(info.value)]
    finally:
        secret_service.unlock()
    err = io.StringIO()
    assert vault_cli.run(_args("get", name), io.StringIO(), err, vault=vault) == 0
    texts.append(err.getvalue())
    vault.delete(name)
    texts.append(caplog.text)
    assert "stored credential" in caplog.text   # the log is there, without the secret
    for text in texts:
        assert secret not in text


@pytest.mark.parametrize("ci, outcome", [("true", pytest.fail.Exception),
                                         ("", pytest.skip.Exception)])
def test_missing_daemon_fails_on_ci_and_skips_elsewhere(monkeypatch: pytest.MonkeyPatch,
                                                       ci: str, outcome: type) -> None:
    import secret_service
    monkeypatch.setattr(secret_service.shutil, "which",
                        lambda tool: None if tool == "gnome-keyring-daemon" else "/usr/bin/x")
    monkeypatch.setenv("CI", ci)
    with pytest.raises(outcome, match="gnome-keyring-daemon not installed.*apt-get install"):
        require_tools()


# -- the command line --------------------------------------------------------------
def test_cli_end_to_end_in_a_subprocess(secret_service: SecretService, name: str) -> None:
    env = secret_service.env
    done = _cli("set", name, env=env, stdin=CJK_SECRET + "\nsecond line is ignored\n")
    assert done.returncode == 0, done.stderr
    assert "Stored" in done.stderr and CJK_SECRET not in done.stderr + done.stdout

    done = _cli("get", name, env=env)
    masked = f"{CJK_SECRET[:2]}*** ({len(CJK_SECRET)} characters)\n"
    assert (done.returncode, done.stdout) == (0, masked)
    done = _cli("get", name, "--show", env=env)
    assert (done.returncode, done.stdout) == (0, CJK_SECRET + "\n")

    done = _cli("check", env=env)
    assert done.returncode == 0, done.stderr
    assert "SecretService" in done.stdout and "Usable: yes" in done.stdout

    done = _cli("delete", name, env=env)
    assert done.returncode == 0 and "Deleted" in done.stderr
    done = _cli("get", name, env=env)
    assert done.returncode == 3 and f"deskhand vault set {name}" in done.stderr
    assert done.stdout == ""



def test_cli_usage_errors_exit_2(monkeypatch: pytest.MonkeyPatch) -> None:
    # Refused before any keyring is looked for, so in-process and with no keyring at all.
    from app.cli import main
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n"))
    err = io.StringIO()
    assert main(["vault", "set", "registry.population.secret"], io.StringIO(), err) == 2
    assert "empty" in err.getvalue()
    assert main(["vault", "get", "bad\tname"], io.StringIO(), err) == 2
    assert "control character" in err.getvalue()


def test_cli_without_a_secret_service(secret_service: SecretService, tmp_path: Path) -> None:
    # keyring's own resolution (no backend passed) finds nothing usable and says so.
    env = dict(secret_service.env, DBUS_SESSION_BUS_ADDRESS=dead_bus_address(tmp_path))
    done = _cli("set", "registry.population.secret", env=env, stdin="value-for-nowhere\n")
    assert done.returncode == 3
    assert "install gnome-keyring" in done.stderr and "value-for-nowhere" not in done.stderr
    done = _cli("check", env=env)
    assert done.returncode == 3 and "Usable: no" in done.stdout


def test_cli_set_from_env_and_refusals(vault: Vault, name: str) -> None:
    out, err = io.StringIO(), io.StringIO()
    assert vault_cli.run(_args("set", name, "--from-env", "DH_SECRET"), out, err, vault=vault,
                         environ={"DH_SECRET": "from-the-env\n"}) == 0
    assert vault.get(name) == "from-the-env"
    assert vault_cli.run(_args("set", name, "--from-env", "DH_UNSET"), out, err, vault=vault,
                         environ={}) == 2
    assert "DH_UNSET is not set" in err.getvalue()
    vault.delete(name)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_cli_prompt_asks_twice(vault: Vault, name: str) -> None:
    answers = iter(["typed-once", "typed-twice"])
    err = io.StringIO()
    code = vault_cli.run(_args("set", name), io.StringIO(), err, vault=vault,
                         stdin=_Terminal(), prompt=lambda _: next(answers))
    assert code == 2 and "differ" in err.getvalue() and not vault.has(name)


def test_cli_hidden_prompt_on_a_terminal(vault: Vault, secret_service: SecretService,
                                         name: str) -> None:
    """On a real terminal the secret is asked twice and never echoed."""
    secret = "typed-at-the-prompt-" + uuid.uuid4().hex[:6]
    pid, fd = pty.fork()
    if pid == 0:   # the child: the pty is its controlling terminal, as for a person
        os.chdir(ROOT)
        os.execve(sys.executable, [sys.executable, "-m", "app.cli", "vault", "set", name],
                  secret_service.env)
    seen = b""
    try:
        for answer in (secret, secret):
            seen += _read_until(fd, b": ")
            os.write(fd, answer.encode() + b"\n")
        seen += _read_until(fd, None)
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0, seen.decode(errors="replace")
    assert b"Stored" in seen and secret.encode() not in seen
    assert vault.get(name) == secret
    vault.delete(name)


def _read_until(fd: int, marker: bytes | None, timeout: float = 20.0) -> bytes:
    """What the pty prints until `marker` (None: until the child closes it)."""
    data, deadline = b"", time.monotonic() + timeout
    while time.monotonic() < deadline:
        if marker is not None and data.endswith(marker):
            return data
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:   # EIO: the child closed the terminal
                return data
            if not chunk:
                return data
            data += chunk
    raise AssertionError(f"timed out waiting for {marker!r}; got {data!r}")
