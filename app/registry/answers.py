"""Reading a gateway's answer as its settings describe it (docs/registries.md): the
envelope (success, the gateway's code and message), the records and which one is the
person's, and the mapped values with their codes decoded. Pure functions over parsed JSON;
the client (app/registry/client.py) turns what they find into Answers and sentences.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from app.errors import RegistryResponseError
from app.i18n import _, join
from app.privacy import mask_text
from app.registry.compare import normal, parse_any_date
from app.registry.dictionaries import Coded, Dictionary
from app.registry.request import MISSING, _decoded, json_path
from app.registry.settings import Endpoint
from app.registry.shapes import AnswerSpec, MapSpec

__all__ = ["Envelope", "Mapped", "read_envelope", "records_of", "choose_record", "map_values"]

MAX_MESSAGE = 200


@dataclass(frozen=True)
class Envelope:
    success: bool
    code: str | None = None           # the gateway's own code, when it has one
    message: str | None = None        # what the gateway said (masked, cut short)
    kind: str | None = None           # not_found | signature | replay | busy | unknown_service | bad_request


@dataclass
class Mapped:
    values: dict[str, str | None] = field(default_factory=dict)   # name → value (decoded word)
    coded: dict[str, Coded] = field(default_factory=dict)          # name → decoded code
    undecoded: dict[str, str] = field(default_factory=dict)        # name → a code no list has


def _text(v: Any) -> str | None:
    if v is None or v is MISSING:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (str, int, float)):
        return str(v)
    return None


def read_envelope(data: Any, spec: AnswerSpec, lookup: str, registry: str) -> Envelope:
    """Where the answer says success and what the gateway said. Without `success` in the
    settings, every parsed answer that got here (HTTP 2xx) is a success."""
    message = None
    if spec.message:
        m = _text(json_path(data, spec.message))
        message = mask_text(m)[:MAX_MESSAGE] if m else None
    elif isinstance(data, Mapping):
        m = _text(data.get("message") if "message" in data else data.get("msg"))
        message = mask_text(m)[:MAX_MESSAGE] if m else None
    if spec.success_path is None:
        return Envelope(True, None, message)
    raw = json_path(data, spec.success_path)
    code = _text(raw)
    if code is None:
        raise RegistryResponseError(_(
            "The registry {registry}'s answer to {lookup} has no '{path}' to say whether it "
            "succeeded; the gateway's answer format has changed: ask IT to check the "
            "registry's answer settings.", registry=registry, lookup=lookup,
            path=spec.success_path))
    if code in spec.success_values:
        return Envelope(True, code, message)
    return Envelope(False, code, message, spec.kind_of(code))


def records_of(data: Any, path: str, lookup: str, registry: str) -> list[Any]:
    """The records at `path`: a list, one record (an object), or none (null, empty)."""
    found = json_path(data, path)
    if found is MISSING:
        raise RegistryResponseError(_(
            "The registry {registry}'s answer to {lookup} has no '{path}' where its records "
            "should be; the gateway's answer format has changed: ask IT to check the "
            "endpoint's records setting.", registry=registry, lookup=lookup, path=path))
    found = _decoded(found)        # records sent as JSON inside a string
    if found in (None, "", [], {}):
        return []
    return found if isinstance(found, list) else [found]


def choose_record(records: list[Any], ep: Endpoint, params: Mapping[str, str], lookup: str,
                  registry: str) -> tuple[int, Any]:
    """(index, record) of the person's record among `records` (at least one), by the
    endpoint's `choose` rule."""
    if ep.choose == "first" or len(records) == 1 and ep.choose in ("only", "newest"):
        return 0, records[0]
    if ep.choose == "only":
        raise RegistryResponseError(_(
            "The registry {registry} answered {lookup} with {n} records where one was "
            "expected; nothing is compared. Ask IT to say which one counts (choose: newest or "
            "match in the endpoint's settings).", registry=registry, lookup=lookup,
            n=len(records)))
    if ep.choose == "newest":
        dated = [(parse_any_date(_text(json_path(r, ep.newest_by or "")) or ""), i)
                 for i, r in enumerate(records)]
        known = [(d, i) for d, i in dated if d is not None]
        if not known:
            raise RegistryResponseError(_(
                "None of the {n} records the registry {registry} sent for {lookup} has a date "
                "at '{path}'; ask IT to check newest_by.", n=len(records), registry=registry,
                lookup=lookup, path=ep.newest_by))
        newest = max(d for d, _i in known)
        i = min(i for d, i in known if d == newest)    # the gateway's first of equal dates
        return i, records[i]
    wanted = {path: params.get(name) for path, name in ep.match.items()}
    hits = [i for i, r in enumerate(records)
            if all(v is not None and normal(_text(json_path(r, p)) or "") == normal(v)
                   for p, v in wanted.items())]
    if len(hits) != 1:
        raise RegistryResponseError(_(
            "{n} of the {total} records the registry {registry} sent for {lookup} match the "
            "request; nothing is compared. Ask IT to check the endpoint's match setting.",
            n=len(hits), total=len(records), registry=registry, lookup=lookup))
    return hits[0], records[hits[0]]


def map_values(data: Any, record: Any, mapping: Mapping[str, MapSpec],
               dictionaries: Mapping[str, Dictionary], lookup: str, registry: str) -> Mapped:
    """The mapped values of `record` (paths inside it, or from the answer's top with `$.`),
    each decoded through its dictionary. A value missing from the record is "not given";
    a map none of whose paths exist means the gateway changed its answer."""
    out = Mapped()
    absent = []
    for name, spec in mapping.items():
        v = json_path(data if spec.absolute else record, spec.path)
        if v is MISSING:
            absent.append(f"{name} ({spec.path})")
            out.values[name] = None
            continue
        text = _text(v)
        if text is None and v is not None:
            raise RegistryResponseError(_(
                "The registry's answer to {lookup} holds {kind} at {path}, not a value; the "
                "gateway's answer format has changed: ask IT to check the endpoint's map.",
                lookup=lookup, kind=type(v).__name__, path=spec.path))
        if text is not None and spec.dictionary:
            coded = dictionaries[spec.dictionary].decode(text)
            if coded is None:
                out.undecoded[name] = text
                out.values[name] = None
                continue
            out.coded[name] = coded
            text = coded.label
        out.values[name] = text
    if absent and len(absent) == len(mapping):
        raise RegistryResponseError(_(
            "The registry {registry}'s answer to {lookup} has none of the agreed values "
            "({values}); the gateway's answer format has changed: ask IT to check the "
            "endpoint's map.", registry=registry, lookup=lookup, values=join(absent)))
    return out
