"""Recording → playbook → capture, with real OCR: a supervisor's filling of the sample Qt
client is recorded against a generated ID card and a portal page (their OCR lines, as the
listener keeps them); the compiled playbook passes the loader, holds no case value, and a
`deskhand capture` of it on another person's card or page gives that person's values."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("rapidocr_onnxruntime", reason="the default OCR engine is not installed")

from app.checks.normalize import halfwidth_alnum  # noqa: E402
from app.ocr import open_engine  # noqa: E402
from app.sandbox.people import make_person  # noqa: E402
from app.sandbox.sources import render_id_card, render_portal_page  # noqa: E402
from playbooks.loader import load_playbook  # noqa: E402
from recorders.compile import compile_recording  # noqa: E402
from recorders.questions import Answer, Answers  # noqa: E402
from tests.recording_builder import lines_of, qt_recording  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CARD_BOXES = ("申请人姓名", "性别", "民族", "出生日期", "公民身份号码", "住址")


@pytest.fixture(scope="module")
def engine():
    e = open_engine("rapidocr")
    e.load()
    return e


def typed(seed: int, matter: str = "") -> dict[str, str]:
    """What a supervisor types into the sample client for person `seed` (box label → value)."""
    p = make_person(seed)
    return {"申请人姓名": p.name, "性别": p.gender, "民族": p.ethnicity,
            "出生日期": p.birth_date.isoformat(), "公民身份号码": p.id_number, "联系电话": p.phone,
            "住址": halfwidth_alnum(p.address), "工作单位": p.employer,
            "统一社会信用代码": p.credit_code, "办理事项": matter, "邮政编码": p.postcode,
            "电子邮箱": p.email, "备注": "加急办理"}


def capture(playbook: Path, image: Path, tmp: Path) -> dict[str, str | None]:
    case = tmp / "case.json"
    r = subprocess.run([sys.executable, "-m", "app.cli", "capture", str(playbook), "--image",
                        str(image), "--offline", "-o", str(case)], capture_output=True, text=True,
                       timeout=180, cwd=ROOT)
    assert r.returncode in (0, 1), r.stderr
    data = json.loads(case.read_text(encoding="utf-8"))
    return {k: v.get("value") for k, v in data["fields"].items()}


def test_an_id_card_recording_reads_another_persons_card(engine, tmp_path):
    first, other = make_person(3), make_person(11)
    src = render_id_card(first)
    values = {k: v for k, v in typed(3).items() if k in CARD_BOXES}
    draft = compile_recording(qt_recording(lines_of(engine.read(src.image)), values),
                              playbook_id="card-recorded")
    assert draft.bound_auto == draft.values_total == 6 and not draft.questions
    assert draft.literal_case_values_left == 0
    for k, v in values.items():       # a choice's options are no case data
        assert k == "性别" or v not in draft.yaml
    path = tmp_path / "card-recorded.yaml"
    path.write_text(draft.yaml, encoding="utf-8")
    pb = load_playbook(path)
    check = subprocess.run([sys.executable, "-m", "app.cli", "check", str(path)],
                           capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert check.returncode == 0, check.stdout + check.stderr
    assert pb.source_spec is not None and pb.source_spec.kind == "idcard"
    assert [type(s).__name__ for s in pb.steps] == ["SetStep"] * 6
    image = tmp_path / "other.png"
    render_id_card(other, seed=11).image.save(image)
    got = capture(path, image, tmp_path)
    want = {draft.fields[k]: v for k, v in typed(11).items() if k in CARD_BOXES}
    assert got == want


def test_a_portal_recording_reads_another_persons_page(engine, tmp_path):
    first, other = make_person(3), make_person(8)
    src = render_portal_page(first, seed=3)
    values = typed(3, matter=src.truth["matter"])
    draft = compile_recording(qt_recording(lines_of(engine.read(src.image)), values,
                                           size=src.image.size), playbook_id="portal-recorded")
    # 备注 is not on the page: asked about, and given by the clerk meanwhile
    assert draft.values_total == 13 and draft.bound_auto == 12
    assert [q.box for q in draft.questions] == ["备注"] and "加急办理" not in draft.questions[0].shown
    assert draft.literal_case_values_left == 0
    path = tmp_path / "portal-recorded.yaml"
    path.write_text(draft.yaml, encoding="utf-8")
    pb = load_playbook(path)
    assert pb.field_spec("remarks").read is not None and pb.field_spec("remarks").read.clerk
    assert pb.field_spec("gender").choices == ("男", "女")
    image = tmp_path / "other.png"
    page = render_portal_page(other, seed=8)
    page.image.save(image)
    got = capture(path, image, tmp_path)
    want = {draft.fields[k]: v for k, v in typed(8, matter=page.truth["matter"]).items()}
    want["remarks"] = None
    assert got == want

    # answered, the same recording keeps 备注 as a constant and asks nothing
    answered = compile_recording(qt_recording(lines_of(engine.read(src.image)), values),
                                 answers=Answers({"备注": Answer("constant", "加急办理")}))
    assert not answered.questions and answered.literal_case_values_left == 0
    path.write_text(answered.yaml, encoding="utf-8")
    assert load_playbook(path).field_spec("remarks").read.constant == "加急办理"
    assert capture(path, image, tmp_path)["remarks"] == "加急办理"


def page_without(person, seed: int, hidden: tuple[str, ...]):
    """The portal page of `person` with the labels and values of `hidden` painted over in
    their cell's own colour: a page that shows the 公民身份号码 but no 出生日期 / 性别."""
    from PIL import ImageDraw
    src = render_portal_page(person, seed=seed)
    img = src.image.copy()
    d = ImageDraw.Draw(img)
    for name in hidden:
        for x0, y0, x1, y1 in [src.label_boxes[name], src.value_boxes[name],
                               *src.value_lines.get(name, [])]:
            d.rectangle((x0 - 3, y0 - 3, x1 + 3, y1 + 3), fill=img.getpixel((x0 - 4, y0 - 4)))
    return img


