"""The review-before-typing dialog (app/ui/review.py), in-process on Qt's offscreen
platform (tests/conftest.py). Texts are compared through the dialog's own tr(), so the
tests hold whichever catalogue another test may have installed."""
from __future__ import annotations

import copy

import pytest
from PIL import Image, ImageDraw
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication

from app.cases import Case, FieldValue
from app.privacy import mask
from app.ui.review import ReviewDialog
from playbooks.loader import load_playbook_text

GOOD_ID = "11010519491231002X"
BAD_ID = "110105194912310021"         # check digit wrong
NAME_BOX = [100, 50, 120, 30]         # a solid red rectangle on the source
ID_BOX = [100, 300, 300, 30]          # black and white stripes: detail that pixelation removes

PLAYBOOK = """
deskhand: 1
id: review-test
name: 测试受理
target: {title: "审批系统*"}
fields:
  - {name: applicant_name, label: 姓名}
  - {name: gender, label: 性别, type: choice, choices: [男, 女]}
  - {name: ethnicity, label: 民族}
  - {name: birth_date, label: 出生日期, type: date}
  - {name: id_number, label: 公民身份号码, type: id_number}
  - {name: phone, label: 联系电话, type: phone, required: false}
  - {name: address, label: 住址}
  - {name: household, label: 户籍地}
  - {name: note, label: 备注, required: false}
fill:
  - type: applicant_name
  - choose: {field: gender, options: {男: [space], 女: [right]}}
  - type: ethnicity
  - type: birth_date
  - type: id_number
  - type: phone
  - type: address
  - type: household
"""


@pytest.fixture(scope="module")
def playbook():
    return load_playbook_text(PLAYBOOK, "review-test.yaml")


@pytest.fixture(scope="module")
def image() -> Image.Image:
    img = Image.new("RGB", (800, 400), "white")
    d = ImageDraw.Draw(img)
    x, y, w, h = NAME_BOX
    d.rectangle([x, y, x + w - 1, y + h - 1], fill=(255, 0, 0))
    x, y, w, h = ID_BOX
    for i in range(x, x + w, 4):
        d.rectangle([i, y, i + 1, y + h - 1], fill="black")
    return img


def ocr(box=None, **extra) -> dict:
    return {"kind": "ocr", **({"box": list(box)} if box else {}), **extra}


def every_status_case() -> Case:
    reg = {"lookup": "reference.person", "result": "confirmed"}
    return Case("c1", "review-test", {
        "applicant_name": FieldValue("张三", "ok", None, ocr(NAME_BOX, registry={**reg, "value": "张三"})),
        "gender": FieldValue("男", "ok", None, ocr([300, 50, 30, 30])),
        "ethnicity": FieldValue("汉", "mismatch", None, ocr([100, 100, 40, 30], registry={
            "lookup": "reference.person", "value": "回", "result": "mismatch"},
            problems=["The source says '汉' but reference.person holds '回'; ask the applicant."])),
        "birth_date": FieldValue("1949-12-31", "unverified", None, ocr([100, 150, 160, 30], problems=[
            "reference.person has no record for this case; check the number with the applicant."])),
        "id_number": FieldValue(BAD_ID, "invalid", None, ocr(ID_BOX, problems=[
            f"The check digit of {BAD_ID} is wrong; a digit was misread."])),
        "phone": FieldValue(None, "missing", None, {"kind": "ocr"}),
        "address": FieldValue("北京市朝阳区", "corrected", "北京市朝阳匚", ocr([100, 200, 300, 60], warnings=[
            "The start of the address was read as 北京市朝阳匚; the ID number's district is 北京市朝阳区."])),
        "household": FieldValue("北京市", "ok", None, {"kind": "registry", "registry": {
            "lookup": "reference.person", "value": "北京市", "result": "filled"}}),
    })


def all_ok_case() -> Case:
    case = every_status_case()
    # the gate checks the sex against the ID number's 17th digit (2: a woman)
    case.fields["gender"] = FieldValue("女", "ok", None, ocr([300, 50, 30, 30]))
    case.fields["ethnicity"] = FieldValue("汉", "ok", None, ocr([100, 100, 40, 30]))
    case.fields["birth_date"] = FieldValue("1949-12-31", "ok", None, ocr([100, 150, 160, 30]))
    case.fields["id_number"] = FieldValue(GOOD_ID, "ok", None, ocr(ID_BOX))
    case.fields["phone"] = FieldValue("13800138000", "ok", None, ocr([100, 250, 160, 30]))
    return case


