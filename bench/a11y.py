"""Benchmark: the accessibility path on the 20-field sample form in Qt and in Chromium —
read the form (fields and labels), set all 20 fields (18 text boxes, a radio, a combo item),
read every one back from the tree — and the same in the program's own state. Then the
transport: the same Qt work through Debian's pyatspi (libatspi over GObject introspection,
run by the system's python3 where it has pyatspi) against Deskhand's direct D-Bus client.

    python bench/a11y.py [--runs 5]

Starts its own Xvfb + openbox and a private session bus with at-spi-bus-launcher. Prints
the load average it ran at (2 cores shared: figures move with load). The last line is one
JSON object.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.a11y.atspi import AtSpiAccessibility  # noqa: E402
from app.a11y.atspi_bus import AtspiBus  # noqa: E402
from app.a11y.base import find_field, find_radio  # noqa: E402
from app.a11y.keys import DesktopKeys  # noqa: E402
from app.desktop.x11 import X11Desktop  # noqa: E402
from app.sandbox.sample_client import fields_for  # noqa: E402
from app.sandbox.targets import launch_qt_client, launch_web_form  # noqa: E402
from app.sandbox.toolkits.a11y_bus import AccessibilityBus  # noqa: E402
from app.sandbox.xsession import XSession  # noqa: E402

# 18 text boxes of the extended form: rare characters (one beyond the BMP), full-width
# punctuation, mixed scripts
TEXTS = {
    "applicant_name": "欧阳赟彧", "ethnicity": "维吾尔族", "birth_date": "1985-11-12",
    "id_number": "350823198511120026", "phone": "13805971234",
    "address": "福建省龙岩市新罗区龙腾中路１６８号（龙岩大厦）A座1203室",
    "employer": "龙岩市𠀾字号 Trading Co.，Ltd.", "credit_code": "91350802MA2Y8XKQ3W",
    "postcode": "３６４０００", "email": "ouyang.xm+测试@longyan.gov.cn", "contact_name": "李建国",
    "contact_phone": "0597-2234567", "household_address": "福建省龙岩市永定区凤城街道东门路88号",
    "property_address": "龙岩市新罗区华莲路136号3幢2单元501室", "contract_no": "LYFC-2026-0012345",
    "bank_name": "中国建设银行龙岩分行营业部", "bank_account": "6217001930012345678",
    "remarks": "已提交购房合同、发票及身份证复印件；docs OK，待复核！",
}
GENDER, MATTER = "女", "不动产登记"
LABELS = {name: label for name, label in fields_for("extended")}

PYATSPI_SCRIPT = r'''
import json, sys, time
import pyatspi
pid, values = int(sys.argv[1]), json.loads(sys.argv[2])
t0 = time.perf_counter()
app = next(a for a in pyatspi.Registry.getDesktop(0) if a is not None and a.get_process_id() == pid)
frame = app.getChildAtIndex(0)
col = frame.queryCollection()
rule = col.createMatchRule(pyatspi.StateSet(pyatspi.STATE_VISIBLE), col.MATCH_ALL, {}, col.MATCH_ALL,
                           [pyatspi.ROLE_TEXT], col.MATCH_ANY, [], col.MATCH_ALL, False)
boxes = col.getMatches(rule, col.SORT_ORDER_CANONICAL, 0, True)
labels = {}
for b in boxes:
    rel = [r for r in b.getRelationSet() if r.getRelationType() == pyatspi.RELATION_LABELLED_BY]
    names = [r.getTarget(i).name for r in rel for i in range(r.getNTargets())
             if r.getTarget(i).getRole() == pyatspi.ROLE_LABEL]
    labels[(names or [b.name])[0].strip(" *：:")] = b
t1 = time.perf_counter()
times = []
for _ in range(5):
    t = time.perf_counter()
    for label, value in values.items():
        labels[label].queryEditableText().setTextContents(value)
    ok = sum(labels[l].queryText().getText(0, -1) == v for l, v in values.items())
    times.append(time.perf_counter() - t)
print(json.dumps({"read_form_s": t1 - t0, "set_read_s": sorted(times)[2], "ok": ok,
                  "boxes": len(boxes)}))
'''


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


class TimedKeys(DesktopKeys):
    """Keys that count the time the desktop spends sending them."""

    spent = 0.0
    paste_quiet_s = 0.06     # the desktop's own quiet spell after a paste (x11.py)

    def type_text(self, text: str) -> None:
        t = time.perf_counter()
        super().type_text(text)
        if self.method == "paste":
            # Chromium reads the clipboard with its UI thread waiting for the answer: serve
            # it until it has done (a quiet spell), or its tree stops answering meanwhile
            self.desktop.sel.settle(quiet=self.paste_quiet_s, timeout=1.0)
            self.desktop._paste_pending = False
        self.spent += time.perf_counter() - t

    def press(self, keys: str) -> None:
        t = time.perf_counter()
        super().press(keys)
        self.spent += time.perf_counter() - t


def fill_once(a11y, desktop, target, window, method: str = "keys") -> dict:
    """One fill of the 20 fields; `method` "paste" puts each text box's value in by one
    paste (Chromium has no EditableText), the clerk's clipboard saved before and put back
    after, both inside the time."""
    target.reset()
    target.activate()
    target.wait_state(lambda s: s.get("focused") == "applicant_name", 5)
    keys = TimedKeys(desktop, window, method=method)
    t0 = time.perf_counter()
    saved = desktop.clipboard_save() if method == "paste" else None
    fields = a11y.fields(window, refresh=True)
    t1 = time.perf_counter()
    boxes = {name: find_field(fields, label) for name, label in LABELS.items()
             if name in TEXTS}
    methods = [a11y.set_text(window, boxes[n], v, keys=keys) for n, v in TEXTS.items()]
    read = {n: a11y.read_text(window, boxes[n]) for n in TEXTS}
    t_texts = time.perf_counter()
    a11y.select_radio(window, find_radio(fields, "性别", GENDER))
    matter = find_field(fields, "办理事项")
    a11y.choose(window, matter, MATTER, keys=keys)
    read["gender"] = a11y.read_choice(window, find_radio(fields, "性别", GENDER))
    read["matter"] = a11y.read_choice(window, matter)
    if saved is not None:
        desktop.clipboard_restore(saved)
    t2 = time.perf_counter()
    want = dict(TEXTS, gender=GENDER, matter=MATTER)
    try:
        state = target.wait_state(lambda s: all(s["fields"][n] == v for n, v in want.items()), 5)
    except TimeoutError:
        state = target.state()
    return {"read_form_s": t1 - t0, "set_read_s": t2 - t1, "total_s": t2 - t0,
            "texts_s": t_texts - t1, "typing_s": keys.spent,
            "tree_ok": sum(read[n] == v for n, v in want.items()),
            "app_ok": sum(state["fields"][n] == v for n, v in want.items()),
            "methods": sorted(set(methods)), "fields": len(fields)}


def keys_per_toolkit(toolkits: list[str], runs: int) -> dict:
    """The keys alone, per toolkit form (app/sandbox/toolkits/): the 18 text values, each
    typed by keys into 姓名 after a reset (not timed), as the fields of one fill; the time
    to send the keys, and until the form says it holds each value (its own state, polled
    over loopback every 5 ms). Median over `runs` fills; right = values held exactly,
    worst fill."""
    from tests.toolkit_targets import ToolkitDesktop
    from app.sandbox.toolkits.launch import missing_for
    out: dict = {}
    with ToolkitDesktop() as desk:
        for toolkit in toolkits:
            why = missing_for(toolkit)
            if why:
                print(f"keys {toolkit:<9} skipped: {why}")
                continue
            form = desk.launch(toolkit)
            desktop = X11Desktop(desk.session.display)
            window = next(w for w in desktop.list_windows() if w.id == form.window_id)
            sends, helds, rights = [], [], []
            for _run in range(runs):
                desktop.prepare(window)
                send = held = 0.0
                right = 0
                for value in TEXTS.values():
                    form.reset()
                    desktop.activate(window)       # returns once the X focus is inside it
                    form.wait_state(lambda s: s.get("focused") == "applicant_name", 10)
                    t = time.perf_counter()
                    desktop.type_text(value, window, method="keys")
                    send += time.perf_counter() - t
                    try:
                        form.wait_state(lambda s: s["fields"]["applicant_name"] == value, 5,
                                        interval=0.005)
                        right += 1
                    except TimeoutError:
                        pass
                    held += time.perf_counter() - t
                desktop.finish(window)
                sends.append(send)
                helds.append(held)
                rights.append(right)
            pinged = bool(desktop._pinger and desktop._pinger.answers(window.id))
            desktop.close()
            form.close()
            print(f"keys {toolkit:<9} 18 values ({sum(map(len, TEXTS.values()))} characters): "
                  f"sending {statistics.median(sends) * 1000:.0f} ms, held by the form "
                  f"{statistics.median(helds) * 1000:.0f} ms (median of {runs}); right "
                  f"{min(rights)}/18 (worst); answers pings: {pinged}; load {load()}")
            out.update({f"keys_send_18_s_{toolkit}": round(statistics.median(sends), 4),
                        f"keys_held_18_s_{toolkit}": round(statistics.median(helds), 4),
                        f"keys_ok_{toolkit}": min(rights)})
    return out


def raw_jeepney(bus: AtspiBus, fields: list) -> tuple[float, float]:
    """The bare protocol for the 18 boxes, as pyatspi is measured: SetTextContents then
    GetText for each, one round trip at a time, and the same pipelined (two batches).
    Median of 5 each."""
    from app.a11y.atspi_bus import Call
    boxes = {LABELS[n]: find_field(fields, LABELS[n]).node for n in TEXTS}
    values = {LABELS[n]: v for n, v in TEXTS.items()}
    one, batched = [], []
    for _run in range(5):
        t = time.perf_counter()
        for label, value in values.items():
            node = boxes[label]
            bus.call(node.app, node.path, "EditableText", "SetTextContents", "s", value)
        ok = sum(bus.call(boxes[label].app, boxes[label].path, "Text", "GetText", "ii", 0, -1) == v
                 for label, v in values.items())
        one.append(time.perf_counter() - t)
        assert ok == len(values)
        t = time.perf_counter()
        bus.many([Call(boxes[k].app, boxes[k].path, "EditableText", "SetTextContents", "s", (v,))
                  for k, v in values.items()])
        got = bus.many([Call(boxes[k].app, boxes[k].path, "Text", "GetText", "ii", (0, -1))
                        for k in values])
        batched.append(time.perf_counter() - t)
        assert got == list(values.values())
    return statistics.median(one), statistics.median(batched)


def pyatspi_python() -> str | None:
    python = shutil.which("python3", path="/usr/bin")
    if python and subprocess.run([python, "-c", "import pyatspi"], capture_output=True).returncode == 0:
        return python
    return None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--toolkits", default="chromium,firefox,qt,gtk,java,tk",
                    help="toolkit forms for the keys-only figures ('' for none)")
    args = ap.parse_args()
    print(f"load average before: {load()} ({os.cpu_count()} cores)")
    result: dict = {"runs": args.runs}
    with tempfile.TemporaryDirectory(prefix="a11y-bench-") as tmp, XSession() as session:
        bus = AccessibilityBus(session, Path(tmp)).start()      # ended with the session
        qt = launch_qt_client(session, form="extended", env=bus.env())
        web = launch_web_form(session, form="extended", env=bus.env(),
                              flags=("--force-renderer-accessibility",))
        desktop = X11Desktop(session.display)
        a11y = AtSpiAccessibility(AtspiBus.open({"DBUS_SESSION_BUS_ADDRESS": bus.address}))
        try:
            windows = {w.id: w for w in desktop.list_windows()}
            for name, target, method in (("qt", qt, "keys"), ("chromium", web, "keys"),
                                         ("chromium_paste", web, "paste")):
                window = windows[target.window_id]
                desktop.prepare(window)
                runs = [fill_once(a11y, desktop, target, window, method)
                        for _ in range(args.runs)]
                desktop.finish(window)
                med = {k: statistics.median(r[k] for r in runs)
                       for k in ("read_form_s", "set_read_s", "total_s", "texts_s", "typing_s")}
                worst = max(r["total_s"] for r in runs)
                ok = min(r["app_ok"] for r in runs), min(r["tree_ok"] for r in runs)
                print(f"{name:<14} fields {runs[0]['fields']}  read form {med['read_form_s'] * 1000:.0f} ms  "
                      f"set 20 + read back {med['set_read_s'] * 1000:.0f} ms  total {med['total_s'] * 1000:.0f} ms "
                      f"median, worst {worst * 1000:.0f} ms; right in the program {ok[0]}/20, in the tree "
                      f"{ok[1]}/20 (worst run); ways {runs[0]['methods']}; the 18 text boxes alone "
                      f"{med['texts_s'] * 1000:.0f} ms, of which sending keys "
                      f"{med['typing_s'] * 1000:.0f} ms")
                result.update({f"read_form_s_{name}": round(med["read_form_s"], 4),
                               f"set_read_20_s_{name}": round(med["set_read_s"], 4),
                               f"total_20_s_{name}": round(med["total_s"], 4),
                               f"texts_18_s_{name}": round(med["texts_s"], 4),
                               f"keys_s_{name}": round(med["typing_s"], 4),
                               f"worst_total_20_s_{name}": round(worst, 4),
                               f"app_ok_{name}": ok[0], f"tree_ok_{name}": ok[1]})
            qt_window = windows[qt.window_id]
            one, batched = raw_jeepney(a11y.bus, a11y.fields(qt_window, refresh=True))
            print(f"jeepney   (the bare protocol, Qt, set + read back 18): {one * 1000:.0f} ms one "
                  f"call at a time, {batched * 1000:.0f} ms in two batches (median of 5)")
            result.update({"jeepney_set_read_18_s_qt": round(one, 4),
                           "jeepney_batched_set_read_18_s_qt": round(batched, 4)})
            python = pyatspi_python()
            if python:
                qt.reset()
                values = {LABELS[n]: v for n, v in TEXTS.items()}
                env = bus.env()
                times = []
                for _run in range(args.runs):
                    qt.reset()
                    out = subprocess.run([python, "-c", PYATSPI_SCRIPT, str(qt.pid),
                                          json.dumps(values, ensure_ascii=False)],
                                         env=env, capture_output=True, text=True, timeout=60)
                    if out.returncode != 0:
                        print("pyatspi run failed:", out.stderr.strip().splitlines()[-1:])
                        break
                    times.append(json.loads(out.stdout.strip().splitlines()[-1]))
                if times:
                    f = statistics.median(t["read_form_s"] for t in times)
                    s = statistics.median(t["set_read_s"] for t in times)
                    print(f"pyatspi   (Debian python3, libatspi, Qt, set + read back {len(values)}): "
                          f"{s * 1000:.0f} ms one call at a time (median of 5 in each of {len(times)} "
                          f"processes); reading the text boxes and their labels {f * 1000:.0f} ms; "
                          f"right {min(t['ok'] for t in times)}/{len(values)}")
                    result.update({"pyatspi_read_form_s_qt": round(f, 4),
                                   "pyatspi_set_read_18_s_qt": round(s, 4)})
            else:
                print("pyatspi: the system python3 has no pyatspi (apt-get install python3-pyatspi); "
                      "transport comparison skipped")
        finally:
            a11y.close()
            desktop.close()
            web.close()
            qt.close()
    if args.toolkits:
        result.update(keys_per_toolkit(args.toolkits.split(","), args.runs))
    print(f"load average after: {load()}")
    result["load_avg"] = load()
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
