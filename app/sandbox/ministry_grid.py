"""Synthetic ministry-system grids with ground truth: a window of the road transport
management system (道路运输管理系统) listing practitioners, one row chosen by a ticked
check box or a highlight.

    grid = render_grid(seed=4)                          # 1–3 rows, one selected
    grid = render_grid(seed=4, rows=3, selected=[2], style="highlight", scale=1.25)
    grid.image, grid.rows[2]["证件号码"], grid.selected, grid.header

Variants, all from `seed` unless given: the number of rows (1–3); which row is selected
(not always the first; none or two for the ambiguous cases); two rows of the same name;
a narrow 证件号码 column whose number ends a few pixels before the next column's text;
check boxes drawn as a grey outline with a black tick or as a filled blue square with a
white tick (Element UI); highlights in light blue, yellow or ExtJS blue; zebra rows;
header and cells left-aligned or centred; a query bar above the grid whose labels are
the header texts (姓名：, 证件号码：); a pager below. `scale` draws everything larger
(a 125% display: 1.25).

The same arguments give the same pixels (font files permitting); ~15 ms a grid.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from PIL import Image, ImageDraw

from app.sandbox.people import make_person
from app.sandbox.sources import _font

__all__ = ["Grid", "render_grid", "grid_playbook", "GRID_TITLE", "QUALIFICATIONS", "STYLES",
           "FIELD_COLUMNS"]

Box = tuple[int, int, int, int]
GRID_TITLE = "道路运输管理系统 - 从业人员查询"
QUALIFICATIONS = ("道路旅客运输驾驶员", "道路货物运输驾驶员", "危险货物运输驾驶员",
                  "出租汽车驾驶员", "机动车驾驶培训教练员", "道路货物运输装卸管理人员")
STYLES = ("checkbox", "highlight", "both")
CHECKBOX_KINDS = ("outline", "filled")
HIGHLIGHTS = ((236, 245, 255), (253, 246, 236), (193, 221, 241), (220, 234, 252))
WIDTH = 1100
# (header, logical width); the 证件号码 column is narrowed for the `tight` variant.
COLUMNS = (("选择", 56), ("序号", 56), ("姓名", 104), ("性别", 60), ("证件号码", 200),
           ("从业资格类别", 196), ("发证日期", 120), ("联系电话", 150))


# The playbook's fields and the columns they read, for tests and the benchmark.
FIELD_COLUMNS = {"applicant_name": "姓名", "gender": "性别", "id_number": "证件号码",
                 "qualification": "从业资格类别", "issue_date": "发证日期", "phone": "联系电话"}


def grid_playbook(row: str = "selected", selected_by: str = "auto", *, region: bool = False) -> str:
    """A playbook (YAML) reading these grids: `row` is selected, first, all, or `match`
    (the row whose 证件号码 is given as id_number); `region` reads only the grid's part of
    the window (the header and up to three rows)."""
    row_yaml = "{match: {column: 证件号码, field: id_number}}" if row == "match" else row
    regions = ("\n  size: [1100, 434]\n  regions:\n    - {x: 0, y: 50, width: 1100, height: 230}"
               if region else "")
    return f"""\
deskhand: 1
id: grid-practitioner
name: 从业人员查询 → 受理登记（示例）
source:
  kind: window
  window: "道路运输管理系统*"{regions}
  table:
    header: [序号, 姓名, 性别, 证件号码, 从业资格类别, 发证日期, 联系电话]
    row: {row_yaml}
    selected_by: {selected_by}
target:
  title: "城市审批系统 - 受理登记*"
fields:
  - {{name: applicant_name, label: 姓名}}
  - {{name: gender, type: choice, choices: [男, 女], read: {{column: 性别}}}}
  - {{name: id_number, type: id_number, read: {{column: 证件号码}}}}
  - {{name: qualification, label: 从业资格类别}}
  - {{name: issue_date, type: date, format: "%Y-%m-%d", read: {{column: 发证日期}}}}
  - {{name: phone, type: phone, read: {{column: 联系电话}}}}
fill:
  - type: applicant_name
  - key: tab
  - choose: {{field: gender, options: {{男: [space], 女: [right]}}}}
  - key: tab
  - type: id_number
  - key: tab
  - type: phone
