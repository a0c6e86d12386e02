"""The 一张表单 dialog (app/ui/intake_dialog.py) on Qt's offscreen platform: filled through
its widgets, an ID card read by real OCR, saved; the written case loads and renders
`deskhand docs` (LibreOffice: skipped where it is not installed)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("PySide6")
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QInputMethodEvent  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.capture.sources import load_image  # noqa: E402
from app.cases import load_case  # noqa: E402
from app.cli import main  # noqa: E402
from app.docs.pdf import find_soffice  # noqa: E402
from app.intake.card import CARD_PLAYBOOK, read_id_card  # noqa: E402
from app.intake.model import Intake  # noqa: E402
from app.ocr import open_engine  # noqa: E402
from app.sandbox.people import make_person  # noqa: E402
from app.sandbox.sources import render_id_card  # noqa: E402
from app.ui.intake_dialog import STATUS_ROLE, IntakeDialog  # noqa: E402
from playbooks.loader import load_playbook  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PACK = ROOT / "playbooks/library/company-setup"
SAMPLE = json.loads((PACK / "samples/case.json").read_text(encoding="utf-8"))


def commit_text(widget, text: str) -> None:
    """What an input method sends for Chinese text (qtbot.keyClicks with it aborts)."""
    widget.setFocus()
    widget.selectAll()
    event = QInputMethodEvent("", [])
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


@pytest.fixture(scope="module")
def read_card():
    engine = open_engine("rapidocr")
    engine.load()
    playbook = load_playbook(ROOT / f"playbooks/library/{CARD_PLAYBOOK}.yaml")
    return lambda path: read_id_card(playbook, load_image(path), engine,
                                     {"kind": "image", "file": str(path)})


def open_dialog(qtbot, read_card, output: Path) -> IntakeDialog:
    dialog = IntakeDialog(Intake(), read_card, output, "企业开办")
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def cell(dialog: IntakeDialog, group: str, row: int, column: int):
    return dialog.tables[group].item(row, column)


def test_the_form_filled_through_its_widgets_saves_a_case_that_renders(qtbot, read_card, tmp_path):
    person = make_person(7)
    render_id_card(person, seed=7).image.save(tmp_path / "card.png")
    output = tmp_path / "case.json"
    dialog = open_dialog(qtbot, read_card, output)
    assert dialog.chips["company_name"].status == "missing"          # empty and required
    assert "values need a person" in dialog.status_line.text()

    assert dialog.read_card_file(str(tmp_path / "card.png"), "legal_rep")
    # read off the main thread: the form answers meanwhile, and cannot be saved half-read
    assert dialog.reading and not dialog.save_button.isEnabled()
    assert not dialog.card_button.isEnabled()
    assert not dialog.read_card_file(str(tmp_path / "card.png"), "legal_rep")   # one at a time
    qtbot.waitUntil(lambda: not dialog.reading, timeout=30000)
    assert dialog.save_button.isEnabled() and dialog.card_button.isEnabled()
    assert dialog.edits["legal_rep_name"].text() == person.name
    assert dialog.edits["legal_rep_id"].text() == person.id_number
    assert dialog.chips["legal_rep_name"].status == "unchecked"      # read by OCR, free text
    assert dialog.chips["legal_rep_id"].status == "ok"

    for name in ("company_name", "address", "company_type", "business_scope", "operating_period",
                 "legal_rep_phone", "supervisor_name", "agent_name", "agent_id", "agent_phone",
                 "meeting_date", "application_date", "authorization_end"):
        commit_text(dialog.edits[name], SAMPLE[name])
    commit_text(dialog.edits["registered_capital"], "壹佰")            # 大写, no unit
    assert dialog.intake.fields["registered_capital"].value == "100"
    assert dialog.chips["legal_rep_phone"].status == "ok"

    shareholders = [(person.name, person.id_number, "６０", "60%"),
                    ("陈雨桐", "350802199007151010", "40", "30")]
    for row, (name, number, amount, share) in enumerate(shareholders):
        qtbot.mouseClick(dialog.findChild(type(dialog.save_button), "shareholders_add"),
                         Qt.MouseButton.LeftButton)
        for column, text in enumerate((name, number, amount, share, "货币", "2046-12-31")):
            cell(dialog, "shareholders", row, column).setText(text)
    assert dialog.tables["shareholders"].rowCount() == 2
    # 60 + 30: both shares invalid, shown in the cells, and named in the status line
    assert cell(dialog, "shareholders", 1, 3).data(STATUS_ROLE) == "invalid"
    assert "not 100%" in cell(dialog, "shareholders", 0, 3).toolTip()
    cell(dialog, "shareholders", 1, 3).setText("40")
    assert cell(dialog, "shareholders", 0, 3).data(STATUS_ROLE) == "ok"
    assert cell(dialog, "shareholders", 0, 2).text() == "60"          # full-width normalised

    # a director row added and removed again
    add = dialog.findChild(type(dialog.save_button), "directors_add")
    qtbot.mouseClick(add, Qt.MouseButton.LeftButton)
    assert dialog.tables["directors"].rowCount() == 1
    qtbot.mouseClick(dialog.findChild(type(dialog.save_button), "directors_remove"),
                     Qt.MouseButton.LeftButton)
    assert dialog.tables["directors"].rowCount() == 0

    assert dialog.problems == [], dialog.problems
    assert dialog.status_line.text() == "Every value passed its checks."
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.saved and output.exists()

    case = load_case(output)
    assert case.value("legal_rep_name") == person.name
    assert case.value("registered_capital") == "100"
    assert case.groups["shareholders"][0] == {"name": person.name, "id_number": person.id_number,
                                              "amount": "60", "share": "60", "method": "货币",
                                              "due_date": "2046-12-31"}
    assert case.doubtful_group_values() == []
    if find_soffice() is None:
        pytest.skip("LibreOffice is not installed: the case was written, not rendered")
    import io
    out, err = io.StringIO(), io.StringIO()
    code = main(["docs", str(PACK), "--case", str(output), "-o", str(tmp_path / "docs"), "--json"],
                out=out, err=err)
    assert code == 0, out.getvalue() + err.getvalue()
    assert len(json.loads(out.getvalue())["documents"]) == 5
    from pypdf import PdfReader
    text = "".join(p.extract_text() for p in PdfReader(tmp_path / "docs/股东会决议.pdf").pages)
    assert person.name in text.replace(" ", "")


def test_a_bad_value_shows_its_status_in_chinese_and_saving_keeps_it(qtbot, tmp_path):
    from app.i18n import using
    output = tmp_path / "case.json"
    intake = Intake.from_case(load_case(PACK / "samples/case.json"))
    with using("zh_CN"):
        dialog = IntakeDialog(intake, None, output, "企业开办")
        qtbot.addWidget(dialog)
        commit_text(dialog.edits["agent_id"], "350802198809091520")     # check digit is 9
        assert dialog.chips["agent_id"].status == "invalid"
        assert dialog.chips["agent_id"].text() == "不通过"
        assert "校验" in dialog.chips["agent_id"].toolTip()
        assert not dialog.card_button.isEnabled()                         # no reader given
        assert dialog.save()
    case = load_case(output)
    assert case.fields["agent_id"].status == "invalid"
    assert case.value("agent_id") == "350802198809091520"                # nothing typed is lost


def test_a_card_that_cannot_be_read_says_so_and_keeps_what_is_typed(qtbot, tmp_path):
    from app.errors import CaptureError

    def unreadable(path: str):
        raise CaptureError(f"Cannot read the image {path}: not an image.")

    def broken(path: str):
        raise ZeroDivisionError("a fault of ours")

    dialog = IntakeDialog(Intake(), unreadable, tmp_path / "case.json", "企业开办")
    qtbot.addWidget(dialog)
    commit_text(dialog.edits["company_name"], "厦门市鹭岛商贸有限公司")
    assert dialog.read_card_file(str(tmp_path / "nothing.png"), "legal_rep")
    qtbot.waitUntil(lambda: not dialog.reading, timeout=10000)
    assert "not an image" in dialog.status_line.text()
    assert dialog.edits["company_name"].text() == "厦门市鹭岛商贸有限公司"
    assert dialog.card_button.isEnabled() and dialog.save_button.isEnabled()

    dialog.read_card = broken
    assert dialog.read_card_file(str(tmp_path / "nothing.png"), "legal_rep")
    qtbot.waitUntil(lambda: not dialog.reading, timeout=10000)
    assert "ZeroDivisionError" in dialog.status_line.text()
    assert dialog.intake.value("company_name") == "厦门市鹭岛商贸有限公司"
