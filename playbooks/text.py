"""The sentences of playbooks/ (the loader's problems, YAML limits, patterns, key names,
an error's context) in the reader's language, without importing app/ (DESIGN.md §3).

    from playbooks.text import N_, _, join, n_

    _("unknown key '{name}' in {what}", name=k, what=w)    # as app/i18n.py's `_`
    n_("{n} problem", "{n} problems", count, n=count)
    N_("two")                                               # marked only; `_(…)` at use
    join(names)                                             # "a, b" / "a、b"

They are marked exactly as app/i18n.py's (literal text inside the call, named
placeholders, no binding of the name `_` in a module that imports it) and extracted with
them into the one catalogue, resources/i18n/deskhand_<lang>.po, by
installer/update_messages.py, whose --check the test suite runs.

The lookup is a hook, filled from above: by default English (the text as written, its
named placeholders filled in with str.format when any are given); app/i18n.py calls
`install(Translator(...))` with its own `_`, `n_` and `join` when it is imported, so every
program that uses app/ (the command line, the tray, the fill worker) shows these
sentences in the language chosen there, while playbooks/ used alone (a script, a test
that imports only playbooks) stays English and needs no catalogue. Like a locale, the
hook is one per process: it is set once, by app/i18n.py's import, not passed around.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

__all__ = ["_", "n_", "N_", "join", "Translator", "ENGLISH", "install", "installed"]


@dataclass(frozen=True)
class Translator:
    """What the hook holds: app/i18n.py's functions, or English."""

    gettext: Callable[..., str]       # (message, /, **fields) -> str
    ngettext: Callable[..., str]      # (singular, plural, n, /, **fields) -> str
    join: Callable[[Iterable[str]], str]


def _english(message: str, /, **fields: object) -> str:
    return message.format(**fields) if fields else message


def _english_plural(singular: str, plural: str, n: int, /, **fields: object) -> str:
    return _english(singular if n == 1 else plural, **fields)


def _english_join(items: Iterable[str]) -> str:
    return ", ".join(items)


ENGLISH = Translator(_english, _english_plural, _english_join)
_hook: list[Translator] = [ENGLISH]     # a one-item box: install() replaces what is in it


def install(translator: Translator | None) -> None:
    """Translate playbooks/' sentences with `translator` from now on (None: English)."""
    _hook[0] = translator or ENGLISH


def installed() -> Translator:
    return _hook[0]


def N_(message: str) -> str:
    """Marks `message` for the catalogue without translating it (module constants)."""
    return message


def _(message: str, /, **fields: object) -> str:
    """`message` in the current language, with `fields` filled in when given."""
    return _hook[0].gettext(message, **fields)


def n_(singular: str, plural: str, n: int, /, **fields: object) -> str:
    """The sentence for a count (English: `singular` for 1, else `plural`)."""
    return _hook[0].ngettext(singular, plural, n, **fields)


def join(items: Iterable[str]) -> str:
    """Items of a list in a sentence: "a, b" in English, "a、b" in Chinese."""
    return _hook[0].join(items)
