"""Benchmark: read generated sources with each installed OCR engine and report exact-match
rates, wrong values left marked ok, speed, memory and the machine's load.

Shipped kinds: portal pages (through the playbook's region), the same at 125%, ID cards
(half of them blurred, noisy, JPEG-compressed and slightly rotated), and whole-page reads
without regions for comparison. Unseen kinds (app/sandbox/corpus.py), each read with its
playbook in tests/fixtures/playbooks/unseen, written from playbooks/README.md only:
labels above values, nested labels (配偶身份证号码 beside 身份证号码), spaced labels
(姓　　名), 3 and 4 columns, a scrolled page, ID-card photos (tilt, perspective, glare),
a grid with a selected row, and values that need transforms. A kind whose playbook the
loader refuses is reported "not readable yet" with the loader's message.

    python bench/read.py [--n 50] [--n-unseen 30] [--unseen-from 0]
                         [--engines rapidocr,easyocr,rapidocr-v4]
                         [--kinds above,table] [--misses] [--quick]
    python bench/read.py --false-ok [--n 60] [--misses]

(--false-ok: only the statuses, bench/statuses.py: ID cards, portal pages, ministry grids
and the ?form=case portal page, --n of each; `false_ok` counts fields marked ok whose value
is wrong, with the count of each status.)

(rapidocr: PP-OCRv5 recogniser, the default; rapidocr-v4: the recogniser inside the
RapidOCR wheel; --misses prints every field read wrong, masked where personal; --quick:
one source of each kind, for the test suite; --unseen-from 30: the unseen samples 30, 31 …,
held out from those a change was looked at on.)

Scoring: a field is exact when the value equals the truth (None truth: nothing read). A
value that differs from the truth with status ok or corrected (what the review does not
flag) counts in `wrong_marked_ok`; a capture that raised counts as `discarded`, all its
fields missed; `<kind>_right_flagged` counts right values not left ok (the clerk is
asked to look at them: the price of never marking a wrong one ok). `<kind>_ocr_saw`: the share of values whose every character the OCR boxes
over them held (app/sandbox/corpus.py seen_by_ocr), the most a reader could get right with
that engine. Times are medians of read_source (OCR, extraction, checks), after a
warm-up read. Measure on a quiet machine: the load averages before and after are printed.

The last line printed is one JSON object with the figures.
"""
from __future__ import annotations

import argparse
import json
import os
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
from app.privacy import mask_text  # noqa: E402
from app.sandbox.corpus import KINDS, sample, seen_by_ocr  # noqa: E402
from app.sandbox.people import make_person  # noqa: E402
from app.sandbox.sources import render_id_card, render_portal_page  # noqa: E402
from playbooks.errors import PlaybookError  # noqa: E402
from playbooks.loader import load_playbook  # noqa: E402

LIB = ROOT / "playbooks" / "library"
UNSEEN = ROOT / "tests" / "fixtures" / "playbooks" / "unseen"
CHECKED = ("id_number", "credit_code")
MARKED_OK = ("ok", "corrected")       # what the review shows without asking the clerk


