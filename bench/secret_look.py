"""What the recorder's look at a box without a tree (recorders/secret_look.py) tells, and how
long it takes, on the Tk form and the Swing form without its bridge (each with its password
box 经办人密码), on a private Xvfb.

    PYTHONPATH=$PWD .venv/bin/python bench/secret_look.py [--rounds N]

xdotool types a password, a Latin value, digits and a Chinese value into boxes of each form;
the window is pictured as the recorder does (at the first and the last character, and when
the box is left with Tab), and the look decides. Prints one line per box (what it decided,
how, the label it read, ms) and ends with one JSON line: `boxes`, `right`, `look_ms_median`,
`look_ms_max`, `grab_ms_median`.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))   # the harness

# (field, value, a password?) typed in this order
BOXES = (("operator_password", "Pw-7731xQ", True), ("remarks", "Ab12cd", False),
         ("operator_password", "0000", True), ("remarks", "13800138000", False),
         ("employer", "龙岩市祥和印务", False), ("operator_password", "kq#9", True))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    from app.capture.screen import ScreenGrabber
    from app.ocr import open_engine
    from recorders.secret_look import look_at_box
    from toolkit_targets import ToolkitDesktop

    engine = open_engine()

    def read_line(picture):
        line = engine.read_line(picture)
        return line.text if line is not None else None

    looks: list[float] = []
    grabs: list[float] = []
    right = total = 0
    with ToolkitDesktop() as desk:
        grabber = ScreenGrabber(display=desk.session.env()["DISPLAY"])
        x = desk.session.xdotool
        for kind in ("tk", "java"):
            form = desk.launch(kind, bridge=False, password=True)
            geo = x("getwindowgeometry", str(form.window_id))
            px, py = (int(v) for v in geo.split("Position: ")[1].split(" ")[0].split(","))
            w, h = (int(v) for v in geo.split("Geometry: ")[1].strip().split("x"))

            def grab():
                t = time.perf_counter()
                image = grabber.grab(px, py, w, h)
                grabs.append((time.perf_counter() - t) * 1000)
                return image
            for _ in range(args.rounds):
                for name, value, secret in BOXES:
                    form.reset()
                    form.activate()
                    for _tab in range(25):
                        if form.state()["focused"] == name:
                            break
                        x("key", "Tab")
                        time.sleep(0.2)
                    x("type", "--delay", "60", value[0])
                    time.sleep(0.1)
                    first = grab()
                    x("type", "--delay", "60", value[1:])
                    last = grab()
                    x("key", "Tab")
                    time.sleep(0.1)
                    after = grab()
                    t = time.perf_counter()
                    look = look_at_box(first, last, after, value, read_line)
                    ms = (time.perf_counter() - t) * 1000
                    looks.append(ms)
                    total += 1
                    right += look.secret == secret
                    print(f"{kind:5} {name:18} secret={look.secret!s:5} (is {secret!s:5}) "
                          f"by={look.by or '-':5} label={look.label!r} {ms:.0f} ms  {look.why}")
            form.close()
        grabber.close()
    print(json.dumps({"boxes": total, "right": right,
                      "look_ms_median": round(statistics.median(looks), 1),
                      "look_ms_max": round(max(looks), 1),
                      "grab_ms_median": round(statistics.median(grabs), 1)}))
    return 0 if right == total else 1


if __name__ == "__main__":
    sys.exit(main())
