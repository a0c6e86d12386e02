"""Writing files so that a reader (or a crash) never sees half of one, and nobody else
can read them: case files hold ID numbers, so files are 0600 and folders made here 0700.

A write goes to `.NAME.XXXXXXXX.tmp` beside NAME, then is renamed over it. A process
killed in between leaves that temporary file (a whole case, in clear); the next write
into the same folder removes such leftovers once they are older than a minute (a
younger one may belong to a write still under way in another process).
"""
from __future__ import annotations

import os
import re
import stat
import tempfile
import time
from pathlib import Path

__all__ = ["write_text_atomically", "write_bytes_atomically", "sweep_stale_temp_files",
           "make_private_dir", "STALE_TEMP_S"]

STALE_TEMP_S = 60.0
# mkstemp's random part: 8 characters of [a-z0-9_]. Only names of this exact shape are ours.
_OUR_TEMP = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")


def make_private_dir(path: Path) -> None:
    """Create `path` (and missing parents) readable by the owner only; an existing folder
    is left as it is (it may be the clerk's own, e.g. the current folder)."""
    missing = []
    p = path
    while not p.exists() and p != p.parent:
        missing.append(p)
        p = p.parent
    for d in reversed(missing):
        try:
            d.mkdir(mode=0o700)
        except FileExistsError:      # made meanwhile by another process
            pass
        else:
            os.chmod(d, 0o700)       # mkdir's mode is filtered by the umask


def sweep_stale_temp_files(folder: Path, *, older_than_s: float = STALE_TEMP_S,
                           now: float | None = None) -> list[Path]:
    """Remove temporary files of interrupted writes (our naming only, regular files only,
    older than `older_than_s`) from `folder`. Returns what was removed; never raises."""
    now = time.time() if now is None else now
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for e in entries:
        if not _OUR_TEMP.match(e.name):
            continue
        try:
            st = e.stat(follow_symlinks=False)
            if stat.S_ISREG(st.st_mode) and now - st.st_mtime > older_than_s:
                os.unlink(e.path)
                removed.append(Path(e.path))
        except OSError:             # gone meanwhile, or not ours to remove
            continue
    return removed


def write_text_atomically(path: str | Path, text: str) -> None:
    """Write `text` (UTF-8) to a temporary file beside `path` (mode 0600), flush it to
    disk, then rename it over `path`: readers see the old file or the new one, and the
    file keeps mode 0600. Stale temporary files of earlier killed writes in the same
    folder are removed first. Raises OSError (the temporary file is removed then)."""
    _write_atomically(Path(path), text, "w")


def write_bytes_atomically(path: str | Path, data: bytes) -> None:
    """`data` written as write_text_atomically writes text (a picture kept with a case)."""
    _write_atomically(Path(path), data, "wb")


def _write_atomically(p: Path, payload: str | bytes, mode: str) -> None:
    make_private_dir(p.parent)
    sweep_stale_temp_files(p.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent)
    try:
        with os.fdopen(fd, mode, **({"encoding": "utf-8"} if mode == "w" else {})) as f:
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
