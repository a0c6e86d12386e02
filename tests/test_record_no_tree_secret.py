"""No secret is recorded where the target shows no accessibility tree (issue 13): the Tk
form (an Entry with show="*") and the Swing form started without Java's ATK bridge (a
JPasswordField), each with its password box 经办人密码, on the test run's own Xvfb.

A supervisor played by xdotool types two plain values from the source (公民身份号码,
联系电话) and a password, moving between boxes with Tab, while `deskhand record` listens.
The recorder holds what goes into each box of such a window until a look at the box has
decided (recorders/secret_look.py): the password box shows mask glyphs, so its text is
dropped. Judged by: the password in no file the recorder wrote, not in its output or the
log; the plain values recorded and bound; the playbook passes `deskhand check`; and a
replay with the password in the vault (a private Secret Service) fills the password box,
read from the form's own state.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from app.sandbox.record_cases import record_case
from record_proof import _wait_listening
from secret_service import SecretService, require_tools
from test_record_listen import files_holding
from toolkit_targets import ROOT, ToolkitDesktop, require_desktop, require_toolkit

pytestmark = [pytest.mark.desktop, pytest.mark.timeout(420)]

SECRET = "Kq7-pass#2026"
STOP_KEY = "ctrl+alt+s"
PLAIN = ("id_number", "phone")          # typed from the source, then the password


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    require_desktop()
    with ToolkitDesktop(tmp_path_factory.mktemp("nopw", numbered=True)) as d:
        yield d


@pytest.fixture(scope="module")
def keyring(tmp_path_factory):
    require_tools()
    with SecretService(tmp_path_factory.mktemp("keyring")) as service:
        yield service.overlay


def _env(desk: ToolkitDesktop, keyring: dict[str, str] | None = None) -> dict[str, str]:
    env = desk.env()
    if keyring:
        env["AT_SPI_BUS_ADDRESS"] = desk.bus.a11y_address
        env.update(keyring)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    return env


def _tab_to(desk, form, name: str) -> None:
    """Tab until `name` has focus, as a supervisor who knows the form would."""
    for _ in range(25):
        if form.state()["focused"] == name:
            return
        desk.session.xdotool("key", "Tab")
        time.sleep(0.25)
    raise AssertionError(f"Tab never reached {name}: {form.state()['focused']}")


def _ready(form) -> None:
    form.reset()
    form.activate()
    form.wait_state(lambda s: s.get("active") and s.get("focused") == "applicant_name", 10)


@pytest.fixture(scope="module", params=["tk", "java"])
def recorded(request, desk, tmp_path_factory):
    """(toolkit, form, work folder, playbook, record's output) of one recording."""
    kind = request.param
    require_toolkit(kind)
    form = desk.launch(kind, bridge=False, password=True)
    work = tmp_path_factory.mktemp(f"nopw-{kind}")
    try:
        assert not desk.atspi_tree(form)["found"], \
            f"the {kind} form shows a tree: this test is about one without"
        case = record_case("portal", 0)
        picture = case.write_picture(work / "source.png")
        playbook = work / f"{kind}-login.yaml"
        _ready(form)
        proc = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "record", "-o", str(playbook),
             "--source-image", str(picture), "--target", form.title, "--stop-key", STOP_KEY],
            env=_env(desk), cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True)
        try:
            said = _wait_listening(proc, 90)
            form.activate()
            x = desk.session.xdotool
            for name in PLAIN:
                _tab_to(desk, form, name)
                x("type", "--delay", "80", case.values[name])
                time.sleep(0.3)
            _tab_to(desk, form, "operator_password")
            x("type", "--delay", "80", SECRET)
            time.sleep(0.3)
            x("key", "Tab")
            time.sleep(0.4)
            held = form.state()["fields"]
            x("key", STOP_KEY)
            out, err = proc.communicate(timeout=180)
        except BaseException:
            proc.kill()
            proc.communicate()
            raise
        yield kind, form, work, playbook, held, case, proc.returncode, out, said + err
    finally:
        form.close()


