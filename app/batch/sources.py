"""The file sources of a batch: a spreadsheet (.xlsx), a .csv, or a folder of case files or
source images; and `open_source`, the one dispatch from what `--from` names to a source.

Cells are read as the text a clerk sees: a date as 2024-03-01, an ID number Excel stored
as a number as its digits, a number formatted with leading zeros (000123) with them,
full-width text as it is. The header row holds field names or the playbook's labels.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from app.batch.source import BatchItem, BatchSource
from app.cases import Case, FieldValue, case_from_values, load_case
from app.errors import UsageError
from app.i18n import _, join

if TYPE_CHECKING:  # pragma: no cover
    from app.pipeline import Pipeline
    from playbooks.model import Playbook

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp")


def key_of(case: Case, key_field: str) -> str:
    """The case's identity in the batch: its key field's value, trimmed ('' when none)."""
    return (case.value(key_field) or "").strip().upper()


# A sheet may start with a title (XX市公积金提取申请汇总表), a date line or a blank row
# before its header: the header is the first of these rows that names two known fields.
HEADER_SEARCH = 10


def _label_key(text: str) -> str:
    """A header or label as compared: no spaces or line breaks (full-width ones too), no
    leading '*' (required), no trailing colon."""
    return "".join(text.split()).lstrip("*").rstrip("：:")


def header_names(header: list[str], playbook: "Playbook") -> list[str | None]:
    """Each column's field name (None: a column the playbook does not know, ignored). A
    header may be the field's name or its label (申请人姓名), with or without a '*', with
    or without a note in brackets the label lacks (金额（元）for 金额)."""
    by_label = {_label_key(f.label or f.name): f.name for f in playbook.fields}
    names = {f.name for f in playbook.fields}
    out: list[str | None] = []
    for text in header:
        t = _label_key(text)
        bare = re.sub(r"[（(][^）)]*[）)]$", "", t)
        out.append(t if t in names else by_label.get(t) or by_label.get(bare))
    return out


def find_header(rows: Iterator[list[str]], playbook: "Playbook", where: str
                ) -> tuple[int, list[str | None]]:
    """(the header's 1-based row, each column's field name), looking at the first
    HEADER_SEARCH rows; the rows before it (a title) are passed over."""
    wanted = min(2, len(playbook.fields))
    for n, row in enumerate(rows, 1):
        names = header_names(row, playbook)
        if sum(1 for x in names if x) >= wanted:
            return n, names
        if n >= HEADER_SEARCH:
            break
    known = join([f.label or f.name for f in playbook.fields])
    raise UsageError(_("None of the first {n} rows of {where} names the fields of playbook "
                       "{playbook}; give a header row with field names or labels ({known}).",
                       n=HEADER_SEARCH, where=where, playbook=playbook.id, known=known))


def row_case(values: dict[str, str], playbook: "Playbook", source: dict) -> Case:
    """A case from one row: empty cells are left out (a required field then reads missing)."""
    case = case_from_values({k: v for k, v in values.items() if v != ""}, playbook.id, source)
    for spec in playbook.fields:
        if spec.required and spec.name not in case.fields and spec.derive is None \
                and not spec.secret:
            case.fields[spec.name] = FieldValue(None, "missing", None, dict(source))
    return case


# Excel keeps 15 significant digits of a number: an 18-digit ID number typed without a
# leading apostrophe is already wrong in the file, whatever reads it.
EXACT_DIGITS = 15


def lost_digits(cell) -> bool:
    """A number too long for Excel to have kept exactly."""
    v = cell.value
    return isinstance(v, (int, float)) and not isinstance(v, bool) and abs(v) >= 10 ** EXACT_DIGITS


def cell_text(cell) -> str:  # an openpyxl cell
    """What the cell shows, as text (see the module's docstring)."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return (value.date().isoformat() if value.time() == dt.time() else
                value.isoformat(sep=" ", timespec="minutes"))
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not value.is_integer():
            return repr(value)
        digits = str(int(value))
        fmt = (cell.number_format or "").strip()
        if fmt and set(fmt) == {"0"} and len(fmt) > len(digits):   # 000123: kept as shown
            digits = digits.zfill(len(fmt))
        return digits
    return str(value).strip()


class XlsxSource:
    """The first sheet of a workbook: a header row, then one case per non-empty row."""

    def __init__(self, path: Path, playbook: "Playbook", key_field: str) -> None:
        self.path, self.playbook, self.key_field = path, playbook, key_field
        self.note: str | None = None

    def describe(self) -> str:
        return _("{file} (first sheet)", file=self.path.name) + (
            f" ({self.note})" if self.note else "")

    def items(self) -> Iterator[BatchItem]:
        from openpyxl import load_workbook
        try:
            # not read_only: a read-only sheet does not say which rows are hidden
            book = load_workbook(self.path, data_only=True)
        except Exception as exc:   # openpyxl raises many kinds for a file that is not one
            raise UsageError(_("{file} could not be read as an Excel workbook (.xlsx): {why}.",
                               file=self.path, why=type(exc).__name__)) from None
        try:
            sheet = book.worksheets[0]
            if sheet.max_row == sheet.max_column == 1 and sheet.cell(1, 1).value is None:
                raise UsageError(_("{file} is empty: its first sheet has no header row.",
                                   file=self.path))
            first, names = find_header(([cell_text(c) for c in r] for r in sheet.iter_rows()),
                                       self.playbook, self.path.name)
            hidden = 0
            for n, row in enumerate(sheet.iter_rows(min_row=first + 1), first + 1):
                if sheet.row_dimensions[n].hidden:
                    # filtered out or hidden by the clerk: not what they meant to hand in
                    hidden += any(c.value is not None for c in row)
                    continue
                values = {name: cell_text(c) for name, c in zip(names, row) if name}
                if not any(values.values()):
                    continue
                origin = _("{file} row {row}", file=self.path.name, row=n)
                case = row_case(values, self.playbook,
                                {"kind": "xlsx", "file": str(self.path), "row": n})
                for name, c in zip(names, row):
                    if name and lost_digits(c) and name in case.fields:
                        fv = case.fields[name]
                        fv.status = "invalid"
                        fv.source["problems"] = [_(
                            "Excel stored it as a number and kept only its first {n} digits; "
                            "enter it in the sheet as text (with a leading ') and run again.",
                            n=EXACT_DIGITS)]
                yield BatchItem(key_of(case, self.key_field), case, origin)
            if hidden:
                self.note = _("{n} hidden rows left out", n=hidden)
        finally:
            book.close()


