"""Reading that refuses to guess, at its edges (issue 11): text cut off by what shows, values
the OCR engine was unsure of, a lone one-character value in a grid cell, a number OCR glued
to the next label, a label's end read twice, spaced labels behind a required mark, e-mail
addresses with something taken in from beside them. Pure logic on made-up OCR boxes, and
the real engine on corpus pages (app/sandbox/corpus.py) where pixels matter."""
from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from app.checks.field import check_value
from app.extract.doubt import unsure
from app.extract.fields import Extractor
from app.extract.ink import cell_edge, first_ink, ink_height, without_rules
from app.extract.labels import find_labels
from app.ocr.base import TextBox
from playbooks.model import FieldSpec, ReadSpec

UNSEEN = Path(__file__).resolve().parent / "fixtures" / "playbooks" / "unseen"


def box(text: str, x: int, y: int, w: int | None = None, h: int = 20) -> TextBox:
    return TextBox(text, 0.99, x, y, w if w is not None else 18 * len(text), h)


# ------------------------------------------------------------------ pure logic

def test_a_character_the_engine_was_unsure_of_is_named_with_what_else_it_saw():
    why = unsure("张晨或", (0.001, 0.002, 0.31), (("张",), ("晨",), ("或", "彧")))
    assert why is not None and "或" in why and "彧" in why
    assert unsure("张晨彧", (0.001, 0.002, 0.01), None) is None          # sure of each
    # only another form of the same character (traditional, full-width): no doubt
    assert unsure("城厢区", (0.0, 0.2, 0.0), (("城",), ("厢", "廂"), ("区",))) is None
    assert unsure("A1", (0.3, 0.0), (("A", "Ａ", "a"), ("1",))) is None
    assert unsure("abc", None, None) is None and unsure("abc", (0.5,), None) is None


def test_a_number_glued_to_the_next_label_is_cut_where_the_label_begins():
    fields = (FieldSpec(name="id_number", label="公民身份号码", type="id_number"),
              FieldSpec(name="phone", label="联系电话", type="phone"))
    boxes = [box("公民身份号码", 50, 100), box("350821199012304658联系电话", 170, 100, 230),
             box("18359096736", 480, 100)]
    ex = Extractor(boxes, fields)
    assert ex.read(fields[0]).value == "350821199012304658"
    assert ex.read(fields[1]).value == "18359096736"


def test_a_longer_label_that_ends_with_an_anchor_is_not_cut():
    fields = (FieldSpec(name="applicant_name", label="姓名"),
              FieldSpec(name="spouse_name", label="配偶姓名"))
    boxes = [box("姓名", 50, 100), box("李成杰", 120, 100), box("配偶姓名", 400, 100),
             box("马昊秀", 500, 100)]
    ex = Extractor(boxes, fields)
    assert ex.read(fields[0]).value == "李成杰" and ex.read(fields[1]).value == "马昊秀"


def test_the_end_of_a_label_read_twice_by_overlapping_boxes_is_not_the_value():
    fields = (FieldSpec(name="applicant_name", label="姓名"),)
    boxes = [box("姓名", 132, 289, 34), box("名李成杰", 158, 288, 73)]
    assert Extractor(boxes, fields).read(fields[0]).value == "李成杰"
    # without the overlap a value may begin with that character
    boxes = [box("姓名", 132, 289, 34), box("名李成杰", 190, 288, 73)]
    assert Extractor(boxes, fields).read(fields[0]).value == "名李成杰"


def test_a_colon_read_twice_is_not_the_values():
    fields = (FieldSpec(name="phone", label="联系电话", type="phone"),)
    boxes = [box("联系电话：", 840, 187, 67), box("：15308836761", 899, 187, 111)]
    assert Extractor(boxes, fields).read(fields[0]).value == "15308836761"


def test_a_spaced_label_behind_a_required_mark_is_joined():
    hits = find_labels([box("*姓", 56, 286, 34), box("名:", 112, 287, 30), box("高芳颖", 166, 288)],
                       "姓名")
    assert len(hits) == 1 and hits[0].box.x == 56 and hits[0].rest is None


def test_an_email_with_a_character_taken_in_from_beside_it_is_not_ok():
    assert check_value("text", "百400611093@qq.com").status == "invalid"
    assert check_value("text", "400611093@qq.com").status == "ok"
    assert check_value("text", "huang.jy_85@foxmail.com").status == "ok"
    assert check_value("text", "龙岩市永安印务有限公司").status == "ok"
    # a remark that mentions an @ among other text is no address
    assert check_value("text", "请联系 张伟@办公室 或拨打电话").status == "ok"
    assert check_value("text", "取服a复２北材验！办市@龙岩" * 50).status == "ok"


# ------------------------------------------------------------------ pixels

def _line(text_y: int, cover_to: int | None = None) -> tuple[Image.Image, TextBox]:
    """A label drawn at `text_y`; a dark band over the page down to `cover_to`."""
    from app.sandbox.drawing import font
    img = Image.new("RGB", (400, 120), "white")
    d = ImageDraw.Draw(img)
    d.text((20, text_y), "公民身份号码", fill="black", font=font("sans", 20))
    if cover_to is not None:
        d.rectangle((0, 0, 399, cover_to), fill=(64, 158, 255))
    return img, TextBox("公民身份号码", 0.99, 18, text_y - 2, 126, 28)


