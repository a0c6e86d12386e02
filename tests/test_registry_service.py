"""The reference registry (`deskhand registry serve`): its generated records, and the real
server process over loopback HTTP(S) — endpoints, auth, faults, TLS, logs."""
from __future__ import annotations

import io
import json
import re
import ssl
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Iterator

import httpx
import pytest

from app.cli import main as cli_main
from app.errors import UsageError
from app.sandbox.registry_service.auth import NonceStore
from app.sandbox.registry_service.data import BLOCK, ENDPOINTS, lookup_key, records_for, records_for_seeds
from app.sandbox.registry_service.faults import Fault, parse_fault
from app.sandbox.registry_service.requestlog import masked_target
from app.sandbox.registry_service.store import RecordStore
from app.registry.signing import signature_headers
from app.sandbox.people import make_person
from registry_server import RegistryServer, RegistryServerError

pytestmark = pytest.mark.timeout(120)

PEOPLE = 3000                   # the server's default population
OUTSIDER = make_person(10**6)   # a valid person the registry does not hold


def _seed_where(pred, start: int = 0) -> int:
    return next(s for s in range(start, PEOPLE) if pred(records_for(s)))


# =========================================================================== data.py

def test_records_are_deterministic_and_agree_with_the_person() -> None:
    for seed in (0, 1, 7, 123, 2999):
        p, rec = make_person(seed), records_for(seed)
        assert rec == records_for(seed)
        assert set(rec) == set(ENDPOINTS)
        assert rec["population"] == {"sfzh": p.id_number, "xm": p.name, "xb": p.gender,
                                     "mz": p.ethnicity, "csrq": p.birth_date.strftime("%Y%m%d"),
                                     "hjdz": p.address}
        lic = rec["licence"]
        assert (lic["uniscid"], lic["entname"], lic["regstate"]) == (p.credit_code, p.employer, "存续")
        assert re.fullmatch(r"\d{4}-\d\d-\d\d", lic["estdate"])
        assert lookup_key("licence", rec) == p.credit_code
        assert lookup_key("marriage", rec) == p.id_number


def test_block_iteration_equals_single_records() -> None:
    many = dict(records_for_seeds(2 * BLOCK + 3))
    assert sorted(many) == list(range(2 * BLOCK + 3))
    assert all(many[s] == records_for(s) for s in (0, BLOCK - 1, BLOCK, 2 * BLOCK + 2))


def test_spouses_name_each_other_and_differ_in_sex() -> None:
    recs = dict(records_for_seeds(400))
    by_id = {r["population"]["sfzh"]: r for r in recs.values()}
    married = [r for r in recs.values() if r["marriage"]["hyzk"] == "已婚"]
    assert len(married) > 100
    for r in married:
        m = r["marriage"]
        other = by_id[m["po_sfzh"]]
        assert other["marriage"]["po_sfzh"] == r["population"]["sfzh"]
        assert other["population"]["xm"] == m["po_xm"]
        assert other["population"]["xb"] != r["population"]["xb"]
        assert (other["marriage"]["djrq"], other["marriage"]["djjg"]) == (m["djrq"], m["djjg"])
    single = [r["marriage"] for r in recs.values() if r["marriage"]["hyzk"] == "未婚"]
    assert single and all(m["po_xm"] is None and m["djrq"] is None for m in single)


def test_record_shapes_and_shares() -> None:
    recs = [r for _, r in records_for_seeds(1000)]
    with_transport = [r["transport"] for r in recs if r["transport"]]
    assert 0.15 < len(with_transport) / len(recs) < 0.25
    assert all(set(t) == {"cyzgzh", "cylb", "yxqz", "fzjg"} for t in with_transport)
    totals = {r["realestate"]["total"] for r in recs}
    assert 0 in totals and max(totals) >= 2
    for r in recs:
        estate = r["realestate"]
        assert estate["total"] == len(estate["records"])
        for h in estate["records"]:
            assert re.fullmatch(r".\(20\d\d\).+不动产权第\d{7}号", h["bdcqzh"])
            assert isinstance(h["jzmj"], float) and 45 <= h["jzmj"] <= 168
    ids = [r["population"]["sfzh"] for r in recs]
    assert len(set(ids)) == len(ids)


