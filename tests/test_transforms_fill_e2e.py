"""Transformed and derived values typed into the real sample Qt client on the test run's
own Xvfb display, judged by what the client holds: codes from a case file become the
words of the form's choices, an amount loses its separators, the address's county and
its code land in their own boxes."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.sandbox.xsession import XSession, missing_binaries

pytestmark = [pytest.mark.desktop, pytest.mark.timeout(300)]
if missing_binaries(("Xvfb", "openbox", "xdotool", "xclip")):
    pytest.skip("needs Xvfb, openbox, xdotool and xclip (bash installer/dev.sh setup)",
                allow_module_level=True)

from app.sandbox.targets import launch_qt_client  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent

# The sample client's 受理登记 form, its boxes given parts of the address: 住址 takes the
# rest, 工作单位 the county, 邮政编码 the county's code, 备注 an amount.
PLAYBOOK = """deskhand: 1
id: parts-into-qt
name: 地址分项 → 受理登记（示例）
target: {title: "城市审批系统 - 受理登记*"}
fields:
  - {name: applicant_name, label: 申请人姓名}
  - {name: gender, label: 性别, type: choice, choices: [男, 女], transform: [{code: sex}]}
  - {name: ethnicity, label: 民族, transform: [{code: ethnicity}]}
  - {name: birth_date, label: 出生日期, type: date, format: "%Y-%m-%d", transform: [{date: "%Y-%m-%d"}]}
  - {name: id_number, label: 公民身份号码, type: id_number, transform: [halfwidth, upper]}
  - {name: phone, label: 联系电话, type: phone}
  - {name: address, label: 住址}
  - {name: rest, label: 详细地址, derive: {from: address, part: rest}}
  - {name: district, label: 区县, derive: {from: address, part: district}}
  - {name: credit_code, label: 统一社会信用代码, type: credit_code, transform: [halfwidth, upper]}
  - name: matter
    label: 办理事项
    type: choice
    choices: [公积金提取, 道路运输从业资格证, 企业设立登记, 不动产登记]
  - {name: district_code, label: 区划代码, derive: {from: address, part: district_code}}
  - {name: amount, label: 金额, transform: [halfwidth, no_separators]}
fill:
  - type: applicant_name
  - key: tab
  - choose: {field: gender, options: {男: [space], 女: [right]}}
  - key: tab
  - type: ethnicity
  - key: tab
  - type: birth_date
  - key: tab
  - type: id_number
  - key: tab
  - type: phone
  - key: tab
  - type: rest
  - key: tab
  - type: district
  - key: tab
  - type: credit_code
  - key: tab
  - choose:
      field: matter
      options:
        公积金提取: [home, down]
        道路运输从业资格证: [home, down, down]
        企业设立登记: [home, down, down, down]
        不动产登记: [home, down, down, down, down]
  - key: tab
  - type: district_code
  - key: tab
  - key: tab
  - type: amount
"""

CASE = {   # as another system exports it: codes, a Chinese date, separators, full width
    "applicant_name": "张伟", "gender": "1", "ethnicity": "22", "birth_date": "1990年3月7日",
    "id_number": "35080219900307103x", "phone": "13905971234",
    "address": "福建龙岩新罗区东城街道九一北路１２号", "credit_code": "９１３５０８０２ma2y8xkq3w",
    "matter": "公积金提取", "amount": "８０，７００.７２",
}


def test_transformed_and_derived_values_are_what_the_client_holds(tmp_path):
    pb = tmp_path / "parts-into-qt.yaml"
    pb.write_text(PLAYBOOK, encoding="utf-8")
    case = tmp_path / "case.json"
    case.write_text(json.dumps(CASE, ensure_ascii=False), encoding="utf-8")
    with XSession() as session:
        client = launch_qt_client(session)
        client.activate()
        r = subprocess.run([sys.executable, "-m", "app.cli", "fill", str(pb), "--case", str(case),
                            "--yes", "--json", "--wait-focus", "5", "-o", str(tmp_path / "kept.json")],
                           env=session.env(), capture_output=True, text=True, timeout=120, cwd=ROOT)
        assert r.returncode == 0, r.stderr
        want = {"applicant_name": "张伟", "gender": "男", "ethnicity": "畲族",
                "birth_date": "1990-03-07", "id_number": "35080219900307103X",
                "phone": "13905971234", "address": "九一北路12号", "employer": "新罗区",
                "credit_code": "91350802MA2Y8XKQ3W", "matter": "公积金提取",
                "postcode": "350802", "email": "", "remarks": "80700.72"}
        state = client.wait_state(lambda s: s["fields"] == want, 5)
        assert state["fields"] == want
        client.close()
    kept = json.loads((tmp_path / "kept.json").read_text(encoding="utf-8"))["fields"]
    assert kept["district_code"]["source"]["kind"] == "derived"
    assert kept["gender"]["source"]["transform"] == {"from": "1", "to": "男"}
