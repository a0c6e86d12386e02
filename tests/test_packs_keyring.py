"""`deskhand pack keygen` keeps the private key in a real (private) Secret Service, and
`pack build --key NAME` signs with it."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def deskhand(*args: str, env) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "app.cli", *args], capture_output=True,
                          text=True, timeout=120, env=env, cwd=ROOT)


def test_keygen_into_the_keyring_then_build_signed_with_it(tmp_path):
    from secret_service import SecretService, require_tools
    require_tools()
    with SecretService(tmp_path / "keyring") as service:
        env = {**service.env, "PYTHONPATH": str(ROOT),
               "DESKHAND_PRESET": str(tmp_path / "preset.yaml")}
        (tmp_path / "preset.yaml").write_text("{}\n", encoding="utf-8")
        r = deskhand("pack", "keygen", "--name", "it-2026", env=env)
        assert r.returncode == 0, r.stderr
        line = r.stdout.strip()
        assert line.startswith("- {name: it-2026, key: ") and "pack.signing.it-2026" in r.stderr
        key = line.split("key: ")[1].rstrip("}")
        pack = tmp_path / "fund.zip"
        r = deskhand("pack", "build", str(ROOT / "playbooks/library/provident-fund"), "-o",
                     str(pack), "--key", "it-2026", env=env)
        assert r.returncode == 0, r.stderr
        r = deskhand("pack", "verify", str(pack), "--trust", key, "--json", env=env)
        assert r.returncode == 0 and '"ok": true' in r.stdout, r.stdout + r.stderr
        r = deskhand("pack", "keygen", "--name", "other", "--out", str(tmp_path / "o.pem"),
                     env=env)
        other = r.stdout.strip().split("key: ")[1].rstrip("}")
        r = deskhand("pack", "verify", str(pack), "--trust", other, env=env)
        assert r.returncode == 1 and "unknown key" in r.stdout