"""


@dataclass
class Grid:
    image: Image.Image
    header: tuple[str, ...]                     # the header texts printed (选择 only if printed)
    rows: list[dict[str, str]]                  # per row: header -> text shown
    selected: list[int]                         # rows shown as selected (0-based)
    style: str                                  # checkbox | highlight | both
    cell_boxes: list[dict[str, Box]] = field(default_factory=list)  # (l, t, r, b) image pixels
    meta: dict[str, Any] = field(default_factory=dict)


def _qualification(rng: random.Random) -> str:
    return rng.choice(QUALIFICATIONS)


def _issue_date(rng: random.Random) -> str:
    return (date(2012, 1, 1) + timedelta(days=rng.randrange(0, 4400))).isoformat()


def render_grid(seed: int = 0, *, rows: int | None = None, selected: list[int] | None = None,
                style: str | None = None, scale: float = 1.0, same_names: bool | None = None,
                tight: bool | None = None, checkbox: str | None = None,
                highlight: tuple[int, int, int] | None = None, zebra: bool | None = None,
                centred: bool | None = None, query_bar: bool | None = None,
                select_header: bool | None = None) -> Grid:
    """The grid window for `seed`; any argument given overrides the seed's choice."""
    rng = random.Random(seed * 7919 + 17)
    n = rows if rows is not None else rng.choice((1, 2, 2, 3, 3, 3))
    style = style or rng.choice(STYLES)
    if style not in STYLES:
        raise ValueError(f"style must be one of {STYLES}, not {style!r}")
    if selected is None:
        # not always the first: the last, or one in the middle, as often as the first
        selected = [rng.randrange(n)] if n > 1 else [0]
    same_names = (n > 1 and rng.random() < 0.4) if same_names is None else same_names
    tight = rng.random() < 0.5 if tight is None else tight
    checkbox = checkbox or rng.choice(CHECKBOX_KINDS)
    highlight = highlight or rng.choice(HIGHLIGHTS)
    zebra = rng.random() < 0.35 if zebra is None else zebra
    centred = rng.random() < 0.3 if centred is None else centred
    query_bar = rng.random() < 0.7 if query_bar is None else query_bar
    select_header = rng.random() < 0.6 if select_header is None else select_header
    has_boxes = style in ("checkbox", "both")

    people = [make_person(seed * 31 + 5 + i) for i in range(n)]
    data = []
    for i, p in enumerate(people):
        data.append({"序号": str(i + 1), "姓名": people[0].name if same_names and i else p.name,
                     "性别": p.gender, "证件号码": p.id_number, "从业资格类别": _qualification(rng),
                     "发证日期": _issue_date(rng), "联系电话": p.phone})

    def S(v: float) -> int:
        return round(v * scale)

    body = _font("sans", 14 * scale)
    bold = _font("sans_bold", 14 * scale)
    columns = [(h, w) for h, w in COLUMNS if has_boxes or h != "选择"]
    if tight:   # the number ends a few pixels before the next column's text
        id_w = body.getlength(people[0].id_number) / scale
        columns = [(h, round(id_w + 8) if h == "证件号码" else w) for h, w in columns]
    pad = 6 if tight else 10
    header_texts = [h for h, _w in columns if h != "选择" or select_header]

    title_h, bar_h, head_h, row_h = 40, 56 if query_bar else 12, 44, 40
    grid_top = title_h + bar_h + 10
    rows_top = grid_top + head_h
    height = rows_top + row_h * n + 120 + 44
    W, H = S(WIDTH), S(height)
    img = Image.new("RGB", (W, H), (255, 255, 255))
    d = ImageDraw.Draw(img)
    text_c, head_c, line_c = (96, 98, 102), (80, 82, 88), (235, 238, 245)

    d.rectangle((0, 0, W, S(title_h)), fill=(31, 78, 121))
    d.text((S(16), S(title_h / 2)), GRID_TITLE, font=_font("sans", 15 * scale), fill=(255, 255, 255),
           anchor="lm")
    if query_bar:
        y = S(title_h + 28)
        x = S(20)
        for label, box_w in (("姓名：", 150), ("证件号码：", 210)):
            d.text((x, y), label, font=body, fill=text_c, anchor="lm")
            x += round(body.getlength(label)) + S(6)
            d.rectangle((x, y - S(15), x + S(box_w), y + S(15)), outline=(220, 223, 230), fill=(255, 255, 255))
            x += S(box_w + 24)
        for label, fill, ink in (("查询", (64, 158, 255), (255, 255, 255)), ("重置", (255, 255, 255), text_c)):
            d.rectangle((x, y - S(16), x + S(64), y + S(16)), fill=fill, outline=(64, 158, 255) if fill != (255, 255, 255) else (220, 223, 230))
            d.text((x + S(32), y), label, font=body, fill=ink, anchor="mm")
            x += S(76)

    left = 16
    xs = []
    for _h, w in columns:
        xs.append(left)
        left += w
    right = min(left, WIDTH - 16)
    d.rectangle((S(16), S(grid_top), S(right), S(rows_top)), fill=(245, 247, 250))
    bg_rows = []
    for i in range(n):
        bg = (250, 250, 250) if zebra and i % 2 else (255, 255, 255)
        if style in ("highlight", "both") and i in selected:
            bg = highlight
        bg_rows.append(bg)
        d.rectangle((S(16), S(rows_top + row_h * i), S(right), S(rows_top + row_h * (i + 1))), fill=bg)
    for y in [grid_top] + [rows_top + row_h * i for i in range(n + 1)]:
        d.line((S(16), S(y), S(right), S(y)), fill=line_c, width=1)

    def cell_text(col: int, y_mid: float, text: str, font) -> Box:
        x0, w = xs[col], columns[col][1]
        if centred:
            cx = S(x0 + w / 2)
            b = d.textbbox((cx, S(y_mid)), text, font=font, anchor="mm")
            d.text((cx, S(y_mid)), text, font=font, fill=text_c if font is body else head_c, anchor="mm")
        else:
            b = d.textbbox((S(x0 + pad), S(y_mid)), text, font=font, anchor="lm")
            d.text((S(x0 + pad), S(y_mid)), text, font=font, fill=text_c if font is body else head_c, anchor="lm")
        return tuple(round(v) for v in b)   # type: ignore[return-value]

    def check_box(col: int, y_mid: float, ticked: bool) -> None:
        size = S(14)
        x0 = S(xs[col] + columns[col][1] / 2) - size // 2 if centred else S(xs[col] + pad)
        y0 = S(y_mid) - size // 2
        box = (x0, y0, x0 + size, y0 + size)
        tick = [(x0 + size * 0.22, y0 + size * 0.52), (x0 + size * 0.42, y0 + size * 0.74),
                (x0 + size * 0.80, y0 + size * 0.28)]
        if checkbox == "filled":
            d.rectangle(box, fill=(64, 158, 255) if ticked else (255, 255, 255),
                        outline=(64, 158, 255) if ticked else (220, 223, 230))
            if ticked:
                d.line(tick, fill=(255, 255, 255), width=max(2, S(2)))
        else:
            d.rectangle(box, fill=(255, 255, 255), outline=(140, 140, 140))
            if ticked:
                d.line(tick, fill=(20, 20, 20), width=max(2, S(2)))

    for col, (h, _w) in enumerate(columns):
        if h == "选择":
            if select_header:
                cell_text(col, grid_top + head_h / 2, h, bold)
            else:
                check_box(col, grid_top + head_h / 2, False)
        else:
            cell_text(col, grid_top + head_h / 2, h, bold)
    cell_boxes = []
    for i, row in enumerate(data):
        y_mid = rows_top + row_h * i + row_h / 2
        boxes = {}
        for col, (h, _w) in enumerate(columns):
            if h == "选择":
                check_box(col, y_mid, style != "highlight" and i in selected)
            else:
                boxes[h] = cell_text(col, y_mid, row[h], body)
        cell_boxes.append(boxes)

    pager_y = S(height - 24)
    d.text((S(WIDTH - 400), pager_y), f"共 {n} 条", font=body, fill=text_c, anchor="lm")
    d.text((S(WIDTH - 320), pager_y), "10条/页", font=body, fill=text_c, anchor="lm")
    d.text((S(WIDTH - 220), pager_y), "上一页  1  下一页", font=body, fill=text_c, anchor="lm")

    shown = [{k: v for k, v in r.items()} for r in data]
    return Grid(img, tuple(header_texts), shown, list(selected), style, cell_boxes,
                {"seed": seed, "scale": scale, "tight": tight, "checkbox": checkbox,
                 "highlight": highlight, "zebra": zebra, "centred": centred,
                 "query_bar": query_bar, "same_names": same_names, "row_colours": bg_rows})
