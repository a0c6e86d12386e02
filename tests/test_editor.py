"""The supervisor's playbook editor (app/ui/editor.py) on Qt's offscreen platform, with the
real case pipeline: real OCR of a generated sample source, real loader, real file saved.

The sample is written the way the `golden` format lays samples out beside a playbook:
samples/<playbook id>/<case>/source.png and expected.yaml (`fields: {name: value}`)."""
from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest
import yaml
from PySide6.QtCore import QModelIndex

from app.cli import main
from app.pipeline import PipelineOptions, build_pipeline
from app.sandbox.people import make_person
from app.sandbox.sources import render_id_card
from app.settings import Settings
from app.ui.dispatch import MainThread
from app.ui.editor import EditorWindow
from playbooks.loader import load_playbook, load_playbook_text
from playbooks.model import ChooseStep

LIB = Path(__file__).resolve().parents[1] / "playbooks" / "library"
PB_ID = "idcard-to-qt-intake"
SEED = 7
WAIT_MS = 120_000          # the first capture loads the OCR model


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    p = build_pipeline(PipelineOptions(settings=Settings(),
                                       cases_dir=tmp_path_factory.mktemp("cases")))
    yield p
    p.close()


def write_sample(folder: Path, seed: int = SEED) -> dict:
    """A generated ID card as a sample of the idcard playbook; returns the rendered source."""
    src = render_id_card(make_person(seed), seed=seed)
    case = folder / "samples" / PB_ID / f"card-{seed}"
    case.mkdir(parents=True)
    src.image.save(case / "source.png")
    (case / "expected.yaml").write_text(
        yaml.safe_dump({"fields": src.truth}, allow_unicode=True), encoding="utf-8")
    return {"truth": src.truth, "value_boxes": src.value_boxes}


def playbook_copy(folder: Path, extra_field: str = "") -> Path:
    text = (LIB / f"{PB_ID}.yaml").read_text(encoding="utf-8")
    if extra_field:
        text = text.replace("verify:\n", extra_field + "verify:\n", 1)
    path = folder / f"{PB_ID}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def open_editor(qtbot, path: Path, pipeline, asked: list | None = None,
                draft: bool = False) -> EditorWindow:
    def ask(found):
        if asked is not None:
            asked.append([str(p) for p in found])
        return draft
    editor = EditorWindow(path, pipeline=pipeline, main=MainThread(), ask_draft=ask,
                          ask_unsaved=lambda: "discard")
    qtbot.addWidget(editor)
    editor.show()
    return editor


def wait_trial(qtbot, editor: EditorWindow) -> None:
    qtbot.waitUntil(lambda: editor.trial is not None and not editor.busy, timeout=WAIT_MS)


def changes(before: str, after: str) -> tuple[list[str], list[str]]:
    diff = [d for d in difflib.unified_diff(before.splitlines(), after.splitlines(),
                                            lineterm="", n=0)
            if not d.startswith(("---", "+++", "@@"))]
    return [d[1:] for d in diff if d[0] == "-"], [d[1:] for d in diff if d[0] == "+"]


