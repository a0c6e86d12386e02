"""Form pages in styles the shipped playbooks were never written for, with ground truth:
the unseen-style corpus of issue 11 (see app/sandbox/corpus.py for the kinds).

    page = render_form_page(make_person(7), "above", seed=3)    # 1280×1024 browser window
    page.truth["id_number"], page.truth["employer"]              # None: left empty / cut off

Styles (`kind`):
- `above`: labels above their values (2–4 columns, values plain or in read-only boxes);
  one or two optional values left empty without "无", so the next thing below is another
  row's label or value.
- `nested`: labels that contain other labels: 配偶姓名 beside 姓名, 配偶身份证号码 beside
  身份证号码, 紧急联系电话 beside 联系电话; spouse section first or second; an unmarried
  applicant's spouse fields are empty.
- `spaced`: labels padded with ideographic spaces (姓　　名), with plain spaces (姓 名), or
  justified (each character placed apart across the label column).
- `columns`: three or four label–value pairs a line, tight cells, dates in several forms.
- `scrolled`: a long page scrolled down: rows above the fold are gone, one row may be cut
  through its text (under a fixed header in some), and the window may stand partly off the
  right edge of the screen. A field not wholly visible has truth None: it must not be read.
- `transform`: a housing-fund page whose values need the playbook's transforms: an amount
  with thousands separators (80,700.72), sex as a code (1/2), an account number in groups,
  a lower-case credit code, a full-width ID number, dates in several forms, and the address
  parts (省/市/区县/乡镇街道/the rest, the county's GB/T 2260 code) derived from 户籍地址.

`truth` holds what a perfect reader delivers, in the field's canonical form (dates ISO,
amounts without separators, codes as words, half-width); None for a field that is on the
page's form but has no value there (left empty, or not wholly on screen). `shown` holds
the text as drawn. Deterministic: the same (person, kind, seed) gives the same pixels.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from PIL import Image, ImageDraw

from app.checks.normalize import halfwidth_alnum
from app.sandbox.drawing import CHROME_H, Box, browser_chrome, font, ibox, inside, union
from app.sandbox.people import Person, make_person
from app.sandbox.sources import Source

__all__ = ["render_form_page", "FORM_KINDS", "FORM_SIZE", "FORM_REGION", "SCROLLED_SIZE", "SCROLL_REGION",
           "date_forms", "address_parts"]

FORM_KINDS = ("above", "nested", "spaced", "columns", "scrolled", "transform")
FORM_SIZE = (1280, 1024)             # a 5:4 office monitor's browser window
# Where the form panel always lies on a page (logical pixels): the playbooks' region.
FORM_REGION = (16, 156, 1248, 860)
SCROLLED_SIZE = (1280, 720)          # a laptop's window: the long page does not fit
SCROLL_REGION = (0, CHROME_H, 1280, 720 - CHROME_H)    # the whole viewport under the chrome
_PANEL_X0, _PANEL_X1 = 24, 1256
_PANEL_TOP = 90                                       # in content pixels (below the chrome)
_TABLE_X0, _TABLE_W = 48, 1184

_THEMES = [((22, 108, 214), (11, 74, 158)), ((0, 84, 166), (0, 58, 122)),
           ((0, 122, 135), (0, 88, 99)), ((200, 32, 42), (150, 18, 26)),
           ((64, 158, 255), (32, 110, 200))]
_LABEL_BGS = [(245, 247, 250), (242, 246, 252), (247, 247, 247), (250, 250, 250)]
_BORDERS = [(220, 223, 230), (228, 231, 237), (214, 219, 226), (235, 238, 245)]
_LABEL_FGS = [(96, 98, 102), (85, 85, 85), (102, 110, 120), (128, 128, 128)]
_VALUE_FGS = [(48, 49, 51), (34, 34, 34), (20, 24, 30), (0, 0, 0)]

_EDUCATION = ("初中", "高中", "中专", "大专", "本科", "硕士研究生")
_HOUSEHOLD = ("非农业家庭户口", "农业家庭户口", "城镇居民户口", "集体户口")
_PROGRESS = ("已受理", "审核中", "已办结", "待补正材料", "审批中")
_MATTERS = ("住房公积金提取", "道路运输从业资格证核发", "企业设立登记", "不动产登记",
            "城乡居民养老保险参保登记", "居民户口迁移登记")
_JOBS = ("个体经营", "企业职员", "教师", "驾驶员", "医生", "公务员", "自由职业")
_REASONS = ("购买自住住房", "偿还购房贷款本息", "租赁自住住房", "离休、退休", "大修自住住房")

DATE_FORMS = ("{y}-{m:02d}-{d:02d}", "{y}/{m}/{d}", "{y}年{m}月{d}日", "{y}{m:02d}{d:02d}",
              "{y}.{m:02d}.{d:02d}", "{y}年{m:02d}月{d:02d}日", "{y}/{m:02d}/{d:02d}")


def date_forms(d: date) -> list[str]:
    """`d` written in every form the pages use (2024-03-01, 2024/3/1, 2024年3月1日, …)."""
    return [f.format(y=d.year, m=d.month, d=d.day) for f in DATE_FORMS]


def address_parts(person: Person) -> dict[str, str]:
    """The address split as the playbooks' `derive` parts name them (half-width digits)."""
    area = person.area
    address = halfwidth_alnum(person.address)
    head = area.province + ("" if area.city == area.province else area.city) + area.district
    assert address.startswith(head), (address, head)
    tail = address[len(head):]
    town = next(t for t in area.towns if tail.startswith(t))
    return {"province": area.province, "city": area.city, "district": area.district,
            "district_code": area.code, "town": town, "rest": tail[len(town):]}


