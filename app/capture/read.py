"""Read a source image into a case: OCR (cropped to the playbook's regions), find each
field, normalise it, check it, and keep where on the source it came from."""
from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Callable

from PIL import Image

from app.capture.card import ADDRESS, ID_NUMBER, address_left_short, lost_labels
from app.capture.deskew import level
from app.capture.screen import CaptureError
from app.cases import Case, FieldValue, new_case_id, now_iso, settle_doubt
from app.checks.normalize import halfwidth_alnum
from app.checks.places import correct_place_names
from app.checks.readings import (Alternatives, choose_ethnic_group, ethnic_groups_fitting,
                                 simplify, tidy_spaces)
from app.extract.doubt import unsure as doubt_of
from app.extract.ink import first_ink, without_rules
from app.extract.fields import Extractor, Found, found_from_boxes
from app.extract.label_overlap import clear_of_label
from app.extract.labels import JOIN_GAP, find_labels, lost_heads
from app.extract.reread import settle
from app.extract.table import RowValues, table_rows
from app.i18n import _, join
from app.ocr.base import OcrEngine, TextBox
from app.privacy import SENSITIVE_TYPES, mask
from app.values.derive import derive_fields
from app.values.honest import mark_unchecked
from app.values.listed import listed_words
from app.values.transforms import apply_transforms
from playbooks.anchors import anchor_key
from playbooks.model import FieldSpec, Playbook, ReadSpec, RowMatch, TableSpec

# Types whose own check catches a misread character: check digits, a closed list.
SELF_CHECKED = ("id_number", "credit_code", "choice")

# The front of the resident ID card (居民身份证): where each standard field is printed.
ID_CARD_LAYOUT: dict[str, ReadSpec] = {
    "applicant_name": ReadSpec(anchor="姓名"),
    "gender": ReadSpec(anchor="性别"),
    "ethnicity": ReadSpec(anchor="民族"),
    "birth_date": ReadSpec(anchor="出生"),
    "address": ReadSpec(anchor=ADDRESS, lines=3),
    "id_number": ReadSpec(anchor=ID_NUMBER),   # misread letters are left to the check digit
}


@dataclass
class CaptureResult:
    case: Case
    missing_required: list[str] = field(default_factory=list)   # names of required fields not found
    ocr_s: float = 0.0
    elapsed_s: float = 0.0
    boxes: list[TextBox] = field(default_factory=list)   # what OCR read (a lazy table: what it needed)
    image: Image.Image | None = None       # the picture the boxes are on (an ID card levelled)
    problems: list[str] = field(default_factory=list)   # about the whole source: no row taken
    row: RowValues | None = None           # a table's row read (its band, the table's columns)

    @property
    def needs_person(self) -> list[str]:
        return [n for n, f in self.case.fields.items() if f.status in ("invalid", "missing", "mismatch", "unverified")]


def off_source(f: FieldSpec) -> bool:
    """A field not read from the source: the clerk's, a constant, or a vault password."""
    return f.read is not None and (f.read.clerk or f.read.constant is not None
                                   or f.read.vault is not None)


def effective_fields(playbook: Playbook) -> tuple[FieldSpec, ...]:
    """Fields with their read spec filled in: the ID-card layout for an idcard source,
    otherwise the field's label as the anchor."""
    idcard = playbook.source_spec is not None and playbook.source_spec.kind == "idcard"
    out = []
    for f in playbook.fields:
        if f.read is None and f.derive is None:   # a derived field is computed, not read
            spec = ID_CARD_LAYOUT.get(f.name) if idcard else None
            spec = spec or (ReadSpec(anchor=f.label) if f.label else None)
            if spec is not None:
                f = replace(f, read=spec)
        out.append(f)
    return tuple(out)


def _frames(playbook: Playbook, image: Image.Image, scale: float
            ) -> list[tuple[int, int, int, int]]:
    """What OCR read, in image pixels: the playbook's regions, or the whole picture."""
    spec = playbook.source_spec
    if spec is None or not spec.regions:
        return [(0, 0, image.width, image.height)]
    return [(int(r.x * scale), int(r.y * scale), min(image.width, int((r.x + r.width) * scale)),
             min(image.height, int((r.y + r.height) * scale))) for r in spec.regions]


