"""`deskhand test PACK` on the 企业开办 scenario pack (app/golden/scenario.py): the sample
case's fill replayed on each target form's model (recorded from the sandbox forms) with
the 受理编号 form 1 issues, and each document's text rendered from the templates — all
compared with samples/scenario/case-1. A changed value, a changed template line, a sample
naming a form the scenario lacks: each said, with the right exit code."""
from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

from app.cli import main
from test_golden_library import ID_RE

PACK = Path(__file__).resolve().parent.parent / "playbooks" / "library" / "company-setup"
SAMPLE = Path("samples") / "scenario" / "case-1"


def deskhand(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["test", *args], out, err)
    return code, out.getvalue(), err.getvalue()


def copy_pack(tmp_path: Path) -> Path:
    return Path(shutil.copytree(PACK, tmp_path / "company-setup"))


def test_the_shipped_pack_passes_its_scenario_sample():
    code, out, err = deskhand(str(PACK), "--json")
    doc = json.loads(out)
    assert code == 0, out + err
    assert [p["playbook"] for p in doc["playbooks"]] == [
        "company-setup-establishment", "company-setup-tax-registration",
        "company-setup-social-security", "企业开办: documents"]
    assert doc["samples"] == doc["samples_same"] == 4
    forms = {p["playbook"]: {c["name"]: c for c in p["samples"][0]["checks"]}
             for p in doc["playbooks"]}
    # forms 2 and 3 hold the number form 1 issued; the model typed it from the kept value
    for pb in ("company-setup-tax-registration", "company-setup-social-security"):
        assert forms[pb]["设立登记受理编号"]["got"] == "SL-20261205-0018"
    assert forms["company-setup-establishment"]["企业类型"]["got"] == "有限责任公司（自然人投资或控股）"
    assert len(forms["企业开办: documents"]) == 5
    assert not ID_RE.search(out), "a whole ID number was shown"


def test_a_form_value_that_differs_fails_naming_the_box(tmp_path):
    pack = copy_pack(tmp_path)
    expected = pack / SAMPLE / "expected.yaml"
    expected.write_text(expected.read_text(encoding="utf-8").replace(
        "    单位类型: 企业", "    单位类型: 机关"), encoding="utf-8")
    code, out, _err = deskhand(str(pack))
    assert code == 1
    assert "≠ form 单位类型: expected '机关', got '企业'" in out
    assert "3 of 4 samples as expected." in out


def test_a_template_line_that_changed_fails_naming_the_document_and_line(tmp_path):
    pack = copy_pack(tmp_path)
    text = pack / SAMPLE / "documents" / "设立登记申请书.txt"
    lines = text.read_text(encoding="utf-8").split("\n")
    lines[5] = "注册资本 | 100万元（人民币壹佰万元）"
    text.write_text("\n".join(lines), encoding="utf-8")
    code, out, _err = deskhand(str(pack))
    assert code == 1
    assert ("≠ document 设立登记申请书 line 6: expected '注册资本 | 100万元（人民币壹佰万元）', "
            "got '注册资本 | 100万元（人民币壹佰万元整）'") in out


def test_a_sample_naming_a_form_the_scenario_lacks_is_exit_2_with_file_and_line(tmp_path):
    pack = copy_pack(tmp_path)
    expected = pack / SAMPLE / "expected.yaml"
    expected.write_text(expected.read_text(encoding="utf-8").replace("  社保登记:", "  公积金登记:"),
                        encoding="utf-8")
    code, out, err = deskhand(str(pack))
    assert code == 2, out + err
    assert "expected.yaml:" in err and "'公积金登记' is not a form of the scenario" in err
    assert "设立登记、税务登记、社保登记" in err or "设立登记, 税务登记, 社保登记" in err


def test_live_is_refused_on_a_pack(tmp_path):
    code, _out, err = deskhand(str(PACK), "--live", "某窗口")
    assert code == 2 and "--live fills one window" in err


def check(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["check", *args], out, err)
    return code, out.getvalue(), err.getvalue()


def test_deskhand_check_on_the_pack_checks_the_scenario_and_each_form_s_playbook():
    code, out, err = check(str(PACK))
    assert code == 0, err
    assert "scenario.yaml: ok (scenario 企业开办: 3 forms, 5 documents)" in out
    for name in ("establishment.yaml: ok (设立登记", "tax-registration.yaml: ok (税务登记",
                 "social-security.yaml: ok (社保登记"):
        assert name in out


def test_deskhand_check_names_a_broken_target_s_file_and_line(tmp_path):
    pack = copy_pack(tmp_path)
    playbook = pack / "social-security.yaml"
    playbook.write_text(playbook.read_text(encoding="utf-8").replace(
        "    at: 单位类型\n", "    at: 单位类型\n    bogus: 1\n"), encoding="utf-8")
    code, out, err = check(str(pack))
    assert code == 2 and "ok (scenario" not in out
    assert "social-security.yaml:27: step 3 has an unknown action 'bogus'" in err
