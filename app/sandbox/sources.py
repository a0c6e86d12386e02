"""Synthetic sources with ground truth: citizen-portal screenshots and ID-card fronts.

    person = make_person(7)
    page = render_portal_page(person, seed=3)             # 1920×1080 "e龙岩" case detail page
    hidpi = render_portal_page(person, scale=1.25)        # 2400×1350, everything 1.25× larger
    card = render_id_card(person, blur=1.2, noise=6, jpeg_quality=60, rotate_deg=2.5)
    page.truth["id_number"], page.value_boxes["id_number"], page.label_boxes["id_number"]
    html = portal_html(person, seed=3)                    # the same content for Chromium
    subprocess.Popen(show_image_argv("/tmp/page.png", "样例"))   # a window showing it 1:1

What a `Source` holds (boxes are (left, top, right, bottom) in image pixels, the ink
box of the text as drawn):
- `truth`: field name -> the value a perfect reader should deliver. On the portal this
  is exactly the text displayed (a wrapped value joined without the line break). On the
  ID card it is the canonical field value, in the approval client's form: `ethnicity`
  "汉族" (the card prints "汉"), `birth_date` ISO (the card prints 1990 年 3 月 7 日).
- `shown`: field name -> the text as drawn, spaces aside ("汉", "1990年3月7日").
- `labels`: field name -> the label text as drawn ("公民身份号码", "姓名：").
- `label_boxes`, `value_boxes`; `value_lines`: one box per drawn line of each value.
- `kind`: "portal_page" or "id_card"; `meta`: seed, scale, degradations, fonts.

Portal field names: the approval client's (applicant_name, gender, ethnicity,
birth_date, id_number, phone, address, employer, credit_code, postcode, email) plus
page-only ones (matter, case_number, apply_date, department, progress,
marital_status, id_type, education, household_type).

Determinism: the same (person, seed, options) gives identical pixels (font files
permitting). Speed on this machine (2 cores), after the first call (fonts and the
card backgrounds are cached): ~35 ms a page (1.0 or 1.25), ~10 ms a clean card,
~45 ms a card with every degradation.
"""
from __future__ import annotations

import functools
import io
import math
import random
import string
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import date, timedelta
from html import escape
from pathlib import Path
from typing import Any

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

from app.errors import DesktopError
from app.paths import resources_dir
from app.sandbox.people import Person

__all__ = [
    "Source", "render_portal_page", "render_id_card", "portal_html", "portal_values",
    "show_image_argv",
    "PORTAL_SIZE", "CARD_SIZE", "PORTAL_TITLE", "find_font",
]

Box = tuple[int, int, int, int]
PORTAL_SIZE = (1920, 1080)
CARD_SIZE = (856, 540)
PORTAL_TITLE = "e龙岩 - 办件详情"
TEMPLATE = resources_dir() / "portal" / "detail.html"


@dataclass
class Source:
    image: Image.Image
    truth: dict[str, str]
    label_boxes: dict[str, Box]
    value_boxes: dict[str, Box]
    kind: str
    labels: dict[str, str] = field(default_factory=dict)
    shown: dict[str, str] = field(default_factory=dict)
    value_lines: dict[str, list[Box]] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------- fonts

# (path, family wanted inside a collection); first match wins. Linux (Debian
# fonts-noto-cjk, fonts-wqy), then Windows.
_FONT_CANDIDATES: dict[str, list[tuple[str, str | None]]] = {
    "sans": [("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "Noto Sans CJK SC"),
             ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", None),
             ("C:/Windows/Fonts/msyh.ttc", None), ("C:/Windows/Fonts/simhei.ttf", None)],
    "sans_bold": [("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", "Noto Sans CJK SC"),
                  ("C:/Windows/Fonts/msyhbd.ttc", None)],
    "serif": [("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", "Noto Serif CJK SC"),
              ("/usr/share/fonts/truetype/arphic/uming.ttc", None),
              ("C:/Windows/Fonts/simsun.ttc", None)],
    "mono": [("/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf", None),
             ("/usr/share/fonts/truetype/liberation/LiberationMono-Bold.ttf", None),
             ("C:/Windows/Fonts/consolab.ttf", None)],
    "symbols": [("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", None),
                ("C:/Windows/Fonts/segoeui.ttf", None)],
}
_FALLBACK = {"sans_bold": "sans", "serif": "sans", "mono": "sans", "symbols": "sans"}


@functools.lru_cache(maxsize=None)
def find_font(kind: str) -> tuple[str, int]:
    """(path, face index) of the font used for `kind` (sans, sans_bold, serif, mono, symbols).
    Raises DesktopError when no CJK font is installed at all."""
    for path, family in _FONT_CANDIDATES[kind]:
        if not Path(path).exists():
            continue
        if family is None:
            return path, 0
        for index in range(16):
            try:
                name = ImageFont.truetype(path, 12, index=index).getname()[0]
            except OSError:
                break
            if name == family:
                return path, index
        return path, 0
    found = _fc_match(kind)
    if found:
        return found
    if kind in _FALLBACK:
        return find_font(_FALLBACK[kind])
    raise DesktopError("No Chinese font is installed, so sample sources cannot be drawn: "
                       "install one (Debian: apt-get install fonts-noto-cjk).")


def _fc_match(kind: str) -> tuple[str, int] | None:
    pattern = {"sans": ":lang=zh-cn:style=Regular", "sans_bold": ":lang=zh-cn:style=Bold",
               "serif": "serif:lang=zh-cn", "mono": "monospace"}.get(kind)
    if pattern is None:
        return None
    try:
        out = subprocess.run(["fc-match", "-f", "%{file}\t%{index}\t%{lang}", pattern],
                             capture_output=True, text=True, timeout=5).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    parts = out.split("\t")
    if len(parts) < 3 or not Path(parts[0]).exists():
        return None
    if kind != "mono" and "zh-cn" not in parts[2]:
        return None
    return parts[0], int(parts[1] or 0)


@functools.lru_cache(maxsize=256)
def _font(kind: str, size: float) -> ImageFont.FreeTypeFont:
    path, index = find_font(kind)
    return ImageFont.truetype(path, size, index=index)


def _ibox(b: tuple[float, float, float, float]) -> Box:
    return (math.floor(b[0]), math.floor(b[1]), math.ceil(b[2]), math.ceil(b[3]))


def _union(boxes: list[Box]) -> Box:
    return (min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes))


