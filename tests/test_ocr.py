"""OCR layer: label matching (pure), RapidOCR on rendered Chinese labels, and a real
screen grab of a Qt window on a private X display, found by OCR.

The tests that need RapidOCR skip when `rapidocr_onnxruntime` is not importable; the
screen tests also skip without Xvfb/openbox/xdotool or PySide6. The model is loaded
once for the module.
"""
from __future__ import annotations

import importlib.util
import io
import json
import sys
import threading
import time
import os
from pathlib import Path

import pytest

from app.errors import DeskhandError, DesktopError
from app.ocr import (OcrEngineNotInstalledError, OcrError, OcrImageError, TextBox,
                     UnknownOcrEngineError, find_all, find_text, normalize, open_engine)
from app.sandbox.xsession import XSession, missing_binaries

pytestmark = pytest.mark.timeout(120)

HAVE_RAPIDOCR = importlib.util.find_spec("rapidocr_onnxruntime") is not None
needs_ocr = pytest.mark.skipif(
    not HAVE_RAPIDOCR,
    reason="rapidocr_onnxruntime is not installed (pip install 'rapidocr_onnxruntime==1.4.4')")

FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
needs_font = pytest.mark.skipif(not FONT.exists(), reason="needs fonts-noto-cjk (apt-get install fonts-noto-cjk)")

X_MISSING = missing_binaries(("Xvfb", "openbox", "xdotool"))
HAVE_PYSIDE = importlib.util.find_spec("PySide6") is not None
needs_x = pytest.mark.skipif(
    bool(X_MISSING) or not HAVE_PYSIDE,
    reason=(f"needs {', '.join(X_MISSING)} (apt-get install xvfb openbox xdotool)" if X_MISSING
            else "needs PySide6 for the test window"))


def box(text: str, x: int = 0, y: int = 0, w: int = 100, h: int = 20, score: float = 0.99) -> TextBox:
    return TextBox(text=text, score=score, x=x, y=y, width=w, height=h)


# ====================================================================== find_text (pure)
class TestNormalize:
    def test_full_width_marks_spaces_and_case(self):
        assert normalize("* 工作单位：") == "工作单位"
        assert normalize("＊联系电话（手机）:") == "联系电话(手机)"
        assert normalize("Email 电子邮箱") == "email电子邮箱"
        assert normalize("★ 地　址 ：") == "地址"           # ideographic space, stray space
        assert normalize("工作单位*") == "工作单位"
        assert normalize("时间:上午") == "时间:上午"          # only trailing colons go

    def test_empty_wanted_is_an_error(self):
        with pytest.raises(ValueError, match="Nothing to look for"):
            find_text([box("x")], " *： ")


