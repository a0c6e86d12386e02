"""bench/scenario.py end to end in its quick mode: the 企业开办 pack's three forms filled on a
private Xvfb through Pipeline.fill_scenario and judged by their own state, its five
documents' PDF text and fonts checked, and the keys saved; then the bench's own judges
shown to fail on a wrong form value and a wrong document."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app.docs.pdf import find_soffice
from toolkit_targets import require_desktop, require_toolkit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import scenario as bench  # noqa: E402  (bench/scenario.py)

needs_office = pytest.mark.skipif(find_soffice() is None or shutil.which("pdffonts") is None,
                                  reason="LibreOffice and poppler-utils are test packages "
                                         "(installer/dev.sh test installs them)")


@needs_office
@pytest.mark.desktop
@pytest.mark.timeout(180)
def test_the_scenario_bench_fills_three_forms_and_writes_five_documents(tmp_path):
    require_desktop()
    for toolkit in ("qt", "chromium", "gtk"):
        require_toolkit(toolkit)
    r = subprocess.run([sys.executable, str(ROOT / "bench" / "scenario.py"), "--quick"],
                       capture_output=True, text=True, timeout=170, cwd=ROOT,
                       env={**__import__("os").environ, "PYTHONPATH": str(ROOT)})
    assert r.stdout.strip(), r.stderr[-3000:]
    out = json.loads(r.stdout.strip().splitlines()[-1])
    # the forms' own /state held every value the pack's playbooks set, form 1's number kept
    # the intake made by deskhand intake, the legal representative read off his ID card
    assert out["intake_exit"] == 0 and out["intake_ok"] == 1, r.stdout
    assert out["wrong_forms"] == {} and out["forms_filled"] == 3, r.stdout
    # every PDF's text is tests/fixtures/docs/NAME.txt, every font embedded, CJK among them
    assert out["wrong_documents"] == {} and out["documents_ok"] == 5, r.stdout
    assert r.returncode == 0
    assert 0 < out["scenario_s"] < 60
    assert out["keystrokes_by_hand"] > 1000 and out["keystrokes_with_deskhand"] == 6
    assert out["keystrokes_saved_ratio"] >= 0.95
    assert out["keystrokes_saved_ratio_perfect_ime"] < out["keystrokes_saved_ratio"]
    assert out["keystrokes_saved_ratio_clerk_types_intake"] < out["keystrokes_saved_ratio_perfect_ime"]


def test_the_bench_expects_each_form_to_hold_the_case_as_typed_and_form_1_s_number():
    from app.cases import load_case
    from app.sandbox.toolkits.company_forms import ISSUED_NUMBER
    from app.scenario.forms import scenario_forms
    from playbooks.loader import load_playbook
    forms = scenario_forms(bench.load_scenario(bench.PACK), lambda ref: load_playbook(ref))
    case = load_case(bench.SAMPLE_CASE, forms.id)
    assert bench.wrong_kept(forms, case) == {"kept registration_no": (None, ISSUED_NUMBER)}
    from app.cases import FieldValue
    case.fields["registration_no"] = FieldValue(ISSUED_NUMBER, "ok", None, {})
    assert bench.wrong_kept(forms, case) == {}
    wants = [bench.expected_state(name, form.playbook, case)
             for (name, _toolkit), form in zip(bench.FORMS, forms.forms)]
    assert wants[0]["company_name"] == case.value("company_name")
    assert wants[0]["legal_rep_id"] == "350802198503122038"
    assert [w.get("registration_no") for w in wants] == [None, ISSUED_NUMBER, ISSUED_NUMBER]
    held = dict(wants[1], registration_no="SL-20261205-0019")
    assert bench.wrong_values(held, wants[1]) == {
        "registration_no": ("SL-20261205-0019", ISSUED_NUMBER)}


@needs_office
def test_the_bench_finds_a_document_whose_text_is_not_the_expected_text(tmp_path):
    from app.cases import load_case
    from app.docs.build import make_documents
    from app.docs.pdf import PdfConverter
    scenario = bench.load_scenario(bench.PACK)
    made = make_documents(scenario, load_case(bench.SAMPLE_CASE), tmp_path / "docs",
                          PdfConverter(profile_root=tmp_path))
    assert not any(bench.check_documents(made.outdir, scenario).values())
    shutil.copy(made.outdir / "股东会决议.pdf", made.outdir / "公司章程.pdf")
    (made.outdir / "授权委托书.pdf").unlink()
    found = bench.check_documents(made.outdir, scenario)
    assert found["公司章程"] == ["text differs from tests/fixtures/docs/公司章程.txt"]
    assert found["授权委托书"] == ["no PDF"]
    assert found["股东会决议"] == []
