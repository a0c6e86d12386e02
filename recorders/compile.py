"""A recording → a playbook draft, with no case data left in it.

    compile_recording(recording, answers=None, playbook_id=None, name=None) -> Draft

Each value that ended in a target box is bound to the place on the source it came from
(recorders/bind.py) and that place becomes a field read by its label (source_fields.py);
a part of an address or of an ID number the source shows becomes a derived field;
what matched nothing is asked about (questions.py) and meanwhile given by the clerk
(`read: clerk`), never kept as typed. A password box becomes a field read from the vault at
fill time. The steps come from steps.py, the window pattern from target.py, the text from
emit.py; the draft is loaded with the playbook loader before it is handed back, so it
passes `deskhand check`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.i18n import _
from app.ocr.base import TextBox
from playbooks.anchors import anchor_key
from recorders.bind import Binding, Match, Place, bind, places
from recorders.boxes import Box, Replay, replay
from recorders.id_parts import id_part_of, id_places
from recorders.emit import Item, PlaybookText, emit
from recorders.questions import Answer, Answers, Question, masked, vault_name
from recorders.recording import Recording, SourceLine
from recorders.source_fields import (ADDRESS_LABELS, SourceLabel, anchor_wordings, field_name,
                                     is_id_card, label_of, value_type)
from recorders.steps import build_steps
from recorders.target import target_pattern

__all__ = ["Draft", "compile_recording"]

DEFAULT_DROP_KEYS = ("f9", "f10", "ctrl+alt+r", "ctrl+alt+s")


@dataclass
class Draft:
    yaml: str
    questions: list[Question] = field(default_factory=list)
    bound_auto: int = 0                   # values bound to the source without a question
    values_total: int = 0                 # values put into the target (password boxes aside)
    literal_case_values_left: int = 0     # recorded values still in the YAML verbatim: 0
    report: list[str] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)   # target box label → field name


@dataclass
class _Field:
    name: str
    data: dict                            # the field's mapping, in the shipped key order
    comment: str = ""
    key: tuple = ()                       # the source place it reads (shared by boxes)
    shown: str = ""                       # what the recorded source showed there


def _ascii_id(text: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", (text or "").lower()).strip("-")
    return s[:40]


def _drop_keys(recording: Recording) -> tuple[str, ...]:
    keys = [str(recording.extra.get(k) or "").lower() for k in ("capture_key", "stop_key")]
    keys = [k for k in keys if k]
    return tuple(keys) if keys else DEFAULT_DROP_KEYS


def _read_spec(place: Place, label: SourceLabel | None, lines: tuple[SourceLine, ...],
               card: bool, names: list[str]) -> tuple[dict, str]:
    """The field's `read` and the comment saying where the value was."""
    if label is None:
        xs = [lines[i] for i in place.lines]
        x0 = min(ln.x for ln in xs) - 4
        y0 = min(ln.y for ln in xs) - 4
        x1 = max(ln.x + ln.width for ln in xs) + 40
        y1 = max(ln.y + ln.height for ln in xs) + 4
        region = {"x": max(0, x0), "y": max(0, y0), "width": x1 - max(0, x0),
                  "height": y1 - max(0, y0)}
        return {"region": region}, "来源：源图上的固定位置（附近没有标签）"
    words = anchor_wordings(label.text, lines) if not card else [label.text]
    read: dict = {"anchor": words if len(words) > 1 else label.text}
    n = len(place.lines)
    address = any(anchor_key(x) in ADDRESS_LABELS for x in [label.text, *names])
    if address or n > 1:
        read["lines"] = max(n, 3 if card else 2)
    if label.direction == "below":
        read["direction"] = "below"
        if label.gap > 1.5:
            read["max_gap"] = round(label.gap + 0.5, 1)
        where = f"来源：“{label.text}”下方"
    else:
        if label.gap > 8:
            read["max_gap"] = round(label.gap + 1.0, 1)
        where = f"来源：“{label.text}”右侧" if label.how != "inline" else \
            f"来源：“{label.text}：”之后（同一行）"
    if n > 1:
        where += f"，跨 {n} 行"
    return read, where