class CsvSource:
    """A .csv in UTF-8 (with or without a BOM); GBK (what Excel saves in Chinese Windows)
    is accepted, and `note` says so."""

    def __init__(self, path: Path, playbook: "Playbook", key_field: str) -> None:
        self.path, self.playbook, self.key_field = path, playbook, key_field
        self.note: str | None = None

    def describe(self) -> str:
        return self.path.name + (f" ({self.note})" if self.note else "")

    def _text(self) -> str:
        data = self.path.read_bytes()
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            pass
        try:
            text = data.decode("gbk")
        except UnicodeDecodeError:
            raise UsageError(_("{file} is neither UTF-8 nor GBK text; save it from Excel as "
                               "\"CSV UTF-8\".", file=self.path)) from None
        self.note = _("read as GBK, not UTF-8")
        return text

    def items(self) -> Iterator[BatchItem]:
        lines = list(csv.reader(io.StringIO(self._text(), newline="")))
        if not lines:
            raise UsageError(_("{file} is empty: it has no header row.", file=self.path))
        first, names = find_header(iter(lines), self.playbook, self.path.name)
        for n, row in enumerate(lines[first:], first + 1):
            values = {name: v.strip() for name, v in zip(names, row) if name}
            if not any(values.values()):
                continue
            origin = _("{file} row {row}", file=self.path.name, row=n)
            case = row_case(values, self.playbook, {"kind": "csv", "file": str(self.path), "row": n})
            yield BatchItem(key_of(case, self.key_field), case, origin)


class FolderSource:
    """Every case file (.json) in a folder, or every source image, each read through
    `Pipeline.capture` (not verified here: the batch verifies each case itself)."""

    def __init__(self, path: Path, playbook: "Playbook", key_field: str,
                 pipeline: "Pipeline | None") -> None:
        self.path, self.playbook, self.key_field = path, playbook, key_field
        self.pipeline = pipeline

    def _files(self) -> list[Path]:
        files = sorted(p for p in self.path.iterdir()
                       if p.is_file() and p.suffix.lower() in (".json", *IMAGE_SUFFIXES))
        if not files:
            raise UsageError(_("The folder {folder} holds no case files (.json) and no source "
                               "images (.png, .jpg).", folder=self.path))
        return files

    def describe(self) -> str:
        return _("folder {folder}", folder=self.path.name)

    def items(self) -> Iterator[BatchItem]:
        for f in self._files():
            if f.suffix.lower() == ".json":
                case = load_case(f, self.playbook.id)
            else:
                if self.pipeline is None:
                    raise UsageError(_("Reading images needs the OCR pipeline."))
                source = self.pipeline.load_image(self.playbook, f)
                # kept in the cases folder as any capture is (the source folder untouched)
                case = self.pipeline.capture(self.playbook, source, verify=False).case
            yield BatchItem(key_of(case, self.key_field), case, f.name)


def open_source(spec: str, playbook: "Playbook", pipeline: "Pipeline | None") -> BatchSource:
    """The source `--from` names: a .xlsx, a .csv or a folder (the key field is the
    playbook's `batch: key`)."""
    if playbook.batch is None:
        raise UsageError(_("Playbook {playbook} has no 'batch' section, so it cannot run a "
                           "batch; add one naming at least its key field (playbooks/README.md, "
                           "\"Batches\").", playbook=playbook.id))
    key = playbook.batch.key
    if spec == "grid":
        return _grid(playbook, pipeline)
    path = Path(spec)
    if path.is_dir():
        return FolderSource(path, playbook, key, pipeline)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".csv") and not path.is_file():
        raise UsageError(_("There is no file {file}.", file=path))
    if suffix == ".xlsx":
        return XlsxSource(path, playbook, key)
    if suffix == ".csv":
        return CsvSource(path, playbook, key)
    if suffix == ".xls":
        raise UsageError(_("{file} is an old Excel file (.xls); save it as .xlsx (Excel "
                           "Workbook) or .csv and try again.", file=path))
    raise UsageError(_("--from takes a .xlsx or .csv file, a folder of case files or "
                       "images, or 'grid', not '{spec}'.", spec=spec))


def _grid(playbook: "Playbook", pipeline: "Pipeline | None") -> BatchSource:
    """`--from grid`: every row of the paged grid the playbook's source window shows."""
    if playbook.batch_grid is None:
        raise UsageError(_("Playbook {playbook} reads no grid: '--from grid' needs a 'grid' in "
                           "its 'batch' section (playbooks/README.md, \"Batches from grids\").",
                           playbook=playbook.id))
    if pipeline is None:
        raise UsageError(_("A batch from a grid reads the source window, which needs the "
                           "desktop; run it from deskhand batch or the tray."))
    from app.batch.grid import grid_source
    return grid_source(playbook, pipeline)