def _wrap(text: str, font: ImageFont.FreeTypeFont, max_width: float) -> list[str]:
    lines: list[str] = []
    current = ""
    for ch in text:
        if current and font.getlength(current + ch) > max_width:
            lines.append(current)
            current = ch
        else:
            current += ch
    lines.append(current)
    return lines


# --------------------------------------------------------------------------- portal plan

# (primary, darker) pairs: government portals come in blue, deep blue, teal and red.
_THEMES = [((22, 108, 214), (11, 74, 158)), ((0, 84, 166), (0, 58, 122)),
           ((0, 122, 135), (0, 88, 99)), ((200, 32, 42), (150, 18, 26)),
           ((24, 134, 235), (10, 98, 190))]
_LABEL_BGS = [(245, 247, 250), (242, 246, 252), (247, 247, 247), (240, 244, 248)]
_BORDERS = [(220, 223, 230), (228, 231, 237), (214, 219, 226)]
_LABEL_FGS = [(96, 98, 102), (85, 85, 85), (102, 110, 120)]
_VALUE_FGS = [(48, 49, 51), (34, 34, 34), (20, 24, 30)]
_PAGE_BGS = [(240, 242, 245), (243, 245, 248), (236, 240, 244)]

_MATTERS = [("住房公积金提取", "龙岩市住房公积金中心"), ("道路运输从业资格证核发", "龙岩市交通运输局"),
            ("企业设立登记", "龙岩市市场监督管理局"), ("不动产登记", "龙岩市不动产登记中心"),
            ("城乡居民养老保险参保登记", "龙岩市社会保险中心"), ("居民户口迁移登记", "龙岩市公安局"),
            ("住房公积金贷款申请", "龙岩市住房公积金中心")]
_PROGRESS = ("已受理", "审核中", "已办结", "待补正材料", "已签收", "审批中")
_EDUCATION = ("小学", "初中", "高中", "中专", "大专", "本科", "硕士研究生")
_HOUSEHOLD = ("非农业家庭户口", "农业家庭户口", "城镇居民户口", "集体户口")

_ADDRESS_LABELS = ("户籍地址", "住址", "户籍所在地")
_LABELS = {
    "applicant_name": "姓名", "gender": "性别", "ethnicity": "民族", "birth_date": "出生日期",
    "id_number": "公民身份号码", "phone": "联系电话", "address": "户籍地址",
    "postcode": "邮政编码", "employer": "工作单位", "credit_code": "统一社会信用代码",
    "email": "电子邮箱", "marital_status": "婚姻状况", "matter": "申请事项",
    "case_number": "受理编号", "apply_date": "申请日期", "department": "受理部门",
    "progress": "办理进度", "id_type": "证件类型", "education": "文化程度",
    "household_type": "户口性质",
}
_NAV = ("首页", "个人办事", "法人办事", "部门服务", "主题服务", "好差评", "我的空间")
_SIDEBAR = ("我的办件", "我的证照", "我的材料", "我的收藏", "我的评价", "消息中心", "账号设置")


@dataclass
class _Plan:
    seed: int
    primary: tuple[int, int, int]
    primary_dark: tuple[int, int, int]
    label_bg: tuple[int, int, int]
    border: tuple[int, int, int]
    label_fg: tuple[int, int, int]
    value_fg: tuple[int, int, int]
    page_bg: tuple[int, int, int]
    font_px: int
    colon: bool
    label_align: str                       # "right" | "left"
    labels: dict[str, str]                 # as drawn (with the colon if any)
    values: dict[str, str]
    sections: list[tuple[str, list[tuple[str, ...]]]]
    container_w: int
    sidebar_w: int
    label_w: int
    value1_w: int
    value2_w: int
    row_h: int
    pad: int
    lines: dict[str, list[str]]            # wrapped values (logical px at font_px)
    user: str
    tag: str
    active_nav: int
    url_id: str
    icp: str


def _portal_values(person: Person, rng: random.Random) -> dict[str, str]:
    values = person.to_fields()
    matter, department = rng.choice(_MATTERS)
    applied = date(2024, 1, 2) + timedelta(days=rng.randrange(540))
    age = applied.year - person.birth_date.year
    marital = "未婚" if age < 22 else rng.choices(("已婚", "未婚", "离异", "丧偶"), (70, 18, 9, 3))[0]
    n = rng.randrange(1, 99999)
    case_number = (f"LY{applied:%Y%m%d}{n:05d}" if rng.random() < 0.5
                   else f"{person.area_code[:4]}00-{applied:%y%m%d}-{n:05d}")
    values.update(matter=matter, department=department, apply_date=applied.isoformat(),
                  case_number=case_number, progress=rng.choice(_PROGRESS),
                  marital_status=marital, id_type="居民身份证",
                  education=rng.choice(_EDUCATION), household_type=rng.choice(_HOUSEHOLD))
    return values


def portal_values(person: Person, seed: int = 0) -> dict[str, str]:
    """What `render_portal_page(person, seed=seed)` shows (its `truth`), without drawing:
    the sandbox gateways hold the page's marital status as their record of it."""
    return _plan_start(person, seed)[-1]


