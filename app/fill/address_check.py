"""`deskhand check PLAYBOOK --window TITLE`: with the target window open, what each `set`
and `press` step of a playbook finds in the window's accessibility tree — the box (its role
and how its label was tied: name, labelled-by or geometry), or that the fill will click
next to the label on screen and type, and why.

Qt-free and headless: the window and the backend come in; rows come out for the command
line to print.
"""
from __future__ import annotations

import fnmatch
from dataclasses import dataclass

from app.a11y.base import BUTTON, RADIO, Accessibility, FormField, label_key, role_word
from app.a11y.doctor import pick_window
from app.desktop.base import Desktop, WindowInfo
from app.errors import UsageError
from app.i18n import _, join
from playbooks.model import Playbook, PressStep, SetStep

_GLOB = "*?["


@dataclass
class AddressRow:
    step: int                  # 0-based
    kind: str                  # set | press
    field: str | None
    label: str                 # the label (or button name) looked for
    found: bool                # the fill will go through the tree
    sentence: str              # what was found, or why the fill will click and type


def find_window(desktop: Desktop, title: str) -> WindowInfo:
    """The window named by `title`: a glob (城市审批*) matched against whole titles, else
    the title or a part of it (as `deskhand doctor --window`)."""
    if not any(c in title for c in _GLOB):
        return pick_window(desktop, title)
    windows = [w for w in desktop.list_windows() if w.title]
    hits = [w for w in windows if fnmatch.fnmatchcase(w.title, title)]
    if len(hits) == 1:
        return hits[0]
    if not hits:
        raise UsageError(_("No window's title matches '{title}'; open windows: {titles}.",
                           title=title, titles=join([w.title for w in windows][:12])))
    raise UsageError(_("Several windows' titles match '{title}': {titles}; give more of the "
                       "title.", title=title, titles=join([w.title for w in hits][:12])))


def _tied(f: FormField) -> str:
    return _("{role}, label by {how}", role=role_word(f.role), how=f.label_source or "-")


def _state(f: FormField) -> str:
    """', greyed out now' for a box not enabled at the moment (配偶姓名 before 已婚)."""
    return "" if f.enabled else _(", greyed out now")


def _set_row(i: int, step: SetStep, pb: Playbook, fields: list[FormField],
             why_keys: str) -> AddressRow:
    label, role = step.at.label, step.at.role
    row = AddressRow(i, "set", step.field, label, False, "")
    if step.method == "keys":
        row.sentence = _("method keys: the fill will click next to '{label}' on screen and "
                         "type.", label=label)
        return row
    want = label_key(label)
    boxes = [f for f in fields if f.role not in (RADIO, BUTTON) and f.key == want
             and (role is None or f.role == role)]
    radios = [f for f in fields if f.role == RADIO and f.key == want] \
        if role in (None, RADIO) else []
    if len(boxes) == 1 and not radios:
        f = boxes[0]
        row.found = True
        row.sentence = _("found: {how}{state}.", how=_tied(f), state=_state(f))
    elif radios and not boxes:
        choices = pb.field_spec(step.field).choices
        names = [label_key(r.name) for r in radios]
        missing = [c for c in choices if label_key(c) not in names]
        if missing:
            row.sentence = _("a radio group '{label}' is there, but without {missing} (it has "
                             "{names}).", label=label, missing=join(missing), names=join(names))
        else:
            row.found = True
            row.sentence = _("found: a group of {n} radio buttons ({names}), label by "
                             "{how}{state}.", n=len(radios), names=join(names),
                             how=radios[0].label_source or "-", state=_state(radios[0]))
    elif boxes or radios:
        row.sentence = _("{n} widgets are labelled '{label}' ({roles}); narrow it with "
                         "at: {{label: {label}, role: …}}.", n=len(boxes) + len(radios),
                         label=label,
                         roles=join(dict.fromkeys(role_word(f.role) for f in boxes + radios)))
    else:
        row.sentence = why_keys or _("no box labelled '{label}' in the accessibility tree.",
                                     label=label)
    if not row.found:
        row.sentence = (_("{why} The fill will leave it empty (method accessible).",
                          why=row.sentence) if step.method == "accessible" else
                        _("{why} The fill will click next to '{label}' on screen and type.",
                          why=row.sentence, label=label))
    return row


def _press_row(i: int, step: PressStep, fields: list[FormField], why_keys: str) -> AddressRow:
    want = label_key(step.button)
    buttons = [f for f in fields if f.role == BUTTON and label_key(f.name or f.label) == want]
    if len(buttons) == 1:
        return AddressRow(i, "press", None, step.button, True,
                          _("found: {role}{state}.", role=role_word(BUTTON),
                            state=_state(buttons[0])))
    why = (_("{n} buttons are named '{name}'.", n=len(buttons), name=step.button) if buttons
           else why_keys or _("no button named '{name}' in the accessibility tree.",
                              name=step.button))
    return AddressRow(i, "press", None, step.button, False,
                      _("{why} The fill will click on '{name}' on screen.", why=why,
                        name=step.button))


def check_addresses(pb: Playbook, window: WindowInfo,
                    a11y: Accessibility | None, unavailable: str = "") -> list[AddressRow]:
    """A row for every set and press step of `pb`, looked up in `window`'s tree once
    (`a11y` None: no backend, `unavailable` says why)."""
    fields: list[FormField] = []
    why_keys = unavailable
    if a11y is not None:
        fields = a11y.fields(window, refresh=True)
        if not fields:
            why_keys = a11y.why_not(window) or _("'{title}' shows no fields to "
                                                 "accessibility.", title=window.title)
    rows = []
    for i, step in enumerate(pb.steps):
        if isinstance(step, SetStep):
            rows.append(_set_row(i, step, pb, fields, why_keys))
        elif isinstance(step, PressStep):
            rows.append(_press_row(i, step, fields, why_keys))
    return rows
