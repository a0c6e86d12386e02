"""Shared test set-up, kept tiny on purpose.

In-process Qt tests (pytest-qt's qapp/qtbot) run on Qt's offscreen platform. It is given
on QApplication's command line, which wins over QT_QPA_PLATFORM, instead of being set in
os.environ: the subprocesses other tests start on a private X display (sample clients,
the tray) inherit os.environ and must keep their own platform. Tests that need xcb run
in a subprocess (DESIGN.md §5: the platform is chosen once per process).

Sentences are compared in English, whatever the machine's locale: the core's language
(app/i18n.py) is English in every test, and $DESKHAND_LANG=en for the programs tests
start. A test of Chinese output sets it itself (tests/test_i18n.py).

Nothing the suite writes may land in the real home or stay in /tmp (case files hold ID
numbers): for the whole run the XDG base directories and TMPDIR point into pytest's own
temporary folder, and at the end the run fails if a `deskhand*` entry was left in that
TMPDIR or appeared in the system's temporary folder, or if a log it wrote holds an ID number
in clear (tests/log_scan.py).
"""
from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest

os.environ["DESKHAND_LANG"] = "en"

XDG_HOMES = ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME")
# tempfile's random part (8 of [a-z0-9_]) at the end of the name, before an extension:
# with TMPDIR redirected, such names in the system folder come from other processes.
_RANDOM_TAIL = re.compile(r"[a-z0-9_]{8}(\.[a-z]+)?$")


@pytest.fixture(autouse=True)
def _english_sentences():
    """English before every test, whatever an earlier test switched to (a tray or settings
    test switches the windows', and so the core's, language)."""
    from app.i18n import set_language
    set_language("en")
    yield


@pytest.fixture(scope="session")
def qapp_args() -> list[str]:
    return ["deskhand-tests", "-platform", "offscreen"]


def _ours(folder: Path) -> set[str]:
    try:
        return {p.name for p in folder.iterdir() if p.name.startswith("deskhand")}
    except OSError:
        return set()


def left_behind(system_tmp: Path, before: set[str], private_tmp: Path) -> list[str]:
    """What this run left: any deskhand* entry in its own TMPDIR, and new deskhand* entries
    in the system's temporary folder except those named like another process's tempfile."""
    found = [str(private_tmp / n) for n in sorted(_ours(private_tmp))]
    found += [str(system_tmp / n) for n in sorted(_ours(system_tmp) - before)
              if not _RANDOM_TAIL.search(n)]
    return found


@pytest.fixture(scope="session", autouse=True)
def private_home(tmp_path_factory: pytest.TempPathFactory):
    """XDG_DATA_HOME, XDG_CONFIG_HOME, XDG_CACHE_HOME, XDG_STATE_HOME and TMPDIR point into
    pytest's temporary folder for the whole run (subprocesses inherit them). Tests that
    need their own (the Secret Service, the tray) still set theirs on top."""
    base = tmp_path_factory.mktemp("home")          # fixes pytest's basetemp before TMPDIR moves
    system_tmp = Path(tempfile.gettempdir())
    before = _ours(system_tmp) | _ours(Path("/tmp"))
    mp = pytest.MonkeyPatch()
    for var in XDG_HOMES:
        d = base / var.lower()
        d.mkdir(mode=0o700)
        mp.setenv(var, str(d))
    private_tmp = base / "tmp"
    private_tmp.mkdir(mode=0o700)
    mp.setenv("TMPDIR", str(private_tmp))
    # packs IT installed on this machine (/var/lib/deskhand/packs) are not the suite's
    mp.setenv("DESKHAND_SYSTEM_PACKS", str(base / "system-packs"))
    preset = base / "preset.yaml"             # nor its IT preset (/etc/deskhand/preset.yaml)
    preset.write_text("settings: {}\n", encoding="utf-8")
    mp.setenv("DESKHAND_PRESET", str(preset))
    mp.setattr(tempfile, "tempdir", str(private_tmp))   # gettempdir() caches its first answer
    try:
        yield base
    finally:
        mp.undo()
    found = sorted(set(left_behind(system_tmp, before, private_tmp)
                       + left_behind(Path("/tmp"), before, private_tmp)))
    if found:
        pytest.fail("The test run left these behind (remove them, and find what made them):\n  "
                    + "\n  ".join(found), pytrace=False)
    from tests.log_scan import scan_logs   # every log this run wrote: no ID number in clear
    clear = scan_logs(tmp_path_factory.getbasetemp())
    if clear:
        pytest.fail("ID numbers in clear in these logs (mask them with app.privacy):\n  "
                    + "\n  ".join(clear[:50]), pytrace=False)
