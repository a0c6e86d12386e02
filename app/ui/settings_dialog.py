"""The settings dialog: general (language, OCR engine, playbook folders), hotkeys, and the
registries used to verify data, with their credentials.

    dialog = SettingsDialog(store, vault, parent)
    dialog.languageChanged.connect(translations.switch)
    dialog.settingsSaved.connect(tray.apply_settings)
    dialog.open()

OK validates and saves through the store; a problem is shown in the dialog, which stays
open. Keys IT fixed in the preset are shown disabled with "由信息科统一设置". Secrets go
from a password field straight to `vault.set` and are shown nowhere else.
"""
from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable, Mapping
from typing import Any, Protocol

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox,
                               QFileDialog, QFormLayout, QGroupBox, QHBoxLayout, QInputDialog,
                               QKeySequenceEdit, QLabel, QLineEdit, QListWidget,
                               QListWidgetItem, QPushButton, QTabWidget, QVBoxLayout, QWidget)

from app.errors import DeskhandError
from app.ocr import ENGINES
from app.paths import library_dir
from app.registry.settings import AUTH_SCHEMES
from app.settings import (HOTKEY_NAMES, ON_OUTAGE, HotkeySettingError, Settings, SettingsStore,
                          hotkey_combo, read_registries_file)
from app.ui.i18n import LANGUAGES
from playbooks.keys import parse_combo

__all__ = ["SettingsDialog", "CredentialVault", "sequence_to_hotkey", "hotkey_to_sequence"]


class CredentialVault(Protocol):
    """What the dialog needs of app.vault.Vault."""

    def has(self, name: str) -> bool: ...

    def set(self, name: str, secret: str) -> None: ...


# ------------------------------------------------------------------ key names
# Qt's portable key names that playbooks/keys.py spells differently, both ways.
_FROM_QT = {"pgdown": "PageDown", "print": "PrintScreen", "backtab": "Tab"}
_TO_QT = {"pagedown": "PgDown", "pageup": "PgUp", "printscreen": "Print", "enter": "Return",
          "delete": "Del", "insert": "Ins", "esc": "Esc", "capslock": "CapsLock",
          "numlock": "NumLock"}
_QT_MODIFIERS = {"ctrl": "Ctrl", "alt": "Alt", "shift": "Shift", "super": "Meta"}


def sequence_to_hotkey(seq: QKeySequence) -> str:
    """'Ctrl+Alt+C' as the settings keep it ('' for an empty editor); the first chord."""
    if seq.isEmpty():
        return ""
    text = QKeySequence(seq[0]).toString(QKeySequence.SequenceFormat.PortableText)
    if text.endswith("++") or text == "+":   # the plus key itself
        mods, key = text[:-2], "+"
    else:
        mods, _, key = text.rpartition("+")
    key = _FROM_QT.get(key.lower(), key)
    return f"{mods}+{key}" if mods else key


def hotkey_to_sequence(text: str) -> QKeySequence:
    """The editor's sequence for a settings value; an empty one if it cannot be shown."""
    try:
        combo = parse_combo(text)
    except ValueError:
        return QKeySequence()
    key = _TO_QT.get(combo.key, combo.key.upper() if len(combo.key) == 1 else combo.key.title())
    return QKeySequence.fromString("+".join([*(_QT_MODIFIERS[m] for m in combo.modifiers), key]),
                                   QKeySequence.SequenceFormat.PortableText)


def _lock(widgets: list[QWidget], locked: bool, tip: str) -> None:
    for w in widgets:
        w.setEnabled(not locked)
        w.setToolTip(tip if locked else "")


