"""Templates checked against a case before anything is rendered; broken templates, bad
scenarios and bad output folders each get a sentence and leave no file (app/docs, no
LibreOffice: every refusal here happens before the conversion)."""
from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from docx import Document

from app.cases import load_case, save_case
from app.cli import main
from app.docs.build import make_documents
from app.docs.pdf import PdfConverter
from app.docs.templates import read_template, template_environment
from app.errors import CaseFileError, NeedsPersonError, TemplateError, UsageError
from app.i18n import using
from playbooks.errors import PlaybookErrors
from playbooks.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
PACK = ROOT / "playbooks" / "library" / "company-setup"
SAMPLE_CASE = PACK / "samples" / "case.json"


def make_docx(path: Path, paragraphs: list[str], rows: list[list[str]] | None = None) -> Path:
    doc = Document()
    for text in paragraphs:
        doc.add_paragraph(text)
    if rows:
        table = doc.add_table(rows=0, cols=len(rows[0]))
        for row in rows:
            for cell, text in zip(table.add_row().cells, row):
                cell.text = text
    doc.save(str(path))
    return path


def scenario_file(folder: Path, templates: dict[str, str]) -> Path:
    lines = ["scenario: 1", "name: 测试", "documents:"]
    for file, output in templates.items():
        lines += [f"  - template: {file}", f"    output: {output}", f"    title: {output}"]
    path = folder / "scenario.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


class NoConversion(PdfConverter):
    """A converter that must not be reached: every case here is refused before it."""

    def convert(self, documents, outdir):   # type: ignore[override]
        raise AssertionError("the conversion was reached")


def run(scenario: Path, case: Path, out: Path, tmp_path: Path):
    with using("en"):
        return make_documents(load_scenario(scenario), load_case(case), out, NoConversion(),
                              case_file=case)


