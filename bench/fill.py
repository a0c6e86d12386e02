"""Benchmark: fill a 20-field form (~300 characters, Chinese and ASCII mixed) into the
sample Qt client and the Chromium web form, for Deskhand's default method and for
`xdotool type` (default 12 ms delay) and `pyautogui.write` as references; then
focus-steal trials counting characters that reached the wrong window.

    python bench/fill.py [--runs 5] [--trials 50] [--display :N] [--toolkit-runs 20]
                         [--label-click-runs 5] [--skip-toolkits]

Then (issue 12) the toolkit forms of app/sandbox/toolkits/ (GTK, Tk, Java Swing, Qt,
Chromium, Firefox ESR) filled by label (bench/fill_toolkits.py), the keystroke way alone
(bench/fill_keys.py) and a form with label clicks (bench/fill_label_clicks.py), each
judged by the form's own state.

Starts its own private X display (Xvfb + openbox) unless --display is given.
The last line printed is one JSON object with the figures.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from app.cases import case_from_values  # noqa: E402
from app.errors import FillError  # noqa: E402
from app.fill.engine import FillEngine, FillOptions  # noqa: E402
from app.sandbox.targets import launch_decoy, launch_qt_client, launch_web_form  # noqa: E402
from app.sandbox.xsession import XSession  # noqa: E402
from playbooks.loader import load_playbook_text  # noqa: E402

# The extended sample form's 20 fields in tab order, with one applicant's data.
CASE: list[tuple[str, str]] = [
    ("applicant_name", "欧阳晓明"),
    ("gender", "女"),
    ("ethnicity", "汉族"),
    ("birth_date", "1985-11-12"),
    ("id_number", "350823198511120026"),
    ("phone", "13805971234"),
    ("address", "福建省龙岩市新罗区西陂街道龙腾中路１６８号（龙岩大厦）A座1203室"),
    ("employer", "龙岩市新罗区人力资源和社会保障局"),
    ("credit_code", "91350802MA2Y8XKQ3W"),
    ("matter", "不动产登记"),
    ("postcode", "364000"),
    ("email", "ouyang.xm@longyan.gov.cn"),
    ("contact_name", "李建国"),
    ("contact_phone", "0597-2234567"),
    ("household_address", "福建省龙岩市永定区凤城街道东门路88号"),
    ("property_address", "龙岩市新罗区北城街道华莲路136号3幢2单元501室"),
    ("contract_no", "LYFC-2026-0012345"),
    ("bank_name", "中国建设银行龙岩分行营业部"),
    ("bank_account", "6217001930012345678"),
    ("remarks", "已提交购房合同、发票及身份证复印件；docs OK, 待复核。"),
]
CHOICES = {"gender": {"男": ["space"], "女": ["right"]},
           "matter": {"公积金提取": ["home", "down"], "道路运输从业资格证": ["home", "down", "down"],
                      "企业设立登记": ["home", "down", "down", "down"],
                      "不动产登记": ["home", "down", "down", "down", "down"]}}
XDOTOOL_KEYS = {"right": "Right", "home": "Home", "down": "Down"}
TITLES = {"qt": "城市审批系统 - 受理登记*", "chromium": "城市审批系统（网页版）*"}


def playbook_yaml(title: str, method: str = "auto") -> str:
    lines = ["deskhand: 1", "id: bench-20", "name: 基准测试（20 项）", f'target: {{title: "{title}"}}',
             "fields:"]
    for name, _ in CASE:
        if name in CHOICES:
            lines.append(f"  - {{name: {name}, type: choice, choices: [{', '.join(CHOICES[name])}]}}")
        else:
            lines.append(f"  - {{name: {name}}}")
    lines.append("fill:")
    for i, (name, _) in enumerate(CASE):
        if name in CHOICES:
            opts = ", ".join(f"{v}: [{', '.join(k)}]" for v, k in CHOICES[name].items())
            lines.append(f"  - choose: {{field: {name}, options: {{{opts}}}}}")
        else:
            lines.append(f"  - type: {{field: {name}, method: {method}}}")
        if i < len(CASE) - 1:
            lines.append("  - key: tab")
    return "\n".join(lines) + "\n"


def fields_ok(target) -> int:
    want = dict(CASE)
    try:
        got = target.wait_state(lambda s: s["fields"] == want, 2.0)["fields"]
    except TimeoutError:
        got = target.state()["fields"]
        bad = {k: got.get(k) for k, v in want.items() if got.get(k) != v}
        print(f"  {target.name}: fields not as meant: {json.dumps(bad, ensure_ascii=False)}",
              flush=True)
    return sum(got.get(k) == v for k, v in want.items())


RECOVERY: list[float] = []   # seconds the desktop needed before a window could be focused


def ready(target) -> None:
    target.reset(timeout=180)
    # After `xdotool type` every X client, the window manager included, re-reads the
    # keymap once per remapped character: focusing a window can take many seconds.
    t0 = time.perf_counter()
    target.activate(timeout=180)
    RECOVERY.append(time.perf_counter() - t0)
    target.wait_state(lambda s: s.get("focused") == "applicant_name" and not any(s["fields"].values()), 5)


def run_deskhand(target, playbook) -> tuple[float, int, int]:
    from app.desktop.x11 import X11Desktop
    ready(target)
    desktop = X11Desktop(os.environ["DISPLAY"])
    try:
        t0 = time.perf_counter()
        report = FillEngine(desktop, FillOptions(wait_focus_s=3)).fill(
            playbook, case_from_values(dict(CASE), "bench-20", {"kind": "bench"}))
        elapsed = time.perf_counter() - t0
    finally:
        desktop.close()
    return elapsed, fields_ok(target), report.readback_ok


def run_xdotool(session, target) -> tuple[float, int]:
    ready(target)
    t0 = time.perf_counter()
    for i, (name, value) in enumerate(CASE):
        if name in CHOICES:
            session.xdotool("key", *(XDOTOOL_KEYS.get(k, k) for k in CHOICES[name][value]))
        else:
            session.xdotool("type", "--", value)          # default --delay 12 ms
        if i < len(CASE) - 1:
            session.xdotool("key", "Tab")
    elapsed = time.perf_counter() - t0
    return elapsed, fields_ok(target)


def run_pyautogui(target) -> tuple[float, int]:
    import pyautogui  # imported late: it connects to $DISPLAY on import
    ready(target)
    t0 = time.perf_counter()
    for i, (name, value) in enumerate(CASE):
        if name in CHOICES:
            for k in CHOICES[name][value]:
                pyautogui.press(k)
        else:
            pyautogui.write(value)                         # default PAUSE 0.1 s per call
        if i < len(CASE) - 1:
            pyautogui.press("tab")
    elapsed = time.perf_counter() - t0
    return elapsed, fields_ok(target)


def steal_trial(session, target, decoy, playbook, rng: random.Random, window_s: float) -> tuple[int, bool]:
    """Fill, and activate the decoy at a random moment. Returns (keys the decoy got, stopped)."""
    from app.desktop.x11 import X11Desktop
    ready(target)
    decoy.reset()
    target.activate()
    outcome: list[str] = []
    desktop = X11Desktop(os.environ["DISPLAY"])

    def fill() -> None:
        try:
            FillEngine(desktop, FillOptions(wait_focus_s=3)).fill(
                playbook, case_from_values(dict(CASE), "bench-20", {"kind": "bench"}))
            outcome.append("done")
        except FillError as exc:
            outcome.append(type(exc).__name__)

    th = threading.Thread(target=fill)
    th.start()
    time.sleep(rng.uniform(0.0, window_s))
    session.activate(decoy.window_id)
    th.join(30)
    desktop.close()
    time.sleep(0.2)   # let any stray key reach the decoy and be reported
    return int(decoy.state()["count"]), outcome[:1] == ["FocusLostError"]


def toolkit_figures(args) -> dict:
    """Issue 12's figures, each from its own bench on its own display: every toolkit form
    filled by label (`fields_ok_<toolkit>`, `confirmed_<toolkit>` as shares of the fields,
    `s_<toolkit>`, `false_confirmations`), the keystroke way alone (Tk, Java), and the
    15-field form with 5 label clicks (`label_click_form_s`), and the Qt and Chromium forms
    with 20 fields (`s20_qt`, `s20_chromium`, `fields_ok20_*`, `confirmed20_*`). The 20-field Tab fill's own
    `fields_ok_qt` / `fields_ok_chromium` counts above become `tab_fill_fields_ok_*`."""
    import fill_keys
    import fill_label_clicks
    import fill_toolkits
    out: dict = {}
    toolkits = fill_toolkits.run(runs=args.toolkit_runs, verbose=True)
    print(f"toolkit forms by label: {json.dumps(toolkits, ensure_ascii=False)}", flush=True)
    keys = fill_keys.run(runs=args.toolkit_runs)
    print(f"keystroke fills: {json.dumps(keys, ensure_ascii=False)}", flush=True)
    clicks = fill_label_clicks.run(runs=args.label_click_runs)
    print(f"label clicks: {json.dumps(clicks, ensure_ascii=False)}", flush=True)
    twenty = twenty_fields(args.toolkit_runs)
    print(f"20-field forms by label: {json.dumps(twenty, ensure_ascii=False)}", flush=True)
    out.update({f"keys_{k}" if k == "false_confirmations" else k: v for k, v in keys.items()})
    out.update(clicks)
    out.update(toolkits)
    for tk in ("qt", "chromium"):      # the "20 fields through the tree" figures
        for k in ("s", "fields_ok", "confirmed"):
            if f"{k}_{tk}" in twenty:
                out[f"{k}20_{tk}"] = twenty[f"{k}_{tk}"]
    out["false_confirmations"] = toolkits.get("false_confirmations", 0) + \
        keys.get("false_confirmations", 0) + twenty.get("false_confirmations", 0)
    return out


def twenty_fields(runs: int) -> dict:
    """The Qt and Chromium forms with 5 more text boxes (20 fields set by label), in a
    process of their own: the forms read $DESKHAND_FORM_EXTRA_FIELDS when they start."""
    import subprocess
    env = dict(os.environ, DESKHAND_FORM_EXTRA_FIELDS="5")
    r = subprocess.run([sys.executable, str(ROOT / "bench" / "fill_toolkits.py"), "--runs",
                        str(runs), "--toolkits", "qt,chromium"], env=env, capture_output=True,
                       text=True)
    lines = [ln for ln in r.stdout.splitlines() if ln.startswith("{")]
    return json.loads(lines[-1]) if lines else {"error": r.stderr.strip()[-300:]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--trials", type=int, default=50, help="focus-steal trials (split over both targets)")
    ap.add_argument("--display", help="use this X display instead of a private one")
    ap.add_argument("--toolkit-runs", type=int, default=20,
                    help="fills per toolkit form (bench/fill_toolkits.py, bench/fill_keys.py)")
    ap.add_argument("--label-click-runs", type=int, default=5)
    ap.add_argument("--skip-toolkits", action="store_true",
                    help="only the 20-field Qt/Chromium figures")
    args = ap.parse_args()
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()}", flush=True)
    chars = sum(len(v) for k, v in CASE if k not in CHOICES)
    print(f"form: {len(CASE)} fields, {chars} characters typed", flush=True)

    session = None if args.display else XSession().start()
    os.environ["DISPLAY"] = args.display or session.display
    results: dict = {}
    try:
        targets = {"qt": launch_qt_client(session, form="extended"),
                   "chromium": launch_web_form(session, form="extended")}
        decoy = launch_decoy(session)
        playbooks = {kind: load_playbook_text(playbook_yaml(TITLES[kind]), f"bench-{kind}.yaml")
                     for kind in targets}
        # Deskhand first, then the focus-steal trials, then the references: `xdotool
        # type` remaps a keycode twice per Chinese character and every X client
        # re-reads the keymap each time, which leaves Chromium busy for many seconds.
        for kind, target in targets.items():
            # Every character as a keystroke (spare keycodes for Chinese): what `auto`
            # is measured against when it pastes the fields the layout cannot type.
            forced = load_playbook_text(playbook_yaml(TITLES[kind], "keys"), "bench-keys.yaml")
            keys = [run_deskhand(target, forced) for _ in range(args.runs)]
            results[kind] = {"keys_s": statistics.median(x[0] for x in keys),
                             "keys_fields_ok": min(x[1] for x in keys)}
            print(f"{kind:>8}: deskhand method=keys median {results[kind]['keys_s']:.3f} s, "
                  f"fields right {[x[1] for x in keys]}/20", flush=True)
            runs = [run_deskhand(target, playbooks[kind]) for _ in range(args.runs)]
            results[kind].update({"deskhand_s": statistics.median(x[0] for x in runs),
                                  "deskhand_fields_ok": min(x[1] for x in runs),
                                  "deskhand_readback_ok": min(x[2] for x in runs)})
            print(f"{kind:>8}: deskhand median {results[kind]['deskhand_s']:.3f} s over "
                  f"{args.runs} runs ({[round(x[0], 3) for x in runs]}), fields right "
                  f"{[x[1] for x in runs]}/20, confirmed by read-back {[x[2] for x in runs]}/20",
                  flush=True)
        rng = random.Random(20261125)
        wrong = stopped = 0
        kinds = list(targets)
        for i in range(args.trials):
            kind = kinds[i % len(kinds)]
            got, was_stopped = steal_trial(session, targets[kind], decoy, playbooks[kind], rng,
                                           results[kind]["deskhand_s"] * 0.9)
            wrong += got
            stopped += was_stopped
        print(f"focus-steal trials: {args.trials}, stopped mid-fill: {stopped}, "
              f"keys into the wrong window: {wrong}", flush=True)
        for kind in ("chromium", "qt"):
            pag = [run_pyautogui(targets[kind]) for _ in range(max(1, args.runs // 2))]
            results[kind]["pyautogui_s"] = statistics.median(x[0] for x in pag)
            results[kind]["pyautogui_fields_ok"] = min(x[1] for x in pag)
        for kind in ("chromium", "qt"):
            if kind == "qt":
                # Chromium's xdotool runs left Qt with a backlog of keymap reloads:
                # measure xdotool on a fresh client, as a clerk would start it.
                targets["chromium"].close()
            xdo = []
            for _ in range(args.runs):
                xdo.append(run_xdotool(session, targets[kind]))
                print(f"  xdotool run into {kind}: {xdo[-1][0]:.2f} s, {xdo[-1][1]}/20 right; "
                      f"focusing the target took {RECOVERY[-1]:.1f} s", flush=True)
            results[kind]["xdotool_s"] = statistics.median(x[0] for x in xdo)
            results[kind]["xdotool_fields_ok"] = min(x[1] for x in xdo)
        for kind, r in results.items():
            print(f"{kind:>8}: deskhand {r['deskhand_s']:.3f} s ({r['deskhand_fields_ok']}/20) · "
                  f"xdotool type {r['xdotool_s']:.3f} s ({r['xdotool_fields_ok']}/20) · "
                  f"pyautogui.write {r['pyautogui_s']:.3f} s ({r['pyautogui_fields_ok']}/20)",
                  flush=True)
    finally:
        if session is not None:
            session.stop()
    q, c = results["qt"], results["chromium"]
    summary = {
        "form_s_chromium": round(c["deskhand_s"], 3), "form_s_qt": round(q["deskhand_s"], 3),
        "tab_fill_fields_ok_chromium": c["deskhand_fields_ok"],
        "tab_fill_fields_ok_qt": q["deskhand_fields_ok"],
        "readback_ok_chromium": c["deskhand_readback_ok"], "readback_ok_qt": q["deskhand_readback_ok"],
        "fields_total": len(CASE), "chars_total": chars,
        "keys_method_s_chromium": round(c["keys_s"], 3), "keys_method_s_qt": round(q["keys_s"], 3),
        "keys_method_fields_ok_chromium": c["keys_fields_ok"],
        "keys_method_fields_ok_qt": q["keys_fields_ok"],
        "xdotool_s_chromium": round(c["xdotool_s"], 3), "xdotool_s_qt": round(q["xdotool_s"], 3),
        "xdotool_fields_ok_chromium": c["xdotool_fields_ok"], "xdotool_fields_ok_qt": q["xdotool_fields_ok"],
        "pyautogui_s_chromium": round(c["pyautogui_s"], 3), "pyautogui_s_qt": round(q["pyautogui_s"], 3),
        "pyautogui_fields_ok_chromium": c["pyautogui_fields_ok"],
        "pyautogui_fields_ok_qt": q["pyautogui_fields_ok"],
        "speedup_vs_xdotool": round(min(c["xdotool_s"] / c["deskhand_s"], q["xdotool_s"] / q["deskhand_s"]), 2),
        "xdotool_max_refocus_s": round(max(RECOVERY), 1),
        "focus_trials": args.trials, "focus_trials_stopped": stopped, "wrong_window_chars": wrong,
        "runs": args.runs,
    }
    if not args.skip_toolkits:
        summary.update(toolkit_figures(args))
    summary["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(summary, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
