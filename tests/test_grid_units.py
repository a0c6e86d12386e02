"""Batches from grids, the pure parts (issue 15): the pager's numbers, the last page, one
item per record (a repeat dropped, a repeat with other values set aside naming both),
the photo cut from its cell, the paging loop, and the playbook's `batch.grid` section."""
from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from app.batch.grid import (GridRow, GridSource, GridSummary, PageRead, cut_photo,
                            end_of_pages, merge_rows, pager_numbers)
from app.cases import Case, FieldValue
from app.errors import PlaybookErrors, UsageError
from playbooks.batch_grid import DEFAULT_PAGER
from playbooks.loader import load_playbook_text

ROOT = Path(__file__).resolve().parent.parent
PLAYBOOK = ROOT / "playbooks" / "library" / "road-transport" / "practitioners.yaml"


def case(id_number: str | None, name: str = "张三", cert: str = "1") -> Case:
    return Case("c", "p", {"id_number": FieldValue(id_number, "ok" if id_number else "missing"),
                           "applicant_name": FieldValue(name, "ok"),
                           "certificate_number": FieldValue(cert, "ok")})


def page(number: int, cases: list[Case], pager: tuple[int, int] | None = None) -> PageRead:
    return PageRead(number, [GridRow(number, i, c) for i, c in enumerate(cases, 1)], pager)


@pytest.mark.parametrize("text, numbers", [
    ("共 24 条 第 2/3 页 上一页 下一页", (2, 3)),
    ("第2 / 3页", (2, 3)),
    ("第 3 / 3 页", (3, 3)),
    ("共 24 条", None),
    ("第 4/3 页", None),         # misread: no page 4 of 3
])
def test_the_pager_reads_this_page_and_the_number_of_pages(text, numbers):
    assert pager_numbers(text, DEFAULT_PAGER) == numbers


def test_the_last_page_is_known_by_its_pager_or_by_reading_as_the_one_before():
    p1 = page(1, [case("1")], (1, 2))
    assert end_of_pages(p1, None) is None
    assert end_of_pages(page(2, [case("2")], (2, 2)), p1) == "pager"
    # no pager read: a page that reads as the one before means the turn changed nothing
    a, b = page(1, [case("1")]), page(2, [case("1")])
    assert end_of_pages(b, a) == "same page"
    assert end_of_pages(page(2, [case("2")]), a) is None
    # a pager that did not move
    assert end_of_pages(page(2, [case("3")], (1, 3)), page(1, [case("2")], (1, 3))) == "same page"


def test_a_record_shown_again_with_the_same_values_is_taken_once():
    summary = GridSummary()
    items = merge_rows([page(1, [case("A"), case("B")]), page(2, [case("C"), case("A")])],
                       "id_number", summary=summary)
    assert [i.key for i in items] == ["A", "B", "C"]
    assert summary.rows_read == 4 and summary.duplicates == 1 and summary.distinct == 3
    assert items[0].case.fields["id_number"].source["also_shown"]
    assert all(f.status == "ok" for i in items for f in i.case.fields.values())


def test_a_record_shown_again_with_other_values_is_marked_for_a_person_naming_both():
    summary = GridSummary()
    items = merge_rows([page(1, [case("A", cert="111")]), page(2, [case("A", cert="999")])],
                       "id_number", summary=summary)
    assert len(items) == 1 and summary.conflicts == ["A"]
    field = items[0].case.fields["certificate_number"]
    assert field.status == "invalid"
    problem = field.source["problems"][-1]
    assert "111" in problem and "999" in problem
    assert items[0].case.fields["applicant_name"].status == "ok"   # the same in both


def test_rows_whose_key_was_not_read_are_never_merged():
    items = merge_rows([page(1, [case(None), case(None)])], "id_number")
    assert len(items) == 2 and items[0].key != items[1].key


def test_the_photo_is_cut_from_its_cell_without_the_grid_lines():
    img = Image.new("RGB", (60, 60), (255, 255, 255))
    d = ImageDraw.Draw(img)
    d.line((0, 0, 59, 0), fill=(160, 160, 160))       # the grid's rules
    d.line((2, 0, 2, 59), fill=(160, 160, 160))
    d.rectangle((52, 5, 58, 55), fill=(200, 220, 250))  # a neighbour's highlight, apart
    photo = Image.new("RGB", (30, 40), (220, 40, 40))
    ImageDraw.Draw(photo).ellipse((8, 8, 22, 26), fill=(240, 200, 170))
    img.paste(photo, (15, 12))
    cut = cut_photo(img, (0, 0, 60, 60), (255, 255, 255))
    assert cut is not None and cut.size == (30, 40) and cut.tobytes() == photo.tobytes()
    assert cut_photo(Image.new("RGB", (40, 40), (255, 255, 255)), (0, 0, 40, 40)) is None


