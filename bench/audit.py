"""Benchmark: the audit log — append throughput (entries a second, each one write + fsync
under the lock file, HMAC-SM3), verify speed, and the tamperings the issue names found
(deleted-newest via the checkpoint file, an edited entry, two entries reordered).

    python bench/audit.py [--entries 2000]

`audit_tamper_found(workdir)` is reused by bench/install.py. The last line is one JSON object.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.audit import AuditLog  # noqa: E402
from app.audit.checkpoints import FileSink  # noqa: E402
from app.audit.verify import verify_log  # noqa: E402

KEY = os.urandom(32)
FILL = {"playbook": "sample-qt-intake", "case": "c-0001", "window": "城市审批系统 - 受理登记",
        "outcome": "done", "fields": [{"name": "id_number", "status": "readback_ok",
                                       "value": "350802199001011236"},
                                      {"name": "phone", "status": "readback_ok",
                                       "value": "13905971234"}]}


def _log(folder: Path, n: int, every: int = 5) -> tuple[Path, Path, AuditLog]:
    folder.mkdir(parents=True, exist_ok=True)
    log, cps = folder / "audit.jsonl", folder / "checkpoints.jsonl"
    audit = AuditLog(log, key=lambda: (KEY, None), sinks=[FileSink(cps)], checkpoint_every=every)
    for _ in range(n):
        audit.append("fill", FILL)
    audit.close()
    return log, cps, audit


def audit_tamper_found(workdir: str | Path) -> int:
    """Of deleting the newest 3 entries, editing one, reordering two: how many `deskhand
    audit verify` names (with that kind); 3 is all."""
    work = Path(workdir)
    found = 0
    cases = {"truncated": lambda ls: ls[:-3],
             "edited": lambda ls: ls[:5] + [ls[5].replace('"case":"c-0001"', '"case":"c-0002"')]
             + ls[6:],
             "reordered": lambda ls: ls[:4] + [ls[5], ls[4]] + ls[6:]}
    for kind, tamper in cases.items():
        log, cps, _a = _log(work / kind, 12)
        lines = log.read_text(encoding="utf-8").splitlines(keepends=True)
        log.write_text("".join(tamper(lines)), encoding="utf-8")
        verdict = verify_log(log, KEY, [cps])
        found += verdict.problem is not None and verdict.problem.kind == kind
    return found


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--entries", type=int, default=2000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="audit-bench-") as tmp:
        t0 = time.perf_counter()
        log, cps, audit = _log(Path(tmp) / "speed", args.entries, every=50)
        append_s = time.perf_counter() - t0
        t1 = time.perf_counter()
        verdict = verify_log(log, KEY, [cps])
        verify_s = time.perf_counter() - t1
        tamper = audit_tamper_found(Path(tmp) / "tamper")
        size = log.stat().st_size
    load = os.getloadavg()[0]
    print(f"append: {args.entries} entries in {append_s:.2f} s = "
          f"{args.entries / append_s:.0f} entries/s (fsync each, HMAC-SM3, checkpoint every 50, the default)")
    print(f"verify: {verdict.entries} entries in {verify_s:.2f} s = "
          f"{verdict.entries / verify_s:.0f} entries/s; intact={verdict.ok}")
    print(f"log size: {size / verdict.entries:.0f} bytes an entry; tamperings found {tamper}/3; "
          f"load {load:.1f}")
    print(json.dumps({"entries": args.entries, "append_per_s": round(args.entries / append_s),
                      "verify_per_s": round(verdict.entries / verify_s),
                      "bytes_per_entry": round(size / verdict.entries),
                      "intact": verdict.ok, "audit_tamper_found": tamper,
                      "load": round(load, 1)}))


if __name__ == "__main__":
    main()
