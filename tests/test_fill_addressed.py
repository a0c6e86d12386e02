"""Set and press steps (app/fill/addressed.py), their logic on an in-memory desktop and a
fake accessibility tree: which way each field goes, what counts as confirmed, what is
refused with which sentence, and that nothing is set once the target is not the active
window. The real toolkits are in tests/test_fill_toolkits.py."""
from __future__ import annotations

from dataclasses import replace

import pytest

from app.a11y.base import Accessible, Bounds, FormField
from app.cases import case_from_values
from app.desktop.base import WindowInfo
from app.desktop.dummy import DummyDesktop
from app.errors import AccessibilityUnavailableError, FieldDisabledError, FocusLostError
from app.fill.addressed import checkbox_state, open_for_fill, uses_addressed_steps
from app.fill.engine import FillEngine, FillOptions
from playbooks.model import (Condition, FieldAddress, FieldSpec, Playbook, PressStep, SetStep,
                             TargetSpec)

WIN = WindowInfo(1, "城市审批系统 - 受理登记", 100, "python3")


def box(i: int, role: str, label: str, name: str = "", *, enabled: bool = True,
        editable: bool = True, window: int = 1, pid: int = 100) -> FormField:
    return FormField(Accessible(":1.1", f"/n/{i}"), role, name or label, label, "name",
                     Bounds(200, 40 * i, 200, 30), enabled, editable, False, pid, window,
                     index=i)


class FakeTree:
    """What a toolkit's tree would do: values by node; `later` fields show up on the
    second read (a box a choice enabled); `garble` changes what is set."""

    name = "fake"

    def __init__(self, fields: list[FormField], later: list[FormField] | None = None,
                 why: str | None = None) -> None:
        self.shown = list(fields)
        self.later = later or []
        self.values: dict[str, object] = {}
        self.reads = 0
        self.calls: list[tuple[str, str]] = []
        self.garble = lambda s: s
        self.why = why
        self.pressed: list[str] = []

    def fields(self, window, *, refresh=False):
        self.reads += 1
        if refresh and self.later and self.reads > 1:
            self.shown = [f for f in self.shown if f.key not in {x.key for x in self.later}]
            self.shown += self.later
            self.later = []
        return list(self.shown) if window.id == 1 else []

    def _live(self, field):
        live = next(f for f in self.shown if f.node == field.node)
        if not live.enabled:
            raise FieldDisabledError("disabled")
        return live

    def set_text(self, window, field, text, *, keys=None, wait=True):
        self._live(field)
        self.calls.append(("set_text", field.label))
        self.values[field.node.path] = self.garble(text)
        return "accessible"

    def read_text(self, window, field):
        return str(self.values.get(field.node.path, ""))

    def read_texts(self, window, fields):
        return [self.read_text(window, f) for f in fields]

    def choose(self, window, field, item_text, *, keys=None):
        self.calls.append(("choose", field.label))
        self.values[field.node.path] = item_text
        return "accessible"

    def read_choice(self, window, field):
        if field.role == "check":
            return field.name if self.values.get(field.node.path) else ""
        if field.role == "radio":
            return str(self.values.get("radio:" + field.key, ""))
        return str(self.values.get(field.node.path, ""))

    def set_checked(self, window, field, checked):
        self.values[field.node.path] = checked
        return "accessible"

    def select_radio(self, window, field):
        self.values["radio:" + field.key] = field.name
        return "accessible"

    def press(self, window, button):
        self.pressed.append(button.label)
        return "accessible"

    def focused(self, window):
        return None

    def exposes(self, window):
        return bool(self.shown)

    def why_not(self, window):
        return self.why

    def close(self):
        pass


