"""Signed playbook packs (issue 16): the shipped 企业开办 pack built, signed and installed
under a preset that requires signatures, and three bad packs refused.

- `build_s`, `verify_s`, `install_s`: `deskhand pack build|verify|install` in-process (the
  CLI's own path), on playbooks/library/company-setup (3 forms, 5 templates, samples).
- `bad_packs_refused`: of an unsigned pack, a pack with one byte of a playbook altered and
  a pack signed by a key the preset does not list, how many `deskhand pack install`
  refuses with the reason named (0–3); counted only when the good pack installs.
  `bad_packs_refused(workdir)` is imported by bench/install.py.

    PYTHONPATH=. .venv/bin/python bench/packs.py

Prints the figures; the last line is one JSON object. The load average is in it.
"""
from __future__ import annotations

import io
import json
import os
import shutil
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app.cli import main as deskhand  # noqa: E402

_REASONS = {"unsigned": "unsigned", "altered": "changed", "unknown key": "unknown_key"}


def _private(workdir: Path) -> Any:
    """The preset and the system packs folder inside `workdir`, for these calls only."""
    return mock.patch.dict(os.environ, {"DESKHAND_PRESET": str(workdir / "preset.yaml"),
                                        "DESKHAND_SYSTEM_PACKS": str(workdir / "packs")})


def _run(*argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    return deskhand(list(argv), out, err), out.getvalue() + err.getvalue()


def _install(pack: Path) -> dict:
    code, text = _run("pack", "install", str(pack), "--system", "--json")
    doc = json.loads(text.splitlines()[0]) if text.startswith("{") else {}
    return {"code": code, **doc}


def _timed_setup(workdir: Path) -> dict[str, float]:
    """Keys, the preset trusting one of them, and the good pack built and signed."""
    (workdir / "preset.yaml").write_text("{}\n", encoding="utf-8")
    times = {}
    for name in ("it", "stranger"):
        code, line = _run("pack", "keygen", "--name", name, "--out", str(workdir / f"{name}.pem"))
        assert code == 0, line
        if name == "it":
            (workdir / "preset.yaml").write_text(
                f"packs:\n  trusted_keys:\n  {line.splitlines()[0]}\n  require_signature: true\n"
                f"audit: {{dir: {workdir / 'audit'}}}\n",     # not the machine's own audit log
                encoding="utf-8")
    source = workdir / "company-setup"
    shutil.copytree(ROOT / "playbooks" / "library" / "company-setup", source)
    t = time.perf_counter()
    code, text = _run("pack", "build", str(source), "-o", str(workdir / "good.zip"),
                      "--version", "1.0", "--key", str(workdir / "it.pem"))
    times["build_s"] = time.perf_counter() - t
    assert code == 0, text
    t = time.perf_counter()
    code, text = _run("pack", "verify", str(workdir / "good.zip"))
    times["verify_s"] = time.perf_counter() - t
    assert code == 0, text
    return times


def _bad_packs(workdir: Path) -> dict[str, Path]:
    source = workdir / "company-setup"
    bad = {"unsigned": workdir / "unsigned.zip", "altered": workdir / "altered.zip",
           "unknown key": workdir / "stranger.zip"}
    _run("pack", "build", str(source), "-o", str(bad["unsigned"]))
    _run("pack", "build", str(source), "-o", str(bad["unknown key"]),
         "--key", str(workdir / "stranger.pem"))
    with zipfile.ZipFile(workdir / "good.zip") as src, \
            zipfile.ZipFile(bad["altered"], "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "company-setup/establishment.yaml":
                data = data.replace("企业".encode(), "企丵".encode(), 1)      # one character
            dst.writestr(info.filename, data)
    return bad


def bad_packs_refused(workdir: Path, details: dict | None = None) -> int:
    """Of unsigned, altered and unknown-key packs, how many `deskhand pack install` refuses
    with its reason under a preset requiring signatures (0 when the good pack will not
    install: refusing everything proves nothing)."""
    workdir.mkdir(parents=True, exist_ok=True)
    with _private(workdir):
        times = _timed_setup(workdir)
        refused = 0
        for kind, pack in _bad_packs(workdir).items():
            got = _install(pack)
            ok = got["code"] == 1 and got.get("reason") == _REASONS[kind]
            refused += ok
            if details is not None:
                details[kind] = got.get("problem", "")
        t = time.perf_counter()
        good = _install(workdir / "good.zip")
        times["install_s"] = time.perf_counter() - t
        if details is not None:
            details.update({k: round(v, 3) for k, v in times.items()}, good=good)
    return refused if good.get("installed") else 0


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="deskhand-bench-packs-") as tmp:
        details: dict = {}
        refused = bad_packs_refused(Path(tmp), details)
    for kind in _REASONS:
        print(f"{kind}: {details.get(kind) or 'NOT refused'}")
    good = details["good"]
    print(f"good pack: installed={good.get('installed')} state={good.get('state')} "
          f"signer={good.get('signer')}; build {details['build_s']} s, verify "
          f"{details['verify_s']} s, install {details['install_s']} s")
    doc = {"bad_packs_refused": refused, "good_installed": int(bool(good.get("installed"))),
           "build_s": details["build_s"], "verify_s": details["verify_s"],
           "install_s": details["install_s"], "load": [round(x, 2) for x in os.getloadavg()]}
    print(json.dumps(doc, ensure_ascii=False))
    return 0 if refused == 3 and good.get("installed") else 1


if __name__ == "__main__":
    sys.exit(main())
