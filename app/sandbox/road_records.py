"""The practitioners the sandbox 运政 system lists (app/sandbox/road_transport.py), with a
face-like photo each: plain data and PIL, so tests and the bench get the ground truth
without a window.

    records = practitioners(seed=0, count=23)      # distinct people, by ID number
    pages = paged(records, per_page=10)            # page 3 shows one of page 2's again
    photo = face(records[4].photo_seed)            # PHOTO_SIZE, RGB

Pages: the records in order, `per_page` a page; the last page also shows again one record
of the page before (a list re-sorted between two page views shows a record twice), so a
reader must de-duplicate. With `conflict`, that repeat shows another 资格证号: a record read
twice with different values, which a batch sets aside for a person.
"""
from __future__ import annotations

import random
from dataclasses import asdict, dataclass, replace
from datetime import date, timedelta

from PIL import Image, ImageDraw

from app.sandbox.people import make_person

__all__ = ["Practitioner", "practitioners", "paged", "face", "COLUMNS", "PHOTO_SIZE",
           "QUALIFICATIONS"]

PHOTO_SIZE = (36, 46)           # the thumbnail, as a 1-inch photo's proportions
QUALIFICATIONS = ("道路旅客运输驾驶员", "道路货物运输驾驶员", "危险货物运输驾驶员",
                  "出租汽车驾驶员", "机动车驾驶培训教练员")
# (attribute, header) in the grid's order; 照片 is the thumbnail column
COLUMNS = (("seq", "序号"), ("photo", "照片"), ("name", "姓名"), ("gender", "性别"),
           ("id_number", "证件号码"), ("qualification", "从业资格类别"),
           ("certificate", "资格证号"), ("issued", "发证日期"), ("valid_until", "有效期至"))


@dataclass(frozen=True)
class Practitioner:
    name: str
    gender: str
    id_number: str
    qualification: str
    certificate: str
    issued: str
    valid_until: str
    photo_seed: int

    def row(self) -> dict[str, str]:
        return {k: v for k, v in asdict(self).items() if k != "photo_seed"}


def practitioners(seed: int = 0, count: int = 23) -> list[Practitioner]:
    """`count` people with distinct ID numbers and names of two or three characters."""
    rng = random.Random(f"road:{seed}")
    out: list[Practitioner] = []
    seen: set[str] = set()
    k = 0
    while len(out) < count:
        p = make_person(700_000 + seed * 101 + k)
        k += 1
        if p.id_number in seen:
            continue
        seen.add(p.id_number)
        issued = date(2015, 1, 1) + timedelta(days=rng.randrange(3000))
        out.append(Practitioner(
            p.name, p.gender, p.id_number, rng.choice(QUALIFICATIONS),
            f"{p.area_code[:6]}{rng.randrange(10 ** 11, 10 ** 12)}",
            issued.isoformat(), issued.replace(year=issued.year + 6).isoformat(),
            seed * 1000 + len(out)))
    return out


def paged(records: list[Practitioner], per_page: int = 10, *, conflict: bool = False
          ) -> list[list[Practitioner]]:
    """The records a page; the last page ends with one record of the page before again
    (another 资格证号 with `conflict`)."""
    pages = [records[i:i + per_page] for i in range(0, len(records), per_page)] or [[]]
    if len(pages) > 1 and pages[-2]:
        again = pages[-2][len(pages[-2]) // 2]
        if conflict:
            again = replace(again, certificate=again.certificate[:-3] + "999")
        pages[-1] = pages[-1] + [again]
    return pages


def face(seed: int) -> Image.Image:
    """A face-like 1-inch photo: a plain background, shoulders, a face, hair and eyes, their
    colours and sizes from `seed`; the same seed gives the same pixels."""
    rng = random.Random(f"face:{seed}")
    w, h = PHOTO_SIZE
    backs = ((67, 142, 219), (200, 215, 235), (220, 40, 40), (120, 170, 230))   # never the grid's white
    skins = ((241, 204, 176), (224, 180, 140), (198, 150, 110), (250, 220, 196))
    img = Image.new("RGB", (w, h), rng.choice(backs))
    d = ImageDraw.Draw(img)
    shirt = tuple(rng.randrange(20, 120) for _ in range(3))
    d.ellipse((2, int(h * 0.72), w - 2, h + 20), fill=shirt)
    skin = rng.choice(skins)
    fw = rng.randrange(16, 22)
    top = rng.randrange(8, 12)
    d.ellipse(((w - fw) // 2, top, (w + fw) // 2, top + int(fw * 1.3)), fill=skin)
    hair = tuple(rng.randrange(10, 70) for _ in range(3))
    d.chord(((w - fw) // 2 - 1, top - 3, (w + fw) // 2 + 1, top + int(fw * 0.8)), 180, 360,
            fill=hair)
    eye_y = top + int(fw * 0.6)
    for ex in (w // 2 - fw // 4, w // 2 + fw // 4):
        d.ellipse((ex - 1, eye_y - 1, ex + 1, eye_y + 1), fill=(30, 30, 30))
    d.line((w // 2 - 3, eye_y + 7, w // 2 + 3, eye_y + 7), fill=(170, 80, 80))
    return img
