"""The words a field holding an entry of a shipped code list may take (文化程度 → GB/T 4658's
words, 民族 → the 56 groups…), for `check_value(listed=…)`. Which fields: app/checks/listed.py."""
from __future__ import annotations

from app.checks.listed import list_of
from app.registry.dictionaries import Dictionary, shipped
from playbooks.model import FieldSpec

__all__ = ["listed_words", "words_of"]


def words_of(d: Dictionary) -> tuple[str, ...]:
    """Every word of the list: each entry's label and its other wordings."""
    return tuple(dict.fromkeys(w for e in d.entries.values() for w in (e.label, *e.also)))


def listed_words(spec: FieldSpec) -> tuple[str, ...]:
    """The words `spec`'s value must be one of; () for a field that is not such a field
    (a choice field has its own `choices`; a transform writing a code makes it a code)."""
    if spec.type != "text" or any(getattr(t, "kind", "") == "to_code" for t in spec.transform):
        return ()
    name = list_of(spec.name, spec.label)
    d = shipped().get(name) if name else None
    return words_of(d) if d is not None else ()
