"""Settings without Qt: defaults, the user file, IT's preset and its locks, damaged files,
validation sentences, and that no secret ever reaches a file."""
from __future__ import annotations

import dataclasses
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from app import settings as settings_mod
from app.paths import library_dir
from app.registry.settings import RegistrySettings, load_registry_settings
from app.settings import (DEFAULT_HOTKEYS, PresetError, SettingLockedError, Settings,
                          SettingsError, SettingsStore, default_preset_path,
                          read_registries_file, write_registry_settings)

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_REGISTRIES = ROOT / "installer" / "presets" / "registries.example.yaml"
SECRET = "s3cr3t-不要写进文件-9f2"


def registries() -> dict[str, Any]:
    return {"city": {"base_url": "https://gateway.city.gov.cn/share", "timeout_s": 2.5,
                     "auth": {"scheme": "bearer", "credential": "registry.city.token"},
                     "endpoints": {"person": {"path": "/persons/{id_number}",
                                              "map": {"applicant_name": "data.xm"}}}}}


def write(path: Path, data: Any) -> Path:
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True),
                    encoding="utf-8")
    return path


@pytest.fixture
def user(tmp_path: Path) -> Path:
    return tmp_path / "config" / "settings.yaml"


@pytest.fixture
def preset(tmp_path: Path) -> Path:
    return tmp_path / "preset.yaml"


def store(user: Path, preset: Path | None = None, **kw: Any) -> SettingsStore:
    return SettingsStore(user, preset, clock=lambda: datetime(2024, 5, 6, 7, 8, 9), **kw)


# ------------------------------------------------------------------ defaults, round trip
def test_defaults_without_any_file(user: Path, preset: Path) -> None:
    st = store(user, preset)
    s = st.load()
    assert s == Settings()
    assert (s.language, s.ocr_engine, s.on_outage) == ("zh_CN", "rapidocr", "unverified")
    assert s.hotkeys == {"capture": "Ctrl+Alt+C", "fill": "Ctrl+Alt+V", "abort": "Ctrl+Alt+Esc"}
    assert s.locked == frozenset() and st.problems == []
    assert s.playbook_folders() == [library_dir()]
    assert not user.exists()   # loading writes nothing


def test_round_trip_keeps_every_value(user: Path, tmp_path: Path) -> None:
    st = store(user)
    s = Settings(language="en", ocr_engine="easyocr",
                 hotkeys={"capture": "Ctrl+Shift+1", "fill": "Alt+F9", "abort": "F12"},
                 playbook_dirs=[str(tmp_path / "公积金"), "~/playbooks"],
                 registries=registries(), on_outage="stop", last_playbook="housing_fund")
    st.save(s)
    assert st.load() == s and st.problems == []
    assert st.load().playbook_folders() == [library_dir(), tmp_path / "公积金",
                                            Path("~/playbooks").expanduser()]
    assert "公积金" in user.read_text(encoding="utf-8")   # readable YAML, not escapes


def test_file_holds_only_what_differs(user: Path) -> None:
    st = store(user)
    st.save(Settings())
    assert yaml.safe_load(user.read_text(encoding="utf-8")) == {}
    st.save(dataclasses.replace(Settings(), hotkeys={**DEFAULT_HOTKEYS, "fill": "Ctrl+Alt+F"}))
    assert yaml.safe_load(user.read_text(encoding="utf-8")) == {"hotkeys": {"fill": "Ctrl+Alt+F"}}


def test_library_is_always_first_and_never_stored(user: Path) -> None:
    st = store(user)
    st.save(Settings(playbook_dirs=[str(library_dir()), "/srv/pb", "/srv/pb"]))
    assert st.load().playbook_dirs == ["/srv/pb"]
    assert st.load().playbook_folders() == [library_dir(), Path("/srv/pb")]


def test_update_saves_one_change(user: Path) -> None:
    st = store(user)
    s = st.update(st.load(), last_playbook="road_transport")
    assert st.load() == s and s.last_playbook == "road_transport"


