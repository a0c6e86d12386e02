"""The Windows clipboard: which formats can be saved, and the Win32 calls that save them.

The classification and naming of formats is plain logic (tested on Linux).
`Win32Clipboard` makes the user32 / kernel32 calls through function objects
it is given, so nothing here loads a DLL at import; `windows.py` hands it the
real ones, the tests hand it fakes.

A snapshot keeps every format whose data is a global-memory block (text,
Unicode text, CF_DIB / CF_DIBV5 images, CF_HDROP file lists, and registered
formats such as "HTML Format" or "Rich Text Format"). GDI-handle formats
(CF_BITMAP, CF_PALETTE, metafiles) cannot be copied as bytes; Windows
synthesises CF_BITMAP again from CF_DIB, so an image survives without it.
"""
from __future__ import annotations

import ctypes
import time
from contextlib import contextmanager
from typing import Any, Callable, Iterator

from app.desktop.base import ClipboardSnapshot
from app.errors import ClipboardError
from app.i18n import N_, _

CF_TEXT = 1
CF_BITMAP = 2
CF_METAFILEPICT = 3
CF_SYLK = 4
CF_DIF = 5
CF_TIFF = 6
CF_OEMTEXT = 7
CF_DIB = 8
CF_PALETTE = 9
CF_PENDATA = 10
CF_RIFF = 11
CF_WAVE = 12
CF_UNICODETEXT = 13
CF_ENHMETAFILE = 14
CF_HDROP = 15
CF_LOCALE = 16
CF_DIBV5 = 17
CF_OWNERDISPLAY = 0x0080
CF_DSPTEXT = 0x0081
CF_DSPBITMAP = 0x0082
CF_DSPMETAFILEPICT = 0x0083
CF_DSPENHMETAFILE = 0x008E
CF_PRIVATEFIRST = 0x0200
CF_PRIVATELAST = 0x02FF
CF_GDIOBJFIRST = 0x0300
CF_GDIOBJLAST = 0x03FF
REGISTERED_FIRST = 0xC000     # RegisterClipboardFormat hands out 0xC000..0xFFFF

GMEM_MOVEABLE = 0x0002

STANDARD_FORMATS: dict[int, str] = {
    CF_TEXT: "CF_TEXT", CF_BITMAP: "CF_BITMAP", CF_METAFILEPICT: "CF_METAFILEPICT",
    CF_SYLK: "CF_SYLK", CF_DIF: "CF_DIF", CF_TIFF: "CF_TIFF", CF_OEMTEXT: "CF_OEMTEXT",
    CF_DIB: "CF_DIB", CF_PALETTE: "CF_PALETTE", CF_PENDATA: "CF_PENDATA",
    CF_RIFF: "CF_RIFF", CF_WAVE: "CF_WAVE", CF_UNICODETEXT: "CF_UNICODETEXT",
    CF_ENHMETAFILE: "CF_ENHMETAFILE", CF_HDROP: "CF_HDROP", CF_LOCALE: "CF_LOCALE",
    CF_DIBV5: "CF_DIBV5", CF_OWNERDISPLAY: "CF_OWNERDISPLAY", CF_DSPTEXT: "CF_DSPTEXT",
    CF_DSPBITMAP: "CF_DSPBITMAP", CF_DSPMETAFILEPICT: "CF_DSPMETAFILEPICT",
    CF_DSPENHMETAFILE: "CF_DSPENHMETAFILE",
}
_STANDARD_BY_NAME: dict[str, int] = {v: k for k, v in STANDARD_FORMATS.items()}

# Handles that are GDI objects (or hold one, like METAFILEPICT's HMETAFILE), not memory.
GDI_FORMATS: frozenset[int] = frozenset({
    CF_BITMAP, CF_METAFILEPICT, CF_PALETTE, CF_ENHMETAFILE,
    CF_DSPBITMAP, CF_DSPMETAFILEPICT, CF_DSPENHMETAFILE,
})

# Formats Deskhand adds when it puts case data on the clipboard, so that ID
# numbers and names are kept out of Windows' clipboard history (Win+V) and the
# cloud clipboard (PIPL: collect the minimum). Deliberately NOT
# "ExcludeClipboardContentFromMonitorProcessing": every clipboard monitor may
# honour it, and the remote-desktop clipboard (rdpclip) is one, so a paste
# into an approval client running over RDP / Citrix could arrive empty.
PRIVACY_FORMATS: dict[str, bytes] = {
    "CanIncludeInClipboardHistory": b"\x00\x00\x00\x00",   # DWORD 0
    "CanUploadToCloudClipboard": b"\x00\x00\x00\x00",      # DWORD 0
}

