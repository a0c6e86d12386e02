"""A field's `transform` steps (playbooks/README.md, "transform"): cleaning a value before
it is checked and typed — thousands separators, full/half width, dates, code ↔ word.

    apply_transforms(steps, "80,700.72") -> Transformed("80700.72", None)
    apply_transforms(steps, "7", choices=("男", "女"))  # {code: sex}
        -> Transformed("7", "'7' is not a code of the sex list (0 未知的性别, 1 男性, …).")

A step that cannot apply leaves the value as it was given and says why: it never guesses.
The steps can run twice on the same value with the same result (a case file read back,
a value typed again), which is why `code` also takes a value that is already a word of
its list, and `to_code` one that is already a code.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Callable, Sequence

from app.checks.dates import inspect_date
from app.checks.normalize import to_halfwidth
from app.i18n import _, join
from app.registry.dictionaries import Dictionary, Entry, shipped
from playbooks.model import TransformStep

__all__ = ["Transformed", "apply_transforms", "read_any_date"]

_SEPARATORS = ",，'’ \u00a0\u2009\u202f\u3000"
_GROUPED = re.compile(f"[0-9０-９]+(?:[{_SEPARATORS}][0-9０-９]+)+")
_TIME = re.compile(r"(.+?\d)(?:日|号)?(?:[T\s]+\d{1,2}[:：]\d{2}(?:[:：]\d{2}(?:\.\d+)?)?"
                   r"(?:Z|[+-]\d{2}:?\d{2})?|[T\s]*\d{1,2}时\d{1,2}分(?:\d{1,2}秒)?)?")
_CN_DIGITS = dict(zip("〇零○一二三四五六七八九", "000123456789"))
_CN_DATE = re.compile(r"([〇零○一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月"
                      r"([一二三四五六七八九十]{1,3})[日号]?")


@dataclass(frozen=True)
class Transformed:
    value: str                 # the value after the steps, or as given when one failed
    problem: str | None = None # why a step could not apply


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else "\u3000" if c == " " else c
                   for c in text)


def _strip(text: str) -> str:
    return re.sub(r"[ \t\u00a0\u3000]+", " ", text).strip()


def _digits(text: str) -> tuple[str, str | None]:
    kept = "".join(c for c in to_halfwidth(text) if "0" <= c <= "9")
    if not kept:
        return text, _("'{value}' has no digits.", value=text)
    return kept, None


def _no_separators(text: str) -> tuple[str, str | None]:
    """Thousands separators between digits removed; a run whose groups are not thousands
    (1,2,3; 12,34) is not a number with separators, and is left for a person."""
    out, last = [], 0
    for m in _GROUPED.finditer(text):
        run = m.group(0)
        groups = re.split(f"[{_SEPARATORS}]", run)
        marks = set(re.findall(f"[{_SEPARATORS}]", run))
        if len(marks) > 1 or not 1 <= len(groups[0]) <= 3 or any(len(g) != 3 for g in groups[1:]):
            return text, _("'{value}' has '{run}', which is not a number with thousands "
                           "separators; read it again from the source.", value=text, run=run)
        out += [text[last:m.start()], "".join(groups)]
        last = m.end()
    out.append(text[last:])
    return "".join(out), None


def _chinese_number(text: str) -> int:
    """一 … 三十一 as a number (month and day)."""
    if "十" not in text:
        return int(_CN_DIGITS[text]) if len(text) == 1 else -1
    tens, _sep, ones = text.partition("十")
    return (int(_CN_DIGITS[tens]) if tens else 1) * 10 + (int(_CN_DIGITS[ones]) if ones else 0)


def read_any_date(text: str) -> date | None:
    """The date written in `text` in any common form: 2024-03-01, 2024/3/1, 2024.3.1,
    2024年3月1日, 20240301, 二〇二四年三月一日, with a time after it or not. Forms whose day
    and month could be swapped (01/03/2024) are not read."""
    s = to_halfwidth(text).strip()
    cn = _CN_DATE.fullmatch(s.replace(" ", ""))
    if cn:
        year = "".join(_CN_DIGITS[c] for c in cn[1])
        month, day = _chinese_number(cn[2]), _chinese_number(cn[3])
        s = f"{year}-{month}-{day}"
    m = _TIME.fullmatch(s)
    if m:
        s = m.group(1)
        if s.count("年") and s.count("月") and not s.endswith("日"):
            s += "日"
    parsed, problems = inspect_date(s)
    return parsed


def _date(text: str, fmt: str) -> tuple[str, str | None]:
    parsed = read_any_date(text)
    if parsed is None:
        return text, _("'{value}' is not a date that can be read (write it like 2024-03-01).",
                       value=text)
    return parsed.strftime(fmt), None


def _normal(text: str) -> str:
    return "".join(to_halfwidth(text).split()).casefold()


def _examples(d: Dictionary) -> str:
    shown = [f"{e.code} {e.label}" for e in list(d.entries.values())[:4]]
    return join(shown) + ("…" if len(d.entries) > 4 else "")


def _entries_named(d: Dictionary, text: str) -> list[Entry]:
    t = _normal(text)
    return [e for e in d.entries.values() if any(_normal(w) == t for w in (e.label, *e.also))]


def _code(text: str, d: Dictionary, choices: Sequence[str]) -> tuple[str, str | None]:
    coded = d.decode(text.strip())
    if coded is None:
        named = _entries_named(d, text)      # already a word of the list: same result again
        if len(named) == 1:
            coded = d.decode(named[0].code)
    if coded is None:
        return text, _("'{value}' is not a code of the {list} list ({codes}).", value=text,
                       list=d.name, codes=_examples(d))
    return coded.for_field(choices), None


def _to_code(text: str, d: Dictionary) -> tuple[str, str | None]:
    named = _entries_named(d, text)
    if len(named) == 1:
        return named[0].code, None
    if len(named) > 1:
        return text, _("'{value}' is a word of several codes of the {list} list ({codes}); "
                       "give the code yourself.", value=text, list=d.name,
                       codes=join(e.code for e in named))
    entry = d.entry(text.strip())         # already a code: same result again
    if entry is not None:
        return entry.code, None
    return text, _("'{value}' is not a word of the {list} list ({codes}).", value=text,
                   list=d.name, codes=_examples(d))


def _replace(text: str, pairs: tuple[tuple[str, str], ...]) -> str:
    """Every OLD replaced at once, the longest first where two start at the same place."""
    table = dict(pairs)
    pattern = re.compile("|".join(re.escape(o) for o in sorted(table, key=len, reverse=True)))
    return pattern.sub(lambda m: table[m.group(0)], text)


_SIMPLE: dict[str, Callable[[str], str]] = {
    "halfwidth": to_halfwidth, "fullwidth": _fullwidth, "upper": str.upper,
    "lower": str.lower, "strip": _strip,
}


def apply_transforms(steps: Sequence[TransformStep], value: str, *,
                     choices: Sequence[str] = (),
                     dictionaries: dict[str, Dictionary] | None = None) -> Transformed:
    """`value` after each step in turn; on the first step that cannot apply, `value` as
    given and the reason (which names the step)."""
    lists = dictionaries if dictionaries is not None else shipped()
    v = value
    for n, step in enumerate(steps, 1):
        problem: str | None = None
        if step.kind in _SIMPLE:
            v = _SIMPLE[step.kind](v)
        elif step.kind == "digits":
            v, problem = _digits(v)
        elif step.kind == "no_separators":
            v, problem = _no_separators(v)
        elif step.kind == "date":
            v, problem = _date(v, step.format or "%Y-%m-%d")
        elif step.kind in ("code", "to_code"):
            d = lists.get(step.dictionary or "")
            if d is None:      # the loader knows the shipped lists; a mismatch is a bug
                problem = _("The code list '{list}' is not installed; reinstall Deskhand.",
                            list=step.dictionary)
            elif step.kind == "code":
                v, problem = _code(v, d, choices)
            else:
                v, problem = _to_code(v, d)
        elif step.kind == "replace":
            v = _replace(v, step.pairs)
        else:
            problem = _("The transform step '{step}' is unknown to this Deskhand.", step=step.kind)
        if problem is not None:
            return Transformed(value, _("Transform step {n} ({step}) could not be applied: "
                                        "{problem}", n=n, step=step.kind, problem=problem))
    return Transformed(v)
