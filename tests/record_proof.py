"""The end-to-end proof of recording (issue 13), shared by tests/test_record_e2e.py and
bench/record.py: on one private desktop with accessibility on (toolkit_targets.py), a
supervisor played by xdotool (app/sandbox/supervisor.py) fills a target once while
`deskhand record` listens; the playbook it writes is checked, then replayed with
`deskhand capture` + `deskhand fill` on other cases, judged by the target's own report.

    with ToolkitDesktop() as desk:
        proof = RecordProof(desk, "qt", work_dir)
        rec = proof.record()                     # RecordResult: playbook, seconds, files
        proof.check(rec.playbook)                # `deskhand check`
        result = proof.replay(rec.playbook, record_case("idcard", 1))
        result.wrong                             # {field: (wanted, held)}; {} when right
        proof.close()

Everything is started on the desktop's own X session and ended by it.
"""
from __future__ import annotations

import os
import re
import select
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from app.sandbox.record_cases import RecordCase, record_case
from app.sandbox.supervisor import (CONSTANTS, PASSWORD_BOX, PASSWORD_CREDENTIAL, SOURCE_OF,
                                    STOP_KEY, Supervisor, expected_state, plan_for)
from app.sandbox.targets import Target, launch_qt_client, launch_web_form
from toolkit_targets import ToolkitDesktop

ROOT = Path(__file__).resolve().parent.parent
# each target's title pattern as the supervisor names it to `deskhand record --target`
TITLES = {"qt": "城市审批系统 - 受理登记", "web": "城市审批系统（网页版）*",
          "gtk": "城市审批系统 - 受理登记（gtk）"}
# the box each constant goes into, by its label on the target (an answers file)
CONSTANT_BOXES = {"qt": {"matter": "办理事项"}, "web": {},
                  "gtk": {"marital_status": "婚姻状况", "verified": "已核验原件"}}


def _constant(value: object) -> str:
    return "是" if value is True else str(value)      # a ticked check box is 是


def answers_yaml(target: str) -> str:
    # keyed by the box's label as a person names it (办理事项), once: the compiler matches
    # it however the target spells it (the Qt client's "* 办理事项", GTK's "婚姻状况：")
    lines = ["answers:"]
    for name, label in CONSTANT_BOXES[target].items():
        lines.append(f'  "{label}": {{constant: {_constant(CONSTANTS[target][name])}}}')
    if target == "qt":
        lines.append("vault:")
        lines.append(f'  "{PASSWORD_BOX[1]}": {PASSWORD_CREDENTIAL}')
    return "\n".join(lines) + "\n"


@dataclass
class RecordResult:
    playbook: Path
    recording: Path
    code: int
    stdout: str
    stderr: str
    supervisor_s: float              # the supervisor's acting, start to stop key
    stop_to_playbook_s: float        # the stop key to the playbook written (process end)
    held: dict                       # what the target held when the supervisor stopped
    wanted: dict                     # what the supervisor meant it to hold


@dataclass
class ReplayResult:
    case: RecordCase
    capture_code: int
    fill_code: int
    wanted: dict
    held: dict
    output: str = ""
    wrong: dict = field(default_factory=dict)

    @property
    def fields_ok(self) -> int:
        return len(self.wanted) - len(self.wrong)


