"""The playbook checker's `verify:` and `source:` sections and the reads of fields
(`read:`: anchor, region, pattern, column, constant, vault): `SourceChecks`, a mixin of
playbooks/loader.py's `_Checker`, whose node readers (`mapping`, `text`, `integer`, `error`…)
it uses, reporting in the same `file:line: message` style."""
from __future__ import annotations

from typing import TYPE_CHECKING

from yaml.nodes import Node, ScalarNode, SequenceNode

from playbooks.patterns import regex_problem
from playbooks.text import _, join
from playbooks.node_words import (_either, _is_null, _line, _of, _quote_list,
                                  _quoted, _short, _suggest)
from playbooks.check_words import (COMPARE_KEYS, LOOKUP_RE, MATCH_KEYS, READ_ALONE, READ_KEYS,
                                   REGION_KEYS, SOURCE_KEYS, TABLE_KEYS, VERIFY_KEYS,
                                   table_text)
from playbooks.model import (
    COMPARE_RULES,
    DEFAULT_FUZZY_THRESHOLD,
    Compare,
    VerifySpec,
    SOURCE_KINDS,
    ReadSpec,
    Region,
    READ_DIRECTIONS,
    RowMatch,
    SELECTED_BY,
    SourceSpec,
    TABLE_ROWS,
    TableSpec,
)

if TYPE_CHECKING:      # the checker this is mixed into (a base class would be circular)
    from playbooks.loader import _Checker as _Base
else:
    _Base = object


