"""Deskhand's exception tree (one root, a branch per stage of a case).

    DeskhandError (playbooks/errors.py)
    ├── PlaybookError          malformed playbook, `file:line: message`   exit 2
    │   └── PlaybookErrors     every problem of one file (at most 100)
    ├── UsageError             bad command line or case input             exit 2
    │   └── RefusedValueError  a value that may never be typed (control characters)
    ├── NeedsPersonError       values no person has confirmed are not typed   exit 1
    ├── CaseFileError          a case file cannot be read or written      exit 2
    ├── DesktopError           no display, no backend, a desktop call failed   exit 3
    │   ├── ClipboardError     the clipboard could not be saved, read or restored
    │   ├── HotkeyError        a hotkey cannot be parsed, grabbed or listened for
    │   │   └── HotkeyConflictError  another program holds the combination
    │   └── CaptureError       (app/capture) the screen could not be captured
    │       └── NoDisplayError
    ├── CheckError             (app/checks) a check cannot run as asked        exit 2
    │   ├── InvalidValueError
    │   └── AreaDataError      the shipped GB/T 2260 table is missing          exit 3
    ├── OcrError               (app/ocr) the engine is missing or broken       exit 3
    │   ├── OcrEngineNotInstalledError
    │   ├── UnknownOcrEngineError                                          exit 2
    │   └── OcrImageError      empty, damaged, too large or not a picture     exit 2
    │       └── UnreadableImageError  (app/capture/sources.py) an image file
    └── FillError              typing was stopped                          exit 3
        ├── TargetNotFocusedError   the focused window is not the playbook's target
        ├── FocusLostError          focus moved mid-fill (field and position reached)
        ├── FillAbortedError        the clerk pressed the abort key or hit the failsafe corner
        └── ModifiersHeldError      the hotkey's modifiers were never released
    ├── VerificationError      (app/registry) a registry look-up failed         exit 3
    │   ├── RegistryConfigError     the registry settings are wrong            exit 2
    │   │   └── RegistryNotConfiguredError  IT has set up no registry at all   exit 1
    │   ├── RegistryUnavailableError  timeout, refused connection, 5xx
    │   ├── RegistryTLSError        the server's certificate is not trusted
    │   ├── RegistryAuthError       401/403: wrong or expired credentials
    │   └── RegistryResponseError   the answer is not JSON or not in the agreed shape
    └── VaultError             (app/vault) the OS keyring cannot be used      exit 3
        ├── VaultUnavailableError   no keyring backend, or it is locked
        └── CredentialMissingError  the named credential is not in the keyring
"""
from __future__ import annotations

from typing import Any

from playbooks.errors import DeskhandError, PlaybookError, PlaybookErrors

__all__ = [
    "DeskhandError", "PlaybookError", "PlaybookErrors", "UsageError", "CaseFileError",
    "RefusedValueError", "NeedsPersonError", "RegistryNotConfiguredError",
    "error_to_json", "error_from_json",
    "DesktopError", "ClipboardError", "FillError", "TargetNotFocusedError",
    "HotkeyError", "HotkeyConflictError",
    "FocusLostError", "FillAbortedError", "ModifiersHeldError",
    "VerificationError", "RegistryConfigError", "RegistryUnavailableError", "RegistryTLSError",
    "RegistryAuthError", "RegistryResponseError",
    "VaultError", "VaultUnavailableError", "CredentialMissingError",
]


class UsageError(DeskhandError):
    exit_code = 2


class RefusedValueError(UsageError):
    """A value holds characters that must never be typed (control characters, bidi
    overrides): no confirmation lets it through."""


class NeedsPersonError(DeskhandError):
    """Values that failed a check or disagree with a registry, and that no person has
    confirmed: nothing is typed. `fields` names them."""

    exit_code = 1

    def __init__(self, message: str, *, fields: list[str], playbook: str | None = None) -> None:
        super().__init__(message, playbook=playbook)
        self.fields = fields


