"""The tray's menu and flow logic, offscreen with pytest-qt and fakes for the slow parts
(the real thing end to end: tests/test_tray_e2e.py)."""
from __future__ import annotations

import threading
from pathlib import Path
from types import SimpleNamespace

import pytest

pytest.importorskip("pytestqt")

from app.hotkeys.dummy import DummyHotkeys  # noqa: E402
from app.library import load_library  # noqa: E402
from app.ui.dispatch import MainThread  # noqa: E402
from app.ui.tray import TrayApp  # noqa: E402

KEYS = {"capture": "Ctrl+Alt+C", "fill": "Ctrl+Alt+V", "abort": "Ctrl+Alt+Esc"}


class FakePipeline:
    """app.pipeline.Pipeline's face towards the tray, without OCR or a display."""

    def __init__(self, library) -> None:
        self.captures = 0
        self.library = library
        self.reviews: list[tuple[str, str, str]] = []     # the audit log's review entries

    def review(self, playbook, case, decision, by):
        self.reviews.append((case.case_id, decision, by))

    def grab_source(self, playbook):
        return SimpleNamespace(image=None, provenance={"kind": "window"}, scale=1.0)

    def desktop(self):  # the tray only asks the UI-side desktop
        raise AssertionError("not used on the UI thread")

    def ui_desktop(self):
        return SimpleNamespace(active_window=lambda: None, activate=lambda w, t: True)

    def capture(self, playbook, source):
        from app.cases import Case, FieldValue
        self.captures += 1
        case = Case("c1", playbook.id, {f.name: FieldValue("x", "ok") for f in playbook.fields})
        return SimpleNamespace(playbook=playbook, case=case, case_path=Path("/nonexistent/c1.json"),
                               image=None, verify_error=None, needs_person=[])


def make_tray(qtbot, tmp_path, *, taken=(), folders=()):
    hotkeys = DummyHotkeys(taken=taken)
    tray = TrayApp(pipeline=FakePipeline(load_library(folders)),
                   settings=SimpleNamespace(hotkeys=dict(KEYS), last_playbook=None),
                   hotkeys=hotkeys, main=MainThread(), log_dir=tmp_path / "logs", fill_worker=None)
    tray.show()
    return tray, hotkeys


def test_menu_groups_playbooks_and_lists_broken_ones(qtbot, tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "broken.yaml").write_text("deskhand: 1\nid: broken\n", encoding="utf-8")
    tray, _ = make_tray(qtbot, tmp_path, folders=[folder])
    pick = tray.menu.actions()[0].menu()
    departments = [a.text() for a in pick.actions() if a.menu() is not None]
    assert departments == ["示例"]
    names = [a.data() for a in pick.actions()[0].menu().actions()]
    assert "portal-to-qt-intake" in names and "portal-to-web-intake" in names
    broken = [a for a in pick.actions() if "broken.yaml" in a.text()]
    assert broken and not broken[0].isEnabled() and "broken.yaml" in broken[0].toolTip()
    shortcut_texts = [a.text() for a in tray.menu.actions()]
    assert any(t.endswith("\tCtrl+Alt+C") for t in shortcut_texts)
    tray.icon.hide()


def test_a_hotkey_another_program_holds_is_reported(qtbot, tmp_path):
    tray, hotkeys = make_tray(qtbot, tmp_path, taken=["Ctrl+Alt+V"])
    assert "fill" in tray.state.hotkey_problems
    assert "Ctrl+Alt+V" in tray.state.hotkey_problems["fill"]
    assert set(hotkeys.registered()) == {"capture", "abort"}
    tray.icon.hide()


def test_hotkey_capture_runs_off_the_ui_thread_and_opens_the_review(qtbot, tmp_path, monkeypatch):
    shown = []

    class FakeReview:
        def __init__(self, case, playbook, image, on_closed=None):
            from PySide6.QtCore import QObject, Signal

            class S(QObject):
                confirmed = Signal(object)
                cancelled = Signal()
            self.s = S()
            self.confirmed, self.cancelled = self.s.confirmed, self.s.cancelled
            shown.append((case, threading.current_thread() is threading.main_thread()))

        def show(self): pass
        def raise_(self): pass
        def activateWindow(self): pass
        def close(self): pass
        def isVisible(self): return True
        rows: dict = {}
        can_fill = False

    import app.ui.review as review_module
    monkeypatch.setattr(review_module, "ReviewDialog", FakeReview)
    tray, hotkeys = make_tray(qtbot, tmp_path)
    tray.choose_playbook("sample-qt-intake")
    calls = []
    original = tray.pipeline.capture
    tray.pipeline.capture = lambda *a, **k: calls.append(threading.current_thread().name) or original(*a, **k)
    hotkeys.trigger("capture")
    qtbot.waitUntil(lambda: bool(shown), timeout=5000)
    assert calls == ["deskhand-capture"] and shown[0][1] is True   # work on a worker, UI on main
    assert tray.status()["review_open"] is True
    tray.icon.hide()


def test_fill_without_a_case_says_so_and_types_nothing(qtbot, tmp_path):
    tray, hotkeys = make_tray(qtbot, tmp_path)
    hotkeys.trigger("fill")
    assert tray.state.busy is None and tray.state.fills == 0
    tray.icon.hide()


