"""`deskhand doctor`'s checks one by one, with fakes for what they look at (pure logic), and
the self-test's step bookkeeping. The real parts are in tests/test_doctor_e2e.py."""
from __future__ import annotations

import copy
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest

from app.doctor import checks as c
from app.doctor import desktop_checks as d
from app.doctor.report import exit_code, print_report, report_json
from app.doctor.selftest import FAILED, PASSED, SKIPPED, SelfTest, Step
from app.doctor.selftest import exit_code as selftest_exit
from app.errors import (CredentialMissingError, HotkeyConflictError, HotkeyError, OcrError,
                        RegistryNotConfiguredError, SelfTestError, VaultUnavailableError)
from app.paths import module_argv
from app.registry.reference import reference_settings
from app.registry.settings import parse_registry_settings

ROOT = Path(__file__).resolve().parent.parent


# ------------------------------------------------------------------ Check and the report
def test_a_check_knows_its_level_and_shape():
    with pytest.raises(ValueError):
        c.Check("x", "X", "bad", "")
    warn = c.Check("x", "X", c.WARN, "detail", "advice")
    assert warn.ok and not c.Check("x", "X", c.FAIL, "").ok
    assert warn.to_json() == {"name": "x", "title": "X", "ok": True, "level": "warn",
                              "detail": "detail", "advice": "advice"}


def test_exit_codes_and_lines():
    fine = c.Check("a", "A", c.OK, "fine", "never shown")
    note = c.Check("b", "B", c.WARN, "note", "look")
    bad = c.Check("e", "E", c.FAIL, "broken", "fix it")
    assert exit_code([fine, note]) == 0
    assert exit_code([fine, bad]) == 1
    assert exit_code([fine, c.Check("ocr.fault", "ocr", c.FAIL, "")]) == 3
    out = io.StringIO()
    assert print_report([fine, note, bad], out) == 1
    lines = out.getvalue().splitlines()
    assert lines[0] == "✓ A fine"
    assert lines[1:5] == ["! B note", "    → look", "✗ E broken", "    → fix it"]
    assert lines[-1] == "1 fine, 1 to note, 1 failed."
    out = io.StringIO()
    assert report_json([fine, bad], out) == 1
    doc = json.loads(out.getvalue())
    assert doc["ok"] is False and doc["exit_code"] == 1
    assert [x["name"] for x in doc["checks"]] == ["a", "e"] and doc["checks"][1]["advice"] == "fix it"


# ------------------------------------------------------------------ keyring
class FakeVault:
    backend_name = "keyring.backends.SecretService.Keyring"

    def __init__(self, held=(), broken: Exception | None = None) -> None:
        self.held, self.broken = set(held), broken

    def check(self) -> None:
        if self.broken:
            raise self.broken

    def has(self, name: str) -> bool:
        return name in self.held


def test_keyring_names_missing_credentials_never_values():
    ok = c.keyring_check(FakeVault({"reg.secret"}), ["reg.secret"])
    assert ok.level == c.OK and "SecretService" in ok.detail and "reg.secret" in ok.detail
    missing = c.keyring_check(FakeVault(), ["reg.secret", "city.token"])
    assert missing.level == c.FAIL and "reg.secret, city.token" in missing.detail
    assert "deskhand vault set" in missing.advice
    down = c.keyring_check(FakeVault(broken=VaultUnavailableError("No OS keyring.")), ["x"])
    assert down.level == c.FAIL and down.detail == "No OS keyring."


def test_credential_names_come_from_the_registry_settings():
    settings = parse_registry_settings(reference_settings("http://127.0.0.1:9"))
    assert c.credential_names(settings) == ["registry.reference.secret"]
    assert c.credential_names(None) == []


# ------------------------------------------------------------------ OCR
def test_ocr_model_files_missing_or_wrong_fail(tmp_path):
    def wrong(rec: str) -> list[Path]:
        raise OcrError("The OCR model file x is not the published one.")
    bad = c.ocr_check("rapidocr", wrong, {})
    assert bad.level == c.FAIL and "not the published one" in bad.detail
    model = tmp_path / "m.onnx"
    model.write_bytes(b"\0" * 2**20)
    asked = []
    good = c.ocr_check("rapidocr-v4", lambda rec: asked.append(rec) or [model],
                       {"rapidocr_onnxruntime": "1.4.4"})
    assert asked == ["ppocrv4"] and good.level == c.OK and "1.4.4" in good.detail


# ------------------------------------------------------------------ registries
def _settings(**kw):
    doc = reference_settings("http://gateway.test", **kw)
    return lambda: parse_registry_settings(doc)


