"""The chain every audit entry is a link of: what is MACed, and how.

An entry is one JSON line: seq, time (UTC ISO), event, user, host, data, alg, prev, mac.
`mac` = HMAC(key, prev ‖ canonical bytes of the entry without `mac`), where `prev` is the
previous entry's mac (64 zeros before the first) and the canonical bytes are the entry as
compact JSON with sorted keys (UTF-8). HMAC-SM3 (GB/T 32905) through `cryptography`;
HMAC-SHA256 only when this OpenSSL has no SM3. With no key at all (no keyring) the link is
a bare SHA-256 (`alg: SHA256-UNKEYED`): it shows accidental damage and careless edits, not
a forger, and `verify` says so.
"""
from __future__ import annotations

import functools
import hashlib
import hmac as std_hmac
import json
from typing import Any

__all__ = ["ALG_SM3", "ALG_SHA256", "ALG_UNKEYED", "GENESIS", "canonical", "keyed_alg",
           "link", "mac_ok"]

ALG_SM3, ALG_SHA256, ALG_UNKEYED = "HMAC-SM3", "HMAC-SHA256", "SHA256-UNKEYED"
GENESIS = "0" * 64


@functools.cache
def keyed_alg() -> str:
    """HMAC-SM3 when this OpenSSL has SM3, else HMAC-SHA256 (recorded in every entry)."""
    try:
        _mac(ALG_SM3, b"k", b"")
        return ALG_SM3
    except Exception:    # UnsupportedAlgorithm on an OpenSSL built without SM3
        return ALG_SHA256


def canonical(entry: dict[str, Any]) -> bytes:
    body = {k: v for k, v in entry.items() if k != "mac"}
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _mac(alg: str, key: bytes | None, data: bytes) -> str:
    if alg == ALG_UNKEYED:
        return hashlib.sha256(data).hexdigest()
    if key is None:
        raise LookupError(alg)
    from cryptography.hazmat.primitives import hashes, hmac
    digest = {ALG_SM3: hashes.SM3, ALG_SHA256: hashes.SHA256}[alg]()
    h = hmac.HMAC(key, digest)
    h.update(data)
    return h.finalize().hex()


def link(entry: dict[str, Any], key: bytes | None) -> str:
    """The mac of `entry` (its `alg` and `prev` already set)."""
    return _mac(entry["alg"], key, entry["prev"].encode() + canonical(entry))


def mac_ok(entry: dict[str, Any], key: bytes | None) -> bool:
    """Does the entry's mac match its content? LookupError when it needs a key not given."""
    return std_hmac.compare_digest(link(entry, key), str(entry.get("mac", "")))
