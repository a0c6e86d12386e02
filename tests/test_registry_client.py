"""Registry client logic on httpx.MockTransport: settings, templates and JSON paths,
auth headers, answers and their errors, comparing, and verify_case's outcomes.
The same paths against the real loopback service: tests/test_verify_loopback.py."""
from __future__ import annotations

import json
import threading

import httpx
import pytest

from app.cases import Case, FieldValue
from app.errors import (RegistryAuthError, RegistryConfigError, RegistryResponseError,
                        RegistryUnavailableError)
from app.registry.client import RegistryClient
from app.registry.compare import alternatives_explain, fuzzy_score, parse_any_date, same
from app.registry.request import MISSING, json_path, render
from app.registry.settings import parse_registry_settings
from app.registry.signing import verify_signature
from app.registry.verify import verify_case
from playbooks.loader import load_playbook_text

SECRET = "s3cret-密钥"
ID = "350802199001011236"


def settings(scheme: str = "hmac-sm3", **reg) -> dict:
    return {"version": 1, "registries": {"city": {
        "base_url": "https://gw.example.gov.cn/share", "timeout_s": 2, "retries": 1, "backoff_s": 0,
        "auth": {"scheme": scheme, "credential": "registry.city", "key_id": "win-07"},
        "endpoints": {
            "person": {"path": "/population/v1/persons/{id_number}", "found": "data",
                       "map": {"applicant_name": "data.xm", "birth_date": "data.csrq",
                               "address": "data.hjdz", "ethnicity": "data.mz"}},
            "estate": {"method": "POST", "path": "/realestate/v1/query",
                       "json": {"zjhm": "{id_number}"}, "found": "data.records",
                       "map": {"estate_cert": "data.records[0].bdcqzh"}},
        }, **reg}}}


PERSON = {"code": 0, "data": {"xm": "傅赟", "csrq": "19900101", "mz": "汉族",
                              "hjdz": "福建省龙岩市新罗区西陂街道龙腾中路88号"}}


def client_with(handler, scheme="hmac-sm3", on_outage="unverified", **reg) -> RegistryClient:
    s = settings(scheme, **reg)
    s["on_outage"] = on_outage
    return RegistryClient(parse_registry_settings(s), secrets=lambda name: SECRET,
                          transport=httpx.MockTransport(handler), sleep=lambda s: None)


def ok(payload=PERSON, status=200):
    return lambda request: httpx.Response(status, json=payload)


class TestSettings:
    def test_every_problem_reported_with_where_it_is(self):
        bad = settings("hmac-sha256")
        city = bad["registries"]["city"]
        city.update(base_url="ftp://x", timeout_s=99, colour="red")
        city["auth"] = {"scheme": "hmac-sha256"}
        city["endpoints"]["person"]["method"] = "PUT"
        with pytest.raises(RegistryConfigError) as e:
            parse_registry_settings(bad, "/etc/deskhand/registries.yaml")
        msg = e.value.message
        for where in ("registries.city.base_url", "registries.city.timeout_s",
                      "unknown key 'colour'", "registries.city.auth.credential",
                      "registries.city.auth.key_id", "registries.city.endpoints.person.method",
                      "/etc/deskhand/registries.yaml"):
            assert where in msg

    def test_unknown_lookup_names_what_exists(self):
        s = parse_registry_settings(settings())
        with pytest.raises(RegistryConfigError, match="defined: city"):
            s.endpoint("province.person")
        with pytest.raises(RegistryConfigError, match="defined: estate, person"):
            s.endpoint("city.marriage")


class TestRequestParts:
    def test_render_and_json_path(self):
        assert render({"zjhm": "{id_number}", "x": ["{a}"]}, {"id_number": ID, "a": "1"}) == \
            {"zjhm": ID, "x": ["1"]}
        with pytest.raises(KeyError):
            render("/p/{id_number}", {})
        data = {"data": {"records": [{"zl": "龙岩"}]}}
        assert json_path(data, "data.records[0].zl") == "龙岩"
        assert json_path(data, "data.records[1].zl") is MISSING
        assert json_path(data, "data.x") is MISSING