def _plan_start(person: Person, seed: int) -> tuple[random.Random, tuple[Any, Any], int, bool,
                                                    dict[str, str], dict[str, str]]:
    # The first draws of a plan, shared with portal_values so that the two cannot drift.
    rng = random.Random(f"portal:{person.seed}:{seed}")
    theme = rng.choice(_THEMES)
    font_px = rng.choice((14, 15, 15, 16))
    colon = rng.random() < 0.6
    labels = dict(_LABELS)
    labels["address"] = rng.choice(_ADDRESS_LABELS)
    if colon:
        labels = {k: v + "：" for k, v in labels.items()}
    return rng, theme, font_px, colon, labels, _portal_values(person, rng)


def _plan(person: Person, seed: int) -> _Plan:
    rng, (primary, primary_dark), font_px, colon, labels, values = _plan_start(person, seed)

    case_rows: list[tuple[str, ...]] = [("case_number", "apply_date"), ("matter",),
                                        ("department", "progress")]
    rng.shuffle(case_rows)
    key_rows: list[tuple[str, ...]] = [("applicant_name", "gender"), ("ethnicity", "birth_date"),
                                       ("id_number", "phone"), ("address", "postcode"),
                                       ("employer",), ("credit_code", "email")]
    extra_rows: list[tuple[str, ...]] = [("id_type", "marital_status"), ("education", "household_type")]
    rng.shuffle(extra_rows)
    applicant = key_rows + extra_rows if rng.random() < 0.7 else key_rows[:3] + extra_rows[:1] + key_rows[3:] + extra_rows[1:]
    sections = [("办件信息", case_rows), ("申请人信息", applicant)]
    if rng.random() < 0.4:
        sections.reverse()

    container_w = rng.randrange(1180, 1290, 10)
    sidebar_w = rng.randrange(200, 236, 4)
    pad = 12
    table_w = container_w - sidebar_w - 20 - 48
    # Widths are planned in logical pixels with the fonts of both the picture and
    # the HTML page (15 px), so the address wraps in both.
    fonts = [_font("sans", font_px), _font("sans", 15)]
    label_w = max(rng.randrange(136, 176, 2),
                  int(max(f.getlength(t) for f in fonts for t in labels.values())) + 2 * pad + 4)
    left = [f for row in applicant + case_rows if len(row) == 2 for f in row[:1] if f != "address"]
    right = [row[1] for row in applicant + case_rows if len(row) == 2]
    max_left = max(f.getlength(values[k]) for f in fonts for k in left)
    max_right = max(f.getlength(values[k]) for f in fonts for k in right)
    addr_w = [f.getlength(values["address"]) for f in fonts]
    big = max(font_px, 15)
    # two lines exactly: wider than half the address (plus a character), narrower
    # than all of it (minus two characters)
    lo = max(int(max_left) + 2 * pad + 10, math.ceil(max(addr_w) / 2) + 2 * pad + big)
    hi = int(min(addr_w)) + 2 * pad - 2 * big
    if lo > hi:  # pragma: no cover - people.py keeps addresses long and left values short
        raise AssertionError(f"no address cell width wraps {values['address']!r}")
    room = table_w - 2 * label_w - int(max_right) - 2 * pad - 10   # the most value1 may take
    if room < lo:                                   # widen the page's content column
        grow = math.ceil((lo - room) / 10) * 10
        container_w += grow
        table_w += grow
        room += grow
    value1_w = rng.randint(lo, min(hi, room))
    value2_w = table_w - 2 * label_w - value1_w
    assert value2_w >= max_right + 2 * pad, "right-hand values do not fit"
    font = _font("sans", font_px)
    lines = {k: _wrap(v, font, (value2_w if k in right else value1_w) - 2 * pad) for k, v in values.items()}
    for row in applicant + case_rows:              # spanning rows have the whole width
        if len(row) == 1:
            lines[row[0]] = _wrap(values[row[0]], font, table_w - label_w - 2 * pad)
    masked = person.name[0] + "*" * (len(person.name) - 1)
    return _Plan(
        seed=seed, primary=primary, primary_dark=primary_dark, label_bg=rng.choice(_LABEL_BGS),
        border=rng.choice(_BORDERS), label_fg=rng.choice(_LABEL_FGS),
        value_fg=rng.choice(_VALUE_FGS), page_bg=rng.choice(_PAGE_BGS), font_px=font_px,
        colon=colon, label_align="right" if rng.random() < 0.6 else "left", labels=labels,
        values=values, sections=sections, container_w=container_w, sidebar_w=sidebar_w,
        label_w=label_w, value1_w=value1_w, value2_w=value2_w,
        row_h=rng.choice((40, 42, 44)) + (font_px - 15) * 2, pad=pad, lines=lines,
        user=masked, tag=rng.choice(("网上申报", "窗口受理", "自助终端")), active_nav=6,
        url_id="".join(rng.choice("0123456789abcdef") for _ in range(16)),
        icp=f"闽ICP备{rng.randrange(10 ** 7, 10 ** 8)}号")


# --------------------------------------------------------------------------- portal page

