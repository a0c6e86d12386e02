"""The entry of the frozen (PyInstaller) deskhand.

Deskhand starts helpers as `sys.executable -m app.fill.worker` (the fill worker, the
clipboard keeper, the sandbox's sample clients). Frozen, sys.executable is this program, so
it answers `-m MODULE ARGS` and `-c CODE` as python would; everything else is the CLI.
"""
from __future__ import annotations

import runpy
import sys


def main() -> int:
    argv = sys.argv[1:]
    if len(argv) >= 2 and argv[0] == "-m":
        sys.argv = [argv[1], *argv[2:]]
        runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
        return 0
    if len(argv) >= 2 and argv[0] == "-c":
        sys.argv = ["-c", *argv[2:]]
        exec(compile(argv[1], "<string>", "exec"), {"__name__": "__main__"})
        return 0
    from app.cli import main as cli_main
    return cli_main()


if __name__ == "__main__":
    sys.exit(main())
