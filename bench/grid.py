"""Benchmark: a batch from a paged grid — the 道路运输从业资格证 scenario on a private Xvfb.

The sandbox 道路运政 system lists N practitioners (default 23) 10 a page, the last page
repeating one of the page before; GridSource (app/batch/grid.py) reads every page, and
each row taken (none set aside) is then filled into the city approval system's 从业资格证
form (the Qt FormSpec `road`) through Pipeline.fill, judged by the form's own
report (its values, and the SHA-256 of the photo file it shows).

Figures:
- `rows_per_s`: rows read (every page, repeats included) per second of reading, page turns
  and grabs included; `read_s`, `pages`, `ended_by` (pager | same page | max_pages).
- `rows_right`: distinct records whose every value equals the window's own ground truth
  (ID numbers exact) and whose photo is the one shown (mean pixel difference < 3), of
  `distinct` (= N when no record is lost or taken twice); `set_aside`: taken but flagged
  for a person (a rare name character the OCR engine was not sure of).
- `filled`, `fields_wrong` (values, photo included, the form does not hold as the window
  showed them), `fill_s_per_case`, `deskhand_s_per_case` (reading's share + the fill).
- `manual_s_per_case`: the same cases by hand, the keystroke-level estimate bench/batch.py
  uses (app/scenario/keystrokes.py `form_keys`: full pinyin, 3 letters a character and a
  selection key per two; one key a digit; one key to the next box; a drop-down's keys;
  K = 0.28 s a key, M = 1.35 s a value found and its box; per case one M and 2 keys to
  submit and start the next). The photo by hand: save it from the 运政 system (right click,
  另存为, an 8-key name, Enter) and choose it in the form's file dialog (3 keys): 13 keys
  and 2 M. Page turns are not counted. `saved_ratio` = 1 − deskhand / manual.

    PYTHONPATH=. .venv/bin/python bench/grid.py [--count 23] [--fill 23] [--seed 0]

The last line is one JSON object; the machine's load average is in it.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from app.scenario.keystrokes import KeyModel, form_keys, klm_seconds  # noqa: E402

PLAYBOOK = ROOT / "playbooks" / "library" / "road-transport" / "practitioners.yaml"
SUBMIT_KEYS = 2       # as bench/batch.py
PHOTO_KEYS, PHOTO_M = 13, 2
# the case's field -> the ground truth's key
TRUTH_KEYS = {"applicant_name": "name", "gender": "gender", "id_number": "id_number",
              "qualification": "qualification", "certificate_number": "certificate",
              "issue_date": "issued", "valid_until": "valid_until"}


def manual_seconds(playbook, case) -> float:
    """One case by hand (see the docstring); the photo's path is not typed by hand."""
    job = form_keys("form", playbook, case, KeyModel())
    values = [v for v in job.values if v.field != "photo"]
    keys = sum(v.keys for v in values) + PHOTO_KEYS + SUBMIT_KEYS
    return klm_seconds(keys, len(values) + PHOTO_M + 1)


def photo_right(path: str | None, seed: int) -> bool:
    from app.sandbox.road_records import face
    if not path:
        return False
    got = np.asarray(Image.open(path).convert("RGB"), dtype=int)
    want = np.asarray(face(seed), dtype=int)
    return got.shape == want.shape and float(np.abs(got - want).mean()) < 3


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=23, help="practitioners the window lists")
    ap.add_argument("--fill", type=int, default=23, help="rows taken to fill (at most)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    from app.batch.grid import GridSource
    from app.fill.engine import FillOptions
    from app.pipeline import PipelineOptions, build_pipeline
    from app.sandbox.road_launch import launch_road_transport
    from app.sandbox.toolkits.launch import launch_form
    from app.sandbox.toolkits.road_form import ROAD
    from app.sandbox.xsession import XSession
    from app.settings import Settings

    out: dict = {"load": [round(x, 2) for x in os.getloadavg()], "count": args.count}
    work = Path(tempfile.mkdtemp(prefix="bench-grid-"))
    with XSession() as session:
        os.environ["DISPLAY"] = session.display
        pipe = build_pipeline(PipelineOptions(settings=Settings(), cases_dir=work / "cases",
                                              display=session.display))
        playbook = pipe.playbook(str(PLAYBOOK))
        grid = launch_road_transport(session, seed=args.seed, count=args.count)
        form = None
        try:
            pipe.warm_up()                      # the OCR model's load is not the grid's
            source = GridSource(pipe, playbook, photos_dir=work / "photos")
            t0 = time.perf_counter()
            items = list(source.items())
            read_s = time.perf_counter() - t0
            truth = {r["id_number"]: r for r in grid.state()["truth"]}
            s = source.summary
            right = sum(1 for i in items if i.key in truth
                        and all(i.case.value(n) == truth[i.key][k] for n, k in TRUTH_KEYS.items())
                        and photo_right(i.case.value("photo"), truth[i.key]["photo_seed"]))
            flagged = [i for i in items if any(f.status in ("invalid", "missing")
                                               for f in i.case.fields.values())]
            out.update({"pages": s.pages, "ended_by": s.ended_by, "rows_read": s.rows_read,
                        "distinct": s.distinct, "duplicates": s.duplicates,
                        "rows_right": right, "set_aside": len(flagged),
                        "read_s": round(read_s, 2), "rows_per_s": round(s.rows_read / read_s, 2)})
            print(f"read {s.rows_read} rows over {s.pages} pages in {read_s:.1f} s "
                  f"({out['rows_per_s']} rows/s; last page by {s.ended_by}); {s.distinct} "
                  f"distinct, {right} right, {len(flagged)} set aside for a person")

            form = launch_form(session, "qt", spec=ROAD.name)
            taken = [i for i in items if i not in flagged][:args.fill]
            fill_times, wrong, manual = [], 0, []
            for item in taken:
                form.reset()
                session.activate(form.window_id)
                t1 = time.perf_counter()
                pipe.fill(playbook, item.case, work / "cases" / f"{item.case.case_id}.json",
                          FillOptions(wait_focus_s=5, failsafe=False, abort_keys=None))
                fill_times.append(time.perf_counter() - t1)
                held = form.wait_state(lambda st: st["fields"]["photo"] != "", 5)
                want = truth[item.key]
                wrong += sum(held["fields"][n] != want[k] for n, k in TRUTH_KEYS.items())
                photo = Path(item.case.value("photo"))
                shown = (held.get("photos") or {}).get("photo") or {}
                wrong += shown.get("sha256") != hashlib.sha256(photo.read_bytes()).hexdigest()
                manual.append(manual_seconds(playbook, item.case))
            per_fill = sum(fill_times) / max(1, len(fill_times))
            per_case = read_s / max(1, len(items)) + per_fill
            manual_s = sum(manual) / max(1, len(manual))
            out.update({"filled": len(taken), "fields_wrong": wrong,
                        "fill_s_per_case": round(per_fill, 2),
                        "deskhand_s_per_case": round(per_case, 2),
                        "manual_s_per_case": round(manual_s, 1),
                        "saved_ratio": round(1 - per_case / manual_s, 3) if manual_s else None})
            print(f"filled {len(taken)} into the 从业资格证 form: {wrong} values wrong; "
                  f"{per_fill:.2f} s a fill, {per_case:.2f} s a case with its share of the "
                  f"reading; by hand ~{manual_s:.0f} s a case ({out['saved_ratio']:.1%} saved)")
        finally:
            if form is not None:
                form.close()
            grid.close()
            pipe.close()
    print(json.dumps(out, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