def test_a_registry_answering_the_sample_is_fine_and_the_secret_is_not_shown():
    seen = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"data": {"xm": "胡梅珍", "sfzh": "350821197408062908"}})
    [check] = c.registry_checks(_settings(scheme="bearer"), lambda name: "s3cret-token",
                                transport=httpx.MockTransport(answer))
    assert check.name == "registry.reference" and check.level == c.OK, check
    assert "reference.person answered a record" in check.detail
    assert seen[0].url.path == "/population/v1/persons/350821197408062908"
    assert seen[0].headers["authorization"] == "Bearer s3cret-token"
    assert "s3cret" not in json.dumps(check.to_json())


def test_a_registry_refusing_or_missing_its_credential_fails_with_advice():
    refuse = httpx.MockTransport(lambda r: httpx.Response(401, json={"error": "bad token"}))
    [check] = c.registry_checks(_settings(scheme="bearer"), lambda name: "x", transport=refuse)
    assert check.level == c.FAIL and "registry.reference.secret" in check.advice

    def missing(name: str) -> str:
        raise CredentialMissingError(f"No credential named {name}.")
    [check] = c.registry_checks(_settings(scheme="bearer"), missing, transport=refuse)
    assert check.level == c.FAIL and check.advice == \
        "Store it with: deskhand vault set registry.reference.secret"


def test_a_registry_without_a_sample_is_only_reached():
    doc = copy.deepcopy(reference_settings("http://gateway.test", scheme="none"))  # shared dicts
    for ep in doc["registries"]["reference"]["endpoints"].values():
        ep.pop("sample", None)
    [check] = c.registry_checks(lambda: parse_registry_settings(doc), lambda n: "",
                                transport=httpx.MockTransport(lambda r: httpx.Response(404)))
    assert check.level == c.WARN and "HTTP 404" in check.detail and "sample" in check.advice


def test_no_registries_is_a_warning():
    def none():
        raise RegistryNotConfiguredError("No data-sharing registry is set up.")
    [check] = c.registry_checks(none, lambda n: "")
    assert check.level == c.WARN and check.name == "registries"


# ------------------------------------------------------------------ preset, settings, folders
def test_the_preset_found_parsed_and_locked_keys(tmp_path):
    missing = c.preset_check(tmp_path / "preset.yaml", required=False)
    assert missing.level == c.OK and "none at" in missing.detail
    assert c.preset_check(tmp_path / "preset.yaml", required=True).level == c.FAIL
    preset = tmp_path / "preset.yaml"
    preset.write_text("settings: {ocr_engine: rapidocr}\nlocked: [ocr_engine, hotkeys.fill]\n",
                      encoding="utf-8")
    found = c.preset_check(preset, required=True)
    assert found.level == c.OK and found.detail.endswith("locked: hotkeys.fill, ocr_engine")
    preset.write_text("settings: {ocr_engine: nope}\n", encoding="utf-8")
    broken = c.preset_check(preset, required=True)
    assert broken.level == c.FAIL and "cannot be used" in broken.detail


def test_folders_writable_and_their_free_space(tmp_path):
    assert c.folder_check("logs", "Log folder", tmp_path / "logs").level == c.OK
    assert (tmp_path / "logs").is_dir() and list((tmp_path / "logs").iterdir()) == []
    blocker = tmp_path / "file"
    blocker.write_text("")
    bad = c.folder_check("logs", "Log folder", blocker / "logs")
    assert bad.level == c.FAIL and "not writable" in bad.detail

    def free(n: int):
        return lambda p: SimpleNamespace(free=n)
    assert c.folder_check("cases", "C", tmp_path, space=True,
                          disk_usage=free(50 * 2**20)).level == c.FAIL
    assert c.folder_check("cases", "C", tmp_path, space=True,
                          disk_usage=free(500 * 2**20)).level == c.WARN
    assert c.folder_check("cases", "C", tmp_path, space=True,
                          disk_usage=free(5 * 2**30)).detail.endswith("5.0 GB free")


def test_versions_name_qt_without_importing_it():
    found = c.versions(lambda dist: {"deskhand": "0.1.0", "pyside6-essentials": "6.9.0"}.get(dist))
    assert found["qt"] == "6.9.0" and found["python"].startswith("3.")
    assert "Qt (PySide6) 6.9.0" in c.versions_check(found).detail


def test_os_release_pretty_name(tmp_path):
    f = tmp_path / "os-release"
    f.write_text('NAME="UOS"\nPRETTY_NAME="UnionTech OS Desktop 20"\n', encoding="utf-8")
    assert c.os_release(f) == "UnionTech OS Desktop 20"


