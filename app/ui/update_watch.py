"""Noticing that the installed Deskhand was upgraded under the running tray (IT's rollout:
`apt-get install` or the Windows installer while clerks work).

The tray keeps the old program in memory while the files on disk are the new one's, and the
helpers it starts (the fill worker) would be the new program: so once the tray is idle it
restarts itself, after telling the clerk once. "Idle": nothing captured, reviewed, filled,
recorded, edited or batched at that moment; until then it only waits.
"""
from __future__ import annotations

import logging
from typing import Callable

from PySide6.QtCore import QObject, QTimer

log = logging.getLogger("deskhand.ui")

CHECK_EVERY_MS = 60_000


class UpdateWatch(QObject):
    """`installed()` is the stamp of the build on disk now (None: not a packaged build, or
    unreadable); `started` the one the tray started with. `check()` runs every
    `interval_ms` (a minute)."""

    def __init__(self, installed: Callable[[], str | None], *, idle: Callable[[], bool],
                 tell: Callable[[], None], restart: Callable[[], None],
                 interval_ms: int = CHECK_EVERY_MS) -> None:
        super().__init__()
        self._installed = installed
        self.started = installed()
        self._idle, self._tell, self._restart = idle, tell, restart
        self.pending: str | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.check)
        if self.started is not None:        # from a source tree there is nothing to watch
            self.timer.start()

    def check(self) -> None:
        if self.pending is None:
            now = self._installed()
            if now is None or now == self.started:
                return
            self.pending = now
            log.info("the installed build changed (%s → %s)", self.started, now)
            self._tell()
        if self._idle():
            self.timer.stop()
            self._restart()
