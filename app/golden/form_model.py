"""The target model: a form described in `samples/<playbook id>/form.yaml`, so that a
playbook's fill can be replayed without a live window (app/golden/simulate.py).

    form = load_form(path)           PlaybookError (file:line) when malformed
    text = dump_form(form)           YAML, as `deskhand test --record-form` writes it

form.yaml (playbooks/README.md, "Samples"):

    form: 1
    window: 城市审批系统 - 受理登记      # where it was recorded (for people)
    focus: 申请人姓名                  # the box that has focus when the form opens
    boxes:                            # in tab order
      - {label: 申请人姓名, role: text}
      - {label: 性别, role: radio, choices: [男, 女]}
      - {label: 办理事项, role: combo, choices: ["", 公积金提取, 不动产登记]}
      - {label: 备注, role: text, multiline: true}
      - {label: 保存, role: button}

A radio group is one tab stop (as in both sample clients); `arrows: check` (default) means
an arrow key moves to the next button and checks it, wrapping round; `arrows: focus`
means it only moves focus, and then the simulator cannot say which button space checks
later, so it reports that key as beyond the model. A combo's first choice "" is the empty
item shown before anything is chosen (（请选择）).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from app.a11y.base import label_key, role_word
from app.errors import PlaybookError
from app.golden.yaml_nodes import fail, mapping, read_nodes, sequence, text
from app.i18n import _, join

__all__ = ["FormBox", "FormModel", "load_form", "dump_form", "BOX_ROLES", "FORM_VERSION"]

FORM_VERSION = 1
BOX_ROLES = ("text", "radio", "combo", "check", "button")
TOP_KEYS = ("form", "window", "focus", "boxes")
BOX_KEYS = ("label", "role", "choices", "multiline", "arrows")
ARROWS = ("check", "focus")


@dataclass(frozen=True)
class FormBox:
    label: str
    role: str = "text"
    choices: tuple[str, ...] = ()
    multiline: bool = False
    arrows: str = "check"
    line: int = 0

    @property
    def key(self) -> str:
        return label_key(self.label)


@dataclass(frozen=True)
class FormModel:
    boxes: tuple[FormBox, ...]
    focus: str
    window: str = ""
    path: str = ""

    def index(self, label: str) -> int | None:
        want = label_key(label)
        found = [i for i, b in enumerate(self.boxes) if b.key == want]
        return found[0] if len(found) == 1 else None


def load_form(path: Path) -> FormModel:
    root = read_nodes(path)
    top = mapping(root, path, TOP_KEYS, _("the form model"))
    if "boxes" not in top or "focus" not in top:
        raise fail(path, root, _("the form model needs 'boxes' (in tab order) and 'focus' (the "
                                 "label of the box that has focus at start)"))
    version = text(top["form"], path, "'form'") if "form" in top else str(FORM_VERSION)
    if version != str(FORM_VERSION):
        raise fail(path, top["form"], _("form model version {version} is not known; this "
                                        "Deskhand reads version {known}", version=version,
                                        known=FORM_VERSION))
    boxes: list[FormBox] = []
    for node in sequence(top["boxes"], path, "'boxes'"):
        boxes.append(_box(node, path))
    if not boxes:
        raise fail(path, top["boxes"], _("'boxes' lists no box"))
    seen: dict[str, FormBox] = {}
    for b in boxes:
        if b.key in seen:
            raise PlaybookError(str(path), b.line, _("two boxes are labelled '{label}' (the "
                                                     "other on line {line}); give each its own "
                                                     "label", label=b.label,
                                                     line=seen[b.key].line))
        seen[b.key] = b
    form = FormModel(tuple(boxes), text(top["focus"], path, "'focus'"),
                     text(top["window"], path, "'window'", allow_null=True)
                     if "window" in top else "", str(path))
    if form.index(form.focus) is None:
        raise fail(path, top["focus"], _("'focus' names '{label}', which is not one of the "
                                         "boxes: {labels}", label=form.focus,
                                         labels=join(b.label for b in boxes)))
    return form


def _box(node, path: Path) -> FormBox:
    items = mapping(node, path, BOX_KEYS, _("a box of the form"))
    if "label" not in items:
        raise fail(path, node, _("each box needs its 'label', as the form shows it"))
    label = text(items["label"], path, "'label'")
    role = text(items["role"], path, "'role'") if "role" in items else "text"
    if role not in BOX_ROLES:
        raise fail(path, items["role"], _("the role '{role}' is not known; use one of: {roles}",
                                          role=role, roles=join(BOX_ROLES)))
    choices: tuple[str, ...] = ()
    if "choices" in items:
        choices = tuple(text(n, path, "'choices'", allow_null=True)
                        for n in sequence(items["choices"], path, "'choices'"))
    if role in ("radio", "combo") and not choices:
        raise fail(path, node, _("the {role} '{label}' needs its 'choices', in the order the "
                                 "form shows them", role=role_word(role), label=label))
    arrows = text(items["arrows"], path, "'arrows'") if "arrows" in items else "check"
    if arrows not in ARROWS:
        raise fail(path, items["arrows"], _("'arrows' is 'check' or 'focus', not '{value}'",
                                            value=arrows))
    multiline = "multiline" in items and text(items["multiline"], path, "'multiline'") == "true"
    return FormBox(label, role, choices, multiline, arrows, node.start_mark.line + 1)


_PLAIN = re.compile(r"[^\s,\[\]{}:#&*!|>'\"%@`?-][^,\[\]{}:#]*")


def _scalar(value: str) -> str:
    """A value as YAML text in a flow list: plain where it reads back as the same text,
    else in JSON's double quotes (valid YAML)."""
    import yaml
    plain = (_PLAIN.fullmatch(value) and value == value.strip()
             and yaml.safe_load(value) == value)
    return value if plain else json.dumps(value, ensure_ascii=False)


def dump_form(form: FormModel, comment: str = "") -> str:
    lines = [f"# {line}" for line in comment.splitlines()]
    lines += [f"form: {FORM_VERSION}"]
    if form.window:
        lines.append(f"window: {_scalar(form.window)}")
    lines += [f"focus: {_scalar(form.focus)}", "boxes:"]
    for b in form.boxes:
        parts = [f"label: {_scalar(b.label)}", f"role: {b.role}"]
        if b.choices:
            parts.append("choices: [" + ", ".join(_scalar(c) for c in b.choices) + "]")
        if b.multiline:
            parts.append("multiline: true")
        if b.arrows != "check":
            parts.append(f"arrows: {b.arrows}")
        lines.append("  - {" + ", ".join(parts) + "}")
    return "\n".join(lines) + "\n"