class Tally:
    show_misses = False

    def __init__(self) -> None:
        self.right = self.total = 0
        self.by_field: dict[str, list[int]] = {}
        self.bad_ok = 0          # a wrong ID number or credit code left marked ok
        self.wrong_ok = 0        # any wrong value left marked ok (or corrected)
        self.false_ok = 0        # any wrong value marked ok itself
        self.discarded = 0       # captures that raised instead of keeping the case
        self.right_flagged = 0   # right values not left ok: the clerk is asked to look
        self.times: list[float] = []
        self.seen = [0, 0]       # values the OCR boxes held, of the values on the sources

    def _count(self, name: str, ok: bool) -> None:
        self.right += ok
        self.total += 1
        self.by_field.setdefault(name, [0, 0])
        self.by_field[name][0] += ok
        self.by_field[name][1] += 1

    def add(self, truth: dict, fields, elapsed: float, types: dict[str, str]) -> None:
        """A shipped kind: every field the playbook reads from the source (`types`: their
        types) that the source has a truth for."""
        self.times.append(elapsed)
        for name, fv in fields.items():
            want = halfwidth_alnum(truth[name]) if name in truth else None
            if want is None or name not in types:
                continue
            ok = fv.value == want
            self._miss(name, want, fv, ok)
            self._count(name, ok)
            if not ok and fv.value and fv.status in MARKED_OK:
                self.wrong_ok += 1
                self.false_ok += fv.status == "ok"
                if types.get(name) in CHECKED and fv.status == "ok":
                    self.bad_ok += 1

    def add_unseen(self, truth: dict, fields, elapsed: float | None) -> None:
        """An unseen kind: every field of the truth, None meaning nothing may be read;
        `fields` None when the capture was discarded."""
        if elapsed is not None:
            self.times.append(elapsed)
        if fields is None:
            self.discarded += 1
        for name, want in truth.items():
            fv = fields.get(name) if fields is not None else None
            got = fv.value if fv is not None else None
            want = halfwidth_alnum(want) if want is not None else None
            ok = (not got) if want is None else got == want
            self._miss(name, want, fv, ok)
            self._count(name, ok)
            if not ok and got and fv.status in MARKED_OK:
                self.wrong_ok += 1
                self.false_ok += fv.status == "ok"
            if ok and got and fv.status not in MARKED_OK:
                self.right_flagged += 1

    def _miss(self, name: str, want, fv, ok: bool) -> None:
        if ok or not self.show_misses:
            return
        got = None if fv is None else fv.value
        status = "no case" if fv is None else fv.status
        print(mask_text(f"    miss {name}: {want!r} read as {got!r} ({status})"), flush=True)

    def rate(self, name: str | None = None) -> float:
        if name is None:
            return self.right / max(1, self.total)
        r, t = self.by_field.get(name, [0, 0])
        return r / max(1, t)


def _p50(times: list[float]) -> float | None:
    return round(statistics.median(times), 3) if times else None


def _read_types(playbook) -> dict[str, str]:
    """Types of the fields read from the source: not those the clerk gives (read: clerk,
    such as 办理事项, which the page shows but the playbook leaves to the clerk)."""
    return {f.name: f.type for f in playbook.fields if not (f.read and f.read.clerk)}


