"""The supervisor's playbook editor (编辑业务流程): `deskhand edit PLAYBOOK`, or the tray's 编辑业务流程….

    left    the source picture (a sample beside the playbook, or a recording's picture),
            read through the case pipeline: each field's box and label drawn, the fields
            not found listed
    middle  the fields (name, 标签, type) and the fill steps (drag to reorder, insert,
            edit, delete)
    right   the YAML, kept in step both ways, with the loader's file:line problems

Every edit goes through playbooks/roundtrip.py, so saving keeps comments, order and quoting
and rewrites only what changed; a playbook the loader refuses is saved only as a draft the
supervisor asked for. 试运行 captures a sample through the pipeline and shows the fields
against the sample's expected values and the fill's dry run (app/trial.py); then,
optionally, a real fill into a window the supervisor names.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Callable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (QInputDialog, QLabel, QMainWindow, QMessageBox, QSplitter,
                               QVBoxLayout, QWidget)

from app.errors import DeskhandError, UsageError
from app.i18n import _
from app.ui.dispatch import MainThread, run_in_worker
from app.ui.editor_panes import FieldsTable, SourcePane, StepsPane, YamlPane, one_line
from app.ui.widgets import is_sensitive
from playbooks.errors import PlaybookError
from playbooks.roundtrip import DocumentError, PlaybookDocument, problems, save_text

__all__ = ["EditorWindow", "playbook_file", "run_editor"]

log = logging.getLogger("deskhand.ui")

# (problems) -> True to save anyway, as a draft
AskDraft = Callable[[Sequence[PlaybookError]], bool]
# () -> "save", "discard" or "cancel": closing with unsaved changes
AskUnsaved = Callable[[], str]


class EditorWindow(QMainWindow):
    """One playbook file. `pipeline`: app.pipeline.Pipeline (capture and fill, as the
    tray and the command line run them); `main`: where worker results come back."""

    trial_finished = Signal(object)     # app.trial.Trial, or the error that stopped it

    def __init__(self, path: str | Path, *, pipeline: Any, main: MainThread,
                 ask_draft: AskDraft | None = None, ask_unsaved: AskUnsaved | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path = Path(path)
        self.filename = str(path)
        self.pipeline = pipeline
        self.main = main
        self.ask_draft = ask_draft or self._ask_draft
        self.ask_unsaved = ask_unsaved or self._ask_unsaved
        self.saved_text = self.path.read_bytes().decode("utf-8")
        self.text = self.saved_text
        self.doc: PlaybookDocument | None = None
        self.problems: list[PlaybookError] = []
        self.trial: Any = None              # the last app.trial.Trial
        self.trial_dialog: Any = None
        self.busy = False
        self.samples: list[Any] = []

        self.source = SourcePane(self)
        self.fields = FieldsTable(self)
        self.steps = StepsPane(self)
        self.yaml = YamlPane(self)
        self.fields_title, self.steps_title = QLabel(self), QLabel(self)
        middle = QWidget(self)
        column = QVBoxLayout(middle)
        column.setContentsMargins(0, 0, 0, 0)
        for w in (self.fields_title, self.fields, self.steps_title, self.steps):
            column.addWidget(w, 1 if w in (self.fields, self.steps) else 0)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        for w in (self.source, middle, self.yaml):
            split.addWidget(w)
        split.setSizes([520, 420, 460])
        self.setCentralWidget(split)

        bar = self.addToolBar("main")
        self.act_save = QAction(self)
        self.act_save.setShortcut(QKeySequence.StandardKey.Save)
        self.act_save.triggered.connect(lambda: self.save())
        self.act_trial = QAction(self)
        self.act_trial.triggered.connect(lambda: self.run_trial(show=True))
        bar.addAction(self.act_save)
        bar.addAction(self.act_trial)

        self.fields.renamed.connect(self.rename_field)
        self.fields.field_changed.connect(self.set_field)
        self.steps.moved.connect(self.move_step)
        self.steps.deleted.connect(self.delete_step)
        self.steps.insert_requested.connect(self._ask_insert)
        self.steps.edit_requested.connect(self._ask_edit)
        self.yaml.edited.connect(lambda text: self.set_text(text, from_pane=True))
        self.source.sample_chosen.connect(lambda _i: self.run_trial(show=False))
        self.source.reread.connect(lambda: self.run_trial(show=False))
        self.retranslate()
        self.resize(1400, 820)
        self.set_text(self.text)
        self._find_samples()

    # -- text and document ---------------------------------------------------------------
    def retranslate(self) -> None:
        self.act_save.setText(self.tr("Save"))
        self.act_trial.setText(self.tr("Trial run"))
        self.act_trial.setToolTip(self.tr("Read the chosen sample through the pipeline, compare "
                                          "it with its expected values and show what a fill "
                                          "would type where"))
        self.fields_title.setText(self.tr("Fields"))
        self.steps_title.setText(self.tr("Fill steps"))
        self._title()

    @property
    def modified(self) -> bool:
        return self.text != self.saved_text

    def _title(self) -> None:
        star = "*" if self.modified else ""
        self.setWindowTitle(self.tr("Edit playbook — {0}{1}").format(self.path.name, star))

    def set_text(self, text: str, *, from_pane: bool = False) -> None:
        """Make `text` the playbook being edited: parse it for the structured panes (they
        are disabled while it is not YAML they can work on) and ask the loader about it."""
        self.text = text
        try:
            self.doc = PlaybookDocument(text, self.filename)
            found = problems(text, self.filename)
        except DocumentError as exc:
            self.doc = None
            found = problems(text, self.filename) or [exc]
        self.problems = found
        if not from_pane:
            self.yaml.set_text(text)
        self.yaml.show_problems(found)
        self.fields.setEnabled(self.doc is not None)
        self.steps.setEnabled(self.doc is not None)
        if self.doc is not None:
            self.fields.show_fields(self.doc.fields())
            self.steps.show_steps([one_line(self.doc.step_text(i))
                                   for i in range(len(self.doc.steps()))],
                                  self.steps.list.currentRow())
        self._title()

    def apply(self, change: Callable[[PlaybookDocument], Any]) -> bool:
        """One structured edit; False (with the reason in the status bar) if refused."""
        self.yaml.flush()
        if self.doc is None:
            return False
        try:
            edited = self.doc.edit(change)
        except DocumentError as exc:
            self.statusBar().showMessage(exc.message, 8000)
            self.set_text(self.text)        # the panes back to what the document holds
            return False
        self.set_text(edited.text())
        return True

    # -- the operations (the panes' signals; tests call them too) -------------------------
    def rename_field(self, old: str, new: str) -> bool:
        return self.apply(lambda d: d.rename_field(old, new))

    def set_field(self, name: str, key: str, value: str) -> bool:
        return self.apply(lambda d: d.set_field_key(name, key, value))

    def move_step(self, src: int, dst: int) -> bool:
        done = self.apply(lambda d: d.move_step(src, dst))
        if done:
            self.steps.list.setCurrentRow(dst)
        return done

    def delete_step(self, index: int) -> bool:
        return self.apply(lambda d: d.delete_step(index))

    def insert_step(self, index: int, text: str) -> bool:
        return self.apply(lambda d: d.insert_step(index, text))

    def edit_step(self, index: int, text: str) -> bool:
        return self.apply(lambda d: d.replace_step(index, text))

    def _ask_insert(self, index: int) -> None:
        text, ok = QInputDialog.getMultiLineText(
            self, self.tr("Insert a step"),
            self.tr("The new step, in YAML (it goes before step {0}):").format(index + 1),
            "key: tab")
        if ok and text.strip():
            self.insert_step(index, text)

    def _ask_edit(self, index: int) -> None:
        if self.doc is None:
            return
        text, ok = QInputDialog.getMultiLineText(
            self, self.tr("Edit a step"), self.tr("Step {0}, in YAML:").format(index + 1),
            self.doc.step_text(index))
        if ok and text.strip():
            self.edit_step(index, text)

    # -- saving ----------------------------------------------------------------------------
    def save(self) -> bool:
        """Write the text; one the loader refuses only as a draft the supervisor agreed to."""
        self.yaml.flush()
        if self.problems and not self.ask_draft(self.problems):
            self.statusBar().showMessage(self.tr("Not saved."), 8000)
            return False
        try:
            save_text(self.path, self.text)
        except OSError as exc:
            QMessageBox.warning(self, self.tr("Not saved"), self.tr(
                "The playbook could not be written to {0} ({1}); check that the folder is "
                "writable.").format(self.path, exc.strerror or exc))
            return False
        self.saved_text = self.text
        self._title()
        self.statusBar().showMessage(
            self.tr("Saved as a draft: Deskhand will refuse it until the problems are fixed.")
            if self.problems else self.tr("Saved."), 8000)
        return True

    def _ask_draft(self, found: Sequence[PlaybookError]) -> bool:
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("The playbook has problems"),
                          self.tr("Deskhand cannot use this playbook as it is:"), parent=self)
        box.setDetailedText("\n".join(str(p) for p in found))
        box.setInformativeText("\n".join(str(p) for p in found[:5]))
        draft = box.addButton(self.tr("Save anyway as a draft"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.clickedButton() is draft

    def _ask_unsaved(self) -> str:
        answer = QMessageBox.question(
            self, self.tr("Unsaved changes"),
            self.tr("Save the changes to {0}?").format(self.path.name),
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel)
        return {QMessageBox.StandardButton.Save: "save",
                QMessageBox.StandardButton.Discard: "discard"}.get(answer, "cancel")

    def closeEvent(self, event: QCloseEvent) -> None:
        self.yaml.flush()
        if self.modified:
            answer = self.ask_unsaved()
            if answer == "cancel" or (answer == "save" and not self.save()):
                event.ignore()
                return
        event.accept()

    # -- the source picture and 试运行 --------------------------------------------------------
    def _playbook(self) -> Any:
        """The playbook as the loader builds it from the current text; None if it refuses."""
        if self.problems:
            return None
        from playbooks.loader import load_playbook_text
        return load_playbook_text(self.text, self.filename)

    def _find_samples(self) -> None:
        from app.trial import source_pictures
        pid = self.doc.data.get("id") if self.doc is not None else None
        problem = None
        try:
            self.samples = source_pictures(self.path, str(pid)) if pid else []
        except DeskhandError as exc:      # a case folder without its one picture
            self.samples, problem = [], str(exc)
        self.source.set_samples([s.name for s in self.samples])
        if not self.samples:
            self.source.show_picture(None)
            if problem:
                self.source.show_message(problem)
            return
        from app.capture.sources import load_image
        try:
            self.source.show_picture(load_image(self.samples[0].source))
        except DeskhandError as exc:
            self.source.show_message(exc.message)
        self.run_trial(show=False)

    def run_trial(self, *, show: bool) -> None:
        """Capture the chosen sample through the pipeline (on a worker thread); draw the
        boxes, and with `show` open the trial's results."""
        index = self.source.samples.currentIndex()
        if self.busy or not 0 <= index < len(self.samples):
            if show and not self.samples:
                QMessageBox.information(self, self.tr("Trial run"), self.tr(
                    "This playbook has no sample: put a picture of a source in "
                    "samples/<playbook id>/<case>/source.png beside it, with the values it "
                    "holds in expected.yaml."))
            return
        pb = self._playbook()
        if pb is None:
            self.source.show_message(self.tr("Fix the playbook's problems first; then it can "
                                             "be tried."))
            return
        sample = self.samples[index]
        self.busy = True
        self.act_trial.setEnabled(False)
        self.source.show_message(self.tr("Reading {0}…").format(sample.name))
        from app.trial import run_trial

        def done(trial: Any) -> None:
            self.busy = False
            self.act_trial.setEnabled(True)
            self.trial = trial
            hidden = [f.name for f in pb.fields if is_sensitive(f)]
            self.source.show_fields(trial.picture, trial.fields, hidden)
            found = sum(1 for f in trial.fields if f.box)
            said = self.tr("{0}: {1} of {2} fields found on the picture.").format(
                sample.name, found, len(trial.fields))
            self.source.show_message(f"{said} {trial.note}" if trial.note else said)
            if show:
                self.show_trial(trial, pb)
            self.trial_finished.emit(trial)

        def failed(exc: BaseException) -> None:
            self.busy = False
            self.act_trial.setEnabled(True)
            message = getattr(exc, "message", None) or self.tr(
                "The sample could not be read ({0}).").format(type(exc).__name__)
            if not isinstance(exc, DeskhandError):
                log.error("trial of %s failed", self.path.name, exc_info=exc)
            self.source.show_message(message)
            self.trial_finished.emit(exc)

        run_in_worker("deskhand-trial", lambda: run_trial(self.pipeline, pb, sample),
                      done, failed, self.main)

    def show_trial(self, trial: Any, playbook: Any) -> None:
        from app.ui.editor_trial import TrialDialog
        if self.trial_dialog is not None:
            self.trial_dialog.close()
        self.trial_dialog = TrialDialog(trial, playbook, pipeline=self.pipeline, main=self.main,
                                        parent=self)
        self.trial_dialog.show()


