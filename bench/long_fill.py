"""Benchmark: one very long field (default 100,000 characters of mixed Chinese, ASCII,
full-width and astral characters, ~290 KB of UTF-8, so the paste goes by INCR) filled
with the sample playbook into the sample Qt client and the Chromium web form.

    python bench/long_fill.py [--chars 100000] [--runs 3] [--display :N]

For each target: the whole fill (13 fields), the long field's paste (until the target
has taken the text) and its read-back (ctrl+a, ctrl+c, reading the copy), and
characters per second for the long field (paste + read-back). Checked against what the
target holds. Starts its own private X display unless --display is given. The last
line printed is one JSON object with the figures.
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

from app.cases import case_from_values  # noqa: E402
from app.fill.engine import FillEngine, FillOptions  # noqa: E402
from app.sandbox.people import long_text  # noqa: E402
from app.sandbox.targets import launch_qt_client, launch_web_form  # noqa: E402
from app.sandbox.xsession import XSession  # noqa: E402
from playbooks.loader import load_playbook  # noqa: E402

SAMPLE = json.loads((ROOT / "resources/samples/case-zhang-wei.json").read_text(encoding="utf-8"))
PLAYBOOK = {"qt": "sample-qt-intake", "chromium": "sample-web-intake"}


def timed(calls: list[tuple[int, float]], fn):
    """Wrap a desktop method to record (len of its text argument or 0, seconds)."""
    def inner(*args, **kwargs):
        t0 = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            text = args[0] if args and isinstance(args[0], str) else ""
            calls.append((len(text), time.perf_counter() - t0))
    return inner


def one_run(target, playbook, value: str) -> dict:
    from app.desktop.x11 import X11Desktop
    target.reset(timeout=30)
    target.activate()
    target.wait_state(lambda s: s.get("focused") == "applicant_name"
                      and not any(s["fields"].values()), 10)
    desktop = X11Desktop(os.environ["DISPLAY"])
    pastes: list[tuple[int, float]] = []
    copies: list[tuple[int, float]] = []
    desktop.type_text = timed(pastes, desktop.type_text)            # type: ignore[method-assign]
    desktop.copy_selection = timed(copies, desktop.copy_selection)  # type: ignore[method-assign]
    try:
        t0 = time.perf_counter()
        report = FillEngine(desktop, FillOptions(wait_focus_s=3)).fill(
            playbook, case_from_values(dict(SAMPLE, remarks=value), playbook.id,
                                       {"kind": "bench"}))
        fill_s = time.perf_counter() - t0
    finally:
        desktop.close()
    held = target.wait_state(lambda s: len(s["fields"]["remarks"]) >= len(value), 30)
    paste_s = next(s for n, s in pastes if n == len(value))
    readback_s = copies[-1][1]       # the long field is the last one read back
    return {"fill_s": fill_s, "paste_s": paste_s, "readback_s": readback_s,
            "exact": held["fields"]["remarks"] == value,
            "readback_ok": report.results[-1].status == "readback_ok"}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chars", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--display", help="use this X display instead of a private one")
    args = ap.parse_args()
    value = long_text(args.chars)
    size = len(value.encode("utf-8"))
    print(f"long field: {args.chars} characters, {size} bytes of UTF-8", flush=True)
    session = None if args.display else XSession().start()
    os.environ["DISPLAY"] = args.display or session.display
    summary: dict = {"chars": args.chars, "utf8_bytes": size, "runs": args.runs}
    try:
        for kind in ("qt", "chromium"):
            target = launch_qt_client(session) if kind == "qt" else launch_web_form(session)
            try:
                playbook = load_playbook(ROOT / "playbooks/library" / f"{PLAYBOOK[kind]}.yaml")
                runs = [one_run(target, playbook, value) for _ in range(args.runs)]
            finally:
                target.close()
            med = {k: statistics.median(r[k] for r in runs)
                   for k in ("fill_s", "paste_s", "readback_s")}
            rate = args.chars / (med["paste_s"] + med["readback_s"])
            exact = sum(r["exact"] for r in runs)
            confirmed = sum(r["readback_ok"] for r in runs)
            print(f"{kind:>8}: fill {med['fill_s']:.2f} s, long field paste {med['paste_s']:.2f} s "
                  f"+ read-back {med['readback_s']:.2f} s = {rate:,.0f} chars/s; exact "
                  f"{exact}/{len(runs)}, read-back confirmed {confirmed}/{len(runs)} "
                  f"(fills {[round(r['fill_s'], 2) for r in runs]})", flush=True)
            summary.update({f"fill_s_{kind}": round(med["fill_s"], 3),
                            f"paste_s_{kind}": round(med["paste_s"], 3),
                            f"readback_s_{kind}": round(med["readback_s"], 3),
                            f"chars_per_s_{kind}": round(rate),
                            f"exact_{kind}": exact, f"readback_ok_{kind}": confirmed})
    finally:
        if session is not None:
            session.stop()
    print(json.dumps(summary, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
