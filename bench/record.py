"""Benchmark: recording a playbook by doing the job once (issue 13), on a private Xvfb +
openbox with the AT-SPI bus on (tests/record_proof.py, tests/toolkit_targets.py).

Per form — ID card → the Qt sample client (with a password box, read from a private
Secret Service at replay), portal page → the web form in Chromium (16
fields, 办理事项 picked with the mouse), ministry grid → the GTK approval form — a supervisor played by xdotool
(app/sandbox/supervisor.py) fills the target once while the real `deskhand record`
listens, then presses the stop key. Printed per form:
- supervisor_s: the supervisor's acting, first click to the stop key;
- stop_to_playbook_s: the stop key to the playbook written (the recorder's process ends);
- compile_s: `deskhand record --recording` on the saved recording (a process of its own);
- bound_auto / values_total (the compiler's count; the declared constants are values too)
  and the questions left;
- literal_case_values_left (the compiler's count, and the case values found in the text);
- replays: `deskhand capture` + `deskhand fill` on the 5 other cases, then one after the
  window was moved and resized, and (web) one on the page with an extra box above; the
  fields the target's own report holds right, over all fields meant;
- record_and_prove_s: wall time from starting the recorder to the last replay judged —
  the supervisor's time to record and prove the form (target: under 300 s for 15 fields).

The last line is one JSON object with forms_recorded, bound_auto_ratio,
replay_fields_ok_ratio, literal_case_values_left, stop_to_playbook_s (the slowest form),
supervisor_s_15_fields (record_and_prove_s of the 15-field form) and per-form figures;
the machine's load average is printed first and kept in it (`load`).

    python bench/record.py [--targets qt,web,gtk] [--replays 5]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))   # the harness

from app.sandbox.record_cases import CASES_PER_KIND, record_case  # noqa: E402
from app.sandbox.supervisor import CONSTANTS, SOURCE_OF, TARGETS  # noqa: E402


def _draft_counts(rec, kind: str) -> dict:
    from recorders.compile import compile_recording
    from recorders.questions import Answers
    from recorders.recording import Recording
    from record_proof import answers_yaml
    draft = compile_recording(Recording.load(rec.recording),
                              answers=Answers.from_yaml(answers_yaml(kind)))
    return {"bound_auto": draft.bound_auto, "values_total": draft.values_total,
            "questions": len(draft.questions),
            "literal_case_values_left": draft.literal_case_values_left}


def bench_form(desk, kind: str, work: Path, replays: int,
               keyring_env: dict[str, str] | None) -> dict:
    from record_proof import RecordProof, literal_values
    t0 = time.monotonic()
    proof = RecordProof(desk, kind, work / kind,
                        keyring_env=keyring_env if kind == "qt" else None)
    out: dict = {"target": kind, "source": SOURCE_OF[kind]}
    try:
        t_start = time.monotonic()
        rec = proof.record()
        if kind == "qt":
            proof.store_password()
        out.update(record_exit=rec.code, supervisor_s=round(rec.supervisor_s, 1),
                   stop_to_playbook_s=round(rec.stop_to_playbook_s, 2),
                   fields=len(rec.wanted),
                   supervisor_filled_ok=all(rec.held.get(n) == v for n, v in rec.wanted.items()))
        if rec.code != 0 or not rec.playbook.is_file():
            out["error"] = (rec.stdout + rec.stderr)[-1500:]
            return out
        out["check_exit"] = proof.check(rec.playbook).returncode
        t = time.monotonic()
        again = proof.compile(rec.recording, rec.playbook.with_name("again.yaml"))
        out["compile_s"] = round(time.monotonic() - t, 2)
        out["compile_exit"] = again.returncode
        out.update(_draft_counts(rec, kind))
        case0 = record_case(SOURCE_OF[kind], 0)
        allowed = {v for v in CONSTANTS[kind].values() if isinstance(v, str)}
        out["literals_in_text"] = literal_values(rec.playbook.read_text(encoding="utf-8"),
                                                 case0.values, allowed)
        results = []
        for i in range(1, min(replays, CASES_PER_KIND - 1) + 1):
            results.append(("case", proof.replay(rec.playbook, record_case(SOURCE_OF[kind], i))))
        proof.move_and_resize()
        results.append(("moved", proof.replay(rec.playbook, record_case(SOURCE_OF[kind], 1))))
        if kind == "web":
            proof.relaunch(extra_above=True)
            results.append(("extra_above",
                            proof.replay(rec.playbook, record_case(SOURCE_OF[kind], 2))))
        out["record_and_prove_s"] = round(time.monotonic() - t_start, 1)
        ok = sum(r.fields_ok for _, r in results)
        total = sum(len(r.wanted) for _, r in results)
        out.update(replay_fields_ok=ok, replay_fields_total=total,
                   replays={f"{how}:{r.case.name}": len(r.wrong) == 0 for how, r in results},
                   wrong={f"{how}:{r.case.name}": r.wrong for how, r in results if r.wrong})
        return out
    finally:
        proof.close()
        out["bench_s"] = round(time.monotonic() - t0, 1)


def run(targets: tuple[str, ...], replays: int) -> dict:
    from secret_service import SecretService
    from toolkit_targets import ToolkitDesktop
    work = Path(tempfile.mkdtemp(prefix="dh-bench-record-"))
    saved = {k: os.environ.get(k) for k in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME",
                                            "XDG_STATE_HOME", "TMPDIR")}
    for k in saved:                      # deskhand's logs and cases stay in the bench's folder
        os.environ[k] = str(work / k.lower())
        os.makedirs(os.environ[k], exist_ok=True)
    forms = []
    try:
        with ToolkitDesktop(work / "desk") as desk, SecretService(work / "keyring") as keys:
            for kind in targets:
                form = bench_form(desk, kind, work, replays, keys.overlay)
                print(json.dumps(form, ensure_ascii=False), flush=True)
                forms.append(form)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        shutil.rmtree(work, ignore_errors=True)
    done = [f for f in forms if "values_total" in f]
    bound = sum(f["bound_auto"] for f in done)
    total = sum(f["values_total"] for f in done)
    on_source = total - sum(len(CONSTANTS[f["target"]]) for f in done)
    ok = sum(f.get("replay_fields_ok", 0) for f in done)
    meant = sum(f.get("replay_fields_total", 0) for f in done)
    fifteen = next((f for f in done if f["fields"] >= 15), None)
    return {
        "forms_recorded": len(done),
        "bound_auto_ratio": round(bound / total, 4) if total else 0.0,
        # the values that are on the source at all (the declared constants are not)
        "bound_auto_ratio_on_source": round(bound / on_source, 4) if on_source else 0.0,
        "declared_constants": total - on_source,
        "replay_fields_ok_ratio": round(ok / meant, 4) if meant else 0.0,
        "literal_case_values_left": sum(f["literal_case_values_left"] + len(f["literals_in_text"])
                                        for f in done),
        "stop_to_playbook_s": max((f["stop_to_playbook_s"] for f in done), default=None),
        "questions_left": sum(f["questions"] for f in done),
        "supervisor_s_15_fields": fifteen["record_and_prove_s"] if fifteen else None,
        "fields_15_form": fifteen["fields"] if fifteen else None,
        "per_form": {f["target"]: {k: f.get(k) for k in (
            "fields", "supervisor_s", "stop_to_playbook_s", "compile_s", "bound_auto",
            "values_total", "replay_fields_ok", "replay_fields_total", "record_and_prove_s")}
            for f in forms},
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--targets", default=",".join(TARGETS))
    ap.add_argument("--replays", type=int, default=5)
    args = ap.parse_args()
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (2 cores)", flush=True)
    t0 = time.monotonic()
    result = run(tuple(t for t in args.targets.split(",") if t), args.replays)
    result["load"] = [round(x, 2) for x in os.getloadavg()]
    result["bench_s"] = round(time.monotonic() - t0, 1)
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
