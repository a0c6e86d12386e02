"""The scenario runner's order, stops and resumption (app/scenario/run.py), with the fill,
the windows and the kept-value reader played by fakes: pure logic. The real forms are
filled in tests/test_scenario_e2e.py."""
from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from app.cases import case_from_values, load_case
from app.desktop.base import WindowInfo
from app.errors import FocusLostError, FormWindowError
from app.scenario.keep import VIA_OCR, VIA_TREE, Kept, keep_in_case
from app.scenario.model import Keep, ScenarioForm, ScenarioForms
from app.scenario.run import forms_done, run_scenario
from playbooks.model import Playbook, TargetSpec


def _form(name: str, title: str, keep: tuple[Keep, ...] = ()) -> ScenarioForm:
    return ScenarioForm(name, Playbook(f"pb-{title}", name, TargetSpec(title=title + "*"), (), ()),
                        keep)


SCENARIO = ScenarioForms("company", "企业开办", (
    _form("设立登记", "设立", (Keep("registration_no", "受理编号", r"\d{6}"),)),
    _form("税务登记", "税务"),
    _form("社保登记", "社保")))


@dataclass
class Desk:
    titles: list[str]
    activated: list[str] = field(default_factory=list)
    refuse: bool = False

    def list_windows(self) -> list[WindowInfo]:
        return [WindowInfo(i + 1, t, 100 + i, "client", 0, 0, 800, 600)
                for i, t in enumerate(self.titles)]

    def activate(self, window: WindowInfo, timeout: float = 2.0) -> bool:
        self.activated.append(window.title)
        return not self.refuse

    def active_window_id(self) -> int | None:
        return next((w.id for w in self.list_windows() if self.activated
                     and w.title == self.activated[-1]), None)


@dataclass
class Filled:
    outcome: str = "done"
    readback_ok: int = 3
    differs: list[str] = field(default_factory=list)


class Filler:
    """Records each fill and logs it in the case as the pipeline does."""

    def __init__(self, fail_at: str | None = None, differs_at: str | None = None) -> None:
        self.fail_at, self.differs_at = fail_at, differs_at
        self.filled: list[str] = []

    def __call__(self, form: ScenarioForm, case, log: dict):
        if form.name == self.fail_at:
            case.fills.append({"outcome": "failed", **log})
            raise FocusLostError("焦点离开了目标窗口。", field="name", step=1, typed=0)
        self.filled.append(form.name)
        case.fills.append({"outcome": "done", **log})
        return Filled(differs=["phone"] if form.name == self.differs_at else [])


def kept_reader(value: str | None = "240001", via: str = VIA_TREE):
    def read(keep: Keep, window: WindowInfo) -> Kept:
        return Kept(keep, value, via if value else "", None if value else "not found")
    return read


ALL = ["设立登记 - 城市审批", "税务登记 - 电子税务局", "社保登记 - 社保经办"]


def case_file(tmp_path):
    case = case_from_values({"name": "张三"}, "company", {"kind": "manual"})
    return case, tmp_path / "case.json"


def test_every_form_is_filled_in_order_in_its_own_window_and_the_issued_number_kept(tmp_path):
    case, path = case_file(tmp_path)
    desk, fill = Desk(ALL), Filler()
    report = run_scenario(SCENARIO, case, path, fill=fill, windows=desk, read_kept=kept_reader())
    assert report.done and report.error is None
    assert fill.filled == ["设立登记", "税务登记", "社保登记"]
    assert desk.activated == ALL
    assert case.fields["registration_no"].value == "240001"
    assert case.fields["registration_no"].status == "ok"
    assert case.fields["registration_no"].source["form"] == "设立登记"
    saved = load_case(path)
    assert saved.fields["registration_no"].value == "240001"
    assert sorted(forms_done(saved, SCENARIO)) == [0, 1, 2]


def test_a_missing_window_stops_at_that_form_and_running_again_resumes_there(tmp_path):
    case, path = case_file(tmp_path)
    fill = Filler()
    report = run_scenario(SCENARIO, case, path, fill=fill, windows=Desk(ALL[:1] + ALL[2:]),
                          read_kept=kept_reader())
    assert fill.filled == ["设立登记"]
    assert report.stopped_at == 1 and isinstance(report.error, FormWindowError)
    assert "税务登记" in report.error.message and "税务*" in report.error.message
    assert "2" in report.message
    again = Filler()
    report = run_scenario(SCENARIO, load_case(path), path, fill=again, windows=Desk(ALL),
                          read_kept=kept_reader())
    assert report.done
    assert again.filled == ["税务登记", "社保登记"]          # form 1 never filled again
    assert [f.outcome for f in report.forms] == ["skipped", "done", "done"]


def test_a_fill_that_fails_keeps_the_forms_before_it(tmp_path):
    case, path = case_file(tmp_path)
    fill = Filler(fail_at="社保登记")
    report = run_scenario(SCENARIO, case, path, fill=fill, windows=Desk(ALL), read_kept=kept_reader())
    assert report.stopped_at == 2 and isinstance(report.error, FocusLostError)
    assert sorted(forms_done(load_case(path), SCENARIO)) == [0, 1]
    again = Filler()
    assert run_scenario(SCENARIO, load_case(path), path, fill=again, windows=Desk(ALL),
                        read_kept=kept_reader()).done
    assert again.filled == ["社保登记"]