def playbook_file(ref: str, pipeline: Any) -> Path:
    """The file of `ref`: a path, or the id of a playbook in the library (a broken one
    too: the editor is where it gets fixed). UsageError with a sentence otherwise."""
    p = Path(ref)
    if not p.is_file():
        broken = [path for path, _problem in pipeline.library.broken if path.stem == ref]
        pb = pipeline.library.get(ref)
        if pb is not None and pb.path:
            p = Path(pb.path)
        elif broken:
            p = broken[0]
        else:
            raise UsageError(_("There is no playbook file or playbook id '{ref}' to edit; give "
                               "the path of a .yaml file.", ref=ref))
    try:
        p.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError(_("{path} is not UTF-8 text; save it as UTF-8 and open it again.",
                           path=p)) from None
    except OSError as exc:
        raise UsageError(_("{path} cannot be read ({reason}).", path=p,
                           reason=exc.strerror or exc)) from None
    return p


def run_editor(ref: str, argv: list[str] | None = None) -> int:
    """`deskhand edit PLAYBOOK`: the editor on its own, in the settings' language."""
    import sys

    from PySide6.QtWidgets import QApplication

    from app.pipeline import PipelineOptions, build_pipeline, load_settings
    from app.ui.app import _install_language, display_problem
    settings, _problems = load_settings()
    pipeline = build_pipeline(PipelineOptions(settings=settings))
    try:
        path = playbook_file(ref, pipeline)
        problem = display_problem()
        if problem:
            print(problem, file=sys.stderr)
            return 3
        app = QApplication.instance() or QApplication(argv or [sys.argv[0]])
        _install_language(app, getattr(settings, "language", "zh_CN"))
        window = EditorWindow(path, pipeline=pipeline, main=MainThread())
        window.show()
        return app.exec()
    finally:
        pipeline.close()
