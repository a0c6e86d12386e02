"""Translations of Deskhand's windows: Chinese by default, English selectable at run time.

Source strings are English, marked where they are written so that lupdate finds them:

    self.tr("&Settings…")                                  # in a QObject subclass
    QCoreApplication.translate("TrayMenu", "Quit")         # anywhere else

(A literal string inside the call: lupdate reads the source, it does not run it.)

    translations = install(app, settings.language)   # Translations(app) + switch()
    translations.switch("en")              # later, e.g. from SettingsDialog.languageChanged

`switch` installs our catalogue (resources/i18n/deskhand_<lang>.qm) and Qt's own
(qtbase_<lang>.qm: the OK/Cancel buttons, file dialogs), sets the language of the
sentences made outside the windows (checks, registries, errors: app/i18n.py) to match,
and emits `languageChanged`.
Qt also sends every widget a QEvent.LanguageChange; a window that sets its texts in one
`retranslate()` method calls it from `changeEvent` and is current after any switch.

A missing or stale .qm (a checkout where installer/build_translations.py has not run, or
a .ts edited since) is compiled from the .ts with the lrelease that PySide6 ships, into
the user's cache folder: developers and testers see what the .ts says without a build
step, and nothing is written next to the sources at run time. If that fails too (no
lrelease, no .ts), the windows stay in English and a warning is logged: a clerk gets a
working tool in the wrong language rather than no tool.
"""
from __future__ import annotations

import importlib.util
import logging
import subprocess
import sys
from pathlib import Path

import platformdirs
from PySide6.QtCore import QCoreApplication, QLibraryInfo, QObject, QTranslator, Signal

from app import i18n as core_i18n
from app.paths import resources_dir

__all__ = ["Translations", "install", "LANGUAGES", "DEFAULT_LANGUAGE", "CATALOGUE", "i18n_dir",
           "qt_tool", "compile_ts"]

log = logging.getLogger(__name__)

# Each language named in itself: a clerk who cannot read the current one still finds hers.
LANGUAGES = {"zh_CN": "简体中文", "en": "English"}
DEFAULT_LANGUAGE = "zh_CN"
SOURCE_LANGUAGE = "en"      # the strings in the code; needs no catalogue
CATALOGUE = "deskhand"      # resources/i18n/deskhand_<lang>.ts / .qm


def i18n_dir() -> Path:
    return resources_dir() / "i18n"


def qt_tool(name: str) -> Path | None:
    """lupdate or lrelease as shipped inside the PySide6 wheel (found without importing
    anything more of PySide6), or None."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return None
    exe = name + (".exe" if sys.platform == "win32" else "")
    for folder in spec.submodule_search_locations:
        tool = Path(folder) / exe
        if tool.is_file():
            return tool
    return None


def compile_ts(ts: Path, qm: Path) -> None:
    """lrelease `ts` into `qm`; RuntimeError with lrelease's own words if it fails."""
    tool = qt_tool("lrelease")
    if tool is None:
        raise RuntimeError("PySide6's lrelease is not installed (pip install pyside6-essentials)")
    qm.parent.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([str(tool), "-silent", str(ts), "-qm", str(qm)],
                          capture_output=True, text=True, timeout=60)
    if done.returncode != 0 or not qm.is_file():
        raise RuntimeError(f"lrelease failed on {ts}: {(done.stderr or done.stdout).strip()}")


def _fresh(qm: Path, ts: Path) -> bool:
    return qm.is_file() and (not ts.is_file() or qm.stat().st_mtime >= ts.stat().st_mtime)


class Translations(QObject):
    """The translators installed on one application, and the language they are for."""

    languageChanged = Signal(str)

    def __init__(self, app: QCoreApplication, *, folder: Path | None = None,
                 cache_dir: Path | None = None) -> None:
        super().__init__(app)
        self._app = app
        self._folder = folder or i18n_dir()
        self._cache = cache_dir or Path(platformdirs.user_cache_dir("deskhand", appauthor=False)) / "i18n"
        self._installed: list[QTranslator] = []
        self._language = SOURCE_LANGUAGE   # nothing installed yet: the source strings

    @property
    def language(self) -> str:
        return self._language

    def switch(self, language: str) -> bool:
        """Show `language` from now on. False when Deskhand's own catalogue for it could
        not be loaded (the windows then show English; the reason is logged)."""
        if language not in LANGUAGES:
            log.warning("i18n: unknown language %r; using %s", language, DEFAULT_LANGUAGE)
            language = DEFAULT_LANGUAGE
        for t in self._installed:
            self._app.removeTranslator(t)
        self._installed = []
        ok = True
        if language != SOURCE_LANGUAGE:
            ok = self._install(self._qm(language), required=True)
            qt_folder = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))
            self._install(qt_folder / f"qtbase_{language}.qm", required=False)
        self._language = language
        core_i18n.set_language(language)   # problems and errors in the same language as the windows
        self.languageChanged.emit(language)
        return ok

    def _install(self, qm: Path | None, *, required: bool) -> bool:
        translator = QTranslator(self)
        if qm is None or not translator.load(str(qm)):
            if required:
                log.warning("i18n: cannot load %s; windows stay in English", qm)
            return False
        self._app.installTranslator(translator)
        self._installed.append(translator)
        return True

    def _qm(self, language: str) -> Path | None:
        """The built .qm if it is current, else one compiled from the .ts into the cache."""
        ts = self._folder / f"{CATALOGUE}_{language}.ts"
        built = self._folder / f"{CATALOGUE}_{language}.qm"
        if _fresh(built, ts):
            return built
        cached = self._cache / built.name
        if _fresh(cached, ts):
            return cached
        if not ts.is_file():
            log.warning("i18n: neither %s nor %s exists", built, ts)
            return None
        try:
            compile_ts(ts, cached)
        except (OSError, RuntimeError, subprocess.SubprocessError) as e:
            log.warning("i18n: %s is not built and could not be compiled (%s); "
                        "run installer/build_translations.py", built, e)
            return None
        log.info("i18n: compiled %s into %s", ts, cached)
        return cached


def install(app: QCoreApplication, language: str = DEFAULT_LANGUAGE, **options: Path) -> Translations:
    """Translations for `app`, switched to `language`. The object is a child of `app`
    (it lives as long as the application); keep it to switch language later."""
    translations = Translations(app, **options)
    translations.switch(language)
    return translations
