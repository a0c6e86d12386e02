"""Benchmark: a 15-field form with 5 clicks next to labels found by OCR, filled end to end.

The approval form of app/sandbox/toolkits/ in Qt (15 fields: text boxes, a radio group,
a drop-down, a checkbox) with the playbook tests/fixtures/playbooks/label-clicks-qt.yaml:
Tab between most fields, a click 150 px right of the label 住址, 邮政编码, 工作单位,
电子邮箱 and 备注 before five of them. On its own Xvfb + openbox.

- label_click_form_s: one fill (focus in 姓名 → last field read back), median of --runs;
  the OCR model is loaded before (the tray keeps it loaded; its first load is
  ocr_load_s), and each fill starts with nothing kept of the window;
- label_click_full_ocr / label_click_part_ocr: whole-window and neighbourhood OCR reads
  per fill (the most over the runs);
- label_click_fields_ok: fields the form holds as meant, the fewest over the runs (of 15).

    python bench/fill_label_clicks.py [--runs 5]

bench/fill.py calls `run()`. The last line printed is one JSON object with the figures;
the load average is printed before it (the machine may be shared).
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
from playbooks.loader import load_playbook  # noqa: E402

PLAYBOOK = ROOT / "tests" / "fixtures" / "playbooks" / "label-clicks-qt.yaml"
VALUES = {
    "applicant_name": "欧阳晓明", "gender": "女", "ethnicity": "汉族", "birth_date": "1985-11-12",
    "id_number": "350823198511120026", "phone": "13805971234", "marital_status": "已婚",
    "spouse_name": "李建国",
    "address": "福建省龙岩市新罗区西陂街道龙腾中路１６８号（龙岩大厦）A座1203室",
    "employer": "龙岩市新罗区人力资源和社会保障局", "credit_code": "91350802MA2Y8XKQ3W",
    "postcode": "364000", "email": "ouyang.xm@longyan.gov.cn",
    "remarks": "已提交购房合同、发票及身份证复印件；docs OK, 待复核。", "verified": "是",
}
# What the form reports holding once filled (the checkbox is a bool).
EXPECTED = {**VALUES, "verified": True}


def fields_ok(state: dict) -> int:
    return sum(state["fields"].get(k) == v for k, v in EXPECTED.items())


def fill_with_reads(display: str, screen, playbook, values: dict, progress=None) -> dict:
    """One in-process fill of the focused form, starting with nothing kept of the window:
    its seconds, whole-window and neighbourhood OCR reads, and report."""
    from app.desktop.x11 import X11Desktop
    from app.fill.engine import FillEngine, FillOptions
    screen.forget()
    full, part = screen.full_reads, screen.part_reads
    desktop = X11Desktop(display)
    try:
        engine = FillEngine(desktop, FillOptions(wait_focus_s=3), progress=progress,
                            screen_text=lambda: screen)
        t0 = time.perf_counter()
        report = engine.fill(playbook, case_from_values(dict(values), "bench", {"kind": "bench"}))
        seconds = time.perf_counter() - t0
    finally:
        desktop.close()
    return {"s": seconds, "full": screen.full_reads - full, "part": screen.part_reads - part,
            "report": report}


def fill_once(session, form, screen) -> dict:
    """One fill of the cleared 15-field form; fill_with_reads's figures, fields as meant
    (ok) and the form's state."""
    form.reset()
    form.activate()
    form.wait_state(lambda s: s.get("focused") == "applicant_name", 5)
    done = fill_with_reads(session.display, screen, load_playbook(PLAYBOOK), VALUES)
    try:
        state = form.wait_state(lambda s: fields_ok(s) == len(EXPECTED), 2.0)
    except TimeoutError:
        state = form.state()
    return {**done, "ok": fields_ok(state), "state": state}


def run(runs: int = 5, display: str | None = None) -> dict:
    """The figures above; on its own X display unless `display` is given."""
    from app.capture.screen import ScreenGrabber
    from app.fill.anchors import OcrScreenText
    from app.ocr import open_engine
    from app.sandbox.toolkits.launch import launch_form
    from app.sandbox.xsession import XSession
    session = XSession.attach(display) if display else XSession().start()
    try:
        form = launch_form(session, "qt")
        try:
            screen = OcrScreenText(open_engine(), ScreenGrabber(display=session.display))
            t0 = time.perf_counter()
            screen.engine.read(ScreenGrabber(display=session.display).grab(0, 0, 64, 32))
            load_s = time.perf_counter() - t0
            fills = [fill_once(session, form, screen) for _ in range(runs)]
        finally:
            form.close()
    finally:
        if not display:
            session.stop()
    return {"label_click_form_s": round(statistics.median(f["s"] for f in fills), 3),
            "label_click_form_max_s": round(max(f["s"] for f in fills), 3),
            "label_click_full_ocr": max(f["full"] for f in fills),
            "label_click_part_ocr": max(f["part"] for f in fills),
            "label_click_fields_ok": min(f["ok"] for f in fills),
            "label_click_runs": runs, "ocr_load_s": round(load_s, 3)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--display", help="use this X display instead of a private one")
    args = ap.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    figures = run(args.runs, args.display)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    print(json.dumps(figures, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
