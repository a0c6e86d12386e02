"""Read a grid (a ministry system's list of records) by its column headers, and find the
row the clerk selected.

    table = read_table(image, boxes, spec, engine)     # spec: playbooks.model.TableSpec
    table.cells(i)["证件号码"]                           # a Found, or None for an empty cell
    chosen, problem = choose_rows(table, spec, match_value="3508…")

The header: the text line holding the most of the playbook's header texts, each equal
after removing spaces and colons (`姓　名` read as 姓 and 名 is joined back; 选择序号 read
as one box is split). Other texts on that line are columns too (unlisted headers), so a
column never runs on under a header the playbook did not name.

Columns: each header text lies inside its column, so the border between two columns lies
between the two header texts; it is put in the middle of the widest strip of pixel
columns there in which no row has ink. That holds whether cells are left-aligned or
centred. A value is only ever read from inside its column's band, so neighbouring columns
cannot merge: a box OCR merged over a border ("350825…2822危险货物运输驾驶员"), or one
that reaches over the next cell's first character, is read again cut at the border
(recognition only, ~40 ms).

Rows: the text lines below the header, one row each, until a gap much wider than a row or a
line with too few cells (a pager, 共 3 条). A line that starts right under the previous one
(a cell that wraps) belongs to that row.

Which row was selected (a check box, a highlight) is read from the pixels of each row's
band: app/extract/selection.py. A free-text value of a row taken is checked for doubt
(`TableRead.doubt`): a rare character OCR reads as a common look-alike is flagged.

Reading only what is needed (`unread`): with boxes from the engine's `detect`, lines are
read from the top until the header, and a row's cells only when the row is taken.
"""
from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from app.extract.cell_view import cell_view, read_cells
from app.extract.doubt import unsure
from app.extract.fields import Found, found_from_boxes
from app.extract.selection import choose_rows, mark_selection
from app.ocr.base import TextBox
from app.ocr.find import normalize

if TYPE_CHECKING:  # pragma: no cover
    from PIL import Image

    from app.ocr.base import OcrEngine
    from playbooks.model import TableSpec

__all__ = ["Column", "Row", "TableRead", "RowValues", "read_table", "table_rows", "cell_key"]

ROW_GAP = 1.8        # the table ends at a gap this many times the first row's pitch
WRAP_GAP = 0.45      # a line this close (text heights) under the last one continues its cells
INK = 40             # grey levels from the background that count as ink (blank columns)
PAGER = re.compile(r"共\s*\d+\s*条|上一页|下一页|首页|末页|尾页|跳至|前往")


def cell_key(text: str) -> str:
    """A header or cell as compared: `normalize` (NFKC, case, spaces, colons, * marks)."""
    return normalize(text)


def _width(c: str) -> float:
    return 1.0 if unicodedata.east_asian_width(c) in ("W", "F") else 0.55


@dataclass(frozen=True)
class Column:
    text: str                  # the header as read
    header: str | None         # the playbook's header text; None for a header it did not list
    x0: int                    # where the header text starts and ends
    x1: int
    left: float = -math.inf    # the column's band (set once the rows are known)
    right: float = math.inf


