"""`deskhand archive`: archive packages (归档包) of cases, checked and sent.

    deskhand archive CASE|LEDGER|FOLDER -o DIR [--docs DIR] [--unit 单位] [--retention 30年]
                     [--matter 事项] [--sign]
    deskhand archive verify PKG|DIR… [--public-key HEX]
    deskhand archive upload PKG… --to URL [--credential NAME] [--timeout S]

Exit codes (DESIGN.md §4): 0 done; 1 a package has findings, or some case of a batch could
not be packaged (each named); 2 bad usage or input; 3 a fault (the keyring, the archive
service) stopped it. docs/archive.md describes the package.
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any, TextIO

from app.errors import DeskhandError, UsageError
from app.i18n import _, n_

__all__ = ["add_arguments", "run", "SIGNING_CREDENTIAL"]

SIGNING_CREDENTIAL = "archive.signing.key"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.description = ("Build one archive package per case (CASE, a batch ledger or a folder of "
                     "case files) into -o DIR; 'verify PKG…' checks packages offline; "
                     "'upload PKG… --to URL' sends them to an archive service.")
    p.add_argument("what", nargs="+", metavar="CASE|verify PKG|upload PKG",
                   help="a case file, a batch ledger, a folder of case files; or verify / "
                        "upload followed by packages")
    p.add_argument("-o", "--output", metavar="DIR", help="folder for the packages (build)")
    p.add_argument("--docs", metavar="DIR", help="the documents deskhand docs wrote for the "
                   "case (or a folder holding one such folder per case id)")
    p.add_argument("--unit", default="", help="the handling unit (办理机构 / 立档单位)")
    p.add_argument("--retention", default="30年", help="retention period: 永久, 30年 or 10年 "
                   "(default 30年)")
    p.add_argument("--matter", help="the matter (事项名称); default the case's playbook")
    p.add_argument("--sign", action="store_true", help="sign each manifest with the Ed25519 key "
                   f"in the keyring ({SIGNING_CREDENTIAL}: 64 hex digits)")
    p.add_argument("--public-key", metavar="HEX", help="verify: the signature must be by this "
                   "Ed25519 public key")
    p.add_argument("--to", metavar="URL", help="upload: the archive service's package URL")
    p.add_argument("--credential", default=None, metavar="NAME",
                   help="upload: the keyring name of the token (default archive.upload.token)")
    p.add_argument("--timeout", type=float, default=30.0, metavar="S",
                   help="upload: seconds to wait for each answer (default 30)")
    p.add_argument("--json", action="store_true", help="one JSON document on stdout")


def _secret(name: str) -> str:
    from app.vault.vault import Vault
    return Vault().get(name)


def _signing_key() -> bytes:
    text = _secret(SIGNING_CREDENTIAL).strip()
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = b""
    if len(key) != 32:
        raise UsageError(_("The keyring's {name} must be an Ed25519 private key as 64 hex digits.",
                           name=SIGNING_CREDENTIAL))
    return key


def cmd_build(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from app.archive.batch import batch_cases
    from app.archive.package import PackOptions, build_package, describe
    if not args.output:
        raise UsageError(_("Say where the packages go: deskhand archive CASE -o DIR."))
    if len(args.what) != 1:
        raise UsageError(_("Give one case file, batch ledger or folder of case files."))
    source = Path(args.what[0])
    if not source.exists():
        raise UsageError(_("There is no case file, ledger or folder at {path}.", path=source))
    opts = PackOptions(unit=args.unit, retention=args.retention, matter=args.matter,
                       docs=Path(args.docs) if args.docs else None,
                       signing_key=_signing_key() if args.sign else None)
    is_case = source.is_file() and source.suffix.lower() == ".json"
    cases = [source] if is_case else batch_cases(source)
    outdir = Path(args.output)
    started = time.perf_counter()
    built: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    for case_path in cases:
        try:
            result = build_package(case_path, outdir, opts)
        except UsageError:
            raise            # the output folder or the options: every case would fail alike
        except DeskhandError as exc:
            if is_case:
                raise
            failed.append({"case": str(case_path), "error": exc.message})
            print(_("{case}: not packaged: {reason}", case=case_path, reason=exc.message), file=err)
            continue
        built.append(describe(result))
        for w in result.warnings:
            print(_("{case}: {warning}", case=case_path, warning=w), file=err)
    if not is_case and built:
        from app.archive.package import manifest_text
        # one line per package: the batch's own fixity, for the archive's receiving desk
        (outdir / "index-sm3.txt").write_bytes(
            manifest_text({Path(b["package"]).name: b["sm3"] for b in built}))
    seconds = time.perf_counter() - started
    if args.json:
        print(json.dumps({"packages": built, "failed": failed, "seconds": round(seconds, 3),
                          "exit_code": 1 if failed else 0}, ensure_ascii=False), file=out)
    else:
        for b in built:
            print(_("✓ {case}: {package} ({files} files, {size} bytes, SM3 {sm3}…)",
                    case=b["case_id"], package=b["package"], files=b["files"], size=b["bytes"],
                    sm3=b["sm3"][:16]), file=out)
        print(n_("{count} package written to {path} in {seconds} s.",
                 "{count} packages written to {path} in {seconds} s.", len(built),
                 count=len(built), path=outdir, seconds=f"{seconds:.1f}"), file=out)
    return 1 if failed else 0


def cmd_verify(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from app.archive.verify import PROPERTIES, verify_package
    packages = args.what[1:]
    if not packages:
        raise UsageError(_("Name the package to verify: deskhand archive verify PKG.zip."))
    report = []
    for pkg in packages:
        findings = verify_package(Path(pkg), args.public_key)
        report.append({"package": pkg, "ok": not findings,
                       "findings": [{"property": f.prop, "file": f.file, "sentence": f.sentence}
                                    for f in findings]})
        if args.json:
            continue
        if not findings:
            print(_("{package}: authentic, complete, usable and secure.", package=pkg), file=out)
        for f in findings:
            print(_("{package}: {property}: {sentence}", package=pkg,
                    property=_(PROPERTIES[f.prop]), sentence=f.sentence), file=out)
    if args.json:
        print(json.dumps({"packages": report}, ensure_ascii=False), file=out)
    return 0 if all(r["ok"] for r in report) else 1


def cmd_upload(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    import httpx
    from app.archive.upload import DEFAULT_CREDENTIAL, default_timeout, upload_package
    packages = args.what[1:]
    if not packages or not args.to:
        raise UsageError(_("Name the package and the service: deskhand archive upload PKG.zip "
                           "--to URL."))
    if not args.timeout > 0:
        raise UsageError(_("--timeout must be a number of seconds above 0."))
    token = _secret(args.credential or DEFAULT_CREDENTIAL)
    receipts = []
    with httpx.Client(timeout=default_timeout(args.timeout), trust_env=False) as client:
        for pkg in packages:
            r = upload_package(Path(pkg), args.to, token, client=client)
            receipts.append({"package": pkg, "receipt": r.number, "sm3": r.sm3})
            if not args.json:
                print(_("{package}: received, receipt {receipt}.", package=pkg,
                        receipt=r.number), file=out)
    if args.json:
        print(json.dumps({"receipts": receipts}, ensure_ascii=False), file=out)
    return 0


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    action = args.what[0]
    if action == "verify":
        return cmd_verify(args, out, err)
    if action == "upload":
        return cmd_upload(args, out, err)
    return cmd_build(args, out, err)
