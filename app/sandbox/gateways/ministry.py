"""ministry — 部委接口 reached through the national platform (国家政务服务平台), as its
interface document describes it (docs/registry-service.md, "Gateway profile ministry").

    POST /gw/v1/{serviceId}        {"idCard": "…"}
    x-gw-appid, x-gw-ts (seconds), x-gw-nonce (16–64 characters),
    x-gw-sign = lower-case hex HMAC-SM3(secret,
        method + "&" + path + "&" + ts + "&" + nonce + "&" + hex(SM3(body)))
    {"errcode": 0, "errmsg": "", "data": [...]} with the HTTP status saying the outcome too:
    401 errcode 40001 signature, 403 40002 replay, 400 40003 parameters, 404 40004 unknown
    service, 404 40400 no such person, 429 42900 busy (Retry-After)
Services: mps.population.query (公安部 人口), mca.marriage.query (民政部 婚姻登记, every
registration, in no particular order), mot.practitioner.query (交通运输部 从业资格证, every
certificate; the newest by issueDate is current; none is an empty list).
Codes: gender GB/T 2261.1 as a JSON number, the ethnic group in words (畲族), marital
status GB/T 2261.2 with sub-codes; dates 1990-03-07 and, for marriages, 20010309.
"""
from __future__ import annotations

import json
import random
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from starlette.responses import JSONResponse, Response

from app.sandbox.gateways.base import Guard, Incoming, Refusal, Service, check_id_number, same_text
from app.sandbox.gateways.codes import SEX_GB
from app.sandbox.gateways.facts import Facts
from app.sandbox.gateways.profiles import ENDPOINTS

__all__ = ["Ministry", "SERVICES", "sm3_hex", "hmac_sm3_hex"]

SERVICES = {"mps.population.query": "person", "mca.marriage.query": "marriage",
            "mot.practitioner.query": "transport"}
# kind → (HTTP status, errcode)
ERRORS = {"signature": (401, 40001), "replay": (403, 40002), "bad_request": (400, 40003),
          "unknown_service": (404, 40004), "not_found": (404, 40400), "busy": (429, 42900)}
MESSAGES = {"signature": "signature mismatch", "replay": "nonce already used",
            "bad_request": "invalid parameter", "unknown_service": "service not found",
            "not_found": "no data found", "busy": "rate limit exceeded, retry later"}
_KINDS = {"结婚": "结婚登记", "离婚": "离婚登记", "丧偶": "配偶死亡", "补领结婚证": "补领结婚证"}


def sm3_hex(data: bytes) -> str:
    h = hashes.Hash(hashes.SM3())
    h.update(data)
    return h.finalize().hex()


def hmac_sm3_hex(key: bytes, data: bytes) -> str:
    h = crypto_hmac.HMAC(key, hashes.SM3())
    h.update(data)
    return h.finalize().hex()


class Ministry:
    name = "ministry"
    endpoints = ENDPOINTS["ministry"]
    routes = (("/gw/v1/{service_id}", ("POST",)),)

    def verify(self, inc: Incoming, guard: Guard) -> Refusal | None:
        h = inc.headers
        missing = [n for n in ("x-gw-appid", "x-gw-ts", "x-gw-nonce", "x-gw-sign") if not h.get(n)]
        if missing:
            return Refusal("signature", "missing header: " + ", ".join(missing))
        if h["x-gw-appid"] != guard.key_id:
            return Refusal("signature", "invalid appid")
        if not h["x-gw-ts"].isdigit():
            return Refusal("bad_request", "x-gw-ts must be Unix seconds")
        if not 16 <= len(h["x-gw-nonce"]) <= 64:
            return Refusal("bad_request", "x-gw-nonce must be 16 to 64 characters")
        stale = guard.stale(int(h["x-gw-ts"]))
        if stale:
            return Refusal("replay", f"timestamp expired ({guard.skew(int(h['x-gw-ts'])):+.0f} s)",
                           "stale")
        text = "&".join((inc.method, inc.path, h["x-gw-ts"], h["x-gw-nonce"], sm3_hex(inc.body)))
        if not same_text(h["x-gw-sign"], hmac_sm3_hex(guard.secret, text.encode("utf-8"))):
            return Refusal("signature", "signature mismatch")
        replayed = guard.replayed(h["x-gw-nonce"])
        return Refusal("replay", "", "nonce") if replayed else None

    def service(self, inc: Incoming) -> Service | Refusal:
        service_id = inc.path.rsplit("/", 1)[-1]
        if service_id not in SERVICES:
            return Refusal("unknown_service", f"service not found: {service_id}")
        try:
            body = json.loads(inc.body)
        except ValueError:
            body = None
        raw = body.get("idCard") if isinstance(body, dict) else None
        key = check_id_number(raw, "idCard")
        if isinstance(key, Refusal):
            return Refusal("bad_request", "invalid parameter: idCard")
        return Service(SERVICES[service_id], key)

    def records(self, endpoint: str, f: Facts) -> list[dict[str, Any]]:
        if endpoint == "person":
            return [{"idCard": f.id_number, "name": f.name, "gender": int(SEX_GB[f.gender]),
                     "nation": f.ethnicity, "birthDate": f.birth.isoformat(),
                     "address": f.address}]
        if endpoint == "marriage":
            out = [{"regType": _KINDS[r.kind], "maritalStatus": r.status,
                    "regDate": r.on.strftime("%Y%m%d"), "spouseName": r.spouse_name,
                    "spouseIdCard": r.spouse_id, "regOrg": r.office, "certNo": r.certificate}
                   for r in f.registrations]
        else:
            out = [{"certNo": c.number, "category": c.category, "issueDate": c.issued.isoformat(),
                    "validUntil": c.valid_until.isoformat(), "issuer": c.issuer, "state": c.state}
                   for c in f.certificates]
        # The platform merges the ministries' shards: no order is promised.
        random.Random(f"ministry-order:{endpoint}:{f.seed}").shuffle(out)
        return out

    def answer(self, endpoint: str, records: list[dict[str, Any]]) -> Response:
        return JSONResponse({"errcode": 0, "errmsg": "", "data": records})

    def changed_shape(self, endpoint: str, records: list[dict[str, Any]]) -> Response:
        # Version 2 of the platform: data an object, the records paged inside it.
        return JSONResponse({"errcode": 0, "errmsg": "ok",
                             "data": {"total": len(records), "list": records}})

    def refuse(self, refusal: Refusal) -> Response:
        status, errcode = ERRORS[refusal.kind]
        message = refusal.message or MESSAGES[refusal.kind]
        headers = {"Retry-After": "1"} if refusal.kind == "busy" else None
        return JSONResponse({"errcode": errcode, "errmsg": message, "data": None},
                            status_code=status, headers=headers)

    def failure(self, status: int, inc: Incoming) -> Response:
        errcode, errmsg = ((50000, "upstream service unavailable") if status >= 500
                           else (40000, "request rejected by the platform"))
        return JSONResponse({"errcode": errcode, "errmsg": errmsg, "data": None},
                            status_code=status)