class Recorder:
    def __init__(self, dialog: ReviewDialog) -> None:
        self.confirmed: list[Case] = []
        self.cancelled = 0
        self.closed = 0
        dialog.confirmed.connect(self.confirmed.append)
        dialog.cancelled.connect(self._cancel)

    def _cancel(self) -> None:
        self.cancelled += 1

    def on_closed(self) -> None:
        self.closed += 1


@pytest.fixture(autouse=True)
def _offscreen(qapp):
    assert qapp.platformName() == "offscreen", "a QApplication on another platform exists"


def open_dialog(qtbot, case: Case, playbook, image, *, show: bool = True):
    holder: dict = {}
    dialog = ReviewDialog(case, playbook, image, on_closed=lambda: holder["rec"].on_closed())
    qtbot.addWidget(dialog)
    rec = holder["rec"] = Recorder(dialog)
    if show:
        dialog.show()
        # offscreen activates a shown window by a queued event (waitActive does not wait
        # there); the dialog's first focus follows it
        qtbot.wait_until(lambda: dialog.isActiveWindow() and QApplication.focusWidget() is not None)
    return dialog, rec


def commit_text(widget, text: str) -> None:
    """What an input method sends for Chinese text (qtbot.keyClicks with it aborts)."""
    event = QInputMethodEvent("", [])
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def replace_text(qtbot, edit, text: str) -> None:
    edit.setFocus()
    edit.selectAll()
    commit_text(edit, text)


def pixel(pixmap, x: int, y: int) -> tuple[int, int, int]:
    c = pixmap.toImage().pixelColor(x, y)
    return c.red(), c.green(), c.blue()


# -- what it shows ---------------------------------------------------------------------
def test_one_row_per_filled_field_with_its_status(qtbot, playbook, image):
    dialog, _ = open_dialog(qtbot, every_status_case(), playbook, image)
    # in fill order; 备注 is a field of the playbook that no step types
    assert list(dialog.rows) == ["applicant_name", "gender", "ethnicity", "birth_date",
                                 "id_number", "phone", "address", "household"]
    status = {n: r.chip.status for n, r in dialog.rows.items()}
    assert status == {"applicant_name": "ok", "gender": "ok", "ethnicity": "mismatch",
                      "birth_date": "unverified", "id_number": "invalid",
                      "phone": "missing", "address": "corrected", "household": "ok"}
    rows = dialog.rows
    assert rows["applicant_name"].label.text() == "姓名"
    assert rows["applicant_name"].edit.text() == "张三"
    assert rows["applicant_name"].registry.text() == "张三"
    assert rows["gender"].registry.text() == "—"
    # colours say the status
    assert "#2e7d32" in rows["gender"].chip.styleSheet()          # green
    assert "#ef6c00" in rows["ethnicity"].chip.styleSheet()       # orange
    assert "#c62828" in rows["id_number"].chip.styleSheet()       # red
    assert "#ffb300" in rows["birth_date"].chip.styleSheet()      # amber
    assert "#1565c0" in rows["address"].chip.styleSheet()         # blue
    assert "#757575" in rows["phone"].chip.styleSheet()           # grey: optional
    # mismatch: both values and the one-click button; nowhere else is that button shown
    eth = rows["ethnicity"]
    assert eth.edit.text() == "汉" and eth.registry.text() == "回"
    assert eth.use_registry is not None and eth.use_registry.isVisible()
    assert "回" in eth.chip.toolTip() and "汉" in eth.chip.toolTip()
    assert not rows["applicant_name"].use_registry.isVisible()
    # corrected: the original and the reason in the tooltip
    addr = rows["address"].chip.toolTip()
    assert "北京市朝阳匚" in addr and "district" in addr
    # invalid: problems visible, not only in the tooltip (unmasked parts of them)
    idrow = rows["id_number"]
    assert idrow.note.isVisible() and "check digit" in idrow.note.text()
    assert "check digit" in idrow.chip.toolTip()
    assert rows["birth_date"].note.isVisible() and "no record" in rows["birth_date"].note.text()


def test_a_missing_required_field_is_red_and_blocks_the_fill(qtbot, playbook, image):
    case = all_ok_case()
    case.fields["address"] = FieldValue(None, "missing", None, {"kind": "ocr"})
    dialog, rec = open_dialog(qtbot, case, playbook, image)
    row = dialog.rows["address"]
    assert row.chip.status == "missing_required" and "#c62828" in row.chip.styleSheet()
    assert not dialog.fill_button.isEnabled() and not dialog.confirm_box.isVisible()
    assert "住址" in dialog.hint.text()
    qtbot.wait_until(lambda: QApplication.focusWidget() is row.edit)
    replace_text(qtbot, row.edit, "北京市朝阳区")
    assert dialog.fill_button.isEnabled()