def test_every_ui_string_in_the_catalogue_has_chinese():
    """The committed zh_CN catalogue has no unfinished entry (new strings: run
    `python installer/build_translations.py --update` and translate them)."""
    import importlib.util
    root = Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location("build_translations",
                                                  root / "installer" / "build_translations.py")
    bt = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bt)
    assert bt.untranslated(root / "resources" / "i18n" / "deskhand_zh_CN.ts") == []


def test_menu_follows_a_language_switch(qtbot, tmp_path, qapp):
    from app.ui import i18n
    tray, _ = make_tray(qtbot, tmp_path)
    translations = i18n.install(qapp, "zh_CN")
    translations.languageChanged.connect(lambda _lang: tray.rebuild_menu())
    try:
        tray.rebuild_menu()
        assert tray.menu.actions()[-1].text() == "退出(&Q)"
        translations.switch("en")
        assert tray.menu.actions()[-1].text() == "&Quit"
    finally:
        translations.switch("en")      # leave the shared QApplication untranslated
        tray.icon.hide()


def test_an_error_nobody_caught_becomes_a_sentence_and_a_logged_traceback(qtbot, tmp_path, monkeypatch):
    import sys

    from app.ui.app import _catch_crashes
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    tray, _ = make_tray(qtbot, tmp_path)
    said = []
    tray.notify = lambda title, body, warning=False: said.append((title, body))
    old = sys.excepthook, threading.excepthook
    try:
        _catch_crashes(tray)

        def boom():
            raise ZeroDivisionError("id 350802199003071036 in the message")
        t = threading.Thread(target=boom, name="deskhand-test-thread")
        t.start()
        t.join()
        qtbot.waitUntil(lambda: bool(said), timeout=5000)
    finally:
        sys.excepthook, threading.excepthook = old
        tray.icon.hide()
    title, body = said[0]
    assert "ZeroDivisionError" in body and "Traceback" not in body and "deskhand.log" in body
    log = next((tmp_path / "state").rglob("deskhand.log")).read_text(encoding="utf-8")
    assert "Traceback" in log and "in boom" in log
    assert "350802199003071036" not in log and "3508**********1036" in log   # masked


def test_record_a_playbook_counts_events_stops_and_shows_the_report(qtbot, tmp_path, monkeypatch):
    """录制业务流程: the job (recorders/job.py) runs off the UI thread; the small window counts
    its events, its Stop button stops the job, and the report replaces the count."""
    import recorders.job as job_module
    jobs = []

    class FakeJob:
        def __init__(self, pipeline, request, *, on_event=None, on_source=None):
            self.request, self.on_event = request, on_event
            self.stopped = threading.Event()
            self.ui_thread = threading.current_thread()
            jobs.append(self)

        def start(self):
            assert threading.current_thread() is not self.ui_thread
            for n in (1, 2, 3):
                self.on_event(n)

        def stop(self, reason="stop"):
            self.stopped.set()

        def wait(self, timeout=None):
            return self.stopped.wait(timeout)

        def finish(self):
            return SimpleNamespace(sentences=["录制已保存。"], questions=["“备注”的值"])

    monkeypatch.setattr(job_module, "RecordJob", FakeJob)
    tray, _ = make_tray(qtbot, tmp_path)
    texts = [a.text() for a in tray.menu.actions()]
    assert any("Record a playbook" in t for t in texts), texts   # 录制业务流程 in Chinese
    tray.record(str(tmp_path / "new.yaml"))
    window = tray.recorder_window
    assert tray.state.busy == "record" and window.isVisible()
    qtbot.waitUntil(lambda: window.count == 3, timeout=5000)
    assert "3" in window.counter.text()
    assert jobs[0].request.output == str(tmp_path / "new.yaml")
    window.button.click()
    qtbot.waitUntil(lambda: window.done, timeout=5000)
    assert tray.state.busy is None
    assert "录制已保存。" in window.report.text() and "备注" in window.report.text()
    window.button.click()
    assert not window.isVisible()
    tray.icon.hide()


def test_an_upgrade_under_the_running_tray_restarts_it_once_idle(qtbot, tmp_path):
    """IT upgrades the package while the clerk works: the tray tells once, waits while a
    fill runs, then restarts into the new build (the helpers it starts are the new one)."""
    on_disk = ["build 1"]
    restarts = []
    tray = TrayApp(pipeline=FakePipeline(load_library([])),
                   settings=SimpleNamespace(hotkeys=dict(KEYS), last_playbook=None),
                   hotkeys=DummyHotkeys(), main=MainThread(), log_dir=tmp_path / "logs",
                   fill_worker=None, installed=lambda: on_disk[0],
                   restart=lambda: restarts.append(on_disk[0]))
    tray.show()
    watch = tray.update_watch
    assert watch.timer.isActive() and watch.started == "build 1"
    watch.check()
    assert restarts == [] and tray.status()["update_pending"] is None      # nothing new
    on_disk[0] = "build 2"
    tray.state.busy = "fill"                   # a fill under way: it waits
    watch.check()
    watch.check()
    assert restarts == [] and tray.status()["update_pending"] == "build 2"
    assert tray.state.events.count("update installed") == 1             # told once
    tray.state.busy = None
    watch.check()
    assert restarts == ["build 2"] and not watch.timer.isActive()
    tray.icon.hide()


def test_from_a_source_tree_nothing_is_watched(qtbot):
    from app.ui.update_watch import UpdateWatch
    watch = UpdateWatch(lambda: None, idle=lambda: True, tell=lambda: None,
                        restart=lambda: pytest.fail("restarted"))
    assert not watch.timer.isActive()
    watch.check()
