"""The audit key in a real Secret Service (gnome-keyring on a private D-Bus): made at the
first entry, found again by `deskhand audit verify` in another process; with the bus gone
the entries are still written, chained without a key, and verify marks them weaker."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from keyring.backends import SecretService as secret_service_backend
from secret_service import SecretService, dead_bus_address, require_tools

from app.audit import AuditConfig, open_audit
from app.audit.key import KEY_NAME
from app.vault import Vault

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def keyring_service(tmp_path_factory):
    require_tools()
    with SecretService(tmp_path_factory.mktemp("keyring")) as service:
        yield service


def verify(log: Path, env: dict[str, str]) -> tuple[int, dict]:
    r = subprocess.run([sys.executable, "-m", "app.cli", "audit", "verify", "--log", str(log),
                        "--checkpoints", str(log.with_name("cp.jsonl")), "--json"],
                       capture_output=True, text=True, env=env, cwd=ROOT, timeout=60)
    return r.returncode, json.loads(r.stdout) if r.stdout.strip() else {"stderr": r.stderr}


def test_the_key_is_made_in_the_keyring_and_verify_finds_it(tmp_path, keyring_service,
                                                            monkeypatch):
    for k, v in keyring_service.overlay.items():
        monkeypatch.setenv(k, v)
    vault = Vault(backend=keyring_service.backend())
    config = AuditConfig(dir=tmp_path, checkpoint_file=tmp_path / "cp.jsonl")
    audit = open_audit(config=config, vault=vault, at_exit=False)
    audit.append("fill", {"outcome": "done"})
    audit.close()
    assert len(bytes.fromhex(vault.get(KEY_NAME))) == 32 and audit.warnings == []
    entries = [json.loads(x) for x in audit.path.read_text(encoding="utf-8").splitlines()]
    assert {e["alg"] for e in entries} == {"HMAC-SM3"}
    env = {**os.environ, **keyring_service.overlay}
    code, doc = verify(audit.path, env)
    assert code == 0 and doc["ok"] and doc["checkpoints_matched"] == 1, doc
    lines = audit.path.read_text(encoding="utf-8").splitlines(keepends=True)
    audit.path.write_text("".join(lines[:-1]), encoding="utf-8")
    code, doc = verify(audit.path, env)
    assert code == 1 and doc["problem"]["kind"] == "truncated"


def test_without_a_keyring_entries_are_written_unkeyed_and_marked(tmp_path, monkeypatch):
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", dead_bus_address(tmp_path))
    said: list[str] = []
    config = AuditConfig(dir=tmp_path, checkpoint_file=tmp_path / "cp.jsonl")
    audit = open_audit(config=config, vault=Vault(backend=secret_service_backend.Keyring(),
                                                  platform="linux"),
                       warn=said.append, at_exit=False)
    audit("capture", {"id_number": "350802199001011236"})    # as the pipeline calls it
    audit.close()
    assert len(said) == 1 and "chained by plain SHA-256" in said[0]
    code, doc = verify(audit.path, {**os.environ,
                                    "DBUS_SESSION_BUS_ADDRESS": dead_bus_address(tmp_path)})
    assert code == 0 and doc["unkeyed"] == 2 and doc["algorithms"] == ["SHA256-UNKEYED"], doc


def test_the_demos_keyless_log_leaves_the_keyring_alone(tmp_path, keyring_service, monkeypatch):
    """`deskhand demo` sets $DESKHAND_AUDIT_KEYLESS for itself and its fill worker: its
    throwaway log is chained without a key, and no key is made in the clerk's keyring."""
    for k, v in keyring_service.overlay.items():
        monkeypatch.setenv(k, v)
    monkeypatch.setenv("DESKHAND_AUDIT_KEYLESS", "1")
    vault = Vault(backend=keyring_service.backend(), service="deskhand-keyless-test")
    said: list[str] = []
    audit = open_audit(config=AuditConfig(dir=tmp_path, checkpoint_file=tmp_path / "cp.jsonl"),
                       vault=vault, warn=said.append, at_exit=False)
    audit.append("fill", {"outcome": "done"})
    audit.close()
    assert not vault.has(KEY_NAME) and said == []
    entries = [json.loads(x) for x in audit.path.read_text(encoding="utf-8").splitlines()]
    assert {e["alg"] for e in entries} == {"SHA256-UNKEYED"}
    monkeypatch.delenv("DESKHAND_AUDIT_KEYLESS")
    keyed = open_audit(config=AuditConfig(dir=tmp_path / "keyed"), vault=vault, at_exit=False)
    keyed.append("fill", {"outcome": "done"})
    keyed.close()
    assert vault.has(KEY_NAME)         # without it: the keyring's key, as ever
