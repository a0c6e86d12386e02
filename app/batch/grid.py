"""A batch from a paged grid (a ministry system's list): every row of every page, once.

    source = GridSource(pipeline, playbook, photos_dir=Path("cases/photos"))
    for item in source.items():      # BatchItem: key (the batch key's value), case, origin
        ...
    source.summary                   # pages, rows read, duplicates, conflicts, how the end was seen

The playbook's source reads a table with `row: all`; its `batch.grid` section
(playbooks/batch_grid.py) says how to show the next page, where the pager is and which
column holds the photo. Pages are read first, all of them, then merged:

- the end: the pager reads n/N with n = N (第 3/3 页); or the page turned to reads the same
  as the one before (no pager read, or a pager that does not say); or the next-page button
  (`press`) is greyed out in the tree; or max_pages;
- a page showing n ≠ 1 at the start is refused (a sentence: go to the first page), so no
  page before it is skipped unseen;
- a record shown twice (a list re-sorted between two views) is taken once: by the batch key
  (the ID number); shown twice with different values, it is taken once with the values that
  differ marked invalid and both readings named, so the batch sets it aside for a person;
- each row's values are checked as a case's (the ID number's check digit) by the capture;
- the photo: the thumbnail in the row's photo column, cut to its picture, kept as a PNG
  named by its SHA-256 (never by the person's number) in `photos_dir`; its path is the
  photo field's value.
"""
from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

from app.batch.source import BatchItem
from app.cases import Case, FieldValue
from app.errors import CaptureError, UsageError
from app.files import write_bytes_atomically
from app.i18n import _, join
from app.privacy import SENSITIVE_TYPES, mask

if TYPE_CHECKING:  # pragma: no cover
    from PIL import Image

    from app.capture.read import CaptureResult
    from app.desktop.base import WindowInfo
    from app.pipeline import Pipeline
    from playbooks.batch_grid import GridSpec
    from playbooks.model import Playbook

__all__ = ["GridRow", "PageRead", "GridSummary", "GridSource", "pager_numbers", "end_of_pages",
           "missed_rows", "stated_total",
           "merge_rows", "cut_photo", "grid_source"]

Progress = Callable[[str, dict], None]
PHOTO_INK = 30        # grey levels from the cell's background that are the photo


@dataclass
class GridRow:
    page: int                       # 1-based, in the order the pages were shown
    row: int                        # 1-based on its page
    case: Case
    result: "CaptureResult | None" = None

    @property
    def origin(self) -> str:
        return _("grid page {page} row {row}", page=self.page, row=self.row)


@dataclass
class PageRead:
    number: int                     # 1-based, in the order shown
    rows: list[GridRow]
    pager: tuple[int, int] | None = None    # (this page, pages) as the pager reads
    total: int | None = None        # the rows the grid says it lists (共 24 条), if it says


@dataclass
class GridSummary:
    pages: int = 0
    rows_read: int = 0
    distinct: int = 0
    duplicates: int = 0             # rows shown again with the same values (dropped)
    conflicts: list[str] = field(default_factory=list)   # keys (masked) shown with other values
    ended_by: str = ""              # pager | same page | next disabled | max_pages
    seconds: float = 0.0


# --------------------------------------------------------------------------- pure logic

def pager_numbers(text: str, pattern: str) -> tuple[int, int] | None:
    """(this page, pages) from the pager's text (spaces ignored), or None."""
    m = re.search(pattern, text) or re.search(pattern, "".join(text.split()))
    if m is None:
        return None
    try:
        n, total = int(m.group(1)), int(m.group(2))
    except (IndexError, ValueError):
        return None
    return (n, total) if 1 <= n <= total else None


TOTAL = re.compile(r"共\s*(\d+)\s*条")


def stated_total(text: str) -> int | None:
    """The number of records a grid says it lists (共 24 条), or None."""
    m = TOTAL.search(text) or TOTAL.search("".join(text.split()))
    return int(m.group(1)) if m else None


def missed_rows(pages: list[PageRead]) -> str | None:
    """Why the pages read must have missed rows, or None. A reading that stopped early on a
    page would skip records without a word, so: every page but the last holds as many rows
    as the fullest of them, and the rows read reach the total the grid states."""
    if not pages:
        return None
    full = max(len(p.rows) for p in pages[:-1]) if len(pages) > 1 else 0
    for p in pages[:-1]:
        if len(p.rows) < full:
            return _("Only {rows} rows were read on page {page} of the grid, where another page "
                     "had {full}: the reading missed rows, so nothing was taken. Check the "
                     "playbook's table (its header and columns) against the window.",
                     rows=len(p.rows), page=p.number, full=full)
    stated = [p.total for p in pages if p.total is not None]
    read = sum(len(p.rows) for p in pages)
    if stated and read < stated[-1]:       # more: a record shown twice (a re-sort)
        return _("The grid says it lists {total} records, but {read} rows were read on {pages} "
                 "pages: the reading missed rows, so nothing was taken. Check the playbook's "
                 "table (its header and columns) against the window.",
                 total=stated[-1], read=read, pages=len(pages))
    return None