@dataclass
class Row:
    boxes: list[TextBox]
    top: int                   # the row's band (for its check box and background)
    bottom: int
    cells: dict[str, Found | None] = field(default_factory=dict)   # playbook header -> value
    mark: str | None = None    # check box: "ticked", "empty", "unsure"; None: no box found
    colour: tuple[int, int, int] | None = None

    @property
    def mid(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass
class TableRead:
    columns: list[Column]
    rows: list[Row]
    missing: list[str]                      # headers of the playbook not found in the header
    header_box: tuple[int, int, int, int] | None = None
    highlighted: list[int] = field(default_factory=list)
    plain_colours: list[tuple[int, int, int]] = field(default_factory=list)
    # what `cells` needs to cut merged boxes: the picture, the engine, the text height
    reader: tuple[Any, Any, float] | None = None
    unread: bool = False        # rows not read yet (boxes from `detect`): read when taken
    seen: list[TextBox] = field(default_factory=list)   # what `recognise` read, in order

    def recognise(self, boxes: list[TextBox]) -> list[TextBox]:
        """Boxes from `detect`, read, with what the recogniser doubted (for `doubt`)."""
        image, engine, _h = self.reader   # type: ignore[misc]
        out = []
        for b, line in zip(boxes, engine.recognise(image, boxes)):
            read = TextBox(line.text, line.score, b.x, b.y, b.width, b.height, line.alternatives,
                           line.doubts or None)
            out.append(read)
        self.seen += [b for b in out if b.text]
        return out

    def read_cells(self, boxes: list[TextBox]) -> list[TextBox]:
        """Cells from `detect`, each read alone from its view (app/extract/cell_view.py);
        with an engine that cannot read one line alone, as `recognise` reads them."""
        image, engine, _h = self.reader   # type: ignore[misc]
        if getattr(engine, "read_line", None) is None:
            return self.recognise(boxes)
        read = read_cells(image, engine, boxes)
        out = [r if r is not None else TextBox("", 0.0, b.x, b.y, b.width, b.height)
               for r, b in zip(read, boxes)]
        self.seen += [b for b in out if b.text]
        return out

    @property
    def found(self) -> bool:
        return bool(self.columns)

    def doubt(self, found: Found) -> str | None:
        """Why a free-text value read from a cell is not sure, or None: read again on its
        own, the recogniser gave another character ≥ 5% somewhere (赟 read as 赞: the true
        character is left 7–48%), or read the cell differently. Engines that cannot read
        one line alone are not asked."""
        from app.i18n import _
        from app.ocr.base import Line
        if self.reader is None or getattr(self.reader[1], "read_line", None) is None:
            return None
        image, engine, h = self.reader
        x, y, w, hh = found.box
        if self.unread and found.doubts is not None:    # read alone already, from its view
            line: Line | None = Line(found.value, found.score, found.alternatives, found.doubts)
        else:
            view = cell_view(image, TextBox("", 0.0, x, y, w, hh))
            line = engine.read_line(view[0]) if view is not None else None
        if line is None or "".join(line.text.split()) != "".join(found.value.split()):
            again = line.text if line is not None else ""
            return _("The value was read as {value}, and read again as {again}: compare it "
                     "with the source.", value=found.value, again=again)
        return unsure(line.text, line.doubts, line.alternatives)

    def cells(self, i: int) -> dict[str, Found | None]:
        """Row i's values by the playbook's header texts (None: an empty cell). Made on
        first use: only the rows taken are cut and read again where OCR merged cells."""
        row = self.rows[i]
        if not row.cells and self.reader is not None:
            image, engine, h = self.reader
            by_column = _cells(image, engine, row.boxes, self.columns, h,
                               self.read_cells if self.unread else None)
            for k, c in enumerate(self.columns):
                if c.header is not None:
                    parts = sorted(by_column.get(k, []), key=lambda b: (round(_mid(b) / h), b.x))
                    row.cells[c.header] = found_from_boxes(parts) if parts else None
        return row.cells


# --------------------------------------------------------------------------- lines

def _mid(b: TextBox) -> float:
    return b.y + b.height / 2


def _lines(boxes: list[TextBox]) -> list[list[TextBox]]:
    """Boxes grouped into text lines, top to bottom, each left to right."""
    lines: list[list[TextBox]] = []
    for b in sorted(boxes, key=_mid):
        if lines:
            last = lines[-1]
            centre = sum(_mid(x) for x in last) / len(last)
            if abs(_mid(b) - centre) < 0.5 * min(b.height, min(x.height for x in last)):
                last.append(b)
                continue
        lines.append([b])
    return [sorted(line, key=lambda b: b.x) for line in lines]


def _text_height(boxes: list[TextBox]) -> float:
    heights = sorted(b.height for b in boxes)
    return float(heights[len(heights) // 2]) if heights else 1.0


# --------------------------------------------------------------------------- header

@dataclass(frozen=True)
class _Token:
    text: str                  # normalised
    x0: float
    x1: float
    colon: bool                # written with a colon (a form's label, not a header)


def _tokens(line: list[TextBox], keys: set[str], h: float) -> list[_Token]:
    """The line's boxes, with the pieces of a header OCR read apart joined again (姓 名)."""
    out: list[_Token] = []
    i = 0
    while i < len(line):
        joined = None
        text = cell_key(line[i].text)
        for j in range(i + 1, min(i + 6, len(line)) if text not in keys else 0):
            if line[j].x - line[j - 1].right > 3 * h:
                break
            text += cell_key(line[j].text)
            if text in keys:
                joined = j
        if joined is not None:
            parts = line[i:joined + 1]
            out.append(_Token(cell_key("".join(b.text for b in parts)), parts[0].x,
                              parts[-1].right, False))
            i = joined + 1
            continue
        b = line[i]
        out.append(_Token(cell_key(b.text), b.x, b.right, b.text.rstrip().endswith((":", "："))))
        i += 1
    return out


def _split(token: _Token, keys: set[str]) -> list[_Token]:
    """A token that holds several headers (选择序号) as one token each, placed in proportion
    to its characters' widths; text between known headers stays one unknown header."""
    t = token.text
    if t in keys or not t:
        return [token]
    pieces: list[tuple[int, int]] = []
    p = start = 0
    while p < len(t):
        hit = max((k for k in keys if k and t.startswith(k, p)), key=len, default=None)
        if hit is None:
            p += 1
            continue
        if start < p:
            pieces.append((start, p))
        pieces.append((p, p + len(hit)))
        p = start = p + len(hit)
    if start < len(t):
        pieces.append((start, len(t)))
    if len(pieces) == 1:
        return [token]
    widths = [_width(c) for c in t]
    scale = (token.x1 - token.x0) / (sum(widths) or 1.0)
    out = []
    for a, b in pieces:
        x0 = token.x0 + sum(widths[:a]) * scale
        out.append(_Token(t[a:b], x0, x0 + sum(widths[a:b]) * scale, token.colon))
    return out


def _header(lines: list[list[TextBox]], headers: tuple[str, ...], h: float
            ) -> tuple[int, list[Column]] | None:
    """The header line's index and its columns, left to right."""
    keys = {cell_key(x): x for x in headers}
    best: tuple[tuple, int, list[_Token]] | None = None
    for i, line in enumerate(lines):
        tokens = [piece for t in _tokens(line, set(keys), h) for piece in _split(t, set(keys))]
        known = {t.text for t in tokens if t.text in keys}
        if not known:
            continue
        colons = sum(t.colon for t in tokens if t.text in keys)
        score = (len(known), -colons, len(tokens), -i)
        if best is None or score > best[0]:
            best = (score, i, tokens)
    if best is None or best[0][0] < min(2, len(keys)):
        return None
    _score, index, tokens = best
    columns, seen = [], set()
    for t in sorted(tokens, key=lambda t: t.x0):
        if t.text not in keys and not any(c.isalnum() for c in t.text):
            continue            # a sort arrow, a check box read as □: not a column
        header = keys.get(t.text)
        if header in seen:      # the same header twice on the line: only the first is it
            header = None
        seen.add(header)
        columns.append(Column(t.text, header, round(t.x0), round(t.x1)))
    return index, columns


# --------------------------------------------------------------------------- rows

def _column_at(columns: list[Column], x: float) -> int:
    """The column whose band holds x (bands set), else the last one starting before it."""
    for k, c in enumerate(columns):
        if c.left <= x < c.right:
            return k
    return -1


def _rough_bands(columns: list[Column], h: float) -> list[Column]:
    """Bands from the header texts alone: enough to count a line's cells before the rows,
    and so the real borders, are known. Two columns part halfway between one header's end
    and the next one's start: under left-aligned headers a cell's text starts at its
    header's left, under centred ones it may start well before it (a short name left-
    aligned in a column whose header is centred), and either way its middle lies before
    that half-way line of the next column."""
    out = []
    for k, c in enumerate(columns):
        left = c.x0 - 3 * h if k == 0 else out[-1].right
        right = (c.x1 + columns[k + 1].x0) / 2 if k + 1 < len(columns) else math.inf
        out.append(Column(c.text, c.header, c.x0, c.x1, left, right))
    return out


def _filled(line: list[TextBox], bands: list[Column]) -> int:
    """How many of the playbook's columns hold text on this line."""
    return len({k for b in line for k in [_column_at(bands, b.x + b.width / 2)]
                if k >= 0 and bands[k].header is not None})


def _rows(lines: list[list[TextBox]], header_line: list[TextBox], columns: list[Column],
          h: float, *, unread: bool = False) -> list[list[TextBox]]:
    bands = _rough_bands(columns, h)
    # Lines not read cannot show a pager's words; a pager stands at the right, a row has
    # text under the first or second of the playbook's columns.
    first_two = [k for k, c in enumerate(bands) if c.header is not None][:2]
    listed = sum(c.header is not None for c in columns)
    need = max(1, min(3, math.ceil(listed / 2)))
    header_mid = sum(_mid(b) for b in header_line) / len(header_line)
    header_bottom = max(b.bottom for b in header_line)
    rows: list[list[TextBox]] = []
    pitch = None
    for line in lines:
        line = [b for b in line if b.x + b.width / 2 >= bands[0].left]
        if not line or min(b.y for b in line) < header_bottom - 0.3 * h:
            continue
        mid = sum(_mid(b) for b in line) / len(line)
        if rows:
            last_bottom = max(b.bottom for b in rows[-1])
            if min(b.y for b in line) - last_bottom < WRAP_GAP * h and _filled(line, bands) < need:
                rows[-1].extend(line)       # a cell that wraps onto a second line
                continue
            last_mid = sum(_mid(b) for b in rows[-1]) / len(rows[-1])
            if mid - last_mid > ROW_GAP * (pitch or 0):
                break
        elif mid - header_mid > 4 * max(h, header_bottom - min(b.y for b in header_line)):
            break                           # nothing close under the header: no rows
        if _filled(line, bands) < need or any(PAGER.search(b.text) for b in line) or (
                unread and not any(_column_at(bands, b.x + b.width / 2) in first_two
                                   for b in line)):
            break                           # a pager, a total, a button bar: the table ended
        if pitch is None:
            pitch = max(mid - header_mid, 1.5 * h)
        rows.append(line)
    return rows


def _blank(image: "Image.Image", rows: list[list[TextBox]], x0: int, x1: int, h: float) -> Any:
    """For each pixel column from x0 to x1: True where no row has ink (text, a mark)."""
    import numpy as np
    blank = np.ones(max(0, x1 - x0), dtype=bool)
    for row in rows:
        top = max(0, int(min(b.y for b in row)))
        bottom = min(image.height, int(max(b.bottom for b in row)))
        if bottom - top < 2 or x1 - x0 < 1:
            continue
        gray = _gray(image, (x0, top, x1, bottom))
        blank &= ~(np.abs(gray - np.median(gray)) > INK).any(axis=0)
    return blank


def _borders(image: "Image.Image", columns: list[Column], rows: list[list[TextBox]],
             h: float) -> list[Column]:
    """Each column's band. Every header text lies inside its column, so the border between
    two columns lies between their header texts: at the middle of the widest strip there
    in which no row has ink (the gap between one column's values and the next one's,
    whether cells are left-aligned or centred)."""
    borders = []
    for k in range(1, len(columns)):
        g0, g1 = int(columns[k - 1].x1), int(columns[k].x0)
        if g1 - g0 < 2 or not rows:
            borders.append(float(g1))
            continue
        blank = list(_blank(image, rows, g0, g1, h)) + [False]
        best, run = None, None
        for i, free in enumerate(blank):
            if free and run is None:
                run = i
            elif not free and run is not None:
                if best is None or i - run > best[1] - best[0]:
                    best = (run, i)
                run = None
        borders.append(g0 + (best[0] + best[1]) / 2 if best else float(g1))
    out = []
    for k, c in enumerate(columns):
        left = borders[k - 1] if k else c.x0 - h     # nothing wholly left of the first header
        right = borders[k] if k < len(borders) else math.inf
        out.append(Column(c.text, c.header, c.x0, c.x1, left, right))
    return out


# --------------------------------------------------------------------------- cells

def _gray(image: "Image.Image", box: tuple[int, int, int, int]) -> Any:
    import numpy as np
    x0, y0, x1, y1 = box
    return np.asarray(image.crop((x0, y0, x1, y1)).convert("L"), dtype=np.int16)


def _reread(image: "Image.Image", engine: "OcrEngine | None", b: TextBox, x0: float, x1: float,
            h: float) -> TextBox | None:
    """The part of `b` between x0 and x1, read again on its own; without an engine, the
    characters there in proportion to their widths."""
    left, right = int(round(x0)), int(round(x1))
    if right - left < 2:
        return None
    if engine is not None:
        if getattr(engine, "read_line", None) is not None:
            return read_cells(image, engine, [TextBox("", 0.0, left, b.y, right - left,
                                                      b.height)])[0]
        pad = max(1, int(0.2 * h))
        crop = image.crop((left, max(0, b.y - pad), right, min(image.height, b.bottom + pad)))
        parts = engine.read(crop)
        if not parts:
            return None
        text = "".join(p.text for p in sorted(parts, key=lambda p: p.x))
        return TextBox(text, min(p.score for p in parts), left, b.y, right - left, b.height)
    widths = [_width(c) for c in b.text]
    scale = b.width / (sum(widths) or 1.0)
    at, chars = float(b.x), []
    for c, w in zip(b.text, widths):
        if x0 <= at + w * scale / 2 < x1:
            chars.append(c)
        at += w * scale
    text = "".join(chars).strip()
    return TextBox(text, b.score * 0.9, left, b.y, right - left, b.height) if text else None


def _band_of(b: TextBox, column: Column) -> tuple[int, int]:
    """The pixel columns of `b` inside `column`'s band."""
    left = b.x if column.left == -math.inf else max(b.x, math.ceil(column.left))
    right = b.right if column.right == math.inf else min(b.right, math.floor(column.right))
    return left, right


def _inked(image: "Image.Image", b: TextBox, x0: int, x1: int) -> bool:
    """Whether the part of `b` from x0 to x1 holds ink (against the box's background)."""
    import numpy as np
    part = _gray(image, (x0, b.y, x1, b.bottom))
    return bool(part.size) and bool(
        (np.abs(part - np.median(_gray(image, (b.x, b.y, b.right, b.bottom)))) > INK).any())


def _by_line(spans: list[tuple[TextBox, int, int]], h: float
             ) -> list[list[tuple[TextBox, int, int]]]:
    """Spans of one column grouped by text line (a cell may wrap), top to bottom."""
    lines: list[list[tuple[TextBox, int, int]]] = []
    for span in sorted(spans, key=lambda s: _mid(s[0])):
        if lines and abs(_mid(span[0]) - _mid(lines[-1][0][0])) < 0.5 * h:
            lines[-1].append(span)
        else:
            lines.append([span])
    return lines


def _cells(image: "Image.Image", engine: "OcrEngine | None", row: list[TextBox],
           columns: list[Column], h: float,
           read: "Callable[[list[TextBox]], list[TextBox]] | None" = None
           ) -> dict[int, list[TextBox]]:
    """Column index -> the row's text in it. Only ink inside a column's band is ever read
    as that column's: a box reaching over a border (OCR merged two cells, or a detector's
    box took the next cell's first character) is read again cut at the border, and the
    pieces of one line in one band are read as one crop (a piece of the neighbour's box
    that holds this cell's last digit is not read twice). Only the playbook's columns are
    made. `read` reads boxes not read yet (from `detect`)."""
    spans: dict[int, list[tuple[TextBox, int, int]]] = {}
    for b in row:
        for k, c in enumerate(columns):
            x0, x1 = _band_of(b, c)
            if x1 - x0 < 1 or c.header is None:      # a column no field reads
                continue
            if (x0, x1) != (b.x, b.right) and not _inked(image, b, x0, x1):
                continue        # only the detector's margin, no text of this cell
            spans.setdefault(k, []).append((b, x0, x1))
    out: dict[int, list[TextBox]] = {}
    unread: list[tuple[int, TextBox]] = []
    for k, found in spans.items():
        for line in _by_line(found, h):
            if all(b.text and (x0, x1) == (b.x, b.right) for b, x0, x1 in line):
                out.setdefault(k, []).extend(b for b, _x0, _x1 in line)   # read, and whole
                continue
            x0, x1 = min(s[1] for s in line), max(s[2] for s in line)
            y0, y1 = min(s[0].y for s in line), max(s[0].bottom for s in line)
            if read is not None and not any(b.text for b, _x0, _x1 in line):
                unread.append((k, TextBox("", 0.0, x0, y0, x1 - x0, y1 - y0)))
                continue
            if engine is None:      # no engine to read again: the characters in the band
                parts = [_reread(image, None, b, bx0, bx1, h) for b, bx0, bx1 in line]
            else:
                parts = [_reread(image, engine, TextBox("", 0.0, x0, y0, x1 - x0, y1 - y0),
                                 x0, x1, h)]
            out.setdefault(k, []).extend(p for p in parts if p is not None and p.text.strip())
    if read is not None and unread:
        for (k, _b), got in zip(unread, read([b for _k, b in unread])):
            if got.text.strip():
                out.setdefault(k, []).append(got)
    return out


# --------------------------------------------------------------------------- reading

def read_table(image: "Image.Image", boxes: list[TextBox], spec: "TableSpec",
               engine: "OcrEngine | None" = None, *, unread: bool = False) -> TableRead:
    """The table's columns and rows, each row's cells by the playbook's header texts, and
    what each row shows of a selection. `engine` reads again the parts of a box OCR merged
    over a column border (without one they are split in proportion to their characters).

    `unread`: the boxes are where text is (the engine's `detect`), not read yet. Lines are
    then read from the top until the header, and a row only when it is taken: a grid of
    three rows is read in ~60% of the time, one of ten in ~35%."""
    h = _text_height(boxes)
    lines = _lines(boxes if unread else [b for b in boxes if b.text.strip()])
    table = TableRead([], [], list(spec.header), reader=(image, engine, h), unread=unread)
    if unread:
        _read_to_header(table, lines, spec.header, h)
    found = _header(lines, spec.header, h)
    if found is None:
        return table
    index, columns = found
    header_line = lines[index]
    row_lines = _rows(lines[index + 1:], header_line, columns, h, unread=unread)
    columns = _borders(image, columns, row_lines, h)
    listed = {c.header for c in columns if c.header is not None}
    missing = [x for x in spec.header if x not in listed]
    mids = [sum(_mid(b) for b in r) / len(r) for r in row_lines]
    header_mid = sum(_mid(b) for b in header_line) / len(header_line)
    rows = []
    for i, line in enumerate(row_lines):
        above = mids[i - 1] if i else header_mid
        half = (mids[i + 1] - mids[i]) / 2 if i + 1 < len(mids) else (mids[i] - above) / 2
        if i == 0:
            half = min(half, (mids[0] - header_mid) / 2)
        top = max(round(mids[i] - half * 0.8), min(b.y for b in line) - round(0.4 * h))
        bottom = round(mids[i] + half * 0.8)
        rows.append(Row(line, top, max(bottom, max(b.bottom for b in line))))
    box = (min(b.x for b in header_line), min(b.y for b in header_line),
           max(b.right for b in header_line), max(b.bottom for b in header_line))
    table.columns, table.rows, table.missing, table.header_box = columns, rows, missing, box
    if rows:
        mark_selection(image, table, h)
    return table


def _read_to_header(table: TableRead, lines: list[list[TextBox]], headers: tuple[str, ...],
                    h: float) -> None:
    """Read `lines` in place from the top until one holds every header text, none written
    with a colon (a query form's 姓名： is not the grid's header): first the lines with
    boxes enough to be the header (a title, a query form have fewer), then the rest."""
    keys = {cell_key(x) for x in headers}
    wide = [i for i, line in enumerate(lines) if len(line) >= max(2, 0.6 * len(keys))]
    for i in wide + [i for i in range(len(lines)) if i not in wide]:
        lines[i] = table.recognise(lines[i])
        tokens = [p for t in _tokens(lines[i], keys, h) for p in _split(t, keys)]
        if {t.text for t in tokens} >= keys and not any(t.colon for t in tokens if t.text in keys):
            return


# --------------------------------------------------------------------------- per case

@dataclass
class RowValues:
    """One case's worth of a table: the cells of the row taken, or why no row was."""

    cells: dict[str, Found | None]
    problem: str | None = None                 # no row (or no single row) could be taken
    missing_columns: tuple[str, ...] = ()      # header texts not found in the header
    provenance: dict[str, Any] = field(default_factory=dict)   # row number, rows, how chosen
    table: TableRead | None = None

    def read(self, column: str, pattern: str | None = None, *, free_text: bool = False
             ) -> tuple[Found | None, str | None]:
        """The value in `column` (narrowed by `pattern`) and None; or None and why it is
        not there; or, for free text (no check digit or format to catch a misread), the
        value and why it is not sure."""
        from app.i18n import _
        if self.problem is not None:
            return None, self.problem
        key = cell_key(column)
        if any(cell_key(c) == key for c in self.missing_columns):
            return None, _("The column {column} was not found in the table's header.",
                           column=column)
        found = next((v for k, v in self.cells.items() if cell_key(k) == key), None)
        if found is not None and pattern is not None:
            m = re.search(pattern, found.value)
            if m is None:
                return None, None
            g = 1 if m.groups() else 0
            found = found.part(m.start(g), m.end(g))
        if found is not None and free_text and self.table is not None:
            return found, self.table.doubt(found)
        return found, None


def table_rows(image: "Image.Image", boxes: list[TextBox], spec: "TableSpec",
               engine: "OcrEngine | None" = None, match_value: str | None = None,
               match_shown: str | None = None, *, unread: bool = False) -> list[RowValues]:
    """The rows to make cases of (one for selected, first or match; each for all), or one
    RowValues holding the reason none could be taken. `unread`: see `read_table`."""
    table = read_table(image, boxes, spec, engine, unread=unread)
    chosen, problem = choose_rows(table, spec, match_value, match_shown)
    if problem is not None:
        return [RowValues({}, problem, tuple(table.missing), table=table)]
    how = spec.row if isinstance(spec.row, str) else "match"
    if how == "selected":
        how = "checkbox" if table.rows[chosen[0]].mark == "ticked" else "highlight"
    return [RowValues(table.cells(i), None, tuple(table.missing),
                      {"row": i + 1, "rows": len(table.rows), "chosen_by": how}, table)
            for i in chosen]
