"""PyYAML's own words (why a file is not valid YAML, and where it was reading) in the
reader's language: the loader puts them in its sentences ("the file is not valid YAML:
{problem} ({context})"). The ones a hand-edited playbook or settings file runs into are
marked here for the catalogue; any other is shown as PyYAML wrote it.

    yaml_words("mapping values are not allowed here")  -> "此处不允许出现映射的值" (in Chinese)
"""
from __future__ import annotations

import re

from playbooks.text import N_, _

__all__ = ["yaml_words"]

# PyYAML's fixed sentences (scanner, parser), as it writes them.
_FIXED = frozenset((
    N_("mapping values are not allowed here"),
    N_("mapping keys are not allowed here"),
    N_("sequence entries are not allowed here"),
    N_("could not find expected ':'"),
    N_("found unexpected end of stream"),
    N_("found unexpected document separator"),
    N_("invalid indentation or unclosed '[' or '{'"),
    N_("second occurrence"),
    N_("found unhashable key"),
    # where it was reading
    N_("while scanning a simple key"),
    N_("while scanning a plain scalar"),
    N_("while scanning a quoted scalar"),
    N_("while scanning a double-quoted scalar"),
    N_("while scanning a block scalar"),
    N_("while scanning an alias"),
    N_("while scanning an anchor"),
    N_("while scanning a tag"),
    N_("while scanning a directive"),
    N_("while scanning for the next token"),
    N_("while parsing a block mapping"),
    N_("while parsing a block collection"),
    N_("while parsing a flow mapping"),
    N_("while parsing a flow sequence"),
    N_("while parsing a block node"),
    N_("while parsing a flow node"),
    N_("while parsing a node"),
    N_("while parsing a tag"),
    N_("while composing a mapping"),
))

# Sentences with a part PyYAML fills in (a character, an alias, a token).
_SHAPED = (
    (re.compile(r"found character (?P<char>.+) that cannot start any token\Z", re.S),
     N_("found character {char} that cannot start any token")),
    (re.compile(r"found undefined alias (?P<name>.+)\Z", re.S),
     N_("found undefined alias {name}")),
    (re.compile(r"found unknown escape character (?P<char>.+)\Z", re.S),
     N_("found unknown escape character {char}")),
    (re.compile(r"found duplicate anchor (?P<name>.+); first occurrence\Z", re.S),
     N_("found duplicate anchor {name}; first occurrence")),
    (re.compile(r"expected (?P<expected>.+), but found (?P<found>.+)\Z", re.S),
     N_("expected {expected}, but found {found}")),
    (re.compile(r"expected (?P<expected>.+), but got (?P<found>.+)\Z", re.S),
     N_("expected {expected}, but got {found}")),
)


def yaml_words(text: str) -> str:
    """`text` (a PyYAML problem or context) in the reader's language, if it is known."""
    if text in _FIXED:
        return _(text)
    for pattern, message in _SHAPED:
        found = pattern.match(text)
        if found:
            parts = found.groupdict()
            if " or " in parts.get("expected", ""):      # "',' or ']'", "a digit or '.'"
                first, second = parts["expected"].rsplit(" or ", 1)
                parts["expected"] = _("{first} or {second}", first=first, second=second)
            return _(message, **parts)
    return text
