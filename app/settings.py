"""Deskhand's settings: what a clerk may choose, what IT fixes, and where both are kept.

    store = SettingsStore(default_user_path(), default_preset_path())
    settings = store.load()                 # never raises for a damaged user file:
    for problem in store.problems: ...      # …it is backed up and the problem told here
    settings = dataclasses.replace(settings, language="en")
    store.save(settings)                    # SettingLockedError if IT fixed that key
    registries = settings.registry_settings()   # app.registry.settings.RegistrySettings

The user file (settings.yaml in the per-user config folder) holds only what differs from
the defaults and IT's preset, so a later preset default still reaches a clerk who never
changed that setting. IT's preset (see `default_preset_path`) looks like

    settings: {registries: {...}, hotkeys: {fill: Ctrl+Alt+F}, ocr_engine: rapidocr}
    locked: [registries, hotkeys.fill]
    packs: {trusted_keys: [{name: it-2026, key: <base64>}], require_signature: true}

A locked key always has the preset's value (or the default, if the preset names no value);
an unlocked preset value is a default the clerk may change. `packs:` is IT's alone (the
keys whose playbook packs are trusted, docs/packs.md): the clerk's file cannot hold it.
Secrets never appear here:
a registry entry names a credential, the OS keyring (app.vault) holds it.
"""
from __future__ import annotations

import copy
import dataclasses
import logging
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from app.errors import (DeskhandError, HotkeySettingError, PresetError, RegistryConfigError,
                        SettingLockedError, SettingsError)
from app.files import write_text_atomically
from app.hotkeys.combos import hotkey_name
from app.i18n import LANGUAGES, _, join, sentences
from app.ocr import ENGINES
from app.packs.trust import PackPolicy, TrustedKey
from app.paths import library_dir, user_config_dir
from app.registry.settings import RegistrySettings, parse_registry_settings
from playbooks.keys import KeyCombo, KeyNameError, parse_combo
from playbooks.yaml_limits import YamlLimitError, load_bounded

__all__ = ["Settings", "SettingsStore", "SettingsError", "SettingLockedError", "PresetError",
           "HotkeySettingError", "hotkey_combo",
           "LANGUAGES", "HOTKEY_NAMES", "DEFAULT_HOTKEYS", "LOCKABLE", "ON_OUTAGE",
           "default_user_path", "default_preset_path", "read_registries_file",
           "write_registry_settings", "fail_closed"]

log = logging.getLogger(__name__)

HOTKEY_NAMES = ("capture", "fill", "abort")
DEFAULT_HOTKEYS = {"capture": "Ctrl+Alt+C", "fill": "Ctrl+Alt+V", "abort": "Ctrl+Alt+Esc"}
ON_OUTAGE = ("unverified", "stop")
FIELDS = ("language", "ocr_engine", "hotkeys", "playbook_dirs", "registries", "on_outage",
          "last_playbook", "accessibility", "last_scenario")
LOCKABLE = FIELDS + tuple(f"hotkeys.{n}" for n in HOTKEY_NAMES)
# Top-level sections of IT's preset; `packs:` and `audit:` are IT's alone (`audit:` is
# read by app.audit.config)
PRESET_SECTIONS = ("settings", "locked", "packs", "audit")
# A bare key as a global hotkey would fire while the clerk types; these may stand alone.
_LONE_KEYS = frozenset({f"f{i}" for i in range(1, 13)} | {"pause", "printscreen"})


