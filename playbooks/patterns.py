"""Regular expressions and globs in a playbook: compiled once in the loader, and the
rule that a target names one window (playbooks/README.md, "How specific a target must be").

    regex_problem(pattern)          -> clause or None     compiles, refuses slow/huge patterns
    glob_problem(pattern)           -> clause or None
    glob_catch_all(pattern)         -> reason or None      could match any window title
    regex_catch_all(pattern)        -> reason or None

The problems are clauses about the pattern ("it is 600 characters long; …"), the reasons
predicates of it ("has no fixed text at all, so it matches any title"), in the reader's
language (playbooks/text.py); the loader puts them in its sentences. Python's own words
for a regular expression it cannot compile are translated where they are common.

A target is specific when every title (or process name) it matches must contain at least
MIN_LITERAL letters, digits or Chinese characters written in the pattern, or when it
matches one exact name only. Spaces and punctuation do not count: " - " is in the title
of half the windows on a desktop.
"""
from __future__ import annotations

import re

from playbooks.text import N_, _, n_

try:  # the parser behind re.compile; its tree says which characters a match must hold
    from re import _constants as sre_c, _parser as sre_parse  # Python ≥ 3.11
except ImportError:  # pragma: no cover - older layout
    import sre_constants as sre_c  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

__all__ = ["regex_problem", "glob_problem", "glob_catch_all", "regex_catch_all",
           "MIN_LITERAL", "MAX_PATTERN"]

MIN_LITERAL = 3
MAX_PATTERN = 500          # characters in one regular expression or glob

_REPEATS = {sre_c.MAX_REPEAT, sre_c.MIN_REPEAT} | (
    {sre_c.POSSESSIVE_REPEAT} if hasattr(sre_c, "POSSESSIVE_REPEAT") else set())
_UNBOUNDED = sre_c.MAXREPEAT

# What re.error says (Python's words, as it writes them) for the mistakes people make.
_RE_FIXED = frozenset((
    N_("missing ), unterminated subpattern"),
    N_("missing ), unterminated comment"),
    N_("unbalanced parenthesis"),
    N_("unterminated character set"),
    N_("nothing to repeat"),
    N_("multiple repeat"),
    N_("bad escape (end of pattern)"),
    N_("unexpected end of pattern"),
    N_("min repeat greater than max repeat"),
    N_("cannot refer to an open group"),
    N_("too many groups"),
))
_RE_SHAPED = (
    ("bad escape ", N_("bad escape {part}")),
    ("bad character range ", N_("bad character range {part}")),
    ("unknown extension ", N_("unknown extension {part}")),
    ("unknown group name ", N_("unknown group name {part}")),
    ("invalid group reference ", N_("invalid group reference {part}")),
    ("incomplete escape ", N_("incomplete escape {part}")),
)


def _re_words(message: str) -> str:
    """re.error's message in the reader's language, if it is a common one."""
    if message in _RE_FIXED:
        return _(message)
    for start, sentence in _RE_SHAPED:
        if message.startswith(start):
            return _(sentence, part=message[len(start):])
    return message


def _parse(pattern: str):  # type: ignore[no-untyped-def]
    return sre_parse.parse(pattern)


def regex_problem(pattern: str) -> str | None:
    """Why `pattern` cannot be used as a regular expression, or None. Catches every way
    compiling fails (re.error, OverflowError for huge repeat counts, RecursionError for
    deep groups) and refuses nested unbounded repeats such as (a+)+, which make a search
    take exponential time on some texts."""
    if len(pattern) > MAX_PATTERN:
        return _("it is {length:,} characters long; a regular expression may be at most {limit}",
                 length=len(pattern), limit=MAX_PATTERN)
    try:
        re.compile(pattern)
        tree = _parse(pattern)
    except re.error as e:
        if e.pos is None:
            return _re_words(e.msg)
        return _("{problem} at position {position}", problem=_re_words(e.msg), position=e.pos)
    except OverflowError:
        return _("a repeat count such as {{n}} is too large; use a number below {limit}",
                 limit=65536)
    except RecursionError:
        return _("its groups are nested too deeply; use fewer parentheses")
    except (ValueError, TypeError, MemoryError) as e:   # anything else re refuses
        return _("it cannot be compiled ({reason})", reason=e)
    if _nested_repeat(tree):
        return _("it repeats a group that itself repeats without limit, such as (a+)+ or (.*)*, "
                 "which can take minutes on some texts; remove the outer repeat")
    return None


def _subtrees(op, av) -> list:  # type: ignore[no-untyped-def]
    """The sub-patterns of one parsed item."""
    if op in _REPEATS:
        return [av[2]]
    if op == sre_c.SUBPATTERN:
        return [av[3]]
    if op == sre_c.BRANCH:
        return list(av[1])
    if op in (sre_c.ASSERT, sre_c.ASSERT_NOT):
        return [av[1]]
    if getattr(sre_c, "ATOMIC_GROUP", None) == op:
        return [av]
    if op == sre_c.GROUPREF_EXISTS:
        return [p for p in av[1:] if p is not None]
    return []