def _error_label(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setStyleSheet("color: #b00020;")
    label.hide()
    return label


def _say(label: QLabel, text: str) -> None:
    label.setText(text)
    label.setVisible(bool(text))


def _combo(name: str, keys: tuple[str, ...]) -> QComboBox:
    box = QComboBox()
    box.setObjectName(name)
    for key in keys:
        box.addItem(key, key)
    return box


def _relabel(box: QComboBox, labels: Mapping[str, str]) -> None:
    for i in range(box.count()):
        box.setItemText(i, labels.get(box.itemData(i), box.itemData(i)))


def _choose(box: QComboBox, key: str) -> None:
    i = box.findData(key)
    if i < 0:   # a value this build does not list: show it rather than lose it
        box.addItem(key, key)
        i = box.count() - 1
    box.setCurrentIndex(i)


# ------------------------------------------------------------------ pages
class GeneralPage(QWidget):
    def __init__(self, settings: Settings, choose_folder: Callable[[], str | None]) -> None:
        super().__init__()
        self._choose_folder = choose_folder
        self.language = _combo("language", tuple(LANGUAGES))
        for i, lang in enumerate(LANGUAGES):
            self.language.setItemText(i, LANGUAGES[lang])   # each named in itself
        self.engine = _combo("ocr_engine", ENGINES)
        self.accessibility = QCheckBox(objectName="accessibility")
        self.accessibility.setChecked(settings.accessibility)
        self.folders = QListWidget()
        self.folders.setObjectName("playbook_dirs")
        self.add_folder = QPushButton(objectName="add_folder")
        self.remove_folder = QPushButton(objectName="remove_folder")
        self.language_label, self.engine_label = QLabel(), QLabel()
        self.language_label.setBuddy(self.language)
        self.engine_label.setBuddy(self.engine)
        self.folders_box = QGroupBox()
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_folder)
        buttons.addWidget(self.remove_folder)
        buttons.addStretch()
        inner = QVBoxLayout(self.folders_box)
        inner.addWidget(self.folders)
        inner.addLayout(buttons)
        form = QFormLayout()
        form.addRow(self.language_label, self.language)
        form.addRow(self.engine_label, self.engine)
        form.addRow("", self.accessibility)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.folders_box)
        self.add_folder.clicked.connect(self._add)
        self.remove_folder.clicked.connect(self._remove)
        self.folders.currentRowChanged.connect(self._update_buttons)

        _choose(self.language, settings.language)
        _choose(self.engine, settings.ocr_engine)
        self._library = QListWidgetItem(self.folders)
        self._library.setFlags(Qt.ItemFlag.ItemIsEnabled)   # shown, never removed
        self._library.setToolTip(str(library_dir()))
        for d in settings.playbook_dirs:
            self.folders.addItem(d)
        self._locked_dirs = settings.is_locked("playbook_dirs")
        self._locks = {"language": [self.language], "ocr_engine": [self.engine],
                       "accessibility": [self.accessibility],
                       "playbook_dirs": [self.add_folder, self.remove_folder]}
        self._settings = settings
        self._update_buttons()

    def retranslate(self, locked_tip: str) -> None:
        self.language_label.setText(self.tr("&Language:"))
        self.engine_label.setText(self.tr("&Text recognition:"))
        self.accessibility.setText(self.tr("Fill fields through the client's accessibility "
                                           "interface (recommended)"))
        self.accessibility.setToolTip(self.tr("Off: fields addressed by label are typed with "
                                              "keys, clicked beside their label."))
        _relabel(self.engine, {"rapidocr": self.tr("RapidOCR (recommended)"),
                               "rapidocr-v4": self.tr("RapidOCR with the older PP-OCRv4 model"),
                               "easyocr": self.tr("EasyOCR (its models must be installed)")})
        self.folders_box.setTitle(self.tr("Playbook folders"))
        self._library.setText(self.tr("Shipped playbook library (always included)"))
        self.add_folder.setText(self.tr("&Add folder…"))
        self.remove_folder.setText(self.tr("Re&move folder"))
        for key, widgets in self._locks.items():
            _lock(widgets, self._settings.is_locked(key), locked_tip)
        self._update_buttons()

    def _update_buttons(self) -> None:
        if not self._locked_dirs:
            self.remove_folder.setEnabled(self.folders.currentRow() > 0)

    def _add(self) -> None:
        folder = self._choose_folder()
        if folder and not self.folders.findItems(folder, Qt.MatchFlag.MatchExactly):
            self.folders.addItem(folder)
            self.folders.setCurrentRow(self.folders.count() - 1)

    def _remove(self) -> None:
        if self.folders.currentRow() > 0:
            self.folders.takeItem(self.folders.currentRow())
        self._update_buttons()

    def values(self) -> dict[str, Any]:
        return {"language": self.language.currentData(), "ocr_engine": self.engine.currentData(),
                "accessibility": self.accessibility.isChecked(),
                "playbook_dirs": [self.folders.item(i).text() for i in range(1, self.folders.count())]}


