"""Reading a kept value (app/scenario/keep.py) off a form that issues it a moment after 提交:
an empty box is read again until the number shows, for a bounded time (a fake tree and
clock: pure logic; tests/test_company_setup_e2e.py reads a real Qt form's box)."""
from __future__ import annotations

from types import SimpleNamespace

from app.desktop.base import WindowInfo
from app.scenario.keep import VIA_TREE, read_kept
from app.scenario.model import Keep
from test_windows_backend import FakeClock as Clock

KEEP = Keep("registration_no", "受理编号", r"SL-\d{8}-\d{4}")
WINDOW = WindowInfo(1, "市场主体登记系统 - 设立登记", 1, "python3", 0, 0, 800, 600)


class Tree:
    """One box labelled 受理编号 whose text is each of `texts` in turn (then the last)."""

    def __init__(self, *texts: str) -> None:
        self.texts = list(texts)
        self.reads = 0

    def fields(self, window, refresh=False):
        return [SimpleNamespace(role="text", key="受理编号")]

    def read_text(self, window, box) -> str:
        self.reads += 1
        return self.texts.pop(0) if len(self.texts) > 1 else self.texts[0]


def test_a_number_issued_after_submit_is_waited_for():
    clock, tree = Clock(), Tree("", "", "SL-20261205-0018")
    kept = read_kept(KEEP, WINDOW, a11y=tree, screen=None, clock=clock, sleep=clock.sleep)
    assert (kept.value, kept.via, kept.status, kept.problem) == (
        "SL-20261205-0018", VIA_TREE, "ok", None)
    assert tree.reads == 3


def test_a_box_that_stays_empty_is_a_sentence_after_the_wait():
    clock, tree = Clock(), Tree("")
    kept = read_kept(KEEP, WINDOW, a11y=tree, screen=None, wait_s=2.0, clock=clock,
                     sleep=clock.sleep)
    assert kept.value is None and "shows nothing yet" in kept.problem
    assert 2.0 <= clock.now < 2.2
