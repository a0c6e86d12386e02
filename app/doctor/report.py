"""The doctor's report: a line per check for a terminal or a log, or one JSON document
for fleet collection, and the exit code.

    ✓ 显示            X11 :0，窗口管理器 Openbox
    ✗ 数据接口 city   ……
        → 检查网络、防火墙和该接口的 base_url。

Exit codes: 0 every check is fine (warnings allowed); 1 something needs attention (a
check failed); 3 a fault prevented a check from running.
"""
from __future__ import annotations

import json
import platform
import time
import unicodedata
from collections.abc import Iterable
from typing import Any, TextIO

from app.doctor.checks import FAIL, OK, WARN, Check
from app.i18n import _

__all__ = ["MARKS", "exit_code", "print_report", "report_json", "line"]

MARKS = {OK: "✓", WARN: "!", FAIL: "✗"}
FAULT = "fault"          # a check's name suffix when the check itself could not run


def exit_code(checks: Iterable[Check]) -> int:
    checks = list(checks)
    if any(c.name.endswith("." + FAULT) for c in checks):
        return 3
    return 1 if any(not c.ok for c in checks) else 0


def columns(text: str) -> int:
    """How many terminal columns `text` takes: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def line(check: Check, width: int = 16) -> str:
    pad = " " * max(0, width - columns(check.title))
    text = f"{MARKS[check.level]} {check.title}{pad} {check.detail}"
    if check.advice and check.level != OK:
        text += "\n    → " + check.advice
    return text


def print_report(checks: list[Check], out: TextIO) -> int:
    width = min(28, max((columns(c.title) for c in checks), default=0))
    for c in checks:
        print(line(c, width), file=out)
    counts = {level: sum(1 for c in checks if c.level == level) for level in (OK, WARN, FAIL)}
    print(_("{ok} fine, {warn} to note, {fail} failed.", ok=counts[OK], warn=counts[WARN],
            fail=counts[FAIL]), file=out)
    return exit_code(checks)


def report_json(checks: list[Check], out: TextIO, **extra: Any) -> int:
    code = exit_code(checks)
    doc = {"host": platform.node(), "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
           "ok": code == 0, "exit_code": code, **extra,
           "checks": [c.to_json() for c in checks]}
    json.dump(doc, out, ensure_ascii=False, indent=2)
    print(file=out)
    return code
