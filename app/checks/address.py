"""An address split into 省 / 市 / 区县 / 乡镇街道 / the rest, with GB/T 2260 codes from the
table Deskhand ships (data/areas.tsv), refusing to guess.

    split_address("福建龙岩新罗区东城街道九一北路12号") -> AddressSplit
        parts:    province 福建省 350000, city 龙岩市 350800, district 新罗区 350802,
                  town 东城街道, rest 九一北路12号
        problems: {} (a part that could not be settled has no value and a sentence here)

How it reads, and why it cannot guess:
- Every way of reading the start of the address as province, then prefecture, then county
  is tried, with full names (福建省, 凉山彝族自治州, 石柱土家族自治县) and the short forms people
  write (福建, 凉山州, 凉山, 石柱县). A short form counts only when the next level follows it
  at once (福建龙岩新罗区): 南京路 is a street, not 南京市.
- The readings that reach a county are kept; a part is given only when every kept reading
  agrees on it. 鼓楼区 in 江苏省 is two counties (南京, 徐州), 朝阳区 alone is in 北京 and in
  长春: those parts stay empty, with a sentence naming the candidates.
- A county name that is no longer in the current list (永定县, now 永定区; 开县) is reported
  as renamed or retired, with the current name of the same stem as a hint, never put in its
  place. A name that is in neither list is "not found".
- A county followed by a second county of the same province (安徽省巢湖市无为县, an address
  from before 2011) means the address follows an older division: everything below the parts
  written out in full is left to the clerk.
- 直辖市 (北京 上海 天津 重庆): city = the province's name, city code xx0100 (xx0200 for the
  counties of 重庆). County-level cities that belong to no prefecture (仙桃市, 济源市, 五指山市,
  the cities of 新疆生产建设兵团): city = district = their name, city code xx9000. The four
  prefecture-level cities without counties (东莞 中山 儋州 嘉峪关) have no district: it is left
  empty with a sentence; their towns follow the city directly.
- 乡镇街道 have no code in GB/T 2260: the town is the text up to the first 街道, 镇, 乡, 苏木
  or 地区办事处 after the county, when it looks like a town name (no road, no number); the
  rest is what follows. Neither is given when the county was not found.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from app.checks.areas import Area, _table
from app.checks.normalize import ETHNIC_GROUPS, halfwidth_alnum
from app.i18n import _, join

__all__ = ["PARTS", "AddressSplit", "split_address", "short_forms", "same_place"]

PARTS = ("province", "city", "district", "town", "rest",
         "province_code", "city_code", "district_code")
MUNICIPALITIES = ("110000", "120000", "310000", "500000")
NOT_PLACES = ("830000",)     # 台湾居民居住证: a code of ID numbers, not a place
_COUNTRY = ("中华人民共和国", "中国")
_ETHNIC = sorted({g for e in ETHNIC_GROUPS for g in (e, e[:-1])}, key=len, reverse=True)
_TOWN_SUFFIXES = ("地区办事处", "街道", "苏木", "镇", "乡")
_TOWN_LONGEST = 16                         # characters, suffix included
_LEVEL_SUFFIXES = "省市区县旗州盟"
_NOT_IN_TOWN = set("号栋幢室弄巷")
_ROAD = set("路道")
_AFTER_ROAD_WORD = set("路街道巷弄")


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    level: str           # province | city | county
    current: bool


@dataclass(frozen=True)
class _Match:
    place: Place
    start: int
    end: int
    short: bool          # a short form (福建, 龙岩): only counts when the next level follows


@dataclass(frozen=True)
class _Reading:
    province: _Match | None
    city: _Match | None
    county: _Match | None
    end: int

    @property
    def last(self) -> _Match:
        m = self.county or self.city or self.province
        assert m is not None
        return m


@dataclass
class AddressSplit:
    """The parts of one address: `parts[name]` is a value or None; `problems[name]` says
    why a part is None; `notes` are remarks that change nothing (what was recognised);
    `kind` is 'sure' when every coded part was settled, else why not ('ambiguous',
    'renamed', 'not_found', 'inconsistent', 'older_division', 'no_county', 'empty')."""

    parts: dict[str, str | None] = field(default_factory=lambda: dict.fromkeys(PARTS))
    problems: dict[str, str] = field(default_factory=dict)
    kind: str = "sure"
    notes: list[str] = field(default_factory=list)

    def leave(self, names: tuple[str, ...] | list[str], problem: str, kind: str) -> None:
        for n in names:
            self.parts[n] = None
            self.problems.setdefault(n, problem)
        if self.kind == "sure":
            self.kind = kind


# --------------------------------------------------------------------------- the table

def _stem(name: str, suffixes: tuple[str, ...]) -> str | None:
    """The name without its suffix and ethnic groups (凉山彝族自治州 -> 凉山); None if that
    leaves fewer than two characters (内蒙古 stays whole)."""
    for suffix in suffixes:
        if name.endswith(suffix):
            stem = name[: -len(suffix)]
            break
    else:
        return None
    changed = True
    while changed:
        changed = False
        for group in _ETHNIC:
            if stem.endswith(group) and len(stem) - len(group) >= 2:
                stem, changed = stem[: -len(group)], True
                break
    return stem if len(stem) >= 2 else None


def short_forms(name: str, level: str) -> list[str]:
    """The short ways of writing a place name (福建省 -> 福建; 凉山彝族自治州 -> 凉山州, 凉山;
    石柱土家族自治县 -> 石柱县), marked 'short' except the county ones, which keep a suffix."""
    out: list[str] = []
    if level == "province":
        stem = _stem(name, ("特别行政区", "自治区", "省", "市"))
        out += [stem] if stem else []
    elif level == "city":
        if name.endswith("自治州"):
            stem = _stem(name, ("自治州",))
            out += [stem + "州", stem] if stem else []
        else:
            stem = _stem(name, ("市", "地区", "盟"))
            out += [stem] if stem else []
    else:
        for suffix, short in (("自治县", "县"), ("自治旗", "旗")):
            stem = _stem(name, (suffix,))
            if stem:
                out.append(stem + short)
    return [s for s in out if s != name]


def _level(code: str) -> str:
    if code.endswith("0000"):
        return "province"
    return "city" if code.endswith("00") else "county"


@dataclass
class _Index:
    """Names (full and short) -> places, current and retired, by level."""

    places: dict[str, Place]
    names: dict[str, list[tuple[Place, bool]]]     # written form -> (place, short?)
    longest: int
    counties_of: dict[str, list[Place]]            # 4-digit prefix -> current counties


@lru_cache(maxsize=1)
def _index() -> _Index:
    table: dict[str, Area] = _table()
    places: dict[str, Place] = {}
    names: dict[str, list[tuple[Place, bool]]] = {}
    counties_of: dict[str, list[Place]] = {}
    for code, area in table.items():
        if code in NOT_PLACES or not code.isdigit():
            continue
        if area.name in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"):
            continue
        place = Place(code, area.name, _level(code), area.current)
        places[code] = place
        names.setdefault(area.name, []).append((place, False))
        if place.current:
            level = place.level
            for form in short_forms(area.name, level):
                names.setdefault(form, []).append((place, level != "county"))
            if level == "county":
                counties_of.setdefault(code[:4], []).append(place)
    return _Index(places, names, max(len(n) for n in names), counties_of)


def _matches_at(text: str, pos: int, level: str, within: str = "",
                current: bool = True) -> list[_Match]:
    """Places of `level` whose name (or short form) is written at `pos`, inside the area
    whose code starts with `within`."""
    idx = _index()
    found: list[_Match] = []
    for length in range(2, min(idx.longest, len(text) - pos) + 1):
        for place, short in idx.names.get(text[pos: pos + length], ()):
            if (place.level == level and place.current == current
                    and place.code.startswith(within)):
                found.append(_Match(place, pos, pos + length, short))
    return sorted(found, key=lambda m: m.start - m.end)     # the longest name first


def _has_counties(city: Place) -> bool:
    return bool(_index().counties_of.get(city.code[:4]))


# --------------------------------------------------------------------------- readings

def _readings(text: str) -> list[_Reading]:
    """Every way of reading the start of `text` as province? city? county?, each level
    right after the one before, with the current names."""
    out: list[_Reading] = []
    provinces: list[_Match | None] = [None, *_matches_at(text, 0, "province")]
    for p in provinces:
        at = p.end if p else 0
        scope = p.place.code[:2] if p else ""
        cities: list[_Match | None] = [None]
        if p is not None and p.place.code in MUNICIPALITIES:
            # 北京市北京市朝阳区, 上海市市辖区浦东新区: the city written again adds nothing
            again = [m for m in _matches_at(text, at, "province", scope) if not m.short]
            at = again[0].end if again else at
        else:
            cities += _matches_at(text, at, "city", scope)
        for c in cities:
            cat = c.end if c else at
            if text.startswith("市辖区", cat):
                cat += 3
            cscope = c.place.code[:4] if c else scope
            counties: list[_Match | None] = [None, *_matches_at(text, cat, "county", cscope)]
            for d in counties:
                if p is None and c is None and d is None:
                    continue
                r = _Reading(p, c, d, d.end if d else cat if c else at)
                if _stands(r, text):
                    out.append(r)
    return out


def _stands(r: _Reading, text: str) -> bool:
    """A short form needs the next level right after it (福建龙岩新罗区; not 南京路)."""
    if r.province is not None and r.province.short and r.city is None and r.county is None:
        return False
    if r.city is not None and r.city.short and r.county is None:
        # 东莞虎门镇; but not 东莞 + 市虎门镇 (the full name is the reading), nor 中山 +
        # 区幸福镇 (中山区 is a county of 大连)
        return (not _has_counties(r.city.place) and _town_at(text, r.city.end) is not None
                and text[r.city.end] not in _LEVEL_SUFFIXES)
    return True


def _complete(r: _Reading) -> bool:
    """The reading reaches the county level (or the city has none)."""
    if r.county is not None:
        return True
    if r.city is not None and not _has_counties(r.city.place):
        return True
    return False


def _codes(r: _Reading) -> tuple[str | None, str | None, str | None]:
    """(province, city, county) codes of a reading; a level above a county is implied by it."""
    d = r.county.place.code if r.county else None
    c = r.city.place.code if r.city else None
    p = r.province.place.code if r.province else None
    if d is not None:
        c = c or d[:4] + "00"
    if c is not None:
        p = p or c[:2] + "0000"
    return p, c, d


# --------------------------------------------------------------------------- towns

def _town_at(text: str, pos: int) -> str | None:
    """The 乡/镇/街道 written at `pos`, or None when what is there does not look like one:
    the shortest run of Chinese characters ending in a town suffix that is no road (城乡路,
    新镇路) and holds no house number; 新镇街道 is tried after 新镇 is refused."""
    for end in range(pos + 2, min(len(text), pos + _TOWN_LONGEST) + 1):
        if not "\u4e00" <= text[end - 1] <= "\u9fff":
            return None                    # a digit or a letter: no town name goes on
        word = text[pos:end]
        suffix = next((s for s in _TOWN_SUFFIXES if word.endswith(s) and len(word) > len(s)),
                      None)
        if suffix is None:
            continue
        core = word[: -len(suffix)]
        if _NOT_IN_TOWN & set(core):
            return None
        street = suffix == "街道"
        if not street and (_ROAD & set(core) or text[end: end + 1] in _AFTER_ROAD_WORD):
            continue                       # 城乡路: a road; perhaps a longer name follows
        if street and text.startswith("办事处", end):
            word += "办事处"
        return word
    return None


# --------------------------------------------------------------------------- the split

def _normal(text: str) -> str:
    t = "".join(halfwidth_alnum(text).split())
    for country in _COUNTRY:
        if t.startswith(country):
            return t[len(country):]
    return t


def _full_name(code: str) -> str:
    idx = _index()
    parts = []
    for prefix in (code[:2] + "0000", code[:4] + "00", code):
        place = idx.places.get(prefix)
        if place is not None and (not parts or parts[-1] != place.name):
            parts.append(place.name)
    return "".join(parts)


def split_address(text: str) -> AddressSplit:
    """Split `text` into PARTS; see the module's description."""
    out = AddressSplit()
    t = _normal(text or "")
    if not t:
        out.leave(PARTS, _("The address is empty."), "empty")
        return out
    readings = _readings(t)
    complete = [r for r in readings if _complete(r)]
    if complete:
        _settle(out, t, complete)
    else:
        _partial(out, t, readings)
    return out


