"""Case files leave nothing behind and are private: a write killed half-way leaves a
temporary file holding the whole case; the next write into that folder removes it.
Files are 0600, folders made for them 0700."""
from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.cases import case_from_values, load_case, save_case
from app.errors import CaseFileError
from app.files import STALE_TEMP_S, sweep_stale_temp_files, write_text_atomically

ROOT = Path(__file__).resolve().parent.parent

# A writer that is killed (SIGKILL) after its temporary file is on disk, before the rename.
_KILLED_WRITER = """
import os, sys, time
import app.files
def hang(src, dst):
    print("WRITTEN", flush=True)
    time.sleep(60)
app.files.os.replace = hang
from app.cases import case_from_values, save_case
save_case(case_from_values({"applicant_name": "张伟", "id_number": "11010519491231002X"},
                           "pb", {"kind": "manual"}), sys.argv[1])
"""


def _mode(p: Path) -> int:
    return stat.S_IMODE(p.stat().st_mode)


def _age(p: Path, seconds: float) -> None:
    t = time.time() - seconds
    os.utime(p, (t, t))


def _killed_write(path: Path) -> Path:
    """Run a real save_case in another process and kill it mid-write; the temp file left."""
    proc = subprocess.Popen([sys.executable, "-c", _KILLED_WRITER, str(path)], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert proc.stdout.readline().strip() == "WRITTEN"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    left = [p for p in path.parent.iterdir() if p.name != path.name]
    assert len(left) == 1 and left[0].name.startswith(f".{path.name}.") and left[0].suffix == ".tmp"
    assert "11010519491231002X" in left[0].read_text(encoding="utf-8")   # a whole case, in clear
    return left[0]


def test_a_killed_write_leaves_a_temp_file_that_the_next_write_removes(tmp_path):
    cases = tmp_path / "cases"
    left = _killed_write(cases / "a.json")
    assert _mode(left) == 0o600
    save_case(case_from_values({"applicant_name": "李四"}, "pb", {"kind": "manual"}), cases / "b.json")
    assert left.exists()                        # younger than a minute: maybe a write under way
    _age(left, STALE_TEMP_S + 5)
    save_case(case_from_values({"applicant_name": "王五"}, "pb", {"kind": "manual"}), cases / "c.json")
    assert sorted(p.name for p in cases.iterdir()) == ["b.json", "c.json"]


def test_only_our_own_stale_temp_files_are_swept(tmp_path):
    keep = [".notes.txt", ".a.json.tmp", "a.json.abcdefgh.tmp", ".a.json.ABCDEFGH.tmp",
            ".a.json.abcdefghi.tmp", "report.tmp"]
    for name in keep:
        (tmp_path / name).write_text("x")
    (tmp_path / ".sub.json.abcdefgh.tmp").mkdir()          # a folder of that name: not ours
    ours = tmp_path / ".a.json.k2_9xq0z.tmp"
    fresh = tmp_path / ".b.json.00000000.tmp"
    ours.write_text("{}")
    fresh.write_text("{}")
    for p in tmp_path.iterdir():
        _age(p, 3600)
    _age(fresh, 10)
    assert sweep_stale_temp_files(tmp_path) == [ours]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [*keep, ".sub.json.abcdefgh.tmp", fresh.name])
    assert sweep_stale_temp_files(tmp_path / "missing") == []


def test_case_files_are_0600_in_folders_made_0700(tmp_path):
    old = os.umask(0o022)
    try:
        path = tmp_path / "data" / "deskhand" / "cases" / "c.json"
        save_case(case_from_values({"applicant_name": "张伟"}, "pb", {"kind": "manual"}), path)
    finally:
        os.umask(old)
    assert _mode(path) == 0o600
    for d in (tmp_path / "data", tmp_path / "data" / "deskhand", path.parent):
        assert _mode(d) == 0o700, d
    assert load_case(path).fields["applicant_name"].value == "张伟"


def test_an_existing_folder_keeps_its_mode(tmp_path):
    os.chmod(tmp_path, 0o755)
    write_text_atomically(tmp_path / "x.json", "{}")
    assert _mode(tmp_path) == 0o755 and _mode(tmp_path / "x.json") == 0o600


def test_a_failed_write_leaves_no_temp_file(tmp_path):
    target = tmp_path / "c.json"
    target.mkdir()                                   # rename over a folder fails
    with pytest.raises(CaseFileError, match="Could not save the case file"):
        save_case(case_from_values({"applicant_name": "张伟"}, "pb", {"kind": "manual"}), target)
    assert [p.name for p in tmp_path.iterdir()] == ["c.json"]
