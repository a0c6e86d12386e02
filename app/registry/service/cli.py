"""`deskhand registry serve` (placeholder until the reference service lands)."""
from __future__ import annotations

import argparse
from typing import TextIO


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--port", type=int, default=8765)


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    print("The reference registry is not built yet.", file=err)
    return 3
