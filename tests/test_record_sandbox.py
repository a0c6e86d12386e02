"""The pure parts of the recording proof (issue 13): the three sources' cases and the
supervisor's plans. The desktop parts run in tests/test_record_e2e.py."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from app.sandbox.record_cases import CASES_PER_KIND, KINDS, record_case, record_cases
from app.sandbox.supervisor import (CONSTANTS, PASSWORD, PASSWORD_BOX, SOURCE_OF, TARGETS,
                                    expected_state, plan_for)
from app.sandbox.targets import _web_query


@pytest.mark.parametrize("kind", KINDS)
def test_six_cases_per_source_each_a_different_person(kind):
    cases = record_cases(kind)
    assert len(cases) == CASES_PER_KIND
    assert len({c.seed for c in cases}) == CASES_PER_KIND
    assert len({c.values["id_number"] for c in cases}) == CASES_PER_KIND
    assert len({c.values["applicant_name"] for c in cases}) == CASES_PER_KIND
    # both options of the radio come up among the replayed cases
    assert {c.values["gender"] for c in cases[1:]} == {"男", "女"}
    assert cases[0].picture().size[0] >= 800


def test_a_bad_kind_or_index_is_refused():
    with pytest.raises(ValueError, match="kind must be one of"):
        record_case("passport", 0)
    with pytest.raises(ValueError, match="index must be"):
        record_case("idcard", CASES_PER_KIND)


@pytest.mark.parametrize("target", TARGETS)
def test_each_plan_does_what_a_supervisor_does(target):
    """Clicks into boxes, types (Chinese too), a typo corrected, a paste, a radio, a
    drop-down item picked with the mouse, Tab between some fields — and the form it
    means to leave is every value of the source it uses, plus the declared constants."""
    values = record_case(SOURCE_OF[target], 0).values
    plan = plan_for(target, values)
    kinds = {a.do for a in plan.acts}
    assert {"click", "type", "typo", "paste", "radio", "tab"} <= kinds, kinds
    assert "choose" in kinds                         # a drop-down picked with the mouse
    typed = "".join(a.text for a in plan.acts if a.do in ("type", "typo", "paste"))
    assert any("\u4e00" <= ch <= "\u9fff" for ch in typed)
    state = expected_state(target, values)
    from_source = {n: v for n, v in state.items()
                   if n not in CONSTANTS[target] and n != PASSWORD_BOX[0]}
    assert set(from_source.values()) <= set(values.values())
    assert all(state[n] == v for n, v in CONSTANTS[target].items())
    # the Qt client's password box gets a password, which is on no source
    assert (state.get(PASSWORD_BOX[0]) == PASSWORD) == (target == "qt")


def test_the_web_plan_is_a_16_field_form_whose_drop_down_lists_every_portal_matter():
    """15 typed values and 办理事项 picked in Chromium's drop-down; the case form lists the
    portal's matters, so every recorded and replayed case's matter is one of its items."""
    assert len(expected_state("web", record_case("portal", 0).values)) == 16
    from app.sandbox.sources import _MATTERS
    page = (Path(__file__).resolve().parents[1] / "resources" / "web_form" / "index.html"
            ).read_text(encoding="utf-8")
    listed = re.search(r"const CASE_MATTERS = (\[.*?\]);", page, re.S)
    assert listed and json.loads(listed.group(1)) == [m for m, _dept in _MATTERS]
    assert {record_case("portal", i).values["matter"] for i in range(6)} <= set(json.loads(
        listed.group(1)))


def test_web_form_query():
    assert _web_query("intake", False) == ""
    assert _web_query("case", True) == "?form=case&extra=above"
    with pytest.raises(ValueError):
        _web_query("nope", False)
