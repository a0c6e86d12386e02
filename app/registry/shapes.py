"""How one gateway signs, wraps and codes: the parts of the registry settings that make a
new gateway a matter of settings (docs/registries.md), and the reader that checks them.

    SignSpec    auth.sign: the string to sign, the MAC, encodings, headers and parameters
    AnswerSpec  answer: where success, the gateway's message and the records are; its codes
    MapSpec     one mapped value of an endpoint: path, absolute or in the record, dictionary
"""
from __future__ import annotations

import string
from dataclasses import dataclass, field
from typing import Any, Mapping

from app.i18n import _, join

__all__ = ["SignSpec", "TokenSpec", "AnswerSpec", "MapSpec", "Reader", "read_sign", "read_token",
           "read_answer",
           "read_map", "SIGN_MACS", "ANSWER_KINDS", "CHOOSE_RULES", "template_fields"]

SIGN_MACS = ("hmac-sha256", "hmac-sm3", "sha256", "sm3", "md5")
PLAIN_DIGESTS = ("sha256", "sm3", "md5")
ENCODINGS = ("hex", "HEX", "base64")
NONCES = ("uuid", "hex16", "hex32")
# Unix seconds or milliseconds; ISO 8601 with the PC's offset (2026-12-04T21:00:00+08:00);
# an HTTP date (Fri, 04 Dec 2026 13:00:00 GMT); 14 digits of local time (20261204210000)
TIMESTAMPS = ("s", "ms", "iso", "rfc1123", "yyyymmddhhmmss")
STRING_FIELDS = ("method", "path", "query", "body", "body_hash", "timestamp", "nonce", "key_id",
                 "secret")
HEADER_FIELDS = ("method", "path", "body_hash", "timestamp", "nonce", "key_id", "signature")
TOKEN_FIELDS = ("key_id", "secret", "timestamp", "nonce")
ANSWER_KINDS = ("not_found", "signature", "replay", "busy", "unknown_service", "bad_request")
CHOOSE_RULES = ("only", "first", "newest", "match")


def template_fields(template: str) -> set[str]:
    """The {names} in a template; ValueError when it is not a valid template."""
    return {f for _text, f, _spec, _conv in string.Formatter().parse(template) if f is not None}


@dataclass(frozen=True)
class SignSpec:
    string: str
    mac: str = "hmac-sha256"
    encoding: str = "hex"
    body_hash: str = "sha256"
    body_hash_encoding: str = "hex"
    timestamp: str = "s"
    nonce: str = "hex32"
    query: str = "sorted"
    skip_empty: bool = False                 # parameters with an empty value are not signed
    headers: dict[str, str] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class TokenSpec:
    """auth.token: a token asked for with the app key and secret, then carried by every
    request until it expires (the client-credentials style many gateways use)."""

    path: str
    method: str = "POST"
    query: dict[str, str] = field(default_factory=dict)      # templates over TOKEN_FIELDS
    json: Any = None                                          # POST body template
    token: str = "access_token"                               # where the token is in the answer
    expires_in: str | None = None                             # where its lifetime (s) is
    ttl_s: float = 3600.0                                     # else this lifetime
    headers: dict[str, str] = field(default_factory=dict)     # how requests carry {token}
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class AnswerSpec:
    success_path: str | None = None          # None: the HTTP status decides
    success_values: tuple[str, ...] = ()
    message: str | None = None
    records: str | None = None
    codes: dict[str, tuple[str, ...]] = field(default_factory=dict)   # kind → the gateway's codes

    def kind_of(self, code: str) -> str | None:
        return next((k for k, codes in self.codes.items() if code in codes), None)


@dataclass(frozen=True)
class MapSpec:
    path: str
    dictionary: str | None = None
    absolute: bool = False                   # `$.path`: from the answer's top, not the record

    @classmethod
    def plain(cls, path: str) -> "MapSpec":
        return cls(path[2:], None, True) if path.startswith("$.") else cls(path)