def test_a_kept_database_is_reused_only_when_it_matches(tmp_path) -> None:
    db = tmp_path / "registry.db"
    first = RecordStore.open(db, 40)
    assert first.seed_s > 0
    first.close()
    again = RecordStore.open(db, 40)
    assert again.seed_s == 0.0
    assert again.get("population", make_person(3).id_number) == records_for(3)["population"]
    assert again.count("transport") == sum(r["transport"] is not None
                                           for _, r in records_for_seeds(40))
    again.close()
    more = RecordStore.open(db, 80)
    assert more.seed_s > 0 and more.count("population") == 80
    more.close()


# =========================================================================== small parts

def test_fault_specs() -> None:
    assert parse_fault("status=503@population") == Fault("status", 503, "population")
    assert parse_fault("delay=0.5") == Fault("delay", 0.5, None)
    assert parse_fault("schema@marriage").spec() == "schema@marriage"
    for bad in ("bogus", "status=200", "delay=-1", "garbage=1", "status=503@nowhere"):
        with pytest.raises(UsageError):
            parse_fault(bad)


def test_nonces_are_forgotten_after_the_window() -> None:
    now = [0.0]
    store = NonceStore(window_s=10, clock=lambda: now[0])
    assert not store.seen("a" * 16) and store.seen("a" * 16)
    now[0] = 11.0
    assert not store.seen("b" * 16) and len(store) == 1 and not store.seen("a" * 16)


def test_log_targets_are_masked() -> None:
    known = frozenset({"population", "v1", "persons", "licence", "business-licences"})
    assert (masked_target("/population/v1/persons/350821197408062908", "", known)
            == "/population/v1/persons/3508**********2908")
    assert (masked_target("/licence/v1/business-licences", "uniscid=12350800440801602L", known)
            == "/licence/v1/business-licences?uniscid=1235**********602L")


def test_cli_refuses_bad_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SECRET", "TOKEN", "API_KEY"):
        monkeypatch.delenv(f"DESKHAND_REGISTRY_{name}", raising=False)
    err = io.StringIO()
    assert cli_main(["registry", "serve", "--port", "0"], io.StringIO(), err) == 2
    assert "DESKHAND_REGISTRY_SECRET" in err.getvalue()
    monkeypatch.setenv("DESKHAND_REGISTRY_SECRET", "x")
    err = io.StringIO()
    assert cli_main(["registry", "serve", "--fault", "status=200"], io.StringIO(), err) == 2
    assert "400 to 599" in err.getvalue()


def test_client_settings_need_a_secret_or_token_and_a_writable_file(
        monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.delenv("DESKHAND_REGISTRY_SECRET", raising=False)
    monkeypatch.setenv("DESKHAND_REGISTRY_API_KEY", "k")
    err = io.StringIO()
    argv = ["registry", "serve", "--port", "0", "--people", "5", "--write-settings"]
    assert cli_main([*argv, str(tmp_path / "r.yaml")], io.StringIO(), err) == 2
    assert "--write-settings needs DESKHAND_REGISTRY_SECRET" in err.getvalue()
    assert not (tmp_path / "r.yaml").exists()
    monkeypatch.setenv("DESKHAND_REGISTRY_SECRET", "x")
    (tmp_path / "dir").mkdir()
    err = io.StringIO()
    assert cli_main([*argv, str(tmp_path / "dir")], io.StringIO(), err) == 2
    assert f"Cannot write the registry settings to {tmp_path / 'dir'}" in err.getvalue()


# =========================================================================== the server

@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RegistryServer]:
    with RegistryServer(tmp_path_factory.mktemp("registry"), token="tok-123",
                        api_key="key-456") as s:
        yield s


