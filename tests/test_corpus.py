"""The unseen-style corpus (app/sandbox/corpus.py, forms.py, photos.py, grids.py): every
kind deterministic, its truth what is drawn (real OCR over one sample of each kind), each
hazard of issue 11 present somewhere in the first samples, the playbooks of
tests/fixtures/playbooks/unseen asking for exactly the truth's fields, and bench/read.py
running in its short mode."""
from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
import yaml

from app.checks.normalize import halfwidth_alnum
from app.sandbox.corpus import KINDS, sample, seen_by_ocr
from app.sandbox.forms import date_forms
from app.sandbox.grids import GRID_FIELDS, GRID_HEADER

ROOT = Path(__file__).resolve().parent.parent
UNSEEN = ROOT / "tests" / "fixtures" / "playbooks" / "unseen"
N = 24                      # samples of each kind looked at without OCR


@pytest.fixture(scope="module")
def samples():
    return {kind: [sample(kind, i) for i in range(N)] for kind in KINDS}


def test_every_kind_is_deterministic_by_its_number():
    for kind in KINDS:
        a, b, c = sample(kind, 5), sample(kind, 5), sample(kind, 6)
        assert a.image.tobytes() == b.image.tobytes(), kind
        assert a.truth == b.truth and a.meta == b.meta, kind
        assert a.image.tobytes() != c.image.tobytes(), kind


def test_the_playbooks_ask_for_exactly_the_fields_of_the_truth(samples):
    """Each sample names its playbook; that playbook's fields are the truth's, so that a
    field the reader leaves out counts, and nothing unmeasured is asked for."""
    used = set()
    for kind, srcs in samples.items():
        for src in srcs:
            name = src.meta["playbook"]
            used.add(name)
            doc = yaml.safe_load((UNSEEN / f"{name}.yaml").read_text(encoding="utf-8"))
            assert {f["name"] for f in doc["fields"]} == set(src.truth), (kind, name)
    assert used == {p.stem for p in UNSEEN.glob("*.yaml")}


def test_values_and_labels_lie_inside_the_picture(samples):
    for kind, srcs in samples.items():
        for src in srcs:
            w, h = src.image.size
            for name, want in src.truth.items():
                boxes = [src.value_boxes.get(name), src.label_boxes.get(name)] if want else []
                for box in filter(None, boxes):
                    assert 0 <= box[0] < box[2] <= w and 0 <= box[1] < box[3] <= h, (kind, name)


def test_form_pages_carry_the_hazards_of_issue_11(samples):
    above = samples["above"]
    assert sum(bool(s.meta["empty"]) for s in above) >= N // 3        # values left empty
    for s in above:
        assert all(s.truth[f] is None for f in s.meta["empty"])
        assert s.meta["placement"] == "above" and s.meta["columns"] in (3, 4)
    nested = samples["nested"]
    assert {s.meta["married"] for s in nested} == {True, False}
    assert {s.meta["placement"] for s in nested} == {"left", "above"}
    for s in nested:
        assert s.labels["spouse_id_number"].startswith("配偶身份证号码")
        assert s.labels["id_number"].startswith("身份证号码")
        assert (s.truth["spouse_name"] is None) == (not s.meta["married"])
        assert s.truth["spouse_id_number"] != s.truth["id_number"]
    spaced = samples["spaced"]
    assert {s.meta["spacing"] for s in spaced} == {"ideographic", "ascii", "justify"}
    drawn = {s.labels["applicant_name"].rstrip("：") for s in spaced}
    assert "姓　　名" in drawn and "姓   名" in drawn and "姓  名" in drawn
    assert {s.meta["columns"] for s in samples["columns"]} == {3, 4}
    forms = [s for k in ("above", "columns", "nested", "spaced") for s in samples[k]]
    shown_dates = {s.shown["birth_date"] for s in forms}
    assert any("年" in d for d in shown_dates) and any("/" in d for d in shown_dates)
    assert any(len(d) == 8 and d.isdigit() for d in shown_dates)
    for s in forms:
        assert s.shown["birth_date"] in date_forms(
            date.fromisoformat(s.truth["birth_date"]))


def test_scrolled_pages_are_cut_and_what_is_cut_has_no_truth(samples):
    scrolled = samples["scrolled"]
    assert sum(bool(s.meta["cut"]) for s in scrolled) >= N // 3
    assert any(s.meta["fixed_header"] for s in scrolled)
    assert any(s.meta["cut_x"] for s in scrolled)
    assert any(s.image.width < 1280 for s in scrolled)
    for s in scrolled:
        for name in s.meta["cut"]:
            assert s.truth[name] is None
        top = 78 + (56 if s.meta["fixed_header"] else 0)
        for name, want in s.truth.items():
            if want is not None:
                assert s.value_boxes[name][1] > top and s.value_boxes[name][2] < s.image.width
    # at least one page cut straight through a line of text (label and value both)
    assert any(any(s.label_boxes[n][1] < 78 + (56 if s.meta["fixed_header"] else 0)
                   < s.label_boxes[n][3] for n in s.meta["cut"]) for s in scrolled)