class RecordProof:
    """One target on `desk`, recorded once, replayed on other cases."""

    def __init__(self, desk: ToolkitDesktop, target: str, work_dir: Path, *,
                 extra_above: bool = False, keyring_env: dict[str, str] | None = None) -> None:
        """`keyring_env`: the variables of a private Secret Service (tests/secret_service.py
        `overlay`), for the Qt target's password credential."""
        self.desk = desk
        self.kind = target
        self.keyring_env = dict(keyring_env or {})
        self.dir = Path(work_dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.target = self._launch(extra_above)

    def close(self) -> None:
        self.target.close()

    # ------------------------------------------------------------ the target
    def _launch(self, extra_above: bool = False) -> Target:
        env = self.desk.env()
        if self.kind == "qt":
            return launch_qt_client(self.desk.session, env=env, form="secured")
        if self.kind == "web":
            return launch_web_form(self.desk.session, env=env, form="case",
                                   flags=("--force-renderer-accessibility",),
                                   extra_above=extra_above)
        return self.desk.launch(self.kind)

    def relaunch(self, *, extra_above: bool = False) -> None:
        self.target.close()
        self.target = self._launch(extra_above)

    def ready(self) -> None:
        """An empty form, focused, as a clerk finds it."""
        self.target.reset()
        self.target.activate()
        self.target.wait_state(lambda s: s.get("active"), 10)

    def move_and_resize(self, x: int = 420, y: int = 160, width: int = 900,
                        height: int = 860) -> None:
        wid = str(self.target.window_id)
        self.desk.session.xdotool("windowsize", "--sync", wid, str(width), str(height))
        self.desk.session.xdotool("windowmove", "--sync", wid, str(x), str(y))
        time.sleep(0.5)

    # ------------------------------------------------------------ deskhand
    def env(self) -> dict[str, str]:
        env = self.desk.env()
        if self.keyring_env:
            # the keyring's session bus replaces the accessibility desktop's, so the tree
            # is named directly
            env["AT_SPI_BUS_ADDRESS"] = self.desk.bus.a11y_address
            env.update(self.keyring_env)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
        return env

    def store_password(self) -> None:
        """The credential the recorded playbook names, set as IT would (`deskhand vault set`)."""
        from app.sandbox.supervisor import PASSWORD
        r = subprocess.run([sys.executable, "-m", "app.cli", "vault", "set", PASSWORD_CREDENTIAL],
                           env=self.env(), input=PASSWORD + "\n", capture_output=True, text=True,
                           timeout=60, cwd=ROOT)
        if r.returncode != 0:
            raise AssertionError(f"deskhand vault set failed: {r.stderr}")

    def deskhand(self, *args: str, timeout: float = 180.0) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "app.cli", *args], env=self.env(),
                              capture_output=True, text=True, timeout=timeout, cwd=ROOT)

    def check(self, playbook: Path) -> subprocess.CompletedProcess:
        return self.deskhand("check", str(playbook))

    # ------------------------------------------------------------ recording
    def record(self, name: str = "recorded", *, listen_ready_s: float = 60.0) -> RecordResult:
        """The supervisor fills the target from case 0 of its source while `deskhand
        record` listens, then presses the stop key."""
        case = record_case(SOURCE_OF[self.kind], 0)
        picture = case.write_picture(self.dir / f"{name}-source.png")
        answers = self.dir / f"{name}-answers.yaml"
        answers.write_text(answers_yaml(self.kind), encoding="utf-8")
        playbook = self.dir / f"{name}.yaml"
        plan = plan_for(self.kind, case.values)
        self.ready()
        proc = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "record", "-o", str(playbook),
             "--source-image", str(picture), "--target", TITLES[self.kind],
             "--stop-key", STOP_KEY, "--answers", str(answers)],
            env=self.env(), cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True)
        try:
            said = _wait_listening(proc, listen_ready_s)
            with Supervisor(self.desk.session, self.target.window_id, self.desk.env()) as sup:
                sup.perform(plan)
                held = self.target.state()["fields"]
                t_stop = time.monotonic()
                sup.press(STOP_KEY)
                out, err = proc.communicate(timeout=180)
                stop_to_playbook = time.monotonic() - t_stop
        except BaseException:
            proc.kill()
            proc.communicate()
            raise
        return RecordResult(playbook, playbook.with_name(playbook.stem + ".recording.json"),
                            proc.returncode, out, said + err, sup.seconds, stop_to_playbook,
                            held, dict(plan.state))

    def compile(self, recording: Path, out: Path) -> subprocess.CompletedProcess:
        """`deskhand record --recording`: the saved recording compiled again, no listening."""
        answers = self.dir / f"{out.stem}-answers.yaml"
        answers.write_text(answers_yaml(self.kind), encoding="utf-8")
        return self.deskhand("record", "-o", str(out), "--recording", str(recording),
                             "--answers", str(answers))

    # ------------------------------------------------------------ replaying
    def replay(self, playbook: Path, case: RecordCase) -> ReplayResult:
        """Capture `case`'s picture with the playbook, fill the target with it, and compare
        what the target holds with what it should."""
        picture = case.write_picture(self.dir / f"{case.name}.png")
        kept = self.dir / f"{case.name}.case.json"
        cap = self.deskhand("capture", str(playbook), "--image", str(picture), "--offline",
                            "--json", "-o", str(kept))
        wanted = expected_state(self.kind, case.values)
        if cap.returncode not in (0, 1) or not kept.is_file():
            return ReplayResult(case, cap.returncode, -1, wanted, {},
                                cap.stdout + cap.stderr, {n: (v, None) for n, v in wanted.items()})
        self.ready()
        fill = self.deskhand("fill", str(playbook), "--case", str(kept), "--yes", "--json",
                             "--wait-focus", "5")
        try:
            held = self.target.wait_state(
                lambda s: all(s["fields"].get(n) == v for n, v in wanted.items()), 5)["fields"]
        except TimeoutError:
            held = self.target.state()["fields"]
        wrong = {n: (v, held.get(n)) for n, v in wanted.items() if held.get(n) != v}
        return ReplayResult(case, cap.returncode, fill.returncode, wanted, held,
                            cap.stdout[-2000:] + cap.stderr[-2000:] + fill.stdout[-3000:]
                            + fill.stderr[-2000:], wrong)


def _wait_listening(proc: subprocess.Popen, timeout: float) -> str:
    """Wait until `deskhand record` says on stderr that it records (the line naming the
    stop key); returns what it said. Raises if it ends first."""
    deadline = time.monotonic() + timeout
    said = b""
    fd = proc.stderr.fileno()
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            chunk = os.read(fd, 4096)     # unbuffered: the file object's buffer stays empty
            said += chunk
            lines = said.decode("utf-8", "replace").lower().splitlines()
            if any(STOP_KEY in line.replace(" ", "") for line in lines):
                time.sleep(0.3)
                return said.decode("utf-8", "replace")
            if chunk:
                continue
        if proc.poll() is not None:
            out, err = proc.communicate()
            raise AssertionError(f"deskhand record ended before recording ({proc.returncode}):"
                                 f"\n{said.decode('utf-8', 'replace')}{out}\n{err}")
    raise AssertionError(f"deskhand record did not say it records within {timeout:.0f} s: "
                         f"{said.decode('utf-8', 'replace')}")


def literal_values(playbook_text: str, values: dict[str, str], allowed: set[str]) -> list[str]:
    """The case's values (other than the declared constants) found in a playbook's text,
    outside its fields' `choices` lists: those are the items of the target's own drop-downs
    (the web form lists every portal matter), the form's words rather than the case's."""
    text = re.sub(r"choices: \[[^\]\n]*\]", "choices: []", playbook_text)
    return sorted(v for v in set(values.values())
                  if isinstance(v, str) and len(v) >= 2 and v not in allowed and v in text)


def recorded_files(playbook: Path) -> list[Path]:
    """Every file the recorder wrote beside the playbook."""
    return sorted(p for p in playbook.parent.iterdir() if p.name.startswith(playbook.stem))

