"""Reading that refuses to guess (issue 11), with the real OCR engine on sources the
reader was not tuned on (tests/reader_samples.py): portal pages with labels above values,
spouses' labels that contain the applicant's, labels spaced with ideographic spaces, 3 and
4 columns, an empty value, a scrolled page; ID-card photos tilted, blurred, with glare.
A wrong value is never `ok`; right values are exact; a missing required field keeps the
case (command line, pipeline with the registry, tray review)."""
from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("rapidocr_onnxruntime", reason="the default OCR engine is not installed")

from app.capture.read import read_source  # noqa: E402
from app.ocr import open_engine  # noqa: E402
from app.sandbox.people import make_person  # noqa: E402
from app.sandbox.sources import render_id_card, render_portal_page  # noqa: E402
from playbooks.loader import load_playbook, load_playbook_text  # noqa: E402
from reader_samples import PLAYBOOKS, render_form, score  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
LIB = ROOT / "playbooks" / "library"

# (seed, layout, columns, spaced, colon, empty, scrolled rows)
PAGES = [
    (11, "above", 4, True, True, None, 0),
    (12, "above", 3, False, False, "employer", 0),     # below must not reach two rows down
    (13, "above", 4, False, True, "employer", 0),
    (14, "above", 3, True, False, None, 1),            # scrolled: the 姓名 row's labels cut off
    (15, "beside", 3, True, True, None, 0),
    (16, "beside", 4, False, False, "employer", 0),    # labels glued to values, no colon
    (17, "beside", 4, True, False, None, 1),
    (18, "beside", 3, False, True, "employer", 0),
]


@pytest.fixture(scope="module")
def engine():
    e = open_engine("rapidocr")
    e.load()
    return e


@pytest.mark.parametrize("seed, layout, columns, spaced, colon, empty, scroll", PAGES)
def test_unseen_pages_give_right_values_and_never_a_wrong_one_marked_ok(
        engine, seed, layout, columns, spaced, colon, empty, scroll):
    sample = render_form(seed, layout=layout, columns=columns, spaced=spaced, colon=colon,
                         empty=empty, scroll_rows=scroll)
    pb = load_playbook_text(PLAYBOOKS[layout], f"reader-{layout}.yaml")
    result = read_source(pb, sample.image, engine)
    fields = result.case.fields
    got = score(fields, sample.truth)
    assert got["wrong_ok"] == [], {n: fields[n].value for n in got["wrong_ok"]}
    assert got["flagged"] == [], {n: (fields[n].value, fields[n].status) for n in got["flagged"]}
    spouse = make_person(seed + 7919)
    assert spouse.name not in {fv.value for fv in fields.values()}
    assert spouse.id_number not in {fv.value for fv in fields.values()}
    for name, want in sample.truth.items():       # what is not on the page says why
        if want is None:
            assert fields[name].status == "missing" and fields[name].value is None


@pytest.mark.parametrize("seed", [31, 32, 33, 34, 35, 36])
def test_id_card_photos_tilted_blurred_with_glare(engine, seed):
    r = random.Random(seed)
    photo = dict(rotate_deg=round(r.uniform(-3, 3), 1), tilt_deg=round(r.uniform(-20, 20)),
                 glare=round(r.uniform(0.2, 0.6), 1), blur=round(r.uniform(0.5, 1.2), 1),
                 noise=r.choice((4, 6, 8)), jpeg_quality=r.choice((55, 65, 75)))
    card = render_id_card(make_person(seed), seed=seed, **photo)
    result = read_source(load_playbook(LIB / "idcard-to-qt-intake.yaml"), card.image, engine)
    got = score(result.case.fields, card.truth)
    assert got["wrong_ok"] == [] and got["flagged"] == [], (photo, {
        n: (fv.value, fv.status) for n, fv in result.case.fields.items()})
    # the address is the lines between 住址 and 公民身份号码, never the 出生 line
    assert not result.case.fields["address"].value.startswith(str(make_person(seed).birth_date.year))


