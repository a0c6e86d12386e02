"""试运行's real fill (app/ui/editor_trial.py) into the sample Qt approval client on the test
run's own Xvfb: the supervisor names the window, another window has focus, and the client
ends up holding the sample's values — read from the client's own report."""
from __future__ import annotations

import pytest

from app.sandbox.xsession import XSession, missing_binaries

pytestmark = [pytest.mark.desktop, pytest.mark.timeout(300)]
if missing_binaries(("Xvfb", "openbox", "xdotool", "xclip")):
    pytest.skip("needs Xvfb, openbox, xdotool and xclip (bash installer/dev.sh setup)",
                allow_module_level=True)

from app.sandbox.targets import launch_decoy, launch_qt_client  # noqa: E402
from test_editor import WAIT_MS, open_editor, playbook_copy, wait_trial, write_sample  # noqa: E402


@pytest.fixture(scope="module")
def session():
    with XSession() as s:
        yield s


def test_a_trial_fills_the_window_the_supervisor_names(qtbot, tmp_path, session):
    from app.desktop.x11 import X11Desktop
    from app.pipeline import PipelineOptions, build_pipeline
    from app.settings import Settings
    client = launch_qt_client(session)
    decoy = launch_decoy(session)
    x11 = X11Desktop(session.display)
    pipeline = build_pipeline(PipelineOptions(settings=Settings(), cases_dir=tmp_path / "cases",
                                              desktop_factory=lambda: x11))
    try:
        drawn = write_sample(tmp_path)
        editor = open_editor(qtbot, playbook_copy(tmp_path), pipeline)
        wait_trial(qtbot, editor)
        editor.trial = None
        editor.run_trial(show=True)
        wait_trial(qtbot, editor)
        qtbot.waitUntil(lambda: editor.trial_dialog is not None, timeout=WAIT_MS)
        dialog = editor.trial_dialog
        client.reset()
        decoy.reset()
        decoy.activate()               # the supervisor is looking at something else
        results: list = []
        dialog.fill_finished.connect(results.append)
        dialog.fill_live(client.title)
        qtbot.waitUntil(lambda: bool(results), timeout=60_000)
        report = results[0]
        assert not isinstance(report, BaseException), report
        assert report.outcome == "done", report.summary()
        want = drawn["truth"]
        state = client.wait_state(lambda s: all(s["fields"][k] == v for k, v in want.items()), 5)
        assert {k: state["fields"][k] for k in want} == want
        assert state["fields"]["phone"] == ""           # not on the card, tabbed over
        assert decoy.state()["count"] == 0               # nothing went to the other window
        assert dialog.fill_result.text() == report.summary()
    finally:
        pipeline.close()
        x11.close()
        decoy.close()
        client.close()