class CaseFileError(DeskhandError):
    exit_code = 2


class DesktopError(DeskhandError):
    exit_code = 3


class ClipboardError(DesktopError):
    pass


class HotkeyError(DesktopError):
    pass


class HotkeyConflictError(HotkeyError):
    """`combo` (as shown, e.g. "Ctrl+Alt+V") is held by another program or by
    another of Deskhand's hotkeys; `suggestion` is a free one to offer, if found."""

    def __init__(self, message: str, *, name: str, combo: str,
                 suggestion: str | None = None) -> None:
        super().__init__(message)
        self.name = name
        self.combo = combo
        self.suggestion = suggestion


class FillError(DeskhandError):
    exit_code = 3


class TargetNotFocusedError(FillError):
    pass


class FocusLostError(FillError):
    """Focus left the target. `typed` characters of `field` had been sent."""

    def __init__(self, message: str, *, field: str | None, step: int | None,
                 typed: int, window_title: str | None = None) -> None:
        super().__init__(message, field=field, step=step)
        self.typed = typed
        self.window_title = window_title


class FillAbortedError(FillError):
    def __init__(self, message: str, *, field: str | None = None,
                 step: int | None = None, typed: int = 0) -> None:
        super().__init__(message, field=field, step=step)
        self.typed = typed


class ModifiersHeldError(FillError):
    pass


class VerificationError(DeskhandError):
    exit_code = 3


class RegistryConfigError(VerificationError):
    exit_code = 2


class RegistryNotConfiguredError(RegistryConfigError):
    """No registry settings anywhere: the fields are left unverified for a person."""

    exit_code = 1


class RegistryUnavailableError(VerificationError):
    pass


class RegistryTLSError(VerificationError):
    pass


class RegistryAuthError(VerificationError):
    pass


class RegistryResponseError(VerificationError):
    pass


class VaultError(DeskhandError):
    exit_code = 3


class VaultUnavailableError(VaultError):
    pass


class CredentialMissingError(VaultError):
    pass


# -- errors across a process boundary (the tray's fill worker) ---------------------------
_EXTRA = ("typed", "window_title", "fields")


def error_to_json(exc: DeskhandError) -> dict[str, Any]:
    """What another process needs to raise the same error: class, sentence, context, exit code."""
    data: dict[str, Any] = {"kind": type(exc).__name__, "message": exc.message,
                            "exit_code": exc.exit_code, "playbook": exc.playbook,
                            "step": exc.step, "field": exc.field}
    for name in _EXTRA:
        if hasattr(exc, name):
            data[name] = getattr(exc, name)
    if isinstance(exc, PlaybookError):      # every `file:line: message`, not only the first
        data["problems"] = [[e.file, e.line, e.message]
                            for e in getattr(exc, "errors", None) or [exc]]
    return data


def error_from_json(data: dict[str, Any]) -> DeskhandError:
    """The error `error_to_json` described, as its own class where that is one of ours
    (else a FillError), with the same context and exit code."""
    import inspect

    from app.i18n import _
    message = str(data.get("message") or _("The fill failed."))
    if data.get("problems"):
        errors = [PlaybookError(str(f), int(line), str(m)) for f, line, m in data["problems"]]
        return errors[0] if len(errors) == 1 else PlaybookErrors(errors)
    cls = globals().get(str(data.get("kind")))
    if not (isinstance(cls, type) and issubclass(cls, DeskhandError)):
        cls = FillError
    extra = {k: data[k] for k in _EXTRA if k in data}
    context = {k: data.get(k) for k in ("playbook", "step", "field")}
    wanted = inspect.signature(cls.__init__).parameters
    kwargs = {k: v for k, v in {**context, **extra}.items() if k in wanted}
    try:
        exc = cls(message, **kwargs)
    except Exception:           # a class with a constructor of its own
        exc = FillError(message)
    for k, v in context.items():
        setattr(exc, k, v)
    exc.exit_code = int(data.get("exit_code", exc.exit_code))
    return exc
