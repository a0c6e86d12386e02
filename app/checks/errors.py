"""The checks' branch of the exception tree (root: playbooks.errors.DeskhandError).

    DeskhandError
    └── CheckError            a check was asked for something it cannot do   exit 2
        ├── InvalidValueError a value was parsed that fails its check (carries `problems`)
        └── AreaDataError     the shipped area-code table is missing or damaged   exit 3

A value that fails a check is not an error: validators return their problems as sentences.
These exceptions are for callers that asked for something impossible (an unknown field
type, a role naming no field, parsing an invalid ID number).
"""
from __future__ import annotations

from playbooks.errors import DeskhandError


class CheckError(DeskhandError):
    exit_code = 2


class InvalidValueError(CheckError):
    """`parse_*` was given a value that fails its check; `problems` says why."""

    def __init__(self, message: str, problems: list[str], *, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.problems = problems


class AreaDataError(CheckError):
    exit_code = 3
