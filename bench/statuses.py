"""The statuses a capture gives, against the truth, over every source kind the sandbox
renders — for bench/read.py --false-ok.

Kinds: `idcard` (the shipped idcard-to-qt-intake; every other card blurred, noisy,
JPEG-compressed and slightly rotated), `portal` (the shipped portal-to-qt-intake),
`grid` (the ministry grid, one row, read by the playbook the recorder compiles from a
supervisor copying 姓名 性别 证件号码 从业资格类别 发证日期 联系电话 into the Qt client),
`case` (the portal page read by the playbook the recorder compiles from the web form's
?form=case filling: its 15 boxes, 婚姻状况 and 文化程度 among them). The recorded playbooks
are compiled once, from the first case of app/sandbox/record_cases.py, with real OCR.

`false_ok`: fields whose status is ok and whose value differs from the truth — what must
never happen. `typed_unasked`: wrong values with a status a fill types without asking a
person (ok, corrected, unchecked).
"""
from __future__ import annotations

import random
import time
from collections import Counter
from pathlib import Path
from typing import Callable

from app.capture.read import read_source
from app.checks.normalize import halfwidth_alnum
from app.errors import DeskhandError
from app.sandbox.ministry_grid import render_grid
from app.sandbox.people import make_person
from app.sandbox.record_cases import GRID_FIELDS, record_case
from app.sandbox.sources import render_id_card, render_portal_page
from playbooks.loader import load_playbook, load_playbook_text

ROOT = Path(__file__).resolve().parent.parent
LIB = ROOT / "playbooks" / "library"
KINDS = ("idcard", "portal", "grid", "case")
UNASKED = ("ok", "corrected", "unchecked")
# the web form's ?form=case boxes the supervisor fills from the portal page (app/sandbox/
# supervisor.py plan_for("web")), box label → the page's field
CASE_BOXES = {"申请人姓名": "applicant_name", "性别": "gender", "民族": "ethnicity",
              "出生日期": "birth_date", "公民身份号码": "id_number", "联系电话": "phone",
              "住址": "address", "工作单位": "employer", "统一社会信用代码": "credit_code",
              "邮政编码": "postcode", "电子邮箱": "email", "办件编号": "case_number",
              "申请日期": "apply_date", "婚姻状况": "marital_status", "文化程度": "education"}


class StatusTally:
    def __init__(self) -> None:
        self.statuses: Counter[str] = Counter()
        self.false_ok = 0
        self.typed_unasked = 0
        self.cases = 0
        self.discarded = 0
        self.misses: list[str] = []

    def add(self, truth: dict[str, str], fields: dict | None) -> None:
        self.cases += 1
        if fields is None:
            self.discarded += 1
            return
        for name, want in truth.items():
            fv = fields.get(name)
            if fv is None:
                continue
            self.statuses[fv.status] += 1
            wrong = fv.value is not None and fv.value != halfwidth_alnum(want)
            if wrong and fv.status == "ok":
                self.false_ok += 1
                self.misses.append(f"{name}: {want!r} read {fv.value!r} (ok)")
            if wrong and fv.status in UNASKED:
                self.typed_unasked += 1


def _compiled(engine, image, values: dict[str, str], pid: str) -> tuple[object, dict[str, str]]:
    """The playbook the recorder compiles from a supervisor typing `values` (box label →
    value) while `image` is the source, and box label → field name."""
    import sys
    from recorders.compile import compile_recording
    if str(ROOT / "tests") not in sys.path:
        sys.path.insert(0, str(ROOT / "tests"))             # the harness's recordings
    from recording_builder import lines_of, qt_recording
    draft = compile_recording(qt_recording(lines_of(engine.read(image)), values,
                                           size=image.size), playbook_id=pid)
    return load_playbook_text(draft.yaml, f"{pid}.yaml"), dict(draft.fields)


