"""A supervisor played by xdotool: fills a target form by hand, once, as a person would,
so that `deskhand record` has real X input to record (tests/test_record_e2e.py,
bench/record.py).

    sup = Supervisor(session, window_id, atspi_env)
    sup.perform(plan_for("qt", case.values))       # clicks, types, pastes, ticks, picks
    sup.press(STOP_KEY)

A person looks at the form to find a box; the supervisor asks the target's own
accessibility tree where each box is (its label and its place on the screen), then moves
the mouse there and clicks, as a hand would — every input goes through XTEST (xdotool),
never through the tree. A drop-down item is found where a person finds it: by reading the
opened list on the screen (OCR), then clicked. Text is typed with `xdotool type`, Chinese
included; one value is pasted from the clipboard (owned by an `xclip` started on the test
display); a typo is made and corrected with BackSpace; some fields are reached by Tab.

Each plan says which value goes into which box, and `expected_state(plan)` what the form
must hold afterwards (its own report, app/sandbox/targets.py). The plans are the three
pairs of issue 13: ID card → the Qt sample client (`--form secured`: the supervisor also
types a password into 经办人密码), portal page → the web form in Chromium (16 fields of
the `?form=case` variant, 办理事项 picked with the mouse in Chromium's drop-down), ministry
grid → the GTK approval form.
"""
from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Mapping

from app.errors import DesktopError
from app.sandbox.xsession import XSession

if TYPE_CHECKING:
    from app.a11y.base import FormField
    from app.ocr.base import OcrEngine, TextBox

__all__ = ["Act", "Plan", "Supervisor", "SupervisorError", "plan_for", "expected_state",
           "STOP_KEY", "TARGETS", "SOURCE_OF", "CONSTANTS", "PASSWORD", "PASSWORD_BOX",
           "PASSWORD_CREDENTIAL"]

STOP_KEY = "ctrl+alt+s"           # the recorder's default stop key
TYPE_DELAY_MS = 30                # a brisk typist
TARGETS = ("qt", "web", "gtk")
SOURCE_OF = {"qt": "idcard", "web": "portal", "gtk": "grid"}
# Values that are on no source: the supervisor declares them constants when asked.
# (The web form's 16 values are all on the portal page: a form of more than 15 fields
# bound without a question, issue 13's figure.)
CONSTANTS = {"qt": {"matter": "公积金提取"},
             "web": {},
             "gtk": {"marital_status": "未婚", "verified": True}}
# The Qt client's password box (its `--form secured`): what the supervisor types there must
# never reach a file; the playbook names the credential instead (an answer to the compiler).
PASSWORD_BOX = ("operator_password", "经办人密码")
PASSWORD = "Jbr#2026-mima!qt"
PASSWORD_CREDENTIAL = "city-approval-operator"


class SupervisorError(DesktopError):
    """The supervisor could not find or reach a box on the target."""


@dataclass(frozen=True)
class Act:
    """One thing the supervisor does.

    do: click (into the box labelled `label`), type `text`, typo (type `text` with one
    wrong character at `at`, noticed and backspaced), paste `text` (ctrl+v), tab,
    radio (click the `option` of group `label`), check (click the check box `label`),
    choose (open the drop-down `label` with the mouse, click its item `option`)."""

    do: str
    label: str = ""
    text: str = ""
    option: str = ""
    at: int = -1
    field: str = ""                 # the target's field name this act fills (for the check)


@dataclass
class Plan:
    target: str
    acts: list[Act] = field(default_factory=list)
    state: dict[str, object] = field(default_factory=dict)   # what the form must hold

    def click_type(self, name: str, label: str, value: str) -> None:
        self.acts += [Act("click", label), Act("type", text=value, field=name)]
        self.state[name] = value

    def tab_type(self, name: str, value: str) -> None:
        self.acts += [Act("tab"), Act("type", text=value, field=name)]
        self.state[name] = value

    def typo(self, name: str, value: str, *, tab: bool = False, label: str = "") -> None:
        self.acts.append(Act("tab") if tab else Act("click", label))
        self.acts.append(Act("typo", text=value, at=max(1, len(value) - 2), field=name))
        self.state[name] = value

    def paste(self, name: str, value: str, *, tab: bool = False, label: str = "") -> None:
        self.acts.append(Act("tab") if tab else Act("click", label))
        self.acts.append(Act("paste", text=value, field=name))
        self.state[name] = value

    def radio(self, name: str, label: str, option: str) -> None:
        self.acts.append(Act("radio", label, option=option, field=name))
        self.state[name] = option

    def choose(self, name: str, label: str, option: str) -> None:
        self.acts.append(Act("choose", label, option=option, field=name))
        self.state[name] = option

    def check(self, name: str, label: str) -> None:
        self.acts.append(Act("check", label, field=name))
        self.state[name] = True


