"""The keystroke fill run in this process on a toolkit form (tests/toolkit_targets.py), with
or without the accessibility tree, judged by the form's own state: used by
tests/test_keyguard_toolkits.py and bench/fill_keys.py.

    with KeysFiller(desk) as filler:
        run = filler.fill(form, tree=False)      # FillReport, the form's state, seconds
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from app.a11y.atspi import AtSpiAccessibility
from app.a11y.atspi_bus import AtspiBus
from app.cases import Case, case_from_values
from app.desktop.x11 import X11Desktop
from app.errors import DeskhandError
from app.fill.engine import FillEngine, FillOptions, FillReport
from app.sandbox.targets import Target
from app.sandbox.toolkits import spec
from playbooks.loader import load_playbook
from playbooks.model import Playbook

ROOT = Path(__file__).resolve().parent.parent
PLAYBOOKS = ROOT / "tests" / "fixtures" / "playbooks" / "toolkits"

# Hard values: rare characters (赟 彧), a character beyond the BMP (𠀾), full-width
# punctuation and digits, mixed scripts, a line break in the multi-line 住址.
CASE = {
    "applicant_name": "司马赟彧𠀾",
    "gender": "男",
    "ethnicity": "维吾尔族",
    "birth_date": "1990-03-07",
    "id_number": "35080219900307103X",
    "phone": "13905971234",
    "marital_status": "已婚",
    "spouse_name": "欧阳彧",
    "address": "福建省龙岩市新罗区九一北路２８号（金融大厦）\n３层—Ａ座，Room 301",
    "employer": "Longyan 赟彧 Technology Co., Ltd.（龙岩）",
    "credit_code": "91350802MA2Y8XKQ3W",
    "postcode": "364000",
    "email": "yun.yu+test@example.com",
    "remarks": "材料齐全：身份证、户口簿；“复印件”两份！Ölçek·Ωμέγα·𠀾",
    "verified": "是",
}


def expected_fields(case: dict = CASE) -> dict:
    """What the form must hold after a fill of `case`: 已核验原件 ticked for 是, 受理编号
    as it was."""
    want = {**spec.empty_state()["fields"], **case}
    want["verified"] = case.get("verified") == "是"
    return want


@dataclass
class KeysRun:
    report: FillReport | None
    error: DeskhandError | None
    state: dict
    seconds: float

    def wrong(self, case: dict = CASE) -> dict:
        """Fields the form holds differently from the case."""
        want = expected_fields(case)
        return {n: self.state["fields"].get(n) for n, v in want.items()
                if self.state["fields"].get(n) != v}

    def false_confirmations(self, case: dict = CASE) -> list[str]:
        """Fields reported read back ok that the form does not hold."""
        want = expected_fields(case)
        results = (self.report.results if self.report else [])
        return [r.field for r in results if r.status == "readback_ok"
                and self.state["fields"].get(r.field) != want[r.field]]


class KeysFiller:
    def __init__(self, desk) -> None:
        self.desk = desk
        self.display = desk.session.env()["DISPLAY"]
        self.desktop = X11Desktop(self.display)
        self.a11y: AtSpiAccessibility | None = None

    def __enter__(self) -> "KeysFiller":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self.a11y is not None:
            self.a11y.close()
        self.desktop.close()

    def accessibility(self) -> AtSpiAccessibility:
        if self.a11y is None:
            self.a11y = AtSpiAccessibility(AtspiBus.open(self.desk.env()))
        return self.a11y

    def playbook(self, toolkit: str, path: Path | None = None) -> Playbook:
        return load_playbook(path or PLAYBOOKS / f"{toolkit}.yaml")

    def fill(self, form: Target, *, tree: bool, case: dict = CASE,
             playbook: Playbook | None = None, reset: bool = True,
             start_step: int = 0) -> KeysRun:
        """One keystroke fill of `case` into `form` from a reset form with focus in 姓名."""
        pb = playbook or self.playbook(form.name)
        if reset:
            form.reset()
            form.activate()
            form.wait_state(lambda s: s.get("focused") == spec.FIRST and s.get("active"), 10)
        c: Case = case_from_values(case, pb.id, {"kind": "test"})
        engine = FillEngine(self.desktop, FillOptions(wait_focus_s=5, abort_keys=None,
                                                      start_step=start_step),
                            accessibility=self.accessibility() if tree else None)
        started = time.monotonic()
        report, error = None, None
        try:
            report = engine.fill(pb, c)
        except DeskhandError as exc:
            error = exc
            report = engine.last_report
        seconds = time.monotonic() - started
        want = expected_fields(case)
        try:
            state = form.wait_state(lambda s: s["fields"] == want, 1.0)
        except TimeoutError:
            state = form.state()
        return KeysRun(report, error, state, seconds)
