"""Deskhand's log file, and the last line of defence against tracebacks.

One rotating log per user (the folder IT collects). Personal data never reaches it in
clear: callers log masked text (app.privacy), and `log_crash` masks the traceback too.
"""
from __future__ import annotations

import logging
import logging.handlers
import traceback
from pathlib import Path

from app.i18n import _, sentences
from app.privacy import mask_text

__all__ = ["log_dir", "setup_logging", "log_crash", "crash_sentence"]


def log_dir() -> Path:
    import platformdirs
    return Path(platformdirs.user_log_dir("deskhand", appauthor=False))


def setup_logging(folder: Path | None = None) -> Path:
    """Log Deskhand's own loggers (`deskhand.*`) to deskhand.log in `folder` (the user's
    log folder unless given); its path."""
    folder = folder or log_dir()
    path = folder / "deskhand.log"
    root = logging.getLogger("deskhand")
    root.setLevel(logging.INFO)
    for h in [h for h in root.handlers if isinstance(h, logging.handlers.RotatingFileHandler)]:
        if Path(h.baseFilename) == path.absolute():
            return path
        # the log folder moved (settings changed, or another test's home): the path told
        # to the clerk must be the file the traceback is written to
        root.removeHandler(h)
        h.close()
    folder.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=2_000_000, backupCount=5,
                                                   encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    return path


def log_crash(exc: BaseException, where: str) -> Path | None:
    """Write `exc`'s traceback (masked) to the log; the log's path, or None when even
    that failed (a full disk must not turn one problem into two)."""
    try:
        path = setup_logging()
        text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        logging.getLogger("deskhand.crash").error("%s: unexpected error\n%s", where,
                                                  mask_text(text))
        return path
    except Exception:  # noqa: BLE001 - nothing more can be done here
        return None


def crash_sentence(exc: BaseException, path: Path | None) -> str:
    """What the clerk reads instead of a traceback."""
    if isinstance(exc, RecursionError):
        what = _("Deskhand stopped: the input is nested too deeply to read.")
    elif isinstance(exc, MemoryError):
        what = _("Deskhand stopped: the input is too large to handle.")
    else:
        what = _("Deskhand stopped: an unexpected problem ({kind}).", kind=type(exc).__name__)
    where = (_("The details are in {path}.", path=path) if path else
             _("The details could not be logged."))
    return sentences([what, _("Nothing more was typed and any case file is kept."), where,
                      _("Please pass this to IT.")])
