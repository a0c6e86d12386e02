"""A free-text value the OCR engine was not sure of, read again before it is trusted.

The recogniser says where it was unsure (app/ocr/ctc.py): another character given weight
where one was read (彧 read as 或 leaves 彧 0.03–0.4: `doubts`), or a character nearly read
in the blank between two (东方花园 read as 东花园 leaves 方 0.15–0.3: `gaps`). Both come
mostly from detection boxes cut close to the ink, where the recogniser was trained on
lines with room around them. Such a line is read again from crops with more room (ROOM
line heights left and right, never into another box), from CONFIRM on: a reading the
engine is sure of (nothing from DOUBT on) that changes the first only where the first was
unsure replaces it (the first is kept as the original); the same reading, sure, confirms
it; anything else leaves the value flagged with a sentence, never guessed.

On 60 photographed and 50 flat ID cards (names and addresses), every wrong first reading
was unsure somewhere, and no re-reading the engine was sure of was wrong.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Sequence

from app.checks.normalize import halfwidth_alnum
from app.checks.readings import simplified_forms
from app.extract.fields import Found, found_from_boxes
from app.i18n import _
from app.ocr.base import Line, TextBox

if TYPE_CHECKING:  # pragma: no cover
    from PIL import Image

__all__ = ["settle", "Settled", "DOUBT", "DROPPED", "ROOM"]

DOUBT = 0.05       # another character this probable where one was read: unsure
DROPPED = 0.05     # a character this probable in a blank: it may have been dropped
# A first reading is confirmed by reading again from this much doubt on: 张彧琳 read as
# 张或琳 left 彧 0.027 (a held-out photo), where 90% of right readings left under 0.02.
CONFIRM = 0.02
ROOM = (0.6, 0.4)  # room left and right of a line read again, in line heights (two tries)
ROOM_UP_DOWN = 0.15


@dataclass(frozen=True)
class Settled:
    found: Found
    note: str | None = None         # why the value differs from the first reading
    first: str | None = None        # the first reading, when it was replaced
    # `found.doubt` is the engine's doubt only (which a registry holding the value settles)
    unsure: bool = False


def settle(found: Found, image: "Image.Image", engine: object, boxes: list[TextBox]) -> Settled:
    """`found` as it may be trusted: lines the engine was unsure of read again (see the
    module's docstring); `found.doubt` set when a doubt is left. `boxes`: all OCR boxes of
    the source (a line's room ends at its neighbours). Engines without per-character
    doubts or without `recognise` (EasyOCR) leave the value as it is."""
    parts = list(found.parts)
    recognise = getattr(engine, "recognise", None)
    suspect = [i for i, p in enumerate(parts) if p.doubts is not None and p.gaps is not None
               and not _sure(p.doubts, p.gaps, CONFIRM)]
    if not suspect or recognise is None:
        return Settled(found)
    whole = {id(b) for b in boxes}
    again = [i for i in suspect if id(parts[i]) in whole]   # a label's rest is not read alone
    crops = [_room(parts[i], boxes, image, room) for i in again for room in ROOM]
    lines: list[Line] = recognise(image, crops) if crops else []
    problems: list[str] = []
    changed: list[tuple[str, str]] = []
    for i in suspect:
        part = parts[i]
        tries = lines[again.index(i) * len(ROOM):(again.index(i) + 1) * len(ROOM)] \
            if i in again else []
        sure = [ln for ln in tries if ln.text.strip() and _sure(ln.doubts, ln.gaps)]
        readings = {_plain(ln.text)[0] for ln in sure}
        if len(readings) != 1:
            problems.append(_why(part, tries))
            # flagged either way; shown as the reading the engine doubted least
            least = min([ln for ln in tries if ln.text.strip()], default=None, key=_unsureness)
            if least is not None and _unsureness(least) < _unsureness(part):
                parts[i] = _as_box(least, part)
            continue
        line = sure[0]
        if readings == {_plain(part.text)[0]}:
            continue                                  # the same, and now sure of it
        parts[i] = _as_box(line, part)
        if _explained(part, line.text):
            changed.append((part.text.strip(), line.text.strip()))
        else:
            problems.append(_("The value was read as {value}, and read again as {again}: "
                              "compare it with the source.", value=part.text.strip(),
                              again=line.text.strip()))
    settled = found_from_boxes(parts)
    settled = replace(settled, box=found.box, doubt=found.doubt or (problems[0] if problems else None))
    unsure = bool(problems) and found.doubt is None
    if not changed:
        return Settled(settled, unsure=unsure)
    first = found.value
    note = _("Read as '{read}'; read again with more room around the line, the OCR engine was "
             "sure of '{again}'.", read="、".join(a for a, _b in changed),
             again="、".join(b for _a, b in changed))
    return Settled(settled, note, first, unsure)


def _as_box(line: Line, part: TextBox) -> TextBox:
    """A line read again, where the part it replaces was."""
    return TextBox(line.text, line.score, part.x, part.y, part.width, part.height,
                   line.alternatives, line.doubts, line.gaps)


def _unsureness(read: Line | TextBox) -> float:
    """The engine's largest doubt over a reading: a character, or one nearly read."""
    return max([*(read.doubts or ()), *(p for _c, p in read.gaps or ())], default=0.0)


def _sure(doubts: Sequence[float], gaps: Sequence[tuple[str, float]],
          below: float | None = None) -> bool:
    """No character doubted, none nearly read in a blank (`below`: under that, for both)."""
    return all(d < (below or DOUBT) for d in doubts) and \
        all(p < (below or DROPPED) for _c, p in gaps)


def _plain(text: str) -> tuple[str, list[int]]:
    """The text without spaces, half-width, simplified (城廂区 is 城厢区: the reader
    simplifies it anyway), and where each of its characters was."""
    at = [i for i, c in enumerate(text) if not c.isspace()]
    return "".join(simplified_forms(halfwidth_alnum("".join(text[i] for i in at)))), at


def _explained(part: TextBox, again: str) -> bool:
    """Whether `again` differs from the part's reading only where that reading was unsure:
    a character it doubted, or a blank where it nearly read one."""
    a, at = _plain(part.text)
    b, _at = _plain(again)
    doubts, gaps = part.doubts or (), part.gaps or ()
    for tag, i1, i2, _j1, _j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        lo = at[i1 - 1] + 1 if i1 > 0 else 0             # the blanks around the change
        hi = at[i2] if i2 < len(at) else len(part.text)
        if not (any(doubts[at[k]] >= CONFIRM for k in range(i1, i2))
                or any(gaps[g][1] >= CONFIRM for g in range(lo, hi + 1))):
            return False
    return True


def _why(part: TextBox, tries: list[Line]) -> str:
    """The sentence for a line still unsure: what the engine doubted, or how the readings
    differ."""
    text = part.text.strip()
    others = [ln.text.strip() for ln in tries
              if ln.text.strip() and _plain(ln.text)[0] != _plain(part.text)[0]]
    if others:
        return _("The value was read as {value}, and read again as {again}: compare it "
                 "with the source.", value=text, again=others[0])
    doubts, gaps = part.doubts or (), part.gaps or ()
    i = max(range(len(doubts)), key=doubts.__getitem__, default=None)
    g = max(range(len(gaps)), key=lambda k: gaps[k][1], default=None)
    if g is not None and (i is None or gaps[g][1] >= doubts[i]):
        return _("A character may be missing from {value} at {context} (the OCR engine nearly "
                 "read {char} there): compare it with the source.", value=text,
                 context=part.text[max(0, g - 2):g] + "▯" + part.text[g:g + 2],
                 char=gaps[g][0])
    alts = part.alternatives[i] if part.alternatives is not None and i is not None else ()
    char = part.text[i] if i is not None else "?"
    return _("The OCR engine was not sure of {char} in {value} (it also saw {others}): "
             "compare it with the source.", char=char, value=text,
             others="、".join(a for a in alts if a != char) or "?")


def _room(box: TextBox, boxes: list[TextBox], image: "Image.Image", room: float) -> TextBox:
    """The box with `room` line heights more left and right (ROOM_UP_DOWN above and
    below), never into another box nor past half the way to the line above or below."""
    h = box.height
    cx = box.x + box.width / 2
    row = [o for o in boxes if o is not box and o.y < box.bottom - 0.3 * h
           and o.bottom > box.y + 0.3 * h]
    left = max([o.right for o in row if o.x + o.width / 2 < cx], default=0)
    right = min([o.x for o in row if o.x + o.width / 2 > cx], default=image.width)
    column = [o for o in boxes if o is not box and o.x < box.right and o.right > box.x]
    up = max([o.bottom for o in column if o.y + o.height / 2 < box.y], default=0)
    down = min([o.y for o in column if o.y + o.height / 2 > box.bottom], default=image.height)
    x0 = max(0, min(box.x, left), box.x - room * h)
    x1 = min(image.width, max(box.right, right), box.right + room * h)
    y0 = max(0, min(box.y, (up + box.y) / 2), box.y - ROOM_UP_DOWN * h)
    y1 = min(image.height, max(box.bottom, (box.bottom + down) / 2), box.bottom + ROOM_UP_DOWN * h)
    return TextBox("", 0.0, int(x0), int(y0), max(1, int(x1 - x0)), max(1, int(y1 - y0)))
