"""The settings dialog and the translations, in process on Qt's offscreen platform
(tests/conftest.py gives pytest-qt's QApplication `-platform offscreen`)."""
from __future__ import annotations

import importlib.util
import logging
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

pytest.importorskip("pytestqt")

from PySide6.QtCore import Qt, QTimer  # noqa: E402
from PySide6.QtGui import QKeySequence  # noqa: E402
from PySide6.QtWidgets import (QApplication, QCheckBox, QComboBox, QDialog, QDialogButtonBox,  # noqa: E402
                               QInputDialog, QKeySequenceEdit, QLabel, QLineEdit, QListWidget,
                               QPushButton, QWidget)

from app.errors import VaultUnavailableError  # noqa: E402
from app.settings import DEFAULT_HOTKEYS, Settings, SettingsStore  # noqa: E402
from app.ui import i18n  # noqa: E402
from playbooks.keys import parse_combo  # noqa: E402
from app.ui.i18n import Translations  # noqa: E402
from app.ui.settings_dialog import (SettingsDialog, hotkey_to_sequence,  # noqa: E402
                                    sequence_to_hotkey)

ROOT = Path(__file__).resolve().parents[1]
SECRET = "tok-绝密-5a7c9e"
LOCKED_TIP = "由信息科统一设置"


@pytest.fixture(scope="session")
def qapp_args() -> list[str]:
    """As tests/conftest.py has it: this module does not depend on that file."""
    return ["deskhand-tests", "-platform", "offscreen"]


class FakeVault:
    def __init__(self, stored: set[str] | None = None, broken: bool = False) -> None:
        self.stored = set(stored or ())
        self.sets: list[tuple[str, str]] = []
        self.broken = broken

    def has(self, name: str) -> bool:
        if self.broken:
            raise VaultUnavailableError("No keyring: install gnome-keyring and log in again.")
        return name in self.stored

    def set(self, name: str, secret: str) -> None:
        self.sets.append((name, secret))
        self.stored.add(name)


def registries() -> dict[str, Any]:
    return {"city": {"base_url": "https://gateway.city.gov.cn/share", "timeout_s": 2.5,
                     "auth": {"scheme": "bearer", "credential": "registry.city.token"},
                     "endpoints": {"person": {"path": "/persons/{id_number}",
                                              "map": {"applicant_name": "data.xm"}}}}}


@pytest.fixture
def translations(qapp: QApplication, tmp_path: Path) -> Iterator[Translations]:
    t = Translations(qapp, cache_dir=tmp_path / "cache")
    assert t.switch("zh_CN")                 # the default language
    yield t
    t.switch("en")                            # leave the shared QApplication untranslated


@pytest.fixture
def store(tmp_path: Path) -> SettingsStore:
    return SettingsStore(tmp_path / "config" / "settings.yaml", tmp_path / "preset.yaml")


def open_dialog(qtbot: Any, store: SettingsStore, vault: FakeVault | None = None) -> SettingsDialog:
    dialog = SettingsDialog(store, vault or FakeVault())
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def child(dialog: QWidget, kind: type, name: str) -> Any:
    found = dialog.findChild(kind, name)
    assert found is not None, name
    return found


def ok(qtbot: Any, dialog: SettingsDialog) -> None:
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok),
                     Qt.MouseButton.LeftButton)


