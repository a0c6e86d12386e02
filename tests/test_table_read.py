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


def test_a_ticked_box_is_told_from_its_rows_background_not_from_a_dark_bar_beside_it():
    """Left of a grid there may be a navigation bar, darker than most of the band a check
    box is looked for in: a filled box is still ticked and an outline still empty."""
    from PIL import Image, ImageDraw

    from app.extract.selection import mark_selection
    from app.extract.table import Column
    image = Image.new("RGB", (400, 80), (255, 255, 255))
    d = ImageDraw.Draw(image)
    d.rectangle((0, 0, 85, 80), fill=(48, 65, 86))                   # the navigation bar
    d.rectangle((100, 13, 114, 27), fill=(24, 144, 255))             # row 1: ticked
    d.line((103, 20, 106, 24, 111, 16), fill=(255, 255, 255), width=2)
    d.rectangle((100, 53, 114, 67), fill=(255, 255, 255), outline=(200, 204, 210))
    columns = [Column("选择", "选择", 100, 130, 80, 140), Column("姓名", "姓名", 150, 180, 140)]
    rows = [Row([box("张伟", 150, 10, 30)], 0, 40), Row([box("李娜", 150, 50, 30)], 40, 80)]
    table = TableRead(columns, rows, [])
    mark_selection(image, table, 20)
    assert [r.mark for r in rows] == ["ticked", "empty"]
    assert choose_rows(table, TableSpec(("选择", "姓名"), "selected", "auto")) == ([0], None)


def test_a_cell_is_read_from_its_own_ink_on_its_background_with_room_around_it():
    from PIL import Image, ImageDraw

    from app.extract.cell_view import MARGIN_X, MARGIN_Y, cell_view
    from app.sandbox.drawing import font
    highlight = (236, 245, 255)
    image = Image.new("RGB", (300, 40), highlight)
    d = ImageDraw.Draw(image)
    d.text((40, 20), "张伟", font=font("sans", 14), fill=(48, 49, 51), anchor="lm")
    d.text((112, 20), "2", font=font("sans", 14), fill=(48, 49, 51), anchor="lm")  # next cell
    view, ink = cell_view(image, TextBox("", 0.0, 30, 8, 80, 24))
    x0, y0, x1, y1 = ink
    assert 38 <= x0 <= 42 and x1 <= 80 and y0 >= 8 and y1 <= 32     # the name, not the 2
    h = y1 - y0
    assert view.size == (x1 - x0 + 2 + 2 * round(MARGIN_X * h),
                         y1 - y0 + 2 + 2 * max(1, round(MARGIN_Y * h)))
    assert view.getpixel((0, 0)) == highlight and view.getpixel((view.width - 1, 0)) == highlight
    assert cell_view(image, TextBox("", 0.0, 200, 8, 60, 24)) is None     # an empty cell
    # cut to its ink already (a value read again), the cell gives the same view
    again, ink_again = cell_view(image, TextBox("", 0.0, x0, y0, x1 - x0, y1 - y0))
    assert ink_again == ink and again.size[1] == view.size[1]


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
    box, which is cut at the column border (in the blank strip between them) and each
    part read on its own."""
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


# --------------------------------------------------------------------------- the corpus's grids

from app.sandbox.corpus import sample, seen_by_ocr  # noqa: E402
from playbooks.loader import load_playbook  # noqa: E402

UNSEEN_TABLE = ROOT / "tests" / "fixtures" / "playbooks" / "unseen" / "table.yaml"
# Grids of the unseen-style corpus (app/sandbox/grids.py), each with what made it hard.
CORPUS_GRIDS = {
    4: "first of three ticked, a narrow 选择 column beside the navigation bar",
    27: "one row, ticked, beside the navigation bar",
    8: "third of three, ticked and highlighted",
    21: "an ID number 6 px before 机动车…: the next cell's box reaches over its last digit",
    13: "a certificate number whose last digit lies in the date's box",
}


@pytest.mark.parametrize("i", sorted(CORPUS_GRIDS))
def test_corpus_grids_give_every_value_of_the_selected_row(engine, i):
    src = sample("table", i)
    [result] = read_rows(load_playbook(UNSEEN_TABLE), src.image, engine)
    assert not result.problems, CORPUS_GRIDS[i]
    fields = result.case.fields
    assert fields["id_number"].source["table"]["row"] == src.meta["selected"] + 1
    assert {n: fields[n].value for n in src.truth} == src.truth, CORPUS_GRIDS[i]
    # what OCR read is kept with the capture: the corpus can tell what it saw of each value
    seen = seen_by_ocr(src, result.boxes)
    assert seen and all(seen.values()), seen


def test_same_name_rows_picked_by_the_name_are_flagged_and_the_case_kept(engine):
    src = next(s for s in (sample("table", i) for i in range(30)) if s.meta["same_name"])
    rows = src.meta["rows"]
    name = next(r["applicant_name"] for r in rows
                if sum(x["applicant_name"] == r["applicant_name"] for x in rows) > 1)
    text = UNSEEN_TABLE.read_text(encoding="utf-8").replace(
        "row: selected", "row: {match: {column: 姓名, field: applicant_name}}")
    pb = load_playbook_text(text, "table-by-name.yaml")
    [result] = read_rows(pb, src.image, engine, match={"applicant_name": name})
    assert len(result.problems) == 1 and f"all have 姓名 {name}" in result.problems[0]
    assert all(fv.status == "missing" and fv.value is None for fv in result.case.fields.values())
    # the ID number tells them apart
    want = next(r for r in rows if r["applicant_name"] == name)
    text = text.replace("column: 姓名, field: applicant_name", "column: 证件号码, field: id_number")
    [result] = read_rows(load_playbook_text(text, "table-by-id.yaml"), src.image, engine,
                         match={"id_number": want["id_number"]})
    assert not result.problems
    assert result.case.fields["certificate_number"].value == want["certificate_number"]


def test_cells_read_together_read_as_each_alone(engine):
    """`read_lines` shares the cells out over the recogniser's threads: the same text and
    doubts as reading each alone (nothing is padded to its neighbour's width)."""
    from app.extract.cell_view import cell_view
    grid = render_grid(6, rows=3, selected=[2], style="checkbox", tight=True)
    views = [cell_view(grid.image, TextBox("", 0.0, x0 - 2, y0 - 3, x1 - x0 + 4, y1 - y0 + 6))[0]
             for cells in grid.cell_boxes for (x0, y0, x1, y1) in cells.values()]
    together = engine.read_lines(views)
    alone = [engine.read_line(v) for v in views]
    assert [(t.text, t.doubts) for t in together] == [(a.text, a.doubts) for a in alone]
    assert [t.text for t in together[:len(grid.cell_boxes[0])]] == list(grid.rows[0].values())
