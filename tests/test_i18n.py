"""Chinese for the sentences made outside the windows (app/i18n.py): the catalogue is
complete, the checks, registries and command line speak the chosen language, and the
review shows a check's problem in Chinese when the windows are in Chinese."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest

from app import i18n
from app.checks import check_value
from app.errors import RegistryAuthError, RegistryConfigError
from app.i18n import _, language, language_from_environment, n_, set_language, using

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "installer"))
import update_messages  # noqa: E402

BAD_ID = "110105194912310021"          # check digit wrong: X expected
GOOD_ID = "11010519491231002X"


# -- (a) the catalogue ------------------------------------------------------------------
def test_every_marked_sentence_has_a_translation_and_the_catalogue_nothing_stale():
    """Run `python installer/update_messages.py` after marking new sentences, then
    translate the empty msgstr lines it added; this test lists what is left."""
    found = update_messages.scan()
    assert len(found.messages) > 200      # the scan sees the code (checks, registry, vault…)
    assert found.mistakes == []
    for lang in i18n.LANGUAGES:
        if lang == i18n.SOURCE_LANGUAGE:
            continue
        text = i18n.catalogue_path(lang).read_text(encoding="utf-8")
        assert update_messages.check(found, lang, text) == []


def test_the_check_finds_what_is_wrong(tmp_path):
    """The completeness check can fail: an untranslated, a stale, a fuzzy entry, a
    placeholder lost in translation, an f-string and a hidden translator."""
    module = tmp_path / "app" / "m.py"
    module.parent.mkdir()
    module.write_text(
        "from app.i18n import _, n_\n"
        "a = _('Kept {name}.', name=1)\n"
        "b = _('New.')\n"
        "c = _(f'Built {a}')\n"
        "d = n_('{n} file', '{n} files', 2, n=2)\n"
        "e = _('Unsure.')\n"
        "for _ in range(2):\n    pass\n", encoding="utf-8")
    found = update_messages.scan(tmp_path, ("app",))
    assert list(found.messages) == ["Kept {name}.", "New.", ("{n} file", "{n} files"), "Unsure."]
    assert [m.split(": ", 1)[0] for m in found.mistakes] == ["app/m.py:4", "app/m.py:7"]
    po = ('msgid "Kept {name}."\nmsgstr "保留{nom}。"\n\n'
          'msgid "{n} file"\nmsgid_plural "{n} files"\nmsgstr[0] "{n} 个文件"\n\n'
          '#, fuzzy\nmsgid "Unsure."\nmsgstr "不确定。"\n\n'
          'msgid "Gone."\nmsgstr "已删除。"\n')
    problems = update_messages.check(found, "zh_CN", po)
    assert len(problems) == 4, problems
    assert problems[0].startswith("placeholders ['{nom}'] in the translation, ['{name}']")
    assert problems[1].startswith("not in the catalogue: 'New.'")
    assert problems[2].startswith("fuzzy: 'Unsure.'")
    assert problems[3] == "stale (no longer in the code): 'Gone.'"


def test_the_scan_reads_playbooks_marked_with_their_own_translator(tmp_path):
    """playbooks/ marks its sentences with playbooks/text.py's `_`, `n_`, `N_` (it may not
    import app/): they are found, and checked, exactly like app's."""
    module = tmp_path / "playbooks" / "m.py"
    module.parent.mkdir()
    module.write_text(
        "from playbooks.text import N_, _, n_\n"
        "A = N_('two')\n"
        "b = _('unknown key {name}', name='x')\n"
        "c = n_('{n} letter', '{n} letters', 2, n=2)\n"
        "d = _(f'glued {b}')\n"
        "for k, _ in {}.items():\n    pass\n", encoding="utf-8")
    (tmp_path / "playbooks" / "plain.py").write_text("from gettext import gettext as _\n"
                                                     "x = _('not ours')\n", encoding="utf-8")
    found = update_messages.scan(tmp_path, ("playbooks",))
    assert list(found.messages) == ["two", "unknown key {name}", ("{n} letter", "{n} letters")]
    assert [m.split(": ", 1)[0] for m in found.mistakes] == ["playbooks/m.py:5", "playbooks/m.py:6"]
    real = update_messages.scan()
    assert real.messages["unknown key '{name}' in {what}{suggestion}"] == ["playbooks/loader.py"]
    assert "playbooks/yaml_limits.py" in real.messages[
        "values are nested more than {depth} levels deep here; a playbook needs 7, so this "
        "file is damaged or not what it should be"]


def test_the_catalogue_written_back_keeps_every_translation(tmp_path):
    found = update_messages.scan()
    text = i18n.catalogue_path("zh_CN").read_text(encoding="utf-8")
    assert update_messages.render(found, "zh_CN", text) == text
    assert i18n.read_po(text) == i18n.read_po(update_messages.render(found, "zh_CN", text))


