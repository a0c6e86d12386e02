"""The playbook checker's `fields:` section: each field's name, type, label, choices,
date format, transform and derive: `FieldChecks`, a mixin of playbooks/loader.py's
`_Checker`, whose node readers it uses, reporting in the same `file:line: message` style."""
from __future__ import annotations

from typing import TYPE_CHECKING

from yaml.nodes import Node, ScalarNode, SequenceNode

from playbooks.anchors import anchor_key
from playbooks.text import _, join
from playbooks.node_words import (_either, _is_null, _line, _of, _short,
                                  _suggest)
from playbooks.check_words import (CHECKABLE_DATE_FORMATS, DERIVE_KEYS, FIELD_KEYS,
                                   FIELD_NAME_RE, STRFTIME_DIRECTIVES, _TRANSFORM_EXAMPLES,
                                   table_text)
from playbooks.model import (
    DERIVE_PARTS,
    ID_PARTS,
    ID_PART_TYPES,
    SHIPPED_DICTIONARIES,
    TRANSFORM_KINDS,
    TRANSFORM_NAMES,
    DeriveSpec,
    TransformStep,
    FIELD_TYPES,
    FieldSpec,
    ReadSpec,
)

if TYPE_CHECKING:      # the checker this is mixed into (a base class would be circular)
    from playbooks.loader import _Checker as _Base
else:
    _Base = object