@pytest.fixture
def http(server: RegistryServer) -> Iterator[httpx.Client]:
    server.clear_faults()
    with server.client() as client:
        yield client
    server.clear_faults()


def _get(http: httpx.Client, endpoint: str, seed_or_key: int | str) -> httpx.Response:
    """One look-up at `endpoint` for a seed (its key) or a raw key."""
    key = (lookup_key(endpoint, records_for(seed_or_key)) if isinstance(seed_or_key, int)
           else seed_or_key)
    if endpoint == "licence":
        return http.get("/licence/v1/business-licences", params={"uniscid": key})
    if endpoint == "realestate":
        return http.post("/realestate/v1/query", json={"zjhm": key})
    path = {"population": "/population/v1/persons/", "marriage": "/marriage/v1/records/",
            "transport": "/transport/v1/practitioners/"}[endpoint]
    return http.get(path + key)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_every_endpoint_finds_its_records(http: httpx.Client, endpoint: str) -> None:
    seeds = [1, 7, 2999] if endpoint != "transport" else [_seed_where(lambda r: r["transport"])]
    for seed in seeds:
        r = _get(http, endpoint, seed)
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith("application/json")
        assert r.json() == {"code": 0, "message": "成功", "data": records_for(seed)[endpoint]}


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_unknown_people_are_404(http: httpx.Client, endpoint: str) -> None:
    key = OUTSIDER.credit_code if endpoint == "licence" else OUTSIDER.id_number
    r = _get(http, endpoint, key)
    assert r.status_code == 404
    assert r.json() == {"code": 404, "message": "未查询到记录", "data": None}


def test_absent_records(http: httpx.Client) -> None:
    no_certificate = _seed_where(lambda r: r["transport"] is None)
    assert _get(http, "transport", no_certificate).status_code == 404
    no_house = _seed_where(lambda r: r["realestate"]["total"] == 0)
    r = _get(http, "realestate", no_house)
    assert r.status_code == 200 and r.json()["data"] == {"total": 0, "records": []}


def test_spouse_is_another_registered_person(http: httpx.Client) -> None:
    seed = _seed_where(lambda r: r["marriage"]["hyzk"] == "已婚")
    me = _get(http, "marriage", seed).json()["data"]
    spouse = _get(http, "population", me["po_sfzh"]).json()["data"]
    assert spouse["xm"] == me["po_xm"]
    assert spouse["xb"] != records_for(seed)["population"]["xb"]


def test_malformed_keys_are_400(http: httpx.Client) -> None:
    good = make_person(3).id_number
    for r in (_get(http, "population", "12345"),
              _get(http, "marriage", good[:17] + ("0" if good[17] != "0" else "1")),
              _get(http, "licence", "91350802MA2Y8XKQ3X"),
              http.get("/licence/v1/business-licences"),
              http.post("/realestate/v1/query", json={"sfzh": good}),
              http.post("/realestate/v1/query", content=b"not json")):
        assert r.status_code == 400, r.text
        assert r.json()["code"] == 400 and r.json()["data"] is None


def test_unknown_path_is_an_envelope_404(http: httpx.Client) -> None:
    r = http.get("/population/v2/everyone")
    assert r.status_code == 404 and r.json()["message"].startswith("no such endpoint")


# --------------------------------------------------------------------------- auth

@pytest.mark.parametrize("method", ["HMAC-SHA256", "HMAC-SM3"])
def test_both_signature_methods_are_accepted(server: RegistryServer, method: str) -> None:
    with server.client(signed=method) as http:
        assert _get(http, "population", 5).status_code == 200
        assert _get(http, "realestate", 5).status_code == 200     # a signed body


def _refusal(r: httpx.Response, words: str) -> None:
    assert r.status_code == 401, r.text
    body = r.json()
    assert body["code"] == 401 and body["data"] is None
    assert words in body["message"] and re.search(r"[\u4e00-\u9fff]", body["message"])