def nothing_written(out: Path) -> None:
    assert not out.exists()
    assert not [p for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.part-")]


def test_placeholders_and_loops_are_found():
    info = read_template(PACK / "templates" / "application.docx", template_environment())
    assert "company_name" in info.declared and "shareholders" in info.declared
    assert info.group_fields["shareholders"] == {"name", "id_number", "amount", "share"}
    texts = [p.text for p in info.placeholders]
    assert "{{ registered_capital|wan_yuan|amount_upper }}" in texts
    capital = next(p for p in info.placeholders if "amount_upper" in p.text)
    assert capital.fields == ["registered_capital"]


def test_a_missing_field_names_template_placeholder_and_field(tmp_path):
    case = json.loads(SAMPLE_CASE.read_text(encoding="utf-8"))
    del case["agent_id"]
    del case["shareholders"][1]["id_number"]
    (tmp_path / "case.json").write_text(json.dumps(case, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "out"
    with pytest.raises(TemplateError) as info:
        run(PACK, tmp_path / "case.json", out, tmp_path)
    message = info.value.message
    assert ("The template authorization.docx has the placeholder {{ agent_id }}, but the case "
            "has no value for the field agent_id.") in message
    assert ("The template application.docx has the placeholder {{ s.id_number }}, but the case "
            "has no value for the field shareholders[2].id_number.") in message
    assert info.value.exit_code == 2
    nothing_written(out)


def test_a_missing_group_names_its_loop(tmp_path):
    case = json.loads(SAMPLE_CASE.read_text(encoding="utf-8"))
    del case["shareholders"]
    (tmp_path / "case.json").write_text(json.dumps(case, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(TemplateError) as info:
        run(PACK, tmp_path / "case.json", tmp_path / "out", tmp_path)
    assert ("placeholder {%tr for s in shareholders %}, but the case has no value for the field "
            "shareholders.") in info.value.message


@pytest.mark.parametrize("content, words", [
    (["{{ company_name "], "has a broken placeholder"),
    (["{% for x in %}"], "has a broken placeholder"),
    (["{{ registered_capital|shout }}"], "No filter named 'shout'"),
])
def test_broken_jinja_gets_a_sentence(tmp_path, content, words):
    make_docx(tmp_path / "t.docx", content)
    scenario = scenario_file(tmp_path, {"t.docx": "文书"})
    with pytest.raises(TemplateError) as info:
        run(scenario, SAMPLE_CASE, tmp_path / "out", tmp_path)
    assert words in info.value.message and "t.docx" in info.value.message
    assert "Traceback" not in info.value.message
    nothing_written(tmp_path / "out")


@pytest.mark.parametrize("data, words", [
    (b"this is text, not a Word file", "is not a Word document"),
    (b"PK\x03\x04 broken zip", "is not a Word document"),
])
def test_a_file_that_is_not_a_docx(tmp_path, data, words):
    (tmp_path / "t.docx").write_bytes(data)
    scenario = scenario_file(tmp_path, {"t.docx": "文书"})
    with pytest.raises(TemplateError) as info:
        run(scenario, SAMPLE_CASE, tmp_path / "out", tmp_path)
    assert words in info.value.message
    nothing_written(tmp_path / "out")


def test_a_zip_that_is_not_a_docx(tmp_path):
    shutil.make_archive(str(tmp_path / "t"), "zip", root_dir=ROOT / "bench")
    (tmp_path / "t.zip").rename(tmp_path / "t.docx")
    scenario = scenario_file(tmp_path, {"t.docx": "文书"})
    with pytest.raises(TemplateError) as info:
        run(scenario, SAMPLE_CASE, tmp_path / "out", tmp_path)
    assert "is not a Word document" in info.value.message


def test_a_template_that_does_not_exist(tmp_path):
    scenario = scenario_file(tmp_path, {"gone.docx": "文书"})
    with pytest.raises(TemplateError) as info:
        run(scenario, SAMPLE_CASE, tmp_path / "out", tmp_path)
    assert "gone.docx does not exist" in info.value.message


def test_a_value_without_a_chinese_form_names_the_placeholder(tmp_path):
    case = json.loads(SAMPLE_CASE.read_text(encoding="utf-8"))
    case["registered_capital"] = "-100"
    (tmp_path / "case.json").write_text(json.dumps(case, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(TemplateError) as info:
        run(PACK, tmp_path / "case.json", tmp_path / "out", tmp_path)
    assert ("The template application.docx, placeholder {{ registered_capital|wan_yuan|"
            "amount_upper }}:") in info.value.message
    assert "万元" in info.value.message
    nothing_written(tmp_path / "out")


def test_unconfirmed_values_are_not_written(tmp_path):
    case = load_case(SAMPLE_CASE)
    case.fields["legal_rep_id"].status = "invalid"
    save_case(case, tmp_path / "case.json")
    with pytest.raises(NeedsPersonError) as info:
        run(PACK, tmp_path / "case.json", tmp_path / "out", tmp_path)
    assert info.value.fields == ["legal_rep_id"] and info.value.exit_code == 1
    nothing_written(tmp_path / "out")


def test_an_output_folder_with_files_is_refused(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "earlier.pdf").write_bytes(b"%PDF")
    with pytest.raises(UsageError) as info:
        run(PACK, SAMPLE_CASE, out, tmp_path)
    assert "already holds files" in info.value.message
    assert [p.name for p in out.iterdir()] == ["earlier.pdf"]


def test_groups_round_trip_through_a_case_file(tmp_path):
    case = load_case(SAMPLE_CASE)
    assert case.plain and case.groups["shareholders"][1]["name"] == "陈雨桐"
    save_case(case, tmp_path / "case.json")
    again = load_case(tmp_path / "case.json")
    assert again.groups == case.groups and again.value("company_name") == "龙岩市示例信息科技有限公司"
    (tmp_path / "plain.json").write_text('{"company_name": "甲公司"}', encoding="utf-8")
    plain = load_case(tmp_path / "plain.json")
    assert plain.groups == {} and "groups" not in plain.to_json()   # older readers see no change


@pytest.mark.parametrize("groups, words", [
    ({"shareholders": [{"name": 5}]}, "shareholders › 1 › name must be text"),
    ({"shareholders": "张三"}, "must be a list of objects"),
])
def test_bad_groups_in_a_case_file(tmp_path, groups, words):
    case = load_case(SAMPLE_CASE)
    doc = case.to_json()
    doc["groups"] = groups
    (tmp_path / "case.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    with using("en"), pytest.raises(CaseFileError) as info:
        load_case(tmp_path / "case.json")
    assert words in info.value.message


@pytest.mark.parametrize("text, line, words", [
    ("scenario: 1\nname: x\n", 1, "a scenario needs 'documents' (the templates to render), 'targets'"),
    ("scenario: 2\ndocuments: []\n", 1, "scenario format 1"),
    ("scenario: 1\ndocuments:\n  - template: ../x.docx\n    output: a\n    title: a\n", 3,
     "must be a path inside the scenario's folder"),
    ("scenario: 1\ndocuments:\n  - template: a.docx\n    output: a/b\n    title: a\n", 3,
     "cannot be a file name"),
    ("scenario: 1\ndocuments:\n  - template: a.docx\n    output: a\n    title: a\n"
     "  - template: b.docx\n    output: A\n    title: b\n", 6, "is given twice"),
    ("scenario: 1\ndocument:\n  - template: a.docx\n", 2, "unknown key 'document'"),
    ("scenario: 1\ndocuments:\n  - template: a.docx\n    output: a\n", 3, "has no 'title'"),
    ("scenario: 1\ndocuments: [\n", 3, "not valid YAML"),
])
def test_scenario_errors_have_file_and_line(tmp_path, text, line, words):
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    with using("en"), pytest.raises(PlaybookErrors) as info:
        load_scenario(path)
    shown = str(info.value)
    assert f"{path}:{line}: " in shown and words in shown


def test_scenario_with_targets_beside_documents(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("scenario: 1\nname: 企业开办\ndocuments:\n  - template: t/a.docx\n"
                    "    output: 申请书\n    title: 申请书\ntargets:\n  - sample-qt-intake\n",
                    encoding="utf-8")
    s = load_scenario(path)
    assert s.targets == [("sample-qt-intake", 8)]
    assert s.documents[0].template == tmp_path / "t" / "a.docx"


def test_cli_exit_codes_for_bad_input(tmp_path):
    out, err = io.StringIO(), io.StringIO()
    with using("en"):
        code = main(["docs", str(tmp_path / "none"), "--case", str(SAMPLE_CASE), "-o",
                     str(tmp_path / "out")], out, err)
    assert code == 2 and "the scenario does not exist" in err.getvalue()
    with using("en"):
        code = main(["docs", str(PACK), "--case", str(tmp_path / "none.json"), "-o",
                     str(tmp_path / "out")], out, err)
    assert code == 2 and "none.json does not exist" in err.getvalue()
    assert "Traceback" not in err.getvalue()
    nothing_written(tmp_path / "out")


def test_cli_json_on_a_refusal(tmp_path):
    case = json.loads(SAMPLE_CASE.read_text(encoding="utf-8"))
    del case["company_name"]
    (tmp_path / "case.json").write_text(json.dumps(case, ensure_ascii=False), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    with using("zh_CN"):
        code = main(["docs", str(PACK), "--case", str(tmp_path / "case.json"), "-o",
                     str(tmp_path / "out"), "--json"], out, err)
    answer = json.loads(out.getvalue())
    assert code == 2 and answer["exit_code"] == 2
    assert "模板 application.docx 中有占位符 {{ company_name }}，但案件中没有字段 company_name 的值。" \
        in answer["error"]
    nothing_written(tmp_path / "out")
