"""playbooks/README.md documents every key and every word the loader accepts (issue 11: the
page says undocumented keys are errors, so an accepted key it does not mention is a lie).

The vocabulary is taken from the checker itself: every module-level `*_KEYS` tuple of
playbooks/check_words.py and playbooks/steps_addressed.py (a new one is picked up without
touching this test) and the closed lists of playbooks/model.py the loader checks values
against. A word counts as documented
when the README shows it as code: inside backticks, or as a key in one of its YAML blocks.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

import playbooks.check_fields as check_fields
import playbooks.check_sources as check_sources
import playbooks.check_steps as check_steps
import playbooks.check_words as check_words
import playbooks.model as model
import playbooks.steps_addressed as steps_addressed
from playbooks.loader import load_playbook_text
from playbooks.errors import PlaybookError

README = Path(__file__).resolve().parent.parent / "playbooks" / "README.md"

# closed lists of values the loader accepts (playbooks/model.py, playbooks/check_words.py)
VALUE_LISTS = ("FIELD_TYPES", "SOURCE_KINDS", "READ_DIRECTIONS", "TABLE_ROWS", "SELECTED_BY", "ID_PARTS",
               "TRANSFORM_NAMES", "TRANSFORM_KINDS", "SHIPPED_DICTIONARIES", "DERIVE_PARTS",
               "COMPARE_RULES", "SET_METHODS", "AT_ROLES", "ON_INVALID")
LOADER_LISTS = ("STEP_KINDS", "TYPE_METHODS", "BUTTONS")


def accepted_words() -> dict[str, set[str]]:
    """Every key and closed-list word the loader accepts, by where it comes from."""
    out: dict[str, set[str]] = {}
    for module in (check_words, steps_addressed):
        where = module.__name__.rsplit(".", 1)[-1]
        for name, value in vars(module).items():
            if name.endswith("_KEYS") and isinstance(value, tuple):
                out[f"{where}.{name}"] = set(value)
    for name in LOADER_LISTS:
        out[f"check_words.{name}"] = set(getattr(check_words, name))
    for name in VALUE_LISTS:
        out[f"model.{name}"] = set(getattr(model, name))
    return out


def shown_as_code(markdown: str) -> set[str]:
    """Words the page shows as code: in `backticks` (split on anything not a word) and the
    keys of its ```yaml blocks."""
    words: set[str] = set()
    for span in re.findall(r"`([^`\n]+)`", markdown):
        words.update(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", span))
    for block in re.findall(r"^```yaml\n(.*?)^```", markdown, flags=re.S | re.M):
        words.update(re.findall(r"([A-Za-z_][A-Za-z0-9_]*)\s*:", block))
        words.update(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", block))
    return words


def undocumented(markdown: str) -> list[str]:
    shown = shown_as_code(markdown)
    return sorted(f"{where}: {word}" for where, words in accepted_words().items()
                  for word in words if word not in shown)


def test_every_key_and_word_the_loader_accepts_is_in_the_readme():
    assert undocumented(README.read_text(encoding="utf-8")) == []


def test_the_check_finds_a_key_the_readme_leaves_out():
    text = README.read_text(encoding="utf-8")
    # a README without any mention of max_gap (a key of read:) must be caught
    stripped = re.sub(r"max_gap", "XXXX", text)
    assert "check_words.READ_KEYS: max_gap" in undocumented(stripped)


def test_the_vocabulary_is_what_the_loader_really_checks(monkeypatch):
    """The tuples read above are the loader's real gate: a key outside them is refused,
    and one added to them is accepted (so a key documented nowhere cannot slip in
    through some other path)."""
    base = ("deskhand: 1\nid: t\nname: 测试\ntarget:\n  title: \"城市审批*\"\n"
            "fields:\n  - name: applicant_name\n    read: {anchor: 姓名, colour: red}\n"
            "fill:\n  - type: applicant_name\n")
    with pytest.raises(PlaybookError) as e:
        load_playbook_text(base, "t.yaml")
    assert "colour" in str(e.value)
    wider = (*check_words.READ_KEYS, "colour")
    monkeypatch.setattr(check_words, "READ_KEYS", wider)
    monkeypatch.setattr(check_sources, "READ_KEYS", wider)      # where the checker reads it
    load_playbook_text(base, "t.yaml")           # now accepted, and so it must be documented
    assert "check_words.READ_KEYS: colour" in undocumented(README.read_text(encoding="utf-8"))


def test_the_checker_reads_the_very_vocabulary_this_test_reads():
    """The checker's parts take every *_KEYS tuple from check_words (or steps_addressed),
    not copies of their own: the tuples read above are the ones checked against."""
    home = {**vars(check_words), **vars(steps_addressed)}
    for module in (check_sources, check_fields, check_steps):
        for name, value in vars(module).items():
            if name.endswith("_KEYS") and isinstance(value, tuple):
                assert value is home[name], f"{module.__name__}.{name}"
