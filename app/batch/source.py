"""What a batch reads: items (a case, its key and where it came from) from a source.

Pinned between the batch, grid and archive parts of issue 15: other parts copy these
definitions verbatim, so keep the text identical.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Protocol

from app.cases import Case


@dataclass(frozen=True)
class BatchItem:
    key: str            # the case's identity in the batch (e.g. the ID number), unique
    case: Case          # values as read/loaded, statuses set (not yet checked/verified)
    origin: str         # where it came from, for the report ("cases.xlsx row 17", "grid page 2 row 3")


class BatchSource(Protocol):
    def describe(self) -> str: ...            # one line for the report / progress
    def items(self) -> Iterator[BatchItem]: ...