def ocr_regions(image: Image.Image, engine: OcrEngine, playbook: Playbook,
                scale: float, read: Callable[[Image.Image], list[TextBox]] | None = None
                ) -> list[TextBox]:
    """OCR only the playbook's regions (a 2.2 s page becomes ~0.7 s), else the whole image.
    `read`: instead of the engine's `read` (its `detect`, for a table read lazily)."""
    spec = playbook.source_spec
    read = read or engine.read
    if spec is None or not spec.regions:
        return read(image)
    boxes: list[TextBox] = []
    for r in spec.regions:
        x0, y0 = int(r.x * scale), int(r.y * scale)
        x1 = min(image.width, int((r.x + r.width) * scale))
        y1 = min(image.height, int((r.y + r.height) * scale))
        if x1 <= x0 or y1 <= y0:
            raise CaptureError(_("The region {x},{y} {width}×{height} of playbook {playbook} lies "
                                 "outside the {image_width}×{image_height} source.",
                                 x=r.x, y=r.y, width=r.width, height=r.height,
                                 playbook=playbook.id, image_width=image.width,
                                 image_height=image.height))
        boxes += [b.shifted(x0, y0) for b in read(image.crop((x0, y0, x1, y1)))]
    return boxes


def read_source(playbook: Playbook, image: Image.Image, engine: OcrEngine, *,
                scale: float = 1.0, source: dict | None = None,
                match: dict[str, str] | None = None) -> CaptureResult:
    """One case from the source. A playbook reading every row of a table (row: all) makes
    a case per row: use `read_rows`."""
    results = read_rows(playbook, image, engine, scale=scale, source=source, match=match)
    if len(results) > 1:
        raise CaptureError(_("Playbook {playbook} reads every row of the table, one case each; "
                             "capture it with deskhand capture.", playbook=playbook.id))
    return results[0]


def read_rows(playbook: Playbook, image: Image.Image, engine: OcrEngine, *,
              scale: float = 1.0, source: dict | None = None,
              match: dict[str, str] | None = None) -> list[CaptureResult]:
    """The source's case: one, or for a table read with row: all, one per row. `match`
    holds the value a table's row is picked by (row: {match: …}), by field name."""
    t0 = time.perf_counter()
    if _is_card(playbook):   # a photo of a card is rarely level; its rows must be to be read right
        image = level(image)[0]
    table = playbook.source_spec.table if playbook.source_spec is not None else None
    # A table whose fields are all in its columns is read lazily: where the text is first,
    # then only the lines up to the header and the rows taken (a grid's capture ~40% faster).
    lazy = (table is not None and hasattr(engine, "detect") and hasattr(engine, "recognise")
            and all(f.read is not None and (f.read.column is not None or off_source(f))
                    for f in effective_fields(playbook)))
    boxes = ocr_regions(image, engine, playbook, scale,
                        read=engine.detect if lazy else None)  # type: ignore[attr-defined]
    ocr_s = time.perf_counter() - t0
    if not boxes:
        raise CaptureError(_("No text could be read on the source: is the right window or page "
                             "showing, and is it in focus and not covered?"))
    if table is None:
        return [_read_case(playbook, image, engine, boxes, None, scale, source, t0, ocr_s)]
    rows = table_rows(image, boxes, table, engine, *_match_value(playbook, table, match),
                      unread=lazy)
    return [_read_case(playbook, image, engine, boxes, row, scale, source, t0, ocr_s)
            for row in rows]


def _match_value(playbook: Playbook, table: TableSpec, match: dict[str, str] | None
                 ) -> tuple[str | None, str | None]:
    """The value given for a `row: {match: …}` table, and how a sentence may show it."""
    if not isinstance(table.row, RowMatch) or not match or table.row.field not in match:
        return None, None
    value = match[table.row.field]
    spec = playbook.field_spec(table.row.field)
    sensitive = spec.sensitive or spec.type in SENSITIVE_TYPES
    return value, mask(value, spec.type) if sensitive else value


