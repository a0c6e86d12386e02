"""`scheme: token`: a gateway that first hands out a token for the app key and secret
(its "获取令牌/获取 access_token" service), then wants it on every request until it
expires (docs/registries.md). The token is kept in memory only, per client, and asked for
again when it expires or the gateway refuses it.
"""
from __future__ import annotations

import json
import secrets
import threading
import time
from typing import Any, Generator

import httpx

from app.errors import RegistryAuthError
from app.i18n import _
from app.privacy import mask_text
from app.registry.request import MISSING, json_path, render
from app.registry.shapes import TokenSpec

__all__ = ["TokenAuth"]

EARLY_S = 30.0        # asked for again up to this long before it expires (clocks, slow requests)


class TokenAuth(httpx.Auth):
    requires_response_body = True

    def __init__(self, spec: TokenSpec, base_url: str, key_id: str, secret: str,
                 registry: str, clock: Any = time.monotonic) -> None:
        self.spec = spec
        self.base_url = base_url.rstrip("/")
        self.key_id = key_id
        self._secret = secret
        self.registry = registry
        self._clock = clock
        self._token: str | None = None
        self._expires = 0.0
        self._lock = threading.Lock()
        self.fetched = 0              # how many tokens were asked for (tests, registry test)

    def __repr__(self) -> str:       # neither the secret nor the token
        return f"TokenAuth({self.registry}, key_id={self.key_id!r})"

    def invalidate(self) -> None:
        """The gateway refused the token (an expiry it did not announce): ask again."""
        with self._lock:
            self._token = None

    def _valid(self) -> str | None:
        with self._lock:
            return self._token if self._token and self._clock() < self._expires else None

    def _token_request(self) -> httpx.Request:
        values = {"key_id": self.key_id, "secret": self._secret,
                  "timestamp": str(int(time.time())), "nonce": secrets.token_hex(16)}
        s = self.spec
        content = None
        headers = {"Accept": "application/json"}
        if s.json is not None:
            content = json.dumps(render(s.json, values), ensure_ascii=False,
                                 separators=(",", ":")).encode("utf-8")
            headers["Content-Type"] = "application/json"
        return httpx.Request(s.method, self.base_url + s.path,
                             params=render(s.query, values) or None, content=content,
                             headers=headers)

    def _take(self, response: httpx.Response) -> str:
        try:
            data = response.json()
        except ValueError:
            data = MISSING
        token = json_path(data, self.spec.token) if data is not MISSING else MISSING
        if response.status_code >= 400 or not isinstance(token, str) or not token:
            said = ""
            if isinstance(data, dict):
                said = str(data.get("msg") or data.get("message") or data.get("errmsg") or "")
            raise RegistryAuthError(_(
                "The registry {registry} did not hand out a token (HTTP {status}{said}); ask "
                "IT to check the app key and the credential.", registry=self.registry,
                status=response.status_code, said=f": {mask_text(said)[:120]}" if said else ""))
        ttl = self.spec.ttl_s
        if self.spec.expires_in:
            given = json_path(data, self.spec.expires_in)
            try:
                ttl = float(given)   # type: ignore[arg-type]
            except (TypeError, ValueError):
                pass
        with self._lock:
            self._token = token
            self._expires = self._clock() + max(0.5, ttl - min(EARLY_S, ttl * 0.1))
            self.fetched += 1
        return token

    def _carry(self, request: httpx.Request, token: str) -> None:
        for h, t in self.spec.headers.items():
            request.headers[h] = t.format(token=token)
        if self.spec.params:
            url = request.url
            for k, t in self.spec.params.items():
                url = url.copy_set_param(k, t.format(token=token))
            request.url = url

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        token = self._valid()
        fresh = token is None
        if token is None:
            token = self._take((yield self._token_request()))
        self._carry(request, token)
        response = yield request
        if response.status_code in (401, 403) and not fresh:
            self.invalidate()           # kept too long: one new token, one more try
            self._carry(request, self._take((yield self._token_request())))
            yield request
