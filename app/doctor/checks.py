"""The checks of `deskhand doctor`: one small function each, returning a `Check` (or a
list of them). What a check needs is passed in (the vault, the registry settings, a
transport…), so unit tests hand fakes and the end-to-end tests real parts.

A check never prints a secret: credentials are named, never shown; anything a registry
answered goes through app.privacy.mask_text.
"""
from __future__ import annotations

import dataclasses
import os
import platform
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.errors import DeskhandError, RegistryNotConfiguredError
from app.i18n import _, join
from app.privacy import mask_text

if TYPE_CHECKING:  # pragma: no cover
    import httpx

    from app.registry.settings import Registry, RegistrySettings

__all__ = ["Check", "OK", "WARN", "FAIL", "keyring_check", "ocr_check", "registry_checks",
           "versions_check", "preset_check", "settings_check", "folder_check",
           "credential_names"]

OK, WARN, FAIL = "ok", "warn", "fail"
LEVELS = (OK, WARN, FAIL)
MIN_FREE_BYTES = 100 * 2**20       # below this a case with its pictures may not be saved
LOW_FREE_BYTES = 1024 * 2**20      # below this: a warning, the clerk keeps working
REGISTRY_TIMEOUT_S = 3.0           # the most one registry may hold the doctor


@dataclass(frozen=True)
class Check:
    """One line of the doctor's report. `name` is stable (for fleet collection: "display",
    "keyring", "registry.reference", "target.城市审批系统*"…); `title` is what was checked,
    in the clerk's language; `advice` says what to do when it is not ok."""

    name: str
    title: str
    level: str
    detail: str
    advice: str = ""

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            raise ValueError(f"level must be one of {LEVELS}, not {self.level!r}")

    @property
    def ok(self) -> bool:
        return self.level != FAIL

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.title, "ok": self.ok, "level": self.level,
                "detail": self.detail, "advice": self.advice}


# -------------------------------------------------------------------- keyring
def credential_names(registries: "RegistrySettings | None") -> list[str]:
    """The vault names the registry settings use (each once, in order)."""
    if registries is None:
        return []
    names = [r.auth.credential for r in registries.registries.values() if r.auth.credential]
    return list(dict.fromkeys(names))


def keyring_check(vault: Any, names: Iterable[str]) -> Check:
    """The OS keyring answers, and holds every credential in `names` (named, never shown)."""
    title = _("Keyring")
    try:
        vault.check()
        backend = vault.backend_name.rsplit(".", 2)[-2] if "." in vault.backend_name \
            else vault.backend_name
        missing = [n for n in names if not vault.has(n)]
    except DeskhandError as exc:
        return Check("keyring", title, FAIL, exc.message,
                     _("Start the desktop's keyring (Secret Service, e.g. gnome-keyring) or, on "
                       "Windows, sign in as the clerk; then run the doctor again."))
    names = list(names)
    if missing:
        return Check("keyring", title, FAIL,
                     _("{backend} answers, but these credentials are not in it: {names}",
                       backend=backend, names=join(missing)),
                     _("Store each with: deskhand vault set NAME (IT has the values)."))
    if not names:
        return Check("keyring", title, OK, _("{backend} answers; no registry needs a credential",
                                             backend=backend))
    return Check("keyring", title, OK, _("{backend} answers and holds {names}",
                                         backend=backend, names=join(names)))


# -------------------------------------------------------------------- OCR
def ocr_check(engine: str, model_files: Callable[[str], list[Path]],
              versions: Mapping[str, str | None]) -> Check:
    """The OCR engine's model files are there (and, where published, their sha256 right),
    without loading the model."""
    title = _("OCR model")
    if engine == "easyocr":
        return _easyocr_check(title)
    rec = "ppocrv4" if engine.endswith("v4") else "ppocrv5"
    try:
        files = model_files(rec)
    except DeskhandError as exc:
        return Check("ocr", title, FAIL, exc.message,
                     _("Reinstall Deskhand (the OCR model ships with it)."))
    size = sum(f.stat().st_size for f in files) / 2**20
    sums = _("sha256 checked") if rec == "ppocrv5" else _("present")
    return Check("ocr", title, OK, _("{engine} {version}, recogniser {rec}: {n} files, "
                                     "{mb:.0f} MB, {sums}", engine=engine,
                                     version=versions.get("rapidocr_onnxruntime") or "?", rec=rec,
                                     n=len(files), mb=size, sums=sums))