def _read_case(playbook: Playbook, image: Image.Image, engine: OcrEngine, boxes: list[TextBox],
               row: RowValues | None, scale: float, source: dict | None, t0: float,
               ocr_s: float) -> CaptureResult:
    from app.checks import check_value
    if row is not None and row.provenance:
        source = {**(source or {}), "table": dict(row.provenance)}
    fields = effective_fields(playbook)
    boxes = boxes + _lost_label_heads(image, engine, boxes, fields)
    if _is_card(playbook):
        boxes = boxes + lost_labels(image, engine, boxes, [f.read.anchor for f in fields
                                                           if f.read is not None and f.read.anchor])
    extractor = Extractor(boxes, fields, scale, card=_is_card(playbook), image=image,
                          frames=_frames(playbook, image, scale))
    values: dict[str, FieldValue] = {}
    missing_required = []
    read_any = False
    listed = {f.name: words for f in fields if (words := listed_words(f))}
    for f in fields:
        if f.derive is not None:                   # computed below from its source
            continue
        if f.read is not None and f.read.clerk:   # asked in the review, never guessed
            values[f.name] = FieldValue(None, "missing", None, {**(source or {}), "kind": "clerk"})
            continue
        if f.read is not None and f.read.vault is not None:
            continue       # a password: read from the vault when filling, never kept in a case
        if f.read is not None and f.read.constant is not None:
            values[f.name] = FieldValue(f.read.constant, "ok", None,
                                        {**(source or {}), "kind": "constant"})
            continue
        why = None
        if f.read is not None and f.read.column is not None and row is not None:
            # only from its own cell; free text read again, and flagged when unsure
            found, why = row.read(f.read.column, f.read.pattern, free_text=f.type == "text")
        else:
            found = extractor.read(f) if f.read is not None else None
            if found is not None and not _is_card(playbook) and f.read is not None \
                    and f.read.direction == "right" and f.read.region is None:
                found = clear_of_label(found, extractor.label_box(f), image,
                                       getattr(engine, "read_line", None))
        if found is None and f.read is not None and f.read.direction == "right" \
                and f.read.lines == 1 and f.read.region is None and f.read.pattern is None \
                and f.read.column is None and f.name not in extractor.cut:
            found = _second_look(image, engine, extractor.label_box(f), extractor.right_limit(f))
        first, note, unsure = None, None, False
        if found is not None and found.value and _is_card(playbook):
            found, first, note, unsure = _card_value(f, found, image, engine, boxes, extractor,
                                                     fields)
        prov = dict(source or {})
        if found is None or not found.value:
            # the others are kept: the clerk gives this one in the review or with --set
            if why is None:
                why = extractor.why.get(f.name)
                if not (f.required or f.name in extractor.hits):
                    why = None
            if why:
                prov["problems"] = [why]
            values[f.name] = FieldValue(None, "missing", None, prov)
            if f.required:
                missing_required.append(f.name)
            continue
        read_any = True
        prov.update({"kind": prov.get("kind", "ocr"), "box": list(found.box),
                     "score": round(found.score, 3)})
        # check_value normalises (full-width, look-alike letters, dates to ISO) and checks;
        # the engine's alternatives guide its check-digit correction.
        raw, alts, repairs = found.value, found.alternatives, []
        if f.type == "text":
            raw, alts, repairs = _repair_text(f, halfwidth_alnum(raw), alts)
        given = raw
        if f.transform:                           # the playbook's cleaning steps, then the check
            done = apply_transforms(f.transform, raw, choices=f.choices)
            if done.problem is not None:
                values[f.name] = FieldValue(raw, "invalid", None, {
                    **prov, "problems": [done.problem], "transform": {"from": raw, "to": raw}})
                continue
            alts = alts if len(done.value) == len(raw) else None   # still one per character
            raw = done.value
        result = check_value(f.type, raw, alts, choices=f.choices, listed=listed.get(f.name, ()),
                             list_label=f.label or "")
        if why and result.status in ("ok", "corrected"):    # the OCR engine was not sure
            result = replace(result, status="invalid", problems=[*result.problems, why])
        if f.type == "text" and result.status == "ok":
            fixed, notes = correct_place_names(result.value)
            repairs += notes
            if repairs:
                result = replace(result, status="corrected", value=fixed,
                                 warnings=[*result.warnings, *repairs])
        if note and result.status in ("ok", "corrected"):     # read again: the first kept
            result = replace(result, status="corrected", warnings=[note, *result.warnings])
        if found.doubt and result.status in ("ok", "corrected"):
            result = replace(result, status="invalid", problems=[*result.problems, found.doubt])
            if unsure:          # only the engine's doubt: a registry holding the value settles it
                prov["unsure"] = True
        if not _is_card(playbook) and f.type not in SELF_CHECKED and not _is_ethnicity(f) \
                and result.status in ("ok", "corrected"):
            # a check that cannot see a misread character (a name, a date) needs the
            # engine to have been sure of each one (an ID card's are read again: above)
            doubted = doubt_of(found.value, found.doubts, found.alternatives)
            if doubted:
                result = replace(result, status="invalid", problems=[*result.problems, doubted])
                prov["unsure"] = True   # only the engine's doubt: a registry holding it settles it
        if result.status == "ok" and _is_name(f) and len(result.value) < 2:
            # Chinese names have two characters or more: one means a character was lost
            # (rare characters such as 赟 are what OCR drops).
            result = replace(result, status="invalid", problems=[_(
                "The name was read as '{value}', one character: a character was probably not "
                "recognised; read it from the source.", value=result.value)])
        original = (first or found.value) if result.status == "corrected" else None
        if alts is not None and any(len(a) > 1 for a in alts) and len(alts) == len(result.value):
            # what the engine also considered, for the registry to settle (傅赞 / 傅赟)
            prov["alternatives"] = ["".join(a) for a in alts]
        if result.problems:
            prov["problems"] = list(result.problems)
        if result.candidates and listed.get(f.name):
            prov["suggestions"] = list(result.candidates)     # for the clerk, never put in
        if result.warnings:
            prov["warnings"] = list(result.warnings)
        if f.transform:         # marks the value as transformed: a fill does not do it again
            prov["transform"] = {"from": given, "to": result.value}
        values[f.name] = FieldValue(result.value, result.status, original, prov)
    if not read_any and row is None and any(f.read is not None and not off_source(f) for f in fields):
        raise CaptureError(_("None of the fields of playbook {playbook} could be found on the "
                             "source ({fields}): is the right window or page showing?",
                             playbook=playbook.id,
                             fields=join([f.label or f.name for f in fields
                                          if f.name in missing_required] or
                                         [f.label or f.name for f in fields])))
    _cross(playbook, values)
    _address_prefix(playbook, values)
    mark_unchecked(playbook, values, listed)
    derive_fields(playbook, values)         # after: a part of unchecked text is unchecked
    case = Case(case_id=new_case_id(), playbook=playbook.id, fields=values, created=now_iso())
    problems = [row.problem] if row is not None and row.problem else []
    if row is not None and row.table is not None and row.table.unread:
        boxes = row.table.seen      # what was read: the boxes of `detect` hold no text
    return CaptureResult(case, missing_required, ocr_s, time.perf_counter() - t0, boxes, image,
                         problems, row)


