"""Benchmark: the clerk's tray on a private Xvfb + openbox + trayer session.

- startup_s: launch (`deskhand tray`) to the icon embedded in the tray, median of --starts;
- idle_rss_mb: the tray process after it has settled, before any capture (the OCR model
  loads on the first capture, not at start); the warm fill worker is reported apart;
- hotkey_to_first_key_ms: Ctrl+Alt+V pressed (XTEST, from here) to the first character in
  the sample Qt client, median of --fills, for a case already captured and confirmed.

    python bench/tray.py [--starts 5] [--fills 10]

The last line printed is one JSON object with the figures.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))   # the private Secret Service helper

from app.registry.reference import DEMO_CREDENTIAL, write_reference_settings  # noqa: E402
from app.sandbox.registry_service.process import RegistryServer  # noqa: E402
from app.sandbox.people import make_person  # noqa: E402
from app.sandbox.sources import render_portal_page, show_image_argv  # noqa: E402
from app.sandbox.targets import launch_qt_client  # noqa: E402
from app.sandbox.xsession import XSession  # noqa: E402
from app.ui.app import send_command, wait_for_status  # noqa: E402
from secret_service import SecretService  # noqa: E402


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(x) for x in out.split()]


def wait_status(env: dict, pred, timeout: float) -> dict:
    return wait_for_status(pred, timeout, "the tray", env=env, interval=0.01)


def press(display, combo: tuple[str, ...]) -> None:
    """Press and release a combination through XTEST (as a keyboard would)."""
    from Xlib import XK, X
    from Xlib.ext import xtest
    codes = [display.keysym_to_keycode(XK.string_to_keysym(k)) for k in combo]
    for c in codes:
        xtest.fake_input(display, X.KeyPress, c)
    for c in reversed(codes):
        xtest.fake_input(display, X.KeyRelease, c)
    display.sync()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--starts", type=int, default=5)
    ap.add_argument("--fills", type=int, default=10)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="deskhand-bench-tray-"))
    secret = "bench-secret"
    with XSession() as session, RegistryServer(tmp / "registry", secret=secret, people=50) as registry, \
            SecretService(tmp / "keyring") as keyring:
        env = session.env({**keyring.overlay, "XDG_RUNTIME_DIR": str(tmp / "run"),
                           "XDG_CONFIG_HOME": str(tmp / "config"), "XDG_DATA_HOME": str(tmp / "data"),
                           "XDG_STATE_HOME": str(tmp / "state"), "XDG_CACHE_HOME": str(tmp / "cache")})
        subprocess.run([sys.executable, "-m", "app.cli", "vault", "set", DEMO_CREDENTIAL], input=secret + "\n",
                       env=env, cwd=ROOT, check=True, capture_output=True, text=True)
        trayer = session.spawn(["trayer", "--edge", "top", "--align", "right", "--widthtype",
                                "request", "--height", "24", "--transparent", "false"], env=env)
        settings = write_reference_settings(tmp / "registries.yaml", registry.url)
        argv = [sys.executable, "-m", "app.cli", "tray", "--registries", str(settings),
                "--playbook", "portal-to-qt-intake"]

        startups = []
        for _ in range(args.starts):
            t0 = time.perf_counter()
            proc = session.spawn(argv, env=env, cwd=str(ROOT))
            wait_status(env, lambda s: s.get("tray_visible") and s["tray_geometry"][2] > 0, 20)
            startups.append(time.perf_counter() - t0)
            send_command({"cmd": "quit"}, 3.0, env)
            proc.wait(10)

        proc = session.spawn(argv, env=env, cwd=str(ROOT))
        wait_status(env, lambda s: s.get("tray_visible"), 20)
        time.sleep(3.0)                                  # settle, fill worker started
        idle = rss_mb(proc.pid)
        worker = sum(rss_mb(p) for p in children(proc.pid))

        person = make_person(5)
        page = render_portal_page(person, seed=5)
        page.image.save(tmp / "portal.png")
        viewer = session.spawn(show_image_argv(str(tmp / "portal.png"), "e龙岩 - 办件详情"),
                               env=env, cwd=str(ROOT), stdout=subprocess.DEVNULL)
        session.wait_window("e龙岩*", 20)
        client = launch_qt_client(session)
        from Xlib.display import Display
        d = Display(session.display)
        t0 = time.perf_counter()
        press(d, ("Control_L", "Alt_L", "c"))
        st = wait_status(env, lambda s: s.get("review_open") or s.get("last_error"), 120)
        capture_s = round(time.perf_counter() - t0, 2)     # the first: includes the OCR model load
        if st.get("last_error"):
            raise SystemExit(f"capture failed: {st['last_error']}")
        press(d, ("Return",))
        wait_status(env, lambda s: s.get("confirmed"), 10)
        after_capture = rss_mb(proc.pid)
        latencies = []
        for _ in range(args.fills):
            client.reset()
            client.activate()
            client.wait_state(lambda s: s.get("focused") == "applicant_name", 5)
            before = send_command({"cmd": "status"}, 2.0, env)["fills"]
            t0 = time.perf_counter()
            press(d, ("Control_L", "Alt_L", "v"))
            client.wait_state(lambda s: bool(s["fields"].get("applicant_name")), 10, interval=0.002)
            latencies.append((time.perf_counter() - t0) * 1000)
            wait_status(env, lambda s: s.get("fills", 0) > before and not s.get("busy"), 30)
            time.sleep(0.35)                             # the hotkey's repeat filter is 300 ms
        last = send_command({"cmd": "status"}, 2.0, env)["last_fill"]
        send_command({"cmd": "quit"}, 3.0, env)
        proc.wait(10)
        client.close()
        session.end(viewer)
        session.end(trayer)
    result = {
        "startup_s": round(statistics.median(startups), 3),
        "startup_s_max": round(max(startups), 3),
        "idle_rss_mb": round(idle, 1),
        "fill_worker_rss_mb": round(worker, 1),
        "rss_after_capture_mb": round(after_capture, 1),
        "hotkey_to_first_key_ms": round(statistics.median(latencies), 1),
        "hotkey_to_first_key_ms_max": round(max(latencies), 1),
        "last_fill": last.get("outcome") if last else None,
        "starts": args.starts, "fills": args.fills, "capture_s": capture_s,
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