def render_portal_page(person: Person, *, scale: float = 1.0, seed: int = 0) -> Source:
    """A screenshot-like 1920×1080 picture (× scale) of the citizen portal's case detail
    page for `person`. `seed` varies the layout and colours; the same arguments give the
    same pixels."""
    if not 0.5 <= scale <= 4:
        raise ValueError(f"scale must be between 0.5 and 4, not {scale}")
    plan = _plan(person, seed)
    W, H = round(PORTAL_SIZE[0] * scale), round(PORTAL_SIZE[1] * scale)

    def S(v: float) -> int:
        return round(v * scale)

    def F(kind: str, px: float) -> ImageFont.FreeTypeFont:
        return _font(kind, px * scale)

    img = Image.new("RGB", (W, H), plan.page_bg)
    d = ImageDraw.Draw(img)
    white = (255, 255, 255)
    cx0 = (PORTAL_SIZE[0] - plan.container_w) // 2
    cx1 = cx0 + plan.container_w

    # Browser chrome: a tab strip and the address bar.
    d.rectangle((0, 0, W, S(36)), fill=(222, 225, 230))
    d.rounded_rectangle((S(8), S(6), S(250), S(40)), radius=S(8), fill=white)
    d.ellipse((S(20), S(15), S(36), S(31)), fill=plan.primary)
    d.text((S(28), S(23)), "e", font=F("sans_bold", 11), fill=white, anchor="mm")
    d.text((S(44), S(23)), PORTAL_TITLE, font=F("sans", 12), fill=(60, 64, 67), anchor="lm")
    d.text((S(234), S(23)), "×", font=F("symbols", 13), fill=(95, 99, 104), anchor="mm")
    d.text((S(270), S(21)), "+", font=F("symbols", 18), fill=(95, 99, 104), anchor="mm")
    d.rectangle((0, S(36), W, S(78)), fill=white)
    for i, glyph in enumerate(("←", "→", "↻")):
        d.text((S(26 + 34 * i), S(57)), glyph, font=F("symbols", 18), fill=(95, 99, 104), anchor="mm")
    d.rounded_rectangle((S(120), S(42), S(1780), S(72)), radius=S(15), fill=(241, 243, 244))
    d.rounded_rectangle((S(138), S(52), S(148), S(63)), radius=S(2), outline=(95, 99, 104), width=max(1, S(1.5)))
    d.text((S(160), S(57)), f"https://e.longyan.gov.cn/portal/#/personal/case/detail?id={plan.url_id}",
           font=F("sans", 13), fill=(32, 33, 36), anchor="lm")
    d.line((0, S(78), W, S(78)), fill=(218, 220, 224), width=max(1, S(1)))

    # Site header and navigation.
    top = S(79)
    header = Image.new("RGB", (W, S(72)), plan.primary)
    header.paste(Image.new("RGB", (W, S(72)), plan.primary_dark), (0, 0),
                 Image.linear_gradient("L").rotate(90).resize((W, S(72))).point(lambda v: v * 0.8))
    img.paste(header, (0, top))
    mid = top + S(36)
    d.ellipse((S(cx0), mid - S(22), S(cx0 + 44), mid + S(22)), fill=white)
    d.text((S(cx0 + 22), mid - S(2)), "e", font=F("sans_bold", 28), fill=plan.primary, anchor="mm")
    d.text((S(cx0 + 56), mid), "e龙岩", font=F("sans_bold", 26), fill=white, anchor="lm")
    tw = d.textlength("e龙岩", font=F("sans_bold", 26))
    d.line((S(cx0 + 56) + tw + S(14), mid - S(12), S(cx0 + 56) + tw + S(14), mid + S(12)),
           fill=(255, 255, 255), width=max(1, S(1)))
    d.text((S(cx0 + 56) + tw + S(28), mid), "龙岩市网上办事大厅", font=F("sans", 17), fill=white, anchor="lm")
    d.text((S(cx1), mid), f"您好，{plan.user}　|　个人中心　|　退出", font=F("sans", 14),
           fill=white, anchor="rm")
    nav_top = top + S(72)
    d.rectangle((0, nav_top, W, nav_top + S(46)), fill=white)
    d.line((0, nav_top + S(46), W, nav_top + S(46)), fill=(226, 229, 234), width=max(1, S(1)))
    x = S(cx0)
    for i, item in enumerate(_NAV):
        f = F("sans", 16)
        w = d.textlength(item, font=f)
        active = i == plan.active_nav
        d.text((x, nav_top + S(23)), item, font=f, fill=plan.primary if active else (51, 51, 51), anchor="lm")
        if active:
            d.rectangle((x, nav_top + S(43), x + w, nav_top + S(46)), fill=plan.primary)
        x += w + S(44)

    # Breadcrumb, sidebar.
    body_top = 79 + 72 + 46
    d.text((S(cx0), S(body_top + 24)), "当前位置：首页 > 我的空间 > 我的办件 > 办件详情",
           font=F("sans", 13), fill=(134, 144, 156), anchor="lm")
    panel_top = body_top + 46
    sb = (S(cx0), S(panel_top), S(cx0 + plan.sidebar_w), S(panel_top + 50 + 48 * len(_SIDEBAR)))
    d.rectangle(sb, fill=white, outline=(230, 232, 236))
    d.rectangle((sb[0], sb[1], sb[2], sb[1] + S(50)), fill=plan.primary)
    d.text((sb[0] + S(20), sb[1] + S(25)), "我的空间", font=F("sans_bold", 16), fill=white, anchor="lm")
    for i, item in enumerate(_SIDEBAR):
        y0 = sb[1] + S(50 + 48 * i)
        if i == 0:
            light = tuple(round(c * 0.1 + 255 * 0.9) for c in plan.primary)
            d.rectangle((sb[0] + 1, y0, sb[2] - 1, y0 + S(48)), fill=light)
            d.rectangle((sb[0] + 1, y0, sb[0] + S(4), y0 + S(48)), fill=plan.primary)
        d.text((sb[0] + S(28), y0 + S(24)), item, font=F("sans", 15),
               fill=plan.primary if i == 0 else (70, 76, 84), anchor="lm")

    # The detail panel.
    mx0 = cx0 + plan.sidebar_w + 20
    panel_bottom = _panel_bottom(plan, panel_top)
    assert panel_bottom < PORTAL_SIZE[1] - 52, "the detail panel does not fit on the page"
    panel = (S(mx0), S(panel_top), S(cx1), S(panel_bottom))
    d.rectangle(panel, fill=white, outline=(230, 232, 236), width=max(1, S(1)))
    d.line((S(mx0 + 1), S(panel_top + 60), S(cx1 - 1), S(panel_top + 60)), fill=(235, 237, 240),
           width=max(1, S(1)))
    tx0 = mx0 + 24
    table_w = plan.label_w * 2 + plan.value1_w + plan.value2_w
    title_f = F("sans_bold", 19)
    d.text((S(tx0), S(panel_top + 30)), "办件详情", font=title_f, fill=(31, 35, 41), anchor="lm")
    tag_x = S(tx0) + d.textlength("办件详情", font=title_f) + S(14)
    tag_f = F("sans", 12)
    tag_w = d.textlength(plan.tag, font=tag_f) + S(16)
    light = tuple(round(c * 0.12 + 255 * 0.88) for c in plan.primary)
    d.rounded_rectangle((tag_x, S(panel_top + 19), tag_x + tag_w, S(panel_top + 41)), radius=S(3),
                        fill=light, outline=plan.primary)
    d.text((tag_x + tag_w / 2, S(panel_top + 30)), plan.tag, font=tag_f, fill=plan.primary, anchor="mm")

    label_boxes: dict[str, Box] = {}
    value_boxes: dict[str, Box] = {}
    value_lines: dict[str, list[Box]] = {}
    fs = plan.font_px
    lf = F("sans", fs)
    vf = F("sans", fs)
    line_h = round(fs * 1.6)
    y = panel_top + 60 + 14
    rows_drawn = []
    for title, rows in plan.sections:
        d.rectangle((S(tx0), S(y + 2), S(tx0 + 4), S(y + 20)), fill=plan.primary)
        d.text((S(tx0 + 12), S(y + 11)), title, font=F("sans_bold", 16), fill=(31, 35, 41), anchor="lm")
        y += 34
        table_top = y
        for row in rows:
            rh = _row_height(plan, row)
            if len(row) == 2:
                cells = [(row[0], tx0, plan.value1_w), (row[1], tx0 + plan.label_w + plan.value1_w, plan.value2_w)]
            else:
                cells = [(row[0], tx0, table_w - plan.label_w)]
            for name, cx, vw in cells:
                d.rectangle((S(cx), S(y), S(cx + plan.label_w), S(y + rh)), fill=plan.label_bg)
                ymid = S(y + rh / 2)
                text = plan.labels[name]
                if plan.label_align == "right":
                    pos, anchor = (S(cx + plan.label_w - plan.pad), ymid), "rm"
                else:
                    pos, anchor = (S(cx + plan.pad + 4), ymid), "lm"
                d.text(pos, text, font=lf, fill=plan.label_fg, anchor=anchor)
                label_boxes[name] = _ibox(d.textbbox(pos, text, font=lf, anchor=anchor))
                lines = plan.lines[name]
                first = y + rh / 2 - (len(lines) - 1) * line_h / 2
                boxes = []
                for i, line in enumerate(lines):
                    pos = (S(cx + plan.label_w + plan.pad), S(first + i * line_h))
                    d.text(pos, line, font=vf, fill=plan.value_fg, anchor="lm")
                    boxes.append(_ibox(d.textbbox(pos, line, font=vf, anchor="lm")))
                value_lines[name] = boxes
                value_boxes[name] = _union(boxes)
            rows_drawn.append((y, rh, len(row)))
            y += rh
        # Grid lines over the cell fills.
        lw = max(1, S(1))
        d.rectangle((S(tx0), S(table_top), S(tx0 + table_w), S(y)), outline=plan.border, width=lw)
        for ry, rh, n in rows_drawn:
            d.line((S(tx0), S(ry), S(tx0 + table_w), S(ry)), fill=plan.border, width=lw)
            xs = [tx0 + plan.label_w] + ([tx0 + plan.label_w + plan.value1_w,
                                           tx0 + 2 * plan.label_w + plan.value1_w] if n == 2 else [])
            for xv in xs:
                d.line((S(xv), S(ry), S(xv), S(ry + rh)), fill=plan.border, width=lw)
        rows_drawn.clear()
        y += 22

    # Buttons, panel frame, footer.
    by = y + 4
    bf = F("sans", 14)
    bx = tx0 + table_w
    for text, filled in (("打印受理回执", True), ("返回", False)):
        w = d.textlength(text, font=bf) / scale + 36
        box = (S(bx - w), S(by), S(bx), S(by + 34))
        d.rounded_rectangle(box, radius=S(4), fill=plan.primary if filled else white,
                            outline=plan.primary if filled else (200, 204, 210))
        d.text(((box[0] + box[2]) / 2, (box[1] + box[3]) / 2), text, font=bf,
               fill=white if filled else (70, 76, 84), anchor="mm")
        bx -= w + 12
    assert abs(by + 34 + 24 - panel_bottom) < 1e-6
    d.rectangle((0, S(PORTAL_SIZE[1] - 52), W, H), fill=(48, 54, 64))
    d.text((W / 2, S(PORTAL_SIZE[1] - 26)),
           f"主办单位：龙岩市人民政府办公室　　技术支持：龙岩市大数据服务中心　　{plan.icp}",
           font=F("sans", 13), fill=(180, 186, 196), anchor="mm")

    truth = {k: "".join(plan.lines[k]) for k in value_boxes}
    assert all(truth[k] == plan.values[k] for k in truth)
    return Source(image=img, truth=truth, label_boxes=label_boxes, value_boxes=value_boxes,
                  kind="portal_page", labels={k: plan.labels[k] for k in value_boxes},
                  shown=dict(truth), value_lines=value_lines,
                  meta={"seed": seed, "scale": scale, "person_seed": person.seed,
                        "font_px": plan.font_px, "fonts": {"sans": find_font("sans")[0]}})


