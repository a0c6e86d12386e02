"""Verifying a case against the registries its playbook names (`verify` section).

All look-ups of a case run in parallel; identical look-ups (same endpoint, same
request) are made once per case. What each registry answered is recorded in the case
(`case.verification`, and per field in `source["registry"]`), masked nowhere because
the case file is the clerk's own record; logs only ever see masked text.

Outcomes per confirmed field:
- ok          the registry agrees (the field's status stays ok, or corrected stays corrected;
              unchecked free text becomes ok when the registry holds exactly it);
- corrected   the registry's value is what the OCR engine also considered at the differing
              characters (傅赞 read, 赟 the runner-up, 傅赟 on record): taken, original kept;
- mismatch    they disagree: both values kept, the clerk decides;
- unverified  the registry could not be asked, or has no record (with the reason).
A field `invalid` only because the OCR engine was unsure of it (source["unsure"]: 高凤
with 风 weighed too) is compared as well, by an exact, date or coded rule, never a fuzzy
one: the registry holding that value settles the doubt (ok), or holding what the engine
also considered corrects it; otherwise it is a mismatch.
A registry value never silently replaces the source's: only `corrected` (with the
original kept) and `fill` (a field the source did not have) change a value.
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from app.cases import NEEDS_PERSON, Case, FieldValue, settle_doubt
from app.errors import VerificationError
from app.i18n import _, join
from app.registry.client import Answer, RegistryClient
from app.registry.compare import alternatives_explain, parse_any_date, same
from app.registry.settings import template_names
from playbooks.model import Playbook, VerifySpec

__all__ = ["verify_case", "VerifyReport", "mark_unverified"]

CONFIRMABLE = ("ok", "corrected", "unchecked")
MAX_PARALLEL = 8


@dataclass
class VerifyReport:
    answers: list[Answer] = field(default_factory=list)
    calls: int = 0                     # HTTP look-ups made (after the per-case cache)
    failed: list[Answer] = field(default_factory=list)

    @property
    def outage(self) -> VerificationError | None:
        errs = [a.error for a in self.failed if isinstance(a.error, VerificationError)]
        return errs[0] if errs else None


def _request_values(case: Case, spec: VerifySpec, needed: set[str]) -> dict[str, str]:
    """Template name → value: `with` first, then fields of the same name. Only values
    that passed their checks go out (an invalid ID number would be a wasted call)."""
    usable = {n: fv.value for n, fv in case.fields.items()
              if fv.value and fv.status in CONFIRMABLE}
    values = {name: usable[f] for name, f in spec.params.items() if f in usable}
    for name in needed:
        if name not in values and name in usable:
            values[name] = usable[name]  # type: ignore[assignment]
    return values  # type: ignore[return-value]


def verify_case(case: Case, playbook: Playbook, client: RegistryClient, *,
                on_outage: str | None = None, cache: bool = True) -> VerifyReport:
    """Look the case up in every registry its playbook names and update its fields.
    With on_outage "stop" (IT's setting unless given) a failed look-up raises its error
    after the case has been updated (fields `unverified`), so the caller saves it first.
    `cache=False` asks again for every look-up even when identical (bench/verify.py only)."""
    report = VerifyReport()
    if not playbook.verify:
        return report
    policy = on_outage or client.settings.on_outage
    plans: list[tuple[VerifySpec, tuple | None, dict[str, str], str | None]] = []
    for spec in playbook.verify:
        try:
            _registry, ep = client.settings.endpoint(spec.lookup)
        except VerificationError as exc:
            plans.append((spec, None, {}, exc.message))
            continue
        needed = template_names(ep.path) | template_names(ep.query) | template_names(ep.json)
        if ep.choose == "match":    # the case's values a record must carry
            needed |= set(ep.match.values())
        values = _request_values(case, spec, needed)
        lacking = sorted(needed - set(values))
        if lacking:
            plans.append((spec, None, values, _("the case has no checked value for {names} to "
                                                "look it up with", names=join(lacking))))
            continue
        key = (spec.lookup, tuple(sorted(values.items())))
        plans.append((spec, key if cache else (*key, len(plans)), values, None))

    # One call per distinct request, all at once.
    unique = {key: values for _spec, key, values, _why in plans if key is not None}
    report.calls = len(unique)
    answers: dict[tuple, Answer] = {}
    if unique:
        with ThreadPoolExecutor(max_workers=min(MAX_PARALLEL, len(unique))) as pool:
            futures = {key: pool.submit(client.lookup, key[0], values) for key, values in unique.items()}
            answers = {key: f.result() for key, f in futures.items()}
    report.answers = list(answers.values())
    report.failed = [a for a in report.answers if a.status == "failed"]
    case.verification = [a.to_json() for a in report.answers]

    for spec, key, _values, skipped in plans:
        answer = answers.get(key) if key is not None else None
        if answer is None:
            _unverified(case, spec, _("not looked up in {lookup}: {reason}", lookup=spec.lookup,
                                      reason=skipped))
        elif answer.status == "failed":
            _unverified(case, spec, answer.error.message if answer.error else _("the look-up failed"))
        elif answer.status == "not_found":
            _unverified(case, spec, _("{lookup} has no record for this case; check the number "
                                      "with the applicant.", lookup=spec.lookup), not_found=True)
        else:
            _apply(case, spec, answer, playbook)
    if report.failed and policy == "stop":
        raise report.failed[0].error or VerificationError(_("A registry look-up failed."))
    return report


def _note(fv: FieldValue, key: str, message: str) -> None:
    items = fv.source.setdefault(key, [])
    if message not in items:
        items.append(message)


def mark_unverified(case: Case, playbook: Playbook, reason: str) -> None:
    """Every field the playbook's look-ups would confirm becomes `unverified`, with why
    (verification could not run at all: settings, credentials)."""
    for spec in playbook.verify:
        _unverified(case, spec, reason)


def _unverified(case: Case, spec: VerifySpec, reason: str, *, not_found: bool = False) -> None:
    for name in spec.confirm:
        fv = case.fields.get(name)
        if fv is None or fv.status not in CONFIRMABLE:
            continue
        fv.status = "unverified"
        fv.source["registry"] = {"lookup": spec.lookup,
                                 "result": "not_found" if not_found else "unverified"}
        _note(fv, "problems", reason)


def _apply(case: Case, spec: VerifySpec, answer: Answer, playbook: Playbook) -> None:
    for name, rule in spec.confirm.items():
        fv = case.fields.get(name)
        reg_name = rule.registry_name or name
        reg_value = answer.values.get(reg_name)
        coded = answer.coded.get(reg_name)
        if fv is None:
            continue
        record = {"lookup": spec.lookup, "value": reg_value, "rule": rule.rule}
        if coded is not None:
            record.update(code=coded.code, dictionary=coded.dictionary)
        if reg_name in answer.undecoded and fv.status in CONFIRMABLE:
            fv.status = "unverified"
            record["result"] = "unverified"
            record["code"] = answer.undecoded[reg_name]
            fv.source["registry"] = record
            _note(fv, "problems", _("{lookup} answered the code {code} for this field, which "
                                    "its code list does not have; ask IT to add it to the "
                                    "registry settings.", lookup=spec.lookup,
                                    code=answer.undecoded[reg_name]))
            continue
        if rule.rule == "date" and reg_value is not None:
            parsed = parse_any_date(reg_value)    # 19900101 shows as 1990-01-01 in the review
            if parsed is not None and parsed.isoformat() != reg_value:
                record.update(value=parsed.isoformat(), as_sent=reg_value)
        unsure = fv.status == "invalid" and fv.source.get("unsure") is True \
            and (coded is not None or rule.rule != "fuzzy")
        if reg_value is None or fv.value is None or not (fv.status in CONFIRMABLE or unsure):
            record["result"] = "not_compared"
            fv.source["registry"] = record
            continue
        agrees = coded.matches(fv.value) if coded is not None else \
            same(rule.rule, fv.value, reg_value, rule.threshold)
        if agrees and unsure:
            record["result"] = "confirmed"
            settle_doubt(fv)
            _note(fv, "warnings", _("{lookup} holds '{value}': what the OCR engine was unsure of "
                                    "is settled.", lookup=spec.lookup, value=reg_value))
        elif agrees:
            record["result"] = "confirmed"
            if fv.status == "unchecked" and (coded is not None or rule.rule != "fuzzy"
                                             or same("exact", fv.value, reg_value)):
                # the registry holds it (a fuzzy likeness alone leaves a misread possible)
                fv.status = "ok"
        elif coded is None and rule.rule == "exact" and alternatives_explain(
                fv.value, reg_value, fv.source.get("alternatives")):
            record["result"] = "corrected"
            fv.original = fv.original or fv.value
            fv.value = reg_value
            if unsure:
                settle_doubt(fv)
            fv.status = "corrected"
            _note(fv, "warnings", _("Read as '{read}'; {lookup} holds '{value}', which the OCR "
                                    "engine also considered.", read=fv.original,
                                    lookup=spec.lookup, value=reg_value))
        else:
            if coded is not None:   # what the clerk can pick: the form's own word for the code
                record["value"] = coded.for_field(_choices(playbook, name))
            record["result"] = "mismatch"
            fv.status = "mismatch"
            _note(fv, "problems", _("The source says '{value}' but {lookup} holds '{registry}'; "
                                    "ask the applicant which is right.", value=fv.value,
                                    lookup=spec.lookup, registry=record["value"]))
        fv.source["registry"] = record
    for name, reg_name in spec.fill.items():
        reg_value = answer.values.get(reg_name)
        coded = answer.coded.get(reg_name)
        if coded is not None:       # the form's word: 21 (初婚) fills 已婚 among [未婚, 已婚 …]
            reg_value = coded.for_field(_choices(playbook, name))
        fv = case.fields.get(name)
        if reg_value is None:
            continue
        record = {"lookup": spec.lookup, "value": reg_value, "result": "filled"}
        if coded is not None:
            record.update(code=coded.code, dictionary=coded.dictionary)
        if fv is None or fv.value is None or fv.status == "missing":
            case.fields[name] = FieldValue(reg_value, "ok", None, {"kind": "registry",
                                                                   "registry": record})
        else:
            fv.source.setdefault("registry", {"lookup": spec.lookup, "value": reg_value,
                                              "result": "not_filled: the source has a value"})


def _choices(playbook: Playbook, name: str) -> tuple[str, ...]:
    try:
        return playbook.field_spec(name).choices
    except KeyError:
        return ()
