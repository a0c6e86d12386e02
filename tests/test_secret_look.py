"""Pure logic of the look at a box without a tree (recorders/secret_look.py), the Recorder
holding such a box's text until the look decided (recorders/session.py), and the compiler
turning a box the look found masked into a vault field — on drawn pictures and a stand-in
OCR (unit tests of logic; the real Tk and Swing forms are in
tests/test_record_no_tree_secret.py)."""
from __future__ import annotations

import time

import pytest
from PIL import Image, ImageDraw

from recorders.boxes import replay
from recorders.compile import compile_recording
from recorders.recording import Event, RecordedSource, RecordedWidget, RecordedWindow, Recording
from recorders.secret_look import (changed_band, label_says_secret, look_at_box, mask_glyphs,
                                   short_non_cjk, shows_typed)

W, H = 400, 120
BOX = (120, 50)              # where a box's text starts (window pixels)


def form(masks: int = 0, text: str = "", widths: tuple[int, ...] = ()) -> Image.Image:
    """A window with one box at BOX: `masks` mask glyphs (5×5 squares), or `text` drawn,
    or blobs of the given widths (text-like ink)."""
    im = Image.new("RGB", (W, H), (236, 236, 236))
    d = ImageDraw.Draw(im)
    d.rectangle((110, 40, 390, 74), fill="white", outline=(120, 120, 120))
    x, y = BOX
    for i in range(masks):
        d.rectangle((x + 8 * i, y + 6, x + 8 * i + 4, y + 10), fill="black")
    if text:
        d.text((x, y), text, fill="black")
    for w in widths:
        d.rectangle((x, y + 1, x + w - 1, y + 14), fill="black")
        x += w + 3
    return im


def reader(*answers: str | None):
    """A stand-in for one-line OCR answering `answers` in order (then None)."""
    queue = list(answers)
    return lambda picture: queue.pop(0) if queue else None


# -- the pieces ---------------------------------------------------------------------
def test_mask_glyphs_are_runs_of_one_width_and_text_is_not():
    assert mask_glyphs(form(masks=6).crop((120, 50, 170, 65)))
    assert not mask_glyphs(form(widths=(4, 9, 2, 7)).crop((120, 50, 160, 65)))
    assert not mask_glyphs(form(masks=1).crop((120, 50, 170, 65)))      # one is no run


def test_the_changed_band_is_the_box_typed_into():
    before, after = form(masks=1), form(masks=6)
    x, y, w, h = changed_band(before, after)
    assert 120 <= x <= 130 and 55 <= y <= 57 and w >= 30 and h <= 6
    assert changed_band(after, after) is None
    assert changed_band(before, before.resize((W, H + 1))) is None


@pytest.mark.parametrize("seen,typed,share", [
    ("Ab12cd", "Ab12cd", 1.0), ("Ab1", "Ab12cd", 0.5), ("", "Ab12cd", 0.0),
    ("ＡＢ", "ab", 1.0), ("张 三", "张三", 1.0), ("1", "11", 0.5)])
def test_the_share_of_the_typed_characters_a_box_shows(seen, typed, share):
    assert shows_typed(seen, typed) == share


@pytest.mark.parametrize("label,secret", [
    ("经办人密码", True), ("登录口令", True), ("PIN", True), ("Password", True),
    ("PIN码", True), ("备注", False), ("姓名", False), ("", False), ("Spinner", False)])
def test_labels_that_name_a_password(label, secret):
    assert label_says_secret(label) is secret


@pytest.mark.parametrize("value,short", [
    ("Kq7-pass#2026", True), ("1234", True), ("密码123", False), ("", False),
    ("x" * 33, False)])
def test_short_values_without_chinese(value, short):
    assert short_non_cjk(value) is short


# -- the decision -----------------------------------------------------------------------
def test_a_box_showing_masks_is_a_password_box_with_its_label():
    look = look_at_box(form(masks=1), form(masks=8), None, "Pw-7731x", reader("经办人密码：", None))
    assert (look.secret, look.by, look.label) == (True, "look", "经办人密码")
    assert look.region is not None


def test_a_box_showing_the_typed_text_is_an_ordinary_one():
    look = look_at_box(form(widths=(4,)), form(widths=(4, 9, 2, 7, 5)), None, "Ab12cd",
                       reader("备注：", "Ab12cd"))
    assert (look.secret, look.by, look.label) == (False, "", "备注")


def test_a_box_showing_none_of_the_typed_characters_is_a_password_box():
    look = look_at_box(form(widths=(4,)), form(widths=(4, 9, 2, 7)), None, "Ab12cd",
                       reader("口令", "oooo"))
    assert (look.secret, look.by) == (True, "look")


def test_without_ocr_only_masks_tell():
    assert look_at_box(form(masks=1), form(masks=5), None, "abcde", None).secret
    plain = look_at_box(form(widths=(4,)), form(widths=(4, 9, 2)), None, "abc", None)
    assert not plain.secret


