"""`deskhand doctor --self-test`: the whole chain proven end to end on this computer,
without a display of its own and without touching the clerk's cases, settings or keyring.

1. OCR: the shipped sample ID card of idcard-to-qt-intake (case-1) read, its fields
   compared with the expected.yaml shipped beside it;
2. check: GB 11643 on the ID number read;
3. registry: the reference registry started on 127.0.0.1 (ephemeral port, a throw-away
   secret held in memory), the case verified against it;
4. fill: on a private display (Xvfb and openbox: without a window manager no window is
   listed, so without either the step is skipped) the sample approval client started as a
   process of its own, the case typed into it, and its own state read back; everything
   started here is ended by its PID.

Everything is written to a temporary folder, removed at the end. The sandbox parts are
imported lazily, here only (app/sandbox is a leaf).

Exit codes: 0 every step passed; 1 a step failed; 3 a fault stopped the self-test;
4 the steps that ran passed but the fill was skipped (Xvfb or openbox not installed).
"""
from __future__ import annotations

import json
import os
import secrets as pysecrets
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from app.doctor.report import columns
from app.errors import DeskhandError, SelfTestError
from app.i18n import _, join
from app.privacy import mask, mask_text

__all__ = ["Step", "SelfTest", "run_self_test", "SAMPLE_PLAYBOOK", "SAMPLE_CASE"]

SAMPLE_PLAYBOOK = "idcard-to-qt-intake"
SAMPLE_CASE = "case-1"
REGISTRY_PEOPLE = 20          # seeds 0..19: the sample's person (seed 11) among them
PASSED, FAILED, SKIPPED = "ok", "fail", "skipped"
TITLE_COLUMNS = 28             # the longest step title, English or Chinese


@dataclass
class Step:
    name: str
    title: str
    level: str = PASSED
    detail: str = ""
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.title, "ok": self.level == PASSED,
                "level": self.level, "detail": self.detail, "seconds": round(self.seconds, 2)}