@dataclass(frozen=True)
class Settings:
    language: str = "zh_CN"
    ocr_engine: str = "rapidocr"
    hotkeys: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_HOTKEYS))
    # Folders added by the clerk; the shipped library is always searched first.
    playbook_dirs: list[str] = field(default_factory=list)
    # The `registries:` section of app.registry.settings (name → base_url, auth, endpoints).
    registries: dict[str, Any] = field(default_factory=dict)
    on_outage: str = "unverified"
    last_playbook: str | None = None
    last_scenario: str | None = None     # the scenario (业务场景) picked in the tray, if one is
    # Fields addressed by label go through the target's accessibility tree (False: by keys,
    # clicked beside the label — for a client whose tree misleads)
    accessibility: bool = True
    locked: frozenset[str] = frozenset()
    # IT's preset `packs:` section: which signed playbook packs are trusted
    packs: PackPolicy = PackPolicy()
    # Where the values came from, for messages; not part of the value.
    origin: str | None = field(default=None, compare=False, repr=False)

    def is_locked(self, key: str) -> bool:
        """`key` ("hotkeys.fill", "registries"…) or the section holding it is fixed by IT."""
        return key in self.locked or key.partition(".")[0] in self.locked

    def playbook_folders(self) -> list[Path]:
        """The shipped library, then the clerk's folders (each once)."""
        folders = [library_dir()]
        for d in self.playbook_dirs:
            p = Path(d).expanduser()
            if p not in folders:
                folders.append(p)
        return folders

    def registry_settings(self) -> RegistrySettings:
        """The registries as app.registry reads them (RegistryConfigError if wrong)."""
        return parse_registry_settings(_registry_document(self), self.origin)

    def validate(self) -> None:
        """SettingsError listing every problem, or nothing."""
        data = _data(self)
        problems = []
        for key in FIELDS:
            try:
                _PARSERS[key](data[key])
            except ValueError as e:
                problems.append(f"{key}: {e}")
        missing = [n for n in HOTKEY_NAMES if n not in self.hotkeys]
        if missing:
            problems.append(_("hotkeys: no key combination for {names}", names=join(missing)))
        if not problems:
            problems += _hotkey_clashes(self.hotkeys)
        if problems:
            raise SettingsError(_("The settings cannot be saved: {problems}.",
                                  problems=_("; ").join(problems)))


# ------------------------------------------------------------------ value parsers
# Each takes what YAML gave and returns the clean value, or raises ValueError with the
# rest of a sentence that starts with the key's name.

def _language(v: Any) -> str:
    if v not in LANGUAGES:
        raise ValueError(_("must be one of {choices}, not {value!r}", choices=join(LANGUAGES),
                           value=v))
    return v


def _ocr_engine(v: Any) -> str:
    if v not in ENGINES:
        raise ValueError(_("there is no OCR engine {value!r}; use one of {engines}", value=v,
                           engines=join(ENGINES)))
    return v


def hotkey_combo(text: str) -> KeyCombo:
    """The combination `text` names, if it can be a global hotkey; else HotkeySettingError."""
    try:
        combo = parse_combo(text)
    except KeyNameError as e:
        raise HotkeySettingError(text, "invalid", _("is not valid: {reason}", reason=e)) from None
    if not set(combo.modifiers) - {"shift"} and combo.key not in _LONE_KEYS:
        raise HotkeySettingError(text, "lone", _("needs Ctrl, Alt or Super, or it would fire while "
                                          "the clerk types"))
    return combo


def _hotkey(name: str, v: Any) -> str:
    if not isinstance(v, str):
        raise ValueError(_("the {name} hotkey must be text such as 'Ctrl+Alt+C', not {value!r}",
                           name=hotkey_name(name), value=v))
    try:
        hotkey_combo(v)
    except HotkeySettingError as e:
        raise ValueError(_("the {name} hotkey '{text}' {detail}", name=hotkey_name(name), text=v,
                           detail=e.detail)) from None
    return v.strip()


def _hotkeys(v: Any) -> dict[str, str]:
    """A partial mapping is fine: missing names keep their value from below."""
    if not isinstance(v, Mapping):
        raise ValueError(_("must be a mapping of {names} to key combinations, not {value!r}",
                           names=join(HOTKEY_NAMES), value=v))
    unknown = [str(k) for k in v if k not in HOTKEY_NAMES]
    if unknown:
        raise ValueError(_("unknown hotkey {names} (known: {known})", names=join(unknown),
                           known=join(HOTKEY_NAMES)))
    return {k: _hotkey(k, v[k]) for k in HOTKEY_NAMES if k in v}


