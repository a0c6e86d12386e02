"""The AT-SPI2 numbers Deskhand uses (at-spi2-core atspi/atspi-constants.h: AtspiRole,
AtspiStateType, AtspiRelationType, AtspiCoordType, the Collection match and sort types)."""
from __future__ import annotations

from app.a11y.base import BUTTON, CHECK, COMBO, LIST, PASSWORD, RADIO, TEXT

# AtspiRole
ROLE_CHECK_BOX = 7
ROLE_COMBO_BOX = 11
ROLE_DIALOG = 16
ROLE_FILLER = 20
ROLE_FRAME = 23
ROLE_LABEL = 29
ROLE_LIST = 31
ROLE_LIST_ITEM = 32
ROLE_MENU = 33
ROLE_MENU_ITEM = 35
ROLE_PANEL = 39
ROLE_PASSWORD_TEXT = 40
ROLE_PUSH_BUTTON = 43
ROLE_RADIO_BUTTON = 44
ROLE_SPIN_BUTTON = 52
ROLE_TEXT = 61
ROLE_TOGGLE_BUTTON = 62
ROLE_WINDOW = 69
ROLE_ENTRY = 79
ROLE_DOCUMENT_WEB = 95
ROLE_LIST_BOX = 98
ROLE_STATIC = 116
ROLE_SWITCH = 130

FIELD_ROLES: dict[int, str] = {
    ROLE_TEXT: TEXT, ROLE_ENTRY: TEXT, ROLE_SPIN_BUTTON: TEXT,
    ROLE_PASSWORD_TEXT: PASSWORD,
    ROLE_COMBO_BOX: COMBO,
    ROLE_LIST: LIST, ROLE_LIST_BOX: LIST,
    ROLE_RADIO_BUTTON: RADIO,
    ROLE_CHECK_BOX: CHECK, ROLE_SWITCH: CHECK, ROLE_TOGGLE_BUTTON: CHECK,
    ROLE_PUSH_BUTTON: BUTTON,
}
LABEL_ROLES = (ROLE_LABEL, ROLE_STATIC)
ITEM_CONTAINER_ROLES = (ROLE_LIST, ROLE_LIST_BOX, ROLE_MENU)

# AtspiStateType: bit numbers in the 64-bit set GetState returns as two uint32
STATE_ACTIVE = 1
STATE_CHECKED = 4
STATE_DEFUNCT = 6
STATE_EDITABLE = 7
STATE_ENABLED = 8
STATE_FOCUSABLE = 11
STATE_FOCUSED = 12
STATE_MULTI_LINE = 17
STATE_SELECTED = 23
STATE_SENSITIVE = 24
STATE_SHOWING = 25
STATE_VISIBLE = 30
STATE_READ_ONLY = 43

# AtspiRelationType
RELATION_LABEL_FOR = 1
RELATION_LABELLED_BY = 2

COORD_SCREEN = 0
SCROLL_TOP_LEFT = 0          # Component.ScrollTo: the object's top left at the view's
MATCH_ALL, MATCH_ANY = 1, 2
SORT_CANONICAL = 1


def states(words: list[int] | tuple[int, ...]) -> set[int]:
    """GetState's two uint32 words as the set of state numbers."""
    bits = (int(words[0]) & 0xFFFFFFFF) | ((int(words[1]) & 0xFFFFFFFF) << 32) if words else 0
    return {n for n in range(64) if bits >> n & 1}


def _int32(word: int) -> int:
    return word - (1 << 32) if word >= 1 << 31 else word


def role_set(roles: tuple[int, ...] | list[int]) -> list[int]:
    """A Collection match rule's roles: a bit set in five int32 words."""
    words = [0] * 5
    for r in roles:
        words[r // 32] |= 1 << (r % 32)
    return [_int32(w) for w in words]


def state_set(wanted: tuple[int, ...] | list[int]) -> list[int]:
    bits = 0
    for s in wanted:
        bits |= 1 << s
    return [_int32(bits & 0xFFFFFFFF), _int32(bits >> 32)]


MATCH_RULE_SIGNATURE = "(aiia{ss}iaiiasib)uib"


def match_rule(roles: tuple[int, ...] | list[int], wanted_states: tuple[int, ...] = ()) -> tuple:
    """GetMatches arguments: objects with any of `roles` and all of `wanted_states`, in
    document order, all of them, across the whole subtree."""
    rule = (state_set(wanted_states), MATCH_ALL, {}, MATCH_ALL, role_set(roles), MATCH_ANY,
            [], MATCH_ALL, False)
    return (rule, SORT_CANONICAL, 0, True)
