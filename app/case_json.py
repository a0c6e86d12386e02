"""Reading a case file's JSON within limits, and checking every value's type.

A case file may come from anywhere (a portal export, a colleague, a damaged disk), so
nothing in it reaches the fill unchecked: the file size, how deeply it nests, the size
of its numbers, NaN and Infinity (which Python's json accepts but JSON does not), keys
given twice, text that is not valid Unicode, and the type of every known key. Each
refusal is a CaseFileError (exit 2) whose sentence names the file and the key.

    read_case_json(path)        -> the parsed document (dict, list, str …)
    check_plain(doc, path)      -> {name: str | None}   a bare {"name": "张三"} file
    check_case(doc, path)       -> the same document, every known key typed as expected
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Callable

from app.errors import CaseFileError
from playbooks.files import FileRefused, read_regular_file

__all__ = ["read_case_json", "check_plain", "check_case", "MAX_CASE_BYTES", "MAX_DEPTH",
           "MAX_DIGITS", "MAX_FIELDS", "MAX_NAME"]

MAX_CASE_BYTES = 16 * 1024 * 1024   # a case is a few KB; a 100,000-character field ~300 KB
MAX_DEPTH = 32                      # a case nests 5 deep (fields > field > source > registry)
MAX_DIGITS = 30                     # digits in one number; the numbers in a case are counts
MAX_FIELDS = 1_000                  # fields in one case; a large form has ~100
MAX_NAME = 200                      # characters in a field name


class _Refused(Exception):
    """Raised from inside json.loads's hooks; becomes a CaseFileError."""


def _refuse_constant(name: str) -> Any:
    raise _Refused(f"holds {name}, which is not a value JSON allows; write the value as text "
                   "in quotes")


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise _Refused(f"holds a number of {len(text.lstrip('-')):,} digits; numbers in a case "
                       f"file have at most {MAX_DIGITS} (write long numbers such as ID numbers "
                       "as text in quotes)")
    return int(text)


def _bounded_float(text: str) -> float:
    if len(text) > MAX_DIGITS + 10:
        raise _Refused(f"holds a number written with {len(text):,} characters; numbers in a "
                       f"case file have at most {MAX_DIGITS} digits")
    value = float(text)
    if not math.isfinite(value):
        raise _Refused(f"holds the number {text[:20]}, too large to be read")
    return value


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    for key, value in pairs:
        if key in doc:
            raise _Refused(f"gives the key '{_shown(key)}' twice in one object, so it is unclear "
                           "which value is meant; remove one")
        doc[key] = value
    return doc


def _shown(text: str, limit: int = 40) -> str:
    """A key or value as shown in a message: escaped control characters, cut if long."""
    cut = len(text) > limit
    text = "".join(ascii(c)[1:-1] if (ord(c) < 32 or 0x7f <= ord(c) < 0xa0
                                      or 0xd800 <= ord(c) < 0xe000) else c for c in text[:limit])
    return text + ("…" if cut else "")


def read_case_json(path: str | Path) -> Any:
    """The parsed JSON of a case file. Raises CaseFileError for anything beyond the limits."""
    p = Path(path)
    try:
        data = read_regular_file(p, MAX_CASE_BYTES)
    except FileRefused as e:
        raise CaseFileError(f"{p}: " + e.problem(
            "case file", ".json", f"{MAX_CASE_BYTES // 2**20} MiB; a case is a few kilobytes") + ".") from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise CaseFileError(f"The case file {p} is saved as UTF-16; save it as UTF-8.")
    try:
        text = data.decode("utf-8-sig")   # a BOM, as Windows Notepad writes it, is fine
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CaseFileError(f"The case file {p} is not UTF-8 text (line {line} has a byte that is "
                            "not UTF-8); save it as UTF-8, as files saved in GBK cause this.") from None
    try:
        doc = json.loads(text, parse_constant=_refuse_constant, parse_int=_bounded_int,
                         parse_float=_bounded_float, object_pairs_hook=_no_duplicates)
    except _Refused as exc:
        raise CaseFileError(f"The case file {p} {exc}.") from None
    except RecursionError:
        raise CaseFileError(f"The case file {p} nests lists or objects thousands of levels deep; "
                            f"a case nests at most {MAX_DEPTH}, so it is damaged.") from None
    except json.JSONDecodeError as exc:
        raise CaseFileError(f"The case file {p} is not valid JSON "
                            f"(line {exc.lineno}, column {exc.colno}: {exc.msg}).") from None
    except ValueError as exc:   # e.g. Python's own limit on digits in a number
        raise CaseFileError(f"The case file {p} holds a value that cannot be read ({exc}).") from None
    _check_shape(doc, p)
    return doc


