"""The `deskhand` command line's arguments (DESIGN.md §4): one parser, each command's
options; app/cli.py runs what it parses. Loads no engine, no Qt, no display: only the light
argparse parts of the commands that live elsewhere (demo, registry serve, vault, test…)."""
from __future__ import annotations

import argparse

from app.errors import UsageError
from app.i18n import _

__all__ = ["build_parser"]


class _Parser(argparse.ArgumentParser):
    """argparse that ends in exit 2 with one line, as every other usage error does."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(_("{prog}: {problem} (see '{prog} --help').", prog=self.prog,
                           problem=message))


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="deskhand", description="政务数字机器人 · 窗口助手 — Deskhand")
    # dest is not `version`: `pack build --version N` fills that one in the same namespace
    p.add_argument("--version", action="store_true", dest="show_version",
                   help="print the version (and, in a package, what it was built with)")
    sub = p.add_subparsers(dest="command", parser_class=_Parser)
    c = sub.add_parser("check", help="validate playbooks (or a scenario and its forms' "
                                     "playbooks); errors as file:line: message")
    c.add_argument("playbooks", nargs="+")
    c.add_argument("--window", metavar="TITLE",
                   help="with the form open: look up each set and press step's label in this "
                        "window's accessibility tree (a title glob, or a part of the title)")
    f = sub.add_parser("fill", help="type a case into the focused approval client (or every "
                                    "form of a scenario, in turn)")
    f.add_argument("playbook", help="a playbook (file or id), or a scenario (a pack folder or "
                                    "its scenario.yaml)")
    f.add_argument("--case", help="case file, or a JSON object of field values")
    f.add_argument("--set", action="append", metavar="NAME=VALUE", help="a field value (repeatable)")
    f.add_argument("--accept", action="append", metavar="FIELD",
                   help="type FIELD although it failed a check or disagrees with a registry: "
                        "you have looked at it (repeatable; name each field)")
    f.add_argument("-o", "--output", help="where to keep the case file")
    f.add_argument("--dry-run", action="store_true", help="print what would be typed; type nothing")
    f.add_argument("--yes", action="store_true", help="do not ask before typing")
    f.add_argument("--json", action="store_true", help="one JSON document on stdout")
    f.add_argument("--wait-focus", type=float, default=10.0, metavar="S",
                   help="seconds to wait for the approval client to be focused (default 10)")
    f.add_argument("--start-step", type=int, default=1, metavar="N", help="resume at step N")
    f.add_argument("--abort-keys", default="ctrl+alt+esc", help="abort combination, or 'none'")
    f.add_argument("--no-failsafe", action="store_true",
                   help="do not stop when the mouse is moved into a screen corner")
    f.add_argument("--no-accessibility", action="store_true",
                   help="set fields addressed by label with keys, not through the window's "
                        "accessibility tree")
    f.add_argument("--restart", action="store_true",
                   help="a scenario: fill every form again (else it goes on at the first "
                        "form not filled)")
    cp = sub.add_parser("capture", help="read a source into a case file of checked fields")
    cp.add_argument("playbook")
    where = cp.add_mutually_exclusive_group(required=True)
    where.add_argument("--image", metavar="FILE", help="a PNG or JPEG (e.g. a scanned ID card)")
    where.add_argument("--screen", action="store_true", help="the whole screen")
    where.add_argument("--window", metavar="TITLE", help="the window with this title (or a part of it)")
    cp.add_argument("--offline", action="store_true",
                    help="do not ask the registries named in the playbook's verify section")
    cp.add_argument("--registries", metavar="FILE",
                    help="registry settings file, over those in the settings (default: the "
                         "settings, else $DESKHAND_REGISTRIES or registries.yaml in the user's "
                         "config folder)")
    cp.add_argument("--engine", default=None,
                    help="OCR engine: rapidocr (default), rapidocr-v4 or easyocr")
    cp.add_argument("--scale", type=float, default=None,
                    help="display scale of the source, e.g. 1.25 (default: from the playbook's size)")
    cp.add_argument("--json", action="store_true", help="one JSON document on stdout")
    cp.add_argument("-o", "--output", help="where to write the case file (for a table read "
                    "with row: all, a folder for one file per row, or a name that gets the "
                    "row's number: case.json → case-1.json, case-2.json…)")
    cp.add_argument("--match", action="append", metavar="FIELD=VALUE",
                    help="the value a table's row is picked by (playbooks with "
                         "row: {match: {column, field}})")
    o = sub.add_parser("ocr", help="print the raw text boxes OCR finds in an image")
    o.add_argument("image")
    o.add_argument("--engine", default=None, help="rapidocr (default), rapidocr-v4 or easyocr")
    o.add_argument("--fallback", action="store_true",
                   help="use RapidOCR if the chosen engine or its weights are missing")
    o.add_argument("--json", action="store_true", help="one JSON document on stdout")
    t = sub.add_parser("tray", help="the clerk's tray (the same as deskhand with no arguments)")
    t.add_argument("--registries", metavar="FILE", help="registry settings file")
    t.add_argument("--playbook", help="pick this playbook at start")
    t.add_argument("--no-hotkeys", action="store_true", help="menu only, no global hotkeys")
    t.add_argument("--autostart", action="store_true",
                   help="started at login: if a tray already runs, leave it be")
    rg = sub.add_parser("registry", help="try a data-sharing gateway; the reference one for the demo")
    rsub = rg.add_subparsers(dest="registry_command", required=True, parser_class=_Parser)
    rt = rsub.add_parser("test", help="one signed call to a gateway, shown whole (for IT)")
    rt.add_argument("lookup", metavar="REGISTRY.ENDPOINT", help="the look-up, e.g. prov.person")
    rt.add_argument("--with", dest="values", action="append", metavar="NAME=VALUE", default=[],
                    help="a value to look up with (default: the endpoint's sample)")
    rt.add_argument("--registries", metavar="FILE", help="registry settings file (default: the settings)")
    rt.add_argument("--unmasked", action="store_true", help="show ID and phone numbers in full")
    rt.add_argument("--json", action="store_true", help="one JSON document on stdout")
    from app.sandbox.registry_service import cli as registry_cli   # argparse only; the server loads on run
    registry_cli.add_arguments(rsub.add_parser("serve", help="serve the reference registry on loopback"))
    v = sub.add_parser("vault", help="credentials in the OS keyring")
    from app.vault import cli as vault_cli
    vault_cli.add_arguments(v)
    dr = sub.add_parser("doctor", help="check this computer for Deskhand (display, keyring, "
                                       "hotkeys, OCR, registries…); --self-test proves the "
                                       "whole chain; --window: does a window show its fields")
    dr.add_argument("--self-test", action="store_true",
                    help="read a sample ID card, check it, verify it on a loopback registry and "
                         "fill it into the sample client on a private display")
    dr.add_argument("--registries", metavar="FILE",
                    help="registry settings file to check (default: the settings)")
    dr.add_argument("--window", metavar="TITLE",
                    help="does this window (title or a part of it) show its fields to "
                         "accessibility; with --fields or --delay alone: the focused one")
    dr.add_argument("--delay", type=float, default=0.0, metavar="S",
                    help="wait S seconds first (time to click the program to look at)")
    dr.add_argument("--fields", action="store_true", help="list the fields found, with their labels")
    dr.add_argument("--json", action="store_true", help="one JSON document on stdout")
    gt = sub.add_parser("test", help="golden replay: capture each sample of a playbook (or "
                                     "pack), compare its fields and the filled form")
    from app.golden import cli as golden_cli
    golden_cli.add_arguments(gt)
    rc = sub.add_parser("record", help="record a playbook by doing the job once")
    rc.add_argument("-o", "--output", required=True, metavar="PLAYBOOK.yaml",
                    help="the playbook to write; the recording and the source picture are "
                         "kept beside it (PLAYBOOK.recording.json, PLAYBOOK.source.png)")
    rsrc = rc.add_mutually_exclusive_group()
    rsrc.add_argument("--source-image", metavar="FILE", help="the source is this picture")
    rsrc.add_argument("--source-window", metavar="TITLE",
                      help="the source is this window, taken when the capture key is pressed")
    rsrc.add_argument("--source-screen", action="store_true",
                      help="the source is the whole screen, taken when the capture key is pressed")
    rc.add_argument("--target", metavar="TITLE",
                    help="record only input into this window (a title glob or part of it)")
    rc.add_argument("--capture-key", default="ctrl+alt+r", metavar="KEY",
                    help="takes the source (default Ctrl+Alt+R)")
    rc.add_argument("--stop-key", default="ctrl+alt+s", metavar="KEY",
                    help="stops the recording (default Ctrl+Alt+S)")
    rc.add_argument("--answers", metavar="FILE", help="answers to the compiler's questions (YAML)")
    rc.add_argument("--recording", metavar="FILE",
                    help="compile this saved recording instead of listening")
    ed = sub.add_parser("edit", help="the playbook editor: the source's fields, the steps and "
                                     "the YAML side by side, with a trial run on samples")
    ed.add_argument("playbook", help="a playbook file, or the id of one in the library")
    ik = sub.add_parser("intake", help="the 一张表单 of a scenario (企业开办): the form, or "
                                       "--from answers with --yes, writes the case")
    from app.intake import cli as intake_cli
    intake_cli.add_arguments(ik)
    dc = sub.add_parser("docs", help="a scenario's documents (Word and PDF) from one case, with "
                                     "a manifest of where each value came from")
    from app.docs import cli as docs_cli
    docs_cli.add_arguments(dc)
    from app.archive import cli as archive_cli   # argparse only; the archive loads on run
    archive_cli.add_arguments(sub.add_parser("archive", help="archive packages of cases (SM3, "
                                             "metadata XML): build, verify, upload"))
    from app.packs import cli as pack_cli      # argparse only; the packs load on run
    pack_cli.add_arguments(sub.add_parser("pack", help="signed playbook packs: keygen, build, "
                                          "sign, verify, install, list, remove"))
    from app.batch import cli as batch_cli
    batch_cli.add_arguments(sub.add_parser("batch", help="many cases from a .xlsx/.csv/folder, "
                                                         "unattended, with a resumable ledger"))
    from app.audit import cli as audit_cli   # argparse only; the log loads on run
    audit_cli.add_arguments(sub.add_parser("audit", help="the audit log: verify the chain and "
                                                         "checkpoints, export for an inspector"))
    d = sub.add_parser("demo", help="the sandbox: registry, portal page, approval client and the tray")
    from app.sandbox import demo as demo_module   # argparse only; the demo loads on run
    demo_module.add_arguments(d)
    return p
