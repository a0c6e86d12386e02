"""One entry point: check a value read for a field of a given type.

    status "ok"         valid as read (formatting such as full-width digits or spaces aside)
           "corrected"  valid after a change the clerk should see: a look-alike letter taken
                        as a digit (O→0) or a character fixed by the check digit; `original`
                        keeps what was read and `warnings` says what changed
           "invalid"    fails its check; `problems` says why, in sentences a clerk can act on

"ok" says a check that could have failed passed. Free text has none (only emptiness and an
e-mail's form): the capture shows such a value as "unchecked" (app/capture/honest.py). A
text field holding an entry of a code list (文化程度, 民族…) is checked against the list when
its words are given (`listed`).
"""
from __future__ import annotations

import re

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import partial

from app.checks.bank_card import MAX_DIGITS as CARD_MAX_DIGITS, inspect_bank_card
from app.checks.correct import Status, confusion_alternatives, correct
from app.checks.credit_code import ALPHABET, AUTHORITIES, inspect_credit_code
from app.checks.dates import format_date_text, inspect_date
from app.checks.errors import CheckError
from app.checks.id_number import inspect_id_number
from app.checks.listed import MAX_SUGGESTIONS, listed_word, near_words
from app.checks.normalize import (
    DIGIT_LOOKALIKES,
    PositionMapper,
    credit_code_char,
    id_number_char,
    letters_to_digits,
    normalize_code,
    remove_spaces,
    to_halfwidth,
)
from app.checks.phone import parse_phone
from app.checks.postcode import inspect_postcode
from app.i18n import N_, _, join, n_

FIELD_TYPES = ("text", "id_number", "credit_code", "date", "phone", "choice", "postcode",
               "bank_card")

DIGITS = "0123456789"
# What may stand at each position, so that correction only tries readings that could be right.
ID_ALLOWED: tuple[str, ...] = (DIGITS,) * 17 + (DIGITS + "X",)
CARD_ALLOWED: tuple[str, ...] = (DIGITS,) * CARD_MAX_DIGITS
CREDIT_ALLOWED: tuple[str, ...] = (
    ("".join(AUTHORITIES), "".join(sorted({t for _name, types in AUTHORITIES.values() for t in types})))
    + (DIGITS,) * 6 + (ALPHABET,) * 10
)


@dataclass
class FieldCheck:
    status: Status
    value: str                  # what to use: normalised (and corrected) when valid
    original: str               # exactly what was given
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    candidates: list[str] = field(default_factory=list)  # corrections that passed, if several


def _changes(read: str, used: str, confirmed: bool) -> list[str]:
    """One sentence per character that differs between what was read and what is used
    (a change of case only, x → X, is formatting and not listed)."""
    if len(read) != len(used):
        return [_("The value was read as '{read}' and is taken as '{used}'.", read=read, used=used)]
    how = (N_("Character {position} was read as '{read}' and is taken as '{used}'; the check "
              "digit confirms it.") if confirmed else
           N_("Character {position} was read as '{read}' and is taken as '{used}'; only a digit "
              "can stand there."))
    return [_(how, position=i + 1, read=r, used=u)
            for i, (r, u) in enumerate(zip(read, used)) if r.upper() != u]


def _identity(_pos: int, ch: str) -> str:
    return ch


def _digit_char(_pos: int, ch: str) -> str:
    """Every position of a bank card number is a digit."""
    return letters_to_digits(ch)


