"""The defect "a wrong value marked ok", reproduced with real OCR on the real rendered
source: the e龙岩 portal page of seed 13107 (the source the `?form=case` web form is
recorded from, app/sandbox/record_cases.py) shows 文化程度 高中, which RapidOCR reads as 融中
with full confidence. Captured with the playbook the recorder compiles from a supervisor's
filling of 文化程度, that value must never come out ok: 文化程度 is an entry of GB/T 4658's list,
so 融中 is invalid and the entries it may have been read from are offered; nothing is
replaced. And whatever OCR reads, a field left ok holds the page's value."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("rapidocr_onnxruntime", reason="the default OCR engine is not installed")

from app.capture.read import read_source  # noqa: E402
from app.checks.normalize import halfwidth_alnum  # noqa: E402
from app.sandbox.people import make_person  # noqa: E402
from app.sandbox.record_cases import SEEDS  # noqa: E402
from app.sandbox.sources import render_portal_page  # noqa: E402
from playbooks.loader import load_playbook  # noqa: E402
from recorders.compile import compile_recording  # noqa: E402
from tests.recording_builder import lines_of, qt_recording  # noqa: E402
from tests.test_compile_e2e import engine  # noqa: E402,F401  (the loaded RapidOCR, a fixture)

ROOT = Path(__file__).resolve().parent.parent
SEED = 13107                      # 文化程度 高中, read 融中
# the boxes of the ?form=case web form a supervisor fills from the page, label → field
BOXES = {"申请人姓名": "applicant_name", "公民身份号码": "id_number", "婚姻状况": "marital_status",
         "文化程度": "education"}


@pytest.fixture(scope="module")
def playbook(engine, tmp_path_factory) -> Path:
    """What `deskhand record` compiles from the supervisor's filling, recorded on the
    first portal case of the recording proof."""
    seed = SEEDS["portal"][0]
    page = render_portal_page(make_person(seed), seed=seed)
    values = {label: page.truth[name] for label, name in BOXES.items()}
    draft = compile_recording(qt_recording(lines_of(engine.read(page.image)), values,
                                           size=page.image.size), playbook_id="portal-case")
    assert draft.bound_auto == draft.values_total == len(BOXES) and not draft.questions
    path = tmp_path_factory.mktemp("recorded") / "portal-case.yaml"
    path.write_text(draft.yaml, encoding="utf-8")
    pb = load_playbook(path)
    # the recorder names the field by its label: the capture knows it holds a GB/T 4658 entry
    assert pb.field_spec("education").label in ("文化程度", "文化程度：")
    return path


def test_a_misread_education_is_never_ok_and_offers_the_entry(engine, playbook):
    page = render_portal_page(make_person(SEED), seed=SEED)
    assert page.truth["education"] == "高中"
    fields = read_source(load_playbook(playbook), page.image, engine).case.fields
    edu = fields["education"]
    if edu.value != "高中":              # what RapidOCR reads today: 融中
        assert edu.status == "invalid", edu
        assert "高中" in edu.source["suggestions"], edu.source
        assert "'高中'" in edu.source["problems"][0] and edu.original is None
    else:                                 # an engine that reads it right: an entry, ok
        assert edu.status == "ok"
    for name, fv in fields.items():      # an ok value is the page's value
        if fv.status == "ok":
            assert fv.value == halfwidth_alnum(page.truth[name]), (name, fv)
    assert fields["applicant_name"].status in ("unchecked", "invalid")     # free text


def test_the_clerk_sees_it_in_the_capture_report(playbook, tmp_path):
    image = tmp_path / "page.png"
    render_portal_page(make_person(SEED), seed=SEED).image.save(image)
    r = subprocess.run([sys.executable, "-m", "app.cli", "capture", str(playbook), "--image",
                        str(image), "--offline", "--json", "-o", str(tmp_path / "case.json")],
                       capture_output=True, text=True, timeout=180, cwd=ROOT,
                       env={**__import__("os").environ, "DESKHAND_LANG": "zh_CN"})
    doc = json.loads(r.stdout)
    rows = {row["field"]: row for row in doc["fields"]}
    if rows["education"]["value"] == "高中":
        pytest.skip("the OCR engine read 高中 right")
    assert r.returncode == 1, r.stderr                 # a field needs a person
    assert rows["education"]["status"] == "invalid" and "education" in doc["needs_person"]
    saved = json.loads((tmp_path / "case.json").read_text(encoding="utf-8"))["fields"]
    assert "是否为“高中”" in saved["education"]["source"]["problems"][0]
