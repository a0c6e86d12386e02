"""Build the 企业开办 scenario's sample Word templates (python-docx) and its sample case.

    PYTHONPATH=. .venv/bin/python installer/make_templates.py     writes, into
    playbooks/library/company-setup/: templates/*.docx, scenario.yaml, samples/case.json

The texts are written for this sample (no copyrighted model text): short forms with the
fields a registration needs, placeholders for docxtpl (`{{ field }}`, filters from
app/docs/templates.py, `{%tr for s in shareholders %}` table rows). The output is the same
on every run (fixed core properties and zip dates), so git shows a change only when this
script changes.
"""
from __future__ import annotations

import io
import json
import sys
import zipfile
from datetime import datetime
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

ROOT = Path(__file__).resolve().parent.parent
PACK = ROOT / "playbooks" / "library" / "company-setup"
FONT = "Noto Serif CJK SC"      # fonts-noto-cjk; LibreOffice embeds it in the PDF
FIXED = datetime(2026, 12, 1)

SHAREHOLDER_ROWS = ("{%tr for s in shareholders %}", "{%tr endfor %}")


def new_document() -> Document:
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(12)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    section = doc.sections[0]          # A4, as government forms are
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(25)
    section.top_margin = section.bottom_margin = Mm(25)
    props = doc.core_properties
    props.author = props.last_modified_by = "Deskhand"
    props.created = props.modified = FIXED
    props.revision = 1
    return doc


def title(doc: Document, text: str) -> None:
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run(text)
    run.bold = True
    run.font.size = Pt(18)


def para(doc: Document, text: str, *, right: bool = False) -> None:
    p = doc.add_paragraph(text)
    if right:
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def pairs(doc: Document, rows: list[tuple[str, str]]) -> None:
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in rows:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, value
    widths(table, [35, 125])


def widths(table, mm: list[int]) -> None:
    table.autofit = False
    for column, w in zip(table.columns, mm):    # the grid, which LibreOffice reads
        column.width = Mm(w)
    for row in table.rows:                      # and each cell, which Word reads
        for cell, w in zip(row.cells, mm):
            cell.width = Mm(w)


def repeated(doc: Document, header: list[str], cells: list[str], mm: list[int]) -> None:
    """A table with a header row and one row per shareholder (`mm`: column widths)."""
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header):
        cell.text = text
    table.add_row().cells[0].text = SHAREHOLDER_ROWS[0]
    for cell, text in zip(table.add_row().cells, cells):
        cell.text = text
    table.add_row().cells[0].text = SHAREHOLDER_ROWS[1]
    widths(table, mm)


def application() -> Document:
    doc = new_document()
    title(doc, "公司设立登记申请书")
    para(doc, "本申请书由申请人据实填写，所填内容与所附材料一致。")
    pairs(doc, [
        ("企业名称", "{{ company_name }}"),
        ("住所", "{{ address }}"),
        ("企业类型", "{{ company_type }}"),
        ("注册资本", "{{ registered_capital }}万元（人民币{{ registered_capital|wan_yuan|amount_upper }}）"),
        ("经营范围", "{{ business_scope }}"),
        ("经营期限", "{{ operating_period }}"),
        ("法定代表人", "{{ legal_rep_name }}"),
        ("联系电话", "{{ legal_rep_phone }}"),
    ])
    para(doc, "股东（发起人）出资情况：")
    repeated(doc, ["股东名称", "证件号码", "认缴出资额（万元）", "出资比例"],
             ["{{ s.name }}", "{{ s.id_number }}", "{{ s.amount }}", "{{ s.share }}%"],
             [30, 60, 40, 30])
    para(doc, "申请日期：{{ application_date|date_upper }}", right=True)
    return doc


def resolution() -> Document:
    doc = new_document()
    title(doc, "{{ company_name }}股东会决议")
    para(doc, "会议时间：{{ meeting_date|date_cn }}")
    para(doc, "会议地点：{{ address }}")
    para(doc, "全体股东出席会议，所持表决权占全部表决权的百分之百。经全体股东一致同意，决议如下：")
    para(doc, "一、同意设立{{ company_name }}，注册资本为人民币{{ registered_capital|wan_yuan|amount_upper }}。")
    para(doc, "二、选举{{ legal_rep_name }}为执行董事，担任公司法定代表人。")
    para(doc, "三、选举{{ supervisor_name }}为监事。")
    para(doc, "四、通过公司章程。")
    para(doc, "全体股东签字：")
    repeated(doc, ["股东", "签字"], ["{{ s.name }}", ""], [50, 110])
    para(doc, "{{ meeting_date|date_upper }}", right=True)
    return doc


def articles() -> Document:
    doc = new_document()
    title(doc, "{{ company_name }}章程（主要条款）")
    para(doc, "第一条　公司名称：{{ company_name }}。")
    para(doc, "第二条　公司住所：{{ address }}。")
    para(doc, "第三条　公司经营范围：{{ business_scope }}")
    para(doc, "第四条　公司注册资本为人民币{{ registered_capital }}万元，即{{ registered_capital|wan_yuan|amount }}元。")
    para(doc, "第五条　股东的姓名、认缴出资额、出资方式和出资时间如下：")
    repeated(doc, ["股东", "认缴出资额", "出资方式", "出资时间", "出资比例"],
             ["{{ s.name }}", "{{ s.amount|wan_yuan|amount_upper }}", "{{ s.method }}",
              "{{ s.due_date|date_cn }}", "{{ s.share }}%"], [25, 45, 25, 40, 25])
    para(doc, "第六条　公司不设董事会，设执行董事一名，由股东会选举产生，执行董事为公司法定代表人。")
    para(doc, "第七条　公司不设监事会，设监事一名，由股东会选举产生。")
    para(doc, "第八条　公司营业期限为{{ operating_period }}，自营业执照签发之日起计算。")
    para(doc, "全体股东于{{ meeting_date|date_upper }}订立本章程。", right=True)
    return doc


