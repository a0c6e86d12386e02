"""Request signing shared by the registry client and the reference service.

Government data-sharing gateways sign each request with a shared secret: HMAC over a
canonical string of the request, with a timestamp and a one-time nonce against replay.
Two digests: SHA-256 and SM3 (GB/T 32905, the national hash many gateways require);
both through `cryptography`, whose bundled OpenSSL has SM3.

Canonical string (UTF-8, lines joined by "\\n"):

    METHOD            upper case, e.g. GET
    PATH              the URL path, percent-decoded, e.g. /population/v1/persons/3508…
    QUERY             query pairs, percent-decoded, sorted by key then value, "k=v" joined by "&"
    TIMESTAMP         Unix seconds, the X-Timestamp header
    NONCE             the X-Nonce header (random, ≥ 16 characters)
    BODY-DIGEST       hex digest (same algorithm) of the raw body bytes (empty body too)

Headers sent: X-Key-Id, X-Timestamp, X-Nonce, X-Signature-Method (HMAC-SHA256 or
HMAC-SM3), X-Signature (hex HMAC of the canonical string under the secret).
A server accepts a timestamp within ±300 s and refuses a nonce it has seen.
"""
from __future__ import annotations

import hmac as std_hmac
import secrets
import time
from typing import Mapping
from urllib.parse import parse_qsl

from app.i18n import _

__all__ = ["METHODS", "canonical_string", "digest_hex", "sign", "signature_headers",
           "verify_signature", "MAX_SKEW_S"]

METHODS = {"HMAC-SHA256": "sha256", "HMAC-SM3": "sm3"}
MAX_SKEW_S = 300
H_KEY, H_TS, H_NONCE, H_METHOD, H_SIG = ("X-Key-Id", "X-Timestamp", "X-Nonce",
                                         "X-Signature-Method", "X-Signature")


def _algorithm(method: str):  # type: ignore[no-untyped-def]
    from cryptography.hazmat.primitives import hashes
    try:
        return {"sha256": hashes.SHA256, "sm3": hashes.SM3}[METHODS[method]]()
    except KeyError:
        raise ValueError(f"unknown signature method {method!r}; use one of {', '.join(METHODS)}") from None


def digest_hex(method: str, data: bytes) -> str:
    from cryptography.hazmat.primitives import hashes
    h = hashes.Hash(_algorithm(method))
    h.update(data)
    return h.finalize().hex()


def canonical_string(method: str, http_method: str, path: str, query: str, timestamp: str,
                     nonce: str, body: bytes) -> str:
    pairs = sorted(parse_qsl(query, keep_blank_values=True))
    q = "&".join(f"{k}={v}" for k, v in pairs)
    return "\n".join([http_method.upper(), path or "/", q, timestamp, nonce,
                      digest_hex(method, body)])


def sign(method: str, secret: bytes, canonical: str) -> str:
    from cryptography.hazmat.primitives import hmac
    h = hmac.HMAC(secret, _algorithm(method))
    h.update(canonical.encode("utf-8"))
    return h.finalize().hex()


def signature_headers(method: str, key_id: str, secret: bytes, http_method: str, path: str,
                      query: str, body: bytes, *, now: float | None = None,
                      nonce: str | None = None) -> dict[str, str]:
    """The headers that sign one request."""
    ts = str(int(time.time() if now is None else now))
    nonce = nonce or secrets.token_hex(16)
    canonical = canonical_string(method, http_method, path, query, ts, nonce, body)
    return {H_KEY: key_id, H_TS: ts, H_NONCE: nonce, H_METHOD: method,
            H_SIG: sign(method, secret, canonical)}


def verify_signature(headers: Mapping[str, str], secret_for_key: Mapping[str, bytes],
                     http_method: str, path: str, query: str, body: bytes, *,
                     seen_nonce=None, now: float | None = None) -> str | None:  # type: ignore[no-untyped-def]
    """None when the request is signed correctly, else the reason it is refused.
    `headers` is case-insensitive (httpx/starlette headers are); `seen_nonce(nonce)`
    returns True when the nonce was used before (and records it)."""
    key_id, ts, nonce = headers.get(H_KEY), headers.get(H_TS), headers.get(H_NONCE)
    method, sig = headers.get(H_METHOD, "HMAC-SHA256"), headers.get(H_SIG)
    if not (key_id and ts and nonce and sig):
        return _("the request is not signed (X-Key-Id, X-Timestamp, X-Nonce, X-Signature)")
    if method not in METHODS:
        return _("unknown signature method {method}", method=method)
    secret = secret_for_key.get(key_id)
    if secret is None:
        return _("unknown key id {key_id}", key_id=key_id)
    try:
        skew = abs((time.time() if now is None else now) - int(ts))
    except ValueError:
        return _("the timestamp is not a number")
    if skew > MAX_SKEW_S:
        return _("the timestamp is {seconds} s off (clocks out of step?)", seconds=int(skew))
    want = sign(method, secret, canonical_string(method, http_method, path, query, ts, nonce, body))
    if not std_hmac.compare_digest(want, sig.lower()):
        return _("the signature does not match the request")
    if seen_nonce is not None and seen_nonce(nonce):
        return _("the nonce was used before (a replayed request)")
    return None