class HotkeysPage(QWidget):
    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self._settings = settings
        self.help = QLabel(wordWrap=True)
        self.labels: dict[str, QLabel] = {}
        self.editors: dict[str, QKeySequenceEdit] = {}
        self.problems: dict[str, QLabel] = {}
        self._reported: dict[str, str] = {}   # problems the hotkey backend told us
        form = QFormLayout()
        for name in HOTKEY_NAMES:
            editor = QKeySequenceEdit(hotkey_to_sequence(settings.hotkeys.get(name, "")))
            editor.setObjectName(f"hotkey_{name}")
            editor.setMaximumSequenceLength(1)   # a hotkey is one chord, not a sequence
            editor.setClearButtonEnabled(True)
            editor.keySequenceChanged.connect(lambda _seq, n=name: self._changed(n))
            label = QLabel()
            label.setBuddy(editor)
            problem = _error_label(f"hotkey_{name}_problem")
            column = QVBoxLayout()
            column.addWidget(editor)
            column.addWidget(problem)
            form.addRow(label, column)
            self.labels[name], self.editors[name], self.problems[name] = label, editor, problem
        layout = QVBoxLayout(self)
        layout.addWidget(self.help)
        layout.addLayout(form)
        layout.addStretch()

    def names(self) -> dict[str, str]:
        return {"capture": self.tr("Capture"), "fill": self.tr("Fill"), "abort": self.tr("Abort")}

    def retranslate(self, locked_tip: str) -> None:
        self.help.setText(self.tr("Click a box and press the new key combination. Each hotkey "
                                  "needs Ctrl or Alt and must differ from the others."))
        for name, text in {"capture": self.tr("&Capture:"), "fill": self.tr("&Fill:"),
                           "abort": self.tr("A&bort:")}.items():
            self.labels[name].setText(text)
            _lock([self.editors[name]], self._settings.is_locked(f"hotkeys.{name}"), locked_tip)
        self.check()

    def show_problem(self, name: str, message: str) -> None:
        self._reported[name] = message
        _say(self.problems[name], message)

    def _changed(self, name: str) -> None:
        self._reported.pop(name, None)   # the key the backend refused is gone
        self.check()

    def values(self) -> dict[str, str]:
        return {n: sequence_to_hotkey(e.keySequence()) for n, e in self.editors.items()}

    def check(self) -> list[str]:
        """Show each editor's problem; a sentence per problem, for the dialog."""
        names = self.names()
        problems: dict[str, str] = {}
        combos: dict[str, Any] = {}
        for name, text in self.values().items():
            if not text:
                problems[name] = self.tr("Press a key combination.")
                continue
            try:
                combos[name] = hotkey_combo(text)
            except HotkeySettingError as e:
                problems[name] = (
                    self.tr("A hotkey needs Ctrl or Alt, or it would fire while you type.")
                    if e.kind == "lone" else
                    self.tr("Deskhand cannot use {keys} as a hotkey.").format(keys=text))
        for name, combo in combos.items():   # a clash is told at both editors
            same = [n for n, c in combos.items() if c == combo and n != name]
            if same:
                problems[name] = self.tr("The same keys as {other}.").format(other=names[same[0]])
        out = []
        for name in HOTKEY_NAMES:
            problem = problems.get(name) or self._reported.get(name, "")
            _say(self.problems[name], problem)
            if problem:
                out.append(f"{names[name]}: {problem}")
        return out


