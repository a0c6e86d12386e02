"""Building a look-up's request from field values, and reading values out of the answer.
Both are driven by IT's endpoint settings (templates and JSON paths), not by code."""
from __future__ import annotations

import re
from typing import Any, Mapping

from app.errors import RegistryResponseError
from app.i18n import _, join

__all__ = ["render", "json_path", "MISSING"]

MISSING = object()
_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def render(template: Any, values: Mapping[str, str]) -> Any:
    """`template` with every {name} replaced by values[name] (strings, or dicts and lists
    of them, as a JSON body). A name without a value raises KeyError(name)."""
    if isinstance(template, str):
        return template.format_map(_Strict(values))
    if isinstance(template, Mapping):
        return {k: render(v, values) for k, v in template.items()}
    if isinstance(template, list):
        return [render(v, values) for v in template]
    return template


def _decoded(node: Any) -> Any:
    if isinstance(node, str) and node[:1] in ("{", "["):
        import json
        try:
            return json.loads(node)
        except ValueError:
            return node
    return node


class _Strict(dict):
    def __init__(self, values: Mapping[str, str]) -> None:
        super().__init__(values)

    def __missing__(self, key: str) -> str:
        raise KeyError(key)


def json_path(data: Any, path: str) -> Any:
    """The value at `path` ("data.records[0].zl") in parsed JSON, or MISSING. A step into
    text that holds JSON ("data": "{\\"xm\\": …}", as some gateways double-encode) reads it."""
    node = data
    for m in _STEP.finditer(path):
        node = _decoded(node)
        key, index = m.group(1), m.group(2)
        if key is not None:
            if not isinstance(node, Mapping) or key not in node:
                return MISSING
            node = node[key]
        else:
            i = int(index)
            if not isinstance(node, list) or i >= len(node):
                return MISSING
            node = node[i]
    return node


def mapped_values(data: Any, mapping: Mapping[str, str], lookup: str) -> dict[str, str | None]:
    """The answer's values under their names: registry name → text (None when the answer
    has null there). A path that is absent means the gateway answered in another shape
    than agreed: RegistryResponseError, so that nothing is compared with a wrong value."""
    out: dict[str, str | None] = {}
    absent = []
    for name, path in mapping.items():
        v = json_path(data, path)
        if v is MISSING:
            absent.append(f"{name} ({path})")
        elif v is None:
            out[name] = None
        elif isinstance(v, (str, int, float)) and not isinstance(v, bool):
            out[name] = str(v)
        else:
            raise RegistryResponseError(_(
                "The registry's answer to {lookup} holds {kind} at {path}, not a value; the "
                "gateway's answer format has changed: ask IT to check the endpoint's map.",
                lookup=lookup, kind=type(v).__name__, path=path))
    if absent and len(absent) == len(mapping):
        raise RegistryResponseError(_(
            "The registry's answer to {lookup} has none of the agreed values ({values}); the "
            "gateway's answer format has changed: ask IT to check the endpoint's map.",
            lookup=lookup, values=join(absent)))
    for name in [a.split(" ")[0] for a in absent]:
        out[name] = None    # some records lack optional values (no spouse): nothing to compare
    return out
