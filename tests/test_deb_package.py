"""The Linux package, end to end: build it (installer/build_deb.sh), `apt-get install` it,
run the installed program, then `apt-get purge` it and check that no file of the package
is left and that a clerk's case file in a home folder is.

The install tests run only as root with apt and dpkg-deb, and never over a deskhand
package already installed; whatever fails midway, the package is purged before the module
ends.
$DESKHAND_DEB=PATH tests a package built before instead of building one.
"""
from __future__ import annotations

import json
import os
import pwd
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "resources" / "samples" / "idcard-front.jpg"
PRESET = "settings:\n  language: zh_CN\n"
SYSTEM_PACKS = Path("/var/lib/deskhand/packs")


def _installed() -> bool:
    status = subprocess.run(["dpkg-query", "-W", "-f=${Status}", "deskhand"],
                            capture_output=True, text=True).stdout
    return "ok installed" in status or "config-files" in status


def _why_not() -> str | None:
    if os.name != "posix" or os.geteuid() != 0:
        return "installs a .deb: needs root"
    for tool in ("apt-get", "dpkg-deb", "dpkg-query"):
        if not shutil.which(tool):
            return f"needs {tool} (a Debian-family system)"
    if _installed():
        return "a deskhand package is already installed here; not touching it"
    if SYSTEM_PACKS.exists():
        return f"{SYSTEM_PACKS} exists here (packs IT installed): a purge would remove them"
    return None


# Every test that installs; the preset check before a build runs anywhere.
as_root = pytest.mark.skipif(_why_not() is not None, reason=_why_not() or "")


def _run(argv: list[str], env: dict[str, str] | None = None, timeout: float = 600,
         **kw) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=env, **kw)


def _purge() -> subprocess.CompletedProcess[str]:
    return _run(["apt-get", "purge", "-y", "-q", "deskhand"],
                env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})


@pytest.fixture(scope="module")
def deb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    given = os.environ.get("DESKHAND_DEB")
    if given:
        return Path(given).resolve()
    out = tmp_path_factory.mktemp("deb")
    preset = out / "preset.yaml"
    preset.write_text(PRESET, encoding="utf-8")
    # zstd: Debian 12's dpkg reads it and it is several times faster than xz on two cores.
    env = {**os.environ, "DESKHAND_DEB_COMPRESS": os.environ.get("DESKHAND_DEB_COMPRESS", "zstd")}
    r = _run(["bash", "installer/build_deb.sh", "--preset", str(preset), "-o", str(out)],
             env=env, cwd=ROOT)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-4000:]
    debs = list(out.glob("deskhand_*_amd64.deb"))
    assert len(debs) == 1, r.stdout
    return debs[0]


@pytest.fixture(scope="module")
def installed(deb: Path):
    """The package installed; purged at the end whatever happened."""
    try:
        r = _run(["apt-get", "install", "-y", "-q", "--no-install-recommends", str(deb)],
                 env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
        assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
        files = _run(["dpkg-query", "-L", "deskhand"]).stdout.split("\n")
        yield [f for f in files if f.strip()]
    finally:
        if _installed():
            _purge()


@pytest.fixture
def home_env(tmp_path: Path) -> dict[str, str]:
    """The installed program run as a clerk would, its folders in this test's own tree."""
    # not the suite's stand-ins for the preset and the system packs (tests/conftest.py): the
    # installed program reads /etc/deskhand/preset.yaml as on a clerk's PC
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTHON", "VIRTUAL_ENV", "DESKHAND_PRESET", "DESKHAND_SYSTEM_PACKS"))}
    env.update(HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path / "data"),
               XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_CACHE_HOME=str(tmp_path / "cache"),
               XDG_STATE_HOME=str(tmp_path / "state"), DESKHAND_LANG="en", PATH="/usr/bin:/bin")
    return env


def test_a_broken_preset_is_refused_before_building(tmp_path: Path) -> None:
    preset = tmp_path / "preset.yaml"
    preset.write_text("settings:\n  language: fr\n", encoding="utf-8")
    r = _run(["bash", "installer/build_deb.sh", "--preset", str(preset), "-o", str(tmp_path)],
             cwd=ROOT, timeout=60)
    assert r.returncode == 1 and "Not building" in r.stderr and "language" in r.stderr, r.stderr
    assert not list(tmp_path.glob("*.deb"))


