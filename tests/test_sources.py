"""Synthetic applicants and sources (app/sandbox/people.py, app/sandbox/sources.py):
determinism, valid identifiers (check digits recomputed here, independently), the
portal page's layout truths, the ID card, degradations, speed, the HTML twin, the
image viewer, and one real OCR sanity check."""
from __future__ import annotations

import os
import re
import select
import subprocess
import sys
import time
from datetime import date

import pytest
from PIL import ImageChops

from app.sandbox.people import AREAS, make_person
from app.sandbox.sources import (CARD_SIZE, PORTAL_SIZE, Source, portal_html, render_id_card,
                                 render_portal_page, show_image_argv)

SEEDS = range(600)
KEY_FIELDS = ("applicant_name", "gender", "ethnicity", "birth_date", "id_number", "phone",
              "address", "employer", "credit_code", "postcode", "email")


# ----------------------------------------------------------------- independent checks

def id_number_ok(s: str) -> bool:
    """GB 11643-1999: weights 2^(17-i) mod 11, sum mod 11 -> 1 0 X 9 8 7 6 5 4 3 2."""
    if not re.fullmatch(r"\d{17}[\dX]", s):
        return False
    total = sum(int(c) * (2 ** (17 - i) % 11) for i, c in enumerate(s[:17]))
    return "10X98765432"[total % 11] == s[17]


