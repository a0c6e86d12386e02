"""Round-trip playbook editing (playbooks/roundtrip.py): a load and save gives the same
bytes, each edit changes only its own lines and keeps comments, and the edited text is
judged by the real loader."""
from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from playbooks.loader import load_playbook_text
from playbooks.model import ChooseStep, KeyStep, TypeStep
from playbooks.roundtrip import DocumentError, PlaybookDocument, merge_lines, problems

ROOT = Path(__file__).resolve().parents[1]
LIB = ROOT / "playbooks" / "library"
SHIPPED = sorted(LIB.glob("*.yaml"))
# every playbook the project holds: shipped, the tests' own, the sandbox's
ALL = SHIPPED + sorted((ROOT / "tests" / "fixtures").rglob("*.yaml")) + \
    sorted((ROOT / "app" / "sandbox").rglob("*.yaml"))


def changed_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    """(lines removed, lines added)."""
    diff = list(difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0))
    body = [d for d in diff if not d.startswith(("---", "+++", "@@"))]
    return [d[1:] for d in body if d[0] == "-"], [d[1:] for d in body if d[0] == "+"]


def comments(text: str) -> list[str]:
    return [line[line.index("#"):] for line in text.splitlines()
            if "#" in line and not line.lstrip().startswith(("format", "title"))]


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_load_and_save_without_an_edit_gives_the_same_bytes(path):
    raw = path.read_bytes()
    doc = PlaybookDocument(raw.decode("utf-8"), str(path))
    assert doc.text().encode("utf-8") == raw
    assert doc.edit(lambda d: None).text().encode("utf-8") == raw


def test_an_unusual_layout_keeps_its_bytes_and_an_edit_touches_only_its_line():
    # Indentation the dumper would normalise (sequences at 6, a mapping at 3) and extra
    # spaces after a dash: without an edit nothing moves; an edit changes one line.
    text = ("deskhand: 1\nid: odd\nname:   奇怪的缩进   # spaces kept\ntarget:\n   title: \"城市审批系统*\"\n"
            "fields:\n      -   name: applicant_name\n          label: 姓名\n"
            "      -   {name: phone, label: 电话, type: phone}\n"
            "fill:\n  - type: applicant_name   # first\n  - key: tab\n  - type: phone\n")
    doc = PlaybookDocument(text, "odd.yaml")
    assert doc.text() == text
    doc.set_field_key("phone", "label", "联系电话")
    removed, added = changed_lines(text, doc.text())
    assert removed == ["      -   {name: phone, label: 电话, type: phone}"]
    assert len(added) == 1 and "联系电话" in added[0]
    assert load_playbook_text(doc.text(), "odd.yaml").field_spec("phone").label == "联系电话"


def test_rename_updates_every_reference_and_the_result_loads():
    text = (LIB / "portal-to-web-intake.yaml").read_text(encoding="utf-8")
    text += ("  - key: tab\n  - type: {field: address, method: paste}\n"
             "    when: {field: gender, is: 女}\n")
    before = load_playbook_text(text, "p.yaml")
    doc = PlaybookDocument(text, "p.yaml")
    n = doc.rename_field("gender", "xb")
    doc.rename_field("address", "zhuzhi")
    pb = load_playbook_text(doc.text(), "p.yaml")
    names = [f.name for f in pb.fields]
    assert "xb" in names and "zhuzhi" in names and "gender" not in names and n >= 4
    chooses = [s for s in pb.steps if isinstance(s, ChooseStep)]
    assert chooses[0].field == "xb"
    last = pb.steps[-1]
    assert isinstance(last, TypeStep) and last.field == "zhuzhi" and last.when.field == "xb"
    person = pb.verify[0]
    # the registry's values are still those of the old names
    assert person.confirm["xb"].registry_name == "gender"
    assert person.confirm["zhuzhi"].registry_name == "address"
    assert person.confirm["zhuzhi"].threshold == 85
    assert person.params["gender"] == "xb"      # a request value it may have taken implicitly
    assert len(pb.steps) == len(before.steps)
    # the comments are all still there
    assert comments(doc.text()) == comments(text)


def test_rename_reaches_derive_a_table_match_and_a_verify_fill_list():
    text = """\
deskhand: 1
id: grid
name: 表格
source:
  kind: window
  window: "道路运输管理系统*"
  table:
    header: [姓名, 证件号码, 住址]
    row: {match: {column: 证件号码, field: id_number}}   # picked by the ID number
fields:
  - {name: applicant_name, read: {column: 姓名}}
  - {name: id_number, type: id_number, read: {column: 证件号码}}
  - {name: address, read: {column: 住址}}
  - name: province
    derive: {from: address, part: province}   # 省
  - {name: marital_status, read: clerk, required: false}
verify:
  - lookup: reference.person
    with: {id_number: id_number}
    fill: [marital_status]
target: {title: "城市审批系统*"}
fill:
  - type: applicant_name
  - key: tab
  - type: province
"""
    doc = PlaybookDocument(text, "g.yaml")
    doc.rename_field("id_number", "sfzh")
    doc.rename_field("address", "zz")
    doc.rename_field("marital_status", "hyzk")
    pb = load_playbook_text(doc.text(), "g.yaml")
    assert pb.source_spec.table.row.field == "sfzh"
    assert pb.field_spec("province").derive.source == "zz"
    assert pb.verify[0].params["id_number"] == "sfzh"
    assert pb.verify[0].fill == {"hyzk": "marital_status"}
    assert "# picked by the ID number" in doc.text() and "# 省" in doc.text()


