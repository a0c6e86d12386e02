"""Gateways as settings (issue 10): described signatures, answer envelopes, several
records, code lists. The logic on httpx.MockTransport and fixed clocks here; the same
client against three real sandbox gateways in tests/test_gateways_e2e.py."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json

import httpx
import pytest

from app.cases import Case, FieldValue
from app.errors import (RegistryAuthError, RegistryBusyError, RegistryConfigError,
                        RegistryReplayError, RegistryRequestRefusedError, RegistryResponseError,
                        RegistryServiceError)
from app.registry.client import RegistryClient
from app.registry.dictionaries import shipped
from app.registry.settings import parse_registry_settings
from app.registry.signer import sign_request
from app.registry.verify import verify_case
from playbooks.loader import load_playbook_text

SECRET = "s3cr3t-密钥"
ID = "350802199003071036"


def settings(**over):
    reg = {
        "base_url": "https://gw.example.gov.cn/share", "timeout_s": 2, "retries": 2, "backoff_s": 0.01,
        "auth": {"scheme": "signed", "credential": "registry.prov.secret", "key_id": "APP-1",
                 "sign": {"string": "{method}\n{path}\n{body_hash}\n{timestamp}\n{nonce}",
                          "mac": "hmac-sha256", "encoding": "base64", "timestamp": "ms",
                          "nonce": "uuid",
                          "headers": {"X-Ca-Key": "{key_id}", "X-Ca-Timestamp": "{timestamp}",
                                      "X-Ca-Nonce": "{nonce}", "X-Ca-Signature": "{signature}",
                                      "X-Ca-Signature-Method": "HmacSHA256"}}},
        "answer": {"success": {"path": "code", "is": ["0000"]}, "message": "msg",
                   "records": "data.list",
                   "codes": {"not_found": ["2001"], "signature": ["1001"], "replay": ["1002"],
                             "busy": ["1003"], "unknown_service": ["1004"],
                             "bad_request": ["1005"]}},
        "endpoints": {"person": {
            "method": "POST", "path": "/api/v2/query",
            "json": {"serviceCode": "GA-RK-001", "params": {"sfzh": "{id_number}"}},
            "choose": "newest", "newest_by": "djrq",
            "map": {"applicant_name": "xm", "gender": {"path": "xb", "dictionary": "sex"},
                    "marital_status": {"path": "hyzk", "dictionary": "marital_status"},
                    "total": "$.data.total"}}},
    }
    reg.update(over)
    return parse_registry_settings({"version": 1, "registries": {"prov": reg}})


def client_for(handler, s=None):
    seen = []

    def wrapped(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)
    return RegistryClient(s or settings(), secrets=lambda n: SECRET,
                          transport=httpx.MockTransport(wrapped), sleep=lambda t: None), seen


def ok(records, total=None):
    return httpx.Response(200, json={"code": "0000", "msg": "成功",
                                     "data": {"total": total or len(records), "list": records}})


# -- settings -------------------------------------------------------------------------
@pytest.mark.parametrize("change, where", [
    ({"auth": {"scheme": "signed", "credential": "c", "key_id": "k",
               "sign": {"string": "{method}{nonse}", "headers": {"S": "{signature}"}}}},
     "registries.prov.auth.sign.string: {nonse} is not known here"),
    ({"auth": {"scheme": "signed", "credential": "c", "key_id": "k",
               "sign": {"string": "{method}", "mac": "md5", "headers": {"S": "{signature}"}}}},
     "registries.prov.auth.sign.string: a plain md5 digest is no signature without the secret"),
    ({"auth": {"scheme": "signed", "credential": "c", "key_id": "k",
               "sign": {"string": "{method}", "headers": {"X-Key": "{key_id}"}}}},
     "registries.prov.auth.sign.headers: no header or parameter carries {signature}"),
    ({"auth": {"scheme": "signed", "credential": "c",
               "sign": {"string": "{key_id}", "headers": {"S": "{signature}"}}}},
     "registries.prov.auth.key_id: the signature uses {key_id}"),
    ({"auth": {"scheme": "signed", "credential": "c", "key_id": "k",
               "sign": {"string": "{method}", "encoding": "b64", "headers": {"S": "{signature}"}}}},
     "registries.prov.auth.sign.encoding: must be one of hex, HEX, base64"),
    ({"answer": {"codes": {"busy": ["1003"]}}}, "registries.prov.answer.codes: codes need success"),
    ({"answer": {"success": {"path": "code", "is": ["0"]}, "codes": {"bussy": ["1"]}}},
     "registries.prov.answer.codes: unknown key 'bussy'"),
    ({"endpoints": {"person": {"path": "/p", "choose": "newest", "map": {"a": "b"}}}},
     "registries.prov.endpoints.person.newest_by: choose: newest needs the date"),
    ({"endpoints": {"person": {"path": "/p", "map": {"a": {"path": "b", "dictionary": "sexx"}}}}},
     "registries.prov.endpoints.person.map.a.dictionary: there is no dictionary 'sexx'"),
])
def test_every_settings_problem_says_where_it_is(change, where):
    with pytest.raises(RegistryConfigError) as caught:
        settings(**change)
    assert where in caught.value.message, caught.value.message


def test_it_may_add_code_lists_but_not_replace_the_shipped_ones():
    s = parse_registry_settings({"version": 1, "dictionaries": {
        "city_marital": {"codes": {"1": "未婚", "2": "已婚", "21": {"label": "初婚", "parent": "2"}}}},
        "registries": {}})
    assert s.dictionaries["city_marital"].decode(21).for_field(["未婚", "已婚"]) == "已婚"
    with pytest.raises(RegistryConfigError, match="dictionaries.sex: 'sex' is a dictionary"):
        parse_registry_settings({"version": 1, "dictionaries": {"sex": {"codes": {"M": "男"}}},
                                 "registries": {}})
    with pytest.raises(RegistryConfigError, match=r"codes.21.parent: names the code 9"):
        parse_registry_settings({"version": 1, "dictionaries": {
            "x": {"codes": {"21": {"label": "初婚", "parent": "9"}}}}, "registries": {}})


# -- signing ----------------------------------------------------------------------------
def test_hmac_sha256_base64_over_the_described_string():
    spec = settings().registries["prov"].auth.sign
    body = json.dumps({"a": "张"}, ensure_ascii=False, separators=(",", ":")).encode()
    s = sign_request(spec, key_id="APP-1", secret=SECRET, method="post", path="/share/api",
                     query=[], body=body, now=1_700_000_000.123, nonce="n-1")
    want_string = f"POST\n/share/api\n{hashlib.sha256(body).hexdigest()}\n1700000000123\nn-1"
    assert s.string == want_string
    mac = base64.b64encode(hmac.new(SECRET.encode(), want_string.encode(), hashlib.sha256).digest())
    assert s.signature == mac.decode() and s.headers["X-Ca-Signature"] == mac.decode()
    assert s.headers["X-Ca-Key"] == "APP-1" and s.headers["X-Ca-Signature-Method"] == "HmacSHA256"


def test_a_plain_md5_over_the_sorted_query_with_the_secret_in_the_url():
    spec = settings(auth={"scheme": "signed", "credential": "c", "key_id": "K9",
                          "sign": {"string": "{query}&secret={secret}", "mac": "md5",
                                   "encoding": "HEX", "timestamp": "s", "nonce": "hex16",
                                   "params": {"appKey": "{key_id}", "timestamp": "{timestamp}",
                                              "nonce": "{nonce}", "sign": "{signature}"}}}
                    ).registries["prov"].auth.sign
    s = sign_request(spec, key_id="K9", secret=SECRET, method="GET", path="/p",
                     query=[("sfzh", ID), ("a", "1")], body=b"", now=1_700_000_000.9, nonce="ab12")
    want = f"a=1&appKey=K9&nonce=ab12&sfzh={ID}&timestamp=1700000000&secret={SECRET}"
    assert s.string == want
    assert s.signature == hashlib.md5(want.encode()).hexdigest().upper()
    assert s.params == [("appKey", "K9"), ("timestamp", "1700000000"), ("nonce", "ab12"),
                        ("sign", s.signature)]


def test_hmac_sm3_hex_matches_an_independent_sm3():
    spec = settings(auth={"scheme": "signed", "credential": "c", "key_id": "k",
                          "sign": {"string": "{method}&{path}&{timestamp}&{nonce}&{body_hash}",
                                   "mac": "hmac-sm3", "body_hash": "sm3",
                                   "headers": {"x-gw-sign": "{signature}"}}}).registries["prov"].auth.sign
    s = sign_request(spec, key_id="k", secret=SECRET, method="POST", path="/m", query=[],
                     body=b"{}", now=1_700_000_000, nonce="n")
    body_sm3 = hashlib.new("sm3", b"{}").hexdigest()
    assert s.string == f"POST&/m&1700000000&n&{body_sm3}"
    assert s.signature == hmac.new(SECRET.encode(), s.string.encode(), "sm3").hexdigest()


# -- answers ----------------------------------------------------------------------------
def test_the_signed_request_is_what_was_sent_and_the_newest_record_is_read():
    records = [{"xm": "张伟", "xb": "1", "hyzk": "21", "djrq": "2012-05-01"},
               {"xm": "张伟", "xb": "1", "hyzk": "40", "djrq": "20190301"}]
    with client_for(lambda r: ok(records))[0] as c:
        a = c.lookup("prov.person", {"id_number": ID})
    assert a.status == "found" and a.records == 2 and a.chosen == 1
    assert a.values == {"applicant_name": "张伟", "gender": "男性", "marital_status": "离婚",
                        "total": "2"}
    assert a.coded["marital_status"].code == "40" and a.coded["gender"].matches("男")


def test_the_body_sent_is_the_body_signed():
    c, seen = client_for(lambda r: ok([{"xm": "张伟", "djrq": "2020-01-01"}]))
    with c:
        c.lookup("prov.person", {"id_number": ID})
    req = seen[0]
    assert req.content == json.dumps({"serviceCode": "GA-RK-001", "params": {"sfzh": ID}},
                                     separators=(",", ":")).encode()
    string = "\n".join(["POST", "/share/api/v2/query", hashlib.sha256(req.content).hexdigest(),
                        req.headers["X-Ca-Timestamp"], req.headers["X-Ca-Nonce"]])
    mac = base64.b64encode(hmac.new(SECRET.encode(), string.encode(), hashlib.sha256).digest())
    assert req.headers["X-Ca-Signature"] == mac.decode()
    assert len(req.headers["X-Ca-Timestamp"]) == 13        # milliseconds


@pytest.mark.parametrize("code, error, said", [
    ("1001", RegistryAuthError, "refused Deskhand's signature (code 1001: 签名错误)"),
    ("1002", RegistryReplayError, "took the request for a replay (code 1002: 签名错误)"),
    ("1004", RegistryServiceError, "does not know the service"),
    ("1005", RegistryRequestRefusedError, "refused the values sent"),
    ("9999", RegistryResponseError, "answered prov.person with code 9999: 签名错误"),
])
def test_each_refusal_has_its_own_sentence_with_the_gateways_message(code, error, said):
    with client_for(lambda r: httpx.Response(200, json={"code": code, "msg": "签名错误"}))[0] as c:
        a = c.lookup("prov.person", {"id_number": ID})
    assert a.status == "failed" and type(a.error) is error and said in a.error.message


def test_busy_is_retried_within_the_timeout_then_succeeds():
    answers = iter([httpx.Response(200, json={"code": "1003", "msg": "系统繁忙"})] * 2
                   + [ok([{"xm": "张伟", "djrq": "2020-01-01"}])])
    c, seen = client_for(lambda r: next(answers))
    with c:
        a = c.lookup("prov.person", {"id_number": ID})
    assert a.status == "found" and len(seen) == 3 and a.attempts == 3
    assert len({r.headers["X-Ca-Nonce"] for r in seen}) == 3     # a fresh nonce each time


def test_busy_for_ever_is_a_busy_sentence():
    c, seen = client_for(lambda r: httpx.Response(200, json={"code": "1003", "msg": "系统繁忙"}))
    with c:
        a = c.lookup("prov.person", {"id_number": ID})
    assert type(a.error) is RegistryBusyError and "系统繁忙" in a.error.message and len(seen) == 3


def test_no_record_by_code_and_by_an_empty_list():
    for answer in (httpx.Response(200, json={"code": "2001", "msg": "查无数据"}), ok([])):
        with client_for(lambda r, a=answer: a)[0] as c:
            assert c.lookup("prov.person", {"id_number": ID}).status == "not_found"


def test_a_code_no_list_has_is_reported_not_guessed():
    with client_for(lambda r: ok([{"xm": "张伟", "xb": "7", "hyzk": "20", "djrq": "2020-1-1"}]))[0] as c:
        a = c.lookup("prov.person", {"id_number": ID})
    assert a.undecoded == {"gender": "7"} and a.values["gender"] is None


def test_several_records_without_a_rule_compare_nothing():
    s = settings(endpoints={"person": {"path": "/p", "records": "data.list", "map": {"xm": "xm"}}})
    with client_for(lambda r: ok([{"xm": "甲"}, {"xm": "乙"}]), s)[0] as c:
        a = c.lookup("prov.person", {"id_number": ID})
    assert a.status == "failed" and "2 records where one was expected" in a.error.message


def test_match_takes_the_record_with_the_requests_value():
    s = settings(endpoints={"person": {"path": "/p/{id_number}", "records": "data.list",
                                       "choose": "match", "match": {"sfzh": "id_number"},
                                       "map": {"xm": "xm"}}})
    records = [{"sfzh": "350802199003071044", "xm": "甲"}, {"sfzh": ID, "xm": "乙"}]
    with client_for(lambda r: ok(records), s)[0] as c:
        a = c.lookup("prov.person", {"id_number": ID})
    assert a.values == {"xm": "乙"} and a.chosen == 1


# -- verification with codes -----------------------------------------------------------
PLAYBOOK = """
deskhand: 1
id: marriage-test
name: 婚姻核验
target: {title: "城市审批系统*"}
fields:
  - {name: applicant_name, label: 姓名}
  - {name: gender, label: 性别, type: choice, choices: [男, 女]}
  - {name: marital_status, label: 婚姻状况, type: choice, choices: [未婚, 已婚, 离婚, 丧偶], required: false}
