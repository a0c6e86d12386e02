"""`scheme: token` against a real token-issuing gateway on loopback (a small Starlette app
run by uvicorn in this process): the token is asked for once and carried, asked for again
when it expires or the gateway stops taking it, never printed, and a refused app secret is
a sentence naming the registry."""
from __future__ import annotations

import secrets
import socket
import threading
import time

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from app.registry.client import RegistryClient
from app.registry.settings import parse_registry_settings

APP_ID, APP_SECRET = "window-07", "秘密-s3cret"
ID = "350802199003071036"


class Gateway:
    """Tokens live `ttl` seconds; `revoke()` forgets them all (as a gateway restart does)."""

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self.tokens: dict[str, float] = {}
        self.issued = 0
        self.app = Starlette(routes=[Route("/gw/auth/token", self.token, methods=["POST"]),
                                     Route("/gw/api/person", self.person, methods=["GET"])])

    def revoke(self) -> None:
        self.tokens.clear()

    async def token(self, request: Request) -> JSONResponse:
        body = await request.json()
        if body != {"appId": APP_ID, "appSecret": APP_SECRET}:
            return JSONResponse({"code": "4001", "msg": "应用密钥错误"}, status_code=200)
        tok = secrets.token_hex(8)
        self.tokens[tok] = time.monotonic() + self.ttl
        self.issued += 1
        return JSONResponse({"code": "0", "msg": "ok",
                             "data": {"access_token": tok, "expires_in": self.ttl}})

    async def person(self, request: Request) -> JSONResponse:
        tok = request.headers.get("authorization", "").removeprefix("Bearer ")
        if self.tokens.get(tok, 0) < time.monotonic():
            return JSONResponse({"code": "4003", "msg": "令牌无效或已过期"})
        if request.query_params.get("sfzh") != ID:
            return JSONResponse({"code": "2001", "msg": "查无数据"})
        return JSONResponse({"code": "0", "msg": "ok", "data": {"xm": "张伟", "xb": "1"}})


@pytest.fixture
def gateway():
    gw = Gateway(ttl=60)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(gw.app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    gw.url = f"http://127.0.0.1:{port}/gw"
    yield gw
    server.should_exit = True
    thread.join(5)


def settings(url: str, *, ttl_path: str | None = "data.expires_in"):
    token = {"method": "POST", "path": "/auth/token",
             "json": {"appId": "{key_id}", "appSecret": "{secret}"},
             "token": "data.access_token", "headers": {"Authorization": "Bearer {token}"}}
    if ttl_path:
        token["expires_in"] = ttl_path
    return parse_registry_settings({"version": 1, "registries": {"gw": {
        "base_url": url, "timeout_s": 3,
        "auth": {"scheme": "token", "credential": "registry.gw.secret", "key_id": APP_ID,
                 "token": token},
        "answer": {"success": {"path": "code", "is": ["0"]}, "message": "msg",
                   "codes": {"signature": ["4003"], "not_found": ["2001"]}},
        "endpoints": {"person": {"path": "/api/person", "query": {"sfzh": "{id_number}"},
                                 "map": {"applicant_name": "data.xm",
                                         "gender": {"path": "data.xb", "dictionary": "sex"}}}}}}})


def test_a_token_is_asked_for_once_and_carried(gateway):
    with RegistryClient(settings(gateway.url), secrets=lambda n: APP_SECRET) as client:
        answers = [client.lookup("gw.person", {"id_number": ID}) for _ in range(3)]
        auth = repr(client._clients["gw"].auth)
    assert [a.status for a in answers] == ["found"] * 3 and gateway.issued == 1
    assert answers[0].values == {"applicant_name": "张伟", "gender": "男性"}
    assert auth.startswith("TokenAuth(gw") and APP_SECRET not in auth


def test_a_token_the_gateway_stopped_taking_is_renewed_once(gateway):
    with RegistryClient(settings(gateway.url), secrets=lambda n: APP_SECRET) as client:
        assert client.lookup("gw.person", {"id_number": ID}).status == "found"
        gateway.revoke()                                # before its announced expiry
        a = client.lookup("gw.person", {"id_number": ID})
    assert a.status == "found" and gateway.issued == 2


def test_an_expired_token_is_replaced_before_it_is_refused(gateway):
    gateway.ttl = 1.2            # kept 1.08 s (a tenth early): the second look-up asks again
    with RegistryClient(settings(gateway.url), secrets=lambda n: APP_SECRET) as client:
        assert client.lookup("gw.person", {"id_number": ID}).status == "found"
        time.sleep(1.3)
        assert client.lookup("gw.person", {"id_number": ID}).status == "found"
    assert gateway.issued == 2


def test_a_wrong_app_secret_is_a_sentence_naming_the_registry(gateway):
    with RegistryClient(settings(gateway.url), secrets=lambda n: "wrong") as client:
        a = client.lookup("gw.person", {"id_number": ID})
    assert a.status == "failed" and "gw did not hand out a token" in a.error.message
    assert "应用密钥错误" in a.error.message and "wrong" not in a.error.message


def test_no_record_is_still_no_record_with_a_token(gateway):
    with RegistryClient(settings(gateway.url), secrets=lambda n: APP_SECRET) as client:
        assert client.lookup("gw.person", {"id_number": "11010519491231002X"}).status == "not_found"
