"""The tray's fill worker process (app/fill/worker.py): errors that stop a fill there come
back to the tray as the same error — class, sentence, playbook, step, field, exit code —
and the case keeps its fill-log entry. The worker is the real process; its desktop is the
recording one (DESKHAND_DESKTOP=dummy), so these run without a display."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from app.cases import load_case
from app.errors import (FillError, FocusLostError, NeedsPersonError, PlaybookError,
                        RefusedValueError, error_from_json, error_to_json)
from app.fill.worker_client import FillWorkerProcess
from playbooks.loader import load_playbook

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = json.loads((ROOT / "resources/samples/case-zhang-wei.json").read_text(encoding="utf-8"))


@pytest.fixture
def worker(tmp_path):
    env = {**os.environ, "DESKHAND_DESKTOP": "dummy", "DESKHAND_LANG": "en",
           "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    w = FillWorkerProcess(env=env)
    yield w
    w.close()


def case_file(tmp_path: Path, **changes: str) -> Path:
    fields = {k: {"value": v, "status": "ok", "source": {"kind": "json"}}
              for k, v in {**SAMPLE, **changes}.items()}
    path = tmp_path / "case.json"
    path.write_text(json.dumps({"deskhand_case": 1, "case_id": "c1", "playbook": "sample-qt-intake",
                                "fields": fields}, ensure_ascii=False), encoding="utf-8")
    return path


def test_errors_round_trip_with_their_context():
    exc = FocusLostError("Typing stopped.", field="phone", step=6, typed=3, window_title="诱饵")
    back = error_from_json(json.loads(json.dumps(error_to_json(exc))))
    assert type(back) is FocusLostError and (back.field, back.step, back.typed) == ("phone", 6, 3)
    assert back.window_title == "诱饵" and back.exit_code == 3
    needs = error_from_json(error_to_json(NeedsPersonError("look", fields=["a"], playbook="p")))
    assert type(needs) is NeedsPersonError and needs.fields == ["a"] and needs.exit_code == 1
    assert type(error_from_json({"kind": "NoSuchError", "message": "m"})) is FillError


def fill_policy(tmp_path: Path):
    """The sample playbook with `on_invalid: fill`: a value that may not be typed stops it all."""
    text = (ROOT / "playbooks/library/sample-qt-intake.yaml").read_text(encoding="utf-8")
    path = tmp_path / "sample-fill-policy.yaml"
    path.write_text(text + "\non_invalid: fill\n", encoding="utf-8")
    return load_playbook(path)


def test_a_refused_value_comes_back_as_itself(worker, tmp_path):
    pb = fill_policy(tmp_path)
    path = case_file(tmp_path, applicant_name="张\x1b[2J伟")
    with pytest.raises(RefusedValueError) as caught:
        worker.fill(pb, path)
    exc = caught.value
    assert exc.exit_code == 2 and exc.field == "applicant_name" and "U+001B" in exc.message
    report = exc.__deskhand_report__
    assert report.outcome == "not_started" and report.results == []
    assert load_case(path).fills[-1]["outcome"] == "not_started"


def test_a_value_needing_a_person_keeps_exit_code_1_and_its_fields(worker, tmp_path):
    with pytest.raises(NeedsPersonError) as caught:
        worker.fill(fill_policy(tmp_path), case_file(tmp_path, phone="12345"))
    assert caught.value.exit_code == 1 and caught.value.fields == ["phone"]


def test_a_field_left_empty_comes_back_with_its_sentence(worker, tmp_path):
    """on_invalid: field (the default): the report says which box was left and why."""
    pb = load_playbook(ROOT / "playbooks/library/sample-qt-intake.yaml")
    report = worker.fill(pb, case_file(tmp_path, phone="12345"))
    assert report.outcome == "done" and report.unconfirmed == ["phone"]
    (r,) = report.refused
    assert r.field == "phone" and r.message.startswith("联系电话 (phone) is left empty: ")


def test_a_broken_playbook_is_exit_2_not_3(worker, tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("deskhand: 1\nid: x\nname: y\ntarget: {title: '城市审批系统*'}\n"
                      "fields: []\nfill: [{type: nothing}]\n", encoding="utf-8")
    fake = type("P", (), {"path": str(broken)})()
    with pytest.raises(PlaybookError) as caught:
        worker.fill(fake, case_file(tmp_path))
    assert caught.value.exit_code == 2 and str(broken) in str(caught.value)


def test_a_good_case_is_typed_by_the_worker(worker, tmp_path):
    pb = load_playbook(ROOT / "playbooks/library/sample-qt-intake.yaml")
    path = case_file(tmp_path)
    report = worker.fill(pb, path, wait_focus_s=1.0)
    assert report.outcome == "done" and report.readback_ok == 11 and report.chosen == ["gender", "matter"]
    assert load_case(path).fills[-1]["outcome"] == "done"
