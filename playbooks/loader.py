"""Load and check playbook files (format v1, described in playbooks/README.md).

    load_playbook(path)                  -> Playbook
    load_playbook_text(text, filename)   -> Playbook

Both raise PlaybookErrors listing every problem found in one pass, each located as
`file:line: message` with the line of the offending YAML key or value. The checks
work on the YAML node tree (yaml.compose with the safe loader), so line numbers
survive and duplicate mapping keys, which YAML would silently collapse, are caught.

This module imports nothing from app/ or recorders/ and nothing from Qt. Its sentences are
marked with playbooks/text.py's `_` (English unless app/i18n.py has installed its
translator there): each one whole, with what it names ("the click in step 3", a key's
name, a value cut short) as named placeholders. A `{suggestion}` placeholder holds a
parenthesis translated by itself (" (did you mean 'x'?)"), or nothing.
"""
from __future__ import annotations

import dataclasses
import math
import re
from pathlib import Path
from typing import Any, Callable, Iterable

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from playbooks.errors import PlaybookError, PlaybookErrors
from playbooks.anchors import anchor_key
from playbooks.files import FileRefused, read_regular_file
from playbooks.patterns import (MIN_LITERAL, glob_catch_all, glob_problem, regex_catch_all,
                                regex_problem)
from playbooks.yaml_limits import (MAX_FILE_BYTES, YamlLimitError, compose_bounded,
                                   out_of_range, unreadable_scalar, walk)
from playbooks.keys import ALIASES, MODIFIERS, NAMED_KEYS, KeyCombo, KeyNameError, parse_combo
from playbooks.text import N_, _, join
from playbooks.yaml_words import yaml_words
from playbooks.steps_addressed import (AT_KEYS, SET_KEYS, STEP_SIBLING_KEYS, WHEN_KEYS,
                                       AddressedSteps)
from playbooks.node_words import (_did_you_mean, _did_you_mean_hint, _either, _is_null, _line,
                                  _of, _quote_list, _quoted, _short, _suggest)
from playbooks.batch_section import BatchSection
from playbooks.model import (
    COMPARE_RULES,
    DEFAULT_FUZZY_THRESHOLD,
    DERIVE_PARTS,
    ID_PARTS,
    ID_PART_TYPES,
    SHIPPED_DICTIONARIES,
    TRANSFORM_KINDS,
    TRANSFORM_NAMES,
    DeriveSpec,
    TransformStep,
    FIELD_TYPES,
    FORMAT_VERSION,
    Compare,
    VerifySpec,
    ChooseStep,
    ClickStep,
    FieldSpec,
    KeyStep,
    SOURCE_KINDS,
    Playbook,
    ReadSpec,
    Region,
    READ_DIRECTIONS,
    RowMatch,
    SELECTED_BY,
    SourceSpec,
    TABLE_ROWS,
    TableSpec,
    Step,
    TargetSpec,
    TypeStep,
    WaitStep,
)

__all__ = [
    "load_playbook",
    "load_playbook_text",
    "TOP_KEYS",
    "TARGET_KEYS",
    "FIELD_KEYS",
    "STEP_KINDS",
]

TOP_KEYS = ("deskhand", "id", "name", "department", "description", "source",
            "target", "fields", "verify", "fill", "on_invalid", "batch")
REQUIRED_TOP_KEYS = ("deskhand", "id", "name", "target", "fields", "fill")
TARGET_KEYS = ("title", "title_regex", "process")
FIELD_KEYS = ("name", "label", "type", "required", "choices", "format", "sensitive", "multiline",
              "read", "transform", "derive", "secret")
DERIVE_KEYS = ("from", "part")
# The forms a date field's own check reads back (app/checks/dates.py): a date step on a
# field of type date must write one of them.
CHECKABLE_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")
SOURCE_KEYS = ("kind", "window", "size", "regions", "table")
TABLE_KEYS = ("header", "row", "selected_by")
MATCH_KEYS = ("column", "field")
VERIFY_KEYS = ("lookup", "with", "confirm", "fill")
COMPARE_KEYS = ("rule", "threshold", "as")
READ_KEYS = ("anchor", "direction", "lines", "max_gap", "region", "pattern", "column",
             "constant", "vault")
# read: {constant: …} and read: {vault: …} say where the value comes from on their own
READ_ALONE = ("constant", "vault")
REGION_KEYS = ("x", "y", "width", "height")
STEP_KINDS = ("click", "type", "key", "choose", "wait", "set", "press")
CLICK_KEYS = ("x", "y", "anchor", "dx", "dy", "button", "double")
TYPE_KEYS = ("field", "method", "readback", "clear")
CHOOSE_KEYS = ("field", "options")
WAIT_KEYS = ("seconds", "title", "text", "timeout")
STEP_KEYS: dict[str, tuple[str, ...]] = {
    "click": CLICK_KEYS, "type": TYPE_KEYS, "key": (), "choose": CHOOSE_KEYS, "wait": WAIT_KEYS,
    "set": (), "press": (),
}
TYPE_METHODS = ("auto", "keys", "paste")
BUTTONS = ("left", "right", "middle")

# Words people reach for instead of a step kind.
KIND_SYNONYMS = {
    "keys": "key", "hotkey": "key", "shortcut": "key",
    "select": "choose", "pick": "choose", "option": "choose", "dropdown": "choose",
    "input": "type", "write": "type", "fill": "type", "enter_text": "type",
    "button": "press", "submit": "press", "put": "set",
    "sleep": "wait", "delay": "wait", "pause": "wait",
    "tap": "click", "mouse": "click",
}

ID_RE = re.compile(r"[a-z0-9][a-z0-9_-]*\Z")
FIELD_NAME_RE = re.compile(r"[a-z_][a-z0-9_]*\Z")
LOOKUP_RE = re.compile(r"[a-z0-9][a-z0-9_-]*\.[a-z0-9][a-z0-9_-]*\Z")
# strftime directives that mean the same on Linux and Windows.
STRFTIME_DIRECTIVES = set("aAwdbBmyYHIpMSfzZjUWcxX%")

MAX_SECONDS = 600          # longest wait or timeout, in seconds
MAX_LABEL_HEIGHTS = 100    # largest read: max_gap (a value 100 label heights away is another's)
MAX_ERRORS = 100           # problems reported from one file; the rest after these are fixed
MAX_COORD = 10000          # largest click position or offset, in pixels

_TRANSFORM_EXAMPLES = {"date": "{date: \"%Y-%m-%d\"}", "code": "{code: sex}",
                       "to_code": "{to_code: sex}", "replace": "{replace: {\"－\": \"-\"}}"}
_NUMBERS = {2: N_("two"), 3: N_("three"), 4: N_("four"), 5: N_("five")}
_MERGE_TAG = "tag:yaml.org,2002:merge"


# --------------------------------------------------------------------------- entry points

def load_playbook(path: str | Path) -> Playbook:
    """Read a playbook file and check it. Raises PlaybookErrors on any problem."""
    name = str(path)
    p = Path(path)

    def refuse(message: str, line: int = 0) -> PlaybookErrors:
        return PlaybookErrors([PlaybookError(name, line, message)])

    try:
        data = read_regular_file(p, MAX_FILE_BYTES)
    except FileRefused as e:
        raise refuse(_refused(e)) from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise refuse(_("the file is saved as UTF-16; save it as UTF-8"), 1)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise refuse(_("the file is not UTF-8 text (byte 0x{byte:02x} on this line cannot be "
                       "read); save it as UTF-8, as files saved in GBK or GB2312 cause this",
                       byte=data[e.start]), line) from None
    return load_playbook_text(text, name)


def _refused(e: FileRefused) -> str:
    """Why the playbook file named cannot be read (playbooks/files.py says which kind)."""
    if e.kind == "missing":
        return _("the playbook file does not exist; check the path and the file name")
    if e.kind == "folder":
        return _("this is a folder, not a playbook file; name a .yaml file inside it")
    if e.kind == "special":
        return _("this is not a regular file (a device, pipe or socket); name a .yaml file")
    if e.kind == "too_large":
        return _("the playbook file is {size:,} bytes, but may be at most {limit:,} (256 KiB); "
                 "real ones are a few kilobytes", size=e.size, limit=MAX_FILE_BYTES)
    return _("the playbook file cannot be read ({reason}); check its permissions", reason=e.reason)


