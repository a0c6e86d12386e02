"""Review before typing: the clerk sees, for every field the fill will type, where on the
source it was read, the value, what the registry holds and its status — and can fix it.

    dialog = ReviewDialog(case, playbook, image, on_closed=reactivate_client)
    dialog.confirmed.connect(start_fill)      # receives the edited copy of the case
    dialog.cancelled.connect(...)
    dialog.show()                             # non-modal, stays on top

Confirmation rule: when every field is ok (or corrected), the button reads 填写 and Enter
fills. When any field still needs a person (invalid, mismatch, missing, unverified) the
button reads 确认并填写 and stays disabled until the clerk ticks 我已核对 — a visible,
keyboard-reachable checkbox, chosen over a "press twice" button whose hidden second state
an impatient Enter could satisfy. Any later edit unticks it. A required field left empty
blocks the fill outright (the engine would refuse it).

The case handed in is never changed: the dialog works on a deep copy and hands that copy
to `confirmed`.
"""
from __future__ import annotations

import copy
from collections.abc import Callable

from PIL import Image
from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QGridLayout, QHBoxLayout, QLabel,
                               QLineEdit, QPushButton, QScrollArea, QToolButton, QVBoxLayout,
                               QWidget)

from app.cases import NEEDS_PERSON, Case, FieldValue
from app.checks import check_value
from app.values.listed import listed_words
from app.fill.gate import Verdict, confirm, vet
from app.ui.widgets import (OnTopDialog, StatusChip, crop_box, is_sensitive, mask_in_text,
                            masked, to_pixmap)
from playbooks.model import FieldSpec, Playbook


def fields_filled(playbook: Playbook) -> list[FieldSpec]:
    """The fields the fill types or chooses, in the order it does; all fields when the
    playbook has no such step (a playbook being written)."""
    names = playbook.filled_names()
    return [playbook.field_spec(n) for n in names] if names else list(playbook.fields)


def _assign(target: FieldValue, other: FieldValue) -> None:
    target.value, target.status = other.value, other.status
    target.original, target.source = other.original, copy.deepcopy(other.source)


