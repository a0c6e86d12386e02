"""Benchmark: the Linux package from build to purge (as root, on a Debian-family system).

- build_s: installer/build_deb.sh (skipped with --deb PATH); deb_mb: the package's size;
- install_s: `apt-get install ./deskhand_*.deb`;
- self_test_ok: `deskhand doctor --self-test` of the installed program;
- first_start_s: the installed tray started on a private Xvfb + openbox + trayer session,
  until its icon is embedded (its status socket says tray_visible, as bench/tray.py times);
- idle_rss_mb: the RSS of the tray's process tree after 5 s idle;
- purge_clean: after `apt-get purge`, no file of the package is left;
- bad_packs_refused, audit_tamper_found: bench/packs.py's and bench/audit.py's (of 3 each).

    python bench/install.py [--deb PATH] [--compress zstd]

The last line printed is one JSON object with the figures.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))   # bench/packs.py and bench/audit.py

from app.sandbox.xsession import XSession  # noqa: E402
from app.ui.app import wait_for_status  # noqa: E402

APT_ENV = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}


def run(argv: list[str], **kw) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, timeout=900, **kw)


def tree_rss_mb(pid: int) -> float:
    """RSS of a process and all its descendants (the tray and its fill worker)."""
    out = run(["ps", "-e", "-o", "pid=,ppid=,rss="]).stdout.split("\n")
    rows = [tuple(int(x) for x in line.split()) for line in out if line.strip()]
    kids: dict[int, list[int]] = {}
    rss = {}
    for p, pp, kb in rows:
        kids.setdefault(pp, []).append(p)
        rss[p] = kb
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo += kids.get(p, [])
    return total / 1024


def build(out: Path, compress: str) -> tuple[Path, float]:
    t0 = time.perf_counter()
    r = run(["bash", "installer/build_deb.sh", "-o", str(out)], cwd=ROOT,
            env={**os.environ, "DESKHAND_DEB_COMPRESS": compress})
    if r.returncode:
        raise SystemExit(r.stderr[-3000:])
    return next(out.glob("deskhand_*_amd64.deb")), time.perf_counter() - t0


def self_test(env: dict[str, str]) -> bool:
    return run(["/usr/bin/deskhand", "doctor", "--self-test"], env=env).returncode == 0


def tray_figures(env: dict[str, str]) -> tuple[float, float]:
    with XSession() as session:
        env = session.env(env)
        trayer = session.spawn(["trayer", "--edge", "top", "--align", "right", "--widthtype",
                                "request", "--height", "24", "--transparent", "false"], env=env)
        t0 = time.perf_counter()
        proc = session.spawn(["/usr/bin/deskhand", "tray", "--no-hotkeys"], env=env, cwd="/")
        wait_for_status(lambda s: s.get("tray_visible") and s["tray_geometry"][2] > 0, 60,
                        "the installed tray", env=env, interval=0.01)
        first_start = time.perf_counter() - t0
        time.sleep(5.0)
        idle = tree_rss_mb(proc.pid)
        session.end(proc)
        session.end(trayer)
    return first_start, idle


def purge_clean(files: list[str]) -> bool:
    if run(["apt-get", "purge", "-y", "-q", "deskhand"], env=APT_ENV).returncode:
        return False
    for path in map(Path, files):
        if path.is_symlink() or path.is_file():
            return False
        if path.is_dir() and not any(path.iterdir()) and run(["dpkg-query", "-S", str(path)]).returncode:
            return False
    return not Path("/opt/deskhand").exists()


def bad_packs_refused(workdir: Path) -> int:
    """Of an unsigned, an altered and an unknown-key pack, how many `deskhand pack install`
    refuses (bench/packs.py; run from this source tree, not the installed program)."""
    from packs import bad_packs_refused as refused
    return refused(workdir)


def audit_tamper_found(workdir: Path) -> int:
    """Of a truncated, an edited and a reordered audit log, how many `deskhand audit verify`
    names (bench/audit.py; run from this source tree, not the installed program)."""
    from audit import audit_tamper_found as found
    return found(workdir)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--deb", type=Path, help="a package built before (else build one)")
    ap.add_argument("--compress", default="zstd", help="xz, zstd, gzip or none (a build only)")
    args = ap.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("bench/install.py installs a package: run it as root")
    installed = run(["dpkg-query", "-W", "-f=${Status}", "deskhand"]).stdout
    if "installed" in installed:
        raise SystemExit("a deskhand package is installed already; purge it first")
    tmp = Path(tempfile.mkdtemp(prefix="deskhand-bench-install-"))
    build_s = None
    if args.deb:
        deb = args.deb.resolve()
    else:
        deb, build_s = build(tmp, args.compress)
    result: dict[str, object] = {"deb_installed": False, "self_test_ok": False, "purge_clean": False,
                                 "deb_mb": round(deb.stat().st_size / 2**20, 1),
                                 "build_s": round(build_s, 1) if build_s else None}
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp / "home"), "LANG": "C.UTF-8",
           "XDG_DATA_HOME": str(tmp / "data"), "XDG_CONFIG_HOME": str(tmp / "config"),
           "XDG_CACHE_HOME": str(tmp / "cache"), "XDG_STATE_HOME": str(tmp / "state"),
           "XDG_RUNTIME_DIR": str(tmp / "run")}
    (tmp / "run").mkdir(mode=0o700)
    t0 = time.perf_counter()
    r = run(["apt-get", "install", "-y", "-q", "--no-install-recommends", str(deb)], env=APT_ENV)
    result["install_s"] = round(time.perf_counter() - t0, 1)
    try:
        if r.returncode:
            raise SystemExit(r.stdout[-2000:] + r.stderr[-2000:])
        result["deb_installed"] = True
        files = [f for f in run(["dpkg-query", "-L", "deskhand"]).stdout.split("\n") if f.strip()]
        result["installed_mb"] = round(int(run(["du", "-sk", "/opt/deskhand"]).stdout.split()[0]) / 1024)
        result["self_test_ok"] = self_test(env)
        first_start, idle = tray_figures(env)
        result["first_start_s"] = round(first_start, 2)
        result["idle_rss_mb"] = round(idle, 1)
        result["bad_packs_refused"] = bad_packs_refused(tmp / "packs")
        result["audit_tamper_found"] = audit_tamper_found(tmp / "audit")
        result["purge_clean"] = purge_clean(files)
    finally:
        if "installed" in run(["dpkg-query", "-W", "-f=${Status}", "deskhand"]).stdout:
            run(["apt-get", "purge", "-y", "-q", "deskhand"], env=APT_ENV)
        shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
