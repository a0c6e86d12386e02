"""The reference registry's ASGI application: `create_app(config)` → a Starlette app.

Answers use the envelope of Chinese government gateways:
    200 {"code": 0, "message": "成功", "data": {...}}
    404 {"code": 404, "message": "未查询到记录", "data": null}
and errors {"code": <HTTP status>, "message": "<English> / <中文>", "data": null}.
Each data request is authenticated first, then meets the faults in force, then its key is
checked (400 for a malformed ID number or credit code), then it is looked up.
"""
from __future__ import annotations

import asyncio
import json
import re
import sys
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Awaitable, Callable

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from app.checks import validate_credit_code, validate_id_number
from app.errors import UsageError
from app.sandbox.registry_service.auth import Authenticator, NonceStore, same_secret
from app.sandbox.registry_service.config import ServiceConfig
from app.sandbox.registry_service.faults import Fault, FaultSwitch, faults_from_json
from app.sandbox.registry_service.requestlog import RequestLog, route_words
from app.sandbox.registry_service.store import RecordStore

__all__ = ["create_app", "envelope", "admin_handler", "SUCCESS", "NOT_FOUND"]

SUCCESS = "成功"
NOT_FOUND = "未查询到记录"

# (key or None, 400 message or None)
KeyResult = tuple[str | None, str | None]


@dataclass(frozen=True)
class Lookup:
    """One data endpoint: where it is, and where its request carries the look-up key."""
    name: str
    method: str
    path: str
    key_of: Callable[[Request, bytes], KeyResult]


def envelope(status: int, message: str, data: Any = None) -> JSONResponse:
    return JSONResponse({"code": 0 if status == 200 else status, "message": message,
                         "data": data}, status_code=status)


# --------------------------------------------------------------------------- keys

def _check_id(raw: str) -> KeyResult:
    v = raw.strip().upper()
    if not re.fullmatch(r"[0-9]{17}[0-9X]", v):
        return None, ("malformed ID number: it must be 17 digits and a last digit or X / "
                      "身份证号码格式错误")
    problems = validate_id_number(v)
    return (None, f"malformed ID number: {problems[0]} / 身份证号码格式错误") if problems else (v, None)


def _id_in_path(request: Request, body: bytes) -> KeyResult:
    return _check_id(request.path_params["id_number"])


def _id_in_body(request: Request, body: bytes) -> KeyResult:
    try:
        obj = json.loads(body)
    except ValueError:
        obj = None
    if not isinstance(obj, dict) or not isinstance(obj.get("zjhm"), str):
        return None, ('send a JSON body {"zjhm": "<ID number>"} / 请求体应为 JSON，'
                      '并包含证件号码 zjhm')
    return _check_id(obj["zjhm"])


def _credit_code_in_query(request: Request, body: bytes) -> KeyResult:
    raw = request.query_params.get("uniscid")
    if not raw:
        return None, "the query needs uniscid=<unified social credit code> / 缺少参数 uniscid"
    v = raw.strip().upper()
    problems = (validate_credit_code(v) if re.fullmatch(r"[0-9A-Z]{18}", v)
                else ["it must be 18 digits and capital letters"])
    if problems:
        return None, f"malformed credit code: {problems[0]} / 统一社会信用代码格式错误"
    return v, None


LOOKUPS = (
    Lookup("population", "GET", "/population/v1/persons/{id_number}", _id_in_path),
    Lookup("licence", "GET", "/licence/v1/business-licences", _credit_code_in_query),
    Lookup("realestate", "POST", "/realestate/v1/query", _id_in_body),
    Lookup("marriage", "GET", "/marriage/v1/records/{id_number}", _id_in_path),
    Lookup("transport", "GET", "/transport/v1/practitioners/{id_number}", _id_in_path),
)


# --------------------------------------------------------------------------- faulty answers

