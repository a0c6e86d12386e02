"""`deskhand doctor` with no window named: every check in turn, from the parts it is given.

    parts = DoctorParts.default()          # the clerk's settings, the OS keyring, this display
    checks = run_checks(parts)             # [Check]; a check that crashes is a fault line

A check that raises something unexpected does not stop the others: it becomes a line
named "<check>.fault" (exit code 3), with the traceback in deskhand.log (app.logs).
"""
from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.doctor import checks as c
from app.doctor import desktop_checks as d
from app.doctor.report import FAULT
from app.errors import DeskhandError
from app.i18n import _, sentences
from app.logs import log_crash

if TYPE_CHECKING:  # pragma: no cover
    import httpx

    from app.a11y.base import Accessibility
    from app.desktop.base import Desktop
    from app.hotkeys.base import HotkeyBackend
    from app.library import PlaybookLibrary
    from app.registry.settings import RegistrySettings
    from app.settings import Settings

__all__ = ["DoctorParts", "run_checks", "where_logged"]


@dataclass
class DoctorParts:
    """What the checks look at; `default()` for the clerk's own."""

    settings: "Settings"
    settings_path: Path
    settings_problems: list[str]
    preset_path: Path
    preset_required: bool
    library: "PlaybookLibrary"
    vault: Any                                          # app.vault.Vault
    registries: Callable[[], "RegistrySettings"]
    secrets: Callable[[str], str]
    desktop: Callable[[], "Desktop"]
    accessibility: Callable[[], "Accessibility"]
    hotkeys: Callable[[], "HotkeyBackend"]
    log_dir: Path
    cases_dir: Path
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    transport: "httpx.BaseTransport | None" = None       # tests: registries without a network
    model_files: Callable[[str], list[Path]] | None = None
    tray_status: Callable[[], Mapping[str, Any] | None] = lambda: None   # the running tray's

    @classmethod
    def default(cls, registries_file: str | None = None) -> "DoctorParts":
        from app.a11y import open_accessibility
        from app.desktop import open_desktop
        from app.hotkeys import open_hotkeys
        from app.library import library_for
        from app.logs import log_dir
        from app.paths import default_cases_dir
        from app.pipeline import load_settings, registry_settings_for
        from app.settings import default_preset_path, default_user_path
        from app.vault import Vault
        settings, problems = load_settings()
        vault = Vault()
        return cls(settings=settings, settings_path=default_user_path(),
                   settings_problems=problems, preset_path=default_preset_path(),
                   preset_required=bool(os.environ.get("DESKHAND_PRESET")),
                   library=library_for(settings), vault=vault,   # installed packs' too
                   registries=lambda: registry_settings_for(settings, registries_file),
                   secrets=vault.get, desktop=open_desktop, accessibility=open_accessibility,
                   hotkeys=open_hotkeys, log_dir=log_dir(), cases_dir=default_cases_dir(),
                   tray_status=_tray_status)


def _tray_status() -> Mapping[str, Any] | None:
    """The Deskhand tray running on this display, if one does (Linux: its Unix socket;
    on Windows its channel needs Qt, so the doctor cannot tell)."""
    if sys.platform.startswith("win"):
        return None
    from app.tray_channel import send_unix
    return send_unix({"cmd": "status"}, 1.0)


def run_checks(parts: DoctorParts) -> list[c.Check]:
    from app.ocr.rapid import model_files
    found = c.versions()
    registries = _registries_or_none(parts.registries)
    env, platform = parts.environ, sys.platform
    steps: list[tuple[str, Callable[[], c.Check | list[c.Check]]]] = [
        ("versions", lambda: c.versions_check(found)),
        ("display", lambda: d.display_check(env, platform=platform)),
        ("keyring", lambda: c.keyring_check(parts.vault, c.credential_names(registries))),
        ("hotkeys", lambda: d.hotkeys_check(parts.hotkeys, parts.settings.hotkeys,
                                            parts.tray_status)),
        ("ocr", lambda: c.ocr_check(parts.settings.ocr_engine, parts.model_files or model_files,
                                    found)),
        ("registries", lambda: c.registry_checks(parts.registries, parts.secrets,
                                                 transport=parts.transport)),
        ("targets", lambda: _targets(parts)),
        ("preset", lambda: c.preset_check(parts.preset_path, parts.preset_required)),
        ("settings", lambda: c.settings_check(parts.settings_path, parts.settings_problems)),
        ("logs", lambda: c.folder_check("logs", _("Log folder"), parts.log_dir)),
        ("cases", lambda: c.folder_check("cases", _("Cases folder"), parts.cases_dir,
                                         space=True)),
    ]
    out: list[c.Check] = []
    for name, step in steps:
        try:
            got = step()
        except Exception as exc:   # one broken check must not hide the others
            got = c.Check(f"{name}.{FAULT}", name, c.FAIL,
                          _("this check could not run: {reason}", reason=exc),
                          where_logged(log_crash(exc, f"deskhand doctor ({name})")))
        out += got if isinstance(got, list) else [got]
    return out


def where_logged(path: Path | None) -> str:
    return sentences([_("The details are in {path}.", path=path) if path else
                      _("The details could not be logged."), _("Please pass this to IT.")])


def _registries_or_none(load: Callable[[], "RegistrySettings"]) -> "RegistrySettings | None":
    try:
        return load()
    except DeskhandError:
        return None             # said by the registries check


def _targets(parts: DoctorParts) -> list[c.Check]:
    if not parts.environ.get("DISPLAY") and not sys.platform.startswith("win"):
        return []               # the display check says why
    try:
        desktop = parts.desktop()
    except DeskhandError as exc:
        return [c.Check("targets", _("Targets"), c.WARN, exc.message)]
    try:
        return d.target_checks(parts.library.playbooks, desktop, parts.accessibility,
                               enabled=parts.settings.accessibility)
    finally:
        desktop.close()