class TestFindText:
    def test_exact(self):
        boxes = [box("申请人姓名", 10, 10), box("工作单位", 10, 50), box("保存成功", 300, 200)]
        assert find_text(boxes, "工作单位") == boxes[1]          # whole box, unchanged
        assert find_text(boxes, "保存成功") == boxes[2]

    def test_exact_beats_contains_and_fuzzy(self):
        contains = box("原工作单位", 10, 10)
        fuzzy = box("工作单立", 10, 30)
        exact = box("工作单位", 10, 90, score=0.7)
        assert find_text([contains, fuzzy, exact], "工作单位") == exact
        assert find_text([fuzzy, contains], "工作单位").text == "工作单位"   # contains beats fuzzy

    def test_full_width_colon_and_required_star(self):
        b = box("*工作单位：", x=40, y=123, w=110, h=26)
        found = find_text([b], "工作单位")
        # '*' counts half a CJK character, '：' a whole one: 0.5 + 4 + 1 = 5.5 units
        assert found.text == "工作单位"
        assert found.x == 40 + round(110 * 0.5 / 5.5)
        assert found.right == 40 + round(110 * 4.5 / 5.5)
        assert (found.y, found.height, found.score) == (123, 26, b.score)
        # the wanted text may carry the marks itself, in either width
        assert find_text([b], "* 工作单位:") == found
        assert find_text([box("联系电话（手机）：")], "联系电话(手机)").text == "联系电话（手机）"

    def test_contains_narrows_to_the_wanted_characters(self):
        merged = box("工作单位：深圳绿洲贸易有限公司", x=100, y=40, w=300, h=24)
        found = find_text([merged], "工作单位")
        assert found.text == "工作单位"
        assert (found.x, found.width) == (100, 80)               # 4 of 15 equal-width chars
        assert found.center == (140, 52)
        tail = find_text([merged], "有限公司")
        assert (tail.x, tail.right) == (320, 400)
        mixed = find_text([box("Email电子邮箱", x=40, y=0, w=138)], "电子邮箱")
        assert mixed.text == "电子邮箱"
        assert 40 + 138 * 0.35 < mixed.center[0] < 40 + 138 * 0.85

    def test_fuzzy_one_misread_character(self):
        misread = box("*工作单立：", 40, 120, 110, 26, score=0.93)
        found = find_text([box("申请人姓名", 40, 40), misread], "工作单位")
        assert found is not None and found.text == "工作单立"
        assert find_text([misread], "工作单位", fuzzy=False) is None
        # a dropped character in a longer label
        assert find_text([box("统一社会信代码")], "统一社会信用代码").text == "统一社会信代码"
        # one misread character inside a merged line
        assert find_text([box("工作单立：某某公司")], "工作单位").text == "工作单立"

    def test_fuzzy_is_not_loose(self):
        boxes = [box("保存失败", 0, 0), box("联系电话", 0, 30), box("单位", 0, 60)]
        assert find_text(boxes, "保存成功") is None
        assert find_text(boxes, "工作单位") is None
        assert find_text([box("姓氏")], "姓名") is None          # 1 of 2 characters is not enough
        assert find_text([box("申请入")], "申请人") is None       # short labels: no fuzzy at all
        assert find_text([box("申请日期")], "申请人") is None

    def test_none_found(self):
        assert find_text([], "工作单位") is None
        assert find_text([box("★"), box("：")], "工作单位") is None
        assert find_all([box("申请人姓名")], "工作单位") == []

    def test_deterministic_order(self):
        a = box("工作单位", x=300, y=50, score=0.95)
        b = box("工作单位", x=10, y=50, score=0.95)
        c = box("工作单位", x=10, y=10, score=0.95)
        d = box("工作单位", x=500, y=500, score=0.99)
        for order in ([a, b, c, d], [d, c, b, a], [b, d, a, c]):
            assert find_text(order, "工作单位") == d                         # highest score
            assert find_all(order, "工作单位") == [d, c, b, a]               # then top, then left
        assert find_text([a, b], "工作单位") == b

    def test_find_all_lists_every_match_best_first(self):
        boxes = [box("工作单立", 0, 0), box("原工作单位名称", 0, 30), box("*工作单位：", 0, 60, score=0.5)]
        found = find_all(boxes, "工作单位")
        assert [f.text for f in found] == ["工作单位", "工作单位", "工作单立"]
        assert [f.y for f in found] == [60, 30, 0]


class TestTextBox:
    def test_from_quadrilateral(self):
        b = TextBox.from_points("保存成功", 0.99, [[499.0, 202.4], [583.2, 202.0], [583.0, 230.0], [498.6, 230.0]])
        assert (b.x, b.y, b.width, b.height) == (498, 202, 86, 28)
        assert b.center == (541, 216)
        assert b.contains(*b.center) and not b.contains(b.right, b.y)
        assert b.shifted(100, 50).center == (641, 266)


class TestOpenEngine:
    def test_unknown_engine(self):
        with pytest.raises(UnknownOcrEngineError, match=r"no OCR engine called 'tesseract'; use one of: rapidocr") as e:
            open_engine("tesseract")
        assert isinstance(e.value, OcrError) and isinstance(e.value, DeskhandError)
        assert e.value.exit_code == 2

    def test_not_installed(self, monkeypatch):
        monkeypatch.setitem(sys.modules, "rapidocr_onnxruntime", None)
        with pytest.raises(OcrEngineNotInstalledError,
                           match=r"The OCR engine rapidocr is not installed: "
                                 r"pip install 'rapidocr_onnxruntime==1\.4\.4'") as e:
            open_engine("rapidocr")
        assert e.value.exit_code == 3

    def test_import_fails_at_load(self, monkeypatch):
        if not HAVE_RAPIDOCR:
            pytest.skip("rapidocr_onnxruntime is not installed")
        from PIL import Image
        engine = open_engine()          # found on disk, but importing it fails (a broken onnxruntime)
        monkeypatch.setitem(sys.modules, "rapidocr_onnxruntime", None)
        with pytest.raises(OcrEngineNotInstalledError, match="rapidocr is not installed or cannot load"):
            engine.read(Image.new("RGB", (50, 50), "white"))


