"""The README's command blocks run as written on a fresh set-up: no settings, no registries
file, no keyring entry, the working folder a copy of the checkout. Commands that type run
on the test's private X display into the sample approval client (which the README tells
the reader to start), and the fill that asks before typing is answered on a terminal.
What was typed is judged by what the client holds."""
from __future__ import annotations

import json
import os
import pty
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.sandbox.xsession import XSession, missing_binaries

pytestmark = [pytest.mark.desktop, pytest.mark.timeout(300)]
if missing_binaries(("Xvfb", "openbox", "xdotool")):
    pytest.skip("needs Xvfb, openbox and xdotool (bash installer/dev.sh setup)",
                allow_module_level=True)

from app.sandbox.people import make_person  # noqa: E402
from app.sandbox.sources import render_portal_page, show_image_argv  # noqa: E402
from app.sandbox.targets import launch_qt_client  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"


# ------------------------------------------------------------------ reading the README
def bash_block(section: str, nth: int = 0) -> str:
    """The nth ```bash block under the `## section` heading."""
    text = README.read_text(encoding="utf-8")
    m = re.search(rf"^## {re.escape(section)}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert m, f"README has no section '## {section}'"
    blocks = re.findall(r"^```bash\n(.*?)^```", m.group(1), re.M | re.S)
    assert len(blocks) > nth, f"README section '{section}' has no bash block {nth}"
    return blocks[nth]


@dataclass
class Command:
    argv: list[str]
    background: bool = False


def commands(block: str) -> list[Command]:
    """Lines joined at trailing backslashes, comments dropped, `&` at the end noted."""
    out = []
    for line in block.replace("\\\n", " ").splitlines():
        argv = shlex.split(line, comments=True)
        if not argv:
            continue
        background = argv[-1] == "&"
        out.append(Command(argv[:-1] if background else argv, background))
    return out


def test_commands_are_read_like_a_shell_reads_them():
    got = commands('a b "c d"  # note\n\nx --y \\\n  z &\n# only a comment\n')
    assert got == [Command(["a", "b", "c d"]), Command(["x", "--y", "z"], True)]


# ------------------------------------------------------------------ running them
class Shell:
    """Runs README commands the way a reader's terminal would: `deskhand` is this
    checkout's command line, `export` sets a variable, `&` starts a server in the
    background (waited for until its first line, as the README says to)."""

    def __init__(self, cwd: Path, env: dict[str, str]) -> None:
        self.cwd, self.env = cwd, dict(env)
        self.env["PYTHONPATH"] = str(ROOT)
        self.background: list[subprocess.Popen] = []

    def _argv(self, argv: list[str]) -> list[str]:
        assert argv[0] == "deskhand", f"not a deskhand command: {argv}"
        return [sys.executable, "-m", "app.cli", *argv[1:]]

    def run(self, cmd: Command, answer: str = "y\n") -> subprocess.CompletedProcess:
        if cmd.argv[0] == "export":
            for assignment in cmd.argv[1:]:
                name, _, value = assignment.partition("=")
                self.env[name] = value
            return subprocess.CompletedProcess(cmd.argv, 0, "", "")
        if cmd.background:
            proc = subprocess.Popen(self._argv(cmd.argv), cwd=self.cwd, env=self.env,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            self.background.append(proc)
            first = proc.stdout.readline()
            assert first, f"{cmd.argv} ended: {proc.stderr.read() if proc.poll() is not None else ''}"
            return subprocess.CompletedProcess(cmd.argv, 0, first, "")
        # stdin is a terminal, as in the reader's shell; a command that asks gets `answer`
        master, slave = pty.openpty()
        try:
            os.write(master, answer.encode())
            return subprocess.run(self._argv(cmd.argv), cwd=self.cwd, env=self.env, stdin=slave,
                                  capture_output=True, text=True, timeout=120)
        finally:
            os.close(slave)
            os.close(master)

    def close(self) -> None:
        for proc in self.background:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture
def shell(tmp_path):
    """A fresh working folder holding what a clone has (the README's relative paths
    resolve), with no settings (conftest.py points the XDG folders at empty ones)."""
    work = tmp_path / "clone"
    work.mkdir()
    for name in ("playbooks", "resources", "installer", "docs"):
        (work / name).symlink_to(ROOT / name)
    sh = Shell(work, os.environ)
    yield sh
    sh.close()


@pytest.fixture(scope="module")
def session():
    with XSession() as s:
        yield s


@pytest.fixture(scope="module")
def client(session):
    t = launch_qt_client(session)
    yield t
    t.close()


def _focus(client) -> None:
    client.reset()
    client.activate()
    client.wait_state(lambda s: s.get("focused") == "applicant_name", 5)


def _ok(r: subprocess.CompletedProcess, code: int = 0) -> None:
    assert r.returncode == code, f"{shlex.join(r.args)}\nexit {r.returncode}\n{r.stdout}\n{r.stderr}"
    assert "Traceback" not in r.stderr


def test_filling_a_case(shell, session, client):
    shell.env.update(session.env())
    cmds = commands(bash_block("Filling a case"))
    assert [c.argv[:2] for c in cmds] == [["deskhand", "check"]] + [["deskhand", "fill"]] * 3
    check, dry_run, asked, with_set = cmds
    _ok(shell.run(check))
    r = shell.run(dry_run)
    _ok(r)
    assert "nothing is typed" in r.stdout and "3508**********103X" in r.stdout
    assert client.state()["fields"]["applicant_name"] == ""

    sample = json.loads((ROOT / "resources/samples/case-zhang-wei.json").read_text(encoding="utf-8"))
    _focus(client)
    r = shell.run(asked)                                   # asks [y/N] on the terminal
    _ok(r)
    assert "[y/N]" in r.stdout
    client.wait_state(lambda s: s["fields"] == sample, 5)

    _focus(client)
    _ok(shell.run(with_set))
    values = dict(a.split("=", 1) for a in with_set.argv if "=" in a)
    want = {**{k: "" for k in sample}, **values}
    client.wait_state(lambda s: s["fields"] == want, 5)


def test_reading_a_source(shell, session, client, tmp_path):
    shell.env.update(session.env())
    card, window, fill = commands(bash_block("Reading a source"))
    r = shell.run(card)
    _ok(r, 1)                      # as the README says: the engine was unsure of 凤 in 高凤
    case = json.loads((shell.cwd / "case.json").read_text(encoding="utf-8"))
    person = make_person(5)                                 # the generated card's applicant
    assert case["fields"]["id_number"]["value"] == person.id_number
    name = case["fields"]["applicant_name"]
    assert name["value"] == person.name == "高凤" and name["status"] == "invalid"
    assert "not sure of 凤" in name["source"]["problems"][0]
    # the address is free text: no check could confirm it
    assert {k: f["status"] for k, f in case["fields"].items() if k != "applicant_name"} == {
        k: "unchecked" if k == "address" else "ok" for k in case["fields"] if k != "applicant_name"}

    page = render_portal_page(make_person(8), seed=8)      # "a portal page on screen"
    png = tmp_path / "portal.png"
    page.image.save(png)
    viewer = session.spawn(show_image_argv(str(png), "e龙岩 - 办件详情"), cwd=str(ROOT),
                           stdout=subprocess.DEVNULL)
    try:
        session.activate(session.wait_window("e龙岩*", 20))
        r = shell.run(window)
        _ok(r, 1)                          # as the README says: 办理事项 is not on the page
        report = json.loads(r.stdout)                       # --json: one document
        assert report["needs_person"] == ["matter"]
        free = ("applicant_name", "address", "employer", "postcode", "email")    # free text
        assert {row["field"]: row["status"] for row in report["fields"] if row["field"] != "matter"} \
            == {row["field"]: "unchecked" if row["field"] in free else "ok"
                for row in report["fields"] if row["field"] != "matter"}
        case = json.loads((shell.cwd / "case.json").read_text(encoding="utf-8"))
        assert case["fields"]["id_number"]["value"] == page.truth["id_number"]
        _focus(client)
        _ok(shell.run(fill))
        held = client.wait_state(lambda s: s["fields"]["id_number"] == page.truth["id_number"], 5)
        assert held["fields"]["applicant_name"] == page.truth["applicant_name"]
        assert held["fields"]["matter"] == "公积金提取"
    finally:
        session.end(viewer)


def test_verifying_with_the_reference_registry(shell, tmp_path):
    from secret_service import SecretService
    with SecretService(tmp_path / "keyring") as keyring:   # the clerk's desktop keyring
        shell.env.update(keyring.overlay)
        export, serve, vault, capture = commands(bash_block("Verifying against the registries"))
        # Port 8765 may be taken by another run on this machine: any free port, which
        # --write-settings puts into registries.yaml all the same.
        serve.argv = ["0" if a == "8765" else a for a in serve.argv]
        for cmd in (export, serve, vault):
            _ok(shell.run(cmd))
        r = shell.run(capture)
        _ok(r)
        case = json.loads((shell.cwd / "case.json").read_text(encoding="utf-8"))
        statuses = {k: f["status"] for k, f in case["fields"].items()}
        assert set(statuses.values()) == {"ok"}, repr(statuses)
        assert case["verification"], "the registry was not asked"
