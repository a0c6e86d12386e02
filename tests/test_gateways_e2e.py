"""Issue 10 end to end: the real command line, configured by the three sandbox gateways'
settings files only (app/sandbox/gateways/settings), their secrets in a real Secret Service,
each gateway a real process on loopback with its own signature, envelope and codes.

- `deskhand capture` of a rendered portal page flags exactly the gateway's deliberate
  differences for that person as `mismatch`, and nothing on a person without one;
- a code with sub-codes (GB/T 2261.2 23 复婚) fills the form's 已婚;
- every fault gets its own sentence with the gateway's own message, keeps the case, and
  holds the clerk no longer than the registry's timeout;
- `deskhand registry test` shows the signed string (never the secret) and decoded codes.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from app.checks.normalize import halfwidth_alnum
from app.sandbox.gateways.differences import deliberate_differences
from app.sandbox.gateways.facts import PORTAL_SEED, truth
from app.sandbox.people import make_person
from app.sandbox.sources import render_id_card, render_portal_page
from registry_server import RegistryServer

pytestmark = pytest.mark.timeout(600)

ROOT = Path(__file__).resolve().parent.parent
PROFILES = ("prov", "city", "ministry")
# (a person with a deliberate difference, one without) per gateway
SEEDS = {"prov": (5, 3), "city": (6, 3), "ministry": (12, 4)}
MARITAL = {"prov": "person", "city": "person", "ministry": "marriage"}
THIRD = {"prov": "  - {lookup: prov.licence, confirm: {employer: exact}}\n",
         "city": "  - {lookup: city.insurance, confirm: {employer: exact}}\n", "ministry": ""}

PORTAL_PLAYBOOK = """\
deskhand: 1
id: portal-{profile}
name: 办件详情核验（{profile}）
department: 测试
source:
  kind: image
  size: [1920, 1080]
  regions:
    - {{x: 590, y: 240, width: 990, height: 770}}
target: {{title: "城市审批系统 - 受理登记*"}}
fields:
  - {{name: applicant_name, label: 姓名}}
  - {{name: gender, label: 性别, type: choice, choices: [男, 女]}}
  - {{name: ethnicity, label: 民族}}
  - {{name: birth_date, label: 出生日期, type: date}}
  - {{name: id_number, label: 公民身份号码, type: id_number}}
  - name: address
    label: 住址
    read: {{anchor: [户籍地址, 住址, 户籍所在地], lines: 2}}
  - {{name: employer, label: 工作单位}}
  - {{name: credit_code, label: 统一社会信用代码, type: credit_code}}
  - {{name: marital_status, label: 婚姻状况, type: choice, choices: [未婚, 已婚, 离异, 丧偶]}}
  # the page's other labelled values, declared so that none is taken for another's value
  - {{name: phone, label: 联系电话, type: phone}}
  - {{name: postcode, label: 邮政编码}}
  - {{name: email, label: 电子邮箱, required: false}}
verify:
  - {{lookup: {profile}.person, confirm: {{applicant_name: exact, gender: exact, ethnicity: exact,
                                       birth_date: date, address: fuzzy}}}}
  - {{lookup: {profile}.{marital}, confirm: {{marital_status: exact}}}}
{third}fill:
  - type: applicant_name
"""

IDCARD_PLAYBOOK = """\
deskhand: 1
id: idcard-marital
name: 身份证 + 婚姻状况（省共享平台）
department: 测试
source: {kind: idcard}
target: {title: "城市审批系统 - 受理登记*"}
fields:
  - {name: applicant_name, label: 姓名}
  - {name: gender, label: 性别, type: choice, choices: [男, 女]}
  - {name: ethnicity, label: 民族}
  - {name: birth_date, label: 出生日期, type: date}
  - {name: id_number, label: 公民身份号码, type: id_number}
  - {name: address, label: 住址}
  - {name: marital_status, label: 婚姻状况, type: choice, choices: [未婚, 已婚, 离异, 丧偶], read: clerk}
verify:
  - lookup: prov.person
    confirm: {applicant_name: exact, gender: exact, ethnicity: exact, birth_date: date}
    fill: {marital_status: marital_status}
fill:
  - type: applicant_name
  - choose: {field: marital_status, options: {未婚: [home], 已婚: [down], 离异: [down, down], 丧偶: [end]}}