def _transform(m: Match) -> list:
    out: list = []
    for s in m.transform:
        if s.kind == "date":
            out.append({"date": s.format})
        elif s.kind in ("code", "to_code"):
            out.append({s.kind: s.dictionary})
        elif s.kind == "replace":
            out.append({"replace": {a: b for a, b in s.pairs}})
        else:
            out.append(s.kind)
    return out


def _base_field(name: str, box: Box | None, value: str, match: Match | None,
                src_label: str | None) -> dict:
    """name, label, type (choices, format) of a field."""
    label = (box.label if box else "") or src_label or name
    data: dict = {"name": name}
    if label:
        data["label"] = label
    if box is not None and box.choice:
        choices = box.options or ((value,) if value else ())
        if box.role == "check":
            choices = ("是", "否")
        data["type"] = "choice"
        data["choices"] = list(dict.fromkeys(c for c in choices if c.strip()))
        return data
    typ, fmt = value_type(value)
    if match is not None and match.tier == "date":
        typ, fmt = "date", match.date_format
    if typ != "text":
        data["type"] = typ
    if typ == "date" and fmt:
        data["format"] = fmt
    if "\n" in value:
        data["multiline"] = True
    return data


def compile_recording(recording: Recording, *, answers: Answers | None = None,
                      playbook_id: str | None = None, name: str | None = None) -> Draft:
    """The playbook a recording makes (see the module's docstring)."""
    recording.check_no_secrets()
    answers = answers or Answers()
    rp: Replay = replay(recording, drop_keys=_drop_keys(recording))
    lines = recording.source.lines if recording.source is not None else ()
    card = is_id_card(lines)
    all_places = places(lines)
    typed = frozenset(b.value.strip() for b in rp.boxes if b.value and b.value.strip())
    place_labels: dict[Place, SourceLabel | None] = {p: label_of(p, lines, typed)
                                                     for p in all_places}
    label_text = {p: (lab.text if lab is not None else None) for p, lab in place_labels.items()}
    ids = id_places(all_places)

    report: list[str] = []
    questions: list[Question] = []
    fields: list[_Field] = []
    by_place: dict[tuple, _Field] = {}
    field_of: dict[int, str] = {}
    taken: set[str] = set()
    verify: list[dict] = []
    constants: list[str] = []
    choice_words: set[str] = set()
    bound_auto = 0
    values_total = 0
    asked = 0          # boxes not bound by themselves: q1, q2… whether answered or not
    matched = answers.match([b.label for b in rp.boxes if not b.secret and (b.value or "").strip()],
                            [b.label for b in rp.boxes if b.secret])
    proc = rp.window.process if rp.window is not None else None
    pid = playbook_id or _ascii_id(f"recorded-{proc or 'form'}") or "recorded-form"

    def field_at(m: Match, box: Box | None, value: str) -> _Field:
        """The field reading the place `m` found (one per label on the source)."""
        lab = place_labels.get(m.place)
        key = ("label", lab.text) if lab is not None else ("lines", m.place.lines)
        f = by_place.get(key)
        if f is not None:
            return f
        names = [x for x in (lab.text if lab else None, box.label if box else None) if x]
        base = _base_field("", box, value, m, lab.text if lab else None)
        read, comment = _read_spec(m.place, lab, lines, card, names)
        data = {**base, "read": read}
        steps = _transform(m)
        if steps:
            data["transform"] = steps
        f = new_field(names, data, comment, key)
        f.shown = m.place.text
        return f

    def new_field(names: list[str], data: dict, comment: str, key: tuple = ()) -> _Field:
        fname = field_name(names, taken, len(fields) + 1)
        taken.add(fname)
        data = {"name": fname, **{k: v for k, v in data.items() if k != "name"}}
        f = _Field(fname, data, comment, key)
        fields.append(f)
        if key:
            by_place[key] = f
        return f

    for box in rp.boxes:
        if box.secret:
            fname = field_name([box.label or "密码"], taken, len(fields) + 1)
            qid = f"q{asked + 1}"
            default = vault_name(proc or pid, fname)
            asked += 1
            given = matched.vault(box.label, qid)
            vname = given or default
            f = new_field([box.label or "密码"],
                          {"label": box.label or "密码", "read": {"vault": vname}, "secret": True},
                          "来源：凭据库（填写时从系统密钥环读取，从不写入文件）")
            field_of[box.n] = f.name
            report.extend(_blind_secret_note(box))
            if given is None:
                questions.append(Question(qid, box.label, "vault", "", (), _(
                    "The password box {box} is filled from the vault: name the credential "
                    "(default {name}); IT stores it with deskhand vault set {name}.",
                    box=box.label or "?", name=default), default, f.name))
            continue
        value = box.value.strip()
        if not value:
            continue
        values_total += 1
        choices = tuple(box.options) if box.choice else ()
        if box.choice:
            choice_words.update(box.options)
            choice_words.add(value)
        qid = f"q{asked + 1}"
        answer: Answer | None = matched.value(box.label)
        binding = Binding(None) if answer is not None else bind(
            value, all_places, box_label=box.label, choices=choices, labels=label_text)
        m = binding.match
        if m is not None:
            f = field_at(m, box, value)
            if box.choice and value not in f.data.get("choices", [value]):
                f.data["choices"] = [*f.data.get("choices", []), value]
            field_of[box.n] = f.name
            bound_auto += 1
            continue
        part = derived_part(value, all_places, place_labels) if answer is None \
            and not binding.ambiguous else None
        if part is not None:
            place, pname = part
            address = field_at(Match(place, "exact"), None, place.text)
            f = new_field([box.label], {**_base_field("", box, value, None, None),
                                        "derive": {"from": address.name, "part": pname}},
                          f"来源：由“{address.data.get('label')}”拆分（{_PART_WORDS[pname]}）")
            field_of[box.n] = f.name
            bound_auto += 1
            continue
        idp = id_part_of(value, ids, ftype=_base_field("", box, value, None, None).get(
            "type", "text"), choices=choices, box_label=box.label) \
            if answer is None and not binding.ambiguous else None
        id_field = field_at(Match(idp.place, "exact"), None, idp.place.text) \
            if idp is not None else None
        if idp is not None and id_field is not None \
                and id_field.data.get("type") == "id_number":
            f = new_field([box.label], {**_base_field("", box, value, None, None),
                                        "derive": {"from": id_field.name, "part": idp.part}},
                          f"来源：由“{id_field.data.get('label')}”推算（{_ID_PART_WORDS[idp.part]}）")
            field_of[box.n] = f.name
            bound_auto += 1
            continue
        asked += 1               # the same ids with answers as without (q2 stays q2)
        if answer is None:       # a question's id answers only a value that is asked
            answer = matched.value("", qid)
        if answer is not None and answer.kind != "clerk":
            f = _answered(box, value, answer, new_field, verify, report)
            if answer.kind == "constant":
                constants.append(answer.text.strip())
            field_of[box.n] = f.name
            continue
        # matched nothing (or in several places): the clerk gives it until it is answered
        base = _base_field("", box, value, None, None)
        f = new_field([box.label], {**base, "read": "clerk"},
                      "来源：办事员在核对时填写（录制时未在源上找到）" if answer is None
                      else "来源：办事员在核对时填写")
        field_of[box.n] = f.name
        if answer is None:
            typ = base.get("type", "text")
            why = _("The value of {box} ({value}) is in {n} places on the source; say which.",
                    box=box.label or f.name, value=masked(value, typ), n=len(binding.ambiguous)) \
                if binding.ambiguous else _(
                "The value of {box} ({value}) is not on the source: is it a constant, a value "
                "a registry fills, or a field on the source (give its label)?",
                box=box.label or f.name, value=masked(value, typ))
            questions.append(Question(qid, box.label, "value", masked(value, typ), why=why,
                                      field=f.name))

    titles = rp.titles or ([rp.window.title] if rp.window is not None else [])
    case_values = [b.value for b in rp.boxes if b.value] + [t for b in rp.boxes for t in b.texts]
    tp = target_pattern(titles, proc, case_values)
    target: dict = {}
    if tp.title:
        target["title"] = tp.title
    if tp.process:
        target["process"] = tp.process
    if tp.note == "title-cut":
        report.append(_("The window title holds case data or changes: the pattern keeps only "
                        "its fixed part."))
    if not target:
        report.append(_("The target window has no title or process to recognise it by; the "
                        "draft names none and does not pass deskhand check until one is added."))

    steps, notes = build_steps(rp, field_of, recording.target)
    source: dict = {}
    if recording.source is not None:
        if card:
            source["kind"] = "idcard"
        elif recording.source.kind == "window" and recording.source.window_title:
            wt = target_pattern([recording.source.window_title], None, case_values).title
            source = {"kind": "window", "window": wt} if wt else {"kind": "screen"}
        else:
            source["kind"] = recording.source.kind if recording.source.kind in (
                "screen", "image") else "screen"
        if any("region" in f.data.get("read", {}) for f in fields
               if isinstance(f.data.get("read"), dict)) and recording.source.width:
            source["size"] = [recording.source.width, recording.source.height]

    text = emit(PlaybookText(
        id=pid, name=name or _("{window} (recorded)", window=(tp.title or pid).replace("*", "").strip()),
        description="录制生成的草稿：请检查每个字段的来源，再用样例验证后发布。",
        header=["由 deskhand record 从一次录制生成（草稿）。"],
        source=source, target=target,
        fields=[Item(f.data, f.comment) for f in fields], verify=verify, steps=steps))

    left = literal_values_left(text, rp.boxes, constants, choice_words)
    report[:0] = [_("{bound} of {total} values were bound to the source without a question.",
                    bound=bound_auto, total=values_total)]
    report += matched.problems()
    if questions:
        report.append(_("{n} question(s) left: until answered, those values are given by the "
                        "clerk in the review.", n=len(questions)))
    for b in rp.boxes:
        if b.choice and b.role != "check" and len(b.options) < 2 and b.n in field_of:
            report.append(_("Only the choice {value} of {box} was seen: add its other choices to "
                            "field {field} before other cases are filled.", value=b.value,
                            box=b.label or field_of[b.n], field=field_of[b.n]))
    report += _read_back(fields, lines, card)
    return Draft(text, questions, bound_auto, values_total, left, report,
                 {b.label: field_of[b.n] for b in rp.boxes if b.n in field_of})


