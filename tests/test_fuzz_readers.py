"""Property-based fuzzing of the two readers of hostile input (issue 9): the playbook
loader and the case reader. Whatever they are fed, the only exceptions that escape are
the project's own (DeskhandError subclasses, each a sentence); what they accept is
well-typed. And the target rule: a pattern the loader accepts never matches a title
made of other characters, nor the empty title.

Repeatable in CI: derandomized, no example database, no deadline (2-core machines),
max_examples set explicitly. Each test takes 5-40 s here.
"""
from __future__ import annotations

import copy
import fnmatch
import json
import re
import string
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml

# Imported, not importorskip'd: the fuzz must run in CI (hypothesis is in the test extra).
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis.configuration import set_hypothesis_home_dir  # noqa: E402

# Hypothesis keeps caches beside the tests even without an example database; keep them in
# a folder of their own that goes when the run ends.
_HOME = tempfile.TemporaryDirectory(prefix="deskhand-hypothesis-")
set_hypothesis_home_dir(_HOME.name)
from hypothesis import strategies as st  # noqa: E402

from app.cases import Case, FieldValue, load_case  # noqa: E402
from playbooks.errors import DeskhandError, PlaybookErrors  # noqa: E402
from playbooks.loader import load_playbook_text  # noqa: E402
from playbooks.model import Playbook  # noqa: E402
from playbooks.patterns import glob_catch_all, glob_problem, regex_catch_all, regex_problem  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
LIBRARY = sorted((ROOT / "playbooks" / "library").glob("*.yaml"))
LIBRARY_TEXTS = [p.read_text(encoding="utf-8") for p in LIBRARY]
LIBRARY_DOCS = [yaml.safe_load(t) for t in LIBRARY_TEXTS]

FUZZ = settings(max_examples=2000, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.filter_too_much])
DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)   # only writes the test's input, faster
TARGET_FUZZ = settings(FUZZ, max_examples=500)
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


# --------------------------------------------------------------------------- helpers

def load_playbook_or_own_error(text: str) -> Playbook | None:
    """The loader's answer; any exception other than the project's own fails the test."""
    try:
        return load_playbook_text(text, "fuzz.yaml")
    except PlaybookErrors as e:
        for err in e.errors:
            assert not CONTROL.search(err.message), f"unescaped control character: {err.message!r}"
            assert len(err.message) <= 600, err.message
        return None


HOSTILE = [None, True, False, 0, -1, 2**63, 10**30, 1.5, float("nan"), float("inf"), -0.0, "", " ",
           "*", "?*", ".*", "(.*)", "[^x]*", "\\w+", "{4294967296}", "(a+)+$", "[z-a]", "(" * 300,
           "ctrl+", "+", "%", "%Y", "审批", "城市审批系统*", "\x1b[31m", "a\x00b", "\ud800", "x" * 20_000,
           "tab", "男", "1e999", "ok", "invalid", "35080219900307103X", [], {}, [1, [2, [3]]],
           {"a": {"b": {"c": None}}}, ["tab", "tab"], {"x": 1, "y": 2}, [[[[[[[[[[]]]]]]]]]],
           {"value": 1}, {"value": "张伟", "status": "ok"}, {"deskhand_case": True}, 10**4000, -10**4000]


def hostile_values() -> st.SearchStrategy[Any]:
    """Cheap to draw (the fuzz spends its time in the readers, not in generating)."""
    return st.one_of(st.sampled_from(HOSTILE), st.integers(-10**40, 10**40), st.text(max_size=12),
                     st.lists(st.sampled_from(HOSTILE[:30]), max_size=3))


