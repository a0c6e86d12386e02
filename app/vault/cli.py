"""`deskhand vault set|get|delete NAME` (placeholder until the vault lands)."""
from __future__ import annotations

import argparse
from typing import TextIO


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", choices=("set", "get", "delete"))
    p.add_argument("name")


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    print("The vault is not built yet.", file=err)
    return 3
