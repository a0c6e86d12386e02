"""`deskhand docs SCENARIO --case CASE -o DIR`: a scenario's documents from one case.

Exit codes (DESIGN.md §4): 0 written; 1 a value the documents need is not confirmed;
2 a bad scenario, template, case or output folder; 3 LibreOffice absent, hung or failing.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TextIO

from app.errors import DeskhandError, UsageError
from app.i18n import _, n_

__all__ = ["add_arguments", "cmd_docs"]


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("scenario", help="a scenario .yaml file, or a pack folder holding scenario.yaml")
    p.add_argument("--case", required=True, metavar="CASE", help="the case file (JSON)")
    p.add_argument("-o", "--output", required=True, metavar="DIR",
                   help="a new or empty folder for the documents (.docx, .pdf) and the manifest")
    p.add_argument("--timeout", type=float, default=120.0, metavar="SECONDS",
                   help="stop LibreOffice after this long (default 120)")
    p.add_argument("--json", action="store_true", help="one JSON document on stdout")


def cmd_docs(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    # imported here: every other command builds the parser without loading Jinja and docxtpl
    from app.cases import load_case
    from app.docs.build import make_documents
    from app.docs.pdf import PdfConverter
    from playbooks.scenario import load_scenario

    case_path = Path(args.case)
    try:
        scenario = load_scenario(args.scenario)
        if not scenario.documents:
            raise UsageError(_("The scenario {path} has no documents to write; it only fills "
                               "forms (deskhand fill {path}).", path=scenario.path))
        case = load_case(case_path)
        result = make_documents(scenario, case, Path(args.output),
                                PdfConverter(timeout_s=args.timeout), case_file=case_path)
    except DeskhandError as exc:
        if not args.json:
            raise           # printed by app/cli.py's main, with its exit code
        print(json.dumps({"error": str(exc), "exit_code": exc.exit_code}, ensure_ascii=False),
              file=out)
        return exc.exit_code
    if args.json:
        print(json.dumps({"outdir": str(result.outdir), "documents": [
            {k: d[k] for k in ("title", "docx", "pdf")} for d in result.documents],
            "render_s": round(result.render_s, 3), "convert_s": round(result.convert_s, 3),
            "exit_code": 0}, ensure_ascii=False), file=out)
        return 0
    for d in result.documents:
        print(f"✓ {d['title']}: {d['pdf']}", file=out)
    print(n_("{count} document written to {path} (manifest: manifest.json, 清单.txt).",
             "{count} documents written to {path} (manifest: manifest.json, 清单.txt).",
             len(result.documents), count=len(result.documents), path=result.outdir), file=out)
    return 0