def test_unsigned_and_wrongly_signed_requests_are_refused(server: RegistryServer) -> None:
    path = "/population/v1/persons/" + make_person(5).id_number
    with server.client(signed=None) as http:
        _refusal(http.get(path), "not signed")
        h = signature_headers("HMAC-SHA256", server.key_id, b"wrong secret", "GET", path, "", b"")
        _refusal(http.get(path, headers=h), "does not match")
        h = signature_headers("HMAC-SHA256", "someone-else", server.secret, "GET", path, "", b"")
        _refusal(http.get(path, headers=h), "unknown key id")
        h = signature_headers("HMAC-SM3", server.key_id, server.secret, "GET", path, "", b"",
                              now=time.time() - 1000)
        _refusal(http.get(path, headers=h), "timestamp")
        h = signature_headers("HMAC-SHA256", server.key_id, server.secret, "GET", path, "", b"")
        assert http.get(path, headers=h).status_code == 200
        _refusal(http.get(path, headers=h), "nonce was used before")     # the same headers again


def test_a_tampered_body_is_refused(server: RegistryServer) -> None:
    path = "/realestate/v1/query"
    signed = json.dumps({"zjhm": make_person(5).id_number}).encode()
    sent = json.dumps({"zjhm": make_person(6).id_number}).encode()
    h = signature_headers("HMAC-SHA256", server.key_id, server.secret, "POST", path, "", signed)
    with server.client(signed=None) as http:
        _refusal(http.post(path, content=sent, headers={**h, "Content-Type": "application/json"}),
                 "does not match")


def test_bearer_token_and_api_key(server: RegistryServer) -> None:
    with server.client(signed=None) as http:
        path = "/marriage/v1/records/" + make_person(9).id_number
        assert http.get(path, headers={"Authorization": "Bearer tok-123"}).status_code == 200
        _refusal(http.get(path, headers={"Authorization": "Bearer tok-999"}), "bearer token")
        assert http.get(path, headers={"X-API-Key": "key-456"}).status_code == 200
        _refusal(http.get(path, headers={"X-API-Key": "key-000"}), "API key")


# --------------------------------------------------------------------------- faults

def test_status_fault_is_scoped_to_its_endpoint(server: RegistryServer, http: httpx.Client) -> None:
    assert server.set_faults("status=503@population") == ["status=503@population"]
    r = _get(http, "population", 1)
    assert r.status_code == 503 and r.json()["code"] == 503 and r.json()["data"] is None
    assert _get(http, "marriage", 1).status_code == 200
    server.set_faults({"kind": "status", "value": 500})
    assert _get(http, "licence", 1).status_code == 500
    server.clear_faults()
    assert _get(http, "population", 1).status_code == 200


def test_garbage_fault(server: RegistryServer, http: httpx.Client) -> None:
    server.set_faults("garbage@licence")
    r = _get(http, "licence", 1)
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    with pytest.raises(ValueError):
        json.loads(r.content)
    assert _get(http, "transport", _seed_where(lambda x: x["transport"])).json()["code"] == 0


def test_schema_fault(server: RegistryServer, http: httpx.Client) -> None:
    server.set_faults("schema@marriage")
    body = _get(http, "marriage", 1).json()
    assert body["code"] == 0 and body["message"] == "成功"
    assert set(body["data"]).isdisjoint(records_for(1)["marriage"])
    assert _get(http, "population", 1).json()["data"] == records_for(1)["population"]


def test_delay_holds_up_only_its_own_request(server: RegistryServer) -> None:
    server.set_faults("delay=2@population")
    try:
        def timed(endpoint: str) -> float:
            with server.client() as http:
                start = time.perf_counter()
                assert _get(http, endpoint, 2).status_code == 200
                return time.perf_counter() - start

        with ThreadPoolExecutor(2) as pool:
            slow = pool.submit(timed, "population")
            time.sleep(0.2)                      # the slow request is waiting on the server now
            fast = pool.submit(timed, "marriage")
            assert fast.result() < 1.0          # well inside the slow request's 2 s
            assert not slow.done()
            assert slow.result() >= 2.0
    finally:
        server.clear_faults()


