"""`deskhand audit export`: the entries of a date range for an inspector, with a statement
of what verifying the whole log found (JSON lines, or CSV with Chinese headers for Excel)."""
from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

from app.audit.verify import Verdict, read_entries
from app.errors import UsageError
from app.i18n import _

__all__ = ["CSV_HEADERS", "parse_day", "entries_between", "render_export"]

CSV_COLUMNS = ("seq", "time", "event", "user", "host", "data", "alg", "prev", "mac")
CSV_HEADERS = ("序号", "时间(UTC)", "事件", "用户", "计算机", "内容(已脱敏)", "算法", "前一条MAC", "MAC")


def parse_day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(_("{option} {text} is not a date; write it as 2026-12-05.",
                           option=option, text=text)) from None


def _local_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """The local days `first`..`last` (inclusive) as an aware UTC interval [start, end)."""
    tz = datetime.now().astimezone().tzinfo
    start = datetime.combine(first, time.min, tz).astimezone(timezone.utc)
    end = datetime.combine(last + timedelta(days=1), time.min, tz).astimezone(timezone.utc)
    return start, end


def entries_between(path: Path, first: date, last: date) -> list[dict[str, Any]]:
    """The log's entries whose time falls on the local days `first`..`last`."""
    if last < first:
        raise UsageError(_("--to {last} is before --from {first}.", last=last, first=first))
    start, end = _local_bounds(first, last)
    out = []
    for _n, entry, _raw in read_entries(path):
        if entry is None:
            continue
        try:
            at = datetime.fromisoformat(entry["time"].replace("Z", "+00:00"))
        except ValueError:
            continue
        if start <= at < end:
            out.append(entry)
    return out


def statement(verdict: Verdict | None, why_not: str | None, entries: list[dict[str, Any]],
              first: date, last: date, lines: bytes) -> dict[str, Any]:
    if verdict is None:
        result = _("Not verified: {reason}", reason=why_not)
    elif verdict.ok:
        result = _("The whole log verified intact ({n} entries, {cps} checkpoints matched).",
                   n=verdict.entries, cps=verdict.checkpoints_matched)
        if verdict.unkeyed:
            result += " " + _("{n} entries were chained without a key (weaker).", n=verdict.unkeyed)
    else:
        result = _("The log is broken: {problem}", problem=verdict.problem.message)  # type: ignore[union-attr]
    return {"kind": "deskhand-audit-statement", "from": first.isoformat(), "to": last.isoformat(),
            "entries": len(entries),
            "seq": [entries[0]["seq"], entries[-1]["seq"]] if entries else None,
            "verified_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "log": verdict.log if verdict else None, "intact": bool(verdict and verdict.ok),
            "result": result, "sha256_of_entries": hashlib.sha256(lines).hexdigest()}


def render_export(entries: list[dict[str, Any]], verdict: Verdict | None, why_not: str | None,
                  first: date, last: date, fmt: str) -> str:
    lines = "".join(json.dumps(e, ensure_ascii=False, separators=(",", ":")) + "\n"
                    for e in entries)
    st = statement(verdict, why_not, entries, first, last, lines.encode("utf-8"))
    if fmt == "jsonl":
        return lines + json.dumps(st, ensure_ascii=False) + "\n"
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(CSV_HEADERS)
    for e in entries:
        w.writerow([json.dumps(e[c], ensure_ascii=False) if c == "data" else e.get(c, "")
                    for c in CSV_COLUMNS])
    w.writerow([])
    w.writerow(["校验结论", st["result"]])
    w.writerow(["时间范围", f"{st['from']} – {st['to']}", "条数", st["entries"]])
    w.writerow(["校验时间", st["verified_at"], "条目SHA-256", st["sha256_of_entries"]])
    return buf.getvalue()
