"""Benchmark: read generated ministry grids (app/sandbox/ministry_grid.py) through a table
playbook, the selected row's values against the truth, with real OCR.

    python bench/table.py [--n 40] [--region] [--misses]

Each seed is drawn at 100% and 125%; one seed in five has no row selected or two rows
ticked, which must be flagged (fields `missing`, a problem sentence), never read. Reports
fields read exactly, wrong values left `ok`, ambiguous grids flagged, and the time of a
capture (OCR + table + checks) and of the table part alone (after OCR), median and
worst, and of one 3-row grid read again and again (median and fastest). The machine's
load average is printed first and last: other work on a 2-core machine doubles the time.

The last line printed is one JSON object with the figures.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.capture.read import read_rows  # noqa: E402
from app.ocr import open_engine  # noqa: E402
from app.sandbox.ministry_grid import FIELD_COLUMNS, grid_playbook, render_grid  # noqa: E402
from playbooks.loader import load_playbook_text  # noqa: E402


def samples(n: int):
    """(seed, scale, render arguments) for n seeds at both scales."""
    for seed in range(n):
        extra: dict = {}
        if seed % 5 == 4:       # ambiguous: nothing selected, or two rows ticked
            extra = {"rows": 3, "selected": [] if seed % 10 == 4 else [0, 2],
                     "style": "checkbox" if seed % 10 != 4 else None}
        for scale in (1.0, 1.25):
            yield seed, scale, extra


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=40, help="seeds (each at two scales)")
    ap.add_argument("--region", action="store_true", help="OCR only the grid's region")
    ap.add_argument("--misses", action="store_true", help="print every field read wrong")
    ap.add_argument("--repeat", type=int, default=15, help="reads of one 3-row grid, for its time")
    args = ap.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores", flush=True)
    engine = open_engine("rapidocr")
    engine.load()
    pb = load_playbook_text(grid_playbook("selected", region=args.region), "grid.yaml")
    right = total = wrong_ok = flagged = ambiguous = wrong_row = doubted = 0
    capture_s: list[float] = []
    table_s: list[float] = []
    for seed, scale, extra in samples(args.n):
        grid = render_grid(seed, scale=scale, **extra)
        t0 = time.perf_counter()
        result = read_rows(pb, grid.image, engine, scale=scale)[0]
        elapsed = time.perf_counter() - t0
        capture_s.append(elapsed)
        table_s.append(elapsed - result.ocr_s)
        fields = result.case.fields
        if len(grid.selected) != 1:
            ambiguous += 1
            ok = result.problems and all(fields[f].status == "missing" for f in FIELD_COLUMNS)
            flagged += bool(ok)
            if not ok:
                print(f"  NOT FLAGGED seed {seed} scale {scale}: {result.problems}", flush=True)
            continue
        truth = grid.rows[grid.selected[0]]
        if fields["id_number"].source.get("table", {}).get("row") != grid.selected[0] + 1:
            wrong_row += 1
        for name, column in FIELD_COLUMNS.items():
            want, fv = truth[column], fields[name]
            total += 1
            exact = fv.value == want
            right += exact
            if not exact and fv.status in ("ok", "corrected"):
                wrong_ok += 1
            if exact and fv.status not in ("ok", "corrected"):
                doubted += 1            # right, but the clerk is asked to compare it
            if not exact and (args.misses or fv.status in ("ok", "corrected")):
                print(f"  miss seed {seed} scale {scale} {name}: {want!r} read as {fv.value!r} "
                      f"({fv.status}) {grid.meta}", flush=True)
    # one grid read again and again: the time of a capture with nothing else changing
    grid = render_grid(6, rows=3, selected=[2], style="checkbox", tight=True)
    fixed = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        read_rows(pb, grid.image, engine)
        fixed.append(time.perf_counter() - t0)
    figures = {
        "table_samples": len(capture_s), "table_fields": total,
        "table_exact": round(right / max(1, total), 4), "wrong_marked_ok": wrong_ok,
        "wrong_row": wrong_row, "ambiguous_flagged": f"{flagged}/{ambiguous}",
        "right_but_flagged": doubted,
        "table_p50_s": round(statistics.median(capture_s), 3),
        "table_max_s": round(max(capture_s), 3),
        "table_part_p50_s": round(statistics.median(table_s), 3),
        "table_part_max_s": round(max(table_s), 3),
        "table_fixed_p50_s": round(statistics.median(fixed), 3),
        "table_fixed_min_s": round(min(fixed), 3),
        "region": args.region, "load_after": round(os.getloadavg()[0], 2),
    }
    print(f"{total} fields in {len(capture_s)} grids: {100 * figures['table_exact']:.1f}% exact, "
          f"{wrong_ok} wrong left ok, {doubted} right but flagged, rows wrong {wrong_row}, ambiguous flagged {flagged}/{ambiguous}; "
          f"capture p50 {figures['table_p50_s']} s (max {figures['table_max_s']}), table part "
          f"p50 {figures['table_part_p50_s']} s; one 3-row grid p50 {figures['table_fixed_p50_s']} s "
          f"(min {figures['table_fixed_min_s']})")
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
