"""The pipeline writes audit entries for a capture, a review and a fill (a picture read by
a set-text reader, typed into the in-memory desktop), and nothing in them is in clear."""
from __future__ import annotations

import io
import json

from PIL import Image

from app.audit import AuditLog
from app.audit.verify import verify_log
from app.desktop.dummy import DummyDesktop
from app.fill.engine import FillOptions
from app.ocr.base import TextBox
from app.pipeline import PipelineOptions, build_pipeline
from app.settings import Settings
from tests.log_scan import unmasked_ids

KEY = bytes(range(32))
ID, PHONE = "350802199001011236", "13905971234"
PLAYBOOK = """\
deskhand: 1
id: audit-probe
name: 审计探针
source: {kind: image}
target: {title: "城市审批系统 - 受理登记*"}
fields:
  - {name: applicant_name, label: 姓名}
  - {name: id_number, label: 公民身份号码, type: id_number}
  - {name: phone, label: 联系电话, type: phone}
fill:
  - type: applicant_name
  - key: tab
  - type: id_number
  - key: tab
  - type: phone
"""


class Reader:
    name = "set-text"

    def read(self, image):
        rows = [("姓名", "张伟"), ("公民身份号码", ID), ("联系电话", PHONE)]
        return [box for i, (label, value) in enumerate(rows) for box in
                (TextBox(label, 0.99, 20, 20 + 60 * i, 120, 30),
                 TextBox(value, 0.99, 200, 20 + 60 * i, 16 * len(value), 30))]


def test_capture_review_fill_are_entries_with_masked_values(tmp_path):
    folder = tmp_path / "playbooks"
    folder.mkdir()
    (folder / "audit-probe.yaml").write_text(PLAYBOOK, encoding="utf-8")
    log = tmp_path / "audit" / "audit.jsonl"
    log.parent.mkdir()
    audit = AuditLog(log, key=lambda: (KEY, None))
    desktop = DummyDesktop()
    pipeline = build_pipeline(PipelineOptions(
        settings=Settings(playbook_dirs=[str(folder)]), cases_dir=tmp_path / "cases",
        engine_factory=Reader, desktop_factory=lambda: desktop, audit=audit))
    try:
        pb = pipeline.playbook("audit-probe")
        image = tmp_path / "source.png"
        Image.new("RGB", (800, 240), "white").save(image)
        outcome = pipeline.capture(pb, pipeline.load_image(pb, image))
        assert outcome.case.fields["id_number"].value == ID
        report = pipeline.fill(pb, outcome.case, outcome.case_path,
                               FillOptions(wait_focus_s=0.1, abort_keys=None, failsafe=False),
                               before_typing=lambda steps: pipeline.review(
                                   pb, outcome.case, "accepted", "test") or True)
        assert report.outcome == "done"
    finally:
        pipeline.close()
    text = log.read_text(encoding="utf-8")
    entries = [json.loads(line) for line in text.splitlines()]
    assert [e["event"] for e in entries] == ["log_start", "capture", "review", "fill"]
    capture = {f["name"]: f for f in entries[1]["data"]["fields"]}
    assert capture["id_number"]["value"] == "3508**********1236"
    assert capture["phone"]["value"] == "139****1234" and capture["applicant_name"]["value"] == "张*"
    assert entries[1]["data"]["source"] == "image"
    fill = entries[3]["data"]
    assert fill["window"] == "城市审批系统 - 受理登记" and fill["outcome"] == "done"
    assert {f["name"]: f["value"] for f in fill["fields"]}["id_number"] == "3508**********1236"
    assert ID not in text and PHONE not in text and list(unmasked_ids(text)) == []
    assert verify_log(log, KEY, []).ok



def test_a_verify_record_keeps_statuses_and_masks_values_by_type(tmp_path):
    from app.audit.records import field_value, verify_record
    from app.cases import Case, FieldValue
    folder = tmp_path / "playbooks"
    folder.mkdir()
    (folder / "audit-probe.yaml").write_text(PLAYBOOK, encoding="utf-8")
    pipeline = build_pipeline(PipelineOptions(settings=Settings(playbook_dirs=[str(folder)]),
                                              cases_dir=tmp_path, audit=lambda e, d: None))
    pb = pipeline.playbook("audit-probe")
    case = Case("c1", pb.id, {"id_number": FieldValue(ID, "ok"), "phone": FieldValue(PHONE, "mismatch")})
    log = tmp_path / "audit.jsonl"
    AuditLog(log, key=lambda: (KEY, None)).append("verify", verify_record(pb, case, None))
    data = json.loads(log.read_text(encoding="utf-8").splitlines()[1])["data"]
    assert data["fields"] == [{"name": "id_number", "status": "ok"},
                              {"name": "phone", "status": "mismatch"}]
    assert field_value(pb, "applicant_name", "欧阳娜娜") == "欧***"
    assert field_value(pb, "phone", "139 0597 1234") == "139******1234"
