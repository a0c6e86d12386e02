"""Checkpoints: (log id, seq, mac, time) of an entry, written OUTSIDE the log, so that an
attacker who holds the key and rewrites or cuts the log's tail still disagrees with what
IT collected. Two sinks, either or both: a file (one JSON line each; IT collects it) and
syslog RFC 5424 to a collector over UDP or TCP (octet-counted framing, RFC 6587).

stdlib's logging.handlers.SysLogHandler writes RFC 3164 (`<PRI>message`, no version, no
structured data), so the RFC 5424 line is written here by hand:

    <110>1 2026-12-05T10:00:00.000000Z desk-07 deskhand 4711 checkpoint
      [checkpoint@32473 log="…" seq="50" mac="…" user="…"] deskhand audit checkpoint

PRI 110 = facility 13 (log audit) × 8 + severity 6 (informational). 32473 is the
private enterprise number RFC 5612 reserves for examples; a site with its own PEN may keep
it: verify reads seq/mac/log whatever the SD-ID.
"""
from __future__ import annotations

import json
import os
import re
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from app.errors import AuditError
from app.i18n import _

__all__ = ["Checkpoint", "FileSink", "SyslogSink", "parse_syslog_url", "read_checkpoints",
           "rfc5424_line"]

PRI = 13 * 8 + 6
SD_ID = "checkpoint@32473"
SEND_TIMEOUT_S = 2.0


@dataclass(frozen=True)
class Checkpoint:
    log: str
    seq: int
    mac: str
    time: str
    host: str = ""
    user: str = ""
    reason: str = ""
    line: int = 0          # where it was read (for messages)

    def record(self) -> dict[str, Any]:
        return {"kind": "deskhand-audit-checkpoint", "log": self.log, "seq": self.seq,
                "mac": self.mac, "time": self.time, "host": self.host, "user": self.user,
                "reason": self.reason}


def _sd_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("]", "\\]")


def _header_word(value: str, limit: int) -> str:
    """RFC 5424 header fields are printable US-ASCII without spaces, or '-'."""
    word = "".join(c for c in value if 33 <= ord(c) <= 126)[:limit]
    return word or "-"


def rfc5424_line(cp: Checkpoint, pid: int | None = None) -> str:
    params = " ".join(f'{k}="{_sd_escape(str(v))}"' for k, v in
                      (("log", cp.log), ("seq", cp.seq), ("mac", cp.mac), ("user", cp.user),
                       ("reason", cp.reason)))
    return (f"<{PRI}>1 {cp.time} {_header_word(cp.host, 255)} deskhand "
            f"{pid if pid is not None else os.getpid()} checkpoint [{SD_ID} {params}] "
            f"deskhand audit checkpoint")


def parse_syslog_url(url: str) -> tuple[str, str, int]:
    """("udp"|"tcp", host, port) from udp://host:port or tcp://host:port."""
    parts = urlsplit(url)
    if parts.scheme not in ("udp", "tcp") or not parts.hostname:
        raise AuditError(_("The audit syslog collector {url} is not udp://HOST:PORT or "
                           "tcp://HOST:PORT; fix 'audit: syslog:' in IT's preset.", url=url))
    try:
        port = parts.port or 514
    except ValueError:
        raise AuditError(_("The audit syslog collector {url} has no valid port.", url=url)) from None
    return parts.scheme, parts.hostname, port


class FileSink:
    def __init__(self, path: Path) -> None:
        self.path = path

    def send(self, cp: Checkpoint) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(cp.record(), ensure_ascii=False) + "\n"
        # O_APPEND: one short write each, so checkpoints of several desks on a share interleave whole
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)

    def __repr__(self) -> str:
        return f"file {self.path}"


class SyslogSink:
    def __init__(self, url: str) -> None:
        self.url = url
        self.transport, self.host, self.port = parse_syslog_url(url)

    def send(self, cp: Checkpoint) -> None:
        data = rfc5424_line(cp).encode("utf-8")
        if self.transport == "udp":
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.sendto(data, (self.host, self.port))
            return
        with socket.create_connection((self.host, self.port), timeout=SEND_TIMEOUT_S) as s:
            s.sendall(str(len(data)).encode() + b" " + data)

    def __repr__(self) -> str:
        return f"syslog {self.url}"


_SD_PARAM = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def _from_syslog(line: str, number: int) -> Checkpoint | None:
    start = line.find("[checkpoint@")
    if start < 0:
        return None
    # the timestamp is the second header word: "<PRI>1 TIME HOST …" (a collector may prefix its own)
    head = line[:start].split()
    stamp = next((w for w in head if re.match(r"\d{4}-\d\d-\d\dT", w)), "")
    params = {k: v.replace('\\"', '"').replace("\\]", "]").replace("\\\\", "\\")
              for k, v in _SD_PARAM.findall(line[start:line.find("]", start) + 1 or None])}
    try:
        return Checkpoint(params["log"], int(params["seq"]), params["mac"], stamp,
                          user=params.get("user", ""), reason=params.get("reason", ""),
                          line=number)
    except (KeyError, ValueError):
        return None


def read_checkpoints(path: str | Path) -> list[Checkpoint]:
    """Checkpoints in a file: our JSON lines, or a collector's syslog file (other lines
    are skipped)."""
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError as e:
        raise AuditError(_("The checkpoint file {path} cannot be read ({reason}).", path=path,
                           reason=e.strerror or e)) from None
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        cp = None
        if line.startswith("{"):
            try:
                d = json.loads(line)
                if d.get("kind") == "deskhand-audit-checkpoint":
                    cp = Checkpoint(str(d["log"]), int(d["seq"]), str(d["mac"]), str(d["time"]),
                                    str(d.get("host", "")), str(d.get("user", "")),
                                    str(d.get("reason", "")), number)
            except (ValueError, KeyError, TypeError, AttributeError):
                cp = None
        elif "[checkpoint@" in line:
            cp = _from_syslog(line, number)
        if cp is not None:
            found.append(cp)
    return found
