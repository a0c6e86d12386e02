"""A scenario file's `targets:` turned into the forms the runner fills.

    targets:
      - 设立登记.yaml                      # a playbook file beside scenario.yaml, or a library id
      - playbook: tax-registration         # or a mapping:
        name: 税务登记                      #   what the clerk calls the form (default: the
        keep:                              #   playbook's name)
          - {field: registration_no, label: 受理编号, pattern: "SL-\\d{8}-\\d{4}"}

`keep` names the values the form shows once filled (a number it issued), read off its
window by the label beside them and kept in the case for the forms after it. Problems are
PlaybookErrors, `file:line: message`, as for playbooks.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Callable

from playbooks.errors import PlaybookError, PlaybookErrors
from playbooks.loader import FIELD_NAME_RE
from playbooks.model import Playbook
from playbooks.scenario import SCENARIO_FILE, Scenario
from playbooks.text import _

from app.scenario.model import Keep, ScenarioForm, ScenarioForms

Resolve = Callable[[str], Playbook]      # a playbook file or library id → the playbook


def scenario_forms(scenario: Scenario, resolve: Resolve) -> ScenarioForms:
    """The forms of `scenario`, each target's playbook loaded by `resolve` (a file is looked
    for beside the scenario first). Raises PlaybookErrors naming the scenario's lines."""
    errors: list[PlaybookError] = []
    forms: list[ScenarioForm] = []
    where = str(scenario.path)
    if not scenario.targets:
        raise PlaybookErrors([PlaybookError(where, 1, _(
            "the scenario has no 'targets': name the playbooks of the forms to fill"))])
    for written, line in scenario.targets:
        ref, name, keep = _entry(written, line, where, errors)
        if ref is None:
            continue
        beside = scenario.folder / ref
        try:
            playbook = resolve(str(beside) if beside.is_file() else ref)
        except PlaybookErrors as exc:
            errors += exc.errors
            continue
        except Exception as exc:          # UsageError: no such playbook (its sentence)
            errors.append(PlaybookError(where, line, getattr(exc, "message", str(exc))))
            continue
        forms.append(ScenarioForm(name or playbook.name, playbook, keep, line))
    if errors:
        raise PlaybookErrors(errors)
    return ScenarioForms(_scenario_id(scenario), scenario.name, tuple(forms))


def _scenario_id(scenario: Scenario) -> str:
    """The pack's folder name, or the file's stem for a lone scenario file."""
    return scenario.folder.name if scenario.path.name == SCENARIO_FILE else scenario.path.stem


def _entry(written: Any, line: int, where: str, errors: list[PlaybookError]
           ) -> tuple[str | None, str | None, tuple[Keep, ...]]:
    if isinstance(written, str) and written.strip():
        return written.strip(), None, ()
    if not isinstance(written, dict):
        errors.append(PlaybookError(where, line, _(
            "a target is a playbook (a file or an id) or a mapping with 'playbook', 'name' "
            "and 'keep'")))
        return None, None, ()
    unknown = [k for k in written if k not in ("playbook", "name", "keep")]
    if unknown:
        errors.append(PlaybookError(where, line, _(
            "unknown key '{key}'; a target has 'playbook', 'name' and 'keep'", key=unknown[0])))
    ref, name = written.get("playbook"), written.get("name")
    if not isinstance(ref, str) or not ref.strip():
        errors.append(PlaybookError(where, line, _("the target has no 'playbook'")))
        ref = None
    if name is not None and (not isinstance(name, str) or not name.strip()):
        errors.append(PlaybookError(where, line, _("the target's 'name' must be text")))
        name = None
    keep = _keeps(written.get("keep"), line, where, errors)
    return (ref.strip() if ref else None), (name.strip() if name else None), keep


def _keeps(written: Any, line: int, where: str, errors: list[PlaybookError]) -> tuple[Keep, ...]:
    if written is None:
        return ()
    if not isinstance(written, list):
        errors.append(PlaybookError(where, line, _(
            "'keep' is a list of values to keep, each with 'field' and 'label'")))
        return ()
    out: list[Keep] = []
    for item in written:
        if not isinstance(item, dict) or not isinstance(item.get("field"), str) \
                or not isinstance(item.get("label"), str) or not item["label"].strip():
            errors.append(PlaybookError(where, line, _(
                "each value to keep needs 'field' (a field name) and 'label' (the text beside "
                "it on the form)")))
            continue
        if not FIELD_NAME_RE.match(item["field"]):   # as a playbook's fields are named
            errors.append(PlaybookError(where, line, _(
                "'{field}' cannot be a field name: use lower-case letters, digits and _",
                field=item["field"])))
            continue
        pattern = item.get("pattern")
        if pattern is not None:
            try:
                re.compile(str(pattern))
            except re.error as exc:
                errors.append(PlaybookError(where, line, _(
                    "the pattern of '{field}' is not a regular expression: {problem}",
                    field=item["field"], problem=exc)))
                continue
        out.append(Keep(item["field"], item["label"].strip(),
                        None if pattern is None else str(pattern), line))
    return tuple(out)
