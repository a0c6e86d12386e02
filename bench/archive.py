"""Archive packages for a batch of 200 cases (issue 15): build time, size, SM3 speed, a
byte-identical rebuild, and the three tamperings found.

- Cases: app/sandbox/archive_cases.py — each a generated person read from their ID card
  picture (856×540 PNG, rendered here and kept beside the case, ~180 KB) and filled once.
  Making them is not timed.
- `build_s`: `deskhand archive FOLDER -o DIR` in-process (the CLI's own path: app.archive.cli),
  200 cases into 200 zips and index-sm3.txt. Target ≤ 60 s. Then the same again into another
  folder: `identical` counts the zips that came out byte for byte the same.
- `verify_s`: `verify_package` on every package (all must pass).
- SM3: MB/s of OpenSSL's SM3 (through `cryptography`, what packages use) and of the
  pure-Python fallback (app/archive/sm3.py), on 4 MB and 256 KB.
- `tamper_found`: one package flipped by a byte, one missing a file, one with a changed
  metadata value; how many of the three `verify_package` finds and names (0–3).
  `tamper_found(workdir)` is imported by bench/batch.py.

    PYTHONPATH=. .venv/bin/python bench/archive.py [--cases 200]

Prints the figures; the last line is one JSON object. The load average is in it.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.archive.package import PackOptions, build_package  # noqa: E402
from app.archive.sm3 import native_sm3_available, sm3_hex  # noqa: E402
from app.archive.verify import verify_package  # noqa: E402
from app.sandbox.archive_cases import write_sample_case  # noqa: E402
from app.sandbox.archive_tamper import change_metadata, drop_file, flip_byte  # noqa: E402


def tamper_found(workdir: Path | None = None) -> int:
    """Of three tamperings of one package (a byte, a missing file, a metadata value), how
    many `verify_package` finds and names the file or element of (0–3). Without `workdir`,
    in a temporary folder removed after (bench/batch.py calls it so)."""
    if workdir is None:
        with tempfile.TemporaryDirectory(prefix="deskhand-tamper-") as tmp:
            return tamper_found(Path(tmp))
    workdir = Path(workdir)
    case = write_sample_case(workdir / "tamper-case", 42)
    pkg = build_package(case, workdir / "tamper-pkg", PackOptions(unit="龙岩市行政服务中心")).path
    if verify_package(pkg):
        return 0                      # an untouched package must pass, else nothing counts
    found = 0
    for make in (flip_byte, drop_file, change_metadata):
        bad, name = make(pkg, workdir / f"tamper-{make.__name__}.zip")
        if any(name in f.sentence for f in verify_package(bad)):
            found += 1
    return found


def sm3_speed(size: int, pure: bool) -> float:
    data = os.urandom(size)
    started = time.perf_counter()
    sm3_hex(data, pure=pure)
    return size / 1e6 / (time.perf_counter() - started)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=200)
    args = ap.parse_args()
    from app.cli import main as deskhand
    with tempfile.TemporaryDirectory(prefix="deskhand-bench-archive-") as tmp:
        work = Path(tmp)
        t = time.perf_counter()
        for seed in range(args.cases):
            write_sample_case(work / "cases", seed)
        make_s = time.perf_counter() - t
        runs = []
        for out in ("a", "b"):
            t = time.perf_counter()
            code = deskhand(["archive", str(work / "cases"), "-o", str(work / out),
                             "--unit", "龙岩市行政服务中心", "--json"], io.StringIO(), io.StringIO())
            runs.append(time.perf_counter() - t)
            assert code == 0, f"deskhand archive exited {code}"
        zips = sorted((work / "a").glob("*.zip"))
        total = sum(p.stat().st_size for p in zips)
        identical = sum(p.read_bytes() == (work / "b" / p.name).read_bytes() for p in zips)
        t = time.perf_counter()
        failing = sum(bool(verify_package(p)) for p in zips)
        verify_s = time.perf_counter() - t
        found = tamper_found(work)
    native = native_sm3_available()
    doc = {
        "cases": args.cases, "packages": len(zips), "build_s": round(runs[0], 2),
        "rebuild_s": round(runs[1], 2), "identical": identical,
        "package_mb": round(total / 1e6, 1), "build_mb_s": round(total / 1e6 / runs[0], 1),
        "verify_s": round(verify_s, 2), "verify_failing": failing,
        "sm3_openssl_mb_s": round(sm3_speed(4 << 20, False), 1) if native else None,
        "sm3_pure_mb_s": round(sm3_speed(256 << 10, True), 2),
        "tamper_found": found, "make_cases_s": round(make_s, 1),
        "load": [round(x, 2) for x in os.getloadavg()],
    }
    print(f"{doc['packages']} packages of {args.cases} cases in {doc['build_s']} s "
          f"({doc['package_mb']} MB, {doc['build_mb_s']} MB/s); rebuilt in {doc['rebuild_s']} s, "
          f"{identical}/{len(zips)} byte-identical")
    print(f"verified all in {doc['verify_s']} s, {failing} failing; tamperings found "
          f"{found}/3")
    print(f"SM3: OpenSSL {doc['sm3_openssl_mb_s']} MB/s, pure Python {doc['sm3_pure_mb_s']} MB/s")
    print(f"(making the {args.cases} cases and their ID-card pictures: {doc['make_cases_s']} s, "
          f"not counted; load {doc['load']})")
    print(json.dumps(doc, ensure_ascii=False))
    return 0 if (found == 3 and identical == len(zips) and not failing and runs[0] <= 60) else 1


if __name__ == "__main__":
    sys.exit(main())