def legal_representative() -> Document:
    doc = new_document()
    title(doc, "法定代表人任职文件")
    para(doc, "根据{{ company_name }}{{ meeting_date|date_cn }}股东会决议，选举{{ legal_rep_name }}"
              "（居民身份证号码：{{ legal_rep_id }}）为公司执行董事，担任公司法定代表人，任期三年。")
    pairs(doc, [("法定代表人", "{{ legal_rep_name }}"), ("身份证件号码", "{{ legal_rep_id }}"),
                ("联系电话", "{{ legal_rep_phone }}")])
    para(doc, "股东签字：")
    repeated(doc, ["股东", "签字"], ["{{ s.name }}", ""], [50, 110])
    para(doc, "{{ meeting_date|date_upper }}", right=True)
    return doc


def authorization() -> Document:
    doc = new_document()
    title(doc, "授权委托书")
    para(doc, "委托人：{{ company_name }}（申请设立）")
    para(doc, "受托人：{{ agent_name }}，居民身份证号码：{{ agent_id }}，联系电话：{{ agent_phone }}。")
    para(doc, "委托事项：代为办理{{ company_name }}的设立登记，包括提交申请材料、修改材料中的"
              "文字错误、领取营业执照。")
    para(doc, "委托期限：自{{ application_date|date_cn }}起至{{ authorization_end|date_cn }}止。")
    para(doc, "委托人（全体股东）签字：")
    repeated(doc, ["股东", "签字"], ["{{ s.name }}", ""], [50, 110])
    para(doc, "{{ application_date|date_upper }}", right=True)
    return doc


DOCUMENTS = [
    ("application.docx", "设立登记申请书", "公司设立登记申请书", application),
    ("resolution.docx", "股东会决议", "股东会决议（设立）", resolution),
    ("articles.docx", "公司章程", "公司章程（主要条款）", articles),
    ("legal-representative.docx", "法定代表人任职文件", "法定代表人任职文件", legal_representative),
    ("authorization.docx", "授权委托书", "授权委托书（设立登记）", authorization),
]

SAMPLE_CASE = {
    "company_name": "龙岩市示例信息科技有限公司",
    "address": "福建省龙岩市新罗区示例路88号",
    "company_type": "有限责任公司（自然人投资或控股）",
    "registered_capital": "100",
    "business_scope": "软件开发；信息技术咨询服务；数据处理服务。",
    "operating_period": "长期",
    "legal_rep_name": "林晓明",
    "legal_rep_id": "350802198503122038",
    "legal_rep_phone": "13905970001",
    "supervisor_name": "陈雨桐",
    "agent_name": "王建华",
    "agent_id": "350802198809091529",
    "agent_phone": "13905970002",
    "accounting_method": "独立核算",
    "unit_type": "企业",
    "meeting_date": "2026-12-01",
    "application_date": "2026-12-04",
    "authorization_end": "2027-03-04",
    "shareholders": [
        {"name": "林晓明", "id_number": "350802198503122038", "amount": "60", "share": "60",
         "method": "货币", "due_date": "2046-12-31"},
        {"name": "陈雨桐", "id_number": "350802199007151010", "amount": "40", "share": "40",
         "method": "货币", "due_date": "2046-12-31"},
    ],
}

SCENARIO = """\
# 企业开办: the documents an applicant submits to register a limited company, rendered from
# one case (`deskhand docs playbooks/library/company-setup --case CASE -o DIR`), and the
# three forms filled from it (`deskhand fill playbooks/library/company-setup --case CASE`).
# Written by installer/make_templates.py; the format is in playbooks/README.md ("Scenarios").
scenario: 1
name: 企业开办
documents:
"""


# The forms the scenario fills (`deskhand fill`), the playbooks beside scenario.yaml
# (written by hand; the sandbox draws the forms: app/sandbox/toolkits/company_forms.py).
TARGETS = """\
targets:
  - playbook: establishment.yaml
    name: 设立登记
    keep:
      - {field: registration_no, label: 受理编号, pattern: "SL-\\\\d{8}-\\\\d{4}"}
  - playbook: tax-registration.yaml
    name: 税务登记
  - playbook: social-security.yaml
    name: 社保登记
"""


def save_fixed(doc: Document, path: Path) -> None:
    """Save with fixed zip dates, so that the same script gives the same bytes."""
    buffer = io.BytesIO()
    doc.save(buffer)
    buffer.seek(0)
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=(2026, 12, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            out.writestr(info, src.read(item.filename))


def main() -> int:
    (PACK / "templates").mkdir(parents=True, exist_ok=True)
    (PACK / "samples").mkdir(exist_ok=True)
    lines = [SCENARIO]
    for file, output, title_text, build in DOCUMENTS:
        save_fixed(build(), PACK / "templates" / file)
        lines.append(f"  - template: templates/{file}\n    output: {output}\n    title: {title_text}\n")
    lines.append(TARGETS)
    (PACK / "scenario.yaml").write_text("".join(lines), encoding="utf-8")
    (PACK / "samples" / "case.json").write_text(
        json.dumps(SAMPLE_CASE, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"{len(DOCUMENTS)} templates, scenario.yaml and samples/case.json in {PACK}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
