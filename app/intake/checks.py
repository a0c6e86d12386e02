"""The intake form's checks, value by value, and across values.

Each value gets one of the case statuses (app/cases.py): ok (a check passed, or a person
typed free text), corrected (a look-alike letter taken as a digit, the original kept),
unchecked (free text read by OCR: no check can confirm it), invalid (a check failed, with
the sentence in source["problems"]), missing (required and empty). A value read off an ID
card keeps what the capture found (source["read_status"], ["read_problems"]): a low-
confidence reading stays invalid until a person types it.

Across values: shares add up to 100%; the shareholders' amounts add up to the registered
capital (万元), each share being its amount's part of it; the legal representative,
directors and supervisors are 18 or older on the application date; an ID number appears
once in a group, and wherever it appears (the legal
representative who is also a shareholder) with the same name.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from app.cases import FieldValue
from app.checks import check_value
from app.i18n import _
from app.intake.model import GROUPS, ITEMS, PERSON_FIELDS, SECTIONS, Intake, Item
from app.intake.numbers import PERCENT, WAN, parse_number, plain
from app.privacy import mask

__all__ = ["check_intake", "READ_KINDS"]

READ_KINDS = ("image",)          # provenances that are an OCR reading (the ID card)
_FAILED = ("invalid", "missing")
_HUNDRED = Decimal(100)


def _fail(fv: FieldValue, sentence: str) -> None:
    fv.status = "invalid"
    problems = fv.source.setdefault("problems", [])
    if sentence not in problems:
        problems.append(sentence)


def check_one(fv: FieldValue, item: Item, today: date | None = None) -> None:
    """The value's own check, from scratch (what an earlier run found is dropped)."""
    if fv.source.get("kind") in READ_KINDS:
        fv.status = fv.source.get("read_status", fv.status)
        fv.source["problems"] = list(fv.source.get("read_problems", []))
        return
    fv.source.pop("problems", None)
    fv.original = None
    text = (fv.value or "").strip()
    fv.value = text
    if not text:
        fv.status = "missing" if item.required else "ok"
        if item.required:
            fv.source["problems"] = [_("This value is required.")]
        return
    fv.status = "ok"
    if item.kind in ("id_number", "phone", "date"):
        result = check_value(item.kind, text, today=today)
        fv.value = result.value
        if result.status == "corrected":
            fv.status, fv.original = "corrected", text
        elif result.status == "invalid":
            _fail(fv, result.problems[0] if result.problems else _("{label} is not valid.",
                                                                   label=item.label))
    elif item.kind in ("wan", "percent"):
        try:
            number = parse_number(text, WAN if item.kind == "wan" else PERCENT)
        except ValueError as exc:
            _fail(fv, str(exc))
            return
        fv.value = plain(number)
        if number <= 0:
            _fail(fv, _("{label} is {value}; it must be more than 0.", label=item.label,
                        value=fv.value))
        elif item.kind == "percent" and number > _HUNDRED:
            _fail(fv, _("{label} is {value}%; a share is at most 100%.", label=item.label,
                        value=fv.value))


def _number(fv: FieldValue | None) -> Decimal | None:
    if fv is None or fv.status in _FAILED or not fv.value:
        return None
    return Decimal(fv.value)


def _sums(intake: Intake) -> None:
    rows = intake.groups.get("shareholders", [])
    shares = [_number(r.get("share")) for r in rows]
    if rows and None not in shares and sum(shares) != _HUNDRED:
        for r in rows:
            _fail(r["share"], _("The shareholders' shares add up to {total}%, not 100%.",
                                total=plain(sum(shares))))
    amounts = [_number(r.get("amount")) for r in rows]
    capital = _number(intake.fields.get("registered_capital"))
    for r, amount, share in zip(rows, amounts, shares):
        # 持股比例 is the part of the registered capital a shareholder subscribed
        if capital and amount is not None and share is not None and \
                abs(amount * _HUNDRED / capital - share) > Decimal("0.01"):
            _fail(r["share"], _("{amount} of {capital} 万元 is {part}% of the capital, but the share "
                                "given is {share}%.", amount=plain(amount), capital=plain(capital),
                                part=plain((amount * _HUNDRED / capital).quantize(Decimal("0.01"))),
                                share=plain(share)))
    if rows and None not in amounts and capital is not None and sum(amounts) != capital:
        sentence = _("The shareholders' amounts add up to {total} 万元, but the registered capital "
                     "is {capital} 万元.", total=plain(sum(amounts)), capital=plain(capital))
        for fv in [r["amount"] for r in rows] + [intake.fields["registered_capital"]]:
            _fail(fv, sentence)


