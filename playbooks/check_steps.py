"""The playbook checker's `fill:` section: the Tab-order steps (click, type, key, choose,
wait) and the dispatch to the addressed ones (set, press: steps_addressed.py): `StepChecks`,
a mixin of playbooks/loader.py's `_Checker`, whose node readers it uses, reporting in the
same `file:line: message` style."""
from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from playbooks.keys import KeyCombo
from playbooks.text import _, join
from playbooks.steps_addressed import SET_KEYS, STEP_SIBLING_KEYS
from playbooks.node_words import (_either, _is_null, _line, _of, _quote_list,
                                  _suggest)
from playbooks.check_words import (BUTTONS, CHOOSE_KEYS, CLICK_KEYS, KIND_SYNONYMS, MAX_COORD,
                                   STEP_KEYS, STEP_KINDS, TYPE_KEYS, TYPE_METHODS, WAIT_KEYS,
                                   _NUMBERS)
from playbooks.model import (
    ChooseStep,
    ClickStep,
    FieldSpec,
    KeyStep,
    Step,
    TypeStep,
    WaitStep,
)

if TYPE_CHECKING:      # the checker this is mixed into (a base class would be circular)
    from playbooks.loader import _Checker as _Base
else:
    _Base = object


class StepChecks(_Base):
    """The fill: part of the checker (Tab-order steps; set and press in AddressedSteps)."""

    def fill(self, knode: Node, node: Node) -> list[Step] | None:
        if _is_null(node) or (isinstance(node, SequenceNode) and not node.value):
            self.error(knode, _("'fill' is empty; list at least one step such as "
                                "'- type: applicant_name'"))
            return None
        if not isinstance(node, SequenceNode):
            self.error(node, _("'fill' must be a list of steps, each starting with '- ', not "
                               "{found}", found=self.describe(node)))
            return None
        steps: list[Step] = []
        ok = True
        for n, item in enumerate(node.value, 1):
            step = self.step(n, item)
            if step is None:
                ok = False
            else:
                steps.append(step)
        return steps if ok else None

    def step(self, n: int, node: Node) -> Step | None:
        items = self.mapping(node, _("step {n}", n=n),
                             _either("'- key: tab'", "'- type: applicant_name'"))
        if items is None:
            return None
        if not items:
            self.error(node, _("step {n} is empty; give it one action: {kinds}", n=n,
                               kinds=join(STEP_KINDS)))
            return None
        before = len(self.errors)
        kinds = [k for k in items if k in STEP_KINDS]
        if len(kinds) > 1:
            word = _NUMBERS.get(len(kinds))
            self.error(items[kinds[1]][0],
                       _("step {n} has {count} actions, {actions}; a step does exactly one thing, "
                         "so split it into separate steps", n=n,
                         count=_(word) if word else len(kinds), actions=_quote_list(kinds)))
        kind = kinds[0] if len(kinds) == 1 else None
        # Keys written beside the action: `when` on every step, at/method/… beside `set`.
        beside_keys = STEP_SIBLING_KEYS + (SET_KEYS if kind == "set" else ())
        beside = {k: v for k, v in items.items() if k in beside_keys}
        for other in items:
            if other in STEP_KINDS or other in beside_keys:
                continue
            onode = items[other][0]
            if kind is not None and other in STEP_KEYS[kind]:
                self.error(onode, _("'{key}' in step {n} belongs inside the {kind} action; write "
                                    "it as '{kind}: {{..., {key}: ...}}'",
                                    key=other, n=n, kind=kind))
            elif other in SET_KEYS:
                self.error(onode, _("'{key}' in step {n} belongs to a set step (a field "
                                    "addressed by its label); this step is not one",
                                    key=other, n=n))
            else:
                hint = _suggest(other, STEP_KINDS + beside_keys, synonyms=KIND_SYNONYMS)
                self.error(onode, _("step {n} has an unknown action '{name}'{suggestion}; a step "
                                    "is one of click, type, key, choose, wait, set or press",
                                    n=n, name=other, suggestion=hint))
        when = self.condition(beside["when"][1], n) if "when" in beside else None
        if kind is None:
            return None
        knode, vnode = items[kind]
        if kind == "set":
            step = self.step_set(n, knode, vnode, _line(node), beside)
        else:
            step = getattr(self, f"step_{kind}")(n, knode, vnode, _line(node))
        if step is None or len(self.errors) > before:
            return None
        return dataclasses.replace(step, when=when) if when is not None else step

    def declared_field(self, n: int, node: Node, choosing: bool,
                       verb: str | None = None) -> tuple[str | None, FieldSpec | None]:
        """(name, spec) of the field a step types (or, `choosing`, chooses; `verb` set:
        sets); name None if undeclared or unreadable."""
        name = self.text(node, _("the field of step {n}", n=n))
        if name is None or not self.fields_readable:
            return None, None
        if name not in self.fields:
            fields = {"n": n, "name": name, "suggestion": _suggest(name, list(self.fields))}
            self.error(node, _("step {n} sets field '{name}', which is not declared in "
                               "fields{suggestion}", **fields) if verb == "set" else
                       _("step {n} chooses field '{name}', which is not declared in "
                         "fields{suggestion}", **fields) if choosing else
                       _("step {n} types field '{name}', which is not declared in "
                         "fields{suggestion}", **fields))
            return None, None
        return name, self.fields[name]

    def step_click(self, n: int, knode: Node, node: Node, line: int) -> ClickStep | None:
        what = _("the click in step {n}", n=n)
        items = self.mapping(node, what, _either("{x: 200, y: 60}",
                                                 "{anchor: 身份证号, dx: 120, dy: 0}"))
        if items is None:
            return None
        before = len(self.errors)
        self.unknown_keys(items, CLICK_KEYS, what)
        v: dict[str, Any] = {}
        for key in ("x", "y"):
            if key in items:
                v[key] = self.integer(items[key][1], _of(key, what), 0, MAX_COORD)
        for key in ("dx", "dy"):
            if key in items:
                v[key] = self.integer(items[key][1], _of(key, what), -MAX_COORD, MAX_COORD)
        if "anchor" in items:
            v["anchor"] = self.text(items["anchor"][1], _of("anchor", what))
        if "button" in items:
            bwhat = _of("button", what)
            v["button"] = self.word(items["button"][1], bwhat, BUTTONS, lambda button, hint: _(
                "{what} is '{button}', but must be left, right or middle{suggestion}",
                what=bwhat, button=button, suggestion=hint))
        if "double" in items:
            v["double"] = self.boolean(items["double"][1], _of("double", what))

        has_x, has_y, has_anchor = "x" in items, "y" in items, "anchor" in items
        if has_x != has_y:
            present, absent = ("x", "y") if has_x else ("y", "x")
            self.error(items[present][0], _("{what} has '{present}' but no '{absent}'; give both "
                                            "x and y, or use an anchor",
                                            what=what, present=present, absent=absent))
        if (has_x or has_y) and has_anchor:
            self.error(items["anchor"][0], _("{what} has both a position (x/y) and an anchor; "
                                             "use one or the other", what=what))
        if not any(self.present(items, k, CLICK_KEYS) for k in ("x", "y", "anchor")):
            self.error(knode, _("{what} needs a position (x and y) or an anchor (text on screen)",
                                what=what))
        if not has_anchor:
            for key in ("dx", "dy"):
                if key in items:
                    self.error(items[key][0], _("{what} only applies to a click at an anchor; "
                                                "with x/y, change the position instead",
                                                what=_of(key, what)))
        if len(self.errors) > before:
            return None
        return ClickStep(x=v.get("x"), y=v.get("y"), anchor=v.get("anchor"),
                         dx=v.get("dx", 0), dy=v.get("dy", 0), button=v.get("button", "left"),
                         double=v.get("double", False), line=line)

    def step_type(self, n: int, knode: Node, node: Node, line: int) -> TypeStep | None:
        what = _("the type action in step {n}", n=n)
        before = len(self.errors)
        method, readback, clear = "auto", True, False
        if isinstance(node, MappingNode):
            items = self.mapping(node, what, "{field: id_number, method: keys}")
            if items is None:
                return None
            self.unknown_keys(items, TYPE_KEYS, what)
            if "field" not in items:
                if not self.present(items, "field", TYPE_KEYS):
                    self.error(knode, _("{what} has no 'field'; name the field to type, e.g. "
                                        "type: {{field: applicant_name}}", what=what))
                return None
            fnode = items["field"][1]
            if "method" in items:
                mwhat = _of("method", what)
                method = self.word(items["method"][1], mwhat, TYPE_METHODS, lambda m, hint: _(
                    "{what} is '{method}', but must be auto, keys or paste{suggestion}",
                    what=mwhat, method=m, suggestion=hint))
            if "readback" in items:
                readback = self.boolean(items["readback"][1], _of("readback", what))
            if "clear" in items:
                clear = self.boolean(items["clear"][1], _of("clear", what))
        elif isinstance(node, ScalarNode):
            fnode = node
        else:
            self.error(node, _("{what} must name a field, e.g. 'type: applicant_name', not "
                               "{found}", what=what, found=self.describe(node)))
            return None
        name, spec = self.declared_field(n, fnode, choosing=False)
        if spec is not None and spec.type == "choice":
            self.error(fnode, _("step {n} types field '{name}', which is a choice field; use "
                                "choose for choice fields", n=n, name=name))
        if name is None or len(self.errors) > before:
            return None
        return TypeStep(field=name, method=method, readback=readback, clear=clear, line=line)

    def step_key(self, n: int, knode: Node, node: Node, line: int) -> KeyStep | None:
        if isinstance(node, MappingNode):
            self.error(node, _("the key action in step {n} must be a key such as 'tab' or a list "
                               "such as [tab, tab], not a mapping", n=n))
            return None
        combos = self.key_combos(node, _("step {n}", n=n))
        return KeyStep(keys=combos, line=line) if combos is not None else None

    def step_choose(self, n: int, knode: Node, node: Node, line: int) -> ChooseStep | None:
        what = _("the choose action in step {n}", n=n)
        items = self.mapping(node, what, "{field: gender, options: {男: [space], 女: [right, space]}}")
        if items is None:
            return None
        before = len(self.errors)
        self.unknown_keys(items, CHOOSE_KEYS, what)
        for key in CHOOSE_KEYS:
            if not self.present(items, key, CHOOSE_KEYS):
                self.error(knode, _("{what} has no '{key}'; write choose: {{field: gender, "
                                    "options: {{男: [space], 女: [right, space]}}}}",
                                    what=what, key=key))
        if "field" not in items:
            return None
        fnode = items["field"][1]
        name, spec = self.declared_field(n, fnode, choosing=True)
        if spec is not None and spec.type != "choice":
            self.error(fnode, _("step {n} chooses field '{name}', which is a {type} field; choose "
                                "works only on fields of type choice (use type instead)",
                                n=n, name=name, type=spec.type))
            spec = None
        if "options" not in items:
            return None

        options = self.choice_options(n, *items["options"], name, spec)
        if name is None or options is None or len(self.errors) > before:
            return None
        return ChooseStep(field=name, options=options, line=line)

    def choice_options(self, n: int, oknode: Node, onode: Node, name: str | None,
                       spec: FieldSpec | None) -> dict[str, tuple[KeyCombo, ...]] | None:
        """`options: {男: [space], 女: [right, space]}` of step `n`: keys for every choice
        of the field (`spec`, None when it could not be read)."""
        options: dict[str, tuple[KeyCombo, ...]] = {}
        omap = self.mapping(onode, _("the options of step {n}", n=n),
                            "{男: [space], 女: [right, space]}")
        if omap is None:
            return None
        if not omap:
            self.error(oknode, _("the options of step {n} are empty; give the keys for each "
                                 "choice", n=n))
        choice_set = set(spec.choices) if spec is not None else set()
        for value, (vk, vv) in omap.items():
            if spec is not None and value not in choice_set:
                self.error(vk, _("option '{value}' in step {n} is not one of the choices of "
                                 "field '{name}' ({choices}){suggestion}", value=value, n=n,
                                 name=name, choices=join(spec.choices),
                                 suggestion=_suggest(value, spec.choices)))
            combos = self.key_combos(vv, _("option '{value}' of step {n}", value=value, n=n))
            if combos is not None:
                options[value] = combos
        if spec is not None and omap:
            missing = [c for c in spec.choices if c not in omap]
            if missing:
                self.error(oknode, _("step {n} gives no keys for {missing} of field '{name}'; "
                                     "add an option for every choice",
                                     n=n, missing=_quote_list(missing), name=name))
        return options

    def step_wait(self, n: int, knode: Node, node: Node, line: int) -> WaitStep | None:
        what = _("the wait in step {n}", n=n)
        if isinstance(node, ScalarNode):
            if node.tag not in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float"):
                self.error(node, _("{what} must be a number of seconds such as 0.5, or a mapping "
                                   "such as {{title: \"提交成功*\", timeout: 5}}, not {found}",
                                   what=what, found=self.describe(node)))
                return None
            seconds = self.seconds(node, what)
            return WaitStep(seconds=seconds, line=line) if seconds is not None else None
        items = self.mapping(node, what, "{title: \"提交成功*\", timeout: 5}")
        if items is None:
            return None
        before = len(self.errors)
        self.unknown_keys(items, WAIT_KEYS, what)
        conditions = [k for k in ("seconds", "title", "text") if k in items]
        if not any(self.present(items, k, WAIT_KEYS) for k in ("seconds", "title", "text")):
            self.error(knode, _("{what} needs one of 'seconds', 'title' or 'text'", what=what))
        elif len(conditions) > 1:
            self.error(items[conditions[1]][0],
                       _("{what} has {keys}; it waits for exactly one of seconds, title or text, "
                         "so split it into separate waits", what=what,
                         keys=_quote_list(conditions)))
        seconds = title = text = None
        if "seconds" in items:
            seconds = self.seconds(items["seconds"][1], _of("seconds", what))
        if "title" in items:
            title = self.glob(items["title"][1], _of("title", what))
        if "text" in items:
            text = self.text(items["text"][1], _of("text", what))
        timeout = WaitStep.timeout
        if "timeout" in items:
            tknode, tnode = items["timeout"]
            if conditions == ["seconds"]:
                self.error(tknode, _("{what} only applies when waiting for a title or text; a "
                                     "plain pause of seconds needs none",
                                     what=_of("timeout", what)))
            else:
                timeout = self.seconds(tnode, _of("timeout", what))

        if len(self.errors) > before:
            return None
        return WaitStep(seconds=seconds, title=title, text=text, timeout=timeout, line=line)
