"""An anchor as a label on the source is compared with it (playbooks/README.md, "How
labels are matched"): NFKC (full-width ：Ａ１ become ASCII), case folded, spaces of every
width (`姓　　名`) and zero-width characters dropped, a leading required mark (* ★ ☆ ※)
and a trailing colon removed. Two anchors with the same key would claim the same label."""
from __future__ import annotations

import unicodedata

__all__ = ["anchor_key", "REQUIRED_MARKS"]

REQUIRED_MARKS = "*★☆※"        # after NFKC: ＊ ﹡ → *


def anchor_key(text: str) -> str:
    t = "".join(c for c in unicodedata.normalize("NFKC", text).casefold()
                if not c.isspace() and unicodedata.category(c) != "Cf")
    return t.lstrip(REQUIRED_MARKS).rstrip(":" + REQUIRED_MARKS)
