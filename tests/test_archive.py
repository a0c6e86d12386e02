"""Archive packages (app/archive/): SM3, metadata, byte-identical builds, the verifier's
four properties and the three tamperings of issue 15, the command line's sentences."""
from __future__ import annotations

import hashlib
import io
import json
import os
import sqlite3
import zipfile
from pathlib import Path

import pytest

from app.archive.metadata import FileEntry, Record, metadata_xml, read_metadata
from app.archive.package import PackOptions, build_package, zip_bytes
from app.archive.sm3 import PureSm3, Sm3, native_sm3_available, sm3_hex
from app.archive.verify import verify_package
from app.cli import main
from app.sandbox.archive_cases import write_sample_case
from app.sandbox.archive_tamper import change_metadata, drop_file, flip_byte

ABC = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
ABCD16 = "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"


# -- SM3 -------------------------------------------------------------------------------
@pytest.mark.parametrize("pure", [True, False])
def test_sm3_gives_the_standards_two_vectors(pure):
    if not pure and not native_sm3_available():
        pytest.skip("this OpenSSL has no SM3")
    assert sm3_hex(b"abc", pure=pure) == ABC                 # GB/T 32905-2016 A.1
    assert sm3_hex(b"abcd" * 16, pure=pure) == ABCD16        # A.2, 512 bits


@pytest.mark.parametrize("size", [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000, 4097])
def test_pure_sm3_agrees_with_openssl_at_every_padding_boundary(size):
    data = bytes((i * 7 + size) % 256 for i in range(size))
    assert sm3_hex(data, pure=True) == hashlib.new("sm3", data).hexdigest()


def test_sm3_streams_in_pieces_like_one_update():
    data = os.urandom(3000)
    h = PureSm3()
    for i in range(0, len(data), 97):
        h.update(data[i:i + 97])
    assert h.hexdigest() == Sm3(data).hexdigest() == hashlib.new("sm3", data).hexdigest()



# -- metadata ------------------------------------------------------------------------------
def test_metadata_reads_back_every_value_and_file():
    record = Record("C1", "公积金提取", "housing", "张三", "3508**********123X", "2026-11-01",
                    "2026-11-02", "已办结", "龙岩市住房公积金中心", "永久", "2026-11-02")
    files = [FileEntry("content/case.json", "办件数据", "JSON", 12, "ab" * 32)]
    xml = metadata_xml(record, files)
    assert xml == metadata_xml(record, files)
    values, listed = read_metadata(xml)
    assert values["applicant"] == "张三" and values["retention"] == "永久"
    assert listed == files
    assert "<保管期限>永久</保管期限>" in xml.decode()


# -- packages --------------------------------------------------------------------------
@pytest.fixture
def case(tmp_path) -> Path:
    return write_sample_case(tmp_path / "cases", 3)


@pytest.fixture
def package(case, tmp_path) -> Path:
    return build_package(case, tmp_path / "out", PackOptions(unit="龙岩市行政服务中心")).path


def test_a_package_builds_byte_identically_twice(case, tmp_path):
    a = build_package(case, tmp_path / "a", PackOptions(unit="U", retention="永久"))
    os.utime(case, (1, 1))          # a file's own dates must not matter
    b = build_package(case, tmp_path / "b", PackOptions(unit="U", retention="永久"))
    assert a.path.read_bytes() == b.path.read_bytes()
    with zipfile.ZipFile(a.path) as z:
        names = z.namelist()
        assert names == sorted(names)
        assert {i.external_attr >> 16 for i in z.infolist()} == {0o100644}
        assert {i.date_time for i in z.infolist()} == {(2026, 11, 4, 9, 3, 40)}
        assert any(n.startswith("content/sources/") and n.endswith(".png") for n in names)


def test_a_built_package_verifies_and_masks_the_id_number(package, case):
    assert verify_package(package) == []
    with zipfile.ZipFile(package) as z:
        meta = z.read("metadata.xml").decode()
    from app.sandbox.people import make_person
    p = make_person(3)
    assert p.id_number not in meta and p.id_number[:4] + "*" in meta
    assert p.name in meta


def test_a_flipped_byte_is_found_and_the_file_named(package, tmp_path):
    bad, name = flip_byte(package, tmp_path / "bad.zip")
    findings = verify_package(bad)
    assert [(f.prop, f.file) for f in findings] == [("authentic", name)]
    assert name in findings[0].sentence


def test_a_missing_file_is_found_and_named(package, tmp_path):
    bad, name = drop_file(package, tmp_path / "bad.zip")
    findings = verify_package(bad)
    assert [(f.prop, f.file) for f in findings] == [("complete", name)]


