"""Signing a request the way a gateway's own interface document describes (`auth.sign`,
docs/registries.md): a string built from a template over the request, a MAC or digest of
it, and headers or query parameters carrying the result. No gateway is known to this code;
everything comes from the settings.
"""
from __future__ import annotations

import base64
import email.utils
import hashlib
import hmac
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Generator

import httpx

from app.registry.shapes import SignSpec, template_fields

__all__ = ["Signed", "sign_request", "DescribedAuth", "digest", "encode"]


@dataclass(frozen=True)
class Signed:
    headers: dict[str, str]
    params: list[tuple[str, str]]     # added to the query, in this order
    string: str                       # exactly what was signed (holds the secret for plain digests)
    signature: str


def _sm3(data: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes
    h = hashes.Hash(hashes.SM3())
    h.update(data)
    return h.finalize()


def digest(kind: str, data: bytes) -> bytes:
    if kind == "sm3":
        return _sm3(data)
    return hashlib.new(kind, data).digest()        # sha256, md5


def _mac(kind: str, secret: bytes, data: bytes) -> bytes:
    if kind == "hmac-sha256":
        return hmac.new(secret, data, hashlib.sha256).digest()
    if kind == "hmac-sm3":
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives import hmac as chmac
        h = chmac.HMAC(secret, hashes.SM3())
        h.update(data)
        return h.finalize()
    return digest(kind, data)                       # a plain digest: the secret is in the string


def encode(raw: bytes, encoding: str) -> str:
    if encoding == "base64":
        return base64.b64encode(raw).decode("ascii")
    return raw.hex().upper() if encoding == "HEX" else raw.hex()


def timestamp(kind: str, t: float) -> str:
    if kind == "ms":
        return str(int(t * 1000))
    if kind == "s":
        return str(int(t))
    if kind == "rfc1123":
        return email.utils.formatdate(t, usegmt=True)
    local = datetime.fromtimestamp(int(t)).astimezone()     # the PC's clock and offset
    return local.isoformat() if kind == "iso" else local.strftime("%Y%m%d%H%M%S")


def _nonce(kind: str) -> str:
    if kind == "uuid":
        return str(uuid.uuid4())
    return secrets.token_hex(8 if kind == "hex16" else 16)


def sign_request(spec: SignSpec, *, key_id: str, secret: str, method: str, path: str,
                 query: list[tuple[str, str]], body: bytes, now: float | None = None,
                 nonce: str | None = None) -> Signed:
    """Sign one request. `query` is the request's own parameters (decoded, in order)."""
    t = time.time() if now is None else now
    values = {
        "method": method.upper(), "path": path or "/", "key_id": key_id,
        "timestamp": timestamp(spec.timestamp, t),
        "nonce": nonce or _nonce(spec.nonce),
        "body": body.decode("utf-8", "replace"),
        "body_hash": encode(digest(spec.body_hash, body), spec.body_hash_encoding),
    }
    before = [(k, v.format(**values, signature="")) for k, v in spec.params.items()
              if "signature" not in template_fields(v)]
    pairs = [*query, *before]
    if spec.skip_empty:
        pairs = [(k, v) for k, v in pairs if v != ""]
    if spec.query == "sorted":
        pairs = sorted(pairs)
    string = spec.string.format(**values, query="&".join(f"{k}={v}" for k, v in pairs),
                                secret=secret)
    signature = encode(_mac(spec.mac, secret.encode("utf-8"), string.encode("utf-8")),
                       spec.encoding)
    headers = {h: v.format(**values, signature=signature) for h, v in spec.headers.items()}
    after = [(k, v.format(**values, signature=signature)) for k, v in spec.params.items()
             if "signature" in template_fields(v)]
    return Signed(headers, [*before, *after], string, signature)


class DescribedAuth(httpx.Auth):
    """httpx auth for `scheme: signed`: a fresh timestamp and nonce on every attempt.
    `trace(signed)` sees each signature made (deskhand registry test prints it)."""

    requires_request_body = True

    def __init__(self, spec: SignSpec, key_id: str, secret: str,
                 trace: Callable[[Signed], None] | None = None) -> None:
        self.spec = spec
        self.key_id = key_id
        self._secret = secret
        self.trace = trace

    def __repr__(self) -> str:  # never the secret
        return f"DescribedAuth({self.spec.mac}, key_id={self.key_id!r})"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        signed = sign_request(self.spec, key_id=self.key_id, secret=self._secret,
                              method=request.method, path=request.url.path,
                              query=list(request.url.params.multi_items()), body=request.content)
        url = request.url
        for k, v in signed.params:
            url = url.copy_add_param(k, v)
        request.url = url
        request.headers.update(signed.headers)
        if self.trace is not None:
            self.trace(signed)
        yield request
