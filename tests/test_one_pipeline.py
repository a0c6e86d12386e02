"""One case pipeline: the command line and the tray read the same source into the same
case — same playbook lookup, same registry settings (the clerk's settings, not only
--registries), same scaling — with real OCR and the reference registry on loopback."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

pytest.importorskip("pytestqt")

from app.registry.reference import reference_settings  # noqa: E402
from app.sandbox.people import make_person  # noqa: E402
from app.sandbox.sources import render_portal_page  # noqa: E402
from registry_server import RegistryServer  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PLAYBOOK = "portal-to-qt-intake"
SEED = 3


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    with RegistryServer(tmp_path_factory.mktemp("registry"), people=20) as server:
        yield server


@pytest.fixture(scope="module")
def keyring_overlay(tmp_path_factory):
    from secret_service import SecretService, require_tools
    require_tools()
    with SecretService(tmp_path_factory.mktemp("keyring")) as service:
        yield service.overlay


@pytest.fixture
def homes(tmp_path, monkeypatch, registry, keyring_overlay):
    """A clerk whose settings (not a --registries file) name the registry, whose keyring
    holds its secret, and a playbook folder of their own holding a copy of a shipped
    playbook under a new id."""
    for var, value in keyring_overlay.items():
        monkeypatch.setenv(var, value)
    for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(var, str(tmp_path / var.lower()))
    from app.registry.reference import DEMO_CREDENTIAL
    r = subprocess.run([sys.executable, "-m", "app.cli", "vault", "set", DEMO_CREDENTIAL],
                       input=registry.secret.decode() + "\n", capture_output=True, text=True,
                       timeout=60, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    monkeypatch.delenv("DESKHAND_PRESET", raising=False)
    monkeypatch.delenv("DESKHAND_REGISTRIES", raising=False)
    mine = tmp_path / "mine"
    mine.mkdir()
    text = (ROOT / f"playbooks/library/{PLAYBOOK}.yaml").read_text(encoding="utf-8")
    (mine / "clerk-copy.yaml").write_text(text.replace(f"id: {PLAYBOOK}", "id: clerk-copy"),
                                          encoding="utf-8")
    config = tmp_path / "xdg_config_home" / "deskhand"
    config.mkdir(parents=True)
    settings = reference_settings(registry.url)
    (config / "settings.yaml").write_text(yaml.safe_dump(
        {"playbook_dirs": [str(mine)], "registries": settings["registries"]},
        allow_unicode=True), encoding="utf-8")
    return tmp_path


def comparable(case: dict) -> dict:
    """What must agree between the two paths (the id, times and file names may not)."""
    return {name: (f["value"], f["status"], f["original"], f["source"].get("box"),
                   (f["source"].get("registry") or {}).get("result"))
            for name, f in case["fields"].items()}


def test_cli_and_tray_make_the_same_case(qtbot, homes, registry):
    page = render_portal_page(make_person(SEED), scale=1.25, seed=SEED)
    png = homes / "portal-125.png"
    page.image.save(png)

    # the command line, with no --registries: the settings' registries are asked, with
    # the secret from the keyring
    r = subprocess.run([sys.executable, "-m", "app.cli", "capture", "clerk-copy", "--image",
                        str(png), "--json", "-o", str(homes / "cli.json")],
                       capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert r.returncode in (0, 1), r.stderr
    cli_doc = json.loads(r.stdout)
    assert cli_doc["verification"] and not cli_doc["error"], cli_doc
    cli_case = json.loads((homes / "cli.json").read_text(encoding="utf-8"))

    # the tray's path: its pipeline, its capture from a picture
    from app.hotkeys.dummy import DummyHotkeys
    from app.pipeline import build_pipeline
    from app.ui.dispatch import MainThread
    from app.ui.tray import TrayApp
    from app.pipeline import PipelineOptions
    from app.registry.reference import DEMO_CREDENTIAL
    secret = registry.secret.decode()   # keyring's backend is chosen once per process: ask it by name
    pipeline = build_pipeline(PipelineOptions(
        secrets=lambda name: secret if name == DEMO_CREDENTIAL else ""))
    tray = TrayApp(pipeline=pipeline, settings=pipeline.settings, hotkeys=DummyHotkeys(),
                   main=MainThread(), log_dir=homes / "logs", fill_worker=None)
    try:
        tray.choose_playbook("clerk-copy")
        pb = tray.library.get("clerk-copy")
        assert pb is not None and tray.library.get(PLAYBOOK) is not None
        tray.capture(image=pipeline.load_image(pb, png))
        qtbot.waitUntil(lambda: bool(tray.state.outcome is not None or tray.state.last_error),
                        timeout=60000)
        assert tray.state.last_error is None
        outcome = tray.state.outcome
        tray_case = json.loads(outcome.case_path.read_text(encoding="utf-8"))
    finally:
        if tray.review is not None:
            tray.review.close()
        tray.icon.hide()
        pipeline.close()

    assert comparable(tray_case) == comparable(cli_case)
    assert tray_case["fields"]["applicant_name"]["value"] == make_person(SEED).name
    # both asked the registry from the settings, and read at the page's 125% scale
    assert {a["lookup"] for a in tray_case["verification"]} == \
        {a["lookup"] for a in cli_case["verification"]} == {"reference.person", "reference.business"}
    assert outcome.case_path.parent == homes / "xdg_data_home" / "deskhand" / "cases"
    assert tray_case["fields"]["applicant_name"]["source"]["file"] == str(png.resolve())