def _people(intake: Intake) -> list[tuple[str, FieldValue, FieldValue, str]]:
    """(where, name, ID number, group title or "") for every person on the form with an ID."""
    out = []
    for name_field, id_field in PERSON_FIELDS.items():
        if name_field in intake.fields and id_field in intake.fields:
            section = next(s.title for s in SECTIONS if any(i.name == name_field for i in s.items))
            out.append((section, intake.fields[name_field], intake.fields[id_field], ""))
    for g in GROUPS:
        for i, row in enumerate(intake.groups.get(g.name, []), 1):
            if "name" in row and "id_number" in row:
                out.append((f"{g.title} {i}", row["name"], row["id_number"], g.title))
    return out


# who must be of full age (18): a company's legal representative, directors and
# supervisors may not be persons without full civil capacity (公司法 第一百七十八条)
ADULTS = ("legal_rep_id", "supervisor_id", "directors", "supervisors")


def _adults(intake: Intake, today: date | None) -> None:
    on = _date(intake.fields.get("application_date")) or today or date.today()
    ids = [intake.fields[n] for n in ADULTS if n in intake.fields]
    ids += [row["id_number"] for g in ADULTS for row in intake.groups.get(g, [])
            if "id_number" in row]
    for fv in ids:
        if fv.status in _FAILED or len(fv.value or "") != 18:
            continue
        born = date(int(fv.value[6:10]), int(fv.value[10:12]), int(fv.value[12:14]))
        age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
        if age < 18:
            _fail(fv, _("The person with this ID number is {age} on {day}; a legal representative, "
                        "director or supervisor must be 18 or older.", age=age,
                        day=on.isoformat()))


def _date(fv: FieldValue | None) -> date | None:
    if fv is None or fv.status in _FAILED or not fv.value:
        return None
    try:
        return date.fromisoformat(fv.value)
    except ValueError:
        return None


def _same_people(intake: Intake) -> None:
    by_id: dict[str, list[tuple[str, FieldValue, FieldValue, str]]] = defaultdict(list)
    for person in _people(intake):
        if person[2].value and person[2].status not in _FAILED:
            by_id[person[2].value].append(person)
    for number, people in by_id.items():
        seen: dict[str, str] = {}
        for where, _name, id_fv, group in people:
            if group and group in seen:
                _fail(id_fv, _("The ID number {id} is given twice in {group} ({first} and "
                               "{second}); each person is listed once.", id=mask(number, "id_number"),
                               group=group, first=seen[group], second=where))
            seen.setdefault(group, where)
        names = {p[1].value for p in people if p[1].value}
        if len(names) > 1:
            places = "、".join(f"{p[1].value}（{p[0]}）" for p in people)
            for _where, name_fv, _id, _g in people:
                _fail(name_fv, _("The ID number {id} is given with different names: {places}; one "
                                 "of them is wrong.", id=mask(number, "id_number"), places=places))


def check_intake(intake: Intake, today: date | None = None) -> list[str]:
    """Check every value in place; the sentences about the form as a whole (a group that
    needs a row) are returned. `today`: for tests (a birth date after it is impossible)."""
    for item in ITEMS.values():
        check_one(intake.fields.setdefault(item.name, FieldValue("", "ok", None,
                                                                 {"kind": "intake"})), item, today)
    whole = []
    for g in GROUPS:
        rows = intake.groups.setdefault(g.name, [])
        for row in rows:
            for column in g.columns:
                check_one(row.setdefault(column.name, FieldValue("", "ok", None, {"kind": "intake"})),
                          column, today)
        if len(rows) < g.min_rows:
            whole.append(_("{group}: give at least {n} row.", group=g.title, n=g.min_rows))
    _sums(intake)
    _adults(intake, today)
    _same_people(intake)
    return whole
