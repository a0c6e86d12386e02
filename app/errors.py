"""Deskhand's exception tree: every error class is defined here (the root, and the
playbook errors the standalone `playbooks/` package raises, live in playbooks/errors.py and
are re-exported), as httpx keeps its tree in one module. Modules that raised their own
errors before (app.checks.errors, app.ocr.errors, app.capture.screen, app.settings…)
re-export these names.

    DeskhandError (playbooks/errors.py)   message, playbook, step, field, exit_code
    ├── PlaybookError          malformed playbook, `file:line: message`        exit 2
    │   └── PlaybookErrors     every problem of one file (at most 100)
    ├── UsageError             bad command line or case input                  exit 2
    │   └── RefusedValueError  a value that may never be typed (control characters)
    ├── NeedsPersonError       values no person has confirmed are not typed    exit 1
    ├── CaseFileError          a case file cannot be read or written           exit 2
    ├── SettingsError          the settings cannot be used or saved as given   exit 2
    │   ├── SettingLockedError     a change to a key IT fixed in the preset
    │   ├── PresetError            IT's preset file is broken
    │   └── HotkeySettingError     a combination that cannot be a global hotkey
    ├── DesktopError           no display, no backend, a desktop call failed   exit 3
    │   ├── ClipboardError     the clipboard could not be saved, read or restored
    │   ├── HotkeyError        a hotkey cannot be parsed, grabbed or listened for
    │   │   └── HotkeyConflictError  another program holds the combination
    │   ├── CaptureError       the screen or a window could not be captured
    │   │   └── NoDisplayError there is no display to read
    │   └── AccessibilityError the accessibility tree (AT-SPI / UI Automation) failed
    │       ├── AccessibilityUnavailableError  no accessibility bus or library
    │       ├── NotExposedError     the window shows no fields (carries `advice`)
    │       ├── ForeignFieldError   a field of another window: nothing is done
    │       ├── StaleFieldError     the field is gone (window closed or rebuilt)
    │       ├── FieldRefusedError   the field is disabled, read-only or refused the value
    │       └── ChoiceNotFoundError the item is not in the list                   exit 2
    ├── CheckError             a check was asked for something it cannot do    exit 2
    │   ├── InvalidValueError  a parsed value fails its check (carries `problems`)
    │   └── AreaDataError      the shipped GB/T 2260 table is missing          exit 3
    ├── OcrError               the OCR engine is missing or broken             exit 3
    │   ├── OcrEngineNotInstalledError
    │   │   └── EasyOcrWeightsMissingError   a weights file is not in its folder
    │   ├── EasyOcrWeightsChecksumError      a weights file is not the official one
    │   ├── UnknownOcrEngineError                                            exit 2
    │   └── OcrImageError      empty, damaged, too large or not a picture      exit 2
    │       └── UnreadableImageError         an image file the clerk named
    ├── FillError              typing was stopped                              exit 3
    │   ├── TargetNotFocusedError   the focused window is not the playbook's target
    │   ├── FocusLostError          focus moved mid-fill (field and position reached)
    │   ├── FillAbortedError        the abort key, button or failsafe corner
    │   ├── KeyNotTakenError        a Tab or a click did not move focus: nothing typed after it
    │   ├── FormWindowError         a scenario's next form has no window open, or several
    │   └── ModifiersHeldError      the hotkey's keys were never released
    ├── VerificationError      a registry look-up failed                       exit 3
    │   ├── RegistryConfigError     the registry settings are wrong            exit 2
    │   │   └── RegistryNotConfiguredError  IT has set up no registry at all   exit 1
    │   ├── RegistryUnavailableError  timeout, refused or dropped connection, 5xx
    │   │   └── RegistryBusyError       the gateway's busy code or 429 (retried in the timeout)
    │   ├── RegistryTLSError        the server's certificate is not trusted
    │   ├── RegistryAuthError       401/403 or the gateway's signature code: credentials
    │   │   └── RegistryReplayError     a stale timestamp or a nonce seen before
    │   └── RegistryResponseError   the answer is not JSON or not in the agreed shape
    │       ├── RegistryServiceError        the gateway does not know the service
    │       └── RegistryRequestRefusedError the gateway refused the values sent
    ├── VaultError             the OS keyring cannot be used                   exit 3
        ├── VaultUnavailableError   no keyring backend, or it is locked
        └── CredentialMissingError  the named credential is not in the keyring
    ├── SelfTestError          a `doctor --self-test` step gave other than its sample  exit 1
    └── DocumentError          documents from templates could not be made      exit 3
        ├── ConverterError     LibreOffice is absent, hung or wrote no PDF
        └── TemplateError      a template is broken, or needs what the case lacks  exit 2
            └── FormValueError a value has no Chinese form (a negative amount, not a date)
    └── ArchiveError           an archive package could not be made or sent    exit 3
        └── ArchiveUploadError the archive service timed out, refused or answered garbage
    └── PackError              a playbook pack is not trusted, intact or installable  exit 1
    └── AuditError             the audit log cannot be written, read or verified exit 3

Not errors but signals inside the fill (never leave it): app.desktop.base.FocusMoved and
StopRequested, turned into FocusLostError / FillAbortedError by the engine. A value failing
a check is not an error either: checks return problems as sentences.

Errors cross process boundaries (the tray's fill worker) as `error_to_json` and come back
as the same class, sentence, context and exit code through `error_from_json`.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from playbooks.errors import DeskhandError, PlaybookError, PlaybookErrors

__all__ = [
    "DeskhandError", "PlaybookError", "PlaybookErrors", "UsageError", "CaseFileError",
    "RefusedValueError", "NeedsPersonError", "RegistryNotConfiguredError",
    "error_to_json", "error_from_json",
    "DesktopError", "ClipboardError", "FillError", "TargetNotFocusedError",
    "HotkeyError", "HotkeyConflictError",
    "FocusLostError", "FillAbortedError", "ModifiersHeldError", "KeyNotTakenError",
    "FormWindowError",
    "VerificationError", "RegistryConfigError", "RegistryUnavailableError", "RegistryTLSError",
    "RegistryAuthError", "RegistryResponseError", "RegistryBusyError", "RegistryReplayError",
    "RegistryServiceError", "RegistryRequestRefusedError",
    "VaultError", "VaultUnavailableError", "CredentialMissingError",
    "SettingsError", "SettingLockedError", "PresetError", "HotkeySettingError",
    "CheckError", "InvalidValueError", "AreaDataError", "CaptureError", "NoDisplayError",
    "AccessibilityError", "AccessibilityUnavailableError", "NotExposedError",
    "ForeignFieldError", "StaleFieldError", "FieldRefusedError", "ChoiceNotFoundError",
    "OcrError", "OcrEngineNotInstalledError", "EasyOcrWeightsMissingError",
    "EasyOcrWeightsChecksumError", "UnknownOcrEngineError", "OcrImageError",
    "UnreadableImageError",
    "DocumentError", "ConverterError", "TemplateError", "FormValueError",
    "ArchiveError", "ArchiveUploadError", "PackError",
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


class SettingsError(DeskhandError):
    """The settings cannot be used or saved as given; the message says what to change."""
    exit_code = 2


class SettingLockedError(SettingsError):
    """A change to a key IT fixed in the preset."""


class PresetError(SettingsError):
    """IT's preset file is broken: Deskhand cannot start until IT fixes it."""


