"""Key names a playbook may use, and parsing of combinations like `ctrl+shift+tab`.

Backends map these platform-neutral names to keysyms (X11) or virtual-key codes
(Windows); the loader uses them to reject an unknown key with its line number.
"""
from __future__ import annotations

from dataclasses import dataclass

from playbooks.text import _, join

MODIFIERS: dict[str, str] = {
    "ctrl": "ctrl", "control": "ctrl",
    "shift": "shift",
    "alt": "alt",
    "super": "super", "win": "super", "meta": "super", "cmd": "super",
}

NAMED_KEYS: frozenset[str] = frozenset({
    "tab", "enter", "return", "esc", "escape", "space", "backspace", "delete",
    "insert", "home", "end", "pageup", "pagedown", "up", "down", "left", "right",
    "f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9", "f10", "f11", "f12",
    "menu", "capslock", "numlock", "pause", "printscreen",
})

# Aliases folded to one canonical name so backends need one table each.
ALIASES: dict[str, str] = {"return": "enter", "escape": "esc", "del": "delete",
                           "pgup": "pageup", "pgdn": "pagedown", "ins": "insert"}


@dataclass(frozen=True)
class KeyCombo:
    """A key pressed with modifiers held, e.g. ctrl+a -> KeyCombo(("ctrl",), "a")."""

    modifiers: tuple[str, ...]
    key: str

    def __str__(self) -> str:
        return "+".join((*self.modifiers, self.key))


class KeyNameError(ValueError):
    """Why a text is not a key combination: a clause in the reader's language, without a
    full stop (callers put it after "is not a key: " or in their own sentence)."""


def parse_combo(text: str) -> KeyCombo:
    """Parse `ctrl+a`, `Shift+Tab`, `f5`, `a`. Raises KeyNameError with a readable reason."""
    if not isinstance(text, str) or not text.strip():
        raise KeyNameError(_("a key name must be a non-empty string such as 'tab' or 'ctrl+a'"))
    parts = [p.strip().lower() for p in text.split("+")]
    if text.strip().endswith("++"):  # "ctrl++" means ctrl and the plus key
        parts = parts[:-2] + ["+"]
    if any(not p for p in parts):
        raise KeyNameError(_("'{text}' has an empty part; write combinations like 'ctrl+a'",
                             text=text))
    *mods, key = parts
    canon_mods: list[str] = []
    for m in mods:
        if m not in MODIFIERS:
            raise KeyNameError(_("'{modifier}' in '{text}' is not a modifier (ctrl, shift, alt, "
                                 "super)", modifier=m, text=text))
        cm = MODIFIERS[m]
        if cm not in canon_mods:
            canon_mods.append(cm)
    key = ALIASES.get(key, key)
    if key in MODIFIERS:
        raise KeyNameError(_("'{text}' ends in a modifier; name the key to press with it",
                             text=text))
    if key not in NAMED_KEYS and len(key) != 1:
        raise KeyNameError(_("'{key}' is not a key name; use one character or one of: {keys}",
                             key=key, keys=join(sorted(NAMED_KEYS - set(ALIASES)))))

    order = ["ctrl", "alt", "shift", "super"]
    return KeyCombo(tuple(sorted(canon_mods, key=order.index)), key)
