"""The `batch.grid` section: a batch that takes every row of a paged grid (a ministry
system's list), page by page (playbooks/README.md, "Batches from grids").

    batch:
      key: id_number                      # the field that names a case in the batch
      grid:
        next_page: {key: pagedown}        # or {press: 下一页} (through the accessibility
                                          # tree), or {click: {x: 980, y: 700}} (in the window)
        pager: {pattern: "第\\s*(\\d+)\\s*/\\s*(\\d+)\\s*页", region: {x: …}}   # optional
        photo: {column: 照片, field: photo}                                   # optional
        max_pages: 100                    # optional: a bound for a pager never read as last
        settle_s: 0.4                     # optional: a turned page has repainted by then

The source must read a table with `row: all`. The last page is the one whose pager reads
n/N with n = N, or, without a pager read, a page that reads the same as the one before.
Parsed here, called by the loader's `batch` section (`grid_section`), so that the loader stays
YAML plumbing and this section's rules live in one place.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from playbooks.keys import KeyCombo
from playbooks.model import Region
from playbooks.node_words import _line
from playbooks.text import _

if TYPE_CHECKING:  # pragma: no cover
    from yaml.nodes import Node

    from playbooks.model import SourceSpec

__all__ = ["GridSpec", "PageTurn", "grid_section", "GRID_KEYS",
           "DEFAULT_PAGER"]

GRID_KEYS = ("next_page", "pager", "photo", "max_pages", "settle_s")
TURN_KINDS = ("key", "press", "click")
PAGER_KEYS = ("pattern", "region")
PHOTO_KEYS = ("column", "field")
CLICK_KEYS = ("x", "y")
DEFAULT_PAGER = r"第\s*(\d+)\s*/\s*(\d+)\s*页"
DEFAULT_SETTLE_S = 0.4
MAX_PAGES = 1000


@dataclass(frozen=True)
class PageTurn:
    """How to show the next page: keys, a button pressed by its label, or a click."""

    keys: tuple[KeyCombo, ...] = ()
    press: str | None = None
    click: tuple[int, int] | None = None
    line: int = 0


@dataclass(frozen=True)
class GridSpec:
    key: str                               # the field naming a case (de-duplication)
    next_page: PageTurn
    pager_pattern: str = DEFAULT_PAGER     # two groups: this page's number, the pages'
    pager_region: Region | None = None     # where the pager is, in the window; None: all of it
    photo_column: str | None = None        # the header of the thumbnail column
    photo_field: str | None = None         # the field given the photo file's path
    max_pages: int = 100
    settle_s: float = DEFAULT_SETTLE_S
    line: int = 0


def grid_section(checker: Any, node: "Node", key: str, source: "SourceSpec | None"
                 ) -> GridSpec | None:
    what = _("the batch's grid")
    items = checker.mapping(node, what, "'grid: {next_page: {key: pagedown}}'")
    if items is None:
        return None
    checker.unknown_keys(items, GRID_KEYS, what)
    if source is None or source.table is None or source.table.row != "all":
        checker.error(node, _("a batch from a grid reads every row of the source's table: give "
                              "the source a 'table' with 'row: all'"))
        return None
    if "next_page" not in items:
        checker.error(node, _("{what} has no 'next_page': say how the next page is shown, e.g. "
                              "next_page: {{key: pagedown}} or next_page: {{press: 下一页}}",
                              what=what))
        return None
    turn = _turn(checker, items["next_page"][1])
    pattern, region = DEFAULT_PAGER, None
    if "pager" in items:
        pager = _pager(checker, items["pager"][1])
        if pager is None:
            return None
        pattern, region = pager
    column = field = None
    if "photo" in items:
        photo = _photo(checker, items["photo"][1])
        if photo is None:
            return None
        column, field = photo
    max_pages = (checker.integer(items["max_pages"][1], _("'max_pages' of the batch's grid"), 1,
                                 MAX_PAGES, pixels=False) if "max_pages" in items else 100)
    settle = (checker.seconds(items["settle_s"][1], _("'settle_s' of the batch's grid"))
              if "settle_s" in items else DEFAULT_SETTLE_S)
    if turn is None or max_pages is None or settle is None:
        return None
    return GridSpec(key, turn, pattern, region, column, field, max_pages, settle, _line(node))


def _turn(checker: Any, node: "Node") -> PageTurn | None:
    what = _("'next_page' of the batch's grid")
    items = checker.mapping(node, what, "'{key: pagedown}'")
    if items is None:
        return None
    checker.unknown_keys(items, TURN_KINDS, what)
    given = [k for k in TURN_KINDS if k in items]
    if len(given) != 1:
        checker.error(node, _("{what} must give exactly one of key, press or click", what=what))
        return None
    kind = given[0]
    value = items[kind][1]
    if kind == "key":
        keys = checker.key_combos(value, what)
        return PageTurn(keys=keys, line=_line(node)) if keys else None
    if kind == "press":
        label = checker.text(value, what)
        return PageTurn(press=label, line=_line(node)) if label else None
    at = checker.mapping(value, what, "'{click: {x: 980, y: 700}}'")
    if at is None:
        return None
    checker.unknown_keys(at, CLICK_KEYS, what)
    if any(k not in at for k in CLICK_KEYS):
        checker.error(value, _("{what}: a click needs x and y (in the window)", what=what))
        return None
    x = checker.integer(at["x"][1], what, 0, 10000)
    y = checker.integer(at["y"][1], what, 0, 10000)
    return PageTurn(click=(x, y), line=_line(node)) if x is not None and y is not None else None


def _pager(checker: Any, node: "Node") -> tuple[str, Region | None] | None:
    what = _("'pager' of the batch's grid")
    items = checker.mapping(node, what, "'{pattern: \"第(\\\\d+)/(\\\\d+)页\"}'")
    if items is None:
        return None
    checker.unknown_keys(items, PAGER_KEYS, what)
    pattern = DEFAULT_PAGER
    if "pattern" in items:
        pattern = checker.text(items["pattern"][1], what)
        if pattern is None:
            return None
        try:
            groups = re.compile(pattern).groups
        except re.error as e:
            checker.error(items["pattern"][1], _("{what}: the pattern is not a regular expression "
                                                 "({problem})", what=what, problem=e))
            return None
        if groups != 2:
            checker.error(items["pattern"][1], _(
                "{what}: the pattern must have two groups, this page's number and the number of "
                "pages, as in 第(\\d+)/(\\d+)页", what=what))
            return None
    region = checker.region(items["region"][1], what) if "region" in items else None
    if "region" in items and region is None:
        return None
    return pattern, region


def _photo(checker: Any, node: "Node") -> tuple[str, str] | None:
    what = _("'photo' of the batch's grid")
    items = checker.mapping(node, what, "'{column: 照片, field: photo}'")
    if items is None:
        return None
    checker.unknown_keys(items, PHOTO_KEYS, what)
    if any(k not in items for k in PHOTO_KEYS):
        checker.error(node, _("{what} needs column (the thumbnail's header) and field (the "
                              "field given the photo file)", what=what))
        return None
    column = checker.text(items["column"][1], what)
    field = checker._field_ref(items["field"][1], what)
    return (column, field) if column and field else None
