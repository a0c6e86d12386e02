"""`deskhand demo`: a new user's first run of the whole thing.

It starts the reference registry on loopback, opens a citizen-portal page (the source)
and the sample approval client, loads the sample playbooks, starts the tray and shows a
short guide: press Ctrl+Alt+C on the portal, check the review, press Ctrl+Alt+V in the
client.

With a display it is interactive. Without one (or with --autopilot) it runs on a private
virtual display and plays the clerk itself — capture hotkey, review, fill hotkey — and
saves screenshots (the tray menu, the review, the filled client) into --screenshots
(default: ./deskhand-demo); installer/screenshots.py uses that for docs/.
The demo's registry secret lives in memory only, and its audit log (in its own folder) is
chained without a key: nothing is written to the keyring.
Everything else it writes (the case, the tray's settings and log, the registry's
database, temporary files) goes to a folder of its own, removed at the end unless
--keep: the clerk's real cases, settings and logs are never touched.
"""
from __future__ import annotations

import argparse
import os
import secrets as pysecrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Callable, TextIO

from app.errors import DesktopError

__all__ = ["run_demo", "add_arguments", "DEMO_SEED", "PORTAL_TITLE"]

DEMO_SEED = 5                    # the applicant on the demo's portal page
PORTAL_TITLE = "e龙岩 - 办件详情"
PLAYBOOK = "portal-to-qt-intake"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--autopilot", action="store_true",
                   help="play the clerk (hotkeys, review, fill) and quit; the default without a display")
    p.add_argument("--private", action="store_true",
                   help="use a private virtual display even when DISPLAY is set")
    p.add_argument("--screenshots", metavar="DIR", help="save screenshots here (autopilot)")
    p.add_argument("--seed", type=int, default=DEMO_SEED, help="which generated applicant")
    p.add_argument("--keep", action="store_true",
                   help="keep the demo's folder (its case file, log, registry data) and say where")


# The tray's single-instance socket lives in XDG_RUNTIME_DIR; a Unix socket path holds
# at most 107 bytes, and the socket's own name takes about 30 of them.
_RUNTIME_DIR_MAX = 70


def _use_own_folders(work: Path) -> list[Path]:
    """Point this process and its children at `work` for data, settings, cache, state,
    runtime and temporary files (XDG base directories, TMPDIR). Returns folders made
    outside `work`, to be removed as well."""
    folders = {"XDG_DATA_HOME": "data", "XDG_CONFIG_HOME": "config", "XDG_CACHE_HOME": "cache",
               "XDG_STATE_HOME": "state", "XDG_RUNTIME_DIR": "run", "TMPDIR": "tmp"}
    for var, name in folders.items():
        (work / name).mkdir(mode=0o700, exist_ok=True)
        os.environ[var] = str(work / name)
    outside = []
    if len(os.fsencode(work / "run")) > _RUNTIME_DIR_MAX:    # a deep TMPDIR (tests)
        outside.append(Path(tempfile.mkdtemp(prefix="deskhand-run-", dir="/tmp")))
        os.environ["XDG_RUNTIME_DIR"] = str(outside[-1])
    tempfile.tempdir = str(work / "tmp")     # gettempdir() has cached the old one
    return outside


