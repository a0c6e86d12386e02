"""Which keyring backend the vault uses, and refusing any that is not an OS keyring.

keyring's own resolution is kept (PYTHON_KEYRING_BACKEND, keyringrc.cfg, else the viable
backend of highest priority) so IT can steer it the usual way, but it is done here without
installing the result as keyring's process-wide default. keyring is imported lazily: the
command-line parser imports this package for every command.
"""
from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from app.vault.failures import unavailable
from app.i18n import _, join

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend


def default_backend(platform: str = sys.platform) -> KeyringBackend:
    from keyring import backend, core
    from keyring.backends import fail
    try:
        configured = core.load_env() or core.load_config()
    except Exception as exc:   # a misspelt class name, a module that is not installed
        raise unavailable(_("the backend named in PYTHON_KEYRING_BACKEND or keyringrc.cfg "
                            "cannot be loaded: {reason}", reason=exc), platform) from exc
    # get_all_keyring() instantiates only the backends whose platform check passed (for
    # Secret Service: a daemon answers on the session bus); it is cached per process.
    return configured or max(backend.get_all_keyring(), key=backend.by_priority,
                             default=fail.Keyring())


def backend_label(kr: KeyringBackend) -> str:
    cls = type(kr)
    return f"{cls.__module__}.{cls.__qualname__}"


# keyring's backends that keep secrets in the operating system's own store.
_OS_KEYRINGS = {
    "keyring.backends.SecretService": "Keyring",   # gnome-keyring, KWallet ≥ 5.97, KeePassXC
    "keyring.backends.libsecret": "Keyring",
    "keyring.backends.kwallet": "DBusKeyring",
    "keyring.backends.Windows": "WinVaultKeyring",  # Credential Manager
    "keyring.backends.macOS": "Keyring",
}


def _os_keyring_classes() -> tuple[type, ...]:
    # A backend instance's class is imported already, so only loaded modules need checking;
    # importing the rest costs time (keyring.backends.macOS alone takes 50 ms on Linux).
    return tuple(getattr(sys.modules[module], cls) for module, cls in _OS_KEYRINGS.items()
                 if module in sys.modules)


def ensure_os_keyring(kr: KeyringBackend, platform: str = sys.platform) -> None:
    """Raise VaultUnavailableError unless `kr` keeps secrets in an OS keyring.

    The fail and null backends (what keyring picks when nothing else is viable) and any
    file backend (keyrings.alt: plain or base64 files) are refused, so a missing keyring
    is reported instead of credentials silently landing on disk or nowhere."""
    from keyring.backends.chainer import ChainerBackend
    allowed = _os_keyring_classes()
    if isinstance(kr, ChainerBackend):
        chained = list(kr.backends)
        if chained and all(isinstance(b, allowed) for b in chained):
            return
        if not chained:
            raise unavailable(platform=platform)
        refused = [backend_label(b) for b in chained if not isinstance(b, allowed)]
        raise unavailable(_("refused non-keyring backends: {backends}", backends=join(refused)),
                          platform)
    if isinstance(kr, allowed):
        return
    label = backend_label(kr)
    if label.startswith(("keyring.backends.fail.", "keyring.backends.null.")):
        raise unavailable(platform=platform)
    raise unavailable(_("{backend} is not an OS keyring and is refused; check "
                        "PYTHON_KEYRING_BACKEND and keyringrc.cfg", backend=label), platform)
