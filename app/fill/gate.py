"""The gate before typing: nothing is typed that was not checked.

Every value a fill would type or choose — captured, read from a case file, given with
`--set`, or edited in the review — is checked again here, with its field's own check,
just before anything is typed. The capture's verdict is not trusted: a case file is plain
JSON anyone can edit, and `--set` values were never checked at all.

Three outcomes per field:
- refused       characters that must never reach a target (control characters such as
                ESC or NUL, bidirectional overrides, unpaired surrogates; a line break
                except in a `multiline` field). No confirmation lets them through.
- needs person  the value fails its check (check digit, date, phone, choice, code list…), disagrees
                with the ID number (birth date, sex), or its case status says so
                (invalid, mismatch, missing, unverified) — and no person confirmed it.
- fine          checked ok, or confirmed by a person (the review's 我已核对 tick, or the
                command line's `--accept FIELD`) for exactly the value it holds now.

A confirmation is kept in the field's provenance with the value it was given for, so
changing the value afterwards asks again.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Collection
from dataclasses import dataclass, field

from app.cases import NEEDS_PERSON, Case, FieldValue, now_iso
from app.checks import check_value, cross_check
from app.checks.cross import roles_for
from app.errors import NeedsPersonError, RefusedValueError
from app.i18n import N_, _, join
from app.values.listed import listed_words
from playbooks.model import FieldSpec, Playbook

__all__ = ["Verdict", "vet", "require_typeable", "forbidden_characters", "confirm",
           "is_confirmed", "printable", "refusal"]

# Characters that reorder what is shown (Trojan Source): never typed into a form.
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                          "\u2066\u2067\u2068\u2069")
# The statuses that ask for a person, as a clerk reads them ("it is marked {status}").
_STATUS_NAMES = {"invalid": N_("invalid"), "mismatch": N_("mismatch"), "missing": N_("missing"),
                 "unverified": N_("unverified")}
_CONTROL_NAMES = {0: "NUL", 7: "BEL", 8: "BACKSPACE", 9: "TAB", 10: "LINE FEED",
                  13: "CARRIAGE RETURN", 27: "ESC", 127: "DELETE"}


@dataclass
class Verdict:
    """What the gate says about one field the fill would type or choose."""

    field: str
    label: str
    refused: list[str] = field(default_factory=list)    # characters, as U+XXXX (NAME)
    reasons: list[str] = field(default_factory=list)    # why a person must look
    confirmed: bool = False

    @property
    def needs_person(self) -> bool:
        return bool(self.reasons) and not self.confirmed


def _is_noncharacter(cp: int) -> bool:
    return 0xFDD0 <= cp <= 0xFDEF or (cp & 0xFFFE) == 0xFFFE


def forbidden_characters(value: str, *, multiline: bool = False) -> list[str]:
    """The characters of `value` that may never be typed, each once, as `U+001B (ESC)`."""
    bad: dict[str, None] = {}
    for i, ch in enumerate(value):
        cp = ord(ch)
        if multiline and (ch == "\n" or (ch == "\r" and value[i + 1:i + 2] == "\n")):
            continue
        if unicodedata.category(ch) in ("Cc", "Cs") or ch in BIDI_CONTROLS \
                or _is_noncharacter(cp):
            bad[ch] = None
    return [_describe(ch) for ch in bad]


def _describe(ch: str) -> str:
    cp = ord(ch)
    name = _CONTROL_NAMES.get(cp) or unicodedata.name(ch, "")
    if not name and 0x80 <= cp < 0xA0:
        name = "C1 CONTROL"
    return f"U+{cp:04X}" + (f" ({name})" if name else "")


def printable(text: str) -> str:
    """`text` safe to print on a terminal: control characters, bidi overrides and
    surrogates written as escapes (\\x1b, \\u202e), line breaks kept."""
    out = []
    for ch in text:
        cp = ord(ch)
        if ch == "\n" or not (unicodedata.category(ch) in ("Cc", "Cs") or ch in BIDI_CONTROLS):
            out.append(ch)
        elif cp < 0x100:
            out.append(f"\\x{cp:02x}")
        else:
            out.append(f"\\u{cp:04x}")
    return "".join(out)


def confirm(fv: FieldValue, by: str) -> None:
    """A person looked at `fv` as it is now and wants it typed (`by`: clerk, cli…)."""
    fv.source["confirmed"] = {"by": by, "at": now_iso(), "value": fv.value}


def is_confirmed(fv: FieldValue) -> bool:
    c = fv.source.get("confirmed")
    return isinstance(c, dict) and c.get("value") == fv.value and fv.value is not None


def filled_fields(playbook: Playbook) -> list[FieldSpec]:
    """The fields a fill types or chooses, each once, in step order."""
    return [playbook.field_spec(n) for n in playbook.filled_names()]


def _status_reason(fv: FieldValue) -> str | None:
    problems = [str(p) for p in fv.source.get("problems", []) if p]
    registry = fv.source.get("registry") or {}
    if fv.status == "mismatch":
        theirs = registry.get("value")
        return (_("the registry holds a different value ({value})", value=theirs) if theirs else
                _("the registry holds a different value"))
    if fv.status == "unverified":
        return (_("no registry confirmed it: {problem}", problem=problems[-1]) if problems else
                _("no registry confirmed it"))
    if fv.status in NEEDS_PERSON:
        status = _STATUS_NAMES.get(fv.status)
        return problems[0] if problems else _("it is marked {status}",
                                              status=_(status) if status else fv.status)
    return None


def vet(playbook: Playbook, case: Case, only: Collection[str] | None = None) -> list[Verdict]:
    """A verdict for every non-empty field the fill would type or choose (`only`: of these
    fields alone — a step whose `when:` does not hold types nothing)."""
    verdicts: dict[str, Verdict] = {}
    for spec in filled_fields(playbook):
        if only is not None and spec.name not in only:
            continue
        fv = case.fields.get(spec.name)
        if fv is None or fv.value is None or fv.value == "":
            continue          # plan() refuses a required field without a value
        v = Verdict(spec.name, spec.label or spec.name, confirmed=is_confirmed(fv))
        v.refused = forbidden_characters(fv.value, multiline=spec.multiline)
        if not v.refused:
            check = check_value(spec.type, fv.value, choices=spec.choices,
                                listed=listed_words(spec), list_label=spec.label or "")
            if check.status != "ok":
                v.reasons += check.problems or [
                    _("it is not valid as written; it would be taken as '{value}'",
                      value=check.value)]
        reason = _status_reason(fv)
        if reason and reason not in v.reasons:
            v.reasons.append(reason)
        verdicts[spec.name] = v
    # birth date and sex against the ID number, as capture does
    values = {n: fv.value for n, fv in case.fields.items()
              if fv.value and n in verdicts and not verdicts[n].refused}
    roles = {r: n for r, n in roles_for(playbook.fields).items() if n in values}
    if "id_number" in roles:
        types = {f.name: f.type for f in playbook.fields}
        for problem in cross_check(values, types, roles):
            if problem.message not in verdicts[problem.field].reasons:
                verdicts[problem.field].reasons.append(problem.message)
    return list(verdicts.values())


def refusal(v: Verdict) -> str | None:
    """One sentence for a field whose value may not be typed (playbook `on_invalid: field`:
    its box is left empty and the rest filled), or None when it may be."""
    if v.refused:
        return _("{label} ({field}) is left empty: it holds characters that are never typed "
                 "({characters}); correct it in the case.", label=v.label, field=v.field,
                 characters=join(v.refused))
    if v.needs_person:
        return _("{label} ({field}) is left empty: {reason}; check it in the review and tick "
                 "我已核对, or fill again with --accept {field}.", label=v.label, field=v.field,
                 reason=v.reasons[0].rstrip(".。"))
    return None


def require_typeable(playbook: Playbook, case: Case,
                     only: Collection[str] | None = None) -> list[Verdict]:
    """Raise RefusedValueError or NeedsPersonError when anything may not be typed; the
    verdicts otherwise (some fine only because a person confirmed them)."""
    verdicts = vet(playbook, case, only)
    refused = [v for v in verdicts if v.refused]
    if refused:
        raise RefusedValueError(
            _("These fields hold characters that are never typed: {fields}. Correct the values "
              "in the case; nothing was typed.",
              fields=_("; ").join(_("{label} ({field}): {characters}", label=v.label,
                                    field=v.field, characters=join(v.refused))
                                  for v in refused)),
            playbook=playbook.id, field=refused[0].field)
    waiting = [v for v in verdicts if v.needs_person]
    if waiting:
        raise NeedsPersonError(
            _("These fields need a person before they are typed: {fields}. Check them in the "
              "review and tick 我已核对, or confirm each on the command line with --accept "
              "FIELD; nothing was typed.",
              fields=_("; ").join(_("{label} ({field}): {reason}", label=v.label, field=v.field,
                                    reason=v.reasons[0].rstrip(".。"))
                                  for v in waiting)),
            fields=[v.field for v in waiting], playbook=playbook.id)
    return verdicts
