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
from app.i18n import _, join, n_
from app.registry.dictionaries import Dictionary, parse_codes, shipped
from app.registry.shapes import (CHOOSE_RULES, AnswerSpec, MapSpec, Reader, SignSpec, TokenSpec,
                                 read_answer, read_map, read_sign, read_token)
from playbooks.yaml_limits import YamlLimitError, load_bounded

__all__ = ["AuthSpec", "Endpoint", "Registry", "RegistrySettings", "load_registry_settings",
           "parse_registry_settings", "AUTH_SCHEMES", "template_names"]

AUTH_SCHEMES = ("none", "bearer", "api-key", "hmac-sha256", "hmac-sm3", "client-cert", "signed",
                "token")
MAX_TIMEOUT_S = 30.0
NAME_RE = re.compile(r"[a-z0-9][a-z0-9_-]*\Z")


@dataclass(frozen=True)
class AuthSpec:
    scheme: str = "none"
    credential: str | None = None      # vault name of the token, key or HMAC secret
    key_id: str | None = None          # HMAC: the key id the gateway issued
    header: str = "X-API-Key"          # api-key: the header it goes in
    sign: SignSpec | None = None       # signed: the gateway's own signature (docs/registries.md)
    token: TokenSpec | None = None     # token: asked for with key id and secret, then carried


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: Literal["GET", "POST"] = "GET"
    path: str = "/"
    query: dict[str, str] = field(default_factory=dict)   # name → template
    json: Any = None                                      # body template (POST)
    map: dict[str, MapSpec] = field(default_factory=dict)  # registry name → where its value is
    found: str | None = None           # JSON path that is empty when there is no record
    records: str | None = None         # where the records are (over the registry's answer.records)
    choose: str = "only"               # only | first | newest | match: which record is the person's
    newest_by: str | None = None       # choose newest: the date in each record
    match: dict[str, str] = field(default_factory=dict)   # choose match: record path → value name
    sample: dict[str, str] = field(default_factory=dict)  # values for `deskhand registry test`


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
    answer: AnswerSpec = AnswerSpec()                   # how its answers are wrapped


@dataclass(frozen=True)
class RegistrySettings:
    registries: dict[str, Registry]
    on_outage: Literal["unverified", "stop"] = "unverified"
    path: str | None = None
    dictionaries: dict[str, Dictionary] = field(default_factory=dict)  # shipped + IT's own

    def endpoint(self, lookup: str) -> tuple[Registry, Endpoint]:
        reg_name, _dot, ep_name = lookup.partition(".")
        reg = self.registries.get(reg_name)
        if reg is None:
            known = join(sorted(self.registries)) or _("none")
            raise RegistryConfigError(_(
                "The playbook asks the registry '{registry}' (look-up {lookup}), which the "
                "registry settings{where} do not define (defined: {known}).",
                registry=reg_name, lookup=lookup, where=_where(self.path), known=known))
        ep = reg.endpoints.get(ep_name)
        if ep is None:
            known = join(sorted(reg.endpoints)) or _("none")
            raise RegistryConfigError(_(
                "The registry '{registry}' has no look-up '{name}' (defined: {known}); ask IT "
                "to add it to the registry settings{where}.",
                registry=reg_name, name=ep_name, known=known, where=_where(self.path)))
        return reg, ep


def _where(path: str | None) -> str:
    return _(" ({path})", path=path) if path else ""


def template_names(template: Any) -> set[str]:
    """The {names} a request template uses (path, query values, JSON body)."""
    if isinstance(template, str):
        return {f for _text, f, _spec, _conv in string.Formatter().parse(template) if f}
    if isinstance(template, Mapping):
        return set().union(*(template_names(v) for v in template.values())) if template else set()
    if isinstance(template, (list, tuple)):
        return set().union(*(template_names(v) for v in template)) if template else set()
    return set()


REG_KEYS = ("base_url", "timeout_s", "retries", "backoff_s", "verify_tls", "ca_bundle",
            "client_cert", "auth", "answer", "endpoints")
EP_KEYS = ("method", "path", "query", "json", "map", "found", "records", "choose", "newest_by",
           "match", "sample")
AUTH_KEYS = ("scheme", "credential", "key_id", "header", "sign", "token")


