"""Recordings built by hand for the compiler's tests: what the listener would write while a
supervisor fills the sample Qt client (app/sandbox/sample_client.py), whose boxes the
accessibility tree shows with their labels, or a form without a tree (keys and clicks only).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from app.sandbox.sample_client import DEFAULT_TITLE, GENDERS, MATTERS
from recorders.recording import (Event, RecordedSource, RecordedWidget, RecordedWindow,
                                 Recording, SourceLine)

QT_WINDOW = RecordedWindow(title=DEFAULT_TITLE, wm_class="sample_client", process="python3",
                           pid=4242, x=100, y=50, width=820, height=760)
SOURCE_WINDOW = RecordedWindow(title="身份证.png - 图片查看器", process="eog", pid=777,
                               x=0, y=0, width=900, height=600)
ROLES = {"性别": "radio", "办理事项": "combo"}
OPTIONS = {"性别": GENDERS, "办理事项": tuple(m for m in MATTERS if m)}


def qt_widget(label: str, n: int) -> RecordedWidget:
    role = ROLES.get(label, "text")
    return RecordedWidget(role=role, name=label if role != "radio" else "", label=label,
                          x=300, y=120 + 40 * n, width=360, height=28, path=f"0/2/{n}",
                          options=OPTIONS.get(label, ()))


@dataclass
class Script:
    """Events in order, with a clock."""

    window: RecordedWindow = QT_WINDOW
    events: list[Event] = field(default_factory=list)
    t: float = 0.0

    def add(self, kind: str, **kw) -> None:
        self.t += 0.05
        kw.setdefault("window", self.window)
        self.events.append(Event(t=round(self.t, 2), kind=kind, **kw))  # type: ignore[arg-type]

    def typed(self, widget: RecordedWidget | None, text: str, *, typo: str = "") -> None:
        """Typed in pieces, with a typo corrected by backspace when `typo` is given."""
        if widget is not None:
            self.add("focus", widget=widget)
        if typo:
            self.add("text", widget=widget, text=text[:1] + typo)
            for _ in typo:
                self.add("key", widget=widget, key="backspace")
            self.add("text", widget=widget, text=text[1:])
        else:
            self.add("paste" if len(text) > 8 else "text", widget=widget, text=text)


def qt_recording(source_lines: tuple[SourceLine, ...], values: dict[str, str], *,
                 source_kind: str = "image", size: tuple[int, int] = (0, 0),
                 final_values: bool = True, extra_events: list[Event] | None = None
                 ) -> Recording:
    """The supervisor fills the sample Qt client with `values` (box label → value, in
    tab order); the source's OCR lines are `source_lines`."""
    s = Script()
    s.add("click", window=SOURCE_WINDOW, x=10, y=10, button="left")     # looked at the source
    s.add("key", key="f9")                                             # the capture key
    widgets = {}
    for n, (label, value) in enumerate(values.items()):
        w = qt_widget(label, n)
        widgets[label] = w
        if w.role == "radio":
            s.add("click", widget=RecordedWidget(role="radio", name=value, label=label, option=value,
                                                 x=300 + 60 * GENDERS.index(value), y=w.y,
                                                 path=f"0/2/{n}/{GENDERS.index(value)}"),
                  x=305 + 60 * GENDERS.index(value), y=w.y + 5, button="left")
        elif w.role == "combo":
            s.add("focus", widget=w)
            s.add("click", widget=w, x=w.x + 10, y=w.y + 5, button="left")
            s.add("value", widget=w, text=value)
        else:
            s.typed(w, value, typo="错" if n == 0 else "")
        s.add("key", widget=w, key="tab")
    for e in extra_events or ():
        s.events.append(e)
    if final_values:
        for label, value in values.items():
            s.add("value", widget=widgets[label], text=value)
    s.add("key", key="f10")                                            # the stop key
    return Recording(started="2026-12-05T07:00:00+00:00",
                     source=RecordedSource(kind=source_kind, image="source.png", width=size[0],
                                           height=size[1], lines=source_lines),
                     events=tuple(s.events), stopped=s.t + 0.1,
                     extra={"capture_key": "f9", "stop_key": "f10"})


def lines_of(boxes) -> tuple[SourceLine, ...]:
    """OCR text boxes as a recording keeps them."""
    return tuple(SourceLine(b.text, b.x, b.y, b.width, b.height, round(b.score, 3)) for b in boxes)