# ------------------------------------------------------------------ display, hotkeys, targets
def test_display_cases():
    assert d.display_check({}, platform="linux").level == c.FAIL
    assert "X11" in d.display_check({"WAYLAND_DISPLAY": "wayland-0"}, platform="linux").advice
    assert d.display_check({"DISPLAY": ":5"}, platform="linux",
                           window_manager=lambda disp: None).level == c.WARN
    fine = d.display_check({"DISPLAY": ":5"}, platform="linux", window_manager=lambda disp: "Openbox")
    assert fine.level == c.OK and fine.detail == "X11 :5, window manager Openbox"
    xwayland = d.display_check({"DISPLAY": ":0", "XDG_SESSION_TYPE": "wayland"}, platform="linux",
                               window_manager=lambda disp: "Mutter")
    assert xwayland.level == c.WARN and "XWayland" in xwayland.detail

    def refused(disp):
        raise ConnectionRefusedError("Can't connect")
    assert d.display_check({"DISPLAY": ":9"}, platform="linux",
                           window_manager=refused).level == c.FAIL
    assert d.display_check({}, platform="win32", interactive=lambda: False).level == c.FAIL
    assert d.display_check({}, platform="win32", interactive=lambda: True).level == c.OK


class FakeHotkeys:
    def __init__(self, taken: set[str]) -> None:
        self.taken, self.grabbed, self.stopped = taken, [], False

    def register(self, name, combo, callback):
        if combo in self.taken:
            raise HotkeyConflictError(f"{combo} is already used by another program.",
                                      name=name, combo=combo)
        self.grabbed.append(combo)

    def stop(self):
        self.stopped = True


def test_hotkeys_taken_are_named_and_grabs_released():
    keys = {"capture": "Ctrl+Alt+C", "fill": "Ctrl+Alt+V", "abort": "Ctrl+Alt+Esc"}
    fake = FakeHotkeys({"Ctrl+Alt+V"})
    check = d.hotkeys_check(lambda: fake, keys)
    assert check.level == c.FAIL and check.detail.startswith("taken: Ctrl+Alt+V.")
    assert fake.stopped and fake.grabbed == ["Ctrl+Alt+C", "Ctrl+Alt+Esc"]
    assert d.hotkeys_check(lambda: FakeHotkeys(set()), keys).level == c.OK

    def no_display():
        raise HotkeyError("No X display.")
    assert d.hotkeys_check(no_display, keys).level == c.FAIL


def test_hotkeys_the_running_tray_holds_are_fine_the_ones_it_could_not_have_are_not():
    keys = {"capture": "Ctrl+Alt+C", "fill": "Ctrl+Alt+V", "abort": "Ctrl+Alt+Esc"}
    all_taken = set(keys.values())
    tray = {"hotkey_problems": {}}
    check = d.hotkeys_check(lambda: FakeHotkeys(all_taken), keys, lambda: tray)
    assert check.level == c.OK and "held by the Deskhand tray" in check.detail
    # the tray could not have Ctrl+Alt+V: another program holds it
    tray = {"hotkey_problems": {"fill": "Ctrl+Alt+V is taken by another program."}}
    check = d.hotkeys_check(lambda: FakeHotkeys(all_taken), keys, lambda: tray)
    assert check.level == c.FAIL and check.detail.startswith("taken: Ctrl+Alt+V.")
    # no tray answers: taken is taken
    assert d.hotkeys_check(lambda: FakeHotkeys(all_taken), keys, lambda: None).level == c.FAIL


def test_targets_open_or_not_and_what_they_show():
    from app.desktop.base import WindowInfo
    from playbooks.model import TargetSpec
    books = [SimpleNamespace(target=TargetSpec(title="城市审批系统*")),
             SimpleNamespace(target=TargetSpec(title="城市审批系统*")),      # once
             SimpleNamespace(target=TargetSpec(title="公积金*"))]
    desktop = SimpleNamespace(list_windows=lambda: [WindowInfo(7, "城市审批系统 - 受理登记")])

    class A11y:
        closed = False

        def fields(self, window, refresh=False):
            return [object()] * 15

        def close(self):
            A11y.closed = True
    checks = d.target_checks(books, desktop, A11y)
    assert [x.name for x in checks] == ["target.title '城市审批系统*'", "target.title '公积金*'"]
    assert "(15 found)" in checks[0].detail and checks[0].level == c.OK
    assert checks[1].level == c.OK and checks[1].detail.startswith("not open")
    assert A11y.closed
    off = d.target_checks(books, desktop, A11y, enabled=False)
    assert "accessibility is off" in off[0].detail


# ------------------------------------------------------------------ the self-test's bookkeeping
def test_after_a_failed_step_the_rest_are_skipped_and_the_exit_code(tmp_path):
    test = SelfTest(tmp_path, xvfb=None)

    def fails():
        raise SelfTestError("The sample ID card was misread.")
    test.ocr = fails                                          # type: ignore[method-assign]
    steps = test.run()
    assert [s.level for s in steps] == [FAILED, SKIPPED, SKIPPED, SKIPPED]
    assert steps[1].detail == "not run: the step 'OCR of the sample ID card' failed"
    assert selftest_exit(steps) == 1


