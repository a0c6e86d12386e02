"""`deskhand doctor` and `deskhand doctor --self-test` as IT runs them, on real parts: a
private X display with openbox, a real Secret Service holding the registry's credential,
the reference registry on loopback named in an IT preset, the Qt sample client open.
A registry that does not answer and a hotkey another program holds fail their lines."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from app.registry.reference import DEMO_CREDENTIAL, reference_settings
from app.sandbox.registry_service.process import RegistryServer
from app.sandbox.xsession import XSession, missing_binaries

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.desktop, pytest.mark.timeout(300)]
if missing_binaries(("Xvfb", "openbox", "xdotool")):
    _WHY = "needs Xvfb, openbox and xdotool (bash installer/dev.sh test)"
    if os.environ.get("CI", "").strip().lower() in ("true", "1", "yes"):
        pytest.fail(_WHY, pytrace=False)
    pytest.skip(_WHY, allow_module_level=True)


@pytest.fixture(scope="module")
def session():
    with XSession() as s:
        yield s


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    with RegistryServer(tmp_path_factory.mktemp("registry"), people=20) as server:
        yield server


@pytest.fixture(scope="module")
def a11y_bus(session, tmp_path_factory):
    """An accessibility bus on the session (ended with it), as a desktop has."""
    from app.sandbox.toolkits.a11y_bus import AccessibilityBus, missing_tools
    if missing_tools():
        why = f"needs {', '.join(missing_tools())} (bash installer/dev.sh test)"
        if os.environ.get("CI", "").strip().lower() in ("true", "1", "yes"):
            pytest.fail(why, pytrace=False)
        pytest.skip(why)
    return AccessibilityBus(session, tmp_path_factory.mktemp("a11y")).start()


@pytest.fixture(scope="module")
def keyring(tmp_path_factory):
    from secret_service import SecretService, require_tools
    require_tools()
    with SecretService(tmp_path_factory.mktemp("keyring")) as service:
        yield service


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def clerk_env(tmp_path: Path, session, keyring, url: str) -> dict[str, str]:
    """The clerk's desktop: the display, the keyring, homes of their own, IT's preset naming
    the registry at `url` and locking two keys."""
    env = session.env()
    env.update(keyring.overlay)
    for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        env[var] = str(tmp_path / var.lower())
    preset = tmp_path / "preset.yaml"
    preset.write_text(yaml.safe_dump({
        "settings": {"registries": reference_settings(url)["registries"]},
        "locked": ["registries", "hotkeys.fill"]}, allow_unicode=True), encoding="utf-8")
    env["DESKHAND_PRESET"] = str(preset)
    env.pop("DESKHAND_REGISTRIES", None)
    env["DESKHAND_LANG"] = "en"
    return env


def deskhand(env: dict[str, str], *args: str, stdin: str | None = None):
    return subprocess.run([sys.executable, "-m", "app.cli", *args], env=env, cwd=ROOT,
                          input=stdin, capture_output=True, text=True, timeout=120)


def test_doctor_json_on_a_working_desktop(tmp_path, session, registry, keyring, a11y_bus):
    from app.sandbox.targets import launch_qt_client
    env = clerk_env(tmp_path, session, keyring, registry.url)
    env["AT_SPI_BUS_ADDRESS"] = a11y_bus.a11y_address   # the keyring has the session bus
    secret = registry.secret.decode()
    r = deskhand(env, "vault", "set", DEMO_CREDENTIAL, stdin=secret + "\n")
    assert r.returncode == 0, r.stderr
    client = launch_qt_client(session, env=a11y_bus.env())
    try:
        r = deskhand(env, "doctor", "--json")
    finally:
        client.close()
    assert secret not in r.stdout + r.stderr
    doc = json.loads(r.stdout)
    checks = {c["name"]: c for c in doc["checks"]}
    assert all(set(c) == {"name", "title", "ok", "level", "detail", "advice"}
               for c in doc["checks"])
    assert r.returncode == 0 and doc["ok"], [c for c in doc["checks"] if not c["ok"]]
    assert checks["display"]["detail"] == f"X11 {session.display}, window manager Openbox"
    assert checks["keyring"]["level"] == "ok" and DEMO_CREDENTIAL in checks["keyring"]["detail"]
    assert checks["hotkeys"]["detail"] == "Ctrl+Alt+C, Ctrl+Alt+V, Ctrl+Alt+Esc free"
    assert checks["ocr"]["level"] == "ok" and "sha256 checked" in checks["ocr"]["detail"]
    assert "reference.person answered a record" in checks["registry.reference"]["detail"]
    assert checks["preset"]["detail"].endswith("locked: hotkeys.fill, registries")
    assert checks["logs"]["level"] == checks["cases"]["level"] == "ok"
    assert str(tmp_path / "xdg_data_home") in checks["cases"]["detail"]
    # the Qt client is open (its window seen), the web form is not
    qt = checks["target.title '城市审批系统 - 受理登记*'"]
    assert qt["level"] == "ok" and qt["detail"] == (
        "'城市审批系统 - 受理登记' shows its fields to accessibility (15 found): Deskhand can fill "
        "them by their labels.")
    assert checks["target.title '城市审批系统（网页版）*'"]["detail"] == "not open now: nothing to look at"
    assert "Qt (PySide6) 6." in checks["versions"]["detail"]


def test_an_unreachable_registry_and_a_taken_hotkey_fail_with_advice(tmp_path, session, keyring):
    from app.hotkeys.x11 import X11Hotkeys
    env = clerk_env(tmp_path, session, keyring, f"http://127.0.0.1:{closed_port()}")
    r = deskhand(env, "vault", "set", DEMO_CREDENTIAL, stdin="not-used-here\n")
    assert r.returncode == 0, r.stderr
    other = X11Hotkeys(session.display)          # another program holding Ctrl+Alt+C
    try:
        other.register("theirs", "Ctrl+Alt+C", lambda: None)
        r = deskhand(env, "doctor")
    finally:
        other.stop()
    assert r.returncode == 1, r.stdout + r.stderr
    lines = r.stdout.splitlines()
    reg = next(i for i, line in enumerate(lines) if line.startswith("✗ Registry reference"))
    assert "reference.person failed" in lines[reg]
    assert lines[reg + 1].startswith("    → Check the network, the firewall and the registry's "
                                     "base_url (http://127.0.0.1:")
    hot = next(line for line in lines if line.startswith("✗ Hotkeys"))
    assert "taken: Ctrl+Alt+C." in hot and "Ctrl+Alt+V" not in hot.split(".")[0]
    assert lines[-1].endswith("failed.") and "Traceback" not in r.stderr


FROZEN_SHIM = """#!{python}
# What a PyInstaller build is to Deskhand: sys.frozen set, sys.executable the deskhand program
import sys
sys.frozen = True
sys.executable = __file__
sys.path.insert(0, {installer!r})
from frozen_main import main
sys.exit(main())
"""


def test_self_test_proves_the_chain_on_its_own_display_as_a_frozen_build(tmp_path):
    """Run as a frozen build runs it: the registry and the sample client are started through
    the deskhand program itself (app.paths.module_argv), not `python -m`."""
    shim = tmp_path / "deskhand"
    shim.write_text(FROZEN_SHIM.format(python=sys.executable, installer=str(ROOT / "installer")),
                    encoding="utf-8")
    shim.chmod(0o755)
    env = dict(os.environ, DESKHAND_LANG="en", PYTHONPATH=str(ROOT))
    env.pop("DISPLAY", None)                     # it brings its own
    r = subprocess.run([str(shim), "doctor", "--self-test", "--json"], env=env, cwd=tmp_path,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    doc = json.loads(r.stdout)
    steps = {s["name"]: s for s in doc["steps"]}
    assert list(steps) == ["ocr", "check", "registry", "fill"]
    assert all(s["ok"] and s["level"] == "ok" for s in doc["steps"]), doc
    assert steps["ocr"]["detail"].startswith("6/6 fields as expected")
    assert steps["check"]["detail"].startswith("2101**********311X")
    assert steps["registry"]["detail"].startswith("http://127.0.0.1:")
    assert "5 fields confirmed" in steps["registry"]["detail"]
    assert steps["fill"]["detail"].startswith("6/6 values in the sample client's own state")
    assert doc["seconds"] >= sum(s["seconds"] for s in doc["steps"])
