"""The OCR branch of Deskhand's exception tree.

    DeskhandError
    └── OcrError                       OCR could not run                      exit 3
        ├── OcrEngineNotInstalledError the engine's package is missing or broken
        ├── UnknownOcrEngineError      no engine by that name (bad settings)   exit 2
        └── OcrImageError              the image is empty, corrupt or not an image
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
    pass
