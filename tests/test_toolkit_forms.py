"""The approval form in real toolkits (GTK 3, Tk, Java Swing, Qt, Firefox ESR, Chromium) on
the test run's own Xvfb with accessibility on, judged by each form's own report of what
it holds — never by Deskhand's report (issue 12, "Tests on real toolkits").

For each toolkit: the form starts empty; its AT-SPI tree shows its fields (Tk: nothing —
it has no bridge); and the existing keystroke fill (`deskhand fill`, a playbook per
toolkit in tests/fixtures/playbooks/toolkits/) with hard values lands as the form says.
Java's lost Tab and Tk's read-back, xfails here before, pass since the keystroke way was
made safe (app/fill/keyguard.py; tests/test_keyguard_toolkits.py tries them harder).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.sandbox.toolkits import spec
# the hard values (rare characters, 𠀾, full-width, mixed scripts) and what the form holds
from toolkit_keys import CASE, expected_fields  # noqa: F401 (tests here and elsewhere)
from toolkit_targets import (PLAYBOOKS, ToolkitDesktop, require_atspi_reader,
                                   require_toolkit, toolkit_desktop)  # noqa: F401 (fixture)

pytestmark = [pytest.mark.desktop, pytest.mark.timeout(300)]


def toolkits(known: dict[str, str] | None = None) -> list:
    """Every toolkit as a parameter of the `form` fixture; those in `known` are xfails with
    that reason (what the keystroke fill gets wrong there today): strict, except where it
    goes wrong at random (Java)."""
    known = known or {}
    return [pytest.param(t, id=t, marks=[pytest.mark.xfail(strict=t != "java", reason=known[t])]
                         if t in known else []) for t in spec.TOOLKITS]


@pytest.fixture(scope="module")
def form(request, toolkit_desktop: ToolkitDesktop):
    require_toolkit(request.param)
    f = toolkit_desktop.launch(request.param)
    yield f
    f.close()


# The Java fill went wrong at random (a Tab lost, so two values merged: 12 of 22 fills
# held a wrong field before issue 12's keyguard); four fills would show it again.
RUNS = {"java": 4}


@pytest.fixture(scope="module")
def filled(form, toolkit_desktop: ToolkitDesktop, tmp_path_factory) -> list[dict]:
    """Keystroke fills of CASE into the form (RUNS per toolkit, default one): for each,
    Deskhand's report and exit code, and the form's own report afterwards."""
    tmp = tmp_path_factory.mktemp(f"fill-{form.name}")
    case = tmp / "case.json"
    case.write_text(json.dumps(CASE, ensure_ascii=False), encoding="utf-8")
    runs = []
    for _ in range(RUNS.get(form.name, 1)):
        form.reset()
        form.activate()
        form.wait_state(lambda s: s.get("focused") == spec.FIRST and s.get("active"), 10)
        r = toolkit_desktop.deskhand("fill", str(PLAYBOOKS / f"{form.name}.yaml"), "--case",
                                     str(case), "--yes", "--json", "--wait-focus", "5",
                                     "-o", str(tmp / "kept.json"))
        want = expected_fields()
        try:
            state = form.wait_state(lambda s: s["fields"] == want, 3)
        except TimeoutError:
            state = form.state()
        try:
            report = json.loads(r.stdout)
        except ValueError:
            report = {}
        runs.append({"code": r.returncode, "stderr": r.stderr, "report": report,
                     "state": state})
    return runs


def _differences(state: dict) -> dict:
    want = expected_fields()
    return {n: {"form": state["fields"].get(n), "meant": v}
            for n, v in want.items() if state["fields"].get(n) != v}


# ------------------------------------------------------------------ the form itself
def test_the_form_is_one_spec_for_every_toolkit():
    """Every field that takes focus is in the tab order once; the tab order differs from
    the drawing; one text field has no accessible label; the Swing form's copy of the
    spec has every field."""
    focusable = [f.name for f in spec.FIELDS if f.kind != spec.READONLY]
    assert sorted(spec.TAB_ORDER) == sorted(focusable)
    assert focusable != list(spec.TAB_ORDER)      # drawing order vs keyboard order
    assert [spec.BY_NAME[n].kind for n in spec.UNLABELLED] == [spec.TEXT]
    rows = [line.split("\t") for line in spec.spec_lines().splitlines()]
    assert [r[0] for r in rows] == [f.name for f in spec.FIELDS]
    assert {len(r) for r in rows} == {8}
    assert json.loads(spec.spec_json())["tab_order"] == list(spec.TAB_ORDER)


def test_a_missing_toolkit_is_named_with_its_fix():
    from app.sandbox.toolkits.launch import missing_for
    assert "one of gtk, tk, java, qt, firefox, chromium" in missing_for("motif")


@pytest.mark.parametrize("form", toolkits(), indirect=True)
def test_form_starts_empty_and_reports_its_own_state(form):
    state = form.state()
    empty = spec.empty_state()
    assert state["toolkit"] == form.name
    assert state["title"].startswith(spec.window_title(form.name))
    assert state["fields"] == empty["fields"]
    assert state["enabled"] == empty["enabled"]        # 受理编号 and 配偶姓名 disabled
    assert state["focused"] == spec.FIRST and state["active"] is True
    assert state["status"] == "" and state["submitted"] is None
    assert form.launch_seconds > 0


def _labelled(widget: dict, label: str) -> bool:
    names = [widget["name"], *widget["labelled_by"]]
    return any(n.strip().rstrip("：:").strip() == label for n in names)


# Where each toolkit puts the words of a label: in the box's own name (Java, Qt, the
# browsers), in a labelled-by relation (GTK, Qt, Firefox), or both. Either will do.
EDITABLE_ROLES = {"text", "entry"}


@pytest.mark.parametrize("form", toolkits(), indirect=True)
def test_accessibility_tree_shows_the_fields(form, toolkit_desktop: ToolkitDesktop):
    """The harness turns accessibility on for every toolkit that has a bridge: every
    labelled box is found by its label, the unlabelled 电子邮箱 box has no name (it must
    be found by geometry), the disabled boxes say so, and the choices and the button
    are there by their visible text. Tk has no AT-SPI bridge on Linux: it shows nothing."""
    require_atspi_reader()
    tree = toolkit_desktop.atspi_tree(form)
    if form.name == "tk":
        assert not tree["found"], tree["apps"]
        return
    assert tree["found"], f"{form.name} is not in the AT-SPI tree: {tree['apps']}"
    widgets = tree["widgets"]
    boxes = [w for w in widgets if w["role"] in EDITABLE_ROLES]
    for f in spec.FIELDS:
        if f.kind not in (spec.TEXT, spec.MULTILINE, spec.READONLY) or not f.labelled:
            continue
        found = [w for w in boxes if _labelled(w, f.label)]
        assert found, f"{f.label}: no box named or labelled-by it in {form.name}"
        enabled = "enabled" in found[0]["states"] or "sensitive" in found[0]["states"]
        assert enabled == spec.empty_state()["enabled"][f.name], (f.label, found[0])
    unnamed = [w for w in boxes if not w["name"] and not any(w["labelled_by"])]
    assert unnamed, f"{form.name}: the unlabelled 电子邮箱 box should have no accessible name"
    roles = {(w["role"], w["name"]) for w in widgets}
    for option in spec.BY_NAME["gender"].options:
        assert ("radio button", option) in roles
    assert any(w["role"] == "combo box" for w in widgets)
    assert ("check box", spec.BY_NAME["verified"].label) in roles
    assert ("push button", spec.SUBMIT_LABEL) in roles


# ------------------------------------------------------------------ the keystroke fill
@pytest.mark.parametrize("form", toolkits(), indirect=True)
def test_keystroke_fill_lands_in_the_form(filled):
    """Every hard value is where it belongs, by the form's own report; 配偶姓名 was
    enabled by 已婚 and filled; nothing was typed into 受理编号."""
    for run in filled:
        assert _differences(run["state"]) == {}, run["stderr"]
        assert run["state"]["enabled"]["spouse_name"] is True


@pytest.mark.parametrize("form", toolkits(), indirect=True)
def test_readback_never_confirms_what_the_form_does_not_hold(filled):
    """A field Deskhand reports as read back ok holds exactly that value in the form."""
    for run in filled:
        state, fields = run["state"], run["report"].get("fields", [])
        assert fields, run["stderr"]
        false = {f["field"]: state["fields"].get(f["field"]) for f in fields
                 if f["status"] == "readback_ok"
                 and state["fields"].get(f["field"]) != CASE[f["field"]]}
        assert false == {}


@pytest.mark.parametrize("form", toolkits(), indirect=True)
def test_every_typed_value_is_confirmed_by_readback(filled):
    """Every typed value is confirmed by reading it back (choices are not read back by
    keystrokes and say so), and the fill ends with exit code 0."""
    for run in filled:
        fields = run["report"].get("fields", [])
        assert fields, run["stderr"]
        unconfirmed = {f["field"]: f["status"] for f in fields
                       if f["method"] and f["status"] not in ("readback_ok", "chosen")}
        assert unconfirmed == {}
        assert run["code"] == 0, run["stderr"]


# What the tree gives instead of a value holding a character beyond the BMP (the CASE
# values holding one end with it), as measured here: Java's ATK bridge gives nothing, and
# Firefox an extra U+FEFF after it. A reader of the tree must allow for both.
BEYOND_BMP_READS = {"java": lambda v: "", "firefox": lambda v: v + "\ufeff"}


@pytest.mark.parametrize("form", toolkits(), indirect=True)
def test_accessibility_tree_reads_what_the_form_holds(filled, form,
                                                      toolkit_desktop: ToolkitDesktop):
    """After the fill, each labelled box's text in the AT-SPI tree is what the form itself
    reports (whatever the fill got right or wrong) — except a value with a character
    beyond the BMP, which Java and Firefox garble (BEYOND_BMP_READS)."""
    require_atspi_reader()
    if form.name == "tk":
        pytest.skip("Tk has no AT-SPI bridge (test_accessibility_tree_shows_the_fields)")
    state = form.state()
    tree = toolkit_desktop.atspi_tree(form)
    boxes = [w for w in tree["widgets"] if w["role"] in EDITABLE_ROLES]
    got, want = {}, {}
    garble = BEYOND_BMP_READS.get(form.name, lambda v: v)
    for f in spec.FIELDS:
        if f.kind in (spec.TEXT, spec.MULTILINE) and f.labelled:
            found = [w for w in boxes if _labelled(w, f.label)]
            got[f.name] = found[0]["text"] if found else None
            value = state["fields"][f.name]
            want[f.name] = garble(value) if any(ord(c) > 0xFFFF for c in value) else value
    assert got == want
