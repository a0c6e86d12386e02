"""Batches, pure logic: the sources (cells as a clerk sees them), the ledger (states, one
transaction per change, duplicates set aside), the runner's classification of errors
(business → set aside at once; system → retried, then escalated; a case that may be in
the target → asked first) on a stand-in pipeline, and the report's totals."""
from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest

from app.batch.ledger import Ledger
from app.batch.runner import BatchControl, BatchOptions, run_batch
from app.batch.sources import open_source
from app.batch.source import BatchItem
from app.cases import case_from_values
from app.cli import main
from app.errors import FocusLostError, UsageError
from app.fill.engine import FillOptions
from app.sandbox.batch_cases import (applicant, bad_check_digit, write_batch_playbook,
                                     write_workbook)
from batch_fakes import FakePipeline
from playbooks.loader import load_playbook


def focus_lost() -> FocusLostError:
    return FocusLostError("focus moved", field="applicant_name", step=1, typed=0)


@pytest.fixture()
def pb(tmp_path):
    return load_playbook(write_batch_playbook(tmp_path))


def items_of(source) -> list[BatchItem]:
    return list(source.items())


# -- sources ------------------------------------------------------------------------
def test_xlsx_cells_are_read_as_the_clerk_sees_them(tmp_path, pb):
    from openpyxl import Workbook
    book = Workbook()
    sheet = book.active
    sheet.append(["* 申请人姓名", "出生日期", "公民身份号码", "邮政编码", "住址", "不认识的列"])
    sheet.append(["张三", dt.datetime(1990, 1, 2), 350802199001, 1234, "福建省１号（东）", "x"])
    sheet["D2"].number_format = "000000"
    sheet.append([None, None, None, None, None, None])        # an empty row is skipped
    sheet.append(["李四", "1985-05-06", "35080219850506123X", "364000", "", ""])
    book.save(tmp_path / "c.xlsx")
    got = items_of(open_source(str(tmp_path / "c.xlsx"), pb, None))
    assert [i.origin for i in got] == ["c.xlsx row 2", "c.xlsx row 4"]
    first = {k: v.value for k, v in got[0].case.fields.items() if v.value}
    assert first == {"applicant_name": "张三", "birth_date": "1990-01-02",
                     "id_number": "350802199001", "postcode": "001234",
                     "address": "福建省１号（东）"}
    assert got[1].key == "35080219850506123X"
    # an empty required cell reads missing, so the check sets the case aside
    assert got[1].case.fields["address"].status == "missing"


def test_an_id_number_excel_kept_as_a_number_is_not_trusted(tmp_path, pb):
    """Excel keeps 15 digits of a number: the ID number is wrong in the file itself; the
    case says so (invalid, with why) and the batch sets it aside."""
    rows = [applicant(1)]
    write_workbook(tmp_path / "c.xlsx", rows, id_as_number=True)
    [got] = items_of(open_source(str(tmp_path / "c.xlsx"), pb, None))
    fv = got.case.fields["id_number"]
    assert fv.status == "invalid" and "first 15 digits" in fv.source["problems"][0]


def test_csv_utf8_with_bom_and_gbk_with_a_note(tmp_path, pb):
    rows = "申请人姓名,公民身份号码\n王五,350802199001011234\n"
    (tmp_path / "u.csv").write_bytes(b"\xef\xbb\xbf" + rows.encode("utf-8"))
    (tmp_path / "g.csv").write_bytes(rows.encode("gbk"))
    u = open_source(str(tmp_path / "u.csv"), pb, None)
    g = open_source(str(tmp_path / "g.csv"), pb, None)
    for src in (u, g):
        [item] = items_of(src)
        assert item.case.value("applicant_name") == "王五"
    assert "GBK" in g.describe() and "GBK" not in u.describe()


def test_a_folder_of_case_files(tmp_path, pb):
    folder = tmp_path / "cases"
    folder.mkdir()
    for i in (1, 2):
        (folder / f"{i}.json").write_text(json.dumps(applicant(i), ensure_ascii=False),
                                          encoding="utf-8")
    got = items_of(open_source(str(folder), pb, None))
    assert [i.key for i in got] == [applicant(1)["id_number"], applicant(2)["id_number"]]