# A format bigger than this is left out of the snapshot (and named in `skipped`):
# a huge image copied by the clerk is not worth a pause at every paste.
MAX_FORMAT_BYTES = 64 * 1024 * 1024

HELD_MESSAGE = N_("The clipboard is held by another program; close it and try again.")
HELD_BY_MESSAGE = N_("The clipboard is held by another program ({owner}); close it and try "
                     "again.")


def format_kind(fmt: int) -> str:
    """'memory' (saved as bytes), 'gdi', 'private' (owner-managed handle) or 'display' (owner-drawn)."""
    if fmt in GDI_FORMATS or CF_GDIOBJFIRST <= fmt <= CF_GDIOBJLAST:
        return "gdi"
    if CF_PRIVATEFIRST <= fmt <= CF_PRIVATELAST:
        return "private"   # the handle means whatever the owner wants; Windows does not free it
    if fmt == CF_OWNERDISPLAY:
        return "display"   # no data: the owner paints the clipboard viewer itself
    return "memory"


def should_save(fmt: int) -> bool:
    return format_kind(fmt) == "memory"


def format_key(fmt: int, registered_name: str | None = None) -> str:
    """The snapshot key for a format: 'CF_UNICODETEXT', a registered name, or '#<id>'."""
    if fmt >= REGISTERED_FIRST and registered_name:
        return registered_name
    return STANDARD_FORMATS.get(fmt, f"#{fmt}")


def format_from_key(key: str) -> int | str:
    """Inverse of format_key: a format id, or a name to pass to RegisterClipboardFormatW."""
    if key in _STANDARD_BY_NAME:
        return _STANDARD_BY_NAME[key]
    if key.startswith("#") and key[1:].isdigit():
        return int(key[1:])
    return key


def unicode_text_bytes(text: str) -> bytes:
    """CF_UNICODETEXT data: UTF-16LE with the terminating NUL."""
    return (text + "\0").encode("utf-16-le", "surrogatepass")


def text_from_unicode_bytes(data: bytes) -> str:
    """Decode CF_UNICODETEXT data up to its first NUL (the block may be larger)."""
    if len(data) % 2:
        data = data[:-1]
    text = data.decode("utf-16-le", "replace")
    nul = text.find("\0")
    return text if nul < 0 else text[:nul]


