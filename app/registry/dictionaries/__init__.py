"""Code lists: what a gateway's codes mean (GB/T 2261.1 sex, GB/T 3304 ethnic groups,
GB/T 2261.2 marital status, common identity-document types, GB/T 4658 education, GB/T 4762
political status, GB/T 4761 family relationship), shipped as YAML beside this
file; IT adds a gateway's own lists in the registry settings (`dictionaries:`).

A code decodes to a `Coded` value: its word (初婚), the other wordings (离异 for 离婚, 男 for
男性) and every level above it (21 初婚 is a kind of 20 已婚). Comparing a form's value with
it accepts any of those words; filling a field with choices takes the first word that is
one of them (21 fills 已婚 in [未婚, 已婚, 离婚, 丧偶]). Numeric codes match without their
leading zeros (1 is 01). A code not in the list decodes to nothing: never guessed.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping

import yaml

from app.checks.normalize import to_halfwidth

__all__ = ["Coded", "Dictionary", "Entry", "shipped", "parse_codes", "SHIPPED_NAMES"]

HERE = Path(__file__).resolve().parent
SHIPPED_NAMES = ("sex", "ethnicity", "marital_status", "id_type", "education", "political_status",
                 "relationship")


def _normal(text: str) -> str:
    return "".join(to_halfwidth(text).split()).casefold()


@dataclass(frozen=True)
class Entry:
    code: str
    label: str
    also: tuple[str, ...] = ()
    parent: str | None = None


@dataclass(frozen=True)
class Coded:
    """A decoded value: `label` is what the code says; `words` every wording that means it
    or a level above it, most specific first."""

    code: str
    label: str
    words: tuple[str, ...]
    dictionary: str

    def matches(self, text: str) -> bool:
        t = _normal(text)
        return any(_normal(w) == t for w in self.words)

    def for_field(self, choices: Iterable[str] = ()) -> str:
        """What to fill into a field: the first of the words that is one of `choices`
        (the field's own spelling of it), else the label."""
        wanted = {_normal(c): c for c in choices}
        for w in self.words:
            if _normal(w) in wanted:
                return wanted[_normal(w)]
        return self.label


@dataclass(frozen=True)
class Dictionary:
    name: str
    entries: Mapping[str, Entry]
    standard: str = ""

    def entry(self, code: Any) -> Entry | None:
        if code is None or isinstance(code, bool):
            return None
        text = str(code).strip()
        hit = self.entries.get(text)
        if hit is None and text.isdigit():       # 1 for 01, 021 for 21
            hit = next((e for c, e in self.entries.items() if c.isdigit() and int(c) == int(text)),
                       None)
        return hit

    def decode(self, code: Any) -> Coded | None:
        e = self.entry(code)
        if e is None:
            return None
        words: list[str] = []
        seen: set[str] = set()
        while e is not None and e.code not in seen:     # a cycle in IT's list stops here
            seen.add(e.code)
            words += [e.label, *e.also]
            e = self.entries.get(e.parent) if e.parent else None
        first = self.entry(code)
        assert first is not None
        return Coded(first.code, first.label, tuple(dict.fromkeys(words)), self.name)


def parse_codes(name: str, raw: Any, problems: list[str], where: str) -> Dictionary:
    """A dictionary from its YAML form ({codes: {CODE: WORD | {label, also, parent}}}),
    each problem added to `problems` as `where: …`."""
    from app.i18n import _
    entries: dict[str, Entry] = {}
    body = raw if isinstance(raw, Mapping) else {}
    if not isinstance(raw, Mapping):
        problems.append(f"{where}: " + _("must be a mapping with 'codes'"))
    for key in body:
        if key not in ("name", "standard", "codes"):
            problems.append(f"{where}: " + _("unknown key '{key}' (allowed: codes, standard)", key=key))
    codes = body.get("codes")
    if not isinstance(codes, Mapping) or not codes:
        problems.append(f"{where}.codes: " + _("list the codes, e.g. {\"1\": 未婚, \"2\": 已婚}"))
        codes = {}
    for code, value in codes.items():
        at = f"{where}.codes.{code}"
        if isinstance(value, str) and value.strip():
            entries[str(code)] = Entry(str(code), value.strip())
        elif isinstance(value, Mapping) and isinstance(value.get("label"), str):
            also = value.get("also") or []
            parent = value.get("parent")
            bad = set(value) - {"label", "also", "parent"}
            if bad:
                problems.append(f"{at}: " + _("unknown key '{key}' (allowed: label, also, parent)",
                                              key=sorted(bad)[0]))
            if not isinstance(also, list) or not all(isinstance(a, str) for a in also):
                problems.append(f"{at}.also: " + _("must be a list of words"))
                also = []
            entries[str(code)] = Entry(str(code), value["label"].strip(),
                                       tuple(a.strip() for a in also),
                                       None if parent is None else str(parent))
        else:
            problems.append(f"{at}: " + _("must be a word, or {label: WORD, also: [...], "
                                          "parent: CODE}"))
    for e in entries.values():
        if e.parent is not None and e.parent not in entries:
            problems.append(f"{where}.codes.{e.code}.parent: "
                            + _("names the code {parent}, which the list does not have",
                                parent=e.parent))
    return Dictionary(name, entries, str(body.get("standard") or ""))


@lru_cache(maxsize=None)
def shipped() -> dict[str, Dictionary]:
    """The code lists that ship with Deskhand, by name."""
    out = {}
    for name in SHIPPED_NAMES:
        problems: list[str] = []
        raw = yaml.safe_load((HERE / f"{name}.yaml").read_text(encoding="utf-8"))
        out[name] = parse_codes(name, raw, problems, name)
        if problems:   # a packaging mistake: the tests read every shipped list
            raise ValueError(f"shipped dictionary {name}: {problems}")
    return out
