"""Shared test set-up, kept tiny on purpose.

In-process Qt tests (pytest-qt's qapp/qtbot) run on Qt's offscreen platform. It is given
on QApplication's command line, which wins over QT_QPA_PLATFORM, instead of being set in
os.environ: the subprocesses other tests start on a private X display (sample clients,
the tray) inherit os.environ and must keep their own platform. Tests that need xcb run
in a subprocess (DESIGN.md §5: the platform is chosen once per process).

Sentences are compared in English, whatever the machine's locale: the core's language
(app/i18n.py) is English in every test, and $DESKHAND_LANG=en for the programs tests
start. A test of Chinese output sets it itself (tests/test_i18n.py).
"""
import os

import pytest

os.environ["DESKHAND_LANG"] = "en"


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