"""


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from secret_service import SecretService, require_tools
    require_tools()
    tmp = tmp_path_factory.mktemp("gateways")
    with SecretService(tmp / "keyring") as keyring:
        env = {**os.environ, **keyring.overlay, "DESKHAND_LANG": "en",
               "XDG_CONFIG_HOME": str(tmp / "config"), "XDG_DATA_HOME": str(tmp / "data"),
               "XDG_STATE_HOME": str(tmp / "state"), "XDG_CACHE_HOME": str(tmp / "cache")}
        env.pop("DESKHAND_REGISTRIES", None)
        servers = {}
        merged: dict = {"version": 1, "on_outage": "unverified", "dictionaries": {}, "registries": {}}
        try:
            for profile in PROFILES:
                out = tmp / f"{profile}.yaml"
                server = RegistryServer(tmp / profile, profile=profile, people=40,
                                        extra_args=["--write-settings", str(out)]).start()
                servers[profile] = server
                doc = yaml.safe_load(out.read_text(encoding="utf-8"))   # IT's file, as written
                merged["registries"].update(doc["registries"])
                merged["dictionaries"].update(doc.get("dictionaries") or {})
                credential = doc["registries"][profile]["auth"]["credential"]
                r = subprocess.run([sys.executable, "-m", "app.cli", "vault", "set", credential],
                                   input=server.secret.decode() + "\n", env=env, cwd=ROOT,
                                   capture_output=True, text=True, timeout=60)
                assert r.returncode == 0, r.stderr
            settings = tmp / "registries.yaml"
            settings.write_text(yaml.safe_dump(merged, allow_unicode=True), encoding="utf-8")
            yield {"env": env, "tmp": tmp, "servers": servers, "settings": settings}
        finally:
            for server in servers.values():
                server.stop()


def deskhand(world, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app.cli", *args], env=world["env"], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)


def portal_png(world, seed: int) -> Path:
    path = world["tmp"] / f"portal-{seed}.png"
    if not path.exists():
        render_portal_page(make_person(seed), seed=PORTAL_SEED).image.save(path)
    return path


def playbook(world, profile: str) -> Path:
    path = world["tmp"] / f"portal-{profile}.yaml"
    path.write_text(PORTAL_PLAYBOOK.format(profile=profile, marital=MARITAL[profile],
                                           third=THIRD[profile]), encoding="utf-8")
    return path


@pytest.mark.parametrize("profile", PROFILES)
def test_capture_flags_the_deliberate_differences_and_nothing_else(world, profile):
    declared = deliberate_differences(profile)
    for seed in SEEDS[profile]:
        case = world["tmp"] / f"{profile}-{seed}.json"
        r = deskhand(world, "capture", str(playbook(world, profile)), "--image",
                     str(portal_png(world, seed)), "--registries", str(world["settings"]),
                     "--json", "-o", str(case))
        doc = json.loads(r.stdout)
        statuses = {f["field"]: f["status"] for f in doc["fields"]}
        mismatched = {n for n, st in statuses.items() if st == "mismatch"}
        assert mismatched == set(declared.get(seed, {})), (profile, seed, doc["fields"])
        assert set(statuses.values()) <= {"ok", "corrected", "mismatch", "unchecked"}, statuses
        # free text no registry holds exactly (an address only like the registry's) stays
        # unchecked; what a registry confirmed exactly is ok
        assert {n for n, st in statuses.items() if st == "unchecked"} <= {
            "address", "employer", "postcode", "email"}, statuses
        assert r.returncode == (1 if mismatched else 0), r.stderr
        saved = json.loads(case.read_text(encoding="utf-8"))
        for name in mismatched:   # both values kept: the source's and the registry's
            f = saved["fields"][name]
            source_value, registry_value = declared[seed][name]
            assert f["value"] == halfwidth_alnum(source_value)   # as OCR reads a page
            assert f["source"]["registry"]["value"] in (registry_value, "离异")
        confirmed = {n for n, f in saved["fields"].items()
                     if (f["source"].get("registry") or {}).get("result") == "confirmed"}
        assert {"applicant_name", "gender", "ethnicity", "birth_date"} - mismatched <= confirmed


def test_a_sub_code_of_married_fills_the_forms_word(world):
    seed = 5                                     # prov holds 23 复婚 for this person
    card = world["tmp"] / "card-5.png"
    render_id_card(make_person(seed), seed=seed).image.save(card)
    pb = world["tmp"] / "idcard-marital.yaml"
    pb.write_text(IDCARD_PLAYBOOK, encoding="utf-8")
    case = world["tmp"] / "card-5.json"
    r = deskhand(world, "capture", str(pb), "--image", str(card), "--registries",
                 str(world["settings"]), "--json", "-o", str(case))
    assert r.returncode == 0, r.stdout + r.stderr
    filled = json.loads(case.read_text(encoding="utf-8"))["fields"]["marital_status"]
    assert filled["value"] == "已婚" and filled["status"] == "ok"
    assert filled["source"]["registry"] == {"lookup": "prov.person", "value": "已婚",
                                            "result": "filled", "code": "23",
                                            "dictionary": "marital_status"}


# (fault, what the gateway itself says in its message, the kind of sentence)
FAULTS = {
    "prov": [("busy", "系统繁忙", "is busy"), ("sign", "签名", "refused Deskhand's signature"),
             ("replay", "", "took the request for a replay"),
             ("unknown", "", "does not know the service"), ("status=502", "", "server error"),
             ("drop", "", "cannot be reached|failed during"), ("garbage", "", "not JSON")],
    "city": [("busy", "", "is busy"), ("sign", "", "refused Deskhand's signature"),
             ("replay", "", "took the request for a replay"),
             ("unknown", "", "does not know the service"), ("status=502", "", "server error"),
             ("drop", "", "cannot be reached|failed during"), ("garbage", "", "not JSON")],
    "ministry": [("busy", "", "is busy"), ("sign", "", "refused Deskhand's signature"),
                 ("replay", "", "took the request for a replay"),
                 ("unknown", "", "does not know the service"), ("status=502", "", "server error"),
                 ("drop", "", "cannot be reached|failed during"), ("garbage", "", "not JSON")],
}


@pytest.mark.parametrize("profile", PROFILES)
def test_each_fault_has_its_own_sentence_with_the_gateways_message(world, profile):
    import re
    server = world["servers"][profile]
    try:
        for fault, gateway_said, sentence in FAULTS[profile]:
            server.set_faults(fault)
            t0 = time.monotonic()
            r = deskhand(world, "registry", "test", f"{profile}.person", "--registries",
                         str(world["settings"]), "--json")
            took = time.monotonic() - t0
            doc = json.loads(r.stdout)
            assert r.returncode in (2, 3) and doc["status"] == "failed", (fault, r.stdout)
            assert re.search(sentence, doc["error"]), (fault, doc["error"])
            if gateway_said:
                assert gateway_said in doc["error"], (fault, doc["error"])
            if fault not in ("drop", "garbage", "status=502"):   # the gateway's own words
                said = doc["envelope"]["message"]
                assert said and said in doc["error"], (fault, doc)
            assert took < 3.0 + 4.0, (fault, took)      # timeout_s 3, plus starting Python
    finally:
        server.clear_faults()


@pytest.mark.parametrize("profile", PROFILES)
def test_a_slow_gateway_holds_the_clerk_no_longer_than_the_timeout_and_keeps_the_case(world, profile):
    server = world["servers"][profile]
    seed = SEEDS[profile][1]
    case = world["tmp"] / f"slow-{profile}.json"
    server.set_faults("delay=10")
    try:
        r = deskhand(world, "capture", str(playbook(world, profile)), "--image",
                     str(portal_png(world, seed)), "--registries", str(world["settings"]),
                     "--json", "-o", str(case))
    finally:
        server.clear_faults()
    doc = json.loads(r.stdout)
    # the gateway answers after 10 s; the 3 s timeout cut it (the slack is a loaded
    # machine's: 3.44 s was seen at load 10 on 2 cores)
    assert r.returncode == 1 and doc["verify_s"] <= 3.0 + 1.0, doc["verify_s"]
    name = next(f for f in doc["fields"] if f["field"] == "applicant_name")
    assert name["status"] == "unverified" and "did not answer within 3 s" in name["problems"][0]
    saved = json.loads(case.read_text(encoding="utf-8"))
    assert saved["fields"]["id_number"]["value"] == truth(seed)["id_number"]


@pytest.mark.parametrize("profile", PROFILES)
def test_registry_test_shows_the_signed_string_never_the_secret(world, profile):
    seed = SEEDS[profile][1]
    r = deskhand(world, "registry", "test", f"{profile}.person", "--registries",
                 str(world["settings"]), "--with", f"id_number={truth(seed)['id_number']}")
    assert r.returncode == 0, r.stdout + r.stderr
    secret = world["servers"][profile].secret.decode()
    assert secret not in r.stdout and "String signed" in r.stdout
    assert truth(seed)["id_number"] not in r.stdout           # masked unless --unmasked
    assert "(code " in r.stdout and "Result: found" in r.stdout
    r = deskhand(world, "registry", "test", f"{profile}.person", "--registries",
                 str(world["settings"]), "--json", "--unmasked",
                 "--with", f"id_number={truth(seed)['id_number']}")
    doc = json.loads(r.stdout)
    assert doc["values"]["applicant_name"]["value"] == truth(seed)["applicant_name"]
    assert doc["values"]["gender"]["code"] and secret not in r.stdout


def test_a_refusal_reads_in_chinese_with_the_gateways_own_words(world):
    server = world["servers"]["prov"]
    server.set_faults("sign")
    try:
        r = subprocess.run([sys.executable, "-m", "app.cli", "registry", "test", "prov.person",
                            "--registries", str(world["settings"]), "--json"],
                           env={**world["env"], "DESKHAND_LANG": "zh_CN"}, cwd=ROOT,
                           capture_output=True, text=True, timeout=120)
    finally:
        server.clear_faults()
    doc = json.loads(r.stdout)
    said = doc["envelope"]["message"]
    assert r.returncode == 3 and said and doc["envelope"]["code"] == "1001"
    assert doc["error"].startswith("共享库“prov”拒绝了窗口助手的签名（代码 1001：") and said in doc["error"]
    assert "registry.prov.secret" in doc["error"]          # which credential IT should check