class Win32Clipboard:
    """Clipboard operations over user32 / kernel32 function objects.

    `user32` / `kernel32` need the functions used below with their ctypes
    prototypes already declared. `describe_window(hwnd)` names the program that
    holds the clipboard, for the error message.
    """

    def __init__(
        self,
        user32: Any,
        kernel32: Any,
        *,
        describe_window: Callable[[int], str | None] | None = None,
        attempts: int = 20,
        delay: float = 0.025,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.user32 = user32
        self.kernel32 = kernel32
        self.describe_window = describe_window
        self.attempts = attempts
        self.delay = delay
        self.sleep = sleep

    # -- opening ---------------------------------------------------------------
    def _held_error(self) -> ClipboardError:
        name = None
        try:
            hwnd = self.user32.GetOpenClipboardWindow() or 0
            name = self.describe_window(hwnd) if (hwnd and self.describe_window) else None
        except Exception:   # the message is a courtesy; never mask the real failure
            pass
        return ClipboardError(_(HELD_BY_MESSAGE, owner=name) if name else _(HELD_MESSAGE))

    @contextmanager
    def opened(self, owner: int | None = None) -> Iterator[None]:
        """OpenClipboard, retried: other programs (clipboard managers, RDP) hold it for milliseconds."""
        for attempt in range(self.attempts):
            if self.user32.OpenClipboard(owner):
                break
            if attempt < self.attempts - 1:
                self.sleep(self.delay)
        else:
            raise self._held_error()
        try:
            yield
        finally:
            self.user32.CloseClipboard()

    @contextmanager
    def _owner_window(self) -> Iterator[int | None]:
        """A hidden window to own the clipboard while we write to it.

        After OpenClipboard(NULL), EmptyClipboard leaves the clipboard without
        an owner and SetClipboardData may fail. The window lives only for one
        write and is destroyed on this thread, so no message is ever sent to a
        window whose thread does not pump messages.
        """
        hwnd = self.user32.CreateWindowExW(0, "STATIC", None, 0, 0, 0, 0, 0, None, None, None, None)
        try:
            yield hwnd or None
        finally:
            if hwnd:
                self.user32.DestroyWindow(hwnd)

    # -- memory ------------------------------------------------------------------
    def _read_handle(self, handle: int) -> bytes | None:
        size = self.kernel32.GlobalSize(handle)
        if not size:
            return None    # not a global-memory handle after all
        if size > MAX_FORMAT_BYTES:
            raise OverflowError(size)
        ptr = self.kernel32.GlobalLock(handle)
        if not ptr:
            return None
        try:
            return ctypes.string_at(ptr, size)
        finally:
            self.kernel32.GlobalUnlock(handle)

    def _set_bytes(self, fmt: int, data: bytes) -> bool:
        handle = self.kernel32.GlobalAlloc(GMEM_MOVEABLE, max(len(data), 1))
        if not handle:
            return False
        ptr = self.kernel32.GlobalLock(handle)
        if not ptr:
            self.kernel32.GlobalFree(handle)
            return False
        try:
            ctypes.memmove(ptr, data, len(data))
        finally:
            self.kernel32.GlobalUnlock(handle)
        if not self.user32.SetClipboardData(fmt, handle):
            self.kernel32.GlobalFree(handle)   # on success the system owns it
            return False
        return True

    def _format_id(self, key: str) -> int:
        fmt = format_from_key(key)
        if isinstance(fmt, int):
            return fmt
        return int(self.user32.RegisterClipboardFormatW(fmt))

    def _format_name(self, fmt: int) -> str | None:
        if fmt < REGISTERED_FIRST:
            return None
        buf = ctypes.create_unicode_buffer(256)
        n = self.user32.GetClipboardFormatNameW(fmt, buf, len(buf))
        return buf.value[:n] if n else None

    # -- the operations --------------------------------------------------------------
    def sequence(self) -> int:
        return int(self.user32.GetClipboardSequenceNumber())

    def save(self) -> ClipboardSnapshot:
        formats: dict[str, bytes] = {}
        skipped: list[str] = []
        with self.opened():
            empty = self.user32.CountClipboardFormats() == 0
            fmt = 0
            while True:
                fmt = self.user32.EnumClipboardFormats(fmt)
                if not fmt:
                    break
                key = format_key(fmt, self._format_name(fmt))
                if not should_save(fmt):
                    skipped.append(key)
                    continue
                handle = self.user32.GetClipboardData(fmt)   # renders delayed formats
                if not handle:
                    skipped.append(key)
                    continue
                try:
                    data = self._read_handle(handle)
                except OverflowError:
                    data = None
                if data is None:
                    skipped.append(key)
                else:
                    formats[key] = data
        snapshot = ClipboardSnapshot(formats=formats, empty=empty)
        if isinstance(getattr(snapshot, "skipped", None), list):
            snapshot.skipped.extend(skipped)
        return snapshot

    def restore(self, snapshot: ClipboardSnapshot) -> None:
        """Put the snapshot back. An empty snapshot (or one whose formats could
        not be saved) leaves the clipboard empty rather than holding case data."""
        with self._owner_window() as owner, self.opened(owner):
            if not self.user32.EmptyClipboard():
                raise ClipboardError(
                    _("The clipboard could not be cleared to restore what was on it; copy your "
                      "own content again if you need it."))
            failed = [key for key, data in snapshot.formats.items()
                      if not self._set_bytes(self._format_id(key), data)]
        if snapshot.formats and len(failed) == len(snapshot.formats):
            raise ClipboardError(
                _("What was on the clipboard before the fill could not be put back; copy your "
                  "own content again if you need it."))

    def set_text(self, text: str, *, private: bool = True) -> None:
        """Replace the clipboard with `text` (CF_UNICODETEXT), hidden from clipboard history."""
        with self._owner_window() as owner, self.opened(owner):
            if not self.user32.EmptyClipboard():
                raise ClipboardError(_("The clipboard could not be cleared; close clipboard tools "
                                       "and try again."))
            if not self._set_bytes(CF_UNICODETEXT, unicode_text_bytes(text)):
                raise ClipboardError(_("The text could not be put on the clipboard; close "
                                       "clipboard tools and try again."))
            if private:
                for name, data in PRIVACY_FORMATS.items():
                    fmt = self._format_id(name)
                    if fmt:
                        self._set_bytes(fmt, data)   # best effort: older Windows ignores them

    def read_text(self) -> str | None:
        with self.opened():
            handle = self.user32.GetClipboardData(CF_UNICODETEXT)
            if not handle:
                return None
            try:
                data = self._read_handle(handle)
            except OverflowError:
                return None
        return None if data is None else text_from_unicode_bytes(data)