def _easyocr_check(title: str) -> Check:
    from app.ocr import open_engine
    try:
        engine = open_engine("easyocr", fallback=True)
    except DeskhandError as exc:
        return Check("ocr", title, FAIL, exc.message,
                     _("Install the easyocr extra and its weights, or choose rapidocr in the "
                       "settings."))
    reason = getattr(engine, "fallback_reason", None)
    if reason:
        return Check("ocr", title, WARN, _("easyocr cannot run, RapidOCR reads instead: "
                                           "{reason}", reason=reason),
                     _("Place the weights in the model folder, or choose rapidocr in the "
                       "settings."))
    return Check("ocr", title, OK, _("easyocr with its weights in place"))


# -------------------------------------------------------------------- registries
def registry_checks(load: Callable[[], "RegistrySettings"], secrets: Callable[[str], str], *,
                    transport: "httpx.BaseTransport | None" = None,
                    timeout_s: float = REGISTRY_TIMEOUT_S) -> list[Check]:
    """Each configured registry asked once with its configured credential: an endpoint's
    sample look-up when one has a `sample:`, else a plain request to its base URL (the
    server answers; the credential is then not tried). A short timeout, no retries."""
    try:
        settings = load()
    except RegistryNotConfiguredError as exc:
        return [Check("registries", _("Registries"), WARN, exc.message,
                      _("IT sets the registries in the preset (registries:), or the clerk in "
                        "设置; until then nothing is verified against them."))]
    except DeskhandError as exc:
        return [Check("registries", _("Registries"), FAIL, exc.message,
                      _("Fix the registry settings named in the sentence."))]
    return [_registry_check(settings, reg, secrets, transport, timeout_s)
            for reg in settings.registries.values()]


def _registry_check(settings: "RegistrySettings", reg: "Registry", secrets: Callable[[str], str],
                    transport: "httpx.BaseTransport | None", timeout_s: float) -> Check:
    from app.registry.client import RegistryClient
    name, title = f"registry.{reg.name}", _("Registry {name}", name=reg.name)
    quick = dataclasses.replace(reg, timeout_s=min(reg.timeout_s, timeout_s), retries=0)
    one = dataclasses.replace(settings, registries={reg.name: quick})
    sampled = next((ep for ep in reg.endpoints.values() if ep.sample), None)
    if sampled is None:
        return _reachable(name, title, quick, transport)
    lookup = f"{reg.name}.{sampled.name}"
    with RegistryClient(one, secrets=secrets, transport=transport) as client:
        answer = client.lookup(lookup, sampled.sample)
    ms = answer.elapsed_ms
    if answer.status == "failed":
        reason = mask_text(answer.error.message if answer.error else _("no answer"))
        return Check(name, title, FAIL, _("{lookup} failed after {ms:.0f} ms: {reason}",
                                          lookup=lookup, ms=ms, reason=reason),
                     _registry_advice(answer.error, reg))
    found = _("a record") if answer.status == "found" else _("no record")
    return Check(name, title, OK, _("{url}: {lookup} answered {found} in {ms:.0f} ms, with the "
                                    "configured credential", url=reg.base_url, lookup=lookup,
                                    found=found, ms=ms))


def _reachable(name: str, title: str, reg: "Registry",
               transport: "httpx.BaseTransport | None") -> Check:
    import httpx

    from app.registry.client import tls_context
    try:
        with httpx.Client(base_url=reg.base_url, timeout=reg.timeout_s, transport=transport,
                          verify=tls_context(reg), follow_redirects=False) as http:
            status = http.get("/").status_code
    except DeskhandError as exc:         # IT's CA bundle or client certificate cannot be read
        return Check(name, title, FAIL, exc.message,
                     _("Check the gateway's certificate and ca_bundle in the registry settings."))
    except (httpx.HTTPError, OSError) as exc:
        return Check(name, title, FAIL, _("{url} cannot be reached: {reason}", url=reg.base_url,
                                          reason=mask_text(str(exc) or type(exc).__name__)),
                     _("Check the network, the firewall and the registry's base_url."))
    return Check(name, title, WARN,
                 _("{url} answers (HTTP {status}); the credential was not tried: no look-up "
                   "has a sample", url=reg.base_url, status=status),
                 _("Give one endpoint a sample: (values to look up with) in the registry "
                   "settings, so the doctor can try the credential."))


def _registry_advice(error: DeskhandError | None, reg: "Registry") -> str:
    from app.errors import (CredentialMissingError, RegistryAuthError, RegistryTLSError,
                            RegistryUnavailableError, VaultError)
    credential = reg.auth.credential or ""
    if isinstance(error, CredentialMissingError):
        return _("Store it with: deskhand vault set {name}", name=credential)
    if isinstance(error, VaultError):
        return _("Start the desktop's keyring, then run the doctor again.")
    if isinstance(error, RegistryAuthError):
        return _("The gateway refused the credential: check it with IT, then deskhand vault "
                 "set {name}", name=credential)
    if isinstance(error, RegistryTLSError):
        return _("Check the gateway's certificate and ca_bundle in the registry settings.")
    if isinstance(error, RegistryUnavailableError):
        return _("Check the network, the firewall and the registry's base_url "
                 "({url}).", url=reg.base_url)
    return _("Try the look-up with: deskhand registry test {registry}.ENDPOINT",
             registry=reg.name)


