"""Small drawing helpers shared by the unseen-style sample sources (forms.py, grids.py,
photos.py): fonts by kind and pixel size, ink boxes, browser chrome."""
from __future__ import annotations


from PIL import ImageDraw

# the portal page's own helpers (sources.py), under public names for the newer sources
from app.sandbox.sources import _font as font  # noqa: F401
from app.sandbox.sources import _ibox as ibox  # noqa: F401
from app.sandbox.sources import _union as union  # noqa: F401

Box = tuple[int, int, int, int]     # left, top, right, bottom in image pixels

__all__ = ["Box", "font", "ibox", "union", "inside", "browser_chrome", "CHROME_H"]

CHROME_H = 78                        # tab strip + address bar, as on the portal page


def inside(box: Box, area: Box, margin: int = 1) -> bool:
    """Whether `box` lies wholly in `area`, `margin` pixels clear of its edges."""
    return (box[0] >= area[0] + margin and box[1] >= area[1] + margin
            and box[2] <= area[2] - margin and box[3] <= area[3] - margin)


def browser_chrome(d: ImageDraw.ImageDraw, width: int, title: str, url: str,
                   accent: tuple[int, int, int]) -> None:
    """A browser's tab strip and address bar across the top `CHROME_H` pixels."""
    d.rectangle((0, 0, width, 36), fill=(222, 225, 230))
    d.rounded_rectangle((8, 6, 300, 40), radius=8, fill=(255, 255, 255))
    d.ellipse((20, 15, 36, 31), fill=accent)
    d.text((44, 23), title, font=font("sans", 12), fill=(60, 64, 67), anchor="lm")
    d.rectangle((0, 36, width, CHROME_H), fill=(255, 255, 255))
    for i, glyph in enumerate(("←", "→", "↻")):
        d.text((26 + 34 * i, 57), glyph, font=font("symbols", 18), fill=(95, 99, 104), anchor="mm")
    d.rounded_rectangle((120, 42, width - 140, 72), radius=15, fill=(241, 243, 244))
    d.text((160, 57), url, font=font("sans", 13), fill=(32, 33, 36), anchor="lm")
    d.line((0, CHROME_H - 1, width, CHROME_H - 1), fill=(218, 220, 224), width=1)