def test_when_the_look_cannot_tell_a_password_label_and_a_short_value_decide():
    # one character: nothing to compare; the click's row gives the label
    one = look_at_box(form(masks=1), form(masks=1), form(masks=1), "7", reader("密码："),
                      near=(200, 57))
    assert (one.secret, one.by, one.label) == (True, "label", "密码")
    # some of the characters shown (a half-drawn box): not decided by the look either
    some = look_at_box(form(widths=(4,)), form(widths=(4, 9, 2, 7)), None, "Ab12cdef",
                       reader("PIN:", "Ab"))
    assert (some.secret, some.by) == (True, "label")
    # a Chinese value, or a label that names no password: an ordinary box
    assert not look_at_box(form(), form(), form(), "张三", reader("密码"), near=(200, 57)).secret
    assert not look_at_box(form(), form(), form(), "7", reader("备注"), near=(200, 57)).secret
    # no box found, no click: no label either
    assert not look_at_box(None, None, None, "pw", reader("密码")).secret


def test_one_paste_is_judged_by_the_box_when_it_was_left():
    before = form()
    look = look_at_box(before, before, form(masks=7), "s3cret!", reader("密码", None))
    assert (look.secret, look.by) == (True, "look")
    # what the box showed when left decides only by plain text or masks, not by "none of
    # the characters" (the next box may be what changed then)
    other = look_at_box(before, before, form(widths=(5, 2)), "s3cret!", reader("备注", "—"))
    assert not other.secret


# -- the Recorder holds a box without a tree until the look decided --------------------
class NoTree:
    def fields(self, window, *, refresh=False):
        return []

    def close(self):
        pass


def _record_blind(typed: str, picture_of, engine=None):
    from app.desktop.base import WindowInfo
    from recorders.keysyms import Press
    from recorders.listen_x11 import RawInput
    from recorders.session import Recorder, RecorderOptions, RecorderParts
    from recorders.tree_watch import TreeWatch

    win = WindowInfo(id=5, title="Tk 表单", pid=777, process="python3", x=30, y=40,
                     width=W, height=H)

    class Desk:
        def active_window(self):
            return win

        def list_windows(self):
            return [win]

    feeds = []

    class Feed:
        def __init__(self, put):
            self.put = put

        def start(self):
            pass

        def stop(self):
            pass

    def grab(x, y, w, h):
        held = rec._held
        return picture_of(len(held.events) if held is not None else 0)

    rec = Recorder(RecorderParts(Desk(), TreeWatch(NoTree()), engine=engine, grab=grab,
                                 listener_factory=lambda put: feeds.append(Feed(put)) or feeds[0]),
                   RecorderOptions(own_pids=(1,)))
    rec.start()
    for c in typed:
        feeds[0].put(RawInput(time.monotonic(), "key", Press(text=c)))
    feeds[0].put(RawInput(time.monotonic(), "key", Press(key="tab")))
    time.sleep(0.3)
    return rec.finish()


def test_the_recorder_drops_the_text_of_a_masked_box_without_a_tree():
    rec = _record_blind("hunter22", lambda n: form(masks=n))
    texts = [e for e in rec.events if e.kind == "text"]
    assert len(texts) == 8 and all(e.text is None for e in texts)
    assert all(e.widget.secret and e.widget.secret_by == "look" and not e.widget.role
               for e in texts)
    assert "hunter22" not in rec.to_json()
    assert [e.key for e in rec.events if e.kind == "key"] == ["tab"]


def test_the_recorder_keeps_the_text_of_an_ordinary_box_without_a_tree():
    rec = _record_blind("abc", lambda n: form(widths=(4, 9, 2, 6)[:max(1, n)]))
    assert "".join(e.text for e in rec.events if e.kind == "text") == "abc"
    assert all(e.widget is None for e in rec.events if e.kind == "text")


def test_a_look_that_fails_keeps_the_box_secret():
    class Broken:
        def read_line(self, picture):
            raise RuntimeError("no OCR today")

        def read(self, picture):
            return []
    rec = _record_blind("abc", lambda n: form(widths=(4, 9, 2, 6)[:max(1, n)]),
                        engine=lambda: Broken())
    assert "abc" not in rec.to_json()
    assert all(e.text is None for e in rec.events if e.kind == "text")


# -- the compiler ---------------------------------------------------------------------------
def test_a_masked_box_without_a_tree_becomes_a_vault_field_typed_without_read_back():
    win = RecordedWindow(title="城市审批系统（tk）", process="python3", pid=9, width=W, height=H)
    pw = RecordedWidget(label="经办人密码", secret=True, secret_by="label")
    src = RecordedSource(kind="image", lines=())
    events = (Event(0.1, "window", win), Event(0.2, "key", win, key="tab"),
              *(Event(0.3 + i / 10, "text", win, pw) for i in range(6)),
              Event(1.0, "key", win, pw, key="backspace"),
              Event(1.1, "text", win, pw), Event(1.2, "key", win, key="tab"))
    recording = Recording(started="2026-12-05T09:00:00+00:00", source=src, events=events)
    rp = replay(recording)
    assert [b.secret for b in rp.boxes] == [True] and rp.boxes[0].label == "经办人密码"
    draft = compile_recording(recording)
    assert "read: {vault: " in draft.yaml and "secret: true" in draft.yaml
    assert "type: {field: field_1, readback: false, clear: true}" in draft.yaml or \
        "readback: false" in draft.yaml, draft.yaml
    assert "- key: tab" in draft.yaml
    assert any("经办人密码" in s and "label" in s for s in draft.report), draft.report
    assert [q.kind for q in draft.questions] == ["vault"]
