"""Values from a closed list: 民族, 性别, 婚姻状况, 文化程度, 政治面貌, 与户主关系, 证件类型.

Such a value is right only when it is an entry of its list (a word of the code list, or
another wording of one: 汉 for 汉族, 本科 for 大学本科). A value that is not one is never
replaced silently, even when it is one OCR confusion away from an entry (融中 read where
高中 is printed): the entries it may have been read from are offered, and a person decides.

Pure: the words of each list are passed in (app/values/listed.py gives the shipped ones).
"""
from __future__ import annotations

from collections.abc import Sequence

from app.checks.normalize import to_halfwidth
from playbooks.anchors import anchor_key

__all__ = ["LISTED_NAMES", "LISTED_LABELS", "list_of", "listed_word", "near_words",
           "MAX_SUGGESTIONS"]

# Fields known by name or by label to hold an entry of a shipped code list
# (app/registry/dictionaries/): the names the recorder gives (recorders/source_fields.py
# KNOWN_NAMES) and the labels sources and forms print.
LISTED_NAMES: dict[str, str] = {
    "gender": "sex", "sex": "sex", "ethnicity": "ethnicity", "nation": "ethnicity",
    "marital_status": "marital_status", "education": "education",
    "political_status": "political_status", "relationship": "relationship",
    "id_type": "id_type",
}
LISTED_LABELS: dict[str, str] = {
    "性别": "sex", "民族": "ethnicity", "婚姻状况": "marital_status", "婚姻状态": "marital_status",
    "文化程度": "education", "学历": "education", "政治面貌": "political_status",
    "与户主关系": "relationship", "户主关系": "relationship", "证件类型": "id_type",
}
# More near entries than this, none of them among what the OCR engine saw: the value says
# too little to suggest one (窗族 is one character from twenty ethnic groups).
MAX_SUGGESTIONS = 2


def _normal(text: str) -> str:
    return "".join(to_halfwidth(text).split()).casefold()


def list_of(name: str, label: str | None) -> str | None:
    """The code list a field holds an entry of, by its name or its label; None for others.
    A numbered name (education_2, as the recorder names a second one) counts as its base."""
    base = name.rstrip("0123456789").rstrip("_") if name[-1:].isdigit() else name
    return LISTED_NAMES.get(base) or LISTED_LABELS.get(anchor_key(label or ""))


def listed_word(value: str, words: Sequence[str]) -> str | None:
    """The entry `value` is (written as the list writes it), or None."""
    key = _normal(value)
    return next((w for w in words if _normal(w) == key), None)


def _one_apart(a: str, b: str) -> int | None:
    """The position in `a` where `b` differs by one character (replaced, added or dropped),
    else None."""
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b)) if x != y]
        return diff[0] if len(diff) == 1 else None
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    if len(long_) - len(short) != 1:
        return None
    for i in range(len(long_)):
        if long_[:i] + long_[i + 1:] == short:
            return min(i, len(a) - 1) if a else None
    return None


def near_words(value: str, words: Sequence[str],
               alternatives: Sequence[Sequence[str]] | None = None) -> list[str]:
    """The entries `value` may have been misread from: one character apart from it. Those
    whose differing character the OCR engine also saw there come first and, when there
    are any, alone; otherwise at most MAX_SUGGESTIONS (more say nothing)."""
    v = "".join(value.split())
    near: list[str] = []
    seen_by_engine: list[str] = []
    for w in dict.fromkeys(words):
        at = _one_apart(v, w)
        if at is None:
            continue
        near.append(w)
        if alternatives is not None and len(alternatives) == len(v) and len(w) == len(v) \
                and w[at] in alternatives[at]:
            seen_by_engine.append(w)
    if seen_by_engine:
        return seen_by_engine
    return near if len(near) <= MAX_SUGGESTIONS else []