@dataclass
class Cell:
    name: str | None            # the field a playbook reads, or None (page-only)
    label: str                  # the label's words, without spacing or colon
    value: str                  # as drawn; "" leaves it empty
    truth: str | None = None    # canonical value; defaults to the drawn value (None if empty)
    span: int = 1
    required: bool = False      # a red * before the label when the style shows them

    def __post_init__(self) -> None:
        if self.truth is None and self.value:
            self.truth = self.value


@dataclass
class Style:
    columns: int
    placement: str              # left | above
    font_px: int
    label_px: int
    colon: bool
    label_align: str            # left | right (placement left)
    spacing: str                # none | ideographic | ascii | justify
    borders: bool               # grid lines and a shaded label column (placement left)
    boxed: bool                 # values in read-only input boxes (placement above)
    star: bool
    pad: int
    row_h: int
    primary: tuple[int, int, int]
    primary_dark: tuple[int, int, int]
    label_bg: tuple[int, int, int]
    border: tuple[int, int, int]
    label_fg: tuple[int, int, int]
    value_fg: tuple[int, int, int]
    page_bg: tuple[int, int, int]


@dataclass
class _Page:
    style: Style
    system: str                 # the site's name in its header
    title: str                  # the panel's title
    tab: str                    # the browser tab's title
    sections: list[tuple[str, list[list[tuple[Cell, int]]]]] = field(default_factory=list)
    extra: dict = field(default_factory=dict)


# --------------------------------------------------------------------------- values

def _common_values(person: Person, rng: random.Random) -> dict[str, str]:
    applied = date(2024, 1, 2) + timedelta(days=rng.randrange(540))
    n = rng.randrange(1, 99999)
    return {"matter": rng.choice(_MATTERS), "case_number": f"SL{applied:%Y%m%d}{n:05d}",
            "apply_date": applied.isoformat(), "progress": rng.choice(_PROGRESS),
            "education": rng.choice(_EDUCATION), "household_type": rng.choice(_HOUSEHOLD),
            "marital_status": rng.choice(("已婚", "已婚", "未婚", "离异")),
            "job": rng.choice(_JOBS), "native_place": person.area.province[:2] + person.area.city[:-1]}


def _date_cell(name: str, label: str, iso: str, rng: random.Random, **kw) -> Cell:
    d = date.fromisoformat(iso)
    return Cell(name, label, rng.choice(date_forms(d)), truth=iso, **kw)


def _spouse(person: Person, seed: int) -> Person:
    for k in range(50):
        other = make_person(900_000 + seed * 61 + person.seed * 7 + k)
        if other.gender != person.gender and other.birth_date.year < 2004:
            return other
    raise AssertionError("no spouse found")  # pragma: no cover - half of all people qualify


# --------------------------------------------------------------------------- styles

