"""Which row of a table the clerk selected, from the pixels of each row's band, and which
rows a playbook's `row` takes (app/extract/table.py reads the table itself).

- check box: a square outline about the text's height in the row's first column (or left
  of the first header); ticked when its inside holds a darker mark (a tick, or a filled
  square), empty when the inside is like the row's background; anything between is
  `unsure`, never a guess. A grid has a box in every row: a square found in some rows only
  makes the others `unsure`.
- highlight: the row's background colour (the commonest in its band) is neither white nor
  a light grey (zebra stripes) nor the grid's own background under the rows (or, when
  nothing is under them, the colour of most rows).

`selected_by: auto` takes a ticked box, else a highlighted row; a ticked row that is not
the highlighted one, two of either, or none, is a problem sentence instead.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app.ocr.base import TextBox

if TYPE_CHECKING:  # pragma: no cover
    from PIL import Image

    from app.extract.table import Row, TableRead
    from playbooks.model import TableSpec

__all__ = ["mark_selection", "choose_rows"]

INK = 40             # grey levels darker than the background that make a mark
TICKED, EMPTY = 0.08, 0.025   # share of a box's inside that is dark: ticked above, empty below
COLOUR_STEP = 12     # a background this far (any channel, 0-255) from another is another colour


def _band(image: "Image.Image", top: int, bottom: int, x0: float, x1: float) -> Any:
    import numpy as np
    box = (max(0, int(x0)), max(0, top), min(image.width, int(x1)), min(image.height, bottom))
    if box[2] - box[0] < 2 or box[3] - box[1] < 2:
        return None
    return np.asarray(image.crop(box).convert("RGB"), dtype=np.int16)


def _commonest(pixels: Any) -> tuple[int, int, int] | None:
    import numpy as np
    if pixels is None or not pixels.size:
        return None
    flat = pixels.reshape(-1, 3).astype(np.int64)
    packed = (flat[:, 0] << 16) | (flat[:, 1] << 8) | flat[:, 2]
    values, counts = np.unique(packed, return_counts=True)
    v = int(values[counts.argmax()])
    return (v >> 16 & 255, v >> 8 & 255, v & 255)


def _near(a: tuple[int, int, int], b: tuple[int, int, int]) -> bool:
    return max(abs(x - y) for x, y in zip(a, b)) < COLOUR_STEP


def _plain(c: tuple[int, int, int]) -> bool:
    """White or a light neutral grey: a row's ordinary (or zebra) background."""
    return min(c) >= 235 and max(c) - min(c) <= 6


def _luma(pixels: Any) -> Any:
    import numpy as np
    return (pixels @ np.array([299, 587, 114])) // 1000


def _mark(image: "Image.Image", row: "Row", x0: float, x1: float, h: float,
          text: list[TextBox]) -> str | None:
    """The state of the check box in this part of the row: a square outline about the
    text's height; None when there is none. Ink is what differs from the row's own
    background (its commonest colour), not from this part's median: left of a grid there
    may be a navigation bar, and a filled box is much of a narrow first column."""
    import cv2
    import numpy as np
    pixels = _band(image, row.top, row.bottom, x0, x1)
    if pixels is None or row.colour is None:
        return None
    luma = _luma(pixels)
    background = float(_luma(np.array(row.colour, dtype=np.int16)))
    ink = (np.abs(luma - background) > 16).astype(np.uint8)
    for b in text:          # words are not boxes (田, 回): only what OCR read as one symbol
        if len(b.text.strip()) > 1 or (not b.text and b.width > 1.5 * b.height):
            ink[max(0, b.y - row.top):max(0, b.bottom - row.top),
                max(0, int(b.x - x0)):max(0, int(b.right - x0))] = 0
    count, _labels, stats, _centroids = cv2.connectedComponentsWithStats(ink, connectivity=8)
    best = None
    for i in range(1, count):
        x, y, w, hh, _area = (int(v) for v in stats[i])
        if not (0.45 * h <= w <= 1.6 * h and 0.45 * h <= hh <= 1.6 * h and 0.8 <= w / hh <= 1.25):
            continue
        edge = np.concatenate([ink[y, x:x + w], ink[y + hh - 1, x:x + w],
                               ink[y:y + hh, x], ink[y:y + hh, x + w - 1]])
        if edge.mean() < 0.75:
            continue
        inset = max(2, round(min(w, hh) * 0.2))
        inside = luma[y + inset:y + hh - inset, x + inset:x + w - inset]
        if inside.size == 0:
            continue
        dark = float((background - inside > INK).mean())
        state = "ticked" if dark >= TICKED else "empty" if dark <= EMPTY else "unsure"
        if best is None or w * hh > best[0]:
            best = (w * hh, state)
    return best[1] if best else None


