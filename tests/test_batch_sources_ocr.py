"""A batch from a folder of source pictures: each read through `Pipeline.capture` with the
real OCR (the shipped portal samples), a case per picture, keyed by its ID number, in
name order; each capture's case file kept in the cases folder, the pictures' folder
left as it was."""
from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from app.batch.sources import open_source
from app.pipeline import PipelineOptions, build_pipeline
from app.settings import Settings
from playbooks.loader import load_playbook_text

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "playbooks/library/samples/portal-to-qt-intake"


def test_a_folder_of_pictures_is_read_through_capture(tmp_path):
    text = (ROOT / "playbooks/library/portal-to-qt-intake.yaml").read_text(encoding="utf-8")
    pb = load_playbook_text(text + "\nbatch: {key: id_number}\n", str(tmp_path / "pb.yaml"))
    folder = tmp_path / "pictures"
    folder.mkdir()
    want = []
    for i, case in enumerate(("case-1", "case-2"), 1):
        shutil.copy(SAMPLES / case / "source.png", folder / f"{i:02d}.png")
        want.append(yaml.safe_load((SAMPLES / case / "expected.yaml").read_text("utf-8"))
                    ["fields"])
    pipeline = build_pipeline(PipelineOptions(settings=Settings(), cases_dir=tmp_path / "cases"))
    try:
        items = list(open_source(str(folder), pb, pipeline).items())
    finally:
        pipeline.close()
    assert [i.origin for i in items] == ["01.png", "02.png"]
    assert [i.key for i in items] == [w["id_number"] for w in want]
    for item, expected in zip(items, want):
        assert item.case.value("applicant_name") == expected["applicant_name"]
        assert item.case.fields["id_number"].status == "ok"
    assert sorted(p.name for p in folder.iterdir()) == ["01.png", "02.png"]
    assert len(list((tmp_path / "cases").glob("*.json"))) == 2
