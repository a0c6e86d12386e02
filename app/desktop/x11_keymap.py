"""Which keystrokes produce which characters on the current X keyboard layout,
and a small pool of spare keycodes for characters the layout lacks.

Pure logic over the core keyboard mapping (a list of keysym lists), so it is
unit-tested without a display. DESIGN.md §5: remapping one spare keycode per
character faster than clients re-read the mapping garbles text; the pool
therefore never reuses a keycode until the target has provably caught up (a
sync point such as a read-back) or a safety gap has passed.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

# Keysyms for the names in playbooks/keys.py (X11 keysymdef.h).
NAMED_KEYSYMS: dict[str, int] = {
    "tab": 0xFF09, "enter": 0xFF0D, "esc": 0xFF1B, "space": 0x0020, "backspace": 0xFF08,
    "delete": 0xFFFF, "insert": 0xFF63, "home": 0xFF50, "end": 0xFF57, "pageup": 0xFF55,
    "pagedown": 0xFF56, "up": 0xFF52, "down": 0xFF54, "left": 0xFF51, "right": 0xFF53,
    "menu": 0xFF67, "capslock": 0xFFE5, "numlock": 0xFF7F, "pause": 0xFF13,
    "printscreen": 0xFF61,
    **{f"f{i}": 0xFFBE + i - 1 for i in range(1, 13)},
}
MODIFIER_KEYSYMS: dict[str, int] = {
    "shift": 0xFFE1, "ctrl": 0xFFE3, "alt": 0xFFE9, "super": 0xFFEB,
}
NO_SYMBOL = 0


def char_keysym(ch: str) -> int:
    """The keysym that types `ch`: Latin-1 keysyms equal the code point; every
    other character has the Unicode keysym 0x01000000 + code point."""
    cp = ord(ch)
    if ch == "\n":
        return NAMED_KEYSYMS["enter"]
    if ch == "\t":
        return NAMED_KEYSYMS["tab"]
    if 0x20 <= cp <= 0x7E or 0xA0 <= cp <= 0xFF:
        return cp
    return 0x01000000 + cp


@dataclass(frozen=True)
class Stroke:
    keycode: int
    shift: bool = False


class Keymap:
    """Lookup from keysym to the keycode (and shift level) that produces it."""

    def __init__(self, min_keycode: int, mapping: list[list[int]],
                 modifier_keycodes: set[int]) -> None:
        self.min_keycode = min_keycode
        self._by_sym: dict[int, Stroke] = {}
        self.spare: list[int] = []
        for offset, syms in enumerate(mapping):
            code = min_keycode + offset
            if code in modifier_keycodes:
                if any(syms):
                    for level in (0, 1):
                        if level < len(syms) and syms[level]:
                            self._by_sym.setdefault(syms[level], Stroke(code, level == 1))
                continue
            if not any(syms):
                self.spare.append(code)
                continue
            # Only group 1, levels 1 and 2 (plain and shifted): AltGr levels vary by layout.
            for level in (0, 1):
                if level < len(syms) and syms[level]:
                    self._by_sym.setdefault(syms[level], Stroke(code, level == 1))

    def stroke(self, keysym: int) -> Stroke | None:
        return self._by_sym.get(keysym)

    def has_char(self, ch: str) -> bool:
        return char_keysym(ch) in self._by_sym

    def missing_chars(self, text: str) -> list[str]:
        """Distinct characters of `text` the layout cannot type, in order of appearance."""
        seen: dict[str, None] = {}
        for ch in text:
            if not self.has_char(ch):
                seen.setdefault(ch, None)
        return list(seen)


@dataclass
class _Slot:
    keycode: int
    keysym: int = NO_SYMBOL
    last_used: float = 0.0
    settled: bool = True     # the target has processed every use of this slot


@dataclass
class KeycodePool:
    """Binds characters the layout lacks to spare keycodes, one distinct keycode
    per distinct character, reusing a keycode only when that cannot race."""

    keycodes: list[int]
    reuse_gap_s: float = 0.25
    clock: Callable[[], float] = time.monotonic
    slots: list[_Slot] = field(init=False)

    def __post_init__(self) -> None:
        self.slots = [_Slot(code) for code in self.keycodes]

    def __len__(self) -> int:
        return len(self.slots)

    def lookup(self, keysym: int) -> int | None:
        for slot in self.slots:
            if slot.keysym == keysym:
                return slot.keycode
        return None

    def plan(self, keysyms: list[int]) -> tuple[list[tuple[int, int]], float]:
        """Choose keycodes for `keysyms` that are not yet bound.

        Returns the (keycode, keysym) bindings to make and how long to wait
        before making them (0 when every chosen slot is safe to rebind).
        """
        now = self.clock()
        bindings: list[tuple[int, int]] = []
        wait = 0.0
        # Slots already holding a wanted character are spoken for before any
        # new character is placed, or a new one could evict one the chunk needs.
        taken = {c for c in (self.lookup(sym) for sym in keysyms) if c is not None}
        for sym in dict.fromkeys(keysyms):
            if self.lookup(sym) is not None:
                continue
            free = [s for s in self.slots if s.keycode not in taken]
            if not free:
                raise ValueError("more distinct characters than spare keycodes in one chunk")
            # Prefer never-used slots, then settled ones, then the least recently used.
            free.sort(key=lambda s: (s.keysym != NO_SYMBOL, not s.settled, s.last_used))
            slot = free[0]
            if slot.keysym != NO_SYMBOL and not slot.settled:
                wait = max(wait, slot.last_used + self.reuse_gap_s - now)
            taken.add(slot.keycode)
            bindings.append((slot.keycode, sym))
        return bindings, max(0.0, wait)

    def bind(self, keycode: int, keysym: int) -> None:
        for slot in self.slots:
            if slot.keycode == keycode:
                slot.keysym = keysym
                slot.settled = True

    def used(self, keycode: int) -> None:
        for slot in self.slots:
            if slot.keycode == keycode:
                slot.last_used = self.clock()
                slot.settled = False

    def settle(self) -> None:
        """The target has processed everything sent so far (e.g. it answered a copy)."""
        for slot in self.slots:
            slot.settled = True

    def bound(self) -> list[int]:
        return [s.keycode for s in self.slots if s.keysym != NO_SYMBOL]

    def restore_wait(self) -> float:
        """How long to wait before unbinding everything safely."""
        now = self.clock()
        return max([0.0] + [s.last_used + self.reuse_gap_s - now
                            for s in self.slots if not s.settled])

    def clear(self) -> None:
        for slot in self.slots:
            slot.keysym = NO_SYMBOL
            slot.settled = True