verify:
  - lookup: prov.person
    with: {id_number: id_number}
    confirm: {applicant_name: exact, gender: exact}
    fill: {marital_status: marital_status}
fill:
  - type: applicant_name
"""


def test_a_sub_code_confirms_and_fills_the_forms_word():
    pb = load_playbook_text(PLAYBOOK.replace("    with: {id_number: id_number}\n", ""), "m.yaml")
    case = Case("c", "marriage-test", {"applicant_name": FieldValue("张伟"),
                                       "gender": FieldValue("男"),
                                       "id_number": FieldValue(ID)})
    with client_for(lambda r: ok([{"xm": "张伟", "xb": "1", "hyzk": "22", "djrq": "2020-1-1"}]))[0] as c:
        verify_case(case, pb, c)
    assert case.fields["gender"].status == "ok"
    assert case.fields["gender"].source["registry"]["result"] == "confirmed"
    assert case.fields["gender"].source["registry"]["code"] == "1"
    filled = case.fields["marital_status"]
    assert filled.value == "已婚" and filled.source["registry"]["code"] == "22"


def test_shipped_code_lists():
    d = shipped()
    assert d["ethnicity"].decode("22").label == "畲族" and d["ethnicity"].decode(1).matches("汉")
    assert d["marital_status"].decode("23").words == ("复婚", "已婚")
    assert d["sex"].decode("2").for_field(["男", "女"]) == "女"
    assert len([c for c in d["ethnicity"].entries if c.isdigit() and int(c) <= 56]) == 56


def test_empty_parameters_can_be_left_out_of_what_is_signed():
    def spec(skip):
        return settings(auth={"scheme": "signed", "credential": "c", "key_id": "K",
                              "sign": {"string": "{query}&secret={secret}", "mac": "md5",
                                       "skip_empty": skip, "params": {"sign": "{signature}"}}}
                        ).registries["prov"].auth.sign
    kw = dict(key_id="K", secret="x", method="GET", path="/p", query=[("b", ""), ("a", "1")],
              body=b"", now=1, nonce="n")
    assert sign_request(spec(True), **kw).string == "a=1&secret=x"
    assert sign_request(spec(False), **kw).string == "a=1&b=&secret=x"


def test_a_server_error_is_retried_whatever_its_body_says():
    answers = iter([httpx.Response(502, json={"status": 502, "message": "Bad Gateway"}),
                    httpx.Response(503, text="<html>nginx</html>"),
                    ok([{"xm": "张伟", "djrq": "2020-01-01"}])])
    c, seen = client_for(lambda r: next(answers))
    with c:
        a = c.lookup("prov.person", {"id_number": ID})
    assert a.status == "found" and len(seen) == 3


def test_retry_after_is_honoured_within_the_budget():
    pauses = []
    answers = iter([httpx.Response(429, headers={"Retry-After": "1"},
                                   json={"code": "1003", "msg": "限流"}),
                    ok([{"xm": "张伟", "djrq": "2020-01-01"}])])
    s = settings()
    c = RegistryClient(s, secrets=lambda n: SECRET, sleep=pauses.append,
                       transport=httpx.MockTransport(lambda r: next(answers)))
    with c:
        assert c.lookup("prov.person", {"id_number": ID}).status == "found"
    assert pauses == [1.0]


def test_records_sent_as_json_inside_a_string_are_read():
    inner = json.dumps({"total": 1, "list": [{"xm": "张伟", "xb": "2", "djrq": "2020-01-01"}]},
                       ensure_ascii=False)
    with client_for(lambda r: httpx.Response(200, json={"code": "0000", "msg": "ok",
                                                        "data": inner}))[0] as c:
        a = c.lookup("prov.person", {"id_number": ID})
    assert a.status == "found" and a.values["gender"] == "女性" and a.values["total"] == "1"


@pytest.mark.parametrize("kind, want", [
    ("s", "1700000000"), ("ms", "1700000000250"), ("rfc1123", "Tue, 14 Nov 2023 22:13:20 GMT")])
def test_timestamp_forms(kind, want):
    from app.registry.signer import timestamp
    assert timestamp(kind, 1_700_000_000.25) == want
    assert len(timestamp("yyyymmddhhmmss", 1_700_000_000)) == 14
    assert timestamp("iso", 1_700_000_000)[:4] == "2023"
