"""Repairs of free text as OCR read it, each guided by what the recogniser itself
considered at that character (its alternatives), never by guessing alone:

- `tidy_spaces`: OCR puts spaces into Chinese text ("城中路 12 8号"); a space next to a
  CJK character or between two digits is not part of the value.
- `simplify`: a traditional character (吳) where the recogniser also considered its
  simplified form (吴). Resident ID cards and the approval systems use simplified
  characters. Only characters outside GB 2312 are touched, so 乾, 后 and 著, which are
  standard simplified characters as well, stay as read.
- `choose_ethnic_group`: 民族 is one of 56 names; a misread one (窗族) is put right when
  exactly one name fits the alternatives at every character (畲族).

Each returns the new text and alternatives, and what it changed, so the caller can mark
the field `corrected` and keep the original.
"""
from __future__ import annotations

import functools
from typing import Sequence

from app.checks.normalize import ETHNIC_GROUPS

__all__ = ["Alternatives", "tidy_spaces", "simplify", "choose_ethnic_group", "is_cjk"]

Alternatives = tuple[tuple[str, ...], ...]


def is_cjk(ch: str) -> bool:
    """A Chinese character, CJK punctuation (，。（）) or a full-width form."""
    return bool(ch) and ("\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"
                         or "\U00020000" <= ch <= "\U0003134f" or "\u3000" <= ch <= "\u303f"
                         or "\uff00" <= ch <= "\uffef")


def tidy_spaces(text: str, alts: Alternatives | None) -> tuple[str, Alternatives | None]:
    """`text` without spaces that sit next to CJK text or inside a number; spaces between
    Latin words ("Room 5 Block A" stays) are kept."""
    keep: list[int] = []
    n = len(text)
    for i, ch in enumerate(text):
        if ch.isspace():
            j = i - 1
            while j >= 0 and text[j].isspace():
                j -= 1
            k = i + 1
            while k < n and text[k].isspace():
                k += 1
            before = text[j] if j >= 0 else ""
            after = text[k] if k < n else ""
            if not before or not after or is_cjk(before) or is_cjk(after) \
                    or (before.isdigit() and after.isdigit()):
                continue
            if j != i - 1:          # a run of spaces between words becomes one
                continue
        keep.append(i)
    new = "".join(text[i] for i in keep)
    return new, (tuple(alts[i] for i in keep) if alts is not None and len(alts) == n else None)


@functools.lru_cache(maxsize=1)
def _t2s():  # type: ignore[no-untyped-def]
    import opencc   # OpenCC's own tables; loads in a few ms
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """`text` with traditional characters in their simplified form (OpenCC t2s)."""
    return _t2s().convert(text)


def _in_gb2312(ch: str) -> bool:
    try:
        ch.encode("gb2312")
        return True
    except UnicodeEncodeError:
        return False


def simplify(text: str, alts: Alternatives | None) -> tuple[str, Alternatives | None, list[str]]:
    """Traditional characters the recogniser also read as their simplified form, replaced.
    Returns (text, alternatives, notes such as '吳→吴')."""
    if alts is None or len(alts) != len(text):
        return text, alts, []
    out, new_alts, notes = list(text), list(alts), []
    for i, ch in enumerate(text):
        if not is_cjk(ch) or _in_gb2312(ch):
            continue
        simple = _t2s().convert(ch)
        if len(simple) == 1 and simple != ch and simple in alts[i]:
            out[i] = simple
            new_alts[i] = (simple, *[a for a in alts[i] if a != simple])
            notes.append(f"{ch}→{simple}")
    return "".join(out), tuple(new_alts), notes


def simplified_forms(chars: Sequence[str]) -> list[str]:
    """Each character as `simplify` would take it: a traditional one outside GB 2312 as its
    simplified form, any other as it is (乾 stays: it is a simplified character too)."""
    converted = _t2s().convert("\n".join(chars)).split("\n")
    if len(converted) != len(chars):
        return list(chars)
    return [s if len(s) == 1 and s != c and is_cjk(c) and not _in_gb2312(c) else c
            for c, s in zip(chars, converted)]


def choose_ethnic_group(text: str, alts: Alternatives | None,
                        groups: Sequence[str] = ETHNIC_GROUPS) -> str | None:
    """The one ethnic group (汉族 …) that `text` was read from, given its alternatives;
    the ID card prints the name without 族. None when none or several fit."""
    t = _cjk_core(text)[0]
    if t in groups:
        return t
    if t + "族" in groups:
        return t + "族"
    fits = ethnic_groups_fitting(text, alts, groups)
    return fits.pop() if len(fits) == 1 else None


def ethnic_groups_fitting(text: str, alts: Alternatives | None,
                          groups: Sequence[str] = ETHNIC_GROUPS) -> set[str]:
    """Every ethnic group `text` may have been read from, given the characters the
    recogniser also considered (the one read among them)."""
    t, start = _cjk_core(text)
    if alts is None or len(alts) != len(text):
        return {g for g in groups if t in (g, g[:-1])}
    a = alts[start:start + len(t)]
    return {g for g in groups for form in (g, g[:-1])
            if len(form) == len(t) and all(c in a[i] for i, c in enumerate(form))}


def _cjk_core(text: str) -> tuple[str, int]:
    """The text without what is not CJK at its ends (specks and rules next to the name on
    a card come back as '-', '·' or ':'), and where it starts."""
    start, end = 0, len(text)
    while start < end and not is_cjk(text[start]):
        start += 1
    while end > start and not is_cjk(text[end - 1]):
        end -= 1
    return text[start:end], start
