"""Round-trip editing of a playbook's YAML for the supervisor's editor (app/ui/editor*.py).

    doc = PlaybookDocument(text, filename)
    doc.rename_field("applicant_name", "name")     # the name and every reference to it
    doc.set_field_key("name", "label", "姓名")
    doc.move_step(3, 0); doc.delete_step(5); doc.insert_step(2, "key: tab")
    doc.text()                                      # the new file text
    problems(doc.text(), filename)                  # the real loader's file:line: messages

The document is parsed with ruamel.yaml's round-trip loader, which keeps comments, key
order, quoting and flow style. Its dump of an unedited file is not always the same bytes
(indentation it normalises, a `- ` it re-spaces), so `text()` never returns the dump as
is: it applies only the lines the edits changed (a diff of the unedited dump against the
edited dump) to the original text. A load and save with no edit gives the original bytes.

This module is below app/ (it imports nothing from app/, recorders/ or Qt).
"""
from __future__ import annotations

import difflib
import io
import os
import tempfile
from pathlib import Path
from typing import Any, Callable

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import ScalarString
from ruamel.yaml.util import load_yaml_guess_indent

from playbooks.errors import PlaybookError, PlaybookErrors
from playbooks.loader import load_playbook_text
from playbooks.text import _

__all__ = ["PlaybookDocument", "DocumentError", "problems", "merge_lines", "save_text"]

# Wider than any line a playbook holds, so that a dump never re-wraps a long value.
_WIDTH = 1 << 16


def _yaml(text: str) -> YAML:
    """A round-trip YAML set to the file's own indentation (guessed), quotes kept."""
    y = YAML(typ="rt")
    y.preserve_quotes = True
    y.width = _WIDTH
    y.allow_unicode = True
    try:
        _data, seq, offset = load_yaml_guess_indent(text)
    except YAMLError:
        seq, offset = None, None
    seq, offset = seq or 2, offset or 0
    # guess gives the sequence indent and the dash's offset; a mapping indents by the rest.
    y.indent(mapping=max(2, seq - offset), sequence=seq, offset=offset)
    return y


def _like(old: Any, new: str) -> Any:
    """`new` written in the style of `old` (quoted stays quoted)."""
    return type(old)(new) if isinstance(old, ScalarString) else new


def _rename_key(m: CommentedMap, old: str, new: str) -> None:
    """Rename a mapping key in place, keeping its position and its comment."""
    pos = list(m).index(old)
    value = m[old]
    comment = m.ca.items.pop(old, None)
    del m[old]
    m.insert(pos, new, value)
    if comment is not None:
        m.ca.items[new] = comment


def merge_lines(original: str, baseline: str, edited: str) -> str:
    """`original` with the changes that turn `baseline` into `edited`: `baseline` is what
    the dumper makes of `original` unedited. Where a formatting difference (original vs
    baseline) and an edit touch the same lines, the edit wins; elsewhere the original
    bytes stay."""
    if edited == baseline:
        return original
    if baseline == original:
        return edited
    o, b, e = (s.splitlines(keepends=True) for s in (original, baseline, edited))

    def hunks(other: list[str]) -> list[tuple[int, int, list[str]]]:
        ops = difflib.SequenceMatcher(None, b, other, autojunk=False).get_opcodes()
        return [(i1, i2, other[j1:j2]) for tag, i1, i2, j1, j2 in ops if tag != "equal"]

    def overlap(a: tuple[int, int, list[str]], c: tuple[int, int, list[str]]) -> bool:
        (a1, a2, _a), (c1, c2, _c) = a, c
        if a1 == a2 or c1 == c2:
            return (c1 <= a1 <= c2) if a1 == a2 else (a1 <= c1 <= a2)
        return a1 < c2 and c1 < a2

    edits = hunks(e)
    kept = [h for h in hunks(o) if not any(overlap(h, x) for x in edits)]
    out: list[str] = []
    at = 0
    for i1, i2, lines in sorted(edits + kept, key=lambda h: (h[0], h[1])):
        out.extend(b[at:i1])
        out.extend(lines)
        at = max(at, i2)
    out.extend(b[at:])
    return "".join(out)


