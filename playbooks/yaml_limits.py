"""Reading YAML within limits no real playbook (or settings file) reaches.

PyYAML composes recursively, lets an alias point at the value it sits in, and lets a
few lines of anchors and aliases stand for millions of values. A hostile or broken
file would then stop Deskhand with a RecursionError or hold it for minutes. Here the
composer counts its depth, and the tree it returns is walked once (without recursion)
to refuse cycles, expansion bombs, oversized texts and lists, and tags that are not
plain YAML. The limits are documented in playbooks/README.md ("Limits").

    compose_bounded(text) -> Node | None      raises YamlLimitError or yaml.YAMLError
    load_bounded(text)    -> Any              yaml.safe_load within the same limits, for
                                              the settings files IT and clerks edit
"""
from __future__ import annotations

from typing import Any, Iterator

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from playbooks.text import _

__all__ = ["compose_bounded", "load_bounded", "walk", "unreadable_scalar", "out_of_range",
           "YamlLimitError", "MAX_FILE_BYTES", "MAX_DEPTH", "MAX_TEXT",
           "MAX_ITEMS", "MAX_VALUES"]

MAX_FILE_BYTES = 256 * 1024    # the shipped playbooks are 2-4 KB; PyYAML reads ~250 KB/s
MAX_DEPTH = 20                 # a playbook nests 7 deep: top > fill > step > choose > options > keys > key
MAX_TEXT = 10_000              # characters in one value; a long description is ~1,000
MAX_ITEMS = 5_000              # entries in one list or mapping; a large form has ~100 steps
MAX_VALUES = 100_000           # values in the whole file, with every alias expanded

_STD = "tag:yaml.org,2002:"
ALLOWED_TAGS = frozenset(_STD + t for t in (
    "str", "int", "float", "bool", "null", "timestamp", "seq", "map", "merge"))


class YamlLimitError(Exception):
    """The YAML is beyond a limit; `line` (1-based) says where, `message` why (a clause in
    the reader's language, without a full stop: callers put it after "file:line: ")."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def _line(node: Node) -> int:
    return node.start_mark.line + 1


class _BoundedLoader(yaml.SafeLoader):
    """The safe loader, refusing to compose deeper than MAX_DEPTH (before Python's own
    recursion limit, which PyYAML's composer would otherwise hit near 330 levels)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._nodes = 0

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise YamlLimitError(mark.line + 1, _("values are nested more than {depth} levels "
                                                      "deep here; a playbook needs 7, so this file "
                                                      "is damaged or not what it should be",
                                                      depth=MAX_DEPTH))
            self._nodes += 1
            if self._nodes > MAX_VALUES:   # stop reading early; aliases are counted after
                mark = self.peek_event().start_mark
                raise YamlLimitError(mark.line + 1, _("the file holds more than {count:,} values; "
                                                      "a playbook or settings file holds a few "
                                                      "hundred", count=MAX_VALUES))
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def compose_bounded(text: str) -> Node | None:
    """The node tree of one YAML document (None when empty), checked against the limits."""
    loader = _BoundedLoader(text)
    try:
        root = loader.get_single_node()
    finally:
        loader.dispose()
    if root is not None:
        _check_tree(root)
    return root


def load_bounded(text: str) -> Any:
    """What yaml.safe_load gives, within the limits above. Raises YamlLimitError (also
    for a value the constructor cannot read, such as a number of 5,000 digits) or
    yaml.YAMLError."""
    root = compose_bounded(text)
    if root is None:
        return None
    try:
        return SafeConstructor().construct_document(root)
    except (ValueError, OverflowError, TypeError, RecursionError):
        bad = unreadable_scalar(root)
        raise YamlLimitError(_line(bad), out_of_range(bad)) from None


def out_of_range(node: Node) -> str:
    """Why a scalar the resolver took for a number or date cannot be constructed."""
    value = str(node.value)
    shown = value if len(value) <= 40 else value[:39] + "…"
    return _("the value '{value}' cannot be read: it is out of range (a number too long, or a "
             "date that does not exist); put it in quotes if it is text", value=shown)


def unreadable_scalar(node: Node) -> Node:
    """The first scalar under `node` that the safe constructor refuses (node if none)."""
    for n in walk(node):
        if isinstance(n, ScalarNode):
            try:
                SafeConstructor().construct_object(n)
            except Exception:  # noqa: BLE001 - only locating the one that fails
                return n
    return node


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def walk(root: Node) -> Iterator[Node]:
    """Every distinct node under `root` (an aliased one once), parents before children,
    in file order; without recursion."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        stack.extend(reversed(_children(node)))


def _check_node(node: Node) -> None:
    if node.tag not in ALLOWED_TAGS:
        tag = node.tag.replace(_STD, "!!")
        raise YamlLimitError(_line(node), _("the YAML tag '{tag}' is not allowed in Deskhand's "
                                            "files; write the plain value without a tag", tag=tag))
    if isinstance(node, ScalarNode) and len(node.value) > MAX_TEXT:
        raise YamlLimitError(_line(node), _("this value is {length:,} characters long; a value "
                                            "may be at most {limit:,}",
                                            length=len(node.value), limit=MAX_TEXT))
    if isinstance(node, SequenceNode) and len(node.value) > MAX_ITEMS:
        raise YamlLimitError(_line(node), _("this list has {count:,} entries; a list may have at "
                                            "most {limit:,}", count=len(node.value),
                                            limit=MAX_ITEMS))
    if isinstance(node, MappingNode) and len(node.value) > MAX_ITEMS:
        raise YamlLimitError(_line(node), _("this mapping has {count:,} entries; a mapping may "
                                            "have at most {limit:,}", count=len(node.value),
                                            limit=MAX_ITEMS))


def _check_tree(root: Node) -> None:
    """Post-order walk with an explicit stack. A node met again while still open is an
    alias inside its own anchor; every node's size and depth count its aliases in full."""
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[Node, Node | None, bool]] = [(root, None, False)]
    while stack:
        node, parent, done = stack.pop()
        key = id(node)
        if done:
            kids = _children(node)
            size[key] = 1 + sum(size[id(k)] for k in kids)
            depth[key] = 1 + max((depth[id(k)] for k in kids), default=0)
            open_nodes.discard(key)
            if size[key] > MAX_VALUES:
                raise YamlLimitError(_line(node), _("with its anchors and aliases (&, *) expanded, "
                                                    "this value holds more than {count:,} values; "
                                                    "a playbook or settings file holds a few "
                                                    "hundred", count=MAX_VALUES))
            if depth[key] > MAX_DEPTH:
                raise YamlLimitError(_line(node), _("with its aliases (*) expanded, values here "
                                                    "are nested more than {depth} levels deep; a "
                                                    "playbook needs 7", depth=MAX_DEPTH))
            continue
        if key in open_nodes:
            where = _line(parent) if parent is not None else _line(node)
            raise YamlLimitError(where, _("an alias (*) here refers to the value it is part of "
                                          "(its anchor & is on line {line}), which would repeat "
                                          "forever; refer to another value", line=_line(node)))

        if key in size:
            continue
        _check_node(node)
        open_nodes.add(key)
        stack.append((node, parent, True))
        for kid in _children(node):
            stack.append((kid, node, False))