def _garbage(data: Any) -> Response:
    """The answer cut off half-way, as a proxy that dropped the connection leaves it; cut
    between characters, so that it fails as JSON rather than as UTF-8."""
    text = json.dumps({"code": 0, "message": SUCCESS, "data": data}, ensure_ascii=False)
    return Response(text[:len(text) // 2].encode("utf-8"), status_code=200,
                    media_type="application/json")


def _wrong_schema(data: dict[str, Any] | None) -> dict[str, Any]:
    """A gateway that changed its format: upper-case keys, every value inside a list."""
    if data is None:
        return {"RESULT": ["NO_DATA"], "COUNT": ["0"]}
    return {key.upper(): [value] for key, value in data.items()}


# --------------------------------------------------------------------------- handlers

Handler = Callable[[Request], Awaitable[Response]]


def _data_handler(lookup: Lookup, store: RecordStore, auth: Authenticator,
                  switch: FaultSwitch) -> Handler:
    async def handle(request: Request) -> Response:
        body = await request.body()
        reason = auth.refuse(request.method, request.scope["path"],
                             request.scope["query_string"].decode("latin-1"),
                             request.headers, body)
        if reason:
            return envelope(401, reason)
        faults = switch.for_endpoint(lookup.name)
        if "delay" in faults:
            try:
                await asyncio.sleep(float(faults["delay"].value or 0))   # holds up this request only
            except asyncio.CancelledError:
                # uvicorn cancels what still runs a few seconds after SIGTERM: answer it as
                # a stopping gateway would, rather than with a bare 500 and a traceback.
                return envelope(503, "the registry is shutting down / 服务正在停止")
        if "status" in faults:
            code = int(faults["status"].value or 500)
            return envelope(code, f"{HTTPStatus(code).phrase} (a fault switched on for tests) / "
                                  "服务异常（模拟故障）")
        key, problem = lookup.key_of(request, body)
        if key is None:
            return envelope(400, problem or "bad request / 请求参数错误")
        data = store.get(lookup.name, key)
        if "garbage" in faults:
            return _garbage(data)
        if "schema" in faults:
            return envelope(200, SUCCESS, _wrong_schema(data))
        if data is None:
            return envelope(404, NOT_FOUND)
        return envelope(200, SUCCESS, data)
    return handle


def admin_handler(admin_token: str | None, switch: FaultSwitch,
                  parse: Callable[[Any], tuple[Fault, ...]] = faults_from_json) -> Handler:
    """GET/PUT/DELETE /_admin/faults; `parse` reads a PUT body (the sandbox gateways have
    their own fault kinds)."""
    async def faults(request: Request) -> Response:
        if not admin_token:
            return envelope(404, "admin endpoints are disabled: start the server with "
                                 "DESKHAND_REGISTRY_ADMIN_TOKEN set / 管理接口未启用")
        if not same_secret(request.headers.get("x-admin-token", ""), admin_token):
            return envelope(401, "wrong or missing X-Admin-Token / 管理令牌无效")
        if request.method == "PUT":
            try:
                switch.faults = parse(json.loads(await request.body()))
            except ValueError:
                return envelope(400, "the body is not JSON / 请求体不是合法的 JSON")
            except UsageError as exc:
                return envelope(400, f"{exc.message} / 故障设置有误")
        elif request.method == "DELETE":
            switch.faults = ()
        return envelope(200, SUCCESS, {"faults": [f.spec() for f in switch.faults]})
    return faults


async def _http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    message = {404: "no such endpoint / 接口不存在",
               405: "method not allowed / 请求方法不被允许"}.get(status)
    return envelope(status, message or f"{HTTPStatus(status).phrase} / 请求错误")


async def _server_error(request: Request, exc: Exception) -> Response:
    return envelope(500, "internal error in the reference registry / 服务内部错误")


# --------------------------------------------------------------------------- the app

def create_app(config: ServiceConfig, *, store: RecordStore | None = None,
               log: Callable[[str], None] | None = None) -> Starlette:
    """The registry as an ASGI app. `store` defaults to one seeded from `config`; `log`
    receives one masked line per request (default: stderr). `app.state.faults` is the
    FaultSwitch the admin endpoint changes."""
    store = store or RecordStore.open(config.db_path, config.people)
    auth = Authenticator(config.credentials, NonceStore())
    switch = FaultSwitch(config.faults)
    routes = [Route(lk.path, _data_handler(lk, store, auth, switch), methods=[lk.method])
              for lk in LOOKUPS]
    routes.append(Route("/_admin/faults", admin_handler(config.admin_token, switch),
                        methods=["GET", "PUT", "DELETE"]))
    write = log or (lambda line: print(line, file=sys.stderr, flush=True))
    app = Starlette(
        routes=routes,
        middleware=[Middleware(RequestLog, write=write, known=route_words(r.path for r in routes))],
        exception_handlers={HTTPException: _http_error, Exception: _server_error})
    app.state.faults = switch
    app.state.store = store
    return app
