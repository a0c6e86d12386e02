"""Opening a file a person named, refusing what is not one before reading it: a folder,
a device or pipe (reading /dev/zero never ends, a FIFO blocks), or a file far larger
than any of its kind. Used for playbooks here and, from app/, for case files and images.

    check_regular_file(path, max_bytes) -> size in bytes     raises FileRefused
    read_regular_file(path, max_bytes)  -> bytes              raises FileRefused
"""
from __future__ import annotations

import stat
from pathlib import Path

__all__ = ["FileRefused", "check_regular_file", "read_regular_file"]


class FileRefused(Exception):
    """`kind` is one of: missing, folder, special, too_large, unreadable. `size` is the
    file's size for too_large; `reason` the system's words for unreadable. Each reader
    says it in its own sentences (the playbook loader, case files, images), which name
    the kind of file they wanted."""

    def __init__(self, kind: str, *, size: int = 0, reason: str = "") -> None:
        super().__init__(kind)
        self.kind = kind
        self.size = size
        self.reason = reason


def check_regular_file(path: str | Path, max_bytes: int) -> int:
    try:
        info = Path(path).stat()
    except FileNotFoundError:
        raise FileRefused("missing") from None
    except OSError as e:   # permissions, a symlink loop, a name too long
        raise FileRefused("unreadable", reason=e.strerror or type(e).__name__) from None
    if stat.S_ISDIR(info.st_mode):
        raise FileRefused("folder")
    if not stat.S_ISREG(info.st_mode):
        raise FileRefused("special")
    if info.st_size > max_bytes:
        raise FileRefused("too_large", size=info.st_size)
    return info.st_size


def read_regular_file(path: str | Path, max_bytes: int) -> bytes:
    check_regular_file(path, max_bytes)
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise FileRefused("missing") from None
    except IsADirectoryError:
        raise FileRefused("folder") from None
    except OSError as e:
        raise FileRefused("unreadable", reason=e.strerror or type(e).__name__) from None
    if len(data) > max_bytes:   # it grew after the check
        raise FileRefused("too_large", size=len(data))
    return data