def _blind_secret_note(box: Box) -> list[str]:
    """A sentence for a password box of a window without a tree: how it was known."""
    by = box.seen.secret_by if box.seen is not None else ""
    if by == "label":
        return [_("The box {box} could not be looked at: what was typed there is taken for a "
                  "password because of its label, and was not recorded; the playbook reads it "
                  "from the vault. If it is no password, record that box again.",
                  box=box.label or "?")]
    if by == "look":
        return [_("The box {box} shows no text (masked): it is taken for a password box, "
                  "and what was typed there was not recorded.", box=box.label or "?")]
    if by:
        return [_("A box of a window without a tree was not looked at in time: what was "
                  "typed there is taken for a password and was not recorded; the playbook "
                  "reads it from the vault. If it is no password, record that box again.")]
    return []


def _answered(box: Box, value: str, answer: Answer, new_field, verify: list[dict],
              report: list[str]) -> _Field:
    base = _base_field("", box, value, None, None)
    if answer.kind == "constant":
        return new_field([box.label], {**base, "read": {"constant": answer.text}},
                         "来源：固定值（录制后确认）")
    if answer.kind == "registry":
        registry, endpoint, rname = answer.text.rsplit(".", 2)
        f = new_field([box.label], {**base, "read": "clerk"},
                      f"来源：登记库 {registry}.{endpoint} 的 {rname}（源上没有时由办事员填写）")
        lookup = f"{registry}.{endpoint}"
        entry = next((v for v in verify if v["lookup"] == lookup), None)
        if entry is None:
            entry = {"lookup": lookup, "fill": {}}
            verify.append(entry)
        entry["fill"][f.name] = rname
        return f
    label = anchor_key(answer.text)
    return new_field([label, box.label], {**base, "read": {"anchor": label}},
                     f"来源：“{label}”右侧（录制后指定）")


