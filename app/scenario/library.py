"""The scenarios a clerk can pick in the tray, and the values one review shows for them.

A scenario in the library is a pack folder (a folder holding scenario.yaml) inside one of
the playbook folders, whose scenario names forms to fill (`targets:`). A pack with
documents only is written with `deskhand docs`, not picked in the tray. A broken pack is
listed with its first error, as a broken playbook is.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from app.cases import Case
from app.scenario.model import ScenarioForms
from playbooks.errors import PlaybookErrors
from playbooks.model import FieldSpec, Playbook
from playbooks.scenario import SCENARIO_FILE, load_scenario

__all__ = ["ScenarioEntry", "ScenarioShelf", "find_scenarios", "review_playbook",
           "issued_names", "group_lines"]


@dataclass(frozen=True)
class ScenarioEntry:
    id: str          # the pack's folder name (as the case's fill log names it)
    name: str        # what the clerk calls it: 企业开办
    path: Path       # the pack folder
    documents: int   # how many documents it writes


@dataclass
class ScenarioShelf:
    scenarios: list[ScenarioEntry] = field(default_factory=list)
    broken: list[tuple[Path, str]] = field(default_factory=list)   # folder, first error line

    def get(self, scenario_id: str | None) -> ScenarioEntry | None:
        return next((s for s in self.scenarios if s.id == scenario_id), None)


def find_scenarios(folders: Iterable[str | Path]) -> ScenarioShelf:
    """The packs with targets in `folders` (subfolders holding scenario.yaml); the first
    of two with the same id wins, as for playbooks."""
    shelf = ScenarioShelf()
    seen: set[str] = set()
    for folder in map(Path, folders):
        try:
            packs = sorted(p for p in folder.iterdir() if (p / SCENARIO_FILE).is_file()) \
                if folder.is_dir() else []
        except OSError:
            continue           # the playbook library lists an unreadable folder already
        for pack in packs:
            try:
                scenario = load_scenario(pack)
            except PlaybookErrors as exc:
                shelf.broken.append((pack, str(exc).splitlines()[0]))
                continue
            if not scenario.targets or pack.name in seen:
                continue
            seen.add(pack.name)
            shelf.scenarios.append(ScenarioEntry(pack.name, scenario.name, pack,
                                                 len(scenario.documents)))
    return shelf


def issued_names(forms: ScenarioForms) -> set[str]:
    """Fields a form issues while the scenario runs (kept off its window): not in the case
    before the fill, so not for the clerk to review."""
    return {k.field for form in forms.forms for k in form.keep}


def review_playbook(forms: ScenarioForms, case: Case) -> Playbook:
    """One playbook holding every field any form types, once, in the order the forms type
    them (the first form's spec of a field wins): the review checks them all at once, with
    the same gate each form's fill runs. Values a form issues are left out unless the case
    holds them already (a run resumed after the form that issued them)."""
    issued = issued_names(forms)
    specs: dict[str, FieldSpec] = {}
    steps = []
    for form in forms.forms:
        pb = form.playbook
        for _i, step in pb.field_steps():
            if step.field in specs or (step.field in issued and not case.value(step.field)):
                continue
            specs[step.field] = pb.field_spec(step.field)
            steps.append(step)
    first = forms.forms[0].playbook
    return dataclasses.replace(first, id=forms.id, name=forms.name, fields=tuple(specs.values()),
                               steps=tuple(steps), path=None, verify=(), source={},
                               source_spec=None)


def group_lines(case: Case, mask: Callable[[str], str],
                word: Callable[[str], str] = str) -> list[str]:
    """The case's repeating groups as lines a clerk reads (`mask` hides ID numbers and
    phones; `word` names a status): 'shareholders 1: name 张三 · share 60 (Invalid)' — a value
    marked when its status is not ok (the intake form's checks)."""
    lines = []
    for group, members in case.groups.items():
        for n, member in enumerate(members, 1):
            parts = []
            for key, value in member.items():
                if value in (None, ""):
                    continue
                status = case.status_in_group(group, n - 1, key)
                parts.append(f"{key} {mask(str(value))}"
                             + ("" if status == "ok" else f" ({word(status)})"))
            lines.append(f"{group} {n}: " + " · ".join(parts))
    return lines
