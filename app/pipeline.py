"""The one case pipeline: what the command line, the tray and the fill worker all run.

`build_pipeline` puts the parts together once — settings (the clerk's, under IT's preset),
the playbook library (shipped + the settings' folders), the registries, the OCR engine,
the desktop, on-screen text for anchors and waits, the cases folder — and `Pipeline`
runs a case through them: grab a source, capture (read, check, save, verify, save), fill
(gate, save, type, read back, log, save). Commands and menu actions are thin wrappers,
as Anki's GUI and tests both drive the same `Collection`.

Everything slow or platform-bound is made on first use (the OCR model, the X connection),
so the tray starts in well under a second and `deskhand check` needs no display.
"""
from __future__ import annotations

import difflib
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from app.cases import Case, save_case
from app.errors import (DeskhandError, FillError, RegistryNotConfiguredError, UsageError)
from app.i18n import _, join, sentences

if TYPE_CHECKING:  # pragma: no cover
    from PIL import Image

    from app.a11y.base import Accessibility
    from app.capture.read import CaptureResult
    from app.desktop.base import Desktop, WindowInfo
    from app.fill.anchors import ScreenText
    from app.fill.engine import FillOptions, FillReport, PlannedStep
    from app.library import PlaybookLibrary
    from app.ocr.base import OcrEngine
    from app.scenario.model import ScenarioForms
    from app.scenario.run import ScenarioReport
    from app.registry.settings import RegistrySettings
    from app.settings import Settings
    from playbooks.model import Playbook

__all__ = ["CaptureOutcome", "Pipeline", "PipelineOptions", "Source", "build_pipeline",
           "source_scale"]

Progress = Callable[[str, dict], None]
Audit = Callable[[str, dict], None]     # app.audit.AuditLog is one; it never raises
RAISE_SETTLE_S = 0.3      # a raised window has repainted by then (Xvfb + openbox; Qt and Chromium)
FORM_SETTLE_S = 0.3       # a scenario's next form keeps the focus that long before it is filled


@dataclass
class Source:
    """A picture of the source and where it came from (kept in the case's provenance)."""

    image: "Image.Image"
    provenance: dict[str, Any]
    scale: float = 1.0        # display scale the playbook's regions are multiplied by


@dataclass
class CaptureOutcome:
    playbook: "Playbook"
    case: Case
    case_path: Path
    image: "Image.Image"
    result: "CaptureResult"
    verify_error: DeskhandError | None = None
    timings: dict[str, float] = field(default_factory=dict)
    others: list["CaptureOutcome"] = field(default_factory=list)   # a table's other rows (row: all)

    @property
    def outcomes(self) -> list["CaptureOutcome"]:
        """This case and those of the table's other rows, in row order."""
        return [self, *self.others]

    @property
    def needs_person(self) -> list[str]:
        return self.result.needs_person


@dataclass
class PipelineOptions:
    """What a caller may set; everything else comes from the settings."""

    registries: str | Path | None = None      # a registry settings file over the settings' own
    ocr_engine: str | None = None             # over settings.ocr_engine
    ocr_fallback: bool = True                 # RapidOCR when the chosen engine cannot load
    cases_dir: Path | None = None             # default: the user's data folder
    settings: "Settings | None" = None        # already loaded (the tray); else user + IT preset
    secrets: Callable[[str], str] | None = None   # default: the OS keyring
    display: str | None = None                # default: $DISPLAY
    # for tests: parts made some other way
    engine_factory: Callable[[], "OcrEngine"] | None = None
    desktop_factory: Callable[[], "Desktop"] | None = None
    grabber_factory: Callable[[], Any] | None = None
    accessibility_factory: Callable[[], "Accessibility"] | None = None
    audit: Audit | None = None                # default: the installation's audit log (app.audit)


def source_scale(playbook: "Playbook", image: "Image.Image", kind: str,
                 override: float | None = None) -> float:
    """How much larger than the playbook's logical `size` the source is. A window is
    captured at its own size (its regions are window-relative): 1.0 unless given; the
    screen or a picture of it: its width over the playbook's."""
    if override:
        return override
    spec = playbook.source_spec
    if kind == "window" or spec is None or not spec.size:
        return 1.0
    return image.width / spec.size[0]