def _signature(page: PageRead) -> tuple:
    return tuple(tuple(sorted((k, v.value) for k, v in r.case.fields.items()))
                 for r in page.rows)


def end_of_pages(page: PageRead, previous: PageRead | None) -> str | None:
    """Why `page` is the last (after which no page is turned), or None. `same page`:
    it reads as the one before (the turn changed nothing): it is not taken again."""
    if previous is not None and _signature(page) == _signature(previous):
        return "same page"
    if page.pager is not None:
        n, total = page.pager
        if previous is not None and previous.pager is not None and previous.pager[0] == n:
            return "same page"
        if n >= total:
            return "pager"
    return None


def _key_of(row: GridRow, key: str) -> str:
    value = row.case.value(key)
    # a row whose key was not read keeps its place as its identity: never merged with another
    return value if value else f"#{row.page}.{row.row}"


def _shown(value: str | None, ftype: str, sensitive: bool) -> str:
    if value is None:
        return _("nothing")
    return mask(value, ftype) if sensitive or ftype in SENSITIVE_TYPES else value


def merge_rows(pages: list[PageRead], key: str, playbook: "Playbook | None" = None,
               summary: GridSummary | None = None) -> list[BatchItem]:
    """One item per distinct key, in the order first shown. A repeat with the same values
    is dropped; one with other values marks each differing field of the first invalid,
    naming both readings and where they were (masked when sensitive)."""
    summary = summary if summary is not None else GridSummary()
    first: dict[str, GridRow] = {}
    order: list[str] = []
    photo = playbook.batch_grid.photo_field if playbook is not None and \
        playbook.batch_grid is not None else None
    for page in pages:
        for row in page.rows:
            summary.rows_read += 1
            k = _key_of(row, key)
            if k not in first:
                first[k] = row
                order.append(k)
                continue
            kept = first[k]
            differ = [n for n, fv in row.case.fields.items()
                      if n != photo and n in kept.case.fields
                      and fv.value != kept.case.fields[n].value]
            if not differ:
                summary.duplicates += 1
                kept.case.fields[key].source.setdefault("also_shown", []).append(row.origin)
                continue
            for name in differ:
                spec = _field(playbook, name)
                ftype = spec.type if spec is not None else "text"
                sensitive = bool(spec is not None and spec.sensitive)
                fv = kept.case.fields[name]
                problem = _("This record is shown twice in the grid with different values: "
                            "{first} at {where_first}, {second} at {where_second}; compare "
                            "them in the system and give the right one.",
                            first=_shown(fv.value, ftype, sensitive), where_first=kept.origin,
                            second=_shown(row.case.fields[name].value, ftype, sensitive),
                            where_second=row.origin)
                fv.status = "invalid"
                fv.source.setdefault("problems", []).append(problem)
            spec = _field(playbook, key)
            summary.conflicts.append(_shown(k, spec.type if spec else "text",
                                            bool(spec and spec.sensitive)))
    summary.distinct = len(order)
    return [BatchItem(k, first[k].case, first[k].origin) for k in order]


def _field(playbook: "Playbook | None", name: str):
    if playbook is None:
        return None
    try:
        return playbook.field_spec(name)
    except KeyError:
        return None


def cut_photo(image: "Image.Image", box: tuple[int, int, int, int],
              background: tuple[int, int, int] | None = None) -> "Image.Image | None":
    """The picture inside `box` (l, t, r, b), cut to where it differs from the row's
    `background` (default: the commonest colour of the box's border); None if blank."""
    import numpy as np
    l, t, r, b = (int(v) for v in box)
    cell = np.asarray(image.crop((l, t, r, b)).convert("RGB"), dtype=np.int16)
    if cell.size == 0:
        return None
    if background is None:
        border = np.concatenate([cell[0], cell[-1], cell[:, 0], cell[:, -1]])
        values, counts = np.unique(border.reshape(-1, 3), axis=0, return_counts=True)
        background = tuple(values[counts.argmax()])
    ink = np.abs(cell - np.array(background, dtype=np.int16)).max(axis=2) > PHOTO_INK
    # the photo is the largest patch: the grid's rules (lines one pixel wide) and a
    # neighbour's highlight are patches of their own, apart from it by the cell's padding
    import cv2
    count, _labels, stats, _c = cv2.connectedComponentsWithStats(ink.astype(np.uint8), 8)
    if count < 2:
        return None
    best = 1 + int(stats[1:, cv2.CC_STAT_AREA].argmax())
    x, y, w, h = (int(v) for v in stats[best][:4])
    if w < 4 or h < 4:
        return None
    return image.crop((l + x, t + y, l + x + w, t + y + h)).convert("RGB")