@as_root
def test_version_of_the_installed_program(installed: list[str], home_env: dict[str, str]) -> None:
    r = _run(["/usr/bin/deskhand", "--version"], env=home_env, cwd="/")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    from app.version import VERSION
    assert lines[0] == f"deskhand {VERSION}"
    info = dict(line.split(": ", 1) for line in lines[1:])
    assert info["python"].startswith("3.11") and info["qt"].startswith("PySide6 6.")
    assert "PP-OCRv5" in info["ocr"] and "or newer needed" in info["glibc"]


@as_root
def test_installed_program_passes_its_self_test_and_reads_with_both_recognisers(
        installed: list[str], home_env: dict[str, str]) -> None:
    """`deskhand doctor --self-test` of the installed program (the sample card read, checked,
    verified on a loopback registry, typed into the sample client on its own Xvfb), and the
    frozen OCR with both recognisers (the PP-OCRv5 default and PP-OCRv4), so both model sets
    are known to be in the bundle."""
    r = _run(["/usr/bin/deskhand", "doctor", "--self-test", "--json"], env=home_env, cwd="/")
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    steps = {s["name"]: s["level"] for s in json.loads(r.stdout)["steps"]}
    assert steps == {"ocr": "ok", "check": "ok", "registry": "ok", "fill": "ok"}, r.stdout
    for engine in ("rapidocr", "rapidocr-v4"):
        r = _run(["/usr/bin/deskhand", "ocr", "--engine", engine, "--json", str(SAMPLE)],
                 env=home_env, cwd="/")
        assert r.returncode == 0, r.stderr
        texts = "".join(b["text"] for b in json.loads(r.stdout)["boxes"])
        assert "公民身份号码" in texts, (engine, texts)


@as_root
def test_installed_vault_uses_the_os_keyring(installed: list[str], home_env: dict[str, str],
                                             tmp_path: Path) -> None:
    """keyring finds its Secret Service backend in the bundle (entry points, secretstorage):
    `deskhand vault set/check` against a private gnome-keyring."""
    from secret_service import SecretService, require_tools
    require_tools()
    with SecretService(tmp_path / "keyring") as service:
        env = {**home_env, **service.overlay}
        r = _run(["/usr/bin/deskhand", "vault", "check"], env=env, cwd="/")
        assert r.returncode == 0 and "SecretService" in r.stdout, r.stdout + r.stderr


@as_root
def test_installed_layout(installed: list[str]) -> None:
    assert os.path.realpath("/usr/bin/deskhand") == "/opt/deskhand/deskhand"
    menu = Path("/usr/share/applications/deskhand.desktop").read_text(encoding="utf-8")
    assert "Name[zh_CN]=窗口助手" in menu and "Exec=deskhand tray" in menu
    assert "Exec=deskhand tray --autostart\n" in Path("/etc/xdg/autostart/deskhand.desktop").read_text(encoding="utf-8")
    assert Path("/usr/share/icons/hicolor/256x256/apps/deskhand.png").stat().st_size > 1000
    assert Path("/etc/deskhand/preset.yaml").read_text(encoding="utf-8") == PRESET
    conffiles = _run(["dpkg-query", "-W", "-f=${Conffiles}", "deskhand"]).stdout
    assert "/etc/deskhand/preset.yaml" in conffiles


@as_root
def test_installed_windows_speak_chinese(installed: list[str], home_env: dict[str, str]) -> None:
    """The tray's catalogue loads from the bundle as built (not recompiled: the package has
    no lrelease), through the frozen program's `-c`."""
    code = ("from PySide6.QtCore import QCoreApplication\n"
            "from app.ui.i18n import install\n"
            "app = QCoreApplication([])\n"
            "ok = install(app, 'zh_CN').switch('zh_CN')\n"
            "print(ok, QCoreApplication.translate('BatchWindow', 'Start'))\n")
    r = _run(["/usr/bin/deskhand", "-c", code], env={**home_env, "QT_QPA_PLATFORM": "offscreen"},
             cwd="/")
    assert (r.returncode, r.stdout.strip()) == (0, "True 开始"), r.stderr[-2000:]
    assert "i18n" not in r.stderr, r.stderr


