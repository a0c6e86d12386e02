"""A ministry system's record grid, with ground truth: column headers, 1–3 rows, one
selected by a ticked check box, a highlight, or both — not always the first row.

    grid = render_grid(seed=3)              # 1280×720 window of 道路运输从业人员管理系统
    grid.truth                              # the selected row's values, by field name
    grid.meta["rows"], grid.meta["selected"], grid.meta["selected_by"]

What makes it hard, on purpose: two rows may hold the same name (different ID numbers);
columns are tight, so a value ends a few pixels before the next column's text starts;
rows are striped, so a highlight must be told from a stripe; the query form above the
grid repeats the labels 姓名 and 证件号码, filled in. The header texts are always
`GRID_HEADER`, the columns' widths and the rows vary. Deterministic by seed.
"""
from __future__ import annotations

import random
from datetime import date, timedelta

from PIL import Image, ImageDraw

from app.sandbox.drawing import Box, font, ibox
from app.sandbox.people import make_person
from app.sandbox.sources import Source

__all__ = ["render_grid", "GRID_HEADER", "GRID_FIELDS", "GRID_SIZE", "GRID_REGION",
           "GRID_TITLE"]

GRID_SIZE = (1280, 720)
GRID_TITLE = "道路运输从业人员管理系统 - 从业资格证查询"
GRID_HEADER = ("选择", "序号", "姓名", "性别", "证件号码", "从业资格类别", "资格证号", "发证日期",
               "状态")
# field name -> header of its column
GRID_FIELDS = {"applicant_name": "姓名", "gender": "性别", "id_number": "证件号码",
               "qualification": "从业资格类别", "certificate_number": "资格证号",
               "issue_date": "发证日期"}
_GRID_X0, _GRID_Y0 = 220, 262
GRID_REGION = (_GRID_X0 - 8, _GRID_Y0 - 8, 1280 - _GRID_X0 - 12, 260)   # x, y, width, height
_QUALIFICATIONS = ("道路旅客运输驾驶员", "道路货物运输驾驶员", "危险货物运输驾驶员",
                   "出租汽车驾驶员", "道路运输经营管理人员", "机动车维修技术人员")
_STATES = ("有效", "有效", "有效", "注销", "暂停")
_HIGHLIGHTS = [(236, 245, 255), (230, 240, 252), (255, 248, 225), (225, 243, 236)]


def _rows(rng: random.Random, n: int, seed: int) -> list[dict[str, str]]:
    rows = []
    base = 400_000 + seed * 13
    for k in range(n):
        p = make_person(base + k)
        issued = date(2012, 1, 1) + timedelta(days=rng.randrange(4300))
        rows.append({"applicant_name": p.name, "gender": p.gender, "id_number": p.id_number,
                     "qualification": rng.choice(_QUALIFICATIONS),
                     "certificate_number": f"{p.area_code[:4]}{rng.randrange(10 ** 7, 10 ** 8)}",
                     "issue_date": issued.isoformat(), "state": rng.choice(_STATES)})
    if n >= 2 and rng.random() < 0.45:           # two people of the same name
        i, j = rng.sample(range(n), 2)
        rows[j]["applicant_name"] = rows[i]["applicant_name"]
    return rows


