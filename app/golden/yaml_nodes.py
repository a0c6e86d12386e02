"""Reading the golden files (expected.yaml, form.yaml) as YAML nodes, so that every
problem is reported as `file:line: message` (exit 2), as the playbook loader does.

    root = read_nodes(path)                   PlaybookError when unreadable
    items = mapping(root, path, KEYS, what)   {key: value node}; unknown or doubled keys refused
    text(node, path, what)                    a scalar as text (numbers too: 364000)
"""
from __future__ import annotations

from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from app.errors import PlaybookError
from app.i18n import _, join
from playbooks.files import FileRefused, read_regular_file
from playbooks.yaml_limits import MAX_FILE_BYTES, YamlLimitError, compose_bounded

__all__ = ["read_nodes", "mapping", "sequence", "text", "line_of", "fail"]

_NULL = "tag:yaml.org,2002:null"


def line_of(node: Node) -> int:
    return node.start_mark.line + 1


def fail(path: Path, node: Node | None, message: str) -> PlaybookError:
    return PlaybookError(str(path), line_of(node) if node is not None else 1, message)


def read_nodes(path: Path) -> Node:
    """The node tree of `path`; an empty file is an error (a sample needs its values)."""
    try:
        raw = read_regular_file(path, MAX_FILE_BYTES)
    except FileRefused as exc:
        raise PlaybookError(str(path), 1, _("this file cannot be read ({reason})",
                                            reason=exc.reason or exc.kind)) from None
    try:
        root = compose_bounded(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise PlaybookError(str(path), 1, _("this file is not UTF-8 text")) from None
    except YamlLimitError as exc:
        raise PlaybookError(str(path), exc.line, exc.message) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise PlaybookError(str(path), (mark.line + 1) if mark else 1,
                            _("this is not valid YAML: {problem}",
                              problem=getattr(exc, "problem", None) or str(exc))) from None
    if root is None:
        raise PlaybookError(str(path), 1, _("this file is empty"))
    return root


def mapping(node: Node, path: Path, keys: tuple[str, ...] | None, what: str) -> dict[str, Node]:
    """A mapping's values by key; `keys` None allows any key (names of fields, labels)."""
    if not isinstance(node, MappingNode):
        raise fail(path, node, _("{what} must be a mapping of names to values", what=what))
    out: dict[str, Node] = {}
    for key_node, value in node.value:
        key = text(key_node, path, what)
        if key in out:
            raise fail(path, key_node, _("'{key}' is given twice in {what}", key=key, what=what))
        if keys is not None and key not in keys:
            raise fail(path, key_node, _("unknown key '{key}' in {what}; expected one of: {keys}",
                                         key=key, what=what, keys=join(keys)))
        out[key] = value
    return out


def sequence(node: Node, path: Path, what: str) -> list[Node]:
    if not isinstance(node, SequenceNode):
        raise fail(path, node, _("{what} must be a list", what=what))
    return list(node.value)


def text(node: Node, path: Path, what: str, *, allow_null: bool = False) -> str:
    """A scalar as written (a postcode 364000 stays '364000'); null is '' when allowed."""
    if isinstance(node, ScalarNode):
        if node.tag == _NULL:
            if allow_null:
                return ""
            raise fail(path, node, _("{what} needs a value", what=what))
        return str(node.value)
    raise fail(path, node, _("{what} must be a single value, not a list or mapping", what=what))