def _style(rng: random.Random, *, columns: int, placement: str, spacing: str = "none",
           pad: int | None = None) -> Style:
    primary, dark = rng.choice(_THEMES)
    font_px = rng.choice((14, 15, 15, 16))
    return Style(columns=columns, placement=placement, font_px=font_px,
                 label_px=font_px if placement == "left" else font_px - rng.choice((1, 2)),
                 colon=rng.random() < (0.6 if placement == "left" else 0.3),
                 label_align="right" if rng.random() < 0.6 else "left", spacing=spacing,
                 borders=rng.random() < 0.7, boxed=rng.random() < 0.5,
                 star=rng.random() < 0.3, pad=pad if pad is not None else rng.choice((10, 12, 14)),
                 row_h=rng.choice((38, 40, 42, 44)), primary=primary, primary_dark=dark,
                 label_bg=rng.choice(_LABEL_BGS), border=rng.choice(_BORDERS),
                 label_fg=rng.choice(_LABEL_FGS), value_fg=rng.choice(_VALUE_FGS),
                 page_bg=rng.choice(((240, 242, 245), (243, 245, 248), (236, 240, 244))))


def _label_text(cell: Cell, style: Style) -> str:
    """The label as drawn (spacing and colon), except justified labels, drawn apart."""
    words = cell.label
    if style.spacing == "ideographic" and len(words) in (2, 3):
        words = ("　　" if len(words) == 2 else "　").join(words)
    elif style.spacing == "ascii" and len(words) <= 4:
        words = (" " * (3 if len(words) == 2 else 1)).join(words)
    return words + ("：" if style.colon else "")


def _label_width(cell: Cell, style: Style) -> float:
    f = font("sans", style.label_px)
    if style.spacing == "justify":
        return f.getlength("字") * 4 + (f.getlength("：") if style.colon else 0) \
            if len(cell.label) <= 4 else f.getlength(_label_text(cell, style))
    return f.getlength(_label_text(cell, style))


def _flow(cells: list[Cell], style: Style, label_w: float) -> list[list[tuple[Cell, int]]]:
    """Cells packed into lines of `style.columns` units, each cell as wide as its value
    needs (a span of one or more units); the last cell of a line takes what is left."""
    unit = _TABLE_W / style.columns
    vf = font("sans", style.font_px)

    def span_needed(c: Cell) -> int:
        extra = 2 * style.pad + (label_w if style.placement == "left" else 24)
        for span in range(max(1, c.span), style.columns + 1):
            if vf.getlength(c.value) + extra <= span * unit:
                return span
        raise AssertionError(f"{c.value!r} does not fit a line of {style.columns} columns")

    lines: list[list[tuple[Cell, int]]] = []
    line: list[tuple[Cell, int]] = []
    used = 0
    for c in cells:
        need = span_needed(c)
        if used + need > style.columns:
            lines.append(_fill(line, style.columns))
            line, used = [], 0
        line.append((c, need))
        used += need
    if line:
        lines.append(_fill(line, style.columns))
    return lines


def _fill(line: list[tuple[Cell, int]], columns: int) -> list[tuple[Cell, int]]:
    used = sum(s for _, s in line)
    return line[:-1] + [(line[-1][0], line[-1][1] + columns - used)]


# --------------------------------------------------------------------------- kinds

def _applicant_cells(person: Person, values: dict[str, str], rng: random.Random, *,
                     id_label: str = "公民身份号码", address_label: str = "户籍地址") -> list[Cell]:
    return [Cell("applicant_name", "姓名", person.name, required=True),
            Cell("gender", "性别", person.gender, required=True),
            Cell("ethnicity", "民族", person.ethnicity),
            _date_cell("birth_date", "出生日期", person.birth_date.isoformat(), rng, required=True),
            Cell("id_number", id_label, person.id_number, truth=halfwidth_alnum(person.id_number),
                 required=True),
            Cell("phone", "联系电话", person.phone, required=True),
            Cell("address", address_label, person.address, truth=halfwidth_alnum(person.address),
                 span=2)]


