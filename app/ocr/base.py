"""What every OCR backend returns, and the interface it implements.

Coordinates are image pixels of the image handed to `OcrEngine.read` (for a
screen grab, add the grab's origin with `TextBox.shifted` to get screen pixels).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Iterable, Protocol, runtime_checkable

if TYPE_CHECKING:  # pragma: no cover
    from PIL import Image

__all__ = ["TextBox", "Line", "OcrEngine", "MAX_PIXELS", "MAX_SIDE", "image_size_problem",
           "image_far_too_large"]

# The largest picture Deskhand reads. An 8K screen is 33 megapixels and an A4 page
# scanned at 600 dpi 35; RapidOCR scales to ~2000 px anyway. The side limit bounds the
# padding of long thin pictures (rapid.pad_to_aspect) to 50 megapixels.
MAX_PIXELS = 40_000_000
MAX_SIDE = 10_000


def image_size_problem(width: int, height: int, path: object = None) -> str | None:
    """Why a width×height picture (the file `path`, if given) is refused — a sentence in
    the chosen language — or None."""
    from app.i18n import _
    if width < 1 or height < 1:
        if path is None:
            return _("The picture is empty ({width}×{height} pixels); there is nothing to read.",
                     width=width, height=height)
        return _("The image {path} is empty ({width}×{height} pixels); there is nothing to read.",
                 path=path, width=width, height=height)
    if width * height > MAX_PIXELS or max(width, height) > MAX_SIDE:
        limits = dict(width=width, height=height, megapixels=MAX_PIXELS // 1_000_000,
                      side=f"{MAX_SIDE:,}")
        if path is None:
            return _("The picture is {width}×{height} pixels; Deskhand reads pictures of at most "
                     "{megapixels} megapixels and {side} pixels a side (an 8K screen is 33 "
                     "megapixels), so crop it or scan at 300 dpi.", **limits)
        return _("The image {path} is {width}×{height} pixels; Deskhand reads pictures of at most "
                 "{megapixels} megapixels and {side} pixels a side (an 8K screen is 33 "
                 "megapixels), so crop it or scan at 300 dpi.", path=path, **limits)
    return None


def image_far_too_large(path: object) -> str:
    """For a picture Pillow refuses to open for its size (a decompression bomb)."""
    from app.i18n import _
    return _("The image {path} is far larger than {megapixels} megapixels; Deskhand reads "
             "pictures of at most {megapixels} megapixels and {side} pixels a side (an 8K screen "
             "is 33 megapixels), so crop it or scan at 300 dpi.", path=path,
             megapixels=MAX_PIXELS // 1_000_000, side=f"{MAX_SIDE:,}")


@dataclass(frozen=True)
class TextBox:
    """One line of recognised text: its axis-aligned box and the engine's confidence
    (0..1; RapidOCR drops lines under 0.5).

    `alternatives`, when the engine gives them (both backends do), holds
    one tuple per character of `text`: the characters the recogniser considered at that
    position, best first (the first is the character in `text`). A guide for correcting
    one misread character, e.g. by an ID number's check digit.

    `doubts` and `gaps`, when the engine gives them (RapidOCR), say how sure it was: per
    character the weight it gave another character there, and before each character and
    after the last the character it nearly read in the blank there (see `Line`)."""

    text: str
    score: float
    x: int
    y: int
    width: int
    height: int
    alternatives: tuple[tuple[str, ...], ...] | None = None
    doubts: tuple[float, ...] | None = None
    gaps: tuple[tuple[str, float], ...] | None = None

    def __post_init__(self) -> None:
        # Alternatives (doubts, gaps) that no longer line up with the text (e.g. a box
        # narrowed with dataclasses.replace(text=...) but not its alternatives) would
        # mislead: drop them.
        if self.alternatives is not None and len(self.alternatives) != len(self.text):
            object.__setattr__(self, "alternatives", None)
        if self.doubts is not None and len(self.doubts) != len(self.text):
            object.__setattr__(self, "doubts", None)
        if self.gaps is not None and len(self.gaps) != len(self.text) + 1:
            object.__setattr__(self, "gaps", None)

    @property
    def center(self) -> tuple[int, int]:
        return (self.x + self.width // 2, self.y + self.height // 2)

    @property
    def right(self) -> int:
        return self.x + self.width

    @property
    def bottom(self) -> int:
        return self.y + self.height

    def contains(self, px: float, py: float) -> bool:
        return self.x <= px < self.right and self.y <= py < self.bottom

    def shifted(self, dx: int, dy: int) -> "TextBox":
        """The same box moved by (dx, dy): image pixels of a crop → screen pixels."""
        return replace(self, x=self.x + dx, y=self.y + dy)

    @classmethod
    def from_points(cls, text: str, score: float, points: Iterable[Iterable[float]],
                    alternatives: tuple[tuple[str, ...], ...] | None = None) -> "TextBox":
        """The axis-aligned box around an engine's quadrilateral [[x, y], ×4]."""
        pts = [(float(p[0]), float(p[1])) for p in points]
        if not pts:
            raise ValueError("a text box needs at least one point")
        xs = [p[0] for p in pts]
        ys = [p[1] for p in pts]
        x0, y0 = math.floor(min(xs)), math.floor(min(ys))
        x1, y1 = math.ceil(max(xs)), math.ceil(max(ys))
        return cls(text=text, score=float(score), x=int(x0), y=int(y0),
                   width=max(1, int(x1 - x0)), height=max(1, int(y1 - y0)),
                   alternatives=alternatives)


@dataclass(frozen=True)
class Line:
    """One line of text read from a picture already cut to it (no detection): its text,
    score, alternatives (as in TextBox), and per character the highest probability the
    recogniser gave another character there (`doubts`: a rare character read as a
    common look-alike leaves its true one 0.07–0.5 here), and before each character and
    after the last the character it nearly read in the blank there, with its probability
    (`gaps`, one more than the characters: a character dropped leaves 0.2–0.4 there; see
    app/ocr/ctc.py `dropped`)."""

    text: str
    score: float
    alternatives: tuple[tuple[str, ...], ...] | None
    doubts: tuple[float, ...]
    gaps: tuple[tuple[str, float], ...] = ()


@runtime_checkable
class OcrEngine(Protocol):
    """An OCR backend. `read` must be safe to call from any thread."""

    name: str

    def read(self, image: "Image.Image") -> list[TextBox]:
        """Text lines in `image`, top to bottom; [] when there is none.
        Raises `app.ocr.errors.OcrError` subclasses, never the engine's own errors."""
        ...