@dataclass
class SelfTest:
    """The four steps on one temporary folder; `run()` gives a Step each."""

    work: Path
    xvfb: str | None = field(default_factory=lambda: shutil.which("Xvfb"))
    openbox: str | None = field(default_factory=lambda: shutil.which("openbox"))
    registry_secret: str = field(default_factory=lambda: pysecrets.token_hex(16))
    faults: int = 0
    _display_env: dict[str, str] = field(default_factory=dict)
    _pipeline: Any = None
    _playbook: Any = None
    _sample: Any = None
    _case: Any = None

    # --------------------------------------------------------------- the run
    def run(self, on_step: Callable[[Step], None] = lambda s: None) -> list[Step]:
        steps = [("ocr", _("OCR of the sample ID card"), self.ocr),
                 ("check", _("GB 11643 check"), self.check),
                 ("registry", _("Registry on loopback"), self.registry),
                 ("fill", _("Fill into the sample client"), self.fill)]
        done: list[Step] = []
        try:
            for name, title, action in steps:
                step = Step(name, title)
                failed = next((s for s in done if s.level == FAILED), None)
                if failed is not None:
                    step.level = SKIPPED
                    step.detail = _("not run: the step '{step}' failed", step=failed.title)
                else:
                    self._run_step(step, action)
                done.append(step)
                on_step(step)
        finally:
            self.close()
        return done

    def _run_step(self, step: Step, action: Callable[[], str | None]) -> None:
        t0 = time.perf_counter()
        try:
            detail = action()
            if detail is None:
                step.level, step.detail = SKIPPED, self._skip_reason
            else:
                step.detail = detail
        except DeskhandError as exc:
            step.level, step.detail = FAILED, mask_text(exc.message)
        except Exception as exc:   # a fault of ours: said in one line, the traceback logged
            from app.doctor.runner import where_logged
            from app.logs import log_crash
            self.faults += 1
            where = where_logged(log_crash(exc, f"deskhand doctor --self-test ({step.name})"))
            step.level = FAILED
            step.detail = _("a fault stopped this step: {reason}",
                            reason=mask_text(f"{type(exc).__name__}: {exc}")) + " " + where
        step.seconds = time.perf_counter() - t0

    def close(self) -> None:
        if self._pipeline is not None:
            self._pipeline.close()
            self._pipeline = None

    # --------------------------------------------------------------- the parts
    def pipeline(self) -> Any:
        """Deskhand's own pipeline on throw-away parts: default settings (no keyring, no
        clerk's file), the shipped library, cases in the temporary folder, the registry
        settings written by the registry step, desktop on the private display."""
        if self._pipeline is None:
            from app.desktop import open_desktop
            from app.pipeline import PipelineOptions, build_pipeline
            from app.registry.reference import DEMO_CREDENTIAL
            from app.settings import Settings
            secret = self.registry_secret
            self._pipeline = build_pipeline(PipelineOptions(
                settings=Settings(accessibility=False), registries=self.work / "registries.yaml",
                cases_dir=self.work / "cases", ocr_engine="rapidocr", ocr_fallback=False,
                secrets=lambda name: secret if name == DEMO_CREDENTIAL else "",
                desktop_factory=lambda: open_desktop(env=self._display_env or os.environ)))
        return self._pipeline

    def sample(self) -> Any:
        if self._sample is None:
            from app.golden.samples import find_samples
            self._playbook = self.pipeline().playbook(SAMPLE_PLAYBOOK)
            found = [s for s in find_samples(self._playbook) if s.name == SAMPLE_CASE]
            if not found:
                raise SelfTestError(_("The sample {case} of {playbook} is not installed: "
                                      "reinstall Deskhand.", case=SAMPLE_CASE,
                                      playbook=SAMPLE_PLAYBOOK))
            self._sample = found[0]
        return self._sample

    # --------------------------------------------------------------- 1. OCR
    def ocr(self) -> str:
        pipeline, sample = self.pipeline(), self.sample()
        source = pipeline.load_image(self._playbook, sample.source)
        outcome = pipeline.capture(self._playbook, source, case_path=self.work / "case.json",
                                   verify=False)
        self._case = outcome.case
        wrong = []
        for name, want in sample.expected.fields.items():
            fv = self._case.fields.get(name)
            if not want.holds(fv.value if fv else None, fv.status if fv else "missing"):
                wrong.append(_("{field} read as '{got}', expected '{want}'", field=name,
                               got=mask_text(fv.value if fv and fv.value else ""),
                               want=mask_text(want.value or "")))
        if wrong:
            raise SelfTestError(_("The sample ID card was misread: {wrong}.",
                                  wrong=_("; ").join(wrong)))
        engine = pipeline.engine()
        return _("{n}/{n} fields as expected ({engine}, model loaded in {load:.1f} s)",
                 n=len(sample.expected.fields), engine=engine.name,
                 load=getattr(engine, "load_seconds", None) or 0.0)

    # --------------------------------------------------------------- 2. check
    def check(self) -> str:
        from app.checks.id_number import validate_id_number
        fv = self._case.fields.get("id_number") if self._case else None
        number = fv.value if fv and fv.value else ""
        problems = validate_id_number(number)
        if problems:
            raise SelfTestError(_("The ID number read, {number}, fails GB 11643: {problems}",
                                  number=mask(number, "id_number"), problems=" ".join(problems)))
        return _("{number}: check digit and birth date right", number=mask(number, "id_number"))

    # --------------------------------------------------------------- 3. registry
    def registry(self) -> str:
        from app.registry.reference import write_reference_settings
        from app.sandbox.registry_service.process import RegistryServer
        server = RegistryServer(self.work / "registry", secret=self.registry_secret,
                                admin_token=None, people=REGISTRY_PEOPLE).start()
        try:
            write_reference_settings(self.work / "registries.yaml", server.url)
            t0 = time.perf_counter()
            error = self.pipeline().verify(self._playbook, self._case)
            ms = (time.perf_counter() - t0) * 1000
        finally:
            server.stop()
        if error is not None:
            raise SelfTestError(_("The reference registry did not confirm the case: {reason}",
                                  reason=error.message))
        confirmed = [n for n in self._playbook_confirms() if self._case.fields[n].status == "ok"]
        wrong = [n for n in self._playbook_confirms() if n not in confirmed]
        if wrong:
            raise SelfTestError(_("The reference registry disagrees on {fields}.",
                                  fields=join(wrong)))
        return _("{url}: {n} fields confirmed in {ms:.0f} ms (server stopped)",
                 url=server.url, n=len(confirmed), ms=ms)

    def _playbook_confirms(self) -> list[str]:
        names: list[str] = []
        for v in self._playbook.verify:
            names += [n for n in v.confirm if n not in names]
        return names

    # --------------------------------------------------------------- 4. fill
    _skip_reason = ""

    def fill(self) -> str | None:
        if sys.platform.startswith("win"):     # the private display is Xvfb's
            self._skip_reason = _("skipped: this step runs on Linux (X11) for now")
            return None
        # without a window manager no window is listed (_NET_CLIENT_LIST): openbox is needed too
        missing = [n for n, path in (("Xvfb", self.xvfb), ("openbox", self.openbox)) if not path]
        if missing:
            self._skip_reason = _("skipped: {names} not installed (apt-get install xvfb openbox)",
                                  names=join(missing))
            return None
        from app.fill.engine import FillOptions
        from app.sandbox.targets import launch_qt_client
        from app.sandbox.xsession import XSession
        session = XSession().start()
        try:
            self._display_env = session.env()
            client = launch_qt_client(session)
            try:
                client.activate()
                t0 = time.perf_counter()
                report = self.pipeline().fill(self._playbook, self._case, self.work / "case.json",
                                              FillOptions(wait_focus_s=5.0, failsafe=False,
                                                          abort_keys=None))
                fill_s = time.perf_counter() - t0
                typed = {n: w.value for n, w in self.sample().expected.fields.items()}
                try:       # the client may show the last key a moment after it was sent
                    client.wait_state(lambda s: all(s["fields"].get(n) == v
                                                    for n, v in typed.items()), 3.0)
                except TimeoutError:
                    pass
                state = client.state()["fields"]
            finally:
                client.close()
        finally:
            self._display_env = {}
            if self._pipeline is not None:
                self._pipeline.close()          # its desktop was on the private display
            session.stop()
        wrong = [n for n, v in typed.items() if state.get(n) != v]
        if wrong:
            raise SelfTestError(_("The sample client holds other values in {fields} ({outcome}).",
                                  fields=join(wrong), outcome=report.outcome))
        return _("{n}/{n} values in the sample client's own state, typed in {s:.2f} s on a "
                 "private display", n=len(typed), s=fill_s)


