"""The three sandbox gateways (`deskhand registry serve --profile prov|city|ministry`) as
real processes on 127.0.0.1, driven with plain httpx requests signed by the small signers
below. The signers are written from each gateway's interface description in
docs/registry-service.md, not from app/registry nor from the gateways' own code: a
gateway that drifts from its description fails here."""
from __future__ import annotations

import io
import json
import re
import secrets
import time
import unicodedata
import uuid
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest
import yaml

from app.cli import main as cli_main
from app.sandbox.gateways.differences import DIFFERENCE_SEEDS, deliberate_differences
from app.sandbox.gateways.facts import truth
from app.sandbox.people import make_person
from app.sandbox.sources import portal_values, render_portal_page
from gateway_signers import (CALLERS, Caller, Reply, city_sign, ministry_sign, prov_signature,
                             sm3_hex)
from registry_server import RegistryServer

pytestmark = pytest.mark.timeout(120)

PEOPLE = 120                        # seeds 0..119: the differences and plenty of clean people
OUTSIDER = make_person(10 ** 6)     # a valid person no gateway holds


# (HTTP status, code) each gateway documents for each outcome
OUTCOMES = {
    "prov": {"signature": (200, "1001"), "stale": (200, "1002"), "replay": (200, "1002"),
             "busy": (200, "1003"), "unknown_service": (200, "1004"), "bad_request": (200, "1005"),
             "not_found": (200, "2001")},
    "city": {"signature": (200, "401"), "stale": (200, "408"), "replay": (200, "409"),
             "busy": (200, "503"), "unknown_service": (200, "410"), "bad_request": (200, "400"),
             "not_found": (200, "404")},
    "ministry": {"signature": (401, "40001"), "stale": (403, "40002"), "replay": (403, "40002"),
                 "busy": (429, "42900"), "unknown_service": (404, "40004"),
                 "bad_request": (400, "40003"), "not_found": (404, "40400")},
}
THIRD = {"prov": "licence", "city": "insurance", "ministry": "transport"}

# Code lists as the description gives them (the few ethnic groups the generated people have).
GB_ETHNIC = {"01": "汉族", "02": "蒙古族", "03": "回族", "06": "苗族", "08": "壮族", "11": "满族",
             "12": "侗族", "15": "土家族", "22": "畲族"}
GB_MARITAL = {"10": "未婚", "21": "已婚", "22": "已婚", "23": "已婚", "30": "丧偶", "40": "离婚"}
CITY_MARITAL = {"1": "未婚", "2": "已婚", "3": "离婚", "4": "丧偶"}


def _date(text: str) -> str:
    digits = "".join(c for c in text[:10] if c.isdigit())
    return f"{digits[:4]}-{digits[4:6]}-{digits[6:8]}"


def decode_person(profile: str, rec: dict[str, Any]) -> dict[str, str]:
    """A person record in words, as the description says to read it."""
    if profile == "prov":
        return {"applicant_name": rec["xm"], "gender": {"1": "男", "2": "女"}[rec["xb"]],
                "ethnicity": GB_ETHNIC[rec["mz"]], "birth_date": _date(rec["csrq"]),
                "address": rec["hjdz"], "id_number": rec["sfzh"],
                "marital_status": GB_MARITAL[rec["hyzk"]]}
    if profile == "city":
        assert isinstance(rec["mz"], int)
        return {"applicant_name": rec["xm"], "gender": {"M": "男", "F": "女"}[rec["xb"]],
                "ethnicity": GB_ETHNIC[f"{rec['mz']:02d}"], "birth_date": _date(rec["csrq"]),
                "address": rec["hjdz"], "id_number": rec["sfzhm"],
                "marital_status": CITY_MARITAL[rec["hyzk"]]}
    assert isinstance(rec["gender"], int)
    return {"applicant_name": rec["name"], "gender": {1: "男", 2: "女"}[rec["gender"]],
            "ethnicity": rec["nation"], "birth_date": _date(rec["birthDate"]),
            "address": rec["address"], "id_number": rec["idCard"]}


def newest(records: list[dict[str, Any]], field: str) -> dict[str, Any]:
    return max(records, key=lambda r: _date(r[field]))


