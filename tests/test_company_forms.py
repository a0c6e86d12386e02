"""The 企业开办 sample forms (app/sandbox/toolkits/company_forms.py): 设立登记 in Qt, 税务登记
in Chromium, 社保登记 in GTK, each drawn from its FormSpec by the same toolkit programs as
the approval form, each reporting its own state; the approval form stays what it was."""
from __future__ import annotations

import json

import pytest

from app.sandbox.targets import TargetError
from app.sandbox.toolkits import spec
from app.sandbox.toolkits.company_forms import COMPANY, COMPANY_FORMS, ISSUED_NUMBER, SOCIAL, TAX
from test_toolkit_forms import EDITABLE_ROLES, _labelled
from toolkit_targets import (ToolkitDesktop, require_atspi_reader, require_toolkit,  # noqa: F401
                             toolkit_desktop)

DRAWN_IN = {COMPANY.name: "qt", TAX.name: "chromium", SOCIAL.name: "gtk"}


def test_the_approval_form_is_still_the_module_s_form():
    assert spec.form_spec("approval") is spec.APPROVAL
    assert spec.APPROVAL.fields == spec.FIELDS and spec.APPROVAL.tab_order == spec.TAB_ORDER
    assert spec.window_title("qt") == f"{spec.TITLE}（qt）"
    assert json.loads(spec.spec_json())["issues"] == []


@pytest.mark.parametrize("form", COMPANY_FORMS, ids=lambda f: f.name)
def test_each_company_form_reaches_every_box_by_tab_and_names_its_labels_once(form):
    boxes = [f.name for f in form.fields if f.kind != spec.READONLY]
    assert sorted(form.tab_order) == sorted(boxes)
    labels = [f.label for f in form.fields]
    assert len(set(labels)) == len(labels)
    assert spec.form_spec(form.name) is form


def test_an_unknown_form_or_a_toolkit_that_cannot_draw_it_is_a_sentence(toolkit_desktop):  # noqa: F811
    with pytest.raises(TargetError, match="Unknown form 'nope': one of approval, company"):
        toolkit_desktop.launch("qt", spec="nope")
    with pytest.raises(TargetError, match="drawn only in"):
        toolkit_desktop.launch("tk", spec="company")


@pytest.mark.parametrize("form", COMPANY_FORMS, ids=lambda f: f.name)
def test_each_form_starts_empty_in_its_toolkit_and_shows_its_labels_in_the_tree(
        form, toolkit_desktop: ToolkitDesktop):  # noqa: F811
    toolkit = DRAWN_IN[form.name]
    require_toolkit(toolkit)
    target = toolkit_desktop.launch(toolkit, spec=form.name)
    try:
        assert target.title == form.window_title(toolkit)
        state = target.state()
        assert state["fields"] == form.empty_state()["fields"]
        assert state["focused"] == form.first and state["submitted"] is None
        require_atspi_reader()
        tree = toolkit_desktop.atspi_tree(target)
        assert tree["found"], tree["apps"]
        boxes = [w for w in tree["widgets"] if w["role"] in EDITABLE_ROLES]
        for f in form.fields:
            if f.kind in (spec.TEXT, spec.MULTILINE, spec.READONLY):
                assert [w for w in boxes if _labelled(w, f.label)], (f.label, toolkit)
    finally:
        target.close()


def test_the_establishment_form_issues_its_number_on_submit(toolkit_desktop):  # noqa: F811
    """受理编号 is empty until 提交 (the number a scenario keeps); a reset clears it."""
    require_toolkit("qt")
    target = toolkit_desktop.launch("qt", spec=COMPANY.name)
    try:
        target.activate()
        tabs = ["Tab"] * len(COMPANY.tab_order)          # past the last box: 提交
        toolkit_desktop.session.xdotool("key", "--clearmodifiers", "--delay", "30", *tabs)
        target.wait_state(lambda s: s["focused"] == "submit", 5)
        toolkit_desktop.session.xdotool("key", "--clearmodifiers", "space")
        state = target.wait_state(lambda s: s["status"] == spec.SUBMITTED_STATUS, 8)
        assert state["fields"]["case_no"] == ISSUED_NUMBER
        assert state["submitted"]["case_no"] == ISSUED_NUMBER
        assert target.reset()["fields"]["case_no"] == ""
    finally:
        target.close()
