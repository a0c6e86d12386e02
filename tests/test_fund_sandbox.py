"""The 公积金提取 sandbox's pure parts: applications and their truth, the portal's pages and
exports (over loopback HTTP, no browser), the playbook's checks."""
from __future__ import annotations

import csv
import io
import urllib.request

import pytest

from app.sandbox.fund_cases import BANKS, REASONS, application, applications, luhn_digit
from app.sandbox.fund_portal import DETAIL_LABELS, DETAIL_TITLE, LIST_TITLE, FundPortal
from app.sandbox.fund_system import FUND
from fund_harness import PLAYBOOK


def luhn_ok(number: str) -> bool:
    return luhn_digit(number[:-1]) == number[-1]


def test_luhn_digit_of_a_known_card():
    assert luhn_digit("7992739871") == "3"              # the textbook example
    assert not luhn_ok("79927398710")


def test_applications_are_seeded_and_plausible():
    apps = applications(range(1, 41))
    assert [a.application_no for a in apps] == [a.application_no for a in applications(range(1, 41))]
    for a in apps:
        assert len(a.bank_card) == 19 and luhn_ok(a.bank_card)
        assert a.bank_name in dict(BANKS).values() and a.reason in REASONS
        assert a.portal["amount"].replace(",", "") == a.amount
        assert a.portal["bank_card"].replace(" ", "") == a.bank_card
    statuses = {a.marital_status for a in apps}
    assert {"已婚", "未婚", "离婚"} <= statuses
    assert any(not a.estate_cert for a in apps) and any(a.estate_cert for a in apps)


def test_the_fund_system_offers_every_reason_and_marital_status():
    by_name = FUND.by_name
    assert by_name["reason"].options == REASONS
    assert {application(s).marital_status for s in range(1, 41)} <= set(by_name["marital_status"].options)
    assert FUND.title != DETAIL_TITLE and "公积金管理系统" in FUND.title


@pytest.fixture
def portal():
    p = FundPortal(applications([1, 4, 2])).start()
    yield p
    p.stop()


def get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=5) as r:
        return r.read()


def test_portal_pages_show_every_value(portal):
    app = portal.apps[application(4).application_no]
    page = get(portal.detail_url(app.application_no)).decode("utf-8")
    assert f"<title>{DETAIL_TITLE}</title>" in page
    for name, label in DETAIL_LABELS.items():
        assert f"{label}：</th><td>{app.portal[name]}</td>" in page
    listing = get(portal.url + "/").decode("utf-8")
    assert LIST_TITLE in listing and listing.count("待受理") == 3


def test_portal_exports_csv_and_xlsx_with_the_truth(portal):
    from openpyxl import load_workbook
    apps = applications([1, 4, 2])
    want = [list(DETAIL_LABELS.values())] + [[a.portal[k] for k in DETAIL_LABELS] for a in apps]
    text = get(portal.url + "/export.csv").decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text))) == want
    sheet = load_workbook(io.BytesIO(get(portal.url + "/export.xlsx"))).active
    assert [[str(c) for c in row] for row in sheet.iter_rows(values_only=True)] == want


def test_the_pack_playbook_loads_and_refuses_on_any_bad_value():
    from playbooks.loader import load_playbook
    pb = load_playbook(PLAYBOOK)
    assert pb.on_invalid == "fill"
    assert {f.name for f in pb.fields} == set(application(1).expected)
    assert pb.target.title.startswith(FUND.title)


def test_deskhand_test_passes_the_packs_samples_and_masks_the_numbers():
    import io
    import json
    import re

    from app.cli import main
    out, err = io.StringIO(), io.StringIO()
    code = main(["test", str(PLAYBOOK.parent), "--json"], out, err)
    doc = json.loads(out.getvalue())
    assert code == 0, out.getvalue() + err.getvalue()
    assert doc["samples"] == doc["samples_same"] == 3
    assert not re.search(r"\d{17}[\dX]", out.getvalue()), "a whole ID or card number was shown"
    # the fund system's boxes are labelled otherwise than the portal's (手机 → 手机号码)
    assert not re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", out.getvalue()), "a whole mobile was shown"


def test_an_exported_row_cleans_and_checks_to_the_truth(portal):
    """What a batch from the portal's export would type: each row's cells (as printed:
    37,700.50, cards in groups of four) through the playbook's transforms and checks."""
    from openpyxl import load_workbook

    from app.cases import Case, FieldValue
    from app.fill.gate import vet
    from app.fill.values import text_for
    from app.values.derive import settle_case
    from playbooks.loader import load_playbook
    pb = load_playbook(PLAYBOOK)
    by_label = {f.label: f for f in pb.fields}
    rows = list(load_workbook(io.BytesIO(get(portal.url + "/export.xlsx"))).active
                .iter_rows(values_only=True))
    for row, app in zip(rows[1:], applications([1, 4, 2])):
        fields = {by_label[h].name: FieldValue(str(v), "unchecked", source={"kind": "json"})
                  for h, v in zip(rows[0], row)}
        case = Case(f"x{app.seed}", pb.id, fields)
        settle_case(pb, case)
        bad = [v.field for v in vet(pb, case) if v.refused or v.needs_person]
        assert bad == [], (app.seed, bad)
        typed = {n: text_for(pb.field_spec(n), fv.value) for n, fv in case.fields.items()}
        assert typed == {k: v for k, v in app.expected.items() if k in typed}, app.seed
