"""Translations of every sentence outside the windows: checks, registries, vault, capture,
OCR, hotkeys, settings, the fill (gate, engine, summary), the pipeline, the desktop
backends and, through playbooks/text.py (below), the playbook errors. No Qt: the core stays
importable without PySide6. The windows have their own catalogue (app/ui/i18n.py, .ts).

Marking a sentence (English is the source language):

    from app.i18n import N_, _, join, n_, sentences

    problems.append(_("The ID number is empty."))
    raise RegistryConfigError(_("The registry settings file {path} does not exist.", path=p))
    _("{n} characters").format(n=3)               # the same: .format after translation
    n_("{n} problem", "{n} problems", count, n=count)   # English plurals; one form in Chinese
    LEGACY = N_("15-digit numbers are not accepted.")   # marked only; `_(LEGACY)` at use
    join(names), sentences([first, second])       # "a, b" / "a、b"; "A. B." / "甲。乙。"

The literal must be inside the call (never an f-string or a `+`): extraction reads the
source, it does not run it. A module that imports `_` must not bind the name itself
(`for _ in …`, `a, _ = …`): the check below refuses it. Placeholders are named ({path}),
never positional, so that a translation may put them in another order; literal braces are
doubled ({{ }}) only in a message that is formatted. Build a sentence whole: a clause
glued to another in code cannot be put in Chinese order. Keyword arguments to `_` are
filled in after translation; a translation that cannot be filled (a bad placeholder) gives
the English sentence instead.

Catalogues: resources/i18n/deskhand_<lang>.po (UTF-8), the source of truth in git, read
as they are at run time by the small parser below: no .mo, so there is no build step to
forget and no stale binary to ship (the zh_CN catalogue, 772 messages, parses in 3-6 ms,
once per process, on first use: bench/i18n.py). Python's gettext would need compiled .mo
files, and a compiler (Babel from PyPI, or msgfmt.py, which Debian's python3 lacks) at
set-up, to save those few ms. Fuzzy entries (`#, fuzzy`) and empty translations are
not used: the English sentence is shown, as gettext does.

    python installer/update_messages.py          add new sentences (empty) and drop stale
                                                 ones in every .po; then translate them
    python installer/update_messages.py --check  exit 1 listing what is missing (the test
                                                 suite runs the same check:
                                                 tests/test_i18n.py)

Which language: one process-wide setting, as a locale is (not a global service: a value
read by `_`), guarded by a lock, set once by each entry point:
- the command line and the fill worker: `language_from_environment()` — $DESKHAND_LANG if
  set, else the first of LC_ALL, LC_MESSAGES, LANG that is set: zh* gives zh_CN, anything
  else (C, POSIX, en_US…) English; on Windows, without those, the user's locale. Until an
  entry point sets it, the first `_` takes it from the environment, so a command that
  sets nothing still follows the locale.
- the tray: its settings (`settings.language`, zh_CN by default), through
  app/ui/i18n.py's `Translations.switch`, which sets this too when the clerk switches;
  the tray hands it to its fill worker as $DESKHAND_LANG.
A sentence is translated when it is made: a problem stored in a case file stays in the
language it was captured in. Tests switch with `set_language` or `using(...)`.

playbooks/ may not import app/ (DESIGN.md §3), so its sentences (the loader's problems,
YAML limits, patterns, key names, an error's context) go through playbooks/text.py, whose
`_`, `n_` and `join` are English until a translator is installed: importing this module
installs its own `_`, `n_` and `join` there (the last lines below), so any program that
uses app/ shows them in the language chosen here, and playbooks/ alone stays English.
Their sentences are in the same catalogue, extracted by the same script.
"""
from __future__ import annotations

import locale
import logging
import os
import re
import sys
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from playbooks import text as playbook_text

__all__ = ["_", "n_", "N_", "join", "sentences", "LANGUAGES", "SOURCE_LANGUAGE", "ENV_VAR",
           "language", "set_language", "using", "normalise", "language_from_environment",
           "catalogue_path", "read_po", "parse_po", "Catalogue"]

log = logging.getLogger(__name__)

