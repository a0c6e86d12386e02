"""A stand-in pipeline for the batch runner's pure-logic tests (tests/test_batch_units.py,
tests/test_batch_window.py): fills are counted, not typed."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from app.desktop.base import WindowInfo
from app.fill.engine import FillReport

TARGET = WindowInfo(id=7, title="城市审批系统 - 受理登记", pid=1, process="python")


class FakeDesktop:
    def active_window(self):
        return TARGET

    def list_windows(self):
        return [TARGET]

    def activate(self, window, timeout=2.0):
        return True


@dataclass
class FakeScreen:
    answer: str

    def locate(self, text, window, *, fuzzy=True, fresh=False):
        return (1, 1) if text == self.answer else None


@dataclass
class FakePipeline:
    """Counts fills per kind (fill / save / ask); `fail` raises for the first n fills."""

    fail: list = field(default_factory=list)
    answer: str = "未找到"
    calls: list = field(default_factory=list)
    cases_dir: Path = Path(".")
    fill_s: float = 0.0            # how long a fill takes (to pause a window's batch mid-way)
    audits: list = field(default_factory=list)   # (event, data) the runner recorded

    def audit(self, event, data):
        self.audits.append((event, data))

    def fill(self, playbook, case, path, options, **kw):
        kind = ("ask" if any(getattr(s, "keys", None) and str(s.keys[0]) == "ctrl+f"
                             for s in playbook.steps) else
                "save" if len(playbook.steps) <= 3 else "fill")
        self.calls.append((kind, case.value("id_number")))
        time.sleep(self.fill_s)
        if kind == "fill" and self.fail:
            raise self.fail.pop(0)
        return FillReport(playbook=playbook.id, outcome="done")

    def desktop(self):
        return FakeDesktop()

    def screen_text(self):
        return FakeScreen(self.answer)

    def verify(self, pb, case):
        return None


