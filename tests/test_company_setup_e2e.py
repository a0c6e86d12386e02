"""企业开办 end to end (issue 14): `deskhand fill playbooks/library/company-setup --case
samples/case.json --yes` fills 设立登记 (Qt), 税务登记 (Chromium) and 社保登记 (GTK) on a
private display, one after another, each in its own window. Judged by each form's own
report: every value of the case where it belongs, and the 受理编号 form 1 issued in forms
2 and 3: in one run, and, with form 2's window closed, stopped at form 2 and run again
with the window there, going on at form 2 (form 1 not typed again)."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app.sandbox.toolkits import spec
from app.sandbox.toolkits.company_forms import COMPANY, ISSUED_NUMBER, SOCIAL, TAX
from toolkit_targets import ROOT, ToolkitDesktop, require_toolkit, toolkit_desktop  # noqa: F401

pytestmark = [pytest.mark.desktop, pytest.mark.timeout(300)]

PACK = ROOT / "playbooks" / "library" / "company-setup"
CASE = json.loads((PACK / "samples" / "case.json").read_text(encoding="utf-8"))

# What each form holds once filled: its box name → the case field it shows.
EXPECTED = {
    COMPANY.name: {"company_name": "company_name", "company_type": "company_type",
                   "address": "address", "registered_capital": "registered_capital",
                   "business_scope": "business_scope", "operating_period": "operating_period",
                   "legal_rep_name": "legal_rep_name", "legal_rep_id": "legal_rep_id",
                   "legal_rep_phone": "legal_rep_phone", "supervisor_name": "supervisor_name",
                   "agent_name": "agent_name", "agent_id": "agent_id",
                   "agent_phone": "agent_phone"},
    TAX.name: {"taxpayer_name": "company_name", "legal_rep_name": "legal_rep_name",
               "legal_rep_id": "legal_rep_id", "legal_rep_phone": "legal_rep_phone",
               "address": "address", "accounting": "accounting_method",
               "business_scope": "business_scope", "tax_agent_name": "agent_name",
               "tax_agent_phone": "agent_phone"},
    SOCIAL.name: {"unit_name": "company_name", "unit_type": "unit_type",
                  "legal_rep_name": "legal_rep_name", "legal_rep_id": "legal_rep_id",
                  "address": "address", "agent_name": "agent_name", "agent_phone": "agent_phone"},
}


def differences(form: str, held: dict) -> dict:
    """Each box that does not hold what the case says: {box: (held, wanted)}."""
    want = {box: CASE[field] for box, field in EXPECTED[form].items()}
    if form != COMPANY.name:
        want["registration_no"] = ISSUED_NUMBER
    return {box: (held.get(box), v) for box, v in want.items() if held.get(box) != v}


def submitted(target) -> dict:
    return target.wait_state(lambda s: s["status"] == spec.SUBMITTED_STATUS, 10)["fields"]


def test_every_box_of_every_form_is_named_in_the_expectations():
    for form in (COMPANY, TAX, SOCIAL):
        boxes = {f.name for f in form.fields} - {"case_no", "registration_no"}
        assert boxes == set(EXPECTED[form.name]), form.name


def deskhand_fill(desk: ToolkitDesktop, case_file: Path, kept: Path) -> tuple[int, dict]:
    """`deskhand fill PACK --case CASE -o KEPT --yes --json` on the accessibility bus's
    environment (each box set through its tree)."""
    r = subprocess.run([sys.executable, "-m", "app.cli", "fill", str(PACK), "--case",
                        str(case_file), "-o", str(kept), "--yes", "--json",
                        "--wait-focus", "5"], env=desk.env(), capture_output=True,
                       text=True, timeout=180, cwd=ROOT)
    assert r.stdout.strip(), r.stderr
    return r.returncode, json.loads(r.stdout)


@pytest.fixture
def forms(toolkit_desktop):  # noqa: F811
    for toolkit in ("qt", "chromium", "gtk"):
        require_toolkit(toolkit)
    opened = {}
    yield lambda toolkit, form: opened.setdefault(
        form.name, toolkit_desktop.launch(toolkit, spec=form.name))
    for target in opened.values():
        target.close()


def test_one_run_fills_the_three_forms_one_after_another(toolkit_desktop, forms, tmp_path):  # noqa: F811
    """Each window brought up by Deskhand in turn — GTK's right after typing into Chromium,
    which the window manager was slow to let go of."""
    company, tax, social = (forms("qt", COMPANY), forms("chromium", TAX), forms("gtk", SOCIAL))
    code, doc = deskhand_fill(toolkit_desktop, PACK / "samples" / "case.json",
                              tmp_path / "kept.json")
    assert code == 0, json.dumps(doc, ensure_ascii=False)
    assert [f["outcome"] for f in doc["forms"]] == ["done", "done", "done"]
    for target, form in ((company, COMPANY), (tax, TAX), (social, SOCIAL)):
        assert differences(form.name, submitted(target)) == {}, form.name


def test_deskhand_fill_stops_at_a_closed_form_and_resumes_there(
        toolkit_desktop: ToolkitDesktop, forms, tmp_path):  # noqa: F811
    desk = toolkit_desktop
    company, social = forms("qt", COMPANY), forms("gtk", SOCIAL)
    desk.launch("chromium", spec=TAX.name).close()      # 税务登记's window closed
    case = tmp_path / "case.json"
    shutil.copyfile(PACK / "samples" / "case.json", case)
    kept = tmp_path / "kept.json"

    def deskhand(case_file: Path) -> tuple[int, dict]:
        return deskhand_fill(desk, case_file, kept)

    # 税务登记's window is closed: form 1 is filled and submitted, then a stop at form 2
    code, doc = deskhand(case)
    assert code == 3, json.dumps(doc, ensure_ascii=False)
    assert doc["stopped_at"] == 2, doc
    assert [f["outcome"] for f in doc["forms"]][:2] == ["done", "failed"], doc
    assert "电子税务局 - 税务登记" in doc["forms"][1]["message"]
    held = submitted(company)
    assert differences(COMPANY.name, held) == {}, json.dumps(doc, ensure_ascii=False)
    assert held["case_no"] == ISSUED_NUMBER
    assert doc["forms"][0]["kept"]["registration_no"] == {
        "value": ISSUED_NUMBER, "via": "accessible", "problem": None}
    assert social.state()["fields"] == SOCIAL.empty_state()["fields"]   # not reached

    company.reset()             # anything typed into form 1 from now on would show
    tax = forms("chromium", TAX)
    code, doc = deskhand(kept)  # the case as kept: form 1 done, its number in it
    assert code == 0, json.dumps(doc, ensure_ascii=False)
    assert [f["outcome"] for f in doc["forms"]] == ["skipped", "done", "done"], doc
    assert differences(TAX.name, submitted(tax)) == {}
    assert differences(SOCIAL.name, submitted(social)) == {}
    assert company.state()["fields"] == COMPANY.empty_state()["fields"]  # not typed again
