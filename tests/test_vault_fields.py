"""Password fields (`read: {vault: NAME}`, secret) and constants (`read: {constant: …}`):
the loader's rules, a capture that never holds a password, a fill that reads it from the
vault into a copy of the case that is never saved, and the sentence when it is missing."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.cases import Case, FieldValue
from app.errors import CredentialMissingError
from app.fill.engine import masked_text, plan
from app.values.vault_fields import vault_fields, with_vault_values
from playbooks.errors import PlaybookErrors
from playbooks.loader import load_playbook_text

ROOT = Path(__file__).resolve().parent.parent
PB = """deskhand: 1
id: login-form
name: 登录
source: {kind: idcard}
target: {title: "城市审批系统 - 登录"}
fields:
  - {name: applicant_name, label: 姓名}
  - {name: login_password, label: 登录密码, read: {vault: city.login_password}, secret: true}
  - {name: channel, label: 受理渠道, read: {constant: 窗口受理}}
fill:
  - set: applicant_name
    at: 姓名
  - set: login_password
    at: 登录密码
    readback: false
  - type: channel
"""


def test_the_loader_reads_vault_and_constant_fields():
    pb = load_playbook_text(PB, "login.yaml")
    pw = pb.field_spec("login_password")
    assert pw.secret and pw.sensitive and pw.read.vault == "city.login_password"
    assert pb.field_spec("channel").read.constant == "窗口受理"
    assert vault_fields(pb) == [("login_password", "city.login_password")]
    assert masked_text(pb, "login_password", "hunter22") == "******"


@pytest.mark.parametrize("line, says", [
    ("{name: p, read: {vault: a.b, anchor: 密码}}", "does not apply"),
    ("{name: p, read: {vault: ' a.b'}}", "credential's name"),
    ("{name: p, secret: true}", "must come from the vault"),
    ("{name: p, type: date, read: {vault: a.b}}", "type must be text"),
    ("{name: p, read: {vault: a.b}, transform: [upper]}", "remove 'transform'"),
    ("{name: p, read: {constant: ''}}", "is empty"),
])
def test_the_loader_refuses_what_cannot_work(line, says):
    text = PB.replace("  - {name: channel, label: 受理渠道, read: {constant: 窗口受理}}", "  - " + line)
    with pytest.raises(PlaybookErrors) as info:
        load_playbook_text(text, "login.yaml")
    assert says in str(info.value)


def _case() -> Case:
    return Case("c1", "login-form", {"applicant_name": FieldValue("张伟"),
                                     "channel": FieldValue("窗口受理")})


def test_a_fill_gets_the_password_in_a_copy_and_the_case_never_holds_it():
    pb = load_playbook_text(PB, "login.yaml")
    case = _case()
    asked: list[str] = []

    def secret(name: str) -> str:
        asked.append(name)
        return "s3cret-pw"

    typed = with_vault_values(pb, case, secret)
    assert asked == ["city.login_password"] and typed.value("login_password") == "s3cret-pw"
    assert "login_password" not in case.fields
    assert "s3cret" not in json.dumps(case.to_json(), ensure_ascii=False)
    steps = plan(pb, typed)
    assert [s.kind for s in steps] == ["set", "set", "type"]
    # without the vault (a dry run, the review's preview) the box is left alone, not blocked
    dry = plan(pb, case)
    assert dry[1].kind == "refused" and "vault" in dry[1].detail


def test_a_missing_credential_names_the_command_that_stores_it():
    pb = load_playbook_text(PB, "login.yaml")

    def secret(name: str) -> str:
        from app.vault.failures import missing
        raise missing(name, "deskhand")

    with pytest.raises(CredentialMissingError, match="deskhand vault set city.login_password"):
        with_vault_values(pb, _case(), secret)


def test_a_capture_gives_the_constant_and_never_a_password(tmp_path):
    pytest.importorskip("rapidocr_onnxruntime", reason="the default OCR engine is not installed")
    from app.sandbox.people import make_person
    from app.sandbox.sources import render_id_card
    path = tmp_path / "login.yaml"
    path.write_text(PB, encoding="utf-8")
    image = tmp_path / "card.png"
    person = make_person(5)
    render_id_card(person).image.save(image)
    case = tmp_path / "case.json"
    r = subprocess.run([sys.executable, "-m", "app.cli", "capture", str(path), "--image", str(image),
                        "--offline", "-o", str(case)], capture_output=True, text=True, timeout=180,
                       cwd=ROOT)
    assert r.returncode == 0, r.stderr
    fields = json.loads(case.read_text(encoding="utf-8"))["fields"]
    assert fields["channel"]["value"] == "窗口受理" and fields["channel"]["status"] == "ok"
    assert fields["applicant_name"]["value"] == person.name
    assert "login_password" not in fields
