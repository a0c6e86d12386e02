"""The batch report: one row per case (key masked, origin, outcome, attempts, seconds,
the fields a person must look at, the error) and the totals, as .xlsx and as HTML.

Both are written from the ledger alone, so the totals are the ledger's counts by
construction; every text passes app/privacy.py (an error sentence may quote a value).
"""
from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

from app.batch.ledger import STATES, Ledger, Row
from app.batch.runner import masked_key
from app.files import write_text_atomically
from app.i18n import N_, _
from app.privacy import mask_text
from playbooks.model import Playbook

STATE_WORDS = {"pending": N_("pending"), "filling": N_("filling"), "saving": N_("saving"),
               "done": N_("done"), "set_aside": N_("set aside"), "failed": N_("failed"),
               "escalated": N_("escalated")}


@dataclass(frozen=True)
class ReportRow:
    seq: int
    key: str            # masked
    origin: str
    state: str          # as a clerk reads it
    outcome: str
    attempts: int
    seconds: float | None
    needs_person: str
    error: str


def report_rows(ledger: Ledger, playbook: Playbook) -> list[ReportRow]:
    def labels(r: Row) -> str:
        names = {f.name: f.label or f.name for f in playbook.fields}
        return "、".join(names.get(n, n) for n in r.needs_person)
    return [ReportRow(r.seq, masked_key(playbook, r.key.split("#")[0]) +
                      ("#" + r.key.split("#", 1)[1] if "#" in r.key else ""),
                      r.origin or "", _(STATE_WORDS[r.state]), r.outcome or "", r.attempts,
                      None if r.seconds is None else round(r.seconds, 2), labels(r),
                      mask_text(r.error or ""))
            for r in ledger.rows()]


def headers() -> list[str]:
    return [_("No."), _("Key"), _("Origin"), _("State"), _("Outcome"), _("Attempts"),
            _("Seconds"), _("Needs a person"), _("Error")]


def totals(ledger: Ledger) -> dict[str, int]:
    counts = ledger.counts()
    return {**counts, "total": sum(counts.values())}


def write_xlsx(path: Path, ledger: Ledger, playbook: Playbook) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    book = Workbook()
    sheet = book.active
    sheet.title = _("Cases")
    sheet.append(headers())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for r in report_rows(ledger, playbook):
        sheet.append([r.seq, r.key, r.origin, r.state, r.outcome, r.attempts, r.seconds,
                      r.needs_person, r.error])
    for col, width in zip("ABCDEFGHI", (6, 22, 22, 10, 12, 8, 8, 24, 60)):
        sheet.column_dimensions[col].width = width
    tot = book.create_sheet(_("Totals"))
    for name, n in totals(ledger).items():
        tot.append([_(STATE_WORDS[name]) if name in STATE_WORDS else _("total"), n])
    tmp = path.with_name(path.name + ".tmp")
    book.save(tmp)
    tmp.replace(path)
    return path


def write_html(path: Path, ledger: Ledger, playbook: Playbook) -> Path:
    e = html.escape
    rows = "\n".join(
        "<tr>" + "".join(f"<td>{e(str(v if v is not None else ''))}</td>" for v in (
            r.seq, r.key, r.origin, r.state, r.outcome, r.attempts, r.seconds,
            r.needs_person, r.error)) + "</tr>"
        for r in report_rows(ledger, playbook))
    t = totals(ledger)
    summary = " · ".join(f"{e(_(STATE_WORDS[s]))} {t[s]}" for s in STATES if t[s]) or "—"
    head = "".join(f"<th>{e(h)}</th>" for h in headers())
    title = _("Batch report: {playbook}", playbook=playbook.name)
    doc = f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{e(title)}</title>
<style>body{{font-family:sans-serif;margin:1.5em}}table{{border-collapse:collapse}}
td,th{{border:1px solid #c9d1dc;padding:3px 6px;font-size:13px}}th{{background:#eef2f7}}</style>
</head><body><h1>{e(title)}</h1>
<p>{e(_("Source: {source}", source=ledger.meta("source") or "—"))}</p>
<p id="totals" data-total="{t['total']}" data-done="{t['done']}" data-set-aside="{t['set_aside']}"
 data-escalated="{t['escalated']}">{e(_("{n} cases", n=t['total']))}: {summary}</p>
<table><thead><tr>{head}</tr></thead><tbody>
{rows}
</tbody></table></body></html>
"""
    write_text_atomically(path, doc)
    return path


def write_reports(folder: Path, ledger: Ledger, playbook: Playbook) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    stem = ledger.path.stem + "-report"
    return [write_xlsx(folder / f"{stem}.xlsx", ledger, playbook),
            write_html(folder / f"{stem}.html", ledger, playbook)]
