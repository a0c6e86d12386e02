"""The OCR errors, defined in app/errors.py (the one exception module)."""
from app.errors import OcrEngineNotInstalledError, OcrError, OcrImageError, UnknownOcrEngineError

__all__ = ["OcrError", "OcrEngineNotInstalledError", "UnknownOcrEngineError", "OcrImageError"]