def _hotkey_clashes(hotkeys: Mapping[str, str]) -> list[str]:
    seen: dict[Any, str] = {}
    problems = []
    for name in HOTKEY_NAMES:
        if name not in hotkeys:
            continue
        combo = parse_combo(hotkeys[name])   # already checked by _hotkey
        if combo in seen:
            problems.append(_("hotkeys: the {first} and {second} hotkeys are both '{combo}'; "
                              "give each its own", first=hotkey_name(seen[combo]),
                              second=hotkey_name(name), combo=hotkeys[name]))
        seen.setdefault(combo, name)
    return problems


def _playbook_dirs(v: Any) -> list[str]:
    if v is None:
        return []
    if not isinstance(v, list) or not all(isinstance(d, str) and d.strip() for d in v):
        raise ValueError(_("must be a list of folder paths, not {value!r}", value=v))
    library = library_dir()
    out: list[str] = []
    for d in (d.strip() for d in v):
        if Path(d).expanduser() != library and d not in out:
            out.append(d)
    return out


def _registries(v: Any) -> dict[str, Any]:
    if v is None:
        return {}
    if not isinstance(v, Mapping):
        raise ValueError(_("must be a mapping of registry names to their settings, not {value!r}",
                           value=v))
    try:
        parse_registry_settings({"registries": v})
    except RegistryConfigError as e:
        # Keep parse_registry_settings' located lines ("registries.city.base_url: …").
        raise ValueError(_("; ").join(getattr(e, "problems", None) or [e.message])) from None
    return copy.deepcopy(dict(v))


def _on_outage(v: Any) -> str:
    if v not in ON_OUTAGE:
        raise ValueError(_("must be 'unverified' or 'stop', not {value!r}", value=v))
    return v


def _flag(v: Any) -> bool:
    if not isinstance(v, bool):
        raise ValueError(_("must be true or false, not {value!r}", value=v))
    return v


def _last_playbook(v: Any) -> str | None:
    if v is not None and not isinstance(v, str):
        raise ValueError(_("must be a playbook name, not {value!r}", value=v))
    return v or None


def _pack_policy(v: Any) -> PackPolicy:
    """The preset's `packs:` section: {trusted_keys: [{name:, key:}], require_signature:}."""
    from app.packs.keys import parse_public_key
    if v is None:
        return PackPolicy()
    if not isinstance(v, Mapping):
        raise ValueError(_("must be a mapping with trusted_keys and require_signature"))
    unknown = [k for k in v if k not in ("trusted_keys", "require_signature")]
    if unknown:
        raise ValueError(_("unknown key '{key}' (allowed: trusted_keys, require_signature)",
                           key=unknown[0]))
    require = _flag(v.get("require_signature", False))
    raw = v.get("trusted_keys") or []
    if not isinstance(raw, list):
        raise ValueError(_("trusted_keys must be a list of {{name:, key:}}"))
    keys = []
    for i, entry in enumerate(raw, 1):
        if not isinstance(entry, Mapping) or not isinstance(entry.get("name"), str) \
                or not isinstance(entry.get("key"), str):
            raise ValueError(_("trusted key {n} must be {{name: NAME, key: KEY}}", n=i))
        try:
            keys.append(TrustedKey(entry["name"], parse_public_key(entry["key"])))
        except ValueError as e:
            raise ValueError(_("trusted key {name}: {problem}", name=entry["name"],
                               problem=e)) from None
    if require and not keys:
        raise ValueError(_("require_signature is true but no trusted_keys are listed: no pack "
                           "could be installed"))
    return PackPolicy(tuple(keys), require)


_PARSERS: dict[str, Callable[[Any], Any]] = {
    "language": _language, "ocr_engine": _ocr_engine, "hotkeys": _hotkeys,
    "playbook_dirs": _playbook_dirs, "registries": _registries, "on_outage": _on_outage,
    "last_playbook": _last_playbook, "accessibility": _flag, "last_scenario": _last_playbook,
}


def _data(s: Settings) -> dict[str, Any]:
    return {k: copy.deepcopy(getattr(s, k)) for k in FIELDS}


def _registry_document(s: Settings) -> dict[str, Any]:
    return {"version": 1, "on_outage": s.on_outage, "registries": copy.deepcopy(s.registries)}


