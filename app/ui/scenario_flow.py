"""A scenario (业务场景) in the tray: one case → one review → every form filled in turn → the
summary per form, 继续 after a stop, and 生成文书.

The fill is Pipeline.fill_scenario in the fill worker process (FillWorkerProcess.fill_scenario,
the same run as `deskhand fill PACK`); the documents are app.docs.build.make_documents (the
same as `deskhand docs`) on a worker thread. The TrayApp owns one ScenarioFlow and hands it
its menu actions while a scenario is chosen.
"""
from __future__ import annotations

import copy
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog

from app.cases import Case, load_case, new_case_id, refuse_doubtful_values, save_case
from app.errors import DeskhandError
from app.i18n import _
from app.privacy import mask_text
from app.scenario.library import ScenarioEntry, ScenarioShelf, group_lines, review_playbook
from app.ui.dispatch import run_in_worker
from app.ui.intake_dialog import status_text

if TYPE_CHECKING:  # pragma: no cover
    from app.scenario.model import ScenarioForms
    from app.ui.tray import TrayApp

__all__ = ["ScenarioFlow", "documents_folder"]

log = logging.getLogger("deskhand.ui")
DOCS_FOLDER = "文书"


def documents_folder(cases_dir: Path, case: Case, now: datetime | None = None) -> Path:
    """A new folder for one run's documents, under the clerk's cases folder: 文书/<case>-<time>."""
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    return cases_dir / DOCS_FOLDER / f"{case.case_id}-{stamp}"


@dataclass
class ScenarioCase:
    case: Case
    case_path: Path
    confirmed: bool = False