def parse_registry_settings(data: Any, path: str | None = None) -> RegistrySettings:
    r = Reader(path)
    top = r.mapping(data, "registry settings")
    r.known(top, ("version", "on_outage", "dictionaries", "registries"), "registry settings")
    if top.get("version", 1) != 1:
        r.bad("version", _("this Deskhand reads version 1, not {value!r}", value=top.get("version")))
    on_outage = top.get("on_outage", "unverified")
    if on_outage not in ("unverified", "stop"):
        r.bad("on_outage", _("must be 'unverified' or 'stop', not {value!r}", value=on_outage))
        on_outage = "unverified"
    dictionaries: dict[str, Dictionary] = dict(shipped())
    for name, raw in r.mapping(top.get("dictionaries"), "dictionaries").items():
        where = f"dictionaries.{name}"
        if name in dictionaries:
            r.bad(where, _("'{name}' is a dictionary Deskhand ships; give yours another name",
                           name=name))
            continue
        dictionaries[str(name)] = parse_codes(str(name), raw, r.problems, where)
    regs: dict[str, Registry] = {}
    for name, raw in r.mapping(top.get("registries"), "registries").items():
        where = f"registries.{name}"
        if not NAME_RE.match(str(name)):
            r.bad(where, _("a registry name uses lower-case letters, digits, '-' and '_'"))
            continue
        reg = _registry(r, str(name), r.mapping(raw, where), where, dictionaries)
        if reg is not None:
            regs[str(name)] = reg
    if r.problems:
        error = RegistryConfigError(n_(
            "The registry settings{where} have {n} problem; ask IT to fix it:\n  {problems}",
            "The registry settings{where} have {n} problems; ask IT to fix them:\n  {problems}",
            len(r.problems), where=_where(path), n=len(r.problems),
            problems="\n  ".join(r.problems)))
        error.problems = list(r.problems)   # type: ignore[attr-defined]  # for app.settings
        raise error
    return RegistrySettings(registries=regs, on_outage=on_outage, path=path,
                            dictionaries=dictionaries)


def _registry(r: Reader, name: str, raw: dict[str, Any], where: str,
              dictionaries: dict[str, Dictionary]) -> Registry | None:
    r.known(raw, REG_KEYS, where)
    base_url = r.text(raw.get("base_url"), f"{where}.base_url")
    if base_url is None:
        r.bad(f"{where}.base_url", _("is required, e.g. https://gateway.city.gov.cn/share"))
    elif not base_url.startswith(("https://", "http://")):
        r.bad(f"{where}.base_url", _("must start with https:// (or http:// on loopback), not "
                                     "{value!r}", value=base_url))
    timeout = r.number(raw.get("timeout_s"), f"{where}.timeout_s", 0.1, MAX_TIMEOUT_S, 3.0)
    retries = int(r.number(raw.get("retries"), f"{where}.retries", 0, 5, 1))
    backoff = r.number(raw.get("backoff_s"), f"{where}.backoff_s", 0, 10, 0.2)
    verify_tls = raw.get("verify_tls", True)
    if not isinstance(verify_tls, bool):
        r.bad(f"{where}.verify_tls", _("must be true or false"))
        verify_tls = True
    ca_bundle = r.text(raw.get("ca_bundle"), f"{where}.ca_bundle")
    cert = None
    if raw.get("client_cert") is not None:
        cc = r.mapping(raw["client_cert"], f"{where}.client_cert")
        r.known(cc, ("cert", "key"), f"{where}.client_cert")
        cert_file = r.text(cc.get("cert"), f"{where}.client_cert.cert")
        if cert_file is None:
            r.bad(f"{where}.client_cert.cert", _("is required (the client certificate file)"))
        else:
            cert = (cert_file, r.text(cc.get("key"), f"{where}.client_cert.key"))
    auth_raw = r.mapping(raw.get("auth"), f"{where}.auth")
    r.known(auth_raw, AUTH_KEYS, f"{where}.auth")
    scheme = auth_raw.get("scheme", "none")
    if scheme not in AUTH_SCHEMES:
        r.bad(f"{where}.auth.scheme", _("unknown scheme {scheme!r}; use one of {schemes}",
                                        scheme=scheme, schemes=join(AUTH_SCHEMES)))
        scheme = "none"
    sign = None
    if scheme == "signed":
        sign = read_sign(r, auth_raw.get("sign"), f"{where}.auth.sign")
    elif auth_raw.get("sign") is not None:
        r.bad(f"{where}.auth.sign", _("is only for scheme: signed"))
    token = None
    if scheme == "token":
        token = read_token(r, auth_raw.get("token"), f"{where}.auth.token")
    elif auth_raw.get("token") is not None:
        r.bad(f"{where}.auth.token", _("is only for scheme: token"))
    auth = AuthSpec(scheme=scheme, credential=r.text(auth_raw.get("credential"), f"{where}.auth.credential"),
                    key_id=r.text(auth_raw.get("key_id"), f"{where}.auth.key_id"),
                    header=r.text(auth_raw.get("header"), f"{where}.auth.header", "X-API-Key") or "X-API-Key",
                    sign=sign, token=token)
    if sign is not None and not auth.key_id and any(
            "{key_id}" in t for t in (sign.string, *sign.headers.values(), *sign.params.values())):
        r.bad(f"{where}.auth.key_id", _("the signature uses {key_id}: give the key id (app key) "
                                        "the gateway issued"))
    if scheme in ("bearer", "api-key", "hmac-sha256", "hmac-sm3", "signed", "token") \
            and not auth.credential:
        r.bad(f"{where}.auth.credential", _("the {scheme} scheme needs the name of a credential "
                                            "in the keyring (set it with: deskhand vault set NAME)",
                                            scheme=scheme))
    if scheme.startswith("hmac") and not auth.key_id:
        r.bad(f"{where}.auth.key_id", _("HMAC signing needs the key id the gateway issued"))
    if scheme == "client-cert" and cert is None:
        r.bad(f"{where}.client_cert", _("the client-cert scheme needs client_cert: "
                                        "{cert: FILE, key: FILE}"))
    endpoints: dict[str, Endpoint] = {}
    for ep_name, ep_raw in r.mapping(raw.get("endpoints"), f"{where}.endpoints").items():
        ew = f"{where}.endpoints.{ep_name}"
        if not NAME_RE.match(str(ep_name)):
            r.bad(ew, _("an endpoint name uses lower-case letters, digits, '-' and '_'"))
            continue
        endpoints[str(ep_name)] = _endpoint(r, str(ep_name), r.mapping(ep_raw, ew), ew, dictionaries)
    if not endpoints:
        r.bad(f"{where}.endpoints", _("define at least one endpoint"))
    if base_url is None:
        return None
    answer = read_answer(r, raw.get("answer"), f"{where}.answer")
    return Registry(name=name, base_url=base_url.rstrip("/"), endpoints=endpoints, auth=auth,
                    timeout_s=timeout, retries=retries, backoff_s=backoff, verify_tls=verify_tls,
                    ca_bundle=ca_bundle, client_cert=cert, answer=answer)