@pytest.mark.parametrize("name, words", [
    ("cases.xls", "old Excel file"), ("cases.txt", "--from takes"),
    ("missing.xlsx", "There is no file")])
def test_an_unknown_source_is_a_sentence(tmp_path, pb, name, words):
    if name != "missing.xlsx":
        (tmp_path / name).write_text("x", encoding="utf-8")
    with pytest.raises(UsageError, match=words):
        open_source(str(tmp_path / name), pb, None)


def test_a_header_naming_no_field_is_refused(tmp_path, pb):
    (tmp_path / "c.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(UsageError, match="None of the first 10 rows of c.csv names the fields"):
        items_of(open_source(str(tmp_path / "c.csv"), pb, None))


def test_a_sheet_as_offices_make_them_title_rows_labels_with_breaks_hidden_rows(tmp_path, pb):
    """A title above the header, a date line, labels written over two lines or with a note
    in brackets, a row the clerk filtered out (hidden): the header is found, the labels
    known, the hidden row left out and said."""
    from openpyxl import Workbook
    book = Workbook()
    sheet = book.active
    sheet.append(["厦门市2026年12月受理登记汇总表"])
    sheet.merge_cells("A1:D1")
    sheet.append(["制表日期：2026-12-05"])
    sheet.append([])
    sheet.append(["申请人\n姓名", "公民身份号码（18位）", "出生　日期", "住址"])
    first, second = applicant(1), applicant(2)
    sheet.append([first["applicant_name"], first["id_number"], first["birth_date"], "甲"])
    sheet.append([second["applicant_name"], second["id_number"], second["birth_date"], "乙"])
    sheet.row_dimensions[6].hidden = True
    sheet.append(["合计：2 人"])
    book.save(tmp_path / "c.xlsx")
    source = open_source(str(tmp_path / "c.xlsx"), pb, None)
    got = items_of(source)
    assert [i.origin for i in got] == ["c.xlsx row 5", "c.xlsx row 7"]
    assert got[0].case.value("applicant_name") == first["applicant_name"]
    assert got[0].case.value("id_number") == first["id_number"]
    assert got[0].case.value("birth_date") == first["birth_date"]
    assert got[1].key == ""              # the total line: no key, so the ledger sets it aside
    assert "1 hidden rows left out" in source.describe()
    (tmp_path / "t.csv").write_text("汇总表\n\n* 申请人姓名,公民身份号码\n张三,"
                                    f"{first['id_number']}\n", encoding="utf-8")
    [row] = items_of(open_source(str(tmp_path / "t.csv"), pb, None))
    assert row.origin == "t.csv row 4" and row.case.value("applicant_name") == "张三"


# -- ledger -------------------------------------------------------------------------
def item(key: str, origin: str) -> BatchItem:
    return BatchItem(key, case_from_values({"id_number": key}, None, {}), origin)


def test_ledger_sets_aside_a_duplicate_key_and_a_missing_one(tmp_path):
    path = tmp_path / "b.ledger"
    with Ledger(path) as ledger:
        ledger.ingest([item("A", "row 2"), item("B", "row 3"), item("A", "row 4"),
                       item("", "row 5")], "pb")
        rows = ledger.rows()
        assert [(r.key, r.state) for r in rows] == [
            ("A", "pending"), ("B", "pending"), ("A#3", "set_aside"), ("#4", "set_aside")]
        assert "row 4 holds the same key as row 2" in rows[2].error
        assert Path(rows[0].case_path).is_file()
    # WAL + synchronous FULL, and every change is visible to another connection at once
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with Ledger(path) as ledger:
        ledger.start("A", "pending")
        ledger.mark("A", "filling")
        assert db.execute("SELECT state, attempts FROM cases WHERE key='A'").fetchone() == \
            ("filling", 1)
        ledger.finish("A", "done", outcome="saved", seconds=1.5)
        assert ledger.counts()["done"] == 1
        assert [r.key for r in ledger.open_rows()] == ["B"]


def test_a_file_that_is_not_a_ledger_is_a_sentence(tmp_path):
    bad = tmp_path / "x.ledger"
    bad.write_bytes(b"not sqlite at all" * 100)
    with pytest.raises(UsageError, match="is not a batch ledger"):
        Ledger(bad)


# -- the runner, on a stand-in pipeline (tests/batch_fakes.py) ----------------------
def ledger_with(tmp_path, pb, rows) -> Ledger:
    ledger = Ledger(tmp_path / "b.ledger")
    ledger.ingest([BatchItem(r["id_number"], case_from_values(r, pb.id, {}), f"row {i}")
                   for i, r in enumerate(rows, 2)], pb.id)
    return ledger


OPTIONS = BatchOptions(fill=FillOptions(), backoff_s=0.0)


def test_a_bad_check_digit_is_set_aside_at_once_and_never_typed(tmp_path, pb):
    good, bad = applicant(1), applicant(2)
    bad["id_number"] = bad_check_digit(bad["id_number"])
    ledger = ledger_with(tmp_path, pb, [good, bad])
    fake = FakePipeline()
    result = run_batch(pb, ledger, fake, OPTIONS)
    assert result.counts["done"] == 1 and result.counts["set_aside"] == 1
    row = ledger.row(bad["id_number"])
    assert row.needs_person == ["id_number"] and "check digit" in row.error
    assert row.attempts == 1                       # looked at once, never retried
    assert [c for c in fake.calls if c[1] == bad["id_number"]] == []
    assert result.exit_code == 1
    # the audit log hears the batch's start, each case (its key masked) and its stop
    actions = [(d["action"], d.get("state")) for e, d in fake.audits if e == "batch"]
    assert actions == [("start", None), ("case", "done"), ("case", "set_aside"), ("stop", None)]
    assert bad["id_number"] not in json.dumps(fake.audits, ensure_ascii=False)


def test_a_system_error_is_retried_then_done(tmp_path, pb):
    ledger = ledger_with(tmp_path, pb, [applicant(1)])
    fake = FakePipeline(fail=[focus_lost(), focus_lost()])
    result = run_batch(pb, ledger, fake, OPTIONS)
    row = ledger.rows()[0]
    assert (row.state, row.attempts) == ("done", 3)
    # before each retry the target is asked whether the case is there already
    assert [c[0] for c in fake.calls] == ["fill", "ask", "fill", "ask", "fill", "save"]
    assert result.exit_code == 0


def test_a_system_error_past_the_retries_is_escalated(tmp_path, pb):
    ledger = ledger_with(tmp_path, pb, [applicant(1), applicant(2)])
    fake = FakePipeline(fail=[focus_lost()] * 3)
    result = run_batch(pb, ledger, fake, BatchOptions(fill=FillOptions(), backoff_s=0.0,
                                                      retries=2))
    first, second = ledger.rows()
    assert (first.state, first.attempts, first.outcome) == ("escalated", 3, "system_error")
    assert "focus moved" in first.error
    assert second.state == "done"                  # the batch goes on with the next case
    assert result.exit_code == 1


@pytest.mark.parametrize("was, answer, typed", [
    ("saving", "已受理", False), ("filling", "已受理", False),
    ("saving", "未找到", True), ("filling", "未找到", True)])
def test_a_case_cut_off_is_asked_for_first(tmp_path, pb, was, answer, typed):
    ledger = ledger_with(tmp_path, pb, [applicant(1)])
    key = applicant(1)["id_number"]
    ledger.start(key, "pending")
    ledger.mark(key, was)                          # as a kill -9 leaves it
    fake = FakePipeline(answer=answer)
    run_batch(pb, ledger, fake, OPTIONS)
    row = ledger.row(key)
    assert row.state == "done"
    assert row.outcome == ("saved" if typed else "landed")
    assert ("fill", key) in fake.calls if typed else ("fill", key) not in fake.calls


def test_without_a_landed_check_a_failed_save_is_set_aside_not_saved_again(tmp_path):
    """A save whose confirmation did not come may have taken: with no way to ask the
    target, the case goes to a person instead of being typed and saved a second time."""
    import dataclasses

    from app.errors import DesktopError
    book = write_batch_playbook(tmp_path)
    pb = load_playbook(book)
    pb = dataclasses.replace(pb, batch=dataclasses.replace(pb.batch, landed=None))
    ledger = ledger_with(tmp_path, pb, [applicant(1)])

    class SaveTimesOut(FakePipeline):
        def fill(self, playbook, case, path, options, **kw):
            report = super().fill(playbook, case, path, options, **kw)
            if self.calls[-1][0] == "save":
                raise DesktopError("Waited 10 s for the text '保存成功', but it did not appear.")
            return report
    fake = SaveTimesOut()
    run_batch(pb, ledger, fake, OPTIONS)
    row = ledger.rows()[0]
    assert (row.state, row.outcome) == ("set_aside", "maybe_saved")
    assert "保存成功" in row.error
    assert [c[0] for c in fake.calls] == ["fill", "save"]          # not typed again


def test_stop_leaves_the_ledger_resumable(tmp_path, pb):
    ledger = ledger_with(tmp_path, pb, [applicant(1), applicant(2)])
    control = BatchControl()
    fake = FakePipeline()

    def progress(kind, data):
        if kind == "done":
            control.stop()
    result = run_batch(pb, ledger, fake, OPTIONS, control, progress)
    assert result.stopped and result.counts["done"] == 1 and result.counts["pending"] == 1
    assert run_batch(pb, ledger, fake, OPTIONS).counts["done"] == 2


def test_the_report_totals_are_the_ledgers(tmp_path, pb):
    from openpyxl import load_workbook

    from app.batch.report import write_reports
    bad = applicant(2)
    bad["id_number"] = bad_check_digit(bad["id_number"])
    ledger = ledger_with(tmp_path, pb, [applicant(1), bad, applicant(3)])
    run_batch(pb, ledger, FakePipeline(), OPTIONS)
    xlsx, page = write_reports(tmp_path / "rep", ledger, pb)
    rows = list(load_workbook(xlsx).worksheets[0].iter_rows(values_only=True))[1:]
    assert len(rows) == 3
    assert [r[3] for r in rows].count("done") == ledger.counts()["done"] == 2
    text = page.read_text(encoding="utf-8")
    assert 'data-total="3"' in text and 'data-done="2"' in text and 'data-set-aside="1"' in text
    for r in (applicant(1), bad):       # ID numbers masked in both
        assert r["id_number"] not in text
        assert all(r["id_number"] not in str(cell) for row in rows for cell in row)


# -- the command line (no display needed for these) ----------------------------------
def run_cli(*args: str) -> tuple[int, str, str]:
    import io
    out, err = io.StringIO(), io.StringIO()
    return main(["batch", *args], out, err), out.getvalue(), err.getvalue()


def test_cli_bad_input_is_a_sentence_and_exit_2(tmp_path, pb):
    book = write_batch_playbook(tmp_path)
    code, _out, err = run_cli(str(book), "--from", str(tmp_path / "nope.xlsx"), "--yes",
                              "--ledger", str(tmp_path / "l.ledger"))
    assert code == 2 and "There is no file" in err and "Traceback" not in err
    plain = tmp_path / "plain.yaml"
    plain.write_text((Path(__file__).resolve().parent.parent / "playbooks/library/"
                      "sample-qt-intake.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    code, _out, err = run_cli(str(plain), "--from", "x.xlsx", "--yes")
    assert code == 2 and "no 'batch' section" in err
    code, _out, err = run_cli("--status", str(tmp_path / "none.ledger"))
    assert code == 2 and "There is no ledger" in err


def test_cli_status_counts_a_ledger(tmp_path, pb):
    ledger = ledger_with(tmp_path, pb, [applicant(1), applicant(2)])
    ledger.finish(applicant(1)["id_number"], "done", outcome="saved")
    ledger.close()
    code, out, _err = run_cli("--status", str(tmp_path / "b.ledger"), "--json")
    assert code == 1 and json.loads(out)["counts"]["done"] == 1


# -- the playbook's batch: section ----------------------------------------------------
@pytest.mark.parametrize("section, words", [
    ("batch: {save: [{key: space}]}", "'batch' needs a 'key'"),
    ("batch: {key: id_numbr}", "names the field 'id_numbr', which the playbook does not declare"),
    ("batch: {key: id_number, saved_when: {text: 保存成功}}", "there are no 'save' steps"),
    ("batch: {key: id_number, retries: 11}", "between 0 and 10"),
    ("batch: {key: id_number, save: [{key: spcae}]}", "spcae"),
    ("batch: {key: id_number, landed: {ask: [{key: ctrl+f}], found: 已受理}}", "'not_found'"),
    ("batch: {key: id_number, resume: true}", "resume"),
])
def test_a_wrong_batch_section_is_a_line_numbered_error(section, words):
    from playbooks.errors import PlaybookErrors
    from playbooks.loader import load_playbook_text
    base = (Path(__file__).resolve().parent.parent / "playbooks/library/"
            "sample-qt-intake.yaml").read_text(encoding="utf-8")
    with pytest.raises(PlaybookErrors) as e:
        load_playbook_text(base + "\n" + section + "\n", "pb.yaml")
    text = str(e.value)
    assert words in text and "pb.yaml:" in text, text


def test_a_playbook_without_batch_is_unchanged():
    base = load_playbook(Path(__file__).resolve().parent.parent / "playbooks/library/"
                         "sample-qt-intake.yaml")
    assert base.batch is None


def test_from_grid_needs_a_grid_and_the_desktop(tmp_path, pb):
    from app.batch.grid import GridSource
    with pytest.raises(UsageError, match="reads no grid"):
        open_source("grid", pb, None)                  # a batch playbook without batch.grid
    road = load_playbook(Path(__file__).resolve().parent.parent /
                         "playbooks/library/road-transport/practitioners.yaml")
    assert road.batch is not None and road.batch_grid is not None
    assert road.batch_grid.key == road.batch.key
    with pytest.raises(UsageError, match="needs the desktop"):
        open_source("grid", road, None)
    assert isinstance(open_source("grid", road, FakePipeline(cases_dir=tmp_path)), GridSource)


def test_a_fault_every_case_meets_stops_the_batch_and_the_resume_does_them(tmp_path, pb):
    """The client closed mid-batch: three cases in a row escalated stop it (the others are
    not run into the same fault), those three open again; once the client is back the same
    ledger does all of them."""
    from app.errors import DesktopError
    people = [applicant(n) for n in range(1, 8)]
    ledger = ledger_with(tmp_path, pb, people)
    gone = DesktopError("The window 城市审批系统 is not open.")
    options = BatchOptions(fill=FillOptions(), backoff_s=0.0, retries=1)
    fake = FakePipeline(fail=[gone] * 20)
    result = run_batch(pb, ledger, fake, options)
    rows = ledger.rows()
    assert [r.state for r in rows] == ["failed"] * 3 + ["pending"] * 4
    assert [r.attempts for r in rows[:3]] == [0, 0, 0]      # their retries went on the fault
    assert result.stopped and result.exit_code == 3
    assert "3 cases in a row" in result.halted and "not open" in result.halted
    assert sum(1 for c in fake.calls if c[0] == "fill") == 3 * 2     # none after the stop
    again = run_batch(pb, ledger, FakePipeline(), options)
    assert [r.state for r in ledger.rows()] == ["done"] * 7
    assert again.exit_code == 0 and again.halted is None


def test_escalations_apart_do_not_stop_the_batch(tmp_path, pb):
    ledger = ledger_with(tmp_path, pb, [applicant(n) for n in range(1, 6)])
    options = BatchOptions(fill=FillOptions(), backoff_s=0.0, retries=0)
    # cases 1 and 2 fail (no retries): two escalated in a row, and the batch goes on
    fake = FakePipeline(fail=[focus_lost(), focus_lost()])
    run_batch(pb, ledger, fake, options)
    states = [r.state for r in ledger.rows()]
    assert states[:2] == ["escalated", "escalated"] and "pending" not in states


def test_no_desktop_is_said_once_and_no_case_is_touched(tmp_path, pb):
    from app.errors import DesktopError

    class NoDisplay(FakePipeline):
        def desktop(self):
            raise DesktopError("No X display: DISPLAY is not set.")

    ledger = ledger_with(tmp_path, pb, [applicant(1), applicant(2)])
    fake = NoDisplay()
    result = run_batch(pb, ledger, fake, OPTIONS)
    assert result.exit_code == 3 and "No X display" in result.halted
    assert [r.state for r in ledger.rows()] == ["pending", "pending"] and fake.calls == []
