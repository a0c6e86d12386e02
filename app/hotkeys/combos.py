"""Hotkey combinations: checking a setting such as "Ctrl+Alt+C", showing it the
way a clerk reads it, the table of registered hotkeys every backend keeps, and
the conflict message with a combination to try instead.

Parsing is playbooks/keys.py's parse_combo, the same one playbooks use.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from app.errors import HotkeyConflictError, HotkeyError
from app.i18n import N_, _, sentences
from playbooks.keys import KeyCombo, KeyNameError, parse_combo

# Keys that may be a hotkey on their own or with Shift only: no program types them,
# so grabbing them system-wide takes nothing away from the clerk's typing.
STANDALONE_KEYS = frozenset({*(f"f{i}" for i in range(1, 13)), "pause", "printscreen"})

_SHOWN_MODIFIERS = {"ctrl": "Ctrl", "alt": "Alt", "shift": "Shift", "super": "Win"}
_SHOWN_KEYS = {"esc": "Esc", "pageup": "PageUp", "pagedown": "PageDown", "capslock": "CapsLock",
               "numlock": "NumLock", "printscreen": "PrintScreen", "backspace": "Backspace"}


# What each hotkey does, as messages name it ("the hotkey for capture").
HOTKEY_NAMES = {"capture": N_("capture"), "fill": N_("fill"), "abort": N_("abort")}


def hotkey_name(name: str) -> str:
    """"capture" as a clerk reads it in the current language (采集); other names as given."""
    return _(HOTKEY_NAMES[name]) if name in HOTKEY_NAMES else name


def show_combo(combo: KeyCombo) -> str:
    """"Ctrl+Alt+C", "Ctrl+Alt+Esc", "Shift+F5": how the settings and messages show it."""
    key = combo.key
    shown = _SHOWN_KEYS.get(key) or (key.upper() if len(key) == 1 or key[0] == "f" else key.title())
    return "+".join([*(_SHOWN_MODIFIERS[m] for m in combo.modifiers), shown])


def parse_hotkey(text: str, name: str) -> KeyCombo:
    """The KeyCombo for a hotkey setting; HotkeyError naming it when it cannot be one."""
    try:
        combo = parse_combo(text)
    except KeyNameError as exc:
        raise HotkeyError(_("The hotkey '{text}' for {name} cannot be used: {reason}. Write it "
                            "like Ctrl+Alt+C.", text=text, name=hotkey_name(name),
                            reason=exc)) from None
    if not set(combo.modifiers) - {"shift"} and combo.key not in STANDALONE_KEYS:
        raise HotkeyError(_("The hotkey '{text}' for {name} has no Ctrl, Alt or Win: it would "
                            "take that key away from every program. Use e.g. {example}.",
                            text=text, name=hotkey_name(name),
                            example=show_combo(KeyCombo(('ctrl', 'alt'), combo.key))))
    return combo


def suggest(combo: KeyCombo, is_free: Callable[[KeyCombo], bool]) -> KeyCombo | None:
    """A combination close to `combo` (one more modifier) that `is_free` accepts."""
    for extra in ("shift", "alt", "ctrl"):
        if extra not in combo.modifiers:
            candidate = parse_combo("+".join((*combo.modifiers, extra, combo.key)))
            if is_free(candidate):
                return candidate
    return None


def conflict_error(name: str, combo: KeyCombo, suggestion: KeyCombo | None) -> HotkeyConflictError:
    shown = show_combo(combo)
    tip = (_("Choose another in Settings, for example {combo}, or close the program that uses "
             "it.", combo=show_combo(suggestion)) if suggestion else
           _("Choose another combination in Settings, or close the program that uses it."))
    return HotkeyConflictError(
        sentences([_("{combo} is already taken by another program, so it cannot be Deskhand's "
                     "hotkey for {name}.", combo=shown, name=hotkey_name(name)), tip]),
        name=name, combo=shown, suggestion=show_combo(suggestion) if suggestion else None)


@dataclass(frozen=True)
class Hotkey:
    name: str                    # what it does: "capture", "fill", "abort"
    combo: KeyCombo
    callback: Callable[[], None]


class HotkeyTable:
    """The registered hotkeys of one backend, by name; safe to read from any thread."""

    def __init__(self) -> None:
        self._by_name: dict[str, Hotkey] = {}
        self._lock = threading.Lock()

    def check(self, name: str, text: str) -> KeyCombo:
        """Parse `text`; HotkeyConflictError if another of our hotkeys already has it."""
        combo = parse_hotkey(text, name)
        with self._lock:
            other = next((h.name for h in self._by_name.values()
                          if h.combo == combo and h.name != name), None)
        if other is not None:
            shown = show_combo(combo)
            raise HotkeyConflictError(_(
                "{combo} is already Deskhand's hotkey for {other}; choose a different one for "
                "{name} in Settings.", combo=shown, other=hotkey_name(other),
                name=hotkey_name(name)), name=name, combo=shown)
        return combo

    def put(self, hotkey: Hotkey) -> None:
        with self._lock:
            self._by_name[hotkey.name] = hotkey

    def pop(self, name: str) -> Hotkey | None:
        with self._lock:
            return self._by_name.pop(name, None)

    def clear(self) -> None:
        with self._lock:
            self._by_name.clear()

    def get(self, name: str) -> Hotkey | None:
        with self._lock:
            return self._by_name.get(name)

    def hotkeys(self) -> list[Hotkey]:
        with self._lock:
            return list(self._by_name.values())

    def shown(self) -> dict[str, str]:
        return {h.name: show_combo(h.combo) for h in self.hotkeys()}