# --------------------------------------------------------------------------- the window

class GridSource:
    """Every row of the playbook's paged grid, as BatchItems (see the module's doc)."""

    def __init__(self, pipeline: "Pipeline", playbook: "Playbook", *, photos_dir: Path,
                 progress: Progress | None = None) -> None:
        spec = playbook.batch_grid
        if spec is None:
            raise UsageError(_("Playbook {playbook} has no 'batch: grid' section, so it cannot "
                               "take a batch from a grid; give --from a file or folder.",
                               playbook=playbook.id))
        self.pipeline = pipeline
        self.playbook = playbook
        self.spec: "GridSpec" = spec
        self.photos_dir = photos_dir
        self.progress = progress
        self.summary = GridSummary()
        self.pages: list[PageRead] = []

    def describe(self) -> str:
        title = self.playbook.source_spec.window if self.playbook.source_spec else None
        return _("every row of the grid in the window {title}, page by page",
                 title=title or "?")

    def items(self) -> Iterator[BatchItem]:
        t0 = time.perf_counter()
        self.pages = self.read_pages()
        missed = missed_rows(self.pages)
        if missed is not None:
            raise CaptureError(missed)
        items = merge_rows(self.pages, self.spec.key, self.playbook, self.summary)
        self.summary.pages = len(self.pages)
        self.summary.seconds = time.perf_counter() - t0
        yield from items

    # -- reading ------------------------------------------------------------------
    def read_pages(self) -> list[PageRead]:
        from app.capture.sources import find_window
        spec = self.spec
        window = find_window(self.pipeline.desktop(), self.playbook.source_spec.window)
        pages: list[PageRead] = []
        previous: PageRead | None = None
        for number in range(1, spec.max_pages + 1):
            if number > 1 and not self._turn(window):
                self.summary.ended_by = "next disabled"     # the button is greyed out
                return pages
            page = self.read_page(number)
            if number == 1 and page.pager is not None and page.pager[0] != 1:
                raise UsageError(_("The grid shows page {page} of {pages}: go to its first "
                                   "page, then start the batch again (nothing was taken).",
                                   page=page.pager[0], pages=page.pager[1]))
            why = end_of_pages(page, previous)
            if why != "same page":
                pages.append(page)
            if self.progress is not None:
                self.progress("grid_page", {"page": number, "rows": len(page.rows),
                                            "pager": page.pager})
            if why is not None:
                self.summary.ended_by = why
                return pages
            previous = page
        self.summary.ended_by = "max_pages"
        return pages

    def read_page(self, number: int) -> PageRead:
        from app.capture.read import read_rows
        source = self.pipeline.grab_window(self.playbook)
        results = read_rows(self.playbook, source.image, self.pipeline.engine(),
                            scale=source.scale, source=source.provenance)
        if results and results[0].problems:
            if number == 1:
                raise CaptureError(results[0].problems[0])
            return PageRead(number, [], *self._pager(source.image, None))
        rows: list[GridRow] = []
        for i, result in enumerate(results, 1):
            row = GridRow(number, i, result.case, result)
            for fv in row.case.fields.values():
                fv.source["grid"] = {"page": number, "row": i}
            self._keep_photo(source.image, row)
            rows.append(row)
        return PageRead(number, rows, *self._pager(source.image, results[-1] if results else None))

    def _pager(self, image: "Image.Image", last: "CaptureResult | None"
               ) -> tuple[tuple[int, int] | None, int | None]:
        """The pager's numbers and the total it states (共 N 条): read in its region, else
        under the table's last row."""
        region = self.spec.pager_region
        if region is not None:
            box = (region.x, region.y, region.x + region.width, region.y + region.height)
        elif last is not None and last.row is not None and last.row.table is not None \
                and last.row.table.rows:
            box = (0, last.row.table.rows[-1].bottom, image.width, image.height)
        else:
            box = (0, 0, image.width, image.height)
        crop = image.crop(box)
        if crop.width < 8 or crop.height < 8:
            return None, None
        text = " ".join(b.text for b in sorted(self.pipeline.engine().read(crop),
                                               key=lambda b: b.x))
        return pager_numbers(text, self.spec.pager_pattern), stated_total(text)

    def _keep_photo(self, image: "Image.Image", row: GridRow) -> None:
        name = self.spec.photo_field
        if name is None:
            return
        from app.extract.table import cell_key
        result = row.result
        table = result.row.table if result is not None and result.row is not None else None
        why = _("The photo was not found in the grid's {column} column.",
                column=self.spec.photo_column)
        picture = None
        if table is not None and row.row - 1 < len(table.rows):
            band = table.rows[row.row - 1]
            want = cell_key(self.spec.photo_column or "")
            k = next((i for i, c in enumerate(table.columns) if cell_key(c.text) == want), None)
            if k is not None:
                # a picture is no text: the borders found between texts may cut it; it
                # lies between the neighbouring headers' texts
                left = table.columns[k - 1].x1 if k > 0 else 0
                right = table.columns[k + 1].x0 if k + 1 < len(table.columns) else image.width
                # the band of a row is its text's; a photo is taller: from the middle between
                # this row and its neighbours
                top, bottom = _row_span(table.rows, row.row - 1, image.height)
                picture = cut_photo(image, (left, top, right, bottom), band.colour)
        if picture is None:
            row.case.fields[name] = FieldValue(None, "missing", None, {"problems": [why]})
            return
        import io
        data = io.BytesIO()
        picture.save(data, format="PNG")
        digest = hashlib.sha256(picture.tobytes()).hexdigest()
        self.photos_dir.mkdir(parents=True, exist_ok=True)
        path = self.photos_dir / f"photo-{digest[:20]}.png"
        if not path.exists():       # named by its content: a file there already is this one
            write_bytes_atomically(path, data.getvalue())
        row.case.fields[name] = FieldValue(str(path.resolve()), "ok", None, {
            "kind": "photo", "pixels_sha256": digest, "size": list(picture.size)})

    # -- turning ------------------------------------------------------------------
    def _turn(self, window: "WindowInfo") -> bool:
        """Show the next page; False when there is none (its button greyed out)."""
        turn = self.spec.next_page
        desktop = self.pipeline.desktop()
        if not desktop.activate(window, 2.0):
            raise CaptureError(_("The window {title} could not be brought to the front to turn "
                                 "its page.", title=window.title))
        if turn.keys:
            for combo in turn.keys:
                desktop.press(combo, window)
        elif turn.click is not None:
            desktop.click(turn.click[0], turn.click[1], window)
        elif turn.press is not None and not self._press(window, turn.press):
            return False
        time.sleep(self.spec.settle_s)
        return True

    def _press(self, window: "WindowInfo", label: str) -> bool:
        """Press the button named `label` in the window's tree; False if it is greyed out."""
        from app.a11y.base import find_field
        backend = self.pipeline.accessibility()
        try:
            button = find_field(backend.fields(window, refresh=True), label, "button")
            if button is None:
                raise CaptureError(_("The button {label} was not found in the window {title}: "
                                     "the grid's next page cannot be shown.", label=label,
                                     title=window.title))
            if not button.enabled:
                return False
            backend.press(window, button)
            return True
        finally:
            backend.close()


def _row_span(rows: list, i: int, height: int) -> tuple[int, int]:
    """Row i's full height: from half-way to the row above (or its text band's top) to
    half-way to the row below."""
    row = rows[i]
    half = ((rows[i + 1].mid - row.mid) / 2 if i + 1 < len(rows)
            else (row.mid - rows[i - 1].mid) / 2 if i > 0 else (row.bottom - row.top))
    return max(0, int(row.mid - half)), min(height, int(row.mid + half))


def grid_source(playbook: "Playbook", pipeline: "Pipeline", photos_dir: Path | None = None,
                progress: Progress | None = None) -> GridSource:
    """`deskhand batch PLAYBOOK --from grid` (one entry in app/batch/sources.py's
    dispatch): the playbook's grid, photos kept under the cases folder unless given."""
    return GridSource(pipeline, playbook, photos_dir=photos_dir or pipeline.cases_dir / "photos",
                      progress=progress)


def describe_conflicts(summary: GridSummary) -> str | None:
    """One sentence for the report when records were shown twice with other values."""
    if not summary.conflicts:
        return None
    return _("Shown twice with different values (set aside): {keys}.", keys=join(summary.conflicts))