def _card_value(f: FieldSpec, found: Found, image: Image.Image, engine: OcrEngine,
                boxes: list[TextBox], extractor: Extractor, fields: tuple[FieldSpec, ...]
                ) -> tuple[Found, str | None, str | None, bool]:
    """A value read from an ID card, made sure of: text and dates the engine was unsure of
    read again (app/extract/reread.py), and a 住址 that may lack a part flagged. Returns
    the value, the first reading when it was replaced, why, and whether the value's doubt
    is only the engine's (not a part left unread)."""
    first = note = None
    unsure = False
    # the 56 groups settle what the engine doubted in a 民族, unless two of them fit
    listed = _is_ethnicity(f) and len(ethnic_groups_fitting(found.value, found.alternatives)) == 1
    if f.type in ("text", "date") and not listed:   # numbers have their check digits
        settled = settle(found, image, engine, boxes)
        found, first, note, unsure = settled.found, settled.first, settled.note, settled.unsure
    if f.read is not None and f.read.anchor == ADDRESS:
        id_label = next((extractor.label_box(g) for g in fields
                         if g.read is not None and g.read.anchor == ID_NUMBER), None)
        short = address_left_short(image, boxes, found, id_label) if id_label is not None else None
        if short is not None:
            found, unsure = replace(found, doubt=short), False
    return found, first, note, unsure