def _nested_repeat(tree) -> bool:  # type: ignore[no-untyped-def]
    # (subpattern, inside an unbounded repeat?) pairs, walked without recursion
    stack = [(tree, False)]
    while stack:
        seq, inside = stack.pop()
        for op, av in seq:
            unbounded = op in _REPEATS and av[1] == _UNBOUNDED
            if unbounded and inside:
                return True
            for sub in _subtrees(op, av):
                stack.append((sub, inside or unbounded))
    return False


def _required_literals(seq, depth: int = 0) -> int:  # type: ignore[no-untyped-def]
    """How many letters, digits or Chinese characters written in the pattern every match
    must contain (a lower bound: character classes and look-arounds count 0)."""
    if depth > 100:    # regex_problem already refused deeper groups
        return 0
    total = 0
    for op, av in seq:
        if op == sre_c.LITERAL:
            total += 1 if chr(av).isalnum() else 0
        elif op == sre_c.SUBPATTERN:
            total += _required_literals(av[3], depth + 1)
        elif getattr(sre_c, "ATOMIC_GROUP", None) == op:
            total += _required_literals(av, depth + 1)
        elif op in _REPEATS:
            low = min(av[0], MIN_LITERAL)
            total += low * _required_literals(av[2], depth + 1) if low else 0
        elif op == sre_c.BRANCH:
            total += min(_required_literals(alt, depth + 1) for alt in av[1])
    return total


_STARTS = {sre_c.AT_BEGINNING, sre_c.AT_BEGINNING_STRING}
_ENDS = {sre_c.AT_END, sre_c.AT_END_STRING}


def _exact_regex(tree) -> bool:  # type: ignore[no-untyped-def]
    """^literal$: matches one title only."""
    items = list(tree)
    if len(items) < 3:
        return False
    (op0, av0), (op1, av1) = items[0], items[-1]
    middle = items[1:-1]
    return (op0 == sre_c.AT and av0 in _STARTS and op1 == sre_c.AT and av1 in _ENDS
            and all(op == sre_c.LITERAL for op, _av in middle))


def regex_catch_all(pattern: str, what: str = "title") -> str | None:
    """Why a (valid) title_regex could match almost any window, said of the pattern ("has
    no fixed text at all, …"), or None if it is specific. `what`: "title" or "program name"."""
    tree = _parse(pattern)
    if _exact_regex(tree):
        return None
    found = _required_literals(tree)
    if found >= MIN_LITERAL:
        return None
    return _too_loose(found, what)


def _too_loose(found: int, what: str) -> str:
    if found == 0:
        if what == "program name":
            return _("has no fixed text at all, so it matches any program name")
        return _("has no fixed text at all, so it matches any title")
    return n_("has only {n} letter, digit or Chinese character of fixed text",
              "has only {n} letters, digits or Chinese characters of fixed text", found, n=found)


def _glob_parts(pattern: str) -> tuple[list[str], bool]:
    """(literal characters, has wildcards), reading the glob as fnmatch does: `*`, `?`,
    and `[...]` when it is closed (an unclosed `[` is a plain character)."""
    literals: list[str] = []
    wild = False
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        i += 1
        if c in "*?":
            wild = True
        elif c == "[":
            j = i
            if j < n and pattern[j] == "!":
                j += 1
            if j < n and pattern[j] == "]":
                j += 1
            while j < n and pattern[j] != "]":
                j += 1
            if j >= n:
                literals.append(c)
            else:
                wild = True
                i = j + 1
        else:
            literals.append(c)
    return literals, wild


def glob_problem(pattern: str) -> str | None:
    """Why a glob cannot be used, or None."""
    if len(pattern) > MAX_PATTERN:
        return _("it is {length:,} characters long; a pattern may be at most {limit}",
                 length=len(pattern), limit=MAX_PATTERN)
    import fnmatch
    try:
        re.compile(fnmatch.translate(pattern))
    except (re.error, OverflowError, RecursionError, ValueError) as e:
        return _("it cannot be used as a pattern ({reason})", reason=e)
    return None


def glob_catch_all(pattern: str, what: str = "title") -> str | None:
    """Why a (valid) glob could match almost any window, said of the pattern, or None if it
    is specific. `what`: "title" or "program name"."""

    literals, wild = _glob_parts(pattern)
    if not wild:
        return None        # the exact title or name: one window's
    found = sum(1 for c in literals if c.isalnum())
    return None if found >= MIN_LITERAL else _too_loose(found, what)
