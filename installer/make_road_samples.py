"""Write the golden samples of the 道路运输从业资格证 pack
(playbooks/library/road-transport/samples/road-transport-practitioners/): one case per page
of the sandbox 道路运政 system, its window as the batch grabs it on a private Xvfb, and the
form model of the city approval system's 从业资格证 form.

    python installer/make_road_samples.py

A sample's capture is its page's first row (`deskhand test` takes a table's first case);
expected.yaml is written from the window's own ground truth (GET /state), never from what
Deskhand read. The photo is what the clerk's batch gives (`given`): the sample's file path.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app.golden.form_model import FormBox, FormModel, dump_form  # noqa: E402
from app.sandbox.toolkits.road_form import QUALIFICATIONS, ROAD  # noqa: E402

PACK = ROOT / "playbooks" / "library" / "road-transport"
PLAYBOOK = PACK / "practitioners.yaml"
SAMPLES = PACK / "samples" / "road-transport-practitioners"
PHOTO_GIVEN = "/var/lib/deskhand/photos/photo-sample.png"   # the form model compares text only


def form_model() -> FormModel:
    boxes = (FormBox("姓名"), FormBox("性别", "combo", ("", "男", "女")), FormBox("公民身份号码"),
             FormBox("从业资格类别", "combo", ("", *QUALIFICATIONS)), FormBox("资格证号"),
             FormBox("发证日期"), FormBox("有效期至"), FormBox("照片"), FormBox("提交", "button"))
    return FormModel(boxes, "姓名", ROAD.window_title("qt"))


def _q(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def expected(row: dict, page: int) -> str:
    return "\n".join([
        f"# Page {page} of the sandbox 道路运政 system (seed 0): its first row, from the window's",
        "# own ground truth. Written by installer/make_road_samples.py.",
        "fields:",
        f"  applicant_name: {_q(row['name'])}",
        f"  gender: {_q(row['gender'])}",
        f"  id_number: {_q(row['id_number'])}",
        f"  qualification: {_q(row['qualification'])}",
        f"  certificate_number: {_q(row['certificate'])}",
        f"  issue_date: {_q(row['issued'])}",
        f"  valid_until: {_q(row['valid_until'])}",
        "given:                 # the photo the batch cut from the row",
        f"  photo: {_q(PHOTO_GIVEN)}",
        "form:                  # the 从业资格证 form after the fill",
        f"  姓名: {_q(row['name'])}",
        f"  性别: {_q(row['gender'])}",
        f"  公民身份号码: {_q(row['id_number'])}",
        f"  从业资格类别: {_q(row['qualification'])}",
        f"  资格证号: {_q(row['certificate'])}",
        f"  发证日期: {_q(row['issued'])}",
        f"  有效期至: {_q(row['valid_until'])}",
        f"  照片: {_q(PHOTO_GIVEN)}",
        ""])


def main() -> int:
    import os

    from app.sandbox.road_launch import launch_road_transport, window_picture
    from app.sandbox.xsession import XSession
    SAMPLES.mkdir(parents=True, exist_ok=True)
    (SAMPLES / "form.yaml").write_text(dump_form(form_model(), (
        "The 从业资格证 form of the city approval system (app/sandbox/toolkits/road_form.py),\n"
        "drawn by the Qt form; written by installer/make_road_samples.py.")), encoding="utf-8")
    with XSession() as session:
        os.environ["DISPLAY"] = session.display
        grid = launch_road_transport(session)
        try:
            for page in (1, 2, 3):
                state = grid.wait_state(lambda s, p=page: s["page"] == p, 5)
                session.activate(grid.window_id)
                time.sleep(0.4)
                image = window_picture(session, grid.window_id)
                case = SAMPLES / f"case-{page}"
                case.mkdir(exist_ok=True)
                image.save(case / "source.png", optimize=True)
                (case / "expected.yaml").write_text(expected(state["rows"][0], page),
                                                    encoding="utf-8")
                session.xdotool("key", "Next")
        finally:
            grid.close()
    print(f"wrote {SAMPLES}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