def render_grid(*, seed: int = 0) -> Source:
    """The query page of a road-transport ministry client with a grid of 1–3 records."""
    rng = random.Random(f"grid:{seed}")
    n = rng.choice((1, 2, 2, 3, 3, 3))
    rows = _rows(rng, n, seed)
    selected = rng.randrange(n)
    selected_by = rng.choice(("checkbox", "highlight", "both"))
    striped = rng.random() < 0.6
    date_style = rng.choice(("{y}-{m:02d}-{d:02d}", "{y}/{m:02d}/{d:02d}", "{y}年{m}月{d}日"))
    px = rng.choice((13, 14, 14))
    f = font("sans", px)
    hf = font("sans_bold", px)
    W, H = GRID_SIZE
    primary = rng.choice(((24, 144, 255), (0, 102, 204), (32, 160, 136)))
    img = Image.new("RGB", (W, H), (240, 242, 245))
    d = ImageDraw.Draw(img)

    # window title bar, menu bar, left navigation, query form, tool bar
    d.rectangle((0, 0, W, 32), fill=(45, 55, 72))
    d.text((12, 16), GRID_TITLE, font=font("sans", 13), fill=(230, 232, 236), anchor="lm")
    d.rectangle((0, 32, W, 72), fill=primary)
    d.text((20, 52), "道路运输从业人员管理系统", font=font("sans_bold", 18), fill=(255, 255, 255),
           anchor="lm")
    d.rectangle((0, 72, 200, H), fill=(48, 65, 86))
    for i, item in enumerate(("首页", "从业人员管理", "资格证查询", "继续教育", "诚信考核", "统计报表")):
        y = 100 + 40 * i
        if i == 2:
            d.rectangle((0, y - 20, 200, y + 20), fill=primary)
        d.text((24, y), item, font=font("sans", 14), fill=(255, 255, 255) if i == 2 else
               (191, 203, 217), anchor="lm")
    d.rectangle((212, 84, W - 12, 200), fill=(255, 255, 255))
    query_name = rows[rng.randrange(n)]["applicant_name"] if rng.random() < 0.6 else ""
    qx = 232
    for label, value, width in (("姓名", query_name, 150), ("证件号码", "", 200),
                                ("从业资格类别", "全部", 170)):
        d.text((qx, 118), label, font=f, fill=(96, 98, 102), anchor="lm")
        qx += d.textlength(label, font=f) + 10
        d.rectangle((qx, 104, qx + width, 132), fill=(255, 255, 255), outline=(220, 223, 230))
        if value:
            d.text((qx + 8, 118), value, font=f, fill=(48, 49, 51), anchor="lm")
        qx += width + 24
    for i, (text, filled) in enumerate((("查询", True), ("重置", False))):
        bx = qx + i * 76
        d.rounded_rectangle((bx, 104, bx + 64, 132), radius=3, fill=primary if filled else
                            (255, 255, 255), outline=primary if filled else (220, 223, 230))
        d.text((bx + 32, 118), text, font=f, fill=(255, 255, 255) if filled else (96, 98, 102),
               anchor="mm")
    for i, text in enumerate(("新增", "修改", "注销", "导出")):
        bx = 232 + i * 80
        d.rounded_rectangle((bx, 152, bx + 68, 182), radius=3, fill=(255, 255, 255),
                            outline=primary)
        d.text((bx + 34, 167), text, font=f, fill=primary, anchor="mm")
    d.rectangle((212, 212, W - 12, H - 12), fill=(255, 255, 255))
    d.text((232, 236), "查询结果", font=font("sans_bold", 15), fill=(31, 35, 41), anchor="lm")

    # columns: each as wide as its widest text plus a small padding (tight on purpose)
    pad = rng.choice((6, 8, 10))
    shown_rows = []
    for r in rows:
        y, m, dd = (int(x) for x in r["issue_date"].split("-"))
        shown_rows.append({"选择": "", "序号": "", "姓名": r["applicant_name"], "性别": r["gender"],
                           "证件号码": r["id_number"], "从业资格类别": r["qualification"],
                           "资格证号": r["certificate_number"],
                           "发证日期": date_style.format(y=y, m=m, d=dd), "状态": r["state"]})
    for k, sr in enumerate(shown_rows):
        sr["序号"] = str(k + 1)
    widths = []
    for h in GRID_HEADER:
        widest = max([d.textlength(h, font=hf)] + [d.textlength(sr[h], font=f) for sr in shown_rows])
        widths.append(int(widest) + 2 * pad + (rng.randrange(0, 30) if h not in ("证件号码",) else 0))
    spare = (W - 12 - 20) - _GRID_X0 - sum(widths)
    widths[5] += max(0, spare // 3)             # what is left goes to a few wide columns
    widths[-1] += max(0, spare - spare // 3)
    xs = [_GRID_X0]
    for w in widths:
        xs.append(xs[-1] + w)
    header_h, row_h = 40, rng.choice((36, 40, 44))
    border = (235, 238, 245)
    d.rectangle((xs[0], _GRID_Y0, xs[-1], _GRID_Y0 + header_h), fill=(245, 247, 250))
    for h, x, w in zip(GRID_HEADER, xs, widths):
        d.text((x + pad, _GRID_Y0 + header_h / 2), h, font=hf, fill=(80, 84, 90), anchor="lm")
    label_boxes: dict[str, Box] = {}
    value_boxes: dict[str, Box] = {}
    highlight = rng.choice(_HIGHLIGHTS)
    stripe = (250, 250, 250)
    cells: list[dict[str, Box]] = []
    for k, sr in enumerate(shown_rows):
        top = _GRID_Y0 + header_h + k * row_h
        mid = top + row_h / 2
        if k == selected and selected_by in ("highlight", "both"):
            d.rectangle((xs[0], top, xs[-1], top + row_h), fill=highlight)
        elif striped and k % 2 == 1:
            d.rectangle((xs[0], top, xs[-1], top + row_h), fill=stripe)
        d.line((xs[0], top, xs[-1], top), fill=border)
        boxes: dict[str, Box] = {}
        for h, x in zip(GRID_HEADER, xs):
            if h == "选择":
                ticked = k == selected and selected_by in ("checkbox", "both")
                cb = (x + pad, mid - 7, x + pad + 14, mid + 7)
                d.rounded_rectangle(cb, radius=2, fill=primary if ticked else (255, 255, 255),
                                    outline=primary if ticked else (200, 204, 210))
                if ticked:
                    d.line((cb[0] + 3, mid, cb[0] + 6, mid + 4, cb[2] - 3, mid - 4),
                           fill=(255, 255, 255), width=2)
                continue
            d.text((x + pad, mid), sr[h], font=f, fill=(48, 49, 51), anchor="lm")
            boxes[h] = ibox(d.textbbox((x + pad, mid), sr[h], font=f, anchor="lm"))
        cells.append(boxes)
    bottom = _GRID_Y0 + header_h + n * row_h
    d.line((xs[0], bottom, xs[-1], bottom), fill=border)
    d.rectangle((xs[0], _GRID_Y0, xs[-1], bottom), outline=border)
    d.text((xs[-1], bottom + 28), f"共 {n} 条　　10条/页　　‹ 1 ›", font=font("sans", 13),
           fill=(96, 98, 102), anchor="rm")
    for name, header in GRID_FIELDS.items():
        i = GRID_HEADER.index(header)
        label_boxes[name] = ibox(d.textbbox((xs[i] + pad, _GRID_Y0 + header_h / 2), header,
                                            font=hf, anchor="lm"))
        value_boxes[name] = cells[selected][header]
    truth = {name: rows[selected][name] for name in GRID_FIELDS}
    return Source(image=img, truth=truth, label_boxes=label_boxes, value_boxes=value_boxes,
                  kind="grid", labels=dict(GRID_FIELDS),
                  shown={name: shown_rows[selected][h] for name, h in GRID_FIELDS.items()},
                  value_lines={k: [b] for k, b in value_boxes.items()},
                  meta={"seed": seed, "rows": [{k: v for k, v in r.items()} for r in rows],
                        "selected": selected, "selected_by": selected_by, "striped": striped,
                        "same_name": len({r["applicant_name"] for r in rows}) < n,
                        "query_name": query_name, "column_x": xs, "pad": pad,
                        "row_boxes": cells})
