"""Batches (issue 15): N synthetic applicants (app/sandbox/people.py) from an .xlsx into the
Qt sample client with `deskhand batch`, killed with kill -9 at K random moments and
resumed each time, judged by what the client kept (GET /records: one record per press of
保存), not by Deskhand's report.

- `typed_twice`: applicants with more than one record; `skipped`: applicants with none;
  `fields_wrong`: fields of the records that differ from the sheet (every field compared).
- `cases_per_min`, `deskhand_s_per_case`: all cases over the batch's own run time (the
  sum of the runs' wall time, start-up and the OCR model's loading after each kill
  included; the time between a kill and the restart is not).
- `report_totals_match`: the report (.xlsx, written from the ledger) holds one row per
  case, and its count of each state equals the ledger's.
- `manual_s_per_case`: the same cases typed by hand, a keystroke-level estimate
  (Card, Moran & Newell's KLM). The keys of each value come from
  app/scenario/keystrokes.py `form_keys` (its docstring has the model: full pinyin, 3
  letters a character and a selection key per two; one key a digit or Latin letter; one
  key to the next box; a drop-down's keys). Each key costs K = 0.28 s (an average skilled
  typist, 40 words a minute); each value adds M = 1.35 s (find it in the sheet, then its
  box: KLM's mental preparation); each case adds one M and 2 keys to press 保存 and clear
  the form for the next. Reading the sheet and checking the form are not counted (the
  batch checks, a clerk would too): the estimate flatters the clerk.
- `saved_ratio` = 1 − deskhand_s_per_case / manual_s_per_case (machine time, against the
  clerk's; the clerk's own time with a batch is starting it).
- `tamper_found`: the archive part's figure (of three tamperings of a package, how many
  are found and named), from bench/archive.py `tamper_found()`; null without that module.

    PYTHONPATH=. .venv/bin/python bench/batch.py [--cases 200] [--kills 5] [--seed 1]

The last line is one JSON object; the machine's load average is in it.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.cases import case_from_values  # noqa: E402
from app.sandbox.batch_cases import applicant, write_batch_playbook, write_workbook  # noqa: E402
from app.sandbox.targets import launch_qt_client  # noqa: E402
from app.sandbox.xsession import XSession  # noqa: E402
from app.scenario.keystrokes import KeyModel, form_keys, klm_seconds  # noqa: E402
from playbooks.loader import load_playbook  # noqa: E402

SAVE_KEYS = 2        # press 保存, clear the form for the next case


def manual_seconds(playbook, rows: list[dict]) -> float:
    """The keystroke-level estimate of typing `rows` by hand (see the docstring)."""
    total = 0.0
    for values in rows:
        case = case_from_values({k: v for k, v in values.items() if v}, playbook.id, {})
        job = form_keys("form", playbook, case, KeyModel())
        total += klm_seconds(job.keys + SAVE_KEYS, len(job.values) + 1)
    return total / max(1, len(rows))


def tamper_found() -> int | None:
    """The archive part's count of tamperings found (of 3), or None without bench/archive.py."""
    path = ROOT / "bench" / "archive.py"
    if not path.is_file():
        return None
    spec = importlib.util.spec_from_file_location("bench_archive", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)   # type: ignore[union-attr]
    return getattr(module, "tamper_found", lambda: None)()


def ledger_state(path: Path, min_seq: int) -> int | None:
    """The seq of a case being filled or saved (seq >= min_seq), read beside the writer."""
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1)
        try:
            row = db.execute("SELECT MIN(seq) FROM cases WHERE state IN ('filling','saving') "
                             "AND seq>=?", (min_seq,)).fetchone()
        finally:
            db.close()
        return row[0] if row else None
    except sqlite3.OperationalError:
        return None


