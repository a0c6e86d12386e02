"""The playbook steps that address a field by its label, not by the tab order — `set` and
`press` — the `when:` condition every step may carry, and the top-level `on_invalid`
(playbooks/README.md, "Steps that address fields by label").

    - set: spouse_name
      at: {label: 配偶姓名, role: text, dx: 120}     # or: at: 配偶姓名
      method: auto                                   # auto | accessible | keys
      readback: true
      when: {field: marital_status, is: 已婚}
    - press: 提交

`AddressedSteps` is a mixin of the loader's checker (playbooks/loader.py `_Checker`): it
uses the checker's node readers (`mapping`, `text`, `integer`, `boolean`, `error`…) and its
table of declared fields, and reports problems in the same `file:line: message` style.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from playbooks.keys import ALIASES, NAMED_KEYS, KeyCombo, KeyNameError, parse_combo
from playbooks.model import (AT_ROLES, ON_INVALID, SET_METHODS, Condition, FieldAddress,
                             FieldSpec, PressStep, SetStep)
from playbooks.node_words import _is_null, _line, _of, _quote_list, _suggest, closest
from playbooks.text import _, join

if TYPE_CHECKING:      # the checker this is mixed into (a base class would be circular)
    from playbooks.loader import _Checker as _Base
else:
    _Base = object

# Keys written beside `set:` in its step (the step's own keys, not inside a mapping).
SET_KEYS = ("at", "method", "readback", "options")
AT_KEYS = ("label", "role", "dx", "dy")
WHEN_KEYS = ("field", "is", "not")
# Every step kind may carry `when:` beside its action.
STEP_SIBLING_KEYS = ("when",)
MAX_OFFSET = 10000         # largest dx/dy, in pixels (as a click's)
_WHEN_EXAMPLE = "{field: marital_status, is: 已婚}"


def _is_key(text: str) -> bool:
    """Whether a press step's button is really a key name (tab, enter, ctrl+s): a button
    is named by its text, and 'tab' is far likelier a key step written with the wrong verb."""
    word = text.strip().lower()
    if word in NAMED_KEYS or word in ALIASES:
        return True
    if "+" not in word:
        return False
    try:
        parse_combo(word)
    except KeyNameError:
        return False
    return True


class AddressedSteps(_Base):
    """`set`, `press`, `when:` and `on_invalid` for the loader's checker."""

    def on_invalid(self, node: Node) -> str | None:
        what = _("'on_invalid'")
        return self.word(node, what, ON_INVALID, lambda value, hint: _(
            "{what} is '{value}', but must be field (a value that fails its check leaves only "
            "its own box empty) or fill (it stops the whole fill before anything is "
            "typed){suggestion}", what=what, value=value, suggestion=hint))

    # ------------------------------------------------------------------ set

    def step_set(self, n: int, knode: Node, node: Node, line: int,
                 beside: dict[str, tuple[Node, Node]]) -> SetStep | None:
        """`set: FIELD` with `at`, `method`, `readback` and `options` beside it."""
        what = _("the set action in step {n}", n=n)
        before = len(self.errors)
        if not isinstance(node, ScalarNode):
            self.error(node, _("{what} names the field to put in, e.g. '- set: applicant_name', "
                               "with at:, method:, readback: and options: on their own lines "
                               "beside it, not {found}", what=what, found=self.describe(node)))
            return None
        name, spec = self.declared_field(n, node, choosing=False, verb="set")
        if "at" not in beside:
            if not self.present(beside, "at", SET_KEYS):
                self.error(knode, _("{what} has no 'at'; say which box by its label on the "
                                    "form, e.g. 'at: 姓名' on the next line", what=what))
            at = None
        else:
            at = self.field_address(beside["at"][1], _of("at", what))
        method = "auto"
        if "method" in beside:
            mwhat = _of("method", what)
            method = self.word(beside["method"][1], mwhat, SET_METHODS, lambda m, hint: _(
                "{what} is '{method}', but must be auto, accessible or keys{suggestion}",
                what=mwhat, method=m, suggestion=hint))
        readback = True
        if "readback" in beside:
            readback = self.boolean(beside["readback"][1], _of("readback", what))
        options: dict[str, tuple[KeyCombo, ...]] = {}
        if "options" in beside:
            oknode, onode = beside["options"]
            if spec is not None and spec.type != "choice":
                self.error(oknode, _("{what} gives keys for the choices of a choice field, but "
                                     "field '{name}' is a {type} field; remove options",
                                     what=_of("options", what), name=name, type=spec.type))
            else:
                options = self.choice_options(n, oknode, onode, name, spec) or {}
        if name is None or at is None or len(self.errors) > before:
            return None
        return SetStep(field=name, at=at, method=method, readback=readback, options=options,
                       line=line)

    def field_address(self, node: Node, what: str) -> FieldAddress | None:
        """`at: 姓名` or `at: {label: 姓名, role: text, dx: 120, dy: 0}`."""
        if isinstance(node, ScalarNode) and not _is_null(node):
            label = self.text(node, what)
            return FieldAddress(label=label, line=_line(node)) if label is not None else None
        items = self.mapping(node, what, _("{label} or {mapping}", label="'at: 姓名'",
                                           mapping="'at: {label: 姓名, role: text}'"))
        if items is None:
            return None
        before = len(self.errors)
        self.unknown_keys(items, AT_KEYS, what)
        label = role = None
        if "label" in items:
            label = self.text(items["label"][1], _of("label", what))
        elif not self.present(items, "label", AT_KEYS):
            self.error(node, _("{what} has no 'label'; write the text printed next to the box, "
                               "e.g. {{label: 姓名}}", what=what))
        if "role" in items:
            rwhat = _of("role", what)
            role = self.word(items["role"][1], rwhat, AT_ROLES, lambda r, hint: _(
                "{what} is '{role}', but must be one of {roles}{suggestion}", what=rwhat,
                role=r, roles=join(AT_ROLES), suggestion=hint))
        dx, dy = None, 0
        if "dx" in items:
            dx = self.integer(items["dx"][1], _of("dx", what), -MAX_OFFSET, MAX_OFFSET)
        if "dy" in items:
            dy = self.integer(items["dy"][1], _of("dy", what), -MAX_OFFSET, MAX_OFFSET)
        if label is None or len(self.errors) > before:
            return None
        return FieldAddress(label=label, role=role, dx=dx, dy=dy or 0, line=_line(node))

    # ------------------------------------------------------------------ press

    def step_press(self, n: int, knode: Node, node: Node, line: int) -> PressStep | None:
        what = _("the press action in step {n}", n=n)
        if not isinstance(node, ScalarNode) or _is_null(node):
            self.error(node, _("{what} names the button to press by the text on it, e.g. "
                               "'- press: 提交', not {found}", what=what,
                               found=self.describe(node)))
            return None
        button = self.text(node, what)
        if button is not None and _is_key(button):
            self.error(node, _("{what} names '{button}', which is a key; press names a button by "
                               "its text (press: 提交), keys are pressed with key: {button}",
                               what=what, button=button))
            return None
        return PressStep(button=button, line=line) if button is not None else None

    # ------------------------------------------------------------------ when

    def condition(self, node: Node, n: int) -> Condition | None:
        """`when: {field: F, is: V}` / `is: [V, W]` / `not: …` on step `n`."""
        what = _("the 'when' of step {n}", n=n)
        items = self.mapping(node, what, _WHEN_EXAMPLE)
        if items is None:
            return None
        before = len(self.errors)
        self.unknown_keys(items, WHEN_KEYS, what)
        spec: FieldSpec | None = None
        name = None
        if "field" in items:
            fnode = items["field"][1]
            name = self.text(fnode, _of("field", what))
            if name is not None and self.fields_readable:
                if name not in self.fields:
                    self.error(fnode, _("{what} tests field '{name}', which is not declared in "
                                        "fields{suggestion}", what=what, name=name,
                                        suggestion=_suggest(name, list(self.fields))))
                    name = None
                else:
                    spec = self.fields[name]
        elif not self.present(items, "field", WHEN_KEYS):
            self.error(node, _("{what} has no 'field'; write {example}", what=what,
                               example=_WHEN_EXAMPLE))
        tests = [k for k in ("is", "not") if k in items]
        if len(tests) == 2:
            self.error(items["not"][0], _("{what} has both 'is' and 'not'; give one: the values "
                                          "the step runs for (is) or those it is skipped for "
                                          "(not)", what=what))
        elif not tests and not any(self.present(items, k, WHEN_KEYS) for k in ("is", "not")):
            self.error(node, _("{what} has neither 'is' nor 'not'; write {example}", what=what,
                               example=_WHEN_EXAMPLE))
        values: tuple[str, ...] = ()
        if tests:
            values = self.condition_values(items[tests[0]][1], _of(tests[0], what), spec)
        if name is None or len(tests) != 1 or len(self.errors) > before:
            return None
        return Condition(field=name, values=values, negate=tests[0] == "not", line=_line(node))

    def condition_values(self, node: Node, what: str,
                         spec: FieldSpec | None) -> tuple[str, ...]:
        """One value or a non-empty list; for a choice field each one of its choices."""
        if isinstance(node, SequenceNode):
            if not node.value:
                self.error(node, _("{what} is an empty list; give at least one value",
                                   what=what))
            items = node.value
        elif isinstance(node, MappingNode):
            self.error(node, _("{what} must be a value such as 已婚 or a list such as [已婚, "
                               "再婚], not {found}", what=what, found=self.describe(node)))
            return ()
        else:
            items = [node]
        values = []
        for item in items:
            value = self.text(item, what)
            if value is None:
                continue
            if spec is not None and spec.type == "choice" and value not in spec.choices:
                self.error(item, _("{what} is '{value}', which is not one of the choices of "
                                   "field '{name}' (the closest: {closest})", what=what,
                                   value=value, name=spec.name,
                                   closest=_quote_list(closest(value, spec.choices))))
                continue
            values.append(value)
        return tuple(values)
