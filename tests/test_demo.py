"""`deskhand demo` on a private display plays the clerk and leaves nothing behind: its case,
log, settings and temporary files go to a folder of its own, removed at the end (kept with
--keep); the XDG folders it was started with stay untouched."""
from __future__ import annotations

import os
import re
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.desktop


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_file.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat_file.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _end_tree(pid: int) -> None:
    for p in [pid, *_descendants(pid)]:
        try:
            os.kill(p, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def _run_demo(tmp_path: Path, *extra: str) -> tuple[subprocess.CompletedProcess, Path, Path]:
    home, tmp = tmp_path / "home", tmp_path / "tmp"
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        env[var] = str(home / var.lower())
        Path(env[var]).mkdir(parents=True)
    tmp.mkdir()
    env.update(TMPDIR=str(tmp), PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "app.cli", "demo", "--screenshots",
                             str(tmp_path / "shots"), *extra], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        _end_tree(proc.pid)          # the demo and what it started (each in its own session)
        out, err = proc.communicate()
        pytest.fail(f"The demo did not finish within 120 s:\n{out}\n{err}")
    r = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
    assert r.returncode == 0, r.stdout + r.stderr
    assert re.search(r"done, \d+ fields read back ok, differing: none", r.stdout), r.stdout
    assert sorted(os.listdir(tmp_path / "shots")) == ["demo.png", "review.png", "tray-menu.png"]
    assert _files(home) == []                     # the clerk's own folders: untouched
    return r, home, tmp


def test_the_demo_removes_its_folder(tmp_path):
    _, _, tmp = _run_demo(tmp_path)
    assert os.listdir(tmp) == []


def test_the_demo_keeps_its_folder_when_asked(tmp_path):
    r, _, tmp = _run_demo(tmp_path, "--keep")
    [work] = tmp.iterdir()
    assert work.name.startswith("deskhand-demo-") and str(work) in r.stderr
    [case] = (work / "data" / "deskhand" / "cases").iterdir()
    assert stat.S_IMODE(case.stat().st_mode) == 0o600
    assert stat.S_IMODE(case.parent.stat().st_mode) == 0o700
    assert (work / "state" / "deskhand" / "log" / "deskhand.log").is_file()
    assert list((work / "tmp").iterdir()) == []    # the sample targets' logs were removed
