"""A scenario's forms once loaded: in order, each a playbook with the values to keep from
it when it is filled. (The scenario file itself — documents and targets as written — is
playbooks/scenario.py.)"""
from __future__ import annotations

from dataclasses import dataclass

from playbooks.model import Playbook


@dataclass(frozen=True)
class Keep:
    """A value the form shows once it is filled (a number it issued: 受理编号), read back
    off the target by the label beside it and kept in the case as `field`."""

    field: str
    label: str
    pattern: str | None = None      # a regular expression the whole value must match
    line: int = 0


@dataclass(frozen=True)
class ScenarioForm:
    name: str                       # what the clerk calls it: 设立登记
    playbook: Playbook
    keep: tuple[Keep, ...] = ()
    line: int = 0


@dataclass(frozen=True)
class ScenarioForms:
    """A scenario's forms, resolved (app/scenario/forms.py): `id` names the scenario in
    the case's fill log, where a stopped run resumes."""

    id: str
    name: str
    forms: tuple[ScenarioForm, ...]
