"""OCR: text boxes from a picture, and finding a label among them.

    engine = open_engine()                 # cheap; the model loads on first read
    boxes = engine.read(pil_image)         # [TextBox(text, score, x, y, width, height)]
    box = find_text(boxes, "工作单位")      # exact → contains → one misread character
    x, y = box.center

Backends are imported lazily: importing `app.ocr` never loads onnxruntime.
"""
from __future__ import annotations

import importlib.util

from app.ocr.base import OcrEngine, TextBox
from app.ocr.errors import (OcrEngineNotInstalledError, OcrError, OcrImageError,
                            UnknownOcrEngineError)
from app.ocr.find import find_all, find_text, normalize

__all__ = [
    "open_engine", "ENGINES", "OcrEngine", "TextBox", "find_text", "find_all", "normalize",
    "OcrError", "OcrEngineNotInstalledError", "OcrImageError", "UnknownOcrEngineError",
]

ENGINES = ("rapidocr",)


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def open_engine(name: str = "rapidocr") -> OcrEngine:
    """The OCR engine `name`, ready to `read` (its model loads on the first read)."""
    key = (name or "").strip().lower()
    if key in ("rapidocr", "rapid"):
        from app.ocr import rapid
        if not _installed(rapid.PACKAGE):
            raise OcrEngineNotInstalledError(
                f"The OCR engine rapidocr is not installed: {rapid.INSTALL_HINT}")
        return rapid.RapidOcrEngine()
    raise UnknownOcrEngineError(
        f"There is no OCR engine called {name!r}; use one of: {', '.join(ENGINES)}.")