def _kind_above(person: Person, rng: random.Random) -> _Page:
    style = _style(rng, columns=rng.choice((3, 3, 4)), placement="above")
    v = _common_values(person, rng)
    cells = _applicant_cells(person, v, rng, id_label=rng.choice(("公民身份号码", "身份证号码")))
    cells[-1].span = style.columns                       # the address takes a whole line
    optional = [Cell("employer", "工作单位", person.employer),
                Cell("email", "电子邮箱", person.email),
                Cell("postcode", "邮政编码", person.postcode)]
    empty = rng.sample(range(3), rng.choice((0, 1, 1, 2)))
    for i in empty:
        optional[i] = Cell(optional[i].name, optional[i].label, "")
    page_only = [Cell(None, "婚姻状况", v["marital_status"]), Cell(None, "文化程度", v["education"]),
                 Cell(None, "户口性质", v["household_type"])]
    body = cells[:-1] + optional[:2] + page_only[:1] + [optional[2]] + page_only[1:]
    head = body[:4]
    rest = body[4:]
    rng.shuffle(rest)
    applicant = head + rest[:3] + [cells[-1]] + rest[3:]
    case = [Cell(None, "申请事项", v["matter"]), Cell(None, "受理编号", v["case_number"]),
            Cell(None, "申请日期", v["apply_date"]), Cell(None, "办理进度", v["progress"]),
            Cell(None, "备注", rng.choice(("", "", "请于三个工作日内补正材料")))]
    return _page(style, "龙岩市政务服务网", "申请人信息", "政务服务网 - 办件详情",
                 [("申请人信息", applicant), ("办件信息", case)], rng)


def _kind_nested(person: Person, rng: random.Random, seed: int) -> _Page:
    placement = rng.choice(("left", "above"))
    style = _style(rng, columns=2 if placement == "left" else rng.choice((2, 3)), placement=placement)
    v = _common_values(person, rng)
    married = rng.random() < 0.7
    sp = _spouse(person, seed)
    emergency = _spouse(person, seed + 1)                  # anybody else

    def spouse_value(text: str) -> str:
        return text if married else ""

    me = [Cell("applicant_name", "姓名", person.name, required=True),
          Cell("id_number", "身份证号码", person.id_number, required=True),
          Cell("phone", "联系电话", person.phone, required=True),
          Cell("gender", "性别", person.gender),
          _date_cell("birth_date", "出生日期", person.birth_date.isoformat(), rng),
          Cell(None, "婚姻状况", "已婚" if married else rng.choice(("未婚", "离异")))]
    spouse = [Cell("spouse_name", "配偶姓名", spouse_value(sp.name)),
              Cell("spouse_id_number", "配偶身份证号码", spouse_value(sp.id_number)),
              Cell("emergency_phone", "紧急联系电话", emergency.phone),
              Cell(None, "紧急联系人", emergency.name)]
    address = Cell("address", "户籍地址", person.address, truth=halfwidth_alnum(person.address),
                   span=style.columns)
    if rng.random() < 0.5:                                  # side by side: 姓名 | 配偶姓名 …
        cells = [c for pair in zip(me, spouse) for c in pair] + me[len(spouse):] + [address]
        sections = [("申请人及配偶信息", cells)]
    else:
        sections = [("申请人信息", me + [address]), ("配偶及紧急联系人", spouse)]
        if rng.random() < 0.5:
            sections.reverse()
    sections.append(("办件信息", [Cell(None, "申请事项", v["matter"]),
                                  Cell(None, "受理编号", v["case_number"])]))
    return _page(style, "龙岩市不动产登记中心", "不动产登记申请", "不动产登记 - 申请信息",
                 sections, rng, married=married)


def _kind_spaced(person: Person, rng: random.Random) -> _Page:
    spacing = rng.choice(("ideographic", "ascii", "justify"))
    placement = "left" if rng.random() < 0.8 else "above"
    style = _style(rng, columns=2 if placement == "left" else 3, placement=placement,
                   spacing=spacing)
    v = _common_values(person, rng)
    cells = [Cell("applicant_name", "姓名", person.name, required=True),
             Cell("gender", "性别", person.gender, required=True),
             Cell("ethnicity", "民族", person.ethnicity),
             Cell(None, "籍贯", v["native_place"]),
             _date_cell("birth_date", "出生日期", person.birth_date.isoformat(), rng),
             Cell(None, "学历", v["education"]),
             Cell("id_number", "身份证号", person.id_number, required=True),
             Cell("phone", "联系电话", person.phone),
             Cell(None, "职业", v["job"]),
             Cell("employer", "工作单位", person.employer),
             Cell("address", "住址", person.address, truth=halfwidth_alnum(person.address),
                  span=style.columns)]
    return _page(style, "龙岩市人力资源和社会保障局", "个人基本信息", "人社业务 - 个人信息",
                 [("个人基本信息", cells)], rng)