def test_a_changed_metadata_value_is_found_and_named(package, tmp_path):
    bad, element = change_metadata(package, tmp_path / "bad.zip")
    sentences = [f.sentence for f in verify_package(bad)]
    assert any(element in s and "changed" in s for s in sentences), sentences
    assert any("metadata.xml" in s for s in sentences)


def _rewrite(src: Path, dst: Path, **changes: bytes) -> Path:
    with zipfile.ZipFile(src) as z:
        files = {n: z.read(n) for n in z.namelist()}
    files.update({k.replace("__", "/").replace("_dot_", "."): v for k, v in changes.items()})
    dst.write_bytes(zip_bytes(files, (2026, 1, 1, 0, 0, 0)))
    return dst


def test_an_extra_file_is_found(package, tmp_path):
    bad = _rewrite(package, tmp_path / "bad.zip", content__extra_dot_txt=b"hi")
    assert [(f.prop, f.file) for f in verify_package(bad)] == [("complete", "content/extra.txt")]


def test_an_unusable_file_is_found_even_with_a_matching_manifest(case, tmp_path):
    """A PNG that is not one, recorded faithfully: fixity holds, usability does not."""
    card = next(case.parent.glob("card-*.png"))
    card.write_bytes(b"not a picture")
    pkg = build_package(case, tmp_path / "o", PackOptions()).path
    findings = verify_package(pkg)
    assert [f.prop for f in findings] == ["usable"] and "PNG" in findings[0].sentence


def test_an_unmasked_id_number_in_the_metadata_is_insecure(package, tmp_path):
    """Rewritten with a consistent manifest, so that only the masking rule can catch it."""
    from app.archive.package import MANIFEST, METADATA, TAGMANIFEST, manifest_text, parse_manifest
    from app.sandbox.people import make_person
    with zipfile.ZipFile(package) as z:
        files = {n: z.read(n) for n in z.namelist()}
    masked = files[METADATA].decode().split("<申请人证件号码>")[1].split("<")[0]
    files[METADATA] = files[METADATA].replace(masked.encode(), make_person(3).id_number.encode())
    digests = parse_manifest(files[MANIFEST])
    digests[METADATA] = sm3_hex(files[METADATA])
    files[MANIFEST] = manifest_text(digests)
    files[TAGMANIFEST] = manifest_text({MANIFEST: sm3_hex(files[MANIFEST])})
    bad = tmp_path / "bad.zip"
    bad.write_bytes(zip_bytes(files, (2026, 1, 1, 0, 0, 0)))
    props = {f.prop for f in verify_package(bad)}
    assert "secure" in props


def test_an_entry_outside_the_package_or_executable_is_insecure(package, tmp_path):
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(package) as zin, zipfile.ZipFile(bad, "w") as zout:
        for info in zin.infolist():
            if info.filename == "content/forms.json":
                info.external_attr = 0o100755 << 16
            zout.writestr(info, zin.read(info))
        zout.writestr("../evil.txt", b"x")
    found = [(f.prop, f.file) for f in verify_package(bad)]
    assert ("secure", "../evil.txt") in found and ("secure", "content/forms.json") in found


def test_a_signed_package_verifies_and_a_resigned_manifest_does_not(case, tmp_path):
    key = bytes(range(32))
    pkg = build_package(case, tmp_path / "s", PackOptions(signing_key=key)).path
    assert verify_package(pkg) == []
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
    public = Ed25519PrivateKey.from_private_bytes(key).public_key().public_bytes(
        Encoding.Raw, PublicFormat.Raw).hex()
    assert verify_package(pkg, public) == []
    assert [f.prop for f in verify_package(pkg, "00" * 32)] == ["authentic"]
    with zipfile.ZipFile(pkg) as z:
        files = {n: z.read(n) for n in z.namelist()}
    files["manifest-sm3.txt"] += b"0" * 64 + b"  content/x.json\n"
    bad = tmp_path / "bad.zip"
    bad.write_bytes(zip_bytes(files, (2026, 1, 1, 0, 0, 0)))
    sentences = " ".join(f.sentence for f in verify_package(bad))
    assert "signature does not match" in sentences


def test_an_unpacked_folder_verifies_like_the_zip(package, tmp_path):
    folder = tmp_path / "unpacked"
    with zipfile.ZipFile(package) as z:
        z.extractall(folder)
    for p in folder.rglob("*"):
        if p.is_file():
            p.chmod(0o644)
    assert verify_package(folder) == []
    (folder / "content" / "forms.json").unlink()
    assert [f.file for f in verify_package(folder)] == ["content/forms.json"]


