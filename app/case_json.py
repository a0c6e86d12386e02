"""Reading a case file's JSON within limits, and checking every value's type.

A case file may come from anywhere (a portal export, a colleague, a damaged disk), so
nothing in it reaches the fill unchecked: the file size, how deeply it nests, the size
of its numbers, NaN and Infinity (which Python's json accepts but JSON does not), keys
given twice, text that is not valid Unicode, and the type of every known key. Each
refusal is a CaseFileError (exit 2) whose sentence names the file and the key.

    read_case_json(path)        -> the parsed document (dict, list, str …)
    check_plain(doc, path)      -> {name: str | None}   a bare {"name": "张三"} file
    check_case(doc, path)       -> the same document, every known key typed as expected
    split_groups(doc, path)     -> (the other keys, {group: [row, …]})   repeating groups

Repeating groups (shareholders, directors: several people with the same fields) are lists
of objects of text: in a bare file a key whose value is such a list, in a case file the
top-level "groups" object. Each row is {"name": "张三", "id_number": "…", "share": "60"}; in a
case file a value may carry its status, {"value": "张三", "status": "ok"} (the intake form
writes them so: app/intake/).
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Callable

from app.errors import CaseFileError
from app.i18n import N_, _
from playbooks.files import FileRefused, read_regular_file

__all__ = ["read_case_json", "check_plain", "check_case", "split_groups", "check_groups",
           "split_group_status",
           "MAX_CASE_BYTES", "MAX_DEPTH", "MAX_DIGITS", "MAX_FIELDS", "MAX_NAME", "MAX_ROWS"]

MAX_CASE_BYTES = 16 * 1024 * 1024   # a case is a few KB; a 100,000-character field ~300 KB
MAX_DEPTH = 32                      # a case nests 5 deep (fields > field > source > registry)
MAX_DIGITS = 30                     # digits in one number; the numbers in a case are counts
MAX_FIELDS = 1_000                  # fields in one case; a large form has ~100
MAX_NAME = 200                      # characters in a field name
MAX_ROWS = 200                      # rows in one repeating group; a company has a few shareholders


def _shown(text: str, limit: int = 40) -> str:
    """A key or value as shown in a message: escaped control characters, cut if long."""
    cut = len(text) > limit
    text = "".join(ascii(c)[1:-1] if (ord(c) < 32 or 0x7f <= ord(c) < 0xa0
                                      or 0xd800 <= ord(c) < 0xe000) else c for c in text[:limit])
    return text + ("…" if cut else "")


def _hooks(p: Path) -> dict[str, Any]:
    """json.loads's hooks for the file `p`: each refusal is a whole sentence naming it."""

    def constant(name: str) -> Any:
        raise CaseFileError(_("The case file {path} holds {value}, which is not a value JSON "
                              "allows; write the value as text in quotes.", path=p, value=name))

    def integer(text: str) -> int:
        digits = len(text.lstrip("-"))
        if digits > MAX_DIGITS:
            raise CaseFileError(_("The case file {path} holds a number of {digits} digits; numbers "
                                  "in a case file have at most {limit} (write long numbers such as "
                                  "ID numbers as text in quotes).", path=p, digits=f"{digits:,}",
                                  limit=MAX_DIGITS))
        return int(text)

    def real(text: str) -> float:
        if len(text) > MAX_DIGITS + 10:
            raise CaseFileError(_("The case file {path} holds a number written with {chars} "
                                  "characters; numbers in a case file have at most {limit} digits.",
                                  path=p, chars=f"{len(text):,}", limit=MAX_DIGITS))
        value = float(text)
        if not math.isfinite(value):
            raise CaseFileError(_("The case file {path} holds the number {value}, too large to be "
                                  "read.", path=p, value=text[:20]))
        return value

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        doc: dict[str, Any] = {}
        for key, value in pairs:
            if key in doc:
                raise CaseFileError(_("The case file {path} gives the key '{key}' twice in one "
                                      "object, so it is unclear which value is meant; remove one.",
                                      path=p, key=_shown(key)))
            doc[key] = value
        return doc

    return {"parse_constant": constant, "parse_int": integer, "parse_float": real,
            "object_pairs_hook": no_duplicates}


