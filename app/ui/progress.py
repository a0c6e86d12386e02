"""The fill overlay: a small always-on-top box in a screen corner that shows which field is
being typed and offers 中止 (abort). It must never take focus — keys typed into the
approval client while it shows would otherwise land in the overlay — so it is a frameless
Tool window that does not accept focus and is shown without activation; its button takes
no keyboard focus, and on X11 the window asks the window manager for no input focus.

    overlay = FillProgress()
    overlay.abort_requested.connect(abort_event.set)
    engine = FillEngine(desktop, progress=overlay.engine_callback(playbook))   # any thread
    overlay.start(playbook.name, total)
    ... overlay.step(i, label) ...
    overlay.finish()
"""
from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from app.fill.engine import Progress
from playbooks.model import Playbook

OVERLAY_FLAGS = (Qt.WindowType.Tool | Qt.WindowType.FramelessWindowHint
                 | Qt.WindowType.WindowStaysOnTopHint | Qt.WindowType.WindowDoesNotAcceptFocus)


class FillProgress(QWidget):
    abort_requested = Signal()
    # The engine fills on a worker thread; its callback emits this, and Qt queues it to
    # the thread the overlay lives in, the only one allowed to touch widgets.
    _engine_event = Signal(str, object)

    def __init__(self, parent: QWidget | None = None, *,
                 corner: Qt.Corner = Qt.Corner.BottomRightCorner, margin: int = 16) -> None:
        super().__init__(parent, OVERLAY_FLAGS)
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setAttribute(Qt.WidgetAttribute.WA_X11DoNotAcceptFocus)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.corner, self.margin = corner, margin
        self.total = 0
        self._name = ""
        self._current: tuple[int, str] | None = None
        self._stopping = False
        self._ordinals: dict[int, tuple[int, str]] = {}   # engine step index -> (i, label)
        self._forms: list[tuple[str, Playbook]] = []        # a scenario's forms, in order
        self._form: tuple[int, int, str] | None = None       # (n, total, name) filling now
        self.history: list[str] = []    # what was shown, in order (tests, the tray's status)

        self.title = QLabel(self)
        self.title.setTextFormat(Qt.TextFormat.PlainText)   # playbook names may hold '<'
        self.title.setStyleSheet("font-weight: bold;")
        self.detail = QLabel(self)
        self.detail.setTextFormat(Qt.TextFormat.PlainText)
        self.bar = QProgressBar(self)
        self.bar.setTextVisible(False)
        self.abort_button = QPushButton(self)
        # A click must not pull focus here either: the target keeps the keyboard.
        self.abort_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.abort_button.clicked.connect(self._on_abort)
        layout = QVBoxLayout(self)
        for w in (self.title, self.detail, self.bar, self.abort_button):
            layout.addWidget(w)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)   # else no frame is drawn
        self.setStyleSheet("FillProgress { background: palette(window); "
                           "border: 1px solid palette(mid); }")
        self.setMinimumWidth(280)
        self._engine_event.connect(self._on_engine_event)
        self.retranslate()

    def retranslate(self) -> None:
        self.abort_button.setText(self.tr("Stopping…") if self._stopping else self.tr("Abort"))
        self.abort_button.setToolTip(self.tr("Stop typing; the case is kept."))
        if self._form is not None:
            n, total, name = self._form
            self._show_title(self.tr("Form {n}/{total}: {name}").format(n=n, total=total,
                                                                         name=name))
        else:
            self._show_title(self.tr("Filling: {name}").format(name=self._name))
        if self._current is not None:
            self.step(*self._current)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()

    # -- the API the tray drives ------------------------------------------------------
    def start(self, playbook_name: str, total: int) -> None:
        self.total, self._name = max(0, total), playbook_name
        self._current, self._stopping, self._form = None, False, None
        self.history.clear()
        self.retranslate()
        self.detail.setText(self.tr("Starting…"))
        self.bar.setRange(0, max(1, self.total))
        self.bar.setValue(0)
        self.abort_button.setEnabled(True)
        self.adjustSize()
        self._place()
        self.show()

    def step(self, index: int, label: str) -> None:
        """Field `index` (1-based) of the total is being typed now."""
        self._current = (index, label)
        self.set_message(self.tr("Field {i} of {n}: {label}").format(
            i=index, n=self.total, label=label))
        self.bar.setValue(max(0, min(index - 1, self.total)))

    def set_message(self, text: str) -> None:
        self.detail.setText(text)
        self._remember(text)

    def start_form(self, index: int, total: int, name: str) -> None:
        """Form `index` (0-based) of a scenario's `total` starts: its title, its fields."""
        if 0 <= index < len(self._forms):
            self._ordinals = _ordinals(self._forms[index][1])
            self.total = len(self._ordinals)
        self._form, self._current = (index + 1, total, name), None
        self.bar.setRange(0, max(1, self.total))
        self.bar.setValue(0)
        self.retranslate()
        self.set_message(self.tr("Starting…"))
        self.adjustSize()
        self._place()

    def finish(self) -> None:
        self.bar.setValue(self.bar.maximum())
        self.hide()

    def engine_callback(self, playbook: Playbook) -> Progress:
        """A `Progress` callback for FillEngine, safe to call from any thread, that shows
        the engine's events here. Fields are counted by the steps that type or choose."""
        self._ordinals, self._forms = _ordinals(playbook), []
        return self._emitter()

    def scenario_callback(self, forms: list[tuple[str, Playbook]]) -> Progress:
        """As `engine_callback`, for a scenario's fill: its forms (name, playbook) in order;
        the ("form", {index, total, name}) event before each form's switches to it."""
        self._ordinals, self._forms = {}, list(forms)
        return self._emitter()

    def _emitter(self) -> Progress:
        def progress(kind: str, data: dict) -> None:
            self._engine_event.emit(kind, dict(data))
        return progress

    # -- internals -------------------------------------------------------------------
    def _on_engine_event(self, kind: str, data: dict[str, Any]) -> None:
        if kind == "form":
            self.start_form(int(data.get("index", 0)), int(data.get("total", 0)),
                            str(data.get("name", "")))
        elif kind == "step" and data.get("index") in self._ordinals:
            self.step(*self._ordinals[data["index"]])
        elif kind == "field_done":
            self.bar.setValue(min(self.bar.value() + 1, self.bar.maximum()))
        elif kind == "waiting_for_target":
            self.set_message(self.tr("Click into the approval client ({target}).").format(
                target=data.get("target", "")))
        elif kind == "waiting_for_modifiers":
            self.set_message(self.tr("Release the keys {keys} to start typing.").format(
                keys="+".join(data.get("held", []))))

    def _show_title(self, text: str) -> None:
        if self.title.text() != text:
            self.title.setText(text)
            self._remember(text)

    def _remember(self, text: str) -> None:
        self.history.append(text)
        del self.history[:-100]

    def _on_abort(self) -> None:
        self._stopping = True
        self.abort_button.setEnabled(False)
        self.retranslate()
        self.abort_requested.emit()

    def _place(self) -> None:
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is None:
            return
        area, size, m = screen.availableGeometry(), self.frameGeometry().size(), self.margin
        right = self.corner in (Qt.Corner.TopRightCorner, Qt.Corner.BottomRightCorner)
        bottom = self.corner in (Qt.Corner.BottomLeftCorner, Qt.Corner.BottomRightCorner)
        x = area.right() - size.width() - m + 1 if right else area.left() + m
        y = area.bottom() - size.height() - m + 1 if bottom else area.top() + m
        self.move(x, y)


def _ordinals(playbook: Playbook) -> dict[int, tuple[int, str]]:
    """Engine step index → (field's place among those typed, its label)."""
    out: dict[int, tuple[int, str]] = {}
    for index, s in playbook.field_steps():
        spec = playbook.field_spec(s.field)
        out[index] = (len(out) + 1, spec.label or spec.name)
    return out
