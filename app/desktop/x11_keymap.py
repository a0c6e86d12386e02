"""Which keystrokes produce which characters on the current X keyboard layout,
and a pool of spare keycodes for characters the layout lacks.

Pure logic over the core keyboard mapping (a list of keysym lists), so it is
unit-tested without a display. DESIGN.md §5: remapping one spare keycode per
character faster than clients re-read the mapping garbles text. So every spare
keycode holds two characters (plain and with Shift); a piece of text has all its
missing characters bound at once, before any of it is typed (`segments`, `runs`);
and a slot is never rebound until the target has provably caught up (its pong,
x11_ping, or a read-back) or a safety gap has passed.
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


def char_keysyms(ch: str, utf16: bool = False) -> list[int]:
    """The keysyms that type `ch`. With `utf16` a character beyond the BMP is its two
    UTF-16 halves, one keysym each: Java's AWT puts one UTF-16 unit in a key event and
    cuts a keysym beyond the BMP to its low 16 bits (𠀾 U+2003E came out as '>'), while
    two keysyms for the halves make the pair in the text box."""
    cp = ord(ch)
    if utf16 and cp > 0xFFFF:
        cp -= 0x10000
        return [0x01000000 + 0xD800 + (cp >> 10), 0x01000000 + 0xDC00 + (cp & 0x3FF)]
    return [char_keysym(ch)]


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
    level: int = 0           # 0 plain, 1 with Shift
    keysym: int = NO_SYMBOL
    last_used: float = 0.0
    settled: bool = True     # the target has processed every use of this slot

    @property
    def stroke(self) -> Stroke:
        return Stroke(self.keycode, self.level == 1)


@dataclass
class KeycodePool:
    """Binds characters the layout lacks to spare keycodes: two characters per keycode
    (plain and with Shift), one distinct slot per distinct character, reusing a slot
    only when that cannot race."""

    keycodes: list[int]
    reuse_gap_s: float = 0.25
    clock: Callable[[], float] = time.monotonic
    levels: int = 2
    slots: list[_Slot] = field(init=False)

    def __post_init__(self) -> None:
        self.slots = [_Slot(code, level) for level in range(self.levels)
                      for code in self.keycodes]
        self._by_sym: dict[int, _Slot] = {}

    def __len__(self) -> int:
        return len(self.slots)

    def lookup(self, keysym: int) -> Stroke | None:
        slot = self._by_sym.get(keysym)
        return slot.stroke if slot else None

    def plan(self, keysyms: list[int], later: frozenset[int] | set[int] = frozenset()
             ) -> tuple[list[tuple[Stroke, int]], float]:
        """Choose slots for `keysyms` that are not yet bound; a slot holding a character
        of `later` (still to be typed) is taken only when no other is left.

        Returns the (slot, keysym) bindings to make and how long to wait before
        making them (0 when every chosen slot is safe to rebind).
        """
        now = self.clock()
        bindings: list[tuple[Stroke, int]] = []
        wait = 0.0
        # Slots already holding a wanted character are spoken for before any
        # new character is placed, or a new one could evict one the chunk needs.
        taken = {id(self._by_sym[s]) for s in keysyms if s in self._by_sym}
        wanted = [s for s in dict.fromkeys(keysyms) if s not in self._by_sym]
        free = sorted((s for s in self.slots if id(s) not in taken),
                      # never-used slots first, then settled ones, then the least recently
                      # used; plain before shifted (two keys fewer to send)
                      key=lambda s: (s.keysym != NO_SYMBOL, s.keysym in later, not s.settled,
                                     s.last_used, s.level))
        if len(wanted) > len(free):
            raise ValueError("more distinct characters than spare keycodes in one chunk")
        for sym, slot in zip(wanted, free):
            if slot.keysym != NO_SYMBOL and not slot.settled:
                wait = max(wait, slot.last_used + self.reuse_gap_s - now)
            bindings.append((slot.stroke, sym))
        return bindings, max(0.0, wait)

    def plan_ahead(self, keysyms: list[int], taken: set[Stroke], later: set[int]
                   ) -> list[tuple[Stroke, int]]:
        """Bindings for characters typed later, to ride along with a keymap change made
        anyway: only into slots safe to rebind now (settled), holding nothing `later`
        needs, and not `taken` by that change. Empty slots first, then the least recently
        used; the characters in the order given (the order they will be typed)."""
        wanted = [s for s in dict.fromkeys(keysyms) if s not in self._by_sym]
        free = sorted((s for s in self.slots if s.stroke not in taken and s.settled
                       and (s.keysym == NO_SYMBOL or s.keysym not in later)),
                      key=lambda s: (s.keysym != NO_SYMBOL, s.last_used, s.level))
        return [(slot.stroke, sym) for slot, sym in zip(free, wanted)]

    def _slot(self, stroke: Stroke) -> _Slot:
        return self.slots[int(stroke.shift) * len(self.keycodes) + self.keycodes.index(stroke.keycode)]

    def bind(self, stroke: Stroke, keysym: int) -> None:
        slot = self._slot(stroke)
        if self._by_sym.get(slot.keysym) is slot:
            del self._by_sym[slot.keysym]
        slot.keysym, slot.settled = keysym, True
        if keysym != NO_SYMBOL:
            self._by_sym[keysym] = slot

    def row(self, keycode: int) -> list[int]:
        """The keysyms to give `keycode` for what its slots hold. An empty level repeats
        the other, so Shift (or its absence) never makes the key type nothing."""
        syms = [self._slot(Stroke(keycode, level == 1)).keysym for level in range(self.levels)]
        filled = [s for s in syms if s != NO_SYMBOL]
        return [s if s != NO_SYMBOL else (filled[0] if filled else NO_SYMBOL) for s in syms]

    def used(self, stroke: Stroke) -> None:
        slot = self._slot(stroke)
        slot.last_used = self.clock()
        slot.settled = False

    def settle(self) -> None:
        """The target has processed everything sent so far (e.g. it answered a copy)."""
        for slot in self.slots:
            slot.settled = True

    def unsettled(self) -> bool:
        return any(not s.settled for s in self.slots)

    def bound(self) -> list[int]:
        return sorted({s.keycode for s in self.slots if s.keysym != NO_SYMBOL})

    def restore_wait(self) -> float:
        """How long to wait before unbinding everything safely."""
        now = self.clock()
        return max([0.0] + [s.last_used + self.reuse_gap_s - now
                            for s in self.slots if not s.settled])

    def clear(self) -> None:
        for slot in self.slots:
            slot.keysym = NO_SYMBOL
            slot.settled = True
        self._by_sym.clear()


def runs(keycodes: list[int], bridge: Callable[[int], bool] = lambda code: False
         ) -> list[tuple[int, int]]:
    """Runs (first, count) covering sorted `keycodes`: one ChangeKeyboardMapping request
    (and one MappingNotify for every client) per run, not per keycode. Two runs are
    joined where every keycode between them can be bridged (`bridge`: rewritten with its
    own row unchanged, see `rewritable`)."""
    out: list[tuple[int, int]] = []
    for code in sorted(set(keycodes)):
        if out and all(bridge(c) for c in range(out[-1][0] + out[-1][1], code)):
            out[-1] = (out[-1][0], code - out[-1][0] + 1)
        else:
            out.append((code, 1))
    return out


def rewritable(row: list[int]) -> bool:
    """Can this key be given its own core row again and stay exactly as it is? Every X
    client handles each keymap change (openbox reopens its input method: ~35 ms of CPU
    apiece; a fill of the 20-field form made ~90 changes, one per spare keycode), so a
    change spans the spare keycodes it binds and rewrites the keys between them. Through
    the core protocol the server rebuilds a key's XKB types from its row, which holds true
    only for one group of at most two levels: the row's first two keysyms repeated in the
    next two and nothing after. Measured with
    xkbcomp dumps over 14 layouts (us, cn, de, fr, jp, ru, ara, gb, us(intl),
    cn(altgr-pinyin), us+ru, us+cn, us+de+fr+ru, numpad options): no such key changed;
    keys with AltGr levels, F-keys (their VT-switch level) and keys of a second group did."""
    syms = list(row)
    return len(syms) >= 4 and not any(syms[4:]) and syms[0:2] == syms[2:4]


def typing_keycodes(spare: list[int], row: Callable[[int], list[int]]) -> list[int]:
    """The spare keycodes to bind characters to: those one keymap change can span (the
    largest run bridged by rewritable keys) when they are at least two thirds of all, so
    that each rebinding is one change; else every spare keycode. (evdev us: 15 of 19, from
    120 to 248; a fill of the 20-field form went from ~90 keymap changes to 5.)"""
    ours = set(spare)
    groups = runs(spare, lambda code: code in ours or rewritable(row(code)))
    if not groups:
        return []
    first, count = max(groups, key=lambda g: sum(g[0] <= c < g[0] + g[1] for c in spare))
    inside = [c for c in spare if first <= c < first + count]
    return inside if 3 * len(inside) >= 2 * len(spare) else list(spare)


def segments(text: str, keymap: Keymap, capacity: int, utf16: bool = False) -> list[str]:
    """`text` cut into the fewest pieces whose keysyms missing from the layout fit
    `capacity` spare slots at once: each piece needs one remapping, made before it is
    typed, and none within it."""
    pieces: list[str] = []
    piece, missing = "", set()
    for ch in text:
        lacks = {s for s in char_keysyms(ch, utf16) if keymap.stroke(s) is None}
        if piece and len(missing | lacks) > capacity:
            pieces.append(piece)
            piece, missing = "", set()
        missing |= lacks
        piece += ch
    if piece:
        pieces.append(piece)
    return pieces
