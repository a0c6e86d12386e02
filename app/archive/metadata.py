"""The archive package's metadata XML (元数据), in the manner of DA/T 85-2019 (filing the
electronic records of government-service cases, now GB/T 42727-2023) with the file-level
elements of DA/T 46-2009. Element names are the standards' Chinese names as far as they are
known here (docs/archive.md lists them); the official XML schema is not available offline,
so the package is "in the manner of", not validated against it.

    xml = metadata_xml(Record(...), [FileEntry(...), …])      # bytes, byte-identical per input
    record, files = read_metadata(xml)                          # the same values back

Personal data: the applicant's ID number and phone are masked (app/privacy.py) — the
metadata is what catalogues and search indexes copy; the unmasked values stay only in the
case file among the materials, where the archive's access rules apply.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, fields

__all__ = ["Record", "FileEntry", "metadata_xml", "read_metadata", "RECORD_ELEMENTS",
           "ROOT", "FILE"]

ROOT = "政务服务事项电子文件归档包"
FILE = "电子文件"
STANDARDS = "DA/T 85-2019；GB/T 42727-2023；DA/T 46-2009"


@dataclass(frozen=True)
class Record:
    """One case as the metadata describes it (every value text; "" when unknown)."""
    case_number: str        # 办件编号: the case's id
    matter: str             # 事项名称
    playbook: str           # 业务流程 that captured and filled it
    applicant: str          # 申请人 (name)
    applicant_id: str       # 申请人证件号码, masked
    accepted_at: str        # 受理时间: when the case was made
    finished_at: str        # 办结时间: the last fill, else the accepted time
    result: str             # 办理结果: the last fill's outcome
    unit: str               # 办理机构 / 立档单位名称
    retention: str          # 保管期限: 永久, 30年, 10年
    filed_at: str           # 归档时间 (from the case, so that a rebuild is byte-identical)


# field → element name, in the order they are written
RECORD_ELEMENTS = {
    "case_number": "办件编号", "matter": "事项名称", "playbook": "业务流程",
    "applicant": "申请人", "applicant_id": "申请人证件号码", "accepted_at": "受理时间",
    "finished_at": "办结时间", "result": "办理结果", "unit": "办理机构",
    "retention": "保管期限", "filed_at": "归档时间",
}


@dataclass(frozen=True)
class FileEntry:
    name: str               # 计算机文件名: the path inside the package
    title: str              # 题名
    format: str             # 格式名称: JSON, PNG, PDF, DOCX, XML…
    size: int               # 计算机文件大小 (bytes)
    sm3: str                # 数字摘要 (hex), 摘要算法 SM3


def metadata_xml(record: Record, files: list[FileEntry]) -> bytes:
    root = ET.Element(ROOT, {"版本": "1", "依据": STANDARDS})
    ET.SubElement(root, "聚合层次").text = "件"
    case = ET.SubElement(root, "办件信息")
    for f in fields(Record):
        ET.SubElement(case, RECORD_ELEMENTS[f.name]).text = getattr(record, f.name)
    ET.SubElement(root, "立档单位名称").text = record.unit
    listed = ET.SubElement(root, "电子文件清单", {"数量": str(len(files))})
    for i, e in enumerate(files, 1):
        item = ET.SubElement(listed, FILE, {"序号": str(i)})
        ET.SubElement(item, "计算机文件名").text = e.name
        ET.SubElement(item, "题名").text = e.title
        ET.SubElement(item, "格式名称").text = e.format
        ET.SubElement(item, "计算机文件大小", {"单位": "字节"}).text = str(e.size)
        ET.SubElement(item, "数字摘要", {"摘要算法": "SM3"}).text = e.sm3
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def read_metadata(data: bytes) -> tuple[dict[str, str], list[FileEntry]]:
    """(record values by field name, the files listed). ET.ParseError if not well-formed,
    ValueError if it is not this metadata."""
    root = ET.fromstring(data)
    if root.tag != ROOT:
        raise ValueError(f"root element is {root.tag}, not {ROOT}")
    case = root.find("办件信息")
    values = {name: (case.findtext(tag) or "") if case is not None else ""
              for name, tag in RECORD_ELEMENTS.items()}
    files = []
    for item in root.iter(FILE):
        size = item.findtext("计算机文件大小") or ""
        files.append(FileEntry(item.findtext("计算机文件名") or "", item.findtext("题名") or "",
                               item.findtext("格式名称") or "",
                               int(size) if size.strip().isdigit() else -1,
                               (item.findtext("数字摘要") or "").strip()))
    return values, files