def run_demo(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if sys.platform.startswith("win"):
        raise DesktopError("The demo runs on Linux (X11) for now; on Windows start the tray "
                           "with `deskhand` and the sample client with `python -m app.sandbox.sample_client`.")
    from app.audit.log import KEYLESS_ENV
    from app.registry.reference import DEMO_CREDENTIAL, write_reference_settings
    from app.sandbox.registry_service.process import RegistryServer
    from app.sandbox.people import make_person
    from app.sandbox.sources import render_portal_page, show_image_argv
    from app.sandbox.targets import launch_qt_client
    from app.sandbox.xsession import XSession

    private = bool(getattr(args, "private", False)) or not os.environ.get("DISPLAY")
    autopilot = bool(getattr(args, "autopilot", False)) or private
    shots = Path(getattr(args, "screenshots", None) or "deskhand-demo").resolve()
    seed = getattr(args, "seed", DEMO_SEED)
    work = Path(tempfile.mkdtemp(prefix="deskhand-demo-"))
    keep = bool(getattr(args, "keep", False))
    procs: list[Callable[[], None]] = []
    session: Any = None
    try:
        outside = _use_own_folders(work)
        # its audit log is its own, removed with its folder: no key made in the keyring
        os.environ[KEYLESS_ENV] = "1"
        procs.append(lambda: [shutil.rmtree(d, ignore_errors=True) for d in outside])
        if private:
            session = XSession().start()
            procs.append(session.stop)
            print(f"No display in use: running on the private display {session.display}; "
                  "the demo plays itself and saves screenshots.", file=err)
        else:
            session = XSession.attach(os.environ["DISPLAY"])
        env = session.env()
        os.environ["DISPLAY"] = session.display
        if private:
            tray_host = session.spawn(["trayer", "--edge", "top", "--align", "right",
                                       "--widthtype", "request", "--height", "24",
                                       "--transparent", "false"], env=env)
            procs.append(lambda: session.end(tray_host))

        secret = pysecrets.token_hex(16)
        registry = RegistryServer(work / "registry", secret=secret, people=200).start()
        procs.append(registry.stop)
        settings_file = write_reference_settings(work / "registries.yaml", registry.url)
        print(f"Reference registry on {registry.url}", file=err)

        person = make_person(seed)
        page = render_portal_page(person, seed=seed)
        png = work / "portal.png"
        page.image.save(png)
        viewer = session.spawn(show_image_argv(str(png), PORTAL_TITLE), env=env,
                               cwd=str(Path(__file__).resolve().parents[2]),
                               stdout=subprocess.DEVNULL)   # its READY line is for tests
        procs.append(lambda: session.end(viewer))
        session.wait_window(PORTAL_TITLE.split(" ")[0] + "*", 20)
        client = launch_qt_client(session)
        procs.append(client.close)

        from app.ui.app import TrayOptions, run_tray
        result: dict[str, Any] = {}

        def ready(tray: Any) -> None:
            from app.ui.guide import DemoGuide
            keys = getattr(tray.settings, "hotkeys", {}) or {}
            tray.guide = DemoGuide(keys.get("capture", "Ctrl+Alt+C"), keys.get("fill", "Ctrl+Alt+V"))
            screen = tray.guide.screen().availableGeometry()
            tray.guide.move(screen.left() + 40, screen.bottom() - tray.guide.height() - 80)
            tray.guide.show()
            if autopilot:
                threading.Thread(target=_autopilot, args=(session, env, client, shots, result, out),
                                 name="deskhand-demo-autopilot", daemon=True).start()

        code = run_tray(TrayOptions(registries=str(settings_file),
                                    secrets=lambda name: secret if name == DEMO_CREDENTIAL else "",
                                    playbook=PLAYBOOK, on_ready=ready))
        if autopilot:
            ok = result.get("ok", False)
            print(result.get("summary", "The demo did not finish."), file=out)
            return 0 if ok and code == 0 else 3
        return code
    finally:
        for stop in reversed(procs):
            try:
                stop()
            except Exception:  # clean-up of what we started; keep going
                pass
        if keep:
            print(f"The demo's case file, log and registry data are kept in {work}.", file=err)
        else:
            shutil.rmtree(work, ignore_errors=True)


def _autopilot(session: Any, env: dict[str, str], client: Any, shots: Path,
               result: dict[str, Any], out: TextIO) -> None:
    """Press what a clerk presses; record what happened; quit the tray at the end."""
    from app.ui.app import send_command, wait_for_status

    def wait(pred: Callable[[dict[str, Any]], Any], timeout: float, what: str) -> dict[str, Any]:
        return wait_for_status(pred, timeout, what, env=env, interval=0.1)

    try:
        shots.mkdir(parents=True, exist_ok=True)
        wait(lambda s: s.get("tray_visible"), 10, "the tray icon")
        send_command({"cmd": "show"}, 3.0, env)          # the tray menu, for the picture
        time.sleep(0.6)
        session.screenshot(str(shots / "tray-menu.png"))
        session.xdotool("key", "Escape")
        session.activate(session.wait_window("e龙岩*", 5))
        session.xdotool("key", "ctrl+alt+c")
        st = wait(lambda s: s.get("review_open") or s.get("last_error"), 60, "the review")
        if st.get("last_error"):
            raise RuntimeError(st["last_error"])
        # 办理事项 is not on the portal page: the clerk picks it from its list (the first)
        x, y, w, h = st["review_fields"]["matter"]
        session.xdotool("mousemove", str(x + 10), str(y + h // 2))
        session.xdotool("click", "1")
        session.xdotool("key", "Down")
        wait(lambda s: s.get("review_statuses", {}).get("matter") == "ok", 10, "办理事项 chosen")
        time.sleep(0.8)
        session.screenshot(str(shots / "review.png"))
        session.xdotool("key", "Return")                  # all ok: Enter fills the case in
        st = wait(lambda s: s.get("confirmed") or not s.get("review_open"), 10, "the confirmation")
        if not st.get("confirmed"):                       # a field needs a look: confirm it
            session.xdotool("key", "alt+k", "Return")
            wait(lambda s: s.get("confirmed"), 10, "the confirmation")
        client.reset()
        client.activate()
        client.wait_state(lambda s: s.get("focused") == "applicant_name", 5)
        session.xdotool("key", "ctrl+alt+v")
        st = wait(lambda s: s.get("last_fill") is not None and not s.get("busy"), 60, "the fill")
        time.sleep(0.8)
        session.screenshot(str(shots / "demo.png"))
        fill = st["last_fill"]
        result["ok"] = fill.get("outcome") == "done" and not fill.get("differs")
        result["summary"] = (f"Demo: captured the portal page, reviewed it and filled the approval "
                             f"client: {fill.get('outcome')}, {fill.get('readback_ok')} "
                             f"fields read back ok, differing: {fill.get('differs') or 'none'}. "
                             f"Screenshots in {shots}.")
    except Exception as exc:  # reported as the demo's result, then the tray quits
        result["ok"] = False
        result["summary"] = f"The demo stopped: {exc}"
    finally:
        if send_command({"cmd": "quit"}, 3.0, env) is None:   # its socket failed: quit directly
            from PySide6.QtCore import QCoreApplication, QMetaObject, Qt
            QMetaObject.invokeMethod(QCoreApplication.instance(), "quit",
                                     Qt.ConnectionType.QueuedConnection)