# ------------------------------------------------------------------ showing, locking
def test_shows_current_values(qtbot: Any, translations: Translations, store: SettingsStore) -> None:
    store.save(Settings(ocr_engine="easyocr", playbook_dirs=["/srv/公积金"],
                        hotkeys={**DEFAULT_HOTKEYS, "fill": "Ctrl+Alt+PageDown"},
                        registries=registries(), on_outage="stop"))
    d = open_dialog(qtbot, store, FakeVault({"registry.city.token"}))
    assert child(d, QComboBox, "language").currentData() == "zh_CN"
    assert child(d, QComboBox, "ocr_engine").currentData() == "easyocr"
    folders = child(d, QListWidget, "playbook_dirs")
    assert [folders.item(i).text() for i in range(folders.count())][1:] == ["/srv/公积金"]
    assert sequence_to_hotkey(child(d, QKeySequenceEdit, "hotkey_fill").keySequence()) == \
        "Ctrl+Alt+PageDown"
    assert child(d, QLineEdit, "base_url").text() == "https://gateway.city.gov.cn/share"
    assert child(d, QComboBox, "auth_scheme").currentData() == "bearer"
    assert child(d, QLineEdit, "credential").text() == "registry.city.token"
    assert child(d, QLabel, "credential_status").text() == "已保存在系统密钥环中。"
    assert child(d, QComboBox, "on_outage").currentData() == "stop"
    ok(qtbot, d)                                   # nothing changed: nothing refused
    assert d.result() == QDialog.DialogCode.Accepted and d.error_text() == ""
    assert store.load().registries == registries()


def test_locked_keys_are_disabled_with_a_tip(qtbot: Any, translations: Translations,
                                             store: SettingsStore, tmp_path: Path) -> None:
    (tmp_path / "preset.yaml").write_text(yaml.safe_dump(
        {"settings": {"registries": registries(), "hotkeys": {"fill": "Ctrl+Alt+F"}},
         "locked": ["registries", "hotkeys.fill", "language"]}), encoding="utf-8")
    d = open_dialog(qtbot, store)
    for kind, name in [(QComboBox, "language"), (QKeySequenceEdit, "hotkey_fill"),
                       (QLineEdit, "base_url"), (QComboBox, "auth_scheme"),
                       (QPushButton, "import_registries"), (QPushButton, "remove_registry")]:
        w = child(d, kind, name)
        assert not w.isEnabled() and w.toolTip() == LOCKED_TIP, name
    for kind, name in [(QComboBox, "ocr_engine"), (QKeySequenceEdit, "hotkey_capture"),
                       (QPushButton, "set_credential")]:   # the secret is this PC's own
        assert child(d, kind, name).isEnabled(), name
    child(d, QComboBox, "ocr_engine").setCurrentIndex(
        child(d, QComboBox, "ocr_engine").findData("rapidocr-v4"))
    ok(qtbot, d)
    assert d.result() == QDialog.DialogCode.Accepted, d.error_text()
    assert yaml.safe_load(store.user_path.read_text()) == {"ocr_engine": "rapidocr-v4"}


# ------------------------------------------------------------------ editing
def test_edits_are_saved(qtbot: Any, translations: Translations, store: SettingsStore,
                         monkeypatch: pytest.MonkeyPatch) -> None:
    store.save(Settings(registries=registries()))
    monkeypatch.setattr(SettingsDialog, "_choose_folder", lambda self: "/srv/不动产")
    d = open_dialog(qtbot, store)
    saved: list[Settings] = []
    d.settingsSaved.connect(saved.append)
    engine = child(d, QComboBox, "ocr_engine")
    engine.setCurrentIndex(engine.findData("rapidocr-v4"))
    qtbot.mouseClick(child(d, QPushButton, "add_folder"), Qt.MouseButton.LeftButton)
    capture = child(d, QKeySequenceEdit, "hotkey_capture")
    capture.setFocus()
    qtbot.keyClick(capture, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.AltModifier)
    url = child(d, QLineEdit, "base_url")
    url.clear()
    qtbot.keyClicks(url, "https://share.example.gov.cn/v2")
    child(d, QComboBox, "auth_scheme").setCurrentIndex(
        child(d, QComboBox, "auth_scheme").findData("api-key"))
    ok(qtbot, d)
    assert d.result() == QDialog.DialogCode.Accepted, d.error_text()
    s = store.load()
    assert s.ocr_engine == "rapidocr-v4" and s.playbook_dirs == ["/srv/不动产"]
    assert s.hotkeys["capture"] == "Ctrl+Alt+K"
    city = s.registries["city"]
    assert city["base_url"] == "https://share.example.gov.cn/v2"
    assert city["auth"] == {"scheme": "api-key", "credential": "registry.city.token"}
    assert city["timeout_s"] == 2.5 and city["endpoints"] == registries()["city"]["endpoints"]
    assert saved == [s]