# ====================================================================== real OCR
@pytest.fixture(scope="module")
def engine():
    if not HAVE_RAPIDOCR:
        pytest.skip("rapidocr_onnxruntime is not installed")
    eng = open_engine("rapidocr")
    eng.load()
    return eng


# (drawn text, wanted label, position, font size)
PAGE_LABELS = [
    ("* 申请人姓名：", "申请人姓名", (40, 40), 20),
    ("* 工作单位：", "工作单位", (40, 120), 20),
    ("保存成功", "保存成功", (560, 200), 22),
    ("Email 电子邮箱", "电子邮箱", (40, 280), 18),
    ("联系电话（手机）:", "联系电话(手机)", (40, 360), 18),
    ("统一社会信用代码：91350800MA31ABCD0C", "统一社会信用代码", (420, 430), 18),
]


def _font(size: int):
    from PIL import ImageFont
    return ImageFont.truetype(str(FONT), size)


def _wanted_bbox(draw, label: str, wanted: str, pos, font) -> tuple[float, float, float, float]:
    """The drawn bounding box of the wanted characters inside `label`."""
    left, top, right, bottom = draw.textbbox(pos, label, font=font)
    start = label.find(wanted) if wanted in label else label.find(wanted.replace("(", "（").replace(")", "）"))
    assert start >= 0, (label, wanted)
    x0 = pos[0] + draw.textlength(label[:start], font=font)
    x1 = pos[0] + draw.textlength(label[:start + len(wanted)], font=font)
    return x0, top, x1, bottom


@pytest.fixture(scope="module")
def page(engine):
    from PIL import Image, ImageDraw
    if not FONT.exists():
        pytest.skip("needs fonts-noto-cjk")
    img = Image.new("RGB", (900, 500), "white")
    draw = ImageDraw.Draw(img)
    expected = {}
    for label, wanted, pos, size in PAGE_LABELS:
        font = _font(size)
        draw.text(pos, label, font=font, fill=(20, 20, 20))
        expected[wanted] = _wanted_bbox(draw, label, wanted, pos, font)
    t0 = time.perf_counter()
    boxes = engine.read(img)
    return {"boxes": boxes, "expected": expected, "seconds": time.perf_counter() - t0}


@needs_ocr
@needs_font
@pytest.mark.parametrize("wanted", [w for _, w, _, _ in PAGE_LABELS])
def test_rendered_labels_are_found_at_their_place(page, wanted):
    found = find_text(page["boxes"], wanted)
    assert found is not None, f"{wanted!r} not in {[b.text for b in page['boxes']]}"
    x0, y0, x1, y1 = page["expected"][wanted]
    cx, cy = found.center
    assert x0 <= cx <= x1 and y0 - 2 <= cy <= y1 + 2, (wanted, found, (x0, y0, x1, y1))
    assert 0.5 <= found.score <= 1.0


@needs_ocr
@needs_font
def test_rendered_page_boxes_are_plain(page):
    boxes = page["boxes"]
    assert all(isinstance(b, TextBox) and isinstance(b.x, int) and b.width > 0 for b in boxes)
    assert find_text(boxes, "审批通过") is None


@needs_ocr
def test_image_without_text_gives_no_boxes(engine):
    from PIL import Image
    assert engine.read(Image.new("RGB", (300, 200), "white")) == []
    assert engine.read(Image.new("L", (1, 1), 0)) == []


@needs_ocr
@needs_font
def test_modes_and_transparency(engine):
    """RGBA goes through our alpha compositing, not RapidOCR's (which inverts colours)."""
    from PIL import Image, ImageDraw
    img = Image.new("RGBA", (260, 60), (0, 0, 0, 0))
    ImageDraw.Draw(img).text((10, 10), "保存成功", font=_font(28), fill=(0, 0, 0, 255))
    assert find_text(engine.read(img), "保存成功", fuzzy=False) is not None
    grey = Image.new("L", (260, 60), 255)
    ImageDraw.Draw(grey).text((10, 10), "保存成功", font=_font(28), fill=0)
    assert find_text(engine.read(grey), "保存成功", fuzzy=False) is not None


