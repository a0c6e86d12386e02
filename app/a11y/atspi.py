"""The Linux accessibility backend: AT-SPI2 over D-Bus (app/a11y/atspi_bus.py).

What each toolkit takes through its tree, measured under Xvfb (tests/test_a11y_atspi.py,
tests/test_a11y_toolkits.py):

| operation | Qt 6 | GTK 3 | Chromium | Firefox ESR | Java Swing (ATK wrapper) |
|---|---|---|---|---|---|
| set text | EditableText | EditableText | none on Linux: focus by the tree, keys, read back | EditableText changes the box without the page's input events: focus, keys | EditableText; a character beyond the BMP comes out garbled (by keys too) |
| choose | its list's Selection does not move the combo: the list opened by action, Home/Down/Return | the combo's Selection | the item's "select" action | the combo's Selection changes it without the page's change event: focus, Home/Down | the combo's own Selection (its popup list's only renames the combo) |
| radio, check box, button | actions | actions | actions | actions | actions |
| read back | Text; a combo's name is its current text | Text, Selection | Text; the list's Selection | Text (minus the U+FEFF it adds after a character beyond the BMP) | Text, the combo's name |

Tk has no accessibility on Linux. Browsers: only the page's document is searched, not the
browser's toolbars. Fields are listed in reading order (GTK lists a grid last row first).

Which way a toolkit goes is decided once per application and remembered: a way that did not
take is not tried again for that program.

A window's fields are read once and kept (per window id); `fields(window, refresh=True)`
reads them again. Before each operation the field is checked to belong to the target:
same window id, same process (the bus name's pid), the node and its window's frame alive.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Callable, Iterable, NamedTuple

from app.a11y import atspi_constants as K
from app.a11y import refusals as refuse
from app.a11y.advice import guess_toolkit, linux_libraries, no_bus_sentence, not_exposed_sentence
from app.a11y.atspi_bus import NULL_PATH, AtspiBus, Call, DBusFault
from app.a11y.atspi_tree import Frame, find_frame, read_form, usable
from app.a11y.base import (BUTTON, CHECK, COMBO, LIST, METHOD_FOCUS_KEYS, METHOD_TREE, PASSWORD,
                           RADIO, TEXT, Accessible, FormField, KeyInput, label_key)
from app.desktop.base import WindowInfo
from app.errors import AccessibilityError, AccessibilityUnavailableError, FieldRefusedError
from app.i18n import _

SETTLE = 1.0            # s: how long a change may take to show in the tree
POLL = 0.005

PRESS_ACTIONS = ("press", "click", "activate", "jump")
CHECK_ACTIONS = ("check", "uncheck", "toggle", "click", "press", "activate")
SELECT_ACTIONS = ("select", "click", "press", "activate")


class _Item(NamedTuple):
    node: Accessible
    name: str             # the visible text
    holder: Accessible    # the list or menu holding it
    index: int            # its place there


@dataclass
class _Window:
    frame: Frame
    fields: list[FormField]


@dataclass
class _Ways:
    """What an application's tree does not do, learnt once."""

    no_editable_text: bool = False
    combo_by_keys: bool = False


