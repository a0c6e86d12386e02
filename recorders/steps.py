"""Fill steps from what the supervisor did: a box the tree showed becomes `set: FIELD` at
its label (and role, for a choice or where two boxes share a label); a button clicked
becomes `press: NAME`; without a tree, Tab runs become `key:` steps and the value is typed
(`type: FIELD`), and a click is addressed by the nearest label on the target's own picture
(`click: {anchor, dx, dy}`), else by its offset in the window, never by a screen position.
"""
from __future__ import annotations

from collections import Counter
from playbooks.anchors import anchor_key
from recorders.boxes import CHOICE_ROLES, NAV_KEYS, Box, Click, Enter, Keys, Press, Replay
from recorders.emit import Item
from recorders.recording import RecordedSource, SourceLine

__all__ = ["build_steps", "click_address"]


def _window_point(c: Click, target: RecordedSource | None) -> tuple[int, int] | None:
    if c.window is not None and (c.window.width or c.window.height):
        return c.x - c.window.x, c.y - c.window.y
    if target is not None:
        return c.x - target.origin[0], c.y - target.origin[1]
    return None


def click_address(c: Click, target: RecordedSource | None, case_values: tuple[str, ...] = ()
                  ) -> tuple[dict, str]:
    """(the click step's mapping, a comment): at a label of the target's picture (never a
    text holding case data), or an offset in the window."""
    pt = _window_point(c, target)
    if pt is None:
        return {}, ""
    px, py = pt
    lines: tuple[SourceLine, ...] = target.lines if target is not None else ()
    counts = Counter(anchor_key(ln.text) for ln in lines)

    def unique(ln: SourceLine) -> bool:
        return (bool(anchor_key(ln.text)) and counts[anchor_key(ln.text)] == 1
                and not any(v in ln.text for v in case_values))

    def at(ln: SourceLine, how: str) -> tuple[dict, str]:
        cx, cy = ln.x + ln.width / 2, ln.y + ln.height / 2
        data: dict = {"anchor": ln.text.strip()}
        dx, dy = round(px - cx), round(py - cy)
        if dx:
            data["dx"] = dx
        if dy:
            data["dy"] = dy
        if c.button != "left":
            data["button"] = c.button
        return data, how.format(label=ln.text.strip())

    inside = [ln for ln in lines if unique(ln) and ln.x <= px < ln.x + ln.width
              and ln.y <= py < ln.y + ln.height]
    if inside:
        return at(inside[0], "点击“{label}”")
    row = [ln for ln in lines if unique(ln) and ln.x + ln.width <= px
           and abs(ln.y + ln.height / 2 - py) <= max(ln.height, 1) * 0.8]
    if row:
        return at(max(row, key=lambda ln: ln.x + ln.width), "点击“{label}”右侧的输入框")
    above = [ln for ln in lines if unique(ln) and ln.y + ln.height <= py
             and py - (ln.y + ln.height) <= 2 * max(ln.height, 1) and ln.x <= px < ln.x + ln.width + 200]
    if above:
        return at(max(above, key=lambda ln: ln.y), "点击“{label}”下方的输入框")
    data = {"x": max(0, px), "y": max(0, py)}
    if c.button != "left":
        data["button"] = c.button
    return data, "点击窗口内的位置（目标窗口上没有找到标签）"


def _at(box: Box, shared: Counter[str]) -> object:
    label = box.label
    role = box.role if box.role in CHOICE_ROLES else "text" if box.role == "secret" else box.role
    if box.role in CHOICE_ROLES or (shared[anchor_key(label)] > 1 and role in ("text",)):
        return {"label": label, "role": role}
    return label


def build_steps(replay: Replay, field_of: dict[int, str], target: RecordedSource | None
                ) -> tuple[list[Item], list[str]]:
    """The fill steps, and sentences for the report. `field_of`: Box.n → field name (boxes
    without a field are left out)."""
    boxes = {b.n: b for b in replay.boxes}
    case_values = tuple({v.strip() for b in replay.boxes for v in [b.value, *b.texts]
                         if len(v.strip()) >= 2})
    shared = Counter(anchor_key(b.label) for b in replay.boxes if b.widget is not None)
    steps: list[Item] = []
    notes: list[str] = []
    trace = replay.trace
    for i, item in enumerate(trace):
        if isinstance(item, Keys):
            nxt = next((t for t in trace[i + 1:] if not isinstance(t, Keys)), None)
            tree_next = isinstance(nxt, Press) or (
                isinstance(nxt, Enter) and boxes.get(nxt.box) is not None
                and boxes[nxt.box].widget is not None)
            # Tab runs only reach the next box where there is no tree; after the last box
            # they reach nothing
            keys = [k for k in item.keys if not ((tree_next or nxt is None) and k in NAV_KEYS)]
            if keys:
                steps.append(Item({"key": keys[0] if len(keys) == 1 else keys}))
        elif isinstance(item, Click):
            data, comment = click_address(item, target, case_values)
            if data:
                steps.append(Item({"click": data}, comment))
        elif isinstance(item, Press):
            if item.name:
                steps.append(Item({"press": item.name}))
        elif isinstance(item, Enter):
            box = boxes.get(item.box)
            name = field_of.get(item.box)
            if box is None or name is None:
                continue
            if box.widget is not None and box.label:
                data: dict = {"set": name, "at": _at(box, shared)}
                if box.secret:
                    data["readback"] = False
                steps.append(Item(data))
            elif box.widget is not None:
                notes.append(f"unlabelled:{name}")
                steps.append(Item({"type": {"field": name, "readback": False}
                                   if box.secret else name}))
            elif box.secret:          # a password box without a tree: typed, never read back
                data = {"field": name, "readback": False}
                if box.cleared:
                    data["clear"] = True
                steps.append(Item({"type": data}))
            else:
                steps.append(Item({"type": {"field": name, "clear": True} if box.cleared
                                   else name}))
    return steps, notes
