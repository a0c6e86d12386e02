"""app/logs.py: the log file a sentence names is the file the traceback went to, also after
the log folder changed within one process (the tray after another part logged)."""
from __future__ import annotations

import logging

from app.logs import log_crash, setup_logging


def test_the_named_log_is_where_the_traceback_is_written(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "first"))
    try:
        raise ZeroDivisionError("id 350802198809091529 in the message")
    except ZeroDivisionError as exc:
        first = log_crash(exc, "a test")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "second"))
    try:
        raise KeyError("second")
    except KeyError as exc:
        second = log_crash(exc, "another test")
    assert first is not None and second is not None and first != second
    assert "ZeroDivisionError" in first.read_text(encoding="utf-8")
    text = second.read_text(encoding="utf-8")
    assert "KeyError" in text and "ZeroDivisionError" not in text
    assert "350802198809091529" not in first.read_text(encoding="utf-8")     # masked
    handlers = [h for h in logging.getLogger("deskhand").handlers
                if isinstance(h, logging.handlers.RotatingFileHandler)]
    assert len(handlers) == 1                                                   # not one per folder
    assert setup_logging() == second