def test_no_xvfb_skips_the_fill_with_the_package_to_install(tmp_path):
    test = SelfTest(tmp_path, xvfb=None)
    step = Step("fill", "Fill")
    test._run_step(step, test.fill)
    assert step.level == SKIPPED
    assert step.detail == "skipped: Xvfb not installed (apt-get install xvfb openbox)"
    no_wm, bare = Step("fill", "Fill"), SelfTest(tmp_path, xvfb="/usr/bin/Xvfb", openbox=None)
    bare._run_step(no_wm, bare.fill)
    assert no_wm.level == SKIPPED and no_wm.detail.startswith("skipped: openbox not installed")
    assert selftest_exit([Step("ocr", "o", PASSED), step]) == 4
    assert selftest_exit([Step("ocr", "o", PASSED)]) == 0
    assert selftest_exit([Step("ocr", "o", PASSED)], faults=1) == 3


# ------------------------------------------------------------------ starting a module, frozen
def test_a_module_starts_as_python_minus_m_frozen_or_not(tmp_path):
    """Frozen, sys.executable is the deskhand program: its entry answers -m as python does."""
    assert module_argv("app.sandbox.sample_client") == \
        [sys.executable, "-m", "app.sandbox.sample_client"]
    shim = tmp_path / "deskhand"
    shim.write_text(f"#!{sys.executable}\nimport sys\nsys.path.insert(0, {str(ROOT / 'installer')!r})\n"
                    "from frozen_main import main\nsys.exit(main())\n", encoding="utf-8")
    shim.chmod(0o755)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    r = subprocess.run([str(shim), "-m", "app.sandbox.sample_client", "--help"], env=env,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and "usage" in r.stdout.lower(), r.stderr
    r = subprocess.run([str(shim), "--version"], env=env, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0 and r.stdout.startswith("deskhand "), r.stderr


def test_targets_when_accessibility_cannot_be_reached():
    from app.desktop.base import WindowInfo
    from app.errors import AccessibilityUnavailableError
    from playbooks.model import TargetSpec
    books = [SimpleNamespace(target=TargetSpec(title="城市审批系统*")),
             SimpleNamespace(target=TargetSpec(title="公积金*"))]
    desktop = SimpleNamespace(list_windows=lambda: [WindowInfo(7, "城市审批系统 - 受理登记")])

    def no_bus():
        raise AccessibilityUnavailableError("install at-spi2-core")
    checks = d.target_checks(books, desktop, no_bus)
    assert [(x.name, x.level) for x in checks] == [("target.title '城市审批系统*'", c.WARN),
                                                   ("target.title '公积金*'", c.OK),
                                                   ("accessibility", c.WARN)]
    assert checks[2].detail == "install at-spi2-core"


def test_a_check_that_crashes_is_a_fault_line_and_the_others_still_run(tmp_path):
    from app.doctor.runner import DoctorParts, run_checks
    from app.library import PlaybookLibrary
    from app.settings import Settings

    def none():
        raise RegistryNotConfiguredError("No data-sharing registry is set up.")

    def boom():
        raise RuntimeError("the hotkey backend broke")
    parts = DoctorParts(settings=Settings(), settings_path=tmp_path / "settings.yaml",
                        settings_problems=[], preset_path=tmp_path / "preset.yaml",
                        preset_required=False, library=PlaybookLibrary([]), vault=FakeVault(),
                        registries=none, secrets=lambda n: "", desktop=boom, accessibility=boom,
                        hotkeys=boom, log_dir=tmp_path / "logs", cases_dir=tmp_path / "cases",
                        environ={}, model_files=lambda rec: [])
    checks = run_checks(parts)
    names = [x.name for x in checks]
    assert names == ["versions", "display", "keyring", "hotkeys.fault", "ocr", "registries",
                     "preset", "settings", "logs", "cases"]
    fault = checks[3]
    assert fault.detail == "this check could not run: the hotkey backend broke"
    assert "deskhand.log" in fault.advice and exit_code(checks) == 3


def test_a_ca_bundle_that_cannot_be_read_is_a_failed_line_not_a_crash(tmp_path):
    doc = copy.deepcopy(reference_settings("https://gateway.test", scheme="none"))
    reg = doc["registries"]["reference"]
    reg["ca_bundle"] = str(tmp_path / "missing-ca.pem")
    for ep in reg["endpoints"].values():
        ep.pop("sample", None)
    [check] = c.registry_checks(lambda: parse_registry_settings(doc), lambda n: "",
                                transport=httpx.MockTransport(lambda r: httpx.Response(200)))
    assert check.level == c.FAIL and "missing-ca.pem" in check.detail, check
    assert "ca_bundle" in check.advice