def _kind_columns(person: Person, rng: random.Random) -> _Page:
    style = _style(rng, columns=rng.choice((3, 4)), placement="left", pad=rng.choice((6, 8)))
    v = _common_values(person, rng)
    cells = _applicant_cells(person, v, rng)
    address = cells.pop()
    address.span = style.columns
    cells += [Cell("postcode", "邮政编码", person.postcode),
              Cell(None, "文化程度", v["education"]),
              Cell(None, "婚姻状况", v["marital_status"]),
              Cell("email", "电子邮箱", person.email),
              Cell("credit_code", "统一社会信用代码", person.credit_code),
              Cell("employer", "工作单位", person.employer),
              address]
    case = [Cell(None, "受理编号", v["case_number"]),
            _date_cell("apply_date", "申请日期", v["apply_date"], rng),
            Cell(None, "办理进度", v["progress"]), Cell(None, "户口性质", v["household_type"]),
            Cell(None, "申请事项", v["matter"])]
    sections = [("申请人信息", cells), ("办件信息", case)]
    if rng.random() < 0.4:
        sections.reverse()
    return _page(style, "龙岩市行政审批服务平台", "办件详情", "审批服务平台 - 办件详情",
                 sections, rng)


def _kind_scrolled(person: Person, rng: random.Random) -> _Page:
    style = _style(rng, columns=rng.choice((2, 3)), placement="left")
    v = _common_values(person, rng)
    cells = _applicant_cells(person, v, rng)
    address = cells.pop()
    address.span = style.columns
    cells += [Cell("postcode", "邮政编码", person.postcode),
              Cell("employer", "工作单位", person.employer),
              Cell("credit_code", "统一社会信用代码", person.credit_code),
              Cell("email", "电子邮箱", person.email), address,
              Cell(None, "文化程度", v["education"]), Cell(None, "户口性质", v["household_type"])]
    case = [Cell(None, "受理编号", v["case_number"]), Cell(None, "申请日期", v["apply_date"]),
            Cell(None, "申请事项", v["matter"]), Cell(None, "办理进度", v["progress"]),
            Cell(None, "受理部门", "龙岩市行政服务中心"), Cell(None, "办件类型", "承诺件")]
    family = []
    for k in range(rng.choice((2, 3))):
        other = make_person(700_000 + person.seed * 5 + k)
        family += [Cell(None, "成员姓名", other.name), Cell(None, "与申请人关系",
                                                            rng.choice(("配偶", "子女", "父母"))),
                   Cell(None, "证件号码", other.id_number)]
    material = [Cell(None, f"材料{k + 1}", m) for k, m in enumerate(
        rng.sample(("居民身份证复印件", "户口簿复印件", "申请表", "婚姻状况证明", "收入证明",
                    "购房合同"), 4))]
    return _page(style, "e龙岩网上办事大厅", "办件详情", "e龙岩 - 办件详情",
                 [("办件信息", case), ("申请人信息", cells), ("家庭成员", family),
                  ("申请材料", material)], rng, long=True)


def _kind_transform(person: Person, rng: random.Random) -> _Page:
    style = _style(rng, columns=rng.choice((3, 4)), placement="left", pad=rng.choice((8, 10)))
    v = _common_values(person, rng)
    amount = rng.randrange(1_000_00, 900_000_00)             # in fen
    balance = amount + rng.randrange(0, 2_000_000_00)
    account = "".join(rng.choice("0123456789") for _ in range(12))
    grouped = " ".join(account[i:i + 4] for i in range(0, 12, 4))
    fullwidth_id = rng.random() < 0.5
    shown_id = person.id_number.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")) \
        if fullwidth_id else person.id_number
    cells = [Cell("applicant_name", "姓名", person.name, required=True),
             Cell("gender", "性别", "1" if person.gender == "男" else "2", truth=person.gender),
             Cell("id_number", "证件号码", shown_id, truth=person.id_number, required=True),
             Cell("account", "个人账号", grouped, truth=account),
             Cell("amount", "提取金额", f"{amount / 100:,.2f}", truth=f"{amount / 100:.2f}"),
             Cell(None, "账户余额", f"{balance / 100:,.2f}"),
             _date_cell("apply_date", "申请日期", v["apply_date"], rng),
             Cell(None, "提取原因", rng.choice(_REASONS)),
             Cell("credit_code", "单位统一社会信用代码", person.credit_code.lower(),
                  truth=person.credit_code),
             Cell(None, "单位名称", person.employer),
             Cell("address", "户籍地址", person.address, truth=halfwidth_alnum(person.address),
                  span=style.columns)]
    return _page(style, "龙岩市住房公积金管理中心", "提取申请详情", "公积金 - 提取申请",
                 [("提取申请", cells)], rng, derived=address_parts(person))