class Pipeline:
    """One clerk's case flow. Thread-safe for one capture and one fill at a time."""

    def __init__(self, *, settings: "Settings", library: "PlaybookLibrary", cases_dir: Path,
                 engine_factory: Callable[[], "OcrEngine"],
                 desktop_factory: Callable[[], "Desktop"],
                 grabber_factory: Callable[[], Any],
                 registries: Callable[[], "RegistrySettings"],
                 secrets: Callable[[str], str],
                 problems: list[str] | None = None,
                 accessibility_factory: Callable[[], "Accessibility"] | None = None,
                 audit: Audit | None = None) -> None:
        self.settings = settings
        self.audit: Audit = audit or (lambda event, data: None)   # every stage is one entry
        self.library = library
        self.cases_dir = cases_dir
        self.problems = list(problems or [])    # settings problems, shown as warnings
        self._engine_factory = engine_factory
        self._desktop_factory = desktop_factory
        self._grabber_factory = grabber_factory
        self._registries = registries
        self._secrets = secrets
        self._accessibility_factory = accessibility_factory   # None: the platform's (app.a11y)
        self._engine: "OcrEngine | None" = None
        self._desktop: "Desktop | None" = None
        self._ui_desktop: "Desktop | None" = None
        self._screen_text: "ScreenText | None" = None
        self._lock = threading.Lock()

    # -- playbooks -----------------------------------------------------------------
    def playbook(self, ref: str) -> "Playbook":
        """`ref` is a playbook file, or the id of one in the library (the shipped library
        and the settings' folders, as the tray's menu lists them)."""
        from playbooks.loader import load_playbook
        p = Path(ref)
        if p.is_file() or ref.endswith((".yaml", ".yml")) or os.sep in ref:
            return load_playbook(p)
        pb = self.library.get(ref)
        if pb is not None:
            return pb
        for path, _problem in self.library.broken:
            if path.stem == ref:
                return load_playbook(path)      # raises its own file:line errors
        ids = [p.id for p in self.library.playbooks]
        close = difflib.get_close_matches(ref, ids, 1)
        known = join(sorted(ids))
        raise UsageError(
            _("There is no playbook '{ref}' (did you mean '{close}'?); give a playbook file, or "
              "one of: {known}.", ref=ref, close=close[0], known=known) if close else
            _("There is no playbook '{ref}'; give a playbook file, or one of: {known}.",
              ref=ref, known=known))

    # -- parts, made on first use ---------------------------------------------------
    def engine(self) -> "OcrEngine":
        with self._lock:
            if self._engine is None:
                self._engine = self._engine_factory()
            return self._engine

    def reset_engine(self) -> None:
        """Use a newly chosen OCR engine from the next capture on."""
        with self._lock:
            self._engine = None
            self._screen_text = None

    def warm_up(self) -> None:
        """Load the OCR model now (from a worker thread, when a capture is likely)."""
        load = getattr(self.engine(), "load", None)
        if load:
            load()

    def desktop(self) -> "Desktop":
        with self._lock:
            if self._desktop is None:
                self._desktop = self._desktop_factory()
            return self._desktop

    def ui_desktop(self) -> "Desktop":
        """A second connection for a UI thread (focus hand-back): a desktop connection
        must not be used from two threads at once, and a fill may be running."""
        with self._lock:
            if self._ui_desktop is None:
                self._ui_desktop = self._desktop_factory()
            return self._ui_desktop

    def screen_text(self) -> "ScreenText":
        """Text on screen for `anchor:` clicks and `wait: {text:}` steps, read with the
        same OCR engine as captures."""
        from app.fill.anchors import OcrScreenText
        engine = self.engine()
        with self._lock:
            if self._screen_text is None:
                self._screen_text = OcrScreenText(engine, self._grabber_factory())
            return self._screen_text

    def grabber(self) -> Any:
        """A new screen grabber (app.capture.screen.ScreenGrabber); the caller closes it."""
        return self._grabber_factory()

    def accessibility(self) -> "Accessibility":
        """The accessibility backend (AccessibilityUnavailableError when there is none);
        the caller closes it."""
        if self._accessibility_factory is not None:
            return self._accessibility_factory()
        from app.a11y import open_accessibility
        return open_accessibility()

    def registry_settings(self) -> "RegistrySettings":
        return self._registries()

    def secret(self, name: str) -> str:
        """A credential from the keyring (the vault's sentence when it cannot be had)."""
        return self._secrets(name)

    def close(self) -> None:
        with self._lock:
            for d in (self._desktop, self._ui_desktop):
                if d is not None:
                    d.close()
            self._desktop = self._ui_desktop = None
        closing = getattr(self.audit, "close", None)
        if closing is not None:     # session end: a checkpoint of the audit log
            closing()

    # -- sources --------------------------------------------------------------------
    def load_image(self, playbook: "Playbook", path: str | Path,
                   scale: float | None = None) -> Source:
        from app.capture.sources import load_image
        image = load_image(path)
        return Source(image, {"kind": "image", "file": str(Path(path).resolve())},
                      source_scale(playbook, image, "image", scale))

    def grab_screen(self, playbook: "Playbook", scale: float | None = None) -> Source:
        with self._grabber_factory() as grabber:
            image = grabber.grab_screen()
        return Source(image, {"kind": "screen"}, source_scale(playbook, image, "screen", scale))

    def grab_window(self, playbook: "Playbook", title: str | None = None,
                    scale: float | None = None) -> Source:
        """The window titled like `title`, else the playbook's source window, else the
        focused one (the window the clerk pressed the capture key on). A covered window
        is raised for the picture, and focus handed back afterwards."""
        from app.capture.screen import CaptureError
        from app.capture.sources import find_window, grab_window
        spec = playbook.source_spec
        title = title or (spec.window if spec is not None else None)
        desktop = self.desktop()
        active = desktop.active_window()
        window: "WindowInfo | None" = find_window(desktop, title) if title else active
        if window is None:
            raise CaptureError(_("No window is focused: click on the source (the portal page or "
                                 "the ID card picture) and press the capture key again."))
        raised = active is None or active.id != window.id
        with self._grabber_factory() as grabber:
            if raised:
                desktop.activate(window, 2.0)
                time.sleep(RAISE_SETTLE_S)
            try:
                image = grab_window(grabber, window)
            finally:
                if raised and active is not None:
                    desktop.activate(active, 2.0)
        return Source(image, {"kind": "window", "title": window.title},
                      source_scale(playbook, image, "window", scale))

    def grab_source(self, playbook: "Playbook") -> Source:
        """What the playbook's `source` names, as it is on screen now (the tray's capture key)."""
        spec = playbook.source_spec
        if spec is not None and spec.kind == "screen":
            return self.grab_screen(playbook)
        return self.grab_window(playbook)

    # -- capture --------------------------------------------------------------------
    def capture(self, playbook: "Playbook", source: Source, *, case_path: Path | None = None,
                verify: bool = True, match: dict[str, str] | None = None,
                case_dir: Path | None = None) -> CaptureOutcome:
        """Read `source` with the playbook, save the case (before the registries are asked,
        so it is kept whatever they do), verify it, save again. A required field that could
        not be found is kept `missing`, with why, for the clerk to give (the review, --set);
        the others are kept and verified. Only a source with no text, or none of the
        playbook's fields, is a CaptureError (then nothing is saved). From a table, a case
        is kept with its fields `missing` and the reason (no row selected, two rows matching).

        A table read with `row: all` makes a case per row: the outcome is the first row's,
        its `others` the rest. Their files go in `case_dir`, or next to `case_path` with the
        row's number added (case-1.json, case-2.json), or in the cases folder. `match`
        holds the value a `row: {match: …}` table picks its row by (field name → value)."""
        from app.capture.read import read_rows
        t0 = time.perf_counter()
        results = read_rows(playbook, source.image, self.engine(), scale=source.scale,
                            source=source.provenance, match=match)
        read_s = time.perf_counter() - t0
        table = playbook.source_spec.table if playbook.source_spec is not None else None
        paths = self._case_paths([r.case for r in results], case_path, case_dir,
                                 batch=table is not None and table.row == "all")
        outcomes = []
        for result, path in zip(results, paths):
            case = result.case
            save_case(case, path)
            from app.audit.records import capture_record
            self.audit("capture", capture_record(playbook, case, source.provenance))
            error = None
            timings = {"read_s": read_s}
            if playbook.verify and verify:
                t1 = time.perf_counter()
                error = self.verify(playbook, case)
                timings["verify_s"] = time.perf_counter() - t1
                save_case(case, path)
            timings["total_s"] = time.perf_counter() - t0
            image = result.image if result.image is not None else source.image  # the boxes' picture
            outcomes.append(CaptureOutcome(playbook, case, path, image, result, error, timings))
        first = outcomes[0]
        first.others = outcomes[1:]
        return first

    def _case_paths(self, cases: list[Case], case_path: Path | None, case_dir: Path | None,
                    *, batch: bool) -> list[Path]:
        """Where each case is kept: see `capture`."""
        if batch:                   # one id, numbered by row: the files sort in row order
            base = cases[0].case_id
            for i, case in enumerate(cases, 1):
                case.case_id = f"{base}-r{i:02d}"
        if case_path is not None and not batch:
            return [case_path]
        if case_path is not None:
            return [case_path.with_name(f"{case_path.stem}-{i}{case_path.suffix or '.json'}")
                    for i in range(1, len(cases) + 1)]
        return [(case_dir or self.cases_dir) / f"{case.case_id}.json" for case in cases]

    def verify(self, playbook: "Playbook", case: Case) -> DeskhandError | None:
        """Ask the registries the playbook names; the error that stopped it, if any. The
        case is updated either way: fields no registry confirmed are `unverified`."""
        from app.audit.records import verify_record
        from app.registry.client import RegistryClient
        from app.registry.verify import mark_unverified, verify_case
        try:
            settings = self.registry_settings()
            with RegistryClient(settings, secrets=self._secrets) as client:
                verify_case(case, playbook, client)
        except DeskhandError as exc:
            mark_unverified(case, playbook, exc.message)
            self.audit("verify", verify_record(playbook, case, exc.message))
            return exc
        self.audit("verify", verify_record(playbook, case, None))
        return None

    def review(self, playbook: "Playbook", case: Case, decision: str, by: str) -> None:
        """The clerk's decision on a case before typing (the tray's review, the command
        line's question or --yes): one audit entry."""
        self.audit("review", {"playbook": playbook.id, "case": case.case_id,
                              "decision": decision, "by": by})

    # -- fill -----------------------------------------------------------------------
    def fill(self, playbook: "Playbook", case: Case, case_path: Path | None, options: "FillOptions",
             *, progress: Progress | None = None,
             before_typing: Callable[[list["PlannedStep"]], bool] | None = None,
             accessibility: bool | None = None, log: dict | None = None) -> "FillReport":
        """Type `case` into the focused approval client. The case is saved before the gate
        and the first keystroke, and after with a fill-log entry whatever happened — a
        refusal, a stolen focus, an abort, or a fault of our own — so `--start-step`
        resumes it. `before_typing` sees the plan once every value passed the gate; False
        from it cancels (outcome "cancelled", nothing typed). A playbook with set or press
        steps gets the accessibility backend (unless `accessibility`, default the settings'
        switch, is False), closed
        after the fill; when there is none, the report's first warning says why. Raises
        the DeskhandError that stopped it, with the report on its `__deskhand_report__`
        attribute. `log` is added to the fill's entry in the case's log (a scenario's
        form)."""
        from app.fill.addressed import open_for_fill, uses_addressed_steps
        from app.fill.anchors import needs_screen_text
        from app.fill.engine import FillEngine, FillReport, plan
        from app.values.derive import settle_case
        path = case_path or self.cases_dir / f"{case.case_id}.json"
        settle_case(playbook, case)      # values given or edited since the capture, too
        save_case(case, path)
        engine: FillEngine | None = None
        report: FillReport | None = None
        error: DeskhandError | None = None
        backend, why_not = None, None
        try:
            from app.values.vault_fields import with_vault_values
            # passwords from the keyring, into a copy that is never saved
            self._refuse_untrusted(playbook)
            typed = with_vault_values(playbook, case, self.secret)
            steps = plan(playbook, typed)      # the gate: raises before anything is typed
            if before_typing is not None and not before_typing(steps):
                report = FillReport(playbook=playbook.id, outcome="cancelled")
                return report
            addressed = uses_addressed_steps(playbook)
            if addressed:
                use = self.settings.accessibility if accessibility is None else accessibility
                backend, why_not = open_for_fill(use, self._accessibility_factory)
            engine = FillEngine(self.desktop(), options, progress=progress,
                                screen_text=self.screen_text if needs_screen_text(playbook)
                                or addressed else None, accessibility=backend)
            report = engine.fill(playbook, typed)
            return report
        except DeskhandError as exc:
            error = exc
            raise
        except Exception as exc:   # a fault of ours: logged in full, shown as a sentence
            from app.logs import log_crash
            logged = log_crash(exc, f"fill of {playbook.id}")
            kind = type(exc).__name__
            error = FillError(sentences([
                _("Typing stopped because of an unexpected problem ({kind}); the details are "
                  "in {path}.", kind=kind, path=logged) if logged else
                _("Typing stopped because of an unexpected problem ({kind}); the details "
                  "could not be logged.", kind=kind),
                _("The case is kept; check the client before resuming.")]),
                playbook=playbook.id)
            raise error from exc
        finally:
            if backend is not None:
                backend.close()
            began = engine is not None and engine.last_report is not None
            report = report or (engine.last_report if engine else None) or FillReport(
                playbook=playbook.id, outcome="not_started")
            if why_not and began:
                report.warnings.insert(0, why_not)
            if error is not None:
                if report.outcome == "done" or (began and report.outcome == "not_started"):
                    report.outcome = "failed"
                error.__deskhand_report__ = report  # type: ignore[attr-defined]
            case.fills.append({**report.log_entry(error.message if error else None),
                               **(log or {})})
            save_case(case, path)
            from app.audit.records import fill_record
            self.audit("fill", fill_record(playbook, case, report,
                                           error.message if error else None))


    def _refuse_untrusted(self, playbook: "Playbook") -> None:
        """When IT requires signed packs, only a playbook the tray would offer (shipped, or
        in a trusted pack) types; a file named on the command line does not slip past."""
        policy = getattr(self.settings, "packs", None)
        if policy is None or not policy.require_signature or \
                self.library.offers_file(playbook.path):
            return
        from app.errors import PackError
        raise PackError(_("IT requires signed playbook packs, and {path} is not in a trusted "
                          "pack: nothing was typed. Ask IT to sign it into a pack ('deskhand "
                          "check' and 'deskhand test' still read it).", path=playbook.path),
                        reason="untrusted", file=str(playbook.path or ""), playbook=playbook.id)

    def fill_scenario(self, scenario: "ScenarioForms", case: Case, case_path: Path,
                      options: "FillOptions", *, restart: bool = False,
                      accessibility: bool | None = None,
                      progress: Progress | None = None) -> "ScenarioReport":
        """Fill the scenario's forms not filled yet for `case`, each as `fill` does, its
        window brought to the front first; the values a form issued are read off it
        (through the tree, else by OCR) into the case (app/scenario/run.py)."""
        from app.fill.addressed import open_for_fill
        from app.scenario.keep import read_kept
        from app.scenario.run import run_scenario
        use = self.settings.accessibility if accessibility is None else accessibility
        needs_look = any(f.keep for f in scenario.forms)
        backend = open_for_fill(use, self._accessibility_factory)[0] if needs_look else None
        try:
            return run_scenario(
                scenario, case, case_path,
                fill=lambda form, c, log: self.fill(form.playbook, c, case_path, options,
                                                    progress=_form_started(progress, form, log,
                                                                            len(scenario.forms)),
                                                    accessibility=accessibility, log=log),
                windows=self.desktop(),
                read_kept=lambda keep, window: read_kept(
                    keep, window, a11y=backend, screen=self.screen_text),
                restart=restart, settle_s=FORM_SETTLE_S)
        finally:
            if backend is not None:
                backend.close()