def _row_height(plan: _Plan, row: tuple[str, ...]) -> float:
    n_lines = max(len(plan.lines[f]) for f in row)
    return plan.row_h + (n_lines - 1) * round(plan.font_px * 1.6)


def _panel_bottom(plan: _Plan, panel_top: int) -> float:
    y = panel_top + 60 + 14
    for _, rows in plan.sections:
        y += 34 + sum(_row_height(plan, r) for r in rows) + 22
    return y + 4 + 34 + 24


# --------------------------------------------------------------------------- HTML

def portal_html(person: Person, seed: int = 0) -> str:
    """The same case detail page as `render_portal_page(person, seed=seed)` as an HTML
    document (UTF-8, lang zh-CN, 15 px text): same labels, values, row order, colours."""
    plan = _plan(person, seed)

    def rgb(c: tuple[int, int, int]) -> str:
        return "#%02x%02x%02x" % c

    parts = []
    for title, rows in plan.sections:
        parts.append(f'<h3 class="sec">{escape(title)}</h3>\n<table class="detail">'
                     f'<colgroup><col style="width:{plan.label_w}px"><col style="width:{plan.value1_w}px">'
                     f'<col style="width:{plan.label_w}px"><col style="width:{plan.value2_w}px"></colgroup>')
        for row in rows:
            cells = []
            for i, name in enumerate(row):
                span = ' colspan="3"' if len(row) == 1 else ""
                cells.append(f'<th data-field="{name}">{escape(plan.labels[name])}</th>'
                             f'<td id="f-{name}" data-field="{name}"{span}>{escape(plan.values[name])}</td>')
            parts.append("<tr>" + "".join(cells) + "</tr>")
        parts.append("</table>")
    nav = "".join(f'<a class="{"on" if i == plan.active_nav else ""}">{escape(t)}</a>' for i, t in enumerate(_NAV))
    side = "".join(f'<li class="{"on" if i == 0 else ""}">{escape(t)}</li>' for i, t in enumerate(_SIDEBAR))
    table_w = plan.label_w * 2 + plan.value1_w + plan.value2_w
    template = string.Template(TEMPLATE.read_text(encoding="utf-8"))
    return template.substitute(
        title=escape(PORTAL_TITLE), primary=rgb(plan.primary), primary_dark=rgb(plan.primary_dark),
        label_bg=rgb(plan.label_bg), border=rgb(plan.border), label_fg=rgb(plan.label_fg),
        value_fg=rgb(plan.value_fg), page_bg=rgb(plan.page_bg), container_w=plan.container_w,
        sidebar_w=plan.sidebar_w, table_w=table_w, label_align=plan.label_align,
        row_h=plan.row_h, user=escape(plan.user), tag=escape(plan.tag), nav=nav, sidebar=side,
        sections="\n".join(parts), icp=escape(plan.icp))


