"""Benchmark: read generated sources with each installed OCR engine and report exact-match
rates, speed and memory. Sources: portal pages (through the playbook's region), the same
at 125%, ID cards (half of them blurred, noisy, JPEG-compressed and slightly rotated), and
whole-page reads without regions for comparison.

    python bench/read.py [--n 50] [--engines rapidocr,easyocr,rapidocr-v4] [--misses]

(rapidocr: PP-OCRv5 recogniser, the default; rapidocr-v4: the recogniser inside the
RapidOCR wheel; --misses prints every field read wrong, masked where personal.)

The last line printed is one JSON object with the figures.
"""
from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.capture.read import read_source  # noqa: E402
from app.checks.normalize import halfwidth_alnum  # noqa: E402
from app.errors import DeskhandError  # noqa: E402
from app.ocr import open_engine  # noqa: E402
from app.sandbox.people import make_person  # noqa: E402
from app.sandbox.sources import render_id_card, render_portal_page  # noqa: E402
from playbooks.loader import load_playbook  # noqa: E402

LIB = ROOT / "playbooks" / "library"
CHECKED = ("id_number", "credit_code")


class Tally:
    show_misses = False

    def __init__(self) -> None:
        self.right = self.total = 0
        self.by_field: dict[str, list[int]] = {}
        self.bad_ok = 0          # a wrong ID number or credit code left marked ok
        self.times: list[float] = []

    def add(self, truth: dict[str, str], fields, elapsed: float, types: dict[str, str]) -> None:
        self.times.append(elapsed)
        for name, fv in fields.items():
            want = halfwidth_alnum(truth[name]) if name in truth else None
            if want is None:
                continue
            ok = fv.value == want
            if not ok and self.show_misses:
                print(f"    miss {name}: {want!r} read as {fv.value!r} ({fv.status})", flush=True)
            self.right += ok
            self.total += 1
            self.by_field.setdefault(name, [0, 0])
            self.by_field[name][0] += ok
            self.by_field[name][1] += 1
            if types.get(name) in CHECKED and not ok and fv.status == "ok":
                self.bad_ok += 1

    def rate(self, name: str | None = None) -> float:
        if name is None:
            return self.right / max(1, self.total)
        r, t = self.by_field.get(name, [0, 0])
        return r / max(1, t)


def run_engine(name: str, n: int) -> dict:
    t0 = time.perf_counter()
    engine = open_engine(name)
    engine.load()
    load_s = time.perf_counter() - t0
    portal = load_playbook(LIB / "portal-to-qt-intake.yaml")
    card = load_playbook(LIB / "idcard-to-qt-intake.yaml")
    whole = load_playbook(LIB / "portal-to-qt-intake.yaml")
    object.__setattr__(whole, "source_spec", None)   # no regions: OCR the whole page
    kinds = {k: Tally() for k in ("page", "page125", "idcard", "whole_page")}
    rng = random.Random(2260)
    for i in range(n):
        person = make_person(1000 + i)
        for kind, scale in (("page", 1.0), ("page125", 1.25)):
            src = render_portal_page(person, scale=scale, seed=i)
            t = time.perf_counter()
            r = read_source(portal, src.image, engine, scale=scale)
            kinds[kind].add(src.truth, r.case.fields, time.perf_counter() - t,
                            {f.name: f.type for f in portal.fields})
        degrade = {} if i % 2 == 0 else {"blur": rng.uniform(0.3, 1.0), "noise": rng.uniform(2, 8),
                                         "jpeg_quality": rng.randrange(50, 85),
                                         "rotate_deg": rng.uniform(-1.0, 1.0)}
        src = render_id_card(person, seed=i, **degrade)
        t = time.perf_counter()
        r = read_source(card, src.image, engine)
        kinds["idcard"].add(src.truth, r.case.fields, time.perf_counter() - t,
                            {f.name: f.type for f in card.fields})
        if i < max(10, n // 5):   # whole pages are slow; a sample shows the cost
            src = render_portal_page(person, seed=i)
            t = time.perf_counter()
            r = read_source(whole, src.image, engine)
            kinds["whole_page"].add(src.truth, r.case.fields, time.perf_counter() - t,
                                    {f.name: f.type for f in whole.fields})
        if (i + 1) % 10 == 0:
            print(f"  {name}: {i + 1}/{n} sources of each kind", flush=True)
    ids = [kinds[k].by_field.get("id_number", [0, 0]) for k in ("page", "page125", "idcard")]
    return {
        "engine": name,
        "page_exact": round(kinds["page"].rate(), 4),
        "page125_exact": round(kinds["page125"].rate(), 4),
        "idcard_exact": round(kinds["idcard"].rate(), 4),
        "id_number_exact": round(sum(r for r, _ in ids) / max(1, sum(t for _, t in ids)), 4),
        "credit_code_exact": round((kinds["page"].rate("credit_code") + kinds["page125"].rate("credit_code")) / 2, 4),
        "bad_check_digit_marked_ok": sum(k.bad_ok for k in kinds.values()),
        "idcard_p50_s": round(statistics.median(kinds["idcard"].times), 3),
        "page_capture_p50_s": round(statistics.median(kinds["page"].times), 3),
        "page125_capture_p50_s": round(statistics.median(kinds["page125"].times), 3),
        "whole_page_p50_s": round(statistics.median(kinds["whole_page"].times), 3),
        "whole_page_exact": round(kinds["whole_page"].rate(), 4),
        "model_load_s": round(load_s, 3),
        "weakest_fields": sorted(((round(k.rate(f), 3), kind, f) for kind, k in kinds.items()
                                  for f in k.by_field if k.rate(f) < 1.0))[:6],
        "sources_per_kind": n,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=50)
    ap.add_argument("--engines", default="rapidocr,easyocr")
    ap.add_argument("--misses", action="store_true", help="print each field read wrong")
    args = ap.parse_args()
    Tally.show_misses = args.misses
    results = []
    for name in args.engines.split(","):
        try:
            results.append(run_engine(name, args.n))
            # ru_maxrss only grows: exact for the first engine, an upper bound after it
            results[-1]["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
            print(json.dumps(results[-1], ensure_ascii=False), flush=True)
        except DeskhandError as exc:   # e.g. EasyOCR without its Chinese weights
            print(f"{name}: not measured: {exc.message}", flush=True)
    best = results[0] if results else {}
    summary = {**best, "engines": [r["engine"] for r in results]}
    print(json.dumps(summary, ensure_ascii=False))
    return 0 if results else 3


if __name__ == "__main__":
    sys.exit(main())
