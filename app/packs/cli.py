"""`deskhand pack`: signed playbook packs (业务流程包) for IT.

    deskhand pack keygen --name NAME [--out FILE]
    deskhand pack build DIR -o PACK.zip [--id ID] [--version V] [--key NAME|FILE]
    deskhand pack sign PACK.zip --key NAME|FILE
    deskhand pack verify PACK.zip [--trust KEY] [--json]
    deskhand pack install PACK.zip [--system|--user] [--test] [--force] [--json]
    deskhand pack list [--json]
    deskhand pack remove ID [--system|--user]

Exit codes (DESIGN.md §4): 0 done; 1 a problem found (unsigned, altered, unknown key,
a failed golden sample…), named in one sentence; 2 bad usage or a broken playbook
(file:line); 3 a fault (the keyring) stopped it. docs/packs.md is IT's guide.
"""
from __future__ import annotations

import argparse
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

from app.errors import DeskhandError, PackError, UsageError
from app.i18n import _

__all__ = ["add_arguments", "run", "golden_failures"]


def add_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="pack_action", required=True, metavar="ACTION")
    k = sub.add_parser("keygen", help="make an Ed25519 signing key pair")
    k.add_argument("--name", required=True, help="the key's name, e.g. it-2026")
    k.add_argument("--out", metavar="FILE", help="write the private key to FILE (0600) instead "
                   "of the OS keyring")
    b = sub.add_parser("build", help="check a folder's playbooks and pack them with a manifest")
    b.add_argument("folder", metavar="DIR")
    b.add_argument("-o", "--output", required=True, metavar="PACK.zip")
    b.add_argument("--id", help="the pack id (default: the folder's name)")
    b.add_argument("--version", default="1.0", help="the pack's version (default 1.0)")
    b.add_argument("--key", metavar="NAME|FILE", help="sign it too, with this key")
    s = sub.add_parser("sign", help="add or replace a pack's signature")
    s.add_argument("pack", metavar="PACK.zip")
    s.add_argument("--key", required=True, metavar="NAME|FILE",
                   help="a key file from keygen --out, or the name of a key in the keyring")
    v = sub.add_parser("verify", help="is the pack intact and signed by a key IT trusts")
    v.add_argument("pack", metavar="PACK.zip")
    v.add_argument("--trust", action="append", default=[], metavar="KEY",
                   help="also trust this public key (base64 or a PEM file)")
    v.add_argument("--json", action="store_true", help="one JSON document on stdout")
    i = sub.add_parser("install", help="verify a pack under IT's preset and install it")
    i.add_argument("pack", metavar="PACK.zip")
    i.add_argument("--test", action="store_true", help="run the pack's golden samples first; "
                   "refuse it if one fails")
    i.add_argument("--force", action="store_true", help="replace a newer installed version")
    i.add_argument("--json", action="store_true", help="one JSON document on stdout")
    r = sub.add_parser("remove", help="remove an installed pack")
    r.add_argument("id")
    for q in (i, r):
        where = q.add_mutually_exclusive_group()
        where.add_argument("--system", action="store_true",
                           help="for every user (IT, as administrator; the default as root)")
        where.add_argument("--user", action="store_true", help="for this user only")
    li = sub.add_parser("list", help="the installed packs: version, signer, state")
    li.add_argument("--json", action="store_true", help="one JSON document on stdout")


def _settings() -> Any:
    """The settings under IT's preset; a broken preset stops here (trust is not guessed)."""
    from app.settings import SettingsStore
    return SettingsStore.default().load()


def _root(args: argparse.Namespace) -> Path:
    from app.paths import system_packs_dir, user_packs_dir
    as_root = hasattr(os, "geteuid") and os.geteuid() == 0
    return system_packs_dir() if args.system or (as_root and not args.user) else user_packs_dir()


@contextmanager
def _audit(settings: Any, err: TextIO) -> Iterator[Any]:
    """The installation's audit log (a callable that never raises), closed afterwards so
    that its checkpoint is written; None, with a warning, when it cannot be opened: IT's
    pack work goes on, as a clerk's case does."""
    from app.audit import open_audit
    try:
        log = open_audit(settings)
    except DeskhandError as exc:
        print(_("Warning: {warning}", warning=exc.message), file=err)
        yield None
        return
    try:
        yield log
    finally:
        log.close()


