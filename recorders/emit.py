"""Writing the compiled playbook as YAML a supervisor can read: the shipped playbooks' key
order (deskhand, id, name, department, description, source, target, fields, verify, fill),
one short line per field in flow style, steps in block style, and a Chinese comment over
each field saying where on the source its value was found.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Item", "PlaybookText", "scalar", "flow", "emit"]

_PLAIN = re.compile(r"^[A-Za-z_\u3400-\u9fff\uf900-\ufaff（][\w\u3400-\u9fff\uf900-\ufaff（）·\-.+]*$")
_YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"}


@dataclass
class Item:
    """A field or a step: its mapping (in key order) and the comment written above it."""

    data: dict[str, Any]
    comment: str = ""


@dataclass
class PlaybookText:
    id: str
    name: str
    target: dict[str, Any]
    fields: list[Item]
    steps: list[Item]
    description: str = ""
    department: str = ""
    source: dict[str, Any] = field(default_factory=dict)
    verify: list[dict[str, Any]] = field(default_factory=list)
    header: list[str] = field(default_factory=list)    # comment lines at the top


def scalar(value: Any) -> str:
    """A YAML scalar that reads back as `value`: plain where safe, else double-quoted."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    text = str(value)
    if _PLAIN.match(text) and text.lower() not in _YAML_WORDS:
        return text
    return json.dumps(text, ensure_ascii=False)


def flow(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{scalar(k)}: {flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(flow(v) for v in value) + "]"
    return scalar(value)


def _comment(text: str, indent: str) -> list[str]:
    return [f"{indent}# {ln}" for ln in text.splitlines() if ln.strip()]


def _step(item: Item) -> list[str]:
    out = _comment(item.comment, "  ")
    keys = list(item.data.items())
    first_k, first_v = keys[0]
    out.append(f"  - {scalar(first_k)}: {flow(first_v)}")
    out += [f"    {scalar(k)}: {flow(v)}" for k, v in keys[1:]]
    return out


def emit(pb: PlaybookText) -> str:
    lines = [f"# {h}" for h in pb.header]
    lines += ["deskhand: 1", f"id: {scalar(pb.id)}", f"name: {scalar(pb.name)}"]
    if pb.department:
        lines.append(f"department: {scalar(pb.department)}")
    if pb.description:
        lines.append(f"description: {scalar(pb.description)}")
    if pb.source:
        lines.append("source:")
        lines += [f"  {scalar(k)}: {flow(v)}" for k, v in pb.source.items()]
    lines.append("target:")
    lines += [f"  {scalar(k)}: {flow(v)}" for k, v in pb.target.items()]
    lines.append("fields:")
    for f in pb.fields:
        lines += _comment(f.comment, "  ")
        lines.append(f"  - {flow(f.data)}")
    if pb.verify:
        lines.append("verify:")
        for v in pb.verify:
            keys = list(v.items())
            lines.append(f"  - {scalar(keys[0][0])}: {flow(keys[0][1])}")
            lines += [f"    {scalar(k)}: {flow(val)}" for k, val in keys[1:]]
    lines.append("fill:")
    for s in pb.steps:
        lines += _step(s)
    return "\n".join(lines) + "\n"