def test_differences_read_back_stop_the_scenario_after_that_form(tmp_path):
    case, path = case_file(tmp_path)
    fill = Filler(differs_at="税务登记")
    report = run_scenario(SCENARIO, case, path, fill=fill, windows=Desk(ALL), read_kept=kept_reader())
    assert fill.filled == ["设立登记", "税务登记"]
    assert not report.done and report.error is None and report.stopped_at == 2
    assert "phone" in report.message


def test_a_value_not_found_on_the_form_is_read_again_before_the_next_form(tmp_path):
    case, path = case_file(tmp_path)
    fill = Filler()
    report = run_scenario(SCENARIO, case, path, fill=fill, windows=Desk(ALL),
                          read_kept=kept_reader(None))
    assert fill.filled == ["设立登记"] and report.stopped_at == 0 and not report.done
    assert "registration_no" not in case.fields
    again = Filler()
    report = run_scenario(SCENARIO, load_case(path), path, fill=again, windows=Desk(ALL),
                          read_kept=kept_reader("240002"))
    assert report.done and again.filled == ["税务登记", "社保登记"]   # form 1 not refilled
    assert load_case(path).fields["registration_no"].value == "240002"


def test_restart_fills_every_form_again(tmp_path):
    case, path = case_file(tmp_path)
    run_scenario(SCENARIO, case, path, fill=Filler(), windows=Desk(ALL), read_kept=kept_reader())
    again = Filler()
    case = load_case(path)
    assert run_scenario(SCENARIO, case, path, fill=again, windows=Desk(ALL),
                        read_kept=kept_reader(), restart=True).done
    assert again.filled == ["设立登记", "税务登记", "社保登记"]
    assert sorted(forms_done(case, SCENARIO)) == [0, 1, 2]


def test_two_windows_that_could_be_the_form_are_refused_before_typing(tmp_path):
    case, path = case_file(tmp_path)
    fill = Filler()
    report = run_scenario(SCENARIO, case, path, fill=fill,
                          windows=Desk(ALL + ["设立登记 - 旧窗口"]), read_kept=kept_reader())
    assert fill.filled == [] and isinstance(report.error, FormWindowError)
    assert "旧窗口" in report.error.message


@pytest.mark.parametrize("value,via,status", [
    ("240001", VIA_TREE, "ok"),              # the program's own text, the pattern holds
    ("240001", VIA_OCR, "unverified"),       # a reading: a person confirms it
    ("24O001", VIA_TREE, "invalid"),         # not the form the number has
])
def test_a_kept_value_is_ok_only_when_read_from_the_tree_and_its_pattern_holds(value, via, status):
    case = case_from_values({}, "company", {})
    keep = Keep("registration_no", "受理编号：", r"\d{6}")
    keep_in_case(case, Kept(keep, value, via), "设立登记")
    assert case.fields["registration_no"].status == status
    assert case.fields["registration_no"].source["label"] == "受理编号"



def test_a_window_is_brought_up_again_after_settling_and_a_stolen_focus_stops_there(tmp_path):
    """The program filled a moment ago may take the focus back: after `settle_s` each
    form's window is activated again (at once when it kept the focus); when that fails the
    scenario stops at that form, nothing typed into it."""
    case, path = case_file(tmp_path)
    desk, slept = Desk(ALL), []
    report = run_scenario(SCENARIO, case, path, fill=Filler(), windows=desk,
                          read_kept=kept_reader(), settle_s=0.3, sleep=slept.append)
    assert report.done
    assert desk.activated == [t for t in ALL for _ in (1, 2)] and slept == [0.3] * len(ALL)

    class Stolen(Desk):             # form 2's window loses the focus while settling
        def activate(self, window, timeout=2.0):
            super().activate(window, timeout)
            return self.activated.count(window.title) < 2 or window.title != ALL[1]

    case, path = case_file(tmp_path / "again")
    (tmp_path / "again").mkdir()
    fill = Filler()
    report = run_scenario(SCENARIO, case, path, fill=fill, windows=Stolen(ALL),
                          read_kept=kept_reader(), settle_s=0.3, sleep=lambda s: None)
    assert isinstance(report.error, FormWindowError) and report.stopped_at == 1
    assert "did not come to the front" in report.error.message
    assert fill.filled == ["设立登记"]


def test_a_form_is_filled_only_once_the_desktop_reports_its_window_active(tmp_path):
    """The window manager may report the window active seconds after it has the focus
    (openbox after keys typed into Chromium): asked again until it does."""
    class Lagging(Desk):
        calls = 0

        def active_window_id(self):
            self.calls += 1
            return None if self.calls % 4 else super().active_window_id()

    case, path = case_file(tmp_path)
    desk, slept = Lagging(ALL), []
    report = run_scenario(SCENARIO, case, path, fill=Filler(), windows=desk,
                          read_kept=kept_reader(), settle_s=0.3, sleep=slept.append)
    assert report.done and len(slept) == 4 * len(ALL)
