"""Verification end to end against the real reference service on loopback (a
`deskhand registry serve` subprocess), with the credential in a real Secret Service:
confirm, mismatch, unknown person, fill, every fault, TLS, wrong credentials, tampering."""
from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from app.cases import Case
from app.errors import RegistryAuthError, RegistryTLSError, RegistryUnavailableError
from app.registry.client import RegistryClient
from app.registry.reference import DEMO_CREDENTIAL, reference_settings, write_reference_settings
from app.sandbox.registry_service.data import records_for
from app.registry.settings import parse_registry_settings
from app.registry.verify import verify_case
from app.sandbox.housing import housing_case, housing_playbook
from app.sandbox.people import make_person
from registry_server import RegistryServer

ROOT = Path(__file__).resolve().parents[1]
LIB = ROOT / "playbooks" / "library"

def pb():
    return housing_playbook()


def case_for(seed: int, **over: str) -> Case:
    return housing_case(seed, **over)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with RegistryServer(tmp_path_factory.mktemp("registry"), people=200) as s:
        yield s


def client_for(server, **kw) -> RegistryClient:
    secret = kw.pop("secret", server.secret.decode())
    settings = parse_registry_settings(reference_settings(server.url, **kw))
    return RegistryClient(settings, secrets=lambda name: secret)


def test_confirm_and_fill_in_one_pass(server):
    seed = next(s for s in range(200) if records_for(s)["marriage"]["hyzk"] == "已婚"
                and records_for(s)["realestate"]["total"] > 0 and records_for(s)["transport"])
    case = case_for(seed)
    with client_for(server) as client:
        report = verify_case(case, pb(), client)
    assert report.calls == 5 and not report.failed           # 7 sections, 5 distinct look-ups
    status = {n: f.status for n, f in case.fields.items()}
    assert status == {n: "ok" for n in status}, {n: f.source for n, f in case.fields.items()}
    rec = records_for(seed)
    assert case.fields["marital_status"].value == "已婚"
    assert case.fields["spouse_name"].value == rec["marriage"]["po_xm"]
    assert case.fields["estate_cert"].value == rec["realestate"]["records"][0]["bdcqzh"]
    assert case.fields["spouse_name"].source["kind"] == "registry"
    assert case.fields["practitioner_cert"].value == rec["transport"]["cyzgzh"]
    assert {a["lookup"] for a in case.verification} == {
        "reference.person", "reference.business", "reference.marriage", "reference.estate",
        "reference.transport"}


def test_a_name_one_character_off_and_an_address_written_differently(server):
    p = make_person(5)
    other = "赞" if p.name[-1] != "赞" else "伟"
    shorter = p.address.split("省", 1)[-1]          # without the province: the same address
    moved = p.address[:-4] + ("９" if p.address[-4] != "９" else "８") + p.address[-3:]
    case = case_for(5, applicant_name=p.name[:-1] + other, address=shorter)
    with client_for(server) as client:
        verify_case(case, pb(), client)
        assert case.fields["applicant_name"].status == "mismatch"
        assert case.fields["applicant_name"].value == p.name[:-1] + other      # the source's, kept
        assert case.fields["applicant_name"].source["registry"]["value"] == p.name
        assert case.fields["address"].status == "ok"
        case = case_for(5, address=moved)
        verify_case(case, pb(), client)
        assert case.fields["address"].status == "mismatch"


def test_the_registry_settles_a_character_ocr_hesitated_over(server):
    p = make_person(5)
    case = case_for(5, applicant_name=p.name[:-1] + "赞")
    case.fields["applicant_name"].source["alternatives"] = [c for c in p.name[:-1]] + ["赞" + p.name[-1]]
    with client_for(server) as client:
        verify_case(case, pb(), client)
    fv = case.fields["applicant_name"]
    assert (fv.status, fv.value, fv.original) == ("corrected", p.name, p.name[:-1] + "赞")


def test_a_value_the_ocr_engine_was_unsure_of_is_settled_only_by_a_registry_holding_it(server):
    """A field `invalid` only for the engine's doubt (an ID card's 高凤, 风 weighed too) is
    compared: the registry holding it makes it ok, the doubt kept as a warning; a fuzzy rule
    (addresses) never settles it; another value is a mismatch; a field invalid for a failed
    check is not compared."""
    p = make_person(5)
    doubt = "The OCR engine was not sure of 凤 in 高凤 (it also saw 风): compare it with the source."
    case = case_for(5, gender="x")
    for name in ("applicant_name", "address"):
        fv = case.fields[name]
        fv.status, fv.source["unsure"], fv.source["problems"] = "invalid", True, [doubt]
    case.fields["gender"].status = "invalid"          # fails its check: not the engine's doubt
    wrong = case_for(5, applicant_name=p.name + "明")
    wrong.fields["applicant_name"].status = "invalid"
    wrong.fields["applicant_name"].source.update(unsure=True, problems=[doubt])
    with client_for(server) as client:
        verify_case(case, pb(), client)
        verify_case(wrong, pb(), client)
    name = case.fields["applicant_name"]
    assert (name.status, name.value) == ("ok", p.name) and "unsure" not in name.source
    assert "problems" not in name.source and name.source["warnings"][0] == doubt
    assert name.source["registry"]["result"] == "confirmed"
    address = case.fields["address"]
    assert address.status == "invalid" and address.source["registry"]["result"] == "not_compared"
    assert case.fields["gender"].status == "invalid"
    assert case.fields["gender"].source["registry"]["result"] == "not_compared"
    assert wrong.fields["applicant_name"].status == "mismatch"