class DocumentError(PlaybookError):
    """The text is not YAML the round-trip editor can work on (the text pane still can)."""


class PlaybookDocument:
    """One playbook file being edited: its original text and the round-trip tree."""

    def __init__(self, text: str, filename: str = "<playbook>") -> None:
        self.filename = filename
        self.original = text
        self._yaml = _yaml(text)
        try:
            self.data = self._yaml.load(text)
            self.baseline = self._dump(self.data)
        except Exception as e:   # ruamel's YAMLError, or any other refusal of odd text
            mark = getattr(e, "problem_mark", None)
            line = mark.line + 1 if mark is not None else 1
            raise DocumentError(filename, line, _(
                "the editor cannot work on this text as YAML ({problem}); fix it in the text "
                "pane", problem=getattr(e, "problem", None) or str(e).splitlines()[0])) from e
        if not isinstance(self.data, CommentedMap):
            raise DocumentError(filename, 1, _("a playbook is a mapping of keys such as id, "
                                               "fields and fill; this text is not one"))

    # ------------------------------------------------------------------ text

    def _dump(self, data: Any) -> str:
        out = io.StringIO()
        self._yaml.dump(data, out)
        return out.getvalue()

    def text(self) -> str:
        """The file as it would be saved: the original bytes where nothing was edited."""
        return merge_lines(self.original, self.baseline, self._dump(self.data))

    # ------------------------------------------------------------------ reading

    def _list(self, key: str) -> CommentedSeq:
        value = self.data.get(key)
        if not isinstance(value, CommentedSeq):
            raise DocumentError(self.filename, 1, _("the playbook has no '{key}' list to edit",
                                                    key=key))
        return value

    def fields(self) -> list[CommentedMap]:
        return [f for f in self._list("fields") if isinstance(f, CommentedMap)]

    def field(self, name: str) -> CommentedMap:
        for f in self.fields():
            if f.get("name") == name:
                return f
        raise DocumentError(self.filename, 1, _("no field named '{name}'", name=name))

    def steps(self) -> CommentedSeq:
        return self._list("fill")

    def step_text(self, index: int) -> str:
        """One fill step as YAML, as the step editor shows it (`type: x`, no dash)."""
        return self._dump(self.steps()[index])

    def step_line(self, index: int) -> int:
        """The 1-based line of a fill step in the current text."""
        return self.steps().lc.item(index)[0] + 1

    # ------------------------------------------------------------------ fields

    def set_field_key(self, name: str, key: str, value: Any) -> None:
        """Set a field's label, type (or another key); a missing key goes after `name`
        (or `label`)."""
        f = self.field(name)
        if key in f:
            f[key] = _like(f[key], value) if isinstance(value, str) else value
        else:
            after = [k for k in ("name", "label") if k in f]
            f.insert(list(f).index(after[-1]) + 1 if after else 0, key, value)

    def rename_field(self, old: str, new: str) -> int:
        """Rename a field and every reference to it (fill steps, `when`, verify `with`,
        `confirm` and `fill`, `derive: from`, a table row's `match`). Returns how many
        places changed. Where a look-up used the old name implicitly (a `confirm` key
        with no `as`: the registry's value of that name), the old name is kept as `as`."""
        if old == new:
            return 0
        names = [f.get("name") for f in self.fields()]
        if new in names:
            raise DocumentError(self.filename, 1, _("a field named '{name}' already exists",
                                                    name=new))
        changed = 0

        def swap(m: Any, key: str) -> None:
            nonlocal changed
            if isinstance(m, CommentedMap) and m.get(key) == old:
                m[key] = _like(m[key], new)
                changed += 1

        swap(self.field(old), "name")
        for f in self.fields():
            swap(f.get("derive"), "from")
        table = (self.data.get("source") or {}).get("table") \
            if isinstance(self.data.get("source"), CommentedMap) else None
        if isinstance(table, CommentedMap) and isinstance(table.get("row"), CommentedMap):
            swap(table["row"].get("match"), "field")
        for step in self.steps():
            if not isinstance(step, CommentedMap):
                continue
            for kind in ("type", "set"):
                if step.get(kind) == old:
                    step[kind] = _like(step[kind], new)
                    changed += 1
            for kind in ("type", "choose"):
                swap(step.get(kind), "field")
            swap(step.get("when"), "field")
        changed += self._rename_in_verify(old, new)
        return changed

    def _rename_in_verify(self, old: str, new: str) -> int:
        changed = 0
        verify = self.data.get("verify")
        for block in verify if isinstance(verify, CommentedSeq) else ():
            if not isinstance(block, CommentedMap):
                continue
            params = block.get("with")
            if isinstance(params, CommentedMap):
                for key in list(params):
                    if params[key] == old:
                        params[key] = _like(params[key], new)
                        changed += 1
            if not (isinstance(params, CommentedMap) and old in params):
                # A request value named like the field was taken from it implicitly
                # (app/registry/verify.py); say so, or the look-up would lose it.
                if not isinstance(params, CommentedMap):
                    params = CommentedMap()
                    params.fa.set_flow_style()
                    block.insert(list(block).index("lookup") + 1 if "lookup" in block else 0,
                                 "with", params)
                params[old] = new
                changed += 1
            confirm = block.get("confirm")
            if isinstance(confirm, CommentedMap) and old in confirm:
                rule = confirm[old]
                if isinstance(rule, CommentedMap):
                    if "as" not in rule:
                        rule["as"] = old
                else:
                    flow = CommentedMap(rule=rule)
                    flow["as"] = old
                    flow.fa.set_flow_style()
                    confirm[old] = flow
                _rename_key(confirm, old, new)
                changed += 1
            fill = block.get("fill")
            if isinstance(fill, CommentedMap) and old in fill:
                _rename_key(fill, old, new)
                changed += 1
            elif isinstance(fill, CommentedSeq) and old in fill:
                # `fill: [a, b]` means a: a; the registry's name stays the old one.
                mapping = CommentedMap((new, old) if n == old else (n, n) for n in fill)
                mapping.fa.set_flow_style()
                block["fill"] = mapping
                changed += 1
        return changed

    # ------------------------------------------------------------------ steps

    def _parse_step(self, text: str) -> Any:
        try:
            value = self._yaml.load(text)
        except YAMLError as e:
            raise DocumentError(self.filename, 1, _("the step is not YAML: {problem}",
                                                    problem=str(e).splitlines()[0])) from e
        if isinstance(value, CommentedSeq) and len(value) == 1:
            value = value[0]
        if not isinstance(value, CommentedMap):
            raise DocumentError(self.filename, 1, _(
                "a step is a mapping such as 'key: tab' or 'type: applicant_name'"))
        return value

    def move_step(self, src: int, dst: int) -> None:
        steps = self.steps()
        item = steps[src]
        del steps[src]
        steps.insert(dst, item)

    def delete_step(self, index: int) -> None:
        del self.steps()[index]

    def insert_step(self, index: int, text: str) -> None:
        self.steps().insert(index, self._parse_step(text))

    def replace_step(self, index: int, text: str) -> None:
        self.steps()[index] = self._parse_step(text)

    def edit(self, change: Callable[["PlaybookDocument"], Any]) -> "PlaybookDocument":
        """Apply `change`, then start again from the resulting text (so that line numbers
        and the next edit's baseline are those of what is shown)."""
        change(self)
        return PlaybookDocument(self.text(), self.filename)


def problems(text: str, filename: str) -> list[PlaybookError]:
    """What the real loader (playbooks/loader.py) says about `text`: empty if it loads."""
    try:
        load_playbook_text(text, filename)
    except PlaybookErrors as e:
        return list(e.errors)
    except PlaybookError as e:
        return [e]
    return []


def save_text(path: str | Path, text: str) -> None:
    """Write `text` to `path` as UTF-8 bytes, exactly (no newline translation), through a
    temporary file renamed over it: a reader sees the old playbook or the new one. The
    file keeps its permissions (a shared library folder stays readable)."""
    p = Path(path)
    mode = p.stat().st_mode & 0o777 if p.exists() else None
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(text.encode("utf-8"))
            f.flush()
            os.fsync(f.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
