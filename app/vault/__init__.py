"""Credentials (registry keys, tokens) kept only in the OS keyring: Secret Service
(gnome-keyring, KWallet) on UOS/Kylin/Debian, Credential Manager on Windows.
Never in playbooks, settings or any file (DESIGN.md §4)."""
from __future__ import annotations

from app.vault.vault import Vault, mask_secret, validate_name

__all__ = ["Vault", "mask_secret", "validate_name"]
