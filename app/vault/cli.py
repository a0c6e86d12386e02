"""`deskhand vault set|get|delete NAME` and `deskhand vault check`.

`set` reads the secret from a hidden prompt on a terminal, else the first line of stdin
(for IT's rollout scripts), or `--from-env VAR`; never from the command line, where it
would land in shell history and the process list. Data goes to stdout, messages to
stderr; exit codes per DESIGN.md §4 (0 done, 2 usage, 3 fault).
"""
from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable, Mapping
from typing import TextIO

from app.errors import DeskhandError, UsageError
from app.i18n import _
from app.vault.vault import Vault, mask_secret


def add_arguments(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="vault_action", required=True, metavar="ACTION")
    s = sub.add_parser("set", help="store a credential (hidden prompt, stdin or --from-env)")
    s.add_argument("name", help="e.g. registry.population.secret")
    s.add_argument("--from-env", metavar="VAR",
                   help="take the secret from environment variable VAR")
    g = sub.add_parser("get", help="print a stored credential, masked unless --show")
    g.add_argument("name")
    g.add_argument("--show", action="store_true", help="print the secret itself")
    d = sub.add_parser("delete", help="remove a stored credential")
    d.add_argument("name")
    sub.add_parser("check", help="say which keyring is used and whether it works")


def run(args: argparse.Namespace, out: TextIO, err: TextIO, *, vault: Vault | None = None,
        stdin: TextIO | None = None, environ: Mapping[str, str] | None = None,
        prompt: Callable[[str], str] = getpass.getpass) -> int:
    """The keyword arguments are for tests; the command line passes none."""
    v = vault if vault is not None else Vault()
    try:
        if args.vault_action == "set":
            secret = _read_secret(args, stdin or sys.stdin,
                                  os.environ if environ is None else environ, prompt)
            v.set(args.name, secret)
            print(_("Stored '{name}' in {backend}.", name=args.name, backend=v.backend_name),
                  file=err)
        elif args.vault_action == "get":
            secret = v.get(args.name)
            print(secret if args.show else _("{masked} ({n} characters)",
                                             masked=mask_secret(secret), n=len(secret)), file=out)
        elif args.vault_action == "delete":
            v.delete(args.name)
            print(_("Deleted '{name}' from {backend}.", name=args.name, backend=v.backend_name),
                  file=err)
        elif args.vault_action == "check":
            return _check(v, out, err)
    except DeskhandError as exc:
        print(str(exc), file=err)
        return exc.exit_code
    return 0


def _read_secret(args: argparse.Namespace, stdin: TextIO, environ: Mapping[str, str],
                 prompt: Callable[[str], str]) -> str:
    if args.from_env:
        if args.from_env not in environ:
            raise UsageError(_("Environment variable {name} is not set: nothing was stored.",
                               name=args.from_env))
        return environ[args.from_env].rstrip("\r\n")
    if stdin.isatty():
        first = prompt(_("Secret for {name} (not shown): ", name=args.name))
        if first and prompt(_("The same again: ")) != first:
            raise UsageError(_("The two entries differ: nothing was stored."))
        return first
    return stdin.readline().rstrip("\r\n")


def _check(v: Vault, out: TextIO, err: TextIO) -> int:
    print(_("Keyring: {backend} ({name})", backend=v.backend_name,
            name=getattr(v.backend, "name", "?")), file=out)
    try:
        v.check()
    except DeskhandError as exc:
        print(_("Usable: no"), file=out)
        print(str(exc), file=err)
        return exc.exit_code
    print(_("Usable: yes"), file=out)
    return 0
