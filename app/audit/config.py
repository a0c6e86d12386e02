"""The `audit:` section of IT's preset:

    audit:
      dir: /var/lib/deskhand/audit       # default: the user's state folder/audit
      checkpoint_file: //srv/it/audit-checkpoints.jsonl
      syslog: udp://10.0.0.5:5514         # or tcp://HOST:PORT
      checkpoint_every: 50                # entries
      checkpoint_minutes: 10              # while running, if anything was written since
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs

from app.errors import PresetError
from app.i18n import _

__all__ = ["AuditConfig", "audit_config", "default_audit_dir"]

KEYS = ("dir", "checkpoint_file", "syslog", "checkpoint_every", "checkpoint_minutes")
LOG_NAME = "audit.jsonl"


def default_audit_dir() -> Path:
    return Path(platformdirs.user_state_dir("deskhand", appauthor=False)) / "audit"


@dataclass(frozen=True)
class AuditConfig:
    dir: Path
    checkpoint_file: Path | None = None
    syslog: str | None = None
    checkpoint_every: int = 50
    checkpoint_minutes: float = 10.0

    @property
    def log_path(self) -> Path:
        return self.dir / LOG_NAME


def _problem(path: Path | None, problem: str) -> PresetError:
    return PresetError(_("IT's preset file {path} cannot be used: {problem}. Ask IT (信息科) "
                         "to fix it.", path=path, problem=problem))


def audit_config(section: Any, preset: Path | None = None) -> AuditConfig:
    """The preset's `audit:` mapping (None: the defaults), checked."""
    if section is None:
        section = {}
    if not isinstance(section, Mapping):
        raise _problem(preset, _("'audit' must be a mapping (dir, checkpoint_file, syslog, "
                                 "checkpoint_every, checkpoint_minutes)"))
    unknown = [k for k in section if k not in KEYS]
    if unknown:
        raise _problem(preset, _("unknown key 'audit.{key}' (allowed: {allowed})",
                                 key=unknown[0], allowed=", ".join(KEYS)))
    every, minutes = section.get("checkpoint_every", 50), section.get("checkpoint_minutes", 10)
    if not isinstance(every, int) or isinstance(every, bool) or every < 1:
        raise _problem(preset, _("'audit.checkpoint_every' must be a whole number of entries, 1 or more"))
    if not isinstance(minutes, (int, float)) or isinstance(minutes, bool) or minutes <= 0:
        raise _problem(preset, _("'audit.checkpoint_minutes' must be a number of minutes above 0"))
    for k in ("dir", "checkpoint_file", "syslog"):
        if section.get(k) is not None and not isinstance(section[k], str):
            raise _problem(preset, _("'audit.{key}' must be text", key=k))
    folder = section.get("dir")
    cp = section.get("checkpoint_file")
    return AuditConfig(dir=Path(os.path.expandvars(folder)).expanduser() if folder
                       else default_audit_dir(),
                       checkpoint_file=Path(os.path.expandvars(cp)).expanduser() if cp else None,
                       syslog=section.get("syslog") or None,
                       checkpoint_every=every, checkpoint_minutes=float(minutes))


def preset_audit_config(preset: Path | None) -> AuditConfig:
    """The `audit:` section of the preset file (missing file or section: defaults)."""
    if preset is None:
        return audit_config(None)
    from app.settings import _read_yaml
    try:
        doc = _read_yaml(preset)
    except FileNotFoundError:
        return audit_config(None)
    except ValueError as e:
        raise _problem(preset, str(e)) from None
    section = doc.get("audit") if isinstance(doc, Mapping) else None
    return audit_config(section, preset)
