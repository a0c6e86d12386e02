"""Form pages a reader has not been tuned on, with the truth of what each field holds.

Unlike the portal page of app/sandbox/sources.py (label cell, value cell, one layout),
these are drawn the ways other portals print a person: labels ABOVE values or beside
them, in 3 or 4 columns, 2-character labels spaced out with ideographic spaces
(`姓　　名`), a spouse's name and ID number next to the applicant's (`配偶姓名`,
`配偶身份证号码`, labels that contain the applicant's), another phone whose label
contains 联系电话 (`紧急联系电话`), a value left empty (nothing printed), and a page
scrolled so that its first row is cut off.

    s = render_form(seed=3, layout="above", columns=4)
    s.image, s.truth["id_number"], s.truth["employer"]   # None: not on the page

`truth` holds, for every field of PLAYBOOKS, the value a reader must deliver (after its
check: dates ISO, digits half-width), or None when the page does not show it: then the
field must come out `missing`, never with some other text.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

from PIL import Image, ImageDraw

from app.sandbox.people import make_person
from app.sandbox.sources import _font

FIELDS = ("applicant_name", "gender", "ethnicity", "birth_date", "id_number", "phone",
          "address", "employer")

# One playbook per layout: the same fields, read right of the label or below it.
_PLAYBOOK = """\
deskhand: 1
id: reader-{layout}
name: reader samples ({layout})
source: {{kind: image}}
target: {{title: "城市审批系统*"}}
fields:
  - {{name: applicant_name, label: 姓名, read: {{anchor: 姓名{below}}}}}
  - {{name: gender, label: 性别, type: choice, choices: [男, 女], read: {{anchor: 性别{below}}}}}
  - {{name: ethnicity, label: 民族, read: {{anchor: 民族{below}}}}}
  - {{name: birth_date, label: 出生日期, type: date, read: {{anchor: 出生日期{below}}}}}
  - {{name: id_number, label: 身份证号码, type: id_number, read: {{anchor: 身份证号码{below}}}}}
  - {{name: phone, label: 联系电话, type: phone, read: {{anchor: 联系电话{below}}}}}
  - {{name: address, label: 住址, read: {{anchor: [户籍地址, 住址]{below}}}}}
  - {{name: employer, label: 工作单位, read: {{anchor: 工作单位{below}}}}}
fill:
  - type: applicant_name
