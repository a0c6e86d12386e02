"""Reading a window's form out of the AT-SPI tree: which frame is the window, which nodes
are its fields, and what each field's label is.

Round trips, not nodes, cost time (a call to Chromium takes ~0.5 ms; a full walk of its
window, 240 nodes, 0.67 s), so the form is read in a few batched steps: the window's frame
(registry → applications of the window's process → their top-level children), one
Collection.GetMatches for the visible field and label nodes in document order, one batch
for every node's role, name, state, extents, relations and parent, and one or two batches
for the label texts those point to.
"""
from __future__ import annotations

from dataclasses import dataclass

from app.a11y import atspi_constants as K
from app.a11y.atspi_bus import NULL_PATH, ROOT_PATH, AtspiBus, Call, DBusFault
from app.a11y.base import (BUTTON, BY_GEOMETRY, BY_NAME, BY_RELATION, CHECK, COMBO, PASSWORD,
                           RADIO, TEXT, Accessible, Bounds, FormField, label_key)
from app.a11y.labels import LabelBox, nearest_label, reading_order
from app.desktop.base import WindowInfo

FRAME_SLACK = 48        # px: window-manager decorations between X geometry and the frame


@dataclass(frozen=True)
class Frame:
    node: Accessible
    pid: int | None
    toolkit: str            # Application.ToolkitName ("Qt", "Chromium", "GAIL"…)


def _bounds(extents: object) -> Bounds:
    if isinstance(extents, DBusFault) or not extents:
        return Bounds(0, 0, 0, 0)
    x, y, w, h = (int(v) for v in extents)     # type: ignore[union-attr]
    return Bounds(x, y, w, h)


def _ok(value: object, default: object) -> object:
    return default if isinstance(value, DBusFault) else value


def _near(a: int, b: int) -> bool:
    return abs(a - b) <= FRAME_SLACK


def frame_score(window: WindowInfo, name: str, bounds: Bounds, states: set[int]) -> int:
    """How surely a top-level node is this window: the title counts most, then the
    position and size, then being the active one."""
    score = 4 if name and name == window.title else 0
    if window.width and not bounds.empty and _near(bounds.x, window.x) and _near(bounds.y, window.y) \
            and _near(bounds.width, window.width) and _near(bounds.height, window.height):
        score += 2
    if K.STATE_ACTIVE in states:
        score += 1
    return score


def find_frame(bus: AtspiBus, window: WindowInfo) -> Frame | None:
    """The top-level node of `window`: among the applications of the window's process, the
    child whose name is the window title and whose extents are the window's."""
    apps = bus.applications()
    pids = bus.pids([app for app, _path in apps])
    mine = [(a, p) for a, p in apps if window.pid is None or pids.get(a) == window.pid]
    if not mine:
        return None
    children = bus.many([Call(a, p, "Accessible", "GetChildren") for a, p in mine])
    tops = [(app, tuple(c)) for (app, _), kids in zip(mine, children)
            if not isinstance(kids, DBusFault) for c in kids]
    if not tops:
        return None
    info = bus.many([call for _app, (a, p) in tops for call in (
        Call.prop(a, p, "Accessible", "Name"), Call(a, p, "Accessible", "GetState"),
        Call(a, p, "Component", "GetExtents", "u", (K.COORD_SCREEN,)))])
    best: tuple[int, tuple[str, str]] | None = None
    for i, (_app, node) in enumerate(tops):
        name, state, extents = info[3 * i: 3 * i + 3]
        score = frame_score(window, str(_ok(name, "")), _bounds(extents),
                            K.states(_ok(state, [0, 0])))          # type: ignore[arg-type]
        needed = 4 if window.pid is None else 2     # without a pid only the title will do
        if score >= needed and (best is None or score > best[0]):
            best = (score, node)
    if best is None:
        return None
    app, path = best[1]
    toolkit = bus.many([Call.prop(app, ROOT_PATH, "Application", "ToolkitName")])[0]
    return Frame(Accessible(app, path), pids.get(app), str(_ok(toolkit, "")))


