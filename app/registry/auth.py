"""httpx auth for the schemes gateways use. Secrets come from a callable (the vault's
`get`), asked once per client, never from settings or playbooks."""
from __future__ import annotations

from typing import Callable, Generator

import httpx

from app.registry.settings import AuthSpec
from app.registry.signer import DescribedAuth, Signed
from app.registry.signing import signature_headers
from app.registry.token import TokenAuth

__all__ = ["build_auth", "SignedAuth"]

Secrets = Callable[[str], str]


class SignedAuth(httpx.Auth):
    """HMAC-SHA256 or HMAC-SM3 over method, path, query, timestamp, nonce and body
    (app.registry.signing); a fresh timestamp and nonce on every attempt."""

    requires_request_body = True

    def __init__(self, method: str, key_id: str, secret: bytes) -> None:
        self.method = method
        self.key_id = key_id
        self._secret = secret

    def __repr__(self) -> str:  # the secret never shows up in a repr or a log
        return f"SignedAuth({self.method}, key_id={self.key_id!r})"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers.update(signature_headers(
            self.method, self.key_id, self._secret, request.method, request.url.path,
            request.url.query.decode("utf-8", "replace"), request.content))
        yield request


class _HeaderAuth(httpx.Auth):
    def __init__(self, header: str, value: str) -> None:
        self.header = header
        self._value = value

    def __repr__(self) -> str:
        return f"HeaderAuth({self.header})"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers[self.header] = self._value
        yield request


def build_auth(spec: AuthSpec, secrets: Secrets,
               trace: Callable[[Signed], None] | None = None, *, base_url: str = "",
               registry: str = "") -> httpx.Auth | None:
    """The httpx auth for `spec`; raises the vault's errors when the credential is missing.
    `trace` sees each described signature (deskhand registry test)."""
    if spec.scheme in ("none", "client-cert"):
        return None     # a client certificate is set on the client itself
    assert spec.credential is not None   # settings refuse these schemes without one
    secret = secrets(spec.credential)
    if spec.scheme == "signed":
        assert spec.sign is not None
        return DescribedAuth(spec.sign, spec.key_id or "", secret, trace)
    if spec.scheme == "token":
        assert spec.token is not None
        return TokenAuth(spec.token, base_url, spec.key_id or "", secret, registry)
    if spec.scheme == "bearer":
        return _HeaderAuth("Authorization", f"Bearer {secret}")
    if spec.scheme == "api-key":
        return _HeaderAuth(spec.header, secret)
    method = "HMAC-SM3" if spec.scheme == "hmac-sm3" else "HMAC-SHA256"
    return SignedAuth(method, spec.key_id or "", secret.encode("utf-8"))