# -------------------------------------------------------------------- versions
def package_version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def os_release(path: Path = Path("/etc/os-release")) -> str:
    if sys.platform.startswith("win"):
        return " ".join(p for p in ("Windows", *platform.win32_ver()[:2]) if p)
    try:
        fields = {}
        for line in path.read_text(encoding="utf-8").splitlines():
            key, eq, value = line.partition("=")
            if eq:
                fields[key.strip()] = value.strip().strip('"')
        return fields.get("PRETTY_NAME") or fields.get("NAME") or platform.platform()
    except OSError:
        return platform.platform()


def glibc_version() -> str | None:
    try:
        return os.confstr("CS_GNU_LIBC_VERSION")      # "glibc 2.36"
    except (AttributeError, ValueError, OSError):
        return None


def versions(version_of: Callable[[str], str | None] = package_version) -> dict[str, str | None]:
    """Deskhand's parts by name; Qt's from the PySide6 wheel's metadata (PySide6 itself is
    imported only in app/ui)."""
    return {"deskhand": version_of("deskhand"), "python": platform.python_version(),
            "qt": version_of("pyside6-essentials") or version_of("PySide6"),
            "rapidocr_onnxruntime": version_of("rapidocr_onnxruntime"),
            "onnxruntime": version_of("onnxruntime"), "os": os_release(),
            "glibc": glibc_version()}


def versions_check(found: Mapping[str, str | None]) -> Check:
    words = {"deskhand": "Deskhand", "python": "Python", "qt": "Qt (PySide6)",
             "rapidocr_onnxruntime": "RapidOCR", "onnxruntime": "onnxruntime",
             "os": "", "glibc": ""}
    parts = [f"{words[k]} {v}".strip() for k, v in found.items() if v and k in words]
    return Check("versions", _("Versions"), OK, ", ".join(parts))


# -------------------------------------------------------------------- IT preset, settings
def preset_check(path: Path, required: bool) -> Check:
    """IT's preset: found, parsed, which keys locked. Read only: the clerk's settings file is
    not looked at (os.devnull stands in for it)."""
    from app.settings import SettingsStore
    title = _("IT preset")
    if not path.exists() and not required:
        return Check("preset", title, OK, _("none at {path}: the defaults and the clerk's "
                                            "settings apply", path=path))
    try:
        settings = SettingsStore(os.devnull, path, preset_required=required).load()
    except DeskhandError as exc:
        return Check("preset", title, FAIL, exc.message,
                     _("IT fixes the preset file; until then Deskhand uses its defaults."))
    locked = sorted(settings.locked)
    return Check("preset", title, OK,
                 _("{path} read; locked: {keys}", path=path, keys=join(locked) or _("none")))


def settings_check(path: Path, problems: list[str]) -> Check:
    title = _("Settings")
    if problems:
        return Check("settings", title, WARN, mask_text(_("; ").join(problems)),
                     _("The clerk checks 设置 (the rest of the settings are in use)."))
    where = path if path.exists() else _("{path} (not written yet: the defaults)", path=path)
    return Check("settings", title, OK, str(where))


# -------------------------------------------------------------------- folders
def folder_check(name: str, title: str, folder: Path, *, space: bool = False,
                 disk_usage: Callable[[Path], Any] = shutil.disk_usage) -> Check:
    """`folder` can be made and written (a file created and removed); with `space`, the free
    space too."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".deskhand-doctor-"):
            pass
    except OSError as exc:
        return Check(name, title, FAIL, _("{path} is not writable: {reason}", path=folder,
                                          reason=exc.strerror or exc),
                     _("Give the clerk's account write access to {path}.", path=folder))
    if not space:
        return Check(name, title, OK, _("{path} writable", path=folder))
    free = disk_usage(folder).free
    detail = _("{path} writable, {gb:.1f} GB free", path=folder, gb=free / 2**30)
    if free < MIN_FREE_BYTES:
        return Check(name, title, FAIL, detail, _("Free disk space: cases cannot be saved."))
    if free < LOW_FREE_BYTES:
        return Check(name, title, WARN, detail, _("Free disk space soon (less than 1 GB left)."))
    return Check(name, title, OK, detail)
