"""Chinese for the fill (issue 9, item 8): the gate's refusals, a lost focus, an abort and
the fill summary are whole Chinese sentences when the language is zh_CN — in process with
`using("zh_CN")`, and through the command line with DESKHAND_LANG=zh_CN. English stays
what every other test compares (tests/conftest.py)."""
from __future__ import annotations

import dataclasses

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.cases import Case, FieldValue, load_case
from app.desktop.base import WindowInfo
from app.desktop.dummy import DummyDesktop
from app.errors import FillAbortedError, FocusLostError, NeedsPersonError, RefusedValueError
from app.fill.engine import FillOptions, plan
from app.fill.gate import confirm
from app.i18n import using
from app.logs import crash_sentence
from app.pipeline import PipelineOptions, build_pipeline
from app.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = json.loads((ROOT / "resources/samples/case-zhang-wei.json").read_text(encoding="utf-8"))
BAD_ID = "35080219900307103" + "1"      # the sample's number with a wrong check digit (X)
CLIENT = "城市审批系统 - 受理登记"


@pytest.fixture(autouse=True)
def homes(tmp_path, monkeypatch):
    for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(var, str(tmp_path / var.lower()))
    monkeypatch.delenv("DESKHAND_PRESET", raising=False)


def pipeline_with(desktop: DummyDesktop, tmp_path: Path):
    return build_pipeline(PipelineOptions(settings=Settings(), cases_dir=tmp_path / "cases",
                                          desktop_factory=lambda: desktop))


def sample_case(**changes: str) -> Case:
    values = {**SAMPLE, **changes}
    return Case("c1", "sample-qt-intake",
                {k: FieldValue(v, "ok", None, {"kind": "json"}) for k, v in values.items()})


OPTIONS = dict(wait_focus_s=0.1, abort_keys=None, failsafe=False)


# -- the gate ----------------------------------------------------------------------------
def test_a_control_character_is_refused_in_chinese_and_in_english(tmp_path):
    pb = dataclasses.replace(pipeline_with(DummyDesktop(), tmp_path).playbook("sample-qt-intake"),
                             on_invalid="fill")
    case = sample_case(applicant_name="张\x1b[31m伟")
    with using("zh_CN"), pytest.raises(RefusedValueError) as zh:
        plan(pb, case)
    assert zh.value.message == ("以下字段含有不允许录入的字符：申请人姓名（applicant_name）："
                                "U+001B (ESC)。请修改办件数据中的这些值；未输入任何内容。")
    assert zh.value.exit_code == 2 and "\x1b" not in zh.value.message
    with pytest.raises(RefusedValueError) as en:
        plan(pb, case)
    assert en.value.message.startswith("These fields hold characters that are never typed: "
                                       "申请人姓名 (applicant_name): U+001B (ESC).")


def test_a_wrong_check_digit_and_a_registry_mismatch_need_a_person_in_chinese(tmp_path):
    pb = dataclasses.replace(pipeline_with(DummyDesktop(), tmp_path).playbook("sample-qt-intake"),
                             on_invalid="fill")
    case = sample_case(id_number=BAD_ID)
    case.fields["address"].status = "mismatch"
    case.fields["address"].source["registry"] = {"value": "福建省龙岩市新罗区九一北路26号"}
    with using("zh_CN"), pytest.raises(NeedsPersonError) as caught:
        plan(pb, case)
    message = caught.value.message
    assert message.startswith("以下字段须经人工核对后才能填写：公民身份号码（id_number）："
                              "公民身份号码的校验码为“1”，但按前 17 位计算应为“X”")
    assert "；住址（address）：共享库登记的值不同（福建省龙岩市新罗区九一北路26号）" in message
    assert message.endswith("请在核对窗口中检查并勾选“我已核对”，或在命令行中用 --accept 字段名 "
                            "逐项确认；未输入任何内容。")
    assert caught.value.fields == ["id_number", "address"] and caught.value.exit_code == 1
    assert not any(word in message for word in ("need a person", "registry", "check digit"))


def test_a_field_left_empty_says_why_in_chinese(tmp_path):
    """on_invalid: field (the default): one sentence per field, in the clerk's language."""
    pb = pipeline_with(DummyDesktop(), tmp_path).playbook("sample-qt-intake")
    with using("zh_CN"):
        steps = plan(pb, sample_case(id_number=BAD_ID, applicant_name="张\x1b[31m伟"))
    why = {s.field: s.detail for s in steps if s.kind == "refused"}
    assert why["id_number"].startswith("公民身份号码（id_number）留空：公民身份号码的校验码为“1”")
    assert why["id_number"].endswith("请在核对窗口中检查并勾选“我已核对”，或用 --accept id_number "
                                     "重新填写。")
    assert why["applicant_name"] == ("申请人姓名（applicant_name）留空：含有不允许录入的字符"
                                     "（U+001B (ESC)）；请修改办件数据中的值。")


