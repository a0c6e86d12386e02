"""`deskhand archive upload` end to end: a real sample archive service on loopback (started
here, stopped by its PID), the token in a real private Secret Service, the package judged by
what the service kept; and each way the service can fail the upload, as a sentence."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

from app.archive.package import PackOptions, build_package
from app.sandbox.archive_cases import write_sample_case
from app.sandbox.archive_tamper import flip_byte

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "archive-token-7f3a"


@contextmanager
def archive_service(store: Path, *extra: str, token: str = TOKEN) -> Iterator[str]:
    env = {**os.environ, "DESKHAND_ARCHIVE_TOKEN": token, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "app.sandbox.archive_service", "--port", "0",
                             "--store", str(store), *extra], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        assert line.startswith("listening on "), f"the service did not start: {line!r}"
        yield line.split()[-1] + "/archive/v1/packages"
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


@pytest.fixture(scope="module")
def keyring_env(tmp_path_factory):
    from secret_service import SecretService, require_tools
    require_tools()
    with SecretService(tmp_path_factory.mktemp("keyring")) as service:
        env = {**service.env, "PYTHONPATH": str(ROOT)}
        r = deskhand("vault", "set", "archive.upload.token", env=env, stdin=TOKEN + "\n")
        assert r.returncode == 0, r.stderr
        yield env


def deskhand(*args: str, env, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "app.cli", *args], capture_output=True,
                          text=True, timeout=120, env=env, cwd=ROOT, input=stdin)


@pytest.fixture(scope="module")
def package(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("pkg")
    return build_package(write_sample_case(tmp / "cases", 11), tmp / "out",
                         PackOptions(unit="龙岩市行政服务中心")).path


def test_a_package_is_received_whole_and_the_receipt_printed(keyring_env, package, tmp_path):
    with archive_service(tmp_path / "store") as url:
        r = deskhand("archive", "upload", str(package), "--to", url, "--json", env=keyring_env)
    assert r.returncode == 0, r.stderr
    import json
    receipt = json.loads(r.stdout)["receipts"][0]["receipt"]
    kept = tmp_path / "store" / f"{receipt}.zip"
    assert kept.read_bytes() == package.read_bytes()      # what the archive holds


def test_a_tampered_package_is_refused_with_the_services_reason(keyring_env, package, tmp_path):
    bad, name = flip_byte(package, tmp_path / "bad.zip")
    with archive_service(tmp_path / "store") as url:
        r = deskhand("archive", "upload", str(bad), "--to", url, env=keyring_env)
    assert r.returncode == 3 and "refused the package (HTTP 422)" in r.stderr and name in r.stderr
    assert not list((tmp_path / "store").glob("GD-*.zip"))
    assert "Traceback" not in r.stderr


def test_a_wrong_token_is_a_sentence_about_the_credential(keyring_env, package, tmp_path):
    with archive_service(tmp_path / "store", token="another") as url:
        r = deskhand("archive", "upload", str(package), "--to", url, env=keyring_env)
    assert r.returncode == 3 and "refused the credential (HTTP 401)" in r.stderr


def test_an_answer_that_is_no_receipt_is_a_sentence(keyring_env, package, tmp_path):
    with archive_service(tmp_path / "store", "--garbage") as url:
        r = deskhand("archive", "upload", str(package), "--to", url, env=keyring_env)
    assert r.returncode == 3 and "not a receipt" in r.stderr and "text/html" in r.stderr


def test_a_slow_service_times_out_when_told(keyring_env, package, tmp_path):
    with archive_service(tmp_path / "store", "--delay", "20") as url:
        started = time.monotonic()
        r = deskhand("archive", "upload", str(package), "--to", url, "--timeout", "1",
                     env=keyring_env)
        took = time.monotonic() - started
    assert r.returncode == 3 and "did not answer in time" in r.stderr
    assert took < 15, took


def test_nobody_listening_is_a_sentence(keyring_env, package):
    r = deskhand("archive", "upload", str(package), "--to", "http://127.0.0.1:9/archive",
                 env=keyring_env)
    assert r.returncode == 3 and "Could not reach the archive service" in r.stderr


def test_no_token_in_the_keyring_names_the_credential(keyring_env, package, tmp_path):
    with archive_service(tmp_path / "store") as url:
        r = deskhand("archive", "upload", str(package), "--to", url, "--credential",
                     "archive.other.token", env=keyring_env)
    assert r.returncode == 3 and "archive.other.token" in r.stderr


def test_signing_with_the_key_in_the_keyring(keyring_env, tmp_path):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
    key = bytes(range(1, 33))
    public = Ed25519PrivateKey.from_private_bytes(key).public_key().public_bytes(
        Encoding.Raw, PublicFormat.Raw).hex()
    case = write_sample_case(tmp_path / "cases", 12)
    r = deskhand("archive", str(case), "-o", str(tmp_path / "o"), "--sign", env=keyring_env)
    assert r.returncode == 3 and "archive.signing.key" in r.stderr      # not stored yet
    assert deskhand("vault", "set", "archive.signing.key", env=keyring_env,
                    stdin=key.hex() + "\n").returncode == 0
    r = deskhand("archive", str(case), "-o", str(tmp_path / "o"), "--sign", env=keyring_env)
    assert r.returncode == 0, r.stderr
    pkg = next((tmp_path / "o").glob("*.zip"))
    r = deskhand("archive", "verify", str(pkg), "--public-key", public, env=keyring_env)
    assert r.returncode == 0, r.stdout
    r = deskhand("archive", "verify", str(pkg), "--public-key", "ab" * 32, env=keyring_env)
    assert r.returncode == 1 and "not with the key given" in r.stdout
