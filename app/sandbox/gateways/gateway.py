"""A sandbox gateway as an ASGI app: `create_gateway_app(profile, config)`.

Each data request is handled in this order, the same for every profile:
    signature (key, clock, signature, nonce)  → the profile's signature / replay refusal
    which service and key                    → unknown_service / bad_request
    faults in force for that endpoint        → delay, drop, status, busy, sign, replay, unknown
    the look-up                              → not_found, or the records (garbage, schema)
The faults come after the signature check, as on the reference registry: a client still
has to sign to meet them.

A dropped connection is the socket closed without a byte of answer, the way a gateway's
load balancer drops a request it has given up on; the request log shows it as 444.
"""
from __future__ import annotations

import asyncio
import json
import sys
from typing import Any, Callable

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from app.sandbox.gateways.base import Guard, Incoming, People, Profile, Refusal
from app.sandbox.gateways.profiles import fault_parser
from app.sandbox.registry_service.config import ServiceConfig
from app.sandbox.registry_service.faults import FaultSwitch
from app.sandbox.registry_service.requestlog import RequestLog, route_words
from app.sandbox.registry_service.web import admin_handler

__all__ = ["create_gateway_app", "garbage"]

DROP = "deskhand.drop"          # scope key: closes this request's connection
DROPPED = 444                   # what the log shows for a dropped request (nginx's code)


def garbage(envelope: dict[str, Any]) -> Response:
    """The answer cut off half-way (between characters, so it fails as JSON, not UTF-8)."""
    text = json.dumps(envelope, ensure_ascii=False)
    return Response(text[:len(text) // 2].encode("utf-8"), status_code=200,
                    media_type="application/json")


class _Droppable:
    """Outermost ASGI layer: puts into the scope a way to close this request's connection
    without answering (uvicorn's send is bound to its request cycle, which holds the
    transport)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            transport = getattr(getattr(send, "__self__", None), "transport", None)
            scope[DROP] = transport.close if transport is not None else None
        await self.app(scope, receive, send)


async def _drop(request: Request) -> Response:
    close = request.scope.get(DROP)
    if close is None:       # not under uvicorn: the nearest thing is an empty 502
        return Response(b"", status_code=502)
    close()
    # Let the transport report the connection lost, so that uvicorn writes nothing more.
    for _ in range(3):
        await asyncio.sleep(0)
    return Response(b"", status_code=DROPPED)


def _handler(profile: Profile, people: People, guard: Guard, switch: FaultSwitch):
    async def handle(request: Request) -> Response:
        inc = Incoming(request.method, request.scope["path"],
                       request.scope["query_string"].decode("latin-1"), request.headers,
                       await request.body())
        refusal = profile.verify(inc, guard)
        if refusal:
            return profile.refuse(refusal)
        service = profile.service(inc)
        if isinstance(service, Refusal):
            return profile.refuse(service)
        faults = switch.for_endpoint(service.endpoint)
        if "delay" in faults:
            try:
                await asyncio.sleep(float(faults["delay"].value or 0))
            except asyncio.CancelledError:
                return profile.failure(503, inc)     # shutting down
        if "drop" in faults:
            return await _drop(request)
        if "status" in faults:
            return profile.failure(int(faults["status"].value or 500), inc)
        for fault, kind, detail in (("busy", "busy", ""), ("sign", "signature", ""),
                                    ("replay", "replay", "nonce"),
                                    ("unknown", "unknown_service", "")):
            if fault in faults:
                return profile.refuse(Refusal(kind, "", detail))
        index = people.by_credit_code if service.endpoint == "licence" else people.by_id
        seed = index.get(service.key)
        if seed is None:
            return profile.refuse(Refusal("not_found", ""))
        records = profile.records(service.endpoint, people.facts(seed))
        if "garbage" in faults:
            return garbage(json.loads(profile.answer(service.endpoint, records).body))
        if "schema" in faults:
            return profile.changed_shape(service.endpoint, records)
        return profile.answer(service.endpoint, records)
    return handle


def create_gateway_app(profile: Profile, config: ServiceConfig, *, people: People | None = None,
                       log: Callable[[str], None] | None = None) -> ASGIApp:
    """The gateway `profile` as an ASGI app, holding people 0..config.people-1."""
    if config.credentials.secret is None:
        raise ValueError("a gateway needs its secret")
    people = people or People(profile.name, config.people)
    guard = Guard(config.credentials.key_id, config.credentials.secret)
    switch = FaultSwitch(config.faults)
    handle = _handler(profile, people, guard, switch)
    routes = [Route(path, handle, methods=list(methods)) for path, methods in profile.routes]
    routes.append(Route("/_admin/faults", admin_handler(config.admin_token, switch,
                                                        fault_parser(profile.name)),
                        methods=["GET", "PUT", "DELETE"]))

    async def http_error(request: Request, exc: Exception) -> Response:
        # Outside the gateway's routes the web server answers, not the gateway.
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        return PlainTextResponse(f"{status} {'Not Found' if status == 404 else 'Error'}",
                                 status_code=status)

    write = log or (lambda line: print(line, file=sys.stderr, flush=True))
    app = Starlette(
        routes=routes,
        middleware=[Middleware(RequestLog, write=write,
                               known=route_words(r.path for r in routes))],
        exception_handlers={HTTPException: http_error, Exception: http_error})
    app.state.faults = switch
    app.state.people = people
    return _Droppable(app)
