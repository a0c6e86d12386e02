"""Calling registries: one look-up = one HTTP request (with retries) under a hard
deadline, answered as an `Answer` that says found / not found / failed and why.

An outage must never hold the clerk longer than the registry's `timeout_s`: that is the
budget for the whole look-up, retries and backoff included, not per attempt.
"""
from __future__ import annotations

import json
import logging
import ssl
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Mapping

import httpx

from app.errors import (DeskhandError, RegistryAuthError, RegistryBusyError, RegistryConfigError,
                        RegistryReplayError, RegistryRequestRefusedError, RegistryResponseError,
                        RegistryServiceError, RegistryTLSError, RegistryUnavailableError,
                        VerificationError)
from app.i18n import N_, _
from app.privacy import mask_text
from app.registry.answers import (Envelope, choose_record, map_values, read_envelope,
                                  records_of)
from app.registry.auth import Secrets, build_auth
from app.registry.dictionaries import Coded
from app.registry.request import MISSING, json_path, mapped_values, render
from app.registry.settings import Endpoint, Registry, RegistrySettings

__all__ = ["Answer", "RegistryClient", "tls_context"]

DEADLINE_MARGIN_S = 0.05


@dataclass
class Answer:
    lookup: str
    status: str                         # found | not_found | failed
    values: dict[str, str | None] = field(default_factory=dict)   # registry name → value
    error: DeskhandError | None = None
    http_status: int | None = None
    elapsed_ms: float = 0.0
    attempts: int = 0
    coded: dict[str, Coded] = field(default_factory=dict)    # values decoded from a code list
    undecoded: dict[str, str] = field(default_factory=dict)  # codes no list has: not compared
    envelope: Envelope | None = None    # the gateway's code and message, when it wraps answers
    records: int | None = None          # how many records it sent
    chosen: int | None = None           # which of them is the person's (0-based)

    def to_json(self) -> dict:
        out: dict = {"lookup": self.lookup, "status": self.status,
                     "elapsed_ms": round(self.elapsed_ms, 1)}
        if self.http_status is not None:
            out["http_status"] = self.http_status
        if self.envelope is not None and (self.envelope.code or self.envelope.message):
            out["gateway"] = {"code": self.envelope.code, "message": self.envelope.message}
        if self.records is not None:
            out["records"] = self.records
            out["chosen"] = self.chosen
        if self.coded:
            out["codes"] = {n: c.code for n, c in self.coded.items()}
        if self.error is not None:
            out["error"] = self.error.message
            out["error_kind"] = type(self.error).__name__
        if self.values:
            out["values"] = dict(self.values)
        return out


