"""The errors both accessibility backends raise, each with its one sentence, so that AT-SPI
and UI Automation refuse the same thing in the same words."""
from __future__ import annotations

from app.a11y.base import FormField, role_word
from app.desktop.base import WindowInfo
from app.errors import (ChoiceNotFoundError, FieldDisabledError, FieldRefusedError,
                        ForeignFieldError, StaleFieldError)
from app.i18n import _, join

SHOWN_CHOICES = 12      # a refusal lists at most this many items


def _label(field: FormField) -> str:
    return field.label or field.name


def foreign(window: WindowInfo, field: FormField) -> ForeignFieldError:
    return ForeignFieldError(_(
        "The field '{label}' belongs to another window, not to '{title}': nothing was done.",
        label=_label(field), title=window.title))


def other_process(window: WindowInfo, field: FormField) -> ForeignFieldError:
    return ForeignFieldError(_(
        "The field '{label}' is served by another process than '{title}': nothing was done.",
        label=_label(field), title=window.title))


def earlier_form(window: WindowInfo, field: FormField) -> StaleFieldError:
    return StaleFieldError(_(
        "The field '{label}' was read from an earlier form of '{title}': read the fields again.",
        label=_label(field), title=window.title))


def gone(window: WindowInfo, field: FormField) -> StaleFieldError:
    return StaleFieldError(_(
        "The field '{label}' is no longer in '{title}' (the window closed or rebuilt its form): "
        "nothing was done.", label=_label(field), title=window.title))


def wrong_role(field: FormField) -> FieldRefusedError:
    return FieldRefusedError(_(
        "The field '{label}' is a {role}, which cannot take that: nothing was done.",
        label=_label(field), role=role_word(field.role)))


def disabled(window: WindowInfo, field: FormField) -> FieldDisabledError:
    return FieldDisabledError(_("The field '{label}' is disabled in '{title}': nothing was done.",
                               label=_label(field), title=window.title))


def read_only(window: WindowInfo, field: FormField) -> FieldRefusedError:
    return FieldRefusedError(_("The field '{label}' is read-only in '{title}': nothing was typed.",
                               label=_label(field), title=window.title))


def keys_needed(window: WindowInfo, field: FormField) -> FieldRefusedError:
    return FieldRefusedError(_(
        "'{title}' does not take '{label}' through accessibility alone; keys are needed for it.",
        title=window.title, label=_label(field)))


def no_focus(window: WindowInfo, field: FormField) -> FieldRefusedError:
    return FieldRefusedError(_("Focus could not be put on '{label}' in '{title}': nothing was "
                               "typed.", label=_label(field), title=window.title))


def not_a_choice(window: WindowInfo, field: FormField, item: str,
                 names: list[str]) -> ChoiceNotFoundError:
    shown = names[:SHOWN_CHOICES]
    more = len(names) - len(shown)
    listed = join(shown) + (_(" and {n} more", n=more) if more > 0 else "")
    return ChoiceNotFoundError(_(
        "'{item}' is not a choice of '{label}' in '{title}'; its choices are: {choices}.",
        item=item, label=_label(field), title=window.title, choices=listed), choices=names)


def not_taken(window: WindowInfo, field: FormField, item: str) -> FieldRefusedError:
    return FieldRefusedError(_("'{label}' in '{title}' did not take '{item}'.",
                               label=_label(field), title=window.title, item=item))


def not_selected(window: WindowInfo, field: FormField) -> FieldRefusedError:
    return FieldRefusedError(_("'{label}' in '{title}' could not be selected.",
                               title=window.title, label=field.name))


def unchanged(window: WindowInfo, field: FormField) -> FieldRefusedError:
    return FieldRefusedError(_("'{label}' in '{title}' did not change.", title=window.title,
                               label=_label(field)))


def not_pressed(window: WindowInfo, field: FormField) -> FieldRefusedError:
    return FieldRefusedError(_("'{title}' did not press '{label}'.", title=window.title,
                               label=_label(field)))
