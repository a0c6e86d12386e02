"""Provident-fund withdrawal applications (公积金提取) as the citizen portal holds them, with
their ground truth: what the fund's system must hold once one is accepted.

    app = application(7)          # seeded: the same application on every machine
    app.portal                    # the portal's fields, as its detail page prints them
    app.expected                  # the fund system's boxes once filled, registry values included

The applicant is `make_person(seed)` (the reference registry knows them, seeds below its
`--people`); the withdrawal itself (reason, amount, bank card, dates) comes from a
`random.Random` seeded with the seed. Bank card numbers pass the Luhn check. What the
registry fills (marital status, spouse, property certificate) is what
app/sandbox/registry_service/data.py answers for the seed.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from app.sandbox.people import Person, make_person
from app.sandbox.registry_service.data import records_for

__all__ = ["REASONS", "MARITAL", "BANKS", "FundApplication", "application", "applications",
           "luhn_digit", "FILLED_BY_REGISTRY"]

REASONS = ("购房", "租房", "偿还房贷", "退休", "离职")
MARITAL = ("未婚", "已婚", "离婚", "丧偶")          # the registry's words (GB/T 2261.2)
BANKS = (("622848", "中国农业银行龙岩分行营业部"), ("621700", "中国建设银行龙岩新罗支行"),
         ("622202", "中国工商银行龙岩分行"), ("621661", "中国银行龙岩分行"),
         ("622262", "交通银行龙岩分行"))
FILLED_BY_REGISTRY = ("marital_status", "spouse_name", "estate_cert")
_FIRST_DAY = date(2026, 11, 2)


def luhn_digit(body: str) -> str:
    """The Luhn check digit for the digits `body` (bank card numbers, ISO/IEC 7812)."""
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)


@dataclass(frozen=True)
class FundApplication:
    seed: int
    person: Person
    application_no: str
    reason: str
    amount: str                 # as the system types it: 38500.00
    bank_card: str              # 19 digits, Luhn
    bank_name: str
    apply_date: str             # ISO
    registry: dict = field(default_factory=dict)   # records_for(seed)

    @property
    def amount_printed(self) -> str:
        """As the portal prints it: 38,500.00."""
        whole, cents = self.amount.split(".")
        return f"{int(whole):,}.{cents}"

    @property
    def card_printed(self) -> str:
        """As the portal prints it: in groups of four."""
        return " ".join(self.bank_card[i:i + 4] for i in range(0, len(self.bank_card), 4))

    @property
    def portal(self) -> dict[str, str]:
        """The detail page's values, by field name (app/sandbox/fund_portal.py LABELS)."""
        p = self.person
        return {"application_no": self.application_no, "applicant_name": p.name,
                "id_number": p.id_number, "phone": p.phone, "reason": self.reason,
                "amount": self.amount_printed, "bank_card": self.card_printed,
                "bank_name": self.bank_name, "employer": p.employer,
                "apply_date": self.apply_date}

    @property
    def marital_status(self) -> str:
        return self.registry["marriage"]["hyzk"]

    @property
    def spouse_name(self) -> str:
        return self.registry["marriage"]["po_xm"] or ""

    @property
    def estate_cert(self) -> str:
        records = self.registry["realestate"]["records"]
        return records[0]["bdcqzh"] if records else ""

    @property
    def expected(self) -> dict[str, str]:
        """What the fund system's record holds once this application is accepted (its
        box names: app/sandbox/fund_system.py FUND)."""
        p = self.person
        return {"applicant_name": p.name, "id_number": p.id_number, "phone": p.phone,
                "reason": self.reason, "amount": self.amount, "bank_card": self.bank_card,
                "bank_name": self.bank_name, "employer": p.employer,
                "apply_date": self.apply_date, "application_no": self.application_no,
                "marital_status": self.marital_status, "spouse_name": self.spouse_name,
                "estate_cert": self.estate_cert}


def application(seed: int) -> FundApplication:
    rng = random.Random(f"deskhand-fund:{seed}")
    prefix, bank = rng.choice(BANKS)
    body = prefix + "".join(rng.choice("0123456789") for _ in range(12))
    day = _FIRST_DAY + timedelta(days=rng.randrange(30))
    amount = f"{rng.randrange(30, 1200) * 100 + rng.choice((0, 50))}.{rng.choice(('00', '00', '50'))}"
    return FundApplication(
        seed=seed, person=make_person(seed),
        application_no=f"TQ{day:%Y%m%d}{seed:05d}", reason=rng.choice(REASONS),
        amount=amount, bank_card=body + luhn_digit(body), bank_name=bank,
        apply_date=day.isoformat(), registry=records_for(seed))


def applications(seeds: range | list[int]) -> list[FundApplication]:
    return [application(s) for s in seeds]
