"""A scenario's documents from one case: check every template against the case, render them,
convert them to PDF, and move them into the output folder with a manifest — all or nothing.

Order (nothing is written before step 3, nothing reaches the output folder before step 6):
  1. read every template (not a Word file, bad placeholders: TemplateError naming it);
  2. check every placeholder of every template against the case (a missing field: one
     TemplateError naming each template, placeholder and field), refuse unconfirmed values,
     and work out each value written (an amount or date without a Chinese form: FormValueError);
  3. render into a temp folder beside the output folder (same file system: the move is a rename);
  4. convert to PDF (app/docs/pdf.py); 5. write the manifest (JSON and a Chinese text);
  6. rename the temp folder to the output folder, which must not exist or be empty.
On any error the temp folder is removed: the output folder is as it was.

    result = make_documents(scenario, case, outdir, converter)
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.cases import Case, now_iso
from app.docs.context import case_context, refuse_unconfirmed
from app.docs.pdf import PdfConverter
from app.docs.templates import TemplateInfo, read_template, template_environment
from app.errors import DocumentError, TemplateError, UsageError
from app.i18n import _
from app.privacy import mask_text
from playbooks.scenario import Scenario

__all__ = ["make_documents", "DocumentsResult", "MANIFEST_JSON", "MANIFEST_TEXT", "OFD_NOTE"]

MANIFEST_JSON = "manifest.json"
MANIFEST_TEXT = "清单.txt"
MANIFEST_FORMAT = 1
# OFD, looked for in December 2026 (PyPI, search): the one Python library that writes OFD
# from something else, easyofd 20260427 (pdf2ofd), was tried on these PDFs: with text kept it
# embeds no font, prints debug lines to stdout, leaves a ./test folder in the working
# directory and its next call from the same folder fails (FileExistsError); it also needs PyMuPDF (AGPL-3.0).
# ofdreader only rewrites existing OFD files; Java's ofdrw would add a JVM to every PC.
OFD_NOTE = ("未生成 OFD（GB/T 33190）版式文件：目前没有适合随产品发布的 Python 库能生成 OFD"
            "（试过的 easyofd 不嵌入字体、在同一目录再次调用即出错，且依赖 AGPL 许可的 PyMuPDF），"
            "本清单中的文书只有 Word（.docx）和 PDF。")

MASKED_NOTE = "身份证号码、统一社会信用代码和手机号码在本清单中已部分隐藏，文书中为完整内容。"


@dataclass
class DocumentsResult:
    outdir: Path
    documents: list[dict[str, Any]] = field(default_factory=list)   # as in the manifest
    render_s: float = 0.0
    convert_s: float = 0.0


def make_documents(scenario: Scenario, case: Case, outdir: Path,
                   converter: PdfConverter, case_file: Path | None = None) -> DocumentsResult:
    """The scenario's documents for `case` in `outdir` (see the module docstring)."""
    outdir = Path(outdir).absolute()
    _check_outdir(outdir)
    env = template_environment()
    infos, problems = [], []
    for spec in scenario.documents:
        try:
            infos.append(read_template(spec.template, env))
        except TemplateError as exc:
            problems.append(exc.message)
    if problems:
        raise TemplateError("\n".join(problems))
    context = case_context(case)
    missing = [_("The template {template} has the placeholder {placeholder}, but the case has no "
                 "value for the field {field}.", template=spec.template.name, placeholder=ph,
                 field=name)
               for spec, info in zip(scenario.documents, infos) for ph, name in info.missing(context)]
    if missing:
        raise TemplateError("\n".join(missing + [_("Nothing was written; add these fields to the "
                                                   "case, or correct the templates.")]))
    refuse_unconfirmed(case, {f.split(".")[0] for info in infos for p in info.placeholders
                              for f in p.fields})
    values = [info.values(context) for info in infos]

    result = DocumentsResult(outdir)
    parent = outdir.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.part-", dir=parent))
        work.chmod(0o755)          # mkdtemp's 0700 would hide the documents from colleagues
    except OSError as exc:
        raise DocumentError(_("The output folder {path} cannot be made ({reason}); choose "
                              "another.", path=outdir, reason=exc.strerror or exc)) from None
    try:
        started = time.perf_counter()
        docx_files = []
        for spec, info in zip(scenario.documents, infos):
            target = work / f"{spec.output}.docx"
            info.render(context, target)
            docx_files.append(target)
        result.render_s = time.perf_counter() - started
        started = time.perf_counter()
        pdfs = converter.convert(docx_files, work)
        result.convert_s = time.perf_counter() - started
        result.documents = [_entry(spec, info, vals, docx, pdf)
                            for spec, info, vals, docx, pdf
                            in zip(scenario.documents, infos, values, docx_files, pdfs)]
        _write_manifest(work, scenario, case, case_file, result.documents)
        _move(work, outdir)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return result


def _check_outdir(outdir: Path) -> None:
    if outdir.exists() and (not outdir.is_dir() or any(outdir.iterdir())):
        raise UsageError(_("The output folder {path} already holds files (or is a file); name a "
                           "new or empty folder, so that no earlier document is overwritten.",
                           path=outdir))


def _move(work: Path, outdir: Path) -> None:
    _check_outdir(outdir)
    try:
        if outdir.exists():
            outdir.rmdir()          # empty (checked above); the rename needs the name free
        os.replace(work, outdir)
    except OSError as exc:
        raise DocumentError(_("The documents could not be moved into {path} ({reason}); nothing "
                              "was kept.", path=outdir, reason=exc.strerror or exc)) from None


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _entry(spec: Any, info: TemplateInfo, values: list[dict[str, Any]], docx: Path,
           pdf: Path) -> dict[str, Any]:
    return {"title": spec.title, "template": spec.template.name, "docx": docx.name,
            "pdf": pdf.name, "sha256": {"docx": _sha256(docx), "pdf": _sha256(pdf)},
            "values": [{**v, "value": mask_text(v["value"])} for v in values]}


def _write_manifest(work: Path, scenario: Scenario, case: Case, case_file: Path | None,
                    documents: list[dict[str, Any]]) -> None:
    created = now_iso()
    doc = {"deskhand_documents": MANIFEST_FORMAT, "scenario": scenario.name,
           "scenario_file": str(scenario.path), "case_id": case.case_id,
           "case_file": str(case_file) if case_file else None, "created": created,
           "documents": documents, "ofd": OFD_NOTE,
           "note": MASKED_NOTE}
    (work / MANIFEST_JSON).write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n",
                                      encoding="utf-8")
    lines = [f"{scenario.name} · 文书清单", f"案件：{case.case_id}　生成时间：{created}", ""]
    for i, d in enumerate(documents, 1):
        lines.append(f"{i}. {d['title']}：{d['pdf']}、{d['docx']}（模板 {d['template']}）")
        for v in d["values"]:
            lines.append(f"   {v['placeholder']} ← {'、'.join(v['fields']) or '（模板自身）'}：{v['value']}")
    lines += ["", OFD_NOTE, MASKED_NOTE]
    (work / MANIFEST_TEXT).write_text("\n".join(lines) + "\n", encoding="utf-8")

