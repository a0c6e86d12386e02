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


# -- reading that refuses to guess (issue 11) ---------------------------------------------

def read_all(boxes, fields, **kw):
    ex = Extractor(boxes, fields, **kw)
    return {f.name: (found.value if (found := ex.read(f)) else None) for f in fields}, ex


def test_the_exact_label_is_taken_never_a_longer_one_that_contains_it():
    # the spouse's number first, as on the page of issue 11; labels above values
    boxes = [B("配偶身份证号码", 40, 40), B("身份证号码", 400, 40),
             B("210102200411307546", 40, 66), B("350821197408062908", 400, 66)]
    below = (FieldSpec("id_number", read=ReadSpec(anchor="身份证号码", direction="below")),)
    assert read_all(boxes, below)[0] == {"id_number": "350821197408062908"}
    # without the applicant's label the spouse's is still not taken
    got, ex = read_all(boxes[:1] + boxes[2:3], below)
    assert got == {"id_number": None} and "身份证号码 is not on the source" in ex.why["id_number"]
    # beside: 姓名 张伟 配偶姓名 李娜 — and a merged "配偶姓名：李娜" alone is never 姓名
    fields = (FieldSpec("applicant_name", label="姓名"),)
    assert read_all([B("姓名", 40, 40), B("张伟", 110, 40), B("配偶姓名", 240, 40),
                     B("李娜", 330, 40)], fields)[0] == {"applicant_name": "张伟"}
    assert read_all([B("配偶姓名：李娜", 40, 40)], fields)[0] == {"applicant_name": None}


def test_a_label_claimed_twice_or_printed_twice_is_taken_for_neither():
    fields = (FieldSpec("applicant_name", label="姓名"),)
    got, ex = read_all([B("姓名", 40, 40), B("张伟", 110, 40), B("姓名", 40, 200),
                        B("王芳", 110, 200)], fields)
    assert got == {"applicant_name": None} and "2 times" in ex.why["applicant_name"]


def test_spaced_labels_are_joined_back_and_merged_values_split_off():
    fields = (FieldSpec("applicant_name", label="姓名"), FieldSpec("gender", label="性别"),
              FieldSpec("address", read=ReadSpec(anchor="住址", lines=2)))
    boxes = [B("姓", 95, 104, w=20), B("名：胡梅珍", 139, 102, w=90),      # 姓　　名：胡梅珍
             B("性　　别：", 40, 150), B("女", 200, 150),
             B("住 址", 40, 200), B("福建省龙岩市", 130, 200)]
    assert read_all(boxes, fields)[0] == {"applicant_name": "胡梅珍", "gender": "女",
                                          "address": "福建省龙岩市"}
    # characters farther apart than JOIN_GAP label heights are not one label
    assert read_all([B("姓", 40, 40, w=20), B("名", 160, 40, w=20), B("张伟", 200, 40)],
                    fields[:1])[0] == {"applicant_name": None}


def test_a_label_glued_to_its_value_needs_a_colon_space_or_change_of_script():
    fields = (FieldSpec("birth", read=ReadSpec(anchor="出生")),
              FieldSpec("id_number", read=ReadSpec(anchor="公民身份号码")))
    boxes = [B("出生日期", 40, 40), B("1990年3月7日", 140, 40),
             B("公民身份号码35080219900307103X", 40, 100, w=400)]
    # 出生日期 is another word, not the label 出生 followed by a value 日期
    assert read_all(boxes, fields)[0] == {"birth": None, "id_number": "35080219900307103X"}
    # on an ID card the few labels never go on into a longer word: 民族苗 is 民族 苗
    card = (FieldSpec("ethnicity", read=ReadSpec(anchor="民族")),)
    assert read_all([B("民族苗", 40, 40)], card, card=True)[0] == {"ethnicity": "苗"}
    assert read_all([B("民族苗", 40, 40)], card)[0] == {"ethnicity": None}


def test_values_are_bounded_by_max_gap_and_by_the_next_label():
    far = [B("联系电话", 40, 40), B("13805971234", 40 + 64 + 9 * 20, 40)]   # 9 heights away
    phone = FieldSpec("phone", label="联系电话")
    assert read_all(far, (phone,))[0] == {"phone": None}                 # the default is 8
    wider = FieldSpec("phone", read=ReadSpec(anchor="联系电话", max_gap=10))
    assert read_all(far, (wider,))[0] == {"phone": "13805971234"}
    # an empty value: the next cell's label (no field's, but it ends in a colon) ends it
    boxes = [B("工作单位", 40, 40), B("婚姻状况：已婚", 150, 40)]
    assert read_all(boxes, (FieldSpec("employer", label="工作单位"),))[0] == {"employer": None}


def test_below_stays_in_the_labels_column_and_never_reaches_two_rows_down():
    fields = (FieldSpec("employer", read=ReadSpec(anchor="工作单位", direction="below")),
              FieldSpec("education", read=ReadSpec(anchor="文化程度", direction="below")))
    row2 = [B("配偶姓名", 40, 110), B("李娜", 40, 136)]
    # 工作单位 has no value ("无" not printed): the next row's label is 50 px (2.5 heights) down
    boxes = [B("工作单位", 40, 40), B("文化程度", 400, 40), B("本科", 400, 66), *row2]
    got, ex = read_all(boxes, fields)
    assert got == {"employer": None, "education": "本科"}
    assert "within 1.5 label heights" in ex.why["employer"]
    # a value wider than its label stays in its column: the neighbour's is not merged in
    boxes = [B("工作单位", 40, 40), B("文化程度", 400, 40),
             B("龙岩市疾病预防控制中心", 40, 66), B("本科", 400, 66)]
    assert read_all(boxes, fields)[0] == {"employer": "龙岩市疾病预防控制中心", "education": "本科"}


def test_an_id_card_address_is_only_the_lines_between_its_label_and_the_id_number():
    # a tilted photo: the 出生 line's value sits as close above the address as its lines
    boxes = [B("出生", 40, 140), B("1958年3月16日", 120, 160),
             B("住址", 40, 190), B("福建省龙岩市新罗区东肖街", 120, 190), B("道莲庄路261号", 120, 215),
             B("12栋1804室", 120, 240), B("公民身份号码", 40, 265), B("350802195803161641", 200, 265)]
    fields = (FieldSpec("birth_date", read=ReadSpec(anchor="出生")),
              FieldSpec("address", read=ReadSpec(anchor="住址", lines=3)),
              FieldSpec("id_number", read=ReadSpec(anchor="公民身份号码")))
    got = read_all(boxes, fields, card=True)[0]
    assert got["address"] == "福建省龙岩市新罗区东肖街道莲庄路261号12栋1804室"
    assert got["id_number"] == "350802195803161641"


def test_a_merged_box_holding_the_next_label_is_cut_there():
    fields = (FieldSpec("gender", label="性别"), FieldSpec("ethnicity", label="民族"))
    assert read_all([B("性别：女民族：汉", 40, 40)], fields)[0]["gender"] == "女"