def _check_shape(doc: Any, p: Path) -> None:
    """Depth, and text that is valid Unicode (a lone surrogate such as \\ud800 would
    fail later, when the case is saved or printed)."""
    stack: list[tuple[Any, int]] = [(doc, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise CaseFileError(f"The case file {p} nests lists or objects more than {MAX_DEPTH} "
                                "levels deep; a case nests about 5, so it is damaged.")
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
        raise CaseFileError(f"The case file {p} holds the text '{_shown(text)}' with an invalid "
                            "character (a lone \\ud800-\\udfff escape); it is damaged.") from None


# ----------------------------------------------------------------------------- types

def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"{str(value).lower()} (true/false)"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    return "an object"


def _field_names(doc: dict[str, Any], p: Path, where: str) -> None:
    if len(doc) > MAX_FIELDS:
        raise CaseFileError(f"The case file {p} has {len(doc):,} {where}; a case has at most "
                            f"{MAX_FIELDS:,}.")
    for name in doc:
        if not name.strip() or len(name) > MAX_NAME:
            raise CaseFileError(f"The case file {p} has a field named '{_shown(name)}'; a field "
                                f"name is 1 to {MAX_NAME} characters.")


def check_plain(doc: dict[str, Any], p: Path) -> dict[str, str | None]:
    """A bare {"name": "value"} file: every value text or null. Numbers are refused rather
    than turned into text, as 1.0 or 3.50802e17 would not be what the applicant wrote."""
    _field_names(doc, p, "fields")
    values: dict[str, str | None] = {}
    for name, value in doc.items():
        if value is not None and not isinstance(value, str):
            hint = (" in quotes, e.g. \"" + _shown(json.dumps(value)) + "\""
                    if isinstance(value, (int, float)) and not isinstance(value, bool) else "")
            raise CaseFileError(f"In {p}, the value of '{_shown(name)}' is {_kind(value)}, but "
                                f"field values must be text{hint} (or null for no value).")
        values[name] = value
    return values


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
                any(c in v for c in "/\\\0"), "a name of 1-200 characters without / or \\"),
    "playbook": (_opt(_is_str), "text or null"),
    "created": (_is_str, "text"),
    "fields": (lambda v: isinstance(v, dict), "an object of fields"),
    "fills": (_list_of(lambda x: isinstance(x, dict)), "a list of objects"),
    "verification": (_list_of(lambda x: isinstance(x, dict)), "a list of objects"),
}
_FIELD: dict[str, tuple[_Check, str]] = {
    "value": (_opt(_is_str), "text or null"),
    "status": (_is_str, "text"),
    "original": (_opt(_is_str), "text or null"),
    "source": (_opt(lambda v: isinstance(v, dict)), "an object"),
}
_SOURCE: dict[str, tuple[_Check, str]] = {
    "kind": (_is_str, "text"),
    "file": (_is_str, "text"),
    "title": (_is_str, "text"),
    "box": (_opt(lambda v: isinstance(v, list) and len(v) == 4 and all(map(_is_num, v))),
            "a list of 4 numbers"),
    "problems": (_list_of(_is_str), "a list of texts"),
    "warnings": (_list_of(_is_str), "a list of texts"),
    "alternatives": (_opt(_list_of(_is_str)), "a list of texts"),
    "registry": (lambda v: isinstance(v, dict), "an object"),
    "edited_by_clerk": (lambda v: isinstance(v, bool), "true or false"),
}
_FILL: dict[str, tuple[_Check, str]] = {
    "at": (_is_str, "text"),
    "outcome": (_opt(_is_str), "text"),
    "step_reached": (_opt(_is_int), "a whole number or null"),
    "field_reached": (_opt(_is_str), "text or null"),
    "position": (_opt(_is_int), "a whole number"),
    "readback_ok": (_opt(_is_int), "a whole number"),
    "differs": (_opt(_list_of(_is_str)), "a list of field names"),
    "message": (_opt(_is_str), "text or null"),
}


def _typed(doc: dict[str, Any], schema: dict[str, tuple[_Check, str]], p: Path, where: str) -> None:
    for key, (check, expected) in schema.items():
        if key in doc and not check(doc[key]):
            raise CaseFileError(f"In {p}, '{key}' of {where} is {_kind(doc[key])}, but must be "
                                f"{expected}; the case file is damaged or was edited by hand.")


def check_case(doc: dict[str, Any], p: Path, statuses: tuple[str, ...]) -> dict[str, Any]:
    """A case file (deskhand_case: 1): every known key of the case, its fields, their
    provenance and the fill log typed as Deskhand writes them."""
    for key in ("case_id", "fields"):
        if key not in doc:
            raise CaseFileError(f"The case file {p} has no '{key}'; it is incomplete or damaged.")
    _typed(doc, _TOP, p, "the case")
    _field_names(doc["fields"], p, "fields")
    for name, fv in doc["fields"].items():
        where = f"field '{_shown(name)}'"
        if not isinstance(fv, dict):
            raise CaseFileError(f"In {p}, {where} is {_kind(fv)}, but must be an object such as "
                                "{\"value\": \"张三\", \"status\": \"ok\"}.")
        _typed(fv, _FIELD, p, where)
        status = fv.get("status", "ok")
        if status not in statuses:
            raise CaseFileError(f"In {p}, {where} has unknown status '{_shown(status)}'; it is "
                                f"one of {', '.join(statuses)}.")
        _typed(fv.get("source") or {}, _SOURCE, p, f"the source of {where}")
    for i, entry in enumerate(doc.get("fills") or [], 1):
        _typed(entry, _FILL, p, f"fill log entry {i}")
    return doc
