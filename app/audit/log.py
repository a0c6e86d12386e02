"""`AuditLog`: the append-only, chained audit log (one JSON line an entry; see chain.py).

    audit = open_audit()                       # the preset's `audit:` section, the keyring key
    audit.append("fill", {"window": …, "fields": […]})   # masks what it is given
    audit.close()                              # session end: a checkpoint

Appends are serialised across processes by a lock file (the tray and a command line at
once); each is one write + fsync. The first entry of a log is `log_start` with a random
log id, which checkpoints name, so checkpoints of several desks can share one collector.
"""
from __future__ import annotations

import atexit
import getpass
import json
import logging
import os
import socket
import threading
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Protocol

from app.audit.chain import ALG_UNKEYED, GENESIS, keyed_alg, link
from app.audit.checkpoints import Checkpoint, FileSink, SyslogSink
from app.audit.config import AuditConfig, preset_audit_config
from app.audit.lock import locked
from app.audit.masking import mask_data
from app.errors import AuditError, DeskhandError
from app.i18n import _

__all__ = ["AuditLog", "open_audit", "now_utc", "read_last_entry"]

log = logging.getLogger("deskhand.audit")   # deskhand.log (app/logs.py) takes deskhand.*
TAIL_CHUNK = 8192


class Sink(Protocol):
    def send(self, cp: Checkpoint) -> None: ...


def now_utc() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:    # no login name (a service account without one)
        return "-"


def read_last_entry(path: Path) -> tuple[dict[str, Any] | None, bool]:
    """The last complete entry of the log, and whether the file ends mid-line (a write
    cut off by a crash)."""
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            end = f.tell()
            if end == 0:
                return None, False
            f.seek(end - 1)
            torn = f.read(1) != b"\n"
            pos, buf = end, b""
            while pos > 0:
                step = min(TAIL_CHUNK, pos)
                pos -= step
                f.seek(pos)
                buf = f.read(step) + buf
                lines = buf.split(b"\n")
                # whole lines only: the first piece may be cut unless we reached the start
                candidates = lines[1:] if pos > 0 else lines
                for raw in reversed(candidates):
                    if raw.strip():
                        try:
                            entry = json.loads(raw)
                            if isinstance(entry, dict) and "seq" in entry and "mac" in entry:
                                return entry, torn
                        except ValueError:
                            continue
            return None, torn
    except FileNotFoundError:
        return None, False