def portal_without(tmp_path: Path, field: str, seed: int = 4) -> tuple[Path, dict]:
    """A portal page whose label for `field` is painted over: the field cannot be found."""
    from PIL import ImageDraw
    page = render_portal_page(make_person(seed), seed=seed)
    x0, y0, x1, y1 = page.label_boxes[field]
    bg = page.image.getpixel((x0 - 3, y0 - 3))
    ImageDraw.Draw(page.image).rectangle((x0 - 2, y0 - 2, x1 + 2, y1 + 2), fill=bg)
    png = tmp_path / "portal.png"
    page.image.save(png)
    return png, page.truth


def test_one_missing_required_field_keeps_the_case_and_the_cli_names_it(tmp_path):
    png, truth = portal_without(tmp_path, "phone")
    case = tmp_path / "case.json"
    r = subprocess.run([sys.executable, "-m", "app.cli", "capture", "portal-to-qt-intake",
                        "--image", str(png), "--offline", "--json", "-o", str(case)],
                       capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert r.returncode == 1, r.stderr
    assert "could not be found on the source: 联系电话 (phone)" in r.stderr
    doc = json.loads(r.stdout)
    assert doc["missing"] == ["phone"] and "phone" in doc["needs_person"]
    saved = json.loads(case.read_text(encoding="utf-8"))["fields"]
    assert saved["phone"]["status"] == "missing" and saved["phone"]["value"] is None
    assert saved["phone"]["source"]["problems"] == ["The label 联系电话 is not on the source."]
    for name, status in (("applicant_name", "unchecked"), ("id_number", "ok"),
                         ("address", "unchecked"), ("postcode", "unchecked")):
        assert saved[name]["status"] == status and saved[name]["value"] is not None


def test_the_rest_is_verified_and_the_tray_review_asks_for_the_missing_field(
        qtbot, engine, tmp_path):
    """The pipeline the tray runs: the case is saved with 联系电话 missing, the other fields
    are confirmed by the reference registry on loopback, and the review blocks the fill
    until the clerk types the number."""
    pytest.importorskip("pytestqt")
    from app.hotkeys.dummy import DummyHotkeys
    from app.pipeline import PipelineOptions, build_pipeline
    from app.registry.reference import write_reference_settings
    from app.settings import Settings
    from app.ui.dispatch import MainThread
    from app.ui.tray import TrayApp
    from registry_server import RegistryServer
    png, truth = portal_without(tmp_path, "phone")
    with RegistryServer(tmp_path / "registry", people=8) as server:
        settings_file = write_reference_settings(tmp_path / "registries.yaml", server.url)
        secret = server.secret.decode()
        pipeline = build_pipeline(PipelineOptions(
            settings=Settings(), registries=settings_file, cases_dir=tmp_path / "cases",
            secrets=lambda name: secret, engine_factory=lambda: engine))
        tray = TrayApp(pipeline=pipeline, settings=pipeline.settings, hotkeys=DummyHotkeys(),
                       main=MainThread(), log_dir=tmp_path / "logs", fill_worker=None)
        try:
            tray.choose_playbook("portal-to-qt-intake", warm=False)
            pb = tray.library.get("portal-to-qt-intake")
            tray.capture(image=pipeline.load_image(pb, png))
            qtbot.waitUntil(lambda: bool(tray.state.outcome is not None or tray.state.last_error),
                            timeout=60000)
            assert tray.state.last_error is None
            outcome = tray.state.outcome
            saved = json.loads(outcome.case_path.read_text(encoding="utf-8"))["fields"]
            assert saved["phone"]["status"] == "missing"
            assert saved["applicant_name"]["value"] == truth["applicant_name"]
            assert saved["applicant_name"]["source"]["registry"]["result"] == "confirmed"
            review = tray.review
            assert review is not None and review.isVisible()
            row = review.rows["phone"]
            assert row.chip.status == "missing_required"
            assert "联系电话 is not on the source" in row.note.text()
            assert not review.fill_button.isEnabled()
        finally:
            if tray.review is not None:
                tray.review.close()
            tray.icon.hide()
            pipeline.close()
