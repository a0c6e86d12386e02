"""Reading sources into checked cases with real OCR on generated pages and ID cards,
from image files and from a real window on the test run's own X display."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("rapidocr_onnxruntime", reason="the default OCR engine is not installed")

from app.ocr.base import TextBox  # noqa: E402
from app.capture.read import read_source  # noqa: E402
from app.checks.normalize import halfwidth_alnum  # noqa: E402
from app.ocr import open_engine  # noqa: E402
from app.sandbox.people import make_person  # noqa: E402
from app.sandbox.sources import render_id_card, render_portal_page, show_image_argv  # noqa: E402
from playbooks.loader import load_playbook  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
LIB = ROOT / "playbooks" / "library"


@pytest.fixture(scope="module")
def engine():
    e = open_engine("rapidocr")
    e.load()
    return e


def as_read(truth: dict[str, str]) -> dict[str, str]:
    """What a case holds for what the source showed: half-width digits (OCR reads
    ３５１号 as 351号), the rest as shown."""
    return {k: halfwidth_alnum(v) for k, v in truth.items()}


@pytest.mark.parametrize("scale", [1.0, 1.25])
@pytest.mark.parametrize("seed", [1, 8, 15])
def test_portal_page_fields_are_read_exactly(engine, seed, scale):
    pb = load_playbook(LIB / "portal-to-qt-intake.yaml")
    src = render_portal_page(make_person(seed), scale=scale, seed=seed)
    result = read_source(pb, src.image, engine, scale=scale)
    # 办理事项 is the clerk's to give (read: clerk): the page's 申请事项 is not its value
    clerk = {k for k, fv in result.case.fields.items() if fv.source.get("kind") == "clerk"}
    assert clerk == {"matter"} and result.case.fields["matter"].value is None
    want = {k: v for k, v in as_read(src.truth).items() if k in result.case.fields and k not in clerk}
    got = {k: fv.value for k, fv in result.case.fields.items() if k not in clerk}
    assert got == want
    # a repaired reading (窗族 → 畲族 from the engine's alternatives) says so and keeps
    # what was read; everything else is ok as read, or unchecked where it is free text
    for name, fv in result.case.fields.items():
        if name in clerk:
            continue
        doubted = fv.status == "invalid" and all(
            "was not sure of" in p for p in fv.source.get("problems", ["-"]))
        free = pb.field_spec(name).type == "text" and name != "ethnicity"
        assert fv.status == ("unchecked" if free else "ok") or doubted or (fv.status == "corrected" and fv.original
                                                and fv.original != fv.value), fv
    # each value keeps the box it came from, inside the drawn value
    x0, y0, x1, y1 = src.value_boxes["id_number"]
    bx, by, bw, bh = result.case.fields["id_number"].source["box"]
    assert x0 - 8 <= bx + bw / 2 <= x1 + 8 and y0 - 8 <= by + bh / 2 <= y1 + 8


@pytest.mark.parametrize("degrade", [{}, {"blur": 0.8, "noise": 6.0, "jpeg_quality": 55,
                                          "rotate_deg": 0.6}])
@pytest.mark.parametrize("seed", [3, 7, 21])
def test_id_card_fields_are_read_exactly(engine, seed, degrade):
    pb = load_playbook(LIB / "idcard-to-qt-intake.yaml")
    src = render_id_card(make_person(seed), seed=seed, **degrade)
    result = read_source(pb, src.image, engine)
    got = {k: fv.value for k, fv in result.case.fields.items()}
    assert got == as_read(src.truth)
    assert not result.needs_person


def test_a_misread_id_digit_is_corrected_and_the_original_kept(engine, monkeypatch):
    """OCR that reads one 0 of the ID number as O: the check digit confirms 0."""
    pb = load_playbook(LIB / "idcard-to-qt-intake.yaml")
    src = render_id_card(make_person(3), seed=3)
    real_read = engine.read

    def misreading(image):
        out = []
        for b in real_read(image):
            m = re.search(r"\d{17}[\dX]", b.text.replace(" ", ""))   # spaced as on the card
            i = b.text.find("0", b.text.find(m.group(0)[0])) if m else -1
            if i >= 0:   # as an engine would: O first, 0 its runner-up
                alts = list(b.alternatives or [(c,) for c in b.text])
                alts[i] = ("O", "0")
                b = TextBox(b.text[:i] + "O" + b.text[i + 1:], b.score, b.x, b.y, b.width,
                            b.height, tuple(alts))
            out.append(b)
        return out
    monkeypatch.setattr(engine, "read", misreading)
    fv = read_source(pb, src.image, engine).case.fields["id_number"]
    assert fv.status == "corrected" and fv.value == src.truth["id_number"]
    assert "O" in fv.original


def deskhand(*args: str, env=None, cwd=None):
    return subprocess.run([sys.executable, "-m", "app.cli", *args], capture_output=True, text=True,
                          timeout=120, env=env, cwd=cwd or ROOT)


def test_bad_sources_give_a_sentence_an_exit_code_and_no_case_file(tmp_path):
    case = tmp_path / "case.json"
    broken = tmp_path / "scan.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    r = deskhand("capture", "idcard-to-qt-intake", "--image", str(broken), "-o", str(case))
    assert r.returncode == 2 and "damaged" in r.stderr or "not an image" in r.stderr
    r = deskhand("capture", "idcard-to-qt-intake", "--image", str(tmp_path / "none.jpg"), "-o", str(case))
    assert r.returncode == 2 and "does not exist" in r.stderr
    from PIL import Image
    Image.new("RGB", (856, 540), "white").save(tmp_path / "blank.png")
    r = deskhand("capture", "idcard-to-qt-intake", "--image", str(tmp_path / "blank.png"), "-o", str(case))
    assert r.returncode == 3 and "No text could be read" in r.stderr
    # the top of a portal page is not an ID card: none of its labels are there (a wrong
    # window); one missing field alone keeps the case (tests/test_reader.py)
    render_portal_page(make_person(2), seed=2).image.crop((0, 0, 900, 500)).save(tmp_path / "p.png")
    r = deskhand("capture", "idcard-to-qt-intake", "--image", str(tmp_path / "p.png"), "-o", str(case))
    assert r.returncode == 3 and "None of the fields of playbook idcard-to-qt-intake could be " \
        "found on the source" in r.stderr
    assert not case.exists()
    env = {k: v for k, v in __import__("os").environ.items() if k != "DISPLAY"}
    r = deskhand("capture", "portal-to-qt-intake", "--screen", "-o", str(case), env=env)
    assert r.returncode == 3 and "display" in r.stderr.lower()
    assert not case.exists()


def test_capture_cli_writes_a_case_with_statuses_and_masks_the_id(tmp_path):
    src = render_id_card(make_person(7), seed=7)
    src.image.save(tmp_path / "card.jpg", quality=80)
    case = tmp_path / "case.json"
    r = deskhand("capture", "idcard-to-qt-intake", "--image", str(tmp_path / "card.jpg"),
                 "--offline", "--json", "-o", str(case))
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    # a name and an address are free text: no check can confirm them
    assert {f["field"]: f["status"] for f in doc["fields"]} == {
        k: "unchecked" if k in ("applicant_name", "address") else "ok" for k in src.truth}
    assert src.truth["id_number"] not in r.stdout
    saved = json.loads(case.read_text(encoding="utf-8"))
    assert saved["fields"]["id_number"]["value"] == src.truth["id_number"]
    assert saved["fields"]["address"]["source"]["box"]


@pytest.mark.desktop
def test_portal_window_on_screen_captured_then_filled_into_the_client(tmp_path):
    from app.sandbox.targets import launch_qt_client
    from app.sandbox.xsession import XSession, missing_binaries
    if missing_binaries(("Xvfb", "openbox")):
        pytest.skip("needs Xvfb and openbox")
    person = make_person(12)
    src = render_portal_page(person, seed=12)
    png = tmp_path / "portal.png"
    src.image.save(png)
    with XSession(width=2200, height=1300) as session:
        viewer = session.spawn(show_image_argv(str(png), "e龙岩 - 办件详情"), stdout=subprocess.PIPE,
                               env=session.env(), cwd=str(ROOT))
        session.wait_window("e龙岩*", 20)
        case = tmp_path / "case.json"
        r = deskhand("capture", "portal-to-qt-intake", "--window", "e龙岩", "--offline", "--json",
                     "-o", str(case), env=session.env())
        # exit 1: 办理事项 is the clerk's to give, so the case waits for a person
        assert r.returncode == 1 and json.loads(r.stdout)["needs_person"] == ["matter"], r.stderr
        fields = json.loads(case.read_text(encoding="utf-8"))["fields"]
        want = as_read(src.truth)
        assert fields.pop("matter")["value"] is None
        assert {k: v["value"] for k, v in fields.items()} == {k: want[k] for k in fields}
        session.end(viewer)
        client = launch_qt_client(session)
        client.activate()
        r = deskhand("fill", "portal-to-qt-intake", "--case", str(case), "--set", "matter=不动产登记",
                     "--yes", "--json", "--wait-focus", "5", env=session.env())
        assert r.returncode == 0, r.stderr
        state = client.wait_state(lambda s: s["fields"]["id_number"] == want["id_number"], 5)
        for name in ("applicant_name", "gender", "address", "phone", "id_number"):
            assert state["fields"][name] == want[name]
        assert state["fields"]["matter"] == "不动产登记"
        client.close()


def test_ocr_command_prints_boxes_with_text_and_score(tmp_path):
    src = render_id_card(make_person(7), seed=7)
    src.image.save(tmp_path / "card.png")
    r = deskhand("ocr", str(tmp_path / "card.png"), "--json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    texts = [b["text"] for b in doc["boxes"]]
    assert "公民身份号码" in texts and src.truth["id_number"] in [t.replace(" ", "") for t in texts]
    assert all(0 < b["score"] <= 1 and len(b["box"]) == 4 for b in doc["boxes"])
    r = deskhand("ocr", str(tmp_path / "card.png"), "--engine", "easyocr", "--fallback", "--json")
    assert r.returncode == 0
    if "Warning" in r.stderr:          # no Chinese weights here: RapidOCR stood in, and said so
        assert "zh_sim_g2.pth" in r.stderr and json.loads(r.stdout)["engine"] == "rapidocr"