# -- the command line ---------------------------------------------------------------------
def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def test_the_cli_builds_a_folder_of_cases_and_verifies_them(tmp_path):
    for seed in (1, 2):
        write_sample_case(tmp_path / "cases", seed)
    code, out, err = run("archive", str(tmp_path / "cases"), "-o", str(tmp_path / "o"),
                         "--retention", "永久", "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert len(doc["packages"]) == 2 and doc["failed"] == []
    index = (tmp_path / "o" / "index-sm3.txt").read_text().splitlines()
    assert len(index) == 2
    code, out, err = run("archive", "verify", *(p["package"] for p in doc["packages"]))
    assert code == 0 and out.count("authentic, complete, usable and secure") == 2


def test_the_cli_reads_the_done_cases_of_a_batch_ledger(tmp_path):
    paths = [write_sample_case(tmp_path / "cases", s) for s in (4, 5, 6)]
    ledger = tmp_path / "batch.ledger"
    db = sqlite3.connect(ledger, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")          # as the batch keeps it
    db.execute("CREATE TABLE cases (key TEXT PRIMARY KEY, seq INTEGER NOT NULL, state TEXT NOT "
               "NULL, case_path TEXT, origin TEXT, attempts INTEGER NOT NULL DEFAULT 0, outcome "
               "TEXT, error TEXT, needs_person TEXT, started_at TEXT, finished_at TEXT, "
               "seconds REAL)")
    for i, (p, state) in enumerate(zip(paths, ("done", "set_aside", "done"))):
        db.execute("INSERT INTO cases (key, seq, state, case_path) VALUES (?, ?, ?, ?)",
                   (f"k{i}", i, state, str(p.relative_to(tmp_path))))
    code, out, err = run("archive", str(ledger), "-o", str(tmp_path / "o"), "--json")
    db.close()                                     # read while the batch still holds it open
    assert code == 0, err
    assert [p["case_id"] for p in json.loads(out)["packages"]] == ["20261105-0004",
                                                                   "20261107-0006"]


def test_the_cli_names_each_tampering_and_exits_1(package, tmp_path):
    bad, name = flip_byte(package, tmp_path / "bad.zip")
    code, out, err = run("archive", "verify", str(bad))
    assert code == 1 and name in out and "Traceback" not in out + err


@pytest.mark.parametrize("argv,words", [
    (["archive", "nowhere.json", "-o", "o"], "There is no case file"),
    (["archive", "verify", "nowhere.zip"], "There is no package"),
    (["archive", "CASE", "--retention", "3天", "-o", "o"], "Retention period"),
    (["archive", "verify"], "Name the package"),
    (["archive", "upload", "x.zip"], "Name the package and the service"),
])
def test_bad_usage_is_a_sentence_and_exit_2(argv, words, case, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    argv = [str(case) if a == "CASE" else a for a in argv]
    code, out, err = run(*argv)
    assert code == 2 and words in err and "Traceback" not in err


def test_a_file_that_is_not_a_zip_is_a_sentence(tmp_path):
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"garbage")
    code, out, err = run("archive", "verify", str(junk))
    assert code == 2 and "not a readable zip" in err


def test_bare_values_are_refused_with_a_sentence(tmp_path):
    plain = tmp_path / "plain.json"
    plain.write_text(json.dumps({"applicant_name": "张三"}, ensure_ascii=False))
    code, out, err = run("archive", str(plain), "-o", str(tmp_path / "o"))
    assert code == 2 and "not a case file" in err


def test_digits_inside_a_digest_are_not_taken_for_a_mobile_number():
    """An SM3 hex digest can hold eleven digits in a row that read like a mobile number
    (it happened with one case in 200); only the metadata's texts are checked."""
    from app.archive.verify import _personal_texts
    from app.privacy import mask_text
    record = Record("C1", "m", "p", "张三", "3508**********123X", "", "", "", "", "30年", "")
    digest = "a13912345678" + "b" * 52
    xml = metadata_xml(record, [FileEntry("content/case.json", "办件数据", "JSON", 1, digest)])
    assert mask_text(xml.decode()) != xml.decode()          # the whole text would be flagged
    assert all(mask_text(t) == t for t in _personal_texts(xml))
    phone = metadata_xml(Record("C1", "m", "p", "张三 13912345678", "", "", "", "", "", "30年", ""), [])
    assert any(mask_text(t) != t for t in _personal_texts(phone))


def _documents_folder(folder: Path, case_id: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "申请表.pdf").write_bytes(b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    (folder / "申请表.docx").write_bytes(buf.getvalue())
    (folder / "manifest.json").write_text(json.dumps({
        "deskhand_documents": 1, "case_id": case_id,
        "documents": [{"title": "申请表", "docx": "申请表.docx", "pdf": "申请表.pdf"}]},
        ensure_ascii=False), encoding="utf-8")
    return folder


@pytest.mark.parametrize("per_case", [False, True])
def test_the_documents_deskhand_docs_made_are_filed_with_the_case(case, tmp_path, per_case):
    from app.cases import load_case
    case_id = load_case(case).case_id
    docs = tmp_path / "docs"
    _documents_folder(docs / case_id if per_case else docs, case_id)
    _documents_folder(tmp_path / "other", "another-case")
    pkg = build_package(case, tmp_path / "o", PackOptions(docs=docs)).path
    with zipfile.ZipFile(pkg) as z:
        names = set(z.namelist())
        meta = z.read("metadata.xml").decode()
    assert {"content/documents/manifest.json", "content/documents/申请表.pdf",
            "content/documents/申请表.docx"} <= names
    assert "<格式名称>PDF</格式名称>" in meta and "<题名>申请表</题名>" in meta
    assert verify_package(pkg) == []
    other = build_package(case, tmp_path / "o2", PackOptions(docs=tmp_path / "other")).path
    with zipfile.ZipFile(other) as z:
        assert not any(n.startswith("content/documents/") for n in z.namelist())


def test_a_broken_pdf_among_the_documents_is_unusable(case, tmp_path):
    from app.cases import load_case
    docs = _documents_folder(tmp_path / "docs", load_case(case).case_id)
    (docs / "申请表.pdf").write_bytes(b"%PDF-1.7\ntruncated")
    findings = verify_package(build_package(case, tmp_path / "o", PackOptions(docs=docs)).path)
    assert [(f.prop, f.file) for f in findings] == [("usable", "content/documents/申请表.pdf")]


def test_a_ledger_path_written_relative_to_where_the_batch_ran_is_found(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = write_sample_case(Path("run") / "b-cases", 8)          # relative, as given
    ledger = Path("run") / "b.ledger"
    db = sqlite3.connect(ledger)
    db.execute("CREATE TABLE cases (key TEXT PRIMARY KEY, seq INTEGER NOT NULL, state TEXT NOT "
               "NULL, case_path TEXT)")
    db.execute("INSERT INTO cases VALUES ('k', 1, 'done', ?)", (str(path),))
    db.commit()
    db.close()
    code, out, err = run("archive", str(ledger), "-o", "o", "--json")
    assert code == 0, err
    assert [p["case_id"] for p in json.loads(out)["packages"]] == ["20261109-0008"]


def test_a_ledger_without_the_cases_table_is_a_sentence(tmp_path):
    ledger = tmp_path / "other.db"
    sqlite3.connect(ledger).execute("CREATE TABLE t (x)").connection.close()
    code, out, err = run("archive", str(ledger), "-o", str(tmp_path / "o"))
    assert code == 2 and "not a batch ledger" in err


def test_bench_tamper_found_without_a_folder():
    import importlib.util
    spec = importlib.util.spec_from_file_location("bench_archive",
                                                  Path(__file__).parents[1] / "bench" / "archive.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.tamper_found() == 3


def test_a_broken_case_in_a_folder_is_named_and_the_others_filed(tmp_path):
    write_sample_case(tmp_path / "cases", 9)
    (tmp_path / "cases" / "broken.json").write_text("{not json", encoding="utf-8")
    code, out, err = run("archive", str(tmp_path / "cases"), "-o", str(tmp_path / "o"))
    assert code == 1 and "broken.json: not packaged" in err and "Traceback" not in err
    assert len(list((tmp_path / "o").glob("*.zip"))) == 1


def test_verify_json_lists_each_finding_with_its_property(package, tmp_path):
    bad, name = drop_file(package, tmp_path / "bad.zip")
    code, out, err = run("archive", "verify", str(package), str(bad), "--json")
    doc = json.loads(out)
    assert code == 1 and [p["ok"] for p in doc["packages"]] == [True, False]
    assert doc["packages"][1]["findings"] == [
        {"property": "complete", "file": name,
         "sentence": f"{name} is listed but missing from the package."}]


def test_without_openssls_sm3_the_pure_fallback_builds_the_same_package(case, tmp_path,
                                                                        monkeypatch):
    import app.archive.sm3 as sm3
    native = build_package(case, tmp_path / "n", PackOptions()).path.read_bytes()
    monkeypatch.setattr(sm3, "_NATIVE", False)
    pure = build_package(case, tmp_path / "p", PackOptions()).path
    assert pure.read_bytes() == native and verify_package(pure) == []


def test_an_output_folder_that_cannot_be_written_is_a_sentence(case, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    code, out, err = run("archive", str(case), "-o", str(blocker / "sub"))
    assert code == 2 and "choose another folder with -o" in err and "Traceback" not in err
