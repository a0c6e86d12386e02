"""Benchmark: the approval form of app/sandbox/toolkits/ in each toolkit, on a private
Xvfb + openbox with a private session bus and the AT-SPI bus on (tests/toolkit_targets.py).

- start_s_<toolkit>: launch to the form's own report of focus in 姓名 (window mapped,
  report server up), median of --starts fresh starts; Java's is with its classes compiled
  (java_compile_s: javac of the form into an empty cache, once);
- atspi_s_<toolkit>: reading the form's whole AT-SPI tree once (app/sandbox/toolkits/atspi_tree.py);
- exposes_<toolkit>: what the tree shows for the form's text boxes — how many there are, how
  many carry their label in their own name, in a labelled-by relation, in neither; the
  roles of the boxes and of the choice widgets.

    python bench/toolkit_forms.py [--starts 3] [--toolkits gtk,tk,java,qt,firefox,chromium]

The load average is printed first (the machine may be shared); the last line printed is
one JSON object with the figures.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))   # the harness

from app.sandbox.toolkits import spec  # noqa: E402
from app.sandbox.toolkits.launch import compile_java, missing_for  # noqa: E402
from toolkit_targets import ToolkitDesktop  # noqa: E402

EDITABLE = {"text", "entry"}
CHOICES = {"radio button", "combo box", "check box", "push button"}


def _bare(name: str) -> str:
    return name.strip().rstrip("：:").strip()


def exposure(tree: dict) -> dict:
    if not tree["found"]:
        return {"in_tree": False}
    labels = {f.label for f in spec.FIELDS}
    boxes = [w for w in tree["widgets"] if w["role"] in EDITABLE]
    by_name = sum(_bare(w["name"]) in labels for w in boxes)
    by_relation = sum(any(_bare(n) in labels for n in w["labelled_by"]) for w in boxes)
    neither = sum(not (_bare(w["name"]) in labels or any(_bare(n) in labels for n in w["labelled_by"]))
                  for w in boxes)
    return {"in_tree": True, "boxes": len(boxes), "label_in_name": by_name,
            "label_in_labelled_by": by_relation, "unlabelled": neither,
            "box_roles": sorted({w["role"] for w in boxes}),
            "choice_roles": sorted({w["role"] for w in tree["widgets"] if w["role"] in CHOICES}),
            "widgets": len(tree["widgets"])}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--starts", type=int, default=3)
    ap.add_argument("--toolkits", default=",".join(spec.TOOLKITS))
    args = ap.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"({os.cpu_count()} cores)", flush=True)
    out: dict = {}
    with tempfile.TemporaryDirectory(prefix="dh-bench-") as tmp:
        t0 = time.monotonic()
        compile_java(Path(tmp) / "java-cold")
        out["java_compile_s"] = round(time.monotonic() - t0, 2)
        with ToolkitDesktop() as desk:
            compile_java(desk.dir / "cache")        # the starts below are warm
            for toolkit in args.toolkits.split(","):
                why = missing_for(toolkit)
                if why:
                    print(f"{toolkit}: skipped: {why}", flush=True)
                    continue
                starts = []
                for i in range(args.starts):
                    form = desk.launch(toolkit)
                    starts.append(form.launch_seconds)
                    if i == 0:
                        t0 = time.monotonic()
                        tree = desk.atspi_tree(form)
                        out[f"atspi_s_{toolkit}"] = round(time.monotonic() - t0, 2)
                        out[f"exposes_{toolkit}"] = exposure(tree)
                    form.close()
                    desk.forms.remove(form)
                out[f"start_s_{toolkit}"] = round(statistics.median(starts), 2)
                print(f"{toolkit}: start {out[f'start_s_{toolkit}']} s (of {args.starts}: "
                      f"{', '.join(f'{s:.2f}' for s in starts)}), AT-SPI tree read in "
                      f"{out[f'atspi_s_{toolkit}']} s: {json.dumps(out[f'exposes_{toolkit}'], ensure_ascii=False)}",
                      flush=True)
    out["load_average"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(out, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
