"""The project's exception root lives here, in the lowest layer, so that
`playbooks/` (which may not import `app/`) and `app/` share one tree.

    DeskhandError                      every error a clerk or IT may see
    ├── PlaybookError                  a playbook file is malformed (file:line: message)
    └── … the rest of the tree is drawn in app/errors.py
"""
from __future__ import annotations

import re

from playbooks.text import _, join

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_LONG_WORD = re.compile(r"\S{61,}")
MAX_MESSAGE = 600


def one_line(message: str) -> str:
    """A message safe to print on one line: control characters (from the file being read)
    shown as escapes — an ESC would recolour the terminal, a line break would split
    `file:line: message` — and long values quoted in it cut."""
    message = _CONTROL.sub(lambda m: ascii(m.group())[1:-1], message)
    if len(message) > MAX_MESSAGE:
        message = _LONG_WORD.sub(lambda m: m.group()[:59] + "…", message)
    return message if len(message) <= MAX_MESSAGE else message[: MAX_MESSAGE - 1] + "…"


class DeskhandError(Exception):
    """Root of every Deskhand error.

    `message` is a sentence a clerk or IT can act on; the context (playbook,
    step, field) says where it happened. `exit_code` follows DESIGN.md §4:
    2 bad usage or bad playbook, 3 a fault stopped the run.
    """

    exit_code: int = 3

    def __init__(
        self,
        message: str,
        *,
        playbook: str | None = None,
        step: int | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.playbook = playbook
        self.step = step
        self.field = field

    def context(self) -> str:
        """Where it happened, in the language shown when it is printed."""
        parts = []
        if self.playbook:
            parts.append(_("playbook {playbook}", playbook=self.playbook))
        if self.step is not None:
            parts.append(_("step {step}", step=self.step + 1))
        if self.field:
            parts.append(_("field {field}", field=self.field))
        return join(parts)

    def __str__(self) -> str:
        ctx = self.context()
        return _("{message} ({context})", message=self.message, context=ctx) if ctx else self.message


class PlaybookError(DeskhandError):
    """One problem in a playbook file, located as `file:line: message`."""

    exit_code = 2

    def __init__(self, file: str, line: int, message: str) -> None:
        message = one_line(message)
        super().__init__(message, playbook=file)
        self.file = file
        self.line = line

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class PlaybookErrors(PlaybookError):
    """Several problems found in one pass, so a supervisor fixes them all at once."""

    def __init__(self, errors: list[PlaybookError]) -> None:
        first = errors[0]
        super().__init__(first.file, first.line, first.message)
        self.errors = errors

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)
