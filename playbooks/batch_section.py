"""The `batch:` section of a playbook (playbooks/README.md, "Batches"): its keys, the save and
landed-check steps, and the grid (playbooks/batch_grid.py), mixed into the loader's checker."""
from __future__ import annotations

from typing import TYPE_CHECKING

from yaml.nodes import Node, SequenceNode

from playbooks.batch_grid import GridSpec, grid_section
from playbooks.model import BatchSpec, LandedCheck, SavedWhen, SourceSpec, Step
from playbooks.node_words import _line, _of, _quoted
from playbooks.text import _

if TYPE_CHECKING:      # the checker this is mixed into (a base class would be circular)
    from playbooks.loader import _Checker as _Base
else:
    _Base = object

__all__ = ["BatchSection", "BATCH_KEYS", "SAVED_WHEN_KEYS", "LANDED_KEYS", "MAX_RETRIES"]

BATCH_KEYS = ("key", "new", "save", "saved_when", "landed", "retries", "grid")
SAVED_WHEN_KEYS = ("text", "within_s")
LANDED_KEYS = ("ask", "found", "not_found", "within_s")
MAX_RETRIES = 10


class BatchSection(_Base):
    def batch(self, knode: Node, node: Node, source: SourceSpec | None
              ) -> tuple[BatchSpec | None, GridSpec | None]:
        """`batch: {key, new, save, saved_when, landed, retries, grid}` (see BatchSpec; the
        grid, every row of a paged table, in playbooks/batch_grid.py)."""
        items = self.mapping(node, _quoted("batch"), "{key: id_number, save: [{key: ctrl+s}]}")
        if items is None:
            return None, None
        before = len(self.errors)
        self.unknown_keys(items, BATCH_KEYS, _quoted("batch"))
        key = None
        if "key" in items:
            key = self._field_ref(items["key"][1], _("the key field of 'batch'"))
        else:
            self.error(knode, _("'batch' needs a 'key': the field that tells one case from "
                                "another (e.g. key: id_number)"))
        new = self.batch_steps(items, "new")
        save = self.batch_steps(items, "save")
        saved_when = self.saved_when(items["saved_when"][1]) if "saved_when" in items else None
        if saved_when is not None and not save:
            self.error(items["saved_when"][0], _("'saved_when' in 'batch' confirms a save, but "
                                                 "there are no 'save' steps"))
        landed = self.landed(items["landed"][1]) if "landed" in items else None
        retries = 2
        if "retries" in items:
            retries = self.integer(items["retries"][1], _("'retries' of 'batch'"), 0,
                                   MAX_RETRIES, pixels=False)
        grid = (grid_section(self, items["grid"][1], key, source)
                if "grid" in items and key is not None else None)
        if len(self.errors) > before or key is None or retries is None:
            return None, None
        return BatchSpec(key=key, new=new, save=save, saved_when=saved_when, landed=landed,
                         retries=retries, line=_line(knode)), grid

    def batch_steps(self, items: dict[str, tuple[Node, Node]], name: str) -> tuple[Step, ...]:
        """The steps of `batch: {name: [...]}`, written as fill steps ('' when absent)."""
        if name not in items:
            return ()
        knode, node = items[name]
        if not isinstance(node, SequenceNode) or not node.value:
            self.error(node, _("'{name}' in 'batch' must be a list of steps such as "
                               "'- key: ctrl+s', not {found}", name=name,
                               found=self.describe(node)))
            return ()
        steps = [self.step(n, item) for n, item in enumerate(node.value, 1)]
        return tuple(s for s in steps if s is not None)

    def saved_when(self, node: Node) -> SavedWhen | None:
        what = _quoted("saved_when")
        items = self.mapping(node, what, "{text: 保存成功, within_s: 10}")
        if items is None:
            return None
        self.unknown_keys(items, SAVED_WHEN_KEYS, what)
        if "text" not in items:
            self.error(node, _("{what} needs the 'text' the target shows once saved (e.g. "
                               "保存成功)", what=what))
            return None
        text = self.text(items["text"][1], _of("text", what))
        within = (self.seconds(items["within_s"][1], _of("within_s", what))
                  if "within_s" in items else SavedWhen.within_s)
        if text is None or within is None:
            return None
        return SavedWhen(text=text, within_s=within, line=_line(node))

    def landed(self, node: Node) -> LandedCheck | None:
        what = _quoted("landed")
        items = self.mapping(node, what, "{ask: [{key: ctrl+f}], found: 已受理, not_found: 未找到}")
        if items is None:
            return None
        before = len(self.errors)
        self.unknown_keys(items, LANDED_KEYS, what)
        for need in ("ask", "found", "not_found"):
            if need not in items:
                self.error(node, _("{what} needs '{key}' (ask: the steps that query the target; "
                                   "found / not_found: the answers it shows)", what=what, key=need))
        if len(self.errors) > before:
            return None
        ask = self.batch_steps(items, "ask")
        found = self.text(items["found"][1], _of("found", what))
        not_found = self.text(items["not_found"][1], _of("not_found", what))
        within = (self.seconds(items["within_s"][1], _of("within_s", what))
                  if "within_s" in items else LandedCheck.within_s)
        if len(self.errors) > before or None in (found, not_found, within):
            return None
        return LandedCheck(ask=ask, found=found, not_found=not_found, within_s=within,
                           line=_line(node))

