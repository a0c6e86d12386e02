"""Questions the compiler asks the supervisor, and their answers.

A value that matched nothing on the source is asked about: is it a constant (kept as it
is), a value a registry fills, or a value on the source the supervisor points at by its
label text? A password box is asked for the name of its credential in the vault. Until an
answer comes, the value is never kept: the field becomes `read: clerk`, for the clerk to
give in the review.

Answers come from a YAML file (`deskhand record --answers FILE`) or are built in code:

    answers:
      备注: {constant: 无}                      # the target box's label (or the question's id)
      婚姻状况: {registry: reference.person.marital_status}
      工作单位: {source: 单位名称}               # the label printed on the source
      办理事项: clerk                           # the clerk gives it each time
    vault:
      登录密码: city-approval-login             # a password box → its credential's name

A box's label matches however it is spelt: "婚姻状况", "婚姻状况：", "* 婚姻状况 " and
"婚姻状况:" are one label (full-/half-width forms, a required mark, trailing colons, spaces
and case do not matter; `answer_key`). An answer whose label fits two boxes of the
recording, or none, is used for none and said in the draft's report (`AnswerMatch`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from app.a11y.base import label_key
from app.errors import UsageError
from app.i18n import _, join
from app.privacy import mask

__all__ = ["Question", "Answer", "Answers", "AnswerMatch", "ANSWER_KINDS", "answer_key",
           "vault_name", "masked"]

ANSWER_KINDS = ("constant", "registry", "source", "clerk")
_VAULT_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_QUESTION_ID = re.compile(r"^q[0-9]+$")


def answer_key(label: str) -> str:
    """A label as an answers file's key is compared: full-width forms folded, a required
    mark and colons at the ends dropped (label_key), every space gone, case ignored."""
    return "".join(label_key(label).split()).casefold()


@dataclass(frozen=True)
class Question:
    id: str                          # q1, q2 … (an answers file may use it instead of the label)
    box: str                         # the target box's label
    kind: Literal["value", "vault"]  # a value to bind, or a credential's name
    shown: str = ""                  # the value, masked (never the value itself)
    choices: tuple[str, ...] = ANSWER_KINDS
    why: str = ""                    # a sentence for the supervisor
    default: str | None = None       # for a vault question: the name used if none is given
    field: str = ""                  # the field the playbook holds for it meanwhile


@dataclass(frozen=True)
class Answer:
    kind: Literal["constant", "registry", "source", "clerk"]
    text: str = ""                   # the constant, the registry's REG.ENDPOINT.NAME, the label


@dataclass
class Answers:
    values: dict[str, Answer] = field(default_factory=dict)   # by box label or question id
    vault: dict[str, str] = field(default_factory=dict)       # by box label or question id

    def for_value(self, box: str, qid: str = "") -> Answer | None:
        """The answer keyed by `box` (spelt any way answer_key folds) or by `qid`."""
        return _lookup(self.values, box, qid)

    def for_vault(self, box: str, qid: str = "") -> str | None:
        return _lookup(self.vault, box, qid)

    def match(self, value_boxes: list[str], vault_boxes: list[str]) -> "AnswerMatch":
        """These answers against one recording's boxes (their labels, a box per item)."""
        return AnswerMatch(self, value_boxes, vault_boxes)

    @classmethod
    def from_yaml(cls, text: str, where: str = "answers") -> "Answers":
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise UsageError(_("{where} is not YAML: {problem}", where=where,
                                 problem=str(exc).splitlines()[0])) from None
        data = data or {}
        if not isinstance(data, dict) or set(data) - {"answers", "vault"}:
            raise UsageError(_("{where} must be a mapping with 'answers' and 'vault'.",
                                 where=where))
        out = cls()
        for section in ("answers", "vault"):
            if not isinstance(data.get(section) or {}, dict):
                raise UsageError(_("{where}: '{section}' must map each box's label to its "
                                   "answer.", where=where, section=section))
        for box, raw in (data.get("answers") or {}).items():
            _add(out.values, str(box), _answer(str(box), raw, where), where)
        for box, name in (data.get("vault") or {}).items():
            if not isinstance(name, str) or not _VAULT_NAME.match(name):
                raise UsageError(_("{where}: the vault name for '{box}' must be lower-case "
                                     "letters, digits, '.', '_' or '-', e.g. city-login.",
                                     where=where, box=box))
            _add(out.vault, str(box), name, where)
        return out

    @classmethod
    def load(cls, path: Path) -> "Answers":
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(_("Cannot read the answers file {path}: {reason}", path=path,
                                 reason=exc.strerror)) from None
        except UnicodeDecodeError:
            raise UsageError(_("The answers file {path} is not UTF-8 text.", path=path)) from None
        return cls.from_yaml(text, str(path))