def marital_of(profile: str, records: list[dict[str, Any]]) -> str:
    """The current marital status in words from the marriage look-up's records."""
    if not records:
        return "未婚"
    if profile == "prov":
        return GB_MARITAL[newest(records, "djrq")["hyzk"]]
    if profile == "city":
        return CITY_MARITAL[newest(records, "djrq")["hyzk"]]
    return GB_MARITAL[newest(records, "regDate")["maritalStatus"]]


def _norm(field: str, value: str) -> str:
    value = unicodedata.normalize("NFKC", value)
    return "离婚" if field == "marital_status" and value == "离异" else value


# =========================================================================== fixtures

@pytest.fixture(scope="module", params=["prov", "city", "ministry"])
def gateway(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[RegistryServer]:
    tmp = tmp_path_factory.mktemp(f"gw-{request.param}")
    with RegistryServer(tmp, profile=request.param, people=PEOPLE) as server:
        yield server
    assert server.returncode == 0


@pytest.fixture
def caller(gateway: RegistryServer) -> Iterator[Caller]:
    c = CALLERS[gateway.profile](gateway)
    yield c
    c.http.close()
    gateway.clear_faults()


def _outcome(c: Caller, r: httpx.Response, kind: str) -> Reply:
    rep = c.reply(r)
    assert (rep.http, rep.code) == OUTCOMES[c.profile][kind], (kind, rep)
    assert rep.message, "every refusal says what happened"
    return rep


# =========================================================================== answers

def test_a_correct_request_answers_the_persons_record_in_the_gateways_codes(caller: Caller) -> None:
    seed = 1                                        # 朱文涛, 男, 畲族
    p = make_person(seed)
    [rec] = caller.records("person", p.id_number)
    raw = {"prov": ("xb", "1", "mz", "22"), "city": ("xb", "M", "mz", 22),
           "ministry": ("gender", 1, "nation", "畲族")}[caller.profile]
    assert (rec[raw[0]], rec[raw[2]]) == (raw[1], raw[3])
    got = decode_person(caller.profile, rec)
    t = truth(seed)
    changed = deliberate_differences(caller.profile).get(seed, {})
    for field, value in got.items():
        if field not in changed:
            assert _norm(field, value) == _norm(field, t[field]), field


def test_several_marriage_records_and_the_newest_is_current(caller: Caller) -> None:
    histories = 0
    for seed in range(60, 120):                     # no deliberate differences here
        recs = caller.records("marriage", make_person(seed).id_number)
        want = _norm("marital_status", truth(seed)["marital_status"])
        assert marital_of(caller.profile, recs) == want
        if len(recs) > 1:
            histories += 1
            dates = [_date(r["djrq" if caller.profile != "ministry" else "regDate"]) for r in recs]
            if caller.profile == "prov":
                assert dates == sorted(dates)                   # oldest first
            elif caller.profile == "city":
                assert dates == sorted(dates, reverse=True)     # newest first
    assert histories >= 5
    if caller.profile != "city":        # GB/T 2261.2 sub-codes under 20 are served
        codes = {r["hyzk" if caller.profile == "prov" else "maritalStatus"]
                 for s in range(60, 120)
                 for r in caller.records("marriage", make_person(s).id_number)}
        assert {"21", "22", "23", "40"} <= codes


def test_the_third_look_up(caller: Caller) -> None:
    seed = 9
    p = make_person(seed)
    if caller.profile == "prov":
        [lic] = caller.records("licence", p.credit_code)
        assert (lic["tyshxydm"], lic["qymc"]) == (p.credit_code, p.employer)
        rep = _outcome(caller, caller.call("licence", OUTSIDER.credit_code), "not_found")
        assert rep.message == "查无数据"
    elif caller.profile == "city":
        jobs = caller.records("insurance", p.id_number)
        [current] = [j for j in jobs if j["dwtyxydm"] == p.credit_code]
        assert (current["dwmc"], current["zzrq"]) == (p.employer, "")
        several = [s for s in range(60, 120)
                   if len(caller.records("insurance", make_person(s).id_number)) > 1]
        assert len(several) > 10
    else:
        holders = 0
        for s in range(60, 120):
            certs = caller.records("transport", make_person(s).id_number)
            if not certs:
                continue
            holders += 1
            current = newest(certs, "issueDate")
            assert current["state"] in ("有效", "过期")
            assert all(c["state"] == "注销" for c in certs if c is not current)
        assert 5 <= holders <= 30
        none = next(s for s in range(60, 120) if make_person(s).birth_date.year < 1960)
        assert caller.records("transport", make_person(none).id_number) == []


def test_a_person_the_gateway_does_not_hold(caller: Caller) -> None:
    _outcome(caller, caller.call("person", OUTSIDER.id_number), "not_found")


def test_a_malformed_id_number_is_a_bad_request(caller: Caller) -> None:
    bad = make_person(3).id_number[:-1] + ("0" if make_person(3).id_number[-1] != "0" else "1")
    _outcome(caller, caller.call("person", bad), "bad_request")


# =========================================================================== signatures

def test_a_wrong_secret_is_a_refused_signature(caller: Caller) -> None:
    _outcome(caller, caller.call("person", make_person(3).id_number, secret=b"not-the-secret"),
             "signature")


def test_a_tampered_signature_is_refused(caller: Caller) -> None:
    r = caller.call("person", make_person(3).id_number, sign="A" * 32)
    _outcome(caller, r, "signature")


def test_a_stale_timestamp_is_refused(caller: Caller) -> None:
    scale = 1000 if caller.profile == "prov" else 1
    key = make_person(3).id_number
    _outcome(caller, caller.call("person", key, ts=int((time.time() - 301) * scale)), "stale")
    _outcome(caller, caller.call("person", key, ts=int((time.time() + 400) * scale)), "stale")
    if caller.profile == "prov":        # seconds where milliseconds are wanted
        _outcome(caller, caller.call("person", key, ts=int(time.time())), "stale")
    within = int((time.time() - 250) * scale)
    assert caller.reply(caller.call("person", key, ts=within)).code == caller.ok


def test_a_reused_nonce_is_a_replay(caller: Caller) -> None:
    nonce = str(uuid.uuid4()) if caller.profile == "prov" else secrets.token_hex(16)
    key = make_person(3).id_number
    assert caller.reply(caller.call("person", key, nonce=nonce)).code == caller.ok
    _outcome(caller, caller.call("person", key, nonce=nonce), "replay")


def test_a_forged_request_does_not_use_up_a_nonce(caller: Caller) -> None:
    nonce = str(uuid.uuid4()) if caller.profile == "prov" else secrets.token_hex(16)
    key = make_person(3).id_number
    _outcome(caller, caller.call("person", key, nonce=nonce, secret=b"forger"), "signature")
    assert caller.reply(caller.call("person", key, nonce=nonce)).code == caller.ok


def test_an_unknown_service(caller: Caller) -> None:
    name = {"prov": "GA-XX-999", "city": "xxxx", "ministry": "mps.nothing.query"}[caller.profile]
    _outcome(caller, caller.service(name, make_person(3).id_number), "unknown_service")


# =========================================================================== faults

def test_busy_fault_answers_the_busy_code(gateway: RegistryServer, caller: Caller) -> None:
    gateway.set_faults("busy@person")
    _outcome(caller, caller.call("person", make_person(3).id_number), "busy")
    assert caller.reply(caller.call("marriage", make_person(3).id_number)).code == caller.ok
    if caller.profile == "ministry":
        assert caller.call("person", make_person(3).id_number).headers["retry-after"] == "1"


def test_dropped_connection(gateway: RegistryServer, caller: Caller) -> None:
    gateway.set_faults("drop")
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        caller.call("person", make_person(3).id_number)
    gateway.clear_faults()
    assert caller.reply(caller.call("person", make_person(3).id_number)).code == caller.ok
    assert " 444 " in gateway.log_text()


def test_signature_replay_and_unknown_service_faults(gateway: RegistryServer,
                                                     caller: Caller) -> None:
    key = make_person(3).id_number
    for fault, kind in (("sign", "signature"), ("replay", "replay"),
                        ("unknown", "unknown_service")):
        gateway.set_faults(fault)
        _outcome(caller, caller.call("person", key), kind)


def test_http_5xx_fault(gateway: RegistryServer, caller: Caller) -> None:
    gateway.set_faults("status=502")
    r = caller.call("person", make_person(3).id_number)
    assert r.status_code == 502
    if caller.profile == "prov":
        assert r.headers["content-type"].startswith("text/html") and "502 Bad Gateway" in r.text
    elif caller.profile == "city":
        assert r.json()["error"] == "Bad Gateway" and "result" not in r.json()
    else:
        assert r.json()["errcode"] == 50000


def test_garbage_and_changed_shape_faults(gateway: RegistryServer, caller: Caller) -> None:
    key = make_person(3).id_number
    gateway.set_faults("garbage@person")
    r = caller.call("person", key)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    with pytest.raises(ValueError):
        r.json()
    gateway.set_faults("schema")
    rep = caller.reply(caller.call("person", key))
    # still "success", but the records are not where the description puts them
    assert (rep.http, rep.code, rep.records) == (200, caller.ok, None)


def test_delay_fault_holds_only_its_endpoint(gateway: RegistryServer, caller: Caller) -> None:
    gateway.set_faults("delay=1.0@marriage")
    key = make_person(3).id_number
    start = time.monotonic()
    assert caller.reply(caller.call("person", key)).code == caller.ok
    assert time.monotonic() - start < 0.8
    start = time.monotonic()
    assert caller.reply(caller.call("marriage", key)).code == caller.ok
    assert time.monotonic() - start >= 1.0


def test_fault_specs_are_checked_per_profile(gateway: RegistryServer) -> None:
    with pytest.raises(Exception, match="use one of person, marriage"):
        gateway.set_faults("busy@population")
    assert gateway.faults() == []


# =========================================================================== differences

def test_deliberate_differences_are_served_as_declared(caller: Caller) -> None:
    """Every field of seeds 0–39 as the gateway serves it, decoded from its description:
    it differs from the sources exactly where deliberate_differences says, as it says."""
    declared = deliberate_differences(caller.profile)
    found: dict[int, dict[str, tuple[str, str]]] = {}
    for seed in DIFFERENCE_SEEDS:
        p, t = make_person(seed), truth(seed)
        [rec] = caller.records("person", p.id_number)
        served = decode_person(caller.profile, rec)
        marriages = caller.records("marriage", p.id_number)
        served["marital_status"] = marital_of(caller.profile, marriages)
        if caller.profile == "prov":
            [lic] = caller.records("licence", p.credit_code)
            served["employer"] = lic["qymc"]
            assert GB_MARITAL[rec["hyzk"]] == served["marital_status"]    # 人口 agrees with 婚姻
        elif caller.profile == "city":
            jobs = caller.records("insurance", p.id_number)
            served["employer"] = next(j["dwmc"] for j in jobs if j["dwtyxydm"] == p.credit_code)
            assert CITY_MARITAL[rec["hyzk"]] == served["marital_status"]
        for field, value in served.items():
            if _norm(field, value) != _norm(field, t[field]):
                found.setdefault(seed, {})[field] = (t[field], value)
    assert {s: set(f) for s, f in found.items()} == {s: set(f) for s, f in declared.items()}
    for seed, fields in declared.items():
        for field, (want_truth, want_registry) in fields.items():
            assert _norm(field, found[seed][field][1]) == _norm(field, want_registry)
            assert want_truth == truth(seed)[field]


def test_the_declared_differences() -> None:
    for profile in ("prov", "city", "ministry"):
        d = deliberate_differences(profile)
        assert sum(len(f) for f in d.values()) >= 7
        assert set(d) <= set(DIFFERENCE_SEEDS) and len(d) <= len(DIFFERENCE_SEEDS) // 4
        kinds = {field for f in d.values() for field in f}
        assert {"applicant_name", "address", "birth_date", "ethnicity", "marital_status"} <= kinds
        for fields in d.values():
            assert all(_norm(k, a) != _norm(k, b) for k, (a, b) in fields.items())


def test_the_sources_truth_is_what_the_portal_page_shows() -> None:
    for seed in (0, 14, 30):
        p = make_person(seed)
        shown = render_portal_page(p).truth
        assert portal_values(p) == {**portal_values(p), **shown}
        assert truth(seed)["marital_status"] == shown["marital_status"]


# =========================================================================== process, settings, log

def test_write_settings_fills_the_real_url_and_key(tmp_path) -> None:
    for profile, suffix in (("prov", "/share"), ("city", ""), ("ministry", "")):
        out = tmp_path / f"{profile}.yaml"
        with RegistryServer(tmp_path / profile, profile=profile, people=40, key_id="APP-7f3c",
                            extra_args=["--write-settings", str(out)]) as server:
            settings = yaml.safe_load(out.read_text("utf-8"))
            reg = settings["registries"][profile]
            assert reg["base_url"] == server.url + suffix
            assert reg["auth"]["key_id"] == "APP-7f3c"
            assert reg["auth"]["credential"] == f"registry.{profile}.secret"
            assert server.secret.decode() not in out.read_text("utf-8")
            # the described endpoints answer at base_url + path
            c = CALLERS[profile](server)
            assert set(reg["endpoints"]) == {"person", "marriage", THIRD[profile]}
            person = reg["endpoints"]["person"]
            assert c.reply(c.call("person", person["sample"]["id_number"])).code == c.ok


def test_the_log_masks_id_numbers(gateway: RegistryServer, caller: Caller) -> None:
    key = make_person(3).id_number
    caller.call("person", key)
    assert key not in gateway.log_text()


@pytest.mark.parametrize("argv, words", [
    (["--profile", "prov", "--db", "x.sqlite"], "--db is for the reference registry only"),
    (["--profile", "city", "--fault", "busy@licence"], "use one of person, marriage, insurance"),
    (["--profile", "ministry", "--fault", "bogus"], "Unknown fault"),
])
def test_bad_options_are_sentences(argv: list[str], words: str, monkeypatch) -> None:
    monkeypatch.setenv("DESKHAND_REGISTRY_SECRET", "s")
    out, err = io.StringIO(), io.StringIO()
    assert cli_main(["registry", "serve", "--port", "0", *argv], out=out, err=err) == 2
    assert words in err.getvalue() and "Traceback" not in err.getvalue()


def test_a_gateway_needs_its_secret(monkeypatch) -> None:
    monkeypatch.delenv("DESKHAND_REGISTRY_SECRET", raising=False)
    err = io.StringIO()
    assert cli_main(["registry", "serve", "--profile", "prov", "--port", "0"],
                    out=io.StringIO(), err=err) == 2
    assert "shared secret" in err.getvalue()


def test_the_test_signers_sm3_is_the_standard_one() -> None:
    assert sm3_hex(b"abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


def test_the_documented_signature_examples_are_right() -> None:
    """The worked examples in docs/registry-service.md, recomputed by the test signers."""
    doc = (Path(__file__).resolve().parent.parent / "docs" / "registry-service.md"
           ).read_text("utf-8")
    secret, idn = b"demo-secret", "35010219920707105X"
    body = json.dumps({"serviceCode": "GA-RK-001", "params": {"sfzh": idn}},
                      separators=(",", ":")).encode()
    assert body.decode() in doc
    sign = prov_signature(secret, "/share/api/v2/query", body, "1735689600000",
                          "0f8e6c1e-3b9a-4c55-9f0e-6a2d7c1b8e41")
    assert f"X-Ca-Signature  {sign}" in doc
    params = {"sfzh": idn, "appKey": "city-demo-key", "timestamp": "1735689600",
              "nonce": "9f86d081884c7d659a2feaa0c55ad015"}
    assert f"sign = {city_sign(params, secret)}" in doc
    body = json.dumps({"idCard": idn}, separators=(",", ":")).encode()
    sign = ministry_sign(secret, "POST", "/gw/v1/mps.population.query", "1735689600",
                         "9f86d081884c7d659a2feaa0c55ad015", body)
    assert re.search(rf"x-gw-sign\s+{sign}", doc)




def test_the_settings_files_use_only_what_docs_registries_md_describes() -> None:
    """The gateways' settings were written for IT from docs/registries.md alone: every key
    of theirs (but the field names a map chooses, and the dictionary codes) is in its
    YAML examples."""
    root = Path(__file__).resolve().parent.parent
    doc = (root / "docs" / "registries.md").read_text("utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", doc, re.S)
    documented = {k for b in blocks for k in re.findall(r"^\s*([A-Za-z_][\w-]*):", b, re.M)}
    documented |= {k for b in blocks for k in re.findall(r"[{,]\s*([a-z_]+):", b)}
    documented |= set(re.findall(r"`([a-z_]+): ", doc))          # `newest_by: PATH` in the text

    def keys(node: Any, skip: tuple[str, ...]) -> Iterator[str]:
        if isinstance(node, dict):
            for k, v in node.items():
                yield str(k)
                if k not in skip:
                    yield from keys(v, skip)

    for profile in ("prov", "city", "ministry"):
        path = root / "app" / "sandbox" / "gateways" / "settings" / f"{profile}.yaml"
        settings = yaml.safe_load(path.read_text("utf-8"))
        reg = settings["registries"][profile]
        used = set(keys({k: v for k, v in settings.items() if k != "dictionaries"}, ()))
        used -= set(settings["registries"]) | set(reg["endpoints"])
        for ep in reg["endpoints"].values():
            used -= set(ep.get("map", {})) | set(ep.get("json", {})) | set(ep.get("query", {}))
            used -= set(ep.get("match", {})) | set(ep.get("sample", {}))
            used -= {k for v in ep.get("json", {}).values() if isinstance(v, dict) for k in v}
        used -= set(reg["auth"].get("sign", {}).get("headers", {}))
        used -= set(reg["auth"].get("sign", {}).get("params", {}))
        for d in settings.get("dictionaries", {}).values():
            used |= {"codes"} | {k for v in d["codes"].values() if isinstance(v, dict) for k in v}
        assert used <= documented, (profile, sorted(used - documented))


# =========================================================================== the client, from the settings

_PLAYBOOK = """\
deskhand: 1
id: gateway-check-{profile}
name: 核验（{profile}）
target: {{title: "x"}}
fields:
  - {{name: applicant_name}}
  - {{name: gender, type: choice, choices: [男, 女]}}
  - {{name: ethnicity}}
  - {{name: birth_date, type: date}}
  - {{name: id_number, type: id_number}}
  - {{name: address}}
  - {{name: employer}}
  - {{name: credit_code, type: credit_code}}
  - {{name: marital_status, type: choice, choices: [未婚, 已婚, 离异, 丧偶]}}
verify:
  - {{lookup: {profile}.person, confirm: {{applicant_name: exact, gender: exact, ethnicity: exact,
                                       birth_date: date, address: fuzzy}}}}
  - {{lookup: {profile}.{marital}, confirm: {{marital_status: exact}}}}
{third}fill:
  - type: applicant_name
"""
_THIRD_CONFIRM = {"prov": "  - {lookup: prov.licence, confirm: {employer: exact}}\n",
                  "city": "  - {lookup: city.insurance, confirm: {employer: exact}}\n",
                  "ministry": ""}


def test_the_client_finds_every_deliberate_difference_and_no_other(tmp_path) -> None:
    """Deskhand's registry client (app/registry), configured by each gateway's settings file
    alone, verifies seeds 0–39 as their sources show them: every deliberate difference is a
    mismatch, no other field is."""
    from app.cases import Case, FieldValue
    from app.registry.client import RegistryClient
    from app.registry.settings import load_registry_settings
    from app.registry.verify import verify_case
    from playbooks.loader import load_playbook_text

    for profile in ("prov", "city", "ministry"):
        out = tmp_path / f"{profile}.yaml"
        with RegistryServer(tmp_path / profile, profile=profile, people=PEOPLE,
                            extra_args=["--write-settings", str(out)]) as server:
            settings = load_registry_settings(out)
            marital = "marriage" if profile == "ministry" else "person"
            playbook = load_playbook_text(_PLAYBOOK.format(
                profile=profile, marital=marital, third=_THIRD_CONFIRM[profile]), "gw.yaml")
            flagged: dict[int, set[str]] = {}
            confirmed = 0
            with RegistryClient(settings, secrets=lambda _n: server.secret.decode()) as client:
                for seed in DIFFERENCE_SEEDS:
                    fields = {k: FieldValue(v, "ok", None, {"kind": "ocr"})
                              for k, v in truth(seed).items()}
                    case = Case(f"gw-{seed}", playbook.id, fields)
                    report = verify_case(case, playbook, client)
                    assert not report.failed, [a.to_json() for a in report.failed]
                    for name, fv in case.fields.items():
                        if fv.status == "mismatch":
                            flagged.setdefault(seed, set()).add(name)
                        elif fv.source.get("registry", {}).get("result") == "confirmed":
                            confirmed += 1
            declared = {s: set(f) for s, f in deliberate_differences(profile).items()}
            assert flagged == declared, profile
            assert confirmed >= 40 * 5
