"""Ed25519 keys for signing playbook packs: made, stored, read and named by fingerprint.

    private, public = new_key_pair()
    key_id(public)                        # 'a1b2c3d4e5f60718': SHA-256 of the raw key, 16 hex
    public_line("it-2026", public)        # '- {name: it-2026, key: <base64>}' for the preset
    parse_public_key(text)                # raw 32 bytes from base64 (raw key) or PEM
    signing_key("it-2026")                # raw private key: a file, else the OS keyring

A private key lives in the OS keyring under `pack.signing.<name>` as 64 hex digits (the
archive's signing key is kept the same way), or in a 0600 PEM file IT keeps offline.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import os
from pathlib import Path
from typing import Callable

from app.errors import PackError, UsageError
from app.i18n import _

__all__ = ["new_key_pair", "key_id", "public_line", "parse_public_key", "signing_key",
           "credential_name", "private_pem", "public_of", "KEY_ID_HEX"]

KEY_ID_HEX = 16


def credential_name(name: str) -> str:
    return f"pack.signing.{name}"


def new_key_pair() -> tuple[bytes, bytes]:
    """(raw private key, raw public key), 32 bytes each."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import (Encoding, NoEncryption,
                                                              PrivateFormat)
    private = Ed25519PrivateKey.generate()
    raw = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return raw, public_of(raw)


def public_of(private: bytes) -> bytes:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
    try:
        key = Ed25519PrivateKey.from_private_bytes(private)
    except ValueError:
        raise PackError(_("The pack signing key is not an Ed25519 private key (32 bytes).")) from None
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id(public: bytes) -> str:
    """A short fingerprint IT can compare by eye: the first 16 hex digits of SHA-256."""
    return hashlib.sha256(public).hexdigest()[:KEY_ID_HEX]


def public_line(name: str, public: bytes) -> str:
    return f"- {{name: {name}, key: {base64.b64encode(public).decode('ascii')}}}"


def private_pem(private: bytes) -> bytes:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import (Encoding, NoEncryption,
                                                              PrivateFormat)
    key = Ed25519PrivateKey.from_private_bytes(private)
    return key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())


def parse_public_key(text: str) -> bytes:
    """Raw 32 bytes from a base64 raw key or a PEM public key; ValueError with the rest of
    a sentence."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
        from cryptography.hazmat.primitives.serialization import (Encoding, PublicFormat,
                                                                  load_pem_public_key)
        try:
            key = load_pem_public_key(text.encode("ascii"))
        except (ValueError, UnicodeEncodeError):
            raise ValueError(_("it is not a readable PEM public key")) from None
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError(_("it is a PEM key, but not an Ed25519 one"))
        return key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise ValueError(_("it must be an Ed25519 public key: 44 base64 characters as "
                           "'deskhand pack keygen' prints, or a PEM block"))
    return raw


def _private_from_file(path: Path) -> bytes:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import (Encoding, NoEncryption,
                                                              PrivateFormat,
                                                              load_pem_private_key)
    data = path.read_bytes()
    try:
        key = load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        key = None
    if not isinstance(key, Ed25519PrivateKey):
        raise UsageError(_("{path} is not an unencrypted Ed25519 private key (PEM) as "
                           "'deskhand pack keygen --out' writes.", path=path))
    return key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())


def signing_key(ref: str, secrets: Callable[[str], str] | None = None) -> bytes:
    """The raw private key `ref` names: a PEM file if one is there, else the keyring's
    pack.signing.<ref> (`secrets` reads the keyring; default app.vault)."""
    path = Path(ref).expanduser()
    if path.is_file():
        return _private_from_file(path)
    if secrets is None:
        from app.vault import Vault
        secrets = Vault().get
    text = secrets(credential_name(ref)).strip()
    try:
        raw = bytes.fromhex(text)
    except ValueError:
        raw = b""
    if len(raw) != 32:
        raise UsageError(_("The keyring's {name} must be an Ed25519 private key as 64 hex "
                           "digits.", name=credential_name(ref)))
    return raw


def write_private_file(path: Path, private: bytes) -> None:
    """A PEM file only its owner can read, made with that mode (never readable in between)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(private_pem(private))
    os.chmod(path, 0o600)