def _text_of(bus: AtspiBus, nodes: list[Accessible], names: dict[Accessible, str]) -> dict[Accessible, str]:
    """Label texts: the accessible name, or the Text of a node whose name is empty (a
    browser's <label> element carries its words in children)."""
    unknown = [n for n in dict.fromkeys(nodes) if n not in names]
    got = bus.many([Call.prop(n.app, n.path, "Accessible", "Name") for n in unknown])
    texts = {n: str(_ok(v, "")) for n, v in zip(unknown, got)}
    empty = [n for n in unknown if not texts[n].strip()]
    if empty:
        got = bus.many([Call(n.app, n.path, "Text", "GetText", "ii", (0, -1)) for n in empty])
        for n, v in zip(empty, got):
            texts[n] = str(_ok(v, "")).replace("\ufffc", "").strip()
    names.update(texts)
    return {n: names[n] for n in nodes}


@dataclass
class _Node:
    node: Accessible
    role: int
    name: str
    states: set[int]
    bounds: Bounds
    labelled_by: list[Accessible]
    label_for: list[Accessible]
    parent: Accessible | None


def _read_nodes(bus: AtspiBus, nodes: list[Accessible], *, labels: bool = False) -> list[_Node]:
    """Each node's role, name, state, extents, relations and parent in one round; for
    `labels` (found by their role, visible) only the name, extents and relations — a
    tenth of the calls of a page go to its labels."""
    if labels:
        got = bus.many([call for n in nodes for call in (
            Call.prop(n.app, n.path, "Accessible", "Name"),
            Call(n.app, n.path, "Component", "GetExtents", "u", (K.COORD_SCREEN,)),
            Call(n.app, n.path, "Accessible", "GetRelationSet"))])
        known = [(0, got[3 * i], [0, 0], got[3 * i + 1], got[3 * i + 2], None)
                 for i in range(len(nodes))]
    else:
        got = bus.many([call for n in nodes for call in (
            Call(n.app, n.path, "Accessible", "GetRole"),
            Call.prop(n.app, n.path, "Accessible", "Name"),
            Call(n.app, n.path, "Accessible", "GetState"),
            Call(n.app, n.path, "Component", "GetExtents", "u", (K.COORD_SCREEN,)),
            Call(n.app, n.path, "Accessible", "GetRelationSet"),
            Call.prop(n.app, n.path, "Accessible", "Parent"))])
        known = [tuple(got[6 * i: 6 * i + 6]) for i in range(len(nodes))]
    out = []
    for n, (role, name, state, extents, relations, parent) in zip(nodes, known):
        by: list[Accessible] = []
        for_: list[Accessible] = []
        for kind, targets in _ok(relations, []):              # type: ignore[union-attr]
            if kind == K.RELATION_LABELLED_BY:
                by += [Accessible(str(a), str(p)) for a, p in targets]
            elif kind == K.RELATION_LABEL_FOR:
                for_ += [Accessible(str(a), str(p)) for a, p in targets]
        up = _ok(parent, None)
        out.append(_Node(n, int(_ok(role, 0)), str(_ok(name, "")),      # type: ignore[arg-type]
                         K.states(_ok(state, [0, 0])), _bounds(extents), by, for_,  # type: ignore[arg-type]
                         Accessible(str(up[0]), str(up[1])) if up and up[1] != NULL_PATH else None))
    return out