class FieldRow(QObject):
    """One field's widgets in the review grid, and the edits made to its FieldValue
    (`fv`, the working copy's object; `initial` is what capture produced)."""

    changed = Signal()

    COLUMNS = 6

    def __init__(self, spec: FieldSpec, fv: FieldValue, image: Image.Image | None,
                 parent: QWidget) -> None:
        super().__init__(parent)
        self.spec, self.fv = spec, fv
        self.initial = copy.deepcopy(fv)
        self.verdict: Verdict | None = None     # the gate's, set by the dialog on each change
        self.sensitive = is_sensitive(spec)
        # nothing to hide in an empty value, and a masked value cannot be typed into
        self.revealed = not self.sensitive or not fv.value
        self._text = fv.value or ""          # what the clerk sees / typed, unmasked

        self.label = QLabel(spec.label or spec.name, parent)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.crop = QLabel(parent)
        self.crop.setTextFormat(Qt.TextFormat.PlainText)
        self._pixmaps = self._make_pixmaps(image)
        self.reveal: QToolButton | None = None
        if self.sensitive:
            self.reveal = QToolButton(parent)
            self.reveal.setCheckable(True)
            self.reveal.setChecked(self.revealed)
            self.reveal.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            self.reveal.toggled.connect(self._on_reveal)
        # A choice is picked from its list (arrow keys or the mouse) or typed; either way
        # `edit` is the line edit that holds the value.
        self.combo: QComboBox | None = None
        if spec.choices and not self.sensitive:
            self.combo = QComboBox(parent)
            self.combo.setEditable(True)
            self.combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
            self.combo.addItems(list(spec.choices))
            self.combo.setCurrentIndex(-1)
            self.combo.textActivated.connect(self._on_chosen)
            self.edit = self.combo.lineEdit()
            self.combo.setMinimumWidth(260)
        else:
            self.edit = QLineEdit(parent)
            self.edit.setMinimumWidth(260)
        self.edit.setAccessibleName(self.label.text())
        self.edit.textEdited.connect(self._on_edited)
        self.note = QLabel(parent)
        self.note.setTextFormat(Qt.TextFormat.PlainText)   # values may hold '<'
        self.note.setWordWrap(True)
        self.registry = QLabel(parent)
        self.registry.setTextFormat(Qt.TextFormat.PlainText)
        self.registry.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.chip = StatusChip(parent)
        self.use_registry: QPushButton | None = None
        if self.registry_value is not None:
            self.use_registry = QPushButton(parent)
            self.use_registry.setAutoDefault(False)
            self.use_registry.clicked.connect(self.take_registry_value)
        self._show()

    def retranslate(self) -> None:
        if self.reveal is not None:
            self.reveal.setAccessibleName(self.tr("Show {label}").format(label=self.label.text()))
        if self.use_registry is not None:
            self.use_registry.setText(self.tr("Use &registry value"))
        self.edit.setPlaceholderText(
            self.tr("One of: {choices}").format(choices=" / ".join(self.spec.choices))
            if self.spec.choices else self.tr("(empty)"))
        self._show(keep_text=True)

    # -- state -------------------------------------------------------------------
    @property
    def registry_value(self) -> str | None:
        reg = self.initial.source.get("registry") or {}
        value = reg.get("value")
        return None if value is None else str(value)

    @property
    def edited(self) -> bool:
        return bool(self.fv.source.get("edited_by_clerk"))

    @property
    def needs_attention(self) -> bool:
        """A person must look: its status says so, or the gate before typing would stop
        it (a check that fails now, a birth date that disagrees with the ID number)."""
        return self.fv.status in NEEDS_PERSON or bool(self.verdict and self.verdict.reasons)

    @property
    def blocks_fill(self) -> bool:
        """Nothing lets this through: a required field left empty, or characters that
        are never typed."""
        return (self.spec.required and not self.fv.value) or bool(self.verdict and self.verdict.refused)

    def focus_target(self) -> QWidget:
        """Where the keyboard goes when this row needs a look: the reveal toggle of a
        masked row (the value cannot be edited masked), else the value."""
        if self.reveal is not None and not self.revealed:
            return self.reveal
        return self.combo if self.combo is not None else self.edit

    def add_to(self, grid: QGridLayout, row: int) -> None:
        top = Qt.AlignmentFlag.AlignTop
        grid.addWidget(self.label, row, 0, top)
        grid.addWidget(self.crop, row, 1, top)
        value = QVBoxLayout()
        value.setSpacing(2)
        value.addWidget(self.combo if self.combo is not None else self.edit)
        value.addWidget(self.note)
        value.addStretch(1)
        grid.addLayout(value, row, 2)
        grid.addWidget(self.registry, row, 3, top)
        grid.addWidget(self.chip, row, 4, top)
        actions = QHBoxLayout()
        for w in (self.reveal, self.use_registry):
            if w is not None:
                actions.addWidget(w)
        actions.addStretch(1)
        grid.addLayout(actions, row, 5, top)

    # -- the clerk's actions -----------------------------------------------------------
    def _on_reveal(self, on: bool) -> None:
        self.revealed = on
        self._show()
        if on:
            self.edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_chosen(self, text: str) -> None:
        self.edit.setText(text)
        self._on_edited(text)

    def _on_edited(self, text: str) -> None:
        self._text = text
        init, fv = self.initial, self.fv
        typed = text.strip()
        if typed == (init.value or ""):      # back to what was read: no longer an edit
            _assign(fv, init)
        else:
            source, original = self._edit_provenance()
            if not typed:
                _assign(fv, FieldValue(None, "missing", original, source))
            else:
                # The local check still applies to what the clerk typed: a mistyped ID
                # number is caught here, not in the approval client.
                result = check_value(self.spec.type, typed, choices=self.spec.choices,
                                     listed=listed_words(self.spec),
                                     list_label=self.spec.label or "")
                if result.problems:
                    source["problems"] = list(result.problems)
                if result.warnings:
                    source["warnings"] = list(result.warnings)
                status = "ok" if result.status == "ok" else result.status
                value = typed if status == "invalid" else result.value
                _assign(fv, FieldValue(value, status, original, source))
        self._show(keep_text=True)
        self.changed.emit()

    def take_registry_value(self) -> None:
        reg = self.registry_value
        if reg is None:
            return
        source, original = self._edit_provenance()
        lookup = (source.get("registry") or {}).get("lookup", "the registry")
        source["warnings"] = [f"The clerk took the value {lookup} holds; the source said "
                              f"'{self.initial.value}'."]
        _assign(self.fv, FieldValue(reg, "corrected", original, source))
        self._text = reg
        self._show()
        self.edit.setFocus(Qt.FocusReason.OtherFocusReason)
        self.changed.emit()

    def _edit_provenance(self) -> tuple[dict, str | None]:
        """The source record of a value the clerk set, and the original to keep: what
        the source said (capture's original when it had corrected the reading). The old
        problems and warnings (and the OCR engine's doubt) spoke of the old value and are
        dropped."""
        init = self.initial
        source = {k: v for k, v in copy.deepcopy(init.source).items()
                  if k not in ("problems", "warnings", "unsure")}
        source["edited_by_clerk"] = True
        return source, init.original if init.original is not None else init.value

    # -- display -------------------------------------------------------------------
    def _make_pixmaps(self, image: Image.Image | None) -> tuple:
        box = self.initial.source.get("box")
        if image is None or not box:
            return (None, None)
        clear = crop_box(image, box)
        hidden = crop_box(image, box, pixelate=True) if self.sensitive else clear
        return tuple(to_pixmap(p) if p is not None else None for p in (clear, hidden))

    def _secret(self, text: str) -> str:
        """`text` as this row may show it now: masked while a sensitive row is hidden."""
        if self.revealed:
            return text
        return mask_in_text(text, [self._text, self.fv.value, self.fv.original,
                                   self.initial.value, self.registry_value], self.spec)

    def _show(self, keep_text: bool = False) -> None:
        fv = self.fv
        if self.reveal is not None:
            self.reveal.setText(self.tr("Hide") if self.revealed else self.tr("&Show"))
        if not keep_text:
            self.edit.setText(self._text if self.revealed else masked(self.spec, self._text))
        self.edit.setReadOnly(not self.revealed)

        pixmap = self._pixmaps[0 if self.revealed else 1]
        if pixmap is None:
            self.crop.clear()
            kind = self.initial.source.get("kind")
            self.crop.setText(self.tr("from the registry") if kind == "registry" else "—")
        else:
            self.crop.setPixmap(pixmap)
        self.crop.setToolTip(self.tr("Where the value was read on the source")
                             if pixmap is not None else "")

        reg = self.registry_value
        reg_record = self.initial.source.get("registry") or {}
        self.registry.setText("—" if reg is None else
                              reg if self.revealed else masked(self.spec, reg))
        self.registry.setToolTip(self._secret(" · ".join(
            str(reg_record[k]) for k in ("lookup", "result") if reg_record.get(k))))
        if self.use_registry is not None:
            self.use_registry.setVisible(fv.status == "mismatch")

        problems = [self._secret(p) for p in fv.source.get("problems", [])]
        if self.verdict is not None:    # what the gate before typing would stop it for
            problems += [self._secret(r) for r in self.verdict.reasons + self.verdict.refused
                         if self._secret(r) not in problems]
        warnings = [self._secret(w) for w in fv.source.get("warnings", [])]
        original = self._secret(fv.original) if fv.original else ""
        status, text, note, tip = self._describe(problems, warnings, original)
        self.note.setText(note)
        self.note.setVisible(bool(note))
        self.note.setStyleSheet("color: #c62828;" if fv.status in ("invalid", "missing", "mismatch")
                                else "")
        self.chip.show_status(status, text, tip)

    def _describe(self, problems: list[str], warnings: list[str], original: str
                  ) -> tuple[str, str, str, str]:
        """(chip status, chip text, note under the value, chip tooltip)."""
        fv = self.fv
        read_as = self.tr("Read as: {value}").format(value=original) if original else ""
        if fv.status in ("ok", "corrected") and problems:
            # checked ok when read, but the gate before typing says otherwise now
            return "invalid", self.tr("Invalid"), "\n".join(problems), "\n".join(problems)
        details = "\n".join(x for x in [read_as, *warnings, *problems] if x)
        if fv.status == "ok" and self.edited:
            tip = "\n".join(x for x in [self.tr("Changed by you."), details] if x)
            return "edited", self.tr("Edited"), read_as, tip
        if fv.status == "ok":
            return "ok", self.tr("Passed"), "", details or self.tr("Checked; nothing to look at.")
        if fv.status == "corrected":
            return "corrected", self.tr("Corrected"), read_as, details
        if fv.status == "unchecked":
            return "unchecked", self.tr("Unchecked"), "", details or self.tr(
                "Read from the source; no check can confirm free text: compare it with the source.")
        if fv.status == "mismatch":
            both = self.tr("Source: {value} · Registry: {registry}").format(
                value=self.edit.text(), registry=self.registry.text())
            note = "\n".join(problems) or both
            return "mismatch", self.tr("Mismatch"), note, both + "\n" + details
        if fv.status == "invalid":
            return "invalid", self.tr("Invalid"), "\n".join(problems), details
        if fv.status == "missing":
            note = "\n".join(problems) or (
                self.tr("Required: type the value.") if self.spec.required
                else self.tr("Not found on the source (optional)."))
            return ("missing_required" if self.spec.required else "missing"), self.tr("Missing"), \
                note, details or note
        return "unverified", self.tr("Not verified"), "\n".join(problems), \
            details or self.tr("No registry confirmed this value.")


