"""`deskhand doctor --self-test` as IT and the package's CI run it: the whole self-test (its
own Xvfb + openbox, the OCR model loaded, the reference registry started, the Qt sample
client started) as a fresh process each run, and `deskhand doctor --json` on no display.

- `selftest_s`: wall time of `deskhand doctor --self-test --json` per run, process start to
  exit (Python start-up and imports included); its steps' own seconds from the JSON. Target
  ≤ 15 s on this machine (2 cores).
- `doctor_s`: wall time of `deskhand doctor --json` with no display (no targets to look at,
  the registries not configured: the local checks only).

    PYTHONPATH=. .venv/bin/python bench/doctor.py [--runs 3]

Prints the figures; the last line is one JSON object. The load average is in it.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(*args: str) -> tuple[float, subprocess.CompletedProcess[str]]:
    env = dict(os.environ, DESKHAND_LANG="en")
    env.pop("DISPLAY", None)
    t0 = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "app.cli", "doctor", *args], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=300)
    return time.perf_counter() - t0, r


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    walls, steps, codes = [], {}, []
    for _ in range(args.runs):
        wall, r = timed("--self-test", "--json")
        doc = json.loads(r.stdout)
        codes.append(r.returncode)
        walls.append(wall)
        for s in doc["steps"]:
            steps.setdefault(s["name"], []).append(s["seconds"])
        print(f"self-test: exit {r.returncode} in {wall:.1f} s: "
              + ", ".join(f"{s['name']} {s['seconds']:.1f} s ({s['level']})" for s in doc["steps"]))
    doctor_wall, r = timed("--json")
    out = {"runs": args.runs, "exit_codes": codes,
           "selftest_s_median": round(statistics.median(walls), 2),
           "selftest_s_max": round(max(walls), 2),
           "steps_s_median": {k: round(statistics.median(v), 2) for k, v in steps.items()},
           "doctor_s": round(doctor_wall, 2), "doctor_exit": r.returncode,
           "load": [round(x, 2) for x in os.getloadavg()]}
    print(f"self-test median {out['selftest_s_median']} s (max {out['selftest_s_max']} s, "
          f"target 15 s); doctor --json without a display {out['doctor_s']} s; "
          f"load {out['load']}")
    print(json.dumps(out, ensure_ascii=False))
    return 0 if all(c == 0 for c in codes) and max(walls) <= 15 else 1


if __name__ == "__main__":
    sys.exit(main())
