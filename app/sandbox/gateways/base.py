"""What the three sandbox gateways share: the request as received, refusals by kind,
the clock and nonce checks, the people they know, and the order a data request is
handled in (gateway.py turns a Profile into a Starlette app).

A Profile (prov.py, city.py, ministry.py) says everything that differs: its routes, how
it reads which service and key a request asks for, how it verifies a signature, and how
it writes records, answers and refusals. Refusal kinds are the ones docs/registries.md
names: signature, replay, busy, unknown_service, bad_request, not_found.
"""
from __future__ import annotations

import hmac
import re
import time
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable, Mapping, Protocol

from starlette.responses import Response

from app.checks import validate_credit_code, validate_id_number
from app.sandbox.gateways.differences import changes_for
from app.sandbox.gateways.facts import Facts, facts_for
from app.sandbox.people import make_person
from app.sandbox.registry_service.auth import NonceStore

__all__ = ["Incoming", "Refusal", "Service", "Profile", "People", "Guard", "MAX_SKEW_S",
           "check_id_number", "check_credit_code", "same_text"]

MAX_SKEW_S = 300


@dataclass(frozen=True)
class Incoming:
    method: str
    path: str                       # percent-decoded, as the server routed it
    query: str                      # raw query string
    headers: Mapping[str, str]      # case-insensitive (Starlette's Headers)
    body: bytes


@dataclass(frozen=True)
class Refusal:
    kind: str     # signature | replay | busy | unknown_service | bad_request | not_found
    message: str                    # as the gateway says it; "" for the profile's usual words
    detail: str = ""                # replay: "stale" (the clock) or "nonce" (used before)


@dataclass(frozen=True)
class Service:
    endpoint: str                   # person | marriage | licence | insurance | transport
    key: str                        # the ID number or credit code asked for


class Profile(Protocol):
    name: str
    endpoints: tuple[str, ...]      # the names faults (and the settings) use
    routes: tuple[tuple[str, tuple[str, ...]], ...]     # (path, methods)

    def verify(self, inc: Incoming, guard: "Guard") -> Refusal | None: ...
    def service(self, inc: Incoming) -> Service | Refusal: ...
    def records(self, endpoint: str, facts: Facts) -> list[dict[str, Any]]: ...
    def answer(self, endpoint: str, records: list[dict[str, Any]]) -> Response: ...
    def changed_shape(self, endpoint: str, records: list[dict[str, Any]]) -> Response: ...
    def refuse(self, refusal: Refusal) -> Response: ...
    def failure(self, status: int, inc: Incoming) -> Response: ...


@dataclass
class Guard:
    """The secret, the clock and the nonces one gateway checks against."""
    key_id: str
    secret: bytes = field(repr=False)
    nonces: NonceStore = field(default_factory=NonceStore)
    clock: Callable[[], float] = time.time

    def skew(self, timestamp_s: float) -> float:
        return timestamp_s - self.clock()

    def stale(self, timestamp_s: float) -> Refusal | None:
        off = self.skew(timestamp_s)
        if abs(off) <= MAX_SKEW_S:
            return None
        return Refusal("replay", f"请求已过期：时间戳与服务器时间相差 {abs(off):.0f} 秒"
                                 f"（允许 ±{MAX_SKEW_S} 秒，请校准时钟）", "stale")

    def replayed(self, nonce: str) -> Refusal | None:
        """Called only once the signature has checked, so that a forger cannot use up
        someone else's nonces."""
        if self.nonces.seen(nonce):
            return Refusal("replay", "重复请求：随机数已使用（疑似重放）", "nonce")
        return None


class People:
    """The generated people a gateway holds (seeds 0..n-1), found by ID number or credit
    code; each profile's facts (with its deliberate differences) are made on first use."""

    def __init__(self, profile: str, n: int) -> None:
        self.profile = profile
        self.by_id: dict[str, int] = {}
        self.by_credit_code: dict[str, int] = {}
        for seed in range(n):
            p = make_person(seed)
            self.by_id.setdefault(p.id_number, seed)
            self.by_credit_code.setdefault(p.credit_code, seed)
        self.facts = lru_cache(maxsize=4096)(self._facts)

    def _facts(self, seed: int) -> Facts:
        return facts_for(seed, changes_for(self.profile, seed))

    def __len__(self) -> int:
        return len(self.by_id)


def check_id_number(raw: Any, name: str) -> str | Refusal:
    v = raw.strip().upper() if isinstance(raw, str) else ""
    if not re.fullmatch(r"[0-9]{17}[0-9X]", v) or validate_id_number(v):
        return Refusal("bad_request", f"参数错误：{name} 不是有效的公民身份号码")
    return v


def check_credit_code(raw: Any, name: str) -> str | Refusal:
    v = raw.strip().upper() if isinstance(raw, str) else ""
    if not re.fullmatch(r"[0-9A-Z]{18}", v) or validate_credit_code(v):
        return Refusal("bad_request", f"参数错误：{name} 不是有效的统一社会信用代码")
    return v


def same_text(given: str, expected: str) -> bool:
    """Constant-time comparison of a signature (bytes, so a non-ASCII header cannot raise)."""
    return hmac.compare_digest(given.encode("utf-8", "surrogateescape"), expected.encode("utf-8"))
