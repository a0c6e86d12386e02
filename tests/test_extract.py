"""Extraction logic on hand-made OCR boxes (real OCR is exercised in test_capture_e2e)."""
from __future__ import annotations

from app.extract.fields import Extractor, reading_order
from app.ocr.base import TextBox
from playbooks.model import FieldSpec, ReadSpec, Region


def B(text, x, y, w=None, h=20, score=0.99):
    return TextBox(text, score, x, y, w if w is not None else 16 * len(text), h)


CARD = [
    B("姓名", 40, 40), B("张伟", 120, 40),
    B("性别", 40, 90), B("男", 120, 90), B("民族", 220, 90), B("汉", 300, 90),
    B("出生", 40, 140), B("1990年3月7日", 120, 140),
    B("住址", 40, 190), B("福建省龙岩市新罗区", 120, 190), B("九一北路28号", 120, 215),
    B("龙岩市行政服务中心", 120, 240),
    B("公民身份号码", 40, 330), B("35080219900307103X", 180, 330),
]
FIELDS = (FieldSpec("applicant_name", label="姓名"), FieldSpec("gender", label="性别"),
          FieldSpec("ethnicity", label="民族"), FieldSpec("birth_date", label="出生"),
          FieldSpec("address", label="住址", read=ReadSpec(anchor="住址", lines=3)),
          FieldSpec("id_number", label="公民身份号码"))


def values(boxes, fields=FIELDS, scale=1.0):
    ex = Extractor(boxes, fields, scale)
    return {f.name: (found.value if (found := ex.read(f)) else None) for f in fields}


def test_values_right_of_labels_stop_at_the_next_label_and_wrap_when_asked():
    assert values(CARD) == {
        "applicant_name": "张伟", "gender": "男", "ethnicity": "汉", "birth_date": "1990年3月7日",
        "address": "福建省龙岩市新罗区九一北路28号龙岩市行政服务中心",
        "id_number": "35080219900307103X"}


def test_a_label_merged_with_its_value_by_ocr_is_split():
    boxes = [B("* 申请人姓名：欧阳晓明", 40, 40), B("* 联系电话：", 40, 80), B("13805971234", 160, 80)]
    fields = (FieldSpec("applicant_name", label="申请人姓名"), FieldSpec("phone", label="联系电话"))
    assert values(boxes, fields) == {"applicant_name": "欧阳晓明", "phone": "13805971234"}


def test_missing_label_gives_nothing_rather_than_a_guess():
    assert values([B("姓名", 40, 40), B("张伟", 120, 40)],
                  (FieldSpec("phone", label="联系电话"),)) == {"phone": None}


def test_below_region_and_pattern():
    boxes = [B("受理编号", 40, 40), B("LY-2026-000123", 40, 70), B("备注", 400, 40),
             B("材料齐全", 420, 300), B("统一社会信用代码：91350802MA2Y8XKQ3W", 40, 500, w=520)]
    fields = (FieldSpec("case_no", read=ReadSpec(anchor="受理编号", direction="below")),
              FieldSpec("remark", read=ReadSpec(anchor="备注", region=Region(0, 200, 300, 120))),
              FieldSpec("credit_code", read=ReadSpec(pattern=r"[0-9A-HJ-NPQRTUWXY]{18}")))
    assert values(boxes, fields) == {"case_no": "LY-2026-000123", "remark": "材料齐全",
                                     "credit_code": "91350802MA2Y8XKQ3W"}
    # regions are logical pixels: at 125% the same region covers 1.25× the image pixels
    scaled = [B("备注", 500, 50), B("材料齐全", 525, 375)]
    assert values(scaled, fields[1:2], scale=1.25) == {"remark": "材料齐全"}


def test_reading_order_is_by_line_then_left_to_right():
    boxes = [B("b", 200, 42), B("c", 10, 90), B("a", 10, 40)]
    assert [b.text for b in reading_order(boxes)] == ["a", "b", "c"]


def test_an_anchor_may_have_several_wordings():
    boxes = [B("户籍所在地：", 40, 40), B("福建省龙岩市", 160, 40)]
    field = FieldSpec("address", read=ReadSpec(anchor="住址", also=("户籍地址", "户籍所在地")))
    assert values(boxes, (field,)) == {"address": "福建省龙岩市"}


def test_a_short_value_whose_box_reaches_into_the_label_is_still_found():
    # measured on a generated ID card: 民族 253..307, 汉 boxed 298..377
    boxes = [B("民族", 253, 131, w=54, h=30), B("汉", 298, 126, w=79, h=37)]
    assert values(boxes, (FieldSpec("ethnicity", label="民族"),)) == {"ethnicity": "汉"}
