"""The OCR branch of Deskhand's exception tree.

    DeskhandError
    └── OcrError                       OCR could not run                      exit 3
        ├── OcrEngineNotInstalledError the engine's package is missing or broken
        ├── UnknownOcrEngineError      no engine by that name (bad settings)   exit 2
        └── OcrImageError              the image is empty, corrupt, too large or   exit 2
                                       not an image (app/capture/sources.py raises
                                       its subclass UnreadableImageError for files)
"""
from __future__ import annotations

from app.errors import DeskhandError

__all__ = ["OcrError", "OcrEngineNotInstalledError", "UnknownOcrEngineError", "OcrImageError"]


class OcrError(DeskhandError):
    exit_code = 3


class OcrEngineNotInstalledError(OcrError):
    pass


class UnknownOcrEngineError(OcrError):
    exit_code = 2


class OcrImageError(OcrError):
    """Bad input, not a fault: the clerk can pick or scan another picture."""

    exit_code = 2
