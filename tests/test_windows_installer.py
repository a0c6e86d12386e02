"""The Windows installer script (installer/windows/deskhand.nsi), compiled here by the real
makensis against a stub payload shaped as PyInstaller's one-folder output.

What this proves: the script compiles, the result is a Windows GUI PE carrying the version
it was given, and makensis' own log (-V4, one line per compiled instruction) holds the
install and uninstall steps the IT guide promises. What it cannot prove: anything Windows
does when the installer runs (the CI workflow .github/workflows/windows.yml does that).
"""
from __future__ import annotations

import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "installer" / "windows" / "deskhand.nsi"
MAKENSIS = shutil.which("makensis")
needs_makensis = pytest.mark.skipif(
    MAKENSIS is None, reason="makensis is not installed (apt-get install nsis)")

UNINST = r"HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall\Deskhand"
RUN = r"HKLM\Software\Microsoft\Windows\CurrentVersion\Run\Deskhand"


def stub_payload(folder: Path) -> Path:
    """deskhand.exe, deskhand-tray.exe and _internal/ as PyInstaller 6 lays them out."""
    dist = folder / "dist"
    (dist / "_internal" / "resources").mkdir(parents=True)
    for exe in ("deskhand.exe", "deskhand-tray.exe"):
        (dist / exe).write_bytes(b"MZ stub " + exe.encode())
    (dist / "_internal" / "base_library.zip").write_bytes(b"PK\x05\x06" + bytes(18))
    (dist / "_internal" / "resources" / "deskhand_zh_CN.qm").write_bytes(b"qm")
    return dist


def compile_installer(tmp_path: Path, *defines: str) -> tuple[subprocess.CompletedProcess, Path]:
    out = tmp_path / "setup.exe"
    # makensis for Windows writes its log in the console's code page unless told otherwise
    charset = ["-OUTPUTCHARSET", "UTF8"] if sys.platform == "win32" else []
    proc = subprocess.run([MAKENSIS, *charset, "-V4", "-NOCONFIG", *defines, f"-DOUTFILE={out}",
                           str(SCRIPT)], capture_output=True, text=True, encoding="utf-8",
                          errors="replace", timeout=60)
    return proc, out


def section(log: str, name: str) -> str:
    """The compile log of one section, from `Section: "name"` to its SectionEnd."""
    m = re.search(rf'^Section: "{re.escape(name)}".*?^SectionEnd', log, re.M | re.S)
    assert m, f"no section {name!r} in the compile log"
    return m.group(0)


def pe_header(path: Path) -> tuple[int, int]:
    """(machine, subsystem) of a PE file; AssertionError if it is not one."""
    data = path.read_bytes()
    assert data[:2] == b"MZ"
    pe = struct.unpack_from("<I", data, 0x3C)[0]
    assert data[pe:pe + 4] == b"PE\0\0"
    machine = struct.unpack_from("<H", data, pe + 4)[0]
    subsystem = struct.unpack_from("<H", data, pe + 24 + 68)[0]   # optional header + 68
    return machine, subsystem