class RegistryClient:
    """Look-ups against the registries in `settings`. `secrets(name)` returns a credential
    (the vault's get); `transport` replaces the network for unit tests. Thread-safe."""

    def __init__(self, settings: RegistrySettings, *, secrets: Secrets,
                 transport: httpx.BaseTransport | None = None,
                 log: logging.Logger | None = None, sleep: Callable[[float], None] = time.sleep,
                 trace: Callable[[str, object], None] | None = None) -> None:
        """`trace(kind, detail)` sees "request" (httpx.Request), "signed" (the signer's
        app.registry.signer.Signed) and "response" (httpx.Response): deskhand registry test."""
        self.settings = settings
        self._trace = trace
        self._secrets = secrets
        self._transport = transport
        self._log = log or logging.getLogger("deskhand.registry")
        self._sleep = sleep
        self._clients: dict[str, httpx.Client] = {}
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            for c in self._clients.values():
                c.close()
            self._clients.clear()

    def __enter__(self) -> "RegistryClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- one look-up -------------------------------------------------------------------
    def lookup(self, lookup: str, params: Mapping[str, str]) -> Answer:
        """Never raises for a registry's fault; the Answer carries the error."""
        t0 = time.perf_counter()
        try:
            reg, ep = self.settings.endpoint(lookup)
            answer = self._call(lookup, reg, ep, params, t0)
        except DeskhandError as exc:   # settings, vault, network, answer: all end here
            answer = Answer(lookup, "failed", error=exc, envelope=getattr(exc, "envelope", None),
                            http_status=getattr(exc, "http_status", None))
        answer.elapsed_ms = (time.perf_counter() - t0) * 1000
        self._log.info("registry %s: %s in %.0f ms%s", lookup, answer.status, answer.elapsed_ms,
                       f" ({mask_text(answer.error.message)})" if answer.error else "")
        return answer

    def _client(self, reg: Registry) -> httpx.Client:
        with self._lock:
            c = self._clients.get(reg.name)
            if c is None:
                trace = self._trace
                signed_hook = (lambda signed: trace("signed", signed)) if trace else None
                hooks = ({"request": [lambda r: trace("request", r)],
                          "response": [lambda r: trace("response", r)]} if trace else {})
                c = httpx.Client(base_url=reg.base_url,
                                 auth=build_auth(reg.auth, self._secrets, signed_hook,
                                                 base_url=reg.base_url, registry=reg.name),
                                 event_hooks=hooks,
                                 verify=tls_context(reg),
                                 transport=self._transport, follow_redirects=False,
                                 headers={"Accept": "application/json",
                                          "User-Agent": "Deskhand registry client"})
                self._clients[reg.name] = c
            return c

    def _call(self, lookup: str, reg: Registry, ep: Endpoint, params: Mapping[str, str],
              t0: float) -> Answer:
        try:
            path = render(ep.path, params)
            query = render(ep.query, params)
            body = render(ep.json, params) if ep.json is not None else None
            # The body is what is signed: sent exactly as encoded here (UTF-8, no spaces).
            content = None if body is None else json.dumps(
                body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        except KeyError as e:
            raise VerificationError(_(
                "The look-up {lookup} needs the value {name}, which the case does not have.",
                lookup=lookup, name=e.args[0])) from None
        client = self._client(reg)
        deadline = t0 + reg.timeout_s
        attempt = 0
        retry_after = 0.0
        renewed = False
        last: tuple[int | None, DeskhandError] | None = None
        while True:
            attempt += 1
            # httpx times each phase (connect, write, read) separately; keep a margin so
            # that connect + read together stay inside the budget.
            remaining = deadline - time.perf_counter() - DEADLINE_MARGIN_S
            if remaining <= 0.01:
                break
            try:
                resp = client.request(
                    ep.method, path, params=query or None, content=content,
                    headers={"Content-Type": "application/json"} if content is not None else None,
                    timeout=httpx.Timeout(remaining))
            except httpx.TimeoutException:
                last = (None, RegistryUnavailableError(_(
                    "The registry {registry} did not answer within {seconds:g} s ({lookup}); the "
                    "case is kept: verify later or check the network.",
                    registry=reg.name, seconds=reg.timeout_s, lookup=lookup)))
                break   # the budget is spent
            except httpx.ConnectError as e:
                if _is_tls_failure(e):
                    raise RegistryTLSError(_(
                        "The registry {registry}'s certificate is not trusted ({reason}); nothing "
                        "was sent. Ask IT to install the gateway's CA certificate (ca_bundle in "
                        "the registry settings).", registry=reg.name, reason=_tls_reason(e))) from None
                last = (None, RegistryUnavailableError(_(
                    "The registry {registry} cannot be reached at {url} ({lookup}): {reason}; the "
                    "case is kept: verify later or check the network.",
                    registry=reg.name, url=reg.base_url, lookup=lookup, reason=_short(e))))
            except httpx.HTTPError as e:
                last = (None, RegistryUnavailableError(_(
                    "The registry {registry} failed during {lookup}: {reason}; the case is kept.",
                    registry=reg.name, lookup=lookup, reason=_short(e))))
            else:
                # requests and answers are logged masked: no ID number or name in clear
                self._log.debug("registry %s: %s %s -> %s (%d bytes, attempt %d)", lookup,
                                ep.method, mask_text(str(resp.request.url)), resp.status_code,
                                len(resp.content), attempt)
                retry_after = _retry_after(resp)
                try:
                    return self._answer(lookup, reg, ep, resp, attempt, params)
                except RegistryBusyError as busy:      # retried within the budget
                    last = (resp.status_code, busy)
                except RegistryAuthError as refused:
                    # a token the gateway stopped taking before its announced expiry
                    invalidate = getattr(client.auth, "invalidate", None)
                    if invalidate is None or renewed:
                        raise
                    invalidate()
                    renewed = True
                    last = (resp.status_code, refused)
                    continue
                except _ServerFault as fault:
                    last = (resp.status_code, fault.error)
            if attempt > reg.retries:
                break
            pause = max(reg.backoff_s * (2 ** (attempt - 1)), retry_after)
            if deadline - time.perf_counter() <= pause + 0.05:
                break
            self._sleep(pause)
        status, error = last if last else (None, RegistryUnavailableError(_(
            "The registry {registry} did not answer within {seconds:g} s ({lookup}).",
            registry=reg.name, seconds=reg.timeout_s, lookup=lookup)))
        return Answer(lookup, "failed", error=error, http_status=status, attempts=attempt,
                      envelope=getattr(error, "envelope", None))

    def _answer(self, lookup: str, reg: Registry, ep: Endpoint, resp: httpx.Response,
                attempt: int, params: Mapping[str, str]) -> Answer:
        code = resp.status_code
        try:
            data = resp.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            data = MISSING
        spec = reg.answer
        envelope = None
        if data is not MISSING and spec.success_path is not None and \
                json_path(data, spec.success_path) is not MISSING:
            envelope = read_envelope(data, spec, lookup, reg.name)   # HTTP 200 or not
        said = (envelope.message if envelope else None) or _server_message(resp)
        status = f"{code}: {said}" if said else str(code)
        if code >= 500 and (envelope is None or envelope.kind != "busy"):
            # whatever the body says (an nginx page, a framework's JSON, an errcode): the
            # gateway failed, and may not next time
            raise _ServerFault(RegistryUnavailableError(_(
                "The registry {registry} answered {status} (server error) to {lookup}; the case "
                "is kept: verify later.", registry=reg.name, status=status, lookup=lookup)))
        if envelope is not None and not envelope.success:
            return self._refused(lookup, reg, envelope, code, attempt)
        if code in (401, 403):
            raise RegistryAuthError(_(
                "The registry {registry} refused Deskhand's credentials ({status}); ask IT to "
                "check the credential {credential} and the key id.", registry=reg.name,
                status=status, credential=reg.auth.credential or _("(none)")))
        if code == 429:
            raise RegistryBusyError(_(
                "The registry {registry} is busy ({status}) and did not answer {lookup}; the "
                "case is kept: verify again in a minute.", registry=reg.name, status=status,
                lookup=lookup))
        if code == 404 and data is not MISSING:
            return Answer(lookup, "not_found", http_status=code, attempts=attempt,
                          envelope=envelope or Envelope(False, None, said, "not_found"))
        if code >= 400:
            raise RegistryResponseError(_(
                "The registry {registry} refused the look-up {lookup} ({status}).",
                registry=reg.name, lookup=lookup, status=status))
        if data is MISSING:
            raise RegistryResponseError(_(
                "The registry {registry} answered {lookup} with something that is not JSON; "
                "nothing from it is used. Ask IT to check the gateway.",
                registry=reg.name, lookup=lookup))
        records_path = ep.records or spec.records
        if records_path is None:                   # the older form: paths from the top
            if ep.found is not None:
                hit = json_path(data, ep.found)
                if hit is MISSING:
                    raise RegistryResponseError(_(
                        "The registry {registry}'s answer to {lookup} has no '{path}'; the "
                        "gateway's answer format has changed: ask IT to check the endpoint's "
                        "settings.", registry=reg.name, lookup=lookup, path=ep.found))
                if hit in (None, [], {}, "", 0):
                    return Answer(lookup, "not_found", http_status=code, attempts=attempt,
                                  envelope=envelope)
            record: object = data
            count = chosen = None
        else:
            records = records_of(data, records_path, lookup, reg.name)
            if not records:
                return Answer(lookup, "not_found", http_status=code, attempts=attempt,
                              envelope=envelope, records=0)
            chosen, record = choose_record(records, ep, params, lookup, reg.name)
            count = len(records)
        mapped = map_values(data, record, ep.map, self.settings.dictionaries, lookup, reg.name)
        return Answer(lookup, "found", values=mapped.values, http_status=code, attempts=attempt,
                      coded=mapped.coded, undecoded=mapped.undecoded, envelope=envelope,
                      records=count, chosen=chosen)

    def _refused(self, lookup: str, reg: Registry, env: Envelope, http_status: int,
                 attempt: int) -> Answer:
        """The gateway answered with one of its refusal codes: its own sentence for each."""
        said = env.message or _("(no message)")
        where = dict(registry=reg.name, lookup=lookup, code=env.code, said=said)
        if env.kind == "not_found":
            return Answer(lookup, "not_found", http_status=http_status, attempts=attempt,
                          envelope=env)
        cls, sentence = _REFUSALS.get(env.kind or "", _REFUSALS[""])
        error = cls(_(sentence, credential=reg.auth.credential or _("(none)"), **where))
        error.envelope = env          # type: ignore[attr-defined]  # registry test shows it
        error.http_status = http_status   # type: ignore[attr-defined]
        raise error


# The gateway's refusal codes (answer.codes), each with its own sentence.
_REFUSALS: dict[str, tuple[type[DeskhandError], str]] = {
    "busy": (RegistryBusyError, N_(
        "The registry {registry} is busy (code {code}: {said}) and did not answer {lookup}; the "
        "case is kept: verify again in a minute.")),
    "signature": (RegistryAuthError, N_(
        "The registry {registry} refused Deskhand's signature (code {code}: {said}); ask IT to "
        "check the credential {credential} and the key id (deskhand registry test {lookup}).")),
    "replay": (RegistryReplayError, N_(
        "The registry {registry} took the request for a replay (code {code}: {said}); ask IT "
        "to check this computer's clock.")),
    "unknown_service": (RegistryServiceError, N_(
        "The registry {registry} does not know the service asked for by {lookup} (code {code}: "
        "{said}); ask IT to check the endpoint's settings.")),
    "bad_request": (RegistryRequestRefusedError, N_(
        "The registry {registry} refused the values sent for {lookup} (code {code}: {said}); "
        "check the ID number or code on the source.")),
    "": (RegistryResponseError, N_(
        "The registry {registry} answered {lookup} with code {code}: {said}; nothing from it "
        "is used.")),
}


class _ServerFault(Exception):
    """A 5xx: retried like a failed connection, within the budget."""

    def __init__(self, error: DeskhandError) -> None:
        self.error = error


def _retry_after(resp: httpx.Response) -> float:
    """The pause a busy gateway asks for (Retry-After in seconds), at most 10 s; the
    look-up's budget still decides whether there is time for it."""
    try:
        return min(10.0, max(0.0, float(resp.headers.get("retry-after", "0"))))
    except ValueError:
        return 0.0


def tls_context(reg: Registry) -> ssl.SSLContext | bool:
    """Verification on (the system's CAs, plus IT's bundle for a government intranet CA);
    the client certificate goes into the same context."""
    if not reg.verify_tls and not reg.client_cert:
        return False
    ctx = ssl.create_default_context()
    if not reg.verify_tls:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    if reg.ca_bundle:
        try:
            ctx.load_verify_locations(cafile=reg.ca_bundle)
        except (OSError, ssl.SSLError) as e:
            raise RegistryConfigError(_(
                "The CA bundle {file} for registry {registry} cannot be loaded ({reason}).",
                file=reg.ca_bundle, registry=reg.name, reason=e)) from None
    if reg.client_cert:
        cert, key = reg.client_cert
        try:
            ctx.load_cert_chain(cert, key)
        except (OSError, ssl.SSLError) as e:
            raise RegistryConfigError(_(
                "The client certificate {file} for registry {registry} cannot be loaded ({reason}).",
                file=cert, registry=reg.name, reason=e)) from None
    return ctx


def _is_tls_failure(e: BaseException) -> bool:
    seen: BaseException | None = e
    while seen is not None:
        if isinstance(seen, ssl.SSLError):
            return True
        seen = seen.__cause__ or seen.__context__
    return "CERTIFICATE_VERIFY_FAILED" in str(e) or "SSL" in str(e)


def _tls_reason(e: BaseException) -> str:
    text = str(e)
    for marker in ("certificate verify failed: ", "CERTIFICATE_VERIFY_FAILED"):
        if marker in text:
            return text[text.index(marker):].split("(")[0].strip(" ]")
    return text[:120]


def _short(e: BaseException) -> str:
    return (str(e) or type(e).__name__)[:160]


def _is_json(resp: httpx.Response) -> bool:
    return "json" in resp.headers.get("content-type", "")


def _server_message(resp: httpx.Response) -> str:
    try:
        data = resp.json()
    except Exception:
        return ""
    msg = data.get("message") if isinstance(data, dict) else None
    return mask_text(str(msg))[:120] if msg else ""