class Paged(GridSource):
    """The paging loop over pages given as data (no window)."""

    def __init__(self, pages: list[PageRead], playbook, max_pages: int | None = None) -> None:
        super().__init__(pipeline=None, playbook=playbook, photos_dir=Path("."))  # type: ignore[arg-type]
        self.shown = pages
        self.turns = 0
        if max_pages is not None:
            from dataclasses import replace
            self.spec = replace(self.spec, max_pages=max_pages)

    def read_page(self, number: int) -> PageRead:
        return self.shown[min(self.turns, len(self.shown) - 1)]

    def _turn(self, window) -> bool:
        self.turns += 1
        return True


@pytest.fixture
def playbook(monkeypatch):
    from app.capture import sources
    monkeypatch.setattr(sources, "find_window", lambda desktop, title: None)
    pb = load_playbook_text(PLAYBOOK.read_text(encoding="utf-8"), str(PLAYBOOK))
    return pb


class NoDesktop:
    def desktop(self):
        return None


def test_the_loop_reads_until_the_pager_says_last_and_takes_no_page_twice(playbook):
    src = Paged([page(1, [case("A")], (1, 3)), page(2, [case("B")], (2, 3)),
                 page(3, [case("C"), case("B")], (3, 3))], playbook)
    src.pipeline = NoDesktop()
    items = list(src.items())
    assert [i.key for i in items] == ["A", "B", "C"] and src.turns == 2
    assert src.summary.ended_by == "pager" and src.summary.pages == 3


def test_without_a_pager_the_loop_stops_at_a_page_that_did_not_change(playbook):
    src = Paged([page(1, [case("A")]), page(2, [case("B")])], playbook)
    src.pipeline = NoDesktop()
    assert [i.key for i in src.items()] == ["A", "B"]
    assert src.summary.ended_by == "same page" and src.summary.pages == 2


def test_the_loop_stops_when_the_next_page_button_is_greyed_out(playbook):
    src = Paged([page(1, [case("A")]), page(2, [case("B")])], playbook)
    src.pipeline = NoDesktop()
    src._turn = lambda window: False     # type: ignore[method-assign]
    assert [i.key for i in src.items()] == ["A"] and src.summary.ended_by == "next disabled"


def test_the_loop_stops_at_max_pages(playbook):
    src = Paged([page(n, [case(str(n))]) for n in range(1, 9)], playbook, max_pages=2)
    src.pipeline = NoDesktop()
    src.read_page = lambda number: page(number, [case(str(number))])   # type: ignore[method-assign]
    assert len(list(src.items())) == 2 and src.summary.ended_by == "max_pages"


def test_a_grid_not_on_its_first_page_is_refused_before_anything_is_taken(playbook):
    src = Paged([page(1, [case("A")], (2, 3))], playbook)
    src.pipeline = NoDesktop()
    with pytest.raises(UsageError, match="2"):
        list(src.items())


# --------------------------------------------------------------------------- the section

def test_the_shipped_playbook_has_its_grid_section():
    pb = load_playbook_text(PLAYBOOK.read_text(encoding="utf-8"), str(PLAYBOOK))
    grid = pb.batch_grid
    assert grid is not None and grid.key == "id_number"
    assert grid.next_page.keys and grid.photo_column == "照片" and grid.photo_field == "photo"


def broken(yaml_grid: str, *, row: str = "all") -> str:
    text = PLAYBOOK.read_text(encoding="utf-8").replace("row: all", f"row: {row}")
    start, end = text.index("batch:"), text.index("fill:")
    return text[:start] + yaml_grid + text[end:]


