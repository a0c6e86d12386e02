"""Benchmark: the keystroke fill made safe (issue 12, app/fill/keyguard.py) on the toolkit
forms of app/sandbox/toolkits/, in this process, on a private Xvfb with the AT-SPI bus on
(tests/toolkit_targets.py, tests/toolkit_keys.py), judged by each form's own state.

- tk_keys_s: a Tk keystroke fill of the hard case (12 typed fields, each read back, and 3
  choices; the playbook's own `wait: 0.3` for the drop-down included), median of `runs`;
- <toolkit>_keys_*: Java by keys alone, and Java by keys with the tree confirming each Tab
  and reading back (java_tree_*): fields_ok = fields the form holds right / fields meant,
  over all runs; runs_ok = runs with every field right; confirmed = fields read back ok /
  fields meant; s = median seconds a fill;
- false_confirmations: fields reported read back ok that the form does not hold, all runs.

    python bench/fill_keys.py [--runs 20]

The machine's load average is printed first and last (it may be shared); the last line is
one JSON object. bench/fill.py calls run().
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))   # the harness

from toolkit_keys import CASE, KeysFiller  # noqa: E402
from toolkit_targets import ToolkitDesktop  # noqa: E402

from app.sandbox.toolkits.launch import missing_for  # noqa: E402

TRIALS = (("tk", "tk_keys", False), ("java", "java_keys", False), ("java", "java_tree", True))


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f} ({os.cpu_count()} cores)"


def _trial(filler: KeysFiller, form, prefix: str, tree: bool, runs: int) -> dict:
    seconds, right, confirmed, whole, false, errors = [], 0, 0, 0, 0, []
    for _ in range(runs):
        run = filler.fill(form, tree=tree)
        seconds.append(run.seconds)
        wrong = run.wrong()
        right += len(CASE) - len(wrong)
        whole += not wrong and run.error is None
        results = run.report.results if run.report else []
        confirmed += sum(r.status == "readback_ok" for r in results)
        false += len(run.false_confirmations())
        if run.error is not None:
            errors.append(run.error.message)
    total = runs * len(CASE)
    out = {f"{prefix}_s": round(statistics.median(seconds), 3),
           f"{prefix}_fields_ok": round(right / total, 4),
           f"{prefix}_runs_ok": f"{whole}/{runs}",
           f"{prefix}_confirmed": round(confirmed / total, 4),
           f"{prefix}_false_confirmations": false}
    if errors:
        out[f"{prefix}_errors"] = sorted(set(errors))[:3]
    return out


def run(runs: int = 20) -> dict:
    """The figures above as a dict (bench/fill.py merges them into its own)."""
    figures: dict = {"load_before": _load(), "runs": runs}
    with ToolkitDesktop() as desk, KeysFiller(desk) as filler:
        forms: dict = {}
        for toolkit, prefix, tree in TRIALS:
            why = missing_for(toolkit)
            if why:
                figures[f"{prefix}_skipped"] = why
                continue
            if toolkit not in forms:
                for other in forms.values():
                    other.close()
                forms = {toolkit: desk.launch(toolkit)}
            figures.update(_trial(filler, forms[toolkit], prefix, tree, runs))
        for form in forms.values():
            form.close()
    figures["tk_keys_s"] = figures.get("tk_keys_s")
    figures["java_keys_fields_ok"] = figures.get("java_keys_fields_ok")
    figures["false_confirmations"] = sum(v for k, v in figures.items()
                                         if k.endswith("_false_confirmations"))
    figures["load_after"] = _load()
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    print(f"load average: {_load()}", flush=True)
    figures = run(args.runs)
    for key, value in figures.items():
        print(f"{key}: {value}")
    print(json.dumps(figures, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