def _is_card(playbook: Playbook) -> bool:
    return playbook.source_spec is not None and playbook.source_spec.kind == "idcard"


def _repair_text(f: FieldSpec, raw: str, alts: Alternatives | None
                 ) -> tuple[str, Alternatives | None, list[str]]:
    """Free text as read, tidied (spaces OCR put into Chinese text) and repaired where
    the recogniser's own alternatives say so (traditional forms, 民族 names)."""
    read = raw
    raw, alts = tidy_spaces(raw, alts)
    raw, alts, changed = simplify(raw, alts)
    notes = [_("Read as '{read}'; traditional characters taken as simplified ({changes}).",
               read=read, changes=join(changed))] if changed else []
    if _is_ethnicity(f):
        group = choose_ethnic_group(raw, alts)
        if group is not None:
            if group not in (raw, raw + "族"):
                notes.append(_("Read as '{read}'; of the 56 ethnic groups only {group} fits what "
                               "the OCR engine saw.", read=raw, group=group))
            raw, alts = group, None
    if "@" in raw:                       # OCR puts spaces into e-mail addresses
        raw, alts = "".join(raw.split()), None
    return raw, alts, notes


def _cross(playbook: Playbook, values: dict[str, FieldValue]) -> None:
    """Birth date and sex against the ID number; a disagreement marks the other field invalid."""
    from app.checks import check_value, cross_check
    from app.checks.cross import roles_for
    roles = roles_for(playbook.fields)
    if "id_number" not in roles or values.get(roles["id_number"], FieldValue(None)).status \
            not in ("ok", "corrected"):
        return
    plain = {name: fv.value for name, fv in values.items() if fv.value is not None}
    roles = {role: name for role, name in roles.items() if name in plain}
    types = {f.name: f.type for f in playbook.fields}
    problems = cross_check(plain, types, roles)
    for problem in problems:
        fv = values.get(problem.field)
        if fv is not None and fv.status in ("ok", "corrected"):
            fv.status = "invalid"
            fv.source.setdefault("problems", []).append(problem.message)
    # A birth date the OCR engine was unsure of, which the ID number's own digits (their
    # check digit passed) give too, is settled: two readings of it agree.
    birth = values.get(roles.get("birth_date", ""))
    if birth is not None and birth.status == "invalid" and birth.source.get("unsure") is True \
            and check_value("date", birth.value).status != "invalid" \
            and not any(p.field == roles["birth_date"] for p in problems):
        settle_doubt(birth)
        birth.source["warnings"].append(_("The ID number gives the same birth date: what the "
                                          "OCR engine was unsure of is settled."))