def load_playbook_text(text: str, filename: str) -> Playbook:
    """Check playbook YAML given as text; `filename` is only used in messages and Playbook.path."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if len(text) > MAX_FILE_BYTES:
        raise PlaybookErrors([PlaybookError(
            filename, 0, _("the playbook is {length:,} characters long, but may be at most "
                           "{limit:,}; real ones are a few thousand",
                           length=len(text), limit=MAX_FILE_BYTES))])
    try:
        root = compose_bounded(text)
    except YamlLimitError as e:
        raise PlaybookErrors([PlaybookError(filename, e.line, e.message)]) from None
    except yaml.MarkedYAMLError as e:
        raise PlaybookErrors([_yaml_syntax_error(filename, e)]) from None
    except yaml.reader.ReaderError as e:
        line = text[: e.position].count("\n") + 1
        char = f"U+{e.character:04X}" if isinstance(e.character, int) else repr(e.character)
        message = _("the file contains a character YAML does not allow ({char}); remove it",
                    char=char)
        raise PlaybookErrors([PlaybookError(filename, line, message)]) from None
    except yaml.YAMLError as e:  # pragma: no cover - every PyYAML error is one of the above
        raise PlaybookErrors([PlaybookError(filename, 1, _("the file is not valid YAML: {problem}",
                                                           problem=e))]) from None

    checker = _Checker(filename)
    try:
        playbook = checker.check(root)
    except _TooManyErrors:
        playbook = None
        last = max(err.line for err in checker.errors)
        checker.errors.append(PlaybookError(
            filename, last, _("checking stopped after {count} problems; fix these and run "
                              "'deskhand check' again", count=MAX_ERRORS)))
    except RecursionError:  # pragma: no cover - compose_bounded keeps the tree shallow
        raise PlaybookErrors([PlaybookError(
            filename, 1, _("the playbook is nested too deeply to be checked"))]) from None
    if checker.errors or playbook is None:
        errors = sorted(checker.errors, key=lambda err: err.line) or [
            PlaybookError(filename, 1, _("the playbook could not be read; run 'deskhand check' "
                                         "on it"))]
        raise PlaybookErrors(errors)
    return playbook


def _yaml_syntax_error(filename: str, e: yaml.MarkedYAMLError) -> PlaybookError:
    mark = e.problem_mark or e.context_mark
    line = mark.line + 1 if mark is not None else 1
    raw = (e.problem or "").strip()
    if e.context and "expected a single document" in e.context:
        return PlaybookError(filename, line, _("the file holds a second YAML document here; a "
                                               "playbook file holds one playbook, so remove the "
                                               "second '---'"))
    # PyYAML's own words, in the reader's language where playbooks/yaml_words.py knows them
    problem = yaml_words(raw) if raw else _("the text cannot be read as YAML")
    if e.context and e.context_mark is not None and e.context_mark.line + 1 != line:
        message = _("the file is not valid YAML: {problem} ({context} that starts on line {line})",
                    problem=problem, context=yaml_words(e.context), line=e.context_mark.line + 1)
    elif e.context:
        message = _("the file is not valid YAML: {problem} ({context})",
                    problem=problem, context=yaml_words(e.context))
    else:
        message = _("the file is not valid YAML: {problem}", problem=problem)
    if "'\\t'" in raw:
        message = _("{message}; indent with spaces, not tabs", message=message)
    elif "cannot start any token" in raw:
        message = _("{message}; put values that start with %, @ or ` in quotes", message=message)
    return PlaybookError(filename, line, message)


# --------------------------------------------------------------------------- helpers

def table_text(text: str) -> str:
    """A header as compared: without spaces (full-width ones too) or a trailing colon."""
    return "".join(text.split()).rstrip(":：")


def _suggest_combo(text: str) -> str | None:
    """A corrected key combination for a misspelt one, or None."""
    parts = [p.strip().lower() for p in text.split("+")]
    if not parts or any(not p for p in parts):
        return None
    fixed = []
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if not last:
            if part in MODIFIERS:
                fixed.append(part)
                continue
            guess = _did_you_mean(part, MODIFIERS)
        else:
            if part in NAMED_KEYS or part in ALIASES or len(part) == 1:
                fixed.append(part)
                continue
            guess = _did_you_mean(part, sorted(NAMED_KEYS | set(ALIASES)))
        if guess is None:
            return None
        fixed.append(guess)
    candidate = "+".join(fixed)
    try:
        parse_combo(candidate)
    except KeyNameError:
        return None
    return candidate if candidate != text.strip().lower() else None


class _TooManyErrors(Exception):
    """MAX_ERRORS problems found: stop checking (a file of thousands of broken steps would
    otherwise take minutes, and print pages)."""


class _Checker(AddressedSteps, BatchSection):
    """Walks the YAML node tree once, collecting every problem it finds."""

    def __init__(self, filename: str) -> None:
        self.file = filename
        self.errors: list[PlaybookError] = []
        self._constructor = SafeConstructor()
        # declared field name -> FieldSpec (None when the field itself was broken)
        self.fields: dict[str, FieldSpec | None] = {}
        # False when 'fields' is missing or not a list: then steps cannot be checked
        # against it, and "not declared" complaints would only be noise.
        self.fields_readable = False
        # the source's table header (None: no table; () a table too broken to check against)
        self.table_header: tuple[str, ...] | None = None
        self.match_node: Node | None = None    # `row: {match: {field: …}}`, checked after fields

    # ----------------------------------------------------------------- reporting

    def error(self, where: Node | int, message: str) -> None:
        line = where if isinstance(where, int) else _line(where)
        self.errors.append(PlaybookError(self.file, line, message))
        if len(self.errors) >= MAX_ERRORS:
            raise _TooManyErrors

    # ----------------------------------------------------------------- node readers

    def construct(self, node: Node) -> tuple[bool, Any]:
        """The Python value safe_load would give for this node: (ok, value)."""
        try:
            return True, self._constructor.construct_object(node, deep=True)
        except ConstructorError as e:
            mark = e.problem_mark or node.start_mark
            self.error(mark.line + 1, _("this value cannot be read: {problem}",
                                        problem=yaml_words(e.problem or "")))
            return False, None
        except (ValueError, OverflowError, TypeError, RecursionError):
            # e.g. a number of 5,000 digits, or a date such as 2024-13-45
            bad = unreadable_scalar(node)
            self.error(bad, out_of_range(bad))
            return False, None

    def describe(self, node: Node) -> str:
        """How a supervisor would name what they wrote: 'the text 'yes'', 'a list' ..."""
        if isinstance(node, SequenceNode):
            return _("a list")
        if isinstance(node, MappingNode):
            return _("a mapping")
        if _is_null(node):
            return _("an empty value")
        if node.tag == "tag:yaml.org,2002:bool":
            return _("'{value}' (true/false)", value=node.value)
        if node.tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float"):
            return _("the number {value}", value=_short(node.value))
        return _("the text '{value}'", value=_short(node.value))

    def mapping(self, node: Node, what: str, example: str) -> dict[str, tuple[Node, Node]] | None:
        """Key name -> (key node, value node), in file order; None (after an error) if not a mapping."""
        if not isinstance(node, MappingNode):
            self.error(node, _("{what} must be a mapping such as {example}, not {found}",
                               what=what, example=example, found=self.describe(node)))
            return None
        if any(k.tag == _MERGE_TAG for k, _v in node.value):
            try:
                SafeConstructor().flatten_mapping(node)  # resolves '<<: *anchor' in place
            except ConstructorError as e:
                self.error(e.problem_mark.line + 1 if e.problem_mark else _line(node),
                           _("a '<<' merge in {what} cannot be used: {problem}",
                             what=what, problem=yaml_words(e.problem or "")))
                return None
        items: dict[str, tuple[Node, Node]] = {}
        for k, v in node.value:
            if not isinstance(k, ScalarNode) or _is_null(k):
                self.error(k, _("a key in {what} must be a plain word, not {found}",
                                what=what, found=self.describe(k)))
                continue
            items[k.value] = (k, v)  # a duplicate is reported by find_duplicate_keys; the last wins
        return items

    def unknown_keys(self, items: dict[str, tuple[Node, Node]], allowed: tuple[str, ...], what: str) -> None:
        for name, (k, _v) in items.items():
            if name not in allowed:
                hint = _suggest(name, allowed, fallback=_("allowed keys: {keys}", keys=join(allowed)))
                self.error(k, _("unknown key '{name}' in {what}{suggestion}",
                                name=name, what=what, suggestion=hint))

    @staticmethod
    def present(items: dict[str, tuple[Node, Node]], key: str, allowed: tuple[str, ...]) -> bool:
        """Whether `key` is there, or an unknown key that is probably it (already reported
        with "did you mean"), so that no second "missing key" complaint is needed."""
        if key in items:
            return True
        return any(k not in allowed and _did_you_mean(k, allowed) == key for k in items)

    def text(self, node: Node, what: str) -> str | None:
        """A non-empty string. Plain scalars are taken as written (so `label: 2024` is '2024')."""
        if not isinstance(node, ScalarNode):
            self.error(node, _("{what} must be text, not {found}", what=what,
                               found=self.describe(node)))
            return None
        if _is_null(node) or not node.value.strip():
            self.error(node, _("{what} is empty; write a value after the colon", what=what))
            return None
        return node.value

    def glob(self, node: Node, what: str) -> str | None:
        """A non-empty window-title pattern (`*`, `?`, `[...]`) that fnmatch can use."""
        value = self.text(node, what)
        problem = glob_problem(value) if value is not None else None
        if problem is not None:
            self.error(node, _("{what}: {problem}", what=what, problem=problem))
            return None
        return value

    def word(self, node: Node, what: str, allowed: tuple[str, ...],
             wrong: Callable[[str, str], str]) -> str | None:
        """A text that must be one of `allowed`; else the error `wrong(value, suggestion)`."""
        value = self.text(node, what)
        if value is not None and value not in allowed:
            self.error(node, wrong(value, _suggest(value, allowed)))
            return None
        return value

    def boolean(self, node: Node, what: str) -> bool | None:
        if isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:bool":
            ok, value = self.construct(node)
            return value if ok else None
        self.error(node, _("{what} must be true or false, not {found}", what=what,
                           found=self.describe(node)))
        return None

    def integer(self, node: Node, what: str, low: int, high: int, *,
                pixels: bool = True) -> int | None:
        """A whole number from `low` to `high`: a position or size in pixels, or (pixels
        False) a count or percentage."""
        if isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:int":
            ok, value = self.construct(node)
            if not ok:
                return None
            if not low <= value <= high:
                fields = {"what": what, "low": low, "high": high, "value": _short(node.value)}
                self.error(node, _("{what} must be between {low} and {high} pixels, not {value}",
                                   **fields) if pixels else
                           _("{what} must be between {low} and {high}, not {value}", **fields))
                return None
            return value
        found = self.describe(node)
        self.error(node, _("{what} must be a whole number of pixels, not {found}", what=what,
                           found=found) if pixels else
                   _("{what} must be a whole number, not {found}", what=what, found=found))
        return None

    def seconds(self, node: Node, what: str) -> float | None:
        if isinstance(node, ScalarNode) and node.tag in ("tag:yaml.org,2002:int",
                                                         "tag:yaml.org,2002:float"):
            ok, value = self.construct(node)
            if not ok:
                return None
            if value > MAX_SECONDS:   # first: an int of 4,000 digits is too large for a float
                self.error(node, _("{what} must be at most {limit} seconds (10 minutes), not "
                                   "{value}", what=what, limit=MAX_SECONDS,
                                   value=_short(node.value)))
                return None
            if not math.isfinite(value) or value <= 0:
                self.error(node, _("{what} must be more than 0 seconds, not {value}", what=what,
                                   value=_short(node.value)))
                return None
            return float(value)
        self.error(node, _("{what} must be a number of seconds such as 0.5 or 5, not {found}",
                           what=what, found=self.describe(node)))
        return None

    def label_heights(self, node: Node, what: str) -> float | None:
        """A distance in label heights: a number more than 0, at most MAX_LABEL_HEIGHTS."""
        if isinstance(node, ScalarNode) and node.tag in ("tag:yaml.org,2002:int",
                                                         "tag:yaml.org,2002:float"):
            ok, value = self.construct(node)
            if not ok:
                return None
            if value > MAX_LABEL_HEIGHTS or not math.isfinite(value) or value <= 0:
                self.error(node, _("{what} must be more than 0 and at most {limit} label heights, "
                                   "not {value}", what=what, limit=MAX_LABEL_HEIGHTS,
                                   value=_short(node.value)))
                return None
            return float(value)
        self.error(node, _("{what} must be a number of label heights such as 6 or 1.5, not {found}",
                           what=what, found=self.describe(node)))
        return None

    def key_combos(self, node: Node, where: str) -> tuple[KeyCombo, ...] | None:
        """One combination ('ctrl+a') or a non-empty list of them."""
        items = node.value if isinstance(node, SequenceNode) else [node]
        if isinstance(node, SequenceNode) and not items:
            self.error(node, _("the key list in {where} is empty; name at least one key such as "
                               "tab", where=where))
            return None
        combos: list[KeyCombo] = []
        ok = True
        for item in items:
            if not isinstance(item, ScalarNode):
                self.error(item, _("a key in {where} must be a name such as 'tab' or 'ctrl+a', not "
                                   "{found}", where=where, found=self.describe(item)))
                ok = False
                continue
            raw = item.value  # as written: `key: 1` is the key 1, `key: on` is not true
            try:
                combos.append(parse_combo(raw))
            except KeyNameError as e:
                guess = _suggest_combo(raw)
                hint = _did_you_mean_hint(guess) if guess else ""
                self.error(item, _("'{key}' in {where} is not a key: {reason}{suggestion}",
                                   key=raw, where=where, reason=e, suggestion=hint))
                ok = False
        return tuple(combos) if ok else None

    # ----------------------------------------------------------------- whole file

    def find_duplicate_keys(self, root: Node) -> None:
        for node in walk(root):
            if not isinstance(node, MappingNode):
                continue
            first: dict[str, int] = {}
            for k, _v in node.value:
                if isinstance(k, ScalarNode) and k.tag != _MERGE_TAG:
                    if k.value in first:
                        self.error(k, _("key '{key}' appears twice in the same mapping (first on "
                                        "line {line}); YAML would silently keep only the last "
                                        "one, so remove or rename one of them",
                                        key=k.value, line=first[k.value]))
                    else:
                        first[k.value] = _line(k)

    def check(self, root: Node | None) -> Playbook | None:
        if root is None:
            self.error(1, _("the playbook is empty; it must start with 'deskhand: 1' and declare "
                            "id, name, target, fields and fill"))
            return None
        self.find_duplicate_keys(root)  # before any '<<' merge is flattened
        top = self.mapping(root, _("the playbook"),
                           "'deskhand: 1', 'id: ...', 'name: ...', 'target: ...', 'fields: ...', 'fill: ...'")
        if top is None:
            return None

        # The version decides how to read the rest; with an unknown version, other
        # complaints would only be noise.
        version: int | None = None
        if "deskhand" in top:
            vnode = top["deskhand"][1]
            if isinstance(vnode, ScalarNode) and vnode.tag == "tag:yaml.org,2002:int":
                ok, version = self.construct(vnode)
                if ok and version != FORMAT_VERSION:
                    self.errors = [PlaybookError(
                        self.file, _line(vnode),
                        _("unsupported format version {version}; this Deskhand reads version "
                          "{supported}", version=version, supported=FORMAT_VERSION))]
                    return None
            else:
                self.error(vnode, _("'deskhand' must be the format version number {version}, not "
                                    "{found}", version=FORMAT_VERSION, found=self.describe(vnode)))
        elif not self.present(top, "deskhand", TOP_KEYS):
            self.error(root, _("missing required key 'deskhand' (the format version); add "
                               "'deskhand: {version}' as the first line", version=FORMAT_VERSION))

        self.unknown_keys(top, TOP_KEYS, _("the playbook"))
        for key in REQUIRED_TOP_KEYS:
            if key != "deskhand" and not self.present(top, key, TOP_KEYS):
                self.error(root, _("missing required key '{key}' in the playbook", key=key))

        pb_id = None
        if "id" in top:
            pb_id = self.text(top["id"][1], _quoted("id"))
            if pb_id is not None and not ID_RE.match(pb_id):
                self.error(top["id"][1], _("id '{id}' may contain only lower-case letters a-z, "
                                           "digits, '-' and '_', and must start with a letter or "
                                           "digit (e.g. city-intake)", id=pb_id))
                pb_id = None
        name = self.text(top["name"][1], _quoted("name")) if "name" in top else None
        department = (self.text(top["department"][1], _quoted("department"))
                      if "department" in top else None)
        description = (self.text(top["description"][1], _quoted("description"))
                       if "description" in top else None)


        source: dict = {}
        source_spec = None
        if "source" in top:
            snode = top["source"][1]
            source_spec = self.source_spec(snode)
            if source_spec is not None:
                ok, value = self.construct(snode)
                source = value if ok else {}

        target = self.target(*top["target"]) if "target" in top else None
        fields = self.field_list(*top["fields"]) if "fields" in top else None
        steps = self.fill(*top["fill"]) if "fill" in top else None
        verify = self.verify_list(top["verify"][1]) if "verify" in top else ()
        on_invalid = self.on_invalid(top["on_invalid"][1]) if "on_invalid" in top else "field"
        if self.match_node is not None:
            self._field_ref(self.match_node, _("the field of 'match' in the table's row"))
        batch, batch_grid = (self.batch(*top["batch"], source_spec) if "batch" in top
                             else (None, None))

        if self.errors or None in (pb_id, name, target, fields, steps, verify, on_invalid):
            return None
        return Playbook(
            id=pb_id, name=name, target=target, fields=tuple(fields), steps=tuple(steps),
            version=version or FORMAT_VERSION, department=department, description=description,
            path=self.file, source=source, source_spec=source_spec, verify=tuple(verify),
            on_invalid=on_invalid, batch=batch, batch_grid=batch_grid,
        )

    # ----------------------------------------------------------------- verify

    def verify_list(self, node: Node) -> list[VerifySpec] | None:
        if _is_null(node):
            return []
        if not isinstance(node, SequenceNode):
            self.error(node, _("'verify' must be a list of look-ups, each starting with "
                               "'- lookup: population.person', not {found}",
                               found=self.describe(node)))
            return None
        before = len(self.errors)
        specs = [self.verify_item(i, item) for i, item in enumerate(node.value, 1)]
        if len(self.errors) > before or None in specs:
            return None
        return specs  # type: ignore[return-value]

    def _field_ref(self, node: Node, what: str) -> str | None:
        name = self.text(node, what)
        if name is not None and self.fields_readable and name not in self.fields:
            hint = _suggest(name, self.fields)
            self.error(node, _("{what} names the field '{name}', which the playbook does not "
                               "declare{suggestion}", what=what, name=name, suggestion=hint))
            return None
        return name

    def verify_item(self, i: int, node: Node) -> VerifySpec | None:
        numbered = _("look-up {i} of 'verify'", i=i)
        items = self.mapping(node, numbered, "'- lookup: population.person'")
        if items is None:
            return None
        before = len(self.errors)
        self.unknown_keys(items, VERIFY_KEYS, numbered)
        lookup = None
        if "lookup" not in items:
            self.error(node, _("look-up {i} of 'verify' has no 'lookup'; name IT's endpoint as "
                               "'registry.endpoint', e.g. 'lookup: population.person'", i=i))
        else:
            lookup = self.text(items["lookup"][1], _of("lookup", _("look-up {i}", i=i)))
            if lookup is not None and not LOOKUP_RE.match(lookup):
                self.error(items["lookup"][1], _("'lookup' {lookup!r} must be 'registry.endpoint' "
                                                 "as named in the registry settings, e.g. "
                                                 "population.person", lookup=lookup))
        what = _("look-up '{lookup}'", lookup=lookup) if lookup else numbered
        params: dict[str, str] = {}
        if "with" in items:
            m = self.mapping(items["with"][1], _of("with", what), "'with: {id_number: id_number}'")
            for key, (knode, vnode) in (m or {}).items():
                ref = self._field_ref(vnode, _of(f"with: {key}", what))
                if ref is not None:
                    params[key] = ref
        confirm: dict[str, Compare] = {}
        if "confirm" in items:
            m = self.mapping(items["confirm"][1], _of("confirm", what),
                             "'confirm: {applicant_name: exact, address: fuzzy}'")
            for key, (knode, vnode) in (m or {}).items():
                if self._field_ref(knode, _of("confirm", what)) is None:
                    continue
                rule = self.compare_rule(vnode, _of(f"confirm: {key}", what))
                if rule is not None:
                    confirm[key] = rule
        fill: dict[str, str] = {}
        if "fill" in items:
            fnode = items["fill"][1]
            if isinstance(fnode, SequenceNode):
                pairs = [(n, n) for n in fnode.value]
            else:
                m = self.mapping(fnode, _of("fill", what),
                                 _either("'fill: [marital_status]'", "'fill: {spouse_name: po_xm}'"))
                pairs = [(k, v) for k, v in (m or {}).values()]
            for knode, vnode in pairs:
                ref = self._field_ref(knode, _of("fill", what))
                reg = self.text(vnode, _of("fill", what))
                if ref is not None and reg is not None:
                    fill[ref] = reg
        if not confirm and not fill and len(self.errors) == before:
            self.error(node, _("{what} neither confirms nor fills any field; add 'confirm' or "
                               "'fill'", what=what))
        if len(self.errors) > before or lookup is None:
            return None
        return VerifySpec(lookup=lookup, params=params, confirm=confirm, fill=fill, line=_line(node))

    def compare_rule(self, node: Node, what: str) -> Compare | None:
        if isinstance(node, ScalarNode):
            rule = self.text(node, what)
            if rule is None:
                return None
            if rule not in COMPARE_RULES:
                self.error(node, _("{what}: unknown rule '{rule}'; use one of {rules}{suggestion}",
                                   what=what, rule=rule, rules=_quote_list(COMPARE_RULES),
                                   suggestion=_suggest(rule, COMPARE_RULES)))
                return None
            return Compare(rule=rule, line=_line(node))  # type: ignore[arg-type]
        items = self.mapping(node, what, "'{rule: fuzzy, threshold: 85}'")
        if items is None:
            return None
        before = len(self.errors)
        self.unknown_keys(items, COMPARE_KEYS, what)
        rule = "exact"
        if "rule" in items:
            rule = self.text(items["rule"][1], _of("rule", what)) or "exact"
            if rule not in COMPARE_RULES:
                self.error(items["rule"][1], _("{what}: unknown rule '{rule}'; use one of "
                                               "{rules}{suggestion}", what=what, rule=rule,
                                               rules=_quote_list(COMPARE_RULES),
                                               suggestion=_suggest(rule, COMPARE_RULES)))
        threshold = DEFAULT_FUZZY_THRESHOLD
        if "threshold" in items:
            threshold = self.integer(items["threshold"][1], _of("threshold", what), 1, 100,
                                     pixels=False) or threshold
            if rule != "fuzzy":
                self.error(items["threshold"][1], _("{what}: 'threshold' only applies to the "
                                                    "fuzzy rule", what=what))
        registry_name = self.text(items["as"][1], _of("as", what)) if "as" in items else None
        if len(self.errors) > before:
            return None
        return Compare(rule=rule, threshold=threshold, registry_name=registry_name,  # type: ignore[arg-type]
                       line=_line(node))

    # ----------------------------------------------------------------- source and reading

    def source_spec(self, node: Node) -> SourceSpec | None:
        items = self.mapping(node, _quoted("source"), "'source: {kind: screen}'")
        if items is None:
            return None
        before = len(self.errors)
        self.unknown_keys(items, SOURCE_KEYS, _quoted("source"))
        kind = "screen"
        the_source = _("the source")
        if "kind" in items:
            k = self.text(items["kind"][1], _of("kind", the_source))
            if k is not None and k not in SOURCE_KINDS:
                self.error(items["kind"][1], _("source kind '{kind}' is not one of: "
                                               "{kinds}{suggestion}", kind=k,
                                               kinds=join(SOURCE_KINDS),
                                               suggestion=_suggest(k, SOURCE_KINDS)))
            elif k is not None:
                kind = k
        window = (self.glob(items["window"][1], _of("window", the_source))
                  if "window" in items else None)
        if kind == "window" and window is None and "window" not in items:
            self.error(node, _("a source of kind window needs 'window', the title of the window "
                               "to read (a pattern such as 'e龙岩*')"))
        size = None
        if "size" in items:
            snode = items["size"][1]
            if isinstance(snode, SequenceNode) and len(snode.value) == 2:
                w = self.integer(snode.value[0], _("the width in 'size' of the source"), 1, 20000)
                h = self.integer(snode.value[1], _("the height in 'size' of the source"), 1, 20000)
                size = (w, h) if w and h else None
            else:
                self.error(snode, _("'size' of the source must be [width, height], e.g. "
                                    "[1920, 1080]"))
        regions: list[Region] = []
        if "regions" in items:
            rnode = items["regions"][1]
            if not isinstance(rnode, SequenceNode) or not rnode.value:
                self.error(rnode, _("'regions' of the source must be a list of "
                                    "{x, y, width, height} rectangles"))
            else:
                for j, item in enumerate(rnode.value, 1):
                    region = self.region(item, _("region {j} of the source", j=j))
                    if region is not None:
                        regions.append(region)
        table = None
        if "table" in items:
            self.table_header = ()
            table = self.table(*items["table"])
            if kind == "idcard":
                self.error(items["table"][0], _("a source of kind idcard has its own layout and "
                                                "no table; use kind window, screen or image"))
        if len(self.errors) > before:
            return None
        return SourceSpec(kind=kind, window=window, size=size, regions=tuple(regions),  # type: ignore[arg-type]
                          table=table, line=_line(node))

    def table(self, knode: Node, node: Node) -> TableSpec | None:
        what = _("the table of the source")
        items = self.mapping(node, what, "'table: {header: [姓名, 证件号码], row: selected}'")
        if items is None:
            return None
        before = len(self.errors)
        self.unknown_keys(items, TABLE_KEYS, what)
        header: list[str] = []
        if "header" not in items:
            if not self.present(items, "header", TABLE_KEYS):
                self.error(knode, _("{what} needs 'header', the column headers as printed, left "
                                   "to right, e.g. header: [选择, 姓名, 证件号码]", what=what))
        else:
            hnode = items["header"][1]
            if not isinstance(hnode, SequenceNode) or not hnode.value:
                self.error(hnode, _("{what} must be a list of the column headers as printed, "
                                    "e.g. [选择, 姓名, 证件号码]", what=_of("header", what)))
            else:
                seen: dict[str, int] = {}
                for item in hnode.value:
                    text = self.text(item, _("a header of {what}", what=what))
                    if text is None:
                        continue
                    key = table_text(text)
                    if key in seen:
                        self.error(item, _("the header '{text}' is listed twice in {what}; "
                                           "the first is on line {line}", text=_short(text),
                                           what=what, line=seen[key]))
                        continue
                    seen[key] = _line(item)
                    header.append(text)
        if len(self.errors) == before:
            self.table_header = tuple(header)
        row: str | RowMatch = "selected"
        if "row" in items:
            row = self.table_row(items["row"][1], what) or row
        selected_by = "auto"
        if "selected_by" in items:
            value = self.text(items["selected_by"][1], _of("selected_by", what))
            if value is not None and value not in SELECTED_BY:
                self.error(items["selected_by"][1], _(
                    "{what} must be one of {choices}{suggestion}", what=_of("selected_by", what),
                    choices=_quote_list(SELECTED_BY), suggestion=_suggest(value, SELECTED_BY)))
            elif value is not None:
                selected_by = value
        if len(self.errors) > before:
            return None
        return TableSpec(header=tuple(header), row=row, selected_by=selected_by,  # type: ignore[arg-type]
                         line=_line(node))

    def table_row(self, node: Node, table: str) -> str | RowMatch | None:
        what = _of("row", table)
        if isinstance(node, ScalarNode):
            value = self.text(node, what)
            if value is not None and value not in TABLE_ROWS:
                self.error(node, _("{what} must be one of {choices}, or {{match: {{column: C, "
                                   "field: F}}}}{suggestion}", what=what,
                                   choices=_quote_list(TABLE_ROWS),
                                   suggestion=_suggest(value, TABLE_ROWS)))
                return None
            return value
        items = self.mapping(node, what, "'row: {match: {column: 证件号码, field: id_number}}'")
        if items is None:
            return None
        self.unknown_keys(items, ("match",), what)
        if "match" not in items:
            return None
        match = _of("match", what)
        inner = self.mapping(items["match"][1], match, "'{column: 证件号码, field: id_number}'")
        if inner is None:
            return None
        self.unknown_keys(inner, MATCH_KEYS, match)
        for key in MATCH_KEYS:
            if key not in inner and not self.present(inner, key, MATCH_KEYS):
                self.error(items["match"][1], _("{what} needs '{key}'", what=match, key=key))
        if any(key not in inner for key in MATCH_KEYS):
            return None
        column = self.header_ref(inner["column"][1], _of("column", match))
        field = self.text(inner["field"][1], _of("field", match))
        self.match_node = inner["field"][1]
        if column is None or field is None:
            return None
        return RowMatch(column=column, field=field)

    def header_ref(self, node: Node, what: str) -> str | None:
        """A column named by its header text: one of the table's `header`."""
        text = self.text(node, what)
        if text is None or not self.table_header:
            return text
        if table_text(text) not in {table_text(h) for h in self.table_header}:
            self.error(node, _("{what} is '{text}', which is not one of the table's headers "
                               "({headers}){suggestion}", what=what, text=_short(text),
                               headers=join(self.table_header),
                               suggestion=_suggest(text, self.table_header)))
            return None
        return text

    def region(self, node: Node, what: str, *, relative: bool = False) -> Region | None:
        items = self.mapping(node, what, "'{x: 0, y: 0, width: 400, height: 300}'")
        if items is None:
            return None
        self.unknown_keys(items, REGION_KEYS, what)
        low = -10000 if relative else 0
        values = {}
        for key in REGION_KEYS:
            if key not in items:
                self.error(node, _("{what} has no '{key}'; give x, y, width and height",
                                   what=what, key=key))
                return None
            values[key] = self.integer(items[key][1], _of(key, what),
                                       1 if key in ("width", "height") else low, 10000)
        if None in values.values():
            return None
        return Region(**values)

    def read_spec(self, node: Node, what: str) -> ReadSpec | None:
        if isinstance(node, ScalarNode) and node.value == "clerk":
            return ReadSpec(clerk=True, line=_line(node))   # not on the source: asked in the review
        read = _of("read", what)
        items = self.mapping(node, read, _either("'read: {anchor: 姓名}'", "'read: clerk'"))
        if items is None:
            return None
        before = len(self.errors)
        self.unknown_keys(items, READ_KEYS, read)
        alone = [k for k in READ_ALONE if k in items]
        if alone:
            return self.read_alone(items, alone, read, what, node)
        anchor, also = None, ()
        if "anchor" in items:
            anode = items["anchor"][1]
            if isinstance(anode, SequenceNode):   # several wordings of the same label
                words = [self.text(n, _("an anchor of {what}", what=what)) for n in anode.value]
                if not words or None in words:
                    self.error(anode, _("{what} must be a label or a list of labels",
                                        what=_of("anchor", what)))
                else:
                    anchor, also = words[0], tuple(words[1:])
            else:
                anchor = self.text(anode, _of("anchor", what))
        direction = "right"
        if "direction" in items:
            d = self.text(items["direction"][1], _of("direction", what))
            if d not in READ_DIRECTIONS:
                self.error(items["direction"][1], _("{what} must be right or below",
                                                    what=_of("direction", what)))
            else:
                direction = d
        lines = 1
        if "lines" in items:
            lines = self.integer(items["lines"][1], _of("lines", what), 1, 10, pixels=False) or 1
        max_gap = None
        if "max_gap" in items:
            max_gap = self.label_heights(items["max_gap"][1], _of("max_gap", what))
        region = (self.region(items["region"][1], _("the region of {what}", what=what),
                              relative=True)
                  if "region" in items else None)
        pattern = None
        if "pattern" in items:
            pattern = self.text(items["pattern"][1], _of("pattern", what))
            problem = regex_problem(pattern) if pattern is not None else None
            if problem is not None:
                self.error(items["pattern"][1], _("{what} is not a valid regular expression: "
                                                  "{problem}", what=_of("pattern", what),
                                                  problem=problem))
        column = None
        if "column" in items:
            cnode = items["column"][1]
            if self.table_header is None:
                self.error(cnode, _("{what} reads a table's column, but the source has no "
                                    "table; add 'table: {{header: [...]}}' to the source",
                                    what=read))
            else:
                column = self.header_ref(cnode, _of("column", what))
            others = [k for k in items if k not in ("column", "pattern")]
            if others:
                self.error(items[others[0]][0], _(
                    "{what} reads a table's column, so '{key}' does not apply (only 'pattern' "
                    "may narrow the cell's text)", what=read, key=others[0]))
        elif anchor is None and region is None and pattern is None:
            self.error(node, _("{what} needs an anchor, a region or a pattern", what=read))

        if len(self.errors) > before:
            return None
        return ReadSpec(anchor=anchor, also=also, direction=direction, lines=lines,  # type: ignore[arg-type]
                        max_gap=max_gap, region=region, pattern=pattern, column=column,
                        line=_line(node))

    def read_alone(self, items: dict, alone: list[str], read: str, what: str,
                   node: Node) -> ReadSpec | None:
        """`read: {constant: 无}` (the same text for every case) or `read: {vault: NAME}` (a
        password, read from the keyring only when filling): nothing else goes with them."""
        before = len(self.errors)
        others = [k for k in items if k != alone[0]]
        if others:
            self.error(items[others[0]][0], _(
                "{what} takes its value from '{key}', so '{other}' does not apply; remove it",
                what=read, key=alone[0], other=others[0]))
        vnode = items[alone[0]][1]
        value = self.text(vnode, _of(alone[0], what))
        if value is not None and alone[0] == "vault" and (
                not value or value != value.strip() or not value.isprintable()
                or len(value) > 200):
            self.error(vnode, _("{what} must be a credential's name such as city-client.login "
                                "(printable, no spaces at either end)", what=_of("vault", what)))
        elif value is not None and alone[0] == "constant" and not value.strip():
            self.error(vnode, _("{what} is empty; a constant is the text typed for every case",
                                what=_of("constant", what)))
        if len(self.errors) > before or value is None:
            return None
        if alone[0] == "vault":
            return ReadSpec(vault=value, line=_line(node))
        return ReadSpec(constant=value, line=_line(node))

    # ----------------------------------------------------------------- target

    def target(self, knode: Node, node: Node) -> TargetSpec | None:
        if _is_null(node):
            self.error(knode, _("target is empty; it needs at least one of 'title', 'title_regex' "
                                "or 'process' to say which window Deskhand may type into"))
            return None
        items = self.mapping(node, _quoted("target"), "'target: {title: \"城市审批系统*\"}'")
        if items is None:
            return None
        self.unknown_keys(items, TARGET_KEYS, _("target"))
        values: dict[str, str | None] = {}
        for key in TARGET_KEYS:
            if key in items:
                values[key] = self.text(items[key][1], _("'{key}' in target", key=key))
        regex = values.get("title_regex")
        if regex is not None:
            problem = regex_problem(regex)
            if problem is not None:
                self.error(items["title_regex"][1], _("title_regex '{regex}' is not a valid "
                                                      "regular expression: {problem}",
                                                      regex=_short(regex), problem=problem))
                return None
        for key in ("title", "process"):
            if values.get(key) is not None:
                problem = glob_problem(values[key])  # type: ignore[arg-type]
                if problem is not None:
                    self.error(items[key][1], _("{what}: {problem}",
                                                what=_("'{key}' in target", key=key),
                                                problem=problem))
                    return None
        if not any(self.present(items, k, TARGET_KEYS) for k in TARGET_KEYS):
            self.error(knode, _("target needs at least one of 'title', 'title_regex' or 'process' "
                                "to say which window Deskhand may type into"))
            return None
        if not any(k in items for k in TARGET_KEYS) or any(
                k in items and values.get(k) is None for k in TARGET_KEYS):
            return None
        self.target_specific(items, values)
        return TargetSpec(title=values.get("title"), title_regex=regex,
                          process=values.get("process"), line=_line(knode))

    def target_specific(self, items: dict[str, tuple[Node, Node]],
                        values: dict[str, str | None]) -> None:
        """One matcher at least must name one window (playbooks/README.md, "How specific a
        target must be"): `title: "*"` passed before, and a fill then typed a whole case,
        ID number included, into whatever window had focus."""
        reasons = ""
        for key in TARGET_KEYS:
            value = values.get(key)
            if value is None:
                continue
            what = "program name" if key == "process" else "title"
            why = (regex_catch_all(value) if key == "title_regex"
                   else glob_catch_all(value, what))
            if why is None:
                return
            reason = _("{key} '{value}' {why}", key=key, value=_short(value), why=why)
            reasons = _("{reasons}; {reason}", reasons=reasons, reason=reason) if reasons else reason
        first = next(k for k in TARGET_KEYS if values.get(k) is not None)
        self.error(items[first][1],
                   _("target could match any window, so Deskhand might type the case into "
                     "whatever window has focus: {reasons}; write at least {count} letters, digits "
                     "or Chinese characters that every matching title must contain (e.g. title: "
                     "\"城市审批系统*\"), or the exact title or program name",
                     reasons=reasons, count=MIN_LITERAL))

    # ----------------------------------------------------------------- fields

    def field_list(self, knode: Node, node: Node) -> list[FieldSpec] | None:
        if _is_null(node) or (isinstance(node, SequenceNode) and not node.value):
            self.error(knode, _("'fields' is empty; declare at least one field"))
            return None
        if not isinstance(node, SequenceNode):
            self.error(node, _("'fields' must be a list of fields, each starting with "
                               "'- name: ...', not {found}", found=self.describe(node)))
            return None
        self.fields_readable = True
        result: list[FieldSpec] = []
        name_lines: dict[str, int] = {}
        ok = True
        for i, item in enumerate(node.value, 1):
            spec = self.field(i, item, name_lines)
            if spec is None:
                ok = False
            else:
                result.append(spec)
        if not self.derive_sources(result):
            ok = False
        self.anchors_once(result)
        return result if ok else None

    def anchors_once(self, fields: list[FieldSpec]) -> None:
        """One label on the source belongs to one field: two fields with the same anchor
        (spaces, width and a trailing colon aside) would read the same value."""
        seen: dict[str, tuple[str, int]] = {}
        for f in fields:
            if f.derive is not None or (
                    f.read is not None and (f.read.clerk or f.read.anchor is None)):
                continue
            wordings = [f.read.anchor, *f.read.also] if f.read is not None else [f.label]
            line = f.read.line if f.read is not None else f.line
            for wording in wordings:
                key = anchor_key(wording) if wording else ""
                if not key:
                    continue
                if key in seen and seen[key][0] != f.name:
                    other, other_line = seen[key]
                    self.error(line, _("field '{name}' reads the label '{anchor}', as field "
                                       "'{other}' on line {line} does; one label on the source "
                                       "belongs to one field only, so give one of them another "
                                       "anchor (read: {{anchor: …}})", name=f.name,
                                       anchor=wording, other=other, line=other_line))
                    break
                seen.setdefault(key, (f.name, line))

    def field(self, i: int, node: Node, name_lines: dict[str, int]) -> FieldSpec | None:
        numbered = _("field {i}", i=i)
        items = self.mapping(node, numbered, "'- name: applicant_name'")
        if items is None:
            return None
        errors_before = len(self.errors)

        name: str | None = None
        if "name" not in items:
            if not self.present(items, "name", FIELD_KEYS):
                self.error(node, _("field {i} has no 'name'; add one such as "
                                   "'name: applicant_name'", i=i))
        else:
            nnode = items["name"][1]
            name = self.text(nnode, _of("name", numbered))
            if name is not None and not FIELD_NAME_RE.match(name):
                self.error(nnode, _("field name '{name}' is not allowed; use lower-case letters "
                                    "a-z, digits and '_', starting with a letter or '_' (e.g. "
                                    "applicant_name)", name=name))
                name = None
            if name is not None:
                if name in name_lines:
                    self.error(nnode, _("field name '{name}' is declared twice; the first one is "
                                        "on line {line}", name=name, line=name_lines[name]))
                else:
                    name_lines[name] = _line(nnode)
                    self.fields[name] = None  # known name, even if the rest of the field is broken
        what = _("field '{name}'", name=name) if name else numbered
        self.unknown_keys(items, FIELD_KEYS, what)

        ftype = "text"
        type_ok = True
        if "type" in items:
            tnode = items["type"][1]
            t = self.text(tnode, _of("type", what))
            if t is not None and t not in FIELD_TYPES:
                hint = _suggest(t, FIELD_TYPES,
                                fallback=_("use one of: {types}", types=join(FIELD_TYPES)))
                self.error(tnode, _("type '{type}' of {what} is not a field type{suggestion}",
                                    type=t, what=what, suggestion=hint))
                t = None
            if t is None:
                type_ok = False
            else:
                ftype = t

        label = self.text(items["label"][1], _of("label", what)) if "label" in items else None
        required = True
        if "required" in items:
            required = self.boolean(items["required"][1], _of("required", what))
        sensitive = False
        if "sensitive" in items:
            sensitive = self.boolean(items["sensitive"][1], _of("sensitive", what))
        if ftype == "id_number":
            sensitive = True
        multiline = False
        if "multiline" in items:
            multiline = self.boolean(items["multiline"][1], _of("multiline", what))

        choices: tuple[str, ...] = ()
        errors_before_choices = len(self.errors)
        if "choices" in items:
            cknode, cnode = items["choices"]
            if type_ok and ftype != "choice":
                self.error(cknode, _("{what} has 'choices' but its type is {type}; choices are "
                                     "only for fields of type choice", what=what, type=ftype))
            else:
                choices = self.choices(cknode, cnode, what) or ()
        elif type_ok and ftype == "choice":
            self.error(items["type"][0], _("{what} has type choice but no 'choices'; list the "
                                           "values, e.g. choices: [男, 女]", what=what))
        choices_ok = len(self.errors) == errors_before_choices

        read = self.read_spec(items["read"][1], what) if "read" in items else None
        if read is None and "read" not in items and "derive" not in items \
                and label is not None and self.table_header \
                and table_text(label) in {table_text(h) for h in self.table_header}:
            # its label is a column header: the value is in that column, not beside the header
            read = ReadSpec(column=label, line=_line(node))
        transform: tuple[TransformStep, ...] = ()
        if "transform" in items:
            transform = self.transform(items["transform"][1], what,
                                       ftype if type_ok else None) or ()
        derive = None
        if "derive" in items:
            dknode, dnode = items["derive"]
            derive = self.derive(dnode, what)
            for other in ("read", "transform"):
                if other in items:
                    self.error(items[other][0], _(
                        "{what} is derived from another field, so it is not read and has no "
                        "'{key}'; remove '{key}', or put it on the field it is derived from",
                        what=what, key=other))
            allowed = ID_PART_TYPES.get(derive.part, ("text", "choice")) \
                if derive is not None else ("text", "choice", "date")
            if type_ok and ftype not in allowed:
                if derive is not None and derive.part in ID_PARTS:
                    self.error(dknode, _("{what} is the {part} of an ID number, so its type must "
                                         "be {types}, not {type}", what=what, part=derive.part,
                                         types=_either(*allowed) if len(allowed) == 2
                                         else allowed[0], type=ftype))
                else:
                    self.error(dknode, _("{what} is derived from an address, so its type must "
                                         "be text or choice, not {type}", what=what, type=ftype))

        secret = False
        if "secret" in items:
            secret = bool(self.boolean(items["secret"][1], _of("secret", what)))
            if secret and (read is None or read.vault is None):
                self.error(items["secret"][0], _(
                    "{what} is secret, so its value must come from the vault: add "
                    "'read: {{vault: NAME}}' (IT stores it with deskhand vault set NAME)",
                    what=what))
        if read is not None and read.vault is not None:
            secret = sensitive = True          # a password is masked everywhere, always
            if type_ok and ftype != "text":
                self.error(items["type"][0], _("{what} reads a password from the vault, so its "
                                               "type must be text, not {type}", what=what,
                                               type=ftype))
            if "transform" in items:
                self.error(items["transform"][0], _(
                    "{what} reads a password from the vault, which is typed as stored; remove "
                    "'transform'", what=what))

        fmt = None
        if "format" in items:
            fknode, fnode = items["format"]
            if type_ok and ftype != "date":
                self.error(fknode, _("{what} has a 'format' but its type is {type}; format is "
                                     "only for fields of type date", what=what, type=ftype))
            else:
                fmt = self.date_format(fnode, what)

        if len(self.errors) > errors_before or name is None:
            if (name is not None and type_ok and choices_ok
                    and name_lines.get(name) == _line(items["name"][1])):
                # Enough is known to check the steps that use this field.
                self.fields[name] = FieldSpec(name=name, type=ftype, choices=choices, line=_line(node))
            return None
        spec = FieldSpec(name=name, type=ftype, label=label, required=required, choices=choices,
                         format=fmt, sensitive=sensitive, multiline=multiline, read=read,
                         transform=transform, derive=derive, secret=secret, line=_line(node))
        self.fields[name] = spec
        return spec

    def choices(self, knode: Node, node: Node, what: str) -> tuple[str, ...] | None:
        if _is_null(node) or (isinstance(node, SequenceNode) and not node.value):
            self.error(knode, _("{what} is empty; list the values, e.g. choices: [男, 女]",
                                what=_of("choices", what)))
            return None
        if not isinstance(node, SequenceNode):
            self.error(node, _("{what} must be a list such as [男, 女], not {found}",
                               what=_of("choices", what), found=self.describe(node)))
            return None
        values: list[str] = []
        first: dict[str, int] = {}
        for item in node.value:
            value = self.text(item, _("a choice of {what}", what=what))
            if value is None:
                continue
            if value in first:
                self.error(item, _("choice '{value}' is listed twice in {what} (first on line "
                                   "{line})", value=value, what=what, line=first[value]))
                continue
            first[value] = _line(item)
            values.append(value)
        return tuple(values)

    def date_format(self, node: Node, what: str) -> str | None:
        return self.date_pattern(node, _of("format", what))

    def date_pattern(self, node: Node, described: str) -> str | None:
        """A strftime pattern with at least one of %Y, %m, %d; `described` names it in
        messages ("'format' of field 'x'")."""
        fmt = self.text(node, described)
        if fmt is None:
            return None
        i = 0
        while i < len(fmt):
            if fmt[i] == "%":
                directive = fmt[i + 1: i + 2]
                if directive not in STRFTIME_DIRECTIVES:
                    self.error(node, _("{what} uses %{directive}, which is not a date code; use "
                                       "codes such as %Y (year), %m (month) and %d (day)",
                                       what=described, directive=directive)
                               if directive else
                               _("{what} uses a lone '%' at the end, which is not a date code; "
                                 "use codes such as %Y (year), %m (month) and %d (day)",
                                 what=described))
                    return None
                i += 2
            else:
                i += 1
        if not any(code in fmt for code in ("%Y", "%m", "%d")):
            self.error(node, _("{what} is '{format}', which has none of %Y, %m or %d, so it "
                               "would not show the date; write e.g. \"%Y-%m-%d\" or "
                               "\"%Y年%m月%d日\"", format=fmt, what=described))
            return None
        return fmt

    # ----------------------------------------------------------------- transform, derive

    def transform(self, node: Node, what: str, ftype: str | None) -> tuple[TransformStep, ...] | None:
        """The steps of a field's `transform`: a list (one step may stand alone), each a
        name (upper) or a one-key mapping ({date: "%Y-%m-%d"})."""
        if _is_null(node) or (isinstance(node, SequenceNode) and not node.value):
            self.error(node, _("{what} is empty; list its steps, e.g. transform: "
                               "[no_separators]", what=_of("transform", what)))
            return None
        items = node.value if isinstance(node, SequenceNode) else [node]
        before = len(self.errors)
        steps = [self.transform_step(n, item, what, ftype) for n, item in enumerate(items, 1)]
        if len(self.errors) > before or None in steps:
            return None
        return tuple(steps)  # type: ignore[arg-type]

    def transform_step(self, n: int, node: Node, what: str, ftype: str | None) -> TransformStep | None:
        step_what = _("transform step {n} of {what}", n=n, what=what)
        names = TRANSFORM_NAMES + TRANSFORM_KINDS
        if isinstance(node, ScalarNode):
            name = self.text(node, step_what)
            if name is None:
                return None
            if name in TRANSFORM_KINDS:
                self.error(node, _("{what} is '{name}', which needs its argument, e.g. {example}",
                                   what=step_what, name=name, example=_TRANSFORM_EXAMPLES[name]))
                return None
            if name not in TRANSFORM_NAMES:
                self.error(node, _("{what} is '{name}', which is not a transform step{suggestion}",
                                   what=step_what, name=_short(name),
                                   suggestion=_suggest(name, names, fallback=_(
                                       "steps: {names}", names=join(names)))))
                return None
            return TransformStep(name, line=_line(node))
        items = self.mapping(node, step_what, _either("upper", "{date: \"%Y-%m-%d\"}"))
        if items is None:
            return None
        if len(items) != 1:
            self.error(node, _("{what} must be one name such as upper, or a mapping with one "
                               "key such as {{date: \"%Y-%m-%d\"}}; write each step as its own "
                               "item of the list", what=step_what))
            return None
        (kind, (knode, vnode)), = items.items()
        if kind in TRANSFORM_NAMES:
            self.error(knode, _("{what} is '{name}', which takes no argument; write it as "
                                "'- {name}'",
                                what=step_what, name=kind))
            return None
        if kind not in TRANSFORM_KINDS:
            self.error(knode, _("{what} is '{name}', which is not a transform step{suggestion}",
                                what=step_what, name=_short(kind),
                                suggestion=_suggest(kind, names, fallback=_(
                                    "steps: {names}", names=join(names)))))
            return None
        line = _line(knode)
        if kind == "date":
            fmt = self.date_pattern(vnode, _("the date format of {what}", what=step_what))
            if fmt is None:
                return None
            if ftype == "date" and fmt not in CHECKABLE_DATE_FORMATS:
                self.error(vnode, _("{what} writes dates as '{format}', but {field} is of type "
                                    "date and is checked as year, month, day: write one of "
                                    "{formats}, and give the field a 'format' for how it is typed",
                                    what=step_what, format=fmt, field=what,
                                    formats=join(CHECKABLE_DATE_FORMATS)))
                return None
            return TransformStep("date", format=fmt, line=line)
        if kind in ("code", "to_code"):
            dictionary = self.text(vnode, _("the code list of {what}", what=step_what))
            if dictionary is None:
                return None
            if dictionary not in SHIPPED_DICTIONARIES:
                self.error(vnode, _("{what} names the code list '{name}', which Deskhand does not "
                                    "ship{suggestion}; the lists are {lists}", what=step_what,
                                    name=_short(dictionary),
                                    suggestion=_suggest(dictionary, SHIPPED_DICTIONARIES),
                                    lists=join(SHIPPED_DICTIONARIES)))
                return None
            return TransformStep(kind, dictionary=dictionary, line=line)
        pairs = self.mapping(vnode, _("the replacements of {what}", what=step_what),
                             "{replace: {\"－\": \"-\"}}")
        if pairs is None:
            return None
        if not pairs:
            self.error(vnode, _("{what} replaces nothing; give OLD: NEW pairs",
                                what=step_what))
            return None
        out: list[tuple[str, str]] = []
        for old, (oknode, newnode) in pairs.items():
            if not old:
                self.error(oknode, _("{what} has an empty text to replace", what=step_what))
                continue
            if _is_null(newnode):
                out.append((old, ""))       # {"-": } removes the text
            elif isinstance(newnode, ScalarNode):
                out.append((old, newnode.value))
            else:
                self.error(newnode, _("{what} must replace '{old}' by a text, not {found}",
                                      what=step_what, old=_short(old),
                                      found=self.describe(newnode)))
        return TransformStep("replace", pairs=tuple(out), line=line) \
            if len(out) == len(pairs) else None

    def derive(self, node: Node, what: str) -> DeriveSpec | None:
        described = _of("derive", what)
        items = self.mapping(node, described, "{from: address, part: district}")
        if items is None:
            return None
        before = len(self.errors)
        self.unknown_keys(items, DERIVE_KEYS, described)
        for key in DERIVE_KEYS:
            if not self.present(items, key, DERIVE_KEYS):
                self.error(node, _("{what} has no '{key}'; write derive: {{from: address, part: "
                                   "district}}", what=described, key=key))
        source = part = None
        line = _line(node)
        if "from" in items:
            source = self.text(items["from"][1], _of("from", described))
            line = _line(items["from"][1])
        if "part" in items:
            pnode = items["part"][1]
            part = self.text(pnode, _of("part", described))
            if part is not None and part not in DERIVE_PARTS + ID_PARTS:
                self.error(pnode, _("{what} is '{part}', which is not a part of an address or "
                                    "an ID number{suggestion}; parts: {parts}",
                                    what=_of("part", described), part=_short(part),
                                    suggestion=_suggest(part, DERIVE_PARTS + ID_PARTS),
                                    parts=join(DERIVE_PARTS + ID_PARTS)))
                part = None
        if len(self.errors) > before or source is None or part is None:
            return None
        return DeriveSpec(source=source, part=part, line=line)

    def derive_sources(self, fields: list[FieldSpec]) -> bool:
        """Each derived field's `from` names a declared field that is not derived: a text
        field (an address) for an address part, an id_number field for an ID number's."""
        ok = True
        for f in fields:
            if f.derive is None:
                continue
            src = self.fields.get(f.derive.source)
            what = _("field '{name}'", name=f.name)
            if f.derive.source in self.fields and src is None:
                continue          # declared, but broken: its own problem is reported
            if src is None:
                self.error(f.derive.line, _("{what} is derived from '{source}', which is not "
                                            "declared in fields{suggestion}", what=what,
                                            source=_short(f.derive.source),
                                            suggestion=_suggest(f.derive.source, list(self.fields))))
            elif src.name == f.name or src.derive is not None:
                self.error(f.derive.line, _("{what} is derived from '{source}', which is itself "
                                            "derived; derive it from the field that is read",
                                            what=what, source=src.name))
            elif f.derive.part in ID_PARTS and src.type != "id_number":
                self.error(f.derive.line, _("{what} takes the {part} of '{source}', a {type} "
                                            "field; it comes from a field of type id_number",
                                            what=what, part=f.derive.part, source=src.name,
                                            type=src.type))
            elif f.derive.part not in ID_PARTS and src.type != "text":
                self.error(f.derive.line, _("{what} is derived from '{source}', a {type} field; "
                                            "address parts come from a text field (the address)",
                                            what=what, source=src.name, type=src.type))
            else:
                continue
            ok = False
        return ok


    # ----------------------------------------------------------------- fill steps

    def fill(self, knode: Node, node: Node) -> list[Step] | None:
        if _is_null(node) or (isinstance(node, SequenceNode) and not node.value):
            self.error(knode, _("'fill' is empty; list at least one step such as "
                                "'- type: applicant_name'"))
            return None
        if not isinstance(node, SequenceNode):
            self.error(node, _("'fill' must be a list of steps, each starting with '- ', not "
                               "{found}", found=self.describe(node)))
            return None
        steps: list[Step] = []
        ok = True
        for n, item in enumerate(node.value, 1):
            step = self.step(n, item)
            if step is None:
                ok = False
            else:
                steps.append(step)
        return steps if ok else None

    def step(self, n: int, node: Node) -> Step | None:
        items = self.mapping(node, _("step {n}", n=n),
                             _either("'- key: tab'", "'- type: applicant_name'"))
        if items is None:
            return None
        if not items:
            self.error(node, _("step {n} is empty; give it one action: {kinds}", n=n,
                               kinds=join(STEP_KINDS)))
            return None
        before = len(self.errors)
        kinds = [k for k in items if k in STEP_KINDS]
        if len(kinds) > 1:
            word = _NUMBERS.get(len(kinds))
            self.error(items[kinds[1]][0],
                       _("step {n} has {count} actions, {actions}; a step does exactly one thing, "
                         "so split it into separate steps", n=n,
                         count=_(word) if word else len(kinds), actions=_quote_list(kinds)))
        kind = kinds[0] if len(kinds) == 1 else None
        # Keys written beside the action: `when` on every step, at/method/… beside `set`.
        beside_keys = STEP_SIBLING_KEYS + (SET_KEYS if kind == "set" else ())
        beside = {k: v for k, v in items.items() if k in beside_keys}
        for other in items:
            if other in STEP_KINDS or other in beside_keys:
                continue
            onode = items[other][0]
            if kind is not None and other in STEP_KEYS[kind]:
                self.error(onode, _("'{key}' in step {n} belongs inside the {kind} action; write "
                                    "it as '{kind}: {{..., {key}: ...}}'",
                                    key=other, n=n, kind=kind))
            elif other in SET_KEYS:
                self.error(onode, _("'{key}' in step {n} belongs to a set step (a field "
                                    "addressed by its label); this step is not one",
                                    key=other, n=n))
            else:
                hint = _suggest(other, STEP_KINDS + beside_keys, synonyms=KIND_SYNONYMS)
                self.error(onode, _("step {n} has an unknown action '{name}'{suggestion}; a step "
                                    "is one of click, type, key, choose, wait, set or press",
                                    n=n, name=other, suggestion=hint))
        when = self.condition(beside["when"][1], n) if "when" in beside else None
        if kind is None:
            return None
        knode, vnode = items[kind]
        if kind == "set":
            step = self.step_set(n, knode, vnode, _line(node), beside)
        else:
            step = getattr(self, f"step_{kind}")(n, knode, vnode, _line(node))
        if step is None or len(self.errors) > before:
            return None
        return dataclasses.replace(step, when=when) if when is not None else step

    def declared_field(self, n: int, node: Node, choosing: bool,
                       verb: str | None = None) -> tuple[str | None, FieldSpec | None]:
        """(name, spec) of the field a step types (or, `choosing`, chooses; `verb` set:
        sets); name None if undeclared or unreadable."""
        name = self.text(node, _("the field of step {n}", n=n))
        if name is None or not self.fields_readable:
            return None, None
        if name not in self.fields:
            fields = {"n": n, "name": name, "suggestion": _suggest(name, list(self.fields))}
            self.error(node, _("step {n} sets field '{name}', which is not declared in "
                               "fields{suggestion}", **fields) if verb == "set" else
                       _("step {n} chooses field '{name}', which is not declared in "
                         "fields{suggestion}", **fields) if choosing else
                       _("step {n} types field '{name}', which is not declared in "
                         "fields{suggestion}", **fields))
            return None, None
        return name, self.fields[name]

    def step_click(self, n: int, knode: Node, node: Node, line: int) -> ClickStep | None:
        what = _("the click in step {n}", n=n)
        items = self.mapping(node, what, _either("{x: 200, y: 60}",
                                                 "{anchor: 身份证号, dx: 120, dy: 0}"))
        if items is None:
            return None
        before = len(self.errors)
        self.unknown_keys(items, CLICK_KEYS, what)
        v: dict[str, Any] = {}
        for key in ("x", "y"):
            if key in items:
                v[key] = self.integer(items[key][1], _of(key, what), 0, MAX_COORD)
        for key in ("dx", "dy"):
            if key in items:
                v[key] = self.integer(items[key][1], _of(key, what), -MAX_COORD, MAX_COORD)
        if "anchor" in items:
            v["anchor"] = self.text(items["anchor"][1], _of("anchor", what))
        if "button" in items:
            bwhat = _of("button", what)
            v["button"] = self.word(items["button"][1], bwhat, BUTTONS, lambda button, hint: _(
                "{what} is '{button}', but must be left, right or middle{suggestion}",
                what=bwhat, button=button, suggestion=hint))
        if "double" in items:
            v["double"] = self.boolean(items["double"][1], _of("double", what))

        has_x, has_y, has_anchor = "x" in items, "y" in items, "anchor" in items
        if has_x != has_y:
            present, absent = ("x", "y") if has_x else ("y", "x")
            self.error(items[present][0], _("{what} has '{present}' but no '{absent}'; give both "
                                            "x and y, or use an anchor",
                                            what=what, present=present, absent=absent))
        if (has_x or has_y) and has_anchor:
            self.error(items["anchor"][0], _("{what} has both a position (x/y) and an anchor; "
                                             "use one or the other", what=what))
        if not any(self.present(items, k, CLICK_KEYS) for k in ("x", "y", "anchor")):
            self.error(knode, _("{what} needs a position (x and y) or an anchor (text on screen)",
                                what=what))
        if not has_anchor:
            for key in ("dx", "dy"):
                if key in items:
                    self.error(items[key][0], _("{what} only applies to a click at an anchor; "
                                                "with x/y, change the position instead",
                                                what=_of(key, what)))
        if len(self.errors) > before:
            return None
        return ClickStep(x=v.get("x"), y=v.get("y"), anchor=v.get("anchor"),
                         dx=v.get("dx", 0), dy=v.get("dy", 0), button=v.get("button", "left"),
                         double=v.get("double", False), line=line)

    def step_type(self, n: int, knode: Node, node: Node, line: int) -> TypeStep | None:
        what = _("the type action in step {n}", n=n)
        before = len(self.errors)
        method, readback, clear = "auto", True, False
        if isinstance(node, MappingNode):
            items = self.mapping(node, what, "{field: id_number, method: keys}")
            if items is None:
                return None
            self.unknown_keys(items, TYPE_KEYS, what)
            if "field" not in items:
                if not self.present(items, "field", TYPE_KEYS):
                    self.error(knode, _("{what} has no 'field'; name the field to type, e.g. "
                                        "type: {{field: applicant_name}}", what=what))
                return None
            fnode = items["field"][1]
            if "method" in items:
                mwhat = _of("method", what)
                method = self.word(items["method"][1], mwhat, TYPE_METHODS, lambda m, hint: _(
                    "{what} is '{method}', but must be auto, keys or paste{suggestion}",
                    what=mwhat, method=m, suggestion=hint))
            if "readback" in items:
                readback = self.boolean(items["readback"][1], _of("readback", what))
            if "clear" in items:
                clear = self.boolean(items["clear"][1], _of("clear", what))
        elif isinstance(node, ScalarNode):
            fnode = node
        else:
            self.error(node, _("{what} must name a field, e.g. 'type: applicant_name', not "
                               "{found}", what=what, found=self.describe(node)))
            return None
        name, spec = self.declared_field(n, fnode, choosing=False)
        if spec is not None and spec.type == "choice":
            self.error(fnode, _("step {n} types field '{name}', which is a choice field; use "
                                "choose for choice fields", n=n, name=name))
        if name is None or len(self.errors) > before:
            return None
        return TypeStep(field=name, method=method, readback=readback, clear=clear, line=line)

    def step_key(self, n: int, knode: Node, node: Node, line: int) -> KeyStep | None:
        if isinstance(node, MappingNode):
            self.error(node, _("the key action in step {n} must be a key such as 'tab' or a list "
                               "such as [tab, tab], not a mapping", n=n))
            return None
        combos = self.key_combos(node, _("step {n}", n=n))
        return KeyStep(keys=combos, line=line) if combos is not None else None

    def step_choose(self, n: int, knode: Node, node: Node, line: int) -> ChooseStep | None:
        what = _("the choose action in step {n}", n=n)
        items = self.mapping(node, what, "{field: gender, options: {男: [space], 女: [right, space]}}")
        if items is None:
            return None
        before = len(self.errors)
        self.unknown_keys(items, CHOOSE_KEYS, what)
        for key in CHOOSE_KEYS:
            if not self.present(items, key, CHOOSE_KEYS):
                self.error(knode, _("{what} has no '{key}'; write choose: {{field: gender, "
                                    "options: {{男: [space], 女: [right, space]}}}}",
                                    what=what, key=key))
        if "field" not in items:
            return None
        fnode = items["field"][1]
        name, spec = self.declared_field(n, fnode, choosing=True)
        if spec is not None and spec.type != "choice":
            self.error(fnode, _("step {n} chooses field '{name}', which is a {type} field; choose "
                                "works only on fields of type choice (use type instead)",
                                n=n, name=name, type=spec.type))
            spec = None
        if "options" not in items:
            return None

        options = self.choice_options(n, *items["options"], name, spec)
        if name is None or options is None or len(self.errors) > before:
            return None
        return ChooseStep(field=name, options=options, line=line)

    def choice_options(self, n: int, oknode: Node, onode: Node, name: str | None,
                       spec: FieldSpec | None) -> dict[str, tuple[KeyCombo, ...]] | None:
        """`options: {男: [space], 女: [right, space]}` of step `n`: keys for every choice
        of the field (`spec`, None when it could not be read)."""
        options: dict[str, tuple[KeyCombo, ...]] = {}
        omap = self.mapping(onode, _("the options of step {n}", n=n),
                            "{男: [space], 女: [right, space]}")
        if omap is None:
            return None
        if not omap:
            self.error(oknode, _("the options of step {n} are empty; give the keys for each "
                                 "choice", n=n))
        choice_set = set(spec.choices) if spec is not None else set()
        for value, (vk, vv) in omap.items():
            if spec is not None and value not in choice_set:
                self.error(vk, _("option '{value}' in step {n} is not one of the choices of "
                                 "field '{name}' ({choices}){suggestion}", value=value, n=n,
                                 name=name, choices=join(spec.choices),
                                 suggestion=_suggest(value, spec.choices)))
            combos = self.key_combos(vv, _("option '{value}' of step {n}", value=value, n=n))
            if combos is not None:
                options[value] = combos
        if spec is not None and omap:
            missing = [c for c in spec.choices if c not in omap]
            if missing:
                self.error(oknode, _("step {n} gives no keys for {missing} of field '{name}'; "
                                     "add an option for every choice",
                                     n=n, missing=_quote_list(missing), name=name))
        return options

    def step_wait(self, n: int, knode: Node, node: Node, line: int) -> WaitStep | None:
        what = _("the wait in step {n}", n=n)
        if isinstance(node, ScalarNode):
            if node.tag not in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float"):
                self.error(node, _("{what} must be a number of seconds such as 0.5, or a mapping "
                                   "such as {{title: \"提交成功*\", timeout: 5}}, not {found}",
                                   what=what, found=self.describe(node)))
                return None
            seconds = self.seconds(node, what)
            return WaitStep(seconds=seconds, line=line) if seconds is not None else None
        items = self.mapping(node, what, "{title: \"提交成功*\", timeout: 5}")
        if items is None:
            return None
        before = len(self.errors)
        self.unknown_keys(items, WAIT_KEYS, what)
        conditions = [k for k in ("seconds", "title", "text") if k in items]
        if not any(self.present(items, k, WAIT_KEYS) for k in ("seconds", "title", "text")):
            self.error(knode, _("{what} needs one of 'seconds', 'title' or 'text'", what=what))
        elif len(conditions) > 1:
            self.error(items[conditions[1]][0],
                       _("{what} has {keys}; it waits for exactly one of seconds, title or text, "
                         "so split it into separate waits", what=what,
                         keys=_quote_list(conditions)))
        seconds = title = text = None
        if "seconds" in items:
            seconds = self.seconds(items["seconds"][1], _of("seconds", what))
        if "title" in items:
            title = self.glob(items["title"][1], _of("title", what))
        if "text" in items:
            text = self.text(items["text"][1], _of("text", what))
        timeout = WaitStep.timeout
        if "timeout" in items:
            tknode, tnode = items["timeout"]
            if conditions == ["seconds"]:
                self.error(tknode, _("{what} only applies when waiting for a title or text; a "
                                     "plain pause of seconds needs none",
                                     what=_of("timeout", what)))
            else:
                timeout = self.seconds(tnode, _of("timeout", what))

        if len(self.errors) > before:
            return None
        return WaitStep(seconds=seconds, title=title, text=text, timeout=timeout, line=line)
