"""A recording: the source the supervisor showed (read once by OCR) and what they then did in
the target, as a list of events. The listener (recorders/listen_*.py) writes it; the compiler
(recorders/compile*.py) turns it into a playbook; the file in between is plain JSON so that a
recording can be kept, looked at and compiled again.

A secret never enters a recording: an event in a password box (`RecordedWidget.secret`) has
no text; `Recording.check_no_secrets` refuses one that does.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

__all__ = ["FORMAT", "SourceLine", "RecordedSource", "RecordedWindow", "RecordedWidget",
           "Event", "Recording", "RecordingError", "EVENT_KINDS"]

FORMAT = 1

# key    a key that is not text (tab, shift+tab, return, backspace, ctrl+a, down…), in the
#        playbook key vocabulary (playbooks/keys.py)
# text   characters the key board put in (one key, or one input-method commit)
# paste  a paste (ctrl+v, shift+insert, middle click): `text` is what was pasted
# click  a mouse press: `x`, `y` screen pixels, `button`; `widget` is the one under it
# focus  the tree moved focus to `widget` (where the target has a tree)
# value  `widget` holds `text`: read from the tree when focus left it, and for every field
#        at stop (the final state of the form); choices give the chosen item's text
# window the active window changed to `window`
EVENT_KINDS = ("key", "text", "paste", "click", "focus", "value", "window")
EventKind = Literal["key", "text", "paste", "click", "focus", "value", "window"]


class RecordingError(ValueError):
    """A recording file that cannot be used; the message says which and why."""


@dataclass(frozen=True)
class SourceLine:
    """One OCR line of the source picture, in the picture's pixels."""

    text: str
    x: int
    y: int
    width: int
    height: int
    score: float = 1.0


@dataclass(frozen=True)
class RecordedSource:
    kind: str                        # "image", "screen" or "window"
    image: str | None = None         # the picture, saved beside the recording (relative path)
    window_title: str | None = None  # for kind "window"
    width: int = 0
    height: int = 0
    origin: tuple[int, int] = (0, 0)  # where the picture's (0, 0) was on the screen
    lines: tuple[SourceLine, ...] = ()


@dataclass(frozen=True)
class RecordedWindow:
    title: str
    wm_class: str | None = None
    process: str | None = None       # executable name, e.g. "chromium"
    pid: int | None = None
    x: int = 0
    y: int = 0
    width: int = 0
    height: int = 0


@dataclass(frozen=True)
class RecordedWidget:
    """A widget of the target as the tree showed it (or as found by OCR of the window, then
    `role` is "" and `name` the nearest label text)."""

    role: str = ""                   # app.a11y.base ROLES, or "" when unknown
    name: str = ""                   # accessible name
    label: str = ""                  # the label shown for it (labelled-by / geometry)
    x: int = 0                       # screen pixels
    y: int = 0
    width: int = 0
    height: int = 0
    path: str | None = None          # child-index path from the window's frame, "0/2/5"
    secret: bool = False             # a password box: nothing typed into it is recorded
    # without a tree, how the box was known to be one: "look" (it showed mask glyphs or
    # none of the typed characters), "label" (no look; a short value under a 密码-like
    # label); "" where the tree said so
    secret_by: str = ""
    option: str | None = None        # for a radio or check box: its own text
    # for a combo, list or radio group: every item's text as the tree showed it, in order
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class Event:
    t: float                         # seconds since the recording started
    kind: EventKind
    window: RecordedWindow | None = None
    widget: RecordedWidget | None = None
    key: str | None = None
    text: str | None = None
    x: int | None = None
    y: int | None = None
    button: str | None = None


@dataclass(frozen=True)
class Recording:
    started: str                     # ISO time
    source: RecordedSource | None
    events: tuple[Event, ...] = ()
    # a picture of the target window (labels shown, read by OCR) taken when the supervisor
    # first acted in it: where the target has no tree, boxes are addressed by these labels.
    # Its lines are in window pixels; `origin` is the window's screen position then.
    target: RecordedSource | None = None
    stopped: float = 0.0             # seconds after start
    note: str = ""
    format: int = FORMAT
    extra: dict[str, Any] = field(default_factory=dict)

    def check_no_secrets(self) -> None:
        for i, e in enumerate(self.events):
            if e.widget is not None and e.widget.secret and e.text:
                raise RecordingError(f"event {i} holds text typed into a password box; "
                                     "a recording never keeps a secret")

    def to_json(self) -> str:
        self.check_no_secrets()
        return json.dumps(asdict(self), ensure_ascii=False, indent=1)

    def save(self, path: Path) -> None:
        text = self.to_json()
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)

    @classmethod
    def from_json(cls, text: str) -> "Recording":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise RecordingError(f"not a recording (not JSON: {exc})") from None
        return _recording(data)

    @classmethod
    def load(cls, path: Path) -> "Recording":
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise RecordingError(f"cannot read the recording {path}: {exc.strerror}") from None
        except UnicodeDecodeError:
            raise RecordingError(f"the recording {path} is not UTF-8 text") from None
        try:
            return cls.from_json(text)
        except RecordingError as exc:
            raise RecordingError(f"{path}: {exc}") from None


def _build(cls: type, data: Any, where: str) -> Any:
    if not isinstance(data, dict):
        raise RecordingError(f"{where} is not an object")
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise RecordingError(f"{where} has unknown keys: {', '.join(unknown)}")
    try:
        return cls(**data)
    except TypeError as exc:
        raise RecordingError(f"{where}: {exc}") from None


def _recording(data: Any) -> Recording:
    if not isinstance(data, dict):
        raise RecordingError("a recording is a JSON object")
    if data.get("format") != FORMAT:
        raise RecordingError(f"recording format {data.get('format')!r}; this Deskhand reads "
                             f"format {FORMAT}")
    data = dict(data)
    for key in ("source", "target"):
        src = data.get(key)
        if src is None:
            continue
        src = dict(src) if isinstance(src, dict) else src
        if isinstance(src, dict):
            src["lines"] = tuple(_build(SourceLine, ln, f"{key} line {i}")
                                 for i, ln in enumerate(src.get("lines") or ()))
            if "origin" in src:
                src["origin"] = tuple(src["origin"])
        data[key] = _build(RecordedSource, src, key)
    events = []
    for i, e in enumerate(data.get("events") or ()):
        if not isinstance(e, dict):
            raise RecordingError(f"event {i} is not an object")
        e = dict(e)
        if e.get("kind") not in EVENT_KINDS:
            raise RecordingError(f"event {i} has kind {e.get('kind')!r}; kinds are "
                                 f"{', '.join(EVENT_KINDS)}")
        if e.get("window") is not None:
            e["window"] = _build(RecordedWindow, e["window"], f"event {i} window")
        if e.get("widget") is not None:
            w = e["widget"]
            if isinstance(w, dict) and isinstance(w.get("options"), list):
                w = {**w, "options": tuple(w["options"])}
            e["widget"] = _build(RecordedWidget, w, f"event {i} widget")
        events.append(_build(Event, e, f"event {i}"))
    data["events"] = tuple(events)
    rec = _build(Recording, data, "recording")
    rec.check_no_secrets()
    return rec