def test_po_reader_reads_escapes_continuations_and_refuses_garbage():
    cat = i18n.read_po('msgid ""\nmsgstr "Language: zh_CN\\n"\n\n'
                       'msgid "A \\"quoted\\"\\n"\n"line"\nmsgstr "一行\\t"\n"二"\n')
    assert cat == {'A "quoted"\nline': "一行\t二"}
    with pytest.raises(ValueError, match="line 2"):
        i18n.read_po('msgid "x"\nmsgstr x\n')
    with pytest.raises(ValueError, match="line 1"):
        i18n.read_po('msgstr "x"\n')


# -- choosing the language --------------------------------------------------------------
@pytest.mark.parametrize("env, expected", [
    ({"LANG": "zh_CN.UTF-8"}, "zh_CN"),
    ({"LANG": "zh_TW.UTF-8"}, "zh_CN"),
    ({"LANG": "C.UTF-8"}, "en"),
    ({"LANG": "en_US.UTF-8"}, "en"),
    ({}, "en"),
    ({"LC_ALL": "C", "LANG": "zh_CN.UTF-8"}, "en"),            # LC_ALL wins
    ({"LC_MESSAGES": "zh_CN.UTF-8", "LANG": "C"}, "zh_CN"),     # then LC_MESSAGES
    ({"LC_ALL": "", "LC_MESSAGES": "", "LANG": "zh_SG"}, "zh_CN"),
    ({"DESKHAND_LANG": "zh_CN", "LC_ALL": "C"}, "zh_CN"),       # the override wins
    ({"DESKHAND_LANG": "en", "LANG": "zh_CN.UTF-8"}, "en"),
])
def test_the_language_follows_the_environment(env, expected):
    assert language_from_environment(env, platform="linux") == expected


def test_the_setting_is_process_wide_and_using_restores_it():
    seen = []
    with using("zh_CN"):
        t = threading.Thread(target=lambda: seen.append((language(), _("The value is empty."))))
        t.start()
        t.join()
    assert seen == [("zh_CN", "该项为空。")]
    assert language() == "en" and _("The value is empty.") == "The value is empty."
    assert set_language("zh-Hans") == "zh_CN" and set_language("de_DE") == "en"


def test_plurals_and_a_translation_that_cannot_be_filled(monkeypatch):
    assert n_("{n} file", "{n} files", 1, n=1) == "1 file"
    assert n_("{n} file", "{n} files", 3, n=3) == "3 files"
    monkeypatch.setitem(i18n._catalogues, "zh_CN", {"Kept {name}.": "保留{nom}。",
                                                    ("{n} file", "{n} files"): ("{n} 个文件",)})
    with using("zh_CN"):
        assert n_("{n} file", "{n} files", 3, n=3) == "3 个文件"
        assert _("Kept {name}.", name="x") == "Kept x."     # English rather than a crash
        assert _("Not in the catalogue.") == "Not in the catalogue."


# -- (b) checks and registries ----------------------------------------------------------
def test_a_check_problem_in_chinese_and_in_english():
    with using("zh_CN"):
        zh = check_value("id_number", BAD_ID)
        phone = check_value("phone", "12345")
        fixed = check_value("id_number", GOOD_ID[:13] + "I" + GOOD_ID[14:])
    en = check_value("id_number", BAD_ID)
    assert zh.status == en.status == "invalid"
    assert zh.problems == ["公民身份号码的校验码为“1”，但按前 17 位计算应为“X”；有数字识别错误或录入错误。"]
    assert en.problems == ["The check digit of the ID number is '1' but the first 17 digits give "
                           "'X'; a digit was misread or mistyped."]
    assert phone.problems == ["手机号码应为 11 位，此号码有 5 位。"]
    assert fixed.status == "corrected" and fixed.warnings == ["第 14 位识别为“I”，已按“1”采用，校验码验证无误。"]


def test_a_registry_error_in_chinese_and_in_english(tmp_path):
    missing = tmp_path / "registries.yaml"
    from app.registry.settings import load_registry_settings, parse_registry_settings
    for lang, words in (("zh_CN", "共享库配置文件"), ("en", "The registry settings file")):
        with using(lang), pytest.raises(RegistryConfigError) as err:
            load_registry_settings(missing)
        assert err.value.message.startswith(words) and str(missing) in err.value.message
    with using("zh_CN"), pytest.raises(RegistryConfigError) as err:
        parse_registry_settings({"registries": {"city": {"base_url": "ftp://x", "endpoints": {}}}})
    assert err.value.message.startswith("共享库配置有 2 处问题，请联系信息科修正：\n  ")
    assert "registries.city.base_url: 应以 https://" in err.value.message

    from app.registry.client import RegistryClient
    reg = parse_registry_settings({"registries": {"city": {
        "base_url": "https://gateway.example", "auth": {"scheme": "bearer", "credential": "c"},
        "endpoints": {"person": {"path": "/p/{id_number}", "map": {"name": "data.xm"}}}}}})
    refuse = httpx.MockTransport(lambda request: httpx.Response(401, json={"message": "bad token"}))
    with RegistryClient(reg, secrets=lambda name: "t", transport=refuse) as client:
        with using("zh_CN"):
            answer = client.lookup("city.person", {"id_number": GOOD_ID})
    assert isinstance(answer.error, RegistryAuthError)
    assert answer.error.message == ("共享库“city”拒绝了窗口助手的凭据（401: bad token）；"
                                    "请联系信息科核查凭据 c 及密钥编号。")


