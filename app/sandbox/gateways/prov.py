"""prov — 省级数据共享交换平台 (a provincial data-sharing exchange), as its interface
document describes it (docs/registry-service.md, "Gateway profile prov").

    POST /share/api/v2/query      {"serviceCode": "GA-RK-001", "params": {"sfzh": "…"}}
    X-Ca-Key, X-Ca-Timestamp (ms), X-Ca-Nonce (UUID), X-Ca-Signature-Method: HmacSHA256,
    X-Ca-Signature = base64(HMAC-SHA256(secret,
        "POST\\n" + path + "\\n" + hex(SHA-256(body)) + "\\n" + timestamp + "\\n" + nonce))
    HTTP 200 {"code": "0000", "msg": "成功", "data": {"total": n, "list": [...]}}
    errors inside HTTP 200: 1001 签名错误, 1002 请求重放/已过期, 1003 系统繁忙, 1004 服务不存在,
    1005 参数错误, 2001 查无数据
Codes: sex GB/T 2261.1, ethnic group GB/T 3304 (two digits), marital status GB/T 2261.2
with the sub-codes 21/22/23; dates YYYYMMDD (人口) and YYYY-MM-DD (婚姻, 营业执照).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
from functools import lru_cache
from typing import Any

from starlette.responses import HTMLResponse, JSONResponse, Response

from app.sandbox.gateways.base import (Guard, Incoming, Refusal, Service, check_credit_code,
                                       check_id_number, same_text)
from app.sandbox.gateways.codes import ETHNICITY_GB, MARITAL_GB, SEX_GB
from app.sandbox.gateways.facts import Facts
from app.sandbox.gateways.profiles import ENDPOINTS
from app.sandbox.registry_service.data import records_for

__all__ = ["Prov", "PATH", "SERVICES"]

PATH = "/share/api/v2/query"
# serviceCode → (endpoint, the params key holding the look-up key)
SERVICES = {"GA-RK-001": ("person", "sfzh"), "MZ-HY-002": ("marriage", "sfzh"),
            "SC-ZZ-003": ("licence", "tyshxydm")}
CODES = {"signature": "1001", "replay": "1002", "busy": "1003", "unknown_service": "1004",
         "bad_request": "1005", "not_found": "2001"}
MESSAGES = {"signature": "签名错误", "replay": "请求重放", "busy": "系统繁忙，请稍后再试",
            "unknown_service": "服务不存在", "bad_request": "参数错误", "not_found": "查无数据"}
_KINDS = {"结婚": "结婚登记", "离婚": "离婚登记", "丧偶": "配偶死亡", "补领结婚证": "补领结婚证"}
_HEADERS = ("x-ca-key", "x-ca-timestamp", "x-ca-nonce", "x-ca-signature")


class Prov:
    name = "prov"
    endpoints = ENDPOINTS["prov"]
    routes = ((PATH, ("POST",)),)

    def verify(self, inc: Incoming, guard: Guard) -> Refusal | None:
        missing = [h for h in _HEADERS if not inc.headers.get(h)]
        if missing:
            return Refusal("signature", "签名错误：缺少请求头 " + ", ".join(
                "X-Ca-" + h[5:].title() for h in missing))
        if inc.headers["x-ca-key"] != guard.key_id:
            return Refusal("signature", "签名错误：无效的 AppKey")
        method = inc.headers.get("x-ca-signature-method", "HmacSHA256")
        if method != "HmacSHA256":
            return Refusal("signature", f"签名错误：不支持的签名算法 {method}")
        ts = inc.headers["x-ca-timestamp"]
        if not ts.isdigit():
            return Refusal("replay", "请求已过期：X-Ca-Timestamp 应为毫秒时间戳")
        stale = guard.stale(int(ts) / 1000)
        if stale:
            return stale
        nonce = inc.headers["x-ca-nonce"]
        text = f"POST\n{inc.path}\n{hashlib.sha256(inc.body).hexdigest()}\n{ts}\n{nonce}"
        expected = base64.b64encode(hmac.new(guard.secret, text.encode("utf-8"),
                                             hashlib.sha256).digest()).decode("ascii")
        if not same_text(inc.headers["x-ca-signature"], expected):
            return Refusal("signature", "签名错误：签名与请求不符")
        return guard.replayed(nonce)

    def service(self, inc: Incoming) -> Service | Refusal:
        try:
            body = json.loads(inc.body)
        except ValueError:
            body = None
        if not isinstance(body, dict) or not isinstance(body.get("serviceCode"), str):
            return Refusal("bad_request", "参数错误：请求体应为 JSON，含 serviceCode 与 params")
        if body["serviceCode"] not in SERVICES:
            return Refusal("unknown_service", f"服务不存在：{body['serviceCode']}")
        endpoint, key_name = SERVICES[body["serviceCode"]]
        params = body.get("params")
        raw = params.get(key_name) if isinstance(params, dict) else None
        check = check_credit_code if endpoint == "licence" else check_id_number
        key = check(raw, f"params.{key_name}")
        return key if isinstance(key, Refusal) else Service(endpoint, key)

    def records(self, endpoint: str, f: Facts) -> list[dict[str, Any]]:
        if endpoint == "person":
            current = f.registrations[-1].status if f.registrations else MARITAL_GB["未婚"]
            return [{"sfzh": f.id_number, "xm": f.name, "xb": SEX_GB[f.gender],
                     "mz": ETHNICITY_GB[f.ethnicity], "csrq": f.birth.strftime("%Y%m%d"),
                     "hjdz": f.address, "hyzk": current}]
        if endpoint == "marriage":     # oldest first, as the registry keeps them
            return [{"ywlx": _KINDS[r.kind], "hyzk": r.status, "djrq": r.on.isoformat(),
                     "po_xm": r.spouse_name, "po_sfzh": r.spouse_id, "djjg": r.office,
                     "zsbh": r.certificate} for r in f.registrations]
        lic = _licence(f.seed)
        return [{"tyshxydm": lic["uniscid"], "qymc": f.employer, "fddbr": lic["lerep"],
                 "zs": lic["dom"], "clrq": lic["estdate"], "djzt": lic["regstate"]}]

    def answer(self, endpoint: str, records: list[dict[str, Any]]) -> Response:
        return _envelope("0000", "成功", {"total": len(records), "list": records})

    def changed_shape(self, endpoint: str, records: list[dict[str, Any]]) -> Response:
        # A platform upgrade: the list renamed, the keys upper-cased.
        rows = [{k.upper(): v for k, v in r.items()} for r in records]
        return _envelope("0000", "成功", {"totalCount": len(rows), "rows": rows})

    def refuse(self, refusal: Refusal) -> Response:
        return _envelope(CODES[refusal.kind], refusal.message or MESSAGES[refusal.kind], None)

    def failure(self, status: int, inc: Incoming) -> Response:
        # The platform's nginx answers, not the platform: an HTML page.
        title = {502: "502 Bad Gateway", 503: "503 Service Temporarily Unavailable",
                 504: "504 Gateway Time-out"}.get(status, f"{status} Error")
        return HTMLResponse(f"<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n"
                            f"<center><h1>{title}</h1></center>\r\n<hr><center>nginx</center>\r\n"
                            "</body>\r\n</html>\r\n", status_code=status)


@lru_cache(maxsize=1024)
def _licence(seed: int) -> dict[str, Any]:
    # records_for makes the person's whole block of 40: worth keeping.
    return records_for(seed)["licence"] or {}


def _envelope(code: str, msg: str, data: Any) -> JSONResponse:
    return JSONResponse({"code": code, "msg": msg, "data": data})
