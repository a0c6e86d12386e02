"""Photographs of an ID card's front, as a phone or a document camera (高拍仪) takes them:
the card lying on a desk, tilted 3–8°, seen slightly from the side (perspective), with a
glare spot, blur, sensor noise and JPEG compression. Ground truth as `render_id_card`.

    photo = render_id_card_photo(make_person(7), seed=3)   # 1280×960
    photo.truth["address"], photo.meta["tilt_deg"], photo.meta["glare"]

Glare is a soft bright ellipse that lightens what lies under it by at most 55%: the text
stays legible (a spot that burns the text out makes the truth unknowable). Deterministic
by (person, seed).
"""
from __future__ import annotations

import io
import math
import random

from PIL import Image, ImageChops, ImageDraw, ImageFilter

from app.sandbox.drawing import Box
from app.sandbox.people import Person
from app.sandbox.sources import CARD_SIZE, Source, render_id_card

__all__ = ["render_id_card_photo", "PHOTO_SIZE"]

PHOTO_SIZE = (1280, 960)
_DESKS = [((132, 96, 64), (96, 66, 40)), ((205, 200, 190), (170, 165, 155)),
          ((60, 62, 66), (38, 40, 44)), ((232, 232, 228), (205, 205, 200)),
          ((150, 160, 170), (120, 130, 140))]


def _solve(a: list[list[float]], b: list[float]) -> list[float]:
    """Gaussian elimination for the 8×8 system of a perspective transform."""
    n = len(b)
    m = [row[:] + [v] for row, v in zip(a, b)]
    for c in range(n):
        p = max(range(c, n), key=lambda r: abs(m[r][c]))
        m[c], m[p] = m[p], m[c]
        for r in range(n):
            if r != c:
                f = m[r][c] / m[c][c]
                m[r] = [x - f * y for x, y in zip(m[r], m[c])]
    return [m[i][n] / m[i][i] for i in range(n)]


def _homography(src: list[tuple[float, float]], dst: list[tuple[float, float]]) -> list[float]:
    """Coefficients (a..h) with dst = ((a x + b y + c) / (g x + h y + 1), …) for src points."""
    rows, rhs = [], []
    for (x, y), (u, v) in zip(src, dst):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rhs.append(u)
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        rhs.append(v)
    return _solve(rows, rhs)


def _apply(h: list[float], x: float, y: float) -> tuple[float, float]:
    w = h[6] * x + h[7] * y + 1
    return (h[0] * x + h[1] * y + h[2]) / w, (h[3] * x + h[4] * y + h[5]) / w