@needs_makensis
def test_installer_compiles_to_a_gui_pe_with_install_and_uninstall_steps(tmp_path):
    dist = stub_payload(tmp_path)
    preset = tmp_path / "preset.yaml"
    preset.write_text("settings: {language: zh_CN}\nlocked: [language]\n", encoding="utf-8")
    proc, exe = compile_installer(tmp_path, f"-DDIST={dist}", "-DVERSION=1.2.3",
                                  f"-DPRESET={preset}")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr
    machine, subsystem = pe_header(exe)
    assert machine == 0x14C and subsystem == 2        # i386 stub, Windows GUI
    data = exe.read_bytes()
    assert "1.2.3".encode("utf-16-le") in data                 # the version resource
    assert b'level="requireAdministrator"' in data              # the manifest: UAC asks
    log = proc.stdout
    assert re.search(r"^Unicode: true$", log, re.M)
    assert 'InstallDir: "$PROGRAMFILES64\\Deskhand"' in log
    assert log.count("SetRegView: 64") == 2                     # install and uninstall

    install = section(log, "Deskhand")
    # the whole payload, then the uninstaller
    for name in ("deskhand.exe", "deskhand-tray.exe", "base_library.zip", "deskhand_zh_CN.qm"):
        assert f'File: "{name}"' in install, name
    assert 'WriteUninstaller: "$INSTDIR\\uninstall.exe"' in install
    # the bundled preset lands in ProgramData (all users' $APPDATA)
    assert "SetShellVarContext: all" in install
    assert 'SetOutPath: "$APPDATA\\Deskhand"' in install
    assert 'File: "preset.yaml"->"preset.yaml"' in install
    assert 'CopyFiles: (silent) "$PresetSource" -> "$APPDATA\\Deskhand\\preset.yaml"' in install
    assert "*S-1-5-32-545:(OI)(CI)RX" in install        # clerks read the preset, no more
    # Start menu and autostart for every user
    assert re.search(r'CreateShortcut: "\$SMPROGRAMS\\\$\(ShortcutName\)\.lnk"->'
                     r'"\$INSTDIR\\deskhand-tray\.exe"', install)
    assert f'WriteRegStr: {RUN}="$INSTDIR\\deskhand-tray.exe" tray --autostart' in install
    # Add/Remove Programs
    for value in ("DisplayName=$(DisplayName)", "DisplayVersion=1.2.3", "Publisher=Deskhand",
                  'UninstallString="$INSTDIR\\uninstall.exe"',
                  'QuietUninstallString="$INSTDIR\\uninstall.exe" /S'):
        assert f"WriteRegStr: {UNINST}\\{value}" in install, value
    assert f"WriteRegDWORD: {UNINST}\\EstimatedSize=$0" in install

    uninstall = section(log, "Uninstall")
    for line in ('Delete: "$SMPROGRAMS\\窗口助手.lnk"', 'Delete: "$SMPROGRAMS\\Deskhand.lnk"',
                 f"DeleteRegValue: {RUN}", 'RMDir: /r "$INSTDIR\\_internal"',
                 'Delete: "$INSTDIR\\deskhand.exe"', 'Delete: "$INSTDIR\\uninstall.exe"',
                 'RMDir: "$INSTDIR"', f"DeleteRegKey: {UNINST}"):
        assert line in uninstall, line
    # never the whole install folder recursively (/D= may name a shared one), never the
    # clerks' own folders; the preset only under /PURGE (the one recursive RMDir of it)
    assert 'RMDir: /r "$INSTDIR"' not in uninstall
    assert "LOCALAPPDATA" not in uninstall
    assert uninstall.count('RMDir: /r "$APPDATA\\Deskhand"') == 1
    # both languages' strings are compiled in
    assert "2 language tables" in log
    # makensis for Windows reads a script without a BOM in the ANSI code page: the Chinese
    # strings (shortcut 窗口助手, messages) would be garbled there
    assert SCRIPT.read_bytes().startswith(b"\xef\xbb\xbf")


@needs_makensis
def test_without_a_bundled_preset_none_is_written_and_without_a_payload_it_says_why(tmp_path):
    dist = stub_payload(tmp_path)
    proc, exe = compile_installer(tmp_path, f"-DDIST={dist}")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr
    install = section(proc.stdout, "Deskhand")
    assert 'File: "preset.yaml"' not in install
    assert "DisplayVersion=0.0.0" in install
    exe.unlink()

    proc, exe = compile_installer(tmp_path)
    assert proc.returncode != 0 and not exe.exists()
    assert "Name the PyInstaller folder" in proc.stdout + proc.stderr


def test_the_it_guides_preset_example_is_a_preset_deskhand_accepts(tmp_path):
    """docs/it-rollout.md shows IT a preset: it must load, lock what it says, and its
    registries must parse (a wrong example there would be copied to every PC)."""
    from app.settings import SettingsStore
    guide = (ROOT / "docs" / "it-rollout.md").read_text(encoding="utf-8")
    block = re.search(r"^## IT preset.*?^```yaml\n(.*?)^```", guide, re.M | re.S)
    assert block, "no yaml example in the guide's IT preset section"
    preset = tmp_path / "preset.yaml"
    preset.write_text(block.group(1), encoding="utf-8")
    settings = SettingsStore(tmp_path / "settings.yaml", preset, preset_required=True).load()
    assert settings.locked == {"registries", "hotkeys.fill", "language"}
    assert settings.is_locked("registries.city") and not settings.is_locked("hotkeys.capture")
    assert settings.playbook_dirs == ["\\\\fs01\\playbooks"]
    assert settings.registry_settings().registries["city"].base_url.startswith("https://")


def test_the_windows_workflow_names_files_that_exist():
    """windows.yml runs only on GitHub's Windows runners: a renamed test file or script
    would first show there. Every repository path it names must exist here."""
    import yaml
    text = (ROOT / ".github" / "workflows" / "windows.yml").read_text(encoding="utf-8")
    flow = yaml.safe_load(text)
    assert flow["jobs"]["installer"]["runs-on"] == "windows-latest"
    named = set(re.findall(r"(?:tests|installer|resources)/[\w./-]+\.\w+", text.replace("\\", "/")))
    assert {"tests/test_windows_backend.py", "installer/windows/build.ps1"} <= named
    assert [p for p in sorted(named) if not (ROOT / p).exists()] == []
