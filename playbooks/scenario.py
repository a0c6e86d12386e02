"""Scenarios: one case, several outputs. A scenario is a YAML file, or a folder (a pack)
holding `scenario.yaml` beside its templates:

    scenario: 1                        # the format version
    name: 企业开办
    documents:                         # Word templates rendered by `deskhand docs`
      - template: templates/application.docx   # relative to this file, inside its folder
        output: 设立登记申请书            # file name of the .docx and .pdf written
        title: 公司设立登记申请书          # shown in the manifest
    targets:                           # the forms filled one after another, as the scenario
      - sample-qt-intake               # runner (app/scenario) reads them; `deskhand docs`
                                       # only keeps them, with their lines

Errors are PlaybookErrors (`file:line: message`, exit 2), as for playbooks. playbooks/README.md
("Scenarios") documents the format.

    load_scenario(path) -> Scenario
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from playbooks.errors import PlaybookError, PlaybookErrors
from playbooks.files import FileRefused, read_regular_file
from playbooks.loader import _yaml_syntax_error
from playbooks.node_words import _line, _short
from playbooks.text import _
from playbooks.yaml_limits import MAX_FILE_BYTES, YamlLimitError, compose_bounded

__all__ = ["Scenario", "DocumentSpec", "load_scenario", "SCENARIO_FILE", "SCENARIO_FORMAT"]

SCENARIO_FILE = "scenario.yaml"     # the scenario of a pack (a folder)
SCENARIO_FORMAT = 1
MAX_DOCUMENTS = 50
_BAD_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]')     # not in a file name on Windows or Linux


@dataclass(frozen=True)
class DocumentSpec:
    template: Path          # absolute, inside the scenario's folder
    output: str             # file name without extension
    title: str
    line: int               # where it is written in the scenario file


@dataclass
class Scenario:
    path: Path                           # the scenario file
    name: str
    documents: list[DocumentSpec] = field(default_factory=list)
    # the forms to fill, in order, as written (a playbook id or file, or a mapping the
    # scenario runner reads), each with its line; `deskhand docs` does not use them
    targets: list[tuple[Any, int]] = field(default_factory=list)

    @property
    def folder(self) -> Path:
        return self.path.parent


def load_scenario(path: str | Path) -> Scenario:
    """The scenario in `path` (a scenario file, or a folder holding scenario.yaml)."""
    p = Path(path)
    if p.is_dir():
        p = p / SCENARIO_FILE
    name = str(p)

    def refuse(message: str, line: int = 0) -> PlaybookErrors:
        return PlaybookErrors([PlaybookError(name, line, message)])

    try:
        data = read_regular_file(p, MAX_FILE_BYTES)
    except FileRefused as e:
        if e.kind == "missing":
            raise refuse(_("the scenario does not exist; name a scenario .yaml file or a pack "
                           "folder holding {file}", file=SCENARIO_FILE)) from None
        if e.kind == "too_large":
            raise refuse(_("the scenario file is {size:,} bytes, but may be at most {limit:,}",
                           size=e.size, limit=MAX_FILE_BYTES)) from None
        raise refuse(_("the scenario file cannot be read ({reason}); name a .yaml file",
                       reason=e.reason or e.kind)) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise refuse(_("the file is not UTF-8 text; save it as UTF-8"), line) from None
    try:
        root = compose_bounded(text)
    except YamlLimitError as e:
        raise refuse(e.message, e.line) from None
    except yaml.MarkedYAMLError as e:
        raise PlaybookErrors([_yaml_syntax_error(name, e)]) from None
    except yaml.YAMLError as e:
        raise refuse(_("the file is not valid YAML: {problem}", problem=e), 1) from None
    return _Checker(p).check(root)


class _Checker:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.errors: list[PlaybookError] = []

    def error(self, node: Node | None, message: str) -> None:
        self.errors.append(PlaybookError(str(self.path), _line(node) if node else 1, message))

    def check(self, root: Node | None) -> Scenario:
        scenario = Scenario(self.path, "")
        if not isinstance(root, MappingNode):
            self.error(root, _("a scenario is a mapping with 'scenario: 1', 'name' and "
                               "'documents'"))
            raise PlaybookErrors(self.errors)
        keys = {}
        for k, v in root.value:
            key = k.value if isinstance(k, ScalarNode) else None
            if key not in ("scenario", "name", "documents", "targets"):
                self.error(k, _("unknown key '{key}'; a scenario has 'scenario', 'name', "
                                "'documents' and 'targets'", key=_short(key)))
                continue
            keys[key] = v
        version = keys.get("scenario")
        if version is None:
            self.error(root, _("'scenario: 1' (the format version) is missing"))
        elif not (isinstance(version, ScalarNode) and version.value == str(SCENARIO_FORMAT)):
            self.error(version, _("this Deskhand reads scenario format {supported}",
                                  supported=SCENARIO_FORMAT))
        scenario.name = self.text(keys.get("name"), "name") or self.path.parent.name
        docs = keys.get("documents")
        if docs is None:
            if keys.get("targets") is None:
                self.error(root, _("a scenario needs 'documents' (the templates to render), "
                                   "'targets' (the forms to fill), or both"))
        elif not isinstance(docs, SequenceNode) or not docs.value:
            self.error(docs, _("'documents' must be a list of templates, each with 'template', "
                               "'output' and 'title'"))
        elif len(docs.value) > MAX_DOCUMENTS:
            self.error(docs, _("a scenario has at most {limit} documents", limit=MAX_DOCUMENTS))
        else:
            scenario.documents = [d for d in map(self.document, docs.value) if d]
            seen: set[str] = set()
            for node, d in zip(docs.value, scenario.documents):
                if d.output.casefold() in seen:
                    self.error(node, _("the output name '{name}' is given twice; each document "
                                       "needs its own", name=d.output))
                seen.add(d.output.casefold())
        targets = keys.get("targets")
        if targets is not None:
            if not isinstance(targets, SequenceNode):
                self.error(targets, _("'targets' must be a list of playbooks"))
            else:   # each checked by the scenario runner (app/scenario), which owns their form
                scenario.targets = [(SafeConstructor().construct_document(n), _line(n))
                                    for n in targets.value]
        if self.errors:
            raise PlaybookErrors(sorted(self.errors, key=lambda e: e.line))
        return scenario

    def text(self, node: Node | None, key: str) -> str:
        if node is None:
            return ""
        if not isinstance(node, ScalarNode) or not str(node.value).strip():
            self.error(node, _("'{key}' must be text", key=key))
            return ""
        return str(node.value).strip()

    def document(self, node: Node) -> DocumentSpec | None:
        if not isinstance(node, MappingNode):
            self.error(node, _("a document is a mapping with 'template', 'output' and 'title'"))
            return None
        values: dict[str, str] = {}
        for k, v in node.value:
            key = k.value if isinstance(k, ScalarNode) else None
            if key not in ("template", "output", "title"):
                self.error(k, _("unknown key '{key}'; a document has 'template', 'output' and "
                                "'title'", key=_short(key)))
                continue
            values[key] = self.text(v, key)
        before = len(self.errors)
        for key in ("template", "output", "title"):
            if key not in values:
                self.error(node, _("the document has no '{key}'", key=key))
        if len(self.errors) > before or not all(values.values()):
            return None
        rel = PurePosixPath(values["template"].replace("\\", "/"))
        if rel.is_absolute() or ".." in rel.parts or re.match(r"^[A-Za-z]:", str(rel)):
            self.error(node, _("the template '{path}' must be a path inside the scenario's "
                               "folder, such as templates/application.docx",
                               path=_short(values["template"])))
            return None
        output = values["output"]
        if _BAD_NAME.search(output) or output in (".", "..") or output != output.strip(". "):
            self.error(node, _("the output name '{name}' cannot be a file name; leave out "
                               "\\ / : * ? \" < > | and the extension", name=_short(output)))
            return None
        return DocumentSpec(self.path.parent / Path(*rel.parts), output, values["title"], _line(node))