def _page(style: Style, system: str, title: str, tab: str,
          sections: list[tuple[str, list[Cell]]], rng: random.Random, **extra) -> _Page:
    all_cells = [c for _, cs in sections for c in cs]
    label_w = max(_label_width(c, style) for c in all_cells) + 2 * style.pad + (
        10 if style.star else 0)
    page = _Page(style, system, title, tab, extra=extra)
    page.extra["label_w"] = label_w
    for name, cells in sections:
        page.sections.append((name, _flow(cells, style, label_w)))
    return page


# --------------------------------------------------------------------------- drawing

class _Canvas:
    """Draws a page's content (everything below the browser chrome) and records where
    each field's label and value went."""

    def __init__(self, page: _Page, height: int) -> None:
        self.page = page
        s = page.style
        self.img = Image.new("RGB", (FORM_SIZE[0], height), s.page_bg)
        self.d = ImageDraw.Draw(self.img)
        self.label_boxes: dict[str, Box] = {}
        self.value_boxes: dict[str, Box] = {}
        self.value_lines: dict[str, list[Box]] = {}
        self.labels: dict[str, str] = {}
        self.text_bands: list[tuple[int, int]] = []     # (top, bottom) of each line of cells

    def label(self, cell: Cell, x: float, y: float, anchor: str, width: float) -> None:
        s = self.page.style
        f = font("sans", s.label_px)
        text = _label_text(cell, s)
        if s.spacing == "justify" and len(cell.label) <= 4 and len(cell.label) > 1:
            body = cell.label
            colon = "：" if s.colon else ""
            span = f.getlength("字") * 4
            total = span + f.getlength(colon)
            x0 = x - total if anchor[0] == "r" else x
            gap = (span - sum(f.getlength(ch) for ch in body)) / (len(body) - 1)
            boxes, cx = [], x0
            for ch in body:
                self.d.text((cx, y), ch, font=f, fill=s.label_fg, anchor="l" + anchor[1])
                boxes.append(ibox(self.d.textbbox((cx, y), ch, font=f, anchor="l" + anchor[1])))
                cx += f.getlength(ch) + gap
            if colon:
                self.d.text((x0 + span, y), colon, font=f, fill=s.label_fg, anchor="l" + anchor[1])
            box = union(boxes)
            text = (" " * 2).join(body) + colon
        else:
            self.d.text((x, y), text, font=f, fill=s.label_fg, anchor=anchor)
            box = ibox(self.d.textbbox((x, y), text, font=f, anchor=anchor))
        if s.star and cell.required:
            self.d.text((box[0] - 4, y), "*", font=f, fill=(230, 40, 40), anchor="r" + anchor[1])
        if cell.name:
            self.label_boxes[cell.name] = box
            self.labels[cell.name] = text

    def value(self, cell: Cell, x: float, y: float) -> Box | None:
        if not cell.value:
            return None
        f = font("sans", self.page.style.font_px)
        self.d.text((x, y), cell.value, font=f, fill=self.page.style.value_fg, anchor="lm")
        box = ibox(self.d.textbbox((x, y), cell.value, font=f, anchor="lm"))
        if cell.name:
            self.value_boxes[cell.name] = box
            self.value_lines[cell.name] = [box]
        return box

    def section_title(self, y: float, title: str) -> None:
        s = self.page.style
        self.d.rectangle((_TABLE_X0, y + 2, _TABLE_X0 + 4, y + 20), fill=s.primary)
        self.d.text((_TABLE_X0 + 12, y + 11), title, font=font("sans_bold", 16), fill=(31, 35, 41),
                    anchor="lm")

    def line_left(self, y: float, line: list[tuple[Cell, int]]) -> float:
        s = self.page.style
        unit = _TABLE_W / s.columns
        label_w = self.page.extra["label_w"]
        x = _TABLE_X0
        mid = y + s.row_h / 2
        bands = []
        for cell, span in line:
            if s.borders:
                self.d.rectangle((x, y, x + label_w, y + s.row_h), fill=s.label_bg)
            if s.label_align == "right":
                self.label(cell, x + label_w - s.pad, mid, "rm", label_w)
            else:
                self.label(cell, x + s.pad + (10 if s.star else 0), mid, "lm", label_w)
            box = self.value(cell, x + label_w + s.pad, mid)
            if box:
                bands.append(box)
            if s.borders:
                self.d.rectangle((x, y, x + span * unit, y + s.row_h), outline=s.border)
                self.d.line((x + label_w, y, x + label_w, y + s.row_h), fill=s.border)
            x += span * unit
        self._band(bands, mid, s.font_px)
        return y + s.row_h

    def line_above(self, y: float, line: list[tuple[Cell, int]]) -> float:
        s = self.page.style
        unit = _TABLE_W / s.columns
        label_mid = y + s.label_px * 0.7
        box_h = s.font_px + (16 if s.boxed else 4)
        value_mid = label_mid + s.label_px * 0.7 + 8 + box_h / 2
        x = _TABLE_X0
        bands = []
        for cell, span in line:
            self.label(cell, x + (10 if s.star else 0), label_mid, "lm", 0)
            if s.boxed:
                self.d.rounded_rectangle((x, value_mid - box_h / 2, x + span * unit - 24,
                                          value_mid + box_h / 2), radius=3,
                                         fill=(245, 247, 250), outline=s.border)
            box = self.value(cell, x + (10 if s.boxed else 0), value_mid)
            if box:
                bands.append(box)
            x += span * unit
        self._band(bands, label_mid, s.label_px)
        self._band(bands, value_mid, s.font_px)
        return value_mid + box_h / 2 + 18

    def _band(self, boxes: list[Box], mid: float, px: int) -> None:
        self.text_bands.append((int(mid - px * 0.6), int(mid + px * 0.6) + 1))