_PART_WORDS = {"province": "省", "city": "市", "district": "区县", "town": "乡镇街道",
               "rest": "详细地址", "province_code": "省级代码", "city_code": "市级代码",
               "district_code": "区县代码"}


_ID_PART_WORDS = {"birth_date": "出生日期", "gender": "性别", "area_code": "地区代码",
                  "age": "年龄"}


def derived_part(value: str, all_places: list[Place],
                 labels: dict[Place, SourceLabel | None]) -> tuple[Place, str] | None:
    """(the address on the source, the part) when `value` is a part of an address the
    source shows (its province, county, 行政区划代码…): a derived field (derive: {from, part})."""
    from app.checks.address import split_address
    want = "".join(value.split())
    if not want:
        return None
    def parts_of(p: Place) -> list[str]:
        split = split_address(p.text)
        return [name for name, part in split.parts.items()
                if part and "".join(part.split()) == want]

    labelled = [p for p in all_places if labels.get(p) is not None]
    addresses = [p for p in labelled if anchor_key(labels[p].text) in ADDRESS_LABELS]  # type: ignore[union-attr]
    for p in sorted(addresses, key=lambda p: -len(p.lines)):
        hit = parts_of(p)
        if len(hit) == 1:
            return p, hit[0]
    # another labelled text that is a place (行政区划：福建省龙岩市新罗区), when only one is
    others: dict[str, tuple[Place, str]] = {}
    for p in sorted(labelled, key=lambda p: -len(p.lines)):
        hit = parts_of(p)
        if len(hit) == 1 and p not in addresses:
            others.setdefault(labels[p].text, (p, hit[0]))  # type: ignore[union-attr]
    return next(iter(others.values())) if len(others) == 1 else None