def plan_for(target: str, values: Mapping[str, str]) -> Plan:
    """How the supervisor fills `target` from a case's `values` (record_cases.py)."""
    v = dict(values)
    p = Plan(target)
    if target == "qt":                       # ID card → 城市审批系统 (Qt)
        p.click_type("applicant_name", "申请人姓名", v["applicant_name"])
        p.radio("gender", "性别", v["gender"])
        p.click_type("ethnicity", "民族", v["ethnicity"])
        p.typo("birth_date", v["birth_date"], tab=True)
        p.paste("id_number", v["id_number"], tab=True)
        p.click_type("address", "住址", v["address"])
        p.click_type(PASSWORD_BOX[0], PASSWORD_BOX[1], PASSWORD)
        p.choose("matter", "办理事项", CONSTANTS["qt"]["matter"])
    elif target == "web":                    # portal page → 城市审批系统（网页版）, 16 fields
        # 办理事项 picked with the mouse in Chromium's own drop-down, from the portal's value
        p.click_type("applicant_name", "申请人姓名", v["applicant_name"])
        p.radio("gender", "性别", v["gender"])
        p.tab_type("ethnicity", v["ethnicity"])
        p.tab_type("birth_date", v["birth_date"])
        p.paste("id_number", v["id_number"], tab=True)
        p.tab_type("phone", v["phone"])
        p.typo("address", v["address"], tab=True)
        p.click_type("employer", "工作单位", v["employer"])
        p.tab_type("credit_code", v["credit_code"])
        p.choose("matter", "办理事项", v["matter"])
        p.click_type("postcode", "邮政编码", v["postcode"])
        p.tab_type("email", v["email"])
        p.click_type("case_number", "办件编号", v["case_number"])
        p.tab_type("apply_date", v["apply_date"])
        p.tab_type("marital_status", v["marital_status"])
        p.tab_type("education", v["education"])
    elif target == "gtk":                    # ministry grid → the approval form (GTK)
        p.click_type("applicant_name", "姓名", v["applicant_name"])
        p.radio("gender", "性别", v["gender"])
        p.paste("id_number", v["id_number"], label="公民身份号码")
        p.typo("phone", v["phone"], tab=True)
        p.choose("marital_status", "婚姻状况", CONSTANTS["gtk"]["marital_status"])
        p.click_type("remarks", "备注", v["qualification"])
        p.check("verified", "已核验原件")
    else:
        raise ValueError(f"target must be one of {', '.join(TARGETS)}, not {target!r}")
    return p


def expected_state(target: str, values: Mapping[str, str]) -> dict[str, object]:
    """What the target's form must hold once `values` are filled in (by the supervisor
    or by a replayed playbook)."""
    return dict(plan_for(target, values).state)


