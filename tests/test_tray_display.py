"""`deskhand` (the tray) without a usable display says so in one sentence and exits 3,
instead of Qt aborting the process (exit 134) with an xcb message."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.ui.app import display_problem

ROOT = Path(__file__).resolve().parent.parent


def _free_display() -> str:
    """A display number nobody serves here."""
    n = next(n for n in range(917, 999) if not Path(f"/tmp/.X11-unix/X{n}").exists()
             and not Path(f"/tmp/.X{n}-lock").exists())
    return f":{n}"


def _tray(env_overrides: dict[str, str | None], *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env.update({k: v for k, v in env_overrides.items() if v is not None})
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run([sys.executable, "-m", "app.cli", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("args", [(), ("tray",)])
def test_no_display_is_one_sentence_and_exit_3(args):
    r = _tray({}, *args)
    assert r.returncode == 3, r.stderr
    assert r.stderr.strip().count("\n") == 0 and "There is no display here" in r.stderr
    assert "xcb" not in r.stderr and "Traceback" not in r.stderr


def test_a_display_that_does_not_answer_is_named(tmp_path):
    display = _free_display()
    r = _tray({"DISPLAY": display})
    assert r.returncode == 3, r.stderr
    assert r.stderr.strip().count("\n") == 0
    assert f"The X display {display} does not answer" in r.stderr


def test_which_environments_count_as_a_display():
    assert display_problem({}, "win32") is None
    assert display_problem({"WAYLAND_DISPLAY": "wayland-0"}, "linux") is None
    assert display_problem({"QT_QPA_PLATFORM": "offscreen"}, "linux") is None
    assert "no display" in display_problem({}, "linux")
    assert "does not answer" in display_problem({"DISPLAY": _free_display()}, "linux")
