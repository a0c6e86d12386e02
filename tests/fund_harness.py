"""The 公积金提取 scenario on a private desktop, for its e2e test and bench/fund.py.

    with FundDesk(tmp_dir, seeds) as desk:      # Xvfb + openbox + AT-SPI bus, the registry on
        run = desk.handle(seed)                 # loopback, the portal in Chromium, the fund system
        run.case, run.error, run.seconds        # portal shown → capture → verify → fill → 保存
        desk.records()                          # what the fund system kept (its GET /records)

One case goes through `Pipeline` as the clerk's tray does it: the portal's window captured
(OCR), checked, verified against the reference registry, then the fund system brought to
the front and filled by label through its accessibility tree, 保存 pressed. Everything is
started here and ended here, by its own process.
"""
from __future__ import annotations

import json
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from app.cases import Case
from app.errors import DeskhandError
from app.sandbox.fund_cases import FundApplication, applications
from app.sandbox.fund_portal import FundPortal, launch_portal
from app.sandbox.fund_system import FUND, launch_fund_system
from toolkit_targets import ROOT, ToolkitDesktop

PLAYBOOK = ROOT / "playbooks" / "library" / "provident-fund" / "withdrawal.yaml"


@dataclass
class CaseRun:
    app: FundApplication
    case: Case | None = None
    error: DeskhandError | None = None
    needs_person: list[str] = field(default_factory=list)
    seconds: float = 0.0            # capture (with the registry) to 保存 shown
    capture_s: float = 0.0
    fill_s: float = 0.0
    saved: dict | None = None       # the fund system's record for it, if one was kept


class FundDesk:
    def __init__(self, work: Path, seeds: list[int], *, overrides: dict[int, dict] | None = None,
                 people: int = 200) -> None:
        self.work = Path(work)
        self.apps = applications(seeds)
        self.people = people
        self.overrides = overrides or {}          # seed → portal values changed (a mismatch)
        self.desk = ToolkitDesktop(self.work / "desk")
        self._started: list = []

    def __enter__(self) -> "FundDesk":
        from app.a11y.atspi import AtSpiAccessibility
        from app.a11y.atspi_bus import AtspiBus
        from app.desktop.x11 import X11Desktop
        from app.pipeline import PipelineOptions, build_pipeline
        from app.registry.reference import write_reference_settings
        from app.settings import Settings
        from registry_server import RegistryServer
        try:
            self.desk.__enter__()
            self.registry = RegistryServer(self.work / "registry", people=self.people).start()
            self._started.append(self.registry.stop)
            settings = write_reference_settings(self.work / "registries.yaml", self.registry.url)
            self.portal = FundPortal(self._portal_apps()).start()
            self._started.append(self.portal.stop)
            self.browser = launch_portal(self.desk.session, self.portal, self.work,
                                         env=self.desk.session.env())
            self._started.append(self.browser.close)
            self.fund = launch_fund_system(self.desk.session, env=self.desk.env())
            self._started.append(self.fund.close)
            self.x11 = X11Desktop(self.desk.session.display)
            self._started.append(self.x11.close)
            secret = self.registry.secret.decode()
            self.pipeline = build_pipeline(PipelineOptions(
                settings=Settings(), cases_dir=self.work / "cases", registries=settings,
                secrets=lambda _name: secret, display=self.desk.session.display,
                desktop_factory=lambda: self.x11,
                accessibility_factory=lambda: AtSpiAccessibility(AtspiBus.open(self.desk.env()))))
            self.playbook = self.pipeline.playbook(str(PLAYBOOK))
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        for stop in reversed(self._started):
            try:
                stop()
            except Exception:
                pass
        self._started.clear()
        self.desk.close()

    def _portal_apps(self) -> list[FundApplication]:
        """The applications as the portal shows them (a seed's overrides change its page)."""
        from dataclasses import replace
        out = []
        for a in self.apps:
            over = self.overrides.get(a.seed)
            out.append(replace(a, person=replace(a.person, **over)) if over else a)
        return out

    # ------------------------------------------------------------------ one case
    def handle(self, seed: int) -> CaseRun:
        """The portal shows application `seed`; Deskhand captures it, verifies it, fills
        the fund system and saves. Errors that stop the fill are kept on the run."""
        from app.fill.engine import FillOptions
        app = next(a for a in self.apps if a.seed == seed)
        run = CaseRun(app)
        before = self.fund.state()["records"]
        self.portal.show(seed)
        t0 = time.perf_counter()
        source = self.pipeline.grab_window(self.playbook)
        outcome = self.pipeline.capture(self.playbook, source,
                                        case_path=self.work / "cases" / f"{seed}.json")
        run.case, run.needs_person = outcome.case, list(outcome.needs_person)
        t1 = time.perf_counter()
        run.capture_s = t1 - t0
        window = next(w for w in self.x11.list_windows() if w.id == self.fund.window_id)
        self.x11.activate(window, 3.0)
        try:
            self.pipeline.fill(self.playbook, outcome.case, outcome.case_path,
                               FillOptions(abort_keys=None, failsafe=False, wait_focus_s=5.0))
            self.fund.wait_state(lambda s: s["records"] > before, 10)
        except DeskhandError as exc:
            run.error = exc
        t2 = time.perf_counter()
        run.fill_s, run.seconds = t2 - t1, t2 - t0
        records = self.records()
        if len(records) > before:
            run.saved = records[-1]
        return run

    def records(self) -> list[dict]:
        with urllib.request.urlopen(self.fund.url + "/records", timeout=5) as r:
            return json.loads(r.read().decode("utf-8"))


def wrong_boxes(record: dict, app: FundApplication) -> dict[str, tuple]:
    """Each box of a kept record that does not hold what the application's truth says:
    {box: (held, wanted)} (the 受理号 aside)."""
    held = record["fields"]
    want = app.expected
    return {k: (held.get(k), v) for k, v in want.items() if held.get(k) != v}


def box_names() -> set[str]:
    return {f.name for f in FUND.fields} - {"accept_no"}