def _second_look(image: Image.Image, engine: OcrEngine, label: TextBox | None,
                 limit: tuple[float, float] | None):
    """One-character values (民族 汉, 性别 男, a sex code 1) are what OCR's detector most
    often misses; look once more right of the label — never past the next label or the
    field's max_gap (`limit`: where the value may start, where it must end) — at the
    first printed text there, cut out tight (grid lines painted over: a rule read alone is
    a "1" no one printed) and read as one line."""
    if label is None:
        return None
    h = label.height
    x0, y0 = label.x + label.width, max(0, int(label.y - 0.4 * h))
    start, end = limit if limit is not None else (x0 + 4 * h, x0 + 4 * h)
    x1 = min(image.width, int(min(end, start + 4 * h)))
    y1 = min(image.height, int(label.y + 1.4 * h))
    if x1 - x0 < 4 or y1 - y0 < 4:
        return None
    crop = without_rules(image.crop((x0, y0, x1, y1)))
    ink = first_ink(crop, gap=h)
    read_line = getattr(engine, "read_line", None)
    if ink is not None and x0 + ink[0] > start:
        return None                          # the first text there is too far: not its value
    if ink is not None and read_line is not None:
        left, top, right, bottom = ink
        pad = max(2, int(0.3 * h))
        box = (max(0, left - pad), max(0, top - pad // 2), min(crop.width, right + pad),
               min(crop.height, bottom + pad // 2))
        line = read_line(crop.crop(box))
        if line is None:
            return None
        text = line.text.strip(" :：")
        if not text or text != line.text.strip():
            return None                      # a colon or space read there: not a value alone
        return Found(text, (x0 + box[0], y0 + box[1], box[2] - box[0], box[3] - box[1]),
                     line.score, line.alternatives, doubts=line.doubts or None)
    big = crop.resize((crop.width * 2, crop.height * 2), Image.LANCZOS)
    boxes = engine.read(big)
    if not boxes:
        return None
    joined = found_from_boxes(sorted(boxes, key=lambda b: b.x))
    text = joined.value
    start = len(text) - len(text.lstrip(" :："))
    end = len(text.rstrip(" :："))
    if end <= start:
        return None
    part = joined.part(start, end)
    return Found(part.value, (x0, y0, x1 - x0, y1 - y0), part.score, part.alternatives,
                 doubts=part.doubts)


def _lost_label_heads(image: Image.Image, engine: OcrEngine, boxes: list[TextBox],
                      fields: tuple[FieldSpec, ...]) -> list[TextBox]:
    """A label printed spaced out (性　　别：) whose lone first character OCR missed:
    read the room left of the rest once more, enlarged, and keep what it finds there if
    it is exactly the characters missing (then the label is joined back as usual)."""
    extra: list[TextBox] = []
    for f in fields:
        wordings = Extractor.anchors_of(f) if f.read is None or not f.read.clerk else []
        if not wordings or any(find_labels(boxes, w) for w in wordings):
            continue
        for wording in wordings:
            for rest, head in lost_heads(boxes, wording):
                h = rest.height
                x0 = max(0, int(rest.x - (JOIN_GAP + len(head)) * h))
                y0, y1 = max(0, int(rest.y - 0.3 * h)), min(image.height, int(rest.bottom + 0.3 * h))
                if rest.x - x0 < h / 2 or y1 - y0 < 4:
                    continue
                crop = image.crop((x0, y0, rest.x, y1))
                big = crop.resize((crop.width * 2, crop.height * 2), Image.LANCZOS)
                for b in engine.read(big):
                    if anchor_key(b.text) == head:
                        extra.append(TextBox(b.text, b.score, x0 + b.x // 2, y0 + b.y // 2,
                                             max(1, b.width // 2), max(1, b.height // 2),
                                             b.alternatives))
    return extra


def _address_prefix(playbook: Playbook, values: dict[str, FieldValue]) -> None:
    """An address usually starts with the district its ID number was issued in; the
    registry's name for it (GB/T 2260) corrects one misread character there (芗 read
    as 梦 in 芗城区). Only exactly one differing character counts: people move."""
    from app.checks import parse_id_number
    ids = [f.name for f in playbook.fields if f.type == "id_number"]
    addr = [f.name for f in playbook.fields if f.name == "address" or (f.label or "") in ("住址", "户籍地址")]
    if not ids or not addr:
        return
    idv, av = values.get(ids[0]), values.get(addr[0])
    if not idv or not av or idv.status not in ("ok", "corrected") or not av.value or av.status != "ok":
        return
    try:
        area = parse_id_number(idv.value).area_name or ""
    except Exception:  # an ID whose area is unknown: nothing to compare with
        return
    head = av.value[:len(area)]
    if len(area) < 6 or len(head) != len(area) or head == area:
        return
    if sum(a != b for a, b in zip(head, area)) == 1:
        av.original = av.value
        av.value = area + av.value[len(area):]
        av.status = "corrected"
        av.source.setdefault("warnings", []).append(_(
            "The start of the address was read as {read}; the ID number's district is {area}.",
            read=head, area=area))


def _is_ethnicity(f: FieldSpec) -> bool:
    return f.name == "ethnicity" or (f.label or "").startswith("民族")


def _is_name(f: FieldSpec) -> bool:
    return f.name in ("applicant_name", "name") or (f.label or "") in ("姓名", "申请人姓名")
