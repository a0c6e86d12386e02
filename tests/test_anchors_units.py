"""ScreenText's one-read-per-form bookkeeping, as pure logic: a fake screen of coloured
blocks, a grabber that crops it and an "OCR" that names each block by its colour. When
the real pixels are used and when the window is read again (tests/test_anchors_e2e.py
does the same with real OCR on a real window)."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from app.desktop.base import WindowInfo
from app.fill.anchors import OcrScreenText
from app.ocr.base import TextBox

COLOURS = {"姓名": (200, 0, 0), "民族": (0, 150, 0), "住址": (0, 0, 200), "离异": (90, 90, 0)}
SIZE = (40, 16)


class Screen:
    def __init__(self) -> None:
        self.image = Image.new("RGB", (900, 700), "white")

    def draw(self, label: str, x: int, y: int) -> None:
        ImageDraw.Draw(self.image).rectangle((x, y, x + SIZE[0] - 1, y + SIZE[1] - 1),
                                             fill=COLOURS[label])

    def erase(self, label: str, x: int, y: int) -> None:
        ImageDraw.Draw(self.image).rectangle((x, y, x + SIZE[0] - 1, y + SIZE[1] - 1),
                                             fill="white")


class Grabber:
    def __init__(self, screen: Screen) -> None:
        self.screen = screen

    def grab(self, x: int, y: int, width: int, height: int) -> Image.Image:
        return self.screen.image.crop((x, y, x + width, y + height))


class ColourOcr:
    def __init__(self) -> None:
        self.sizes: list[tuple[int, int]] = []

    def read(self, image: Image.Image) -> list[TextBox]:
        self.sizes.append(image.size)
        arr = np.asarray(image)
        boxes = []
        for text, colour in COLOURS.items():
            ys, xs = np.nonzero((arr == colour).all(axis=-1))
            if len(xs):
                boxes.append(TextBox(text, 0.99, int(xs.min()), int(ys.min()),
                                     int(xs.max() - xs.min() + 1), int(ys.max() - ys.min() + 1)))
        return boxes


WINDOW = WindowInfo(7, "表单", x=100, y=50, width=600, height=500)


@pytest.fixture
def setup():
    screen = Screen()
    screen.draw("姓名", 120, 80)      # window (20, 30)
    screen.draw("民族", 120, 120)     # window (20, 70)
    ocr = ColourOcr()
    return screen, ocr, OcrScreenText(ocr, Grabber(screen))


def test_later_lookups_use_the_one_read_while_the_label_is_unchanged(setup):
    screen, ocr, st = setup
    assert st.locate("姓名", WINDOW) == (40, 38)
    assert st.locate("民族", WINDOW) == (40, 78)
    assert st.locate("姓名", WINDOW) == (40, 38)
    assert (st.full_reads, st.part_reads) == (1, 0) and ocr.sizes == [(600, 500)]
    # something changing elsewhere in the window does not matter
    screen.draw("住址", 400, 400)
    assert st.locate("民族", WINDOW) == (40, 78) and st.full_reads == 1


def test_a_label_redrawn_nearby_is_read_again_in_its_neighbourhood_only(setup):
    screen, ocr, st = setup
    st.locate("姓名", WINDOW)
    screen.erase("民族", 120, 120)
    screen.draw("民族", 126, 124)
    assert st.locate("民族", WINDOW) == (46, 82)
    assert (st.full_reads, st.part_reads) == (1, 1)
    assert ocr.sizes[1][0] < 200 and ocr.sizes[1][1] < 100      # a small crop, not the window
    assert st.locate("民族", WINDOW) == (46, 82) and st.part_reads == 1   # and kept


def test_a_label_moved_far_or_gone_makes_one_more_whole_window_read(setup):
    screen, ocr, st = setup
    st.locate("姓名", WINDOW)
    screen.erase("姓名", 120, 80)
    screen.draw("姓名", 120, 300)          # a section opened above it
    assert st.locate("姓名", WINDOW) == (40, 258)
    assert st.full_reads == 2
    screen.erase("民族", 120, 120)
    assert st.locate("民族", WINDOW) is None
    assert st.full_reads == 3


def test_another_window_geometry_a_fresh_lookup_or_forget_read_the_window_again(setup):
    screen, ocr, st = setup
    st.locate("姓名", WINDOW)
    moved = WindowInfo(7, "表单", x=110, y=50, width=600, height=500)
    assert st.locate("姓名", moved) == (30, 38) and st.full_reads == 2
    assert st.locate("姓名", moved, fresh=True) == (30, 38) and st.full_reads == 3
    st.forget()
    st.locate("姓名", moved)
    assert st.full_reads == 4


def test_label_box_and_read_box_look_at_a_part_of_the_window(setup):
    screen, ocr, st = setup
    box = st.label_box("民族", WINDOW)
    assert (box.x, box.y, box.right, box.bottom) == (20, 70, 60, 86)
    screen.draw("离异", 300, 200)           # a drop-down showing its choice
    assert st.read_box(WINDOW, 190, 140, 80, 40) == "离异"
    assert ocr.sizes[-1] == (80, 40)
    assert st.read_box(WINDOW, 190, 300, 80, 40) == ""


WAIT_PLAYBOOK = """\
deskhand: 1
id: w
name: 等待
target: {title: "表单"}
fields:
  - {name: note}
