"""Small helpers the playbook checker (playbooks/loader.py) and its step modules
(playbooks/steps_addressed.py) share: a YAML node's line, a value as shown in a message,
quoting, and "did you mean" suggestions."""
from __future__ import annotations

import difflib
from typing import Iterable

from yaml.nodes import Node, ScalarNode

from playbooks.text import _, join

MAX_SUGGEST_FROM = 300     # "did you mean" looks among at most this many names
_NULL_TAG = "tag:yaml.org,2002:null"


def _line(node: Node) -> int:
    return node.start_mark.line + 1


def _short(value: object, limit: int = 40) -> str:
    """A value as shown in a message: long ones cut, so that a message stays one line."""
    text = value if isinstance(value, str) else str(value) if isinstance(value, (int, float)) else "…"
    text = text.replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _is_null(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == _NULL_TAG


def _quoted(name: object) -> str:
    """A name as written in the file, quoted: 'title' (“title” in Chinese)."""
    return _("'{name}'", name=name)


def _of(key: str, what: str) -> str:
    """A key of something: "'x' of the click in step 3"."""
    return _("'{key}' of {what}", key=key, what=what)


def _either(first: str, second: str) -> str:
    """Two examples (YAML, not translated): "'a: 1' or 'b: 2'"."""
    return _("{first} or {second}", first=first, second=second)


def _quote_list(items: Iterable[str]) -> str:
    """'a', 'b' and 'c'"""
    quoted = [_quoted(i) for i in items]
    if len(quoted) <= 1:
        return "".join(quoted)
    return _("{items} and {last}", items=join(quoted[:-1]), last=quoted[-1])


def _did_you_mean(word: str, options: Iterable[str], synonyms: dict[str, str] | None = None) -> str | None:
    options = list(options)
    low = word.lower()
    if synonyms and low in synonyms and synonyms[low] in options:
        return synonyms[low]
    if low in options and low != word:
        return low
    if len(options) > MAX_SUGGEST_FROM or len(low) > 100:
        return None   # difflib over thousands of names, once per error, took minutes
    found = difflib.get_close_matches(low, options, n=1, cutoff=0.6)
    return found[0] if found else None


def _suggest(word: str, options: Iterable[str], *, fallback: str | None = None,
             synonyms: dict[str, str] | None = None) -> str:
    """' (did you mean 'x'?)', or the fallback hint, or ''."""
    guess = _did_you_mean(word, options, synonyms)
    if guess is not None:
        return _did_you_mean_hint(guess)
    return _(" ({hint})", hint=fallback) if fallback else ""


def _did_you_mean_hint(guess: str) -> str:
    return _(" (did you mean '{guess}'?)", guess=guess)


def closest(word: str, options: Iterable[str], n: int = 3) -> list[str]:
    """Up to `n` of `options` most like `word`, most alike first (for a sentence that names
    a few likely choices instead of listing a hundred)."""
    options = list(options)
    if len(options) <= n:
        return options
    return difflib.get_close_matches(word, options, n=n, cutoff=0.0)
