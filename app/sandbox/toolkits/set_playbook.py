"""The set-step playbook of the toolkit forms (spec.py): every field addressed by its label,
whatever the tab order; 配偶姓名 only when 婚姻状况 is 已婚; then 提交 pressed.

The same playbook is written in tests/fixtures/playbooks/toolkits/spec_form_set.yaml; until
the loader reads set steps (issue 12, part "fmt") tests and bench/fill_toolkits.py build it
here. `options` are the keys the keystroke way uses for a choice after clicking beside its
label (Tk, whose widgets the tree does not show).
"""
from __future__ import annotations

from app.sandbox.toolkits import spec
from playbooks.keys import parse_combo
from playbooks.model import (Condition, FieldAddress, FieldSpec, Playbook, PressStep, SetStep,
                             TargetSpec)

TARGET_TITLE = spec.TITLE + "*"

# name -> (type, extra FieldSpec arguments)
TYPES = {"birth_date": ("date", {"format": "%Y-%m-%d"}), "id_number": ("id_number", {}),
         "phone": ("phone", {}), "credit_code": ("credit_code", {})}
OPTIONAL = ("spouse_name", "email", "remarks")
# Tk, by keys after a click beside the label: Space takes the radio button clicked (女 is
# Tab, Space away); the click opens the drop-down's list, Down moves in it and Return
# takes the entry; Space ticks the check box.
KEYS = {"gender": {"男": ("space",), "女": ("tab", "space")},
        "marital_status": {v: ("down",) * (i + 1) + ("return",)
                           for i, v in enumerate(spec.BY_NAME["marital_status"].options)},
        "verified": {"是": ("space",)}}


def field_specs() -> tuple[FieldSpec, ...]:
    out = []
    for f in spec.FIELDS:
        if f.kind == spec.READONLY:
            continue
        kind, extra = TYPES.get(f.name, ("text", {}))
        if f.kind in (spec.RADIO, spec.SELECT):
            kind, extra = "choice", {"choices": f.options}
        elif f.kind == spec.CHECK:
            kind, extra = "choice", {"choices": ("是",)}
        out.append(FieldSpec(f.name, kind, f.label, required=f.name not in OPTIONAL,
                             multiline=f.kind == spec.MULTILINE, sensitive=kind == "id_number",
                             **extra))   # type: ignore[arg-type]
    return tuple(out)


def set_playbook(method: str = "auto", dx: dict[str, int] | None = None,
                 press: bool = True) -> Playbook:
    """Every field set by label (`method` auto, accessible or keys), in drawing order.
    `dx`: the keystroke way's click offset from a label's right end, per field."""
    dx = dx or {}
    steps: list = []
    for f in field_specs():
        when = None
        if spec.BY_NAME[f.name].enabled_when:
            other, value = spec.BY_NAME[f.name].enabled_when     # type: ignore[misc]
            when = Condition(other, (value,))
        options = {k: tuple(parse_combo(x) for x in v) for k, v in KEYS.get(f.name, {}).items()}
        steps.append(SetStep(f.name, FieldAddress(f.label, dx=dx.get(f.name)), method,  # type: ignore[arg-type]
                             options=options, when=when))
    if press:
        steps.append(PressStep(spec.SUBMIT_LABEL))
    return Playbook("toolkit-spec-form-set", "受理登记（按标签填写）",
                    TargetSpec(title=TARGET_TITLE), field_specs(), tuple(steps))
