"""Place names misread by OCR, put right from the GB/T 2260 table.

After a city's name (漳州市), the next characters should be one of that city's districts
or counties. If they are not, but exactly one district of that city differs from them
in exactly one character (艺城区 / 芗城区), that district is meant: OCR models read rare
place-name characters (芗, 豸…) as common look-alikes with high confidence.
"""
from __future__ import annotations

from functools import lru_cache

from app.checks.areas import _table
from app.i18n import _


@lru_cache(maxsize=1)
def _districts_by_city() -> dict[str, tuple[str, ...]]:
    table = _table()
    out: dict[str, list[str]] = {}
    for code, area in table.items():
        if not area.current or code.endswith("00"):
            continue
        city = table.get(code[:4] + "00")
        if city is not None and city.current and city.name.endswith(("市", "州", "盟", "地区")):
            out.setdefault(city.name, []).append(area.name)
    return {k: tuple(v) for k, v in out.items()}


def correct_place_names(text: str) -> tuple[str, list[str]]:
    """`text` with misread district names put right, and a sentence for each change."""
    notes: list[str] = []
    for city, districts in _districts_by_city().items():
        start = text.find(city)
        while start >= 0:
            at = start + len(city)
            if not any(text.startswith(d, at) for d in districts):
                near = [d for d in districts if len(text) >= at + len(d)
                        and d[-1] == text[at + len(d) - 1]
                        and sum(a != b for a, b in zip(text[at:at + len(d)], d)) == 1]
                if len(near) == 1:
                    wrong = text[at:at + len(near[0])]
                    text = text[:at] + near[0] + text[at + len(near[0]):]
                    notes.append(_("{city}{wrong} was read; {city} has a district {district}, "
                                   "taken as meant.", city=city, wrong=wrong, district=near[0]))
            start = text.find(city, at)
    return text, notes
