"""How long `deskhand docs` takes for the 企业开办 pack (five templates): checking and
rendering, the LibreOffice conversion (one run, fresh profile), the whole; then four runs
in parallel. Prints the figures, the last line one JSON object.

    PYTHONPATH=. .venv/bin/python bench/docs.py [--runs 3]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.cases import load_case  # noqa: E402
from app.docs.build import make_documents  # noqa: E402
from app.docs.pdf import PdfConverter  # noqa: E402
from playbooks.scenario import load_scenario  # noqa: E402

PACK = ROOT / "playbooks" / "library" / "company-setup"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="single runs to time (default 3)")
    runs = parser.parse_args(argv).runs
    scenario, case = load_scenario(PACK), load_case(PACK / "samples" / "case.json")
    totals, renders, converts = [], [], []
    with tempfile.TemporaryDirectory(prefix="deskhand-bench-docs-") as tmp:
        for i in range(runs):
            started = time.perf_counter()
            result = make_documents(scenario, case, Path(tmp) / f"one{i}", PdfConverter())
            totals.append(time.perf_counter() - started)
            renders.append(result.render_s)
            converts.append(result.convert_s)
        started = time.perf_counter()
        with ThreadPoolExecutor(4) as pool:
            done = list(pool.map(lambda i: make_documents(scenario, case, Path(tmp) / f"par{i}",
                                                          PdfConverter()), range(4)))
        parallel = time.perf_counter() - started
    out = {
        "documents": len(scenario.documents),
        "runs": runs,
        "total_s_p50": round(statistics.median(totals), 2),
        "render_s_p50": round(statistics.median(renders), 3),
        "convert_s_p50": round(statistics.median(converts), 2),
        "parallel4_s": round(parallel, 2),
        "parallel4_ok": sum(len(r.documents) == len(scenario.documents) for r in done),
        "load_avg_1min": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count(),
    }
    print(f"{out['documents']} documents, one run: {out['total_s_p50']} s in all (median of "
          f"{runs}): checking and rendering {out['render_s_p50']} s, LibreOffice "
          f"{out['convert_s_p50']} s")
    print(f"4 runs in parallel: {out['parallel4_s']} s, {out['parallel4_ok']}/4 complete "
          f"(load average {out['load_avg_1min']} on {out['cpus']} cores)")
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
