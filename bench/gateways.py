"""Benchmark: the three sandbox gateways (prov, city, ministry) on loopback.

For each profile: process start → `listening on`, then person look-ups from one keep-alive
client, signed by the test-only signers (tests/gateway_signers.py), and the same for the
marriage look-up (several records each).

    python bench/gateways.py [--requests 1000] [--people 3000]

The last line printed is one JSON object with the figures.
"""
from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from app.sandbox.people import make_person  # noqa: E402
from gateway_signers import CALLERS  # noqa: E402
from registry_server import RegistryServer  # noqa: E402


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=1000)
    ap.add_argument("--people", type=int, default=3000)
    args = ap.parse_args()
    keys = [make_person(s).id_number for s in range(min(args.people, 500))]
    figures: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="deskhand-bench-") as tmp:
        for profile, caller_type in CALLERS.items():
            start = time.perf_counter()
            with RegistryServer(Path(tmp) / profile, profile=profile, people=args.people) as server:
                started = time.perf_counter() - start
                caller = caller_type(server)
                row = {"start_s": round(started, 2)}
                index = re.search(r"indexed in ([0-9.]+) s", server.log_text())
                row["index_s"] = float(index.group(1)) if index else -1.0
                for endpoint in ("person", "marriage"):
                    caller.records(endpoint, keys[0])            # warm up
                    times = []
                    t0 = time.perf_counter()
                    for i in range(args.requests):
                        t = time.perf_counter()
                        caller.records(endpoint, keys[i % len(keys)])
                        times.append((time.perf_counter() - t) * 1000)
                    total = time.perf_counter() - t0
                    row[f"{endpoint}_req_s"] = round(args.requests / total)
                    row[f"{endpoint}_p50_ms"] = round(statistics.median(times), 2)
                    row[f"{endpoint}_p95_ms"] = round(pct(times, 0.95), 2)
                caller.http.close()
            figures[profile] = row
            print(profile, row, flush=True)
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