def test_admin_needs_its_token(server: RegistryServer) -> None:
    with server.client(signed=None) as http:
        assert http.put("/_admin/faults", json=["garbage"]).status_code == 401
        assert http.put("/_admin/faults", json=["garbage"],
                        headers={"X-Admin-Token": "guess"}).status_code == 401
        r = http.put("/_admin/faults", json=["nonsense"],
                     headers={"X-Admin-Token": server.admin_token})
        assert r.status_code == 400 and "kinds are" in r.json()["message"]
    assert server.faults() == []


def test_faults_from_the_command_line_admin_disabled_and_shutdown(tmp_path) -> None:
    with RegistryServer(tmp_path, people=40, admin_token=None,
                        faults=["status=502@licence", "schema@transport", "delay=60@realestate"]) as s:
        with s.client() as http:
            assert _get(http, "licence", 1).status_code == 502
            assert _get(http, "transport", OUTSIDER.id_number).json()["code"] == 0   # schema
            assert _get(http, "population", 1).status_code == 200
            assert http.get("/_admin/faults").status_code == 404
        with pytest.raises(RegistryServerError):
            s.set_faults("garbage")
        pool = ThreadPoolExecutor(1)
        with s.client(timeout=30) as http:
            in_flight = pool.submit(_get, http, "realestate", 1)
            time.sleep(0.3)
            start = time.perf_counter()
            assert s.stop() == 0                # SIGTERM: a clean shutdown, exit 0
            assert time.perf_counter() - start < 8
            r = in_flight.result()
        pool.shutdown()
    assert r.status_code == 503 and "shutting down" in r.json()["message"]
    log = s.log_text()
    assert "stopped" in log and "Traceback" not in log


# --------------------------------------------------------------------------- TLS

def test_tls_with_required_client_certificate(tmp_path) -> None:
    trustme = pytest.importorskip("trustme")
    ca = trustme.CA()
    server_pem, ca_pem = tmp_path / "server.pem", tmp_path / "ca.pem"
    ca.issue_cert("127.0.0.1").private_key_and_cert_chain_pem.write_to_path(str(server_pem))
    ca.cert_pem.write_to_path(str(ca_pem))
    with_cert = ssl.create_default_context()
    ca.configure_trust(with_cert)
    ca.issue_cert("window-07.deskhand.test").configure_cert(with_cert)
    without_cert = ssl.create_default_context()
    ca.configure_trust(without_cert)

    with RegistryServer(tmp_path, people=40, tls=(server_pem, server_pem), client_ca=ca_pem,
                        client_ssl=with_cert) as s:
        assert s.url.startswith("https://127.0.0.1:")
        with s.client() as http:
            assert _get(http, "population", 3).json()["data"] == records_for(3)["population"]
        assert s.set_faults("garbage") == ["garbage"]      # admin calls go through TLS too
        with s.client(verify=without_cert) as http, pytest.raises(httpx.TransportError):
            _get(http, "population", 3)
        with s.client(verify=False) as http, pytest.raises(httpx.TransportError):
            _get(http, "population", 3)


# --------------------------------------------------------------------------- logs

def test_logs_hold_no_id_number_or_credit_code(server: RegistryServer, http: httpx.Client) -> None:
    people = [make_person(s) for s in (11, 12)]
    for p in people:
        _get(http, "population", p.id_number)
        _get(http, "licence", p.credit_code)
        _get(http, "realestate", p.id_number)
    _get(http, "population", "3508021990010112")             # malformed: still masked
    time.sleep(0.1)
    log = server.log_text()
    for p in people:
        assert p.id_number not in log and p.credit_code not in log
        assert p.name not in log
    assert f"GET /population/v1/persons/{people[0].id_number[:4]}" in log
    assert re.search(r"POST /realestate/v1/query 200 [\d.]+ ms", log)
    assert "3508021990010112" not in log
