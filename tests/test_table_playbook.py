"""The playbook format's tables: `source.table` (header, row, selected_by) and
`read: {column: …}` load into the model, and every mistake is a `file:line: message`."""
from __future__ import annotations

import textwrap

import pytest

from playbooks.errors import PlaybookErrors
from playbooks.loader import load_playbook_text
from playbooks.model import ReadSpec, RowMatch, TableSpec

GRID = """\
deskhand: 1
id: grid
name: 从业人员
source:
  kind: window
  window: "道路运输管理系统*"
  table:
    header: [选择, 姓名, 证件号码, 从业资格类别, 发证日期]
    row: selected
    selected_by: auto
target:
  title: "城市审批*"
fields:
  - {name: applicant_name, read: {column: 姓名}}
  - {name: id_number, type: id_number, read: {column: 证件号码}}
  - {name: qualification, label: 从业资格类别}
  - {name: issued, type: date, read: {column: 发证日期, pattern: "\\\\d{4}-\\\\d{2}-\\\\d{2}"}}
  - {name: remarks, label: 备注, required: false}
fill:
  - type: applicant_name
"""


def errors(text: str) -> list[str]:
    with pytest.raises(PlaybookErrors) as info:
        load_playbook_text(text, "g.yaml")
    return [str(e) for e in info.value.errors]


def test_a_table_source_and_its_columns_load_into_the_model():
    pb = load_playbook_text(GRID, "g.yaml")
    table = pb.source_spec.table
    assert table == TableSpec(header=("选择", "姓名", "证件号码", "从业资格类别", "发证日期"),
                              row="selected", selected_by="auto", line=8)
    read = {f.name: f.read for f in pb.fields}
    assert read["applicant_name"].column == "姓名" and read["id_number"].column == "证件号码"
    assert read["issued"].column == "发证日期" and read["issued"].pattern
    # a label that is a header text reads that column (never the text beside the header)
    assert read["qualification"] == ReadSpec(column="从业资格类别", line=16)
    # a label that is not a header is read by its label, as on any source
    assert read["remarks"] is None


@pytest.mark.parametrize("row,want", [
    ("first", "first"), ("all", "all"),
    ("{match: {column: 证件号码, field: id_number}}", RowMatch("证件号码", "id_number")),
])
def test_row_choices(row, want):
    pb = load_playbook_text(GRID.replace("row: selected", f"row: {row}"), "g.yaml")
    assert pb.source_spec.table.row == want


def test_defaults_are_the_selected_row_by_either_mark():
    text = GRID.replace("    row: selected\n    selected_by: auto\n", "")
    assert load_playbook_text(text, "g.yaml").source_spec.table.row == "selected"
    assert load_playbook_text(text, "g.yaml").source_spec.table.selected_by == "auto"


def test_headers_compare_without_spaces_and_colons():
    text = GRID.replace("header: [选择, 姓名,", "header: [选择, \"姓　名：\",")
    pb = load_playbook_text(text, "g.yaml")
    assert pb.field_spec("applicant_name").read.column == "姓名"


@pytest.mark.parametrize("change,line,words", [
    (("selected_by: auto", "selected_by: tick"), 10,
     "'selected_by' of the table of the source must be one of 'checkbox', 'highlight' and 'auto'"),
    (("row: selected", "row: selcted"), 9, "(did you mean 'selected'?)"),
    (("row: selected", "row: {match: {column: 证件号, field: id_number}}"), 9,
     "is '证件号', which is not one of the table's headers (选择, 姓名, 证件号码, 从业资格类别, "
     "发证日期) (did you mean '证件号码'?)"),
    (("row: selected", "row: {match: {column: 证件号码, field: idno}}"), 9,
     "names the field 'idno', which the playbook does not declare"),
    (("row: selected", "row: {match: {column: 证件号码}}"), 9, "needs 'field'"),
    (("row: selected", "row: {pick: 2}"), 9, "unknown key 'pick'"),
    (("    row: selected\n", "    rows: all\n"), 9, "unknown key 'rows' in the table of the source "
     "(did you mean 'row'?)"),
    (("header: [选择, 姓名, 证件号码, 从业资格类别, 发证日期]", "header: 姓名"), 8,
     "must be a list of the column headers as printed"),
    (("header: [选择, 姓名,", "header: [选择, 姓名, 姓名,"), 8, "the header '姓名' is listed twice"),
    (("{column: 姓名}", "{column: 名字}"), 14, "'column' of field 'applicant_name' is '名字', "
     "which is not one of the table's headers"),
    (("{column: 姓名}", "{column: 姓名, direction: below}"), 14,
     "reads a table's column, so 'direction' does not apply"),
    (("    header: [选择, 姓名, 证件号码, 从业资格类别, 发证日期]\n", ""), 7, "needs 'header'"),
])
def test_table_mistakes_are_reported_at_their_line(change, line, words):
    found = errors(GRID.replace(*change))
    assert any(e.startswith(f"g.yaml:{line}:") and words in e for e in found), found


def test_a_column_without_a_table_says_what_to_add():
    text = textwrap.dedent("""\
        deskhand: 1
        id: page
        name: 页面
        source: {kind: image}
        target: {title: "城市审批*"}
        fields:
          - {name: applicant_name, read: {column: 姓名}}
        fill:
          - type: applicant_name
        """)
    assert errors(text) == ["g.yaml:7: 'read' of field 'applicant_name' reads a table's column, "
                            "but the source has no table; add 'table: {header: [...]}' to the "
                            "source"]


def test_an_id_card_has_no_table():
    found = errors(GRID.replace("kind: window\n  window: \"道路运输管理系统*\"", "kind: idcard"))
    assert any(e.startswith("g.yaml:6:") and "has its own layout and no table" in e
               for e in found), found