def test_unknown_person(server):
    from app.sandbox.people import id_check_char
    body = "35080219900101999"
    case = case_for(1, id_number=body + id_check_char(body))
    with client_for(server) as client:
        verify_case(case, pb(), client)
    assert case.fields["applicant_name"].status == "unverified"
    assert "no record" in case.fields["applicant_name"].source["problems"][0]
    assert case.fields["marital_status"].status == "missing"


@pytest.mark.parametrize("fault,kind,words", [
    ("status=503@population", RegistryUnavailableError, "503"),
    ("garbage@population", None, "not JSON"),
    ("schema@population", None, "format has changed"),
])
def test_faults_leave_fields_unverified_and_the_rest_verified(server, fault, kind, words):
    server.set_faults(fault)
    try:
        case = case_for(3)
        with client_for(server) as client:
            report = verify_case(case, pb(), client)
    finally:
        server.clear_faults()
    assert [a.lookup for a in report.failed] == ["reference.person"]
    assert words in report.failed[0].error.message
    assert kind is None or isinstance(report.failed[0].error, kind)
    assert case.fields["applicant_name"].status == "unverified"
    assert case.fields["employer"].status == "ok"           # the licence registry still answered


def test_a_slow_registry_never_holds_the_clerk_past_its_timeout(server):
    server.set_faults("delay=5@population")
    try:
        case = case_for(3)
        with client_for(server, timeout_s=1.0, retries=2) as client:
            t = time.perf_counter()
            report = verify_case(case, pb(), client)
            held = time.perf_counter() - t
        assert held < 1.5, held
        assert "did not answer within 1 s" in report.failed[0].error.message
        with client_for(server, timeout_s=1.0, on_outage="stop") as client:
            with pytest.raises(RegistryUnavailableError):
                verify_case(case_for(3), pb(), client)
    finally:
        server.clear_faults()


def test_wrong_credentials_and_a_tampered_body_are_refused(server):
    with client_for(server, secret="not-the-secret") as client:
        a = client.lookup("reference.person", {"id_number": make_person(3).id_number})
    assert a.status == "failed" and isinstance(a.error, RegistryAuthError)
    assert DEMO_CREDENTIAL in a.error.message
    # a signed POST whose body is changed after signing
    from app.registry.signing import signature_headers
    body = json.dumps({"zjhm": make_person(3).id_number}).encode()
    headers = signature_headers("HMAC-SM3", "deskhand-demo", server.secret, "POST",
                                "/realestate/v1/query", "", body)
    tampered = body.replace(b"35", b"36", 1)
    r = httpx.post(server.url + "/realestate/v1/query", content=tampered,
                   headers={**headers, "content-type": "application/json"})
    assert r.status_code == 401
    r = httpx.post(server.url + "/realestate/v1/query", content=body,
                   headers={**headers, "content-type": "application/json"})
    assert r.status_code == 200                            # the untouched request passes once
    r = httpx.post(server.url + "/realestate/v1/query", content=body,
                   headers={**headers, "content-type": "application/json"})
    assert r.status_code == 401                            # and cannot be replayed


def test_registry_down(tmp_path):
    settings = parse_registry_settings(reference_settings("http://127.0.0.1:9", timeout_s=1))
    with RegistryClient(settings, secrets=lambda n: "x") as client:
        t = time.perf_counter()
        a = client.lookup("reference.person", {"id_number": make_person(1).id_number})
    assert a.status == "failed" and isinstance(a.error, RegistryUnavailableError)
    assert "cannot be reached" in a.error.message and time.perf_counter() - t < 1.5


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    trustme = pytest.importorskip("trustme")
    d = tmp_path_factory.mktemp("tls")
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    cert.private_key_and_cert_chain_pem.write_to_path(str(d / "server.pem"))
    ca.cert_pem.write_to_path(str(d / "ca.pem"))
    client_cert = ca.issue_cert("deskhand-window-07")
    client_cert.private_key_and_cert_chain_pem.write_to_path(str(d / "client.pem"))
    import ssl
    ctx = ssl.create_default_context(cafile=str(d / "ca.pem"))
    ctx.load_cert_chain(str(d / "client.pem"))
    with RegistryServer(d, people=50, tls=(d / "server.pem", d / "server.pem"),
                        client_ca=d / "ca.pem", client_ssl=ctx) as s:
        yield s, d