def _parse_values(raw: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """(the valid values, a sentence per invalid or unknown key)."""
    values, problems = {}, []
    for key, value in raw.items():
        if key not in _PARSERS:
            problems.append(_("unknown setting '{key}' (known: {known})", key=key,
                              known=join(FIELDS)))
            continue
        try:
            values[key] = _PARSERS[key](value)
        except ValueError as e:
            problems.append(f"{key}: {e}")
    return values, problems


def _merge(below: dict[str, Any], above: Mapping[str, Any]) -> dict[str, Any]:
    """`above` over `below`; hotkeys merge name by name."""
    out = copy.deepcopy(below)
    for key, value in above.items():
        if key == "hotkeys":
            out["hotkeys"] = {**out["hotkeys"], **value}
        else:
            out[key] = copy.deepcopy(value)
    return out


def _get(data: Mapping[str, Any], key: str) -> Any:
    section, _dot, name = key.partition(".")
    return data[section].get(name) if name else data[section]


def _set(data: dict[str, Any], key: str, value: Any) -> None:
    section, _dot, name = key.partition(".")
    if name:
        data[section][name] = value
    else:
        data[section] = copy.deepcopy(value)


# ------------------------------------------------------------------ files

def default_user_path() -> Path:
    return user_config_dir() / "settings.yaml"


def fail_closed(problem: str) -> tuple[Settings, str]:
    """What runs when the settings cannot be had at all (IT's preset cannot be read): the
    defaults, offering only the playbooks that ship with Deskhand — the preset may be the
    one requiring signed packs — and the sentence telling so."""
    return Settings(packs=PackPolicy(require_signature=True)), sentences([
        problem, _("Until it is fixed only the playbooks that ship with Deskhand are offered.")])


def default_preset_path(environ: Mapping[str, str] = os.environ,
                        platform: str = sys.platform) -> Path:
    """$DESKHAND_PRESET, else %PROGRAMDATA%\\Deskhand\\preset.yaml on Windows,
    /etc/deskhand/preset.yaml elsewhere."""
    if environ.get("DESKHAND_PRESET"):
        return Path(environ["DESKHAND_PRESET"])
    if platform == "win32":
        return Path(environ.get("PROGRAMDATA", r"C:\ProgramData")) / "Deskhand" / "preset.yaml"
    return Path("/etc/deskhand/preset.yaml")


def _write_yaml_atomically(path: Path, data: Any, header: str) -> None:
    """Readers see the old file or the new one, never half of one."""
    write_text_atomically(path, header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False))