def _settle(out: AddressSplit, t: str, readings: list[_Reading]) -> None:
    codes = {_codes(r) for r in readings}
    p_codes = {c[0] for c in codes}
    c_codes = {c[1] for c in codes}
    d_codes = {c[2] for c in codes}
    ends = {r.end for r in readings}
    idx = _index()
    if len(d_codes) > 1 or len(c_codes) > 1:
        names = sorted({_full_name(d or c or "") for _p, c, d in codes})
        written = t[: max(ends)] if len(ends) == 1 else t[: min(r.last.end for r in readings)]
        problem = _("'{written}' may be any of {places}; the address does not say which, so "
                    "give it yourself.", written=written, places=join(names))
        out.leave(["district", "district_code", "city", "city_code"], problem, "ambiguous")
        if len(p_codes) > 1:
            out.leave(["province", "province_code"], problem, "ambiguous")
        if len(ends) > 1:
            out.leave(["town", "rest"], problem, "ambiguous")
    r = readings[0]
    p_code, c_code, d_code = _codes(r)
    end = r.end
    # A second county right after the first: an address from an older division.
    if len(ends) == 1:
        scope = (p_code or "")[:2]
        again = (_matches_at(t, end, "county", scope) + _matches_at(t, end, "county", scope, False)
                 + _matches_at(t, end, "city", scope, False))
        if again and d_code is not None:
            first = r.county.place.name if r.county else ""
            problem = _("The address names {first} and then {second}, two places of the same "
                        "level: it follows an older division of {province}. Give the parts "
                        "yourself.", first=first, second=again[0].place.name,
                        province=idx.places[p_code].name if p_code in idx.places else "")
            keep = {"province", "province_code"} if r.province or r.city else set()
            if r.city is not None:
                keep |= {"city", "city_code"}
            out.leave([n for n in PARTS if n not in keep], problem, "older_division")
    _fill(out, t, p_code, c_code, d_code, end if len(ends) == 1 else None,
          no_county=r.county is None)