@as_root
def test_the_installed_tray_restarts_itself_into_an_upgrade(installed: list[str],
                                                            home_env: dict[str, str],
                                                            tmp_path: Path) -> None:
    """IT upgrades the package while the tray runs: once idle, the tray restarts into the
    build now on disk (its stamp in build_info.json), without a second tray."""
    import time
    from app.sandbox.xsession import XSession
    from app.tray_channel import send_unix
    info = next(Path("/opt/deskhand").rglob("build_info.json"))
    with XSession() as session:
        env = session.env({**home_env, "XDG_RUNTIME_DIR": str(tmp_path / "run"),
                           "DESKHAND_UPDATE_CHECK_S": "0.3"})
        (tmp_path / "run").mkdir(mode=0o700)
        tray = subprocess.Popen(["/usr/bin/deskhand", "tray", "--no-hotkeys"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            def status() -> dict | None:
                return send_unix({"cmd": "status"}, 2.0, env)
            deadline = time.monotonic() + 60
            while (first := status()) is None and time.monotonic() < deadline:
                time.sleep(0.2)
            assert first is not None and first["build"], "the installed tray did not start"
            doc = json.loads(info.read_text(encoding="utf-8"))
            doc["build"] = "an upgrade"
            info.write_text(json.dumps(doc), encoding="utf-8")      # what dpkg would unpack
            deadline = time.monotonic() + 60
            now = None
            while time.monotonic() < deadline:
                now = status()
                if now is not None and now["build"] == "an upgrade":
                    break
                time.sleep(0.2)
            assert now is not None and now["build"] == "an upgrade", now
            assert now["update_pending"] is None and tray.poll() is None   # the same process, new program
        finally:
            send_unix({"cmd": "quit"}, 2.0, env)
            try:
                tray.wait(timeout=20)
            except subprocess.TimeoutExpired:
                tray.kill()
                tray.wait()


@as_root
def test_purge_leaves_no_file_of_the_package_and_keeps_cases(installed: list[str]) -> None:
    home = Path(pwd.getpwuid(0).pw_dir)
    cases = home / ".local" / "share" / "deskhand" / "cases"
    made = [p for p in (cases, *cases.parents) if not p.exists() and p != home and home in p.parents]
    witness = cases / f"deskhand-deb-test-{uuid.uuid4().hex}.json"
    cases.mkdir(parents=True, exist_ok=True)
    witness.write_text('{"deskhand_case": 1}', encoding="utf-8")
    # a pack IT installed for every user goes with the package; an audit log there stays
    pack = SYSTEM_PACKS / "sample" / "pack.yaml"
    audit = SYSTEM_PACKS.parent / "audit" / f"deskhand-deb-test-{uuid.uuid4().hex}.jsonl"
    audit_existed = audit.parent.exists()
    for path in (pack, audit):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("{}\n", encoding="utf-8")
    try:
        r = _purge()
        assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
        assert not _installed()
        left = []
        for path in map(Path, installed):
            if path.is_symlink() or path.is_file():
                left.append(str(path))
            elif path.is_dir() and not any(path.iterdir()):
                owner = _run(["dpkg-query", "-S", str(path)])
                if owner.returncode != 0:
                    left.append(str(path) + "/")
        assert left == [], f"left behind by the purge: {left[:20]}"
        assert not Path("/opt/deskhand").exists() and not Path("/etc/deskhand").exists()
        assert not SYSTEM_PACKS.exists()
        assert audit.read_text(encoding="utf-8") == "{}\n"
        assert witness.read_text(encoding="utf-8") == '{"deskhand_case": 1}'
    finally:
        witness.unlink(missing_ok=True)
        shutil.rmtree(SYSTEM_PACKS, ignore_errors=True)   # absent before (_why_not)
        audit.unlink(missing_ok=True)
        for folder in ([] if audit_existed else [audit.parent]) + [SYSTEM_PACKS.parent]:
            try:
                folder.rmdir()
            except OSError:
                pass
        for folder in made:   # deepest first: only what this test created
            try:
                folder.rmdir()
            except OSError:
                pass
