"""Reading a value a filled form shows (the number it issued) back off the target.

Through the accessibility tree where the form shows the box: its text exactly as the
program holds it. Else by OCR of the window to the right of the label: a reading, so the
value is kept as `unverified` — a pattern cannot tell a misread digit — and the clerk
confirms it before a later form types it (the gate stops unconfirmed values)."""
from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from app.a11y.base import PASSWORD, RADIO, find_field, label_key
from app.cases import Case, FieldValue, now_iso
from app.desktop.base import WindowInfo
from app.errors import AccessibilityError
from app.i18n import _
from app.scenario.model import Keep

if TYPE_CHECKING:  # pragma: no cover
    from app.a11y.base import Accessibility
    from app.fill.anchors import ScreenText

VIA_TREE, VIA_OCR = "accessible", "ocr"
RIGHT_OF_LABEL_PX = 480          # how far right of its label a value is looked for
ISSUE_WAIT_S = 5.0               # how long an empty box is watched for the number to appear


@dataclass
class Kept:
    keep: Keep
    value: str | None
    via: str = ""                   # VIA_TREE, VIA_OCR or "" (not found)
    problem: str | None = None      # a sentence when not kept, or kept unverified

    @property
    def status(self) -> str | None:
        """ok only when read through the tree (the program's own text) and matching the
        pattern if there is one; invalid when it does not match; unverified when read by
        OCR (a pattern cannot tell a misread digit: a person confirms it); None: not kept."""
        if self.value is None:
            return None
        if self.keep.pattern is not None and not re.fullmatch(self.keep.pattern, self.value):
            return "invalid"
        return "ok" if self.via == VIA_TREE else "unverified"


def read_kept(keep: Keep, window: WindowInfo, *, a11y: "Accessibility | None",
              screen: "Callable[[], ScreenText] | None", wait_s: float = ISSUE_WAIT_S,
              clock: Callable[[], float] = time.monotonic,
              sleep: Callable[[float], None] = time.sleep) -> Kept:
    """The value beside `keep.label` on the target, read through the tree, else by OCR
    (`screen` makes the OCR reader, only when it is needed: loading it takes seconds).
    A box that shows nothing yet is read again for up to `wait_s`: a form issues its
    number a moment after 提交 (its own event loop, or a round trip to its server)."""
    if a11y is not None:
        try:
            box = find_field([f for f in a11y.fields(window, refresh=True)
                              if f.role not in (PASSWORD, RADIO)], keep.label)
            if box is not None:
                deadline = clock() + wait_s
                text = a11y.read_text(window, box).strip()
                while not text and clock() < deadline:
                    sleep(0.1)
                    text = a11y.read_text(window, box).strip()
                return _checked(keep, text, VIA_TREE)
        except AccessibilityError:
            pass                      # the tree failed: a look at the window instead
    if screen is not None:
        look = screen()
        label = look.label_box(keep.label, window)
        if label is not None:
            x = label.x + label.width + 2
            width = max(0, min(RIGHT_OF_LABEL_PX, window.width - x))
            text = look.read_box(window, x, max(0, label.y - 4), width, label.height + 8)
            if text.strip():
                return _checked(keep, _first_word(text), VIA_OCR)
    return Kept(keep, None, "", _("'{label}' was not found on '{title}', so {field} was not "
                                  "kept.", label=keep.label, title=window.title, field=keep.field))


def _first_word(text: str) -> str:
    """A value read right of its label: up to the next run of spaces (the next column)."""
    return re.split(r"\s{2,}|\u3000", text.strip())[0].strip()


def _checked(keep: Keep, value: str, via: str) -> Kept:
    kept = Kept(keep, value or None, via)
    if kept.value is None:
        kept.problem = _("'{label}' shows nothing yet, so {field} was not kept.",
                         label=keep.label, field=keep.field)
    elif kept.status == "invalid":
        kept.problem = _("'{label}' shows '{value}', which is not the form expected "
                         "({pattern}).", label=keep.label, value=value, pattern=keep.pattern)
    elif kept.status == "unverified":
        kept.problem = _("'{label}' was read by OCR: confirm {field} before the next form "
                         "uses it.", label=keep.label, field=keep.field)
    return kept


def keep_in_case(case: Case, kept: Kept, form: str) -> None:
    """Put a kept value into the case, with its status (Kept.status) and where it came from."""
    if kept.status is None:
        return
    source = {"kind": "form", "form": form, "label": label_key(kept.keep.label), "via": kept.via,
              "at": now_iso()}
    if kept.problem:
        source["problems"] = [kept.problem]
    case.fields[kept.keep.field] = FieldValue(kept.value, kept.status, None, source)
