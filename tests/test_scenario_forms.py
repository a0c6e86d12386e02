"""A scenario file's targets as forms (app/scenario/forms.py): playbooks beside the
scenario or in the library, names, values to keep, and each mistake as file:line."""
from __future__ import annotations

import pytest

from app.errors import UsageError
from app.i18n import using
from app.scenario.cli import is_scenario
from app.scenario.forms import scenario_forms
from playbooks.errors import PlaybookErrors
from playbooks.loader import load_playbook
from playbooks.scenario import load_scenario

PLAYBOOK = """deskhand: 1
id: {id}
name: {name}
target: {{title: "{name}*"}}
fields:
  - {{name: applicant_name, label: 姓名, type: text}}
fill:
  - type: applicant_name
"""


def pack(tmp_path, targets: str):
    (tmp_path / "a.yaml").write_text(PLAYBOOK.format(id="form-a", name="设立登记"), encoding="utf-8")
    (tmp_path / "scenario.yaml").write_text("scenario: 1\nname: 企业开办\ntargets:\n" + targets,
                                            encoding="utf-8")
    return load_scenario(tmp_path)


def resolver(tmp_path):
    library = {"form-b": PLAYBOOK.format(id="form-b", name="税务登记")}

    def resolve(ref: str):
        if ref.endswith(".yaml"):
            return load_playbook(ref)
        if ref in library:
            (tmp_path / "lib.yaml").write_text(library[ref], encoding="utf-8")
            return load_playbook(tmp_path / "lib.yaml")
        raise UsageError(f"There is no playbook '{ref}'.")
    return resolve


def test_targets_beside_the_scenario_or_in_the_library_in_order(tmp_path):
    forms = scenario_forms(pack(tmp_path, "  - a.yaml\n  - playbook: form-b\n    name: 税务\n"
                                          "    keep:\n      - {field: tax_no, label: 税号,"
                                          " pattern: '\\d{15}'}\n"), resolver(tmp_path))
    assert forms.id == tmp_path.name and forms.name == "企业开办"
    assert [(f.name, f.playbook.id) for f in forms.forms] == [("设立登记", "form-a"), ("税务", "form-b")]
    assert [(k.field, k.label, k.pattern) for k in forms.forms[1].keep] == [("tax_no", "税号", r"\d{15}")]
    assert is_scenario(str(tmp_path)) and is_scenario(str(tmp_path / "scenario.yaml"))
    assert not is_scenario(str(tmp_path / "a.yaml"))


@pytest.mark.parametrize("targets,line,words", [
    ("  - nothing-here\n", 4, "no playbook 'nothing-here'"),
    ("  - a.yaml\n  - {name: 税务}\n", 5, "the target has no 'playbook'"),
    ("  - {playbook: a.yaml, keep: [{field: 9x, label: 税号}]}\n", 4, "cannot be a field name"),
    ("  - {playbook: a.yaml, keep: [{field: tax_no}]}\n", 4, "'field' (a field name) and 'label'"),
    ("  - {playbook: a.yaml, keep: [{field: t, label: 税号, pattern: '('}]}\n", 4,
     "not a regular expression"),
    ("  - {playbook: a.yaml, forms: 2}\n", 4, "unknown key 'forms'"),
])
def test_each_mistake_in_the_targets_names_its_line(tmp_path, targets, line, words):
    scenario = pack(tmp_path, targets)
    with using("en"), pytest.raises(PlaybookErrors) as info:
        scenario_forms(scenario, resolver(tmp_path))
    shown = str(info.value)
    assert f"scenario.yaml:{line}: " in shown and words in shown, shown


def test_a_scenario_of_documents_only_is_not_filled(tmp_path):
    (tmp_path / "scenario.yaml").write_text(
        "scenario: 1\nname: x\ndocuments:\n  - {template: t.docx, output: o, title: T}\n",
        encoding="utf-8")
    with using("en"), pytest.raises(PlaybookErrors) as info:
        scenario_forms(load_scenario(tmp_path), resolver(tmp_path))
    assert "has no 'targets'" in str(info.value)