def test_the_password_typed_into_a_box_without_a_tree_is_nowhere(recorded, desk):
    kind, form, work, playbook, held, case, code, out, err = recorded
    assert held["operator_password"] == SECRET          # the form really took it
    assert code in (0, 1), out + err
    assert "Traceback" not in err
    assert playbook.is_file(), out + err
    from app.logs import log_dir
    logs = log_dir()
    roots = [work] + ([logs] if logs.is_dir() else [])
    assert files_holding(SECRET, roots) == []
    assert SECRET not in out + err
    # the report names the box taken for a password (its label, read by OCR)
    assert "经办人密码" in out + err, out + err
    from recorders.recording import Recording
    rec = Recording.load(playbook.with_name(playbook.stem + ".recording.json"))
    secret = [e for e in rec.events if e.widget is not None and e.widget.secret]
    assert secret and all(e.text is None for e in secret)
    assert {e.widget.secret_by for e in secret} == {"look"}
    assert "密码" in secret[0].widget.label, secret[0].widget.label
    # the plain boxes were recorded as typed (held, looked at, let through), and no
    # character of the password, one at a time
    typed = "".join(e.text or "" for e in rec.events if e.kind == "text")
    assert "".join(case.values[n] for n in PLAIN) == typed


def test_the_playbook_passes_check_and_reads_the_password_from_the_vault(recorded, desk):
    kind, form, work, playbook, *_ = recorded
    r = desk.deskhand("check", str(playbook))
    assert r.returncode == 0, r.stdout + r.stderr
    doc = yaml.safe_load(playbook.read_text(encoding="utf-8"))
    vaulted = [f for f in doc["fields"] if isinstance(f.get("read"), dict) and "vault" in f["read"]]
    assert len(vaulted) == 1 and vaulted[0].get("secret") is True, doc["fields"]
    clerk = [f["name"] for f in doc["fields"] if f.get("read") == "clerk"]
    assert clerk == [], doc["fields"]          # both plain values bound to the source
    text = playbook.read_text(encoding="utf-8")
    assert "readback: false" in text


def test_replayed_with_the_password_in_the_vault_it_fills_the_box(recorded, desk, keyring):
    kind, form, work, playbook, held, case, *_ = recorded
    doc = yaml.safe_load(playbook.read_text(encoding="utf-8"))
    credential = next(f["read"]["vault"] for f in doc["fields"]
                      if isinstance(f.get("read"), dict) and "vault" in f["read"])
    env = _env(desk, keyring)

    def deskhand(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "app.cli", *args], env=env, cwd=ROOT,
                              input=stdin, capture_output=True, text=True, timeout=180)

    r = deskhand("vault", "set", credential, stdin=SECRET + "\n")
    assert r.returncode == 0, r.stderr
    other = record_case("portal", 1)
    picture = other.write_picture(work / "case1.png")
    kept = work / "case1.case.json"
    r = deskhand("capture", str(playbook), "--image", str(picture), "--offline", "--json",
                 "-o", str(kept))
    assert r.returncode in (0, 1) and kept.is_file(), r.stdout + r.stderr
    _ready(form)
    r = deskhand("fill", str(playbook), "--case", str(kept), "--yes", "--json",
                 "--wait-focus", "5")
    want = {"id_number": other.values["id_number"], "phone": other.values["phone"],
            "operator_password": SECRET}
    try:
        state = form.wait_state(lambda s: all(s["fields"].get(n) == v for n, v in want.items()),
                                8)["fields"]
    except TimeoutError:
        state = form.state()["fields"]
    assert {n: state.get(n) for n in want} == want, r.stdout + r.stderr
    assert r.returncode == 0, r.stdout + r.stderr
    assert files_holding(SECRET, [work]) == []      # not in the case file either