@pytest.mark.parametrize("section, message", [
    ("batch:\n  key: id_number\n  grid: {pager: {pattern: x}}\n", "next_page"),
    ("batch:\n  key: id_number\n  grid: {next_page: {key: pagedown, press: 下一页}}\n",
     "exactly one"),
    ("batch:\n  key: id_number\n  grid: {next_page: {key: pagedwn}}\n", "pagedwn"),
    ("batch:\n  key: id_number\n  grid: {next_page: {key: pagedown}, pager: {pattern: '第(\\d+)页'}}\n",
     "two groups"),
    ("batch:\n  key: id_number\n  grid: {next_page: {key: pagedown}, photo: {column: 照片, field: picture}}\n",
     "picture"),
    ("batch:\n  key: id_numbr\n  grid: {next_page: {key: pagedown}}\n", "id_numbr"),
    ("batch:\n  grid: {next_page: {key: pagedown}}\n", "key"),
    ("batch:\n  key: id_number\n  grid: {next_page: {key: pagedown}, pages: 3}\n", "pages"),
])
def test_a_broken_grid_section_is_named_with_its_line(section, message):
    with pytest.raises(PlaybookErrors) as e:
        load_playbook_text(broken(section), "pb.yaml")
    text = str(e.value)
    assert message in text and "pb.yaml:" in text


def test_a_grid_batch_needs_a_table_read_row_by_row():
    with pytest.raises(PlaybookErrors) as e:
        load_playbook_text(broken("batch:\n  key: id_number\n  grid: {next_page: {key: pagedown}}\n",
                                  row="first"), "pb.yaml")
    assert "row: all" in str(e.value)


def photo_row(image_with_photo: bool, tmp_path: Path, playbook) -> GridRow:
    """A row of a one-row table (序号 | 照片 | 姓名) read off a picture, its photo kept."""
    from app.capture.read import CaptureResult
    from app.extract.table import Column, Row, RowValues, TableRead
    img = Image.new("RGB", (120, 60), (255, 255, 255))
    if image_with_photo:
        img.paste(Image.new("RGB", (24, 30), (67, 142, 219)), (35, 15))
    table = TableRead([Column("序号", "序号", 2, 20), Column("照片", None, 30, 50),
                       Column("姓名", "姓名", 70, 100)],
                      [Row([], 10, 50, colour=(255, 255, 255))], [])
    c = case("350802199003071036")
    c.fields["photo"] = FieldValue(None, "missing")
    row = GridRow(1, 1, c, CaptureResult(c, row=RowValues({}, table=table)))
    src = GridSource(pipeline=None, playbook=playbook, photos_dir=tmp_path)  # type: ignore[arg-type]
    src._keep_photo(img, row)
    return row


def test_the_photo_file_is_named_by_its_content_never_by_the_person(tmp_path, playbook):
    import hashlib
    field = photo_row(True, tmp_path, playbook).case.fields["photo"]
    assert field.status == "ok" and Path(field.value).is_file()
    assert "350802" not in field.value and Path(field.value).parent == tmp_path
    kept = Image.open(field.value)
    assert kept.size == (24, 30)
    assert field.source["pixels_sha256"] == hashlib.sha256(kept.convert("RGB").tobytes()).hexdigest()


def test_a_row_without_a_photo_keeps_the_field_missing_with_a_sentence(tmp_path, playbook):
    field = photo_row(False, tmp_path, playbook).case.fields["photo"]
    assert field.status == "missing" and field.value is None
    assert "照片" in field.source["problems"][0]


def test_a_reading_that_stopped_early_is_refused_not_passed_on():
    from app.batch.grid import missed_rows, stated_total
    full = [case(f"3508021990010{i:04d}") for i in range(10)]
    assert stated_total("共 24 条  第 1/3 页") == 24 and stated_total("第 1/3 页") is None
    assert stated_total("共24条") == 24
    ok = [page(1, full, (1, 3)), page(2, full, (2, 3)), page(3, full[:4], (3, 3))]
    assert missed_rows(ok) is None
    short = [page(1, full, (1, 3)), page(2, full[:3], (2, 3)), page(3, full[:4], (3, 3))]
    assert "page 2" in missed_rows(short) and "nothing was taken" in missed_rows(short)
    # every page read short alike: only the total the grid states can tell
    alike = [page(1, full[:3], (1, 3)), page(2, full[:3], (2, 3)), page(3, full[:3], (3, 3))]
    assert missed_rows(alike) is None
    alike[0].total = 24
    assert "24 records" in missed_rows(alike) and "9 rows" in missed_rows(alike)
    ok[0].total = 24                      # 24 read: a record shown twice is no missing one
    assert missed_rows(ok) is None
    ok[0].total = 23
    assert missed_rows(ok) is None