def _form_started(progress: Progress | None, form: Any, log: dict, total: int
                  ) -> Progress | None:
    """Tell `progress` which form starts ("form": index, total, name) before its fill's
    own events: the tray's overlay says 第 1/3 张表：设立登记."""
    if progress is not None:
        tag = log["scenario"]
        progress("form", {"index": tag["form"], "total": total, "name": form.name})
    return progress


def build_pipeline(options: PipelineOptions | None = None) -> Pipeline:
    """The pipeline from the settings (the clerk's under IT's preset) and `options`."""
    options = options or PipelineOptions()
    problems: list[str] = []
    settings = options.settings
    if settings is None:
        settings, problems = load_settings()
    from app.library import library_for
    from app.paths import default_cases_dir
    library = library_for(settings)
    display = options.display if options.display is not None else os.environ.get("DISPLAY")
    engine_name = options.ocr_engine or settings.ocr_engine or "rapidocr"

    def engine() -> "OcrEngine":
        from app.ocr import open_engine
        return open_engine(engine_name, fallback=options.ocr_fallback)

    def desktop() -> "Desktop":
        from app.desktop import open_desktop
        return open_desktop()

    def grabber() -> Any:
        from app.capture.screen import ScreenGrabber
        return ScreenGrabber(display=display)

    def registries() -> "RegistrySettings":
        return registry_settings_for(settings, options.registries)

    def secrets(name: str) -> str:
        from app.vault import Vault
        return Vault().get(name)

    audit = options.audit
    if audit is None:
        from app.audit import open_audit
        try:
            audit = open_audit(settings)
        except DeskhandError as exc:    # a broken `audit:` preset: said, and no case stops
            problems.append(exc.message)

    return Pipeline(settings=settings, library=library,
                    cases_dir=options.cases_dir or default_cases_dir(),
                    engine_factory=options.engine_factory or engine,
                    desktop_factory=options.desktop_factory or desktop,
                    grabber_factory=options.grabber_factory or grabber,
                    registries=registries, secrets=options.secrets or secrets,
                    problems=problems, accessibility_factory=options.accessibility_factory,
                    audit=audit)