def show_image_argv(path: str | Path, title: str) -> list[str]:
    """A command line that shows the PNG at `path` 1:1 in a plain window titled `title`
    (app/sandbox/image_viewer.py); it prints READY on stdout once the picture is on screen."""
    return [sys.executable, "-m", "app.sandbox.image_viewer", "--title", title, str(path)]


# --------------------------------------------------------------------------- ID card

_CARD_BACKDROP = (196, 199, 203)


@functools.lru_cache(maxsize=8)
def _card_background(variant: int) -> Image.Image:
    """The card's light guilloche background with rounded corners on a grey backdrop."""
    import numpy as np

    W, H = CARD_SIZE
    r = random.Random(f"card-bg:{variant}")
    ph1, ph2, ph3 = (r.uniform(0, 6.28) for _ in range(3))
    x = np.arange(W, dtype=np.float32)[None, :]
    y = np.arange(H, dtype=np.float32)[:, None]
    # base: a soft diagonal gradient, pale green-blue at the top, paler lower down
    t = x / W * 0.4 + y / H * 0.6                                    # H×W
    shift = r.uniform(-3, 3)
    top = (226 + shift, 236 + shift, 236)
    bottom = (240 + shift, 242 + shift, 236)
    # two families of fine wavy lines (guilloche), and a faint rosette
    v1 = np.sin(x * 0.085 + 2.4 * np.sin(y * 0.018 + ph1))
    v2 = np.sin(y * 0.11 + 2.0 * np.sin(x * 0.011 + ph2))
    lines = np.clip(1 - np.abs(v1) / 0.10, 0, 1) * 0.55 + np.clip(1 - np.abs(v2) / 0.09, 0, 1) * 0.45
    cx, cy = W * 0.42, H * 0.47
    rr = np.hypot(x - cx, y - cy)
    ang = np.arctan2(y - cy, x - cx)
    rosette = np.clip(1 - np.abs(np.sin(rr * 0.12 + 6 * np.sin(ang * 12 + ph3) * np.exp(-rr / 260))) / 0.12, 0, 1)
    rosette *= np.exp(-((rr - 150) / 120) ** 2) * 0.6
    ink = (150, 190, 196)
    amount = lines * np.float32(0.22) + rosette * np.float32(0.18)
    channels = []
    for c in range(3):       # channel by channel: 2-D float32 arithmetic is several times faster
        base = np.float32(top[c]) + np.float32(bottom[c] - top[c]) * t
        channels.append(np.clip(base + (np.float32(ink[c]) - base) * amount, 0, 255).astype(np.uint8))
    card = Image.fromarray(np.dstack(channels), "RGB")
    mask = Image.new("L", CARD_SIZE, 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, W - 1, H - 1), radius=34, fill=255)
    out = Image.new("RGB", CARD_SIZE, _CARD_BACKDROP)
    out.paste(card, (0, 0), mask)
    return out


def _photo(size: tuple[int, int], tone: int) -> Image.Image:
    """A head-and-shoulders placeholder where the card's photo is, clipped to its box."""
    w, h = size
    bg = (232 + tone, 237 + tone, 242)
    img = Image.new("RGB", size, bg)
    d = ImageDraw.Draw(img)
    cx = w / 2
    cloth = (112 + tone, 120 + tone, 132 + tone)
    skin = (186 + tone, 190 + tone, 196 + tone)
    d.ellipse((cx - w * 0.46, h * 0.74, cx + w * 0.46, h * 1.45), fill=cloth)          # shoulders
    d.polygon([(cx - w * 0.10, h * 0.72), (cx + w * 0.10, h * 0.72), (cx, h * 0.86)], fill=skin)
    d.rectangle((cx - w * 0.085, h * 0.50, cx + w * 0.085, h * 0.76), fill=skin)         # neck
    d.ellipse((cx - w * 0.20, h * 0.16, cx + w * 0.20, h * 0.60), fill=skin)            # face
    d.chord((cx - w * 0.215, h * 0.12, cx + w * 0.215, h * 0.50), 180, 360, fill=(58, 60, 64))  # hair
    return img.filter(ImageFilter.GaussianBlur(1.2))