class AuditLog:
    """One installation's audit log. `key` gives the HMAC key or (None, why not)."""

    def __init__(self, path: Path, *, key: Callable[[], tuple[bytes | None, str | None]],
                 sinks: list[Sink] | None = None, checkpoint_every: int = 50,
                 checkpoint_minutes: float = 10.0, user: str | None = None,
                 host: str | None = None, warn: Callable[[str], None] | None = None) -> None:
        self.path = Path(path)
        self.sinks = list(sinks or [])
        self.checkpoint_every = checkpoint_every
        self.checkpoint_minutes = checkpoint_minutes
        self.user = user or _user()
        self.host = host or socket.gethostname()
        self._key_source = key
        self._key: tuple[bytes | None, str | None] | None = None
        self._warn = warn or (lambda sentence: log.warning("%s", sentence))
        self._lock = threading.Lock()          # this process's threads; the file lock: others
        self._last: dict[str, Any] | None = None    # the newest entry this process wrote
        self._checkpointed = 0                 # seq of the newest checkpoint this process sent
        self._stop = threading.Event()
        self._timer: threading.Thread | None = None
        self.warnings: list[str] = []
        self.closed = False

    def __call__(self, event: str, data: dict[str, Any]) -> None:
        """As the `audit` callable parts take: never raises (case work goes on), warns."""
        try:
            self.append(event, data)
        except DeskhandError as exc:
            self._warning(exc.message)

    # ------------------------------------------------------------------ writing
    def key(self) -> tuple[bytes | None, str | None]:
        if self._key is None:
            self._key = self._key_source()
            if self._key[1]:
                self._warning(self._key[1])
        return self._key

    def append(self, event: str, data: dict[str, Any]) -> dict[str, Any]:
        """Write one entry (its values masked); the entry written. AuditError if the log
        cannot be written."""
        if self.closed:     # used again after a session end (the tray's pipeline rebuilt)
            self.closed, self._stop, self._timer = False, threading.Event(), None
        key, _why = self.key()
        body = mask_data(dict(data))
        try:
            with self._lock, locked(self.path.with_name(self.path.name + ".lock")):
                last, torn = read_last_entry(self.path)
                with open(self.path, "ab") as f:
                    if torn:   # a write cut off by a crash: end its line; verify names it
                        f.write(b"\n")
                    if last is None:
                        last = self._write(f, key, None, "log_start",
                                           {"log_id": uuid.uuid4().hex})
                    entry = self._write(f, key, last, event, body)
                    os.fsync(f.fileno())
                self._last = entry
                if entry["seq"] % self.checkpoint_every == 0:
                    self._checkpoint(entry, "every")
        except OSError as e:
            raise AuditError(_("The audit log {path} cannot be written ({reason}); the case "
                               "work goes on, but tell IT.", path=self.path,
                               reason=e.strerror or e)) from None
        self._start_timer()
        return entry

    def _write(self, f: Any, key: bytes | None, last: dict[str, Any] | None, event: str,
               data: dict[str, Any]) -> dict[str, Any]:
        entry = {"seq": (last["seq"] + 1) if last else 1, "time": now_utc(), "event": event,
                 "user": self.user, "host": self.host, "data": data,
                 "alg": keyed_alg() if key is not None else ALG_UNKEYED,
                 "prev": last["mac"] if last else GENESIS}
        entry["mac"] = link(entry, key)
        f.write(json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode() + b"\n")
        return entry

    # ------------------------------------------------------------------ checkpoints
    def log_id(self) -> str:
        try:
            with open(self.path, "rb") as f:
                first = json.loads(f.readline())
            return str(first["data"]["log_id"])
        except (OSError, ValueError, KeyError, TypeError):
            return "-"

    def _checkpoint(self, entry: dict[str, Any], reason: str) -> None:
        if not self.sinks:
            return
        cp = Checkpoint(self.log_id(), entry["seq"], entry["mac"], now_utc(), self.host,
                        self.user, reason)
        for sink in self.sinks:
            try:
                sink.send(cp)
            except OSError as e:
                self._warning(_("The audit checkpoint could not be sent to {sink} ({reason}); "
                                "the next one will try again.", sink=repr(sink),
                                reason=e.strerror or e))
        self._checkpointed = entry["seq"]

    def checkpoint(self, reason: str = "asked") -> None:
        """A checkpoint of the log's newest entry (whoever wrote it), if it has not had one
        from this process yet."""
        with self._lock, locked(self.path.with_name(self.path.name + ".lock")):
            last, _torn = read_last_entry(self.path)
            if last is not None and last["seq"] > self._checkpointed:
                self._checkpoint(last, reason)

    def _start_timer(self) -> None:
        if self._timer is not None or not self.sinks or self.closed:
            return
        self._timer = threading.Thread(target=self._tick, name="audit-checkpoints", daemon=True)
        self._timer.start()

    def _tick(self) -> None:
        while not self._stop.wait(self.checkpoint_minutes * 60):
            try:
                if self._last is not None and self._last["seq"] > self._checkpointed:
                    self.checkpoint("timer")
            except Exception as e:   # the timer must not die silently on a full disk
                self._warning(str(e))

    def close(self) -> None:
        """Session end: a checkpoint if this process wrote since the last one."""
        if self.closed:
            return
        self.closed = True
        self._stop.set()
        if self._last is not None and self._last["seq"] > self._checkpointed:
            try:
                self.checkpoint("session end")
            except (OSError, DeskhandError) as e:
                self._warning(str(e))

    def _warning(self, sentence: str) -> None:
        if sentence not in self.warnings:
            self.warnings.append(sentence)
            self._warn(sentence)


def sinks_for(config: AuditConfig) -> list[Sink]:
    sinks: list[Sink] = []
    if config.checkpoint_file is not None:
        sinks.append(FileSink(config.checkpoint_file))
    if config.syslog:
        sinks.append(SyslogSink(config.syslog))
    return sinks


KEYLESS_ENV = "DESKHAND_AUDIT_KEYLESS"


def _keyless() -> tuple[bytes | None, str | None]:
    return None, None


def open_audit(settings: Any = None, *, config: AuditConfig | None = None,
               preset_path: Path | None = None, vault: Any = None,
               key: Callable[[], tuple[bytes | None, str | None]] | None = None,
               warn: Callable[[str], None] | None = None, at_exit: bool = True) -> AuditLog:
    """The installation's audit log, as IT's preset sets it up (`settings` is accepted for
    the callers' convenience; the `audit:` section is IT's alone and read from the preset).
    The key comes from the keyring, made on first use (`key` gives it another way); with
    $DESKHAND_AUDIT_KEYLESS set (`deskhand demo`, for its own throwaway log) there is none and
    the keyring is not touched: the entries are chained by plain SHA-256, which `deskhand
    audit verify` marks as weaker."""
    if config is None:
        if preset_path is None:
            from app.settings import default_preset_path
            preset_path = default_preset_path()
        config = preset_audit_config(preset_path)
    from app.audit.key import load_or_create_key

    def keyring() -> tuple[bytes | None, str | None]:
        from app.vault import Vault
        return load_or_create_key(vault if vault is not None else Vault())

    try:
        config.dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise AuditError(_("The audit folder {path} cannot be made ({reason}).",
                           path=config.dir, reason=e.strerror or e)) from None
    if key is None and os.environ.get(KEYLESS_ENV):
        key = _keyless
    audit = AuditLog(config.log_path, key=key or keyring, sinks=sinks_for(config),
                     checkpoint_every=config.checkpoint_every,
                     checkpoint_minutes=config.checkpoint_minutes, warn=warn)
    if at_exit:
        atexit.register(audit.close)
    return audit