class RegistriesPage(QWidget):
    """The registries, one at a time: the list on the left, the chosen one's form on the
    right. Only the fields shown are edited; endpoints and TLS come with the import."""

    def __init__(self, settings: Settings, vault: CredentialVault,
                 choose_file: Callable[[], str | None], report: Callable[[str], None]) -> None:
        super().__init__()
        self._settings = settings
        self._vault = vault
        self._choose_file = choose_file
        self._report = report
        self._registries: dict[str, dict[str, Any]] = copy.deepcopy(settings.registries)
        self._current: str | None = None
        self.list = QListWidget(objectName="registries")
        self.import_button = QPushButton(objectName="import_registries")
        self.remove_button = QPushButton(objectName="remove_registry")
        self.empty = QLabel(wordWrap=True)
        self.base_url = QLineEdit(objectName="base_url")
        self.timeout = QDoubleSpinBox(objectName="timeout")
        self.timeout.setRange(0.1, 30.0)
        self.timeout.setSingleStep(0.5)
        self.timeout.setDecimals(2)
        self.scheme = _combo("auth_scheme", AUTH_SCHEMES)
        self.key_id = QLineEdit(objectName="key_id")
        self.credential = QLineEdit(objectName="credential")
        self.credential_status = QLabel(objectName="credential_status", wordWrap=True)
        self.set_credential = QPushButton(objectName="set_credential")
        self.on_outage = _combo("on_outage", ON_OUTAGE)
        _choose(self.on_outage, settings.on_outage)
        self.form_labels = [QLabel() for _ in range(5)]
        self.outage_label = QLabel()
        self.outage_label.setBuddy(self.on_outage)

        left = QVBoxLayout()
        left.addWidget(self.list)
        row = QHBoxLayout()
        row.addWidget(self.import_button)
        row.addWidget(self.remove_button)
        left.addLayout(row)
        self.form = QFormLayout()
        for label, field in zip(self.form_labels, (self.base_url, self.timeout, self.scheme,
                                                   self.key_id, self.credential)):
            label.setBuddy(field)
            self.form.addRow(label, field)
        self.form.addRow("", self.credential_status)
        self.form.addRow("", self.set_credential)
        top = QHBoxLayout()
        top.addLayout(left, 1)
        top.addLayout(self.form, 2)
        outage = QFormLayout()
        outage.addRow(self.outage_label, self.on_outage)
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty)
        layout.addLayout(top)
        layout.addLayout(outage)

        for name in self._registries:
            self.list.addItem(name)
        self.list.currentTextChanged.connect(self._select)
        self.import_button.clicked.connect(self._import)
        self.remove_button.clicked.connect(self._remove)
        self.set_credential.clicked.connect(self._ask_and_store)
        self.credential.textChanged.connect(self._update_status)
        self.scheme.currentIndexChanged.connect(self._update_status)
        if self.list.count():
            self.list.setCurrentRow(0)
        else:
            self._select("")

    def retranslate(self, locked_tip: str) -> None:
        self.import_button.setText(self.tr("&Import…"))
        self.remove_button.setText(self.tr("Remo&ve"))
        self.empty.setText(self.tr("No registries yet: import the registry settings file "
                                   "IT gave you."))
        for label, text in zip(self.form_labels, (
                self.tr("&Base URL:"), self.tr("&Timeout:"), self.tr("&Authentication:"),
                self.tr("&Key ID:"), self.tr("Cr&edential name:"))):
            label.setText(text)
        self.timeout.setSuffix(self.tr(" s"))
        _relabel(self.scheme, {
            "none": self.tr("None"), "bearer": self.tr("Bearer token"),
            "api-key": self.tr("API key header"), "hmac-sha256": self.tr("HMAC-SHA256 signature"),
            "hmac-sm3": self.tr("HMAC-SM3 signature (national standard)"),
            "client-cert": self.tr("Client certificate")})
        self.set_credential.setText(self.tr("&Set credential…"))
        self.outage_label.setText(self.tr("When a registry is &unreachable:"))
        _relabel(self.on_outage, {"unverified": self.tr("Mark the fields unverified and go on"),
                                  "stop": self.tr("Stop and keep the case")})
        locked = self._settings.is_locked("registries")
        _lock([self.import_button, self.remove_button, self.base_url, self.timeout, self.scheme,
               self.key_id, self.credential], locked, locked_tip)
        _lock([self.on_outage], self._settings.is_locked("on_outage"), locked_tip)
        self._update_form_state()
        self._update_status()

    # ---------------------------------------------------------------- form ↔ data
    def _select(self, name: str) -> None:
        self._commit()
        self._current = name or None
        raw = self._registries.get(name, {})
        auth = raw.get("auth") or {}
        self.base_url.setText(raw.get("base_url", ""))
        self.timeout.setValue(float(raw.get("timeout_s", 3.0)))
        _choose(self.scheme, auth.get("scheme", "none"))
        self.key_id.setText(auth.get("key_id") or "")
        self.credential.setText(auth.get("credential") or "")
        self._update_form_state()
        self._update_status()

    def _commit(self) -> None:
        """The form back into the current registry, touching only what changed, so that
        an unchanged registry stays equal to what IT wrote."""
        raw = self._registries.get(self._current or "")
        if raw is None or self._settings.is_locked("registries"):
            return
        auth = dict(raw.get("auth") or {})
        edits = {("base_url",): self.base_url.text().strip(),
                 ("timeout_s",): round(self.timeout.value(), 2),
                 ("auth", "scheme"): self.scheme.currentData(),
                 ("auth", "key_id"): self.key_id.text().strip(),
                 ("auth", "credential"): self.credential.text().strip()}
        defaults = {("timeout_s",): 3.0, ("auth", "scheme"): "none"}
        for path, value in edits.items():
            target = auth if path[0] == "auth" else raw
            key = path[-1]
            if value == target.get(key, defaults.get(path, "")):
                continue
            if value == "":
                target.pop(key, None)
            else:
                target[key] = value
        if auth:
            raw["auth"] = auth
        else:
            raw.pop("auth", None)

    def values(self) -> dict[str, Any]:
        self._commit()
        return {"registries": copy.deepcopy(self._registries),
                "on_outage": self.on_outage.currentData()}

    def _update_form_state(self) -> None:
        has = self._current is not None
        locked = self._settings.is_locked("registries")
        for w in (self.base_url, self.timeout, self.scheme, self.key_id, self.credential):
            w.setEnabled(has and not locked)
        self.remove_button.setEnabled(has and not locked)
        # The secret lives in this PC's keyring, not in the preset: settable when locked.
        self.set_credential.setEnabled(has)
        self.empty.setVisible(not self._registries)

    # ---------------------------------------------------------------- actions
    def _import(self) -> None:
        path = self._choose_file()
        if not path:
            return
        try:
            imported = read_registries_file(path)
        except DeskhandError as e:
            self._report(self.tr("The registry settings could not be imported: {error}")
                         .format(error=e.message))
            return
        self._commit()
        for name, raw in imported.items():
            if name not in self._registries:
                self.list.addItem(name)
            self._registries[name] = raw
        self._current = None   # the form may show a registry just replaced
        items = self.list.findItems(next(iter(imported), ""), Qt.MatchFlag.MatchExactly)
        if items:
            self.list.setCurrentItem(items[0])
            self._select(items[0].text())
        self._update_form_state()

    def _remove(self) -> None:
        name = self._current
        if name is None:
            return
        self._current = None
        del self._registries[name]
        self.list.takeItem(self.list.currentRow())
        self._select(self.list.currentItem().text() if self.list.currentItem() else "")

    def _update_status(self) -> None:
        name = self.credential.text().strip()
        if self._current is None:
            text = ""
        elif not name:
            text = (self.tr("No credential needed.")
                    if self.scheme.currentData() in ("none", "client-cert")
                    else self.tr("Enter the name of the credential."))
        else:
            try:
                stored = self._vault.has(name)
            except DeskhandError as e:
                text = self.tr("The system keyring cannot be used: {error}").format(error=e.message)
            else:
                text = (self.tr("Stored in the system keyring.") if stored else
                        self.tr("Not set yet: press Set credential…"))
        self.credential_status.setText(text)

    def _ask_and_store(self) -> None:
        name = self.credential.text().strip()
        if not name:
            self._report(self.tr("Enter the name of the credential first."))
            return
        prompt = QInputDialog(self)
        prompt.setObjectName("secret_prompt")
        prompt.setWindowTitle(self.tr("Set credential"))
        prompt.setLabelText(self.tr("Secret for {name} (kept only in the system keyring):")
                            .format(name=name))
        prompt.setTextEchoMode(QLineEdit.EchoMode.Password)
        try:
            if prompt.exec() != QDialog.DialogCode.Accepted or not prompt.textValue():
                return
            try:
                self._vault.set(name, prompt.textValue())
            except DeskhandError as e:
                self._report(self.tr("The credential could not be stored: {error}")
                             .format(error=e.message))
                return
        finally:
            prompt.setTextValue("")   # the secret stays in no widget
            prompt.deleteLater()
        self._report("")
        self._update_status()