def test_transform_pages_show_values_that_need_transforms(samples):
    for s in samples["transform"]:
        assert "," in s.shown["amount"] and "," not in s.truth["amount"]
        assert s.shown["amount"].replace(",", "") == s.truth["amount"]
        assert s.shown["gender"] in ("1", "2") and s.truth["gender"] in ("男", "女")
        assert s.shown["credit_code"] == s.truth["credit_code"].lower()
        assert s.truth["account"] == s.shown["account"].replace(" ", "")
        parts = [s.truth[k] for k in ("province", "city", "district", "town", "rest")]
        assert "".join(parts) == halfwidth_alnum(s.truth["address"])
        assert s.truth["district_code"] == s.truth["id_number"][:6]
    assert any(s.shown["id_number"] != s.truth["id_number"] for s in samples["transform"])


def test_id_card_photos_are_tilted_seen_from_the_side_and_glared(samples):
    photos = samples["idcard_photo"]
    tilts = [s.meta["tilt_deg"] for s in photos]
    assert all(3 <= abs(t) <= 8 for t in tilts)
    assert min(tilts) < 0 < max(tilts)
    assert all(0.3 <= s.meta["glare"] <= 0.55 and s.meta["blur"] > 0 for s in photos)
    for s in photos:   # the card's corners are no rectangle: a perspective, not only a turn
        (x0, y0), (x1, y1), (x2, y2), (x3, y3) = s.meta["card_corners"]
        top, bottom = math.dist((x0, y0), (x1, y1)), math.dist((x3, y3), (x2, y2))
        assert abs(top - bottom) > 1


def test_grids_select_any_row_in_every_way(samples):
    grids = samples["table"]
    assert {len(s.meta["rows"]) for s in grids} == {1, 2, 3}
    assert {s.meta["selected_by"] for s in grids} == {"checkbox", "highlight", "both"}
    assert any(s.meta["selected"] > 0 for s in grids)
    assert any(s.meta["same_name"] for s in grids)
    for s in grids:
        row = s.meta["rows"][s.meta["selected"]]
        assert s.truth == {f: row[f] for f in GRID_FIELDS}
        xs = s.meta["column_x"]
        assert len(xs) == len(GRID_HEADER) + 1
        # each value inside its own column, some within a few pixels of the next one
        for name, header in GRID_FIELDS.items():
            i = GRID_HEADER.index(header)
            box = s.value_boxes[name]
            assert xs[i] <= box[0] and box[2] < xs[i + 1]
    assert min(s.meta["column_x"][5] - s.value_boxes["id_number"][2] for s in grids) <= 8


@pytest.fixture(scope="module")
def engine():
    from app.ocr import open_engine
    e = open_engine()
    e.load()
    return e


def test_the_truth_is_what_ocr_sees_on_one_sample_of_each_kind(engine):
    """Real OCR over the whole picture: the values of the truth are on it, legibly (a photo's
    glare, a cut page's edge and a grid's highlight leave them readable)."""
    seen: Counter = Counter()
    for kind in KINDS:
        src = sample(kind, 0)
        result = seen_by_ocr(src, engine.read(src.image))
        assert result, kind
        for name, ok in result.items():
            seen[ok] += 1
            if name.endswith("id_number") or name in ("applicant_name", "address"):
                assert ok, (kind, name)
    assert seen[True] / sum(seen.values()) >= 0.95, seen


def test_bench_read_quick_reports_every_kind_and_the_machine_load():
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "read.py"), "--quick"],
                          capture_output=True, text=True, timeout=300, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr[-2000:]
    last = json.loads(proc.stdout.strip().splitlines()[-1])
    for key in ("page_exact", "idcard_exact", "idcard_p50_s", "page_capture_p50_s",
                "bad_check_digit_marked_ok", "peak_rss_mb", "wrong_marked_ok", "table_p50_s",
                "false_ok"):
        assert key in last, key
    assert isinstance(last["wrong_marked_ok"], int)
    for kind in KINDS:
        exact = last[f"{kind}_exact"]
        if kind in last["not_readable_yet"]:
            assert exact is None and ".yaml:" in last["not_readable_yet"][kind]
        else:
            assert 0.0 <= exact <= 1.0, kind
    machine = last["machine"]
    assert machine["cores"] >= 1
    assert len(machine["loadavg_before"]) == 3 and len(machine["loadavg_after"]) == 3
    assert "load average" in proc.stdout


def test_bench_read_false_ok_counts_each_status_over_every_source_kind():
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "read.py"), "--false-ok",
                           "--n", "1"], capture_output=True, text=True, timeout=300, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr[-2000:]
    last = json.loads(proc.stdout.strip().splitlines()[-1])
    assert last["cases"] == 4 and last["false_ok"] == 0, last
    for kind in ("idcard", "portal", "grid", "case"):
        assert last[kind]["cases"] == 1 and sum(last[kind]["statuses"].values()) >= 4, kind
    assert set(last["statuses"]) <= {"ok", "corrected", "unchecked", "invalid", "missing"}
    assert last["statuses"]["unchecked"] > 0          # names and addresses: free text
    assert len(last["machine"]["loadavg_before"]) == 3 and "load average" in proc.stdout