def _fill(out: AddressSplit, t: str, p_code: str | None, c_code: str | None,
          d_code: str | None, end: int | None, *, no_county: bool) -> None:
    """Put the settled parts into `out`, leaving the ones already given a problem."""
    idx = _index()
    values: dict[str, str | None] = dict.fromkeys(PARTS)
    if p_code is not None:
        values["province"], values["province_code"] = idx.places[p_code].name, p_code
    if d_code is not None:
        values["district"], values["district_code"] = idx.places[d_code].name, d_code
    if c_code is not None:
        city = idx.places.get(c_code)
        if city is not None:
            values["city"], values["city_code"] = city.name, c_code
        elif p_code in MUNICIPALITIES:
            values["city"], values["city_code"] = idx.places[p_code].name, c_code
        elif d_code is not None:      # a county-level city under the province (仙桃市)
            values["city"], values["city_code"] = idx.places[d_code].name, c_code
    elif p_code in MUNICIPALITIES:
        values["city"] = idx.places[p_code].name
        prefixes = {c[:4] for c in idx.counties_of if c.startswith(p_code[:2])}
        if len(prefixes) == 1:
            values["city_code"] = prefixes.pop() + "00"
    if no_county and c_code is not None and c_code in idx.places:
        out.leave(["district", "district_code"],
                  _("{city} has no 区 or 县 (its towns come directly under the city); give the "
                    "district yourself if the form needs one.", city=idx.places[c_code].name),
                  "no_county")
    if end is not None:
        town = _town_at(t, end)
        values["town"] = town
        rest = t[end + len(town or ""):]
        values["rest"] = rest or None
        if town is None:
            out.problems.setdefault("town", _("The address names no 乡, 镇 or 街道 after "
                                              "'{before}'.", before=t[:end]))
        if not rest:
            out.problems.setdefault("rest", _("The address has nothing after '{before}'.",
                                              before=t[: end + len(town or "")]))
    if values["city_code"] is None and p_code in MUNICIPALITIES:
        out.problems.setdefault("city_code", _(
            "The code of {city} depends on the district, which the address does not name.",
            city=idx.places[p_code].name))
    for name in PARTS:
        if name not in out.problems:
            out.parts[name] = values[name]
        if out.parts[name] is None and name not in out.problems:
            out.problems[name] = _("The address does not say it.")


