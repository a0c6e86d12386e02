"""Global hotkeys (capture, fill, abort) for the tray: see base.py."""
from __future__ import annotations

from app.hotkeys.base import DEFAULT_HOTKEYS, HotkeyBackend, open_hotkeys

__all__ = ["DEFAULT_HOTKEYS", "HotkeyBackend", "open_hotkeys"]