def test_rename_refuses_a_name_already_taken_and_an_unknown_field():
    doc = PlaybookDocument((LIB / "sample-qt-intake.yaml").read_text(encoding="utf-8"))
    with pytest.raises(DocumentError, match="already exists"):
        doc.rename_field("phone", "email")
    with pytest.raises(DocumentError, match="no field"):
        doc.rename_field("nobody", "x")


def test_label_and_type_edits_keep_comments_and_change_one_line():
    text = (LIB / "sample-qt-intake.yaml").read_text(encoding="utf-8")
    doc = PlaybookDocument(text, "s.yaml")
    doc.set_field_key("employer", "label", "单位名称")
    doc.set_field_key("postcode", "type", "phone")
    removed, added = changed_lines(text, doc.text())
    assert removed == ["  - {name: employer, label: 工作单位, type: text}",
                       "  - {name: postcode, label: 邮政编码, type: text}"]
    assert added == ["  - {name: employer, label: 单位名称, type: text}",
                     "  - {name: postcode, label: 邮政编码, type: phone}"]
    assert comments(doc.text()) == comments(text)


def test_a_label_is_added_after_the_name_when_there_was_none():
    text = "deskhand: 1\nid: a\nname: A\ntarget: {title: 记事本}\nfields:\n  - name: x  # the x\nfill:\n  - type: x\n"
    doc = PlaybookDocument(text)
    doc.set_field_key("x", "label", "姓名")
    pb = load_playbook_text(doc.text(), "a.yaml")
    assert pb.field_spec("x").label == "姓名" and "# the x" in doc.text()


def test_moving_deleting_inserting_and_replacing_steps_keep_comments():
    text = (LIB / "sample-qt-intake.yaml").read_text(encoding="utf-8")
    doc = PlaybookDocument(text, "s.yaml")
    steps = len(load_playbook_text(text, "s.yaml").steps)
    doc.move_step(2, 0)                       # the gender choose (with its comments) first
    assert doc.step_text(0).startswith("choose:")
    doc.delete_step(1)                        # the first type step (applicant_name) goes
    doc.insert_step(1, "key: [tab, tab]   # two boxes on")
    doc.replace_step(3, "- type: {field: ethnicity, method: paste}")
    out = doc.text()
    pb = load_playbook_text(out, "s.yaml")
    assert len(pb.steps) == steps
    assert isinstance(pb.steps[0], ChooseStep) and pb.steps[0].field == "gender"
    assert isinstance(pb.steps[1], KeyStep) and len(pb.steps[1].keys) == 2
    assert pb.steps[3] == TypeStep(field="ethnicity", method="paste", line=pb.steps[3].line)
    for comment in comments(text):
        assert comment in out
    assert "# two boxes on" in out
    # the rest of the file is untouched: all the changes lie inside the fill list
    fill_at = out.index("\nfill:\n")
    assert out[:fill_at] == text[:text.index("\nfill:\n")]


def test_a_bad_step_is_refused_with_a_sentence():
    doc = PlaybookDocument((LIB / "sample-qt-intake.yaml").read_text(encoding="utf-8"))
    with pytest.raises(DocumentError, match="step"):
        doc.insert_step(0, "just words")
    with pytest.raises(DocumentError, match="not YAML"):
        doc.insert_step(0, "key: [tab")


def test_problems_are_the_loaders_file_line_messages():
    text = (LIB / "sample-qt-intake.yaml").read_text(encoding="utf-8")
    assert problems(text, "s.yaml") == []
    doc = PlaybookDocument(text, "s.yaml")
    doc.insert_step(0, "type: nobody")
    found = problems(doc.text(), "s.yaml")
    line = doc.text().splitlines().index("  - type: nobody") + 1
    assert [(p.file, p.line) for p in found] == [("s.yaml", line)]
    assert str(found[0]).startswith(f"s.yaml:{line}: ") and "nobody" in str(found[0])


def test_text_that_is_not_yaml_is_a_document_error_with_its_line():
    with pytest.raises(DocumentError) as caught:
        PlaybookDocument("deskhand: 1\nfields: [a\nfill: x\n", "bad.yaml")
    assert caught.value.line >= 2 and caught.value.file == "bad.yaml"


def test_merge_keeps_original_formatting_outside_the_edit():
    original = "a:   1\nb: 2\nc:    3\n"
    baseline = "a: 1\nb: 2\nc: 3\n"
    edited = "a: 1\nb: 5\nc: 3\n"
    assert merge_lines(original, baseline, edited) == "a:   1\nb: 5\nc:    3\n"
    assert merge_lines(original, baseline, baseline) == original


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_renaming_every_field_keeps_the_playbook_working_the_same(path):
    text = path.read_text(encoding="utf-8")
    if problems(text, str(path)):
        pytest.skip("a playbook the loader refuses (a fixture of a mistake)")
    before = load_playbook_text(text, str(path))
    doc = PlaybookDocument(text, str(path))
    for f in before.fields:
        doc = doc.edit(lambda d, n=f.name: d.rename_field(n, n + "_x"))
    after = load_playbook_text(doc.text(), str(path))
    assert [f.name + "_x" for f in before.fields] == [f.name for f in after.fields]
    assert [(type(s), getattr(s, "field", None) and s.field + "_x") for s in before.steps] == \
        [(type(s), getattr(s, "field", None)) for s in after.steps]
    for b, a in zip(before.verify, after.verify):
        assert {k + "_x": (r.registry_name or k) for k, r in b.confirm.items()} == \
            {k: r.registry_name for k, r in a.confirm.items()}
        assert {k + "_x": v for k, v in b.fill.items()} == a.fill
    assert comments(doc.text()) == comments(text)