def test_folder_remove_keeps_the_library(qtbot: Any, translations: Translations,
                                         store: SettingsStore) -> None:
    store.save(Settings(playbook_dirs=["/a", "/b"]))
    d = open_dialog(qtbot, store)
    folders, remove = child(d, QListWidget, "playbook_dirs"), child(d, QPushButton, "remove_folder")
    folders.setCurrentRow(0)
    assert not remove.isEnabled()                   # the shipped library stays
    folders.setCurrentRow(1)
    qtbot.mouseClick(remove, Qt.MouseButton.LeftButton)
    ok(qtbot, d)
    assert store.load().playbook_dirs == ["/b"]


@pytest.mark.parametrize("keys, message", [
    ("Ctrl+Alt+V", "与“填写”的快捷键相同"),
    ("K", "快捷键须包含 Ctrl 或 Alt"),
    ("Ctrl+Alt+F13", "无法使用 Ctrl+Alt+F13 作为快捷键"),
    ("", "请按下组合键"),
])
def test_bad_hotkey_is_refused_with_a_message(qtbot: Any, translations: Translations,
                                              store: SettingsStore, keys: str, message: str) -> None:
    d = open_dialog(qtbot, store)
    child(d, QKeySequenceEdit, "hotkey_capture").setKeySequence(
        QKeySequence.fromString(keys, QKeySequence.SequenceFormat.PortableText))
    problem = child(d, QLabel, "hotkey_capture_problem")
    assert message in problem.text() and not problem.isHidden()   # told at once
    ok(qtbot, d)
    assert d.isVisible() and d.result() != QDialog.DialogCode.Accepted
    assert message in d.error_text() and "采集" in d.error_text()
    assert d.tabs.currentWidget() is d.hotkeys
    assert not store.user_path.exists()


def test_backend_hotkey_problem_is_shown(qtbot: Any, translations: Translations,
                                         store: SettingsStore) -> None:
    d = open_dialog(qtbot, store)
    d.show_hotkey_problem("fill", "另一个程序已占用 Ctrl+Alt+V")
    problem = child(d, QLabel, "hotkey_fill_problem")
    assert problem.text() == "另一个程序已占用 Ctrl+Alt+V" and not problem.isHidden()
    assert d.tabs.currentWidget() is d.hotkeys
    child(d, QKeySequenceEdit, "hotkey_fill").setKeySequence(QKeySequence("Ctrl+Alt+B"))
    assert problem.isHidden()                        # another key: the old problem is gone


