"""Pure X11 keyboard logic for hotkeys, unit-tested without a display: which
modifier bits mean Alt, Win, NumLock and ScrollLock on this server, every lock
variant a grab must cover, and telling a real key press from auto-repeat.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import combinations

SHIFT, LOCK, CONTROL = 1 << 0, 1 << 1, 1 << 2      # X.ShiftMask, X.LockMask, X.ControlMask
MOD1, MOD4 = 1 << 3, 1 << 6                          # the usual Alt and Super bits
MODIFIER_BITS = 0xFF                                 # state bits above these are mouse buttons

XK_ALT_L, XK_ALT_R, XK_META_L, XK_META_R = 0xFFE9, 0xFFEA, 0xFFE7, 0xFFE8
XK_SUPER_L, XK_SUPER_R = 0xFFEB, 0xFFEC
XK_NUM_LOCK, XK_SCROLL_LOCK = 0xFF7F, 0xFF14


@dataclass(frozen=True)
class ModifierMasks:
    """The state bits of this server's modifiers (they differ between layouts:
    NumLock is Mod2 on most, but nothing guarantees it)."""

    alt: int = MOD1
    super: int = MOD4
    num_lock: int = 0
    scroll_lock: int = 0

    @classmethod
    def from_mapping(cls, modifier_mapping: list[list[int]],
                     keysym_of: Callable[[int], int]) -> ModifierMasks:
        """`modifier_mapping` is GetModifierMapping (8 lists of keycodes, Shift..Mod5);
        `keysym_of(keycode)` the keycode's first keysym."""
        def bit_of(*syms: int) -> int:
            for index, codes in enumerate(modifier_mapping):
                if any(code and keysym_of(code) in syms for code in codes):
                    return 1 << index
            return 0
        return cls(alt=bit_of(XK_ALT_L, XK_ALT_R, XK_META_L, XK_META_R) or MOD1,
                   super=bit_of(XK_SUPER_L, XK_SUPER_R) or MOD4,
                   num_lock=bit_of(XK_NUM_LOCK), scroll_lock=bit_of(XK_SCROLL_LOCK))

    @property
    def locks(self) -> int:
        return LOCK | self.num_lock | self.scroll_lock

    def lock_variants(self) -> list[int]:
        """Every combination of CapsLock, NumLock, ScrollLock, nothing included:
        XGrabKey matches the modifier state exactly, so a grab without NumLock
        does not fire while NumLock is on."""
        bits = sorted({LOCK, self.num_lock, self.scroll_lock} - {0})
        return [sum(chosen) for n in range(len(bits) + 1) for chosen in combinations(bits, n)]

    def of(self, modifiers: tuple[str, ...]) -> int:
        """State bits for KeyCombo modifier names."""
        table = {"shift": SHIFT, "ctrl": CONTROL, "alt": self.alt, "super": self.super}
        return sum({table[m] for m in modifiers})

    def meaningful(self, state: int) -> int:
        """A KeyPress state without lock and mouse-button bits, to compare with a grab."""
        return state & MODIFIER_BITS & ~self.locks


def elapsed_ms(now: int, then: int) -> int:
    """Server time runs in milliseconds and wraps at 2**32 (49.7 days)."""
    return (now - then) & 0xFFFFFFFF


class RepeatFilter:
    """Decides whether a KeyPress is a new press of a hotkey's key.

    Holding a key makes the X server repeat it: a KeyRelease and a KeyPress
    with the same timestamp (measured under Xvfb: 660 ms, then every 40 ms),
    or, with detectable auto-repeat, KeyPresses without releases. Both are
    dropped here; a real press comes after a release with a later timestamp.
    Independently, a press within `gap_ms` of the last one that fired is
    dropped, so a bouncing key cannot start two captures.
    """

    HELD_MS = 1000   # a press with no release since the last one, within this, is a repeat

    def __init__(self, gap_ms: int = 300) -> None:
        self.gap_ms = gap_ms
        self._pressed: dict[int, int] = {}
        self._released: dict[int, int] = {}
        self._fired: dict[int, int] = {}

    def release(self, keycode: int, time_ms: int) -> None:
        self._released[keycode] = time_ms

    def press(self, keycode: int, time_ms: int) -> bool:
        """True when this press should fire the hotkey."""
        last_press = self._pressed.get(keycode)
        last_release = self._released.get(keycode)
        self._pressed[keycode] = time_ms
        if last_press is not None:
            released = (last_release is not None
                        and elapsed_ms(last_release, last_press) < 0x80000000)
            if released and elapsed_ms(time_ms, last_release) <= 1:
                return False    # the release was auto-repeat's, stamped with this press
            if not released and elapsed_ms(time_ms, last_press) < self.HELD_MS:
                return False    # still held
        fired = self._fired.get(keycode)
        if fired is not None and elapsed_ms(time_ms, fired) < self.gap_ms:
            return False
        self._fired[keycode] = time_ms
        return True
