"""The harness for tests on real toolkits: one private desktop with accessibility on, and
the approval form (app/sandbox/toolkits/spec.py) started in any toolkit by name.

    with ToolkitDesktop(tmp_dir) as desk:            # Xvfb + openbox + session bus + AT-SPI bus
        form = desk.launch("java")                   # a targets.Target: title, pid, state()
        form.state()["fields"]["applicant_name"]     # the form's own report, over loopback
        desk.atspi_tree(form)                        # what the form shows in the AT-SPI tree
        desk.deskhand("fill", playbook, ...)         # the command line, on this display
        form.close()                                 # ends this form's processes, by group

Fixtures: `toolkit_desktop` (module scope) and `require_toolkit(name)`, which skips with
the sentence `launch.missing_for` gives when a toolkit is not installed — and fails
instead on CI (CI=true), where installer/dev.sh has installed them all, so that a machine
set up without them cannot pass by skipping. Everything is started here or through the
XSession, by its own process group, and ended by it: nothing else on the machine is touched.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from app.sandbox.targets import Target
from app.sandbox.toolkits import a11y_bus
from app.sandbox.toolkits.launch import SYSTEM_PYTHON, launch_form, missing_for
from app.sandbox.xsession import XSession, missing_binaries

ROOT = Path(__file__).resolve().parent.parent
PLAYBOOKS = ROOT / "tests" / "fixtures" / "playbooks" / "toolkits"


def on_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def require(why: str | None) -> None:
    """Skip (fail on CI) with `why` when it is not None."""
    if why is None:
        return
    message = why + " (bash installer/dev.sh test installs it)"
    if on_ci():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def require_desktop() -> None:
    missing = missing_binaries(("Xvfb", "openbox", "xdotool")) + a11y_bus.missing_tools()
    require(f"the toolkit forms need {', '.join(missing)}" if missing else None)


def require_toolkit(toolkit: str) -> None:
    require(missing_for(toolkit))


def require_atspi_reader() -> None:
    ok = os.access(SYSTEM_PYTHON, os.X_OK) and subprocess.run(
        [SYSTEM_PYTHON, "-c", "import pyatspi"], capture_output=True, timeout=30).returncode == 0
    require(None if ok else "reading the AT-SPI tree needs Debian's python3-pyatspi and "
                            "gir1.2-atspi-2.0")


class ToolkitDesktop:
    """XSession + AccessibilityBus, the forms launched on it, and tools to judge them."""

    def __init__(self, work_dir: Path | str | None = None) -> None:
        self._own_dir = work_dir is None
        # short: the session bus's socket lives here (a Unix socket path is ≤ 108 bytes)
        self.dir = Path(work_dir or tempfile.mkdtemp(prefix="dh-toolkits-"))
        self.session = XSession()
        self.bus: a11y_bus.AccessibilityBus | None = None
        self.forms: list[Target] = []

    def __enter__(self) -> "ToolkitDesktop":
        try:
            self.session.start()
            self.bus = a11y_bus.AccessibilityBus(self.session, self.dir / "run").start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        for form in reversed(self.forms):
            form.close()
        self.forms.clear()
        self.session.stop()
        if self._own_dir:
            shutil.rmtree(self.dir, ignore_errors=True)

    def env(self) -> dict[str, str]:
        assert self.bus is not None
        return self.bus.env()

    def launch(self, toolkit: str, timeout: float = 60.0, *, bridge: bool = True,
               password: bool = False, spec: str = "approval") -> Target:
        """Start `toolkit`'s form; it reports focus in 姓名 when this returns. Its
        `launch_seconds` is the time from the start to that report. `bridge` False: the
        Swing form without its ATK bridge (no tree); `password` with a password box; `spec`
        another form (company, tax, social: app/sandbox/toolkits/company_forms.py)."""
        form = launch_form(self.session, toolkit, env=self.env(), work_dir=self.dir / "cache",
                           timeout=timeout, bridge=bridge, password=password,
                           spec=spec)
        self.forms.append(form)
        return form

    def atspi_tree(self, form: Target, timeout: float = 60.0) -> dict:
        """What `form` shows in the AT-SPI tree (app/sandbox/toolkits/atspi_tree.py)."""
        env = self.env()
        env["PYTHONPATH"] = str(ROOT)
        r = subprocess.run([SYSTEM_PYTHON, "-m", "app.sandbox.toolkits.atspi_tree",
                            "--pid", str(form.pid), "--title", form.title],
                           env=env, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout)

    def deskhand(self, *args: str, timeout: float = 120.0) -> subprocess.CompletedProcess:
        """`deskhand ARGS` on this display (XDG folders and TMPDIR: pytest's, conftest.py)."""
        return subprocess.run([sys.executable, "-m", "app.cli", *args], env=self.session.env(),
                              capture_output=True, text=True, timeout=timeout, cwd=ROOT)


@pytest.fixture(scope="module")
def toolkit_desktop():
    require_desktop()
    with ToolkitDesktop() as desk:
        yield desk
