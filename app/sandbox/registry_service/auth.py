"""Who may read the reference registry: HMAC-signed requests (app.registry.signing, SHA-256
or SM3), and, when configured, a bearer token or an X-API-Key header, so that each of the
client's auth schemes can be tried against a real server.

Every refusal is a reason in English and Chinese, for the 401 envelope's message.
"""
from __future__ import annotations

import hmac
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Callable, Mapping

from app.registry.signing import MAX_SKEW_S, verify_signature

__all__ = ["Credentials", "NonceStore", "Authenticator", "MIN_NONCE_CHARS", "same_secret"]

MIN_NONCE_CHARS = 16

# verify_signature's reasons (English) start with these words; the Chinese half of the message.
_CHINESE = (
    ("the request is not signed", "请求未签名"),
    ("unknown signature method", "不支持的签名算法"),
    ("unknown key id", "未知的密钥编号"),
    ("the timestamp is not a number", "时间戳格式错误"),
    ("the timestamp is", "请求时间戳超出允许范围，请校准时钟"),
    ("the signature does not match", "签名与请求不符"),
    ("the nonce was used before", "随机数已使用，疑似重放请求"),
)


@dataclass(frozen=True)
class Credentials:
    """What the server accepts. Secrets stay out of repr (and so out of logs)."""
    key_id: str = "deskhand-demo"
    secret: bytes | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)
    api_key: str | None = field(default=None, repr=False)

    @property
    def any(self) -> bool:
        return bool(self.secret or self.token or self.api_key)


class NonceStore:
    """Nonces seen within the timestamp window. A nonce older than the window cannot be
    replayed anyway (its timestamp is refused), so it is forgotten; entries expire in the
    order they arrived, which keeps purging cheap."""

    def __init__(self, window_s: float = 2 * MAX_SKEW_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._window = window_s
        self._clock = clock
        self._order: deque[tuple[float, str]] = deque()
        self._seen: set[str] = set()

    def seen(self, nonce: str) -> bool:
        """True if `nonce` was seen within the window; records it either way."""
        now = self._clock()
        while self._order and self._order[0][0] <= now:
            self._seen.discard(self._order.popleft()[1])
        if nonce in self._seen:
            return True
        self._seen.add(nonce)
        self._order.append((now + self._window, nonce))
        return False

    def __len__(self) -> int:
        return len(self._seen)


class Authenticator:
    def __init__(self, credentials: Credentials, nonces: NonceStore) -> None:
        self._creds = credentials
        self._nonces = nonces

    def refuse(self, http_method: str, path: str, query: str, headers: Mapping[str, str],
               body: bytes) -> str | None:
        """None when the request may be answered, else why not (English / Chinese)."""
        c = self._creds
        authorization = headers.get("authorization", "")
        if authorization[:7].lower() == "bearer ":
            if not c.token:
                return "bearer tokens are not accepted by this server / 本服务不接受 Bearer 令牌"
            return None if same_secret(authorization[7:].strip(), c.token) else \
                "the bearer token is wrong / 访问令牌无效"
        if "x-api-key" in headers:
            if not c.api_key:
                return "API keys are not accepted by this server / 本服务不接受 API Key"
            return None if same_secret(headers["x-api-key"], c.api_key) else \
                "the API key is wrong / API Key 无效"
        if not c.secret:
            schemes = [s for s, on in (("Authorization: Bearer", c.token),
                                       ("X-API-Key", c.api_key)) if on]
            return (f"no credentials: send {' or '.join(schemes)} / 缺少认证信息"
                    if schemes else "signed requests are not accepted / 本服务未配置签名密钥")
        nonce = headers.get("x-nonce")
        if nonce is not None and len(nonce) < MIN_NONCE_CHARS:
            return f"the nonce is shorter than {MIN_NONCE_CHARS} characters / 随机数长度不足"
        reason = verify_signature(headers, {c.key_id: c.secret}, http_method, path, query, body,
                                  seen_nonce=self._nonces.seen)
        if reason is None:
            return None
        chinese = next((zh for en, zh in _CHINESE if reason.startswith(en)), "签名校验失败")
        return f"{reason} / {chinese}"


def same_secret(given: str, expected: str) -> bool:
    """Constant-time comparison; bytes, so that a non-ASCII header cannot raise."""
    return hmac.compare_digest(given.encode("utf-8", "surrogateescape"), expected.encode("utf-8"))