def walk_matches(bus: AtspiBus, root: Accessible, wanted: tuple[tuple[int, ...], ...],
                 max_nodes: int = 5000) -> tuple[list[Accessible], ...]:
    """What GetMatches gives, by walking: the visible descendants of `root` with a role in
    each of `wanted`, in document order. One batch per level of the tree; the children of
    a node that is not visible are not visited (they are not shown either)."""
    order: dict[Accessible, tuple[int, ...]] = {root: ()}   # node -> position in the tree
    found: list[tuple[tuple[int, ...], int, Accessible]] = []
    level = [root]
    while level and len(order) < max_nodes:
        kids = bus.many([Call(n.app, n.path, "Accessible", "GetChildren") for n in level])
        below = [(Accessible(str(a), str(p)), order[n] + (i,)) for n, got in zip(level, kids)
                 if not isinstance(got, DBusFault) for i, (a, p) in enumerate(got)]
        info = bus.many([call for c, _pos in below for call in (
            Call(c.app, c.path, "Accessible", "GetRole"),
            Call(c.app, c.path, "Accessible", "GetState"))])
        level = []
        for j, (c, pos) in enumerate(below):
            role, state = info[2 * j], info[2 * j + 1]
            if isinstance(state, DBusFault) or K.STATE_VISIBLE not in K.states(state):
                continue
            order[c] = pos
            level.append(c)
            for k, roles in enumerate(wanted):
                if role in roles:
                    found.append((pos, k, c))
    found.sort(key=lambda f: f[0])
    return tuple([c for _pos, k, c in found if k == which] for which in range(len(wanted)))


def _keep_labels(bus: AtspiBus, nodes: list[_Node]) -> None:
    """Qt names a QGroupBox as a label of every box inside it, beside the row's own label:
    where a node is labelled by labels and by containers, keep the labels."""
    several = list(dict.fromkeys(t for n in nodes if len(n.labelled_by) > 1 for t in n.labelled_by))
    if not several:
        return
    roles = dict(zip(several, bus.many([Call(t.app, t.path, "Accessible", "GetRole")
                                        for t in several])))
    for n in nodes:
        if len(n.labelled_by) > 1:
            plain = [t for t in n.labelled_by if roles.get(t) in K.LABEL_ROLES]
            n.labelled_by = plain or n.labelled_by


def _form_roots(bus: AtspiBus, frame: Accessible) -> list[Accessible]:
    """Where the form is: in a browser the page (its document), not the browser's own
    toolbars; elsewhere the whole window."""
    docs = bus.many([Call(frame.app, frame.path, "Collection", "GetMatches",
                          K.MATCH_RULE_SIGNATURE,
                          K.match_rule((K.ROLE_DOCUMENT_WEB,), (K.STATE_VISIBLE,)))])[0]
    if isinstance(docs, DBusFault) or not docs:
        return [frame]
    return [Accessible(str(a), str(p)) for a, p in docs]


