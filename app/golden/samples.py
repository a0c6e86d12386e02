"""Golden samples beside a playbook (playbooks/README.md, "Samples"):

    <folder of the playbook>/samples/<playbook id>/form.yaml          the target model
    <folder of the playbook>/samples/<playbook id>/<case>/source.png  (or source.jpg)
    <folder of the playbook>/samples/<playbook id>/<case>/expected.yaml

expected.yaml:

    fields:                        # every field the capture reads, name → value
      applicant_name: 张伟
      email: {status: missing}     # expected not found; or {status: invalid, value: …}
    given:                         # optional: what the clerk gives in the review (read: clerk)
      matter: 公积金提取
    form:                          # optional: the target form after the fill, label → value
      申请人姓名: 张伟
      性别: 男

    samples = find_samples(playbook)          [Sample], sorted by case name
    expected = load_expected(path, playbook)  PlaybookError (file:line) when malformed

The one reader of this layout, for `deskhand test` and the editor's 试运行 alike: the
editor lists a folder's pictures first (`sample_pictures`, also for a case whose
expected.yaml is not written yet) and reads a case's expected.yaml when it tries it
(`load_sample`), against the playbook as it is then.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from app.errors import PlaybookError
from app.golden.yaml_nodes import fail, line_of, mapping, read_nodes, text
from app.i18n import _, join
from playbooks.model import Playbook

__all__ = ["Expected", "Want", "Sample", "SamplePicture", "find_samples", "sample_pictures",
           "load_sample", "samples_folder", "samples_root", "load_expected",
           "EXPECTED_STATUSES", "SOURCE_NAMES"]

SOURCE_NAMES = ("source.png", "source.jpg", "source.jpeg")
EXPECTED_STATUSES = ("ok", "corrected", "invalid", "missing", "unchecked")
# A sample giving only a value expects it taken: ok, corrected, or unchecked (free text,
# which no check can confirm: app/values/honest.py).
TAKEN = ("ok", "corrected", "unchecked")
TOP_KEYS = ("fields", "given", "form")
WANT_KEYS = ("value", "status")


@dataclass(frozen=True)
class Want:
    """What the capture must give for one field: the value (None: not compared) and the
    statuses that count as right (ok or corrected for a plain value)."""

    value: str | None
    statuses: tuple[str, ...]
    line: int = 0

    def holds(self, value: str | None, status: str) -> bool:
        """Whether a capture's value and status are what the sample expects."""
        return status in self.statuses and (self.value is None or (value or "") == self.value)


@dataclass
class Expected:
    path: Path
    fields: dict[str, Want]
    given: dict[str, str] = field(default_factory=dict)
    form: dict[str, str] | None = None
    form_line: int = 0


@dataclass
class Sample:
    name: str
    folder: Path
    source: Path
    expected: Expected


@dataclass(frozen=True)
class SamplePicture:
    """A case folder's source picture, its expected.yaml not read yet."""

    name: str
    folder: Path
    source: Path

    @property
    def expected_path(self) -> Path:
        return self.folder / "expected.yaml"


def samples_root(playbook_path: Path, playbook_id: str) -> Path:
    """<folder of the playbook>/samples/<playbook id>"""
    return Path(playbook_path).resolve().parent / "samples" / playbook_id


def samples_folder(playbook: Playbook) -> Path:
    return samples_root(Path(playbook.path or "."), playbook.id)


def sample_pictures(root: Path) -> list[SamplePicture]:
    """The picture of every case folder under `root`, by case name (none: an empty list).
    PlaybookError for a folder without its one source picture."""
    if not root.is_dir():
        return []
    out = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        sources = [folder / n for n in SOURCE_NAMES if (folder / n).is_file()]
        if len(sources) != 1:
            raise PlaybookError(str(folder), 1, _(
                "a sample folder holds one source picture ({names}); this one holds {count}",
                names=join(SOURCE_NAMES), count=len(sources)))
        out.append(SamplePicture(folder.name, folder, sources[0]))
    return out


def load_sample(picture: SamplePicture, playbook: Playbook) -> Sample:
    """The sample with its expected.yaml read against `playbook`; PlaybookError when the
    file is missing or malformed."""
    if not picture.expected_path.is_file():
        raise PlaybookError(str(picture.expected_path), 1, _(
            "the sample has no expected.yaml beside its source picture"))
    return Sample(picture.name, picture.folder, picture.source,
                  load_expected(picture.expected_path, playbook))


def find_samples(playbook: Playbook) -> list[Sample]:
    """Every case folder of the playbook's samples (none: an empty list)."""
    return [load_sample(p, playbook) for p in sample_pictures(samples_folder(playbook))]


def load_expected(path: Path, playbook: Playbook) -> Expected:
    root = read_nodes(path)
    top = mapping(root, path, TOP_KEYS, _("expected.yaml"))
    if "fields" not in top:
        raise fail(path, root, _("expected.yaml needs 'fields': the value the capture must give "
                                 "for each field"))
    names = {f.name: f for f in playbook.fields}
    wants: dict[str, Want] = {}
    fields_node = mapping(top["fields"], path, None, "'fields'")
    for name, node in fields_node.items():
        if name not in names:
            raise fail(path, node, _("'{name}' is not a field of playbook {playbook}; its fields "
                                     "are: {names}", name=name, playbook=playbook.id,
                                     names=join(names)))
        wants[name] = _want(node, path, name)
    read = [f.name for f in playbook.fields
            if f.derive is None and not (f.read is not None and f.read.clerk)]
    unlisted = [n for n in read if n not in wants]
    if unlisted:
        raise fail(path, top["fields"], _("'fields' does not say what the capture must give for: "
                                          "{names} (write {{status: missing}} for a field the "
                                          "source does not show)", names=join(unlisted)))
    given = {}
    if "given" in top:
        for name, node in mapping(top["given"], path, None, "'given'").items():
            if name not in names:
                raise fail(path, node, _("'{name}' is not a field of playbook {playbook}; its "
                                         "fields are: {names}", name=name, playbook=playbook.id,
                                         names=join(names)))
            given[name] = text(node, path, name, allow_null=True)
    form = None
    if "form" in top:
        form = {label: text(node, path, label, allow_null=True)
                for label, node in mapping(top["form"], path, None, "'form'").items()}
    return Expected(path, wants, given, form, line_of(top["form"]) if "form" in top else 0)


def _want(node, path: Path, name: str) -> Want:
    from yaml.nodes import MappingNode
    if not isinstance(node, MappingNode):
        return Want(text(node, path, name, allow_null=True), TAKEN, line_of(node))
    items = mapping(node, path, WANT_KEYS, name)
    status = text(items["status"], path, "'status'") if "status" in items else "ok"
    if status not in EXPECTED_STATUSES:
        raise fail(path, items["status"], _("the status '{status}' cannot be expected of a "
                                            "sample; use one of: {statuses}", status=status,
                                            statuses=join(EXPECTED_STATUSES)))
    value = text(items["value"], path, "'value'", allow_null=True) if "value" in items else None
    if status in TAKEN and value is None:
        raise fail(path, node, _("give the 'value' the capture must read for {name}", name=name))
    return Want(value, (status,), line_of(node))
