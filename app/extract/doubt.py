"""When the OCR engine was not sure of a character it read.

PP-OCR's recogniser gives, at each character, a probability to every other character
too (app/ocr/ctc.py `doubts`). A correct reading leaves the others under 5% almost
always; a rare character read as its common look-alike (赟 as 赞, 彧 as 或, 昊 as 吴) or
an underscore read as a dot left the true one 7–48%. Such a value is not `ok`: the
clerk compares it with the source. Values whose own check would catch the error (an ID
number's check digit, a closed list of choices) need no doubt.
"""
from __future__ import annotations

import unicodedata
from typing import Sequence

from app.checks.readings import to_simplified
from app.i18n import _

__all__ = ["DOUBT", "unsure"]

DOUBT = 0.05         # another character this probable where one was read: the reading is unsure


def unsure(text: str, doubts: Sequence[float] | None,
           alternatives: Sequence[Sequence[str]] | None) -> str | None:
    """A sentence naming the first character of `text` the engine was unsure of, or None."""
    if doubts is None or len(doubts) != len(text):
        return None
    for i, (c, p) in enumerate(zip(text, doubts)):
        if p >= DOUBT and not c.isspace():
            seen = alternatives[i] if alternatives else ()
            if seen and all(_same(a, c) for a in seen):
                continue          # only other forms of the same character (廂 for 厢, Ａ for A)
            others = [a for a in seen if a != c][:2]
            return _("The OCR engine was not sure of {char} in {value} (it also saw {others}): "
                     "compare it with the source.", char=c, value=text,
                     others="、".join(others) or "?")
    return None


def _same(a: str, b: str) -> bool:
    """Two readings of one character: equal once width, case and traditional forms aside."""
    def norm(c: str) -> str:
        return to_simplified(unicodedata.normalize("NFKC", c).casefold())
    return a == b or norm(a) == norm(b)
