"""Sources for recording a playbook by demonstration (issue 13), with ground truth: three
kinds of source, six cases each — the first to record from, the other five to replay on.

    case = record_case("idcard", 0)          # the case the supervisor records from
    case.write_picture(tmp / "source.png")   # what `deskhand record --source-image` reads
    case.values["applicant_name"]            # what the source shows, by field name

Kinds (each one is filled into a different target in tests/test_record_e2e.py):
  * "idcard": the front of a resident ID card (app/sandbox/sources.py). Its values are in
    the approval client's form (民族 "汉族" where the card prints 汉, 出生 ISO where it prints
    1990年3月7日): what a person copies into the client.
  * "portal": the e龙岩 case detail page (1920×1080), with its page-only values too
    (办件编号 case_number, 申请日期 apply_date, 婚姻状况 marital_status…).
  * "grid": the road transport system's grid (app/sandbox/ministry_grid.py) showing one
    row, the practitioner found by a query: 姓名, 性别, 证件号码, 从业资格类别, 发证日期, 联系电话.

The people are fixed seeds chosen for plain values (no rare name character, no full-width
digits, both sexes among the replays) that the default OCR reads without a doubt it would
flag (a recorded playbook's capture gave every field `ok` but for choices it lacked), so
that a replay that goes wrong is the playbook's doing rather than the reader's. Left out on
purpose: grids whose OCR reads the headers 序号 and 姓名 as one line "序号 姓名" (about 1 in
10: seeds 13201, 13213, 13237): no label 姓名 is found in such a line, whoever wrote the
playbook.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from PIL import Image

from app.sandbox.ministry_grid import render_grid
from app.sandbox.people import make_person
from app.sandbox.sources import render_id_card, render_portal_page

__all__ = ["KINDS", "CASES_PER_KIND", "RecordCase", "record_case", "record_cases"]

KINDS = ("idcard", "portal", "grid")
CASES_PER_KIND = 6          # 1 recorded + 5 replayed

# Seeds per kind: index 0 is recorded, 1–5 are replayed.
SEEDS: dict[str, tuple[int, ...]] = {
    "idcard": (13002, 13004, 13011, 13003, 13006, 13012),
    "portal": (13101, 13118, 13106, 13108, 13121, 13109),
    "grid": (13203, 13209, 13204, 13206, 13207, 13208),
}
GRID_FIELDS = {"applicant_name": "姓名", "gender": "性别", "id_number": "证件号码",
               "qualification": "从业资格类别", "issue_date": "发证日期", "phone": "联系电话"}


@dataclass(frozen=True)
class RecordCase:
    kind: str
    index: int                       # 0 = the recorded one
    seed: int
    values: dict[str, str]           # field name -> value, as a person copies it
    _draw: Callable[[], Image.Image]

    @property
    def name(self) -> str:
        return f"{self.kind}-{self.index}"

    def picture(self) -> Image.Image:
        return self._draw()

    def write_picture(self, path: Path) -> Path:
        path = Path(path)
        self.picture().convert("RGB").save(path)
        return path


def _idcard(seed: int) -> tuple[dict[str, str], Callable[[], Image.Image]]:
    person = make_person(seed)
    values = {k: v for k, v in person.to_fields().items()
              if k in ("applicant_name", "gender", "ethnicity", "birth_date", "id_number",
                       "address")}
    return values, lambda: render_id_card(person, seed=seed).image


def _portal(seed: int) -> tuple[dict[str, str], Callable[[], Image.Image]]:
    person = make_person(seed)
    page = render_portal_page(person, seed=seed)
    return dict(page.truth), lambda: page.image


def _grid(seed: int) -> tuple[dict[str, str], Callable[[], Image.Image]]:
    grid = render_grid(seed, rows=1, selected=[0], query_bar=False, same_names=False, tight=False)
    row = grid.rows[0]
    return {name: row[header] for name, header in GRID_FIELDS.items()}, lambda: grid.image


_KIND = {"idcard": _idcard, "portal": _portal, "grid": _grid}


def record_case(kind: str, index: int) -> RecordCase:
    if kind not in _KIND:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    if not 0 <= index < CASES_PER_KIND:
        raise ValueError(f"index must be 0–{CASES_PER_KIND - 1}, not {index}")
    seed = SEEDS[kind][index]
    values, draw = _KIND[kind](seed)
    return RecordCase(kind, index, seed, values, draw)


def record_cases(kind: str) -> list[RecordCase]:
    return [record_case(kind, i) for i in range(CASES_PER_KIND)]