"""
PLAYBOOKS = {layout: _PLAYBOOK.format(layout=layout, below=", direction: below" if layout == "above" else "")
             for layout in ("above", "beside")}


@dataclass
class Sample:
    image: Image.Image
    truth: dict[str, str | None]
    layout: str
    meta: dict = field(default_factory=dict)


def _spaced(label: str) -> str:
    """`姓名` → `姓　　名`: 2-character labels padded to the width of 4-character ones."""
    return label[0] + "\u3000\u3000" + label[1] if len(label) == 2 else label


def render_form(seed: int, *, layout: str = "above", columns: int = 4, spaced: bool = False,
                colon: bool = False, empty: str | None = None, scroll_rows: int = 0) -> Sample:
    """A white form page for the person of `seed`. `layout` "above" (labels above values)
    or "beside" (label, then value, on one line); `columns` cells per row; `spaced` pads
    2-character labels with ideographic spaces; `colon` ends labels with ：; `empty` names
    a field whose value is not printed; `scroll_rows` cuts that many rows off the top."""
    rng = random.Random(f"reader:{seed}:{layout}:{columns}")
    p, spouse = make_person(seed), make_person(seed + 7919)
    birth = (p.birth_date.isoformat() if rng.random() < 0.5
             else f"{p.birth_date.year}年{p.birth_date.month}月{p.birth_date.day}日")
    emergency = make_person(seed + 104729).phone
    # (label, value, field): the applicant's fields among labels that contain theirs
    cells: list[tuple[str, str, str | None]] = [
        ("姓名", p.name, "applicant_name"), ("配偶姓名", spouse.name, None),
        ("性别", p.gender, "gender"), ("民族", p.ethnicity, "ethnicity"),
        ("出生日期", birth, "birth_date"), ("婚姻状况", "已婚", None),
        ("身份证号码", p.id_number, "id_number"), ("配偶身份证号码", spouse.id_number, None),
        ("联系电话", p.phone, "phone"), ("紧急联系电话", emergency, None),
        ("工作单位", p.employer, "employer"), ("文化程度", rng.choice(("大专", "本科", "高中")), None),
    ]
    if rng.random() < 0.5:            # the spouse's number first, as the page had it
        i = next(k for k, c in enumerate(cells) if c[2] == "id_number")
        cells[i], cells[i + 1] = cells[i + 1], cells[i]
    address_label = rng.choice(("户籍地址", "住址"))
    truth: dict[str, str | None] = {c[2]: c[1] for c in cells if c[2]}
    truth["birth_date"] = p.birth_date.isoformat()
    truth["address"] = p.address
    if empty is not None:
        truth[empty] = None

    font_px = rng.choice((15, 16))
    lf, vf = _font("sans", font_px - 1), _font("sans", font_px)
    W = 1500 if columns == 4 else 1200
    margin, cell_w = 40, (1500 if columns == 4 else 1200 - 80) // columns - (20 if columns == 4 else 0)
    label_fg, value_fg = (110, 116, 124), (25, 28, 32)

    def label_text(text: str) -> str:
        t = _spaced(text) if spaced else text
        return t + "：" if colon else t

    measure = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    label_w = max(measure.textlength(label_text(c[0]), font=lf) for c in cells) + 12

    def span(label: str, value: str) -> int:
        """Grid cells a label and value take: a value too long for one spans two, as a
        form's designer would give a long field (nothing is drawn over a neighbour)."""
        need = (max(measure.textlength(label_text(label), font=lf), measure.textlength(value, font=vf))
                if layout == "above" else label_w + 8 + measure.textlength(value, font=vf))
        return min(columns, 1 + int((need + 1.5 * font_px) // cell_w))

    rows: list[list[tuple[int, tuple[str, str, str | None]]]] = [[]]
    used = 0
    for c in cells:
        n = span(c[0], c[1])
        if used + n > columns:
            rows.append([])
            used = 0
        rows[-1].append((used, c))
        used += n
    rows.append([(0, (address_label, p.address, "address"))])       # a row of its own
    row_h = (font_px * 2 + 8 + 26) if layout == "above" else (font_px + 26)
    H = margin * 2 + 60 + row_h * len(rows)
    img = Image.new("RGB", (W, H), (255, 255, 255))
    d = ImageDraw.Draw(img)
    d.text((margin, margin), "申请人基本信息", font=_font("sans_bold", 20), fill=(30, 30, 30))
    y = margin + 60
    for row in rows:
        for k, (label, value, name) in row:
            x = margin + k * cell_w
            lt = label_text(label)
            if layout == "above":
                d.text((x, y), lt, font=lf, fill=label_fg)
                at = (x, y + font_px + 8)
            else:
                d.text((x + label_w - d.textlength(lt, font=lf), y), lt, font=lf, fill=label_fg)
                at = (x + label_w + 8, y)
            if name is not None and name == empty:
                continue                                         # nothing printed
            d.text(at, value, font=vf, fill=value_fg)
        y += row_h
    if scroll_rows:
        # scrolled: the title and the first rows are gone; the cut runs between the last
        # gone row's labels and its values (above), or just under its text (beside)
        last = margin + 60 + row_h * (scroll_rows - 1)
        top = last + (font_px + 4 if layout == "above" else row_h - 6)
        img = img.crop((0, top, W, H))
        gone = [c for r in rows[:scroll_rows] for _k, c in r]
        for label, value, name in gone:
            if name is not None:
                truth[name] = None
    return Sample(img, truth, layout, {"seed": seed, "columns": columns, "spaced": spaced,
                                       "colon": colon, "empty": empty, "scroll_rows": scroll_rows})


def score(fields: dict, truth: dict[str, str | None]) -> dict[str, list[str]]:
    """Each field of a read case (name → FieldValue) against the truth: `exact` (the right
    value, or missing when the page does not show it), `wrong_ok` (a wrong value marked ok,
    corrected or unchecked — typed without a person being asked: what must never happen), `flagged` (not ok, for a person to look at),
    `doubted` (right, but flagged only because the OCR engine was not sure of a character:
    the clerk is asked to compare; the price of never leaving a misread ok)."""
    from app.checks.normalize import halfwidth_alnum
    out: dict[str, list[str]] = {"exact": [], "wrong_ok": [], "flagged": [], "doubted": []}
    for name, want in truth.items():
        fv = fields[name]
        good = fv.status in ("ok", "corrected", "unchecked")    # what no one is asked about
        problems = fv.source.get("problems", [])
        if want is None:
            out["exact" if fv.status == "missing" else "wrong_ok" if good else "flagged"].append(name)
        elif good:
            out["exact" if fv.value == halfwidth_alnum(want) else "wrong_ok"].append(name)
        elif fv.value == halfwidth_alnum(want) and problems and \
                all("was not sure of" in p for p in problems):
            out["doubted"].append(name)
        else:
            out["flagged"].append(name)
    return out