def credit_code_ok(s: str) -> bool:
    """GB 32100-2015 over its 31-character alphabet."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    if len(s) != 18 or any(c not in alphabet for c in s):
        return False
    total = sum(alphabet.index(c) * (3 ** i % 31) for i, c in enumerate(s[:17]))
    return alphabet[(31 - total % 31) % 31] == s[17]


def org_code_ok(s: str) -> bool:
    """GB 11714 (characters 9-17 of a credit code)."""
    values = [int(c) if c.isdigit() else ord(c) - ord("A") + 10 for c in s[:8]]
    check = 11 - sum(v * w for v, w in zip(values, (3, 7, 9, 10, 5, 8, 4, 2))) % 11
    return s[8] == {10: "X", 11: "0"}.get(check, str(check))


def inside(box, size) -> bool:
    return 0 <= box[0] < box[2] <= size[0] and 0 <= box[1] < box[3] <= size[1]


# ----------------------------------------------------------------- people

def test_person_is_deterministic_and_has_the_client_fields():
    assert make_person(42) == make_person(42)
    assert make_person(42) != make_person(43)
    fields = make_person(42).to_fields()
    assert tuple(fields) == KEY_FIELDS
    assert all(isinstance(v, str) and v for v in fields.values())


def test_every_id_number_is_valid_and_matches_the_person():
    people = [make_person(s) for s in SEEDS]
    for p in people:
        n = p.id_number
        assert id_number_ok(n), (p.seed, n)
        assert n[:6] in AREAS and n[:6] == p.area_code
        assert date(int(n[6:10]), int(n[10:12]), int(n[12:14])) == p.birth_date
        assert (int(n[16]) % 2 == 1) == (p.gender == "男"), (p.seed, n, p.gender)
        assert p.to_fields()["birth_date"] == p.birth_date.isoformat()
    share_x = sum(p.id_number.endswith("X") for p in people) / len(people)
    assert 0.06 <= share_x <= 0.15, share_x
    assert any(p.area_code.startswith("3508") for p in people)
    assert any(p.area_code.startswith("35") and not p.area_code.startswith("3508") for p in people)
    assert any(not p.area_code.startswith("35") for p in people)


def test_every_credit_code_is_valid():
    for s in SEEDS:
        code = make_person(s).credit_code
        assert credit_code_ok(code), (s, code)
        assert org_code_ok(code[8:17]), (s, code)
        assert code[:2] in ("91", "92", "12") and code[2:8].isdigit(), code
    # a single changed character is caught
    code = make_person(1).credit_code
    wrong = code[:5] + ("1" if code[5] != "1" else "2") + code[6:]
    assert not credit_code_ok(wrong)


def test_people_are_varied_in_the_ways_readers_find_hard():
    people = [make_person(s) for s in SEEDS]
    names = [p.name for p in people]
    assert all(2 <= len(n) <= 3 for n in names)
    assert any(c in n for n in names for c in "喆鑫昊淼")
    assert 0.1 < sum(any(c in n for c in "喆鑫昊淼垚焱彧玥赟珺晗翀") for n in names) / len(names) < 0.35
    assert any(n.startswith(("欧阳", "司马", "上官", "诸葛")) for n in names)
    ethnicities = {p.ethnicity for p in people}
    assert {"汉族", "畲族", "壮族", "回族", "满族"} <= ethnicities
    assert sum(p.ethnicity == "汉族" for p in people) / len(people) > 0.7
    assert any(re.search("[０-９]", p.address) for p in people)
    assert any(re.search("[0-9]", p.address) for p in people)
    assert all(p.address.startswith(p.area.province) for p in people)
    assert any(re.fullmatch(r"0597-\d{7}", p.phone) for p in people)
    assert all(re.fullmatch(r"1[3-9]\d{9}|0\d{2,3}-\d{7,8}", p.phone) for p in people)
    assert all(re.fullmatch(r"\d{6}", p.postcode) for p in people)
    assert all(re.fullmatch(r"[a-z0-9_.]+@[a-z0-9.]+\.(com|cn)", p.email) for p in people)
    for p in people:
        assert re.fullmatch(r"\d{4}\.\d\d\.\d\d-(\d{4}\.\d\d\.\d\d|长期)", p.validity), p.validity
        assert p.issuing_authority.endswith(("分局", "公安局"))
    assert "龙岩市公安局新罗分局" in {p.issuing_authority for p in people}


# ----------------------------------------------------------------- portal page

def test_portal_page_has_the_person_in_a_label_value_table():
    p = make_person(3)
    src = render_portal_page(p, seed=1)
    assert isinstance(src, Source) and src.kind == "portal_page"
    assert src.image.size == PORTAL_SIZE
    assert len(src.truth) >= 15 and set(src.label_boxes) == set(src.value_boxes) == set(src.truth)
    for name, value in p.to_fields().items():
        assert src.truth[name] == value, name
    for name in src.truth:
        lb, vb = src.label_boxes[name], src.value_boxes[name]
        assert inside(lb, src.image.size) and inside(vb, src.image.size), name
        assert lb[2] < vb[0], f"{name}: value not right of its label"
        assert lb[1] < vb[3] and vb[1] < lb[3], f"{name}: label and value not on one row"
        assert src.labels[name].rstrip("：") in (
            "姓名", "性别", "民族", "出生日期", "公民身份号码", "联系电话", "户籍地址", "住址",
            "户籍所在地", "工作单位", "统一社会信用代码", "邮政编码", "电子邮箱", "婚姻状况",
            "申请事项", "受理编号", "申请日期", "办理进度", "受理部门", "证件类型", "文化程度",
            "户口性质")
    # some rows hold two pairs side by side
    rows = {}
    for name, b in src.label_boxes.items():
        rows.setdefault(b[1] // 4, []).append(name)
    assert any(len(v) == 2 for v in rows.values())
    # text is 14-16 px: a line of CJK text is 11-18 px of ink tall
    assert 11 <= src.value_boxes["applicant_name"][3] - src.value_boxes["applicant_name"][1] <= 18


def test_the_address_wraps_onto_a_second_line_within_its_cell():
    for seed in range(12):
        p = make_person(seed * 7)
        src = render_portal_page(p, seed=seed)
        lines = src.value_lines["address"]
        assert len(lines) == 2, (seed, lines)
        assert lines[1][1] >= lines[0][3] - 2, "second line is below the first"
        assert src.truth["address"] == p.address and "\n" not in src.truth["address"]
        # the postcode cell to the right starts after the wrapped address
        assert src.value_boxes["address"][2] < src.label_boxes["postcode"][0]
        assert all(len(v) == 1 for k, v in src.value_lines.items() if k != "address")


def test_portal_page_is_deterministic_and_varies_by_seed():
    p = make_person(11)
    a, b = render_portal_page(p, seed=2), render_portal_page(p, seed=2)
    assert a.image.tobytes() == b.image.tobytes()
    assert a.truth == b.truth and a.value_boxes == b.value_boxes
    layouts = {tuple(sorted(render_portal_page(p, seed=s).value_boxes.items())) for s in range(6)}
    assert len(layouts) >= 5
    orders = set()
    for s in range(6):
        boxes = render_portal_page(p, seed=s).label_boxes
        orders.add(tuple(sorted(boxes, key=lambda k: (boxes[k][1] // 8, boxes[k][0]))))
    assert len(orders) >= 3, "the row order does not vary"


def test_portal_page_at_125_percent_is_2400x1350_and_boxes_scale():
    p = make_person(5)
    one, big = render_portal_page(p, seed=4), render_portal_page(p, seed=4, scale=1.25)
    assert big.image.size == (2400, 1350)
    assert big.truth == one.truth
    for name, box in one.value_boxes.items():
        for got, want in zip(big.value_boxes[name], box):
            assert abs(got - want * 1.25) <= 3 + 0.01 * want, (name, box, big.value_boxes[name])
    for name, box in one.label_boxes.items():
        for got, want in zip(big.label_boxes[name], box):
            assert abs(got - want * 1.25) <= 3 + 0.01 * want, name


def test_portal_html_has_the_same_labels_and_values():
    p = make_person(9)
    html = portal_html(p, seed=3)
    page = render_portal_page(p, seed=3)
    assert '<html lang="zh-CN">' in html and '<meta charset="utf-8">' in html
    assert "font-size: 15px" in html and "<title>e龙岩 - 办件详情</title>" in html
    for name, value in page.truth.items():
        assert f'data-field="{name}">{page.labels[name]}</th>' in html
        assert f'id="f-{name}" data-field="{name}"' in html
        assert value in html, name
    assert not re.search(r"\$\{?[a-z_]", html), "a template placeholder was left"


# ----------------------------------------------------------------- ID card

def test_id_card_front():
    p = make_person(7)
    src = render_id_card(p)
    assert src.kind == "id_card" and src.image.size == CARD_SIZE
    assert src.truth == {k: p.to_fields()[k] for k in
                         ("applicant_name", "gender", "ethnicity", "birth_date", "address", "id_number")}
    assert src.shown["ethnicity"] == p.ethnicity.removesuffix("族")
    b = p.birth_date
    assert src.shown["birth_date"] == f"{b.year}年{b.month}月{b.day}日"
    assert src.labels["id_number"] == "公民身份号码"
    for name in src.truth:
        assert inside(src.value_boxes[name], CARD_SIZE) and inside(src.label_boxes[name], CARD_SIZE)
        assert src.label_boxes[name][2] < src.value_boxes[name][0], name
    for seed in range(40):
        card = render_id_card(make_person(seed), seed=seed)
        lines = card.value_lines["address"]
        assert 1 <= len(lines) <= 3
        assert all(b[2] - b[0] <= 12 * 26 + 4 for b in lines)
        assert card.value_boxes["address"][2] < 560, "address runs into the photo"


def test_degradations_change_the_pixels_and_stay_deterministic():
    p = make_person(21)
    clean = render_id_card(p, seed=1)
    variants = {
        "rotate": dict(rotate_deg=3.0), "blur": dict(blur=1.5), "noise": dict(noise=8.0),
        "jpeg": dict(jpeg_quality=40),
        "all": dict(rotate_deg=-2.0, blur=1.0, noise=6.0, jpeg_quality=55),
    }
    for name, kw in variants.items():
        a, b = render_id_card(p, seed=1, **kw), render_id_card(p, seed=1, **kw)
        assert a.image.size == CARD_SIZE and a.image.mode == "RGB"
        assert a.image.tobytes() == b.image.tobytes(), f"{name} is not deterministic"
        diff = ImageChops.difference(a.image, clean.image).getbbox()
        assert diff is not None, f"{name} changed nothing"
        assert a.truth == clean.truth
    turned = render_id_card(p, seed=1, rotate_deg=3.0)
    assert turned.value_boxes["id_number"] != clean.value_boxes["id_number"]
    # counter-clockwise: the right end of the ID number (below the centre) moves up
    assert turned.value_boxes["id_number"][1] < clean.value_boxes["id_number"][1]
    assert render_id_card(p, seed=1).image.tobytes() == clean.image.tobytes()


# ----------------------------------------------------------------- speed

def test_generation_is_fast():
    p = make_person(13)
    render_portal_page(p), render_id_card(p)          # fonts, caches

    def best(fn, n=5):
        times = []
        for i in range(n):
            t = time.perf_counter()
            fn(i)
            times.append(time.perf_counter() - t)
        return min(times)
    page = best(lambda i: render_portal_page(p, seed=i))
    card = best(lambda i: render_id_card(p, seed=i))
    assert page < 0.150, f"portal page took {page * 1000:.0f} ms"
    assert card < 0.050, f"ID card took {card * 1000:.0f} ms"


# ----------------------------------------------------------------- viewer

def test_image_viewer_shows_a_picture_and_says_ready(tmp_path):
    pytest.importorskip("PySide6")
    path = tmp_path / "page.png"
    render_id_card(make_person(1)).image.save(path)
    argv = show_image_argv(path, "样例身份证")
    assert argv[0] == sys.executable and str(path) in argv and "样例身份证" in argv
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                            cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    try:
        ready, _, _ = select.select([proc.stdout], [], [], 30)
        assert ready, "the viewer printed nothing in 30 s"
        assert proc.stdout.readline().strip() == b"READY"
    finally:
        proc.kill()
        proc.wait(10)


def test_image_viewer_fails_cleanly_on_a_missing_file(tmp_path):
    pytest.importorskip("PySide6")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(show_image_argv(tmp_path / "nothing.png", "x"), capture_output=True,
                          env=env, timeout=60,
                          cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    assert done.returncode == 2 and b"cannot read" in done.stderr


# ----------------------------------------------------------------- real OCR

@pytest.fixture(scope="module")
def rapid():
    mod = pytest.importorskip("rapidocr_onnxruntime")
    return mod.RapidOCR()


def _read_fields(engine, src: Source) -> dict[str, str]:
    import numpy as np
    bgr = np.ascontiguousarray(np.asarray(src.image.convert("RGB"))[:, :, ::-1])
    result, _ = engine(bgr)
    out: dict[str, str] = {}
    for name, box in src.value_boxes.items():
        hits = []
        for points, text, _score in result or []:
            cx = sum(pt[0] for pt in points) / 4
            cy = sum(pt[1] for pt in points) / 4
            if box[0] - 6 <= cx <= box[2] + 6 and box[1] - 6 <= cy <= box[3] + 6:
                hits.append((cy, cx, text))
        out[name] = "".join(t for _, _, t in sorted(hits)).replace(" ", "")
    return out


def test_rapidocr_reads_the_name_and_id_number_exactly(rapid):
    p = make_person(7)                                   # 吴军鑫, an ID number ending in X
    assert p.id_number.endswith("X") and "鑫" in p.name
    page = render_portal_page(p, seed=3)
    got = _read_fields(rapid, page)
    assert got["applicant_name"] == p.name
    assert got["id_number"] == p.id_number
    card = render_id_card(p)
    got = _read_fields(rapid, card)
    assert got["applicant_name"] == p.name
    assert got["id_number"] == p.id_number