def _check_code(
    value: str,
    alternatives: Sequence[Sequence[str]] | None,
    mapper: PositionMapper,
    inspect: Callable[[str], tuple[list[str], list[str]]],
    allowed: Sequence[str],
    again: str,
) -> FieldCheck:
    """ID numbers and credit codes: look-alikes, check digit, then guided correction."""
    raw, raw_alts = normalize_code(value, _identity, alternatives)  # as read, spaces removed
    read = raw.upper()
    problems, warnings = inspect(read)
    if not problems:  # valid as read: formatting aside, nothing changed
        return FieldCheck("ok", read, value, [], warnings)
    v = "".join(mapper(i, c) for i, c in enumerate(raw))            # look-alikes mapped
    problems, warnings = inspect(v)
    if not problems:
        return FieldCheck("corrected", v, value, [], warnings + _changes(raw, v, True))

    # Correct from what was read, not from the mapped value: a letter where only a digit
    # belongs marks the spot that must change (must_change), which keeps the candidates
    # few. Its look-alike digit is one alternative; the confusions of the letter are others
    # (a 'Z' mapped to '2' may have been a '7').
    def ok_at(i: int) -> str:
        return allowed[i] if i < len(allowed) else ""

    base = "".join(c.upper() if c.upper() in ok_at(i) else c for i, c in enumerate(raw))
    if raw_alts is None:
        # Without the engine's own alternatives, only characters that cannot stand where
        # they are (a letter where a digit belongs) are guessed from the confusion table.
        # Guessing digit for digit "corrected" a third of the misreads outside the table
        # to another valid, wrong number (3,000 random IDs): those stay invalid.
        table = [a + b for a, b in zip(confusion_alternatives(raw, allowed),
                                        confusion_alternatives(v, allowed))]
        offered = [alts if base[i] not in ok_at(i) else [] for i, alts in enumerate(table)]
    else:  # the engine's readings
        offered = [[mapper(i, a) for a in alts if len(a) == 1] for i, alts in enumerate(raw_alts)]
    alts = [list(dict.fromkeys(c for c in [v[i], *offered[i]] if c in ok_at(i) and c != base[i]))
            for i in range(len(base))]
    must = [i for i, c in enumerate(base) if c not in ok_at(i)]
    result = correct(base, lambda s: inspect(s)[0], alts, must_change=must)
    if result.status == "corrected":
        fixed = "".join(mapper(i, c) for i, c in enumerate(result.value))
        return FieldCheck("corrected", fixed, value, [],
                          inspect(fixed)[1] + _changes(raw, fixed, True))
    if result.candidates:
        problems = problems + [n_(
            "{n} different readings changing {changes} character would pass the check; {again}",
            "{n} different readings changing {changes} characters would pass the check; {again}",
            result.changes, n=len(result.candidates), changes=result.changes, again=_(again))]
    return FieldCheck("invalid", v, value, problems, warnings,
                      candidates=["".join(mapper(i, c) for i, c in enumerate(cand))
                                  for cand in result.candidates])


def _check_digits_field(value: str, read: str, mapped: str, normalised: str | None,
                        problems: list[str], warnings: list[str] | None = None) -> FieldCheck:
    """Shared ending for dates, phones and postcodes: no check digit, so a look-alike
    letter that had to be mapped makes the value 'corrected' for the clerk to see."""
    if normalised is None or problems:
        return FieldCheck("invalid", mapped, value, problems, warnings or [])
    notes = _changes(read, mapped, False) if read != mapped else []
    return FieldCheck("ok" if not notes else "corrected", normalised, value, [],
                      (warnings or []) + notes)


_EMAIL = re.compile(r"[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")


def _meant_as_email(v: str) -> bool:
    """A value written as an e-mail address: one word, one @, mostly Latin letters and
    digits (a remark that mentions an @ among other text is not one)."""
    return (len(v) <= 254 and v.count("@") == 1 and not any(c.isspace() for c in v)
            and sum(c.isascii() for c in v) >= 0.6 * len(v))


def _check_listed(v: str, value: str, listed: Sequence[str],
                  alternatives: Sequence[Sequence[str]] | None, label: str) -> FieldCheck:
    word = listed_word(v, listed)
    if word is not None:
        return FieldCheck("ok", word, value)
    near = near_words(v, listed, alternatives)[:MAX_SUGGESTIONS]
    name = label or _("this field")
    if not near:
        return FieldCheck("invalid", v, value, [_(
            "'{value}' is not one of the values of {list}: compare it with the source and type "
            "the value as the list writes it.", value=v, list=name)])
    if len(near) == 1:
        problem = _("'{value}' is not one of the values of {list}: is it '{first}'? Compare it "
                    "with the source; nothing was changed.", value=v, list=name, first=near[0])
    else:
        problem = _("'{value}' is not one of the values of {list}: is it '{first}' or "
                    "'{second}'? Compare it with the source; nothing was changed.",
                    value=v, list=name, first=near[0], second=near[1])
    return FieldCheck("invalid", v, value, [problem], candidates=near)


