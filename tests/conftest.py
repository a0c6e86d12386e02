"""Shared test set-up, kept tiny on purpose.

In-process Qt tests (pytest-qt's qapp/qtbot) run on Qt's offscreen platform. It is given
on QApplication's command line, which wins over QT_QPA_PLATFORM, instead of being set in
os.environ: the subprocesses other tests start on a private X display (sample clients,
the tray) inherit os.environ and must keep their own platform. Tests that need xcb run
in a subprocess (DESIGN.md §5: the platform is chosen once per process).
"""
import pytest


@pytest.fixture(scope="session")
def qapp_args() -> list[str]:
    return ["deskhand-tests", "-platform", "offscreen"]