def render_id_card(person: Person, *, seed: int = 0, blur: float = 0.0, noise: float = 0.0,
                   jpeg_quality: int | None = None, rotate_deg: float = 0.0,
                   tilt_deg: float = 0.0, glare: float = 0.0) -> Source:
    """The front of a 2nd-generation resident ID card for `person`, 856×540 px.

    Degradations, applied in this order: `rotate_deg` (counter-clockwise, about the
    centre, size kept, corners filled with the backdrop grey), `tilt_deg` (a photo taken
    from the side: the card turned about its vertical axis, the right edge farther away
    for a positive angle, so rows converge), `glare` (0-1: a lamp's reflection, a bright
    patch over part of the text, placed by the seed), `blur` (Gaussian radius in px),
    `noise` (standard deviation of Gaussian pixel noise, in 8-bit levels),
    `jpeg_quality` (a JPEG round trip). Boxes follow the rotation and the tilt. The noise
    is grey (the same in R, G and B), like a scanner's or a phone camera's luminance noise.
    """
    rng = random.Random(f"card:{person.seed}:{seed}")
    img = _card_background(rng.randrange(8)).copy()
    d = ImageDraw.Draw(img)
    dx, dy = rng.randint(-5, 5), rng.randint(-4, 4)
    label_fg = (rng.randint(48, 70), rng.randint(122, 140), rng.randint(180, 200))
    value_fg = (rng.randint(10, 26),) * 3
    lf = _font("sans", 21)
    vf = _font("serif", 26)
    nf = _font("serif", 28)
    idf = _font("mono", 31)

    label_boxes: dict[str, Box] = {}
    value_boxes: dict[str, Box] = {}
    value_lines: dict[str, list[Box]] = {}
    labels = {"applicant_name": "姓名", "gender": "性别", "ethnicity": "民族", "birth_date": "出生",
              "address": "住址", "id_number": "公民身份号码"}
    lx, vx = 62 + dx, 150 + dx

    def label(name: str, x: float, y: float) -> None:
        d.text((x, y), labels[name], font=lf, fill=label_fg, anchor="ls")
        label_boxes[name] = _ibox(d.textbbox((x, y), labels[name], font=lf, anchor="ls"))

    def value(name: str, x: float, y: float, text: str, font: ImageFont.FreeTypeFont) -> None:
        d.text((x, y), text, font=font, fill=value_fg, anchor="ls")
        box = _ibox(d.textbbox((x, y), text, font=font, anchor="ls"))
        value_lines.setdefault(name, []).append(box)
        value_boxes[name] = _union(value_lines[name])

    base = 92 + dy                         # baselines, 64 px apart as on the card
    label("applicant_name", lx, base)
    value("applicant_name", vx, base + 1, person.name, nf)
    label("gender", lx, base + 64)
    value("gender", vx, base + 64, person.gender, vf)
    label("ethnicity", 258 + dx, base + 64)
    value("ethnicity", 346 + dx, base + 64, person.ethnicity_short, vf)
    label("birth_date", lx, base + 128)
    b = person.birth_date
    x = vx
    for part, is_value in ((str(b.year), True), ("年", False), (str(b.month), True), ("月", False),
                           (str(b.day), True), ("日", False)):
        if is_value:
            value("birth_date", x, base + 128, part, vf)
            x += d.textlength(part, font=vf) + 12
        else:
            d.text((x, base + 128), part, font=lf, fill=label_fg, anchor="ls")
            box = _ibox(d.textbbox((x, base + 128), part, font=lf, anchor="ls"))
            value_boxes["birth_date"] = _union([value_boxes["birth_date"], box])
            x += d.textlength(part, font=lf) + 14
    value_lines["birth_date"] = [value_boxes["birth_date"]]
    label("address", lx, base + 192)
    per_line = rng.choice((11, 12))
    address_lines = _wrap(person.address, vf, per_line * 26 + 1)
    assert len(address_lines) <= 3, person.address
    for i, line in enumerate(address_lines):
        value("address", vx, base + 192 + i * 40, line, vf)
    id_base = 462 + dy
    label("id_number", lx, id_base - 2)
    x = 292 + dx
    pitch = 25.5
    boxes = []
    for i, ch in enumerate(person.id_number):
        d.text((x + i * pitch, id_base), ch, font=idf, fill=value_fg, anchor="ls")
        boxes.append(_ibox(d.textbbox((x + i * pitch, id_base), ch, font=idf, anchor="ls")))
    value_boxes["id_number"] = _union(boxes)
    value_lines["id_number"] = [value_boxes["id_number"]]
    img.paste(_photo((230, 290), rng.randint(-6, 4)), (566 + dx, 64 + dy))

    truth = {"applicant_name": person.name, "gender": person.gender, "ethnicity": person.ethnicity,
             "birth_date": b.isoformat(), "address": person.address, "id_number": person.id_number}
    shown = {"applicant_name": person.name, "gender": person.gender,
             "ethnicity": person.ethnicity_short, "birth_date": f"{b.year}年{b.month}月{b.day}日",
             "address": "".join(address_lines), "id_number": person.id_number}

    img, label_boxes, value_boxes, value_lines = _degrade(
        img, label_boxes, value_boxes, value_lines, seed=rng.randrange(2 ** 31), blur=blur,
        noise=noise, jpeg_quality=jpeg_quality, rotate_deg=rotate_deg, tilt_deg=tilt_deg,
        glare=glare)
    return Source(image=img, truth=truth, label_boxes=label_boxes, value_boxes=value_boxes,
                  kind="id_card", labels=labels, shown=shown, value_lines=value_lines,
                  meta={"seed": seed, "person_seed": person.seed, "blur": blur, "noise": noise,
                        "jpeg_quality": jpeg_quality, "rotate_deg": rotate_deg,
                        "tilt_deg": tilt_deg, "glare": glare,
                        "fonts": {k: find_font(k)[0] for k in ("sans", "serif", "mono")}})