class TestAnswers:
    @pytest.mark.parametrize("scheme,method", [("hmac-sm3", "HMAC-SM3"), ("hmac-sha256", "HMAC-SHA256")])
    def test_signed_request_verifies_and_maps(self, scheme, method):
        seen = {}

        def handler(request: httpx.Request):
            seen["why"] = verify_signature(request.headers, {"win-07": SECRET.encode()}, request.method,
                                           request.url.path, request.url.query.decode(), request.content)
            seen["method"] = request.headers["X-Signature-Method"]
            return httpx.Response(200, json=PERSON)
        a = client_with(handler, scheme).lookup("city.person", {"id_number": ID})
        assert seen == {"why": None, "method": method}
        assert a.status == "found" and a.values["applicant_name"] == "傅赟"

    def test_signed_post_body(self):
        def handler(request):
            assert json.loads(request.content) == {"zjhm": ID}
            assert verify_signature(request.headers, {"win-07": SECRET.encode()}, "POST",
                                    request.url.path, "", request.content) is None
            assert verify_signature(request.headers, {"win-07": SECRET.encode()}, "POST",
                                    request.url.path, "", request.content + b" ") is not None
            return httpx.Response(200, json={"data": {"records": [{"bdcqzh": "闽(2021)第1号"}]}})
        a = client_with(handler).lookup("city.estate", {"id_number": ID})
        assert a.values == {"estate_cert": "闽(2021)第1号"}

    def test_bearer_and_api_key(self):
        got = {}
        client_with(lambda r: got.update(r.headers) or httpx.Response(200, json=PERSON),
                    "bearer").lookup("city.person", {"id_number": ID})
        assert got["authorization"] == f"Bearer {SECRET}"
        got.clear()
        client_with(lambda r: got.update(r.headers) or httpx.Response(200, json=PERSON),
                    "api-key").lookup("city.person", {"id_number": ID})
        assert got["x-api-key"] == SECRET

    def test_not_found(self):
        a = client_with(ok({"code": 404, "message": "未查询到记录", "data": None}, 404)).lookup(
            "city.person", {"id_number": ID})
        assert a.status == "not_found" and a.error is None
        a = client_with(ok({"data": {"total": 0, "records": []}})).lookup("city.estate", {"id_number": ID})
        assert a.status == "not_found"

    @pytest.mark.parametrize("respond,error,words", [
        (lambda r: httpx.Response(200, content=b'{"code": 0, "da', headers={"content-type": "application/json"}),
         RegistryResponseError, "not JSON"),
        (ok({"code": 0, "result": {"name": "x"}}), RegistryResponseError, "format has changed"),
        (ok({"code": 0, "data": {"xingming": "x"}}), RegistryResponseError, "none of the agreed"),
        (ok({"code": 0, "data": {"xm": {"a": 1}, "csrq": "1", "mz": "", "hjdz": ""}}),
         RegistryResponseError, "not a value"),
        (ok({"code": 401, "message": "签名错误"}, 401), RegistryAuthError, "registry.city"),
        (ok({"code": 503}, 503), RegistryUnavailableError, "503"),
    ])
    def test_faults_become_errors_with_sentences(self, respond, error, words):
        a = client_with(respond).lookup("city.person", {"id_number": ID})
        assert a.status == "failed" and isinstance(a.error, error) and words in a.error.message

    def test_server_errors_are_retried_within_the_budget(self):
        calls = []

        def flaky(request):
            calls.append(1)
            return httpx.Response(503 if len(calls) == 1 else 200, json=PERSON)
        a = client_with(flaky).lookup("city.person", {"id_number": ID})
        assert a.status == "found" and a.attempts == 2
        calls.clear()
        a = client_with(lambda r: calls.append(1) or httpx.Response(503, json={}), retries=3).lookup(
            "city.person", {"id_number": ID})
        assert a.status == "failed" and len(calls) == 4

    def test_missing_credential_is_a_failed_answer_not_a_crash(self):
        from app.errors import CredentialMissingError

        def no_secret(name):
            raise CredentialMissingError(f"No credential {name}; set it with: deskhand vault set {name}")
        c = RegistryClient(parse_registry_settings(settings()), secrets=no_secret,
                           transport=httpx.MockTransport(ok()))
        a = c.lookup("city.person", {"id_number": ID})
        assert a.status == "failed" and "deskhand vault set registry.city" in a.error.message


class TestCompare:
    def test_rules(self):
        assert same("exact", "ＡＢＣ 科技", "abc科技")
        assert not same("exact", "傅赞", "傅赟")
        assert same("date", "1990-01-01", "19900101") and same("date", "1990年1月1日", "1990.01.01")
        assert not same("date", "1990-01-02", "19900101") and not same("date", "x", "x")
        reg = "福建省龙岩市新罗区西陂街道龙腾中路88号"
        assert same("fuzzy", "龙岩市新罗区西陂街道龙腾中路88号", reg)         # province left out
        assert same("fuzzy", "福建省龙岩市新罗区西陂街龙腾中路88号", reg)       # 街道 → 街
        assert not same("fuzzy", "福建省龙岩市新罗区西陂街道龙腾中路86号", reg)  # another house
        assert fuzzy_score("漳州市芗城区", reg) < 50
        assert parse_any_date("2000年2月30日") is None

    def test_alternatives_explain(self):
        assert alternatives_explain("傅赞", "傅赟", ["傅傳", "赞楚赟"])
        assert not alternatives_explain("傅赞", "傅赟", ["傅傳", "赞楚"])
        assert not alternatives_explain("傅赞", "傅赟", None)
        assert not alternatives_explain("傅赞", "李赟", ["傅", "赞赟"])


PLAYBOOK = """\
deskhand: 1
id: verify-test
name: verify test
target: {title: "x"}
fields:
  - {name: applicant_name}
  - {name: id_number, type: id_number}
  - {name: birth_date, type: date}
  - {name: address}
  - {name: ethnicity}
  - {name: estate_cert}
verify:
  - lookup: city.person
    confirm: {applicant_name: exact, birth_date: date, address: fuzzy}
    fill: [ethnicity]
  - lookup: city.person
    confirm: {applicant_name: exact}
  - lookup: city.estate
    fill: [estate_cert]
fill:
  - type: applicant_name
"""


