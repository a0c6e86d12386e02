"""Test-only callers of the sandbox gateways, each written from the gateway's interface
description in docs/registry-service.md — not from app/registry (the client under test)
nor from app/sandbox/gateways (the servers): a second, independent reading of each
description. SM3 comes from hashlib (OpenSSL) here, from `cryptography` in the servers.

    c = CALLERS["city"](server)              # server: a RegistryServer(profile="city")
    c.records("person", id_number)           # the records of a successful answer
    c.reply(c.call("marriage", id_number, nonce="…", ts=…, secret=b"wrong"))
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
import uuid
from dataclasses import dataclass
from typing import Any

import httpx

from registry_server import RegistryServer

__all__ = ["Reply", "Caller", "CALLERS", "prov_signature", "city_sign", "ministry_sign", "sm3_hex"]


def sm3_hex(data: bytes) -> str:
    return hashlib.new("sm3", data).hexdigest()


def prov_signature(secret: bytes, path: str, body: bytes, ts: str, nonce: str) -> str:
    text = f"POST\n{path}\n{hashlib.sha256(body).hexdigest()}\n{ts}\n{nonce}"
    return base64.b64encode(hmac.new(secret, text.encode(), hashlib.sha256).digest()).decode()


def city_sign(params: dict[str, str], secret: bytes) -> str:
    text = "&".join(f"{k}={v}" for k, v in sorted(params.items()) if v and k != "sign")
    return hashlib.md5(f"{text}&secret={secret.decode()}".encode()).hexdigest().upper()


def ministry_sign(secret: bytes, method: str, path: str, ts: str, nonce: str, body: bytes) -> str:
    text = "&".join((method, path, ts, nonce, sm3_hex(body)))
    return hmac.new(secret, text.encode(), lambda: hashlib.new("sm3")).hexdigest()


@dataclass
class Reply:
    http: int                       # HTTP status
    code: str                       # the envelope's outcome code, as text
    message: str
    records: list[dict[str, Any]] | None


class Caller:
    """One gateway's requests, signed as its description says. `tamper` keys: ts (the
    timestamp to send), nonce, secret (to sign with), sign (a signature to send instead)."""
    profile = ""
    ok = ""

    def __init__(self, server: RegistryServer) -> None:
        self.server = server
        self.http = httpx.Client(base_url=server.url, timeout=10.0)

    def call(self, endpoint: str, key: str, **tamper: Any) -> httpx.Response:
        raise NotImplementedError

    def service(self, name: str, key: str, **tamper: Any) -> httpx.Response:
        """A request for a service by the gateway's own name for it (unknown ones too)."""
        raise NotImplementedError

    def reply(self, r: httpx.Response) -> Reply:
        raise NotImplementedError

    def records(self, endpoint: str, key: str) -> list[dict[str, Any]]:
        rep = self.reply(self.call(endpoint, key))
        assert (rep.http, rep.code) == (200, self.ok), rep
        assert rep.records is not None
        return rep.records


class ProvCaller(Caller):
    """POST /share/api/v2/query; X-Ca-* headers; base64 HMAC-SHA256."""
    profile, ok = "prov", "0000"
    CODES = {"person": ("GA-RK-001", "sfzh"), "marriage": ("MZ-HY-002", "sfzh"),
             "licence": ("SC-ZZ-003", "tyshxydm")}

    def call(self, endpoint: str, key: str, **tamper: Any) -> httpx.Response:
        code, param = self.CODES[endpoint]
        return self.service(code, key, param=param, **tamper)

    def service(self, name: str, key: str, param: str = "sfzh", **tamper: Any) -> httpx.Response:
        body = json.dumps({"serviceCode": name, "params": {param: key}},
                          ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        ts = str(tamper.get("ts", int(time.time() * 1000)))
        nonce = tamper.get("nonce") or str(uuid.uuid4())
        path = "/share/api/v2/query"
        sign = prov_signature(tamper.get("secret", self.server.secret), path, body, ts, nonce)
        headers = {"Content-Type": "application/json; charset=utf-8",
                   "X-Ca-Key": self.server.key_id, "X-Ca-Timestamp": ts, "X-Ca-Nonce": nonce, "X-Ca-Signature-Method": "HmacSHA256",
                   "X-Ca-Signature": tamper.get("sign", sign)}
        return self.http.post(path, content=body, headers=headers)

    def reply(self, r: httpx.Response) -> Reply:
        env = r.json()
        data = env.get("data") or {}
        return Reply(r.status_code, env["code"], env["msg"], data.get("list"))


class CityCaller(Caller):
    """GET /api/v1/{rkxx|hyxx|sbxx}; appKey, timestamp, nonce, sign in the query."""
    profile, ok = "city", "200"
    NAMES = {"person": "rkxx", "marriage": "hyxx", "insurance": "sbxx"}

    def call(self, endpoint: str, key: str, **tamper: Any) -> httpx.Response:
        return self.service(self.NAMES[endpoint], key, **tamper)

    def service(self, name: str, key: str, **tamper: Any) -> httpx.Response:
        params = {"sfzh": key, "appKey": self.server.key_id,
                  "timestamp": str(tamper.get("ts", int(time.time()))),
                  "nonce": tamper.get("nonce") or secrets.token_hex(16)}
        secret = tamper.get("secret", self.server.secret)
        params["sign"] = tamper.get("sign", city_sign(params, secret))
        return self.http.get(f"/api/v1/{name}", params=params)

    def reply(self, r: httpx.Response) -> Reply:
        env = r.json()
        result = env.get("result") or {}
        return Reply(r.status_code, str(env["status"]), env["message"], result.get("records"))


class MinistryCaller(Caller):
    """POST /gw/v1/{serviceId} {"idCard": …}; x-gw-* headers; hex HMAC-SM3."""
    profile, ok = "ministry", "0"
    IDS = {"person": "mps.population.query", "marriage": "mca.marriage.query",
           "transport": "mot.practitioner.query"}

    def call(self, endpoint: str, key: str, **tamper: Any) -> httpx.Response:
        return self.service(self.IDS[endpoint], key, **tamper)

    def service(self, name: str, key: str, **tamper: Any) -> httpx.Response:
        body = json.dumps({"idCard": key}, separators=(",", ":")).encode()
        path = f"/gw/v1/{name}"
        ts = str(tamper.get("ts", int(time.time())))
        nonce = tamper.get("nonce") or secrets.token_hex(16)
        secret = tamper.get("secret", self.server.secret)
        sign = ministry_sign(secret, "POST", path, ts, nonce, body)
        headers = {"Content-Type": "application/json", "x-gw-appid": self.server.key_id,
                   "x-gw-ts": ts, "x-gw-nonce": nonce, "x-gw-sign": tamper.get("sign", sign)}
        return self.http.post(path, content=body, headers=headers)

    def reply(self, r: httpx.Response) -> Reply:
        env = r.json()
        data = env.get("data")
        return Reply(r.status_code, str(env["errcode"]), env["errmsg"],
                     data if isinstance(data, list) else None)


CALLERS: dict[str, type[Caller]] = {"prov": ProvCaller, "city": CityCaller,
                                    "ministry": MinistryCaller}