# -- (c) the command line follows the locale --------------------------------------------
def _cli(*args: str, **env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items()
            if k not in ("LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "DESKHAND_LANG")}
    return subprocess.run([sys.executable, "-m", "app.cli", *args], capture_output=True,
                          text=True, encoding="utf-8", timeout=120, cwd=ROOT,
                          env={**base, "PYTHONPATH": str(ROOT), **env})


def test_the_command_line_speaks_chinese_when_lang_is_chinese(tmp_path):
    from PIL import Image
    blank = tmp_path / "blank.png"
    Image.new("RGB", (856, 540), "white").save(blank)
    case = tmp_path / "case.json"
    args = ("capture", "idcard-to-qt-intake", "--image", str(blank), "--offline", "-o", str(case))
    zh = _cli(*args, LANG="zh_CN.UTF-8")
    assert zh.returncode == 3, zh.stderr
    assert "未能从来源中识别出任何文字" in zh.stderr and "No text" not in zh.stderr
    assert "Traceback" not in zh.stderr
    en = _cli(*args, LANG="C")
    assert en.returncode == 3 and "No text could be read on the source" in en.stderr
    assert not case.exists()


def test_the_command_line_takes_lc_all_first_and_deskhand_lang_over_all():
    assert _cli("vault", "get", "", LC_ALL="C", LANG="zh_CN.UTF-8").stderr.strip() == \
        "A credential name is needed, e.g. registry.population.secret."
    r = _cli("vault", "get", "", LANG="C", DESKHAND_LANG="zh_CN")
    assert r.returncode == 2 and r.stderr.strip() == "需要填写凭据名称，如 registry.population.secret。"


# -- (d) the review shows the core's Chinese when the windows are Chinese ---------------
def test_the_review_shows_a_check_problem_in_chinese(qtbot, qapp):
    from PIL import Image
    from test_review_dialog import PLAYBOOK, all_ok_case, open_dialog

    from app.ui.i18n import install
    from playbooks.loader import load_playbook_text
    translations = install(qapp, "zh_CN")       # as the tray does from settings.language
    try:
        assert language() == "zh_CN"           # the core follows the windows' switch
        pb = load_playbook_text(PLAYBOOK, "review-test.yaml")
        dialog, _rec = open_dialog(qtbot, all_ok_case(), pb, Image.new("RGB", (800, 400), "white"))
        row = dialog.rows["id_number"]
        row.reveal.click()
        row.edit.clear()
        qtbot.keyClicks(row.edit, BAD_ID)
        assert row.chip.status == "invalid" and row.chip.text() == row.tr("Invalid")
        assert "公民身份号码的校验码为“1”" in row.note.text()
        translations.switch("en")
        qtbot.keyClick(row.edit, "9")          # checked again, now in English
        assert "The ID number has 19 characters" in row.note.text()
    finally:
        translations.switch("en")
    assert language() == "en"


def test_a_chinese_sentence_still_masks_the_numbers_it_holds():
    from app.privacy import mask_text
    with using("zh_CN"):
        said = _("The source says '{value}' but {lookup} holds '{registry}'; ask the applicant "
                 "which is right.", value=BAD_ID, lookup="reference.person", registry=GOOD_ID)
    assert said.startswith("来源为“") and BAD_ID in said
    masked = mask_text(said)
    assert BAD_ID not in masked and GOOD_ID not in masked and "1101**********0021" in masked


def test_a_language_switch_restarts_an_idle_fill_worker_in_the_new_language():
    """The worker reads $DESKHAND_LANG once, at start (app/ui/app.py)."""
    from types import SimpleNamespace

    from app.ui.app import _worker_language

    class Worker:
        def __init__(self) -> None:
            self.env, self.pid, self.calls = {"DESKHAND_LANG": "zh_CN"}, 101, []

        def close(self) -> None:
            self.calls.append("close")

        def start(self) -> None:
            self.calls.append(("start", self.env["DESKHAND_LANG"]))

    idle, filling = Worker(), Worker()
    _worker_language(SimpleNamespace(state=SimpleNamespace(busy=None)), idle, "en")
    _worker_language(SimpleNamespace(state=SimpleNamespace(busy="fill")), filling, "en")
    assert idle.calls == ["close", ("start", "en")]
    assert filling.calls == [] and filling.env["DESKHAND_LANG"] == "en"   # at its next start
