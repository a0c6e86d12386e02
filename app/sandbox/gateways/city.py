"""city — 市大数据局开放接口 (a city big-data bureau's API), as its interface document
describes it (docs/registry-service.md, "Gateway profile city").

    GET /api/v1/rkxx?sfzh=…&appKey=…&timestamp=…&nonce=…&sign=…     (also hyxx, sbxx)
    sign = upper-case hex MD5 of  k1=v1&k2=v2&…&secret=SECRET
        every query parameter but sign, percent-decoded, sorted by name, those with an
        empty value left out; timestamp in seconds; nonce 16–32 hexadecimal characters
    HTTP 200 {"status": 200, "message": "ok", "result": {"count": n, "records": [...]}}
    errors inside HTTP 200: 400 参数错误, 401 签名验证失败, 404 未查询到数据, 408 请求已过期,
    409 重复请求, 410 接口不存在, 503 服务繁忙
Codes are the city's own: sex M/F, marital status 1 未婚 2 已婚 3 离婚 4 丧偶, insurance
state 1 参保缴费 2 暂停缴费 3 终止参保; the ethnic group is the GB/T 3304 number as a JSON
number (畲族 22, 汉族 1); dates "1990-03-07 00:00:00" and "2001/03/09".
"""
from __future__ import annotations

import hashlib
import re
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qsl

from starlette.responses import JSONResponse, Response

from app.sandbox.gateways.base import Guard, Incoming, Refusal, Service, check_id_number, same_text
from app.sandbox.gateways.codes import (CITY_INSURED, CITY_MARITAL, CITY_SEX, ETHNICITY_GB,
                                        MARITAL_WORD)
from app.sandbox.gateways.facts import Facts
from app.sandbox.gateways.profiles import ENDPOINTS

__all__ = ["City", "SERVICES", "signed_string"]

SERVICES = {"rkxx": "person", "hyxx": "marriage", "sbxx": "insurance"}
STATUS = {"bad_request": 400, "signature": 401, "not_found": 404, "replay": 409,
          "unknown_service": 410, "busy": 503}
MESSAGES = {"bad_request": "参数错误", "signature": "签名验证失败", "not_found": "未查询到数据",
            "replay": "重复请求", "unknown_service": "接口不存在", "busy": "服务繁忙，请稍后再试"}
_REQUIRED = ("appKey", "timestamp", "nonce", "sign")
_HALFWIDTH = str.maketrans("０１２３４５６７８９", "0123456789")


def signed_string(pairs: list[tuple[str, str]], secret: str) -> str:
    """What the city signs: the pairs but `sign`, empty values left out, sorted by name."""
    kept = sorted((k, v) for k, v in pairs if k != "sign" and v != "")
    return "&".join(f"{k}={v}" for k, v in kept) + f"&secret={secret}"


class City:
    name = "city"
    endpoints = ENDPOINTS["city"]
    routes = (("/api/v1/{service}", ("GET",)),)

    def verify(self, inc: Incoming, guard: Guard) -> Refusal | None:
        pairs = parse_qsl(inc.query, keep_blank_values=True)
        given = dict(pairs)
        missing = [k for k in _REQUIRED if not given.get(k)]
        if missing:
            return Refusal("signature", "签名验证失败：缺少参数 " + ", ".join(missing))
        if given["appKey"] != guard.key_id:
            return Refusal("signature", "签名验证失败：appKey 不存在")
        if not given["timestamp"].isdigit():
            return Refusal("bad_request", "参数错误：timestamp 应为秒级时间戳")
        if not re.fullmatch(r"[0-9a-fA-F]{16,32}", given["nonce"]):
            return Refusal("bad_request", "参数错误：nonce 应为 16 至 32 位十六进制字符")
        stale = guard.stale(int(given["timestamp"]))
        if stale:
            return stale
        text = signed_string(pairs, guard.secret.decode("utf-8"))
        if not same_text(given["sign"], hashlib.md5(text.encode("utf-8")).hexdigest().upper()):
            return Refusal("signature", "签名验证失败")
        return guard.replayed(given["nonce"])

    def service(self, inc: Incoming) -> Service | Refusal:
        name = inc.path.rsplit("/", 1)[-1]
        if name not in SERVICES:
            return Refusal("unknown_service", f"接口不存在：{name}")
        key = check_id_number(dict(parse_qsl(inc.query)).get("sfzh"), "sfzh")
        return key if isinstance(key, Refusal) else Service(SERVICES[name], key)

    def records(self, endpoint: str, f: Facts) -> list[dict[str, Any]]:
        if endpoint == "person":
            return [{"sfzhm": f.id_number, "xm": f.name, "xb": CITY_SEX[f.gender],
                     "mz": int(ETHNICITY_GB[f.ethnicity]),
                     "csrq": f.birth.strftime("%Y-%m-%d 00:00:00"),
                     "hjdz": f.address.translate(_HALFWIDTH), "hyzk": CITY_MARITAL[f.marital]}]
        if endpoint == "marriage":     # newest first
            return [{"djlb": r.kind, "hyzk": CITY_MARITAL[MARITAL_WORD[r.status]],
                     "djrq": r.on.strftime("%Y/%m/%d"), "poxm": r.spouse_name,
                     "posfzhm": r.spouse_id, "djjgmc": r.office}
                    for r in reversed(f.registrations)]
        return [{"dwmc": j.employer, "dwtyxydm": j.credit_code, "cbzt": CITY_INSURED[j.state],
                 "cbrq": j.since.isoformat(), "zzrq": j.until.isoformat() if j.until else ""}
                for j in f.jobs]

    def answer(self, endpoint: str, records: list[dict[str, Any]]) -> Response:
        return _envelope(200, "ok", {"count": len(records), "records": records})

    def changed_shape(self, endpoint: str, records: list[dict[str, Any]]) -> Response:
        # A new API version: the records one level deeper, under another name.
        return _envelope(200, "ok", {"data": {"items": records, "pageNo": 1, "pageSize": 20}})

    def refuse(self, refusal: Refusal) -> Response:
        message = refusal.message or MESSAGES[refusal.kind]
        status = 408 if refusal.detail == "stale" else STATUS[refusal.kind]
        return _envelope(status, message, None)

    def failure(self, status: int, inc: Incoming) -> Response:
        # The city's Spring Boot service answers for itself: its own JSON, not the envelope.
        now = datetime.now(timezone.utc).isoformat(timespec="milliseconds")
        return JSONResponse({"timestamp": now, "status": status,
                             "error": _REASONS.get(status, "Error"), "path": inc.path},
                            status_code=status)


_REASONS = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
            504: "Gateway Timeout"}


def _envelope(status: int, message: str, result: Any) -> JSONResponse:
    return JSONResponse({"status": status, "message": message, "result": result})
