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
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from app.errors import UsageError
from app.i18n import _
from app.privacy import mask

__all__ = ["Question", "Answer", "Answers", "ANSWER_KINDS", "vault_name", "masked"]

ANSWER_KINDS = ("constant", "registry", "source", "clerk")
_VAULT_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


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
        return self.values.get(box) or (self.values.get(qid) if qid else None)

    def for_vault(self, box: str, qid: str = "") -> str | None:
        return self.vault.get(box) or (self.vault.get(qid) if qid else None)

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
        for box, raw in (data.get("answers") or {}).items():
            out.values[str(box)] = _answer(str(box), raw, where)
        for box, name in (data.get("vault") or {}).items():
            if not isinstance(name, str) or not _VAULT_NAME.match(name):
                raise UsageError(_("{where}: the vault name for '{box}' must be lower-case "
                                     "letters, digits, '.', '_' or '-', e.g. city-login.",
                                     where=where, box=box))
            out.vault[str(box)] = name
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
