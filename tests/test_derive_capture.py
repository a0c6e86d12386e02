"""Transforms and derived address parts through a real capture: rendered portal pages
read by the real OCR engine (in-process and through `deskhand capture`), then the fill's
plan from the case file (`deskhand fill --dry-run`): parts right for every province the
sample people live in, codes cleaned, parts recomputed when a case file lacks them, and a
required part the address does not settle refused with its reason."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("rapidocr_onnxruntime", reason="the default OCR engine is not installed")

from app.capture.read import read_source  # noqa: E402
from app.checks.normalize import halfwidth_alnum  # noqa: E402
from app.ocr import open_engine  # noqa: E402
from app.sandbox.people import Person, make_person  # noqa: E402
from app.sandbox.sources import render_portal_page  # noqa: E402
from playbooks.loader import load_playbook_text  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
MARITAL = {"未婚": "10", "已婚": "20", "离异": "40", "丧偶": "30"}

PLAYBOOK = """deskhand: 1
id: portal-address-parts
name: 办件详情 → 地址分项
source:
  kind: image
  size: [1920, 1080]
  regions:
    - {x: 590, y: 240, width: 990, height: 770}
target: {title: "城市审批系统 - 受理登记*"}
fields:
  - {name: applicant_name, label: 姓名}
  - {name: id_number, label: 公民身份号码, type: id_number}
  - {name: ethnicity, label: 民族, transform: [{to_code: ethnicity}]}
  - {name: marital_status, label: 婚姻状况, transform: [{to_code: marital_status}]}
  - {name: apply_date, label: 申请日期, transform: [{date: "%Y年%m月%d日"}]}
  - {name: phone, label: 联系电话, transform: [digits]}
  - {name: gender, label: 性别, type: choice, choices: [男, 女]}
  - {name: birth_date, label: 出生日期, type: date}
  - {name: postcode, label: 邮政编码, transform: [digits]}
  - {name: employer, label: 工作单位, required: false}
  - {name: credit_code, label: 统一社会信用代码, type: credit_code, required: false}
  - {name: email, label: 电子邮箱, required: false}
  - name: address
    label: 住址
    read: {anchor: [户籍地址, 住址, 户籍所在地], lines: 2}
  - {name: province, label: 省, derive: {from: address, part: province}}
  - {name: city, label: 市, derive: {from: address, part: city}}
  - {name: district, label: 区县, derive: {from: address, part: district}}
  - {name: province_code, derive: {from: address, part: province_code}}
  - {name: city_code, derive: {from: address, part: city_code}}
  - {name: district_code, label: 行政区划代码, derive: {from: address, part: district_code}}
  - {name: town, label: 乡镇街道, derive: {from: address, part: town}}
  - {name: rest, label: 详细地址, derive: {from: address, part: rest}}
fill:
  - type: applicant_name
  - type: ethnicity
  - type: marital_status
  - type: apply_date
  - type: phone
  - type: province
  - type: city
  - type: district
  - type: district_code
  - type: town
  - type: rest