# -- the engine: a lost focus, an abort, the summary -----------------------------------
def test_a_lost_focus_is_told_in_chinese_and_kept_in_the_fill_log(tmp_path):
    desktop = DummyDesktop([WindowInfo(1, CLIENT), WindowInfo(2, "诱饵")], chunk_chars=4)
    desktop.on_chunk = lambda d: setattr(d, "focused", 2) if d.field_text[1] == "3508" else None
    pipeline = pipeline_with(desktop, tmp_path)
    pb = pipeline.playbook("sample-qt-intake")
    case = sample_case()
    step = next(s.index for s in plan(pb, case) if s.field == "id_number") + 1
    path = tmp_path / "case.json"
    with using("zh_CN"), pytest.raises(FocusLostError) as caught:
        pipeline.fill(pb, case, path, FillOptions(**OPTIONS))
    expected = ("输入已停止：在输入 id_number 时（已输入 4 个字符），焦点移到了“诱饵”。"
                "没有向其他窗口输入任何内容；办件数据已保留。请检查审批系统，然后用 "
                f"--start-step {step} 继续填写。")
    assert caught.value.message == expected and caught.value.typed == 4
    assert desktop.received[2] == []
    assert load_case(path).fills[-1]["message"] == expected


def test_an_abort_is_told_in_chinese(tmp_path):
    desktop = DummyDesktop()
    pipeline = pipeline_with(desktop, tmp_path)
    pb = pipeline.playbook("sample-qt-intake")
    options = FillOptions(**OPTIONS)
    options.abort_event = __import__("threading").Event()
    desktop.on_chunk = lambda d: options.abort_event.set()
    with using("zh_CN"), pytest.raises(FillAbortedError) as caught:
        pipeline.fill(pb, sample_case(), tmp_path / "c.json", options)
    assert caught.value.message == ("输入已停止（原因：中止按钮），停在字段 applicant_name；"
                                    "办件数据已保留。")


def test_the_fill_summary_in_chinese_and_in_english(tmp_path):
    desktop = DummyDesktop()
    desktop.copy_transform = lambda s: s if s != "汉族" else "汉"   # the client cuts one field
    pipeline = pipeline_with(desktop, tmp_path)
    pb = pipeline.playbook("sample-qt-intake")
    case = sample_case(email="", remarks="")
    report = pipeline.fill(pb, case, tmp_path / "c.json", FillOptions(**OPTIONS))
    assert report.readback_ok == 8 and report.differs == ["ethnicity"]
    with using("zh_CN"):
        assert report.summary() == ("11 个字段中有 8 个经回读确认；1 个不一致（ethnicity）；"
                                    "2 个从列表中选择，未回读，请目视核对（gender、matter）；"
                                    "2 个留空（email、remarks）。")
    assert report.summary() == ("8 of 11 fields confirmed by reading them back; "
                                "1 differ (ethnicity); 2 chosen from a list, not read back: "
                                "check by eye (gender, matter); 2 left empty (email, remarks).")


def test_the_crash_sentence_in_chinese():
    with using("zh_CN"):
        said = crash_sentence(RecursionError(), Path("/tmp/deskhand.log"))
    assert said == ("窗口助手已停止：输入数据嵌套层级过深，无法读取。未再输入任何内容，"
                    "办件数据文件均已保留。详细信息见 /tmp/deskhand.log。请将此信息转告信息科。")


# -- the command line ---------------------------------------------------------------------
def _fill(tmp_path: Path, *args: str, **values: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if k not in ("LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "DESKHAND_PRESET")}
    env.update({var: str(tmp_path / var.lower()) for var in
                ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME")})
    env.update(PYTHONPATH=str(ROOT), DESKHAND_LANG="zh_CN", DESKHAND_DESKTOP="dummy")
    sets = [f"--set={k}={v}" for k, v in {**SAMPLE, **values}.items()]
    return subprocess.run([sys.executable, "-m", "app.cli", "fill", "sample-qt-intake", *sets,
                           *args], capture_output=True, text=True, encoding="utf-8",
                          timeout=120, cwd=ROOT, env=env)


def test_the_command_line_refuses_in_chinese_and_summarises_in_chinese(tmp_path):
    bad = _fill(tmp_path, "--dry-run", id_number=BAD_ID)
    assert bad.returncode == 1, bad.stderr
    assert "公民身份号码（id_number）留空：公民身份号码的校验码为“1”" in bad.stderr
    assert "need a person" not in bad.stderr and "Traceback" not in bad.stderr

    control = _fill(tmp_path, "--dry-run", applicant_name="张\x1b[31m伟")
    assert control.returncode == 1, control.stderr
    assert "申请人姓名（applicant_name）留空：含有不允许录入的字符（U+001B (ESC)）" in control.stderr
    assert "\x1b" not in control.stdout + control.stderr

    done = _fill(tmp_path, "--yes", email="", remarks="")
    assert done.returncode == 0, done.stderr
    assert "11 个字段中有 9 个经回读确认；2 个从列表中选择，未回读，请目视核对（gender、matter）；2 个留空（email、remarks）。" in done.stdout