def run(args: argparse.Namespace) -> dict:
    rng = random.Random(args.seed)
    rows = [applicant(1000 + i) for i in range(args.cases)]
    # kills spread over the batch: each after a random case, at a random moment within it
    kill_after = sorted(rng.sample(range(1, args.cases), min(args.kills, args.cases - 1)))
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp, XSession() as session:
        work = Path(tmp)
        book = write_batch_playbook(work)
        playbook = load_playbook(book)
        write_workbook(work / "cases.xlsx", rows)
        ledger = work / "b.ledger"
        qt = launch_qt_client(session, form="batch")
        qt._http("POST", "/clear-records", 3)
        argv = [sys.executable, "-m", "app.cli", "batch", str(book), "--from",
                str(work / "cases.xlsx"), "--ledger", str(ledger), "--yes", "--offline",
                "--report", str(work / "report"), "--json"]
        env = dict(session.env(), DESKHAND_LANG="en")
        run_s, kills_done, runs = 0.0, 0, 0
        try:
            while True:
                runs += 1
                qt.activate()
                t0 = time.perf_counter()
                proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True, cwd=ROOT,
                                        start_new_session=True)
                killed = False
                if kills_done < len(kill_after):
                    target_seq = kill_after[kills_done]
                    while proc.poll() is None:
                        seq = ledger_state(ledger, target_seq) if ledger.exists() else None
                        if seq is not None:
                            time.sleep(rng.uniform(0.0, 0.8))     # anywhere in the case
                            os.killpg(proc.pid, signal.SIGKILL)
                            killed = True
                            break
                        time.sleep(0.005)
                out, err = proc.communicate(timeout=3600)
                run_s += time.perf_counter() - t0
                if killed:
                    kills_done += 1
                    print(f"killed -9 at case {target_seq}+ (run {runs}, "
                          f"{run_s:.1f} s so far)", file=sys.stderr)
                    continue
                if proc.returncode not in (0, 1):
                    raise SystemExit(f"deskhand batch failed ({proc.returncode}): {err[-2000:]}")
                doc = json.loads(out)
                break
            records = qt._http("GET", "/records", 10)["records"]
        finally:
            qt.close()
        # judged by the client's own records
        by_id: dict[str, list[dict]] = {}
        for r in records:
            by_id.setdefault(r["fields"].get("id_number", ""), []).append(r["fields"])
        typed_twice = sum(len(by_id.get(r["id_number"], [])) > 1 for r in rows)
        skipped = sum(r["id_number"] not in by_id for r in rows)
        fields_wrong = sum(kept.get(k) != v for r in rows for kept in by_id.get(r["id_number"], [])
                           for k, v in r.items())
        stray = sum(len(v) for k, v in by_id.items() if k not in {r["id_number"] for r in rows})
        # the report against the ledger
        from openpyxl import load_workbook
        report = load_workbook(work / "report" / "b-report.xlsx").worksheets[0]
        states = [row[3] for row in list(report.iter_rows(values_only=True))[1:]]
        db = sqlite3.connect(ledger)
        ledger_counts = dict(db.execute("SELECT state, COUNT(*) FROM cases GROUP BY state"))
        db.close()
        report_counts = {s: states.count(s) for s in set(states)}
        totals_match = (len(states) == sum(ledger_counts.values())
                        and {s.replace(" ", "_"): n for s, n in report_counts.items()}
                        == ledger_counts)
        per_case = run_s / args.cases
        manual = manual_seconds(playbook, rows)
        return {
            "cases": args.cases, "kills": kills_done, "runs": runs,
            "typed_twice": typed_twice, "skipped": skipped, "fields_wrong": fields_wrong,
            "stray_records": stray, "done": doc["counts"]["done"],
            "cases_per_min": round(args.cases / run_s * 60, 1),
            "deskhand_s_per_case": round(per_case, 2),
            "manual_s_per_case": round(manual, 1),
            "saved_ratio": round(1 - per_case / manual, 3),
            "report_totals_match": totals_match,
            "tamper_found": tamper_found(),
            "load_avg": round(os.getloadavg()[0], 2),
        }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cases", type=int, default=200)
    ap.add_argument("--kills", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    if args.cases < 2:
        ap.error("--cases takes 2 or more")
    result = run(args)
    for k, v in result.items():
        print(f"{k}: {v}", file=sys.stderr)
    print(json.dumps(result, ensure_ascii=False))
    return 0 if not (result["typed_twice"] or result["skipped"] or result["fields_wrong"]) else 1


if __name__ == "__main__":
    sys.exit(main())