def _partial(out: AddressSplit, t: str, readings: list[_Reading]) -> None:
    """No reading reaches a county: say why (renamed, in another city, not found), and give
    the levels above it that every reading agrees on."""
    idx = _index()
    if not readings:
        retired = _matches_at(t, 0, "county", "", False) + _matches_at(t, 0, "city", "", False)
        if retired:
            out.leave(PARTS, _renamed(retired[0].place, ""), "renamed")
        else:
            out.leave(PARTS, _("The address does not start with a province, city or county "
                               "Deskhand knows (GB/T 2260): '{start}'.", start=t[:8]),
                      "not_found")
        return
    deepest = max(readings, key=lambda r: (r.city is not None, r.province is not None))
    tops = [r for r in readings if (r.city is None) == (deepest.city is None)
            and (r.province is None) == (deepest.province is None)]
    codes = {_codes(r)[:2] for r in tops}
    if len(codes) > 1 or len({r.end for r in tops}) > 1:
        out.leave(PARTS, _("The start of the address, '{start}', can be read in more than "
                           "one way; give the parts yourself.", start=t[:8]), "ambiguous")
        return
    r = tops[0]
    p_code, c_code = _codes(r)[:2]
    at = r.end
    scope = c_code[:4] if c_code else (p_code or "")[:2]
    province_scope = (p_code or "")[:2]
    retired = _matches_at(t, at, "county", scope, False)
    elsewhere = ([m for m in _matches_at(t, at, "county", province_scope)
                  if not m.place.code.startswith(scope)] if c_code else [])
    old_city = _matches_at(t, at, "city", province_scope, False) if c_code is None else []
    below = ["district", "district_code", "town", "rest"]
    if c_code is None and p_code not in MUNICIPALITIES:
        below += ["city", "city_code"]
    if retired:
        out.leave(below, _renamed(retired[0].place, scope), "renamed")
    elif elsewhere:
        city = idx.places[c_code].name if c_code in idx.places else ""
        out.leave(below + ["city", "city_code"] if "city" not in below else below,
                  _("The address names {county}, which is not in {city} but in {other}: one of "
                    "the two is wrong. Give them yourself.", county=elsewhere[0].place.name,
                    city=city, other=_full_name(elsewhere[0].place.code[:4] + "00")),
                  "inconsistent")
    elif old_city:
        out.leave(below, _renamed(old_city[0].place, province_scope), "renamed")
    else:
        where = (idx.places[c_code].name if c_code in idx.places else
                 idx.places[p_code].name if p_code in idx.places else "")
        out.leave(below, _("After '{before}' the address names no 区 or 县 of {place} that "
                           "Deskhand knows (GB/T 2260): '{next}'.", before=t[:at], place=where,
                           next=t[at: at + 6]) if at < len(t) else
                  _("The address ends after '{before}': it names no 区 or 县.", before=t),
                  "not_found")
    _fill(out, t, p_code, c_code, None, None, no_county=False)


def _renamed(place: Place, scope: str) -> str:
    """A sentence for a name that is no longer in the current list, with the current name
    of the same stem in the same area as a hint."""
    idx = _index()
    stem = place.name[:-1]
    now = [p.name for code, p in idx.places.items()
           if p.current and p.level == place.level and code.startswith(scope or place.code[:2])
           and p.name[:-1] == stem and p.name != place.name]
    if now:
        return _("{name} is an old name that is no longer in the list of divisions (GB/T "
                 "2260); it may now be {current}. Give the parts yourself.",
                 name=place.name, current=join(now))
    return _("{name} is no longer in the list of divisions (GB/T 2260): it was renamed or "
             "merged. Give the parts yourself.", name=place.name)


def same_place(value: str, written: str) -> bool:
    """Whether `written` (a form's choice) names the place `value` (福建 for 福建省)."""
    if value == written:
        return True
    idx = _index()
    for place, _short in idx.names.get(value, ()):
        if place.current and written in short_forms(place.name, place.level):
            return True
    return False