def literal_values_left(text: str, boxes: list[Box], constants: list[str],
                        choice_words: set[str]) -> int:
    """How many recorded values (of 2 characters or more, not an answered constant or a
    choice's option) the YAML still holds verbatim."""
    allowed = set(constants) | choice_words
    seen = {v.strip() for b in boxes for v in [b.value, *b.texts] if v and not b.secret}
    return sum(1 for v in seen if len(v) >= 2 and v not in allowed and v in text)


def _read_back(fields: list[_Field], lines: tuple[SourceLine, ...], card: bool) -> list[str]:
    """Sentences for fields the recorded source does not give back when read the way the
    draft says (the check a capture of this very source would make)."""
    from app.extract.fields import Extractor
    from playbooks.model import FieldSpec, ReadSpec
    specs = []
    for f in fields:
        read = f.data.get("read")
        if not isinstance(read, dict) or "anchor" not in read:
            continue
        words = read["anchor"] if isinstance(read["anchor"], list) else [read["anchor"]]
        specs.append(FieldSpec(name=f.name, label=f.data.get("label"),
                               read=ReadSpec(anchor=words[0], also=tuple(words[1:]),
                                             direction=read.get("direction", "right"),
                                             lines=read.get("lines", 1),
                                             max_gap=read.get("max_gap"))))
    if not specs:
        return []
    boxes = [TextBox(ln.text, ln.score, ln.x, ln.y, ln.width, ln.height) for ln in lines]
    ex = Extractor(boxes, tuple(specs), card=card)
    shown = {f.name: f.shown for f in fields}
    out = []
    for s in specs:
        found = ex.read(s)
        if found is None or (shown.get(s.name) and _squeezed(found.value) != _squeezed(shown[s.name])):
            out.append(_("The field {field} was not read back from the recorded source by its "
                         "label {label} as it was recorded: check it in the editor.", field=s.name,
                         label=s.read.anchor if s.read else ""))
    return out


def _squeezed(text: str) -> str:
    return "".join(text.split())