@needs_ocr
def test_thin_pictures_are_padded_not_moved():
    import numpy as np
    from app.ocr.rapid import pad_to_aspect
    strip = np.full((40, 600, 3), 30, dtype=np.uint8)       # a dark-theme strip
    strip[10:30, 10:100] = 250
    out = pad_to_aspect(strip)
    assert out.shape == (300, 600, 3)
    assert (out[:40] == strip).all() and (out[40:] == 30).all()
    assert pad_to_aspect(strip.transpose(1, 0, 2)).shape == (600, 300, 3)
    square = np.zeros((400, 700, 3), dtype=np.uint8)
    assert pad_to_aspect(square) is square


@needs_ocr
@needs_font
def test_thin_strip_is_read_in_place(engine):
    from PIL import Image, ImageDraw
    img = Image.new("RGB", (600, 40), "white")
    draw = ImageDraw.Draw(img)
    font = _font(16)
    draw.text((10, 10), "* 工作单位：深圳绿洲贸易有限公司", font=font, fill="black")
    found = find_text(engine.read(img), "工作单位")
    assert found is not None and found.bottom <= 40
    x0, y0, x1, y1 = _wanted_bbox(draw, "* 工作单位：深圳绿洲贸易有限公司", "工作单位", (10, 10), font)
    assert x0 <= found.center[0] <= x1 and y0 - 2 <= found.center[1] <= y1 + 2


@needs_ocr
def test_bad_images_raise_ocr_errors(engine):
    from PIL import Image
    with pytest.raises(OcrImageError, match=r"The picture is empty \(0×0 pixels\)"):
        engine.read(Image.new("RGB", (0, 0)))
    buf = io.BytesIO()
    Image.new("RGB", (200, 200), "red").save(buf, "PNG")
    truncated = Image.open(io.BytesIO(buf.getvalue()[:60]))
    with pytest.raises(OcrImageError, match="could not be decoded"):
        engine.read(truncated)
    with pytest.raises(OcrImageError, match="a PIL image"):
        engine.read(b"not a picture")            # type: ignore[arg-type]


