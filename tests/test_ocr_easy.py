"""EasyOCR backend (app/ocr/easy.py): English-only real OCR with the packaged weights,
the md5 check before loading, the missing Chinese recogniser, and the fallback to
RapidOCR. The whole module skips when the `deskhand[easyocr]` extra is not installed.
The English reader is loaded once for the module, with the network closed.
"""
from __future__ import annotations

import importlib.util
import logging
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

_MISSING = [m for m in ("torch", "torchvision", "easyocr", "easyocr_en_models")
            if importlib.util.find_spec(m) is None]
if _MISSING:
    pytest.skip(f"the easyocr extra is not installed ({', '.join(_MISSING)} missing): "
                "pip install 'deskhand[easyocr]'", allow_module_level=True)

from PIL import Image, ImageDraw, ImageFont  # noqa: E402

from app.ocr import OcrEngineNotInstalledError, OcrError, TextBox, find_text, open_engine  # noqa: E402
from app.ocr import easy  # noqa: E402
from app.ocr.easy import (EasyOcrEngine, EasyOcrWeightsChecksumError,  # noqa: E402
                          EasyOcrWeightsMissingError)

pytestmark = pytest.mark.timeout(120)

HAVE_RAPIDOCR = importlib.util.find_spec("rapidocr_onnxruntime") is not None
ROOT = Path(__file__).resolve().parent.parent
FONTS = [Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
         Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")]
PACKAGED = easy.packaged_model_dir()

LINES = [("ID 35080219900307103X", (30, 60)),
         ("Email zhangwei@example.cn", (30, 160)),
         ("Phone 13800138000", (30, 260))]


def _font(size: int):
    for f in FONTS:
        if f.exists():
            return ImageFont.truetype(str(f), size)
    return ImageFont.load_default(size=size)


def _page(lines=LINES, size=(700, 400), font_size=28) -> Image.Image:
    img = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(img)
    for text, pos in lines:
        draw.text(pos, text, fill="black", font=_font(font_size))
    return img


def _link_or_copy(src: Path, dst: Path) -> None:
    try:
        os.symlink(src, dst)
    except OSError:
        shutil.copyfile(src, dst)


@pytest.fixture
def no_network():
    def refuse(*a, **k):
        raise AssertionError("the EasyOCR backend tried to open a network connection")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(socket.socket, "connect", refuse)
        mp.setattr(socket, "create_connection", refuse)
        yield


@pytest.fixture(scope="module")
def engine():
    eng = EasyOcrEngine(("en",))
    with pytest.MonkeyPatch.context() as mp:
        def refuse(*a, **k):
            raise AssertionError("the EasyOCR backend tried to open a network connection")
        mp.setattr(socket.socket, "connect", refuse)
        mp.setattr(socket, "create_connection", refuse)
        eng.load()
    return eng


@pytest.fixture(scope="module")
def page_boxes(engine):
    return engine.read(_page())


# ====================================================================== real OCR, English
class TestEnglishOffline:
    def test_reads_the_lines(self, engine, page_boxes):
        assert engine.name == "easyocr" and engine.fallback_reason is None
        assert engine.detector_path.parent == PACKAGED and engine.recogniser_path.parent == PACKAGED
        texts = [b.text for b in page_boxes]
        assert texts == [t for t, _ in LINES], texts
        for b, (_, (x, y)) in zip(page_boxes, LINES):
            assert isinstance(b, TextBox) and 0.3 < b.score <= 1.0
            assert abs(b.x - x) < 12 and abs(b.y - y) < 12 and 20 < b.height < 60

    def test_alternatives_line_up_with_the_text(self, page_boxes):
        for b in page_boxes:
            assert b.alternatives is not None and len(b.alternatives) == len(b.text)
            for ch, cands in zip(b.text, b.alternatives):
                assert cands[0] == ch and 1 <= len(cands) <= easy.ALTERNATIVES_MAX
                assert len(set(cands)) == len(cands)

    def test_same_text_as_easyocr_readtext(self, engine):
        import numpy as np
        img = _page([("ID 35080219900307103X", (20, 20)), ("Phone 13800138000", (20, 80))],
                    size=(400, 130), font_size=24)
        mine = engine.read(img)
        theirs = engine._reader.readtext(np.asarray(img), batch_size=1, workers=0)
        assert sorted(t for _, t, _ in theirs) == sorted(b.text for b in mine)
        ours = {b.text: b.score for b in mine}
        for _, text, score in theirs:
            assert ours[text] == pytest.approx(float(score), abs=1e-4)

    def test_find_text_on_easyocr_boxes(self, page_boxes):
        line = next(b for b in page_boxes if b.text.startswith("Email"))
        box = find_text(page_boxes, "Email")
        assert box is not None and box.text == "Email" and box.y == line.y
        # A narrowed box keeps its alternatives only if they still line up with its text.
        assert box.alternatives in (None, line.alternatives[:5])

    def test_nothing_to_read(self, engine):
        assert engine.read(Image.new("RGB", (200, 120), "white")) == []

    def test_rgba_and_grey_pictures(self, engine):
        img = _page(LINES[:1], size=(460, 120)).convert("L")
        assert [b.text for b in engine.read(img)] == [LINES[0][0]]
        rgba = Image.new("RGBA", (460, 120), (0, 0, 0, 0))
        ImageDraw.Draw(rgba).text((30, 40), "Email zhangwei@example.cn", fill=(0, 0, 0, 255), font=_font(28))
        assert [b.text for b in engine.read(rgba)] == ["Email zhangwei@example.cn"]

    def test_not_a_picture(self, engine):
        with pytest.raises(OcrError, match="needs a picture"):
            engine.read(b"not an image")

    def test_threads_and_sys_path(self, engine):
        import torch
        assert torch.get_num_threads() == easy.default_threads() <= 4
        assert str(PACKAGED) not in sys.path

    def test_torchvision_nms_is_usable(self, engine):
        import torch
        assert easy.torchvision_mode() in ("native", "nms-fallback")
        dets = torch.tensor([[0, 0, 10, 10], [1, 1, 10, 10], [20, 20, 30, 30]], dtype=torch.float32)
        keep = torch.ops.torchvision.nms(dets, torch.tensor([0.9, 0.8, 0.7]), 0.5)
        assert keep.tolist() == [0, 2]
        keep = torch.ops.torchvision.nms(dets, torch.tensor([0.1, 0.8, 0.7]), 0.5)
        assert keep.tolist() == [1, 2]


# ====================================================================== weights
class TestWeights:
    def test_md5_table_is_easyocrs(self):
        from easyocr.config import detection_models, recognition_models
        assert easy.WEIGHTS_MD5["craft_mlt_25k.pth"] == detection_models["craft"]["md5sum"]
        for name in ("english_g2", "zh_sim_g2"):
            assert easy.WEIGHTS_MD5[f"{name}.pth"] == recognition_models["gen2"][name]["md5sum"]

    def test_packaged_weights_pass(self):
        for name in ("craft_mlt_25k.pth", "english_g2.pth"):
            easy.check_weights(PACKAGED / name)

    def test_corrupt_copy_is_rejected_before_loading(self, tmp_path, monkeypatch):
        _link_or_copy(PACKAGED / "craft_mlt_25k.pth", tmp_path / "craft_mlt_25k.pth")
        bad = tmp_path / "english_g2.pth"
        shutil.copyfile(PACKAGED / "english_g2.pth", bad)
        with open(bad, "r+b") as f:
            f.seek(5000)
            byte = f.read(1)
            f.seek(5000)
            f.write(bytes([byte[0] ^ 0xFF]))
        import easyocr

        def never(*a, **k):
            raise AssertionError("easyocr.Reader was called on an unchecked file")
        monkeypatch.setattr(easyocr, "Reader", never)
        eng = EasyOcrEngine(("en",), tmp_path)
        with pytest.raises(EasyOcrWeightsChecksumError) as e:
            eng.load()
        msg = str(e.value)
        assert str(bad) in msg and "english_g2.pth" in msg
        assert easy.WEIGHTS_MD5["english_g2.pth"] in msg and e.value.found in msg
        assert e.value.found == easy.file_md5(bad) != e.value.expected
        assert not eng.loaded and isinstance(e.value, OcrError) and e.value.exit_code == 3

    def test_model_dir_holds_only_what_it_holds(self, tmp_path):
        _link_or_copy(PACKAGED / "english_g2.pth", tmp_path / "english_g2.pth")
        with pytest.raises(EasyOcrWeightsMissingError, match=r"craft_mlt_25k\.pth .*not in the "
                           r"configured model folder") as e:
            EasyOcrEngine(("en",), tmp_path)
        assert e.value.folder == tmp_path and str(tmp_path) in str(e.value)

    def test_missing_chinese_recogniser(self, tmp_path, monkeypatch):
        monkeypatch.setattr(easy, "user_model_dir", lambda: tmp_path / "models" / "easyocr")
        with pytest.raises(EasyOcrWeightsMissingError) as e:
            EasyOcrEngine(("ch_sim", "en"))
        msg = str(e.value)
        assert "zh_sim_g2.pth" in msg and str(tmp_path / "models" / "easyocr") in msg
        assert "installer" in msg and easy.WEIGHTS_MD5["zh_sim_g2.pth"] in msg
        assert e.value.filename == "zh_sim_g2.pth" and e.value.folder == tmp_path / "models" / "easyocr"
        assert isinstance(e.value, OcrEngineNotInstalledError)
        with pytest.raises(EasyOcrWeightsMissingError, match=str(tmp_path / "models" / "easyocr")):
            open_engine("easyocr")

    def test_missing_chinese_recogniser_in_configured_folder(self, tmp_path):
        _link_or_copy(PACKAGED / "craft_mlt_25k.pth", tmp_path / "craft_mlt_25k.pth")
        with pytest.raises(EasyOcrWeightsMissingError, match=r"zh_sim_g2\.pth") as e:
            EasyOcrEngine(("ch_sim", "en"), tmp_path, allow_fallback=False)
        assert str(tmp_path) in str(e.value)

    def test_detector_packaged_recogniser_per_user(self, tmp_path, monkeypatch, no_network):
        """The shape of the default Chinese set-up (packaged detector, per-user
        recogniser), exercised with the English recogniser in the per-user folder."""
        pkg, user = tmp_path / "pkg", tmp_path / "user"
        pkg.mkdir()
        user.mkdir()
        _link_or_copy(PACKAGED / "craft_mlt_25k.pth", pkg / "craft_mlt_25k.pth")
        _link_or_copy(PACKAGED / "english_g2.pth", user / "english_g2.pth")
        monkeypatch.setattr(easy, "packaged_model_dir", lambda: pkg)
        monkeypatch.setattr(easy, "user_model_dir", lambda: user)
        eng = EasyOcrEngine(("en",))
        assert (eng.detector_path, eng.recogniser_path) == (pkg / "craft_mlt_25k.pth",
                                                            user / "english_g2.pth")
        boxes = eng.read(_page([("Email zhangwei@example.cn", (30, 40))], size=(500, 120)))
        assert [b.text for b in boxes] == ["Email zhangwei@example.cn"]
        assert str(user) not in sys.path and str(pkg) not in sys.path

    def test_unknown_language(self):
        with pytest.raises(OcrError, match="reads en and ch_sim only, not ja"):
            EasyOcrEngine(("ja", "en"))


# ====================================================================== fallback, install
class TestFallback:
    @pytest.mark.skipif(not HAVE_RAPIDOCR, reason="rapidocr_onnxruntime is not installed")
    def test_falls_back_to_rapidocr_when_allowed(self, tmp_path, monkeypatch, caplog):
        from app.ocr.rapid import RapidOcrEngine
        monkeypatch.setattr(easy, "user_model_dir", lambda: tmp_path)
        with caplog.at_level(logging.WARNING, logger="app.ocr.easy"):
            eng = open_engine("easyocr", fallback=True)
        assert isinstance(eng, RapidOcrEngine) and eng.name == "rapidocr"
        assert "zh_sim_g2.pth" in eng.fallback_reason and str(tmp_path) in eng.fallback_reason
        assert eng.fallback_reason.endswith("Reading with RapidOCR instead.")
        assert any("falling back to RapidOCR" in r.getMessage() for r in caplog.records)
        # The engine itself, with allow_fallback, delegates and says so.
        inner = EasyOcrEngine(allow_fallback=True)
        assert inner.name == "rapidocr" and inner.fallback_reason == eng.fallback_reason
        assert isinstance(inner.fallback, RapidOcrEngine)
        # English only needs no fallback.
        english = EasyOcrEngine(("en",), allow_fallback=True)
        assert english.fallback is None and english.fallback_reason is None and english.name == "easyocr"

    def test_not_installed(self, monkeypatch):
        monkeypatch.setattr(easy, "_installed", lambda m: m != "easyocr")
        with pytest.raises(OcrEngineNotInstalledError,
                           match=r"easyocr is not installed \(easyocr missing\): "
                                 r"pip install 'deskhand\[easyocr\]'"):
            open_engine("easyocr")
        if HAVE_RAPIDOCR:
            eng = open_engine("easyocr", fallback=True)
            assert eng.name == "rapidocr" and "pip install 'deskhand[easyocr]'" in eng.fallback_reason

    def test_import_fails_at_load(self, monkeypatch):
        eng = EasyOcrEngine(("en",))
        monkeypatch.setattr(easy, "import_easyocr", lambda: (_ for _ in ()).throw(
            OcrEngineNotInstalledError("easyocr cannot load")))
        with pytest.raises(OcrEngineNotInstalledError, match="cannot load"):
            eng.read(_page(LINES[:1], size=(300, 100)))

    def test_making_an_engine_imports_no_torch(self):
        code = ("import sys; from app.ocr import open_engine; from app.ocr.easy import EasyOcrEngine;"
                "e = EasyOcrEngine(('en',)); assert e.detector_path.is_file();"
                "bad = [m for m in ('torch', 'torchvision', 'easyocr', 'cv2') if m in sys.modules];"
                "assert not bad, bad")
        r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                           timeout=60)
        assert r.returncode == 0, r.stderr
