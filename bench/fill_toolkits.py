"""Benchmark: the set-step playbook (app/sandbox/toolkits/set_playbook.py: every field of the
approval form addressed by its label, then 提交) filled with the hard values of
tests/test_toolkit_forms.py into the form in each toolkit, on a private Xvfb + openbox with
the AT-SPI bus on (tests/toolkit_targets.py): through the accessibility tree where the
toolkit shows it, by a click beside each label (found by OCR) and keys where it does not (Tk).

Per toolkit (gtk, tk, java, qt, chromium, firefox), over `runs` fills:
- fields_ok_<toolkit>: share of fields the form itself holds as meant (its GET /state);
- confirmed_<toolkit>: share of fields Deskhand reported read back ok;
- s_<toolkit>: median seconds of one fill (the engine's elapsed time, read-backs included;
  set_s_per_field_<toolkit>: the same per field set);
- false_confirmations: fields reported read back ok that the form does not hold, over all.
A toolkit that is not installed is named under `missing`, one that did not start in time
under `not_started`.

    python bench/fill_toolkits.py [--runs 20] [--toolkits qt,chromium]

bench/fill.py calls `run()`. The last line printed is one JSON object; the machine's load
average is printed first and kept in it (`load`).
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
sys.path.insert(0, str(ROOT / "tests"))   # the harness and the hard values

from app.sandbox.toolkits import spec  # noqa: E402

TOOLKITS = ("gtk", "tk", "java", "qt", "chromium", "firefox")
# Tk by keys: the check box is clicked on its own words (its widget is as wide as they are)


def _fill_once(form, engine_for, playbook, case_values, want) -> dict:
    from app.cases import case_from_values
    from app.errors import DeskhandError
    form.reset()
    form.activate()
    form.wait_state(lambda s: s.get("active"), 10)
    engine = engine_for()
    try:
        report = engine.fill(playbook, case_from_values(case_values, "bench", {}))
        error = None
    except DeskhandError as exc:
        report, error = engine.last_report, exc.message
    try:
        state = form.wait_state(lambda s: s["status"] == spec.SUBMITTED_STATUS, 5)
    except TimeoutError:
        state = form.state()
    held = state["fields"]
    results = report.results if report else []
    ok = [n for n in want if held.get(n) == want[n]]
    confirmed = [r.field for r in results if r.status == "readback_ok"]
    false = [r.field for r in results if r.status == "readback_ok" and held.get(r.field) != want[r.field]]
    sets = sum(1 for r in results if r.status != "not_applicable")
    return {"s": report.elapsed_s if report else 0.0, "ok": len(ok), "confirmed": len(confirmed),
            "false": false, "fields": len(want), "sets": max(sets, 1), "error": error,
            "wrong": {n: held.get(n) for n in want if held.get(n) != want[n]},
            "methods": sorted({r.method for r in results if r.method}),
            "unconfirmed": {r.field: (r.status, r.method, r.readback) for r in results
                            if r.status != "readback_ok"}}


def run(runs: int = 20, toolkits: tuple[str, ...] = TOOLKITS, verbose: bool = False) -> dict:
    from app.a11y.atspi import AtSpiAccessibility
    from app.a11y.atspi_bus import AtspiBus
    from app.desktop.x11 import X11Desktop
    from app.fill.anchors import ocr_screen_text_factory
    from app.fill.engine import FillEngine, FillOptions
    from app.sandbox.toolkits.launch import missing_for
    from app.sandbox.toolkits.set_playbook import set_playbook
    from test_toolkit_forms import CASE, expected_fields
    from toolkit_targets import ToolkitDesktop

    case = dict(CASE, **{f.name: f"附加{i}·Ｎｏ.{i}-彧𠀾" for i, f in enumerate(spec.EXTRA, 1)})
    want = {n: v for n, v in expected_fields().items() if n in case}
    want.update({f.name: case[f.name] for f in spec.EXTRA})
    out: dict = {"runs": runs, "fields": len(want), "false_confirmations": 0, "missing": []}
    with ToolkitDesktop() as desk:
        x11 = X11Desktop(desk.session.display)
        backend = AtSpiAccessibility(AtspiBus.open(desk.env()))
        screen = ocr_screen_text_factory(desk.session.display)   # for the keys way only
        try:
            for toolkit in toolkits:
                if missing_for(toolkit):
                    out["missing"].append(toolkit)
                    continue
                try:
                    form = desk.launch(toolkit)
                except Exception as exc:      # a slow start on a loaded machine: the rest go on
                    out.setdefault("not_started", {})[toolkit] = str(exc).splitlines()[0]
                    continue
                playbook = set_playbook()   # one playbook for every toolkit

                def engine_for() -> FillEngine:
                    return FillEngine(x11, FillOptions(wait_focus_s=5, abort_keys=None,
                                                       failsafe=False),
                                      accessibility=backend, screen_text=screen)
                try:
                    done = [_fill_once(form, engine_for, playbook, case, want)
                            for _ in range(runs)]
                finally:
                    form.close()
                total = sum(d["fields"] for d in done)
                out[f"fields_ok_{toolkit}"] = round(sum(d["ok"] for d in done) / total, 4)
                out[f"confirmed_{toolkit}"] = round(sum(d["confirmed"] for d in done) / total, 4)
                out[f"s_{toolkit}"] = round(statistics.median(d["s"] for d in done), 3)
                out[f"set_s_per_field_{toolkit}"] = round(
                    statistics.median(d["s"] / d["sets"] for d in done), 4)
                out[f"methods_{toolkit}"] = sorted({m for d in done for m in d["methods"]})
                out["false_confirmations"] += sum(len(d["false"]) for d in done)
                if verbose:
                    wrong = [d["wrong"] for d in done if d["wrong"]]
                    errors = [d["error"] for d in done if d["error"]]
                    unconfirmed = [d["unconfirmed"] for d in done if d["unconfirmed"]]
                    print(f"  {toolkit}: {json.dumps({'wrong': wrong[:2], 'errors': errors[:2], 'unconfirmed': unconfirmed[:1]}, ensure_ascii=False)}",
                          file=sys.stderr)
        finally:
            backend.close()
            x11.close()
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--toolkits", default=",".join(TOOLKITS))
    ap.add_argument("--extra-fields", type=int, default=0,
                    help="add this many text boxes to every form (5: the 20-field form)")
    args = ap.parse_args()
    if args.extra_fields and not spec.EXTRA:
        # the forms read it at import, in their own processes: run again with it set
        import subprocess
        env = dict(os.environ, DESKHAND_FORM_EXTRA_FIELDS=str(args.extra_fields))
        return subprocess.run([sys.executable, *sys.argv], env=env).returncode
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (2 cores)", flush=True)
    t0 = time.monotonic()
    result = run(args.runs, tuple(t for t in args.toolkits.split(",") if t), verbose=True)
    result["load"] = [round(x, 2) for x in os.getloadavg()]
    result["bench_s"] = round(time.monotonic() - t0, 1)
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