# ------------------------------------------------------------------- the command
def run_self_test(out: TextIO, *, as_json: bool = False, selftest: SelfTest | None = None) -> int:
    t0 = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="deskhand-selftest-"))
    test = selftest or SelfTest(work)
    test.work = work

    def show(step: Step) -> None:
        if not as_json:
            mark = {PASSED: "✓", FAILED: "✗", SKIPPED: "–"}[step.level]
            pad = " " * max(0, TITLE_COLUMNS - columns(step.title))
            print(f"{mark} {step.title}{pad} {step.seconds:5.1f} s  {step.detail}", file=out,
                  flush=True)
    try:
        steps = test.run(show)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    total = time.perf_counter() - t0
    code = exit_code(steps, test.faults)
    if as_json:
        json.dump({"ok": code == 0, "exit_code": code, "seconds": round(total, 2),
                   "steps": [s.to_json() for s in steps]}, out, ensure_ascii=False, indent=2)
        print(file=out)
    else:
        print(_("Self-test {result} in {s:.1f} s.", s=total,
                result={0: _("passed"), 4: _("passed, fill skipped")}.get(code, _("failed"))),
              file=out)
    return code


def exit_code(steps: list[Step], faults: int = 0) -> int:
    if faults:
        return 3
    if any(s.level == FAILED for s in steps):
        return 1
    return 4 if any(s.level == SKIPPED for s in steps) else 0
