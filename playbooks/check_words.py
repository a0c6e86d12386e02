"""The keys, words and limits of the playbook format the checker knows (playbooks/loader.py
and its mixins: check_sources.py, check_fields.py, check_steps.py), and two helpers they
share. playbooks/README.md documents every `*_KEYS` word (tests/test_playbook_format_documented.py).
"""
from __future__ import annotations

import re

from playbooks.keys import ALIASES, MODIFIERS, NAMED_KEYS, KeyNameError, parse_combo
from playbooks.text import N_
from playbooks.node_words import _did_you_mean

TOP_KEYS = ("deskhand", "id", "name", "department", "description", "source",
            "target", "fields", "verify", "fill", "on_invalid", "batch")
REQUIRED_TOP_KEYS = ("deskhand", "id", "name", "target", "fields", "fill")
TARGET_KEYS = ("title", "title_regex", "process")
FIELD_KEYS = ("name", "label", "type", "required", "choices", "format", "sensitive", "multiline",
              "read", "transform", "derive", "secret")
DERIVE_KEYS = ("from", "part")
# The forms a date field's own check reads back (app/checks/dates.py): a date step on a
# field of type date must write one of them.
CHECKABLE_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")
SOURCE_KEYS = ("kind", "window", "size", "regions", "table")
TABLE_KEYS = ("header", "row", "selected_by")
MATCH_KEYS = ("column", "field")
VERIFY_KEYS = ("lookup", "with", "confirm", "fill")
COMPARE_KEYS = ("rule", "threshold", "as")
READ_KEYS = ("anchor", "direction", "lines", "max_gap", "region", "pattern", "column",
             "constant", "vault")
# read: {constant: …} and read: {vault: …} say where the value comes from on their own
READ_ALONE = ("constant", "vault")
REGION_KEYS = ("x", "y", "width", "height")
STEP_KINDS = ("click", "type", "key", "choose", "wait", "set", "press")
CLICK_KEYS = ("x", "y", "anchor", "dx", "dy", "button", "double")
TYPE_KEYS = ("field", "method", "readback", "clear")
CHOOSE_KEYS = ("field", "options")
WAIT_KEYS = ("seconds", "title", "text", "timeout")
STEP_KEYS: dict[str, tuple[str, ...]] = {
    "click": CLICK_KEYS, "type": TYPE_KEYS, "key": (), "choose": CHOOSE_KEYS, "wait": WAIT_KEYS,
    "set": (), "press": (),
}
TYPE_METHODS = ("auto", "keys", "paste")
BUTTONS = ("left", "right", "middle")

# Words people reach for instead of a step kind.
KIND_SYNONYMS = {
    "keys": "key", "hotkey": "key", "shortcut": "key",
    "select": "choose", "pick": "choose", "option": "choose", "dropdown": "choose",
    "input": "type", "write": "type", "fill": "type", "enter_text": "type",
    "button": "press", "submit": "press", "put": "set",
    "sleep": "wait", "delay": "wait", "pause": "wait",
    "tap": "click", "mouse": "click",
}

ID_RE = re.compile(r"[a-z0-9][a-z0-9_-]*\Z")
FIELD_NAME_RE = re.compile(r"[a-z_][a-z0-9_]*\Z")
LOOKUP_RE = re.compile(r"[a-z0-9][a-z0-9_-]*\.[a-z0-9][a-z0-9_-]*\Z")
# strftime directives that mean the same on Linux and Windows.
STRFTIME_DIRECTIVES = set("aAwdbBmyYHIpMSfzZjUWcxX%")

MAX_SECONDS = 600          # longest wait or timeout, in seconds
MAX_LABEL_HEIGHTS = 100    # largest read: max_gap (a value 100 label heights away is another's)
MAX_ERRORS = 100           # problems reported from one file; the rest after these are fixed
MAX_COORD = 10000          # largest click position or offset, in pixels

_TRANSFORM_EXAMPLES = {"date": "{date: \"%Y-%m-%d\"}", "code": "{code: sex}",
                       "to_code": "{to_code: sex}", "replace": "{replace: {\"－\": \"-\"}}"}
_NUMBERS = {2: N_("two"), 3: N_("three"), 4: N_("four"), 5: N_("five")}
_MERGE_TAG = "tag:yaml.org,2002:merge"



def table_text(text: str) -> str:
    """A header as compared: without spaces (full-width ones too) or a trailing colon."""
    return "".join(text.split()).rstrip(":：")


def _suggest_combo(text: str) -> str | None:
    """A corrected key combination for a misspelt one, or None."""
    parts = [p.strip().lower() for p in text.split("+")]
    if not parts or any(not p for p in parts):
        return None
    fixed = []
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if not last:
            if part in MODIFIERS:
                fixed.append(part)
                continue
            guess = _did_you_mean(part, MODIFIERS)
        else:
            if part in NAMED_KEYS or part in ALIASES or len(part) == 1:
                fixed.append(part)
                continue
            guess = _did_you_mean(part, sorted(NAMED_KEYS | set(ALIASES)))
        if guess is None:
            return None
        fixed.append(guess)
    candidate = "+".join(fixed)
    try:
        parse_combo(candidate)
    except KeyNameError:
        return None
    return candidate if candidate != text.strip().lower() else None