def read_form(bus: AtspiBus, window: WindowInfo, frame: Frame) -> list[FormField]:
    """The window's visible fields in reading order, each with its label."""
    field_roles = tuple(K.FIELD_ROLES)
    field_nodes: list[Accessible] = []
    label_nodes: list[Accessible] = []
    for root in _form_roots(bus, frame.node):
        found = bus.many([
            Call(root.app, root.path, "Collection", "GetMatches", K.MATCH_RULE_SIGNATURE,
                 K.match_rule(field_roles, (K.STATE_VISIBLE,))),
            Call(root.app, root.path, "Collection", "GetMatches", K.MATCH_RULE_SIGNATURE,
                 K.match_rule(K.LABEL_ROLES, (K.STATE_VISIBLE,)))])
        if isinstance(found[0], DBusFault) or isinstance(found[1], DBusFault):
            # a toolkit without the Collection interface: walk the tree, a level per batch
            more_fields, more_labels = walk_matches(bus, root, (field_roles, K.LABEL_ROLES))
        else:
            more_fields, more_labels = ([Accessible(str(x), str(y)) for x, y in got]
                                        for got in found)
        field_nodes += more_fields
        label_nodes += more_labels
    labels = _read_nodes(bus, label_nodes, labels=True)
    nodes = _read_nodes(bus, field_nodes) + labels
    fields = [n for n in nodes[:len(field_nodes)]
              if n.role in K.FIELD_ROLES and not n.bounds.empty]
    fields = [fields[i] for i in reading_order([f.bounds for f in fields])]
    names = {n.node: n.name for n in nodes if n.name.strip()}
    # a label that names its box (Java's setLabelFor) when the box does not name it back
    for label in labels:
        for f in fields:
            if f.node in label.label_for and not f.labelled_by:
                f.labelled_by.append(label.node)

    # radio groups: the parent's own label (a <fieldset>, a Qt row, a GTK box); a radio
    # inside its own <label> (Firefox) has the group one level further up
    radios = [f for f in fields if f.role == K.ROLE_RADIO_BUTTON and f.parent]
    group_info = {g.node: g for g in _read_nodes(bus, list(dict.fromkeys(f.parent for f in radios)))}
    wrappers = {g.node: g.parent for g in group_info.values()
                if g.role in K.LABEL_ROLES and g.parent is not None}
    if wrappers:
        group_info.update({g.node: g for g in _read_nodes(bus, list(dict.fromkeys(wrappers.values())))})
        for f in radios:
            f.parent = wrappers.get(f.parent, f.parent)
    _keep_labels(bus, fields + list(group_info.values()))
    wanted = [t for f in fields for t in f.labelled_by] + \
             [t for g in group_info.values() for t in g.labelled_by]
    texts = _text_of(bus, wanted + [n.node for n in labels if not n.name.strip()], names)

    claimed = {t for f in fields for t in f.labelled_by}
    boxes = [LabelBox(texts.get(n.node, n.name), n.bounds, n.node) for n in labels
             if n.node not in claimed and not (set(n.label_for) & {f.node for f in fields})]
    out: list[FormField] = []
    for f in fields:
        role = K.FIELD_ROLES[f.role]
        # a radio is labelled by its group; a lone one by what stands beside it
        subject = group_info.get(f.parent) if role == RADIO and f.parent in group_info else None
        if role == RADIO and subject is None:
            near = nearest_label(f.bounds, boxes)
            label, source = (near.text.strip(), BY_GEOMETRY) if near else ("", "")
        else:
            label, source = _label(f if subject is None else subject, role, texts, boxes,
                                   own_name=(role in (CHECK, BUTTON)))
        enabled, editable = usable(f.states, role)
        out.append(FormField(
            node=f.node, role=role, name=f.name, label=label, label_source=source,
            bounds=f.bounds, enabled=enabled, editable=editable,
            focused=K.STATE_FOCUSED in f.states, pid=frame.pid, window_id=window.id,
            multiline=K.STATE_MULTI_LINE in f.states, index=len(out), frame=frame.node))
    return out


def usable(states: set[int], role: str) -> tuple[bool, bool]:
    """(enabled, editable) of a widget of `role` with these AT-SPI states."""
    enabled = K.STATE_ENABLED in states or K.STATE_SENSITIVE in states
    editable = enabled and (K.STATE_EDITABLE in states if role in (TEXT, PASSWORD)
                            else True) and K.STATE_READ_ONLY not in states
    return enabled, editable


def _label(node: _Node, role: str, texts: dict[Accessible, str], boxes: list[LabelBox],
           *, own_name: bool) -> tuple[str, str]:
    """(label text, how found). The name is the label for text boxes, check boxes and
    buttons; a combo box's name is often its current value (Qt), so it comes last."""
    related = " ".join(t for t in (texts.get(n, "") for n in node.labelled_by) if t.strip())
    if related.strip():
        return related.strip(), BY_RELATION
    if label_key(node.name) and (own_name or role != COMBO):
        return node.name.strip(), BY_NAME
    near = nearest_label(node.bounds, boxes)
    if near is not None:
        return near.text.strip(), BY_GEOMETRY
    if role == COMBO and node.name.strip():
        return node.name.strip(), BY_NAME
    return "", ""
