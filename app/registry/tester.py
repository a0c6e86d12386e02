"""`deskhand registry test LOOKUP`: one real, signed call, shown whole, so that IT
connects a new gateway by trying rather than guessing (docs/registries.md).

It prints the request (URL, headers, body), the string that was signed, the answer's HTTP
status and envelope (success or which code, the gateway's message, the records and which
one was chosen) and every mapped value with its code decoded. The secret is never printed
(not even inside a plain-digest string, where it is part of what is hashed); ID numbers and
phone numbers are masked unless `unmasked`.
"""
from __future__ import annotations

import json
from typing import Any, Callable, Mapping, TextIO

import httpx

from app.errors import DeskhandError, UsageError
from app.i18n import _
from app.privacy import mask_text
from app.registry.client import Answer, RegistryClient
from app.registry.settings import RegistrySettings
from app.registry.signer import Signed

__all__ = ["test_lookup"]

MAX_BODY = 4000


def test_lookup(settings: RegistrySettings, lookup: str, given: Mapping[str, str],
                secrets: Callable[[str], str], out: TextIO, *, unmasked: bool = False,
                as_json: bool = False) -> int:
    """Exit code: 0 found, 1 no record, 2 the settings or the values are wrong, 3 the gateway
    refused or failed."""
    registry, endpoint = settings.endpoint(lookup)
    values = {**endpoint.sample, **given}
    if not values:
        raise UsageError(_("Give the values to look up with --with NAME=VALUE (or a sample: in "
                           "the endpoint's settings)."))
    secret = ""
    if registry.auth.credential:
        secret = secrets(registry.auth.credential)   # the vault's sentence if it is missing

    def shown(text: str) -> str:
        if secret:
            text = text.replace(secret, "********")
        return text if unmasked else mask_text(text)

    seen: dict[str, Any] = {}

    def trace(kind: str, detail: object) -> None:
        seen.setdefault(kind, detail)       # the first attempt's; retries add nothing new

    with RegistryClient(settings, secrets=lambda _name: secret, trace=trace) as client:
        answer = client.lookup(lookup, values)
    request, signed, response = seen.get("request"), seen.get("signed"), seen.get("response")
    doc = _document(lookup, answer, request, signed, response, shown)
    if as_json:
        json.dump(doc, out, ensure_ascii=False, indent=2)
        print(file=out)
    else:
        _print(doc, out)
    if answer.status == "found":
        return 0
    if answer.status == "not_found":
        return 1
    return answer.error.exit_code if isinstance(answer.error, DeskhandError) else 3


def _document(lookup: str, answer: Answer, request: Any, signed: Signed | None, response: Any,
              shown: Callable[[str], str]) -> dict[str, Any]:
    doc: dict[str, Any] = {"lookup": lookup, "status": answer.status}
    if isinstance(request, httpx.Request):
        body = request.content.decode("utf-8", "replace") if request.content else ""
        doc["request"] = {"method": request.method, "url": shown(str(request.url)),
                          "headers": {k: shown(v) for k, v in request.headers.items()
                                      if k.lower() not in ("accept-encoding", "connection")},
                          "body": shown(body)}
    if signed is not None:
        doc["signed"] = {"string": shown(signed.string), "signature": signed.signature}
    if isinstance(response, httpx.Response):
        try:
            text = response.read().decode("utf-8", "replace")
        except httpx.HTTPError:
            text = ""
        doc["response"] = {"http_status": response.status_code, "body": shown(text[:MAX_BODY])}
    env = answer.envelope
    if env is not None:
        doc["envelope"] = {"success": env.success, "code": env.code,
                           "message": env.message, "kind": env.kind}
    if answer.records is not None:
        doc["records"] = {"count": answer.records, "chosen": answer.chosen}
    if answer.values:
        doc["values"] = {n: {"value": shown(v) if v else v,
                             **({"code": answer.coded[n].code,
                                 "dictionary": answer.coded[n].dictionary}
                                if n in answer.coded else {}),
                             **({"undecoded_code": answer.undecoded[n]}
                                if n in answer.undecoded else {})}
                         for n, v in answer.values.items()}
    if answer.error is not None:
        doc["error"] = shown(answer.error.message)
    return doc


def _print(doc: dict[str, Any], out: TextIO) -> None:
    req = doc.get("request")
    if req:
        print(_("Request:"), req["method"], req["url"], file=out)
        for k, v in req["headers"].items():
            print(f"  {k}: {v}", file=out)
        if req["body"]:
            print("  " + _("Body: {body}", body=req["body"]), file=out)
    else:
        print(_("No request was sent."), file=out)
    if "signed" in doc:
        print(_("String signed (between the lines):"), file=out)
        print("  ----", file=out)
        for line in doc["signed"]["string"].split("\n"):
            print(f"  {line}", file=out)
        print("  ----", file=out)
        print(_("Signature: {signature}", signature=doc["signed"]["signature"]), file=out)
    resp = doc.get("response")
    if resp:
        print(_("Answer: HTTP {status}", status=resp["http_status"]), file=out)
        print("  " + resp["body"].replace("\n", "\n  "), file=out)
    env = doc.get("envelope")
    if env:
        print(_("Envelope: success {success}, code {code}, kind {kind}, message {message}",
                success=_("yes") if env["success"] else _("no"), code=env["code"],
                kind=env["kind"] or "—", message=env["message"] or "—"), file=out)
    recs = doc.get("records")
    if recs:
        print(_("Records: {count}; chosen: {chosen}", count=recs["count"],
                chosen="—" if recs["chosen"] is None else recs["chosen"] + 1), file=out)
    if doc.get("values"):
        print(_("Mapped values:"), file=out)
        for name, v in doc["values"].items():
            extra = ""
            if "code" in v:
                extra = " " + _("(code {code} in {dictionary})", code=v["code"],
                                dictionary=v["dictionary"])
            elif "undecoded_code" in v:
                extra = " " + _("(code {code} is not in the code list)", code=v["undecoded_code"])
            print(f"  {name}: {v['value'] if v['value'] is not None else '—'}{extra}", file=out)
    print(_("Result: {status}", status=doc["status"]), file=out)
    if doc.get("error"):
        print(doc["error"], file=out)