class ReviewDialog(OnTopDialog):
    """See the module docstring. `on_closed` is called once when the dialog closes, by
    any way, before `confirmed`/`cancelled` are emitted: the tray re-activates the
    approval client there (this dialog never activates other windows itself)."""

    confirmed = Signal(object)     # Case: the edited copy
    cancelled = Signal()
    documents_requested = Signal(object)   # Case: the edited copy (a scenario's 生成文书)

    def __init__(self, case: Case, playbook: Playbook, source_image: Image.Image | None,
                 parent: QWidget | None = None, *,
                 on_closed: Callable[[], None] | None = None,
                 groups: list[str] | None = None, documents: bool = False) -> None:
        """A scenario's review (app/ui/scenario_flow.py) passes its forms' fields as one
        playbook, the case's repeating groups as lines to read (`groups`) and `documents`
        (a 生成文书 button, usable once nothing blocks the fill)."""
        super().__init__(parent, on_closed=on_closed)
        self.playbook = playbook
        self.case = copy.deepcopy(case)
        grid_host = QWidget()
        grid = QGridLayout(grid_host)
        self.headers = [QLabel(grid_host) for _ in range(FieldRow.COLUMNS)]
        for col, head in enumerate(self.headers):
            grid.addWidget(head, 0, col)
        grid.setColumnStretch(2, 2)
        grid.setColumnStretch(3, 1)
        self.rows: dict[str, FieldRow] = {}
        for i, spec in enumerate(fields_filled(playbook), start=1):
            fv = self.case.fields.setdefault(spec.name, FieldValue(None, "missing"))
            row = FieldRow(spec, fv, source_image, grid_host)
            row.add_to(grid, i)
            row.changed.connect(self._on_row_changed)
            self.rows[spec.name] = row
        grid.setRowStretch(len(self.rows) + 1, 1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(grid_host)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)

        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        self.groups = QLabel(self)
        self.groups.setTextFormat(Qt.TextFormat.PlainText)
        self.groups.setWordWrap(True)
        self.groups.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._group_lines = list(groups or [])
        self.groups.setVisible(bool(self._group_lines))
        self.documents_button = QPushButton(self)
        self.documents_button.setAutoDefault(False)
        self.documents_button.setVisible(documents)
        self.documents_button.clicked.connect(self._documents)
        self.hint = QLabel(self)
        self.hint.setWordWrap(True)
        self.confirm_box = QCheckBox(self)
        self.confirm_box.toggled.connect(self._refresh)
        self.fill_button = QPushButton(self)
        self.fill_button.setDefault(True)
        self.fill_button.clicked.connect(self.accept)
        self.cancel_button = QPushButton(self)
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)

        buttons = QHBoxLayout()
        buttons.addWidget(self.confirm_box)
        buttons.addStretch(1)
        buttons.addWidget(self.documents_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.fill_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.groups)
        layout.addWidget(self.hint)
        layout.addLayout(buttons)
        # wide enough for every column, tall enough for the rows, within the screen
        area = self.screen().availableGeometry()
        self.resize(min(grid_host.sizeHint().width() + 48, area.width() - 40),
                    min(grid_host.sizeHint().height() + 140, area.height() - 80))
        self.retranslate()

    def retranslate(self) -> None:
        """Every text of the dialog in the current language (called again on a switch)."""
        self.setWindowTitle(self.tr("Review before filling — {name}").format(
            name=self.playbook.name))
        heads = (self.tr("Field"), self.tr("On the source"), self.tr("Value"),
                 self.tr("Registry"), self.tr("Status"), "")
        for label, head in zip(self.headers, heads):
            label.setText(f"<b>{head}</b>" if head else "")
        self.intro.setText(self.tr("Check each value before it is typed into the approval "
                                   "client. Coloured marks show what needs a look."))
        self.confirm_box.setText(self.tr("I have &checked the marked fields"))
        self.cancel_button.setText(self.tr("Cancel"))
        self.documents_button.setText(self.tr("Write the &documents"))
        self.groups.setText("\n".join([self.tr("Groups in the case (check them in the case "
                                                "file or the intake form):"),
                                        *self._group_lines]))
        for row in self.rows.values():
            row.retranslate()
        self._refresh()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()

    # -- state ---------------------------------------------------------------------
    @property
    def needs_confirmation(self) -> bool:
        return any(r.needs_attention for r in self.rows.values())

    @property
    def can_fill(self) -> bool:
        if any(r.blocks_fill for r in self.rows.values()):
            return False
        return not self.needs_confirmation or self.confirm_box.isChecked()

    def _on_row_changed(self) -> None:
        # The tick confirmed what the clerk saw then; a change asks for a new look.
        self.confirm_box.setChecked(False)
        self._refresh()

    def _refresh(self) -> None:
        verdicts = {v.field: v for v in vet(self.playbook, self.case)}
        for name, row in self.rows.items():
            row.verdict = verdicts.get(name)
            row._show(keep_text=True)
        blocking = [r for r in self.rows.values() if r.blocks_fill]
        confirm = self.needs_confirmation
        self.fill_button.setText(self.tr("Confirm and &fill") if confirm else self.tr("&Fill"))
        self.confirm_box.setVisible(confirm and not blocking)
        self.fill_button.setEnabled(self.can_fill)
        refused = [r for r in blocking if r.verdict and r.verdict.refused]
        if refused:
            self.hint.setText(self.tr("{label} holds characters that are never typed ({chars}): "
                                      "correct it first.").format(
                label=refused[0].label.text(), chars=", ".join(refused[0].verdict.refused)))
        elif blocking:
            self.hint.setText(self.tr("Type a value for {label} first: it is required.").format(
                label=blocking[0].label.text()))
        elif confirm:
            n = sum(r.needs_attention for r in self.rows.values())
            self.hint.setText(self.tr("{n} field(s) need a look. Tick the box to fill anyway.")
                              .format(n=n))
        else:
            self.hint.setText(self.tr("All fields passed. Press Enter to fill."))

    def first_attention(self) -> FieldRow | None:
        return next((r for r in self.rows.values() if r.needs_attention or r.blocks_fill), None)

    # -- opening and closing -----------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        row = self.first_attention()
        target = row.focus_target() if row is not None else self.fill_button
        # Set while the window is not yet active: Qt gives it the keyboard on activation.
        target.setFocus(Qt.FocusReason.ActiveWindowFocusReason)

    def accept(self) -> None:
        if self.can_fill:          # Enter reaches here only through the default button
            super().accept()

    def _confirm_marked(self) -> None:
        # The tick covered every marked row as it is now: the gate before typing (and the
        # documents' refusal of unconfirmed values) takes that as a person's confirmation.
        for row in self.rows.values():
            if row.needs_attention:
                confirm(row.fv, "clerk")

    def _documents(self) -> None:
        # The documents need only their own fields: a form's missing value does not stop
        # them; a value not confirmed does (the documents refuse it, naming it).
        if not self.needs_confirmation or self.confirm_box.isChecked():
            self._confirm_marked()
        self.documents_requested.emit(copy.deepcopy(self.case))

    def after_close(self, result: int) -> None:
        if result == QDialog.DialogCode.Accepted:
            self._confirm_marked()
            self.confirmed.emit(self.case)
        else:
            self.cancelled.emit()