class Reader:
    """Collects every problem of a settings document with where it is."""

    def __init__(self, path: str | None) -> None:
        self.path = path
        self.problems: list[str] = []

    def bad(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def mapping(self, value: Any, where: str) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.bad(where, _("must be a mapping, not {kind}", kind=type(value).__name__))
            return {}
        return value

    def known(self, value: dict[str, Any], allowed: tuple[str, ...], where: str) -> None:
        for k in value:
            if k not in allowed:
                self.bad(where, _("unknown key '{key}' (allowed: {allowed})", key=k,
                                  allowed=join(allowed)))

    def number(self, value: Any, where: str, low: float, high: float, default: float) -> float:
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
            self.bad(where, _("must be a number from {low:g} to {high:g}, not {value!r}",
                              low=low, high=high, value=value))
            return default
        return float(value)

    def text(self, value: Any, where: str, default: str | None = None) -> str | None:
        if value is None:
            return default
        if not isinstance(value, str) or not value.strip():
            self.bad(where, _("must be text, not {value!r}", value=value))
            return default
        return value.strip()

    def flag(self, value: Any, where: str, default: bool) -> bool:
        if value is None:
            return default
        if not isinstance(value, bool):
            self.bad(where, _("must be true or false"))
            return default
        return value

    def one_of(self, value: Any, allowed: tuple[str, ...], where: str, default: str) -> str:
        if value is None:
            return default
        if value not in allowed:
            self.bad(where, _("must be one of {allowed}, not {value!r}", allowed=join(allowed),
                              value=value))
            return default
        return str(value)

    def templates(self, value: Any, where: str, allowed: tuple[str, ...]) -> dict[str, str]:
        out: dict[str, str] = {}
        for k, v in self.mapping(value, where).items():
            if isinstance(v, bool) or not isinstance(v, (str, int, float)):
                self.bad(f"{where}.{k}", _("must be text or a template, not {value!r}", value=v))
                continue
            out[str(k)] = self.template(str(v), f"{where}.{k}", allowed)
        return out

    def template(self, text: str, where: str, allowed: tuple[str, ...]) -> str:
        try:
            names = template_fields(text)
        except ValueError as e:
            self.bad(where, _("the template {template!r} is not valid: {reason}", template=text,
                              reason=e))
            return text
        unknown = sorted(names - set(allowed))
        if unknown:
            self.bad(where, _("{{{name}}} is not known here (known: {known})", name=unknown[0],
                              known=join("{" + a + "}" for a in allowed)))
        return text

    def codes(self, value: Any, where: str) -> tuple[str, ...]:
        items = value if isinstance(value, list) else [value]
        out = []
        for v in items:
            if isinstance(v, bool) or not isinstance(v, (str, int)):
                self.bad(where, _("a code is text or a whole number, not {value!r}", value=v))
                continue
            out.append(str(v))
        return tuple(out)


def read_sign(r: Reader, raw: Any, where: str) -> SignSpec | None:
    items = r.mapping(raw, where)
    r.known(items, ("string", "mac", "encoding", "body_hash", "body_hash_encoding", "timestamp",
                    "nonce", "query", "skip_empty", "headers", "params"), where)
    text = r.text(items.get("string"), f"{where}.string")
    if text is None:
        r.bad(f"{where}.string", _("is required: the string the gateway signs, e.g. "
                                   "\"{method}\\n{path}\\n{timestamp}\\n{nonce}\""))
        return None
    text = r.template(text, f"{where}.string", STRING_FIELDS)
    mac = r.one_of(items.get("mac"), SIGN_MACS, f"{where}.mac", "hmac-sha256")
    if mac in PLAIN_DIGESTS and "secret" not in _safe_fields(text):
        r.bad(f"{where}.string", _("a plain {mac} digest is no signature without the secret: put "
                                   "{{secret}} where the gateway's document says", mac=mac))
    headers = r.templates(items.get("headers"), f"{where}.headers", HEADER_FIELDS)
    params = r.templates(items.get("params"), f"{where}.params", HEADER_FIELDS)
    if not any("signature" in _safe_fields(t) for t in (*headers.values(), *params.values())):
        r.bad(f"{where}.headers", _("no header or parameter carries {signature}"))
    return SignSpec(
        string=text, mac=mac,
        encoding=r.one_of(items.get("encoding"), ENCODINGS, f"{where}.encoding", "hex"),
        body_hash=r.one_of(items.get("body_hash"), PLAIN_DIGESTS, f"{where}.body_hash", "sha256"),
        body_hash_encoding=r.one_of(items.get("body_hash_encoding"), ENCODINGS,
                                    f"{where}.body_hash_encoding", "hex"),
        timestamp=r.one_of(items.get("timestamp"), TIMESTAMPS, f"{where}.timestamp", "s"),
        nonce=r.one_of(items.get("nonce"), NONCES, f"{where}.nonce", "hex32"),
        query=r.one_of(items.get("query"), ("sorted", "as_sent"), f"{where}.query", "sorted"),
        skip_empty=r.flag(items.get("skip_empty"), f"{where}.skip_empty", False),
        headers=headers, params=params)


def read_token(r: Reader, raw: Any, where: str) -> TokenSpec | None:
    items = r.mapping(raw, where)
    r.known(items, ("method", "path", "query", "json", "token", "expires_in", "ttl_s", "headers",
                    "params"), where)
    path = r.text(items.get("path"), f"{where}.path")
    if path is None or not path.startswith("/"):
        r.bad(f"{where}.path", _("is required: the token service's path, e.g. /auth/token"))
        return None
    method = r.one_of(str(items.get("method", "POST")).upper(), ("GET", "POST"),
                      f"{where}.method", "POST")
    body = items.get("json")
    _check_body(r, body, f"{where}.json")
    headers = r.templates(items.get("headers"), f"{where}.headers", ("token",))
    params = r.templates(items.get("params"), f"{where}.params", ("token",))
    if not any("token" in _safe_fields(t) for t in (*headers.values(), *params.values())):
        r.bad(f"{where}.headers", _("no header or parameter carries {token}, e.g. "
                                    "Authorization: \"Bearer {token}\""))
    return TokenSpec(path=path, method=method,
                     query=r.templates(items.get("query"), f"{where}.query", TOKEN_FIELDS),
                     json=body, token=r.text(items.get("token"), f"{where}.token",
                                             "access_token") or "access_token",
                     expires_in=r.text(items.get("expires_in"), f"{where}.expires_in"),
                     ttl_s=r.number(items.get("ttl_s"), f"{where}.ttl_s", 10, 86400 * 30, 3600.0),
                     headers=headers, params=params)


def _check_body(r: Reader, body: Any, where: str) -> None:
    """Every text in a body template names only TOKEN_FIELDS."""
    if isinstance(body, str):
        r.template(body, where, TOKEN_FIELDS)
    elif isinstance(body, dict):
        for k, v in body.items():
            _check_body(r, v, f"{where}.{k}")
    elif isinstance(body, list):
        for i, v in enumerate(body):
            _check_body(r, v, f"{where}[{i}]")


def _safe_fields(template: str) -> set[str]:
    try:
        return template_fields(template)
    except ValueError:
        return set()


def read_answer(r: Reader, raw: Any, where: str) -> AnswerSpec:
    items = r.mapping(raw, where)
    r.known(items, ("success", "message", "records", "codes"), where)
    success_path, success_values = None, ()
    if items.get("success") is not None:
        s = r.mapping(items["success"], f"{where}.success")
        r.known(s, ("path", "is"), f"{where}.success")
        success_path = r.text(s.get("path"), f"{where}.success.path")
        success_values = r.codes(s.get("is"), f"{where}.success.is") if "is" in s else ()
        if success_path is None or not success_values:
            r.bad(f"{where}.success", _("needs path and is, e.g. {path: code, is: [\"0000\"]}"))
    codes: dict[str, tuple[str, ...]] = {}
    raw_codes = r.mapping(items.get("codes"), f"{where}.codes")
    r.known(raw_codes, ANSWER_KINDS, f"{where}.codes")
    for kind in ANSWER_KINDS:
        if kind in raw_codes:
            codes[kind] = r.codes(raw_codes[kind], f"{where}.codes.{kind}")
    if codes and success_path is None:
        r.bad(f"{where}.codes", _("codes need success: {path: …, is: […]} to say where the code is"))
    return AnswerSpec(success_path, success_values,
                      r.text(items.get("message"), f"{where}.message"),
                      r.text(items.get("records"), f"{where}.records"), codes)


def read_map(r: Reader, raw: Any, where: str, dictionaries: Mapping[str, Any]) -> dict[str, MapSpec]:
    out: dict[str, MapSpec] = {}
    for name, v in r.mapping(raw, where).items():
        at = f"{where}.{name}"
        if isinstance(v, str) and v.strip():
            out[str(name)] = MapSpec.plain(v.strip())
            continue
        m = r.mapping(v, at)
        r.known(m, ("path", "dictionary"), at)
        path = r.text(m.get("path"), f"{at}.path")
        if path is None:
            r.bad(at, _("needs a path, e.g. {path: xb, dictionary: sex}"))
            continue
        d = r.text(m.get("dictionary"), f"{at}.dictionary")
        if d is not None and d not in dictionaries:
            r.bad(f"{at}.dictionary", _("there is no dictionary '{name}' (known: {known})",
                                        name=d, known=join(sorted(dictionaries))))
            d = None
        spec = MapSpec.plain(path)
        out[str(name)] = MapSpec(spec.path, d, spec.absolute)
    return out
