"""Correction guided by check digits.

OCR misreads of ID numbers and credit codes fail their check digit (DESIGN.md §5), and the
check digit can also pick the right reading among a few alternatives per character. The
rule is strict: a value is changed only when exactly one candidate at the smallest number
of changes passes the validator; two or more passing candidates leave it invalid, because
the check digit cannot tell which one is meant. The original is always kept.

Why the smallest number of changes: the true value is one change away for a single misread,
and a candidate needing more changes is much less likely. Trying two-character changes only
when no single change passes keeps a single misread from being "fixed" into a different,
two-changes-away number.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import combinations, product
from typing import Literal

# Characters OCR mixes up, as groups of mutual look-alikes. A character's alternatives are
# the union of the groups it belongs to. Digit↔digit pairs are kept to the common ones:
# every extra pair adds candidates and so makes a unique answer rarer.
CONFUSION_GROUPS: tuple[str, ...] = (
    "0OoDQ", "1IilL|!", "17", "2Zz", "7Zz", "5Ss", "56", "6Gb", "68", "8B3", "9gq",
    "4A", "XxK", "UVY", "CG", "EF", "PR", "MN",
)

Validator = Callable[[str], Sequence[str]]   # problems as sentences; empty means valid
Status = Literal["ok", "corrected", "invalid"]


def _confusions() -> dict[str, str]:
    table: dict[str, list[str]] = {}
    for group in CONFUSION_GROUPS:
        for ch in group:
            alts = table.setdefault(ch, [])
            alts.extend([c for c in group if c != ch and c not in alts])
    return {ch: "".join(alts) for ch, alts in table.items()}


CONFUSIONS: dict[str, str] = _confusions()


@dataclass(frozen=True)
class CorrectionResult:
    status: Status
    value: str                  # the corrected value, or the value as given
    original: str
    candidates: tuple[str, ...] = field(default=())  # every candidate that passed
    changes: int = 0            # characters changed to reach `value`


def confusion_alternatives(value: str, allowed_chars: str | Sequence[str]) -> list[list[str]]:
    """Other readings to try for each character of `value`, from the confusion table,
    keeping only characters allowed at that position.

    `allowed_chars` is one alphabet for every position ("0123456789") or one per position
    (an ID number: 17 × digits, then digits + "X"); positions past the end get none."""
    out: list[list[str]] = []
    for i, ch in enumerate(value):
        if isinstance(allowed_chars, str):
            allowed = allowed_chars
        else:
            allowed = allowed_chars[i] if i < len(allowed_chars) else ""
        alts: list[str] = []
        for a in CONFUSIONS.get(ch, ""):  # case matters: B looks like 8, b like 6
            if a in allowed and a != ch and a not in alts:
                alts.append(a)
        out.append(alts)
    return out


def _passes(validator: Validator, candidate: str) -> bool:
    return not validator(candidate)


def correct(
    value: str,
    validator: Validator,
    alternatives: Sequence[Sequence[str]],
    *,
    must_change: Sequence[int] = (),
    max_changes: int = 2,
    max_candidates: int = 20000,
) -> CorrectionResult:
    """Try the alternatives of one character, then of two, until some candidate passes.

    Exactly one passing candidate → "corrected"; several → "invalid" with all of them in
    `candidates`; none → "invalid". A value that passes as given → "ok", untouched.

    `must_change`: positions whose character cannot be right (a letter where only digits
    belong); every candidate changes them, even if that takes more than `max_changes`.
    A level is skipped, and the search ends, when it would exceed `max_candidates` tries."""
    if _passes(validator, value):
        return CorrectionResult("ok", value, value)
    chars = list(value)
    forced = sorted(set(must_change))
    if any(i >= len(alternatives) or not alternatives[i] for i in forced):
        return CorrectionResult("invalid", value, value)  # nothing to put in a forced spot
    forced_spots = [(i, list(alternatives[i])) for i in forced]
    spots = [(i, list(alts)) for i, alts in enumerate(alternatives[: len(chars)])
             if alts and i not in forced]
    for extra in range(0 if forced else 1, max(0, max_changes - len(forced)) + 1):
        combos = [tuple(forced_spots) + c for c in combinations(spots, extra)]
        if sum(_count(c) for c in combos) > max_candidates:
            break
        n = len(forced) + extra
        passing: list[str] = []
        for combo in combos:
            for choice in product(*(alts for _, alts in combo)):
                cand = chars.copy()
                for (i, _), a in zip(combo, choice):
                    cand[i] = a
                s = "".join(cand)
                if s not in passing and _passes(validator, s):
                    passing.append(s)
        if len(passing) == 1:
            return CorrectionResult("corrected", passing[0], value, (passing[0],), n)
        if passing:
            return CorrectionResult("invalid", value, value, tuple(passing), n)
    return CorrectionResult("invalid", value, value)


def _count(combo: Sequence[tuple[int, list[str]]]) -> int:
    total = 1
    for _, alts in combo:
        total *= len(alts)
    return total