class SourceChecks(_Base):
    """The verify:, source: and read: parts of the checker."""

    def verify_list(self, node: Node) -> list[VerifySpec] | None:
        if _is_null(node):
            return []
        if not isinstance(node, SequenceNode):
            self.error(node, _("'verify' must be a list of look-ups, each starting with "
                               "'- lookup: population.person', not {found}",
                               found=self.describe(node)))
            return None
        before = len(self.errors)
        specs = [self.verify_item(i, item) for i, item in enumerate(node.value, 1)]
        if len(self.errors) > before or None in specs:
            return None
        return specs  # type: ignore[return-value]

    def _field_ref(self, node: Node, what: str) -> str | None:
        name = self.text(node, what)
        if name is not None and self.fields_readable and name not in self.fields:
            hint = _suggest(name, self.fields)
            self.error(node, _("{what} names the field '{name}', which the playbook does not "
                               "declare{suggestion}", what=what, name=name, suggestion=hint))
            return None
        return name

    def verify_item(self, i: int, node: Node) -> VerifySpec | None:
        numbered = _("look-up {i} of 'verify'", i=i)
        items = self.mapping(node, numbered, "'- lookup: population.person'")
        if items is None:
            return None
        before = len(self.errors)
        self.unknown_keys(items, VERIFY_KEYS, numbered)
        lookup = None
        if "lookup" not in items:
            self.error(node, _("look-up {i} of 'verify' has no 'lookup'; name IT's endpoint as "
                               "'registry.endpoint', e.g. 'lookup: population.person'", i=i))
        else:
            lookup = self.text(items["lookup"][1], _of("lookup", _("look-up {i}", i=i)))
            if lookup is not None and not LOOKUP_RE.match(lookup):
                self.error(items["lookup"][1], _("'lookup' {lookup!r} must be 'registry.endpoint' "
                                                 "as named in the registry settings, e.g. "
                                                 "population.person", lookup=lookup))
        what = _("look-up '{lookup}'", lookup=lookup) if lookup else numbered
        params: dict[str, str] = {}
        if "with" in items:
            m = self.mapping(items["with"][1], _of("with", what), "'with: {id_number: id_number}'")
            for key, (knode, vnode) in (m or {}).items():
                ref = self._field_ref(vnode, _of(f"with: {key}", what))
                if ref is not None:
                    params[key] = ref
        confirm: dict[str, Compare] = {}
        if "confirm" in items:
            m = self.mapping(items["confirm"][1], _of("confirm", what),
                             "'confirm: {applicant_name: exact, address: fuzzy}'")
            for key, (knode, vnode) in (m or {}).items():
                if self._field_ref(knode, _of("confirm", what)) is None:
                    continue
                rule = self.compare_rule(vnode, _of(f"confirm: {key}", what))
                if rule is not None:
                    confirm[key] = rule
        fill: dict[str, str] = {}
        if "fill" in items:
            fnode = items["fill"][1]
            if isinstance(fnode, SequenceNode):
                pairs = [(n, n) for n in fnode.value]
            else:
                m = self.mapping(fnode, _of("fill", what),
                                 _either("'fill: [marital_status]'", "'fill: {spouse_name: po_xm}'"))
                pairs = [(k, v) for k, v in (m or {}).values()]
            for knode, vnode in pairs:
                ref = self._field_ref(knode, _of("fill", what))
                reg = self.text(vnode, _of("fill", what))
                if ref is not None and reg is not None:
                    fill[ref] = reg
        if not confirm and not fill and len(self.errors) == before:
            self.error(node, _("{what} neither confirms nor fills any field; add 'confirm' or "
                               "'fill'", what=what))
        if len(self.errors) > before or lookup is None:
            return None
        return VerifySpec(lookup=lookup, params=params, confirm=confirm, fill=fill, line=_line(node))

    def compare_rule(self, node: Node, what: str) -> Compare | None:
        if isinstance(node, ScalarNode):
            rule = self.text(node, what)
            if rule is None:
                return None
            if rule not in COMPARE_RULES:
                self.error(node, _("{what}: unknown rule '{rule}'; use one of {rules}{suggestion}",
                                   what=what, rule=rule, rules=_quote_list(COMPARE_RULES),
                                   suggestion=_suggest(rule, COMPARE_RULES)))
                return None
            return Compare(rule=rule, line=_line(node))  # type: ignore[arg-type]
        items = self.mapping(node, what, "'{rule: fuzzy, threshold: 85}'")
        if items is None:
            return None
        before = len(self.errors)
        self.unknown_keys(items, COMPARE_KEYS, what)
        rule = "exact"
        if "rule" in items:
            rule = self.text(items["rule"][1], _of("rule", what)) or "exact"
            if rule not in COMPARE_RULES:
                self.error(items["rule"][1], _("{what}: unknown rule '{rule}'; use one of "
                                               "{rules}{suggestion}", what=what, rule=rule,
                                               rules=_quote_list(COMPARE_RULES),
                                               suggestion=_suggest(rule, COMPARE_RULES)))
        threshold = DEFAULT_FUZZY_THRESHOLD
        if "threshold" in items:
            threshold = self.integer(items["threshold"][1], _of("threshold", what), 1, 100,
                                     pixels=False) or threshold
            if rule != "fuzzy":
                self.error(items["threshold"][1], _("{what}: 'threshold' only applies to the "
                                                    "fuzzy rule", what=what))
        registry_name = self.text(items["as"][1], _of("as", what)) if "as" in items else None
        if len(self.errors) > before:
            return None
        return Compare(rule=rule, threshold=threshold, registry_name=registry_name,  # type: ignore[arg-type]
                       line=_line(node))

    # ----------------------------------------------------------------- source and reading

    def source_spec(self, node: Node) -> SourceSpec | None:
        items = self.mapping(node, _quoted("source"), "'source: {kind: screen}'")
        if items is None:
            return None
        before = len(self.errors)
        self.unknown_keys(items, SOURCE_KEYS, _quoted("source"))
        kind = "screen"
        the_source = _("the source")
        if "kind" in items:
            k = self.text(items["kind"][1], _of("kind", the_source))
            if k is not None and k not in SOURCE_KINDS:
                self.error(items["kind"][1], _("source kind '{kind}' is not one of: "
                                               "{kinds}{suggestion}", kind=k,
                                               kinds=join(SOURCE_KINDS),
                                               suggestion=_suggest(k, SOURCE_KINDS)))
            elif k is not None:
                kind = k
        window = (self.glob(items["window"][1], _of("window", the_source))
                  if "window" in items else None)
        if kind == "window" and window is None and "window" not in items:
            self.error(node, _("a source of kind window needs 'window', the title of the window "
                               "to read (a pattern such as 'e龙岩*')"))
        size = None
        if "size" in items:
            snode = items["size"][1]
            if isinstance(snode, SequenceNode) and len(snode.value) == 2:
                w = self.integer(snode.value[0], _("the width in 'size' of the source"), 1, 20000)
                h = self.integer(snode.value[1], _("the height in 'size' of the source"), 1, 20000)
                size = (w, h) if w and h else None
            else:
                self.error(snode, _("'size' of the source must be [width, height], e.g. "
                                    "[1920, 1080]"))
        regions: list[Region] = []
        if "regions" in items:
            rnode = items["regions"][1]
            if not isinstance(rnode, SequenceNode) or not rnode.value:
                self.error(rnode, _("'regions' of the source must be a list of "
                                    "{x, y, width, height} rectangles"))
            else:
                for j, item in enumerate(rnode.value, 1):
                    region = self.region(item, _("region {j} of the source", j=j))
                    if region is not None:
                        regions.append(region)
        table = None
        if "table" in items:
            self.table_header = ()
            table = self.table(*items["table"])
            if kind == "idcard":
                self.error(items["table"][0], _("a source of kind idcard has its own layout and "
                                                "no table; use kind window, screen or image"))
        if len(self.errors) > before:
            return None
        return SourceSpec(kind=kind, window=window, size=size, regions=tuple(regions),  # type: ignore[arg-type]
                          table=table, line=_line(node))

    def table(self, knode: Node, node: Node) -> TableSpec | None:
        what = _("the table of the source")
        items = self.mapping(node, what, "'table: {header: [姓名, 证件号码], row: selected}'")
        if items is None:
            return None
        before = len(self.errors)
        self.unknown_keys(items, TABLE_KEYS, what)
        header: list[str] = []
        if "header" not in items:
            if not self.present(items, "header", TABLE_KEYS):
                self.error(knode, _("{what} needs 'header', the column headers as printed, left "
                                   "to right, e.g. header: [选择, 姓名, 证件号码]", what=what))
        else:
            hnode = items["header"][1]
            if not isinstance(hnode, SequenceNode) or not hnode.value:
                self.error(hnode, _("{what} must be a list of the column headers as printed, "
                                    "e.g. [选择, 姓名, 证件号码]", what=_of("header", what)))
            else:
                seen: dict[str, int] = {}
                for item in hnode.value:
                    text = self.text(item, _("a header of {what}", what=what))
                    if text is None:
                        continue
                    key = table_text(text)
                    if key in seen:
                        self.error(item, _("the header '{text}' is listed twice in {what}; "
                                           "the first is on line {line}", text=_short(text),
                                           what=what, line=seen[key]))
                        continue
                    seen[key] = _line(item)
                    header.append(text)
        if len(self.errors) == before:
            self.table_header = tuple(header)
        row: str | RowMatch = "selected"
        if "row" in items:
            row = self.table_row(items["row"][1], what) or row
        selected_by = "auto"
        if "selected_by" in items:
            value = self.text(items["selected_by"][1], _of("selected_by", what))
            if value is not None and value not in SELECTED_BY:
                self.error(items["selected_by"][1], _(
                    "{what} must be one of {choices}{suggestion}", what=_of("selected_by", what),
                    choices=_quote_list(SELECTED_BY), suggestion=_suggest(value, SELECTED_BY)))
            elif value is not None:
                selected_by = value
        if len(self.errors) > before:
            return None
        return TableSpec(header=tuple(header), row=row, selected_by=selected_by,  # type: ignore[arg-type]
                         line=_line(node))

    def table_row(self, node: Node, table: str) -> str | RowMatch | None:
        what = _of("row", table)
        if isinstance(node, ScalarNode):
            value = self.text(node, what)
            if value is not None and value not in TABLE_ROWS:
                self.error(node, _("{what} must be one of {choices}, or {{match: {{column: C, "
                                   "field: F}}}}{suggestion}", what=what,
                                   choices=_quote_list(TABLE_ROWS),
                                   suggestion=_suggest(value, TABLE_ROWS)))
                return None
            return value
        items = self.mapping(node, what, "'row: {match: {column: 证件号码, field: id_number}}'")
        if items is None:
            return None
        self.unknown_keys(items, ("match",), what)
        if "match" not in items:
            return None
        match = _of("match", what)
        inner = self.mapping(items["match"][1], match, "'{column: 证件号码, field: id_number}'")
        if inner is None:
            return None
        self.unknown_keys(inner, MATCH_KEYS, match)
        for key in MATCH_KEYS:
            if key not in inner and not self.present(inner, key, MATCH_KEYS):
                self.error(items["match"][1], _("{what} needs '{key}'", what=match, key=key))
        if any(key not in inner for key in MATCH_KEYS):
            return None
        column = self.header_ref(inner["column"][1], _of("column", match))
        field = self.text(inner["field"][1], _of("field", match))
        self.match_node = inner["field"][1]
        if column is None or field is None:
            return None
        return RowMatch(column=column, field=field)

    def header_ref(self, node: Node, what: str) -> str | None:
        """A column named by its header text: one of the table's `header`."""
        text = self.text(node, what)
        if text is None or not self.table_header:
            return text
        if table_text(text) not in {table_text(h) for h in self.table_header}:
            self.error(node, _("{what} is '{text}', which is not one of the table's headers "
                               "({headers}){suggestion}", what=what, text=_short(text),
                               headers=join(self.table_header),
                               suggestion=_suggest(text, self.table_header)))
            return None
        return text

    def region(self, node: Node, what: str, *, relative: bool = False) -> Region | None:
        items = self.mapping(node, what, "'{x: 0, y: 0, width: 400, height: 300}'")
        if items is None:
            return None
        self.unknown_keys(items, REGION_KEYS, what)
        low = -10000 if relative else 0
        values = {}
        for key in REGION_KEYS:
            if key not in items:
                self.error(node, _("{what} has no '{key}'; give x, y, width and height",
                                   what=what, key=key))
                return None
            values[key] = self.integer(items[key][1], _of(key, what),
                                       1 if key in ("width", "height") else low, 10000)
        if None in values.values():
            return None
        return Region(**values)

    def read_spec(self, node: Node, what: str) -> ReadSpec | None:
        if isinstance(node, ScalarNode) and node.value == "clerk":
            return ReadSpec(clerk=True, line=_line(node))   # not on the source: asked in the review
        read = _of("read", what)
        items = self.mapping(node, read, _either("'read: {anchor: 姓名}'", "'read: clerk'"))
        if items is None:
            return None
        before = len(self.errors)
        self.unknown_keys(items, READ_KEYS, read)
        alone = [k for k in READ_ALONE if k in items]
        if alone:
            return self.read_alone(items, alone, read, what, node)
        anchor, also = None, ()
        if "anchor" in items:
            anode = items["anchor"][1]
            if isinstance(anode, SequenceNode):   # several wordings of the same label
                words = [self.text(n, _("an anchor of {what}", what=what)) for n in anode.value]
                if not words or None in words:
                    self.error(anode, _("{what} must be a label or a list of labels",
                                        what=_of("anchor", what)))
                else:
                    anchor, also = words[0], tuple(words[1:])
            else:
                anchor = self.text(anode, _of("anchor", what))
        direction = "right"
        if "direction" in items:
            d = self.text(items["direction"][1], _of("direction", what))
            if d not in READ_DIRECTIONS:
                self.error(items["direction"][1], _("{what} must be right or below",
                                                    what=_of("direction", what)))
            else:
                direction = d
        lines = 1
        if "lines" in items:
            lines = self.integer(items["lines"][1], _of("lines", what), 1, 10, pixels=False) or 1
        max_gap = None
        if "max_gap" in items:
            max_gap = self.label_heights(items["max_gap"][1], _of("max_gap", what))
        region = (self.region(items["region"][1], _("the region of {what}", what=what),
                              relative=True)
                  if "region" in items else None)
        pattern = None
        if "pattern" in items:
            pattern = self.text(items["pattern"][1], _of("pattern", what))
            problem = regex_problem(pattern) if pattern is not None else None
            if problem is not None:
                self.error(items["pattern"][1], _("{what} is not a valid regular expression: "
                                                  "{problem}", what=_of("pattern", what),
                                                  problem=problem))
        column = None
        if "column" in items:
            cnode = items["column"][1]
            if self.table_header is None:
                self.error(cnode, _("{what} reads a table's column, but the source has no "
                                    "table; add 'table: {{header: [...]}}' to the source",
                                    what=read))
            else:
                column = self.header_ref(cnode, _of("column", what))
            others = [k for k in items if k not in ("column", "pattern")]
            if others:
                self.error(items[others[0]][0], _(
                    "{what} reads a table's column, so '{key}' does not apply (only 'pattern' "
                    "may narrow the cell's text)", what=read, key=others[0]))
        elif anchor is None and region is None and pattern is None:
            self.error(node, _("{what} needs an anchor, a region or a pattern", what=read))

        if len(self.errors) > before:
            return None
        return ReadSpec(anchor=anchor, also=also, direction=direction, lines=lines,  # type: ignore[arg-type]
                        max_gap=max_gap, region=region, pattern=pattern, column=column,
                        line=_line(node))

    def read_alone(self, items: dict, alone: list[str], read: str, what: str,
                   node: Node) -> ReadSpec | None:
        """`read: {constant: 无}` (the same text for every case) or `read: {vault: NAME}` (a
        password, read from the keyring only when filling): nothing else goes with them."""
        before = len(self.errors)
        others = [k for k in items if k != alone[0]]
        if others:
            self.error(items[others[0]][0], _(
                "{what} takes its value from '{key}', so '{other}' does not apply; remove it",
                what=read, key=alone[0], other=others[0]))
        vnode = items[alone[0]][1]
        value = self.text(vnode, _of(alone[0], what))
        if value is not None and alone[0] == "vault" and (
                not value or value != value.strip() or not value.isprintable()
                or len(value) > 200):
            self.error(vnode, _("{what} must be a credential's name such as city-client.login "
                                "(printable, no spaces at either end)", what=_of("vault", what)))
        elif value is not None and alone[0] == "constant" and not value.strip():
            self.error(vnode, _("{what} is empty; a constant is the text typed for every case",
                                what=_of("constant", what)))
        if len(self.errors) > before or value is None:
            return None
        if alone[0] == "vault":
            return ReadSpec(vault=value, line=_line(node))
        return ReadSpec(constant=value, line=_line(node))