def _refused(e: FileRefused, p: Path) -> str:
    if e.kind == "missing":
        return _("The case file {path} does not exist.", path=p)
    if e.kind == "folder":
        return _("{path} is a folder, not a case file; name the .json file inside it.", path=p)
    if e.kind == "special":
        return _("{path} is not a regular file (a device, pipe or socket); name a .json case "
                 "file.", path=p)
    if e.kind == "too_large":
        return _("The case file {path} is {size} bytes, but a case file may be at most {limit} "
                 "MiB; it is not a case file, or it is damaged.", path=p, size=f"{e.size:,}",
                 limit=MAX_CASE_BYTES // 2**20)
    return _("The case file {path} cannot be read ({reason}).", path=p, reason=e.reason)


def read_case_json(path: str | Path) -> Any:
    """The parsed JSON of a case file. Raises CaseFileError for anything beyond the limits."""
    p = Path(path)
    try:
        data = read_regular_file(p, MAX_CASE_BYTES)
    except FileRefused as e:
        raise CaseFileError(_refused(e, p)) from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise CaseFileError(_("The case file {path} is saved as UTF-16; save it as UTF-8.", path=p))
    try:
        text = data.decode("utf-8-sig")   # a BOM, as Windows Notepad writes it, is fine
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CaseFileError(_("The case file {path} is not UTF-8 text (line {line} has a byte that "
                              "is not UTF-8); save it as UTF-8, as files saved in GBK cause this.",
                              path=p, line=line)) from None
    try:
        doc = json.loads(text, **_hooks(p))
    except RecursionError:
        raise CaseFileError(_("The case file {path} nests lists or objects thousands of levels "
                              "deep; a case nests at most {limit}, so it is damaged.",
                              path=p, limit=MAX_DEPTH)) from None
    except json.JSONDecodeError as exc:
        raise CaseFileError(_("The case file {path} is not valid JSON (line {line}, column "
                              "{column}: {reason}).", path=p, line=exc.lineno, column=exc.colno,
                              reason=exc.msg)) from None
    except ValueError as exc:   # e.g. Python's own limit on digits in a number
        raise CaseFileError(_("The case file {path} holds a value that cannot be read ({reason}).",
                              path=p, reason=exc)) from None
    _check_shape(doc, p)
    return doc


def _check_shape(doc: Any, p: Path) -> None:
    """Depth, and text that is valid Unicode (a lone surrogate such as \\ud800 would
    fail later, when the case is saved or printed)."""
    stack: list[tuple[Any, int]] = [(doc, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise CaseFileError(_("The case file {path} nests lists or objects more than {limit} "
                                  "levels deep; a case nests about 5, so it is damaged.",
                                  path=p, limit=MAX_DEPTH))
        if isinstance(value, str):
            _valid_text(value, p)
        elif isinstance(value, dict):
            for k, v in value.items():
                _valid_text(k, p)
                stack.append((v, depth + 1))
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)


def _valid_text(text: str, p: Path) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise CaseFileError(_("The case file {path} holds the text '{text}' with an invalid "
                              "character (a lone \\ud800-\\udfff escape); it is damaged.",
                              path=p, text=_shown(text))) from None


# ----------------------------------------------------------------------------- types

def _field_names(doc: dict[str, Any], p: Path) -> None:
    if len(doc) > MAX_FIELDS:
        raise CaseFileError(_("The case file {path} has {count} fields; a case has at most {limit}.",
                              path=p, count=f"{len(doc):,}", limit=f"{MAX_FIELDS:,}"))
    for name in doc:
        if not name.strip() or len(name) > MAX_NAME:
            raise CaseFileError(_("The case file {path} has a field named '{name}'; a field name "
                                  "is 1 to {limit} characters.", path=p, name=_shown(name),
                                  limit=MAX_NAME))


def check_plain(doc: dict[str, Any], p: Path) -> dict[str, str | None]:
    """A bare {"name": "value"} file: every value text or null. Numbers are refused rather
    than turned into text, as 1.0 or 3.50802e17 would not be what the applicant wrote."""
    _field_names(doc, p)
    values: dict[str, str | None] = {}
    for name, value in doc.items():
        shown = _shown(name)
        if isinstance(value, bool):
            raise CaseFileError(_("In {path}, the value of '{name}' is {value} (true/false), but "
                                  "field values must be text (or null for no value).",
                                  path=p, name=shown, value=json.dumps(value)))
        if isinstance(value, (int, float)):
            raise CaseFileError(_("In {path}, the value of '{name}' is the number {value}, but field "
                                  "values must be text: write it in quotes, \"{value}\" (or null "
                                  "for no value).", path=p, name=shown,
                                  value=_shown(json.dumps(value))))
        if value is not None and not isinstance(value, str):
            raise CaseFileError(_("In {path}, the value of '{name}' is a list or an object, but "
                                  "field values must be text (or null for no value).",
                                  path=p, name=shown))
        values[name] = value
    return values


def _is_group(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(r, dict) for r in value)   # [] too: no rows


def split_groups(doc: dict[str, Any], p: Path) -> tuple[dict[str, Any], dict[str, list[dict[str, str | None]]]]:
    """A bare file's repeating groups (keys whose value is a list of objects) apart from
    its other keys, each group checked by `check_groups`."""
    groups = {k: v for k, v in doc.items() if _is_group(v)}
    rest = {k: v for k, v in doc.items() if k not in groups}
    return rest, check_groups(groups, p)


def check_groups(groups: Any, p: Path) -> dict[str, list[dict[str, str | None]]]:
    """{group: [row, …]} where every row is an object of text (or null) values."""
    if not isinstance(groups, dict):
        raise CaseFileError(_("In {path}, groups must be an object such as {{\"shareholders\": "
                              "[{{\"name\": \"张三\"}}]}}.", path=p))
    _field_names(groups, p)
    for name, rows in groups.items():
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise CaseFileError(_("In {path}, the group '{name}' must be a list of objects, one "
                                  "per person or item, such as [{{\"name\": \"张三\"}}].",
                                  path=p, name=_shown(name)))
        if len(rows) > MAX_ROWS:
            raise CaseFileError(_("In {path}, the group '{name}' has {count} rows; a group has at "
                                  "most {limit}.", path=p, name=_shown(name), count=f"{len(rows):,}",
                                  limit=MAX_ROWS))
        for i, row in enumerate(rows, 1):
            _field_names(row, p)
            for key, value in row.items():
                if isinstance(value, dict):   # {"value": "张三", "status": "ok"}: a checked value
                    _typed(value, _GROUP_VALUE, p, (name, str(i), key))
                    value = value.get("value")
                if value is not None and not isinstance(value, str):
                    raise CaseFileError(_("In {path}, {where} must be text (or null for no "
                                          "value); write numbers in quotes, such as \"60\".",
                                          path=p, where=_where(name, str(i), key)))
    return groups


def split_group_status(groups: dict[str, list[dict[str, Any]]], p: Path, statuses: tuple[str, ...]
                       ) -> tuple[dict[str, list[dict[str, str | None]]], dict[str, list[dict[str, str]]]]:
    """Checked groups (`check_groups`) as their values and, apart, the status of each value
    written as {"value": …, "status": …}; a value written as bare text has none recorded
    (older case files, bare files)."""
    values: dict[str, list[dict[str, str | None]]] = {}
    status: dict[str, list[dict[str, str]]] = {}
    for name, rows in groups.items():
        values[name], status[name] = [], []
        for i, row in enumerate(rows, 1):
            values[name].append({k: v.get("value") if isinstance(v, dict) else v
                                 for k, v in row.items()})
            status[name].append({k: v.get("status", "ok") for k, v in row.items()
                                 if isinstance(v, dict)})
            for key, s in status[name][-1].items():
                if s not in statuses:
                    raise CaseFileError(_("In {path}, {where} is the unknown status '{status}'; a "
                                          "status is one of {statuses}.", path=p,
                                          where=_where(name, str(i), key, "status"),
                                          status=_shown(s), statuses=", ".join(statuses)))
    return values, {k: v for k, v in status.items() if any(v)}


_Check = Callable[[Any], bool]


def _is_str(v: Any) -> bool:
    return isinstance(v, str)


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _opt(check: _Check) -> _Check:
    return lambda v: v is None or check(v)


def _list_of(check: _Check) -> _Check:
    return lambda v: isinstance(v, list) and all(check(x) for x in v)


# what each known key must hold; keys not named here are kept as they are
_TOP: dict[str, tuple[_Check, str]] = {
    "case_id": (lambda v: _is_str(v) and 0 < len(v) <= MAX_NAME and not
                any(c in v for c in "/\\\0"), N_("a name of 1-200 characters without / or \\")),
    "playbook": (_opt(_is_str), N_("text or null")),
    "created": (_is_str, N_("text")),
    "fields": (lambda v: isinstance(v, dict), N_("an object of fields")),
    "fills": (_list_of(lambda x: isinstance(x, dict)), N_("a list of objects")),
    "verification": (_list_of(lambda x: isinstance(x, dict)), N_("a list of objects")),
    "groups": (lambda v: isinstance(v, dict), N_("an object of groups")),
}
_GROUP_VALUE: dict[str, tuple[_Check, str]] = {
    "value": (_opt(_is_str), N_("text or null")),
    "status": (_is_str, N_("text")),
}
_FIELD: dict[str, tuple[_Check, str]] = {
    "value": (_opt(_is_str), N_("text or null")),
    "status": (_is_str, N_("text")),
    "original": (_opt(_is_str), N_("text or null")),
    "source": (_opt(lambda v: isinstance(v, dict)), N_("an object")),
}
_SOURCE: dict[str, tuple[_Check, str]] = {
    "kind": (_is_str, N_("text")),
    "file": (_is_str, N_("text")),
    "title": (_is_str, N_("text")),
    "box": (_opt(lambda v: isinstance(v, list) and len(v) == 4 and all(map(_is_num, v))),
            N_("a list of 4 numbers")),
    "problems": (_list_of(_is_str), N_("a list of texts")),
    "warnings": (_list_of(_is_str), N_("a list of texts")),
    "alternatives": (_opt(_list_of(_is_str)), N_("a list of texts")),
    "registry": (lambda v: isinstance(v, dict), N_("an object")),
    "edited_by_clerk": (lambda v: isinstance(v, bool), N_("true or false")),
    "unsure": (lambda v: isinstance(v, bool), N_("true or false")),
}
_FILL: dict[str, tuple[_Check, str]] = {
    "at": (_is_str, N_("text")),
    "outcome": (_opt(_is_str), N_("text")),
    "step_reached": (_opt(_is_int), N_("a whole number or null")),
    "field_reached": (_opt(_is_str), N_("text or null")),
    "position": (_opt(_is_int), N_("a whole number")),
    "readback_ok": (_opt(_is_int), N_("a whole number")),
    "differs": (_opt(_list_of(_is_str)), N_("a list of field names")),
    "message": (_opt(_is_str), N_("text or null")),
}


def _typed(doc: dict[str, Any], schema: dict[str, tuple[_Check, str]], p: Path,
           where: tuple[str, ...]) -> None:
    for key, (check, expected) in schema.items():
        if key in doc and not check(doc[key]):
            raise CaseFileError(_("In {path}, {where} must be {expected}; the case file is damaged "
                                  "or was edited by hand.", path=p, where=_where(*where, key),
                                  expected=_(expected)))


def _where(*keys: str) -> str:
    """A place in the case file, as keys: fields › phone › source."""
    return " › ".join(_shown(k) for k in keys)


def check_case(doc: dict[str, Any], p: Path, statuses: tuple[str, ...]) -> dict[str, Any]:
    """A case file (deskhand_case: 1): every known key of the case, its fields, their
    provenance and the fill log typed as Deskhand writes them."""
    for key in ("case_id", "fields"):
        if key not in doc:
            raise CaseFileError(_("The case file {path} has no '{key}'; it is incomplete or "
                                  "damaged.", path=p, key=key))
    _typed(doc, _TOP, p, ())
    _field_names(doc["fields"], p)
    for name, fv in doc["fields"].items():
        if not isinstance(fv, dict):
            raise CaseFileError(_("In {path}, {where} must be an object such as {{\"value\": "
                                  "\"张三\", \"status\": \"ok\"}}.", path=p,
                                  where=_where("fields", name)))
        _typed(fv, _FIELD, p, ("fields", name))
        status = fv.get("status", "ok")
        if status not in statuses:
            raise CaseFileError(_("In {path}, {where} is the unknown status '{status}'; a status is "
                                  "one of {statuses}.", path=p,
                                  where=_where("fields", name, "status"), status=_shown(status),
                                  statuses=", ".join(statuses)))
        _typed(fv.get("source") or {}, _SOURCE, p, ("fields", name, "source"))
    for i, entry in enumerate(doc.get("fills") or [], 1):
        _typed(entry, _FILL, p, ("fills", str(i)))
    check_groups(doc.get("groups") or {}, p)
    return doc
