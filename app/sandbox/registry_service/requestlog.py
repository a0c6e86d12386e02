"""One line per request on the server's log, with no personal data in clear (PIPL):
every path segment that is not part of a route's fixed wording, and every query value,
is masked the way app.privacy masks an ID number (3508**********123X); so is a query
parameter's name unless it is plain letters."""
from __future__ import annotations

import time
from typing import Callable, Iterable
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.privacy import mask

__all__ = ["RequestLog", "masked_target", "route_words"]


def route_words(paths: Iterable[str]) -> frozenset[str]:
    """The fixed segments of route paths ('/population/v1/persons/{id}' → population, v1,
    persons): the only parts of a path logged as they are."""
    return frozenset(seg for p in paths for seg in p.split("/") if seg and "{" not in seg)


def masked_target(path: str, query: str, known: frozenset[str]) -> str:
    segments = [seg if seg in known or not seg else mask(seg, "id_number")
                for seg in path.split("/")]
    target = "/".join(segments)
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        target += "?" + "&".join(f"{_name(k)}={mask(v, 'id_number')}" for k, v in pairs)
    return target


def _name(key: str) -> str:
    # Parameter names (uniscid, page_size) are kept; anything else in the name's place is
    # treated as a value.
    return key if key.isascii() and key.replace("_", "").isalpha() else mask(key, "id_number")


class RequestLog:
    """ASGI middleware: `write(line)` once per HTTP request, after its answer (or its
    failure: a request that raised is logged as 500)."""

    def __init__(self, app: ASGIApp, write: Callable[[str], None], known: frozenset[str]) -> None:
        self.app = app
        self.write = write
        self.known = known

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            ms = (time.perf_counter() - start) * 1000
            target = masked_target(scope["path"], scope["query_string"].decode("latin-1"),
                                   self.known)
            self.write(f"{time.strftime('%Y-%m-%dT%H:%M:%S')} {scope['method']} {target} "
                       f"{status} {ms:.1f} ms")