def _layout(page: _Page, canvas: _Canvas | None) -> float:
    """Draws the page on `canvas` (or only measures it, when None); the content height."""
    s = page.style
    y = float(_PANEL_TOP + 60 + 14)
    if canvas is not None:
        d = canvas.d
        # site header and breadcrumb
        d.rectangle((0, 0, FORM_SIZE[0], 56), fill=s.primary)
        d.text((_PANEL_X0, 28), page.system, font=font("sans_bold", 20), fill=(255, 255, 255),
               anchor="lm")
        d.text((_PANEL_X1, 28), "您好，用户　|　退出", font=font("sans", 14), fill=(255, 255, 255),
               anchor="rm")
        d.text((_PANEL_X0, 74), f"当前位置：首页 > {page.title}", font=font("sans", 13),
               fill=(134, 144, 156), anchor="lm")
    rows_h = 0.0
    for title, lines in page.sections:
        if canvas is not None:
            canvas.section_title(y, title)
        y += 34
        for line in lines:
            if canvas is None:
                y = _measure_line(page, y, line)
            elif s.placement == "left":
                y = canvas.line_left(y, line)
            else:
                y = canvas.line_above(y, line)
        y += 22
        rows_h = y
    bottom = rows_h + 10
    if canvas is not None:
        # the panel frame and title, over nothing (drawn after, outline only)
        canvas.d.rectangle((_PANEL_X0, _PANEL_TOP, _PANEL_X1, bottom), outline=(230, 232, 236))
        canvas.d.line((_PANEL_X0 + 1, _PANEL_TOP + 60, _PANEL_X1 - 1, _PANEL_TOP + 60),
                      fill=(235, 237, 240))
        canvas.d.text((_TABLE_X0, _PANEL_TOP + 30), page.title, font=font("sans_bold", 19),
                      fill=(31, 35, 41), anchor="lm")
    return bottom


def _measure_line(page: _Page, y: float, line: list[tuple[Cell, int]]) -> float:
    s = page.style
    if s.placement == "left":
        return y + s.row_h
    box_h = s.font_px + (16 if s.boxed else 4)
    return y + s.label_px * 1.4 + 8 + box_h + 18


