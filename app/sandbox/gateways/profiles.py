"""The gateway profiles by name, and their fault grammar, without loading a web server
(the command line parses --profile and --fault before anything serves).

    PROFILES                     prov, city, ministry
    ENDPOINTS["city"]            ("person", "marriage", "insurance"), as faults and settings say
    parse_gateway_fault("prov", "busy@marriage")
    make_profile("ministry")     the Profile object (loads Starlette)
"""
from __future__ import annotations

from typing import Any, Callable

from app.sandbox.registry_service.faults import Fault, faults_from_json, parse_fault

__all__ = ["PROFILES", "ENDPOINTS", "DEFAULT_KEY_IDS", "FAULT_KINDS", "parse_gateway_fault",
           "fault_parser", "make_profile"]

PROFILES = ("prov", "city", "ministry")
ENDPOINTS = {"prov": ("person", "marriage", "licence"),
             "city": ("person", "marriage", "insurance"),
             "ministry": ("person", "marriage", "transport")}
DEFAULT_KEY_IDS = {"prov": "prov-demo-app", "city": "city-demo-key", "ministry": "gw-demo-appid"}
FAULT_KINDS = ("delay", "status", "garbage", "schema", "busy", "drop", "sign", "replay", "unknown")


def parse_gateway_fault(profile: str, spec: str) -> Fault:
    return parse_fault(spec, FAULT_KINDS, ENDPOINTS[profile])


def fault_parser(profile: str) -> Callable[[Any], tuple[Fault, ...]]:
    return lambda obj: faults_from_json(obj, FAULT_KINDS, ENDPOINTS[profile])


def make_profile(name: str) -> Any:
    if name == "prov":
        from app.sandbox.gateways.prov import Prov
        return Prov()
    if name == "city":
        from app.sandbox.gateways.city import City
        return City()
    if name == "ministry":
        from app.sandbox.gateways.ministry import Ministry
        return Ministry()
    raise KeyError(f"no gateway profile {name!r}; the profiles are {', '.join(PROFILES)}")