def paths_in(doc: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path (keys and indexes) to a value inside `doc`."""
    out = [prefix]
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += paths_in(v, prefix + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out += paths_in(v, prefix + (i,))
    return out


def get_at(doc: Any, path: tuple) -> Any:
    for key in path:
        doc = doc[key]
    return doc


@st.composite
def mutated(draw: st.DrawFn, docs: list[Any]) -> Any:
    """A valid document with 1-4 changes: a value replaced by a hostile one, a key
    removed, an unknown key added, a value wrapped in a list or nested deeply."""
    doc = copy.deepcopy(draw(st.sampled_from(docs)))
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(paths_in(doc)))
        op = draw(st.sampled_from(["replace", "replace", "delete", "add", "wrap", "nest"]))
        if not path:
            if op == "replace":
                doc = copy.deepcopy(draw(hostile_values()))
            continue
        parent, key = get_at(doc, path[:-1]), path[-1]
        if op == "replace":
            parent[key] = copy.deepcopy(draw(hostile_values()))
        elif op == "delete":
            del parent[key]
        elif op == "add" and isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=10))] = copy.deepcopy(draw(hostile_values()))
        elif op == "wrap":
            parent[key] = [parent[key]]
        elif op == "nest":
            value = parent[key]
            for _ in range(draw(st.integers(1, 60))):
                value = [value]
            parent[key] = value
    return doc


YAML_TOKENS = ["deskhand: 1\n", "id: x\n", "name: 测试\n", "target:\n", "  title: ", "fields:\n",
               "fill:\n", "  - ", "name: a\n", "type: a\n", "key: tab\n", "choose: ", "wait: ",
               "{", "}", "[", "]", ": ", ", ", "-", "&a ", "*a", "<<: ", "!!python/object ",
               "!!binary ", "!x ", "? ", "|\n", ">\n", "'", '"', "#", "%YAML 1.1\n", "---\n",
               "...\n", "\n", "  ", "\t", "\x00", "\ufeff", "\x85", "\u2028", "9" * 5001, ".inf",
               ".nan", "2024-13-45", "0x", "0o9", "1_0", "~", "null", "yes", "审批", "*", ".*",
               "(", ")", "{4294967296}", "\\", "[" * 400, "{a: " * 400, "- " * 400]


# --------------------------------------------------------------------------- playbooks

@FUZZ
@given(st.lists(st.sampled_from(YAML_TOKENS) | st.text(max_size=6), max_size=40).map("".join))
def test_playbook_loader_on_yaml_ish_text(text: str) -> None:
    load_playbook_or_own_error(text)


@FUZZ
@given(st.text(max_size=400))
def test_playbook_loader_on_arbitrary_text(text: str) -> None:
    load_playbook_or_own_error(text)


@FUZZ
@given(mutated(LIBRARY_DOCS), st.integers(0, 2))
def test_playbook_loader_on_mutated_playbooks(doc: Any, text_edits: int) -> None:
    try:
        text = yaml.dump(doc, Dumper=DUMPER, allow_unicode=True)
    except (yaml.YAMLError, ValueError, RecursionError):
        return   # not YAML that PyYAML can write: nothing to feed the loader
    for i in range(text_edits):   # then a little damage to the text itself
        at = (len(text) * (i + 1)) // (text_edits + 1)
        text = text[:at] + "[" * 3 + text[at + 1:]
    pb = load_playbook_or_own_error(text)
    if pb is not None:
        t = pb.target
        assert any(v is not None for v in (t.title, t.title_regex, t.process))
        for f in pb.fields:
            assert isinstance(f.name, str) and f.name


@FUZZ
@given(st.binary(max_size=300))
def test_playbook_loader_on_arbitrary_bytes(tmp_path_factory: Any, data: bytes) -> None:
    from playbooks.loader import load_playbook
    path = FUZZ_DIR(tmp_path_factory) / "p.yaml"
    path.write_bytes(data)
    try:
        load_playbook(path)
    except PlaybookErrors:
        pass


# --------------------------------------------------------------------------- case files

_DIR: dict[str, Path] = {}


def FUZZ_DIR(factory: Any) -> Path:   # noqa: N802 - one folder for all examples
    if "d" not in _DIR:
        _DIR["d"] = factory.mktemp("fuzz")
    return _DIR["d"]


def sample_case() -> dict[str, Any]:
    values = json.loads((ROOT / "resources/samples/case-zhang-wei.json").read_text(encoding="utf-8"))
    case = Case(case_id="20250101-120000-ab12", playbook="sample-qt-intake", created="2025-01-01T12:00:00+08:00",
                fields={k: FieldValue(v, "ok", None, {"kind": "ocr", "box": [1, 2, 30, 12],
                                                      "alternatives": ["张伟"], "problems": []})
                        for k, v in values.items()})
    case.fields["id_number"].status = "corrected"
    case.fields["id_number"].original = "35080219900307103O"
    case.fields["address"].source["registry"] = {"lookup": "population.person", "result": "confirmed"}
    case.fills.append({"at": "2025-01-01T12:01:00+08:00", "playbook": "sample-qt-intake",
                       "outcome": "focus_lost", "window": "x", "step_reached": 7,
                       "field_reached": "phone", "position": 3, "readback_ok": 5,
                       "differs": [], "message": "Focus moved."})
    return case.to_json()


CASE_DOCS = [sample_case(),
             json.loads((ROOT / "resources/samples/case-zhang-wei.json").read_text(encoding="utf-8"))]

JSON_TOKENS = ['{', '}', '[', ']', ',', ':', '"', '"deskhand_case"', '"case_id"', '"fields"',
               '"value"', '"status"', '"source"', '"fills"', '"ok"', '1', '-0', '1e999', '-1e400',
               'NaN', 'Infinity', '-Infinity', 'true', 'false', 'null', '9' * 5001, '"\\ud800"',
               '"\\u0000"', ' ', '\n', '\ufeff', '\xff', '"a"', '[' * 2000, '{"a":' * 50,
               '"applicant_name"', '"张伟"']


def load_case_or_own_error(factory: Any, data: bytes) -> Case | None:
    path = FUZZ_DIR(factory) / "case.json"
    path.write_bytes(data)
    try:
        case = load_case(path, "sample-qt-intake")
    except DeskhandError as e:
        assert "Traceback" not in str(e) and "\n" not in str(e)
        return None
    # what was accepted is well typed, and survives being saved and read again
    assert isinstance(case.case_id, str)
    for name, fv in case.fields.items():
        assert isinstance(name, str) and (fv.value is None or isinstance(fv.value, str))
        assert fv.original is None or isinstance(fv.original, str)
        assert isinstance(fv.source, dict)
    again = FUZZ_DIR(factory) / "again.json"   # as save_case writes it, without the fsync
    again.write_bytes(json.dumps(case.to_json(), ensure_ascii=False, indent=2).encode("utf-8"))
    assert load_case(again).fields.keys() == case.fields.keys()
    return case


@FUZZ
@given(st.binary(max_size=400))
def test_case_reader_on_arbitrary_bytes(tmp_path_factory: Any, data: bytes) -> None:
    load_case_or_own_error(tmp_path_factory, data)


@FUZZ
@given(st.lists(st.sampled_from(JSON_TOKENS) | st.text(max_size=4), max_size=40).map("".join))
def test_case_reader_on_json_ish_text(tmp_path_factory: Any, text: str) -> None:
    load_case_or_own_error(tmp_path_factory, text.encode("utf-8", "surrogatepass"))


@FUZZ
@given(mutated(CASE_DOCS))
def test_case_reader_on_mutated_cases(tmp_path_factory: Any, doc: Any) -> None:
    try:
        text = json.dumps(doc, ensure_ascii=False)
    except (ValueError, RecursionError):
        return
    load_case_or_own_error(tmp_path_factory, text.encode("utf-8", "surrogatepass"))


# --------------------------------------------------------------------------- targets

# Patterns are made of pieces; literal text only from INSIDE, titles only from OUTSIDE.
INSIDE = "审批系统城市ABCX019"
OUTSIDE_TITLES = st.one_of(st.sampled_from(["", "Terminal", "terminal — bash", "微信", "Mozilla Firefox",
                                            "文件管理器 - 下载", " - ", "新建文本文档.txt - 记事本"]),
                           st.text(alphabet=string.ascii_lowercase + " -_.()—:|[]文件下载微信记事本",
                                   max_size=40))
GLOB_WILD = ["*", "?", "[!x]", "[A-Z]", "[审批]", "[", "]", "!"]
REGEX_WILD = [".*", ".+", ".", "\\w+", "\\w*", "[^x]*", "(.*)", "(?:.*)", "\\s*", "[A-Z]", "\\d+",
              "|", "(", ")", "?", "+", "{2}", "{0,3}", "\\b", "(?=A)", "^", "$"]


def patterns(wild: list[str]) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(wild) | st.sampled_from(list(INSIDE)) | st.sampled_from([" ", "-", "·"]),
                    min_size=1, max_size=10).map("".join)


def playbook_with_target(key: str, pattern: str) -> str:
    doc = {"deskhand": 1, "id": "t", "name": "t", "target": {key: pattern},
           "fields": [{"name": "a"}], "fill": [{"type": "a"}]}
    return yaml.dump(doc, Dumper=DUMPER, allow_unicode=True)


@TARGET_FUZZ
@given(patterns(GLOB_WILD), st.sampled_from(["title", "process"]), st.lists(OUTSIDE_TITLES, min_size=3, max_size=3))
def test_an_accepted_glob_target_never_matches_an_unrelated_title(pattern: str, key: str,
                                                                  titles: list[str]) -> None:
    pb = load_playbook_or_own_error(playbook_with_target(key, pattern))
    if pb is None:
        return
    assert glob_problem(pattern) is None and glob_catch_all(pattern) is None
    for title in titles:
        assert not fnmatch.fnmatchcase(title, pattern), (pattern, title)


@TARGET_FUZZ
@given(patterns(REGEX_WILD), st.lists(OUTSIDE_TITLES, min_size=3, max_size=3))
def test_an_accepted_regex_target_never_matches_an_unrelated_title(pattern: str, titles: list[str]) -> None:
    pb = load_playbook_or_own_error(playbook_with_target("title_regex", pattern))
    if pb is None:
        return
    assert regex_problem(pattern) is None and regex_catch_all(pattern) is None
    for title in titles:
        assert not re.search(pattern, title), (pattern, title)


@TARGET_FUZZ
@given(st.data(), st.sampled_from(["", "审", "A1", "批X", " - "]),
       st.sampled_from(["title", "title_regex", "process"]))
def test_wildcards_with_under_three_letters_are_refused(data: st.DataObject, letters: str,
                                                         key: str) -> None:
    """A pattern with a wildcard and fewer than 3 letters, digits or Chinese characters
    is refused whatever they are, with the sentence saying why."""
    pieces = ([w for w in REGEX_WILD if w not in ("^", "$", "{2}", "{0,3}")] if key == "title_regex"
              else ["*", "?", "?*", "[!x]", "[审批]"])
    wild = data.draw(st.lists(st.sampled_from(pieces), min_size=1, max_size=6))
    at = data.draw(st.integers(0, len(wild)))
    pattern = "".join(wild[:at]) + letters + "".join(wild[at:])
    if key == "title_regex" and re.fullmatch(r"[\w\s·-]*", pattern):
        return   # plain text: searched for as it is
    with pytest.raises(PlaybookErrors) as info:
        load_playbook_text(playbook_with_target(key, pattern), "t.yaml")
    assert any("could match any window" in e.message or "not a valid regular expression" in e.message
               or "cannot be used as a pattern" in e.message for e in info.value.errors)
