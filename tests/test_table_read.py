"""Reading ministry grids (app/extract/table.py) with real OCR on generated windows
(app/sandbox/ministry_grid.py): the selected row's values exactly, neighbouring columns
never merged, an ambiguous selection flagged and never guessed, `row: all` and `--match`
through the real command line."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from app.extract.selection import choose_rows
from app.extract.table import Row, TableRead, _header, _lines
from app.ocr.base import TextBox
from app.ocr.ctc import doubts
from playbooks.model import RowMatch, TableSpec

ROOT = Path(__file__).resolve().parent.parent
HEADER = ("序号", "姓名", "性别", "证件号码", "从业资格类别", "发证日期", "联系电话")


# --------------------------------------------------------------------------- pure logic

def box(text: str, x: int, y: int, w: int, h: int = 20) -> TextBox:
    return TextBox(text, 0.99, x, y, w, h)


def test_a_spaced_header_is_joined_and_merged_headers_are_split():
    line = [box("选择序号", 20, 100, 90), box("姓", 130, 100, 14), box("名", 160, 100, 14),
            box("证件号码", 300, 100, 56), box("操作", 600, 100, 28)]
    form = [box("姓名：", 20, 40, 40), box("证件号码：", 240, 40, 66)]   # a query bar above
    found = _header(_lines(form + line), ("选择", "序号", "姓名", "证件号码"), 20)
    assert found is not None
    index, columns = found
    assert index == 1
    assert [(c.text, c.header) for c in columns] == [
        ("选择", "选择"), ("序号", "序号"), ("姓名", "姓名"), ("证件号码", "证件号码"), ("操作", None)]
    assert columns[1].x0 == 65 and columns[2].x0 == 130 and columns[2].x1 == 174


def _table(marks, lit=(), names=("张伟", "李娜", "王芳")) -> TableRead:
    from app.extract.fields import Found
    rows = []
    for i, mark in enumerate(marks):
        row = Row([], 100 + 40 * i, 130 + 40 * i, mark=mark)
        row.cells = {"姓名": Found(names[i], (0, 0, 1, 1), 1.0)}
        rows.append(row)
    return TableRead([object()], rows, [], highlighted=list(lit))   # type: ignore[list-item]


@pytest.mark.parametrize("marks,lit,by,rows,words", [
    (["empty", "ticked", "empty"], [], "auto", [1], None),
    (["empty", "ticked", "empty"], [1], "auto", [1], None),
    ([None, None, None], [2], "auto", [2], None),
    (["empty", "empty", "empty"], [2], "auto", [2], None),       # a row clicked, not ticked
    (["empty", "empty", "empty"], [2], "checkbox", [], "No row of the table is ticked"),
    (["ticked", "empty", "ticked"], [], "auto", [], "Rows 1, 3 are ticked"),
    (["ticked", "empty", "empty"], [2], "auto", [], "Row 1 is ticked but row 3 is highlighted"),
    (["empty", "unsure", "empty"], [], "auto", [], "could not be read as ticked or empty"),
    ([None, None, None], [0, 1], "highlight", [], "Rows 1, 2 are highlighted"),
    ([None, None, None], [], "auto", [], "No row of the table is selected"),
    ([None, None, None], [], "checkbox", [], "No check boxes were found"),
    (["empty", "ticked", "empty"], [0], "highlight", [0], None),
])
def test_the_selected_row_is_taken_only_when_it_is_one(marks, lit, by, rows, words):
    chosen, problem = choose_rows(_table(marks, lit), TableSpec(("姓名",), "selected", by))
    assert chosen == rows
    assert (problem is None) if words is None else (words in problem)


def test_a_row_matched_by_a_value_must_be_the_only_one():
    spec = TableSpec(("姓名",), RowMatch("姓名", "applicant_name"))
    table = _table([None] * 3, names=("张伟", "李娜", "张伟"))
    assert choose_rows(table, spec, "李 娜") == ([1], None)          # compared without spaces
    chosen, problem = choose_rows(table, spec, "张伟")
    assert chosen == [] and "Rows 1, 3 of the table all have 姓名 张伟" in problem
    chosen, problem = choose_rows(table, spec, "赵六")
    assert chosen == [] and "No row of the table has 姓名 赵六" in problem
    assert choose_rows(table, TableSpec(("姓名",), "all")) == ([0, 1, 2], None)
    assert choose_rows(table, TableSpec(("姓名",), "first")) == ([0], None)


def test_doubts_are_the_probability_left_to_another_character():
    preds = np.zeros((1, 4, 4), dtype=np.float32)      # blank, a, 赞, 赟
    preds[0, 0] = [0.05, 0.95, 0.0, 0.0]
    preds[0, 1] = [1.0, 0.0, 0.0, 0.0]
    preds[0, 2] = [0.0, 0.0, 0.62, 0.38]
    preds[0, 3] = [0.0, 0.0, 0.9, 0.1]
    assert doubts(preds) == [(0.0, pytest.approx(0.38))]


# --------------------------------------------------------------------------- real OCR

pytest.importorskip("rapidocr_onnxruntime", reason="the default OCR engine is not installed")

from app.capture.read import read_rows  # noqa: E402
from app.ocr import open_engine  # noqa: E402
from app.sandbox.ministry_grid import FIELD_COLUMNS, grid_playbook, render_grid  # noqa: E402
from playbooks.loader import load_playbook_text  # noqa: E402

# Each names what it varies; the selected row is not always the first.
SAMPLES = {
    "one row, highlighted": dict(seed=3, rows=1, style="highlight"),
    "third of three ticked, same names, number close to the next column":
        dict(seed=6, rows=3, selected=[2], style="checkbox", checkbox="outline",
             same_names=True, tight=True),
    "middle of three, filled box and highlight, zebra, 125%":
        dict(seed=11, rows=3, selected=[1], style="both", checkbox="filled", zebra=True,
             scale=1.25),
    "second of two, yellow highlight, centred cells, 125%":
        dict(seed=8, rows=2, selected=[1], style="highlight", highlight=(253, 246, 236),
             centred=True, scale=1.25),
    "middle of three, ExtJS blue, centred and close columns":
        dict(seed=10, rows=3, selected=[1], style="highlight", highlight=(193, 221, 241),
             tight=True, centred=True),
    "first of two, no 选择 header text, 125%":
        dict(seed=13, rows=2, selected=[0], style="checkbox", checkbox="filled",
             select_header=False, scale=1.25),
    **{f"seed {s} at {int(100 * sc)}%": dict(seed=s, scale=sc) for s in (20, 21, 22, 23)
       for sc in (1.0, 1.25)},
}


@pytest.fixture(scope="module")
def engine():
    e = open_engine("rapidocr")
    e.load()
    return e


@pytest.fixture(scope="module")
def tally():
    counts = {"fields": 0, "exact": 0}
    yield counts
    # over every sample read above: at least 99% of the values exact
    if counts["fields"] == sum(1 for _ in SAMPLES) * len(FIELD_COLUMNS):
        assert counts["exact"] / counts["fields"] >= 0.99, counts


def playbook(row: str = "selected", selected_by: str = "auto"):
    return load_playbook_text(grid_playbook(row, selected_by), "grid.yaml")


@pytest.mark.parametrize("name", list(SAMPLES))
def test_the_selected_rows_values_and_no_wrong_value_left_ok(engine, tally, name):
    kwargs = dict(SAMPLES[name])
    scale = kwargs.get("scale", 1.0)
    grid = render_grid(**kwargs)
    [result] = read_rows(playbook(), grid.image, engine, scale=scale)
    assert not result.problems
    want = grid.rows[grid.selected[0]]
    fields = result.case.fields
    assert fields["id_number"].source["table"]["row"] == grid.selected[0] + 1
    for field, column in FIELD_COLUMNS.items():
        fv = fields[field]
        tally["fields"] += 1
        tally["exact"] += fv.value == want[column]
        # a value that is not exactly what the grid shows is never left ok
        assert fv.value == want[column] or fv.status not in ("ok", "corrected"), (field, fv)


def test_neighbouring_columns_never_merge_in_any_row(engine):
    """The ID number ends 8 px before the next column's text: OCR reads the two as one
    box, which is cut at the blank strip between them and each part read again."""
    grid = render_grid(30, rows=3, tight=True, style="checkbox", selected=[0])
    results = read_rows(playbook("all"), grid.image, engine)
    assert len(results) == 3
    for result, want in zip(results, grid.rows):
        f = result.case.fields
        assert f["id_number"].value == want["证件号码"], f["id_number"]
        assert f["qualification"].value == want["从业资格类别"], f["qualification"]


@pytest.mark.parametrize("kwargs,by,words", [
    (dict(rows=3, selected=[], style="checkbox"), "auto", "No row of the table is selected"),
    (dict(rows=3, selected=[0, 2], style="checkbox"), "auto", "Rows 1, 3 are ticked"),
    (dict(rows=3, selected=[1, 2], style="highlight"), "highlight", "Rows 2, 3 are highlighted"),
    (dict(rows=2, selected=[], style="highlight"), "highlight", "No row of the table is selected"),
    (dict(rows=3, selected=[1], style="highlight"), "checkbox", "No check boxes were found"),
])
def test_an_ambiguous_selection_is_flagged_and_the_case_kept(engine, kwargs, by, words):
    grid = render_grid(12, **kwargs)
    [result] = read_rows(playbook("selected", by), grid.image, engine)
    assert len(result.problems) == 1 and words in result.problems[0]
    for field in FIELD_COLUMNS:
        fv = result.case.fields[field]
        assert fv.value is None and fv.status == "missing"
        assert fv.source["problems"] == result.problems


def deskhand(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app.cli", *args], capture_output=True,
                          text=True, timeout=180, cwd=ROOT)


def test_row_all_through_the_command_line_writes_a_case_per_row(tmp_path):
    grid = render_grid(40, rows=3, selected=[1], style="checkbox", same_names=True)
    grid.image.save(tmp_path / "grid.png")
    (tmp_path / "all.yaml").write_text(grid_playbook("all"), encoding="utf-8")
    r = deskhand("capture", str(tmp_path / "all.yaml"), "--image", str(tmp_path / "grid.png"),
                 "--offline", "-o", str(tmp_path / "rows") + "/")
    assert r.returncode in (0, 1), r.stderr
    files = sorted((tmp_path / "rows").glob("*.json"))
    assert [f.name[-9:] for f in files] == ["-r01.json", "-r02.json", "-r03.json"]
    for n, (f, want) in enumerate(zip(files, grid.rows), 1):
        case = json.loads(f.read_text(encoding="utf-8"))
        assert case["fields"]["id_number"]["value"] == want["证件号码"]
        assert case["fields"]["issue_date"]["value"] == want["发证日期"]
        assert case["fields"]["id_number"]["source"]["table"] == {
            "row": n, "rows": 3, "chosen_by": "all"}
        assert f"Row {n} of 3:" in r.stdout and str(f) in r.stderr
    assert grid.rows[0]["证件号码"] not in r.stdout                  # masked on screen
    # -o a file name: case-1.json, case-2.json, case-3.json; --json lists the rows
    r = deskhand("capture", str(tmp_path / "all.yaml"), "--image", str(tmp_path / "grid.png"),
                 "--offline", "--json", "-o", str(tmp_path / "case.json"))
    doc = json.loads(r.stdout)
    assert [row["case"] for row in doc["rows"]] == [str(tmp_path / f"case-{n}.json")
                                                    for n in (1, 2, 3)]
    assert doc["exit_code"] == r.returncode
    assert all((tmp_path / f"case-{n}.json").exists() for n in (1, 2, 3))


def test_match_picks_the_row_given_at_capture(tmp_path):
    grid = render_grid(41, rows=3, selected=[0], style="checkbox", same_names=True)
    grid.image.save(tmp_path / "grid.png")
    (tmp_path / "match.yaml").write_text(grid_playbook("match"), encoding="utf-8")
    want = grid.rows[2]
    r = deskhand("capture", str(tmp_path / "match.yaml"), "--image", str(tmp_path / "grid.png"),
                 "--offline", "--match", f"id_number={want['证件号码']}", "-o",
                 str(tmp_path / "c.json"))
    assert r.returncode in (0, 1), r.stderr
    case = json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))
    assert case["fields"]["id_number"]["source"]["table"]["row"] == 3
    assert {k: case["fields"][k]["value"] for k in ("id_number", "phone", "issue_date")} == {
        "id_number": want["证件号码"], "phone": want["联系电话"], "issue_date": want["发证日期"]}
    # without --match: a usage error, nothing read
    r = deskhand("capture", str(tmp_path / "match.yaml"), "--image", str(tmp_path / "grid.png"),
                 "--offline", "-o", str(tmp_path / "d.json"))
    assert r.returncode == 2 and "--match id_number=VALUE" in r.stderr
    assert not (tmp_path / "d.json").exists()
    # a value no row has: the case is kept, the fields missing, the reason said (masked)
    r = deskhand("capture", str(tmp_path / "match.yaml"), "--image", str(tmp_path / "grid.png"),
                 "--offline", "--match", "id_number=350802199001011234", "-o",
                 str(tmp_path / "e.json"))
    assert r.returncode == 1
    assert "No row of the table has 证件号码 3508**********1234" in r.stderr
    case = json.loads((tmp_path / "e.json").read_text(encoding="utf-8"))
    assert all(case["fields"][k]["status"] == "missing" for k in FIELD_COLUMNS)
