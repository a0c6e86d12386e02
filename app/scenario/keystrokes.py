"""The keys a clerk would press to do a scenario's work by hand, against the keys Deskhand
asks of the clerk for the same work (bench/scenario.py prints both).

The model (a count, not a timing; every figure here is a choice, written down):
- A Chinese character costs what full pinyin costs with a phrase IME (Microsoft Pinyin,
  Sogou): PINYIN_LETTERS letters per character — the mean length of a pinyin syllable in
  running text is about 3 letters (de, shi, yi, zhong, guo…) — plus one selection key
  (Space or a digit) per HANZI_PER_WORD characters, a word of two characters chosen at once.
  The pessimistic model (`KeyModel.perfect_ime()`) costs one key per character and no
  selection: an IME that always guesses right from the first letter; the ratio under it
  is printed too, so that the claim does not rest on the pinyin figure.
- Digits, Latin letters, ASCII punctuation, full-width digits and punctuation: one key each
  (Shift for a capital is not counted). Switching the IME between Chinese and English
  (Shift) between runs: one key.
- Moving to the next box (Tab, or a click on it): one key per value.
- A drop-down or radio group: the keys the playbook gives for that item (`options:`), else
  its place among the field's choices + 1 (Home, then Down to it); no choices known: 2.
- A document: every value the template places in it (app/docs/templates.py `values`, once per
  row of a table) typed into the Word file, with one click to get to its place.
What Deskhand asks of the clerk (`deskhand_actions`), the tray's way: the fill hotkey (its
keys, from the settings' default), one confirmation of the review for all forms, the 生成文书
button, and one key more for where the documents go (the tray puts them in the cases folder
without asking: counted all the same, so as not to flatter Deskhand). Opening the clients, pressing their submit buttons and reading the
documents are the same both ways and counted in neither. The intake (一张表单) is filled by
the applicant, the ID card read by OCR: it is counted apart (`intake_keys`), for the case
where the clerk types it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Iterable

from app.cases import Case
from app.fill.engine import holds
from app.fill.values import text_for
from app.settings import DEFAULT_HOTKEYS
from playbooks.model import ChooseStep, Playbook, SetStep

__all__ = ["KLM_KEY_S", "KLM_MENTAL_S", "klm_seconds", "KeyModel", "ValueKeys", "JobKeys",
           "text_keys", "form_keys", "document_keys", "intake_keys", "deskhand_actions", "saved_ratio"]


# The keystroke-level model's costs (Card, Moran & Newell), for the benches' "by hand"
# figures: a key of an average skilled typist (40 words a minute), and the mental act of
# finding the next value and its box.
KLM_KEY_S = 0.28
KLM_MENTAL_S = 1.35


def klm_seconds(keys: int, acts: float) -> float:
    """Seconds by hand for `keys` keystrokes and `acts` values looked for."""
    return keys * KLM_KEY_S + acts * KLM_MENTAL_S


@dataclass(frozen=True)
class KeyModel:
    pinyin_letters: float = 3.0     # letters typed per Chinese character
    hanzi_per_word: int = 2         # characters chosen with one selection key
    move: int = 1                   # Tab or a click to the next box

    @staticmethod
    def perfect_ime() -> "KeyModel":
        return KeyModel(pinyin_letters=1.0, hanzi_per_word=0)


@dataclass(frozen=True)
class ValueKeys:
    field: str
    text: str
    keys: int


@dataclass
class JobKeys:
    """One form or one document done by hand: its values and their keys."""

    name: str
    values: list[ValueKeys] = field(default_factory=list)

    @property
    def keys(self) -> int:
        return sum(v.keys for v in self.values)


def is_hanzi(ch: str) -> bool:
    """A character typed through the pinyin IME (CJK ideographs, extensions, 〇)."""
    cp = ord(ch)
    return ch == "〇" or 0x3400 <= cp <= 0x9FFF or 0xF900 <= cp <= 0xFAFF or 0x20000 <= cp <= 0x3FFFF


def _mode(ch: str) -> str | None:
    """The IME mode a character is typed in: Chinese (anything not ASCII), English (ASCII
    letters and punctuation), or either (digits and spaces go through in both)."""
    if ch.isascii():
        return None if ch.isdigit() or ch.isspace() else "en"
    return "zh"


def text_keys(text: str, model: KeyModel = KeyModel()) -> int:
    """Keys to type `text` by hand under `model` (see the module docstring)."""
    keys, run = 0, 0
    for ch in text + "\0":
        if is_hanzi(ch):
            run += 1
            continue
        if run:
            keys += math.ceil(run * model.pinyin_letters)
            keys += math.ceil(run / model.hanzi_per_word) if model.hanzi_per_word else 0
            run = 0
        if ch == "\0":
            break
        keys += 1
    mode = None
    for ch in text:                 # one Shift per switch between Chinese and English
        now = _mode(ch)
        if now is not None:
            keys += mode is not None and now != mode
            mode = now
    return keys


def _choice_keys(spec_choices: tuple[str, ...], options: dict, value: str) -> int:
    if value in options:
        return max(1, len(options[value]))
    if value in spec_choices:
        return spec_choices.index(value) + 1
    return 2


def form_keys(name: str, playbook: Playbook, case: Case, model: KeyModel = KeyModel()) -> JobKeys:
    """The keys to fill `playbook`'s form from `case` by hand: each field the fill puts in
    the form (once, as its steps allow for this case), with the text as it is typed."""
    job, seen = JobKeys(name), set()
    for _i, step in playbook.field_steps():
        if step.field in seen or (step.when is not None and not holds(step.when, case)):
            continue
        value = case.value(step.field)
        if value in (None, ""):
            continue
        seen.add(step.field)
        spec = playbook.field_spec(step.field)
        options = step.options if isinstance(step, (SetStep, ChooseStep)) else {}
        if spec.type == "choice" or isinstance(step, ChooseStep):
            keys = _choice_keys(spec.choices, options, value)
            text = value
        else:
            text = text_for(spec, value)
            keys = text_keys(text, model)
        job.values.append(ValueKeys(step.field, text, keys + model.move))
    return job


def document_keys(title: str, placed: Iterable[dict], model: KeyModel = KeyModel()) -> JobKeys:
    """The keys to write a document by hand: every value placed in it (the rows of
    app/docs/templates.py TemplateInfo.values: placeholder, fields, value), each typed
    after a click on its place."""
    job = JobKeys(title)
    for row in placed:
        text = str(row["value"])
        job.values.append(ValueKeys("、".join(row.get("fields") or ()) or row["placeholder"],
                                    text, text_keys(text, model) + model.move))
    return job


def intake_keys(case: Case, model: KeyModel = KeyModel()) -> JobKeys:
    """The keys to type the case itself once (every value and every group row's values):
    what the intake costs whoever fills it in."""
    job = JobKeys("一张表单")
    for name, fv in case.fields.items():
        if fv.value not in (None, ""):
            job.values.append(ValueKeys(name, fv.value, text_keys(fv.value, model) + model.move))
    for group, rows in case.groups.items():
        for i, row in enumerate(rows, 1):
            for name, value in row.items():
                if value not in (None, ""):
                    job.values.append(ValueKeys(f"{group}[{i}].{name}", value,
                                                text_keys(value, model) + model.move))
    return job


def deskhand_actions(forms: int, documents: int) -> list[tuple[str, int]]:
    """What the clerk presses with Deskhand for the same work: (what, keys)."""
    actions = []
    if forms:
        actions += [("fill hotkey " + DEFAULT_HOTKEYS["fill"], len(DEFAULT_HOTKEYS["fill"].split("+"))),
                    ("confirm the review once for all forms", 1)]
    if documents:
        actions += [("the 生成文书 button", 1), ("where the documents go", 1)]
    return actions


def saved_ratio(by_hand: int, with_deskhand: int) -> float:
    """The share of the by-hand keys the clerk does not press (0 when there is nothing)."""
    return 0.0 if by_hand <= 0 else max(0.0, (by_hand - with_deskhand) / by_hand)