class FieldChecks(_Base):
    """The fields: part of the checker."""

    def field_list(self, knode: Node, node: Node) -> list[FieldSpec] | None:
        if _is_null(node) or (isinstance(node, SequenceNode) and not node.value):
            self.error(knode, _("'fields' is empty; declare at least one field"))
            return None
        if not isinstance(node, SequenceNode):
            self.error(node, _("'fields' must be a list of fields, each starting with "
                               "'- name: ...', not {found}", found=self.describe(node)))
            return None
        self.fields_readable = True
        result: list[FieldSpec] = []
        name_lines: dict[str, int] = {}
        ok = True
        for i, item in enumerate(node.value, 1):
            spec = self.field(i, item, name_lines)
            if spec is None:
                ok = False
            else:
                result.append(spec)
        if not self.derive_sources(result):
            ok = False
        self.anchors_once(result)
        return result if ok else None

    def anchors_once(self, fields: list[FieldSpec]) -> None:
        """One label on the source belongs to one field: two fields with the same anchor
        (spaces, width and a trailing colon aside) would read the same value."""
        seen: dict[str, tuple[str, int]] = {}
        for f in fields:
            if f.derive is not None or (
                    f.read is not None and (f.read.clerk or f.read.anchor is None)):
                continue
            wordings = [f.read.anchor, *f.read.also] if f.read is not None else [f.label]
            line = f.read.line if f.read is not None else f.line
            for wording in wordings:
                key = anchor_key(wording) if wording else ""
                if not key:
                    continue
                if key in seen and seen[key][0] != f.name:
                    other, other_line = seen[key]
                    self.error(line, _("field '{name}' reads the label '{anchor}', as field "
                                       "'{other}' on line {line} does; one label on the source "
                                       "belongs to one field only, so give one of them another "
                                       "anchor (read: {{anchor: …}})", name=f.name,
                                       anchor=wording, other=other, line=other_line))
                    break
                seen.setdefault(key, (f.name, line))

    def field(self, i: int, node: Node, name_lines: dict[str, int]) -> FieldSpec | None:
        numbered = _("field {i}", i=i)
        items = self.mapping(node, numbered, "'- name: applicant_name'")
        if items is None:
            return None
        errors_before = len(self.errors)

        name: str | None = None
        if "name" not in items:
            if not self.present(items, "name", FIELD_KEYS):
                self.error(node, _("field {i} has no 'name'; add one such as "
                                   "'name: applicant_name'", i=i))
        else:
            nnode = items["name"][1]
            name = self.text(nnode, _of("name", numbered))
            if name is not None and not FIELD_NAME_RE.match(name):
                self.error(nnode, _("field name '{name}' is not allowed; use lower-case letters "
                                    "a-z, digits and '_', starting with a letter or '_' (e.g. "
                                    "applicant_name)", name=name))
                name = None
            if name is not None:
                if name in name_lines:
                    self.error(nnode, _("field name '{name}' is declared twice; the first one is "
                                        "on line {line}", name=name, line=name_lines[name]))
                else:
                    name_lines[name] = _line(nnode)
                    self.fields[name] = None  # known name, even if the rest of the field is broken
        what = _("field '{name}'", name=name) if name else numbered
        self.unknown_keys(items, FIELD_KEYS, what)

        ftype = "text"
        type_ok = True
        if "type" in items:
            tnode = items["type"][1]
            t = self.text(tnode, _of("type", what))
            if t is not None and t not in FIELD_TYPES:
                hint = _suggest(t, FIELD_TYPES,
                                fallback=_("use one of: {types}", types=join(FIELD_TYPES)))
                self.error(tnode, _("type '{type}' of {what} is not a field type{suggestion}",
                                    type=t, what=what, suggestion=hint))
                t = None
            if t is None:
                type_ok = False
            else:
                ftype = t

        label = self.text(items["label"][1], _of("label", what)) if "label" in items else None
        required = True
        if "required" in items:
            required = self.boolean(items["required"][1], _of("required", what))
        sensitive = False
        if "sensitive" in items:
            sensitive = self.boolean(items["sensitive"][1], _of("sensitive", what))
        if ftype == "id_number":
            sensitive = True
        multiline = False
        if "multiline" in items:
            multiline = self.boolean(items["multiline"][1], _of("multiline", what))

        choices: tuple[str, ...] = ()
        errors_before_choices = len(self.errors)
        if "choices" in items:
            cknode, cnode = items["choices"]
            if type_ok and ftype != "choice":
                self.error(cknode, _("{what} has 'choices' but its type is {type}; choices are "
                                     "only for fields of type choice", what=what, type=ftype))
            else:
                choices = self.choices(cknode, cnode, what) or ()
        elif type_ok and ftype == "choice":
            self.error(items["type"][0], _("{what} has type choice but no 'choices'; list the "
                                           "values, e.g. choices: [男, 女]", what=what))
        choices_ok = len(self.errors) == errors_before_choices

        read = self.read_spec(items["read"][1], what) if "read" in items else None
        if read is None and "read" not in items and "derive" not in items \
                and label is not None and self.table_header \
                and table_text(label) in {table_text(h) for h in self.table_header}:
            # its label is a column header: the value is in that column, not beside the header
            read = ReadSpec(column=label, line=_line(node))
        transform: tuple[TransformStep, ...] = ()
        if "transform" in items:
            transform = self.transform(items["transform"][1], what,
                                       ftype if type_ok else None) or ()
        derive = None
        if "derive" in items:
            dknode, dnode = items["derive"]
            derive = self.derive(dnode, what)
            for other in ("read", "transform"):
                if other in items:
                    self.error(items[other][0], _(
                        "{what} is derived from another field, so it is not read and has no "
                        "'{key}'; remove '{key}', or put it on the field it is derived from",
                        what=what, key=other))
            allowed = ID_PART_TYPES.get(derive.part, ("text", "choice")) \
                if derive is not None else ("text", "choice", "date")
            if type_ok and ftype not in allowed:
                if derive is not None and derive.part in ID_PARTS:
                    self.error(dknode, _("{what} is the {part} of an ID number, so its type must "
                                         "be {types}, not {type}", what=what, part=derive.part,
                                         types=_either(*allowed) if len(allowed) == 2
                                         else allowed[0], type=ftype))
                else:
                    self.error(dknode, _("{what} is derived from an address, so its type must "
                                         "be text or choice, not {type}", what=what, type=ftype))

        secret = False
        if "secret" in items:
            secret = bool(self.boolean(items["secret"][1], _of("secret", what)))
            if secret and (read is None or read.vault is None):
                self.error(items["secret"][0], _(
                    "{what} is secret, so its value must come from the vault: add "
                    "'read: {{vault: NAME}}' (IT stores it with deskhand vault set NAME)",
                    what=what))
        if read is not None and read.vault is not None:
            secret = sensitive = True          # a password is masked everywhere, always
            if type_ok and ftype != "text":
                self.error(items["type"][0], _("{what} reads a password from the vault, so its "
                                               "type must be text, not {type}", what=what,
                                               type=ftype))
            if "transform" in items:
                self.error(items["transform"][0], _(
                    "{what} reads a password from the vault, which is typed as stored; remove "
                    "'transform'", what=what))

        fmt = None
        if "format" in items:
            fknode, fnode = items["format"]
            if type_ok and ftype != "date":
                self.error(fknode, _("{what} has a 'format' but its type is {type}; format is "
                                     "only for fields of type date", what=what, type=ftype))
            else:
                fmt = self.date_format(fnode, what)

        if len(self.errors) > errors_before or name is None:
            if (name is not None and type_ok and choices_ok
                    and name_lines.get(name) == _line(items["name"][1])):
                # Enough is known to check the steps that use this field.
                self.fields[name] = FieldSpec(name=name, type=ftype, choices=choices, line=_line(node))
            return None
        spec = FieldSpec(name=name, type=ftype, label=label, required=required, choices=choices,
                         format=fmt, sensitive=sensitive, multiline=multiline, read=read,
                         transform=transform, derive=derive, secret=secret, line=_line(node))
        self.fields[name] = spec
        return spec

    def choices(self, knode: Node, node: Node, what: str) -> tuple[str, ...] | None:
        if _is_null(node) or (isinstance(node, SequenceNode) and not node.value):
            self.error(knode, _("{what} is empty; list the values, e.g. choices: [男, 女]",
                                what=_of("choices", what)))
            return None
        if not isinstance(node, SequenceNode):
            self.error(node, _("{what} must be a list such as [男, 女], not {found}",
                               what=_of("choices", what), found=self.describe(node)))
            return None
        values: list[str] = []
        first: dict[str, int] = {}
        for item in node.value:
            value = self.text(item, _("a choice of {what}", what=what))
            if value is None:
                continue
            if value in first:
                self.error(item, _("choice '{value}' is listed twice in {what} (first on line "
                                   "{line})", value=value, what=what, line=first[value]))
                continue
            first[value] = _line(item)
            values.append(value)
        return tuple(values)

    def date_format(self, node: Node, what: str) -> str | None:
        return self.date_pattern(node, _of("format", what))

    def date_pattern(self, node: Node, described: str) -> str | None:
        """A strftime pattern with at least one of %Y, %m, %d; `described` names it in
        messages ("'format' of field 'x'")."""
        fmt = self.text(node, described)
        if fmt is None:
            return None
        i = 0
        while i < len(fmt):
            if fmt[i] == "%":
                directive = fmt[i + 1: i + 2]
                if directive not in STRFTIME_DIRECTIVES:
                    self.error(node, _("{what} uses %{directive}, which is not a date code; use "
                                       "codes such as %Y (year), %m (month) and %d (day)",
                                       what=described, directive=directive)
                               if directive else
                               _("{what} uses a lone '%' at the end, which is not a date code; "
                                 "use codes such as %Y (year), %m (month) and %d (day)",
                                 what=described))
                    return None
                i += 2
            else:
                i += 1
        if not any(code in fmt for code in ("%Y", "%m", "%d")):
            self.error(node, _("{what} is '{format}', which has none of %Y, %m or %d, so it "
                               "would not show the date; write e.g. \"%Y-%m-%d\" or "
                               "\"%Y年%m月%d日\"", format=fmt, what=described))
            return None
        return fmt

    # ----------------------------------------------------------------- transform, derive

    def transform(self, node: Node, what: str, ftype: str | None) -> tuple[TransformStep, ...] | None:
        """The steps of a field's `transform`: a list (one step may stand alone), each a
        name (upper) or a one-key mapping ({date: "%Y-%m-%d"})."""
        if _is_null(node) or (isinstance(node, SequenceNode) and not node.value):
            self.error(node, _("{what} is empty; list its steps, e.g. transform: "
                               "[no_separators]", what=_of("transform", what)))
            return None
        items = node.value if isinstance(node, SequenceNode) else [node]
        before = len(self.errors)
        steps = [self.transform_step(n, item, what, ftype) for n, item in enumerate(items, 1)]
        if len(self.errors) > before or None in steps:
            return None
        return tuple(steps)  # type: ignore[arg-type]

    def transform_step(self, n: int, node: Node, what: str, ftype: str | None) -> TransformStep | None:
        step_what = _("transform step {n} of {what}", n=n, what=what)
        names = TRANSFORM_NAMES + TRANSFORM_KINDS
        if isinstance(node, ScalarNode):
            name = self.text(node, step_what)
            if name is None:
                return None
            if name in TRANSFORM_KINDS:
                self.error(node, _("{what} is '{name}', which needs its argument, e.g. {example}",
                                   what=step_what, name=name, example=_TRANSFORM_EXAMPLES[name]))
                return None
            if name not in TRANSFORM_NAMES:
                self.error(node, _("{what} is '{name}', which is not a transform step{suggestion}",
                                   what=step_what, name=_short(name),
                                   suggestion=_suggest(name, names, fallback=_(
                                       "steps: {names}", names=join(names)))))
                return None
            return TransformStep(name, line=_line(node))
        items = self.mapping(node, step_what, _either("upper", "{date: \"%Y-%m-%d\"}"))
        if items is None:
            return None
        if len(items) != 1:
            self.error(node, _("{what} must be one name such as upper, or a mapping with one "
                               "key such as {{date: \"%Y-%m-%d\"}}; write each step as its own "
                               "item of the list", what=step_what))
            return None
        (kind, (knode, vnode)), = items.items()
        if kind in TRANSFORM_NAMES:
            self.error(knode, _("{what} is '{name}', which takes no argument; write it as "
                                "'- {name}'",
                                what=step_what, name=kind))
            return None
        if kind not in TRANSFORM_KINDS:
            self.error(knode, _("{what} is '{name}', which is not a transform step{suggestion}",
                                what=step_what, name=_short(kind),
                                suggestion=_suggest(kind, names, fallback=_(
                                    "steps: {names}", names=join(names)))))
            return None
        line = _line(knode)
        if kind == "date":
            fmt = self.date_pattern(vnode, _("the date format of {what}", what=step_what))
            if fmt is None:
                return None
            if ftype == "date" and fmt not in CHECKABLE_DATE_FORMATS:
                self.error(vnode, _("{what} writes dates as '{format}', but {field} is of type "
                                    "date and is checked as year, month, day: write one of "
                                    "{formats}, and give the field a 'format' for how it is typed",
                                    what=step_what, format=fmt, field=what,
                                    formats=join(CHECKABLE_DATE_FORMATS)))
                return None
            return TransformStep("date", format=fmt, line=line)
        if kind in ("code", "to_code"):
            dictionary = self.text(vnode, _("the code list of {what}", what=step_what))
            if dictionary is None:
                return None
            if dictionary not in SHIPPED_DICTIONARIES:
                self.error(vnode, _("{what} names the code list '{name}', which Deskhand does not "
                                    "ship{suggestion}; the lists are {lists}", what=step_what,
                                    name=_short(dictionary),
                                    suggestion=_suggest(dictionary, SHIPPED_DICTIONARIES),
                                    lists=join(SHIPPED_DICTIONARIES)))
                return None
            return TransformStep(kind, dictionary=dictionary, line=line)
        pairs = self.mapping(vnode, _("the replacements of {what}", what=step_what),
                             "{replace: {\"－\": \"-\"}}")
        if pairs is None:
            return None
        if not pairs:
            self.error(vnode, _("{what} replaces nothing; give OLD: NEW pairs",
                                what=step_what))
            return None
        out: list[tuple[str, str]] = []
        for old, (oknode, newnode) in pairs.items():
            if not old:
                self.error(oknode, _("{what} has an empty text to replace", what=step_what))
                continue
            if _is_null(newnode):
                out.append((old, ""))       # {"-": } removes the text
            elif isinstance(newnode, ScalarNode):
                out.append((old, newnode.value))
            else:
                self.error(newnode, _("{what} must replace '{old}' by a text, not {found}",
                                      what=step_what, old=_short(old),
                                      found=self.describe(newnode)))
        return TransformStep("replace", pairs=tuple(out), line=line) \
            if len(out) == len(pairs) else None

    def derive(self, node: Node, what: str) -> DeriveSpec | None:
        described = _of("derive", what)
        items = self.mapping(node, described, "{from: address, part: district}")
        if items is None:
            return None
        before = len(self.errors)
        self.unknown_keys(items, DERIVE_KEYS, described)
        for key in DERIVE_KEYS:
            if not self.present(items, key, DERIVE_KEYS):
                self.error(node, _("{what} has no '{key}'; write derive: {{from: address, part: "
                                   "district}}", what=described, key=key))
        source = part = None
        line = _line(node)
        if "from" in items:
            source = self.text(items["from"][1], _of("from", described))
            line = _line(items["from"][1])
        if "part" in items:
            pnode = items["part"][1]
            part = self.text(pnode, _of("part", described))
            if part is not None and part not in DERIVE_PARTS + ID_PARTS:
                self.error(pnode, _("{what} is '{part}', which is not a part of an address or "
                                    "an ID number{suggestion}; parts: {parts}",
                                    what=_of("part", described), part=_short(part),
                                    suggestion=_suggest(part, DERIVE_PARTS + ID_PARTS),
                                    parts=join(DERIVE_PARTS + ID_PARTS)))
                part = None
        if len(self.errors) > before or source is None or part is None:
            return None
        return DeriveSpec(source=source, part=part, line=line)

    def derive_sources(self, fields: list[FieldSpec]) -> bool:
        """Each derived field's `from` names a declared field that is not derived: a text
        field (an address) for an address part, an id_number field for an ID number's."""
        ok = True
        for f in fields:
            if f.derive is None:
                continue
            src = self.fields.get(f.derive.source)
            what = _("field '{name}'", name=f.name)
            if f.derive.source in self.fields and src is None:
                continue          # declared, but broken: its own problem is reported
            if src is None:
                self.error(f.derive.line, _("{what} is derived from '{source}', which is not "
                                            "declared in fields{suggestion}", what=what,
                                            source=_short(f.derive.source),
                                            suggestion=_suggest(f.derive.source, list(self.fields))))
            elif src.name == f.name or src.derive is not None:
                self.error(f.derive.line, _("{what} is derived from '{source}', which is itself "
                                            "derived; derive it from the field that is read",
                                            what=what, source=src.name))
            elif f.derive.part in ID_PARTS and src.type != "id_number":
                self.error(f.derive.line, _("{what} takes the {part} of '{source}', a {type} "
                                            "field; it comes from a field of type id_number",
                                            what=what, part=f.derive.part, source=src.name,
                                            type=src.type))
            elif f.derive.part not in ID_PARTS and src.type != "text":
                self.error(f.derive.line, _("{what} is derived from '{source}', a {type} field; "
                                            "address parts come from a text field (the address)",
                                            what=what, source=src.name, type=src.type))
            else:
                continue
            ok = False
        return ok
