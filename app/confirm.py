"""Asking the person at the terminal before anything is typed (`deskhand fill`, `deskhand
batch`): a yes on a terminal, or --yes; no terminal to ask on is a UsageError."""
from __future__ import annotations

import sys
from typing import Callable

from app.errors import UsageError
from app.i18n import _


def asked_yes(question: Callable[[], str]) -> bool:
    """The person at the terminal answered yes to `question` (made only when asked)."""
    if not sys.stdin.isatty():
        raise UsageError(_("Refusing to type without confirmation: run with --yes, or "
                           "from a terminal to be asked."))
    return input(question()).strip().lower() in ("y", "yes", "是")