LANGUAGES = ("zh_CN", "en")
SOURCE_LANGUAGE = "en"          # the sentences in the code; needs no catalogue
ENV_VAR = "DESKHAND_LANG"       # overrides the locale; the tray sets it for its fill worker
CATALOGUE = "deskhand"          # resources/i18n/deskhand_<lang>.po

# A catalogue: msgid → translation, and (msgid, msgid_plural) → the forms.
Catalogue = dict[str | tuple[str, str], str | tuple[str, ...]]

_lock = threading.Lock()
_current: str | None = None     # None until set: taken from the environment at first use
_catalogues: dict[str, Catalogue] = {}


# ------------------------------------------------------------------ choosing the language
def normalise(name: str | None) -> str:
    """'zh_CN.UTF-8', 'zh', 'zh-Hans' → 'zh_CN'; anything else ('en_US', 'C', '') → 'en'."""
    text = (name or "").strip().lower()
    return "zh_CN" if text.startswith("zh") or text.startswith("chinese") else "en"


def language_from_environment(environ: Mapping[str, str] | None = None,
                              platform: str = sys.platform) -> str:
    """The language the environment asks for (see the module docstring)."""
    env = os.environ if environ is None else environ
    if env.get(ENV_VAR, "").strip():
        return normalise(env[ENV_VAR])
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if env.get(var, "").strip():
            return normalise(env[var])
    if platform == "win32":   # no LANG there: the user's locale ('Chinese (Simplified)_China')
        try:
            return normalise(locale.getlocale()[0])
        except (ValueError, TypeError):
            return SOURCE_LANGUAGE
    return SOURCE_LANGUAGE


def set_language(name: str | None) -> str:
    """Translate into `name` from now on, in every thread; returns the language chosen
    ('zh_CN' or 'en'). None: from the environment again."""
    chosen = normalise(name) if name is not None else language_from_environment()
    global _current
    with _lock:
        _current = chosen
    return chosen


def language() -> str:
    """The current language ('zh_CN' or 'en')."""
    current = _current
    return current if current is not None else set_language(None)


@contextmanager
def using(name: str) -> Iterator[str]:
    """`set_language(name)` for the block, then the previous language again (for tests;
    the setting is process-wide, so other threads see it too)."""
    global _current
    previous = _current
    chosen = set_language(name)
    try:
        yield chosen
    finally:
        with _lock:
            _current = previous


# ------------------------------------------------------------------ translating
def N_(message: str) -> str:
    """Marks `message` for the catalogue without translating it (module constants)."""
    return message


def _(message: str, /, **fields: object) -> str:
    """`message` in the current language, with `fields` filled in when given."""
    lang = language()
    text = message
    if lang != SOURCE_LANGUAGE:
        found = _catalogue(lang).get(message)
        if isinstance(found, str) and found:
            text = found
    return _fill(text, message, fields) if fields else text


def n_(singular: str, plural: str, n: int, /, **fields: object) -> str:
    """The sentence for a count: English picks `singular` for 1, else `plural`; Chinese
    has one form. `fields` are filled in (pass the count there too if the text shows it)."""
    source = singular if n == 1 else plural
    text = source
    lang = language()
    if lang != SOURCE_LANGUAGE:
        forms = _catalogue(lang).get((singular, plural))
        if isinstance(forms, tuple) and forms and forms[0]:
            text = forms[0]     # zh_CN: nplurals=1
    return _fill(text, source, fields) if fields else text


# Punctuation between list items and between sentences (a Chinese sentence ends in 。 and
# the next follows without a space).
_LIST_SEPARATOR = {"en": ", ", "zh_CN": "、"}
_SENTENCE_SEPARATOR = {"en": " ", "zh_CN": ""}


def join(items: Iterable[str]) -> str:
    """Items of a list in a sentence: "a, b" in English, "a、b" in Chinese."""
    return _LIST_SEPARATOR[language()].join(items)


def sentences(items: Iterable[str]) -> str:
    """Sentences one after another: separated by a space in English, by nothing in Chinese."""
    return _SENTENCE_SEPARATOR[language()].join(items)


