"""Registry settings: which data-sharing gateways exist, how to reach and authenticate
to them, and what their look-ups send and answer. IT writes them (a YAML file, or the
`registries` section of the settings); playbooks only name a look-up.

    version: 1
    on_outage: unverified          # or "stop": the case is kept and capture exits 3
    registries:
      city:                        # a gateway
        base_url: https://gateway.city.gov.cn/share
        timeout_s: 3               # the most one look-up may hold the clerk, retries included
        retries: 1
        backoff_s: 0.2
        verify_tls: true
        ca_bundle: /etc/deskhand/gov-root-ca.pem
        client_cert: {cert: /etc/deskhand/client.pem, key: /etc/deskhand/client.key}
        auth: {scheme: hmac-sm3, key_id: deskhand-window-07, credential: registry.city.secret}
        endpoints:
          person:                  # the look-up "city.person"
            method: GET
            path: /population/v1/persons/{id_number}
            map: {applicant_name: data.xm, birth_date: data.csrq, address: data.hjdz}
            found: data            # missing/null/empty there = no record (404 too)

Secrets are never here: `credential` names an entry in the OS keyring (app.vault).
Every problem is reported with where it is ("registries.city.auth.scheme: …").
"""
from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Mapping

import yaml

from app.errors import RegistryConfigError

__all__ = ["AuthSpec", "Endpoint", "Registry", "RegistrySettings", "load_registry_settings",
           "parse_registry_settings", "AUTH_SCHEMES", "template_names"]

AUTH_SCHEMES = ("none", "bearer", "api-key", "hmac-sha256", "hmac-sm3", "client-cert")
MAX_TIMEOUT_S = 30.0
NAME_RE = re.compile(r"[a-z0-9][a-z0-9_-]*\Z")


@dataclass(frozen=True)
class AuthSpec:
    scheme: str = "none"
    credential: str | None = None      # vault name of the token, key or HMAC secret
    key_id: str | None = None          # HMAC: the key id the gateway issued
    header: str = "X-API-Key"          # api-key: the header it goes in


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: Literal["GET", "POST"] = "GET"
    path: str = "/"
    query: dict[str, str] = field(default_factory=dict)   # name → template
    json: Any = None                                      # body template (POST)
    map: dict[str, str] = field(default_factory=dict)     # registry name → JSON path
    found: str | None = None           # JSON path that is empty when there is no record


@dataclass(frozen=True)
class Registry:
    name: str
    base_url: str
    endpoints: dict[str, Endpoint]
    auth: AuthSpec = AuthSpec()
    timeout_s: float = 3.0
    retries: int = 1
    backoff_s: float = 0.2
    verify_tls: bool = True
    ca_bundle: str | None = None
    client_cert: tuple[str, str | None] | None = None   # (cert file, key file)


@dataclass(frozen=True)
class RegistrySettings:
    registries: dict[str, Registry]
    on_outage: Literal["unverified", "stop"] = "unverified"
    path: str | None = None

    def endpoint(self, lookup: str) -> tuple[Registry, Endpoint]:
        reg_name, _, ep_name = lookup.partition(".")
        reg = self.registries.get(reg_name)
        if reg is None:
            known = ", ".join(sorted(self.registries)) or "none"
            raise RegistryConfigError(
                f"The playbook asks the registry '{reg_name}' (look-up {lookup}), which the "
                f"registry settings{_where(self.path)} do not define (defined: {known}).")
        ep = reg.endpoints.get(ep_name)
        if ep is None:
            known = ", ".join(sorted(reg.endpoints)) or "none"
            raise RegistryConfigError(
                f"The registry '{reg_name}' has no look-up '{ep_name}' (defined: {known}); "
                f"ask IT to add it to the registry settings{_where(self.path)}.")
        return reg, ep


def _where(path: str | None) -> str:
    return f" ({path})" if path else ""


def template_names(template: Any) -> set[str]:
    """The {names} a request template uses (path, query values, JSON body)."""
    if isinstance(template, str):
        return {f for _, f, _, _ in string.Formatter().parse(template) if f}
    if isinstance(template, Mapping):
        return set().union(*(template_names(v) for v in template.values())) if template else set()
    if isinstance(template, (list, tuple)):
        return set().union(*(template_names(v) for v in template)) if template else set()
    return set()


