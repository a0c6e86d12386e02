"""Registry settings for the reference data-sharing service that ships with Deskhand
(`deskhand registry serve`, docs/registry-service.md): what the demo, the tests and the
benchmark use, and a worked example for IT of mapping a gateway's answers to field names.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

__all__ = ["reference_settings", "write_reference_settings", "DEMO_CREDENTIAL", "DEMO_KEY_ID"]

DEMO_CREDENTIAL = "registry.reference.secret"
DEMO_KEY_ID = "deskhand-demo"

ENDPOINTS: dict[str, dict[str, Any]] = {
    "person": {   # 人口库
        "method": "GET", "path": "/population/v1/persons/{id_number}", "found": "data",
        # the reference service's first seeded person: what `deskhand registry test
        # reference.person` and `deskhand doctor` try the credential with
        "sample": {"id_number": "350821197408062908"},
        "map": {"applicant_name": "data.xm", "gender": "data.xb", "ethnicity": "data.mz",
                "birth_date": "data.csrq", "address": "data.hjdz", "id_number": "data.sfzh"}},
    "business": {   # 电子证照·营业执照
        "method": "GET", "path": "/licence/v1/business-licences",
        "query": {"uniscid": "{credit_code}"}, "found": "data",
        "map": {"employer": "data.entname", "credit_code": "data.uniscid",
                "legal_rep": "data.lerep", "business_address": "data.dom",
                "established": "data.estdate", "business_state": "data.regstate"}},
    "estate": {   # 不动产登记
        "method": "POST", "path": "/realestate/v1/query", "json": {"zjhm": "{id_number}"},
        "found": "data.records",
        "map": {"estate_count": "data.total", "estate_cert": "data.records[0].bdcqzh",
                "estate_location": "data.records[0].zl", "estate_area": "data.records[0].jzmj"}},
    "marriage": {   # 婚姻登记
        "method": "GET", "path": "/marriage/v1/records/{id_number}", "found": "data",
        "map": {"marital_status": "data.hyzk", "spouse_name": "data.po_xm",
                "spouse_id_number": "data.po_sfzh", "marriage_date": "data.djrq"}},
    "transport": {   # 道路运输从业人员
        "method": "GET", "path": "/transport/v1/practitioners/{id_number}", "found": "data",
        "map": {"practitioner_cert": "data.cyzgzh", "practitioner_class": "data.cylb",
                "practitioner_valid_until": "data.yxqz"}},
}


def reference_settings(url: str, *, scheme: str = "hmac-sm3", credential: str = DEMO_CREDENTIAL,
                       key_id: str = DEMO_KEY_ID, timeout_s: float = 3.0, retries: int = 1,
                       on_outage: str = "unverified", ca_bundle: str | None = None,
                       client_cert: tuple[str, str | None] | None = None) -> dict[str, Any]:
    """Settings (as parsed YAML) for one reference service at `url`, registry name
    "reference"; look-ups reference.person, .business, .estate, .marriage, .transport."""
    reg: dict[str, Any] = {"base_url": url, "timeout_s": timeout_s, "retries": retries,
                           "backoff_s": 0.1, "auth": {"scheme": scheme},
                           "endpoints": ENDPOINTS}
    if scheme != "none":
        reg["auth"]["credential"] = credential
    if scheme.startswith("hmac"):
        reg["auth"]["key_id"] = key_id
    if ca_bundle:
        reg["ca_bundle"] = ca_bundle
    if client_cert:
        reg["client_cert"] = {"cert": client_cert[0], "key": client_cert[1]}
    return {"version": 1, "on_outage": on_outage, "registries": {"reference": reg}}


def write_reference_settings(path: str | Path, url: str, **kw: Any) -> Path:
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text("# Deskhand registry settings for the reference service (generated)\n"
                 + yaml.safe_dump(reference_settings(url, **kw), allow_unicode=True, sort_keys=False),
                 encoding="utf-8")
    return p