def _fill(text: str, source: str, fields: Mapping[str, object]) -> str:
    try:
        return text.format(**fields)
    except (KeyError, IndexError, ValueError, AttributeError):
        if text is source:
            raise            # a mistake in the code itself: let the tests see it
        log.warning("i18n: the translation of %r cannot be filled; English used", source)
        return source.format(**fields)


# ------------------------------------------------------------------ catalogues
def catalogue_path(lang: str) -> Path:
    from app.paths import resources_dir
    return resources_dir() / "i18n" / f"{CATALOGUE}_{lang}.po"


def _catalogue(lang: str) -> Catalogue:
    cat = _catalogues.get(lang)
    if cat is None:
        with _lock:
            cat = _catalogues.get(lang)
            if cat is None:
                path = catalogue_path(lang)
                try:
                    cat = read_po(path.read_text(encoding="utf-8"))
                except (OSError, UnicodeDecodeError, ValueError) as exc:
                    log.warning("i18n: cannot read %s (%s); sentences stay in English", path, exc)
                    cat = {}
                _catalogues[lang] = cat
    return cat


def read_po(text: str, *, keep_fuzzy: bool = False) -> Catalogue:
    """The translations in a .po file: msgid → msgstr (the header and, unless
    `keep_fuzzy`, fuzzy entries left out). ValueError naming the line if it is malformed."""
    return {key: value for key, value, fuzzy in parse_po(text) if not fuzzy or keep_fuzzy}


def parse_po(text: str) -> list[tuple[str | tuple[str, str], str | tuple[str, ...], bool]]:
    """Every entry of a .po file as (msgid or (msgid, msgid_plural), msgstr or its forms,
    fuzzy), the header (msgid "") left out. Only what Deskhand's catalogues use:
    msgid, msgid_plural, msgstr, msgstr[N], comments and flags; no msgctxt."""
    entries: list[tuple[str | tuple[str, str], str | tuple[str, ...], bool]] = []
    parts: dict[str, str] = {}
    key: str | None = None
    fuzzy = next_fuzzy = False

    def finish() -> None:
        nonlocal parts, fuzzy
        if "msgid" in parts and parts["msgid"]:
            if "msgid_plural" in parts:
                forms = tuple(parts[k] for k in sorted((k for k in parts if k.startswith("msgstr[")),
                                                       key=lambda k: int(k[7:-1])))
                entries.append(((parts["msgid"], parts["msgid_plural"]), forms, fuzzy))
            else:
                entries.append((parts["msgid"], parts.get("msgstr", ""), fuzzy))
        parts, fuzzy = {}, False

    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            if line.startswith("#,") and "fuzzy" in line:
                next_fuzzy = True
            continue
        if line.startswith('"'):
            if key is None:
                raise ValueError(f"line {number}: a string outside an entry")
            parts[key] += _po_string(line, number)
            continue
        word, _sep, rest = line.partition(" ")
        if word not in ("msgid", "msgid_plural", "msgstr") and not (
                word.startswith("msgstr[") and word.endswith("]") and word[7:-1].isdigit()):
            raise ValueError(f"line {number}: unknown keyword {word!r}")
        if word == "msgid":
            finish()
            fuzzy, next_fuzzy = next_fuzzy, False
        elif not parts:
            raise ValueError(f"line {number}: {word} before msgid")
        key = word
        parts[key] = _po_string(rest.strip(), number)
    finish()
    return entries


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_ESCAPE = re.compile(r'\\(.?)|(")', re.S)


def _po_string(token: str, number: int) -> str:
    """One quoted .po string, its C escapes (\\n, \\t, \\", \\\\) decoded."""
    if len(token) < 2 or not (token.startswith('"') and token.endswith('"')):
        raise ValueError(f"line {number}: expected a quoted string, not {token!r}")

    def decode(m: re.Match[str]) -> str:
        if m.group(2) is not None or m.group(1) not in _ESCAPES:
            raise ValueError(f"line {number}: malformed string {token!r}")
        return _ESCAPES[m.group(1)]
    return _ESCAPE.sub(decode, token[1:-1])


# playbooks/' sentences are translated by this module from its import on (see the docstring).
playbook_text.install(playbook_text.Translator(gettext=_, ngettext=n_, join=join))
