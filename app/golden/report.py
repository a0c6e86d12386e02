"""What `deskhand test` prints: per playbook, per sample, per field. Personal numbers
(ID, phone, and fields marked sensitive) are masked; where one differs, only the
differing characters are shown, the rest as *, so the screen never holds a whole number.

    print_results(results, out)          text
    results_json(results)                one JSON document
"""
from __future__ import annotations

import difflib
from typing import Any, TextIO

from app.golden.runner import FieldCheck, PlaybookResult
from app.i18n import _
from app.privacy import mask, mask_text

__all__ = ["print_results", "results_json", "shown_pair", "exit_code"]


def shown_pair(check: FieldCheck) -> tuple[str, str]:
    """(expected, got) as they may be shown on screen."""
    want, got = check.expected or "", check.got or ""
    if check.sensitive is None:
        return want, got
    if check.same:
        return mask(want, check.sensitive), mask(got, check.sensitive)
    a, b = [], []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, want, got, autojunk=False).get_opcodes():
        if op == "equal":
            a.append("*" * (i2 - i1))
            b.append("*" * (j2 - j1))
        else:
            a.append(want[i1:i2])
            b.append(got[j1:j2])
    return "".join(a), "".join(b)


def exit_code(results: list[PlaybookResult]) -> int:
    return 0 if all(r.same for r in results) else 1


def print_results(results: list[PlaybookResult], out: TextIO) -> None:
    for r in results:
        print(_("{playbook} ({path}):", playbook=r.playbook.id, path=r.playbook.path), file=out)
        for problem in r.problems:
            print("  ✗ " + mask_text(problem), file=out)
        for s in r.samples:
            mark = "✓" if s.same else "✗"
            how = {"model": _("fill replayed on the form model"),
                   "live": _("filled in the live window"),
                   "documents": _("documents rendered")}.get(s.how, _("fields only"))
            print(f"  {mark} " + _("{sample} ({how})", sample=s.name, how=how), file=out)
            for c in s.checks:
                want, got = shown_pair(c)
                where = {"form": _("form"), "document": _("document")}.get(c.where, _("field"))
                if c.same:
                    print(f"      = {where} {c.name}: {got}", file=out)
                    continue
                status = f" [{c.status}≠{c.expected_status}]" if c.where == "field" and \
                    c.status not in (c.expected_status or "").split("/") else ""
                print("      ≠ " + _("{where} {name}: expected '{want}', got '{got}'",
                                      where=where, name=c.name, want=want, got=got) + status,
                      file=out)
            for p in s.problems:
                print("      ✗ " + mask_text(p), file=out)
            for n in s.notes:
                print("      · " + mask_text(n), file=out)
    samples = [s for r in results for s in r.samples]
    same = sum(s.same for s in samples)
    print(_("{same} of {total} samples as expected.", same=same, total=len(samples)), file=out)


def results_json(results: list[PlaybookResult]) -> dict[str, Any]:
    def check(c: FieldCheck) -> dict[str, Any]:
        want, got = shown_pair(c)
        return {"where": c.where, "name": c.name, "same": c.same, "expected": want, "got": got,
                "status": c.status, "expected_status": c.expected_status}

    return {"playbooks": [
        {"playbook": r.playbook.id, "path": r.playbook.path, "same": r.same,
         "problems": [mask_text(p) for p in r.problems],
         "samples": [{"sample": s.name, "same": s.same, "how": s.how or None,
                      "checks": [check(c) for c in s.checks], "problems": [mask_text(p) for p in s.problems],
                      "notes": [mask_text(n) for n in s.notes]} for s in r.samples]} for r in results],
        "samples": sum(len(r.samples) for r in results),
        "samples_same": sum(s.same for r in results for s in r.samples),
        "exit_code": exit_code(results)}