def _read_yaml(path: Path) -> Any:
    """The document, FileNotFoundError, or ValueError with what is wrong."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise
    except (OSError, UnicodeDecodeError) as e:
        raise ValueError(_("it cannot be read ({reason})",
                           reason=getattr(e, "strerror", None) or e)) from None
    try:
        return load_bounded(text)   # a damaged file must not stop the tray (RecursionError…)
    except YamlLimitError as e:
        raise ValueError(_("line {line}: {problem}", line=e.line, problem=e.message)) from None
    except yaml.YAMLError as e:
        raise ValueError(_("it is not valid YAML ({reason})",
                           reason=str(e).replace("\n", " "))) from None


def read_registries_file(path: str | Path) -> dict[str, Any]:
    """The `registries:` section of a registry settings file IT sent, checked."""
    p = Path(path)
    try:
        doc = _read_yaml(p)
    except FileNotFoundError:
        raise SettingsError(_("The registry settings file {path} does not exist.", path=p)) from None
    except ValueError as e:
        raise SettingsError(_("The registry settings file {path} cannot be used: {reason}.",
                              path=p, reason=e)) from None
    try:
        parse_registry_settings(doc, str(p))
    except RegistryConfigError as e:
        raise SettingsError(e.message) from None
    return copy.deepcopy(doc.get("registries") or {})


def write_registry_settings(settings: Settings, path: str | Path) -> Path:
    """The registries as a file app.registry.settings.load_registry_settings reads (for
    `deskhand capture --registries FILE`)."""
    settings.registry_settings()   # refuse to write what cannot be read back
    p = Path(path)
    _write_yaml_atomically(p, _registry_document(settings),
                           "# Deskhand registry settings, written from settings.yaml.\n")
    return p


@dataclass(frozen=True)
class _Base:
    """Defaults with IT's preset applied: what a clerk's own values go over."""
    data: dict[str, Any]
    locked: frozenset[str]
    preset: Path | None
    packs: PackPolicy = PackPolicy()


class SettingsStore:
    """Loads and saves one clerk's settings under IT's preset.

    `preset_path` None: no preset. A preset file that does not exist is no preset, unless
    `preset_required` (set when $DESKHAND_PRESET names it: a typo there must not pass)."""

    def __init__(self, user_path: str | Path, preset_path: str | Path | None = None, *,
                 preset_required: bool = False,
                 clock: Callable[[], datetime] = datetime.now) -> None:
        self.user_path = Path(user_path)
        self.preset_path = Path(preset_path) if preset_path is not None else None
        self.preset_required = preset_required
        self._clock = clock
        self.problems: list[str] = []   # what the last load() found wrong and set aside

    @classmethod
    def default(cls, environ: Mapping[str, str] = os.environ) -> SettingsStore:
        return cls(default_user_path(), default_preset_path(environ),
                   preset_required=bool(environ.get("DESKHAND_PRESET")))

    # --------------------------------------------------------------- load
    def load(self) -> Settings:
        """Defaults, then IT's unlocked preset values, then the clerk's, then IT's locked
        values. PresetError if the preset is broken; a damaged user file is backed up
        and reported in `problems` instead."""
        base = self._base()
        self.problems = []
        user = self._user_values()
        data = _merge(base.data, user)
        for key in base.locked:
            _set(data, key, _get(base.data, key))
        clashes = _hotkey_clashes(data["hotkeys"])
        if clashes:
            self._report(_("{problem} in {path}; the hotkeys are back to their defaults",
                           problem=clashes[0], path=self.user_path))
            data["hotkeys"] = copy.deepcopy(base.data["hotkeys"])
        return Settings(**data, locked=base.locked, packs=base.packs, origin=self._origin(base))

    def _origin(self, base: _Base) -> str:
        return f"{self.user_path}" + (f", preset {base.preset}" if base.preset else "")

    def _report(self, problem: str) -> None:
        log.warning("settings: %s", problem)
        self.problems.append(problem)

    def _user_values(self) -> dict[str, Any]:
        try:
            doc = _read_yaml(self.user_path)
        except FileNotFoundError:
            return {}
        except ValueError as e:
            self._set_aside(_("The settings file {path} is damaged: {reason}",
                              path=self.user_path, reason=e))
            return {}
        if doc is None:
            return {}
        if not isinstance(doc, Mapping):
            self._set_aside(_("The settings file {path} is damaged: it holds {kind}, not "
                              "settings", path=self.user_path, kind=type(doc).__name__))
            return {}
        values, problems = _parse_values(doc)
        if problems:
            self._set_aside(_("Some settings in {path} were not used: {problems}",
                              path=self.user_path, problems=_("; ").join(problems)), keep=values)
        return values

    def _set_aside(self, problem: str, keep: dict[str, Any] | None = None) -> None:
        """Keep the clerk's file as settings.yaml.bad-<time> and say so. A file that
        cannot be used at all moves there; a partly valid one is copied there and
        rewritten with the values that `keep`, so the problem is told once."""
        stamp = self._clock().strftime("%Y%m%d-%H%M%S")
        backup = self.user_path.with_name(f"{self.user_path.name}.bad-{stamp}")
        n = 1
        while backup.exists():
            n += 1
            backup = self.user_path.with_name(f"{self.user_path.name}.bad-{stamp}-{n}")
        rest = _("the defaults are used") if keep is None else _("the other settings are kept")
        try:
            if keep is None:
                os.replace(self.user_path, backup)
            else:
                backup.write_bytes(self.user_path.read_bytes())
                self._write_user(keep)
        except OSError as e:
            self._report(_("{problem}. Deskhand could not keep a copy ({reason}); {rest}",
                           problem=problem, reason=e.strerror, rest=rest))
            return
        self._report(_("{problem}. A copy is kept as {backup}; {rest}", problem=problem,
                       backup=backup, rest=rest))

    def _write_user(self, data: dict[str, Any]) -> None:
        _write_yaml_atomically(self.user_path, data,
                               "# Deskhand settings: only what differs from the defaults and "
                               "IT's preset.\n# Secrets are never kept here (see 'deskhand "
                               "vault').\n")

    # --------------------------------------------------------------- preset
    def _base(self) -> _Base:
        defaults = _data(Settings())
        p = self.preset_path
        if p is None:
            return _Base(defaults, frozenset(), None)
        try:
            doc = _read_yaml(p)
        except FileNotFoundError:
            if self.preset_required:
                raise self._preset_error(_("it does not exist")) from None
            return _Base(defaults, frozenset(), None)
        except ValueError as e:
            raise self._preset_error(str(e)) from None
        if doc is None:
            doc = {}
        if not isinstance(doc, Mapping):
            raise self._preset_error(_("it holds {kind}, not {{settings: {{...}}, locked: [...]}}",
                                       kind=type(doc).__name__))
        problems = [_("unknown key '{key}' (allowed: {allowed})", key=k,
                      allowed=join(PRESET_SECTIONS))
                    for k in doc if k not in PRESET_SECTIONS]
        raw = doc.get("settings") or {}
        if not isinstance(raw, Mapping):
            problems.append(_("'settings' must be a mapping of setting names to values"))
            raw = {}
        values, bad = _parse_values(raw)
        problems += bad
        locked = doc.get("locked") or []
        if not isinstance(locked, list) or not all(isinstance(k, str) for k in locked):
            problems.append(_("'locked' must be a list of setting names"))
            locked = []
        problems += [_("'{key}' cannot be locked (lockable: {lockable})", key=k,
                       lockable=join(LOCKABLE)) for k in locked if k not in LOCKABLE]
        packs = PackPolicy()
        try:
            packs = _pack_policy(doc.get("packs"))
        except ValueError as e:
            problems.append(f"packs: {e}")
        data = _merge(defaults, values)
        if not problems:
            problems += _hotkey_clashes(data["hotkeys"])
        if problems:
            raise self._preset_error(_("; ").join(problems))
        return _Base(data, frozenset(locked), p, packs)

    def _preset_error(self, problem: str) -> PresetError:
        return PresetError(_("IT's preset file {path} cannot be used: {problem}. Ask IT (信息科) "
                             "to fix it.", path=self.preset_path, problem=problem))

    # --------------------------------------------------------------- save
    def save(self, settings: Settings) -> None:
        """Write what the clerk changed. SettingLockedError for a change to a key IT
        fixed, SettingsError for an invalid value, both before anything is written."""
        base = self._base()
        new = _data(settings)
        for key in sorted(base.locked):
            if _get(new, key) != _get(base.data, key):
                raise SettingLockedError(_(
                    "This setting is fixed by IT (preset {preset}): '{key}' stays {value!r}.",
                    preset=base.preset, key=key, value=_get(base.data, key)))
        settings.validate()
        mine: dict[str, Any] = {}
        for key in FIELDS:
            if key in base.locked:
                continue
            if key == "hotkeys":
                changed = {n: v for n, v in new["hotkeys"].items()
                           if f"hotkeys.{n}" not in base.locked and v != base.data["hotkeys"][n]}
                if changed:
                    mine["hotkeys"] = changed
            elif new[key] != base.data[key]:
                mine[key] = new[key]
        try:
            self._write_user(mine)
        except OSError as e:
            raise SettingsError(_("The settings could not be saved to {path} ({reason}); check "
                                  "that the folder is writable.", path=self.user_path,
                                  reason=e.strerror)) from None
        log.info("settings: saved %s", self.user_path)

    def update(self, settings: Settings, **changes: Any) -> Settings:
        """`settings` with `changes`, saved (e.g. last_playbook after a pick)."""
        new = dataclasses.replace(settings, **changes)
        self.save(new)
        return new