def _degrade(img: Image.Image, label_boxes: dict[str, Box], value_boxes: dict[str, Box],
             value_lines: dict[str, list[Box]], *, seed: int, blur: float, noise: float,
             jpeg_quality: int | None, rotate_deg: float, tilt_deg: float = 0.0,
             glare: float = 0.0):
    moves = []
    if rotate_deg:
        W, H = img.size
        img = img.rotate(rotate_deg, resample=Image.Resampling.BILINEAR, expand=False,
                         fillcolor=_CARD_BACKDROP)
        moves.append(_rotator(rotate_deg, W, H))
    if tilt_deg:
        img, tilt = _tilted(img, tilt_deg)
        moves.append(tilt)
    for move in moves:
        label_boxes = {k: move(b) for k, b in label_boxes.items()}
        value_boxes = {k: move(b) for k, b in value_boxes.items()}
        value_lines = {k: [move(b) for b in v] for k, v in value_lines.items()}
    if glare > 0:
        img = _glare(img, glare, random.Random(seed))
    if blur > 0:
        img = img.filter(ImageFilter.GaussianBlur(blur))
    if noise > 0:            # grey (luminance) noise: a third of the cost of per-channel noise
        import numpy as np
        z = np.random.default_rng(seed).standard_normal((img.height, img.width), dtype=np.float32)
        grain = Image.fromarray(np.clip(z * np.float32(noise) + np.float32(128.5), 0, 255)
                                .astype(np.uint8), "L").convert("RGB")
        img = ImageChops.add(img, grain, 1.0, -128)
    if jpeg_quality is not None:
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=int(jpeg_quality))
        buf.seek(0)
        img = Image.open(buf).convert("RGB")
    return img, label_boxes, value_boxes, value_lines


def _tilted(img: Image.Image, deg: float):
    """`img` as seen with the card turned `deg` about its vertical axis (a pinhole camera
    at 2.5 card widths), and the map of a box into the new picture."""
    import numpy as np
    W, H = img.size
    t = math.radians(deg)
    dist = 2.5 * W
    # the card's corners in 3-D (centre at the origin), turned, then projected
    corners = [(-W / 2, -H / 2), (W / 2, -H / 2), (W / 2, H / 2), (-W / 2, H / 2)]
    dst = []
    for x, y in corners:
        xr, zr = x * math.cos(t), x * math.sin(t)
        f = dist / (dist + zr)
        dst.append((W / 2 + xr * f, H / 2 + y * f))
    src = [(0, 0), (W, 0), (W, H), (0, H)]

    def homography(a: list, b: list) -> "np.ndarray":
        rows, rhs = [], []
        for (x, y), (u, v) in zip(a, b):
            rows += [[x, y, 1, 0, 0, 0, -u * x, -u * y], [0, 0, 0, x, y, 1, -v * x, -v * y]]
            rhs += [u, v]
        return np.append(np.linalg.solve(np.array(rows, float), np.array(rhs, float)), 1.0).reshape(3, 3)

    back = homography(dst, src)        # PIL maps each output pixel back to its source
    out = img.transform(img.size, Image.Transform.PERSPECTIVE, tuple(back.flatten()[:8]),
                        resample=Image.Resampling.BICUBIC, fillcolor=_CARD_BACKDROP)
    fwd = homography(src, dst)

    def move(box: Box) -> Box:
        pts = [(box[0], box[1]), (box[2], box[1]), (box[0], box[3]), (box[2], box[3])]
        xs, ys = [], []
        for x, y in pts:
            u, v, w = fwd @ (x, y, 1.0)
            xs.append(u / w)
            ys.append(v / w)
        return (max(0, math.floor(min(xs))), max(0, math.floor(min(ys))),
                min(W, math.ceil(max(xs))), min(H, math.ceil(max(ys))))
    return out, move


def _glare(img: Image.Image, strength: float, rng: random.Random) -> Image.Image:
    """A bright, soft-edged reflection over part of the text side of the card."""
    import numpy as np
    W, H = img.size
    cx, cy = rng.uniform(0.2, 0.6) * W, rng.uniform(0.25, 0.75) * H
    rx, ry = rng.uniform(0.12, 0.22) * W, rng.uniform(0.12, 0.25) * H
    x = np.arange(W, dtype=np.float32)[None, :]
    y = np.arange(H, dtype=np.float32)[:, None]
    spot = np.exp(-(((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2)) * np.float32(min(1.0, strength))
    a = np.asarray(img, dtype=np.float32)
    a = a + (np.float32(255) - a) * spot[..., None]
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), "RGB")


def _rotator(deg: float, W: int, H: int):
    """Maps a box through PIL's rotate(deg) about the centre (counter-clockwise on screen)."""
    a = math.radians(deg)
    c, s = math.cos(a), math.sin(a)
    cx, cy = W / 2, H / 2

    def turn(box: Box) -> Box:
        pts = [(box[0], box[1]), (box[2], box[1]), (box[0], box[3]), (box[2], box[3])]
        xs = [cx + (x - cx) * c + (y - cy) * s for x, y in pts]
        ys = [cy - (x - cx) * s + (y - cy) * c for x, y in pts]
        return (max(0, math.floor(min(xs))), max(0, math.floor(min(ys))),
                min(W, math.ceil(max(xs))), min(H, math.ceil(max(ys))))
    return turn
