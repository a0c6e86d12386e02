"""Word → PDF with LibreOffice headless.

Each run has its own LibreOffice profile (`-env:UserInstallation=file:///…`, a fresh temp
folder): two runs sharing one profile collide (the second exits at once, writing nothing),
so conversions may run in parallel. A run is one process group (its own session on Linux)
so that a timeout ends soffice.bin too, not only the oosplash wrapper. All documents of a
scenario go through one run: LibreOffice starts once (~2-3 s here) for all of them.
Fonts: LibreOffice embeds a subset of every font a PDF uses (the templates name Noto Serif
CJK SC, from fonts-noto-cjk), so a PDF reads the same on a PC without the font.

    converter = PdfConverter()                  # soffice found on PATH, 120 s timeout
    converter.convert([a.docx, b.docx], outdir) -> [a.pdf, b.pdf]     ConverterError
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from app.errors import ConverterError
from app.i18n import _

__all__ = ["PdfConverter", "find_soffice"]

_NAMES = ("soffice", "libreoffice")
_WINDOWS_DEFAULT = Path(r"C:\Program Files\LibreOffice\program\soffice.exe")


def find_soffice() -> str | None:
    """LibreOffice's `soffice` on PATH (or where the Windows installer puts it), else None."""
    for name in _NAMES:
        found = shutil.which(name)
        if found:
            return found
    if os.name == "nt" and _WINDOWS_DEFAULT.is_file():
        return str(_WINDOWS_DEFAULT)
    return None


@dataclass
class PdfConverter:
    soffice: str | None = None      # the program; None: find_soffice()
    timeout_s: float = 120.0        # five documents take ~4 s here; a hung run is ended
    profile_root: Path | None = None   # where each run's profile folder is made (temp dir)

    def convert(self, documents: list[Path], outdir: Path) -> list[Path]:
        """A PDF beside each of `documents` in `outdir`, or ConverterError with a sentence."""
        program = self.soffice or find_soffice()
        if not program or not (Path(program).is_file() or shutil.which(program)):
            raise ConverterError(_("LibreOffice is not installed, so no PDF can be made; install "
                                   "it (Debian/UOS/Kylin: apt-get install libreoffice-writer-nogui) "
                                   "or ask IT. The Word documents were not kept either."))
        profile = Path(tempfile.mkdtemp(prefix="deskhand-lo-", dir=self.profile_root))
        command = [program, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                   "--norestore", "--nolockcheck", "--nodefault", "--convert-to", "pdf",
                   "--outdir", str(outdir), *map(str, documents)]
        try:
            output = self._run(command)
        finally:
            shutil.rmtree(profile, ignore_errors=True)
        pdfs = [outdir / (d.stem + ".pdf") for d in documents]
        absent = [p.name for p in pdfs if not p.is_file() or p.stat().st_size == 0]
        if absent:
            raise ConverterError(_("LibreOffice wrote no PDF for {names} ({output}); open the "
                                   "Word document in LibreOffice to see why.",
                                   names=", ".join(absent), output=output[-300:].strip() or "—"))
        return pdfs

    def _run(self, command: list[str]) -> str:
        posix = os.name == "posix"
        try:
            proc = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT, start_new_session=posix,
                creationflags=0 if posix else subprocess.CREATE_NEW_PROCESS_GROUP)  # type: ignore[attr-defined]
        except OSError as exc:
            raise ConverterError(_("LibreOffice ({program}) could not be started ({reason}); "
                                   "reinstall it or ask IT.", program=command[0],
                                   reason=exc.strerror or exc)) from None
        try:
            out, _unused = proc.communicate(timeout=self.timeout_s)
        except subprocess.TimeoutExpired:
            _end_group(proc, posix)
            raise ConverterError(_("LibreOffice did not finish the PDFs within {seconds} s and "
                                   "was stopped; try again, and if it hangs again, restart the "
                                   "PC or ask IT.", seconds=f"{self.timeout_s:g}")) from None
        finally:
            _end_group(proc, posix)    # nothing of this run outlives it
        return out.decode("utf-8", "replace") if out else ""


def _end_group(proc: subprocess.Popen[bytes], posix: bool) -> None:
    if posix:
        try:
            os.killpg(proc.pid, signal.SIGKILL)    # the session this run started, and only it
        except (ProcessLookupError, PermissionError):
            pass
    elif proc.poll() is None:
        subprocess.run(["taskkill", "/F", "/T", "/PID", str(proc.pid)],
                       capture_output=True, check=False)
    if proc.poll() is None or proc.returncode is None:
        try:
            proc.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            pass
