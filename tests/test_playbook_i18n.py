"""The playbook errors in Chinese: playbooks/ cannot import app/ (DESIGN.md §3), so its
sentences go through the hook in playbooks/text.py, which app/i18n.py fills when it is
imported. With app/ loaded they follow the chosen language (`deskhand check`, the tray's
tooltip for a broken playbook); playbooks/ used alone stays English."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import app.i18n  # noqa: F401 - installs the translator into playbooks/text.py
from app.i18n import using
from playbooks import text
from playbooks.errors import DeskhandError, PlaybookErrors
from playbooks.loader import load_playbook_text

ROOT = Path(__file__).resolve().parents[1]

# A valid playbook; the cases below break one thing in it.
BASE = """\
deskhand: 1
id: t
name: 测试
target:
  title: "城市审批*"
fields:
  - name: applicant_name
  - name: gender
    type: choice
    choices: [男, 女]
fill:
  - type: applicant_name
  - choose: {field: gender, options: {男: space, 女: [right, space]}}
"""
NESTED = "a: " + "[" * 30 + "]" * 30 + "\n"
CASES = {
    "unknown-key": (BASE.replace("    type: choice", "    lable: 性别\n    type: choice"), [
        (9, "字段“gender”中有未知的键“lable”（是否要写“label”？）")],
        "unknown key 'lable' in field 'gender' (did you mean 'label'?)"),
    "catch-all-target": (BASE.replace('title: "城市审批*"', 'title: "*"'), [
        (5, "目标窗口（target）可能匹配任何窗口，Deskhand 可能把办件数据输入当前有焦点的任意窗口："
            "title“*”没有任何固定文字，可匹配任何标题；请写出每个匹配标题都必须包含的至少 3 个"
            "字母、数字或汉字（例如 title: \"城市审批系统*\"），或写出完整的窗口标题或程序名")],
        "target could match any window"),
    "nested-too-deep": (NESTED, [
        (1, "此处的值嵌套超过 20 层；业务流程只需 7 层，该文件已损坏或不是应有的文件")],
        "values are nested more than 20 levels deep here"),
    "bad-regex": (BASE.replace('title: "城市审批*"', 'title_regex: "(城市审批"'), [
        (5, "title_regex“(城市审批”不是有效的正则表达式：缺少“)”，分组没有闭合（位置 0）")],
        "title_regex '(城市审批' is not a valid regular expression: missing ), unterminated "
        "subpattern at position 0"),
    "missing-field": (BASE + "  - type: adress\n", [
        (14, "第 3 步输入字段“adress”，但 fields 中没有声明该字段")],
        "step 3 types field 'adress', which is not declared in fields"),
    "verify-field": (BASE + "verify:\n  - lookup: city.person\n    confirm: {applicant_nmae: exact}\n", [
        (16, "查询“city.person”的“confirm”引用了字段“applicant_nmae”，但业务流程中没有声明该"
             "字段（是否要写“applicant_name”？）")],
        "'confirm' of look-up 'city.person' names the field 'applicant_nmae', which the "
        "playbook does not declare (did you mean 'applicant_name'?)"),
}


def problems(text_: str) -> list[tuple[int, str]]:
    with pytest.raises(PlaybookErrors) as info:
        load_playbook_text(text_, "p.yaml")
    return [(e.line, e.message) for e in info.value.errors]


@pytest.mark.parametrize("name", CASES)
def test_a_playbook_error_in_chinese_and_in_english(name):
    source, chinese, english = CASES[name]
    with using("zh_CN"):
        assert problems(source) == chinese
        with pytest.raises(PlaybookErrors) as info:
            load_playbook_text(source, "p.yaml")
    # `file:line: message` stays as it is: the file's name and line number, then the Chinese
    assert str(info.value) == "\n".join(f"p.yaml:{line}: {message}" for line, message in chinese)
    [(line, message)] = problems(source)            # the default in tests is English
    assert line == chinese[0][0] and english in message


def test_a_key_name_error_inside_another_sentence_and_a_yaml_syntax_error():
    with using("zh_CN"):
        [(_line, key)] = problems(BASE + "  - key: ctrll+a\n")
        [(line, yaml_error)] = problems("a: [1, 2\nb: 3\n")
        [(_line, tabs)] = problems("a: 1\n\tb: 2\n")
    assert key == ("第 3 步中的“ctrll+a”不是有效的按键：“ctrll+a”中的“ctrll”不是修饰键（ctrl、shift、"
                   "alt、super）（是否要写“ctrl+a”？）")
    assert line == 2 and yaml_error == ("文件不是有效的 YAML：此处应为 ',' 或 ']'，实际为 ':'"
                                        "（解析方括号中的列表时，该处从第 1 行开始）")
    assert tabs.endswith("；请用空格缩进，不要用制表符（Tab）")


def test_values_from_the_file_are_still_escaped_and_cut_in_chinese():
    """A control character from the file is shown as an escape and a long value cut, as
    in English: the message stays on one line whatever the file holds."""
    long_name = "x" * 5000
    with using("zh_CN"):
        [(_line, escaped)] = problems(BASE.replace("- name: applicant_name",
                                                   "- {name: applicant_name, \"la\\e[31mbel\": x}"))
        [(_line, cut)] = problems(BASE.replace("  - name: applicant_name\n",
                                               f"  - name: applicant_name\n    type: {long_name}\n"))
    assert "\x1b" not in escaped and escaped.startswith("字段“applicant_name”中有未知的键“la\\x1b[31mbel”")
    assert len(cut) < 700 and "…" in cut and cut.startswith("字段“applicant_name”的类型“xxx")


def test_the_context_of_an_error_in_chinese():
    err = DeskhandError("号码有误。", playbook="city-intake", step=2, field="phone")
    with using("zh_CN"):
        assert str(err) == "号码有误。（业务流程 city-intake、第 3 步、字段 phone）"
    assert str(DeskhandError("Bad.", playbook="city-intake", step=2, field="phone")) == \
        "Bad. (playbook city-intake, step 3, field phone)"


def test_the_hook_is_app_i18n_and_falls_back_to_english():
    assert text.installed().gettext is app.i18n._
    try:
        text.install(None)
        with using("zh_CN"):
            assert text._("field {field}", field="x") == "field x"
    finally:
        text.install(text.Translator(app.i18n._, app.i18n.n_, app.i18n.join))
    with using("zh_CN"):
        assert text._("field {field}", field="x") == "字段 x"


# -- through the programs -----------------------------------------------------------------
def _env(**extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items()
            if k not in ("LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "DESKHAND_LANG")}
    return {**base, "PYTHONPATH": str(ROOT), **extra}


def test_deskhand_check_prints_playbook_errors_in_chinese(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text(CASES["unknown-key"][0].replace('title: "城市审批*"', 'title: "*"'),
                      encoding="utf-8")
    good = ROOT / "playbooks" / "library" / "sample-qt-intake.yaml"

    def check(**env: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "app.cli", "check", str(broken), str(good)],
                              capture_output=True, text=True, encoding="utf-8", timeout=120,
                              cwd=ROOT, env=_env(**env))

    zh = check(DESKHAND_LANG="zh_CN", LANG="C")
    assert zh.returncode == 2, zh.stderr
    assert zh.stderr.splitlines() == [
        f"{broken}:5: 目标窗口（target）可能匹配任何窗口，Deskhand 可能把办件数据输入当前有焦点的"
        "任意窗口：title“*”没有任何固定文字，可匹配任何标题；请写出每个匹配标题都必须包含的至少 3 "
        "个字母、数字或汉字（例如 title: \"城市审批系统*\"），或写出完整的窗口标题或程序名",
        f"{broken}:9: 字段“gender”中有未知的键“lable”（是否要写“label”？）"]
    assert "正确" in zh.stdout and "Traceback" not in zh.stderr
    en = check(LANG="C")
    assert en.returncode == 2
    assert f"{broken}:9: unknown key 'lable' in field 'gender' (did you mean 'label'?)" in en.stderr


def test_playbooks_alone_stay_english_whatever_the_locale(tmp_path):
    """A program that uses only playbooks/ (app/ cannot even be imported here) reads the
    same broken playbook in English, though the locale and $DESKHAND_LANG ask for Chinese."""
    broken = tmp_path / "broken.yaml"
    broken.write_text(CASES["missing-field"][0], encoding="utf-8")
    script = textwrap.dedent(f"""
        import sys
        sys.modules["app"] = None          # any import of app/ fails from here on
        from playbooks.errors import PlaybookErrors
        from playbooks.loader import load_playbook
        try:
            load_playbook({str(broken)!r})
        except PlaybookErrors as e:
            print(e)
        print(sorted(m for m, module in sys.modules.items()
                     if module is not None and (m == "app" or m.startswith("app."))))
    """)
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                       encoding="utf-8", timeout=60, cwd=tmp_path,
                       env=_env(LANG="zh_CN.UTF-8", DESKHAND_LANG="zh_CN"))
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        f"{broken}:14: step 3 types field 'adress', which is not declared in fields", "[]"]
