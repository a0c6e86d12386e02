"""Benchmark: how long the readers take on the worst inputs that stay inside their limits
(playbooks/README.md "Limits", app/case_json.py). A reader that answers hostile input in
minutes is as bad as one that crashes: before the error cap and the bounded "did you
mean", a 176 KB playbook of 4,000 misspelt field names took 374 s to refuse.

    python bench/hostile.py

The last line printed is one JSON object: seconds per input, and the real playbook's time.
"""
from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.cases import load_case  # noqa: E402
from playbooks.errors import DeskhandError  # noqa: E402
from playbooks.loader import load_playbook_text  # noqa: E402

HEAD = 'deskhand: 1\nid: x\nname: x\ntarget: {title: "城市审批系统*"}\n'


def playbooks() -> dict[str, str]:
    many_fields = "fields:\n" + "".join(f"  - {{name: field_{i:04d}}}\n" for i in range(4000))
    return {
        "real (sample-qt-intake)": (ROOT / "playbooks/library/sample-qt-intake.yaml").read_text(encoding="utf-8"),
        "4000 misspelt field names": HEAD + many_fields + "fill:\n"
        + "".join(f"  - type: fielb_{i:04d}\n" for i in range(4000)),
        "300 keys of 150 modifiers": HEAD + "fields:\n  - {name: a}\nfill:\n"
        + "".join("  - key: " + "ctrl+" * 150 + "x\n" for _ in range(300)),
        "5000 steps with an unknown key": HEAD + "fields:\n  - {name: a}\nfill:\n"
        + "".join(f"  - {{typo{i}: a, type: a}}\n" for i in range(5000)),
        "5000 choices, 100 steps of wrong options": HEAD + "fields:\n  - {name: g, type: choice, choices: ["
        + ",".join(f"c{i}" for i in range(4999)) + "]}\nfill:\n"
        + "".join("  - choose: {field: g, options: {" + ",".join(f"d{i}: tab" for i in range(40)) + "}}\n"
                  for _ in range(100)),
        "4 choose steps of 4999 options": HEAD + "fields:\n  - {name: g, type: choice, choices: ["
        + ",".join(f"c{i}" for i in range(4999)) + "]}\nfill:\n"
        + "".join("  - choose: {field: g, options: {" + ",".join(f"c{i}: tab" for i in range(4999)) + "}}\n"
                  for _ in range(4)),
        "alias fan-out to 100,000 values": HEAD + "a: &a [" + ",".join(["x"] * 1000) + "]\n"
        + "b: [" + ",".join(["*a"] * 99) + "]\n",
        "256 KiB of long values": HEAD + "description: " + "长" * 9000 + "\n"
        + "".join(f"d{i}: " + "x" * 9000 + "\n" for i in range(27)),
    }


def cases(folder: Path) -> dict[str, Path]:
    out = {}
    for name, text in {
        "16 MiB of one field": '{"a": "' + "x" * (16 * 1024 * 1024 - 20) + '"}',
        "1000 fields of 10,000 characters": json.dumps({f"f{i}": "字" * 10_000 for i in range(1000)},
                                                       ensure_ascii=False),
        "100,000-deep array": "[" * 100_000 + "]" * 100_000,
    }.items():
        path = folder / f"{len(out)}.json"
        path.write_text(text, encoding="utf-8")
        out[name] = path
    return out


def timed(fn) -> tuple[float, str]:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    try:
        fn()
        outcome = "accepted"
    except DeskhandError as e:
        outcome = "refused: " + str(e).splitlines()[0][:70]
    return time.perf_counter() - start, outcome


def main() -> None:
    figures: dict[str, float] = {}
    for name, text in playbooks().items():
        seconds, outcome = timed(lambda: load_playbook_text(text, "bench.yaml"))
        figures[f"playbook: {name}"] = round(seconds, 3)
        print(f"playbook  {name:<42} {len(text):>9,} chars {seconds:7.3f} s  {outcome}")
    with tempfile.TemporaryDirectory(prefix="deskhand-bench-") as tmp:
        for name, path in cases(Path(tmp)).items():
            seconds, outcome = timed(lambda: load_case(path))
            figures[f"case: {name}"] = round(seconds, 3)
            print(f"case      {name:<42} {path.stat().st_size:>9,} bytes {seconds:7.3f} s  {outcome}")
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