def mark_selection(image: "Image.Image", table: "TableRead", h: float) -> None:
    """Each row's check box and background colour, and which rows are highlighted."""
    rows, columns = table.rows, table.columns
    x_left = max(0.0, columns[0].x0 - 4 * h)
    x_end = columns[0].right if len(columns) > 1 else columns[0].x1 + 2 * h
    last_x = max([c.x1 for c in columns] + [b.right for r in rows for b in r.boxes])
    for row in rows:
        row.colour = _commonest(_band(image, row.top, row.bottom, x_left, last_x))
        row.mark = _mark(image, row, x_left, x_end, h, row.boxes)
    if any(r.mark is not None for r in rows):
        for row in rows:    # a grid has a box in every row: a square in some only is not read
            row.mark = row.mark or "unsure"
    # the grid's own background: under the last row, where no text is
    last = rows[-1]
    below = (last.bottom + 2, last.bottom + 2 + max(4, (last.bottom - last.top) // 2))
    plain: list[tuple[int, int, int]] = []
    if below[1] <= image.height:
        under = _band(image, below[0], below[1], x_left, last_x)
        colour = _commonest(under)
        if colour is not None:
            plain.append(colour)
    colours = [r.colour for r in rows if r.colour is not None]
    if not plain:           # nothing under the rows to compare with: the most rows' colour
        plain += [c for c in colours if 2 * sum(_near(c, d) for d in colours) > len(colours)]
    table.plain_colours = plain
    table.highlighted = [i for i, r in enumerate(rows) if r.colour is not None
                         and not _plain(r.colour) and not any(_near(r.colour, p) for p in plain)]


def choose_rows(table: "TableRead", spec: "TableSpec", match_value: str | None = None,
                match_shown: str | None = None) -> tuple[list[int], str | None]:
    """The rows to make cases of, or ([], the reason none can be chosen)."""
    from app.extract.table import cell_key
    from app.i18n import _, join
    from playbooks.model import RowMatch
    if not table.found:
        return [], _("The table's header ({headers}) was not found on the source: is the "
                     "list showing, and is the playbook's header written as the screen "
                     "shows it?", headers=join(spec.header))
    if not table.rows:
        return [], _("The table has no rows: search for the record first, then capture.")
    if spec.row == "all":
        return list(range(len(table.rows))), None
    if spec.row == "first":
        return [0], None
    if isinstance(spec.row, RowMatch):
        column = spec.row.column
        shown = match_shown if match_shown is not None else match_value
        if match_value is None:
            return [], _("The playbook picks the row whose {column} is a given value: give it "
                         "with --match {field}=VALUE.", column=column, field=spec.row.field)
        want = cell_key(match_value)
        values = [table.cells(i).get(column) for i in range(len(table.rows))]
        hits = [i for i, v in enumerate(values) if v is not None and cell_key(v.value) == want]
        if not hits:
            return [], _("No row of the table has {column} {value}: check the value, or that "
                         "the record is listed.", column=column, value=shown)
        if len(hits) > 1:
            return [], _("Rows {rows} of the table all have {column} {value}: select the record "
                         "in the system and capture it by its selection.",
                         rows=join(str(i + 1) for i in hits), column=column, value=shown)
        return hits, None
    return _selected(table, spec.selected_by)


def _selected(table: "TableRead", by: str) -> tuple[list[int], str | None]:
    from app.i18n import _, join
    marks = [r.mark for r in table.rows]
    boxes = [i for i, m in enumerate(marks) if m is not None]
    unsure = [i for i, m in enumerate(marks) if m == "unsure"]
    ticked = [i for i, m in enumerate(marks) if m == "ticked"]
    lit = table.highlighted
    numbers = lambda rows: join(str(i + 1) for i in rows)   # noqa: E731
    if by in ("checkbox", "auto") and unsure:
        return [], _("The check box of row {rows} could not be read as ticked or empty: select "
                     "the record again and capture.", rows=numbers(unsure))
    if by in ("checkbox", "auto") and len(ticked) > 1:
        return [], _("Rows {rows} are ticked: tick only the record to take, then capture.",
                     rows=numbers(ticked))
    if by == "auto" and ticked and lit and lit != ticked:
        return [], _("Row {ticked} is ticked but row {lit} is highlighted: select only the "
                     "record to take, then capture.", ticked=numbers(ticked), lit=numbers(lit))
    if by in ("checkbox", "auto") and ticked:
        return ticked, None
    if by == "checkbox":
        if not boxes:
            return [], _("No check boxes were found in the table's rows: is this the right "
                         "list, or does it show its selection by a highlight?")
        return [], _("No row of the table is ticked: tick the record to take, then capture.")
    if len(lit) > 1:
        return [], _("Rows {rows} are highlighted: select only the record to take, then "
                     "capture.", rows=numbers(lit))
    if lit:
        return lit, None
    return [], _("No row of the table is selected: click or tick the record to take, then "
                 "capture.")