def load_settings() -> tuple["Settings", list[str]]:
    """The clerk's settings under IT's preset, and what was wrong with them. Broken
    settings never stop Deskhand: the problem is reported and app.settings.fail_closed's
    defaults are used."""
    from app.settings import SettingsStore, fail_closed
    try:
        store = SettingsStore.default()
        settings = store.load()
        return settings, list(store.problems)
    except DeskhandError as exc:
        settings, problem = fail_closed(exc.message)
        return settings, [problem]


def registry_settings_for(settings: "Settings", override: str | Path | None) -> "RegistrySettings":
    """A file given on the command line; else the registries in the settings (the
    settings dialog or IT's preset); else $DESKHAND_REGISTRIES or registries.yaml in the
    user's config folder. RegistryNotConfiguredError when there are none at all."""
    from app.paths import registry_settings_path
    from app.registry.settings import load_registry_settings
    if override:
        return load_registry_settings(override)
    if settings.registries:
        return settings.registry_settings()
    path = registry_settings_path()
    if path.exists() or os.environ.get("DESKHAND_REGISTRIES"):
        return load_registry_settings(path)
    raise RegistryNotConfiguredError(
        _("No data-sharing registry is set up on this computer, so nothing was checked against "
          "the registries. IT sets them up in the settings or in {path}.", path=path))
