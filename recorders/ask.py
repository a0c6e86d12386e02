"""The compiler's questions asked on a terminal, the answers written as an answers file.

The answers go into `PLAYBOOK.answers.yaml` beside the playbook (the format of
`--answers FILE`, which the compiler reads and checks), so that a recording compiled again
gets the same answers, and the playbook is compiled once more with it. A question left
unanswered (Enter) stays a field the clerk types in the review. A password box's question
asks for the name of the credential in the vault, never the password.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, TextIO

import yaml

from app.i18n import _
from recorders.questions import answer_key

_KINDS = {"c": "constant", "s": "source", "r": "registry"}


def ask_questions(questions: list[Any], existing: Path | None, out: TextIO, inp: TextIO
                  ) -> dict[str, Any]:
    """The answers document (`answers:`, `vault:`) from `existing` plus what the supervisor
    types for each question; keyed by the target box's label."""
    doc: dict[str, Any] = {"answers": {}, "vault": {}}
    if existing is not None and existing.is_file():
        loaded = yaml.safe_load(existing.read_text(encoding="utf-8")) or {}
        if isinstance(loaded, dict):
            doc["answers"].update(loaded.get("answers") or {})
            doc["vault"].update(loaded.get("vault") or {})
    for q in questions:
        box = str(getattr(q, "box", "") or getattr(q, "id", ""))
        print(question_line(q), file=out)
        if getattr(q, "kind", "value") == "vault":
            default = getattr(q, "default", None) or ""
            got = _read(inp, out, _("Name of the credential in the vault [{default}]: ",
                                    default=default))
            if got is None:
                break
            if got or default:
                _put(doc["vault"], box, got or default)
            continue
        got = _read(inp, out, _("c TEXT: a constant; s LABEL: a field of the source by its "
                                "label; r REGISTRY.ENDPOINT.VALUE: from a registry; Enter: the "
                                "clerk types it: "))
        if got is None:
            break
        kind, _sep, text = got.partition(" ")
        if kind in _KINDS and text.strip():
            _put(doc["answers"], box, {_KINDS[kind]: text.strip()})
        elif got:
            print(_("Not understood; the clerk types this one."), file=out)
    return {k: v for k, v in doc.items() if v}


def _put(section: dict[str, Any], box: str, answer: Any) -> None:
    """The answer for `box`, replacing one the file held under another spelling of its
    label (婚姻状况 for 婚姻状况：), which would otherwise contradict it."""
    for key in [k for k in section if answer_key(str(k)) == answer_key(box)]:
        del section[key]
    section[box] = answer


def write_answers(doc: dict[str, Any], path: Path) -> None:
    text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def question_line(q: Any) -> str:
    """One line for a question: its id, the box, the masked value and why."""
    parts = [f"[{q.id}]" if getattr(q, "id", "") else "",
             f"“{q.box}”" if getattr(q, "box", "") else "",
             str(getattr(q, "shown", "") or ""), str(getattr(q, "why", "") or "")]
    line = " ".join(p for p in parts if p)
    return line or str(q)


def _read(inp: TextIO, out: TextIO, prompt: str) -> str | None:
    out.write(prompt)
    out.flush()
    line = inp.readline()
    if not line:
        return None          # end of input: the rest stay for the clerk
    return line.strip()
