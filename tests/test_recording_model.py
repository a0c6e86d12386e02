"""The recording file between the listener and the compiler: it round-trips, refuses what it
cannot use with a sentence, and never holds a secret."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from recorders.recording import (Event, RecordedSource, RecordedWidget, RecordedWindow,
                                 Recording, RecordingError, SourceLine)


def _rec(secret_text: str | None = None) -> Recording:
    win = RecordedWindow(title="城市审批系统 - 受理登记", wm_class="sample_client", pid=42,
                         x=10, y=20, width=800, height=600)
    name = RecordedWidget(role="text", name="申请人姓名", label="申请人姓名：", x=200, y=80,
                          width=300, height=28, path="0/1/3")
    pw = RecordedWidget(role="password", name="口令", secret=True)
    matter = RecordedWidget(role="combo", name="办理事项", options=("公积金提取", "不动产登记"))
    return Recording(
        started="2026-12-05T06:30:00+00:00",
        source=RecordedSource(kind="image", image="source.png", width=640, height=400,
                              lines=(SourceLine("姓名 张𠀾伟", 10, 20, 120, 24, 0.98),)),
        events=(Event(t=0.1, kind="focus", window=win, widget=name),
                Event(t=0.2, kind="text", window=win, widget=name, text="张"),
                Event(t=0.3, kind="key", window=win, widget=name, key="tab"),
                Event(t=0.4, kind="text", window=win, widget=pw, text=secret_text),
                Event(t=0.5, kind="click", window=win, widget=name, x=210, y=90, button="left"),
                Event(t=0.6, kind="value", window=win, widget=matter, text="不动产登记")),
        stopped=1.0,
        target=RecordedSource(kind="window", window_title="城市审批系统 - 受理登记", width=800,
                              height=600, origin=(10, 20),
                              lines=(SourceLine("申请人姓名：", 20, 60, 90, 20),)))


def test_round_trip(tmp_path: Path) -> None:
    rec = _rec()
    path = tmp_path / "r.json"
    rec.save(path)
    back = Recording.load(path)
    assert back == rec
    assert back.source is not None and back.source.lines[0].text == "姓名 张𠀾伟"
    assert back.events[2].key == "tab"
    assert back.target is not None and back.target.origin == (10, 20)
    assert back.events[5].widget is not None and back.events[5].widget.options[1] == "不动产登记"


def test_a_secret_is_never_written_or_read(tmp_path: Path) -> None:
    with pytest.raises(RecordingError, match="password"):
        _rec(secret_text="hunter2").to_json()
    data = json.loads(_rec().to_json())
    data["events"][3]["text"] = "hunter2"
    text = json.dumps(data)
    with pytest.raises(RecordingError, match="password"):
        Recording.from_json(text)


@pytest.mark.parametrize("text, says", [
    ("[]", "JSON object"), ("{", "not JSON"), ('{"format": 9}', "format 9"),
    ('{"format": 1, "started": "x", "source": null, "events": [{"t": 0, "kind": "fly"}]}',
     "kind 'fly'"),
    ('{"format": 1, "started": "x", "source": null, "colour": 1}', "unknown keys: colour"),
])
def test_bad_files_say_why(text: str, says: str) -> None:
    with pytest.raises(RecordingError, match=says):
        Recording.from_json(text)


def test_missing_file_says_which(tmp_path: Path) -> None:
    with pytest.raises(RecordingError, match="cannot read the recording"):
        Recording.load(tmp_path / "none.json")
