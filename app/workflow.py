"""The clerk's flow without any UI: capture a source into a checked, verified case, and
fill a case into the approval client. The command line and the tray both use it.

Everything slow or platform-bound is handed in (OCR engine, screen grabber, desktop,
registry settings, secrets), and loaded only when first needed: the tray starts in well
under a second and the OCR model loads on the first capture, in a worker thread.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from app.cases import Case, save_case
from app.errors import DeskhandError

if TYPE_CHECKING:  # pragma: no cover
    from PIL import Image

    from app.capture.read import CaptureResult
    from app.desktop.base import Desktop, WindowInfo
    from app.fill.engine import FillReport
    from app.ocr.base import OcrEngine
    from app.registry.settings import RegistrySettings
    from playbooks.model import Playbook

__all__ = ["CaptureOutcome", "Workflow", "capture_case", "verify_in_place"]

Progress = Callable[[str, dict], None]
RAISE_SETTLE_S = 0.3      # a raised window has repainted by then (Xvfb + openbox; Qt and Chromium)


@dataclass
class CaptureOutcome:
    playbook: "Playbook"
    case: Case
    case_path: Path
    image: "Image.Image"
    result: "CaptureResult"
    verify_error: DeskhandError | None = None
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def needs_person(self) -> list[str]:
        return self.result.needs_person


def verify_in_place(playbook: "Playbook", case: Case, settings: "RegistrySettings",
                    secrets: Callable[[str], str]) -> DeskhandError | None:
    """Ask the registries the playbook names; the error that stopped it, if any. The case
    is updated either way: fields the registries could not confirm are `unverified`."""
    from app.registry.client import RegistryClient
    from app.registry.verify import mark_unverified, verify_case
    try:
        with RegistryClient(settings, secrets=secrets) as client:
            verify_case(case, playbook, client)
    except DeskhandError as exc:
        mark_unverified(case, playbook, exc.message)
        return exc
    return None


def capture_case(playbook: "Playbook", image: "Image.Image", engine: "OcrEngine", *,
                 case_path: Path | None, cases_dir: Path, source: dict[str, Any],
                 scale: float = 1.0,
                 registries: Callable[[], "RegistrySettings"] | None = None,
                 secrets: Callable[[str], str] | None = None) -> CaptureOutcome:
    """Read `image` with the playbook, save the case (before the registries are asked, so
    it is kept whatever they do), verify it when `registries` is given, save again.
    Raises CaptureError when required fields are missing (then nothing is saved)."""
    from app.capture.read import read_source
    from app.capture.screen import CaptureError
    t0 = time.perf_counter()
    result = read_source(playbook, image, engine, scale=scale, source=source)
    timings = {"read_s": time.perf_counter() - t0}
    if result.missing_required:
        raise CaptureError("These fields could not be found on the source: "
                           + ", ".join(result.missing_required) + ". Check that the right page "
                           "is showing in full; no case file was written.")
    case = result.case
    path = case_path or cases_dir / f"{case.case_id}.json"
    save_case(case, path)
    error = None
    if playbook.verify and registries is not None:
        t1 = time.perf_counter()
        try:
            settings = registries()
        except DeskhandError as exc:
            from app.registry.verify import mark_unverified
            error = exc
            mark_unverified(case, playbook, exc.message)
        else:
            error = verify_in_place(playbook, case, settings, secrets or (lambda n: ""))
        timings["verify_s"] = time.perf_counter() - t1
        save_case(case, path)
    timings["total_s"] = time.perf_counter() - t0
    return CaptureOutcome(playbook, case, path, image, result, error, timings)


class Workflow:
    """The tray's side of a case. Thread-safe enough for one capture and one fill at a
    time (the tray never runs two of either at once)."""

    def __init__(self, *, cases_dir: Path,
                 engine_factory: Callable[[], "OcrEngine"],
                 desktop_factory: Callable[[], "Desktop"],
                 grabber_factory: Callable[[], Any],
                 registries: Callable[[], "RegistrySettings"] | None,
                 secrets: Callable[[str], str]) -> None:
        self.cases_dir = cases_dir
        self._engine_factory = engine_factory
        self._desktop_factory = desktop_factory
        self._grabber_factory = grabber_factory
        self._registries = registries
        self._secrets = secrets
        self._engine: "OcrEngine | None" = None
        self._desktop: "Desktop | None" = None
        self._ui_desktop: "Desktop | None" = None
        self._lock = threading.Lock()

    # -- lazily made parts -----------------------------------------------------------
    def engine(self) -> "OcrEngine":
        with self._lock:
            if self._engine is None:
                self._engine = self._engine_factory()
            return self._engine

    def reset_engine(self) -> None:
        """Use a newly chosen OCR engine from the next capture on."""
        with self._lock:
            self._engine = None

    def warm_up(self) -> None:
        """Load the OCR model now (call from a worker thread when a capture is likely)."""
        engine = self.engine()
        load = getattr(engine, "load", None)
        if load:
            load()

    def desktop(self) -> "Desktop":
        with self._lock:
            if self._desktop is None:
                self._desktop = self._desktop_factory()
            return self._desktop

    def ui_desktop(self) -> "Desktop":
        """A second connection for the UI thread (focus hand-back): a desktop connection
        must not be used from two threads at once, and a fill may be running."""
        with self._lock:
            if self._ui_desktop is None:
                self._ui_desktop = self._desktop_factory()
            return self._ui_desktop

    def close(self) -> None:
        with self._lock:
            for d in (self._desktop, self._ui_desktop):
                if d is not None:
                    d.close()
            self._desktop = self._ui_desktop = None

    # -- capture ---------------------------------------------------------------------
    def grab_source(self, playbook: "Playbook") -> tuple["Image.Image", dict[str, Any], float]:
        """The source of `playbook` as it is on screen now: the window its source names
        (by title), else the focused window (the one the clerk pressed the hotkey on), or
        the whole screen for `kind: screen`. Returns (image, provenance, scale)."""
        from app.capture.sources import find_window, grab_window
        spec = playbook.source_spec
        with self._grabber_factory() as grabber:
            if spec is not None and spec.kind == "screen":
                image = grabber.grab_screen()
                return image, {"kind": "screen"}, _scale(spec, image.width)
            desktop = self.desktop()
            window: "WindowInfo | None"
            active = desktop.active_window()
            if spec is not None and spec.window:
                window = find_window(desktop, spec.window)
            else:
                window = active
            if window is None:
                from app.capture.screen import CaptureError
                raise CaptureError("No window is focused: click on the source (the portal page "
                                   "or the ID card picture) and press the capture key again.")
            raised = active is None or active.id != window.id
            if raised:
                # Only what is on screen can be captured: bring the source up first, and
                # hand focus back afterwards so the clerk stays where they were.
                desktop.activate(window, 2.0)
                time.sleep(RAISE_SETTLE_S)
            try:
                image = grab_window(grabber, window)
            finally:
                if raised and active is not None:
                    desktop.activate(active, 2.0)
            return image, {"kind": "window", "title": window.title}, 1.0

    def capture(self, playbook: "Playbook", *, image: "Image.Image | None" = None,
                source: dict[str, Any] | None = None, scale: float | None = None,
                verify: bool = True) -> CaptureOutcome:
        t0 = time.perf_counter()
        if image is None:
            image, source, scale = self.grab_source(playbook)
        grab_s = time.perf_counter() - t0
        outcome = capture_case(playbook, image, self.engine(), case_path=None,
                               cases_dir=self.cases_dir, source=source or {"kind": "image"},
                               scale=scale or 1.0,
                               registries=self._registries if verify else None,
                               secrets=self._secrets)
        outcome.timings["grab_s"] = grab_s
        return outcome

    # -- fill ------------------------------------------------------------------------
    def fill(self, playbook: "Playbook", case: Case, case_path: Path | None, *,
             progress: Progress | None = None, abort: threading.Event | None = None,
             wait_focus_s: float = 5.0) -> "FillReport":
        """Type `case` into the focused approval client. Raises the FillError that stopped
        it; `report` is then on the exception's `__deskhand_report__` attribute and in the
        case's fill log. The case is saved before the first keystroke and after."""
        from app.fill.engine import FillEngine, FillOptions
        path = case_path or self.cases_dir / f"{case.case_id}.json"
        save_case(case, path)
        engine = FillEngine(self.desktop(), FillOptions(wait_focus_s=wait_focus_s, abort_keys=None,
                                                        abort_event=abort),
                            progress=progress)
        report, error = None, None
        try:
            report = engine.fill(playbook, case)
            return report
        except DeskhandError as exc:
            report, error = engine.last_report, exc
            exc.__deskhand_report__ = report  # type: ignore[attr-defined]
            raise
        finally:
            if report is not None:
                case.fills.append(report.log_entry(error.message if error else None))
                save_case(case, path)


def _scale(spec: Any, width: int) -> float:
    return width / spec.size[0] if spec is not None and spec.size else 1.0
