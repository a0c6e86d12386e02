"""Playbook format v1, as plain data. The loader (playbooks/loader.py) builds these
from YAML and checks them; the engine only ever sees a valid Playbook.

Every object keeps `line`, the YAML line it came from, so that later stages can
still point a supervisor at the right place.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, Union

from playbooks.keys import KeyCombo

if TYPE_CHECKING:  # pragma: no cover
    from playbooks.batch_grid import GridSpec

FORMAT_VERSION = 1
FIELD_TYPES = ("text", "id_number", "credit_code", "date", "phone", "choice", "bank_card")
FieldType = Literal["text", "id_number", "credit_code", "date", "phone", "choice", "bank_card"]
TypeMethod = Literal["auto", "keys", "paste"]


SOURCE_KINDS = ("screen", "window", "image", "idcard")
READ_DIRECTIONS = ("right", "below")


@dataclass(frozen=True)
class Region:
    """A rectangle in logical pixels (as at 100% display scale)."""

    x: int
    y: int
    width: int
    height: int


@dataclass(frozen=True)
class ReadSpec:
    """Where a field's value is on the source (see playbooks/README.md, "Reading")."""

    anchor: str | None = None          # the label printed next to the value, e.g. 姓名
    also: tuple[str, ...] = ()         # other wordings of that label (住址 / 户籍地址), tried in turn
    direction: Literal["right", "below"] = "right"
    lines: int = 1                     # values that wrap (住址) span several lines
    max_gap: float | None = None       # farthest start of the value, in label heights (None: 6 right, 1.5 below)
    region: Region | None = None       # relative to the anchor's top-left, or to the source
    pattern: str | None = None         # a regular expression over the text read
    clerk: bool = False                # not on the source: the clerk gives it (review, --set)
    column: str | None = None          # with a table source: the header of the value's column
    constant: str | None = None        # not on the source: the same text for every case
    vault: str | None = None           # a credential's name: read from the keyring when filling
    line: int = 0


TABLE_ROWS = ("selected", "first", "all")
SELECTED_BY = ("checkbox", "highlight", "auto")


@dataclass(frozen=True)
class RowMatch:
    """`row: {match: {column, field}}`: the row whose `column` equals the value of `field`
    given at capture (`deskhand capture --match FIELD=VALUE`)."""

    column: str
    field: str


@dataclass(frozen=True)
class TableSpec:
    """A grid read by column (see playbooks/README.md, "Tables and grids"): each column
    spans from its header's left edge to the next header's; one row, or every row."""

    header: tuple[str, ...]
    row: Literal["selected", "first", "all"] | RowMatch = "selected"
    selected_by: Literal["checkbox", "highlight", "auto"] = "auto"
    line: int = 0


@dataclass(frozen=True)
class SourceSpec:
    """What `deskhand capture` reads: the screen, a window, an image, or an ID card."""

    kind: Literal["screen", "window", "image", "idcard"] = "screen"
    window: str | None = None          # title glob, for kind window
    size: tuple[int, int] | None = None  # logical size the regions were written for
    regions: tuple[Region, ...] = ()   # only these parts are read (faster than the whole)
    table: TableSpec | None = None     # a grid: fields read by column from one row or all
    line: int = 0


# Value transforms (playbooks/README.md, "transform"): steps written as a bare name ...
TRANSFORM_NAMES = ("halfwidth", "fullwidth", "upper", "lower", "digits", "no_separators", "strip")
# ... and steps written as a one-key mapping with an argument.
TRANSFORM_KINDS = ("date", "code", "to_code", "replace")
# The code lists Deskhand ships (app/registry/dictionaries/; a test keeps the two the same).
SHIPPED_DICTIONARIES = ("sex", "ethnicity", "marital_status", "id_type", "education",
                        "political_status", "relationship")
# The parts of an address a field may be derived as (app/checks/address.py).
DERIVE_PARTS = ("province", "city", "district", "town", "rest",
                "province_code", "city_code", "district_code")
# The parts of a resident ID number a field may be derived as (app/checks/id_number.py).
ID_PARTS = ("birth_date", "gender", "area_code", "age")
# ... and the types a field taking each of them may have
ID_PART_TYPES = {"birth_date": ("date", "text"), "gender": ("text", "choice"),
                 "area_code": ("text", "choice"), "age": ("text",)}


