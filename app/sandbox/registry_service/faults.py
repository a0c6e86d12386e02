"""Faults the reference registry can be told to show, so that clients are tested
against the ways real gateways fail. All are off unless asked for.

    delay=S[@ENDPOINT]       answer S seconds late (other requests are not held up)
    status=CODE[@ENDPOINT]   answer with HTTP CODE (400-599) and an error envelope
    garbage[@ENDPOINT]       200, Content-Type application/json, a body cut off mid-JSON
    schema[@ENDPOINT]        200 with a valid envelope whose data has other keys and types

ENDPOINT is one of population, licence, realestate, marriage, transport; without it the
fault hits every data endpoint. The same specs come from `--fault` (repeatable) and from
PUT /_admin/faults, as strings or as objects {"kind", "value", "endpoint"}.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from app.errors import UsageError
from app.sandbox.registry_service.data import ENDPOINTS

__all__ = ["Fault", "FaultSwitch", "KINDS", "parse_fault", "faults_from_json"]

KINDS = ("delay", "status", "garbage", "schema")
MAX_DELAY_S = 600.0


@dataclass(frozen=True)
class Fault:
    kind: str                       # one of KINDS
    value: float | int | None       # seconds for delay, the HTTP status for status
    endpoint: str | None = None     # None: every data endpoint

    def applies_to(self, endpoint: str) -> bool:
        return self.endpoint is None or self.endpoint == endpoint

    def spec(self) -> str:
        """Back to the form --fault takes, e.g. status=503@population."""
        value = "" if self.value is None else f"={self.value:g}"
        return f"{self.kind}{value}" + (f"@{self.endpoint}" if self.endpoint else "")

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "value": self.value, "endpoint": self.endpoint}


def parse_fault(spec: str, kinds: Sequence[str] = KINDS,
                endpoints: Sequence[str] = ENDPOINTS) -> Fault:
    """`delay=5`, `status=503@population`, `garbage`, `schema@marriage` → Fault. `kinds`
    and `endpoints`: what a server takes (the sandbox gateways have more kinds)."""
    text, _, endpoint = spec.strip().partition("@")
    kind, has_value, raw = text.partition("=")
    return _fault(kind.strip(), raw.strip() if has_value else None, endpoint.strip() or None, spec,
                  kinds, endpoints)


def faults_from_json(obj: Any, kinds: Sequence[str] = KINDS,
                     endpoints: Sequence[str] = ENDPOINTS) -> tuple[Fault, ...]:
    """The body of PUT /_admin/faults: a list (or {"faults": list}) of spec strings or
    objects {"kind": ..., "value": ..., "endpoint": ...}."""
    if isinstance(obj, dict) and set(obj) == {"faults"}:
        obj = obj["faults"]
    example = endpoints[0]
    if not isinstance(obj, list):
        raise UsageError(f'Send a JSON list of faults, e.g. ["delay=2@{example}", "garbage"] '
                         f'or [{{"kind": "status", "value": 503, "endpoint": "{example}"}}].')
    faults = []
    for item in obj:
        if isinstance(item, str):
            faults.append(parse_fault(item, kinds, endpoints))
        elif isinstance(item, dict) and isinstance(item.get("kind"), str) \
                and set(item) <= {"kind", "value", "endpoint"}:
            value = item.get("value")
            faults.append(_fault(item["kind"], None if value is None else str(value),
                                 item.get("endpoint"), str(item), kinds, endpoints))
        else:
            raise UsageError(f"Not a fault: {item!r}. Give a string such as 'status=503@{example}' "
                             'or an object with "kind", "value" and "endpoint".')
    return tuple(faults)


def _fault(kind: str, raw: str | None, endpoint: str | None, spec: str,
           kinds: Sequence[str], endpoints: Sequence[str]) -> Fault:
    if kind not in kinds:
        raise UsageError(f"Unknown fault '{spec}': the kinds are {', '.join(kinds)} "
                         f"(e.g. delay=5, status=503@{endpoints[0]}, garbage).")
    if endpoint is not None and endpoint not in endpoints:
        raise UsageError(f"Fault '{spec}' names endpoint '{endpoint}'; use one of "
                         f"{', '.join(endpoints)}.")
    if kind == "delay":
        try:
            seconds = float(raw) if raw is not None else None
        except ValueError:
            seconds = None
        if seconds is None or not 0 <= seconds <= MAX_DELAY_S:
            raise UsageError(f"Fault '{spec}': delay takes seconds from 0 to {MAX_DELAY_S:g}, "
                             "e.g. delay=5.")
        return Fault(kind, seconds, endpoint)
    if kind == "status":
        code = int(raw) if raw is not None and raw.isdigit() else None
        if code is None or not 400 <= code <= 599:
            raise UsageError(f"Fault '{spec}': status takes an HTTP status from 400 to 599, "
                             "e.g. status=503.")
        return Fault(kind, code, endpoint)
    if raw is not None:
        raise UsageError(f"Fault '{spec}': {kind} takes no value (write '{kind}' or "
                         f"'{kind}@{endpoints[0]}').")
    return Fault(kind, None, endpoint)


class FaultSwitch:
    """The faults in force; the admin endpoint replaces them while the server runs."""

    def __init__(self, faults: tuple[Fault, ...] = ()) -> None:
        self.faults = faults

    def for_endpoint(self, endpoint: str) -> dict[str, Fault]:
        """kind → the fault of that kind hitting `endpoint` (a scoped one wins over a
        global one of the same kind)."""
        found: dict[str, Fault] = {}
        for f in self.faults:
            if f.applies_to(endpoint) and (f.kind not in found or f.endpoint is not None):
                found[f.kind] = f
        return found