class _Reader:
    def __init__(self, path: str | None) -> None:
        self.path = path
        self.problems: list[str] = []

    def bad(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def mapping(self, value: Any, where: str) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.bad(where, f"must be a mapping, not {type(value).__name__}")
            return {}
        return value

    def known(self, value: dict[str, Any], allowed: tuple[str, ...], where: str) -> None:
        for k in value:
            if k not in allowed:
                self.bad(where, f"unknown key '{k}' (allowed: {', '.join(allowed)})")

    def number(self, value: Any, where: str, low: float, high: float, default: float) -> float:
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
            self.bad(where, f"must be a number from {low:g} to {high:g}, not {value!r}")
            return default
        return float(value)

    def text(self, value: Any, where: str, default: str | None = None) -> str | None:
        if value is None:
            return default
        if not isinstance(value, str) or not value.strip():
            self.bad(where, f"must be text, not {value!r}")
            return default
        return value.strip()


REG_KEYS = ("base_url", "timeout_s", "retries", "backoff_s", "verify_tls", "ca_bundle",
            "client_cert", "auth", "endpoints")
EP_KEYS = ("method", "path", "query", "json", "map", "found")
AUTH_KEYS = ("scheme", "credential", "key_id", "header")


def parse_registry_settings(data: Any, path: str | None = None) -> RegistrySettings:
    r = _Reader(path)
    top = r.mapping(data, "registry settings")
    r.known(top, ("version", "on_outage", "registries"), "registry settings")
    if top.get("version", 1) != 1:
        r.bad("version", f"this Deskhand reads version 1, not {top.get('version')!r}")
    on_outage = top.get("on_outage", "unverified")
    if on_outage not in ("unverified", "stop"):
        r.bad("on_outage", f"must be 'unverified' or 'stop', not {on_outage!r}")
        on_outage = "unverified"
    regs: dict[str, Registry] = {}
    for name, raw in r.mapping(top.get("registries"), "registries").items():
        where = f"registries.{name}"
        if not NAME_RE.match(str(name)):
            r.bad(where, "a registry name uses lower-case letters, digits, '-' and '_'")
            continue
        reg = _registry(r, str(name), r.mapping(raw, where), where)
        if reg is not None:
            regs[str(name)] = reg
    if r.problems:
        raise RegistryConfigError(
            f"The registry settings{_where(path)} have {len(r.problems)} problem"
            f"{'s' if len(r.problems) > 1 else ''}; ask IT to fix them:\n  " + "\n  ".join(r.problems))
    return RegistrySettings(registries=regs, on_outage=on_outage, path=path)


def _registry(r: _Reader, name: str, raw: dict[str, Any], where: str) -> Registry | None:
    r.known(raw, REG_KEYS, where)
    base_url = r.text(raw.get("base_url"), f"{where}.base_url")
    if base_url is None:
        r.bad(f"{where}.base_url", "is required, e.g. https://gateway.city.gov.cn/share")
    elif not base_url.startswith(("https://", "http://")):
        r.bad(f"{where}.base_url", f"must start with https:// (or http:// on loopback), not {base_url!r}")
    timeout = r.number(raw.get("timeout_s"), f"{where}.timeout_s", 0.1, MAX_TIMEOUT_S, 3.0)
    retries = int(r.number(raw.get("retries"), f"{where}.retries", 0, 5, 1))
    backoff = r.number(raw.get("backoff_s"), f"{where}.backoff_s", 0, 10, 0.2)
    verify_tls = raw.get("verify_tls", True)
    if not isinstance(verify_tls, bool):
        r.bad(f"{where}.verify_tls", "must be true or false")
        verify_tls = True
    ca_bundle = r.text(raw.get("ca_bundle"), f"{where}.ca_bundle")
    cert = None
    if raw.get("client_cert") is not None:
        cc = r.mapping(raw["client_cert"], f"{where}.client_cert")
        r.known(cc, ("cert", "key"), f"{where}.client_cert")
        cert_file = r.text(cc.get("cert"), f"{where}.client_cert.cert")
        if cert_file is None:
            r.bad(f"{where}.client_cert.cert", "is required (the client certificate file)")
        else:
            cert = (cert_file, r.text(cc.get("key"), f"{where}.client_cert.key"))
    auth_raw = r.mapping(raw.get("auth"), f"{where}.auth")
    r.known(auth_raw, AUTH_KEYS, f"{where}.auth")
    scheme = auth_raw.get("scheme", "none")
    if scheme not in AUTH_SCHEMES:
        r.bad(f"{where}.auth.scheme", f"unknown scheme {scheme!r}; use one of {', '.join(AUTH_SCHEMES)}")
        scheme = "none"
    auth = AuthSpec(scheme=scheme, credential=r.text(auth_raw.get("credential"), f"{where}.auth.credential"),
                    key_id=r.text(auth_raw.get("key_id"), f"{where}.auth.key_id"),
                    header=r.text(auth_raw.get("header"), f"{where}.auth.header", "X-API-Key") or "X-API-Key")
    if scheme in ("bearer", "api-key", "hmac-sha256", "hmac-sm3") and not auth.credential:
        r.bad(f"{where}.auth.credential", f"the {scheme} scheme needs the name of a credential in "
                                          "the keyring (set it with: deskhand vault set NAME)")
    if scheme.startswith("hmac") and not auth.key_id:
        r.bad(f"{where}.auth.key_id", "HMAC signing needs the key id the gateway issued")
    if scheme == "client-cert" and cert is None:
        r.bad(f"{where}.client_cert", "the client-cert scheme needs client_cert: {cert: FILE, key: FILE}")
    endpoints: dict[str, Endpoint] = {}
    for ep_name, ep_raw in r.mapping(raw.get("endpoints"), f"{where}.endpoints").items():
        ew = f"{where}.endpoints.{ep_name}"
        if not NAME_RE.match(str(ep_name)):
            r.bad(ew, "an endpoint name uses lower-case letters, digits, '-' and '_'")
            continue
        endpoints[str(ep_name)] = _endpoint(r, str(ep_name), r.mapping(ep_raw, ew), ew)
    if not endpoints:
        r.bad(f"{where}.endpoints", "define at least one endpoint")
    if base_url is None:
        return None
    return Registry(name=name, base_url=base_url.rstrip("/"), endpoints=endpoints, auth=auth,
                    timeout_s=timeout, retries=retries, backoff_s=backoff, verify_tls=verify_tls,
                    ca_bundle=ca_bundle, client_cert=cert)


def _endpoint(r: _Reader, name: str, raw: dict[str, Any], where: str) -> Endpoint:
    r.known(raw, EP_KEYS, where)
    method = str(raw.get("method", "GET")).upper()
    if method not in ("GET", "POST"):
        r.bad(f"{where}.method", f"must be GET or POST, not {method}")
        method = "GET"
    path = r.text(raw.get("path"), f"{where}.path", "/") or "/"
    if not path.startswith("/"):
        r.bad(f"{where}.path", f"must start with '/', not {path!r}")
    query = {str(k): str(v) for k, v in r.mapping(raw.get("query"), f"{where}.query").items()}
    body = raw.get("json")
    if body is not None and method == "GET":
        r.bad(f"{where}.json", "a GET request has no body; use method: POST")
    mapping = {str(k): str(v) for k, v in r.mapping(raw.get("map"), f"{where}.map").items()}
    if not mapping:
        r.bad(f"{where}.map", "map the answer's values to names, e.g. {applicant_name: data.xm}")
    for template in (path, *query.values()):
        try:
            template_names(template)
        except ValueError as e:
            r.bad(where, f"the template {template!r} is not valid: {e}")
    return Endpoint(name=name, method=method, path=path, query=query, json=body,  # type: ignore[arg-type]
                    map=mapping, found=r.text(raw.get("found"), f"{where}.found"))


def load_registry_settings(path: str | Path) -> RegistrySettings:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RegistryConfigError(f"The registry settings file {p} does not exist.") from None
    except (OSError, UnicodeDecodeError) as e:
        raise RegistryConfigError(f"The registry settings file {p} cannot be read: {e}") from e
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise RegistryConfigError(f"The registry settings file {p} is not valid YAML: {e}") from e
    return parse_registry_settings(data, str(p))