def _endpoint(r: Reader, name: str, raw: dict[str, Any], where: str,
              dictionaries: dict[str, Dictionary]) -> Endpoint:
    r.known(raw, EP_KEYS, where)
    method = str(raw.get("method", "GET")).upper()
    if method not in ("GET", "POST"):
        r.bad(f"{where}.method", _("must be GET or POST, not {method}", method=method))
        method = "GET"
    path = r.text(raw.get("path"), f"{where}.path", "/") or "/"
    if not path.startswith("/"):
        r.bad(f"{where}.path", _("must start with '/', not {value!r}", value=path))
    query = {str(k): str(v) for k, v in r.mapping(raw.get("query"), f"{where}.query").items()}
    body = raw.get("json")
    if body is not None and method == "GET":
        r.bad(f"{where}.json", _("a GET request has no body; use method: POST"))
    mapping = read_map(r, raw.get("map"), f"{where}.map", dictionaries)
    if not mapping:
        r.bad(f"{where}.map", _("map the answer's values to names, e.g. {applicant_name: data.xm}"))
    for template in (path, *query.values()):
        try:
            template_names(template)
        except ValueError as e:
            r.bad(where, _("the template {template!r} is not valid: {reason}", template=template,
                           reason=e))
    choose = r.one_of(raw.get("choose"), CHOOSE_RULES, f"{where}.choose", "only")
    newest_by = r.text(raw.get("newest_by"), f"{where}.newest_by")
    if choose == "newest" and newest_by is None:
        r.bad(f"{where}.newest_by", _("choose: newest needs the date to go by, e.g. newest_by: djrq"))
    match = {str(k): str(v) for k, v in r.mapping(raw.get("match"), f"{where}.match").items()}
    if choose == "match" and not match:
        r.bad(f"{where}.match", _("choose: match needs record path: value name pairs, e.g. "
                                  "{sfzh: id_number}"))
    sample = {str(k): str(v) for k, v in r.mapping(raw.get("sample"), f"{where}.sample").items()}
    return Endpoint(name=name, method=method, path=path, query=query, json=body,  # type: ignore[arg-type]
                    map=mapping, found=r.text(raw.get("found"), f"{where}.found"),
                    records=r.text(raw.get("records"), f"{where}.records"), choose=choose,
                    newest_by=newest_by, match=match, sample=sample)


def load_registry_settings(path: str | Path) -> RegistrySettings:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RegistryConfigError(_("The registry settings file {path} does not exist.",
                                    path=p)) from None
    except (OSError, UnicodeDecodeError) as e:
        raise RegistryConfigError(_("The registry settings file {path} cannot be read: {reason}",
                                    path=p, reason=e)) from e
    try:
        data = load_bounded(text)
    except YamlLimitError as e:
        raise RegistryConfigError(_("The registry settings file {path} cannot be used: line "
                                    "{line}: {reason}.", path=p, line=e.line,
                                    reason=e.message)) from None
    except yaml.YAMLError as e:
        raise RegistryConfigError(_("The registry settings file {path} is not valid YAML: {reason}",
                                    path=p, reason=e)) from e
    return parse_registry_settings(data, str(p))