def test_crops_come_from_the_box_on_the_source(qtbot, playbook, image):
    dialog, _ = open_dialog(qtbot, every_status_case(), playbook, image)
    crop = dialog.rows["applicant_name"].crop.pixmap()
    assert not crop.isNull()
    assert crop.height() >= 32
    r, g, b = pixel(crop, crop.width() // 2, crop.height() // 2)
    assert r > 200 and g < 60 and b < 60                 # the red rectangle
    assert pixel(crop, 1, 1) == (255, 255, 255)         # the margin around it is the page
    # a field the registry filled was never on the source: no crop
    household = dialog.rows["household"].crop
    assert household.pixmap().isNull() and household.text()


def test_a_small_box_is_enlarged_and_a_wide_one_fits(qtbot, playbook, image):
    case = all_ok_case()
    case.fields["gender"].source["box"] = [300, 50, 12, 10]
    case.fields["address"].source["box"] = [0, 0, 800, 40]
    dialog, _ = open_dialog(qtbot, case, playbook, image, show=False)
    assert dialog.rows["gender"].crop.pixmap().height() == 32
    assert dialog.rows["address"].crop.pixmap().width() <= 360


# -- sensitive values ------------------------------------------------------------------
def test_sensitive_values_are_masked_until_revealed(qtbot, playbook, image):
    case = all_ok_case()
    dialog, _ = open_dialog(qtbot, case, playbook, image)
    row = dialog.rows["id_number"]
    assert row.edit.text() == mask(GOOD_ID, "id_number") and row.edit.isReadOnly()
    assert dialog.rows["phone"].edit.text() == mask("13800138000", "phone")
    assert dialog.rows["applicant_name"].reveal is None          # not sensitive
    hidden = row.crop.pixmap().toImage()
    assert len({hidden.pixelColor(x, hidden.height() // 2).name()
                for x in range(hidden.width())}) <= 8        # stripes pixelated away

    row.reveal.setFocus()
    qtbot.keyClick(row.reveal, Qt.Key.Key_Space)                 # keyboard reaches it
    assert row.revealed and row.edit.text() == GOOD_ID and not row.edit.isReadOnly()
    clear = row.crop.pixmap().toImage()
    stripes = {clear.pixelColor(x, clear.height() // 2).lightness() > 128
               for x in range(clear.width() // 4, clear.width() * 3 // 4)}
    assert stripes == {True, False}                              # the stripes are back
    assert QApplication.focusWidget() is row.edit
    qtbot.keyClick(row.reveal, Qt.Key.Key_Space)
    assert row.edit.text() == mask(GOOD_ID, "id_number")


def test_an_empty_sensitive_field_can_be_typed_into_at_once(qtbot, playbook, image):
    dialog, _ = open_dialog(qtbot, every_status_case(), playbook, image)
    row = dialog.rows["phone"]
    assert row.revealed and not row.edit.isReadOnly()
    row.edit.setFocus()
    qtbot.keyClicks(row.edit, "13800138000")
    assert row.chip.status == "edited"
    row.reveal.click()                                   # and hidden again afterwards
    assert row.edit.text() == mask("13800138000", "phone") and row.edit.isReadOnly()


def test_problems_of_a_masked_row_do_not_show_its_value(qtbot, playbook, image):
    dialog, _ = open_dialog(qtbot, every_status_case(), playbook, image)
    row = dialog.rows["id_number"]
    assert BAD_ID not in row.note.text() and BAD_ID not in row.chip.toolTip()
    assert mask(BAD_ID, "id_number") in row.note.text()
    row.reveal.click()
    assert BAD_ID in row.note.text()


def test_a_field_marked_sensitive_in_the_playbook_is_masked(qtbot, image):
    pb = load_playbook_text(PLAYBOOK.replace("{name: applicant_name, label: 姓名}",
                                             "{name: applicant_name, label: 姓名, sensitive: true}"),
                            "s.yaml")
    dialog, _ = open_dialog(qtbot, all_ok_case(), pb, image, show=False)
    row = dialog.rows["applicant_name"]
    assert row.edit.text() == "张*" and row.registry.text() == "张*"


# -- the clerk's edits ---------------------------------------------------------------
def test_an_edit_is_carried_with_the_original_and_the_input_case_is_untouched(qtbot, playbook, image):
    case = every_status_case()
    before = copy.deepcopy(case)
    dialog, rec = open_dialog(qtbot, case, playbook, image)
    row = dialog.rows["applicant_name"]
    replace_text(qtbot, row.edit, "李四")
    assert row.edit.text() == "李四"
    assert row.chip.status == "edited" and row.chip.text() == row.tr("Edited")
    assert "张三" in row.note.text()                     # what was read, still visible
    assert case == before                                # nothing written through
    dialog.confirm_box.setChecked(True)
    qtbot.mouseClick(dialog.fill_button, Qt.MouseButton.LeftButton)
    assert len(rec.confirmed) == 1 and rec.cancelled == 0
    out = rec.confirmed[0]
    fv = out.fields["applicant_name"]
    assert fv.value == "李四" and fv.original == "张三" and fv.status == "ok"
    assert fv.source["edited_by_clerk"] is True and fv.source["box"] == NAME_BOX
    assert out is not case and case == before
    assert out.fields["gender"] == before.fields["gender"]


def test_editing_back_to_what_was_read_undoes_the_edit(qtbot, playbook, image):
    dialog, _ = open_dialog(qtbot, all_ok_case(), playbook, image)
    row = dialog.rows["applicant_name"]
    replace_text(qtbot, row.edit, "李四")
    replace_text(qtbot, row.edit, "张三")
    assert row.chip.status == "ok" and not row.edited
    assert dialog.case.fields["applicant_name"] == all_ok_case().fields["applicant_name"]


def test_an_edited_id_number_is_checked_live(qtbot, playbook, image):
    dialog, rec = open_dialog(qtbot, all_ok_case(), playbook, image)
    row = dialog.rows["id_number"]
    row.reveal.click()
    row.edit.clear()
    qtbot.keyClicks(row.edit, BAD_ID)
    assert row.chip.status == "invalid"
    assert row.note.isVisible() and "check digit" in row.note.text()
    assert dialog.needs_confirmation and not dialog.fill_button.isEnabled()
    qtbot.keyClick(row.edit, Qt.Key.Key_Backspace)
    qtbot.keyClicks(row.edit, "x")                       # lower case: taken as X
    assert row.chip.status == "edited" and not row.note.text().count("check digit")
    assert dialog.fill_button.isEnabled()
    qtbot.keyClick(row.edit, Qt.Key.Key_Return)
    fv = rec.confirmed[0].fields["id_number"]
    assert fv.value == GOOD_ID and fv.original == GOOD_ID and fv.source["edited_by_clerk"]


def test_an_emptied_field_becomes_missing(qtbot, playbook, image):
    dialog, _ = open_dialog(qtbot, all_ok_case(), playbook, image)
    row = dialog.rows["ethnicity"]
    row.edit.setFocus()
    row.edit.selectAll()
    qtbot.keyClick(row.edit, Qt.Key.Key_Delete)
    assert dialog.case.fields["ethnicity"].status == "missing"
    assert not dialog.fill_button.isEnabled()


def test_use_registry_value_on_a_mismatch(qtbot, playbook, image):
    case = all_ok_case()
    case.fields["ethnicity"] = every_status_case().fields["ethnicity"]
    dialog, rec = open_dialog(qtbot, case, playbook, image)
    assert dialog.needs_confirmation
    row = dialog.rows["ethnicity"]
    qtbot.mouseClick(row.use_registry, Qt.MouseButton.LeftButton)
    assert row.edit.text() == "回" and row.chip.status == "corrected"
    assert not row.use_registry.isVisible()
    assert not dialog.needs_confirmation and dialog.fill_button.isEnabled()
    dialog.fill_button.click()
    fv = rec.confirmed[0].fields["ethnicity"]
    assert (fv.value, fv.status, fv.original) == ("回", "corrected", "汉")
    assert fv.source["edited_by_clerk"] and "problems" not in fv.source


# -- confirming, cancelling, keyboard ----------------------------------------------------
def test_not_all_ok_needs_the_tick(qtbot, playbook, image):
    dialog, rec = open_dialog(qtbot, every_status_case(), playbook, image)
    assert dialog.fill_button.text() == dialog.tr("Confirm and &fill")
    assert dialog.confirm_box.isVisible() and not dialog.fill_button.isEnabled()
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    dialog.accept()                                       # refused, however it is asked
    assert rec.confirmed == [] and dialog.isVisible()
    qtbot.keyClick(dialog, Qt.Key.Key_C, Qt.KeyboardModifier.AltModifier)   # Alt+C ticks it
    qtbot.wait_until(lambda: dialog.confirm_box.hasFocus())
    qtbot.keyClick(dialog.confirm_box, Qt.Key.Key_Space)
    assert dialog.confirm_box.isChecked() and dialog.fill_button.isEnabled()
    # a change after the tick asks for a new look
    replace_text(qtbot, dialog.rows["applicant_name"].edit, "李四")
    assert not dialog.confirm_box.isChecked() and not dialog.fill_button.isEnabled()
    dialog.confirm_box.setChecked(True)
    qtbot.keyClick(dialog.rows["applicant_name"].edit, Qt.Key.Key_Return)
    assert len(rec.confirmed) == 1 and rec.closed == 1 and not dialog.isVisible()


def test_enter_fills_at_once_when_all_ok(qtbot, playbook, image):
    dialog, rec = open_dialog(qtbot, all_ok_case(), playbook, image)
    assert dialog.fill_button.text() == dialog.tr("&Fill")
    assert not dialog.confirm_box.isVisible() and dialog.fill_button.isEnabled()
    qtbot.wait_until(lambda: QApplication.focusWidget() is dialog.fill_button)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    assert len(rec.confirmed) == 1 and rec.cancelled == 0 and rec.closed == 1
    assert rec.confirmed[0].fields == all_ok_case().fields


def test_escape_cancels_and_gives_focus_back(qtbot, playbook, image):
    dialog, rec = open_dialog(qtbot, every_status_case(), playbook, image)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert rec.cancelled == 1 and rec.confirmed == [] and rec.closed == 1
    assert not dialog.isVisible()
    dialog.close()                                        # once only
    assert rec.closed == 1 and rec.cancelled == 1


def test_closing_the_window_cancels(qtbot, playbook, image):
    dialog, rec = open_dialog(qtbot, all_ok_case(), playbook, image)
    dialog.close()
    assert rec.cancelled == 1 and rec.closed == 1


def test_first_field_needing_attention_gets_focus(qtbot, playbook, image):
    dialog, _ = open_dialog(qtbot, every_status_case(), playbook, image)
    qtbot.wait_until(lambda: QApplication.focusWidget() is dialog.rows["ethnicity"].edit)
    # a masked row that needs a look: its reveal toggle, the value being read-only
    case = all_ok_case()
    case.fields["id_number"] = every_status_case().fields["id_number"]
    dialog2, _ = open_dialog(qtbot, case, playbook, image)
    qtbot.wait_until(lambda: QApplication.focusWidget() is dialog2.rows["id_number"].reveal)


def test_tab_walks_the_rows_in_order(qtbot, playbook, image):
    dialog, _ = open_dialog(qtbot, all_ok_case(), playbook, image)
    first = dialog.rows["applicant_name"].edit
    first.setFocus()
    qtbot.wait_until(first.hasFocus)
    seen = [first]
    for _ in range(30):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        w = QApplication.focusWidget()
        if w is first:
            break
        seen.append(w)
    rows = dialog.rows
    # a choice (性别) is a list to pick from: the focus is on the list, not its line edit
    edits = [seen.index(r.combo if r.combo is not None else r.edit) for r in rows.values()]
    assert edits == sorted(edits)
    idr = rows["id_number"]
    assert seen.index(idr.reveal) == seen.index(idr.edit) - 1
    assert dialog.fill_button in seen and dialog.cancel_button in seen


def test_a_choice_is_picked_from_its_list_with_the_keyboard(qtbot, playbook, image):
    case = all_ok_case()
    case.fields["gender"] = FieldValue(None, "missing", None, {"kind": "clerk"})
    dialog, rec = open_dialog(qtbot, case, playbook, image)
    row = dialog.rows["gender"]
    assert row.combo is not None and not dialog.can_fill          # required, still empty
    row.combo.setFocus()
    qtbot.keyClick(row.combo, Qt.Key.Key_Down)                    # 男, the first choice
    qtbot.keyClick(row.combo, Qt.Key.Key_Down)                    # 女
    assert row.fv.value == "女" and row.fv.source["edited_by_clerk"] and dialog.can_fill
    dialog.accept()
    assert rec.confirmed[0].fields["gender"].value == "女"


def test_unchecked_free_text_is_shown_so_and_does_not_stop_the_fill(qtbot, playbook, image):
    case = all_ok_case()
    case.fields["address"] = FieldValue("北京市朝阳区", "unchecked", None, ocr([100, 200, 300, 60]))
    dialog, _rec = open_dialog(qtbot, case, playbook, image)
    row = dialog.rows["address"]
    assert row.chip.status == "unchecked" and row.chip.text() == "Unchecked"
    assert "#546e7a" in row.chip.styleSheet() and "no check can confirm" in row.chip.toolTip()
    assert not dialog.needs_confirmation and dialog.fill_button.isEnabled()
