"""The small 录制中… window of the tray's 录制业务流程: how many events are recorded, a 停止
button, and at the end the recorder's report.

Like the fill overlay (progress.py) it never takes focus — the supervisor's keys must go to
the approval client, not here — so it is a frameless, always-on-top Tool window shown
without activation, whose buttons take no keyboard focus. Clicks into it are not recorded
(the recorder ignores this process's windows).

    window = RecorderWindow()
    window.stop_requested.connect(job.stop)
    window.start(stop_key="Ctrl+Alt+S", capture_key="Ctrl+Alt+R")
    window.set_count(n)                  # from any thread: queued to the window's thread
    window.finished(sentences, questions)
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from app.ui.progress import OVERLAY_FLAGS


class RecorderWindow(QWidget):
    stop_requested = Signal()
    _count = Signal(int)
    _note = Signal(str)

    def __init__(self, parent: QWidget | None = None, *, margin: int = 16) -> None:
        super().__init__(parent, OVERLAY_FLAGS)
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setAttribute(Qt.WidgetAttribute.WA_X11DoNotAcceptFocus)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setObjectName("recorder_window")
        self.margin = margin
        self.count = 0
        self.done = False
        self._keys = ("", "")
        self.title = QLabel(self)
        self.title.setStyleSheet("font-weight: bold;")
        self.hint = QLabel(self)
        self.hint.setWordWrap(True)
        self.hint.setTextFormat(Qt.TextFormat.PlainText)
        self.counter = QLabel(self)
        self.report = QLabel(self)
        self.report.setWordWrap(True)
        self.report.setTextFormat(Qt.TextFormat.PlainText)   # paths and values may hold '<'
        self.report.hide()
        self.button = QPushButton(self)
        self.button.setObjectName("recorder_stop")
        self.button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.button.clicked.connect(self._clicked)
        layout = QVBoxLayout(self)
        for w in (self.title, self.hint, self.counter, self.report, self.button):
            layout.addWidget(w)
        self.setMinimumWidth(320)
        self._count.connect(self._show_count)
        self._note.connect(self._show_note)
        self.retranslate()

    # -- from any thread -------------------------------------------------------------
    def set_count(self, n: int) -> None:
        self._count.emit(n)

    def note(self, sentence: str) -> None:
        self._note.emit(sentence)

    # -- on the window's thread --------------------------------------------------------
    def start(self, *, stop_key: str, capture_key: str | None) -> None:
        self._keys = (stop_key, capture_key or "")
        self.done = False
        self.count = 0
        self.report.hide()
        self.retranslate()
        self.adjustSize()
        self._place()
        self.show()

    def finished(self, sentences: list[str], questions: list[str]) -> None:
        self.done = True
        lines = list(sentences)
        if questions:
            lines.append(self.tr("Values that matched no source field (the clerk types them "
                                 "in the review until answered):"))
            lines.extend("· " + q for q in questions)
        self.report.setText("\n".join(lines))
        self.report.show()
        self.retranslate()
        self.adjustSize()
        self._place()

    def _clicked(self) -> None:
        if self.done:
            self.close()
        else:
            self.button.setEnabled(False)
            self.stop_requested.emit()

    def _show_count(self, n: int) -> None:
        self.count = n
        self.counter.setText(self.tr("Events recorded: {0}").format(n))

    def _show_note(self, sentence: str) -> None:
        self.hint.setText(sentence)

    def retranslate(self) -> None:
        stop, capture = self._keys
        if self.done:
            self.title.setText(self.tr("Recording finished"))
            self.button.setText(self.tr("Close"))
            self.button.setEnabled(True)
        else:
            self.title.setText(self.tr("Recording…"))
            self.button.setText(self.tr("Stop"))
            if capture:
                self.hint.setText(self.tr("Show the source and press {0}; then fill the approval "
                                          "client once and press {1} or Stop.").format(capture, stop))
            else:
                self.hint.setText(self.tr("Fill the approval client once, then press {0} or "
                                          "Stop.").format(stop))
        self._show_count(self.count)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt name)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _place(self) -> None:
        screen = QGuiApplication.primaryScreen()
        if screen is None:
            return
        area = screen.availableGeometry()
        self.move(area.right() - self.width() - self.margin, area.top() + self.margin)
