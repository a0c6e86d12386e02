"""`deskhand --version`: the version from source, and a packaged build's parts (the package
itself is run in tests/test_deb_package.py)."""
from __future__ import annotations

import io
import json
import subprocess
import sys
import tomllib
from pathlib import Path

from app.cli import main
from app.version import VERSION, version_text

ROOT = Path(__file__).resolve().parent.parent


def test_version_from_source_is_one_line_and_exit_0() -> None:
    out = io.StringIO()
    assert main(["--version"], out=out) == 0
    assert out.getvalue() == f"deskhand {VERSION}\n"
    r = subprocess.run([sys.executable, "-m", "app.cli", "--version"], cwd=ROOT,
                       capture_output=True, text=True, timeout=60)
    assert (r.returncode, r.stdout) == (0, f"deskhand {VERSION}\n")


def test_a_subcommand_option_named_version_is_not_the_programs(tmp_path: Path) -> None:
    """`pack build --version 1.0` is the pack's version: it builds the pack, it does not
    print Deskhand's."""
    out, err = io.StringIO(), io.StringIO()
    code = main(["pack", "build", str(ROOT / "playbooks" / "library" / "company-setup"),
                 "-o", str(tmp_path / "p.zip"), "--version", "1.0"], out=out, err=err)
    assert code == 0, err.getvalue()
    assert (tmp_path / "p.zip").is_file() and f"deskhand {VERSION}" not in out.getvalue()


def test_frozen_version_adds_the_build_info_written_at_build_time(tmp_path: Path) -> None:
    (tmp_path / "build_info.json").write_text(json.dumps(
        {"python": "3.11.7", "qt": "PySide6 6.11.3"}), encoding="utf-8")
    assert version_text(frozen=True, root=tmp_path) == (
        f"deskhand {VERSION}\npython: 3.11.7\nqt: PySide6 6.11.3")
    # a bundle without the file still answers its version
    assert version_text(frozen=True, root=tmp_path / "none") == f"deskhand {VERSION}"


def test_the_distribution_takes_its_version_from_app_version() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "app.version.VERSION"}
