"""Regenerate the screenshots in docs/ (the tray menu, the review dialog, the demo after a
fill) by running `deskhand demo --autopilot` on a private virtual display; with
`--scenario`, the 企业开办 guide's (docs/company-setup.md): the three sample forms as
bench/scenario.py leaves them filled on its own private display, and two documents' first
pages.

    python installer/screenshots.py [--out docs] [--scenario]
"""
from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ("tray-menu.png", "review.png", "demo.png")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(ROOT / "docs"))
    ap.add_argument("--scenario", action="store_true",
                    help="the 企业开办 guide's screenshots instead (into OUT/company-setup)")
    args = ap.parse_args()
    out = Path(args.out)
    if args.scenario:
        return scenario_shots(out / "company-setup")
    r = subprocess.run([sys.executable, "-m", "app.cli", "demo", "--private", "--autopilot",
                        "--screenshots", str(out)], cwd=ROOT)
    missing = [s for s in SHOTS if not (out / s).exists()]
    if r.returncode != 0 or missing:
        print(f"The demo did not finish (exit {r.returncode}); missing: {missing}", file=sys.stderr)
        return 1
    from PIL import Image
    for name in SHOTS:   # half size keeps the repository small and the README readable
        img = Image.open(out / name)
        img.resize((img.width // 2, img.height // 2), Image.LANCZOS).save(out / name, optimize=True)
    print(f"Screenshots written: {', '.join(str(out / s) for s in SHOTS)}")
    return 0


def scenario_shots(out: Path) -> int:
    """The forms and documents of one quick run of bench/scenario.py, kept only when it
    judged every form and document right (it checks them by their own state and text)."""
    import shutil
    import tempfile
    with tempfile.TemporaryDirectory(prefix="deskhand-shots-") as tmp:
        r = subprocess.run([sys.executable, str(ROOT / "bench" / "scenario.py"), "--quick",
                            "--screenshots", tmp], cwd=ROOT)
        if r.returncode != 0:
            print(f"bench/scenario.py did not fill and render everything (exit {r.returncode}); "
                  f"no screenshot was written.", file=sys.stderr)
            return 1
        if (ROOT / "app" / "intake").is_dir():      # the 一张表单 (issue 14's intake part)
            intake_shot(Path(tmp) / "intake.png")
        out.mkdir(parents=True, exist_ok=True)
        shots = [Path(shutil.copy(p, out / p.name)) for p in sorted(Path(tmp).glob("*.png"))]
    print(f"Screenshots written: {', '.join(str(p) for p in shots)}")
    return 0


def intake_shot(path: Path) -> None:
    """`deskhand intake` on the pack's sample case, its dialog as it opens (every value
    with its status), on a private display started and ended here."""
    import tempfile
    import time
    from app.sandbox.xsession import XSession
    sys.path.insert(0, str(ROOT / "bench"))
    from scenario import PACK, SAMPLE_CASE, save_small
    with tempfile.TemporaryDirectory(prefix="deskhand-intake-") as tmp, XSession() as session:
        proc = session.spawn([sys.executable, "-m", "app.cli", "intake", str(PACK), "--case",
                              str(SAMPLE_CASE), "-o", str(Path(tmp) / "case.json")], cwd=ROOT)
        try:
            wid = session.wait_window("*一张表单*", timeout=60, pid=proc.pid)
            time.sleep(1.5)                       # its tables and chips drawn
            geo = dict(line.split("=") for line in session.xdotool(
                "getwindowgeometry", "--shell", str(wid)).split())
            x, y, w, h = (int(geo[k]) for k in ("X", "Y", "WIDTH", "HEIGHT"))
            save_small(session.screenshot().crop((x, y, x + w, y + h)), path)
        finally:
            session.end(proc)


if __name__ == "__main__":
    sys.exit(main())
