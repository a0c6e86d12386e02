"""The three forms of the 企业开办 scenario (issue 14), as FormSpecs any toolkit form draws.

    company  市场主体登记系统 - 设立登记   drawn in Qt      issues 受理编号 on 提交
    tax      电子税务局 - 税务登记         drawn in Chromium  takes that 受理编号
    social   社会保险经办系统 - 单位参保登记 drawn in GTK     takes that 受理编号

Written for the sample case (playbooks/library/company-setup/samples/case.json); the
pack's playbooks address every box by its label. Standard library only (Debian's python3
imports it for the GTK form).
"""
from __future__ import annotations

from app.sandbox.toolkits.spec import MULTILINE, RADIO, READONLY, SELECT, Field, FormSpec

ISSUED_NUMBER = "SL-20261205-0018"      # the 受理编号 设立登记 issues on 提交
ISSUED_PATTERN = r"SL-\d{8}-\d{4}"
COMPANY_TYPES = ("有限责任公司（自然人投资或控股）", "有限责任公司（自然人独资）",
                 "股份有限公司（非上市）", "个人独资企业")


def _in_drawing_order(fields: tuple[Field, ...]) -> tuple[str, ...]:
    return tuple(f.name for f in fields if f.kind != READONLY)


_COMPANY_FIELDS = (
    Field("case_no", "受理编号", READONLY),
    Field("company_name", "企业名称"),
    Field("company_type", "企业类型", SELECT, COMPANY_TYPES),
    Field("address", "住所"),
    Field("registered_capital", "注册资本（万元）"),
    Field("business_scope", "经营范围", MULTILINE),
    Field("operating_period", "营业期限"),
    Field("legal_rep_name", "法定代表人姓名"),
    Field("legal_rep_id", "法定代表人证件号码"),
    Field("legal_rep_phone", "法定代表人手机"),
    Field("supervisor_name", "监事姓名"),
    Field("agent_name", "委托代理人姓名"),
    Field("agent_id", "代理人证件号码"),
    Field("agent_phone", "代理人手机"),
)
COMPANY = FormSpec("company", "市场主体登记系统 - 设立登记", "市场主体登记系统 · 公司设立登记",
                   _COMPANY_FIELDS, _in_drawing_order(_COMPANY_FIELDS),
                   issues=("case_no", ISSUED_NUMBER))

_TAX_FIELDS = (
    Field("taxpayer_name", "纳税人名称"),
    Field("registration_no", "设立登记受理编号"),
    Field("legal_rep_name", "法定代表人姓名"),
    Field("legal_rep_id", "法定代表人证件号码"),
    Field("legal_rep_phone", "法定代表人手机"),
    Field("address", "生产经营地址"),
    Field("accounting", "核算方式", RADIO, ("独立核算", "非独立核算")),
    Field("business_scope", "经营范围", MULTILINE),
    Field("tax_agent_name", "办税人姓名"),
    Field("tax_agent_phone", "办税人手机"),
)
TAX = FormSpec("tax", "电子税务局 - 税务登记", "电子税务局 · 新办纳税人税务登记",
               _TAX_FIELDS, _in_drawing_order(_TAX_FIELDS))

_SOCIAL_FIELDS = (
    Field("unit_name", "单位名称"),
    Field("registration_no", "设立登记受理编号"),
    Field("unit_type", "单位类型", SELECT, ("企业", "机关", "事业单位", "社会团体")),
    Field("legal_rep_name", "法定代表人姓名"),
    Field("legal_rep_id", "法定代表人证件号码"),
    Field("address", "单位地址", MULTILINE),
    Field("agent_name", "经办人姓名"),
    Field("agent_phone", "经办人手机"),
)
SOCIAL = FormSpec("social", "社会保险经办系统 - 单位参保登记", "社会保险经办系统 · 单位参保登记",
                  _SOCIAL_FIELDS, _in_drawing_order(_SOCIAL_FIELDS))

COMPANY_FORMS = (COMPANY, TAX, SOCIAL)
