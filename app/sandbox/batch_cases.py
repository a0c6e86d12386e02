"""Batches for the sample Qt client started with `--form batch` (tests, bench/batch.py):
the batch playbook and a workbook of synthetic applicants.

The playbook is the shipped sample-qt-intake with a `batch:` section added (so the two
never drift apart): Ctrl+N for an empty form, Tab + Space on 保存, 保存成功 to confirm,
and the client's 查询 box (Ctrl+F, the 证件号码, Enter → 已受理 / 未找到) as the landed check.
"""
from __future__ import annotations

from pathlib import Path

from app.paths import library_dir
from app.sandbox.people import make_person

BASE_PLAYBOOK = library_dir() / "sample-qt-intake.yaml"
PLAYBOOK_ID = "sample-qt-batch"
BATCH_SECTION = """
batch:
  key: id_number
  new:                      # an empty form before each case
    - key: ctrl+n
  save:                     # from 备注: Tab to 保存, Space presses it
    - key: tab
    - key: space
  saved_when: {text: 保存成功, within_s: 10}
  landed:                   # is this 证件号码 saved already?
    ask:
      - key: ctrl+f
      - type: {field: id_number, clear: true}
      - key: enter
    found: 已受理
    not_found: 未找到
    within_s: 6
  retries: 2
"""
HEADER_LABELS = ("申请人姓名", "性别", "民族", "出生日期", "公民身份号码", "联系电话", "住址",
                 "工作单位", "统一社会信用代码", "办理事项", "邮政编码", "电子邮箱", "备注")
FIELD_ORDER = ("applicant_name", "gender", "ethnicity", "birth_date", "id_number", "phone",
               "address", "employer", "credit_code", "matter", "postcode", "email", "remarks")
MATTERS = ("公积金提取", "道路运输从业资格证", "企业设立登记", "不动产登记")


def batch_playbook_text() -> str:
    text = BASE_PLAYBOOK.read_text(encoding="utf-8")
    text = text.replace("id: sample-qt-intake", f"id: {PLAYBOOK_ID}", 1)
    text = text.replace("name: 受理登记（示例·桌面客户端）", "name: 受理登记·批量（示例·桌面客户端）", 1)
    return text.rstrip("\n") + "\n" + BATCH_SECTION


def write_batch_playbook(folder: Path) -> Path:
    path = folder / f"{PLAYBOOK_ID}.yaml"
    path.write_text(batch_playbook_text(), encoding="utf-8")
    return path


def applicant(seed: int) -> dict[str, str]:
    """One row: a synthetic person's values, as the client should hold them."""
    values = make_person(seed).to_fields()
    values["matter"] = MATTERS[seed % len(MATTERS)]
    values["remarks"] = f"批量第{seed}号" if seed % 3 == 0 else ""
    return values


def bad_check_digit(id_number: str) -> str:
    last = id_number[-1]
    return id_number[:-1] + ("0" if last != "0" else "1")


def write_workbook(path: Path, rows: list[dict[str, str]], *, id_as_number: bool = False) -> Path:
    """A workbook the way an office keeps one: labels in the header; postcodes and phones
    as text. `id_as_number`: ID numbers without an X stored as numbers (as Excel does
    when one is pasted without a leading apostrophe)."""
    from openpyxl import Workbook
    book = Workbook()
    sheet = book.active
    sheet.append(list(HEADER_LABELS))
    for values in rows:
        cells: list[object] = [values.get(name, "") for name in FIELD_ORDER]
        idn = values.get("id_number", "")
        if id_as_number and idn.isdigit():
            cells[FIELD_ORDER.index("id_number")] = int(idn)
        sheet.append(cells)
    book.save(path)
    return path