class AnswerMatch:
    """Answers matched to the boxes of one recording: an answer keyed by a label is used
    only when that label (as answer_key folds it) is one box's; a key fitting no box or
    several, or a question id never asked, becomes a sentence in `problems()`."""

    def __init__(self, answers: Answers, value_boxes: list[str], vault_boxes: list[str]) -> None:
        self.answers = answers
        self._boxes = {"values": _count(value_boxes), "vault": _count(vault_boxes)}
        self._shown = {"values": list(dict.fromkeys(b for b in value_boxes if b)),
                       "vault": list(dict.fromkeys(b for b in vault_boxes if b))}
        self._used: set[tuple[str, str]] = set()

    def value(self, box: str, qid: str = "") -> Answer | None:
        return self._get("values", self.answers.values, box, qid)

    def vault(self, box: str, qid: str = "") -> str | None:
        return self._get("vault", self.answers.vault, box, qid)

    def _get(self, section: str, given: dict, box: str, qid: str) -> Any:
        key = _key_of(given, box)
        if key is not None and self._boxes[section].get(answer_key(box), 0) == 1:
            self._used.add((section, key))
            return given[key]
        if qid and qid in given:
            self._used.add((section, qid))
            return given[qid]
        return None

    def problems(self) -> list[str]:
        """A sentence for each answer that was used for no box, saying why."""
        out = []
        for section, given in (("values", self.answers.values), ("vault", self.answers.vault)):
            boxes = self._boxes[section]
            for key in given:
                if (section, key) in self._used:
                    continue
                fits = boxes.get(answer_key(key), 0)
                if fits > 1:
                    out.append(_("The answer for '{key}' fits {n} boxes labelled so; it was used "
                                 "for none of them: answer each by its question's id (q1, q2…) "
                                 "instead.", key=key, n=fits))
                elif _QUESTION_ID.match(key):
                    out.append(_("The answer for '{key}' names no question of this recording.",
                                 key=key))
                elif not fits:
                    out.append(_("The answer for '{key}' fits no box of this recording; its boxes "
                                 "are: {labels}.", key=key,
                                 labels=join(self._shown[section]) or "—"))
        return out


def _count(labels: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for label in labels:
        k = answer_key(label)
        if k:
            out[k] = out.get(k, 0) + 1
    return out


def _key_of(given: dict, box: str) -> str | None:
    """The key of `given` spelling the label `box`; None when there is none."""
    want = answer_key(box)
    if not want:
        return None
    return next((k for k in given if answer_key(k) == want), None)


def _lookup(given: dict, box: str, qid: str) -> Any:
    key = _key_of(given, box)
    if key is not None:
        return given[key]
    return given.get(qid) if qid else None


def _add(into: dict, key: str, answer: Any, where: str) -> None:
    """One answer per label however it is spelt: the same answer twice is one; two
    different ones for one label are refused, naming both spellings."""
    other = _key_of(into, key) if answer_key(key) else None
    if other is not None and into[other] != answer:
        raise UsageError(_("{where}: '{one}' and '{two}' name the same box with different "
                           "answers; keep one.", where=where, one=other, two=key))
    if other is None:
        into[key] = answer


def _answer(box: str, raw: Any, where: str) -> Answer:
    if raw == "clerk":
        return Answer("clerk")
    if isinstance(raw, dict) and len(raw) == 1:
        kind, text = next(iter(raw.items()))
        if kind in ("constant", "registry", "source") and isinstance(text, (str, int, float)) \
                and str(text).strip():
            text = str(text)
            if kind == "registry" and text.count(".") < 2:
                raise UsageError(_("{where}: the registry answer for '{box}' names "
                                     "REGISTRY.ENDPOINT.VALUE, e.g. reference.person.marital_status.",
                                     where=where, box=box))
            return Answer(kind, text)
    raise UsageError(_("{where}: the answer for '{box}' must be clerk, {{constant: TEXT}}, "
                         "{{registry: REGISTRY.ENDPOINT.VALUE}} or {{source: LABEL}}.",
                         where=where, box=box))


def masked(value: str, type_: str) -> str:
    """A value as a question may show it."""
    return mask(value, type_ if type_ in ("id_number", "phone") else "text")


def vault_name(target: str, field_name: str) -> str:
    """A default credential name from the target (its process, else the playbook's id)
    and the field's name: ASCII, lower case (approval-client.login_password)."""
    base = re.sub(r"[^a-z0-9]+", "-", target.lower()).strip("-") or "target"
    return f"{base[:40]}.{field_name}"
