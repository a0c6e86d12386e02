"""Benchmark: where the time of a read goes, one engine setting at a time (issue 11 asked
why bench/read.py gave ID card 0.66 s and portal page 1.63 s against the README's figures).

Each variant is RapidOcrEngine with one of Deskhand's settings put back to what RapidOCR
does by default; `deskhand` is all of Deskhand's settings, `rapidocr` none of them:

- det_upscale: RapidOCR enlarges a picture whose short side is under 736 px before
  detection (an 856×540 card becomes 1167×736);
- rec_min_width=320: RapidOCR pads every line to at least 320×48 before recognition;
- spin: ONNX Runtime's idle threads spin (busy-wait) instead of sleeping;
- threads=1: lines recognised one after another on one thread.

For each: the median wall time and CPU time of a read of the shipped playbooks' ID cards
and portal regions (app/sandbox/sources.py), after a warm-up read, and whether the text
read differs from the `deskhand` variant's. The machine's load is printed first and last:
on a busy 2-core machine every figure doubles.

    python bench/ocr_settings.py [--n 12] [--variants deskhand,det_upscale,...]

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

from app.capture.read import read_source  # noqa: E402
from app.ocr.rapid import REC_MIN_WIDTH, RapidOcrEngine  # noqa: E402
from app.sandbox.people import make_person  # noqa: E402
from app.sandbox.sources import render_id_card, render_portal_page  # noqa: E402
from playbooks.loader import load_playbook  # noqa: E402

LIB = ROOT / "playbooks" / "library"
THREADS = min(4, os.cpu_count() or 1)
VARIANTS = {
    "deskhand": {},
    "det_upscale": {"det_upscale": True},
    "rec_min_width_320": {"rec_min_width": 320},
    "spin": {"spin": True},
    "one_thread": {"threads": 1},
    "rapidocr": {"det_upscale": True, "rec_min_width": 320, "spin": True, "threads": 1},
}


def measure(settings: dict, n: int) -> dict:
    engine = RapidOcrEngine(**{"threads": THREADS, "rec_min_width": REC_MIN_WIDTH, **settings})
    card_pb = load_playbook(LIB / "idcard-to-qt-intake.yaml")
    page_pb = load_playbook(LIB / "portal-to-qt-intake.yaml")
    sources = [("idcard", card_pb, render_id_card(make_person(s), seed=s).image) for s in range(n)]
    sources += [("page", page_pb, render_portal_page(make_person(s), seed=s).image) for s in range(n)]
    read_source(card_pb, sources[0][2], engine)          # warm-up
    out: dict = {}
    texts: dict[str, list] = {}
    for kind in ("idcard", "page"):
        wall, cpu = [], []
        for k, pb, image in sources:
            if k != kind:
                continue
            t0, c0 = time.perf_counter(), time.process_time()
            r = read_source(pb, image, engine)
            wall.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
            texts.setdefault(kind, []).append({n: fv.value for n, fv in r.case.fields.items()})
        out[f"{kind}_p50_s"] = round(statistics.median(wall), 3)
        out[f"{kind}_cpu_p50_s"] = round(statistics.median(cpu), 3)
    out["texts"] = texts
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=12, help="sources of each kind")
    ap.add_argument("--variants", default=",".join(VARIANTS))
    args = ap.parse_args()
    names = [v for v in args.variants.split(",") if v]
    unknown = [v for v in names if v not in VARIANTS]
    if unknown:
        print(f"unknown variant {', '.join(unknown)}; the variants are {', '.join(VARIANTS)}",
              file=sys.stderr)
        return 2
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} before",
          flush=True)
    results, base = {}, None
    for name in names:
        r = measure(VARIANTS[name], args.n)
        texts = r.pop("texts")
        base = base or texts
        r["same_text_as_first"] = texts == base
        results[name] = r
        print(f"  {name:18} ID card p50 {r['idcard_p50_s']} s (CPU {r['idcard_cpu_p50_s']} s), "
              f"page p50 {r['page_p50_s']} s (CPU {r['page_cpu_p50_s']} s), "
              f"same values as {names[0]}: {r['same_text_as_first']}", flush=True)
    load = round(os.getloadavg()[0], 2)
    print(f"machine: load average {load} after")
    print(json.dumps({"variants": results, "cores": os.cpu_count(), "load_after": load,
                      "sources_per_kind": args.n}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