@needs_ocr
@needs_font
def test_model_loads_once_and_reads_from_threads(engine):
    from PIL import Image, ImageDraw
    model = engine._ocr
    img = Image.new("RGB", (300, 60), "white")
    ImageDraw.Draw(img).text((10, 10), "保存成功", font=_font(24), fill="black")
    results: list = []
    threads = [threading.Thread(target=lambda: results.append(engine.read(img))) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(results) == 3 and all(find_text(r, "保存成功") for r in results)
    assert engine._ocr is model and engine.load_seconds is not None


# ====================================================================== screen capture
WINDOW_TITLE = "OCR测试窗口"
WINDOW_SCRIPT = r"""
import json, sys
from PySide6.QtCore import QTimer
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QLabel, QWidget
app = QApplication(sys.argv)
w = QWidget()
w.setWindowTitle(sys.argv[2])
w.setStyleSheet("background: white; color: #202020;")
w.resize(700, 400)
font = QFont("Noto Sans CJK SC")
font.setPixelSize(26)
labels = {}
for text, wanted, x, y in [("* 工作单位：", "工作单位", 40, 60), ("保存成功", "保存成功", 380, 260),
                           ("Email 电子邮箱", "电子邮箱", 40, 180)]:
    lab = QLabel(text, w)
    lab.setFont(font)
    lab.adjustSize()
    lab.move(x, y)
    labels[wanted] = lab
w.show()
def report():
    out = {}
    for wanted, lab in labels.items():
        p = lab.mapToGlobal(lab.rect().topLeft())
        out[wanted] = [p.x(), p.y(), lab.width(), lab.height()]
    with open(sys.argv[1] + ".tmp", "w") as f:
        json.dump(out, f)
    import os; os.replace(sys.argv[1] + ".tmp", sys.argv[1])
QTimer.singleShot(700, report)
app.exec()
"""


@pytest.fixture(scope="module")
def xsession():
    if X_MISSING:
        pytest.skip(f"needs {', '.join(X_MISSING)}")
    with XSession(1280, 800) as s:
        yield s


@pytest.fixture(scope="module")
def grabber(xsession):
    from app.capture import ScreenGrabber
    g = ScreenGrabber(display=xsession.display)
    yield g
    g.close()


def _geometry(session: XSession, wid: int) -> tuple[int, int, int, int]:
    out = dict(line.split("=", 1) for line in
               session.xdotool("getwindowgeometry", "--shell", str(wid)).split() if "=" in line)
    return int(out["X"]), int(out["Y"]), int(out["WIDTH"]), int(out["HEIGHT"])


@needs_x
def test_grabber_clips_to_the_screen(grabber):
    assert grabber.screen_bounds() == (0, 0, 1280, 800)
    img = grabber.grab(1200, 700, 200, 200)
    assert img.size == (80, 100) and img.mode == "RGB"
    assert grabber.clip(-50, -50, 100, 100) == (0, 0, 50, 50)
    with pytest.raises(DesktopError, match="is not on the screen"):
        grabber.grab(2000, 2000, 10, 10)


def test_no_display_is_a_clear_error(monkeypatch):
    from app.capture import NoDisplayError, ScreenGrabber
    if not sys.platform.startswith("linux"):
        pytest.skip("X11 display names are Linux-only")
    monkeypatch.delenv("DISPLAY", raising=False)
    with pytest.raises(NoDisplayError, match="No display to capture: DISPLAY is not set") as e:
        ScreenGrabber().grab(0, 0, 10, 10)
    assert isinstance(e.value, DesktopError) and e.value.exit_code == 3
    if importlib.util.find_spec("mss") is not None:
        with pytest.raises(NoDisplayError, match=r"No display to capture: cannot connect to display :987"):
            ScreenGrabber(display=":987").grab(0, 0, 10, 10)


@needs_x
@needs_ocr
def test_window_text_is_found_on_screen(xsession, grabber, engine, tmp_path):
    report = tmp_path / "labels.json"
    proc = xsession.spawn([sys.executable, "-c", WINDOW_SCRIPT, str(report), WINDOW_TITLE],
                          env=xsession.env())
    try:
        wid = xsession.wait_window(WINDOW_TITLE, timeout=15, pid=proc.pid)
        deadline = time.monotonic() + 15
        while not report.exists():
            assert proc.poll() is None, "the test window exited"
            assert time.monotonic() < deadline, "the test window never reported its labels"
            time.sleep(0.05)
        labels = json.loads(report.read_text())
        x, y, w, h = _geometry(xsession, wid)
        wanted = ["工作单位", "保存成功", "电子邮箱"]
        found: dict = {}
        deadline = time.monotonic() + 10
        while True:                    # the first frame may not be painted yet
            img = grabber.grab(x, y, w, h)
            assert img.size == (w, h)
            boxes = engine.read(img)
            found = {t: find_text(boxes, t) for t in wanted}
            if all(found.values()) or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert all(found.values()), f"not found: {[t for t, b in found.items() if b is None]} in {[b.text for b in boxes]}"
        for text, b in found.items():
            sx, sy = b.shifted(x, y).center                 # screen pixels, where a click goes
            lx, ly, lw, lh = labels[text]
            if text == "电子邮箱":                            # the label starts with "Email "
                lw_left = lx + lw * 0.3
            else:
                lw_left = lx
            assert lw_left <= sx <= lx + lw and ly <= sy <= ly + lh, (text, (sx, sy), labels[text])
    finally:
        xsession.end(proc)


def test_the_ocr_engine_sends_nothing_to_microsoft(tmp_path):
    """ONNX Runtime ≥ 1.29 collects telemetry on Linux unless opted out before it starts:
    its first trace is a device-id file `.ses` in $TMPDIR. Deskhand opts out (app/ocr/rapid.py);
    the control run, with the opt-out explicitly refused, shows the check can fail."""
    import subprocess
    import sys
    script = ("from PIL import Image, ImageDraw\n"
              "from app.ocr import open_engine\n"
              "im = Image.new('RGB', (240, 60), 'white')\n"
              "ImageDraw.Draw(im).text((10, 20), 'Deskhand 123', fill='black')\n"
              "e = open_engine('rapidocr'); e.load(); print(len(e.read(im)))\n")
    root = Path(__file__).resolve().parent.parent
    base = {k: v for k, v in os.environ.items()            # CI variables also silence it
            if not k.startswith("ORT_") and k not in ("CI", "GITHUB_ACTIONS", "TF_BUILD", "GITLAB_CI")}

    def run(name: str, **extra: str) -> list[str]:
        tmp = tmp_path / name
        tmp.mkdir()
        r = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, text=True,
                           timeout=120, env={**base, "TMPDIR": str(tmp), "HOME": str(tmp), **extra})
        assert r.returncode == 0, r.stderr
        return os.listdir(tmp)

    assert ".ses" not in run("deskhand")
    if ".ses" not in run("control", ORT_DISABLE_TELEMETRY="0", ORT_TELEMETRY_DISABLED="0"):
        pytest.skip("this onnxruntime collects no telemetry at all")
