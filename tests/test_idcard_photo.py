"""Photos of ID cards (issue 11): a card turned further than the old search reached is
levelled; a character the recogniser dropped or doubted is read again with room around
its line, taken only when the engine is sure of it and it changes only what was doubted,
else flagged; an address whose last line OCR could not read is flagged, never cut short
and ok. Decision logic on hand-made readings; the rest with the real OCR engine on the
unseen-style corpus (app/sandbox/photos.py) and on flat cards."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter

from app.capture.card import address_left_short
from app.checks.readings import simplified_forms
from app.extract.fields import found_from_boxes
from app.extract.reread import settle
from app.ocr.base import Line, TextBox
from app.ocr.ctc import doubts, dropped, variants

MARKED_OK = ("ok", "corrected", "unchecked")     # typed without asking (unchecked: free text)
ROOT = Path(__file__).resolve().parent.parent
PHOTO = ROOT / "tests" / "fixtures" / "playbooks" / "unseen" / "idcard_photo.yaml"
CARD = ROOT / "playbooks" / "library" / "idcard-to-qt-intake.yaml"


# --------------------------------------------------------------------------- the recogniser's doubts

def test_a_character_nearly_read_in_a_blank_is_reported_where_it_was_dropped():
    chars = ["blank", "东", "方", "花", " "]
    preds = np.array([[[0.1, 0.9, 0, 0, 0],       # 东
                       [0.6, 0.2, 0.2, 0, 0],     # blank: 东 fading, 方 nearly read
                       [0.65, 0, 0.35, 0, 0],
                       [0.1, 0, 0, 0.9, 0],       # 花
                       [0.55, 0, 0, 0.05, 0.4]]],  # blank: a space, 花 fading: neither counts
                     dtype=np.float32)
    (gaps,) = dropped(preds, chars)
    assert [c for c, _p in gaps] == ["", "方", ""]
    assert gaps[1][1] == pytest.approx(0.35) and gaps[2][1] == 0.0


def test_another_width_or_script_of_the_character_read_is_no_doubt():
    chars = ["blank", "9", "９", "8", "吴", "吳", "乾", "干"]
    preds = np.zeros((1, 2, len(chars)), dtype=np.float32)
    preds[0, 0, [1, 2, 3]] = [0.6, 0.35, 0.05]     # 9, also ９ and a little 8
    preds[0, 1, [4, 5]] = [0.7, 0.3]               # 吴, also its traditional 吳
    same = variants(chars, simplified_forms(chars))
    assert doubts(preds) == [(pytest.approx(0.35), pytest.approx(0.3))]
    assert doubts(preds, same) == [(pytest.approx(0.05), 0.0)]
    assert 7 not in same.get(6, [])                # 乾 is a simplified character too, not 干


# --------------------------------------------------------------------------- reading again

class Recogniser:
    """Answers `recognise` with set readings, and counts the crops it was given."""

    def __init__(self, *texts: str, unsure: bool = False) -> None:
        self.texts, self.unsure, self.crops = texts, unsure, []

    def recognise(self, image, boxes):
        self.crops += boxes
        out = []
        for k, _b in enumerate(boxes):
            t = self.texts[k % len(self.texts)]
            d = tuple(0.3 if self.unsure and i == len(t) - 1 else 0.0 for i in range(len(t)))
            out.append(Line(t, 0.99, tuple((c,) for c in t), d, (("", 0.0),) * (len(t) + 1)))
        return out


def part(text, x=100, *, doubt_at=None, gap_at=None, char="方", doubt=0.3):
    d = tuple(doubt if i == doubt_at else 0.001 for i in range(len(text)))
    g = tuple((char, 0.3) if i == gap_at else ("", 0.0) for i in range(len(text) + 1))
    return TextBox(text, 0.98, x, 100, 40 * len(text), 40, tuple((c,) for c in text), d, g)


PAPER = Image.new("RGB", (900, 300), "white")


def test_a_dropped_character_read_again_for_sure_is_taken_and_the_first_reading_kept():
    line = part("东门路东花园", gap_at=4)
    found = found_from_boxes([line])
    got = settle(found, PAPER, Recogniser("东门路东方花园"), [line])
    assert got.found.value == "东门路东方花园" and got.found.doubt is None
    assert got.first == "东门路东花园" and "东方花园" in got.note


def test_a_doubted_character_read_again_for_sure_is_taken():
    line = part("江峰或", doubt_at=2)
    got = settle(found_from_boxes([line]), PAPER, Recogniser("江峰彧"), [line])
    assert got.found.value == "江峰彧" and got.found.doubt is None


def test_a_slight_doubt_is_confirmed_by_reading_again():
    """张彧琳 was read 张或琳 leaving 彧 only 0.027: read again, the engine was unsure."""
    line = part("张或琳", doubt_at=1, doubt=0.027)
    sure = Recogniser("张或琳")
    assert settle(found_from_boxes([line]), PAPER, sure, [line]).found.doubt is None
    assert len(sure.crops) == 2
    unsure = settle(found_from_boxes([line]), PAPER, Recogniser("张彧琳", unsure=True), [line])
    assert "read again as 张彧琳" in unsure.found.doubt


def test_a_reading_again_that_changes_what_was_not_doubted_is_flagged():
    line = part("东门路东花园", gap_at=4)
    got = settle(found_from_boxes([line]), PAPER, Recogniser("住东门路东方花园"), [line])
    assert "read again as 住东门路东方花园" in got.found.doubt and got.note is None


def test_readings_again_that_are_unsure_or_disagree_leave_the_value_flagged():
    line = part("江峰或", doubt_at=2)
    unsure = settle(found_from_boxes([line]), PAPER, Recogniser("江峰彧", unsure=True), [line])
    assert unsure.found.doubt is not None and unsure.note is None
    apart = settle(found_from_boxes([line]), PAPER, Recogniser("江峰彧", "江峰戒"), [line])
    assert "read again as" in apart.found.doubt


def test_a_sure_reading_is_not_read_again_and_a_label_rest_is_flagged_unread():
    sure = part("福建省龙岩市")
    engine = Recogniser("x")
    got = settle(found_from_boxes([sure]), PAPER, engine, [sure])
    assert got.found.value == "福建省龙岩市" and got.found.doubt is None and engine.crops == []
    rest = part("曹或", doubt_at=1)          # cut from "姓名曹或": not a box of its own
    got = settle(found_from_boxes([rest]), PAPER, engine, [part("姓名曹或", 20)])
    assert engine.crops == [] and "not sure of 或" in got.found.doubt


def test_a_line_read_again_gets_room_but_never_reaches_into_its_neighbours():
    label, value = part("住址", 20), part("东花园", 110, gap_at=1)
    engine = Recogniser("东方花园")
    settle(found_from_boxes([value]), PAPER, engine, [label, value])
    for crop in engine.crops:
        assert crop.x >= label.right and crop.right > value.right and crop.y < value.y


# --------------------------------------------------------------------------- the address's end

def card_with_address(below: str | None) -> tuple[Image.Image, list[TextBox], TextBox]:
    """A white card: an address of two lines, the ID number's label further down, and
    under the address nothing, a line of text OCR did not read, or a fine background line."""
    img = Image.new("RGB", (700, 420), (236, 238, 235))
    d = ImageDraw.Draw(img)
    lines = [TextBox("福建省龙岩市新罗区", 0.99, 150, 100, 320, 36),
             TextBox("九一北路28号", 0.99, 150, 150, 250, 36)]
    for b in lines:
        for k in range(b.width // 34):      # strokes of each character
            d.rectangle((b.x + 34 * k + 4, b.y + 6, b.x + 34 * k + 8, b.bottom - 6), fill=(30, 30, 30))
            d.rectangle((b.x + 34 * k + 4, b.y + 16, b.x + 34 * k + 28, b.y + 19), fill=(30, 30, 30))
    if below == "text":           # a third line, washed out by glare: OCR gave no box
        for k in range(4):
            d.rectangle((154 + 34 * k, 206, 158 + 34 * k, 226), fill=(200, 202, 200))
            d.rectangle((154 + 34 * k, 214, 178 + 34 * k, 216), fill=(200, 202, 200))
    if below == "rule":           # the card's fine background pattern
        d.line((100, 240, 600, 252), fill=(200, 205, 210), width=1)
    id_label = TextBox("公民身份号码", 0.99, 60, 330, 130, 30)
    return img, lines, id_label


@pytest.mark.parametrize("below, flagged", [(None, False), ("rule", False), ("text", True)])
def test_an_address_with_text_left_unread_under_it_is_flagged(below, flagged):
    img, lines, id_label = card_with_address(below)
    address = found_from_boxes(lines)
    why = address_left_short(img, lines + [id_label], address, id_label)
    assert (why is not None) == flagged
    if flagged:
        assert why.startswith("The address may go on below what was read (福建省龙岩市新罗区九一北路28号)")


@pytest.mark.parametrize("read", [TextBox("北路28号", 0.99, 218, 150, 182, 36),
                                  TextBox("九一北路2", 0.99, 150, 150, 180, 36)])
def test_an_address_line_whose_start_or_end_ocr_left_unread_is_flagged(read):
    """The second line read from two characters in, or to two characters before its end,
    the rest of its strokes still on the card: flagged. With only what was read printed
    there (a shorter line), not."""
    img, lines, id_label = card_with_address(None)
    address = found_from_boxes([lines[0], read])
    assert address_left_short(img, [lines[0], read, id_label], address, id_label) is not None
    shorter = Image.new("RGB", img.size, (236, 238, 235))
    shorter.paste(img.crop((0, 0, 700, 140)), (0, 0))
    ImageDraw.Draw(shorter).rectangle((read.x + 4, 156, read.right - 4, 180), fill=(30, 30, 30))
    assert address_left_short(shorter, [lines[0], read, id_label], address, id_label) is None


def test_an_address_with_an_unread_box_under_it_is_flagged():
    img, lines, id_label = card_with_address(None)
    stray = TextBox("1幢", 0.99, 152, 200, 60, 36)        # read, but not taken as the address's
    why = address_left_short(img, lines + [stray, id_label], found_from_boxes(lines), id_label)
    assert why is not None


class Reader:
    """Answers `read` with set texts, one box each, and counts the pictures it was given."""

    def __init__(self, *texts: str) -> None:
        self.texts, self.pictures = texts, []

    def read(self, image):
        self.pictures.append(image.size)
        return [TextBox(t, 0.99, 10, 10, 20 * len(t), 30) for t in self.texts]


CARD_BOXES = [TextBox("姓名", 0.99, 60, 40, 50, 26), TextBox("张伟", 0.99, 150, 38, 70, 30),
              TextBox("男", 0.99, 150, 100, 30, 30), TextBox("民族", 0.99, 260, 100, 50, 26),
              TextBox("汉", 0.99, 340, 100, 30, 30), TextBox("出生", 0.99, 60, 160, 50, 26),
              TextBox("1990年3月7日", 0.99, 150, 158, 200, 30)]
ANCHORS = ["姓名", "性别", "民族", "出生"]


def test_a_label_the_detector_missed_is_looked_for_left_of_its_line_only():
    from app.capture.card import lost_labels
    engine = Reader("性别")
    got = lost_labels(PAPER, engine, CARD_BOXES, ANCHORS)
    assert [b.text for b in got] == ["性别"] and len(engine.pictures) == 1
    assert got[0].x >= 30 and got[0].right <= 150 and 90 <= got[0].y <= 130   # left of 男
    assert lost_labels(PAPER, Reader("性别男"), CARD_BOXES, ANCHORS) == []   # only the label
    everything = CARD_BOXES + [TextBox("性别", 0.99, 60, 100, 50, 26)]
    engine = Reader("性别")
    assert lost_labels(PAPER, engine, everything, ANCHORS) == [] and engine.pictures == []


@pytest.mark.parametrize("date, unsure, settled", [("1990-03-07", True, True),
                                                    ("1990-03-08", True, False),
                                                    ("1990-03-07", False, False)])
def test_a_doubted_birth_date_the_id_number_gives_too_is_settled(date, unsure, settled):
    """The engine was unsure of a digit of 出生 (a doubt only): the ID number, whose check
    digit passed, holds the same date, so two readings agree. Another date, or a date
    invalid for another reason, stays invalid."""
    from app.capture.read import _cross
    from app.cases import FieldValue
    from playbooks.loader import load_playbook as load
    doubt = "The OCR engine was not sure of 7 in 1990年3月7日 (it also saw 1): compare it."
    source = {"problems": [doubt], **({"unsure": True} if unsure else {})}
    values = {"id_number": FieldValue("35080219900307103X", "ok"),
              "birth_date": FieldValue(date, "invalid", None, source),
              "gender": FieldValue("男", "ok")}
    _cross(load(CARD), values)
    birth = values["birth_date"]
    assert (birth.status == "ok") == settled
    if settled:
        assert birth.source["warnings"][0] == doubt and "unsure" not in birth.source
        assert "The ID number gives the same birth date" in birth.source["warnings"][1]
    else:
        assert birth.source["problems"][0] == doubt


# --------------------------------------------------------------------------- real OCR

pytest.importorskip("rapidocr_onnxruntime", reason="the default OCR engine is not installed")

from app.capture.deskew import skew_angle  # noqa: E402
from app.capture.read import read_source  # noqa: E402
from app.checks.normalize import halfwidth_alnum  # noqa: E402
from app.ocr import open_engine  # noqa: E402
from app.sandbox.corpus import sample  # noqa: E402
from app.sandbox.people import make_person  # noqa: E402
from app.sandbox.sources import render_id_card  # noqa: E402
from playbooks.loader import load_playbook  # noqa: E402


@pytest.fixture(scope="module")
def engine():
    e = open_engine("rapidocr")
    e.load()
    return e


def wrong_ok(fields, truth) -> dict:
    return {n: (fields[n].value, fields[n].status) for n, want in truth.items()
            if fields[n].value != halfwidth_alnum(want) and fields[n].status in MARKED_OK}


def exact(fields, truth) -> dict:
    return {n: fields[n].value for n, want in truth.items() if fields[n].value != halfwidth_alnum(want)}


@pytest.mark.parametrize("i, turn", [(55, 0.0), (20, -7.0)])
def test_a_photo_turned_further_than_8_degrees_is_levelled_and_read(engine, i, turn):
    """Sample 55 is tilted 7.5° and seen from the side: its rows slope 8°, where the old
    search stopped; sample 20 turned 7° more slopes ~10°."""
    src = sample("idcard_photo", i)
    photo = src.image.rotate(turn, expand=True, fillcolor=src.image.getpixel((0, 0))) \
        if turn else src.image
    assert abs(skew_angle(photo)) > 7.5
    fields = read_source(load_playbook(PHOTO), photo, engine).case.fields
    assert exact(fields, src.truth) == {}
    assert all(fields[n].status in MARKED_OK for n in src.truth)


@pytest.mark.parametrize("i, first", [(3, "东花园"), (11, "十镇"), (40, "东花园")])
def test_a_character_the_first_reading_dropped_is_read_again(engine, i, first):
    """OCR read 东方花园 as 东花园 and 十方镇 as 十镇 (the detection box cut close), each
    time nearly reading the 方 in the blank; read again with room, it is there."""
    src = sample("idcard_photo", i)
    fv = read_source(load_playbook(PHOTO), src.image, engine).case.fields["address"]
    assert fv.value == halfwidth_alnum(src.truth["address"]) and fv.status == "corrected"
    assert first in fv.original and "read again with more room" in fv.source["warnings"][0]


@pytest.mark.parametrize("i", [46, 56, 68])
def test_a_rare_name_character_the_engine_doubts_is_never_left_ok_wrong(engine, i):
    """江峰彧, 黄洁彧, 张彧琳: 彧 and 或 look alike; the engine is unsure either way."""
    src = sample("idcard_photo", i)
    fields = read_source(load_playbook(PHOTO), src.image, engine).case.fields
    assert wrong_ok(fields, src.truth) == {}
    name = fields["applicant_name"]
    assert name.value == src.truth["applicant_name"] or (
        name.status == "invalid" and "彧" in name.source["problems"][0])


def test_a_label_the_detector_missed_under_glare_is_found_again(engine):
    """Photo 194: the light blue 性别 was not detected; looked for again, 女 is read."""
    src = sample("idcard_photo", 194)
    fields = read_source(load_playbook(PHOTO), src.image, engine).case.fields
    assert (fields["gender"].value, fields["gender"].status) == (src.truth["gender"], "ok")
    assert exact(fields, src.truth) == {}


@pytest.mark.parametrize("seed", [4, 9])
@pytest.mark.parametrize("how", ["blur", "glare"])
def test_an_address_line_ocr_cannot_read_is_flagged_not_cut_off(engine, seed, how):
    """The address's last line smudged (blurred) or washed out by glare until OCR reads
    nothing there: the address read is its first lines, flagged, never ok."""
    src = render_id_card(make_person(seed), seed=seed, blur=0.6, noise=5, jpeg_quality=70)
    x0, y0, x1, y1 = src.value_lines["address"][-1]
    box = (x0 - 4, y0 - 4, x1 + 4, y1 + 4)
    line = src.image.crop(box)
    line = line.filter(ImageFilter.GaussianBlur(8)) if how == "blur" else \
        Image.blend(line, Image.new("RGB", line.size, (250, 250, 250)), 0.85)
    src.image.paste(line, box[:2])
    result = read_source(load_playbook(CARD), src.image, engine)
    fv = result.case.fields["address"]
    assert fv.status == "invalid" and "address" in result.needs_person
    assert fv.value != halfwidth_alnum(src.truth["address"])
    assert any(why in p for p in fv.source["problems"] for why in (
        "may go on below", "Part of this value is printed but could not be read", "read again"))
