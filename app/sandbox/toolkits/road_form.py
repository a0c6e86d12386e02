"""The city approval system's 道路运输从业资格证 form (issue 15), a FormSpec the Qt form draws
(`python -m app.sandbox.toolkits.qt_form --spec road`): the practitioner's values and a 照片
box — a photo file's path typed into it; the form shows the picture and reports the file's
SHA-256 on /state (`photos`). Standard library only, as spec.py.
"""
from __future__ import annotations

from app.sandbox.toolkits.spec import PHOTO, SELECT, Field, FormSpec

QUALIFICATIONS = ("道路旅客运输驾驶员", "道路货物运输驾驶员", "危险货物运输驾驶员",
                  "出租汽车驾驶员", "机动车驾驶培训教练员")

_ROAD_FIELDS = (
    Field("applicant_name", "姓名"),
    Field("gender", "性别", SELECT, ("男", "女")),
    Field("id_number", "公民身份号码"),
    Field("qualification", "从业资格类别", SELECT, QUALIFICATIONS),
    Field("certificate_number", "资格证号"),
    Field("issue_date", "发证日期"),
    Field("valid_until", "有效期至"),
    Field("photo", "照片", PHOTO),
)
ROAD = FormSpec("road", "城市审批系统 - 从业资格证受理", "城市审批系统 · 道路运输从业资格证受理",
                _ROAD_FIELDS, tuple(f.name for f in _ROAD_FIELDS))