def _sources(engine) -> dict[str, tuple[object, Callable[[int], tuple[object, dict]]]]:
    """Per kind: its playbook and, for a seed, (image, truth by field name)."""
    rng = random.Random(2260)
    card = load_playbook(LIB / "idcard-to-qt-intake.yaml")
    portal = load_playbook(LIB / "portal-to-qt-intake.yaml")

    def idcard(seed: int):
        degrade = {} if seed % 2 == 0 else {
            "blur": rng.uniform(0.3, 1.0), "noise": rng.uniform(2, 8),
            "jpeg_quality": rng.randrange(50, 85), "rotate_deg": rng.uniform(-1.0, 1.0)}
        src = render_id_card(make_person(seed), seed=seed, **degrade)
        return src.image, src.truth

    def page(seed: int):
        src = render_portal_page(make_person(seed), seed=seed)
        return src.image, src.truth

    first_grid = record_case("grid", 0)
    grid_pb, grid_names = _compiled(engine, first_grid.picture(),
                                    {GRID_FIELDS[n]: v for n, v in first_grid.values.items()},
                                    "grid-recorded")

    def grid(seed: int):
        g = render_grid(seed, rows=1, selected=[0], query_bar=False, same_names=False, tight=False)
        row = g.rows[0]
        return g.image, {grid_names[h]: row[h] for h in GRID_FIELDS.values() if h in grid_names}

    first_page = record_case("portal", 0)
    case_pb, case_names = _compiled(engine, first_page.picture(),
                                    {b: first_page.values[n] for b, n in CASE_BOXES.items()},
                                    "portal-case-recorded")

    def case(seed: int):
        src = render_portal_page(make_person(seed), seed=seed)
        return src.image, {case_names[b]: src.truth[n] for b, n in CASE_BOXES.items()
                           if b in case_names}

    return {"idcard": (card, idcard), "portal": (portal, page), "grid": (grid_pb, grid),
            "case": (case_pb, case)}


def run_statuses(engine, n: int, first_seed: int = 20000, show_misses: bool = False,
                 progress: Callable[[str], None] = print) -> dict:
    """`n` sources of each kind, seeds first_seed… (none of them a recorded one)."""
    tallies = {k: StatusTally() for k in KINDS}
    sources = _sources(engine)
    # the fields read off the source (not those the clerk gives: 办理事项)
    read_names = {k: {f.name for f in pb.fields if not (f.read and f.read.clerk)}
                  for k, (pb, _make) in sources.items()}
    t0 = time.perf_counter()
    for i in range(n):
        seed = first_seed + i
        for kind in KINDS:
            playbook, make = sources[kind]
            image, truth = make(seed)
            truth = {k: v for k, v in truth.items() if k in read_names[kind]}
            try:
                fields = read_source(playbook, image, engine).case.fields
            except DeskhandError:       # a capture that stops: nothing marked at all
                fields = None
            before = len(tallies[kind].misses)
            tallies[kind].add(truth, fields)
            if show_misses:
                for m in tallies[kind].misses[before:]:
                    progress(f"    {kind} {seed}: false ok {m}")
        if (i + 1) % 10 == 0:
            progress(f"  {i + 1}/{n} sources of each kind, {time.perf_counter() - t0:.0f} s")
    out: dict = {"false_ok": sum(t.false_ok for t in tallies.values()),
                 "typed_unasked_wrong": sum(t.typed_unasked for t in tallies.values()),
                 "cases": sum(t.cases for t in tallies.values()),
                 "discarded": sum(t.discarded for t in tallies.values()),
                 "statuses": dict(sum((t.statuses for t in tallies.values()), Counter()))}
    for kind, t in tallies.items():
        out[kind] = {"cases": t.cases, "false_ok": t.false_ok,
                     "typed_unasked_wrong": t.typed_unasked, "discarded": t.discarded,
                     "statuses": dict(t.statuses)}
        progress(f"  {kind}: {t.cases} cases, false_ok {t.false_ok}, wrong but typed unasked "
                 f"{t.typed_unasked}, discarded {t.discarded}; statuses "
                 + ", ".join(f"{s} {c}" for s, c in t.statuses.most_common()))
    return out
