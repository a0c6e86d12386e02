"""What a key press on X11 means: a character, or a key in the playbook vocabulary
(playbooks/keys.py), and the keyboard mapping as it is at that very press.

Pure logic, unit-tested without a display. Why the mapping is tracked here rather than read
from the server: xdotool (and Deskhand's own X11 backend) type a Chinese character by
binding a spare keycode to its keysym, pressing it, and binding the next character to the
same keycode a few milliseconds later. By the time a listener asked the server, the keycode
would mean another character. The listener therefore also records the ChangeKeyboardMapping
requests, in the server's own order between the key events, and applies them to this copy.
"""
from __future__ import annotations

import struct
import unicodedata

from app.desktop.x11_keymap import MODIFIER_KEYSYMS, NAMED_KEYSYMS
from recorders.raw_input import Press

# X core request opcode of ChangeKeyboardMapping (X11 protocol, section 9).
CHANGE_KEYBOARD_MAPPING = 100

SHIFT_MASK, LOCK_MASK, CONTROL_MASK, MOD1_MASK, MOD4_MASK = 1, 2, 4, 8, 64

_NAMES = {sym: name for name, sym in NAMED_KEYSYMS.items() if name != "space"}
_NAMES.update({0xFF8D: "enter", 0xFF89: "tab", 0xFE20: "tab",   # KP_Enter, KP_Tab, ISO_Left_Tab
               0xFF95: "home", 0xFF96: "left", 0xFF97: "up", 0xFF98: "right", 0xFF99: "down",
               0xFF9A: "pageup", 0xFF9B: "pagedown", 0xFF9C: "end", 0xFF9E: "insert",
               0xFF9F: "delete"})
# Keypad characters (with Num Lock on the keypad sends these keysyms).
_KEYPAD = {0xFFAA: "*", 0xFFAB: "+", 0xFFAD: "-", 0xFFAE: ".", 0xFFAF: "/", 0xFF80: " ",
           **{0xFFB0 + i: str(i) for i in range(10)}}
# Modifier and lock keys: never an event of their own (Shift_L/R, Control_L/R, Caps_Lock,
# Shift_Lock, Meta_L/R, Alt_L/R, Super_L/R, Hyper_L/R, ISO_Level3_Shift, Mode_switch…).
_MODIFIERS = set(MODIFIER_KEYSYMS.values()) | set(range(0xFFE1, 0xFFEF)) | {
    0xFE03, 0xFF7E, 0xFF7F, 0xFE08, 0xFE11}


def keysym_char(keysym: int) -> str | None:
    """The character a keysym types: Latin-1 keysyms are their code point, Unicode keysyms
    0x01000000 + code point (beyond the BMP too: 𠀾 is 0x0102003E), keypad digits and signs
    their character; None for a key that types nothing (Tab, F1, Shift…) or a control
    character."""
    if 0x20 <= keysym <= 0x7E or 0xA0 <= keysym <= 0xFF:
        return chr(keysym)
    if keysym in _KEYPAD:
        return _KEYPAD[keysym]
    if 0x01000000 <= keysym <= 0x0110FFFF:
        ch = chr(keysym - 0x01000000)
        if 0xD800 <= ord(ch) <= 0xDFFF or unicodedata.category(ch) == "Cc":
            return None
        return ch
    return None


def key_name(keysym: int) -> str | None:
    """The playbook name of a key that is not text (tab, enter, left, f5…); None if it
    has none (a modifier, a character)."""
    return _NAMES.get(keysym)


def is_modifier(keysym: int) -> bool:
    return keysym in _MODIFIERS


def held(state: int) -> tuple[str, ...]:
    """Modifiers held, in the vocabulary's order (ctrl, shift, alt, super)."""
    out = []
    for mask, name in ((CONTROL_MASK, "ctrl"), (SHIFT_MASK, "shift"), (MOD1_MASK, "alt"),
                       (MOD4_MASK, "super")):
        if state & mask:
            out.append(name)
    return tuple(out)


def understand(keysym: int, state: int) -> Press:
    """The meaning of a press of `keysym` with the modifier `state` of the event.
    A character typed with only Shift is text; with Ctrl, Alt or Super it is a combination
    named by its lower-case character ('ctrl+a', 'ctrl+shift+z')."""
    if is_modifier(keysym) or keysym == 0:
        return Press()
    mods = held(state)
    name = key_name(keysym)
    if name is not None:
        return Press(key="+".join((*mods, name)))
    ch = keysym_char(keysym)
    if ch is None:
        return Press()
    if not set(mods) - {"shift"}:
        return Press(text=ch)
    base = "space" if ch == " " else ch.lower()
    return Press(key="+".join((*mods, base)))


class KeyboardMapping:
    """The core keyboard mapping (keycode → keysyms), kept up to date from the recorded
    ChangeKeyboardMapping requests."""

    def __init__(self, min_keycode: int, rows: list[list[int]]) -> None:
        self.min_keycode = min_keycode
        self.rows: dict[int, list[int]] = {min_keycode + i: list(r) for i, r in enumerate(rows)}

    def keysym(self, keycode: int, state: int) -> int:
        """The keysym a press of `keycode` gives with `state` (group 1: plain or Shift;
        Caps Lock upper-cases a letter)."""
        row = self.rows.get(keycode) or []
        plain = row[0] if row else 0
        shifted = row[1] if len(row) > 1 and row[1] else 0
        if not shifted and plain:
            # a keycode bound to one keysym (xdotool binds one, or the same twice)
            lower, upper = _case_pair(plain)
            shifted = upper if upper != lower else plain
        sym = shifted if state & SHIFT_MASK else plain
        if state & LOCK_MASK and not state & SHIFT_MASK:
            lower, upper = _case_pair(plain)
            if upper != lower:
                sym = upper
        return sym

    def change(self, first: int, per_keycode: int, keysyms: list[int]) -> None:
        for i in range(0, len(keysyms) // max(1, per_keycode)):
            self.rows[first + i] = list(keysyms[i * per_keycode:(i + 1) * per_keycode])

    def apply_request(self, data: bytes, swapped: bool) -> int:
        """Apply every ChangeKeyboardMapping request in a block of recorded client
        requests; the number applied. Other requests are skipped by their length."""
        applied, pos, order = 0, 0, ">" if swapped ^ (struct.pack("=H", 1) == b"\x00\x01") else "<"
        while pos + 4 <= len(data):
            opcode, count = data[pos], data[pos + 1]
            (length,) = struct.unpack_from(order + "H", data, pos + 2)
            size = max(1, length) * 4
            if opcode == CHANGE_KEYBOARD_MAPPING and pos + 8 <= len(data):
                first, per = data[pos + 4], data[pos + 5]
                n = count * per
                if pos + 8 + 4 * n <= len(data):
                    syms = list(struct.unpack_from(f"{order}{n}I", data, pos + 8))
                    self.change(first, per, syms)
                    applied += 1
            pos += size
        return applied


def _case_pair(keysym: int) -> tuple[int, int]:
    """(lower, upper) keysyms of a letter; (keysym, keysym) for anything else."""
    ch = keysym_char(keysym)
    if ch is None or len(ch.lower()) != 1 or len(ch.upper()) != 1 or ch.lower() == ch.upper():
        return keysym, keysym
    def sym(c: str) -> int:
        cp = ord(c)
        return cp if (0x20 <= cp <= 0x7E or 0xA0 <= cp <= 0xFF) else 0x01000000 + cp
    return sym(ch.lower()), sym(ch.upper())