"""
PARTS = ("province", "city", "district", "province_code", "city_code", "district_code",
         "town", "rest")
FREE = {"town": "unchecked", "rest": "unchecked"}
# seeds whose applicants live in: 长汀县 (full-width digits), 漳平市 (a county-level city),
# 沈阳 和平区 (太原街街道), 上海 浦东新区 and 北京 朝阳区 (直辖市), 银川 兴庆区, 南宁 兴宁区
SEEDS = (0, 9, 11, 23, 59, 67, 72)


def expected_parts(person: Person) -> dict[str, str]:
    a = person.area
    address = halfwidth_alnum(person.address)
    head = a.province + ("" if a.city == a.province else a.city) + a.district
    town = next(t for t in a.towns if address[len(head):].startswith(t))
    city_code = a.code[:2] + "0100" if a.city == a.province else a.code[:4] + "00"
    return {"province": a.province, "city": a.city, "district": a.district,
            "province_code": a.code[:2] + "0000", "city_code": city_code,
            "district_code": a.code, "town": town, "rest": address[len(head) + len(town):]}


def deskhand(*args: str, env=None):
    return subprocess.run([sys.executable, "-m", "app.cli", *args], capture_output=True,
                          text=True, timeout=180, env=env, cwd=ROOT)


@pytest.fixture(scope="module")
def engine():
    e = open_engine("rapidocr")
    e.load()
    return e


@pytest.fixture(scope="module")
def playbook():
    return load_playbook_text(PLAYBOOK, "portal-address-parts.yaml")


@pytest.mark.parametrize("seed", SEEDS)
def test_address_parts_and_cleaned_codes_from_a_rendered_portal_page(engine, playbook, seed):
    person = make_person(seed)
    src = render_portal_page(person, seed=seed)
    fields = read_source(playbook, src.image, engine).case.fields
    assert halfwidth_alnum(fields["address"].value) == halfwidth_alnum(person.address)
    got = {p: fields[p].value for p in PARTS}
    assert got == expected_parts(person)
    # the GB/T 2260 table checks province, city and district; the town and the rest are free text
    assert {p: fields[p].status for p in PARTS} == {p: FREE.get(p, "ok") for p in PARTS}
    # the ID number (issued where the applicant lives) agrees with the district
    assert "agrees" in fields["district_code"].source["warnings"][0]
    truth = src.truth
    assert fields["ethnicity"].value == {"汉族": "01", "畲族": "22", "回族": "03", "壮族": "08",
                                         "满族": "11", "苗族": "06"}[truth["ethnicity"]]
    assert fields["marital_status"].value == MARITAL[truth["marital_status"]]
    y, m, d = truth["apply_date"].split("-")
    assert fields["apply_date"].value == f"{y}年{m}月{d}日"
    assert fields["phone"].value == "".join(c for c in truth["phone"] if c.isdigit())
    assert fields["apply_date"].source["transform"] == {"from": truth["apply_date"],
                                                        "to": fields["apply_date"].value}


def test_capture_and_fill_plan_through_the_command_line(tmp_path):
    pb = tmp_path / "portal-address-parts.yaml"
    pb.write_text(PLAYBOOK, encoding="utf-8")
    person = make_person(23)                                  # 上海市浦东新区
    render_portal_page(person, seed=23).image.save(tmp_path / "page.png")
    case = tmp_path / "case.json"
    r = deskhand("capture", str(pb), "--image", str(tmp_path / "page.png"), "--offline",
                 "--json", "-o", str(case))
    assert r.returncode == 0, r.stderr
    statuses = {f["field"]: f["status"] for f in json.loads(r.stdout)["fields"]}
    assert {p: statuses[p] for p in PARTS} == {p: FREE.get(p, "ok") for p in PARTS}
    want = expected_parts(person)
    saved = json.loads(case.read_text(encoding="utf-8"))["fields"]
    assert {p: saved[p]["value"] for p in PARTS} == want
    assert saved["district"]["source"]["kind"] == "derived"

    def planned(*extra: str) -> tuple[int, dict[str, str], dict]:
        r = deskhand("fill", str(pb), "--case", str(case), "--dry-run", "--json", *extra)
        doc = json.loads(r.stdout) if r.stdout else {}
        return r.returncode, {f["field"]: f["text"] for f in doc.get("fields", [])}, \
            {"stderr": r.stderr, **doc}

    code, typed, doc = planned()
    assert code == 0, doc
    assert {p: typed[p] for p in ("province", "city", "district", "district_code", "town",
                                  "rest")} == {p: want[p] for p in ("province", "city",
                                                                    "district", "district_code",
                                                                    "town", "rest")}
    # a case file without the parts (written by another tool): computed at fill time
    stripped = json.loads(case.read_text(encoding="utf-8"))
    for p in PARTS:
        del stripped["fields"][p]
    case.write_text(json.dumps(stripped, ensure_ascii=False), encoding="utf-8")
    code, typed, doc = planned()
    assert code == 0 and typed["district_code"] == "310115" and typed["town"] == want["town"]
    # another address given on the command line: the parts follow it; one that names a
    # county two cities of Jiangsu have is refused, with the candidates, nothing typed
    code, typed, doc = planned("--set", "address=福建龙岩新罗区东城街道九一北路12号")
    assert code == 0 and (typed["province"], typed["district_code"]) == ("福建省", "350802")
    code, typed, doc = planned("--set", "address=江苏省鼓楼区中山路1号")
    assert code == 2, doc
    assert "市" in doc["stderr"] and "南京市鼓楼区" in doc["stderr"] \
        and "徐州市鼓楼区" in doc["stderr"]
    # and a real fill (no display needed: refused before any window is touched)
    r = deskhand("fill", str(pb), "--case", str(case), "--set", "address=江苏省鼓楼区中山路1号",
                 "--yes")
    assert r.returncode == 2 and "徐州市鼓楼区" in r.stderr and "Traceback" not in r.stderr