def check_value(
    field_type: str,
    value: str,
    alternatives: Sequence[Sequence[str]] | None = None,
    *,
    choices: Sequence[str] = (),
    listed: Sequence[str] = (),
    list_label: str = "",
    today: date | None = None,
) -> FieldCheck:
    """Check `value` as a field of `field_type` (text, id_number, credit_code, date, phone,
    choice, bank_card; postcode too).

    `alternatives`: per character of `value`, other readings the OCR engine offered; used
    to correct ID numbers and credit codes (without them a confusion table is used).
    `choices`: for a choice field, the values allowed (none given: any non-empty value).
    `listed`: for a text field holding an entry of a code list, every word of the list
    (`list_label`, the field's label, names it in the sentence); a value not among them is
    invalid, with the entries one character away as `candidates`, never put in its place.
    `today`: for tests; birth dates after it are impossible."""
    if value is None:
        value = ""
    if field_type in ("text", "choice"):
        v = value.strip()
        if not v:
            return FieldCheck("invalid", v, value, [_("The value is empty.")])
        if field_type == "choice" and choices and v not in choices:
            # Same choice written in full-width or other case is the same choice.
            key = {to_halfwidth(c).casefold(): c for c in choices}.get(to_halfwidth(v).casefold())
            if key is None:
                return FieldCheck("invalid", v, value, [_(
                    "'{value}' is not one of the choices: {choices}.", value=v,
                    choices=join(choices))])
            v = key
        if field_type == "text" and _meant_as_email(v) and not _EMAIL.fullmatch(v):
            # an address is written in Latin letters and digits: a Chinese character or a
            # stray mark in it is something OCR took in from beside it
            return FieldCheck("invalid", v, value, [_(
                "'{value}' does not look like an e-mail address (letters, digits and . _ - + "
                "before the @, a domain after it): compare it with the source.", value=v)])
        if field_type == "text" and listed:
            return _check_listed(v, value, listed, alternatives, list_label)
        return FieldCheck("ok", v, value)
    if field_type == "id_number":
        return _check_code(value, alternatives, id_number_char,
                           partial(inspect_id_number, today=today), ID_ALLOWED,
                           N_("read the ID number again from the source."))
    if field_type == "credit_code":
        return _check_code(value, alternatives, credit_code_char,
                           partial(inspect_credit_code), CREDIT_ALLOWED,
                           N_("read the credit code again from the source."))
    if field_type == "bank_card":
        return _check_code(value, alternatives, _digit_char, inspect_bank_card, CARD_ALLOWED,
                           N_("read the bank card number again from the source."))
    if field_type == "date":
        read = format_date_text(value)
        mapped = letters_to_digits(read)
        parsed, problems = inspect_date(mapped)
        return _check_digits_field(value, read, mapped,
                                   parsed.isoformat() if parsed else None, problems)
    if field_type == "phone":
        number, problems = parse_phone(value)
        had_lookalikes = any(c in DIGIT_LOOKALIKES for c in to_halfwidth(value))
        read = remove_spaces(to_halfwidth(value))
        mapped = letters_to_digits(read) if had_lookalikes else read
        return _check_digits_field(value, read, mapped, number, problems)
    if field_type == "postcode":
        read = remove_spaces(to_halfwidth(value))
        mapped = letters_to_digits(read)
        problems, warnings = inspect_postcode(mapped)
        return _check_digits_field(value, read, mapped, mapped, problems, warnings)
    raise CheckError(_("Unknown field type {type!r}; use one of: {types}.", type=field_type,
                       types=join(FIELD_TYPES)))
