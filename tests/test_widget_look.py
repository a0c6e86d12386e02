"""A look at a radio group or check box without a tree (app/fill/widget_look.py): pure
logic on drawn pictures; the real Tk form is in tests/test_fill_toolkits.py."""
from __future__ import annotations

from PIL import Image, ImageDraw

from app.fill.widget_look import chosen_option, ink, ink_runs, split_options, tick_changed
from app.ocr.base import TextBox


def _group(chosen: int | None) -> Image.Image:
    """◇男 ◇女 as blocks: an indicator (filled when chosen), then a glyph."""
    img = Image.new("RGB", (100, 20), (220, 220, 220))
    d = ImageDraw.Draw(img)
    for i, x in enumerate((2, 52)):
        d.rectangle((x, 5, x + 9, 14), outline="black", fill="black" if i == chosen else None)
        d.rectangle((x + 16, 2, x + 30, 17), fill="black")
    return img


def test_one_box_over_a_radio_group_is_told_apart_by_its_ink():
    img = _group(1)
    box = TextBox("男女", 0.9, 0, 0, 100, 20)
    parts = split_options(box, ("男", "女"), img)
    assert parts is not None and set(parts) == {"男", "女"}
    (nan, n_ind), (nv, v_ind) = parts["男"], parts["女"]
    assert n_ind[0] < nan.x < v_ind[0] < nv.x
    inks = {o: ink(img.crop((r[0], r[1], r[0] + r[2], r[1] + r[3]))) for o, (_, r) in parts.items()}
    assert chosen_option(inks) == "女"
    assert len(ink_runs(img)) == 4


def test_what_is_not_clear_is_not_read():
    assert split_options(TextBox("男女", 0.9, 0, 0, 100, 20), ("未婚", "已婚"), _group(0)) is None
    assert chosen_option({"男": 36, "女": 36}) is None          # both empty: none chosen
    assert chosen_option({"男": 80}) is None                     # one option is no group
    assert tick_changed(40, 42) is None                          # too little change
    assert tick_changed(40, 90) is True and tick_changed(90, 40) is False
