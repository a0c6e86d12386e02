"""Greedy CTC decoding that also keeps, for each character, the other characters the
recogniser gave weight to at that place: the "alternatives" that check-digit
correction and closed lists (民族) choose from.

PP-OCR recognisers end in a softmax over [blank, dictionary…, space] per time step.
A character is one run of identical non-blank arg-max steps; its alternatives are the
classes with the highest probability anywhere in that run (max over the run's steps),
best first, the decoded character always first.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterator, Sequence

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

__all__ = ["decode_with_alternatives", "doubts", "dropped", "variants", "space_classes",
           "MIN_ALTERNATIVE_P",
           "MAX_ALTERNATIVES"]

BLANK = 0
MAX_ALTERNATIVES = 5
# Below this the recogniser did not seriously consider a class; keeping it would only
# give check-digit correction more wrong candidates to pass by chance.
MIN_ALTERNATIVE_P = 0.001


def decode_with_alternatives(
    preds: "np.ndarray", characters: Sequence[str], *,
    max_alternatives: int = MAX_ALTERNATIVES, min_p: float = MIN_ALTERNATIVE_P,
) -> list[tuple[str, float, tuple[tuple[str, ...], ...]]]:
    """`preds`: B×T×C probabilities; `characters[i]` is class i (0 = blank).
    For each item: (text, mean probability of its characters, alternatives per character).
    Text and score are exactly what PP-OCR's own greedy decoder gives."""
    import numpy as np

    out = []
    for item in preds:
        idx = item.argmax(axis=1)
        prob = item.max(axis=1)
        chars: list[str] = []
        confs: list[float] = []
        alts: list[tuple[str, ...]] = []
        for c, t, end in _runs(idx):
            chars.append(characters[c])
            confs.append(float(prob[t]))   # PP-OCR scores a run by its first step
            alts.append(_alternatives(item[t:end].max(axis=0), c, characters,
                                      max_alternatives, min_p))
        score = float(np.mean(confs)) if confs else 0.0
        out.append(("".join(chars), score, tuple(alts)))
    return out


def variants(characters: Sequence[str], forms: Sequence[str] | None = None
             ) -> dict[int, list[int]]:
    """For each class that has them, the other classes that are the same character in
    another width (9 and ９, A and Ａ) or, with `forms` (each class's plain form), another
    script (吳 and 吴): weight given to those is no doubt about which character it is."""
    import unicodedata
    by_form: dict[str, list[int]] = {}
    for k, ch in enumerate(characters):
        if k != BLANK and ch:
            form = forms[k] if forms is not None else ch
            by_form.setdefault(unicodedata.normalize("NFKC", form), []).append(k)
    return {k: [o for o in same if o != k] for same in by_form.values() if len(same) > 1
            for k in same}


def doubts(preds: "np.ndarray", same: dict[int, list[int]] | None = None
           ) -> list[tuple[float, ...]]:
    """For each item and each character greedy decoding gives: the highest probability the
    recogniser gave any *other* character (not blank; with `same` from `variants`, not the
    same character in another width) within that character's run. A correct reading of a
    rare character (赟 read as 赞, 彧 as 或, 昊 as 吴) left its true character 0.07–0.48
    here, where 93% of correct readings left less than 0.05 (400 generated names at 14 and
    17.5 px)."""
    out = []
    for item in preds:
        found: list[float] = []
        for c, t, end in _runs(item.argmax(axis=1)):
            run_max = item[t:end].max(axis=0).copy()
            run_max[[BLANK, c, *(same or {}).get(c, ())]] = 0.0
            found.append(float(run_max.max()))
        out.append(tuple(found))
    return out


def dropped(preds: "np.ndarray", characters: Sequence[str], spaces: Sequence[int] | None = None
            ) -> list[tuple[tuple[str, float], ...]]:
    """For each item: before each character greedy decoding gives, and after the last (one
    more than the characters), the character the recogniser gave most weight to in the blank
    steps there, and that weight (("", 0.0) when none). A character it nearly read and then
    dropped: 东方花园 read as 东花园 left 方 0.2–0.4 in the blank between 东 and 花, where
    blanks between characters read right leave other characters under 0.05. The two
    neighbouring characters do not count (their runs fade into the blank), nor spaces
    (OCR drops them from Chinese text anyway; `spaces`: their classes, found when not given)."""
    if spaces is None:
        spaces = space_classes(characters)
    out = []
    for item in preds:
        runs = list(_runs(item.argmax(axis=1)))
        bounds = [0] + [t for _c, t, _e in runs] + [len(item)]
        ends = [0] + [e for _c, _t, e in runs]
        found: list[tuple[str, float]] = []
        for k in range(len(runs) + 1):
            start, stop = ends[k], bounds[k + 1]
            if stop <= start:
                found.append(("", 0.0))
                continue
            gap_max = item[start:stop].max(axis=0).copy()
            gap_max[[BLANK, *spaces]] = 0.0
            for near in (k - 1, k):
                if 0 <= near < len(runs):
                    gap_max[runs[near][0]] = 0.0
            c = int(gap_max.argmax())
            p = float(gap_max[c])
            found.append((characters[c], p) if p > 0.0 else ("", 0.0))
        out.append(tuple(found))
    return out


def space_classes(characters: Sequence[str]) -> list[int]:
    """The classes that are a space (PP-OCR's dictionaries end in one)."""
    return [k for k, ch in enumerate(characters) if k != BLANK and not ch.strip()]


def _runs(idx: "np.ndarray") -> Iterator[tuple[int, int, int]]:
    """(class, first step, end step) of each run of one non-blank class: a character."""
    t, steps = 0, len(idx)
    while t < steps:
        c = int(idx[t])
        end = t + 1
        while end < steps and idx[end] == c:
            end += 1
        if c != BLANK:
            yield c, t, end
        t = end


def _alternatives(run_max: "np.ndarray", c: int, characters: Sequence[str],
                  max_alternatives: int, min_p: float) -> tuple[str, ...]:
    """Classes by falling probability (`run_max`), the decoded class `c` first, until
    `max_alternatives` or one below `min_p`. Only the classes at or above `min_p` (a
    handful) are sorted: sorting all of PP-OCRv5's 18,385 for every character took 0.3 s
    of CPU per portal page."""
    import numpy as np

    picks = [characters[c]]
    candidates = np.flatnonzero(run_max >= min_p)
    for k in candidates[np.argsort(-run_max[candidates], kind="stable")]:
        if len(picks) >= max_alternatives:
            break
        k = int(k)
        if k != BLANK and k != c and characters[k] not in picks:
            picks.append(characters[k])
    return tuple(picks)