def golden_failures(folder: Path, settings: Any) -> list[str]:
    """Every golden sample of the unpacked pack in `folder` run as `deskhand test` runs
    them (offline, on the form models); a sentence per playbook that differs."""
    from app.golden.pack import run_pack_folder
    from app.pipeline import PipelineOptions, build_pipeline
    pipeline = build_pipeline(PipelineOptions(settings=settings))
    try:
        with tempfile.TemporaryDirectory(prefix="deskhand-pack-test-") as tmp:
            return _differences(run_pack_folder(folder, pipeline, Path(tmp)))
    except DeskhandError as exc:       # a broken sample: the pack is not proven
        return [exc.message]
    finally:
        pipeline.close()


def _differences(results: list[Any]) -> list[str]:
    from app.privacy import mask_text
    out = []
    for r in results:
        if r.same:
            continue
        what = [mask_text(p) for p in r.problems]
        for s in r.samples:
            if not s.same:
                names = [c.name for c in s.checks if not c.same]
                what.append(_("sample {sample} differs ({names})", sample=s.name,
                              names="、".join(names) or _("; ").join(map(mask_text, s.problems))))
        out.append(_("{playbook}: {what}", playbook=r.playbook.id, what=_("; ").join(what)))
    return out


def cmd_keygen(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from app.packs.keys import (credential_name, key_id, new_key_pair, public_line,
                                write_private_file)
    from app.packs.build import PACK_ID
    if not PACK_ID.match(args.name):
        raise UsageError(_("A key name is letters, digits, '.', '-' or '_', e.g. it-2026."))
    private, public = new_key_pair()
    if args.out:
        try:
            write_private_file(Path(args.out), private)
        except FileExistsError:
            raise UsageError(_("{path} exists; a key file is never overwritten.",
                               path=args.out)) from None
        where = args.out
    else:
        from app.vault import Vault
        Vault().set(credential_name(args.name), private.hex())
        where = _("the OS keyring as {name}", name=credential_name(args.name))
    print(_("Key {name} (fingerprint {key}): the private key is in {where}. Paste this line under "
            "packs: trusted_keys: in IT's preset:", name=args.name, key=key_id(public),
            where=where), file=err)
    print(public_line(args.name, public), file=out)
    return 0


def cmd_build(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from app.packs.build import build_pack
    from app.packs.keys import key_id, public_of, signing_key
    key = signing_key(args.key) if args.key else None
    r = build_pack(Path(args.folder), Path(args.output), pack_id=args.id, version=args.version,
                   private_key=key)
    signed = _(", signed by key {key}", key=key_id(public_of(key))) if key else ""
    print(_("✓ {path}: pack {id} {version}, {playbooks} playbooks checked, {files} files, "
            "{size} bytes{signed}.", path=r.path, id=r.id, version=r.version,
            playbooks=r.playbooks, files=r.files, size=r.bytes, signed=signed), file=out)
    return 0


def cmd_sign(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from app.packs.build import sign_pack
    from app.packs.keys import signing_key
    kid = sign_pack(Path(args.pack), signing_key(args.key))
    print(_("✓ {path}: signed by key {key}.", path=args.pack, key=kid), file=out)
    return 0


def _trusting(policy: Any, extra: list[str]) -> Any:
    import dataclasses
    from app.packs.keys import parse_public_key
    from app.packs.trust import TrustedKey
    keys = list(policy.trusted_keys)
    for i, text in enumerate(extra, 1):
        p = Path(text)
        try:
            raw = parse_public_key(p.read_text(encoding="ascii") if p.is_file() else text)
        except (ValueError, UnicodeDecodeError) as e:
            raise UsageError(_("--trust {n}: {problem}.", n=i, problem=e)) from None
        keys.append(TrustedKey(f"--trust {i}", raw))
    # verify answers "would IT's desks take it": a signature is what it checks
    return dataclasses.replace(policy, trusted_keys=tuple(keys), require_signature=True)


def cmd_verify(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from app.packs.manifest import read_zip
    from app.packs.trust import check_pack
    policy = _trusting(_settings().packs, args.trust)
    try:
        verdict = check_pack(read_zip(Path(args.pack)), policy, args.pack)
    except PackError as exc:
        if args.json:
            print(json.dumps({"pack": args.pack, "ok": False, "reason": exc.reason,
                              "file": exc.file, "key_id": exc.key_id,
                              "problem": exc.message}, ensure_ascii=False), file=out)
        else:
            print(_("✗ {problem}", problem=exc.message), file=out)
        return 1
    m = verdict.manifest
    if args.json:
        print(json.dumps({"pack": args.pack, "ok": True, "id": m.id, "version": m.version,
                          "files": len(m.files), "key_id": verdict.key_id,
                          "signer": verdict.signer}, ensure_ascii=False), file=out)
    else:
        print(_("✓ {path}: pack {id} {version}, {files} files intact, signed by {signer} (key "
                "{key}).", path=args.pack, id=m.id, version=m.version, files=len(m.files),
                signer=verdict.signer, key=verdict.key_id), file=out)
    return 0


def _state_word(state: str) -> str:
    return {"trusted": _("trusted"), "unsigned": _("unsigned"), "unknown_key": _("unknown key"),
            "refused": _("refused")}.get(state, state)


def cmd_install(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from app.packs.install import install_pack
    settings = _settings()
    runner = (lambda folder: golden_failures(folder, settings)) if args.test else None
    try:
        with _audit(settings, err) as audit:
            pack = install_pack(Path(args.pack), _root(args), settings.packs, force=args.force,
                                run_samples=runner, audit=audit)
    except PackError as exc:
        if args.json:
            print(json.dumps({"pack": args.pack, "installed": False, "reason": exc.reason,
                              "file": exc.file, "key_id": exc.key_id, "problem": exc.message},
                             ensure_ascii=False), file=out)
            return exc.exit_code
        raise
    if args.json:
        print(json.dumps({"pack": args.pack, "installed": True, "id": pack.id,
                          "version": pack.version, "folder": str(pack.folder),
                          "state": pack.state, "key_id": pack.key_id, "signer": pack.signer},
                         ensure_ascii=False), file=out)
    else:
        print(_("✓ pack {id} {version} installed in {folder} ({state}{signer}).", id=pack.id,
                version=pack.version, folder=pack.folder, state=_state_word(pack.state),
                signer=f": {pack.signer} {pack.key_id}" if pack.signer else ""), file=out)
    return 0


def cmd_remove(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from app.packs.install import remove_pack
    settings = _settings()
    with _audit(settings, err) as audit:
        pack = remove_pack(args.id, _root(args), audit=audit)
    print(_("✓ pack {id} {version} removed from {folder}.", id=pack.id, version=pack.version,
            folder=pack.folder), file=out)
    return 0


def cmd_list(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from app.packs.install import installed_packs
    from app.paths import system_packs_dir, user_packs_dir
    settings = _settings()
    packs = installed_packs([system_packs_dir(), user_packs_dir()], settings.packs)
    if args.json:
        print(json.dumps({"require_signature": settings.packs.require_signature, "packs": [
            {"id": p.id, "version": p.version, "folder": str(p.folder), "state": p.state,
             "offered": p.offered(settings.packs),
             "key_id": p.key_id, "signer": p.signer, "problem": p.problem} for p in packs]},
            ensure_ascii=False), file=out)
        return 0
    if not packs:
        print(_("No playbook packs are installed."), file=out)
    for p in packs:
        signer = f"{p.signer} {p.key_id}".strip() or "-"
        line = f"{p.id}  {p.version or '-'}  {signer}  {_state_word(p.state)}  {p.folder}"
        print(line + (f"\n    {p.problem}" if p.problem else ""), file=out)
    return 0


_COMMANDS = {"keygen": cmd_keygen, "build": cmd_build, "sign": cmd_sign, "verify": cmd_verify,
             "install": cmd_install, "remove": cmd_remove, "list": cmd_list}


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    return _COMMANDS[args.pack_action](args, out, err)
