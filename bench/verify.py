"""Benchmark: verifying one case against the reference registry on loopback.

A housing-fund style case with 7 look-up sections, 5 of them distinct (population, business
licence, real estate, marriage, road transport; population and marriage asked twice), run
with the per-case cache (5 HTTP calls, in parallel) and without it (7 calls). Then the
throughput of single look-ups, and how long a dead or hanging registry holds the clerk.

    python bench/verify.py [--cases 200]

The last line printed is one JSON object with the figures.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from app.registry.client import RegistryClient  # noqa: E402
from app.registry.reference import reference_settings  # noqa: E402
from app.registry.settings import parse_registry_settings  # noqa: E402
from app.registry.verify import verify_case  # noqa: E402
from app.sandbox.housing import housing_case, housing_playbook  # noqa: E402
from app.sandbox.people import make_person  # noqa: E402
from registry_server import RegistryServer  # noqa: E402

def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def run_cases(client: RegistryClient, n: int, cache: bool) -> tuple[list[float], int]:
    pb = housing_playbook()
    times, calls = [], 0
    for i in range(n):
        case = housing_case(i % 3000)
        t = time.perf_counter()
        report = verify_case(case, pb, client, cache=cache)
        times.append((time.perf_counter() - t) * 1000)
        calls += report.calls
        assert not report.failed, [a.error for a in report.failed]
    return times, calls


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=200)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp, RegistryServer(tmp) as server:
        settings = parse_registry_settings(reference_settings(server.url))
        secret = server.secret.decode()
        with RegistryClient(settings, secrets=lambda name: secret) as client:
            run_cases(client, 10, True)                              # warm the connections
            cached, cached_calls = run_cases(client, args.cases, True)
            uncached, uncached_calls = run_cases(client, args.cases, False)
            ids = [make_person(i).id_number for i in range(500)]
            t = time.perf_counter()
            with ThreadPoolExecutor(8) as pool:
                answers = list(pool.map(lambda i: client.lookup("reference.person", {"id_number": i}), ids))
            lookups_per_s = len(answers) / (time.perf_counter() - t)
            assert all(a.status == "found" for a in answers)
        # A hanging registry (answers after 10 s) with the default 3 s timeout and retries,
        # and one that is not there at all.
        server.set_faults("delay=10@population")
        outage = {}
        hang = parse_registry_settings(reference_settings(server.url))
        dead = parse_registry_settings(reference_settings("http://127.0.0.1:9"))
        pb = housing_playbook()
        for name, s in (("hanging", hang), ("dead", dead)):
            with RegistryClient(s, secrets=lambda name: secret) as client:
                t = time.perf_counter()
                report = verify_case(housing_case(1), pb, client)
                outage[name] = round(time.perf_counter() - t, 3)
                assert report.failed
        server.clear_faults()
    result = {
        "case_p50_ms": round(statistics.median(cached), 1),
        "case_p95_ms": round(pct(cached, 0.95), 1),
        "case_p50_ms_no_cache": round(statistics.median(uncached), 1),
        "case_p95_ms_no_cache": round(pct(uncached, 0.95), 1),
        "calls_per_case": cached_calls / args.cases,
        "calls_per_case_no_cache": uncached_calls / args.cases,
        "lookups_per_s": round(lookups_per_s, 1),
        "outage_block_s": max(outage.values()),
        "outage_block_s_hanging": outage["hanging"],
        "outage_block_s_dead": outage["dead"],
        "timeout_s": hang.registries["reference"].timeout_s,
        "cases": args.cases,
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