class AtSpiAccessibility:
    name = "atspi"

    def __init__(self, bus: AtspiBus, *, libraries: Callable[[int | None], list[str]] = linux_libraries,
                 settle: float = SETTLE) -> None:
        self.bus = bus
        self.settle = settle
        self._libraries = libraries
        self._windows: dict[int, _Window] = {}
        self._ways: dict[str, _Ways] = {}
        self._actions: dict[Accessible, list[str]] = {}
        self._clicked: Accessible | None = None      # the box focused by a click last
        self._unshown: set[Accessible] = set()       # boxes whose tree hides what they hold

    def close(self) -> None:
        self.bus.close()

    # ------------------------------------------------------------------ reading the form
    def fields(self, window: WindowInfo, *, refresh: bool = False) -> list[FormField]:
        known = self._windows.get(window.id)
        if known is not None and not refresh:
            return list(known.fields)
        try:
            frame = find_frame(self.bus, window)
            if frame is None:
                self._windows.pop(window.id, None)
                return []
            found = read_form(self.bus, window, frame)
        except DBusFault as e:       # the registry itself fails (not one program)
            raise AccessibilityUnavailableError(no_bus_sentence(e.text or e.name)) from e
        self._windows[window.id] = _Window(frame, found)
        self._clicked = None                # a new read: a new form, or a page loaded again
        if frame.node.app not in self._ways:
            # Qt's combo box takes a choice only from the keyboard; Firefox's EditableText
            # and its select's Selection change a box without the page's input or change
            # events, so the page never sees the value (see the module docstring)
            toolkit = frame.toolkit.lower()
            self._ways[frame.node.app] = _Ways(combo_by_keys=toolkit in ("qt", "gecko"),
                                               no_editable_text=toolkit == "gecko")
        return list(found)

    def exposes(self, window: WindowInfo) -> bool:
        return bool(self.fields(window))

    def why_not(self, window: WindowInfo) -> str | None:
        try:
            if self.fields(window, refresh=True):
                return None
        except AccessibilityUnavailableError as e:
            return e.message
        toolkit_name = self._toolkit_name(window.pid)
        toolkit = guess_toolkit(window.process, self._libraries(window.pid), toolkit_name)
        return not_exposed_sentence(window.title, toolkit)

    def _toolkit_name(self, pid: int | None) -> str:
        try:
            apps = self.bus.applications()
        except DBusFault:
            return ""
        pids = self.bus.pids([app for app, _path in apps])
        for app, path in apps:
            if pid is not None and pids.get(app) == pid:
                got = self.bus.many([Call.prop(app, path, "Application", "ToolkitName")])[0]
                return "" if isinstance(got, DBusFault) else str(got)
        return ""

    def focused(self, window: WindowInfo) -> FormField | None:
        known = self.fields(window)
        got = self.bus.many([Call(f.node.app, f.node.path, "Accessible", "GetState") for f in known])
        for f, state in zip(known, got):
            if not isinstance(state, DBusFault) and K.STATE_FOCUSED in K.states(state):
                return replace(f, focused=True)
        return None

    # ------------------------------------------------------------------ the guard
    def _check(self, window: WindowInfo, field: FormField) -> set[int]:
        """Refuse a field of another window or process, or one that is gone; returns the
        field's states, read now."""
        return self._check_reading(window, field, ())[0]

    def _check_reading(self, window: WindowInfo, field: FormField,
                       also: tuple[Call, ...]) -> tuple[set[int], list[object]]:
        """_check, making the calls `also` in the same round; their results after the
        states (a round to a busy browser costs more than a call)."""
        if field.window_id != window.id or (window.pid is not None and field.pid != window.pid):
            raise refuse.foreign(window, field)
        if self.bus.pids([field.node.app]).get(field.node.app) != field.pid:
            raise refuse.other_process(window, field)
        known = self._windows.get(window.id)
        if known is None or field.frame != known.frame.node:
            if any(w.frame.node == field.frame for w in self._windows.values()):
                raise refuse.foreign(window, field)
            raise refuse.earlier_form(window, field)
        node, frame = field.node, known.frame.node
        state, frame_state, *more = self.bus.many([
            Call(node.app, node.path, "Accessible", "GetState"),
            Call(frame.app, frame.path, "Accessible", "GetState"), *also])
        for s in (state, frame_state):
            if isinstance(s, DBusFault) or K.STATE_DEFUNCT in K.states(s):
                self._windows.pop(window.id, None)
                raise refuse.gone(window, field)
        return K.states(state), more

    def refreshed(self, window: WindowInfo, field: FormField) -> FormField:
        """The field with its enabled/editable/focused read now (one call, not the whole
        form: a choice may just have enabled it)."""
        states = self._check(window, field)
        enabled, editable = usable(states, field.role)
        return replace(field, enabled=enabled, editable=editable,
                       focused=K.STATE_FOCUSED in states)

    def _usable(self, window: WindowInfo, field: FormField, roles: Iterable[str],
                *, typing: bool = False) -> set[int]:
        return self._usable_reading(window, field, roles, typing=typing)[0]

    def _usable_reading(self, window: WindowInfo, field: FormField, roles: Iterable[str],
                        also: tuple[Call, ...] = (), *, typing: bool = False
                        ) -> tuple[set[int], list[object]]:
        if field.role not in roles:
            raise refuse.wrong_role(field)
        if not typing:
            # the caller read back every box typed before a choice or a button (the
            # page has had the clicks), and the choice may move focus itself
            self._clicked = None
        states, more = self._check_reading(window, field, also)
        if K.STATE_ENABLED not in states and K.STATE_SENSITIVE not in states:
            raise refuse.disabled(window, field)
        if typing and (K.STATE_READ_ONLY in states or K.STATE_EDITABLE not in states):
            raise refuse.read_only(window, field)
        return states, more

    def _fault(self, window: WindowInfo, field: FormField, fault: DBusFault) -> AccessibilityError:
        if fault.gone:
            self._windows.pop(window.id, None)
            return refuse.gone(window, field)
        return AccessibilityError(_("'{title}' did not do what was asked of its field "
                                    "'{label}': {error}", title=window.title,
                                    label=field.label or field.name, error=fault.text or fault.name))

    def _ways_of(self, field: FormField) -> _Ways:
        return self._ways.setdefault(field.node.app, _Ways())

    def _wait(self, test: Callable[[], bool]) -> bool:
        deadline = time.monotonic() + self.settle
        while True:
            if test():
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(POLL)

    def _state(self, node: Accessible) -> set[int]:
        got = self.bus.many([Call(node.app, node.path, "Accessible", "GetState")])[0]
        return set() if isinstance(got, DBusFault) else K.states(got)

    # ------------------------------------------------------------------ text
    def set_text(self, window: WindowInfo, field: FormField, text: str, *,
                 keys: KeyInput | None = None, wait: bool = True) -> str:
        ways = self._ways_of(field)
        node = field.node
        # where a click will focus the box, its extents and length come in the guard's round
        clicks = not wait and keys is not None and getattr(keys, "click_type", None) is not None
        where = (Call(node.app, node.path, "Component", "GetExtents", "u", (K.COORD_SCREEN,)),
                 Call.prop(node.app, node.path, "Text", "CharacterCount"))
        clicking = clicks and ways.no_editable_text
        states, seen = self._usable_reading(window, field, (TEXT, PASSWORD),
                                            where if clicking else (), typing=True)
        if not ways.no_editable_text:
            done = self.bus.many([Call(node.app, node.path, "EditableText", "SetTextContents",
                                       "s", (text,))])[0]
            if isinstance(done, DBusFault):
                if not fault_is_missing(done):
                    raise self._fault(window, field, done)
                ways.no_editable_text = True       # e.g. Chromium: decided once per program
            elif done is not True:
                raise FieldRefusedError(_("'{title}' refused the text for '{label}'.",
                                          title=window.title, label=field.label or field.name))
            elif keys is None or self._text(node) == text:
                self._unshown.discard(node)
                return METHOD_TREE
            else:
                # the tree took the text but shows something else (Java's bridge and a
                # character beyond the BMP): the keys type it again, below, and only the
                # box's own copy can prove it (tree_shows)
                self._unshown.add(node)
        keys = self._need_keys(window, field, keys)
        if clicks and not clicking:         # learnt just now that this program needs keys
            states, seen = self._usable_reading(window, field, (TEXT, PASSWORD), where,
                                                typing=True)
        if clicks and self._click_into(window, field, keys, states, seen, text):
            return METHOD_FOCUS_KEYS       # read back later by the caller (read_texts)
        # keys typed before (into a box the caller reads later) must have reached the
        # program before a focus asked of the tree, which travels another way
        _caught_up(keys)
        self._focus(window, field)
        self._clicked = None                # focus is where the tree put it, waited for
        self._select_all(node, keys)
        if K.STATE_FOCUSED not in self._state(node):     # the program moved focus meanwhile
            raise refuse.no_focus(window, field)
        keys.type_text(text)
        if not wait:
            return METHOD_FOCUS_KEYS
        # the tree shows typed text a little later; read_text then tells what it holds
        if self._wait(lambda: self._text(node) == text):
            _processed(keys)
        return METHOD_FOCUS_KEYS

    def tree_shows(self, field: FormField) -> bool:
        """False for a box the tree was just seen not to show as it holds it (Java's bridge
        and a character beyond the BMP): waiting for the tree to show its text is in vain."""
        return field.node not in self._unshown

    def read_text(self, window: WindowInfo, field: FormField) -> str:
        self._check(window, field)
        got = self.bus.many([Call(field.node.app, field.node.path, "Text", "GetText", "ii",
                                  (0, -1))])[0]
        if isinstance(got, DBusFault):
            raise self._fault(window, field, got)
        return _shown(got)

    def read_texts(self, window: WindowInfo, fields: list[FormField]) -> list[str | None]:
        """The text of each box, in one round of calls; None where the tree gave none."""
        got = self.bus.many([Call(f.node.app, f.node.path, "Text", "GetText", "ii", (0, -1))
                             for f in fields])
        return [None if isinstance(g, DBusFault) else _shown(g) for g in got]

    def _text(self, node: Accessible) -> str | None:
        got = self.bus.many([Call(node.app, node.path, "Text", "GetText", "ii", (0, -1))])[0]
        return None if isinstance(got, DBusFault) else _shown(got)

    def _need_keys(self, window: WindowInfo, field: FormField, keys: KeyInput | None) -> KeyInput:
        if keys is None:
            raise refuse.keys_needed(window, field)
        return keys

    def focus(self, window: WindowInfo, field: FormField) -> None:
        """Put focus on `field` through the tree (golden replay starts each sample there)."""
        self._check(window, field)
        self._focus(window, field)

    def _focus(self, window: WindowInfo, field: FormField) -> None:
        if not self._try_focus(field):
            raise refuse.no_focus(window, field)

    def _try_focus(self, field: FormField) -> bool:
        """Put focus on this very widget through the tree and wait until it has it: the keys
        that follow go to the widget, not to whatever had focus."""
        node = field.node
        if K.STATE_FOCUSED in self._state(node):
            return True
        got = self.bus.many([Call(node.app, node.path, "Component", "GrabFocus")])[0]
        if (isinstance(got, DBusFault) or got is not True) \
                and not self._do_action(node, ("setfocus", "focus")):
            return False
        return self._wait(lambda: K.STATE_FOCUSED in self._state(node))

    def _click_into(self, window: WindowInfo, field: FormField, keys: KeyInput,
                    states: set[int], seen: list[object], text: str) -> bool:
        """Focus a text box by a click at its middle, where the tree says it shows whole
        inside the window and nothing lies over it there; then select what it holds and
        type `text`, by keys. The click and the keys reach the program in one stream, in
        order (one guarded send where the desktop can), so nothing waits for the tree to
        show focus — a focus asked of the tree goes by another way and may overtake keys
        still on theirs. (Measured, Chromium: 15 boxes 0.8 s waiting for focus and text in
        the tree after each.) Only for a read-back done later, which proves the box holds
        its value. `states`, and `seen` (the box's extents and length), were read in the
        guard's round."""
        click = getattr(keys, "click_type", None)
        if click is None or len(seen) != 2 or isinstance(seen[0], DBusFault):
            return False
        node = field.node
        extents, count = tuple(seen[0]), seen[1]        # type: ignore[arg-type]
        if K.STATE_SHOWING not in states or extents[2] < 4 or extents[3] < 4:
            return False
        if not _inside(window, extents):
            extents = self._scrolled_into_view(window, node)
            if extents is None:
                return False
        x, y, w, h = extents
        # a length unknown: select all the same
        if not click(x + w // 2, y + h // 2, text,
                     select_all=isinstance(count, DBusFault) or bool(count)):
            return False
        self._clicked = node
        return True

    def _scrolled_into_view(self, window: WindowInfo, node: Accessible) -> tuple[int, ...] | None:
        """Scroll the page so that the box shows whole inside the window (a form longer
        than its window); its extents once the tree shows it there, else None.

        The box clicked last must have taken focus first: the click and the scroll reach
        the page by two ways, and a scroll that overtook the click would move the page
        under it. The box is put at the top, so the boxes after it show without scrolling
        again (measured, Chromium: the tree has the new extents 5 ms after ScrollTo,
        where focusing through the tree costs some 60–140 ms a box)."""
        last = self._clicked
        if last is not None and not self._wait(lambda: K.STATE_FOCUSED in self._state(last)):
            return None
        done = self.bus.many([Call(node.app, node.path, "Component", "ScrollTo", "u",
                                   (K.SCROLL_TOP_LEFT,))])[0]
        if done is not True:
            return None
        shown: tuple[int, ...] | None = None

        def inside() -> bool:
            nonlocal shown
            got = self.bus.many([Call(node.app, node.path, "Component", "GetExtents", "u",
                                      (K.COORD_SCREEN,))])[0]
            shown = None if isinstance(got, DBusFault) else tuple(got)
            return shown is not None and _inside(window, shown)
        return shown if self._wait(inside) else None

    def _open_popup(self, field: FormField, holder: Accessible) -> bool:
        """Open a combo box's list through its action; True once the list shows."""
        if holder == field.node or not self._do_action(field.node, ("showmenu", "open", "press")):
            return False
        return self._wait(lambda: K.STATE_SHOWING in self._state(holder))

    def _select_all(self, node: Accessible, keys: KeyInput) -> None:
        """Select what the box holds, so that the typed text replaces it."""
        count = self.bus.many([Call.prop(node.app, node.path, "Text", "CharacterCount")])[0]
        if isinstance(count, DBusFault) or not count:
            return
        done = self.bus.many([Call(node.app, node.path, "Text", "SetSelection", "iii",
                                   (0, 0, int(count)))])[0]
        if done is not True:
            done = self.bus.many([Call(node.app, node.path, "Text", "AddSelection", "ii",
                                       (0, int(count)))])[0]

        def selected() -> bool:
            got = self.bus.many([Call(node.app, node.path, "Text", "GetSelection", "i",
                                      (0,))])[0]
            return isinstance(got, (tuple, list)) and tuple(got)[:2] == (0, int(count))

        # A browser answers the call before its page applied it, and the keys go another
        # way: typed at once they may land before the selection and be added to the old
        # text (seen in CI: 旧地址 old + the new address). The tree shows the selection
        # once the page has it; else Ctrl+A, which travels with the keys, in order.
        if done is not True or not self._wait(selected):
            keys.press("ctrl+a")

    # ------------------------------------------------------------------ actions
    def _action_names(self, node: Accessible) -> list[str]:
        if node not in self._actions:
            count = self.bus.many([Call.prop(node.app, node.path, "Action", "NActions")])[0]
            n = 0 if isinstance(count, DBusFault) else int(count)
            got = self.bus.many([Call(node.app, node.path, "Action", "GetName", "i", (i,))
                                 for i in range(n)])
            names = ["" if isinstance(g, DBusFault) else str(g).lower() for g in got]
            if not names:       # Firefox gives a new node its actions a moment later
                return names
            self._actions[node] = names
        return self._actions[node]

    def _do_action(self, node: Accessible, wanted: tuple[str, ...]) -> bool:
        if not self._action_names(node):
            self._wait(lambda: bool(self._action_names(node)))
        names = self._action_names(node)
        for w in wanted:
            if w in names:
                got = self.bus.many([Call(node.app, node.path, "Action", "DoAction", "i",
                                          (names.index(w),))])[0]
                return got is True
        return False

    def press(self, window: WindowInfo, button: FormField) -> str:
        self._usable(window, button, (BUTTON,))
        if not self._do_action(button.node, PRESS_ACTIONS):
            raise refuse.not_pressed(window, button)
        return METHOD_TREE

    def set_checked(self, window: WindowInfo, field: FormField, checked: bool) -> str:
        if field.role == RADIO and checked:
            return self.select_radio(window, field)
        states = self._usable(window, field, (CHECK,))
        if (K.STATE_CHECKED in states) == checked:
            return METHOD_TREE
        order = (("check",) if checked else ("uncheck",)) + CHECK_ACTIONS
        self._do_action(field.node, order)
        if not self._wait(lambda: (K.STATE_CHECKED in self._state(field.node)) == checked):
            raise refuse.unchanged(window, field)
        return METHOD_TREE

    def select_radio(self, window: WindowInfo, field: FormField) -> str:
        states = self._usable(window, field, (RADIO,))
        if K.STATE_CHECKED in states:
            return METHOD_TREE
        self._do_action(field.node, ("check", "select", "click", "press", "toggle", "activate"))
        if not self._wait(lambda: K.STATE_CHECKED in self._state(field.node)):
            raise refuse.not_selected(window, field)
        return METHOD_TREE

    # ------------------------------------------------------------------ choices
    def items(self, window: WindowInfo, field: FormField) -> list[str]:
        """The texts of a combo box's or list's items, in order (for a form model)."""
        self._check(window, field)
        return [i.name for i in self._items(field)]

    def _items(self, field: FormField) -> list[_Item]:
        """The items of a combo box or list, in order: the children of the list or menu
        the combo box holds (GTK: a menu; Qt: a list; Java: a popup, a scroll pane, a
        viewport, then the list, whose items are labels), or of the list itself."""
        holders = [field.node] if field.role == LIST else self._item_holders(field.node)
        got = self.bus.many([Call(h.app, h.path, "Accessible", "GetChildren") for h in holders])
        flat = [(Accessible(str(a), str(p)), holder, i) for holder, kids in zip(holders, got)
                if not isinstance(kids, DBusFault) for i, (a, p) in enumerate(kids)]
        names = self.bus.many([Call.prop(item.app, item.path, "Accessible", "Name")
                               for item, _holder, _i in flat])
        return [_Item(item, "" if isinstance(n, DBusFault) else str(n), holder, i)
                for (item, holder, i), n in zip(flat, names)]

    def _item_holders(self, combo: Accessible, depth: int = 5) -> list[Accessible]:
        level, found = [combo], []
        for _level in range(depth):
            kids = self.bus.many([Call(n.app, n.path, "Accessible", "GetChildren") for n in level])
            below = [Accessible(str(a), str(p)) for got in kids if not isinstance(got, DBusFault)
                     for a, p in got]
            roles = self.bus.many([Call(n.app, n.path, "Accessible", "GetRole") for n in below])
            found = [n for n, r in zip(below, roles) if r in K.ITEM_CONTAINER_ROLES]
            if found or not below:
                break
            level = below
        return found

    def choose(self, window: WindowInfo, field: FormField, item_text: str, *,
               keys: KeyInput | None = None) -> str:
        self._usable(window, field, (COMBO, LIST))
        items = self._items(field)
        names = [i.name for i in items]
        index = _match_item(names, item_text)
        if index is None:
            raise refuse.not_a_choice(window, field, item_text, names)
        item, name, holder, position = items[index]
        if self._choice(field, items) == name:
            return METHOD_TREE
        ways = self._ways_of(field)
        if not ways.combo_by_keys:
            # the combo box's own Selection first (Java's sets the chosen item; selecting in
            # Java's popup list changes the name the tree shows, not the program's value),
            # then the item's own action (Chromium), then its list's Selection
            tries = [lambda: holder != field.node and self._select_child(field.node, index),
                     lambda: self._do_action(item, SELECT_ACTIONS),
                     lambda: self._select_child(holder, position)]
            for attempt in tries:
                if attempt() and self._wait(lambda: self._choice(field, self._items(field)) == name):
                    return METHOD_TREE
            ways.combo_by_keys = True          # the tree's way did not take: keys from now on
        keys = self._need_keys(window, field, keys)
        if self._try_focus(field):
            # a closed list moves with the arrow keys (Home: the first item)
            keys.press("home")
            for _step in range(position):
                keys.press("down")
        elif self._open_popup(field, holder):
            # Qt's combo box cannot take focus through its tree, but opens its list, which
            # has the keyboard then: the same keys and Return
            keys.press("home")
            for _step in range(position):
                keys.press("down")
            keys.press("return")
        else:
            raise refuse.no_focus(window, field)
        if not self._wait(lambda: self._choice(field, self._items(field)) == name):
            raise refuse.not_taken(window, field, item_text)
        return METHOD_FOCUS_KEYS

    def _select_child(self, holder: Accessible, index: int) -> bool:
        return self.bus.many([Call(holder.app, holder.path, "Selection", "SelectChild", "i",
                                   (index,))])[0] is True

    def read_choice(self, window: WindowInfo, field: FormField) -> str:
        """A combo's or list's chosen item; for a radio, the checked button of its group;
        for a check box, its name when checked ('' when not)."""
        states = self._check(window, field)
        if field.role == CHECK:
            return field.name if K.STATE_CHECKED in states else ""
        if field.role == RADIO:
            return self._checked_radio(field)
        if field.role not in (COMBO, LIST):
            raise refuse.wrong_role(field)
        return self._choice(field, self._items(field))

    def _choice(self, field: FormField, items: list[_Item]) -> str:
        names = [i.name for i in items]
        node = field.node
        text, name = self.bus.many([Call(node.app, node.path, "Text", "GetText", "ii", (0, -1)),
                                    Call.prop(node.app, node.path, "Accessible", "Name")])
        if isinstance(text, str) and text in names and text:
            return text
        # Qt names a combo box by its current text; Chromium by its label
        if isinstance(name, str) and name in names and label_key(name) != field.key:
            return name
        for holder in dict.fromkeys(i.holder for i in items):
            got = self.bus.many([Call(holder.app, holder.path, "Selection", "GetSelectedChild",
                                      "i", (0,))])[0]
            if not isinstance(got, DBusFault) and got and got[1] != NULL_PATH:
                chosen = Accessible(str(got[0]), str(got[1]))
                for i in items:
                    if i.node == chosen:
                        return i.name
        states = self.bus.many([Call(i.node.app, i.node.path, "Accessible", "GetState")
                                for i in items])
        for i, s in zip(items, states):
            if not isinstance(s, DBusFault) and K.STATE_SELECTED in K.states(s):
                return i.name
        return ""

    def _checked_radio(self, field: FormField) -> str:
        known = self._windows.get(field.window_id)
        group = [f for f in (known.fields if known else [field])
                 if f.role == RADIO and f.key == field.key]
        states = self.bus.many([Call(f.node.app, f.node.path, "Accessible", "GetState") for f in group])
        for f, s in zip(group, states):
            if not isinstance(s, DBusFault) and K.STATE_CHECKED in K.states(s):
                return f.name
        return ""