def test_tls_with_the_government_ca_and_a_client_certificate(tls_server):
    server, d = tls_server
    assert server.url.startswith("https://")
    p = make_person(3)
    with client_for(server, ca_bundle=str(d / "ca.pem"),
                    client_cert=(str(d / "client.pem"), None)) as client:
        a = client.lookup("reference.person", {"id_number": p.id_number})
    assert a.status == "found" and a.values["applicant_name"] == p.name


def test_an_untrusted_certificate_sends_nothing(tls_server):
    server, d = tls_server
    with client_for(server, client_cert=(str(d / "client.pem"), None)) as client:  # no CA bundle
        a = client.lookup("reference.person", {"id_number": make_person(3).id_number})
    assert isinstance(a.error, RegistryTLSError) and "not trusted" in a.error.message
    assert "ca_bundle" in a.error.message
    log = server.log_text()
    assert make_person(3).id_number not in log


# -- the command line, with the credential in a real Secret Service ------------------------
@pytest.fixture(scope="module")
def keyring_env(tmp_path_factory):
    from secret_service import SecretService, require_tools
    require_tools()
    with SecretService(tmp_path_factory.mktemp("keyring")) as service:
        yield service.env


def deskhand(*args: str, env, stdin: str | None = None):
    return subprocess.run([sys.executable, "-m", "app.cli", *args], capture_output=True,
                          text=True, timeout=120, env=env, cwd=ROOT, input=stdin)


def test_capture_verifies_an_id_card_and_records_the_answers(server, keyring_env, tmp_path):
    from app.sandbox.sources import render_id_card
    r = deskhand("vault", "set", DEMO_CREDENTIAL, env=keyring_env, stdin=server.secret.decode() + "\n")
    assert r.returncode == 0, r.stderr
    settings = write_reference_settings(tmp_path / "registries.yaml", server.url)
    person = make_person(7)
    render_id_card(person, seed=7).image.save(tmp_path / "card.png")
    case = tmp_path / "case.json"
    r = deskhand("capture", "idcard-to-qt-intake", "--image", str(tmp_path / "card.png"),
                 "--registries", str(settings), "--json", "-o", str(case), env=keyring_env)
    assert r.returncode == 0, r.stderr + r.stdout
    doc = json.loads(r.stdout)
    assert doc["verification"][0]["status"] == "found" and person.id_number not in r.stdout
    saved = json.loads(case.read_text(encoding="utf-8"))
    assert saved["fields"]["applicant_name"]["source"]["registry"]["result"] == "confirmed"
    assert saved["verification"][0]["values"]["applicant_name"] == person.name

    # the registry down: fields unverified (exit 1) or, as IT may set it, exit 3 — case kept
    down = write_reference_settings(tmp_path / "down.yaml", "http://127.0.0.1:9", timeout_s=1)
    r = deskhand("capture", "idcard-to-qt-intake", "--image", str(tmp_path / "card.png"),
                 "--registries", str(down), "--json", "-o", str(case), env=keyring_env)
    assert r.returncode == 1, r.stderr
    assert {f["status"] for f in json.loads(r.stdout)["fields"]} == {"unverified", "ok"}
    stop = write_reference_settings(tmp_path / "stop.yaml", "http://127.0.0.1:9", timeout_s=1,
                                    on_outage="stop")
    case.unlink()
    r = deskhand("capture", "idcard-to-qt-intake", "--image", str(tmp_path / "card.png"),
                 "--registries", str(stop), "-o", str(case), env=keyring_env)
    assert r.returncode == 3 and "cannot be reached" in r.stderr and "case is kept" in r.stderr
    assert json.loads(case.read_text(encoding="utf-8"))["fields"]["id_number"]["value"] == person.id_number

    # no credential in the keyring: a sentence naming the command, the case kept
    deskhand("vault", "delete", DEMO_CREDENTIAL, env=keyring_env)
    r = deskhand("capture", "idcard-to-qt-intake", "--image", str(tmp_path / "card.png"),
                 "--registries", str(settings), "-o", str(case), env=keyring_env)
    assert r.returncode == 1 and f"deskhand vault set {DEMO_CREDENTIAL}" in r.stdout + r.stderr
    assert case.exists()


def test_free_text_the_registry_holds_becomes_ok_and_a_likeness_leaves_it_unchecked(server):
    p = make_person(5)
    shorter = p.address.split("省", 1)[-1]          # the same address, written without 省
    case = case_for(5, address=shorter)
    for name in ("applicant_name", "address"):
        case.fields[name].status = "unchecked"       # as a capture leaves free text
    with client_for(server) as client:
        verify_case(case, pb(), client)
    assert case.fields["applicant_name"].status == "ok"           # held exactly: checked
    assert case.fields["address"].status == "unchecked"           # only like it
    assert case.fields["address"].source["registry"]["result"] == "confirmed"
    case = case_for(5)
    case.fields["address"].status = "unchecked"
    with client_for(server) as client:
        verify_case(case, pb(), client)
    assert case.fields["address"].status == "ok"
