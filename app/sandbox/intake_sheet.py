"""A printed intake sheet (受理登记表) as a source: one `label：value` line per field, in
the order given, with the labels a playbook reads (sample-qt-intake's are the sample
client's own: 申请人姓名, 性别 …). A value of several lines takes a line each.

    sheet = render_intake_sheet([("applicant_name", "申请人姓名", "张伟"), …])   a Source
"""
from __future__ import annotations

from PIL import Image, ImageDraw

from app.sandbox.drawing import font
from app.sandbox.sources import Source

__all__ = ["render_intake_sheet", "SHEET_WIDTH"]

SHEET_WIDTH = 1000
_TOP, _ROW, _LEFT, _VALUE_X, _PX = 90, 44, 40, 260, 22


def render_intake_sheet(rows: list[tuple[str, str, str]]) -> Source:
    """`rows`: (field name, label, value); a row whose value is "" is not printed."""
    rows = [r for r in rows if r[2]]
    lines = sum(len(v.split("\n")) for _n, _l, v in rows)
    image = Image.new("RGB", (SHEET_WIDTH, _TOP + _ROW * lines + 40), "white")
    draw = ImageDraw.Draw(image)
    draw.text((_LEFT, 30), "受理登记表（样例）", fill=(20, 40, 90), font=font("sans_bold", 28))
    f = font("sans", _PX)
    y = _TOP
    truth, labels, label_boxes, value_boxes = {}, {}, {}, {}
    for name, label, value in rows:
        text = f"{label}："
        label_boxes[name] = tuple(int(v) for v in draw.textbbox((_LEFT, y), text, font=f))
        draw.text((_LEFT, y), text, fill=(90, 90, 90), font=f)
        top = y
        for part in value.split("\n"):
            draw.text((_VALUE_X, y), part, fill=(0, 0, 0), font=f)
            y += _ROW
        value_boxes[name] = (_VALUE_X, top, SHEET_WIDTH - _LEFT, y - _ROW + _PX + 6)
        truth[name], labels[name] = value, label
    return Source(image, truth, label_boxes, value_boxes, "intake_sheet", labels=labels)