def test_save_error_stays_in_the_dialog(qtbot: Any, translations: Translations,
                                        tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    store = SettingsStore(tmp_path / "file" / "settings.yaml")   # its folder is a file
    d = open_dialog(qtbot, store)
    child(d, QComboBox, "ocr_engine").setCurrentIndex(1)
    ok(qtbot, d)
    assert d.isVisible() and "设置未保存" in d.error_text()
    assert str(tmp_path / "file") in d.error_text()


def test_broken_preset_is_shown_and_nothing_saved(qtbot: Any, translations: Translations,
                                                  store: SettingsStore, tmp_path: Path) -> None:
    (tmp_path / "preset.yaml").write_text("locked: registries\n")
    d = open_dialog(qtbot, store)
    assert "preset.yaml 无法使用" in d.error_text()           # the core speaks the windows' language
    assert not d.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()


def test_damaged_user_file_is_reported(qtbot: Any, translations: Translations,
                                       store: SettingsStore) -> None:
    store.user_path.parent.mkdir(parents=True)
    store.user_path.write_text("hotkeys: [\n")
    d = open_dialog(qtbot, store)
    notice = child(d, QLabel, "notice")
    assert "已另存" in notice.text() and "settings.yaml.bad-" in notice.text()


# ------------------------------------------------------------------ registries, credentials
def answer_secret_prompt(qtbot: Any, secret: str, seen: dict[str, Any]) -> None:
    """Type into the password prompt once it is up (it runs its own event loop)."""
    def answer() -> None:
        prompt = QApplication.activeModalWidget()
        if not isinstance(prompt, QInputDialog):
            QTimer.singleShot(20, answer)
            return
        seen["echo"] = prompt.textEchoMode()
        seen["label"] = prompt.labelText()
        prompt.setTextValue(secret)
        prompt.accept()
    QTimer.singleShot(0, answer)


def test_set_credential_goes_to_the_vault_only(qtbot: Any, translations: Translations,
                                               store: SettingsStore) -> None:
    store.save(Settings(registries=registries()))
    vault = FakeVault()
    d = open_dialog(qtbot, store, vault)
    status = child(d, QLabel, "credential_status")
    assert "尚未设置" in status.text()
    seen: dict[str, Any] = {}
    answer_secret_prompt(qtbot, SECRET, seen)
    qtbot.mouseClick(child(d, QPushButton, "set_credential"), Qt.MouseButton.LeftButton)
    assert vault.sets == [("registry.city.token", SECRET)]
    assert seen["echo"] == QLineEdit.EchoMode.Password and "registry.city.token" in seen["label"]
    assert status.text() == "已保存在系统密钥环中。"
    ok(qtbot, d)
    texts = [w.text() for w in d.findChildren(QLineEdit) + d.findChildren(QLabel)]
    assert not any(SECRET in t for t in texts)
    assert SECRET not in store.user_path.read_text(encoding="utf-8")


def test_unusable_keyring_is_shown_not_raised(qtbot: Any, translations: Translations,
                                              store: SettingsStore) -> None:
    store.save(Settings(registries=registries()))
    d = open_dialog(qtbot, store, FakeVault(broken=True))
    assert "无法使用系统密钥环" in child(d, QLabel, "credential_status").text()
    assert "gnome-keyring" in child(d, QLabel, "credential_status").text()


def test_import_and_remove_registries(qtbot: Any, translations: Translations,
                                      store: SettingsStore, monkeypatch: pytest.MonkeyPatch,
                                      tmp_path: Path) -> None:
    example = ROOT / "installer" / "presets" / "registries.example.yaml"
    monkeypatch.setattr(SettingsDialog, "_choose_registry_file", lambda self: str(example))
    d = open_dialog(qtbot, store)
    assert not child(d, QLineEdit, "base_url").isEnabled()      # nothing to edit yet
    qtbot.mouseClick(child(d, QPushButton, "import_registries"), Qt.MouseButton.LeftButton)
    names = child(d, QListWidget, "registries")
    assert [names.item(i).text() for i in range(names.count())] == ["city", "licences"]
    names.setCurrentRow(1)
    qtbot.mouseClick(child(d, QPushButton, "remove_registry"), Qt.MouseButton.LeftButton)
    ok(qtbot, d)
    assert list(store.load().registries) == ["city"]
    assert store.load().registry_settings().registries["city"].auth.scheme == "hmac-sm3"

    bad = tmp_path / "bad.yaml"
    bad.write_text("registries: {x: {base_url: ftp://x}}\n")
    monkeypatch.setattr(SettingsDialog, "_choose_registry_file", lambda self: str(bad))
    d = open_dialog(qtbot, store)
    qtbot.mouseClick(child(d, QPushButton, "import_registries"), Qt.MouseButton.LeftButton)
    assert "无法导入" in d.error_text() and "registries.x.base_url" in d.error_text()


# ------------------------------------------------------------------ language
def test_chinese_by_default_and_english_after_switching(qtbot: Any, translations: Translations,
                                                        store: SettingsStore) -> None:
    d = open_dialog(qtbot, store)
    assert d.windowTitle() == "窗口助手设置"
    assert [d.tabs.tabText(i) for i in range(3)] == ["通用(&G)", "快捷键(&H)", "数据核验(&R)"]
    assert d.buttons.button(QDialogButtonBox.StandardButton.Cancel).text() == "取消"  # Qt's own
    translations.switch("en")
    qtbot.waitUntil(lambda: d.windowTitle() == "Deskhand settings")
    assert d.tabs.tabText(0) == "&General"
    assert d.buttons.button(QDialogButtonBox.StandardButton.Cancel).text() == "Cancel"
    translations.switch("zh_CN")
    qtbot.waitUntil(lambda: d.tabs.tabText(1) == "快捷键(&H)")


def test_saving_another_language_asks_for_the_switch(qtbot: Any, translations: Translations,
                                                     store: SettingsStore) -> None:
    d = open_dialog(qtbot, store)
    d.languageChanged.connect(translations.switch)
    language = child(d, QComboBox, "language")
    assert language.itemText(language.findData("en")) == "English"   # named in itself
    language.setCurrentIndex(language.findData("en"))
    with qtbot.waitSignal(translations.languageChanged) as signal:
        ok(qtbot, d)
    assert signal.args == ["en"] and store.load().language == "en"


def test_install_at_start_up(qapp: QApplication, tmp_path: Path) -> None:
    t = i18n.install(qapp, "zh_CN", cache_dir=tmp_path)
    try:
        assert t.parent() is qapp and t.language == "zh_CN"
        assert qapp.translate("SettingsDialog", "Fixed by IT") == LOCKED_TIP
    finally:
        t.switch("en")
    assert qapp.translate("SettingsDialog", "Fixed by IT") == "Fixed by IT"


def test_missing_qm_is_compiled_from_the_ts(qapp: QApplication, tmp_path: Path) -> None:
    folder = tmp_path / "i18n"
    folder.mkdir()
    shutil.copy(i18n.i18n_dir() / "deskhand_zh_CN.ts", folder)   # a .ts, no .qm
    t = Translations(qapp, folder=folder, cache_dir=tmp_path / "cache")
    try:
        assert t.switch("zh_CN")
        assert (tmp_path / "cache" / "deskhand_zh_CN.qm").is_file()
        assert qapp.translate("SettingsDialog", "Deskhand settings") == "窗口助手设置"
    finally:
        t.switch("en")


def test_no_catalogue_falls_back_to_english(qapp: QApplication, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch, caplog: Any) -> None:
    folder = tmp_path / "i18n"
    folder.mkdir()
    shutil.copy(i18n.i18n_dir() / "deskhand_zh_CN.ts", folder)
    monkeypatch.setattr(i18n, "qt_tool", lambda name: None)        # no lrelease either
    t = Translations(qapp, folder=folder, cache_dir=tmp_path / "cache")
    with caplog.at_level(logging.WARNING):
        assert not t.switch("zh_CN")
    try:
        assert "could not be compiled" in caplog.text and "lrelease" in caplog.text
        assert qapp.translate("SettingsDialog", "Deskhand settings") == "Deskhand settings"
        assert t.language == "zh_CN"
    finally:
        t.switch("en")


# ------------------------------------------------------------------ keyboard
def test_every_mnemonic_label_has_a_buddy(qtbot: Any, translations: Translations,
                                          store: SettingsStore) -> None:
    store.save(Settings(registries=registries()))
    d = open_dialog(qtbot, store)
    labels = [w for w in d.findChildren(QLabel) if "&" in w.text()]
    assert len(labels) >= 10
    assert all(label.buddy() is not None for label in labels), [
        label.text() for label in labels if label.buddy() is None]


def test_tab_moves_through_the_general_page(qtbot: Any, translations: Translations,
                                            store: SettingsStore) -> None:
    d = open_dialog(qtbot, store)
    order = []
    w = child(d, QComboBox, "language")
    for _ in range(5):
        order.append(w.objectName())
        w = w.nextInFocusChain()
        while not (w.focusPolicy() & Qt.FocusPolicy.TabFocus) or not w.isEnabled():
            w = w.nextInFocusChain()
    assert order == ["language", "ocr_engine", "accessibility", "playbook_dirs", "add_folder"]


def test_hotkey_names_both_ways() -> None:
    for text, qt in [("Ctrl+Alt+Esc", "Ctrl+Alt+Esc"), ("Ctrl+Alt+PageDown", "Ctrl+Alt+PgDown"),
                     ("Alt+PrintScreen", "Alt+Print"), ("Ctrl+Alt+c", "Ctrl+Alt+C"),
                     ("Meta+F1", "Meta+F1"), ("ctrl+alt+enter", "Ctrl+Alt+Return")]:
        seq = hotkey_to_sequence(text)
        assert seq.toString(QKeySequence.SequenceFormat.PortableText) == qt
        assert parse_combo(sequence_to_hotkey(seq)) == parse_combo(text)   # and back
    assert sequence_to_hotkey(QKeySequence()) == ""
    assert hotkey_to_sequence("nonsense+x").isEmpty()
    assert sequence_to_hotkey(QKeySequence("Ctrl++")) == "Ctrl++"


# ------------------------------------------------------------------ the translation build
def build_tool() -> Any:
    spec = importlib.util.spec_from_file_location(
        "build_translations", ROOT / "installer" / "build_translations.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


UI_SOURCE = '''
from PySide6.QtCore import QObject
class Window(QObject):
    def texts(self):
        return self.tr("&Settings…"), self.tr("Brand new words")
'''


def test_build_check_update_and_release(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        capsys: Any) -> None:
    bt = build_tool()
    ui, folder = tmp_path / "ui", tmp_path / "i18n"
    ui.mkdir()
    (ui / "window.py").write_text(UI_SOURCE, encoding="utf-8")
    monkeypatch.setattr(bt, "UI_DIR", ui)
    monkeypatch.setattr(bt, "i18n_dir", lambda: folder)
    monkeypatch.setattr(bt, "ROOT", tmp_path)
    ts = folder / "deskhand_zh_CN.ts"
    # An older .ts knew "&Settings…" in another context: --update reuses its translation.
    folder.mkdir()
    ts.write_text('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n<TS version="2.1" '
                  'language="zh_CN"><context><name>TrayApp</name><message><source>&amp;'
                  'Settings…</source><translation>设置(&amp;S)…</translation></message>'
                  '</context></TS>\n', encoding="utf-8")
    before = ts.read_text(encoding="utf-8")

    assert bt.main(["--check"]) == 1
    err = capsys.readouterr().err
    assert "untranslated: Window: 'Brand new words'" in err
    assert "untranslated: Window: '&Settings…'" in err   # until --update reuses the words
    assert ts.read_text(encoding="utf-8") == before             # --check writes nothing

    assert bt.main(["--update"]) == 0
    text = ts.read_text(encoding="utf-8")
    assert "TrayApp" not in text                                 # vanished strings dropped
    assert "<translation>设置(&amp;S)…</translation>" in text     # … their words reused
    assert 'line="' not in text                                  # no churn from line numbers
    assert (folder / "deskhand_zh_CN.qm").is_file()
    assert [line.split(": ", 1)[1] for line in bt.untranslated(ts)][:1] == ["'Brand new words'"]


def test_check_flags_strings_lupdate_found_no_context_for(tmp_path: Path) -> None:
    ts = tmp_path / "deskhand_zh_CN.ts"
    ts.write_text('<?xml version="1.0" encoding="utf-8"?>\n<TS version="2.1"><context><name>'
                  '</name><message><source>Edited</source><translation>已修改</translation>'
                  '</message></context></TS>\n', encoding="utf-8")
    [line] = build_tool().untranslated(ts)
    assert line.startswith("(no context) 'Edited'") and "literally" in line


def test_the_accessibility_switch_is_saved_and_says_what_it_does(
        qtbot: Any, translations: Translations, store: SettingsStore) -> None:
    d = open_dialog(qtbot, store)
    box = child(d, QCheckBox, "accessibility")
    assert box.isChecked() and "无障碍" in box.text()          # Chinese first, on by default
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton)
    ok(qtbot, d)
    assert store.load().accessibility is False
