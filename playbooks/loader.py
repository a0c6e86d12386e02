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

import math
from pathlib import Path
from typing import Any, Callable

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from playbooks.errors import PlaybookError, PlaybookErrors
from playbooks.files import FileRefused, read_regular_file
from playbooks.patterns import (MIN_LITERAL, glob_catch_all, glob_problem, regex_catch_all,
                                regex_problem)
from playbooks.yaml_limits import (MAX_FILE_BYTES, YamlLimitError, compose_bounded,
                                   out_of_range, unreadable_scalar, walk)
from playbooks.keys import KeyCombo, KeyNameError, parse_combo
from playbooks.text import _, join
from playbooks.yaml_words import yaml_words
from playbooks.steps_addressed import AddressedSteps
from playbooks.node_words import (_did_you_mean, _did_you_mean_hint, _is_null, _line, _quoted,
                                  _short, _suggest)
from playbooks.batch_section import BatchSection
from playbooks.check_words import (FIELD_KEYS, FIELD_NAME_RE, ID_RE, MAX_ERRORS,
                                   MAX_LABEL_HEIGHTS, MAX_SECONDS, REQUIRED_TOP_KEYS,
                                   STEP_KINDS, TARGET_KEYS, TOP_KEYS, _MERGE_TAG,
                                   _suggest_combo)
from playbooks.check_fields import FieldChecks
from playbooks.check_sources import SourceChecks
from playbooks.check_steps import StepChecks
from playbooks.model import (
    FORMAT_VERSION,
    FieldSpec,
    Playbook,
    TargetSpec,
)

__all__ = [
    "load_playbook",
    "load_playbook_text",
    "TOP_KEYS",
    "TARGET_KEYS",
    "FIELD_KEYS",
    "FIELD_NAME_RE",
    "STEP_KINDS",
]


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


class _TooManyErrors(Exception):
    """MAX_ERRORS problems found: stop checking (a file of thousands of broken steps would
    otherwise take minutes, and print pages)."""


class _Checker(SourceChecks, FieldChecks, StepChecks, AddressedSteps, BatchSection):
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