def render_form_page(person: Person, kind: str, *, seed: int = 0) -> Source:
    """A 1280×1024 browser window (the scrolled kind: 1280×720, and narrower when it stands
    off the screen's edge) showing a form page of `kind` (see FORM_KINDS) for `person`."""
    if kind not in FORM_KINDS:
        raise ValueError(f"kind must be one of {FORM_KINDS}, not {kind!r}")
    rng = random.Random(f"form:{kind}:{person.seed}:{seed}")
    page = {"above": lambda: _kind_above(person, rng),
            "nested": lambda: _kind_nested(person, rng, seed),
            "spaced": lambda: _kind_spaced(person, rng),
            "columns": lambda: _kind_columns(person, rng),
            "scrolled": lambda: _kind_scrolled(person, rng),
            "transform": lambda: _kind_transform(person, rng)}[kind]()
    size = SCROLLED_SIZE if kind == "scrolled" else FORM_SIZE
    view_h = size[1] - CHROME_H
    height = int(_layout(page, None)) + 24
    if kind == "scrolled" and height < view_h + 200:
        raise AssertionError(f"the scrolled page is {height} px high; it must be longer")
    if kind != "scrolled" and height > view_h:
        raise AssertionError(f"the {kind} page is {height} px high; the window shows {view_h}")
    canvas = _Canvas(page, max(height, view_h))
    # the panel's white background first, then the content over it
    canvas.d.rectangle((_PANEL_X0, _PANEL_TOP, _PANEL_X1, height - 24), fill=(255, 255, 255))
    _layout(page, canvas)

    width = FORM_SIZE[0]
    scroll, fixed_header, cut_x = 0, False, width
    if kind == "scrolled":
        scroll, fixed_header = _scroll_position(canvas, height, view_h, rng)
        if rng.random() < 0.5:                # the window stands partly off the screen
            cut_x = rng.randrange(int(width * 0.78), int(width * 0.93))
    view = canvas.img.crop((0, scroll, width, scroll + view_h))
    if fixed_header:
        view.paste(canvas.img.crop((0, 0, width, 56)), (0, 0))
    img = Image.new("RGB", size, page.style.page_bg)
    browser_chrome(ImageDraw.Draw(img), width, page.tab,
                   f"https://zwfw.longyan.gov.cn/#/case/{rng.randrange(10 ** 9)}", page.style.primary)
    img.paste(view, (0, CHROME_H))
    img = img.crop((0, 0, cut_x, size[1]))

    # content pixels → image pixels, and what of the page is wholly on screen
    dy = CHROME_H - scroll
    visible = (0, CHROME_H + (56 if fixed_header else 0), cut_x, size[1])

    def moved(b: Box) -> Box:
        return (b[0], b[1] + dy, b[2], b[3] + dy)

    label_boxes = {k: moved(b) for k, b in canvas.label_boxes.items()}
    value_boxes = {k: moved(b) for k, b in canvas.value_boxes.items()}
    value_lines = {k: [moved(b) for b in v] for k, v in canvas.value_lines.items()}
    cells = {c.name: c for _, lines in page.sections for line in lines for c, _ in line if c.name}
    truth: dict[str, str | None] = {}
    shown: dict[str, str] = {}
    cut: list[str] = []
    for name, c in cells.items():
        on_screen = name in label_boxes and inside(label_boxes[name], visible) and (
            name not in value_boxes or inside(value_boxes[name], visible))
        truth[name] = c.truth if on_screen else None
        if c.value and not on_screen:
            cut.append(name)
        shown[name] = c.value
    for name, value in page.extra.get("derived", {}).items():
        truth[name] = value
    meta = {"seed": seed, "person_seed": person.seed, "kind": kind,
            "columns": page.style.columns, "placement": page.style.placement,
            "spacing": page.style.spacing, "colon": page.style.colon, "scroll": scroll,
            "fixed_header": fixed_header, "cut_x": cut_x if cut_x < width else None,
            "cut": sorted(cut), "empty": sorted(n for n, c in cells.items() if not c.value),
            **{k: v for k, v in page.extra.items() if k not in ("label_w", "derived")}}
    return Source(image=img, truth=truth, label_boxes=label_boxes,  # type: ignore[arg-type]
                  value_boxes=value_boxes, kind=f"form_{kind}", labels=dict(canvas.labels),
                  shown=shown, value_lines=value_lines, meta=meta)


def _scroll_position(canvas: _Canvas, height: int, view_h: int,
                     rng: random.Random) -> tuple[int, bool]:
    """How far the long page is scrolled, and whether its site header stays fixed: half
    of the time the top edge of what shows cuts through a line of text."""
    fixed = rng.random() < 0.3
    top_cover = 56 if fixed else 0
    lo, hi = 150, height - view_h
    bands = [b for b in canvas.text_bands if lo + top_cover < b[0] and b[1] < hi + top_cover]
    if bands and rng.random() < 0.5:
        top, bottom = rng.choice(bands)
        edge = top + (bottom - top) * rng.uniform(0.3, 0.7)
        return int(edge) - top_cover, fixed
    return rng.randrange(lo, hi), fixed
