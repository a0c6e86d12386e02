"""A form model (form.yaml) written from a live window's accessibility tree: each box's
label, role, choices and their order, in the tree's order, and the box that has focus now.
`deskhand test PLAYBOOK --record-form TITLE` writes it beside the playbook's samples; the
recorder (recorders/) can call `form_from_window` for the window it watched.

The tree's order is taken as the tab order (true of forms laid out top to bottom, such
as both sample clients); a form whose tab order differs must be corrected by hand.
Radios are recorded with `arrows: check`, the way Qt, GTK and browsers move them.
"""
from __future__ import annotations

from app.a11y.base import (BUTTON, CHECK, COMBO, LIST, PASSWORD, RADIO, Accessibility, FormField,
                           empty_item, label_key)
from app.desktop.base import WindowInfo
from app.errors import NotExposedError
from app.golden.form_model import FormBox, FormModel
from app.i18n import _

__all__ = ["form_from_fields", "form_from_window"]


def form_from_window(a11y: Accessibility, window: WindowInfo) -> FormModel:
    fields = a11y.fields(window, refresh=True)
    if not fields:
        raise NotExposedError(a11y.why_not(window) or _(
            "The window '{title}' shows no fields to accessibility, so its form cannot be "
            "recorded; write form.yaml by hand (playbooks/README.md, \"Samples\").",
            title=window.title))
    items = getattr(a11y, "items", None)
    focused = a11y.focused(window)

    def choices(f: FormField) -> tuple[str, ...]:
        return tuple(empty_item(t) for t in items(window, f)) if items else ()

    return form_from_fields(fields, choices, focused, window.title)


def form_from_fields(fields: list[FormField], choices, focused: FormField | None,
                     title: str = "") -> FormModel:
    """`choices(field)` gives a combo's items in order."""
    boxes: list[FormBox] = []
    for f in sorted(fields, key=lambda f: f.index):
        if f.role == RADIO:
            if boxes and boxes[-1].role == "radio" and boxes[-1].key == f.key:
                last = boxes[-1]
                boxes[-1] = FormBox(last.label, "radio", (*last.choices, label_key(f.name)))
            else:
                boxes.append(FormBox(f.key, "radio", (label_key(f.name),)))
        elif f.role in (COMBO, LIST):
            boxes.append(FormBox(f.key, "combo", tuple(choices(f))))
        elif f.role == CHECK:
            boxes.append(FormBox(f.key or label_key(f.name), "check"))
        elif f.role == BUTTON:
            boxes.append(FormBox(label_key(f.name) or f.key, "button"))
        elif f.role in (PASSWORD, "text"):
            boxes.append(FormBox(f.key, "text", multiline=f.multiline))
    boxes = [b for b in boxes if b.label]
    focus = (focused.key if focused is not None and focused.role != BUTTON else
             label_key(focused.name) if focused is not None else "") or \
        (boxes[0].label if boxes else "")
    return FormModel(tuple(boxes), focus, title)
