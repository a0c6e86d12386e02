"""Comparing what the source said with what a registry holds (playbook `confirm` rules).

- exact: after normalisation (full-width → half-width, spaces dropped, case folded);
- date: both parsed as dates (19900101, 1990-01-01, 1990年1月1日, 1990.1.1);
- fuzzy (addresses): every number must agree exactly (house, building and room numbers
  are where a wrong address differs), and the text must be similar enough (rapidfuzz,
  0-100 ≥ threshold; an address given without its province or city still matches).
"""
from __future__ import annotations

import re
from datetime import date

from app.checks.normalize import to_halfwidth

__all__ = ["normal", "same", "parse_any_date", "fuzzy_score", "alternatives_explain"]

_DIGITS = re.compile(r"\d+")
_DATE_PARTS = re.compile(r"(\d{4})\D{0,2}(\d{1,2})\D{0,2}(\d{1,2})")


def normal(text: str) -> str:
    return "".join(to_halfwidth(text).split()).casefold()


def parse_any_date(text: str) -> date | None:
    t = to_halfwidth(text).strip()
    if re.fullmatch(r"\d{8}", t):
        t = f"{t[:4]}-{t[4:6]}-{t[6:]}"
    m = _DATE_PARTS.search(t)
    if m is None:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def fuzzy_score(a: str, b: str) -> float:
    """0-100; 0 when the numbers in the two differ."""
    from rapidfuzz import fuzz
    na, nb = normal(a), normal(b)
    if _DIGITS.findall(na) != _DIGITS.findall(nb):
        return 0.0
    score = fuzz.ratio(na, nb)
    short, long_ = sorted((na, nb), key=len)
    if short and len(short) / max(1, len(long_)) >= 0.6 and long_.endswith(short[-4:]):
        # a prefix left out (福建省…): compare the shorter with the end of the longer
        score = max(score, fuzz.partial_ratio(short, long_))
    return float(score)


def same(rule: str, source: str, registry: str, threshold: int = 85) -> bool:
    if rule == "date":
        a, b = parse_any_date(source), parse_any_date(registry)
        return a is not None and a == b
    if rule == "fuzzy":
        return fuzzy_score(source, registry) >= threshold
    return normal(source) == normal(registry)


def alternatives_explain(source: str, registry: str, alternatives: list[str] | None) -> bool:
    """True when the registry's value is one the OCR engine also considered at every
    character where the two differ (傅赞 read, 赟 the engine's runner-up, 傅赟 on record)."""
    if not alternatives or len(source) != len(registry) or len(alternatives) != len(source):
        return False
    diffs = [i for i, (a, b) in enumerate(zip(source, registry)) if a != b]
    return bool(diffs) and len(diffs) <= 2 and all(registry[i] in alternatives[i] for i in diffs)