def _shown(text: object) -> str:
    """A box's text as the program holds it: Firefox's tree adds U+FEFF after a character
    beyond the BMP (measured), which no form value holds."""
    return str(text).replace("\ufeff", "")


def _inside(window: WindowInfo, extents: tuple[int, ...]) -> bool:
    """A box's screen extents lie whole inside the window."""
    x, y, w, h = extents
    return x >= window.x and y >= window.y and x + w <= window.x + window.width \
        and y + h <= window.y + window.height


def _caught_up(keys: KeyInput) -> None:
    """Wait until the target's event loop has read every key sent so far (X11: its answer
    to a ping), where the KeyInput can tell."""
    sync = getattr(keys, "caught_up", None)
    if sync is not None:
        sync()


def _processed(keys: KeyInput) -> None:
    """Tell the keys' sender the target has taken everything typed so far."""
    done = getattr(keys, "processed", None)
    if done is not None:
        done()


def fault_is_missing(fault: DBusFault) -> bool:
    """The object does not have that interface or method (not: the object is gone)."""
    return (fault.name in ("org.freedesktop.DBus.Error.UnknownMethod",
                           "org.freedesktop.DBus.Error.UnknownInterface")
            or "doesn't exist" in fault.text or "not found" in fault.text)


def _match_item(names: list[str], wanted: str) -> int | None:
    """The item shown as `wanted`: exactly, else with full-width forms and spaces folded."""
    for i, n in enumerate(names):
        if n == wanted:
            return i
    folded = label_key(wanted)
    same = [i for i, n in enumerate(names) if label_key(n) == folded and folded]
    return same[0] if len(same) == 1 else None
