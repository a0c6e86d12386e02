"""What a keyring failure means, as a sentence IT or a clerk can act on.

Backends raise their own exceptions (keyring's, secretstorage's, jeepney's, OS errors);
`translate` turns each into one of the vault's classes in app/errors.py. secretstorage and
jeepney exist only on Linux, so they are looked up lazily and only if installed.
"""
from __future__ import annotations

import sys

from app.errors import CredentialMissingError, VaultError, VaultUnavailableError
from app.i18n import N_, _, sentences


# What the vault was doing, as a message says it ("could not store credential …").
ACTIONS = {"read": N_("read"), "store": N_("store"), "delete": N_("delete"), "check": N_("check")}


def install_advice(platform: str = sys.platform) -> str:
    """What to install or do so that an OS keyring is there, for this platform."""
    if platform.startswith("win"):
        return _("On Windows, Deskhand uses Credential Manager automatically: run it in the "
                 "clerk's own logged-in Windows session, not as a service or another user.")
    return _("On UOS, Kylin or Debian, install gnome-keyring (apt install gnome-keyring) or "
             "KWallet with its Secret Service interface, and run Deskhand inside a logged-in "
             "desktop session whose login keyring is unlocked.")


def unavailable(detail: str | None = None, platform: str = sys.platform) -> VaultUnavailableError:
    first = (_("No OS keyring is available to hold Deskhand's credentials ({detail}).",
               detail=detail) if detail else
             _("No OS keyring is available to hold Deskhand's credentials."))
    return VaultUnavailableError(sentences(
        [first, install_advice(platform), _("Deskhand never keeps credentials in plain files.")]))


def locked() -> VaultUnavailableError:
    return VaultUnavailableError(_(
        "The OS keyring is locked: unlock the keyring (log in to the desktop session again, "
        "or unlock the 'Login' keyring in Passwords and Keys), then try again."))


def missing(name: str, service: str) -> CredentialMissingError:
    return CredentialMissingError(_(
        "Credential '{name}' is not in the OS keyring (service '{service}'). IT can store it "
        "with: deskhand vault set {name}", name=name, service=service))


def translate(exc: BaseException, *, action: str, name: str | None, backend: str,
              secret: str | None = None, platform: str = sys.platform) -> VaultError:
    """The vault error for a backend exception raised while doing `action` ("read",
    "store", "delete", "check") on credential `name`."""
    from keyring.errors import InitError, KeyringLocked, NoKeyringError
    if isinstance(exc, KeyringLocked):
        return locked()
    if isinstance(exc, NoKeyringError):
        return unavailable(platform=platform)
    storage = _secretstorage_exceptions()
    if storage is not None:
        # PromptDismissedException is an ItemNotFoundException: test it first.
        if isinstance(exc, (storage.LockedException, storage.PromptDismissedException)):
            return locked()
        if isinstance(exc, storage.SecretServiceNotAvailableException):
            return unavailable(_redact(exc, secret), platform)
    if isinstance(exc, InitError):   # keyring's word for "no Secret Service on the bus"
        return unavailable(_redact(exc, secret), platform)
    if isinstance(exc, (ConnectionError, FileNotFoundError)):
        # jeepney lets a refused or absent D-Bus socket through as the OS error.
        return unavailable(_("the session bus cannot be reached: {reason}",
                             reason=_redact(exc, secret)), platform)
    if name:
        return VaultError(_("The OS keyring ({backend}) could not {action} credential '{name}': "
                            "{reason}", backend=backend, action=_(ACTIONS.get(action, action)),
                            name=name, reason=_redact(exc, secret)))
    return VaultError(_("The OS keyring ({backend}) could not {action} the keyring: {reason}",
                        backend=backend, action=_(ACTIONS.get(action, action)),
                        reason=_redact(exc, secret)))


def _secretstorage_exceptions():  # -> module | None
    try:
        import secretstorage.exceptions as storage
    except ImportError:   # not Linux, or keyring installed without it
        return None
    return storage


def _redact(exc: BaseException, secret: str | None) -> str:
    """The backend's own message, without the secret should a backend ever echo it."""
    text = str(exc) or type(exc).__name__
    if secret:
        text = text.replace(secret, "***")
    return text