def case_of(**values) -> Case:
    fields = {k: FieldValue(v, "ok", None, {"kind": "ocr"}) for k, v in values.items()}
    return Case("c1", "verify-test", fields)


def full_case(**over) -> Case:
    base = dict(applicant_name="傅赟", id_number=ID, birth_date="1990-01-01",
                address="龙岩市新罗区西陂街道龙腾中路88号")
    base.update(over)
    return case_of(**base)


def router(estate=True):
    calls = []
    lock = threading.Lock()

    def handler(request):
        with lock:
            calls.append(request.url.path)
        if "realestate" in request.url.path:
            return httpx.Response(200, json={"data": {"records": [{"bdcqzh": "闽(2021)第1号"}] if estate else []}})
        return httpx.Response(200, json=PERSON)
    return handler, calls


class TestVerifyCase:
    pb = load_playbook_text(PLAYBOOK, "verify-test.yaml")

    def test_confirm_fill_and_one_call_per_distinct_lookup(self):
        handler, calls = router()
        case = full_case()
        report = verify_case(case, self.pb, client_with(handler))
        assert report.calls == 2 and len(calls) == 2          # city.person asked once
        assert {n: f.status for n, f in case.fields.items()} == {
            "applicant_name": "ok", "id_number": "ok", "birth_date": "ok", "address": "ok",
            "ethnicity": "ok", "estate_cert": "ok"}
        assert case.fields["ethnicity"].value == "汉族"
        assert case.fields["ethnicity"].source["kind"] == "registry"
        assert case.fields["address"].source["registry"]["result"] == "confirmed"
        assert case.fields["birth_date"].source["registry"] == {
            "lookup": "city.person", "value": "1990-01-01", "as_sent": "19900101", "rule": "date",
            "result": "confirmed"}
        assert [a["status"] for a in case.verification] == ["found", "found"]

    def test_mismatch_keeps_both_values(self):
        handler, _ = router()
        case = full_case(applicant_name="傅赞")
        verify_case(case, self.pb, client_with(handler))
        fv = case.fields["applicant_name"]
        assert fv.status == "mismatch" and fv.value == "傅赞"
        assert fv.source["registry"]["value"] == "傅赟" and "ask the applicant" in fv.source["problems"][0]

    def test_registry_settles_a_character_the_engine_hesitated_on(self):
        handler, _ = router()
        case = full_case(applicant_name="傅赞")
        case.fields["applicant_name"].source["alternatives"] = ["傅傳", "赞楚赟贺"]
        verify_case(case, self.pb, client_with(handler))
        fv = case.fields["applicant_name"]
        assert (fv.status, fv.value, fv.original) == ("corrected", "傅赟", "傅赞")

    def test_a_source_value_is_not_overwritten_by_fill(self):
        handler, _ = router()
        case = full_case(ethnicity="畲族")
        verify_case(case, self.pb, client_with(handler))
        assert case.fields["ethnicity"].value == "畲族"

    def test_unknown_person(self):
        case = full_case()
        verify_case(case, self.pb, client_with(ok({"code": 404, "data": None}, 404)))
        fv = case.fields["applicant_name"]
        assert fv.status == "unverified" and "no record" in fv.source["problems"][0]
        assert "ethnicity" not in case.fields

    def test_outage_marks_unverified_or_stops(self):
        case = full_case()
        report = verify_case(case, self.pb, client_with(ok({}, 503)))
        assert report.failed and case.fields["birth_date"].status == "unverified"
        case = full_case()
        with pytest.raises(RegistryUnavailableError):
            verify_case(case, self.pb, client_with(ok({}, 503), on_outage="stop"))
        assert case.fields["applicant_name"].status == "unverified"   # updated before raising

    def test_no_lookup_with_an_invalid_id(self):
        handler, calls = router()
        case = full_case()
        case.fields["id_number"].status = "invalid"
        verify_case(case, self.pb, client_with(handler))
        assert calls == [] and case.fields["applicant_name"].status == "unverified"
        assert "no checked value for id_number" in case.fields["applicant_name"].source["problems"][0]


def test_logs_hold_no_personal_data(caplog):
    import logging
    caplog.set_level(logging.DEBUG, logger="deskhand.registry")
    client_with(ok()).lookup("city.person", {"id_number": ID})
    client_with(ok({"code": 401, "message": f"签名错误 {ID}"}, 401)).lookup("city.person", {"id_number": ID})
    text = caplog.text
    assert "city.person" in text and "3508**********1236" in text
    assert ID not in text and "傅赟" not in text and SECRET not in text


def test_the_example_for_it_is_valid():
    from pathlib import Path

    from app.registry.settings import load_registry_settings
    s = load_registry_settings(Path(__file__).parents[1] / "installer/presets/registries.example.yaml")
    reg, ep = s.endpoint("city.estate")
    assert reg.auth.scheme == "hmac-sm3" and ep.method == "POST" and ep.json == {"zjhm": "{id_number}"}
    assert s.endpoint("licences.business")[0].client_cert is not None