class Supervisor:
    """Fills one target window with xdotool, finding boxes through the window's AT-SPI tree.

    `a11y_env` holds DBUS_SESSION_BUS_ADDRESS of the bus the target was started on
    (app/sandbox/toolkits/a11y_bus.py). `ocr` reads an opened drop-down (default: the
    project's RapidOCR, loaded at the first drop-down)."""

    def __init__(self, session: XSession, window_id: int, a11y_env: Mapping[str, str], *,
                 ocr: "OcrEngine | None" = None, type_delay_ms: int = TYPE_DELAY_MS) -> None:
        from app.a11y.atspi import AtSpiAccessibility
        from app.a11y.atspi_bus import AtspiBus
        from app.desktop.x11 import X11Desktop
        self.session = session
        self.window_id = window_id
        self.desktop = X11Desktop(session.display)
        self.a11y = AtSpiAccessibility(AtspiBus.open(dict(a11y_env)))
        self._ocr = ocr
        self.type_delay_ms = type_delay_ms
        self._clip: subprocess.Popen | None = None
        self.keys = SpareKeys(session.display)
        self.seconds = 0.0                    # time spent acting (perform)

    def close(self) -> None:
        if self._clip is not None:
            self.session.end(self._clip)
            self._clip = None
        self.keys.close()
        self.a11y.close()
        self.desktop.close()

    def __enter__(self) -> "Supervisor":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------ looking at the form
    def window(self):
        for w in self.desktop.list_windows():
            if w.id == self.window_id:
                return w
        raise SupervisorError(f"the target window {self.window_id:#x} is gone")

    def fields(self, wanted: int = 3, timeout: float = 10.0) -> list["FormField"]:
        deadline = time.monotonic() + timeout
        while True:
            found = self.a11y.fields(self.window(), refresh=True)
            if len(found) >= wanted or time.monotonic() > deadline:
                return found
            time.sleep(0.2)

    def box(self, label: str, *, role: str | None = None, option: str | None = None):
        from app.a11y.base import find_field, find_radio
        for _ in range(3):
            fields = self.fields()
            found = (find_radio(fields, label, option) if option is not None
                     else find_field(fields, label, role))
            if found is not None and not found.bounds.empty:
                return found
            time.sleep(0.3)
        shown = ", ".join(sorted({f.key for f in self.fields()}))
        raise SupervisorError(f"no box labelled {label!r}{' / ' + option if option else ''} "
                              f"on the target (labels seen: {shown})")

    # ------------------------------------------------------------ the hand
    def click_at(self, x: int, y: int) -> None:
        self.session.xdotool("mousemove", "--sync", str(x), str(y))
        time.sleep(0.05)
        self.session.xdotool("click", "1")
        time.sleep(0.15)

    def click_box(self, f) -> None:
        b = f.bounds
        # a text box: a little right of its left edge (where a person clicks to type);
        # anything else: its middle
        x = b.x + min(24, b.width // 4) if f.role == "text" else b.x + b.width // 2
        self.click_at(x, b.y + b.height // 2)

    def type(self, text: str) -> None:
        # xdotool types a character missing from the keyboard map (Chinese) by remapping
        # one spare keycode per character; a target that reads the map late (Chromium)
        # then gets an earlier character again (DESIGN.md §5). So the characters are put
        # on the map first, as an input method's keyboard would have them, and xdotool
        # finds them there.
        for piece in self.keys.pieces(text):
            self.keys.bind(piece)
            self.session.xdotool("type", "--delay", str(self.type_delay_ms), "--", piece)
        time.sleep(0.1)

    def press(self, keys: str) -> None:
        self.session.xdotool("key", "--clearmodifiers", keys)
        time.sleep(0.1)

    def copy(self, text: str) -> None:
        """Put `text` on the clipboard, as copying it from somewhere else would."""
        if self._clip is not None:
            self.session.end(self._clip)
        self._clip = self.session.spawn(["xclip", "-selection", "clipboard", "-quiet"],
                                        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        self._clip.stdin.write(text.encode("utf-8"))
        self._clip.stdin.close()
        time.sleep(0.2)

    # ------------------------------------------------------------ acts
    def perform(self, plan: Plan) -> float:
        """Do every act of `plan`; returns (and adds to `seconds`) the time it took."""
        t0 = time.monotonic()
        self.session.activate(self.window_id)
        for act in plan.acts:
            self.do(act)
        spent = time.monotonic() - t0
        self.seconds += spent
        return spent

    def do(self, act: Act) -> None:
        if act.do == "click":
            self.click_box(self.box(act.label))
        elif act.do == "type":
            self.type(act.text)
        elif act.do == "typo":
            k = act.at
            wrong = "9" if act.text[k] != "9" else "8"
            self.type(act.text[:k] + wrong)
            time.sleep(0.2)                      # notices it
            self.press("BackSpace")
            self.type(act.text[k:])
        elif act.do == "paste":
            self.copy(act.text)
            self.press("ctrl+v")
        elif act.do == "tab":
            self.press("Tab")
        elif act.do == "radio":
            self.click_box(self.box(act.label, option=act.option))
        elif act.do == "check":
            self.click_box(self.box(act.label, role="check"))
        elif act.do == "choose":
            self.choose(act.label, act.option)
        else:
            raise ValueError(f"unknown act {act.do!r}")

    def choose(self, label: str, option: str) -> None:
        """Open the drop-down with a click, find `option` in the opened list by reading
        the screen around it, click it."""
        combo = self.box(label, role="combo")
        self.click_box(combo)
        time.sleep(0.6)                           # the list opens
        item = self._find_item(combo.bounds, option)
        if item is None:
            self.press("Escape")
            raise SupervisorError(f"the drop-down {label!r} opened without an item "
                                  f"{option!r} the supervisor could read")
        self.click_at(*item)
        time.sleep(0.3)

    def _find_item(self, b, option: str) -> tuple[int, int] | None:
        from app.ocr.find import find_all
        if self._ocr is None:
            from app.ocr import open_engine
            self._ocr = open_engine("rapidocr")
        left = max(0, b.x - 40)
        top = max(0, b.y - 360)
        right = min(self.session.width, b.x + b.width + 240)
        bottom = min(self.session.height, b.y + b.height + 360)
        shot = self.session.screenshot().crop((left, top, right, bottom))
        boxes: list[TextBox] = [t.shifted(left, top) for t in self._ocr.read(shot)]
        inside = lambda t: b.x <= t.center[0] <= b.x + b.width and b.y <= t.center[1] <= b.y + b.height  # noqa: E731
        hits = [t for t in find_all(boxes, option, fuzzy=False) if t.text.strip() == option
                and not inside(t)]
        if not hits:
            hits = [t for t in find_all(boxes, option, fuzzy=False) if not inside(t)]
        if not hits:
            return None
        best = min(hits, key=lambda t: abs(t.center[1] - (b.y + b.height // 2)))
        return best.center



class SpareKeys:
    """Characters the keyboard lacks, bound to spare keycodes for the whole recording and
    unbound at `close()`: each binding is made once, before the first key that needs it,
    and given time to reach every client (a late one reads an old binding)."""

    SETTLE = 0.3

    def __init__(self, display: str) -> None:
        from Xlib import display as xdisplay
        self.d = xdisplay.Display(display)
        first = self.d.display.info.min_keycode
        count = self.d.display.info.max_keycode - first + 1
        rows = self.d.get_keyboard_mapping(first, count)
        self.width = len(rows[0]) if rows else 4
        self.free = [first + i for i, row in enumerate(rows) if not any(row)]
        self.bound: dict[str, int] = {}
        self.have = {s for row in rows for s in row[:2] if s}

    def _wide(self, text: str) -> list[str]:
        from app.desktop.x11_keymap import char_keysym
        return [ch for ch in dict.fromkeys(text)
                if not ch.isascii() and char_keysym(ch) not in self.have]

    def pieces(self, text: str) -> list[str]:
        """`text` cut where the characters it needs bound outgrow the spare keycodes."""
        room = len(self.free) + len(self.bound)
        out, cur = [], ""
        for ch in text:
            if len(self._wide(cur + ch)) > room:
                out.append(cur)
                cur = ""
            cur += ch
        return out + [cur] if cur else out

    def bind(self, text: str) -> None:
        from app.desktop.x11_keymap import char_keysym
        new = [ch for ch in self._wide(text) if ch not in self.bound]
        if not new:
            return
        if len(new) > len(self.free) + len(self.bound):
            raise SupervisorError(f"{len(new)} characters to bind, only "
                                  f"{len(self.free) + len(self.bound)} spare keycodes")
        for ch in new:
            if not self.free:        # reuse the oldest binding the text does not need
                old = next(c for c in self.bound if c not in text)
                self.free.append(self.bound.pop(old))
            code = self.free.pop(0)
            self.d.change_keyboard_mapping(code, [[char_keysym(ch)] * self.width])
            self.bound[ch] = code
        self.d.sync()
        time.sleep(self.SETTLE)

    def close(self) -> None:
        for code in self.bound.values():
            self.d.change_keyboard_mapping(code, [[0] * self.width])
        self.bound.clear()
        self.d.sync()
        self.d.close()

