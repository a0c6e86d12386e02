"""GB/T 2260 area codes, read from the table shipped in data/areas.tsv (no network).

The table holds the current list and the codes retired since 1980 with their last names;
see data/build_areas.py for its sources and licences.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from app.checks.errors import AreaDataError
from app.i18n import _


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    until: str  # "" while in the current list; else the last year in force, or "?"

    @property
    def current(self) -> bool:
        return self.until == ""


@lru_cache(maxsize=1)
def _table() -> dict[str, Area]:
    try:
        text = (resources.files("app.checks").joinpath("data").joinpath("areas.tsv")
                .read_text(encoding="utf-8"))
    except (OSError, ModuleNotFoundError) as e:
        raise AreaDataError(_("The area-code table app/checks/data/areas.tsv is missing from "
                              "this installation; reinstall Deskhand.")) from e
    table: dict[str, Area] = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        code, name, until = line.split("\t")
        table[code] = Area(code, name, until)
    if len(table) < 3000:
        raise AreaDataError(_("The area-code table app/checks/data/areas.tsv is damaged; "
                              "reinstall Deskhand."))
    return table


def lookup(code: str) -> Area | None:
    """The entry for a 6-digit code, current or retired."""
    return _table().get(code)


def province_name(code: str) -> str | None:
    """Name of the province-level division a code starts with ('35…' → 福建省)."""
    area = _table().get(code[:2] + "0000")
    return area.name if area else None


def is_known_province(code: str) -> bool:
    return province_name(code) is not None


def full_name(code: str) -> str | None:
    """'350802' → '福建省龙岩市新罗区'; a retired county keeps its last name. None if the
    6-digit code is in neither list."""
    area = _table().get(code)
    if area is None:
        return None
    parts: list[str] = []
    for prefix_code in (code[:2] + "0000", code[:4] + "00"):
        if prefix_code == code:
            break
        parent = _table().get(prefix_code)
        # Direct-controlled municipalities' 'xx0100 市辖区' entries add nothing to a name.
        if parent and parent.name not in ("市辖区", "县", "省直辖县级行政区划",
                                          "自治区直辖县级行政区划"):
            parts.append(parent.name)
    parts.append(area.name)
    return "".join(parts)