@dataclass(frozen=True)
class TransformStep:
    """One cleaning step: `kind` is a name of TRANSFORM_NAMES or TRANSFORM_KINDS; `format`
    for date, `dictionary` for code/to_code, `pairs` (old, new) for replace."""

    kind: str
    format: str | None = None
    dictionary: str | None = None
    pairs: tuple[tuple[str, str], ...] = ()
    line: int = 0


@dataclass(frozen=True)
class DeriveSpec:
    """A field computed from another (`source`, written `from:`) after reading: an
    address's `part` (DERIVE_PARTS) or an ID number's (ID_PARTS)."""

    source: str
    part: str
    line: int = 0


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: FieldType = "text"
    label: str | None = None           # what the clerk sees (Chinese), e.g. 申请人姓名
    required: bool = True
    choices: tuple[str, ...] = ()      # for type choice
    format: str | None = None          # for dates: strftime pattern used when typing
    sensitive: bool = False            # mask in logs/screens; id_number is always sensitive
    multiline: bool = False            # the target field takes line breaks (a remarks box)
    read: ReadSpec | None = None       # how capture finds the value (default: anchor = label)
    transform: tuple[TransformStep, ...] = ()   # cleaning steps, before the check
    derive: DeriveSpec | None = None   # computed from another field, not read
    # a password box's value: read from the vault only when filling, never captured, saved
    # or shown (a field with `read: {vault: NAME}` is always secret)
    secret: bool = False
    line: int = 0


@dataclass(frozen=True)
class TargetSpec:
    """The only window the playbook may type into. At least one matcher is set."""

    title: str | None = None           # glob on the window title, e.g. "城市审批*"
    title_regex: str | None = None     # or a regular expression (re.search)
    process: str | None = None         # process name, e.g. "approval_client" or "chromium"
    line: int = 0


@dataclass(frozen=True)
class Condition:
    """`when: {field: marital_status, is: 已婚}` (or `is: [已婚, 再婚]`, or `not: …`): the
    step runs only when the case's value of `field` is one of `values` — or, `negate`,
    none of them. A form whose box is enabled only for some answers (配偶姓名 only when
    已婚) says so with this instead of a separate playbook."""

    field: str
    values: tuple[str, ...]
    negate: bool = False
    line: int = 0


@dataclass(frozen=True)
class ClickStep:
    x: int | None = None               # relative to the target window's top-left
    y: int | None = None
    anchor: str | None = None          # or: text on screen, clicked at its centre + offset
    dx: int = 0
    dy: int = 0
    button: Literal["left", "right", "middle"] = "left"
    double: bool = False
    when: Condition | None = None
    line: int = 0


@dataclass(frozen=True)
class TypeStep:
    field: str
    method: TypeMethod = "auto"
    readback: bool = True              # select-all + copy afterwards and compare
    clear: bool = False                # select all and delete before typing
    when: Condition | None = None
    line: int = 0


@dataclass(frozen=True)
class KeyStep:
    keys: tuple[KeyCombo, ...]
    when: Condition | None = None
    line: int = 0


@dataclass(frozen=True)
class ChooseStep:
    """Pick the field's value in a dropdown or radio group by pressing keys."""

    field: str
    options: dict[str, tuple[KeyCombo, ...]]
    when: Condition | None = None
    line: int = 0


@dataclass(frozen=True)
class WaitStep:
    seconds: float | None = None       # a plain pause
    title: str | None = None           # or until a window with this title (glob) is focused
    text: str | None = None            # or until this text appears on screen (needs OCR)
    timeout: float = 10.0
    when: Condition | None = None
    line: int = 0


SET_METHODS = ("auto", "accessible", "keys")
SetMethod = Literal["auto", "accessible", "keys"]
# The kinds of widget `at: {role: …}` may narrow a label to (app/a11y/base.py ROLES).
AT_ROLES = ("text", "combo", "list", "radio", "check")


@dataclass(frozen=True)
class FieldAddress:
    """Where a set step's box is on the form: the box whose label is `label` — its
    accessible name, the label tied to it (labelled-by), or else the label nearest it on
    screen. `role` narrows it when two widgets share a label. Without an accessibility
    tree the box is clicked `dx`, `dy` logical pixels from the right end of the label's
    text found on screen (dx None: just past the label)."""

    label: str
    role: str | None = None
    dx: int | None = None
    dy: int = 0
    line: int = 0