class Screen:
    """Labels on screen at known places (left, top, width, height)."""

    def __init__(self, boxes: dict[str, tuple[int, int, int, int]]) -> None:
        self.boxes = boxes

    def label_box(self, text, window, *, fuzzy=True):
        from app.ocr.base import TextBox
        b = self.boxes.get(text)
        return None if b is None else TextBox(text, 1.0, *b)

    def locate(self, text, window, *, fuzzy=True):
        b = self.boxes.get(text)
        return None if b is None else (b[0] + b[2] // 2, b[1] + b[3] // 2)

    def boxes_in(self, window, x, y, width, height):
        from app.ocr.base import TextBox
        return [TextBox(t, 1.0, *b) for t, b in self.boxes.items()
                if x <= b[0] < x + width and y <= b[1] < y + height]

    def pixels(self, window, x, y, width, height):
        from PIL import Image
        return Image.new("RGB", (max(1, width), max(1, height)), "white")

    def read_box(self, window, x, y, width, height):
        return " ".join(b.text for b in self.boxes_in(window, x, y, width, height))


FIELDS = (FieldSpec("name", label="姓名"), FieldSpec("gender", "choice", "性别", choices=("男", "女")),
          FieldSpec("marital", "choice", "婚姻状况", choices=("未婚", "已婚")),
          FieldSpec("spouse", label="配偶姓名", required=False),
          FieldSpec("verified", "choice", "已核验原件", choices=("是", "否")))


def playbook(*steps) -> Playbook:
    return Playbook("t", "测试", TargetSpec(title="城市审批系统*"), FIELDS, tuple(steps))


def at(label: str, **kw) -> FieldAddress:
    return FieldAddress(label, **kw)


VALUES = {"name": "司马赟彧𠀾", "gender": "女", "marital": "已婚", "spouse": "欧阳彧", "verified": "是"}
FULL = playbook(SetStep("name", at("姓名")), SetStep("gender", at("性别")),
                SetStep("marital", at("婚姻状况")),
                SetStep("spouse", at("配偶姓名"), when=Condition("marital", ("已婚",))),
                SetStep("verified", at("已核验原件")), PressStep("提交"))


def tree_form(spouse_enabled: bool = False) -> list[FormField]:
    return [box(1, "text", "姓名："), box(2, "radio", "性别", "男"), box(3, "radio", "性别", "女"),
            box(4, "combo", "婚姻状况"), box(5, "text", "配偶姓名", enabled=spouse_enabled),
            box(6, "check", "已核验原件"), box(7, "button", "提交")]


def fill(pb, tree=None, desktop=None, screen=None, values=VALUES):
    d = desktop or DummyDesktop([WIN])
    engine = FillEngine(d, FillOptions(wait_focus_s=0.2, modifiers_timeout_s=0.2,
                                       abort_keys=None, failsafe=False),
                        screen_text=(lambda: screen) if screen else None, accessibility=tree)
    return engine.fill(pb, case_from_values(values, "t", {})), d


def test_every_field_through_the_tree_is_confirmed_from_its_own_box():
    # 配偶姓名 is greyed until 已婚 is chosen: the form is read again once, and it is set
    tree = FakeTree(tree_form(), later=[box(5, "text", "配偶姓名", enabled=True)])
    report, d = fill(FULL, tree)
    got = {r.field: (r.status, r.method, r.box) for r in report.results}
    assert got == {"name": ("readback_ok", "accessible", "姓名："),
                   "gender": ("readback_ok", "accessible", "性别"),
                   "marital": ("readback_ok", "accessible", "婚姻状况"),
                   "spouse": ("readback_ok", "accessible", "配偶姓名"),
                   "verified": ("readback_ok", "accessible", "已核验原件")}
    assert tree.values["radio:性别"] == "女" and tree.values["/n/6"] is True
    assert tree.pressed == ["提交"]
    assert d.received[1] == [] and report.warnings == []     # not one key, no clipboard
    assert tree.reads == 2                                   # once, and once for 配偶姓名


def test_a_page_whose_tree_has_not_begun_is_waited_for_not_typed_into_by_keys():
    """A browser builds its page's tree when first asked; under load it shows nothing for
    longer than one settle interval. Two empty reads do not mean a settled form."""
    class SlowPage(FakeTree):
        def fields(self, window, *, refresh=False):
            self.reads += 1
            return [] if self.reads <= 3 else list(self.shown)
    tree = SlowPage(tree_form(spouse_enabled=True))
    report, d = fill(FULL, tree)
    assert {r.field: r.method for r in report.results} == dict.fromkeys(VALUES, "accessible")
    assert d.received[1] == []                               # not one key


def test_a_value_the_box_does_not_hold_is_never_confirmed():
    tree = FakeTree(tree_form(True))
    tree.garble = lambda s: s.replace("𠀾", "?")
    report, _d = fill(playbook(SetStep("name", at("姓名"))), tree)
    r = report.results[0]
    assert (r.status, r.readback, r.expected) == ("readback_differs", "司马赟彧?", "司马赟彧𠀾")
    assert report.differs == ["name"]


def test_a_greyed_box_is_refused_with_a_sentence_and_the_rest_goes_on():
    tree = FakeTree(tree_form(spouse_enabled=False))
    values = dict(VALUES, marital="未婚")
    pb = playbook(SetStep("spouse", at("配偶姓名")), SetStep("name", at("姓名")))
    report, _d = fill(pb, tree, values=values)
    spouse, name = report.results
    assert spouse.status == "refused" and spouse.box == "配偶姓名"
    assert "greyed out" in spouse.message and "配偶姓名" in spouse.message
    assert "paste" not in spouse.message and "method" not in spouse.message
    assert name.status == "readback_ok"
    assert ("set_text", "配偶姓名") not in tree.calls


def test_a_read_only_box_is_refused():
    fields = [replace(tree_form()[0], editable=False)]
    report, _d = fill(playbook(SetStep("name", at("姓名"))), FakeTree(fields))
    assert report.results[0].status == "refused" and "read-only" in report.results[0].message


def test_nothing_is_set_when_the_target_is_not_the_active_window():
    other = WindowInfo(2, "记事本", 200, "gedit")
    d = DummyDesktop([WIN, other])
    tree = FakeTree(tree_form(True))
    d.focused = 1

    def steal(desktop):       # the decoy takes focus after the first field
        desktop.focused = 2
    pb = playbook(SetStep("name", at("姓名")), SetStep("spouse", at("配偶姓名")))
    original = tree.set_text

    def set_then_steal(*a, **kw):
        out = original(*a, **kw)
        steal(d)
        return out
    tree.set_text = set_then_steal
    engine = FillEngine(d, FillOptions(wait_focus_s=0.2, abort_keys=None, failsafe=False),
                        accessibility=tree)
    with pytest.raises(FocusLostError, match="记事本") as info:
        engine.fill(pb, case_from_values(VALUES, "t", {}))
    assert tree.calls == [("set_text", "姓名：")]
    assert d.received[2] == [] and info.value.exit_code == 3
    assert engine.last_report.outcome == "focus_lost"


def test_a_box_of_another_window_is_never_set():
    fields = [box(1, "text", "姓名", window=9)]
    d = DummyDesktop([WIN])
    engine = FillEngine(d, FillOptions(wait_focus_s=0.2, abort_keys=None, failsafe=False),
                        accessibility=FakeTree(fields))
    with pytest.raises(FocusLostError):
        engine.fill(playbook(SetStep("name", at("姓名"))), case_from_values(VALUES, "t", {}))


def test_without_the_box_in_the_tree_auto_clicks_beside_the_label_and_types():
    tree = FakeTree([], why="'城市审批系统' shows no fields to accessibility (Tk). Deskhand "
                            "types with keys.")
    screen = Screen({"姓名": (40, 100, 40, 20), "婚姻状况": (40, 200, 80, 20)})
    pb = playbook(SetStep("name", at("姓名", dx=30, dy=2)),
                  SetStep("marital", at("婚姻状况"), options={"已婚": ("down", "down")}))
    report, d = fill(pb, tree, screen=screen)
    name, marital = report.results
    assert (name.status, name.method) == ("readback_ok", "keys")
    # nothing shows beside 婚姻状况 on this fake screen: not read back, never confirmed
    assert (marital.status, marital.method) == ("readback_unavailable", "keys")
    assert d.received[1][0] == "<click 110,112>"          # right end 80 + 30, middle 110 + 2
    assert "<click 160,210>" in d.received[1]              # dx None: two line heights past it
    assert d.received[1][-2:] == ["<down>", "<down>"]
    assert report.warnings == [tree.why]                   # once per fill


def test_method_accessible_without_the_box_refuses_and_types_nothing():
    report, d = fill(playbook(SetStep("name", at("姓名", role="text"), method="accessible")),
                     FakeTree([box(1, "text", "别的")]), screen=Screen({"姓名": (0, 0, 10, 10)}))
    assert report.results[0].status == "refused" and report.results[0].message
    assert d.received[1] == []


def test_method_keys_never_asks_the_tree():
    tree = FakeTree(tree_form(True))
    report, d = fill(playbook(SetStep("name", at("姓名"), method="keys")), tree,
                     screen=Screen({"姓名": (40, 100, 40, 20)}))
    assert report.results[0].method == "keys" and tree.calls == []


def test_a_value_that_is_not_a_button_of_the_group_is_refused_naming_the_buttons():
    tree = FakeTree(tree_form(True))
    pb = Playbook("t", "t", TargetSpec(title="城市审批系统*"),
                  (FieldSpec("gender", "choice", "性别", choices=("男", "女", "其他")),),
                  (SetStep("gender", at("性别")),))
    report, _d = fill(pb, tree, values={"gender": "其他"})
    r = report.results[0]
    assert r.status == "refused" and "男" in r.message and "女" in r.message


def test_press_falls_back_to_a_click_on_its_text():
    report, d = fill(playbook(PressStep("提交")), None, screen=Screen({"提交": (300, 400, 40, 20)}))
    assert d.received[1] == ["<click 320,410>"]


def test_checkbox_words():
    assert [checkbox_state(v) for v in ("是", "YES", "true", "1", "✓", "否", "no", "0", "False")] \
        == [True] * 5 + [False] * 4
    assert checkbox_state("也许") is None


def test_the_backend_for_a_fill_or_the_sentence_why_not():
    def broken():
        raise AccessibilityUnavailableError("No accessibility bus: start at-spi2-core.")
    assert open_for_fill(True, broken) == (None, "No accessibility bus: start at-spi2-core.")
    backend, why = open_for_fill(False, broken)
    assert backend is None and "--no-accessibility" in why
    tree = FakeTree([])
    assert open_for_fill(True, lambda: tree) == (tree, None)
    assert uses_addressed_steps(FULL) and not uses_addressed_steps(playbook())


def _without_lines(obj):
    """A playbook's parts compared as data, without the YAML lines they came from."""
    from dataclasses import fields, is_dataclass
    if is_dataclass(obj):
        return {f.name: _without_lines(getattr(obj, f.name)) for f in fields(obj)
                if f.name not in ("line", "path", "description", "department")}
    if isinstance(obj, (tuple, list)):
        return [_without_lines(x) for x in obj]
    if isinstance(obj, dict):
        return {str(k): _without_lines(v) for k, v in obj.items()}
    return str(obj) if obj.__class__.__name__ == "KeyCombo" else obj


def test_the_set_playbook_fixture_is_the_one_the_tests_build():
    from pathlib import Path
    from app.sandbox.toolkits.set_playbook import set_playbook
    from playbooks.loader import load_playbook
    path = Path(__file__).parent / "fixtures" / "playbooks" / "toolkits" / "spec_form_set.yaml"
    loaded, built = load_playbook(path), set_playbook()
    assert _without_lines(loaded.steps) == _without_lines(built.steps)
    assert _without_lines(loaded.fields) == _without_lines(built.fields)


def test_the_pipeline_opens_the_backend_per_fill_closes_it_and_says_why_not(tmp_path):
    """One pipeline: the backend is opened for a fill with set steps and closed after it;
    with accessibility turned off (--no-accessibility) the report says so first."""
    from app.pipeline import PipelineOptions, build_pipeline
    from app.settings import Settings
    opened: list[FakeTree] = []

    def factory() -> FakeTree:
        opened.append(FakeTree(tree_form(True)))
        opened[-1].close = lambda: opened.append("closed")   # type: ignore[method-assign]
        return opened[-1]
    pipeline = build_pipeline(PipelineOptions(settings=Settings(), cases_dir=tmp_path,
                                              desktop_factory=lambda: DummyDesktop([WIN]),
                                              accessibility_factory=factory))
    pb = playbook(SetStep("name", at("姓名"), method="accessible"))
    options = FillOptions(wait_focus_s=0.2, abort_keys=None, failsafe=False)
    report = pipeline.fill(pb, case_from_values(VALUES, "t", {}), tmp_path / "a.json", options)
    assert report.results[0].status == "readback_ok" and opened[-1] == "closed"
    report = pipeline.fill(pb, case_from_values(VALUES, "t", {}), tmp_path / "b.json", options,
                           accessibility=False)
    assert report.results[0].status == "refused"
    assert "--no-accessibility" in report.warnings[0] and len(opened) == 2
    # the settings' switch (tray: 设置) turns it off for every fill; a flag given wins
    pipeline = build_pipeline(PipelineOptions(settings=Settings(accessibility=False),
                                              cases_dir=tmp_path,
                                              desktop_factory=lambda: DummyDesktop([WIN]),
                                              accessibility_factory=factory))
    report = pipeline.fill(pb, case_from_values(VALUES, "t", {}), tmp_path / "c.json", options)
    assert report.results[0].status == "refused" and "settings" in report.warnings[0]
    assert len(opened) == 2
    report = pipeline.fill(pb, case_from_values(VALUES, "t", {}), tmp_path / "d.json", options,
                           accessibility=True)
    assert report.results[0].status == "readback_ok" and len(opened) == 4


class KeysTree(FakeTree):
    """A tree without EditableText (Chromium): set_text focuses and types, and with
    wait=False returns at once, the box read back later. `overtaken` names boxes whose
    last character a key race puts into the next box typed (as a focus change that
    overtook a key would); `stubborn` boxes hold a garbled value even when set again."""

    def __init__(self, fields, overtaken=(), stubborn=()):
        super().__init__(fields)
        self.overtaken = set(overtaken)
        self.stubborn = set(stubborn)
        self.carry = ""
        self.waits: list[bool] = []

    def set_text(self, window, field, text, *, keys=None, wait=True):
        self._live(field)
        self.waits.append(wait)
        self.calls.append(("set_text" if wait else "type_later", field.label))
        held = self.carry + text
        self.carry = ""
        if not wait and field.label in self.overtaken:
            held, self.carry = held[:-1], held[-1]
        if field.label in self.stubborn:
            held = held.replace("𠀾", "?")
        self.values[field.node.path] = held
        return "accessible+keys"

    def read_texts(self, window, fields):
        self.calls.append(("read_texts", ",".join(f.label for f in fields)))
        return super().read_texts(window, fields)


TEXTS = (FieldSpec("name", label="姓名"), FieldSpec("alias", label="曾用名"),
         FieldSpec("phone", label="联系电话"))


def text_form() -> list[FormField]:
    return [box(1, "text", "姓名"), box(2, "text", "曾用名"), box(3, "text", "联系电话"),
            box(4, "button", "提交")]


def texts_playbook() -> Playbook:
    return Playbook("t", "测试", TargetSpec(title="城市审批系统*"), TEXTS,
                    (SetStep("name", at("姓名")), SetStep("alias", at("曾用名")),
                     SetStep("phone", at("联系电话")), PressStep("提交")))


TEXT_VALUES = {"name": "司马赟彧𠀾", "alias": "欧阳彧", "phone": "13800138000"}


def test_boxes_typed_by_keys_are_read_back_together_before_the_button():
    tree = KeysTree(text_form())
    report, _d = fill(texts_playbook(), tree, values=TEXT_VALUES)
    assert [r.status for r in report.results] == ["readback_ok"] * 3
    assert tree.waits == [False, False, False]
    kinds = [c[0] for c in tree.calls]
    # all three typed, then read in one round, and only then 提交
    assert kinds[:3] == ["type_later"] * 3 and kinds[3] == "read_texts"
    assert tree.pressed == ["提交"]


def test_a_key_that_overtook_a_focus_change_is_caught_and_the_boxes_set_again():
    tree = KeysTree(text_form(), overtaken={"姓名"})
    report, _d = fill(texts_playbook(), tree, values=TEXT_VALUES)
    # 姓名 lost its last character to 曾用名: both differ at the first read, both are set
    # again the careful way, and only what the boxes then hold is confirmed
    redone = [c[1] for c in tree.calls if c[0] == "set_text"]
    assert redone == ["姓名", "曾用名"]
    assert [r.status for r in report.results] == ["readback_ok"] * 3
    assert tree.values["/n/1"] == "司马赟彧𠀾" and tree.values["/n/2"] == "欧阳彧"


def test_a_box_still_wrong_after_setting_again_is_never_confirmed():
    tree = KeysTree(text_form(), stubborn={"姓名"})
    report, _d = fill(texts_playbook(), tree, values=TEXT_VALUES)
    r = report.results[0]
    assert (r.status, r.readback) == ("readback_differs", "司马赟彧?")
    assert [x.status for x in report.results[1:]] == ["readback_ok", "readback_ok"]


def test_boxes_not_yet_read_back_stay_typed_when_focus_is_lost():
    tree = KeysTree(text_form())
    d = DummyDesktop([WIN, WindowInfo(2, "微信", 200, "wechat")])
    calls = {"n": 0}
    real = d.active_window

    def active_id():                 # another window comes up before the third box
        calls["n"] += 1
        return 2 if calls["n"] > 2 else 1
    d.active_window_id = active_id    # type: ignore[method-assign]
    d.active_window = (                                   # type: ignore[method-assign]
        lambda: d.windows[1] if calls["n"] > 2 else real())
    with pytest.raises(FocusLostError):
        fill(texts_playbook(), tree, desktop=d, values=TEXT_VALUES)
    # nothing was read back, so nothing is claimed
    assert "read_texts" not in [c[0] for c in tree.calls]


class HidingTree(KeysTree):
    """Java's bridge and 𠀾: the tree takes the text but does not show it as the box
    holds it, and says so (tree_shows False) for the boxes in `hides`."""

    def __init__(self, fields, hides=()):
        super().__init__(fields)
        self.hides = set(hides)

    def tree_shows(self, field):
        return field.label not in self.hides

    def read_text(self, window, field):
        self.calls.append(("read_text", field.label))
        return super().read_text(window, field)


def test_a_box_whose_tree_hides_its_text_is_read_at_once_not_gathered():
    """Waiting in a gathered read-back for text the tree will never show cost Java's form
    4.5 s (1 s a box, then set again): such a box is proven at once, by itself."""
    tree = HidingTree(text_form(), hides={"曾用名"})
    report, _d = fill(texts_playbook(), tree, values={**TEXT_VALUES, "alias": "欧阳彧"})
    assert [r.status for r in report.results] == ["readback_ok"] * 3
    calls = tree.calls
    at = calls.index(("type_later", "曾用名"))
    assert calls[at + 1] == ("read_text", "曾用名")            # at once, by itself
    gathered = [c[1] for c in calls if c[0] == "read_texts"]
    assert gathered and all("曾用名" not in g for g in gathered), gathered