def _desk(rng: random.Random) -> Image.Image:
    top, bottom = rng.choice(_DESKS)
    W, H = PHOTO_SIZE
    grad = Image.linear_gradient("L").resize((W, H))
    if rng.random() < 0.5:
        grad = grad.transpose(Image.Transpose.ROTATE_90).resize((W, H))
    desk = Image.composite(Image.new("RGB", (W, H), bottom), Image.new("RGB", (W, H), top), grad)
    # a faint large-scale mottle (wood grain, a table cloth)
    small = _noise(rng, (W // 40, H // 40), 7).resize((W, H), Image.Resampling.BICUBIC)
    return ImageChops.add(desk, small.convert("RGB"), 1.0, -128)


def _noise(rng: random.Random, size: tuple[int, int], sigma: float) -> Image.Image:
    """Grey Gaussian noise around 128 (seeded: Image.effect_noise is not)."""
    import numpy as np
    z = np.random.default_rng(rng.randrange(2 ** 32)).standard_normal((size[1], size[0]),
                                                                      dtype=np.float32)
    return Image.fromarray(np.clip(z * np.float32(sigma) + np.float32(128.5), 0, 255)
                           .astype(np.uint8), "L")


def render_id_card_photo(person: Person, *, seed: int = 0) -> Source:
    """A 1280×960 photo of `person`'s ID card front (see the module's docstring)."""
    rng = random.Random(f"photo:{person.seed}:{seed}")
    card = render_id_card(person, seed=seed)
    W, H = PHOTO_SIZE
    cw, ch = CARD_SIZE
    # where the card's corners land: scaled, tilted, shifted, then each corner nudged
    # (a camera not square above the card)
    scale = rng.uniform(0.72, 0.92) * W / cw
    tilt = rng.choice((-1, 1)) * rng.uniform(3.0, 8.0)
    a = math.radians(tilt)
    cx = W / 2 + rng.uniform(-60, 60)
    cy = H / 2 + rng.uniform(-50, 50)
    keystone = rng.uniform(-0.035, 0.035)          # one side nearer the camera
    corners = [(0, 0), (cw, 0), (cw, ch), (0, ch)]
    dst = []
    for i, (x, y) in enumerate(corners):
        px, py = (x - cw / 2) * scale, (y - ch / 2) * scale
        px *= 1 + (keystone if y == 0 else -keystone)
        px += rng.uniform(-0.012, 0.012) * W
        py += rng.uniform(-0.012, 0.012) * H
        dst.append((cx + px * math.cos(a) + py * math.sin(a),
                    cy - px * math.sin(a) + py * math.cos(a)))
    to_card = _homography(dst, corners)             # PIL maps output pixels back to the input
    to_photo = _homography(corners, dst)

    mask = Image.new("L", CARD_SIZE, 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, cw - 1, ch - 1), radius=34, fill=255)
    warp = dict(size=(W, H), method=Image.Transform.PERSPECTIVE, data=to_card,
                resample=Image.Resampling.BICUBIC)
    card_w = card.image.transform(**warp)
    mask_w = mask.transform(**warp).filter(ImageFilter.GaussianBlur(0.7))
    photo = _desk(rng)
    shadow = mask_w.filter(ImageFilter.GaussianBlur(10)).point(lambda v: v * 0.35)
    photo = Image.composite(Image.new("RGB", (W, H), (20, 20, 20)), photo,
                            ImageChops.offset(shadow, 6, 8))
    photo.paste(card_w, (0, 0), mask_w)

    # glare: a soft ellipse somewhere on the card, lightening by up to `glare`
    glare = rng.uniform(0.3, 0.55)
    gx, gy = _apply(to_photo, rng.uniform(0.15, 0.85) * cw, rng.uniform(0.2, 0.8) * ch)
    rx, ry = rng.uniform(90, 220), rng.uniform(50, 120)
    spot = Image.new("L", (W, H), 0)
    ImageDraw.Draw(spot).ellipse((gx - rx, gy - ry, gx + rx, gy + ry), fill=255)
    spot = spot.filter(ImageFilter.GaussianBlur(min(rx, ry) * 0.45)).point(lambda v: v * glare)
    photo = Image.composite(Image.new("RGB", (W, H), (255, 255, 252)), photo, spot)

    blur = rng.uniform(0.4, 1.3)
    photo = photo.filter(ImageFilter.GaussianBlur(blur))
    noise = rng.uniform(2.0, 7.0)
    grain = _noise(rng, (W, H), noise)
    photo = ImageChops.add(photo, grain.convert("RGB"), 1.0, -128)
    quality = rng.randrange(55, 86)
    buf = io.BytesIO()
    photo.save(buf, "JPEG", quality=quality)
    buf.seek(0)
    photo = Image.open(buf).convert("RGB")

    def moved(b: Box) -> Box:
        pts = [_apply(to_photo, x, y) for x, y in ((b[0], b[1]), (b[2], b[1]), (b[0], b[3]),
                                                   (b[2], b[3]))]
        return (math.floor(min(p[0] for p in pts)), math.floor(min(p[1] for p in pts)),
                math.ceil(max(p[0] for p in pts)), math.ceil(max(p[1] for p in pts)))

    return Source(image=photo, truth=dict(card.truth),
                  label_boxes={k: moved(b) for k, b in card.label_boxes.items()},
                  value_boxes={k: moved(b) for k, b in card.value_boxes.items()},
                  kind="id_card_photo", labels=dict(card.labels), shown=dict(card.shown),
                  value_lines={k: [moved(b) for b in v] for k, v in card.value_lines.items()},
                  meta={"seed": seed, "person_seed": person.seed, "tilt_deg": round(tilt, 2),
                        "keystone": round(keystone, 3), "glare": round(glare, 2),
                        "glare_at": (round(gx), round(gy)), "blur": round(blur, 2),
                        "noise": round(noise, 1), "jpeg_quality": quality,
                        "card_corners": [(round(x), round(y)) for x, y in dst]})