# ------------------------------------------------------------------ the dialog
class SettingsDialog(QDialog):
    """`store`: app.settings.SettingsStore; `vault`: has(name) and set(name, secret)."""

    settingsSaved = Signal(object)   # the Settings just saved
    languageChanged = Signal(str)    # saved with another language, e.g. "en"

    def __init__(self, store: SettingsStore, vault: CredentialVault,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settings_dialog")
        self._store = store
        problems: list[str] = []
        try:
            self._settings = store.load()
            problems = list(store.problems)
        except DeskhandError as e:   # a broken preset: show it; nothing can be saved
            self._settings = Settings()
            self._broken = e.message
        else:
            self._broken = ""
        self.tabs = QTabWidget()
        self.general = GeneralPage(self._settings, self._choose_folder)
        self.hotkeys = HotkeysPage(self._settings)
        self.registries = RegistriesPage(self._settings, vault, self._choose_registry_file,
                                         self._show_error)
        for page in (self.general, self.hotkeys, self.registries):
            self.tabs.addTab(page, "")
        self.notice = QLabel(objectName="notice", wordWrap=True)   # set aside at load
        self.error = _error_label("error")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not self._broken)
        layout = QVBoxLayout(self)
        layout.addWidget(self.notice)
        layout.addWidget(self.tabs)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self._problems = problems
        self.retranslate()
        _say(self.error, self._broken)

    # ---------------------------------------------------------------- texts
    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Deskhand settings"))
        for i, text in enumerate((self.tr("&General"), self.tr("&Hotkeys"),
                                  self.tr("&Registries"))):
            self.tabs.setTabText(i, text)
        tip = self.tr("Fixed by IT")
        for page in (self.general, self.hotkeys, self.registries):
            page.retranslate(tip)
        _say(self.notice, self.tr("Some saved settings could not be used and were set aside:")
             + "\n" + "\n".join(self._problems) if self._problems else "")

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # ---------------------------------------------------------------- for the tray
    def show_hotkey_problem(self, name: str, message: str) -> None:
        """Show a problem the hotkey backend found (e.g. another program holds the keys)."""
        if name in self.hotkeys.editors:
            self.hotkeys.show_problem(name, message)
            self.tabs.setCurrentWidget(self.hotkeys)
        else:
            self._show_error(message)

    def settings(self) -> Settings:
        """The settings as shown (saved or not)."""
        return dataclasses.replace(self._settings, **self.general.values(),
                                   hotkeys=self.hotkeys.values(), **self.registries.values())

    def error_text(self) -> str:
        """The problem the dialog shows now ('' if none)."""
        return self.error.text()

    # ---------------------------------------------------------------- OK
    def accept(self) -> None:
        problems = self.hotkeys.check()
        if problems:
            self.tabs.setCurrentWidget(self.hotkeys)
            self._show_error("\n".join(problems))
            return
        new = self.settings()
        try:
            self._store.save(new)
        except DeskhandError as e:
            self._show_error(self.tr("The settings were not saved: {error}").format(error=e.message))
            return
        self._show_error("")
        before, self._settings = self._settings, new
        self.settingsSaved.emit(new)
        if new.language != before.language:
            self.languageChanged.emit(new.language)
        super().accept()

    def _show_error(self, text: str) -> None:
        _say(self.error, text)

    # ---------------------------------------------------------------- file choosers
    def _choose_folder(self) -> str | None:
        return QFileDialog.getExistingDirectory(self, self.tr("Choose a playbook folder")) or None

    def _choose_registry_file(self) -> str | None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Import registry settings"), "",
                                              self.tr("Registry settings (*.yaml *.yml)"))
        return path or None
