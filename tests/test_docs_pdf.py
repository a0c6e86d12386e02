"""The 企业开办 documents through real LibreOffice: the PDF text (pypdf) equals the expected
text, the CJK fonts are embedded (pdffonts), four conversions run in parallel, and an absent
or hung LibreOffice gets a sentence and leaves no file and no process."""
from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader

from app.cases import load_case
from app.cli import main
from app.docs.build import MANIFEST_JSON, MANIFEST_TEXT, make_documents
from app.docs.pdf import PdfConverter, find_soffice
from app.errors import ConverterError
from app.i18n import using
from playbooks.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
PACK = ROOT / "playbooks" / "library" / "company-setup"
SAMPLE_CASE = PACK / "samples" / "case.json"
EXPECTED = ROOT / "tests" / "fixtures" / "docs"
OUTPUTS = ["设立登记申请书", "股东会决议", "公司章程", "法定代表人任职文件", "授权委托书"]

pytestmark = pytest.mark.skipif(find_soffice() is None or shutil.which("pdffonts") is None,
                                reason="LibreOffice and poppler-utils are test packages "
                                       "(installer/dev.sh test installs them)")


def squeezed(text: str) -> str:
    """Text without white space: a PDF breaks lines where the page ends, not the source."""
    return "".join(text.split())


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(str(path)).pages)


def processes_mentioning(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if text.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


def command_names(pids: list[int]) -> set[str]:
    names = set()
    for pid in pids:
        try:
            names.add(Path(f"/proc/{pid}/comm").read_text().strip())
        except OSError:
            pass
    return names


def test_the_company_documents_from_the_command_line(tmp_path):
    out_dir = tmp_path / "文书"
    out, err = io.StringIO(), io.StringIO()
    with using("en"):
        code = main(["docs", str(PACK), "--case", str(SAMPLE_CASE), "-o", str(out_dir)], out, err)
    assert code == 0, err.getvalue()
    assert "5 documents written to" in out.getvalue()
    names = sorted(p.name for p in out_dir.iterdir())
    assert names == sorted([MANIFEST_JSON, MANIFEST_TEXT] + [f"{n}.{ext}" for n in OUTPUTS
                                                             for ext in ("docx", "pdf")])
    for name in OUTPUTS:
        pdf = out_dir / f"{name}.pdf"
        expected = (EXPECTED / f"{name}.txt").read_text(encoding="utf-8")
        assert squeezed(pdf_text(pdf)) == squeezed(expected), name
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True,
                               check=True).stdout.splitlines()[2:]
        cjk = [line for line in fonts if "CJK" in line]
        assert cjk, fonts
        # name type encoding emb sub uni …: every font embedded, the CJK ones included
        assert all(line.split()[-5] == "yes" for line in fonts), fonts
    manifest = json.loads((out_dir / MANIFEST_JSON).read_text(encoding="utf-8"))
    first = manifest["documents"][0]
    assert first["pdf"] == "设立登记申请书.pdf" and first["title"] == "公司设立登记申请书"
    capital = next(v for v in first["values"] if "amount_upper" in v["placeholder"])
    assert capital == {"placeholder": "{{ registered_capital|wan_yuan|amount_upper }}",
                       "fields": ["registered_capital"], "value": "壹佰万元整"}
    ids = [v for v in first["values"] if v["placeholder"] == "{{ s.id_number }}"]
    assert [v["fields"] for v in ids] == [["shareholders[1].id_number"], ["shareholders[2].id_number"]]
    assert ids[0]["value"] == "3508**********2038"      # masked in the manifest, whole in the PDF
    assert "350802198503122038" in pdf_text(out_dir / "设立登记申请书.pdf")
    assert "OFD" in manifest["ofd"]
    text = (out_dir / MANIFEST_TEXT).read_text(encoding="utf-8")
    assert "文书清单" in text and "registered_capital：壹佰万元整" in text
    assert not [p for p in tmp_path.iterdir() if ".part-" in p.name]


def test_four_conversions_in_parallel(tmp_path):
    scenario, case = load_scenario(PACK), load_case(SAMPLE_CASE)

    def one(i: int):
        return make_documents(scenario, case, tmp_path / f"out{i}",
                              PdfConverter(profile_root=tmp_path))

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(one, range(4)))
    for i, result in enumerate(results):
        assert len(result.documents) == 5
        text = pdf_text(tmp_path / f"out{i}" / "股东会决议.pdf")
        assert squeezed(text) == squeezed((EXPECTED / "股东会决议.txt").read_text(encoding="utf-8"))
    assert not list(tmp_path.glob("deskhand-lo-*")), "a LibreOffice profile was left behind"


def test_a_hung_libreoffice_is_stopped_with_its_process_group(tmp_path):
    # A real LibreOffice on a document it needs far longer than the timeout for (6,000
    # paragraphs): to Deskhand that is a hung one. A watcher notes what runs meanwhile.
    doc = Document()
    for i in range(6000):
        doc.add_paragraph(f"第{i}段　这是一段让转换花很长时间的示例文字，没有别的意义。" * 3)
    doc.save(str(tmp_path / "long.docx"))
    (tmp_path / "s.yaml").write_text("scenario: 1\nname: 长文档\ndocuments:\n  - template: "
                                     "long.docx\n    output: 长文档\n    title: 长文档\n",
                                     encoding="utf-8")
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    seen: set[str] = set()
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            seen.update(command_names(processes_mentioning(str(profiles))))
            time.sleep(0.05)

    watcher = threading.Thread(target=watch)
    watcher.start()
    started = time.monotonic()
    try:
        with using("en"), pytest.raises(ConverterError) as info:
            make_documents(load_scenario(tmp_path / "s.yaml"), load_case(SAMPLE_CASE),
                           tmp_path / "out", PdfConverter(timeout_s=3, profile_root=profiles))
    finally:
        done.set()
        watcher.join()
    assert time.monotonic() - started < 20
    assert "did not finish the PDFs within 3 s and was stopped" in info.value.message
    assert info.value.exit_code == 3
    assert "soffice.bin" in seen        # the office itself ran, not only its launcher …
    time.sleep(0.2)
    assert processes_mentioning(str(profiles)) == []    # … and nothing of the run is left
    assert not (tmp_path / "out").exists() and not list(profiles.iterdir())
    assert not [p for p in tmp_path.iterdir() if ".part-" in p.name]


def test_an_absent_libreoffice(tmp_path):
    out, err = io.StringIO(), io.StringIO()
    env = dict(os.environ)
    os.environ["PATH"] = str(tmp_path)       # no soffice on it
    try:
        with using("en"):
            code = main(["docs", str(PACK), "--case", str(SAMPLE_CASE), "-o",
                         str(tmp_path / "out")], out, err)
    finally:
        os.environ.clear()
        os.environ.update(env)
    assert code == 3
    assert "LibreOffice is not installed, so no PDF can be made" in err.getvalue()
    assert not (tmp_path / "out").exists()
    assert not [p for p in tmp_path.iterdir() if ".part-" in p.name]
