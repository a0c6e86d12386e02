"""Recording a playbook by doing the job once (issue 13), end to end on the test run's own
Xvfb: a supervisor played by xdotool (app/sandbox/supervisor.py) fills three targets by
hand from three sources while the real listener (`deskhand record`) records real X input —

    ID card → the Qt sample client · portal page → the web form in Chromium (16 fields)
    · ministry grid → the approval form in GTK

— clicking boxes, typing Chinese, a typo backspaced, a paste, a radio, a drop-down item
picked with the mouse, Tab between some fields, then the stop key. The playbook the real
compiler writes must pass `deskhand check`, bind every typed value to a source field or a
declared constant (no case value left in it as a literal), and, replayed with `deskhand
capture` + `deskhand fill` on other cases of the same source, fill every field right —
judged by the target's own report of what it holds — also after the window was moved and
resized, and for the web target after the page put an extra box above the recorded ones.
The Qt client has a password box: what the supervisor types there reaches no file; the
playbook names a credential, which the replays read from a private Secret Service.

CI replays two cases per target (and one each for the variants); bench/record.py replays
all five and prints the figures.
"""
from __future__ import annotations

import importlib.util
import json

import pytest

from app.sandbox.record_cases import record_case
from app.sandbox.supervisor import (CONSTANTS, PASSWORD, PASSWORD_BOX, PASSWORD_CREDENTIAL,
                                    SOURCE_OF, TARGETS)
from record_proof import RecordProof, literal_values, recorded_files
from secret_service import SecretService, require_tools
from toolkit_targets import ToolkitDesktop, require_desktop, require_toolkit

pytestmark = [pytest.mark.desktop, pytest.mark.timeout(600)]
if importlib.util.find_spec("recorders.compile") is None \
        or importlib.util.find_spec("recorders.session") is None:    # pragma: no cover
    pytest.skip("the listener and the compiler (recorders/session.py, recorders/compile.py) "
                "are not in this tree yet", allow_module_level=True)

REPLAYED = (1, 2)          # cases replayed in CI (bench/record.py: 1–5)
MOVED_CASE = 3
EXTRA_ABOVE_CASE = 4


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    require_desktop()
    with ToolkitDesktop(tmp_path_factory.mktemp("rec", numbered=True)) as d:
        yield d


@pytest.fixture(scope="module")
def keyring(tmp_path_factory):
    """A private Secret Service: the Qt playbook's password comes from the vault."""
    require_tools()
    with SecretService(tmp_path_factory.mktemp("keyring")) as service:
        yield service.overlay


@pytest.fixture(scope="module", params=TARGETS)
def recorded(request, desk, tmp_path_factory):
    """The target recorded once: (proof, RecordResult)."""
    kind = request.param
    require_toolkit({"qt": "qt", "web": "chromium", "gtk": "gtk"}[kind])
    keys = request.getfixturevalue("keyring") if kind == "qt" else None
    proof = RecordProof(desk, kind, tmp_path_factory.mktemp(f"record-{kind}"), keyring_env=keys)
    try:
        rec = proof.record()
        if kind == "qt":
            proof.store_password()
        yield proof, rec
    finally:
        proof.close()


def _constants(kind: str) -> set[str]:
    return {v for v in CONSTANTS[kind].values() if isinstance(v, str)}




def test_the_supervisor_fills_the_form_while_it_is_recorded(recorded):
    proof, rec = recorded
    # the harness itself: what the supervisor meant is what the target held at the stop
    assert {n: rec.held.get(n) for n in rec.wanted} == rec.wanted
    assert rec.code == 0, rec.stdout + rec.stderr
    assert "Traceback" not in rec.stderr


def test_the_playbook_passes_check_and_binds_every_value(recorded):
    proof, rec = recorded
    case = record_case(SOURCE_OF[proof.kind], 0)
    assert rec.playbook.is_file() and rec.recording.is_file(), recorded_files(rec.playbook)
    assert rec.playbook.with_name(rec.playbook.stem + ".source.png").is_file()
    r = proof.check(rec.playbook)
    assert r.returncode == 0, r.stdout + r.stderr
    text = rec.playbook.read_text(encoding="utf-8")
    assert literal_values(text, case.values, _constants(proof.kind)) == []
    assert "read: clerk" not in text.replace("read: {clerk", "read: clerk"), text

    # the saved recording compiled again, no listening: the same playbook comes out
    again = rec.playbook.with_name("again.yaml")
    r = proof.compile(rec.recording, again)
    assert r.returncode == 0, r.stdout + r.stderr
    assert proof.check(again).returncode == 0

    # the compiler's own count agrees: every typed value bound, nothing asked, no literal
    from recorders.compile import compile_recording
    from recorders.questions import Answers
    from recorders.recording import Recording
    answers = Answers.from_yaml(rec.playbook.with_name("recorded-answers.yaml")
                                .read_text(encoding="utf-8"))
    draft = compile_recording(Recording.load(rec.recording), answers=answers)
    assert draft.questions == [], draft.questions
    # each answer, keyed by the label as a person spells it, found its one box
    assert not [r for r in draft.report if "answer for" in r], draft.report
    assert draft.literal_case_values_left == 0
    # (the password is no value: the vault gives it)
    assert draft.values_total == len(rec.wanted) - (1 if proof.kind == "qt" else 0)
    assert draft.bound_auto + len(CONSTANTS[proof.kind]) == draft.values_total


def test_the_password_typed_is_nowhere_and_the_playbook_names_its_credential(recorded):
    """What the supervisor typed into the password box is in no file the recorder wrote
    (the playbook, the recording, the answers, anything beside them) nor in its output;
    the playbook reads that box from the vault by the credential's name."""
    proof, rec = recorded
    if proof.kind != "qt":
        pytest.skip("the password box is on the Qt client")
    assert rec.held[PASSWORD_BOX[0]] == PASSWORD            # it was typed, and held
    secret = PASSWORD.encode("utf-8")
    files = [p for p in proof.dir.rglob("*") if p.is_file()]
    assert rec.recording in files and rec.playbook in files
    assert [p.name for p in files if secret in p.read_bytes()] == []
    assert PASSWORD not in rec.stdout + rec.stderr
    assert PASSWORD_CREDENTIAL in rec.playbook.read_text(encoding="utf-8")


@pytest.mark.parametrize("index", REPLAYED)
def test_the_playbook_fills_other_cases_right(recorded, index):
    proof, rec = recorded
    result = proof.replay(rec.playbook, record_case(SOURCE_OF[proof.kind], index))
    assert result.wrong == {}, result.output
    assert result.fill_code == 0, result.output
    if proof.kind == "qt":      # the password went in from the vault, and into no case file
        secret = PASSWORD.encode("utf-8")
        assert [p.name for p in proof.dir.rglob("*") if p.is_file()
                and secret in p.read_bytes()] == []


def test_it_still_fills_right_after_the_window_moved_and_resized(recorded):
    proof, rec = recorded
    proof.move_and_resize()
    result = proof.replay(rec.playbook, record_case(SOURCE_OF[proof.kind], MOVED_CASE))
    assert result.wrong == {}, result.output


def test_the_web_page_with_an_extra_box_above(recorded):
    proof, rec = recorded
    if proof.kind != "web":
        pytest.skip("only the web page changes its layout")
    proof.relaunch(extra_above=True)
    assert "appointment_no" in proof.target.state()["fields"]
    result = proof.replay(rec.playbook, record_case("portal", EXTRA_ABOVE_CASE))
    assert result.wrong == {}, result.output
    assert result.held.get("appointment_no") == "", json.dumps(result.held, ensure_ascii=False)
