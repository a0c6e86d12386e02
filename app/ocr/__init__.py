"""OCR: text boxes from a picture, and finding a label among them.

    engine = open_engine()                 # cheap; the model loads on first read
    boxes = engine.read(pil_image)         # [TextBox(text, score, x, y, width, height)]
    box = find_text(boxes, "工作单位")      # exact → contains → one misread character
    x, y = box.center

Backends are imported lazily: importing `app.ocr` never loads onnxruntime or torch.
`open_engine("easyocr", fallback=True)` gives the RapidOCR engine, with the reason in
its `fallback_reason`, when EasyOCR or its weights are missing (see app/ocr/easy.py).
"""
from __future__ import annotations

import importlib.util

from app.i18n import _, join
from app.ocr.base import OcrEngine, TextBox
from app.ocr.errors import (OcrEngineNotInstalledError, OcrError, OcrImageError,
                            UnknownOcrEngineError)
from app.ocr.find import find_all, find_text, normalize

__all__ = [
    "open_engine", "ENGINES", "OcrEngine", "TextBox", "find_text", "find_all", "normalize",
    "OcrError", "OcrEngineNotInstalledError", "OcrImageError", "UnknownOcrEngineError",
]

ENGINES = ("rapidocr", "easyocr", "rapidocr-v4")


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def open_engine(name: str = "rapidocr", *, fallback: bool = False) -> OcrEngine:
    """The OCR engine `name`, ready to `read` (its model loads on the first read).
    `fallback`: for easyocr, RapidOCR instead when easyocr cannot run (check
    `getattr(engine, "fallback_reason", None)` and show it)."""
    key = (name or "").strip().lower()
    if key in ("rapidocr", "rapid", "rapidocr-v4"):
        # rapidocr-v4: RapidOCR with the recogniser inside its own wheel (PP-OCRv4), kept
        # for comparison and for machines where the PP-OCRv5 files cannot be installed.
        from app.ocr import rapid
        if not _installed(rapid.PACKAGE):
            raise OcrEngineNotInstalledError(
                _("The OCR engine rapidocr is not installed: {hint}", hint=rapid.INSTALL_HINT))
        return rapid.RapidOcrEngine(rec_model="ppocrv4" if key.endswith("v4") else "ppocrv5")
    if key in ("easyocr", "easy"):
        from app.ocr import easy    # imports neither torch nor easyocr until the first read
        return easy.open_easyocr(fallback=fallback)
    raise UnknownOcrEngineError(
        _("There is no OCR engine called {name!r}; use one of: {engines}.", name=name,
          engines=join(ENGINES)))