fill:
  - click: {anchor: 姓名, dx: 100}
  - click: {anchor: 民族, dx: 100}
  - wait: {seconds: 0.01}
  - click: {anchor: 姓名, dx: 100}
  - wait: {text: 住址, timeout: 1}
  - click: {anchor: 民族, dx: 100}
  - type: {field: note, readback: false}
"""


def test_the_engine_reads_once_a_wait_makes_it_read_again_and_a_text_wait_polls_fresh(setup):
    from app.cases import case_from_values
    from app.desktop.dummy import DummyDesktop
    from app.fill.engine import FillEngine, FillOptions
    from playbooks.loader import load_playbook_text
    screen, ocr, st = setup

    def sleep(seconds: float) -> None:       # 住址 shows after the text wait's first look
        if st.full_reads == 3:
            screen.draw("住址", 120, 160)
    d = DummyDesktop([WINDOW])
    d.click = lambda x, y, target, **kw: d.received[target.id].append(f"<click {x},{y}>")
    FillEngine(d, FillOptions(wait_focus_s=0.2, abort_keys=None, failsafe=False), sleep=sleep,
               screen_text=lambda: st).fill(load_playbook_text(WAIT_PLAYBOOK, "w.yaml"),
                                            case_from_values({"note": "x"}, "w", {}))
    assert d.received[7] == ["<click 140,38>", "<click 140,78>", "<click 140,38>",
                             "<click 140,78>", "x"]
    # one read for the first two clicks, one after the wait, one per look for the text,
    # and the last click uses the text wait's read
    assert st.full_reads == 1 + 1 + 2 and st.part_reads == 0


def test_set_and_press_steps_may_read_the_screen_accessible_only_ones_never():
    from dataclasses import replace

    from app.fill.anchors import needs_screen_text
    from playbooks.loader import load_playbook_text
    from playbooks.model import FieldAddress, PressStep, SetStep
    pb = load_playbook_text(WAIT_PLAYBOOK, "w.yaml")
    at = FieldAddress("姓名")

    def with_steps(*steps):
        return replace(pb, steps=steps)
    assert needs_screen_text(pb)
    assert not needs_screen_text(with_steps(SetStep("note", at, method="accessible")))
    assert needs_screen_text(with_steps(SetStep("note", at)))
    assert needs_screen_text(with_steps(SetStep("note", at, method="keys")))
    assert needs_screen_text(with_steps(PressStep("提交")))
