"""Regenerate the screenshots in docs/ (the tray menu, the review dialog, the demo after a
fill) by running `deskhand demo --autopilot` on a private virtual display.

    python installer/screenshots.py [--out docs]
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
    args = ap.parse_args()
    out = Path(args.out)
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


if __name__ == "__main__":
    sys.exit(main())