def test_the_editor_shows_boxes_renames_in_chinese_reorders_and_saves_only_that(
        qtbot, tmp_path, pipeline):
    drawn = write_sample(tmp_path)
    path = playbook_copy(tmp_path, "  - {name: phone, label: 联系电话, type: phone, required: false}\n")
    original = path.read_text(encoding="utf-8")
    editor = open_editor(qtbot, path, pipeline)
    assert editor.source.samples.currentText() == f"card-{SEED}"
    wait_trial(qtbot, editor)

    # every field on the card has its box, inside the value drawn there; 联系电话 is not on
    # a card and is listed as not found
    on_card = ["applicant_name", "gender", "ethnicity", "birth_date", "id_number", "address"]
    assert sorted(editor.source.boxes) == sorted(on_card)
    for name in on_card:
        x0, y0, x1, y1 = drawn["value_boxes"][name]
        bx, by, bw, bh = editor.source.boxes[name]
        assert x0 - 8 <= bx + bw / 2 <= x1 + 8 and y0 - 8 <= by + bh / 2 <= y1 + 8, name
    assert editor.source.not_found_names() == ["phone"]
    assert editor.source.picture.pixmap().width() > 800
    # the ID number is not readable on the picture (PIPL); the name is
    shown = editor.source.picture.pixmap().toImage()
    card = editor.trial.picture.convert("RGB")

    def colours(box, pixel):
        x, y, w, h = box
        return len({pixel(i, j) for i in range(x + 3, x + w - 3) for j in range(y + 3, y + h - 3)})
    on_screen = lambda i, j: shown.pixel(i, j) & 0xFFFFFF   # noqa: E731
    on_card = lambda i, j: card.getpixel((i, j))            # noqa: E731
    id_box, name_box = editor.source.boxes["id_number"], editor.source.boxes["applicant_name"]
    blocks = (id_box[2] // 12 + 2) * (id_box[3] // 12 + 2)
    assert colours(id_box, on_card) > blocks >= colours(id_box, on_screen)
    assert colours(name_box, on_screen) > 0.8 * colours(name_box, on_card)

    # the fields table: name, 标签, type
    table = editor.fields
    rows = {table.item(r, 0).text(): r for r in range(table.rowCount())}
    assert table.item(rows["address"], 1).text() == "住址"
    # rename the label in Chinese, as a supervisor types it in the cell
    table.item(rows["address"], 1).setText("户籍地址")
    # and rename the field itself: the steps and verify follow
    table.item(rows["applicant_name"], 0).setText("xingming")
    assert editor.doc.field("xingming").get("label") == "姓名"
    assert editor.steps.steps()[0] == "1. type: xingming"

    # reorder: drag the 性别 choose (step 3) to the top, through the list's model, as a drop does
    lst = editor.steps.list
    assert lst.item(2).text().startswith("3. choose:")
    assert lst.model().moveRow(QModelIndex(), 2, QModelIndex(), 0)
    assert editor.steps.steps()[0].startswith("1. choose:")
    assert editor.modified and editor.windowTitle().endswith("*")

    assert editor.save()
    saved = path.read_text(encoding="utf-8")
    assert saved == editor.text and not editor.modified
    pb = load_playbook(path)
    assert pb.field_spec("address").label == "户籍地址"
    assert isinstance(pb.steps[0], ChooseStep) and pb.steps[1].field == "xingming"
    assert pb.verify[0].confirm["xingming"].registry_name == "applicant_name"
    removed, added = changes(original, saved)
    assert removed == ["  - {name: applicant_name, label: 姓名}",
                       "  - {name: address, label: 住址}",
                       "      applicant_name: exact",
                       "  - type: applicant_name",
                       "  - choose: {field: gender, options: {男: [space], 女: [right]}}"]
    assert added == ["  - {name: xingming, label: 姓名}",
                     "  - {name: address, label: 户籍地址}",
                     "    with: {applicant_name: xingming}",
                     "      xingming: {rule: exact, as: applicant_name}",
                     "  - choose: {field: gender, options: {男: [space], 女: [right]}}",
                     "  - type: xingming"]
    # the YAML pane shows exactly what was saved
    assert editor.yaml.text.toPlainText() == saved


def test_trial_run_gives_the_fields_the_sample_expects_and_the_dry_run(qtbot, tmp_path, pipeline):
    drawn = write_sample(tmp_path)
    path = playbook_copy(tmp_path)
    editor = open_editor(qtbot, path, pipeline)
    wait_trial(qtbot, editor)
    editor.trial = None
    editor.run_trial(show=True)
    wait_trial(qtbot, editor)
    qtbot.waitUntil(lambda: editor.trial_dialog is not None and editor.trial_dialog.isVisible())
    trial = editor.trial
    got = {f.name: f.value for f in trial.fields}
    assert got == drawn["truth"]
    assert all(f.as_expected for f in trial.fields) and trial.differences == []
    dialog = editor.trial_dialog
    assert dialog.table.rowCount() == len(drawn["truth"])
    verdicts = [dialog.table.item(r, 4).text() for r in range(dialog.table.rowCount())]
    assert verdicts == ["✓"] * len(drawn["truth"])
    # the dry run: what would be typed where, the ID number masked as everywhere
    assert trial.dry is not None and trial.dry.code == 0
    plan = [dialog.plan.item(i).text() for i in range(dialog.plan.count())]
    pb = load_playbook(path)
    assert len(plan) == len(pb.steps)
    assert plan[0].split()[1:] == ["type", "applicant_name", drawn["truth"]["applicant_name"]]
    id_line = next(p for p in plan if "id_number" in p)
    assert drawn["truth"]["id_number"] not in id_line and "*" in id_line
    assert any(p.split()[1:] == ["key", "tab", "tab"] for p in plan)


def test_a_wrong_expected_value_shows_as_a_difference(qtbot, tmp_path, pipeline):
    drawn = write_sample(tmp_path)
    case = tmp_path / "samples" / PB_ID / f"card-{SEED}" / "expected.yaml"
    truth = dict(drawn["truth"], ethnicity="回族" if drawn["truth"]["ethnicity"] != "回族" else "汉族")
    case.write_text(yaml.safe_dump({"fields": truth}, allow_unicode=True), encoding="utf-8")
    editor = open_editor(qtbot, playbook_copy(tmp_path), pipeline)
    wait_trial(qtbot, editor)
    assert editor.trial.differences == ["ethnicity"]


def test_the_text_pane_reparses_shows_problems_by_line_and_saves_a_draft_only_when_asked(
        qtbot, tmp_path, pipeline):
    path = playbook_copy(tmp_path)          # no samples: nothing is read
    original = path.read_text(encoding="utf-8")
    asked: list = []
    editor = open_editor(qtbot, path, pipeline, asked)
    assert editor.samples == [] and editor.problems == []
    # the supervisor types in the YAML pane: a step for a field that does not exist
    broken = original.replace("  - type: ethnicity", "  - type: ethnicty")
    editor.yaml.text.setPlainText(broken)
    qtbot.waitUntil(lambda: editor.text == broken, timeout=5000)
    line = next(i for i, text in enumerate(broken.splitlines(), 1)
                if text.startswith("  - type: ethnicty"))
    shown = [editor.yaml.problems.item(i).text() for i in range(editor.yaml.problems.count())]
    assert len(shown) == 1 and shown[0].startswith(f"{path}:{line}: ") and "ethnicty" in shown[0]
    # the structured panes followed the text
    assert any("ethnicty" in s for s in editor.steps.steps())
    assert not editor.save() and asked == [shown]
    assert path.read_text(encoding="utf-8") == original          # refused: nothing written
    # text that is not YAML: the structured panes wait, the problem has its line
    editor.yaml.text.setPlainText(original.replace("fill:\n", "fill: [\n", 1))
    qtbot.waitUntil(lambda: editor.doc is None, timeout=5000)
    assert not editor.steps.isEnabled() and not editor.fields.isEnabled()
    assert editor.yaml.problems.count() >= 1
    assert editor.yaml.problems.item(0).text().startswith(f"{path}:")
    # fixed in the text: the panes come back; then a draft saved on purpose
    editor.yaml.text.setPlainText(broken)
    qtbot.waitUntil(lambda: editor.doc is not None, timeout=5000)
    assert editor.steps.isEnabled()
    editor.ask_draft = lambda found: True
    assert editor.save()
    assert path.read_text(encoding="utf-8") == broken


def test_a_step_edited_inserted_and_deleted_from_the_editor(qtbot, tmp_path, pipeline):
    path = playbook_copy(tmp_path)
    original = path.read_text(encoding="utf-8")
    editor = open_editor(qtbot, path, pipeline)
    n = editor.steps.list.count()
    # the step as the edit dialog offers it (its comment included), changed there
    shown = editor.doc.step_text(4)
    assert shown.startswith("type: ethnicity") and "# the card prints 汉" in shown
    assert editor.edit_step(4, shown.replace("type: ethnicity",
                                             "type: {field: ethnicity, method: paste}"))
    assert editor.insert_step(0, "wait: {seconds: 0.5}")
    assert editor.delete_step(n)                    # the last step (address)
    assert not editor.insert_step(0, "type: [")      # not YAML: refused with a sentence
    assert "YAML" in editor.statusBar().currentMessage()
    assert editor.steps.list.count() == n
    pb = load_playbook_text(editor.text, "x.yaml")
    assert pb.steps[5].method == "paste" and pb.steps[0].seconds == 0.5
    assert "address" not in [getattr(s, "field", None) for s in pb.steps]
    for comment in ("# the card prints 汉", "# 联系电话 is not on the card", "# 人口库"):
        assert comment in editor.text
    assert original.count("\n") == editor.text.count("\n")    # +1 step, −1 step, 1 edited


def test_edit_command_refuses_what_it_cannot_open(tmp_path, capsys):
    assert main(["edit", str(tmp_path / "nope.yaml")]) == 2
    assert "nope.yaml" in capsys.readouterr().err
    gbk = tmp_path / "gbk.yaml"
    gbk.write_bytes("id: 受理".encode("gbk"))
    assert main(["edit", str(gbk)]) == 2
    assert "UTF-8" in capsys.readouterr().err


def test_the_tray_opens_the_editor_on_the_chosen_playbook(qtbot, tmp_path):
    from test_tray_unit import make_tray
    folder = tmp_path / "mine"
    folder.mkdir()
    shutil.copy(LIB / "sample-qt-intake.yaml", folder / "mine.yaml")
    (folder / "mine.yaml").write_text((folder / "mine.yaml").read_text(encoding="utf-8")
                                      .replace("id: sample-qt-intake", "id: mine-intake"),
                                      encoding="utf-8")
    tray, _ = make_tray(qtbot, tmp_path, folders=[folder])
    tray.choose_playbook("mine-intake")
    assert tray.act_edit in tray.menu.actions()
    tray.act_edit.trigger()
    assert tray.editor is not None and tray.editor.isVisible()
    assert tray.editor.path == folder / "mine.yaml"
    assert tray.editor.fields.rowCount() == 13
    tray.editor.close()
    tray.icon.hide()


def test_trial_on_a_shipped_golden_sample_reads_given_and_status_entries(pipeline):
    """The samples `deskhand test` runs (playbooks/library/samples), read by the same
    reader (app/golden/samples.py): `given` values are what the clerk gives, a
    `{status: …}` entry is compared by its status."""
    from app.trial import run_trial, source_pictures
    path = LIB / "portal-to-qt-intake.yaml"
    pb = load_playbook(path)
    samples = source_pictures(path, pb.id)
    assert samples, "the shipped playbook has golden samples"
    sample = next(s for s in samples if s.name == "case-3")    # its e-mail is `invalid`
    trial = run_trial(pipeline, pb, sample)
    assert trial.note is None and trial.differences == []
    email = next(f for f in trial.fields if f.name == "email")
    assert email.want.statuses == ("invalid",) and email.status == "invalid" and email.as_expected
    # the dry run plans the clerk's matter, and waits for the clerk to check the e-mail
    assert trial.dry is not None and trial.dry.needs == ["email"], trial.dry_error
    from app.golden.samples import load_sample
    given = load_sample(sample.sample, pb).expected.given
    chosen = [r for r in trial.dry.rows if r["field"] == "matter"]
    assert "matter" in given and chosen and chosen[0]["text"] == given["matter"]


def test_the_trial_compares_as_deskhand_test_does_value_and_status(tmp_path, pipeline, capsys):
    """One reader, one comparison: a field expected `invalid` that reads `ok` differs in the
    editor's trial exactly as it does in `deskhand test` (the editor's own reader used to
    compare the value only)."""
    from app.trial import run_trial, source_pictures
    drawn = write_sample(tmp_path)
    path = playbook_copy(tmp_path)
    case = tmp_path / "samples" / PB_ID / f"card-{SEED}" / "expected.yaml"
    fields = dict(drawn["truth"], ethnicity={"status": "invalid",
                                             "value": drawn["truth"]["ethnicity"]})
    case.write_text(yaml.safe_dump({"fields": fields}, allow_unicode=True), encoding="utf-8")
    pb = load_playbook(path)
    trial = run_trial(pipeline, pb, source_pictures(path, pb.id)[0])
    assert trial.differences == ["ethnicity"] and trial.note is None
    assert main(["test", str(path)]) == 1
    out = capsys.readouterr().out
    assert [line.split()[2].rstrip(":") for line in out.splitlines()
            if line.strip().startswith("≠ field")] == ["ethnicity"]


def test_a_sample_with_only_its_picture_is_tried_and_said_not_compared(qtbot, tmp_path, pipeline,
                                                                       capsys):
    """A case folder whose expected.yaml is not written yet: the editor still reads it and
    draws its boxes, compares nothing and says why; `deskhand test` refuses it (exit 2)
    with the reader's sentence."""
    write_sample(tmp_path)
    folder = tmp_path / "samples" / PB_ID / f"card-{SEED}"
    (folder / "expected.yaml").unlink()
    path = playbook_copy(tmp_path)
    editor = open_editor(qtbot, path, pipeline)
    assert editor.source.samples.currentText() == f"card-{SEED}"
    wait_trial(qtbot, editor)
    trial = editor.trial
    assert all(f.as_expected is None for f in trial.fields) and trial.differences == []
    assert "applicant_name" in editor.source.boxes
    assert "no expected.yaml" in trial.note and str(folder / "expected.yaml") in trial.note
    assert trial.note in editor.source.status.text()
    editor.trial = None
    editor.run_trial(show=True)
    wait_trial(qtbot, editor)
    qtbot.waitUntil(lambda: editor.trial_dialog is not None)
    assert editor.trial_dialog.summary.text() == editor.trial.note
    assert main(["test", str(path)]) == 2
    assert "no expected.yaml beside its source picture" in capsys.readouterr().err


def test_a_sample_that_no_longer_fits_the_playbook_says_so_in_the_trial(tmp_path, pipeline):
    """expected.yaml naming a field the playbook does not have is read as `deskhand test`
    reads it: the trial compares nothing and gives the reader's file:line sentence."""
    from app.trial import run_trial, source_pictures
    drawn = write_sample(tmp_path)
    case = tmp_path / "samples" / PB_ID / f"card-{SEED}" / "expected.yaml"
    case.write_text(yaml.safe_dump({"fields": dict(drawn["truth"], nickname="小张")},
                                   allow_unicode=True), encoding="utf-8")
    path = playbook_copy(tmp_path)
    pb = load_playbook(path)
    trial = run_trial(pipeline, pb, source_pictures(path, pb.id)[0])
    assert all(f.as_expected is None for f in trial.fields)
    assert f"{case}:" in trial.note and "'nickname' is not a field" in trial.note
    assert trial.dry is not None


def test_a_case_folder_with_two_pictures_is_named_in_the_editor(qtbot, tmp_path, pipeline):
    write_sample(tmp_path)
    folder = tmp_path / "samples" / PB_ID / f"card-{SEED}"
    shutil.copy(folder / "source.png", folder / "source.jpg")
    editor = open_editor(qtbot, playbook_copy(tmp_path), pipeline)
    assert editor.samples == [] and editor.trial is None
    said = editor.source.status.text()
    assert str(folder) in said and "holds 2" in said
