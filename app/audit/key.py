"""The audit log's HMAC key: one per installation (per clerk account), 32 random bytes
kept as hex in the OS keyring under `audit.hmac_key`, made on first use. IT may verify
elsewhere with the key in a file (`deskhand audit verify --key-file`)."""
from __future__ import annotations

import logging
import secrets
from pathlib import Path
from typing import TYPE_CHECKING

from app.errors import AuditError, CredentialMissingError, DeskhandError
from app.i18n import _

if TYPE_CHECKING:
    from app.vault import Vault

__all__ = ["KEY_NAME", "key_from_file", "key_from_vault", "load_or_create_key"]

KEY_NAME = "audit.hmac_key"
log = logging.getLogger("deskhand.audit")   # deskhand.log (app/logs.py) takes deskhand.*


def _parse(text: str, where: str) -> bytes:
    try:
        key = bytes.fromhex(text.strip())
    except ValueError:
        key = b""
    if len(key) < 16:
        raise AuditError(_("The audit key in {where} is not a hex key of at least 16 bytes; "
                           "copy it again with 'deskhand vault get {name} --show'.",
                           where=where, name=KEY_NAME))
    return key


def key_from_file(path: str | Path) -> bytes:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as e:
        raise AuditError(_("The audit key file {path} cannot be read ({reason}).", path=path,
                           reason=e.strerror or e)) from None
    return _parse(text, str(path))


def key_from_vault(vault: "Vault") -> bytes:
    """The key in the keyring; VaultError (CredentialMissingError…) when it cannot be had."""
    return _parse(vault.get(KEY_NAME), KEY_NAME)


def load_or_create_key(vault: "Vault") -> tuple[bytes | None, str | None]:
    """The key (made and stored on first use), or None and the sentence saying why the log
    is chained without one for now."""
    try:
        try:
            return key_from_vault(vault), None
        except CredentialMissingError:
            key = secrets.token_bytes(32)
            vault.set(KEY_NAME, key.hex())
            log.info("audit: made a new audit key in the keyring")
            return key, None
    except DeskhandError as exc:
        why = _("The audit log's key cannot be had from the keyring ({reason}). Entries are "
                "written all the same, chained by plain SHA-256, which shows damage but not "
                "a forger; 'deskhand audit verify' marks them. Fix the keyring "
                "('deskhand vault check').", reason=exc.message)
        return None, why
