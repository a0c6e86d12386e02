"""`Vault`: named credentials kept only in the OS keyring.

A name such as `registry.population.secret` is the keyring's user name under one service
("deskhand"). Every backend failure leaves as a class from app/errors.py with a sentence
IT or a clerk can act on; secrets never enter a message, a log line or a repr.
"""
from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from app.errors import DeskhandError, UsageError
from app.i18n import _
from app.vault.backends import backend_label, default_backend, ensure_os_keyring
from app.vault.failures import missing, translate

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

log = logging.getLogger(__name__)

MAX_NAME_LENGTH = 200   # Windows Credential Manager targets allow 32767; 200 is plenty to read
_PROBE_NAME = "deskhand.vault.check"


def validate_name(name: object) -> str:
    """`name` unchanged, or UsageError saying what is wrong with it."""
    if not isinstance(name, str) or not name:
        raise UsageError(_("A credential name is needed, e.g. registry.population.secret."))
    shown = ascii(name[:60])
    if len(name) > MAX_NAME_LENGTH:
        raise UsageError(_("Credential name {name}… is {n} characters long; use at most {most}.",
                           name=shown, n=len(name), most=MAX_NAME_LENGTH))
    if not name.isprintable():   # also rejects newlines and tabs
        raise UsageError(_("Credential name {name} holds a newline or another control "
                           "character; use letters, digits and dots, e.g. "
                           "registry.population.secret.", name=shown))
    if name != name.strip():
        raise UsageError(_("Credential name {name} starts or ends with a space; remove it.",
                           name=shown))
    return name


def mask_secret(secret: str) -> str:
    """`ab***` for checking which secret is stored without showing it; a short secret
    shows nothing at all, since two characters would be most of it."""
    return secret[:2] + "***" if len(secret) >= 8 else "***"


class Vault:
    """Credentials of one service in the OS keyring.

    `backend` is a keyring backend (tests pass one talking to a private Secret Service);
    None means keyring's usual choice, resolved at first use so that constructing a Vault
    never touches D-Bus."""

    def __init__(self, service: str = "deskhand", backend: KeyringBackend | None = None,
                 *, platform: str = sys.platform) -> None:
        self.service = service
        self._backend = backend
        self._platform = platform   # decides which install advice an error gives

    @property
    def backend(self) -> KeyringBackend:
        if self._backend is None:
            self._backend = default_backend(self._platform)
        return self._backend

    @property
    def backend_name(self) -> str:
        return backend_label(self.backend)

    def __repr__(self) -> str:
        chosen = backend_label(self._backend) if self._backend is not None else "default"
        return f"Vault(service={self.service!r}, backend={chosen})"

    def set(self, name: str, secret: str) -> None:
        validate_name(name)
        if not isinstance(secret, str) or not secret.strip():
            raise UsageError(_("The secret for '{name}' is empty: nothing was stored.", name=name))
        with self._translated("store", name, secret):
            self.backend.set_password(self.service, name, secret)
        log.info("vault: stored credential %s in %s", name, self.backend_name)

    def get(self, name: str) -> str:
        secret = self._lookup(name)
        if secret is None:
            raise missing(name, self.service)
        return secret

    def has(self, name: str) -> bool:
        return self._lookup(name) is not None

    def delete(self, name: str) -> None:
        # Look first: backends report a missing entry as a generic delete error.
        if self._lookup(name) is None:
            raise missing(name, self.service)
        with self._translated("delete", name):
            self.backend.delete_password(self.service, name)
        log.info("vault: deleted credential %s from %s", name, self.backend_name)

    def check(self) -> None:
        """Raise the vault error a real look-up would raise (no keyring, locked…); a
        locked keyring may show its unlock prompt, as any look-up would."""
        with self._translated("check", None):
            self.backend.get_password(self.service, _PROBE_NAME)

    def _lookup(self, name: str) -> str | None:
        validate_name(name)
        with self._translated("read", name):
            return self.backend.get_password(self.service, name)

    @contextmanager
    def _translated(self, action: str, name: str | None,
                    secret: str | None = None) -> Iterator[None]:
        ensure_os_keyring(self.backend, self._platform)
        try:
            yield
        except DeskhandError:
            raise
        except Exception as exc:
            log.debug("vault: %s %s failed in %s: %s", action, name, self.backend_name,
                      type(exc).__name__)
            raise translate(exc, action=action, name=name, backend=self.backend_name,
                            secret=secret, platform=self._platform) from exc