def test_ink_height_and_what_covers_a_line():
    img, b = _line(50)
    height, covered = ink_height(img, b)
    assert 15 <= height <= 24 and not covered
    img, b = _line(50, cover_to=58)              # a fixed header over the top of the line
    height2, covered2 = ink_height(img, b)
    assert covered2 and height2 < height


def test_grid_lines_are_painted_over_and_the_first_text_found():
    img = Image.new("RGB", (200, 40), "white")
    d = ImageDraw.Draw(img)
    d.line((10, 0, 10, 39), fill=(200, 200, 200), width=1)       # a cell border
    d.line((0, 38, 199, 38), fill=(200, 200, 200), width=1)
    from app.sandbox.drawing import font
    d.text((60, 8), "1", fill="black", font=font("sans", 20))
    clean = without_rules(img)
    left, top, right, bottom = first_ink(clean, gap=20)
    assert 58 <= left <= 64 and right - left < 14
    assert first_ink(without_rules(Image.new("RGB", (50, 20), "white")), gap=10) is None


def test_the_end_of_a_labels_cell():
    img = Image.new("RGB", (400, 40), "white")
    d = ImageDraw.Draw(img)
    d.rectangle((0, 0, 150, 39), fill=(245, 245, 245))          # a grey label cell
    label = TextBox("性别", 0.99, 20, 10, 40, 20)
    assert cell_edge(img, label, 300) in range(150, 153)
    plain = Image.new("RGB", (400, 40), "white")
    assert cell_edge(plain, label, 300) is None


# ------------------------------------------------------------------ the real engine

@pytest.fixture(scope="module")
def engine():
    pytest.importorskip("rapidocr_onnxruntime", reason="the default OCR engine is not installed")
    from app.ocr import open_engine
    e = open_engine("rapidocr")
    e.load()
    return e


def _read(kind: str, i: int, engine):
    from app.capture.read import read_source
    from app.sandbox.corpus import sample
    from playbooks.loader import load_playbook
    src = sample(kind, i)
    pb = load_playbook(UNSEEN / f"{src.meta['playbook']}.yaml")
    return src, read_source(pb, src.image, engine).case.fields


@pytest.mark.parametrize("i", [9, 11])      # under the toolbar; under a fixed header
def test_a_row_cut_off_by_what_shows_is_not_read(engine, i):
    src, fields = _read("scrolled", i, engine)
    assert src.meta["cut"], "the sample must have a cut row"
    for name in src.meta["cut"]:
        assert fields[name].value is None and fields[name].status == "missing", fields[name]
        assert any("cut off" in p or "runs off" in p for p in fields[name].source["problems"])
    for name, want in src.truth.items():
        if want is not None and fields[name].status in ("ok", "corrected"):
            assert fields[name].value == want, name


def test_a_lone_sex_code_the_detector_missed_is_read_by_a_second_look(engine):
    src, fields = _read("transform", 2, engine)     # 性别 1 in a grid cell
    assert fields["gender"].value == src.truth["gender"] == "男"
    assert fields["gender"].status == "ok"


def _label_and_value() -> tuple[Image.Image, TextBox, int]:
    """申请日期 and its value drawn 12 px apart; the label's box and where the value starts."""
    from app.sandbox.drawing import font
    f = font("sans", 20)
    img = Image.new("RGB", (420, 40), "white")
    d = ImageDraw.Draw(img)
    d.text((10, 8), "申请日期", fill="black", font=f)
    end = 10 + int(d.textlength("申请日期", font=f))
    d.text((end + 12, 8), "2024年7月10日", fill="black", font=f)
    return img, TextBox("申请日期", 0.99, 10, 6, end - 10, 26), end + 12


def test_a_value_box_reaching_into_its_label_is_read_again_right_of_the_label(engine):
    from app.extract.fields import Found
    from app.extract.label_overlap import clear_of_label
    img, label, start = _label_and_value()
    # the detector's box began 11 px inside the label: 期's right half read as 月
    part = TextBox("月2024年7月10日", 0.99, label.right - 11, 6, 400 - label.right, 26)
    found = Found(part.text, (part.x, part.y, part.width, part.height), 0.99, parts=(part,))
    got = clear_of_label(found, label, img, engine.read_line)
    assert got.value == "2024年7月10日" and got.doubt is None
    assert got.box[0] >= label.right


def test_a_reading_right_of_the_label_that_does_not_fit_leaves_the_value_flagged():
    from app.extract.fields import Found
    from app.extract.label_overlap import clear_of_label
    from app.ocr.base import Line
    img, label, start = _label_and_value()
    part = TextBox("月2024年7月10日", 0.99, label.right - 11, 6, 400 - label.right, 26)
    found = Found(part.text, (part.x, part.y, part.width, part.height), 0.99, parts=(part,))
    other = clear_of_label(found, label, img, lambda im: Line("2024年7月16日", 0.99, None, None))
    assert other.value == found.value and other.doubt and "申请日期" in other.doubt
    clear = TextBox("2024年7月10日", 0.99, start, 6, 150, 26)       # starts after the label

    def never(im):
        raise AssertionError("a value clear of its label is not read again")
    kept = Found(clear.text, (clear.x, clear.y, clear.width, clear.height), 0.99, parts=(clear,))
    assert clear_of_label(kept, label, img, never) is kept