@dataclass(frozen=True)
class SetStep:
    """Put a field's value into the box addressed by `at`, whatever the tab order: through
    the accessibility tree when the target exposes that box (`method` auto or
    accessible), else by clicking it and typing (auto or keys). A choice field picks the
    item, radio button or check box state whose visible text is the value; `options`
    gives keys for the keystroke way (as in a choose step). Read back from the box
    itself unless `readback` is false."""

    field: str
    at: FieldAddress
    method: SetMethod = "auto"
    readback: bool = True
    options: dict[str, tuple[KeyCombo, ...]] = field(default_factory=dict)
    when: Condition | None = None
    line: int = 0


@dataclass(frozen=True)
class PressStep:
    """Press the button named `button` (提交): through the tree, else a click at its text
    found on screen."""

    button: str
    when: Condition | None = None
    line: int = 0


Step = Union[ClickStep, TypeStep, KeyStep, ChooseStep, WaitStep, SetStep, PressStep]

# What a value that fails its check (or is not one of a step's choices) stops:
# "field" — only its own step, the rest is filled and the report says why it was left;
# "fill" — the whole fill, before anything is typed.
ON_INVALID = ("field", "fill")

COMPARE_RULES = ("exact", "fuzzy", "date")
DEFAULT_FUZZY_THRESHOLD = 85


@dataclass(frozen=True)
class Compare:
    """How a field is compared with a registry's value: `exact` after normalisation
    (full-width, spaces, case), `fuzzy` for addresses (similarity 0-100 ≥ threshold),
    `date` as dates whatever their format (19900101, 1990-01-01, 1990年1月1日)."""

    rule: Literal["exact", "fuzzy", "date"] = "exact"
    threshold: int = DEFAULT_FUZZY_THRESHOLD
    registry_name: str | None = None   # the registry's name for the value, if not the field's
    line: int = 0


@dataclass(frozen=True)
class VerifySpec:
    """One registry look-up: IT's endpoint `lookup` ("registry.endpoint" in the registry
    settings), called with field values (`params`: template name → field name), confirming
    fields (`confirm`) and filling fields the source lacks (`fill`: field → registry name)."""

    lookup: str
    params: dict[str, str]
    confirm: dict[str, Compare]
    fill: dict[str, str]
    line: int = 0


@dataclass(frozen=True)
class SavedWhen:
    """The text the target shows once a save took (保存成功), looked for up to `within_s`."""

    text: str
    within_s: float = 10.0
    line: int = 0


@dataclass(frozen=True)
class LandedCheck:
    """How to ask the target whether a case is already in it (before a case that may have
    been saved is filled again): `ask` steps (type the key into a query box, press 查询),
    then the answer shows `found` or `not_found` within `within_s`."""

    ask: tuple["Step", ...]
    found: str
    not_found: str
    within_s: float = 5.0
    line: int = 0


@dataclass(frozen=True)
class BatchSpec:
    """`batch:` (playbooks/README.md, "Batches"): what a batch of many cases needs beyond
    one fill. `key` names the field that identifies a case; `new` brings an empty form
    before each case; `save` keeps it in the target, `saved_when` confirms that; `landed`
    asks the target whether a case is already there; `retries` bounds the retries of a
    system error."""

    key: str
    new: tuple["Step", ...] = ()
    save: tuple["Step", ...] = ()
    saved_when: SavedWhen | None = None
    landed: LandedCheck | None = None
    retries: int = 2
    line: int = 0


@dataclass(frozen=True)
class Playbook:
    id: str
    name: str
    target: TargetSpec
    fields: tuple[FieldSpec, ...]
    steps: tuple[Step, ...]
    version: int = FORMAT_VERSION
    department: str | None = None
    description: str | None = None
    path: str | None = None
    source: dict = field(default_factory=dict)   # the `source` section as written
    source_spec: SourceSpec | None = None        # ... and as checked
    verify: tuple[VerifySpec, ...] = ()          # registry look-ups (see playbooks/README.md)
    on_invalid: Literal["field", "fill"] = "field"   # see ON_INVALID
    batch: BatchSpec | None = None               # many cases unattended (see BatchSpec)
    batch_grid: "GridSpec | None" = None         # batch.grid: every row of a paged grid

    def field_steps(self) -> list[tuple[int, TypeStep | ChooseStep | SetStep]]:
        """(index, step) of every step that puts a field's value into the target."""
        return [(i, s) for i, s in enumerate(self.steps)
                if isinstance(s, (TypeStep, ChooseStep, SetStep))]

    def filled_names(self) -> list[str]:
        """The fields the fill types, chooses or sets, each once, in step order."""
        return list(dict.fromkeys(s.field for _i, s in self.field_steps()))

    def field_spec(self, name: str) -> FieldSpec:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)