# ------------------------------------------------------------------ atomic write
def test_write_is_atomic(user: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    st = store(user)
    st.save(Settings(language="en"))
    before = user.read_bytes()

    def crash(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(settings_mod.os, "replace", crash)
    with pytest.raises(SettingsError, match="could not be saved to .*No space left"):
        st.save(Settings(language="zh_CN", ocr_engine="easyocr"))
    assert user.read_bytes() == before                       # the old file, whole
    assert sorted(p.name for p in user.parent.iterdir()) == ["settings.yaml"]   # no temp left


def test_save_creates_the_config_folder(tmp_path: Path) -> None:
    st = store(tmp_path / "a" / "b" / "settings.yaml")
    st.save(Settings(language="en"))
    assert st.load().language == "en"


# ------------------------------------------------------------------ damaged user files
@pytest.mark.parametrize("content, why", [
    ("language: [zh_CN\n", "not valid YAML"),
    ("- just\n- a list\n", "holds list"),
    (b"language: \xff\xfe en\n", "cannot be read"),
])
def test_damaged_file_is_moved_aside(user: Path, content: str | bytes, why: str) -> None:
    user.parent.mkdir(parents=True)
    user.write_bytes(content if isinstance(content, bytes) else content.encode())
    st = store(user)
    s = st.load()                                 # no exception
    assert s == Settings()
    backup = user.with_name("settings.yaml.bad-20240506-070809")
    assert backup.read_bytes() == (content if isinstance(content, bytes) else content.encode())
    assert not user.exists()
    assert len(st.problems) == 1 and why in st.problems[0] and str(backup) in st.problems[0]
    st.save(dataclasses.replace(s, language="en"))   # and the clerk can carry on
    assert st.load().language == "en" and st.problems == []


def test_partly_bad_file_keeps_good_values_and_a_copy(user: Path, caplog: Any) -> None:
    user.parent.mkdir(parents=True)
    write(user, {"language": "en", "ocr_engine": "tesseract", "colour": "blue",
                 "hotkeys": {"fill": "Ctrl+Alt+F"}})
    st = store(user)
    s = st.load()
    assert (s.language, s.ocr_engine, s.hotkeys["fill"]) == ("en", "rapidocr", "Ctrl+Alt+F")
    [problem] = st.problems
    assert "ocr_engine: there is no OCR engine 'tesseract'" in problem
    assert "unknown setting 'colour'" in problem
    assert "settings.yaml.bad-20240506-070809" in problem
    assert problem in caplog.text                     # logged as well as returned
    backup = user.with_name("settings.yaml.bad-20240506-070809")
    assert "tesseract" in backup.read_text() and "colour" in backup.read_text()
    assert yaml.safe_load(user.read_text()) == {"language": "en",      # the good values stay
                                                "hotkeys": {"fill": "Ctrl+Alt+F"}}
    assert st.load() == s and st.problems == []                        # told once
    assert len(list(user.parent.glob("settings.yaml.bad-*"))) == 1


def test_second_backup_in_the_same_second_does_not_overwrite(user: Path) -> None:
    user.parent.mkdir(parents=True)
    for _ in range(2):
        write(user, "{{{")
        store(user).load()
    assert sorted(p.name for p in user.parent.iterdir()) == [
        "settings.yaml.bad-20240506-070809", "settings.yaml.bad-20240506-070809-2"]


def test_clashing_user_hotkeys_fall_back(user: Path) -> None:
    user.parent.mkdir(parents=True)
    write(user, {"hotkeys": {"capture": "Ctrl+Alt+V"}})
    st = store(user)
    assert st.load().hotkeys == DEFAULT_HOTKEYS
    assert "capture and fill hotkeys are both" in st.problems[0]


# ------------------------------------------------------------------ IT's preset
def test_preset_locks_and_defaults(user: Path, preset: Path) -> None:
    write(preset, {"settings": {"registries": registries(), "ocr_engine": "rapidocr-v4",
                                "hotkeys": {"fill": "Ctrl+Alt+F"}, "on_outage": "stop"},
                   "locked": ["registries", "hotkeys.fill", "language"]})
    user.parent.mkdir(parents=True)
    write(user, {"registries": {}, "hotkeys": {"fill": "Ctrl+Alt+X", "capture": "Ctrl+Alt+K"},
                 "language": "en", "on_outage": "unverified"})
    st = store(user, preset)
    s = st.load()
    assert s.registries == registries()               # locked: the preset wins
    assert s.hotkeys == {"capture": "Ctrl+Alt+K", "fill": "Ctrl+Alt+F", "abort": "Ctrl+Alt+Esc"}
    assert s.language == "zh_CN"                     # locked to the default
    assert s.ocr_engine == "rapidocr-v4"             # unlocked preset value: a default
    assert s.on_outage == "unverified"               # … that the clerk may change
    assert s.locked == {"registries", "hotkeys.fill", "language"}
    assert s.is_locked("hotkeys.fill") and not s.is_locked("hotkeys.capture")
    assert s.is_locked("registries.city")
    assert st.problems == []


def test_saving_a_locked_key_is_refused(user: Path, preset: Path) -> None:
    write(preset, {"settings": {"hotkeys": {"fill": "Ctrl+Alt+F"}}, "locked": ["hotkeys.fill"]})
    st = store(user, preset)
    s = st.load()
    with pytest.raises(SettingLockedError) as err:
        st.save(dataclasses.replace(s, hotkeys={**s.hotkeys, "fill": "Ctrl+Alt+G"}))
    assert f"This setting is fixed by IT (preset {preset})" in str(err.value)
    assert "hotkeys.fill" in str(err.value)
    assert not user.exists()
    st.save(dataclasses.replace(s, hotkeys={**s.hotkeys, "capture": "Ctrl+Alt+K"}))
    assert yaml.safe_load(user.read_text()) == {"hotkeys": {"capture": "Ctrl+Alt+K"}}


def test_whole_section_lock(user: Path, preset: Path) -> None:
    write(preset, {"settings": {"registries": registries()}, "locked": ["registries"]})
    st = store(user, preset)
    s = st.load()
    with pytest.raises(SettingLockedError, match="'registries'"):
        st.save(dataclasses.replace(s, registries={}))
    st.save(dataclasses.replace(s, language="en"))
    assert "registries" not in yaml.safe_load(user.read_text())   # locked keys not copied


def test_a_new_preset_default_reaches_clerks_who_kept_the_old_one(user: Path, preset: Path) -> None:
    write(preset, {"settings": {"ocr_engine": "rapidocr-v4"}})
    st = store(user, preset)
    st.save(dataclasses.replace(st.load(), language="en"))
    write(preset, {"settings": {"ocr_engine": "easyocr"}})
    assert st.load().ocr_engine == "easyocr"


@pytest.mark.parametrize("content, problem", [
    ("settings: {language: [\n", "not valid YAML"),
    ("- a\n", "holds list"),
    ({"settings": {"language": "fr"}}, "language: must be one of zh_CN, en, not 'fr'"),
    ({"settings": {}, "lock": ["registries"]}, "unknown key 'lock'"),
    ({"locked": ["registries.city"]}, "'registries.city' cannot be locked"),
    ({"locked": "registries"}, "'locked' must be a list"),
    ({"settings": {"hotkeys": {"fill": "Ctrl+Alt+C"}}}, "capture and fill hotkeys are both"),
    ({"settings": {"registries": {"city": {"base_url": "ftp://x"}}}},
     "registries.city.base_url: must start with https://"),
])
def test_broken_preset_names_file_and_problem(user: Path, preset: Path, content: Any,
                                              problem: str) -> None:
    write(preset, content)
    with pytest.raises(PresetError) as err:
        store(user, preset).load()
    message = str(err.value)
    assert f"IT's preset file {preset} cannot be used" in message and problem in message
    assert "信息科" in message


def test_required_preset_that_is_missing(user: Path, preset: Path) -> None:
    assert store(user, preset).load() == Settings()      # no preset at /etc: fine
    with pytest.raises(PresetError, match="does not exist"):
        store(user, preset, preset_required=True).load()


def test_default_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    assert default_preset_path({"DESKHAND_PRESET": "/x/p.yaml"}) == Path("/x/p.yaml")
    assert default_preset_path({}, "linux") == Path("/etc/deskhand/preset.yaml")
    assert default_preset_path({"PROGRAMDATA": "D:\\PD"}, "win32") == \
        Path("D:\\PD") / "Deskhand" / "preset.yaml"
    st = SettingsStore.default({"DESKHAND_PRESET": "/x/p.yaml"})
    assert st.preset_required and st.user_path.name == "settings.yaml"


# ------------------------------------------------------------------ validation
@pytest.mark.parametrize("change, sentence", [
    ({"language": "fr"}, "language: must be one of zh_CN, en, not 'fr'"),
    ({"ocr_engine": "tesseract"}, "there is no OCR engine 'tesseract'; use one of rapidocr"),
    ({"hotkeys": {**DEFAULT_HOTKEYS, "fill": "Ctrl+Alt+Bogus"}},
     "the fill hotkey 'Ctrl+Alt+Bogus' is not valid: 'bogus' is not a key name"),
    ({"hotkeys": {**DEFAULT_HOTKEYS, "fill": "x"}},
     "the fill hotkey 'x' needs Ctrl, Alt or Super"),
    ({"hotkeys": {**DEFAULT_HOTKEYS, "abort": "ctrl+alt+c"}},
     "the capture and abort hotkeys are both 'ctrl+alt+c'; give each its own"),
    ({"hotkeys": {"capture": "Ctrl+Alt+C"}}, "no key combination for fill, abort"),
    ({"on_outage": "retry"}, "on_outage: must be 'unverified' or 'stop'"),
    ({"playbook_dirs": ["", 3]}, "playbook_dirs: must be a list of folder paths"),
    ({"registries": {"city": {"base_url": "https://x"}}},
     "registries.city.endpoints: define at least one endpoint"),
])
def test_invalid_values_are_refused_with_a_sentence(user: Path, change: dict[str, Any],
                                                    sentence: str) -> None:
    with pytest.raises(SettingsError) as err:
        store(user).save(dataclasses.replace(Settings(), **change))
    assert str(err.value).startswith("The settings cannot be saved: ")
    assert sentence in str(err.value)
    assert not user.exists()


def test_lone_function_key_is_a_fine_hotkey() -> None:
    Settings(hotkeys={"capture": "F9", "fill": "Shift+F10", "abort": "Pause"}).validate()


# ------------------------------------------------------------------ registries, secrets
def test_registry_settings_for_the_capture_flow(user: Path) -> None:
    st = store(user)
    st.save(Settings(registries=registries(), on_outage="stop"))
    rs = st.load().registry_settings()
    assert isinstance(rs, RegistrySettings) and rs.on_outage == "stop"
    reg, ep = rs.endpoint("city.person")
    assert reg.auth.credential == "registry.city.token" and reg.timeout_s == 2.5
    assert str(user) in (rs.path or "")


def test_registry_settings_file_for_the_cli(user: Path, tmp_path: Path) -> None:
    s = Settings(registries=registries())
    out = write_registry_settings(s, tmp_path / "registries.yaml")
    assert load_registry_settings(out).registries["city"].base_url.endswith("/share")


def test_registries_imported_from_it_example() -> None:
    regs = read_registries_file(EXAMPLE_REGISTRIES)
    assert set(regs) == {"city", "licences"}
    Settings(registries=regs).validate()


def test_registries_file_errors(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="does not exist"):
        read_registries_file(tmp_path / "none.yaml")
    with pytest.raises(SettingsError, match="registries.a.base_url"):
        read_registries_file(write(tmp_path / "r.yaml", {"registries": {"a": {"timeout_s": 1}}}))


def test_no_secret_ever_reaches_a_file(user: Path, preset: Path, tmp_path: Path) -> None:
    # There is nowhere to put one: an auth entry with a secret in it is refused …
    leaky = registries()
    leaky["city"]["auth"]["secret"] = SECRET
    with pytest.raises(SettingsError, match="unknown key 'secret'"):
        store(user).save(Settings(registries=leaky))
    write(preset, {"settings": {"registries": leaky}})
    with pytest.raises(PresetError, match="unknown key 'secret'"):
        store(user, preset).load()
    # … and what is written names the credential only.
    preset.unlink()
    st = store(user, preset)
    st.save(Settings(registries=registries(), language="en"))
    write_registry_settings(st.load(), tmp_path / "registries.yaml")
    for f in (user, tmp_path / "registries.yaml"):
        text = f.read_text(encoding="utf-8")
        assert "registry.city.token" in text
        assert SECRET not in text and "password" not in text.lower()
    assert not any(SECRET in p.read_text(errors="replace")
                   for p in tmp_path.rglob("*") if p.is_file())



def test_the_accessibility_switch_is_read_locked_and_checked(user: Path, preset: Path) -> None:
    preset.write_text("settings: {accessibility: false}\nlocked: [accessibility]\n",
                      encoding="utf-8")
    s = store(user, preset).load()
    assert s.accessibility is False and s.is_locked("accessibility")
    user.parent.mkdir(parents=True, exist_ok=True)
    user.write_text("accessibility: 'no'\n", encoding="utf-8")
    st = store(user)
    assert st.load().accessibility is True
    assert any("accessibility" in p and "true or false" in p for p in st.problems)