def run_shipped(engine, n: int, whole: bool) -> tuple[dict, dict[str, Tally]]:
    portal = load_playbook(LIB / "portal-to-qt-intake.yaml")
    card = load_playbook(LIB / "idcard-to-qt-intake.yaml")
    whole_pb = load_playbook(LIB / "portal-to-qt-intake.yaml")
    object.__setattr__(whole_pb, "source_spec", None)   # no regions: OCR the whole page
    kinds = {k: Tally() for k in ("page", "page125", "idcard", "whole_page")}
    rng = random.Random(2260)
    types_portal, types_card = _read_types(portal), _read_types(card)
    for i in range(n):
        person = make_person(1000 + i)
        for kind, scale in (("page", 1.0), ("page125", 1.25)):
            src = render_portal_page(person, scale=scale, seed=i)
            t = time.perf_counter()
            r = read_source(portal, src.image, engine, scale=scale)
            kinds[kind].add(src.truth, r.case.fields, time.perf_counter() - t, types_portal)
        degrade = {} if i % 2 == 0 else {"blur": rng.uniform(0.3, 1.0), "noise": rng.uniform(2, 8),
                                         "jpeg_quality": rng.randrange(50, 85),
                                         "rotate_deg": rng.uniform(-1.0, 1.0)}
        src = render_id_card(person, seed=i, **degrade)
        t = time.perf_counter()
        r = read_source(card, src.image, engine)
        kinds["idcard"].add(src.truth, r.case.fields, time.perf_counter() - t, types_card)
        if whole and i < max(10, n // 5):   # whole pages are slow; a sample shows the cost
            src = render_portal_page(person, seed=i)
            t = time.perf_counter()
            r = read_source(whole_pb, src.image, engine)
            kinds["whole_page"].add(src.truth, r.case.fields, time.perf_counter() - t,
                                    types_portal)
        if (i + 1) % 10 == 0:
            print(f"  {engine.name}: {i + 1}/{n} sources of each shipped kind", flush=True)
    ids = [kinds[k].by_field.get("id_number", [0, 0]) for k in ("page", "page125", "idcard")]
    return {
        "page_exact": round(kinds["page"].rate(), 4),
        "page125_exact": round(kinds["page125"].rate(), 4),
        "idcard_exact": round(kinds["idcard"].rate(), 4),
        "id_number_exact": round(sum(r for r, _ in ids) / max(1, sum(t for _, t in ids)), 4),
        "credit_code_exact": round((kinds["page"].rate("credit_code")
                                    + kinds["page125"].rate("credit_code")) / 2, 4),
        "bad_check_digit_marked_ok": sum(k.bad_ok for k in kinds.values()),
        "idcard_p50_s": _p50(kinds["idcard"].times),
        "page_capture_p50_s": _p50(kinds["page"].times),
        "page125_capture_p50_s": _p50(kinds["page125"].times),
        "whole_page_p50_s": _p50(kinds["whole_page"].times),
        "whole_page_exact": round(kinds["whole_page"].rate(), 4) if kinds["whole_page"].total else None,
    }, kinds


def _load_unseen(name: str, cache: dict) -> object:
    """The playbook `name` of UNSEEN, or the loader's message (a str) when it refuses it."""
    if name not in cache:
        try:
            cache[name] = load_playbook(UNSEEN / f"{name}.yaml")
        except PlaybookError as exc:
            problems = getattr(exc, "errors", [exc])
            first = str(problems[0]).replace(str(ROOT) + os.sep, "")
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            cache[name] = f"{first}{more}"
    return cache[name]


def run_unseen(engine, n: int, kinds: tuple[str, ...], first: int = 0
               ) -> tuple[dict, dict[str, Tally]]:
    cache: dict[str, object] = {}
    tallies: dict[str, Tally] = {}
    refused: dict[str, str] = {}
    out: dict = {}
    for kind in kinds:
        tally = tallies[kind] = Tally()
        for i in range(first, first + n):
            src = sample(kind, i)
            pb = _load_unseen(src.meta["playbook"], cache)
            if isinstance(pb, str):
                refused[kind] = pb
                continue
            t = time.perf_counter()
            try:
                r = read_source(pb, src.image, engine)
            except DeskhandError as exc:      # a capture thrown away: every field lost
                if Tally.show_misses:
                    print(f"    {kind} {i}: discarded: {exc}", flush=True)
                tally.add_unseen(src.truth, None, time.perf_counter() - t)
                continue
            tally.add_unseen(src.truth, r.case.fields, time.perf_counter() - t)
            seen = seen_by_ocr(src, r.boxes)
            tally.seen[0] += sum(seen.values())
            tally.seen[1] += len(seen)
        read = tally.total > 0
        out[f"{kind}_exact"] = round(tally.rate(), 4) if read else None
        out[f"{kind}_p50_s"] = _p50(tally.times)
        out[f"{kind}_wrong_ok"] = tally.wrong_ok if read else None
        out[f"{kind}_discarded"] = tally.discarded if read else None
        out[f"{kind}_right_flagged"] = tally.right_flagged if read else None
        out[f"{kind}_ocr_saw"] = round(tally.seen[0] / tally.seen[1], 4) if tally.seen[1] else None
        state = "not readable yet: " + refused[kind] if kind in refused and not read else \
            "no samples" if not read else (
            f"{out[f'{kind}_exact']:.1%} exact, {tally.wrong_ok} wrong marked ok, "
            f"{tally.discarded} discarded, {tally.right_flagged} right but flagged, "
            f"p50 {out[f'{kind}_p50_s']} s; OCR saw "
            f"{out[f'{kind}_ocr_saw'] or 0:.1%} of the values")
        print(f"  {engine.name}: {kind}: {state}", flush=True)
    out["not_readable_yet"] = refused
    return out, tallies


def run_engine(name: str, n: int, n_unseen: int, kinds: tuple[str, ...], whole: bool,
               first: int = 0) -> dict:
    t0 = time.perf_counter()
    engine = open_engine(name)
    engine.load()
    load_s = time.perf_counter() - t0
    # one read first, so that no kind's median pays for the runtime's first allocations
    read_source(load_playbook(LIB / "idcard-to-qt-intake.yaml"),
                render_id_card(make_person(999)).image, engine)
    shipped, tallies = run_shipped(engine, n, whole)
    unseen, unseen_tallies = run_unseen(engine, n_unseen, kinds, first)
    tallies.update(unseen_tallies)
    return {
        "engine": name, **shipped, **unseen,
        "wrong_marked_ok": sum(t.wrong_ok for t in tallies.values()),
        "false_ok": sum(t.false_ok for t in tallies.values()),
        "model_load_s": round(load_s, 3),
        "weakest_fields": sorted(((round(k.rate(f), 3), kind, f) for kind, k in tallies.items()
                                  for f in k.by_field if k.rate(f) < 1.0))[:8],
        "sources_per_kind": n, "sources_per_unseen_kind": n_unseen, "first_unseen": first,
    }


def machine_load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def false_ok_main(n: int, misses: bool) -> int:
    from bench.statuses import run_statuses
    load = {"cores": os.cpu_count(), "loadavg_before": machine_load()}
    print(f"machine: {load['cores']} cores, load average {load['loadavg_before']} "
          "(1, 5, 15 min) before", flush=True)
    engine = open_engine("rapidocr")
    engine.load()
    t0 = time.perf_counter()
    out = run_statuses(engine, n, show_misses=misses,
                       progress=lambda line: print(mask_text(line), flush=True))
    load["loadavg_after"] = machine_load()
    print(f"machine: load average {load['loadavg_after']} after", flush=True)
    print(json.dumps({**out, "engine": engine.name, "sources_per_kind": n,
                      "elapsed_s": round(time.perf_counter() - t0, 1), "machine": load},
                     ensure_ascii=False))
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=50, help="sources of each shipped kind")
    ap.add_argument("--n-unseen", type=int, default=30, help="sources of each unseen kind")
    ap.add_argument("--unseen-from", type=int, default=0, metavar="I",
                    help="the first unseen sample read (held-out samples: 30 and on)")
    ap.add_argument("--engines", default="rapidocr,easyocr")
    ap.add_argument("--kinds", default=",".join(KINDS), help="unseen kinds to read")
    ap.add_argument("--misses", action="store_true", help="print each field read wrong")
    ap.add_argument("--quick", action="store_true",
                    help="one source of each kind, rapidocr only, no whole pages")
    ap.add_argument("--false-ok", action="store_true",
                    help="only the statuses: --n sources of each kind the sandbox renders (ID "
                         "card, portal page, ministry grid, the ?form=case page), rapidocr; "
                         "false_ok = fields ok whose value is wrong")
    args = ap.parse_args()
    if args.false_ok:
        return false_ok_main(args.n, args.misses)
    kinds = tuple(k for k in args.kinds.split(",") if k)
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        print(f"unknown kind {', '.join(unknown)}; the kinds are {', '.join(KINDS)}",
              file=sys.stderr)
        return 2
    if args.unseen_from < 0:
        print(f"--unseen-from is a sample number, 0 or more, not {args.unseen_from}",
              file=sys.stderr)
        return 2
    if args.quick:
        args.n, args.n_unseen, args.engines = 1, 1, "rapidocr"
    Tally.show_misses = args.misses
    load = {"cores": os.cpu_count(), "loadavg_before": machine_load()}
    print(f"machine: {load['cores']} cores, load average {load['loadavg_before']} "
          "(1, 5, 15 min) before", flush=True)
    results = []
    for name in args.engines.split(","):
        try:
            results.append(run_engine(name, args.n, args.n_unseen, kinds, not args.quick,
                                      args.unseen_from))
            # ru_maxrss only grows: exact for the first engine, an upper bound after it
            results[-1]["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
            results[-1]["loadavg_after"] = machine_load()
            print(json.dumps(results[-1], ensure_ascii=False), flush=True)
        except DeskhandError as exc:   # e.g. EasyOCR without its Chinese weights
            print(f"{name}: not measured: {exc.message}", flush=True)
    load["loadavg_after"] = machine_load()
    print(f"machine: load average {load['loadavg_after']} after", flush=True)
    best = results[0] if results else {}
    summary = {**best, "engines": [r["engine"] for r in results], "machine": load}
    print(json.dumps(summary, ensure_ascii=False))
    return 0 if results else 3


if __name__ == "__main__":
    sys.exit(main())
