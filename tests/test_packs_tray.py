"""The tray's menu under IT's requirement of signed packs (offscreen Qt): a signed pack's
playbook is offered, an unsigned pack's is not but is listed with the reason."""
from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("pytestqt")

from app.hotkeys.dummy import DummyHotkeys  # noqa: E402
from app.packs.build import build_pack  # noqa: E402
from app.packs.install import install_pack  # noqa: E402
from app.packs.keys import new_key_pair  # noqa: E402
from app.packs.trust import PackPolicy, TrustedKey  # noqa: E402
from app.pipeline import PipelineOptions, build_pipeline  # noqa: E402
from app.settings import Settings  # noqa: E402
from app.ui.dispatch import MainThread  # noqa: E402
from app.ui.tray import TrayApp  # noqa: E402
from tests.test_packs import make_folder  # noqa: E402


def test_the_tray_offers_a_signed_packs_playbook_and_not_an_unsigned_ones(qtbot, tmp_path: Path,
                                                                        monkeypatch):
    root = tmp_path / "system-packs"
    monkeypatch.setenv("DESKHAND_SYSTEM_PACKS", str(root))
    private, public = new_key_pair()
    loose = PackPolicy((TrustedKey("it-2026", public),), False)
    build_pack(make_folder(tmp_path / "a", "signed", "signed-intake"), tmp_path / "signed.zip",
               private_key=private)
    build_pack(make_folder(tmp_path / "b", "unsigned", "unsigned-intake"), tmp_path / "unsigned.zip")
    for z in ("signed.zip", "unsigned.zip"):
        install_pack(tmp_path / z, root, loose)          # installed before IT required signatures
    settings = Settings(packs=PackPolicy(loose.trusted_keys, True))
    pipeline = build_pipeline(PipelineOptions(settings=settings))
    tray = TrayApp(pipeline=pipeline, settings=settings, hotkeys=DummyHotkeys(), main=MainThread(),
                   log_dir=tmp_path / "logs", fill_worker=None)
    try:
        tray.show()
        pick = tray.menu.actions()[0].menu()
        offered = [a.data() for d in pick.actions() if d.menu() is not None
                   for a in d.menu().actions()]
        assert "signed-intake" in offered and "unsigned-intake" not in offered
        refused = [a for a in pick.actions() if a.text().endswith("unsigned")]
        assert refused and not refused[0].isEnabled()
        assert "not signed" in refused[0].toolTip()
        assert tray.status()["menu_refused"] == ["unsigned"]
    finally:
        tray.icon.hide()
        pipeline.close()
