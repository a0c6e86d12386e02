"""An archive package of a case that was really read and really filled: the ID card read by
OCR (`deskhand capture`), typed into the sample Qt approval client on the test run's own
Xvfb (`deskhand fill`), then `deskhand archive` and `deskhand archive verify`. The package is
judged against the card's bytes and against what the client itself holds."""
from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from app.sandbox.xsession import XSession, missing_binaries

pytestmark = [pytest.mark.desktop, pytest.mark.timeout(300)]
if missing_binaries(("Xvfb", "openbox", "xdotool", "xclip")):
    pytest.skip("needs Xvfb, openbox, xdotool and xclip (bash installer/dev.sh setup)",
                allow_module_level=True)

from app.sandbox.targets import launch_qt_client  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def deskhand(session, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "app.cli", *args], env=session.env(),
                          capture_output=True, text=True, timeout=180, cwd=ROOT)


def test_a_read_and_filled_case_is_filed_with_its_card_and_the_forms_state(tmp_path):
    from app.sandbox.people import make_person
    from app.sandbox.sources import render_id_card
    person = make_person(21)
    card = tmp_path / "card.png"
    render_id_card(person, seed=21).image.save(card)
    case = tmp_path / "case.json"
    with XSession() as session:
        client = launch_qt_client(session)
        try:
            r = deskhand(session, "capture", "idcard-to-qt-intake", "--image", str(card),
                         "--offline", "--json", "-o", str(case))
            assert r.returncode in (0, 1), r.stderr
            client.reset()
            client.activate()
            client.wait_state(lambda s: s.get("focused") == "applicant_name", 5)
            r = deskhand(session, "fill", "idcard-to-qt-intake", "--case", str(case), "--yes",
                         "--wait-focus", "3", "--json")
            assert r.returncode == 0, r.stderr + r.stdout
            held = client.wait_state(lambda s: s["fields"].get("id_number") == person.id_number,
                                     5)["fields"]
        finally:
            client.close()
    r = deskhand(session, "archive", str(case), "-o", str(tmp_path / "out"), "--unit",
                 "龙岩市行政服务中心", "--json")
    assert r.returncode == 0, r.stderr
    pkg = Path(json.loads(r.stdout)["packages"][0]["package"])
    with zipfile.ZipFile(pkg) as z:
        sources = [n for n in z.namelist() if n.startswith("content/sources/")]
        assert len(sources) == 1 and z.read(sources[0]) == card.read_bytes()
        forms = json.loads(z.read("content/forms.json"))
        meta = z.read("metadata.xml").decode("utf-8")
    last = forms["fills"][-1]
    assert last["outcome"] == "done" and last["readback_ok"] >= 5 and last["differs"] == []
    # every value the package says was typed is what the client holds
    typed = {k: v for k, v in forms["values"].items() if k in held}
    assert typed and all(held[k] == v for k, v in typed.items()), (typed, held)
    assert f"<申请人>{person.name}</申请人>" in meta and person.id_number not in meta
    assert "<办理结果>已办结</办理结果>" in meta
    r = deskhand(session, "archive", "verify", str(pkg))
    assert r.returncode == 0, r.stdout + r.stderr
