"""What the sandbox gateways hold about a generated person, in words and dates, before
each gateway writes it in its own codes and shapes.

    truth(5)              # what the person's sources show: the ID card and portal page fields
    facts_for(5)          # the registries' view of the same person, histories included
    facts_for(5, {"applicant_name": "高风"})   # … with a deliberate difference

The truth is `render_portal_page(make_person(seed), seed=PORTAL_SEED).truth` (computed
without drawing, app.sandbox.sources.portal_values), whose fields the ID card shares; the
marital status is the page's, so that a registry and the page agree unless a difference
is made on purpose (app.sandbox.gateways.differences). The page's 离异 is 离婚 in a registry.

Histories come from the seed alone (random.Random keyed by the seed and a topic), ages
and dates at the reference registry's AS_OF day, so answers do not drift with the calendar:
- marriage registrations: 结婚 (GB/T 2261.2 code 21 初婚, 22 再婚, 23 复婚 with the same
  spouse), 离婚 (40), 丧偶 (30, the marriage ended by the spouse's death), 补领结婚证
  (a new certificate, the status unchanged); the newest by date is the current status;
- social-insurance enrolments (the city's third look-up): earlier employers ended, the
  current one (the source's employer) paying;
- road-transport practitioner certificates (the ministry's): about a fifth of people aged
  21–60, renewed every six years; the newest is current, the older ones cancelled.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Mapping

from app.sandbox.people import Person, make_person
from app.sandbox.registry_service.data import AS_OF, TRANSPORT_KINDS, date_between, years_after
from app.sandbox.sources import portal_values

__all__ = ["Registration", "Job", "Certificate", "Facts", "truth", "facts_for", "TRUTH_FIELDS",
           "PORTAL_SEED", "AS_OF"]

PORTAL_SEED = 0
TRUTH_FIELDS = ("applicant_name", "gender", "ethnicity", "birth_date", "id_number", "address",
                "employer", "credit_code", "marital_status")

# Generated people who appear only inside records (spouses, former employers).
_SPOUSE_SEED = 20_000_000
_EMPLOYER_SEED = 30_000_000
_LEGAL_AGE = {"男": 22, "女": 20}
_ID_AS_CERTIFICATE = date(2017, 1, 1)   # practitioner certificates numbered by the ID number


@dataclass(frozen=True)
class Registration:
    kind: str                 # 结婚 | 离婚 | 丧偶 | 补领结婚证
    status: str               # GB/T 2261.2 code the person has after it
    on: date                  # 登记日期
    spouse_name: str
    spouse_id: str
    office: str
    certificate: str | None   # 结婚证/离婚证字号; None for 丧偶


@dataclass(frozen=True)
class Job:
    employer: str
    credit_code: str
    state: str                # 参保缴费 | 暂停缴费 | 终止参保
    since: date
    until: date | None


@dataclass(frozen=True)
class Certificate:
    number: str
    category: str
    issued: date
    valid_until: date
    issuer: str
    state: str                # 有效 | 注销 (replaced by a newer one) | 过期


@dataclass(frozen=True)
class Facts:
    seed: int
    id_number: str
    name: str
    gender: str
    ethnicity: str
    birth: date
    address: str
    employer: str
    credit_code: str
    marital: str              # 未婚 | 已婚 | 离婚 | 丧偶
    registrations: tuple[Registration, ...]     # oldest first
    jobs: tuple[Job, ...]                       # oldest first
    certificates: tuple[Certificate, ...]       # oldest first


def truth(seed: int) -> dict[str, str]:
    """The values the person's sources show (portal page of PORTAL_SEED; the ID card's
    fields are the same), by field name."""
    values = portal_values(make_person(seed), PORTAL_SEED)
    return {k: values[k] for k in TRUTH_FIELDS}


def facts_for(seed: int, changes: Mapping[str, str] | None = None) -> Facts:
    """The registries' facts about person `seed`; `changes` (field → value, dates ISO,
    marital status in words) replaces what the sources show."""
    p = make_person(seed)
    t = truth(seed)
    t.update(changes or {})
    marital = "离婚" if t["marital_status"] == "离异" else t["marital_status"]
    return Facts(
        seed=seed, id_number=p.id_number, name=t["applicant_name"], gender=t["gender"],
        ethnicity=t["ethnicity"], birth=date.fromisoformat(t["birth_date"]), address=t["address"],
        employer=t["employer"], credit_code=t["credit_code"], marital=marital,
        registrations=_registrations(p, marital), jobs=_jobs(p, t["employer"]),
        certificates=_certificates(p))


# --------------------------------------------------------------------------- marriage

def _registrations(p: Person, marital: str) -> tuple[Registration, ...]:
    if marital == "未婚":
        return ()
    rng = _rng(p.seed, "marriage")
    r = rng.random()
    if marital == "已婚":
        plan = ("结婚",) if r < 0.75 else ("结婚", "离婚", "再婚") if r < 0.9 else ("结婚", "离婚", "复婚")
    elif marital == "离婚":
        plan = ("结婚", "离婚") if r < 0.8 else ("结婚", "离婚", "再婚", "离婚")
    else:
        plan = ("结婚", "丧偶")
    if marital == "已婚" and rng.random() < 0.12:
        plan += ("补领结婚证",)
    spouse = _spouse(p, 0, None)
    lo = max(years_after(p.birth_date, _LEGAL_AGE[p.gender]),
             years_after(spouse.birth_date, _LEGAL_AGE[spouse.gender]))
    days = _increasing_days(rng, lo, AS_OF - timedelta(days=30), len(plan))
    office = f"{p.area.city}{p.area.district}民政局婚姻登记处"
    out: list[Registration] = []
    status = "10"
    for n, (kind, on) in enumerate(zip(plan, days)):
        if kind == "再婚":
            spouse = _spouse(p, n, on)
        status = {"结婚": "21", "再婚": "22", "复婚": "23", "离婚": "40", "丧偶": "30"}.get(kind, status)
        letter = {"离婚": "L", "丧偶": "", "补领结婚证": "BJ"}.get(kind, "J")
        number = rng.randrange(1, 10 ** 6)
        cert = f"{letter}{p.area_code}-{on.year}-{number:06d}" if letter else None
        out.append(Registration(kind="结婚" if kind in ("再婚", "复婚") else kind, status=status,
                                on=on, spouse_name=spouse.name, spouse_id=spouse.id_number,
                                office=office, certificate=cert))
    return tuple(out)


def _spouse(p: Person, n: int, on: date | None) -> Person:
    """A generated person of the other sex at most eight years apart (the n-th of this
    seed's), old enough to marry on `on` when given."""
    for k in range(10_000):
        other = make_person(_SPOUSE_SEED + 1000 * p.seed + 100 * n + k)
        if (other.gender != p.gender and abs((other.birth_date - p.birth_date).days) <= 8 * 365
                and (on is None or years_after(other.birth_date, _LEGAL_AGE[other.gender]) <= on)):
            return other
    raise AssertionError("no spouse found")      # pragma: no cover - about one in six fits


# --------------------------------------------------------------------------- social insurance

def _jobs(p: Person, employer: str) -> tuple[Job, ...]:
    rng = _rng(p.seed, "insurance")
    earlier = rng.choices((0, 1, 2), weights=(45, 35, 20))[0]
    days = _increasing_days(rng, years_after(p.birth_date, 18 + rng.randrange(5)),
                            AS_OF - timedelta(days=60), earlier + 1)
    jobs = []
    for n in range(earlier):
        other = make_person(_EMPLOYER_SEED + 4 * p.seed + n)
        jobs.append(Job(other.employer, other.credit_code, "终止参保", days[n],
                        days[n + 1] - timedelta(days=1)))
    state = "暂停缴费" if rng.random() < 0.05 else "参保缴费"
    jobs.append(Job(employer, p.credit_code, state, days[-1], None))
    return tuple(jobs)


# --------------------------------------------------------------------------- road transport

def _certificates(p: Person) -> tuple[Certificate, ...]:
    rng = _rng(p.seed, "transport")
    age = AS_OF.year - p.birth_date.year
    if rng.random() >= 0.25 or not 21 <= age <= 60:
        return ()
    category = rng.choices([k for k, _ in TRANSPORT_KINDS], [w for _, w in TRANSPORT_KINDS])[0]
    first = date_between(rng, max(date(2005, 1, 1), years_after(p.birth_date, 21)),
                          AS_OF - timedelta(days=30))
    issued = [first]
    while rng.random() < 0.7 and years_after(issued[-1], 6) < AS_OF - timedelta(days=30):
        issued.append(years_after(issued[-1], 6) - timedelta(days=rng.randrange(60)))
    issuer = (f"{p.area.city}交通委员会" if p.area.city == p.area.province
              else f"{p.area.city}交通运输局")
    certs = []
    for n, on in enumerate(issued):
        number = (p.id_number if on >= _ID_AS_CERTIFICATE
                  else f"{p.area_code[:4]}{on.year}{rng.randrange(10 ** 8):08d}")
        until = years_after(on, 6)
        state = "注销" if n < len(issued) - 1 else "过期" if until < AS_OF else "有效"
        certs.append(Certificate(number, category, on, until, issuer, state))
    return tuple(certs)


# --------------------------------------------------------------------------- small parts

def _rng(seed: int, topic: str) -> random.Random:
    return random.Random(f"deskhand-gateway:{topic}:{seed}")


def _increasing_days(rng: random.Random, lo: date, hi: date, n: int) -> list[date]:
    """n distinct dates from lo to hi, oldest first (a day apart past hi when the span is short)."""
    span = (hi - lo).days
    offsets = sorted(rng.sample(range(span + 1), n)) if span + 1 >= n else list(range(n))
    return [lo + timedelta(days=o) for o in offsets]