def test_a_birth_date_and_gender_the_page_does_not_show_derive_from_the_id_number(engine, tmp_path):
    hidden = ("gender", "birth_date")
    image = page_without(make_person(3), 3, hidden)
    lines = lines_of(engine.read(image))
    assert not any("出生" in ln.text or "性别" in ln.text for ln in lines)
    want_boxes = ("申请人姓名", "性别", "出生日期", "公民身份号码", "联系电话")
    values = {k: v for k, v in typed(3).items() if k in want_boxes}
    draft = compile_recording(qt_recording(lines, values, size=image.size),
                              playbook_id="portal-derived")
    assert not draft.questions and draft.bound_auto == draft.values_total == 5
    assert draft.literal_case_values_left == 0
    path = tmp_path / "portal-derived.yaml"
    path.write_text(draft.yaml, encoding="utf-8")
    check = subprocess.run([sys.executable, "-m", "app.cli", "check", str(path)],
                           capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert check.returncode == 0, check.stdout + check.stderr
    pb = load_playbook(path)
    birth, gender = pb.field_spec(draft.fields["出生日期"]), pb.field_spec(draft.fields["性别"])
    id_field = draft.fields["公民身份号码"]
    assert (birth.derive.source, birth.derive.part) == (id_field, "birth_date")
    assert (gender.derive.source, gender.derive.part) == (id_field, "gender")
    assert gender.choices == ("男", "女") and birth.type == "date"

    for seed in (8, 21):                       # other people, other page layouts
        other = make_person(seed)
        shot = tmp_path / f"other{seed}.png"
        page_without(other, seed, hidden).save(shot)
        got = capture(path, shot, tmp_path)
        assert got[draft.fields["出生日期"]] == other.birth_date.isoformat()
        assert got[draft.fields["性别"]] == other.gender
        assert got[id_field] == other.id_number