class HotkeySettingError(SettingsError):
    """A key combination that cannot be a hotkey. `kind` lets a window say it in its own
    language: "invalid" (not a key Deskhand knows) or "lone" (no Ctrl, Alt or Super)."""

    def __init__(self, text: str, kind: str, detail: str) -> None:
        from app.i18n import _
        super().__init__(_("The hotkey '{text}' {detail}.", text=text, detail=detail))
        self.kind = kind
        self.detail = detail


class CheckError(DeskhandError):
    exit_code = 2


class InvalidValueError(CheckError):
    """`parse_*` was given a value that fails its check; `problems` says why."""

    def __init__(self, message: str, problems: list[str], *, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.problems = problems


class AreaDataError(CheckError):
    exit_code = 3


class OcrError(DeskhandError):
    exit_code = 3


class OcrEngineNotInstalledError(OcrError):
    pass


class EasyOcrWeightsMissingError(OcrEngineNotInstalledError):
    """A weights file is not where EasyOCR must find it (nothing is downloaded)."""

    def __init__(self, message: str, *, filename: str, folder: Path) -> None:
        super().__init__(message)
        self.filename = filename
        self.folder = folder


class EasyOcrWeightsChecksumError(OcrError):
    """A weights file is not the official one (corrupt, truncated or replaced)."""

    def __init__(self, message: str, *, path: Path, expected: str, found: str) -> None:
        super().__init__(message)
        self.path = path
        self.expected = expected
        self.found = found


class UnknownOcrEngineError(OcrError):
    exit_code = 2


class OcrImageError(OcrError):
    """Bad input, not a fault: the clerk can pick or scan another picture."""

    exit_code = 2


class UnreadableImageError(OcrImageError):
    """The image file the clerk named cannot be used: bad input, not a fault (exit 2)."""


class DesktopError(DeskhandError):
    exit_code = 3


class ClipboardError(DesktopError):
    pass


class HotkeyError(DesktopError):
    pass


class CaptureError(DesktopError):
    """The screen could not be read."""


class NoDisplayError(CaptureError):
    """There is no display to read (no $DISPLAY, or it cannot be reached)."""


class AccessibilityError(DesktopError):
    """The accessibility tree of a target could not be used as asked."""


class AccessibilityUnavailableError(AccessibilityError):
    """No accessibility bus (Linux) or UI Automation library (Windows) to talk to."""


class NotExposedError(AccessibilityError):
    """The window shows no fields to accessibility; `advice` says what turns it on."""

    def __init__(self, message: str, *, advice: str | None = None) -> None:
        super().__init__(message)
        self.advice = advice


class ForeignFieldError(AccessibilityError):
    """A field that does not belong to the target window (another window or process):
    refused before anything is set, as a keystroke into another window would be."""


class StaleFieldError(AccessibilityError):
    """The field no longer exists (its window closed or rebuilt its form)."""


class FieldRefusedError(AccessibilityError):
    """The field is disabled or read-only, or its program refused the value."""


class FieldDisabledError(FieldRefusedError):
    """The field is greyed out (disabled) in its form."""


class ChoiceNotFoundError(AccessibilityError):
    """The wanted item is not among the list's items: bad input, not a fault."""

    exit_code = 2

    def __init__(self, message: str, *, choices: list[str]) -> None:
        super().__init__(message)
        self.choices = choices


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


class FormWindowError(FillError):
    """The window of a scenario's next form is not open, or more than one window is it."""


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


class KeyNotTakenError(FillError):
    """A key that moves focus (Tab), or a click, did not move it in time; nothing was typed
    after it (app/fill/keyguard.py)."""


class VerificationError(DeskhandError):
    exit_code = 3


class RegistryConfigError(VerificationError):
    exit_code = 2


class RegistryNotConfiguredError(RegistryConfigError):
    """No registry settings anywhere: the fields are left unverified for a person."""

    exit_code = 1


class RegistryUnavailableError(VerificationError):
    pass


class RegistryBusyError(RegistryUnavailableError):
    """The gateway said it is busy (flow control): retried within the timeout."""


class RegistryTLSError(VerificationError):
    pass


class RegistryAuthError(VerificationError):
    pass


class RegistryReplayError(RegistryAuthError):
    """The gateway took the request for a replay: a stale timestamp (the PC's clock) or a
    nonce it saw before."""


class RegistryResponseError(VerificationError):
    pass


class RegistryServiceError(RegistryResponseError):
    """The gateway does not know the service (look-up) asked for."""


class RegistryRequestRefusedError(RegistryResponseError):
    """The gateway refused the values sent (a malformed ID number, a missing parameter)."""


class VaultError(DeskhandError):
    exit_code = 3


class VaultUnavailableError(VaultError):
    pass


class CredentialMissingError(VaultError):
    pass


class SelfTestError(DeskhandError):
    """A step of `deskhand doctor --self-test` did not give what the shipped sample says."""
    exit_code = 1


class DocumentError(DeskhandError):
    """Documents from templates (app/docs/) could not be made: nothing is left half-written
    in the output folder."""


class ConverterError(DocumentError):
    """LibreOffice is not installed, did not finish in time, or wrote no PDF."""


class TemplateError(DocumentError):
    """A template is not a Word file, its placeholders are not valid, or it asks for a
    field the case does not hold (named with the template and the placeholder)."""

    exit_code = 2


class FormValueError(TemplateError):
    """A value cannot be written in the Chinese form a template asks for (an amount that is
    negative, too large or not a number; a date that is not one)."""


class ArchiveError(DeskhandError):
    """An archive package (app/archive/) could not be made, read or signed."""


class ArchiveUploadError(ArchiveError):
    """The archive service did not take a package: no answer in time, a refusal (its own
    reason quoted) or an answer that is not a receipt."""


class PackError(DeskhandError):
    """A playbook pack (app/packs/) is refused or cannot be installed: `reason` names why
    ("unsigned", "unknown_key", "manifest", "changed", "missing", "added", "not_pack",
    "unsafe", "older", "samples", "not_installed", "untrusted"), `file` the file it is about."""

    exit_code = 1

    def __init__(self, message: str, *, reason: str = "", file: str = "",
                 key_id: str = "", **context: Any) -> None:
        super().__init__(message, **context)
        self.reason = reason
        self.file = file
        self.key_id = key_id
class AuditError(DeskhandError):
    """The audit log (app/audit/) cannot be written, read, verified or exported: the
    sentence names the file and what to do. Case work never stops for it."""
    exit_code = 3


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