class ScenarioFlow(QObject):
    """`tray` gives the pipeline, fill worker, abort event, notifications and state."""

    def __init__(self, tray: "TrayApp", shelf: ScenarioShelf) -> None:
        super().__init__(tray)
        self.tray = tray
        self.shelf = shelf
        self.current: ScenarioCase | None = None
        self.last_report: Any = None          # app.scenario.run.ScenarioReport
        self.last_docs: Path | None = None
        self.docs_error: str | None = None
        self.review: Any = None
        self.summary: Any = None
        self.docs_window: Any = None
        self.intake_dialog: Any = None

    # -- the chosen scenario ---------------------------------------------------------
    @property
    def entry(self) -> ScenarioEntry | None:
        return self.shelf.get(self.tray.state.scenario_id)

    def forms(self) -> "ScenarioForms | None":
        """The chosen scenario's forms, read again from its pack (a sentence when broken)."""
        from app.scenario.forms import scenario_forms
        from playbooks.scenario import load_scenario
        entry = self.entry
        if entry is None:
            self.tray.notify(self.tr("No scenario"), self.tr("Pick a scenario in the tray menu "
                                                             "first."), warning=True)
            return None
        try:
            return scenario_forms(load_scenario(entry.path), self.tray.pipeline.playbook)
        except DeskhandError as exc:
            self.tray.notify(self.tr("The scenario cannot be used"), str(exc), warning=True)
            return None

    def capture_playbook(self) -> Any:
        """A scenario's case is captured with its first form's playbook."""
        forms = self.forms()
        return forms.forms[0].playbook if forms is not None else None

    # -- a case for it -----------------------------------------------------------------
    def open_intake(self, path: str | None = None) -> None:
        """The case for the chosen scenario. The 一张表单 intake dialog plugs in here; until
        then the clerk opens a case file (JSON: the intake's output, or plain values)."""
        forms = self.forms()
        if forms is None or self.tray.refuse_if_busy("intake"):
            return
        if path is None:
            path, _kind = QFileDialog.getOpenFileName(None, self.tr("Case for {name}").format(
                name=forms.name), str(self.tray.pipeline.cases_dir), self.tr("Cases (*.json)"))
            if not path:
                return
        try:
            case = load_case(path, forms.id)
        except DeskhandError as exc:
            self.tray.notify(self.tr("Cannot read the case"), exc.message, warning=True)
            return
        # a plain values file is not a case file: the case is kept in the cases folder
        case_path = self.tray.pipeline.cases_dir / f"{case.case_id}.json" if case.plain \
            else Path(path)
        self.take_case(case, case_path)

    def fill_intake(self) -> None:
        """The 一张表单 for the chosen scenario (app/ui/intake_dialog.py: the ID card read
        by OCR into it, every value checked as it is typed). Saved, its case is the
        scenario's case and goes to the one review. A case not yet filled (one the review
        or the fill refused) opens in it again, to be corrected."""
        from app.intake.cli import card_reader
        from app.intake.model import Intake
        from app.ui.intake_dialog import IntakeDialog
        forms = self.forms()
        if forms is None or self.tray.refuse_if_busy("intake"):
            return
        if self.current is not None and not self.current.confirmed:
            intake, output = Intake.from_case(self.current.case), self.current.case_path
        else:
            intake = Intake(case_id=new_case_id())
            output = self.tray.pipeline.cases_dir / f"{intake.case_id}.json"
        dialog = IntakeDialog(intake, card_reader(self.tray.pipeline), output, forms.name)
        dialog.accepted.connect(lambda: self._intake_saved(dialog, forms.id))
        self.intake_dialog = dialog
        dialog.show()
        dialog.raise_()

    def _intake_saved(self, dialog: Any, scenario_id: str) -> None:
        if not dialog.saved:
            return
        try:
            case = load_case(dialog.output, scenario_id)
        except DeskhandError as exc:
            self.tray.notify(self.tr("Cannot read the case"), exc.message, warning=True)
            return
        self.take_case(case, Path(dialog.output))

    def take_case(self, case: Case, case_path: Path) -> None:
        """`case` (opened, captured or from the intake) is the scenario's case: review it."""
        self.current = ScenarioCase(case, case_path)
        self.last_report, self.last_docs, self.docs_error = None, None, None
        self.tray.note(f"scenario case {case.case_id}")
        self.show_review()

    # -- one review for all forms ------------------------------------------------------
    def show_review(self) -> None:
        from app.ui.review import ReviewDialog
        forms, current = self.forms(), self.current
        if forms is None or current is None:
            if forms is not None:
                self.tray.notify(self.tr("No case yet"),
                                 self.tr("Open a case for the scenario first."))
            return
        if self.review is not None:
            self.review.close()
        entry = self.entry
        playbook = review_playbook(forms, current.case)
        self.review = ReviewDialog(current.case, playbook, None,
                                   groups=group_lines(current.case, mask_text, status_text),
                                   documents=bool(entry and entry.documents))
        self.review.confirmed.connect(lambda case: self._confirmed(case, playbook))
        self.review.cancelled.connect(lambda: self._cancelled(current.case, playbook))
        self.review.documents_requested.connect(self.documents)
        self.review.show()
        self.review.raise_()
        self.review.activateWindow()
        self.tray.note("review shown")
        self.tray.state_changed.emit()

    def _cancelled(self, case: Case, playbook: Any) -> None:
        self.tray.pipeline.review(playbook, case, "cancelled", "tray scenario review")
        self.tray.note("review cancelled")

    def _confirmed(self, case: Case, playbook: Any) -> None:
        current = self.current
        if current is None:
            return
        self.tray.pipeline.review(playbook, case, "accepted", "tray scenario review")
        current.case, current.confirmed = case, True
        self.tray.note("review confirmed")
        self.fill()       # Deskhand brings each form's window up itself: nothing to focus first

    # -- filling ---------------------------------------------------------------------
    def fill(self, restart: bool = False) -> None:
        forms, current, tray = self.forms(), self.current, self.tray
        if forms is None:
            return
        if current is None:
            tray.notify(self.tr("Nothing to fill"), self.tr("Open a case for the scenario first."),
                        warning=True)
            return
        if not current.confirmed:
            self.show_review()
            return
        try:
            # the review confirms the forms' fields; a group value that failed the intake
            # form's checks is corrected there (as `deskhand fill` refuses it too)
            refuse_doubtful_values(current.case, [], _("Nothing was typed"))
        except DeskhandError as exc:
            tray.notify(self.tr("Check the case first"), mask_text(exc.message), warning=True)
            tray.state.last_error = mask_text(exc.message)
            return
        if tray.refuse_if_busy("fill"):
            return
        try:
            save_case(current.case, current.case_path)     # the worker fills what is on disk
        except DeskhandError as exc:
            tray.notify(self.tr("Case not saved"), exc.message, warning=True)
            return
        for window in (self.review, self.summary):
            if window is not None and window.isVisible():
                window.close()
        tray.state.busy = "fill"
        tray.abort_event.clear()
        tray.note("scenario fill started")
        progress = tray.scenario_progress(forms)
        path, entry = current.case_path, self.entry
        assert entry is not None

        def work():  # type: ignore[no-untyped-def]
            return tray.fill_worker.fill_scenario(entry.path, path, restart=restart,
                                                  progress=progress, abort=tray.abort_event)

        def done(report: Any) -> None:
            self._finished(forms, report, None)

        def failed(exc: BaseException) -> None:
            self._finished(forms, None, exc)

        run_in_worker("deskhand-scenario", work, done, failed, tray.main)

    def resume(self) -> None:
        """继续: the forms not done yet (the runner skips those filled before)."""
        self.fill(restart=False)

    def _finished(self, forms: "ScenarioForms", report: Any, exc: BaseException | None) -> None:
        tray, current = self.tray, self.current
        tray.state.busy = None
        tray.state.fills += 1
        if tray.progress is not None:
            tray.progress.finish()
        if current is not None:
            try:
                current.case = load_case(current.case_path, forms.id)   # its fill log, kept values
            except DeskhandError as exc2:
                log.warning("case not re-read after the scenario: %s", exc2.message)
        if report is None:
            message = exc.message if isinstance(exc, DeskhandError) else repr(exc)
            if not isinstance(exc, DeskhandError):
                log.error("scenario fill failed", exc_info=exc)
            tray.state.last_fill = {"outcome": "failed", "message": mask_text(message)}
            tray.note("scenario fill failed")
            tray.notify(self.tr("Nothing was filled"), mask_text(message), warning=True)
            tray.state_changed.emit()
            return
        self.last_report = report
        tray.state.last_fill = {
            "outcome": "done" if report.done else "stopped",
            "stopped_at": report.stopped_at, "message": mask_text(report.message or "") or None,
            "forms": [{"name": r.name, "outcome": r.outcome, "readback_ok": r.confirmed,
                       "differs": list(r.differs)} for r in report.forms]}
        tray.note("scenario " + ("done" if report.done else f"stopped at {report.stopped_at}"))
        self.show_summary(forms)
        tray.state_changed.emit()

    def show_summary(self, forms: "ScenarioForms") -> None:
        from app.ui.scenario_windows import ScenarioSummary, scenario_summary_text
        report = self.last_report
        names = [f.name for f in forms.forms]
        title, body = scenario_summary_text(report, names, forms.name)
        self.tray.notify(title, body, warning=not report.done)
        if self.summary is not None:
            self.summary.close()
        entry = self.entry
        self.summary = ScenarioSummary(report, names, forms.name,
                                       documents=bool(entry and entry.documents))
        self.summary.resume_requested.connect(self.resume)
        self.summary.documents_requested.connect(lambda: self.documents(None))
        self.summary.show()

    # -- documents ---------------------------------------------------------------------
    def documents(self, case: Case | None = None) -> None:
        """生成文书: the scenario's documents for the case (the review's edited copy, else
        the case as kept) into a new folder under the cases folder, on a worker thread."""
        from app.docs.build import make_documents
        from app.docs.pdf import PdfConverter
        from playbooks.scenario import load_scenario
        tray, current, entry = self.tray, self.current, self.entry
        if current is None or entry is None:
            tray.notify(self.tr("No case yet"), self.tr("Open a case for the scenario first."))
            return
        if tray.refuse_if_busy("documents"):
            return
        case = copy.deepcopy(case if case is not None else current.case)
        outdir = documents_folder(tray.pipeline.cases_dir, case)
        tray.state.busy = "documents"
        self.docs_error = None
        tray.note("documents started")

        def work():  # type: ignore[no-untyped-def]
            outdir.parent.mkdir(parents=True, exist_ok=True)
            return make_documents(load_scenario(entry.path), case, outdir, PdfConverter(),
                                  case_file=current.case_path)

        def done(result: Any) -> None:
            tray.state.busy = None
            self.last_docs = result.outdir
            tray.note(f"documents written: {len(result.documents)}")
            from app.ui.scenario_windows import DocumentsWritten
            self.docs_window = DocumentsWritten(result.outdir,
                                                [d["title"] for d in result.documents],
                                                open_folder)
            self.docs_window.show()
            tray.state_changed.emit()

        def failed(exc: BaseException) -> None:
            tray.state.busy = None
            message = str(exc) if isinstance(exc, DeskhandError) else repr(exc)
            if not isinstance(exc, DeskhandError):
                log.error("documents failed", exc_info=exc)
            self.docs_error = mask_text(message)
            tray.note("documents failed")
            tray.notify(self.tr("The documents were not written"), mask_text(message),
                        warning=True)
            tray.state_changed.emit()

        run_in_worker("deskhand-documents", work, done, failed, tray.main)

    # -- for the tray's status ---------------------------------------------------------
    def status(self) -> dict[str, Any]:
        current, report = self.current, self.last_report
        return {
            "menu_scenarios": [s.id for s in self.shelf.scenarios],
            "scenario": self.tray.state.scenario_id,
            "scenario_case": str(current.case_path) if current else None,
            "scenario_confirmed": bool(current and current.confirmed),
            "scenario_can_resume": bool(report is not None and report.stopped_at is not None),
            "summary_open": bool(self.summary is not None and self.summary.isVisible()),
            "summary_active": bool(self.summary is not None and self.summary.isVisible()
                                   and self.summary.isActiveWindow()),
            "summary_text": self.summary.body.text() if self.summary is not None else None,
            "documents": str(self.last_docs) if self.last_docs else None,
            "documents_error": self.docs_error,
        }


def open_folder(folder: Path) -> None:
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))

