"""Write the golden samples of the shipped playbooks (playbooks/library/samples/): three
cases each, drawn from app/sandbox's people and sources with their ground truth, and the
form models of the sample Qt client and web form.

    python installer/make_samples.py            rewrite every sample and form.yaml
    python installer/make_samples.py --check    also run `deskhand test` on the library

expected.yaml is written from the sources' truth (what a perfect reader delivers), never
from what Deskhand read, so a sample proves the capture; `form:` is the sample client's
box for each field the playbook fills, holding the truth as typed (other boxes empty).
The same seeds give the same pictures (fonts permitting): re-running changes nothing.
"""
from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app.checks.normalize import halfwidth_alnum  # noqa: E402
from app.golden.form_model import FormBox, FormModel, dump_form  # noqa: E402
from app.sandbox.intake_sheet import render_intake_sheet  # noqa: E402
from app.sandbox.people import make_person  # noqa: E402
from app.sandbox.sources import render_id_card, render_portal_page  # noqa: E402
from playbooks.loader import load_playbook  # noqa: E402

LIBRARY = ROOT / "playbooks" / "library"
# (person seed, source seed) per case: people of both sexes, an X check digit, a landline
CASES = ((11, 1), (24, 2), (37, 3))
REMARKS = ("", "急件，请尽快办理", "申请人已提交材料原件及复印件两份")
TARGET_FORMS = {"sample-qt-intake": "qt", "sample-web-intake": "web",
                "idcard-to-qt-intake": "qt", "portal-to-qt-intake": "qt",
                "portal-to-web-intake": "web"}
WINDOWS = {"qt": "城市审批系统 - 受理登记", "web": "城市审批系统（网页版） - 受理登记"}
MAX_BYTES = 150 * 1024
# Values a right capture flags for the clerk (its check or the OCR engine's doubt): the
# sample expects `invalid`, and the fill leaves the box empty until a person confirms.
FLAGGED = {("portal", 2): {"email": "the OCR engine is unsure of the _ (it also saw . and -)"}}
# The capture folds full-width letters and digits (２３２号 → 232号) as the fill types them.
HALFWIDTH = ("address", "id_number", "credit_code", "phone", "postcode", "email")


def client_form(kind: str) -> FormModel:
    """The sample client's form (the Qt client and the web form have the same boxes, tab
    order and keys: app/sandbox/targets.py), from sample-qt-intake's fields, which are
    its boxes in tab order."""
    pb = load_playbook(LIBRARY / "sample-qt-intake.yaml")
    boxes = []
    for f in pb.fields:
        if f.name == "gender":
            boxes.append(FormBox(f.label, "radio", f.choices))
        elif f.type == "choice":
            boxes.append(FormBox(f.label, "combo", ("", *f.choices)))
        else:
            boxes.append(FormBox(f.label, "text", multiline=f.multiline))
    boxes.append(FormBox("保存", "button"))
    return FormModel(tuple(boxes), pb.fields[0].label or "", WINDOWS[kind])


def case_values(pb_id: str, n: int) -> tuple[bytes, str, dict[str, str], dict[str, str]]:
    """(picture, its suffix, truth by field, values the clerk gives) of case n."""
    person_seed, seed = CASES[n]
    person = make_person(person_seed)
    pb = load_playbook(LIBRARY / f"{pb_id}.yaml")
    matters = pb.field_spec("matter").choices if any(f.name == "matter" for f in pb.fields) else ()
    matter = matters[n % len(matters)] if matters else ""
    given: dict[str, str] = {}
    if pb_id.startswith("idcard"):
        src = render_id_card(person, seed=seed)
        truth = {k: v for k, v in src.truth.items() if k in {f.name for f in pb.fields}}
        return _jpeg(src.image), "jpg", truth, given
    if pb_id.startswith("portal"):
        src = render_portal_page(person, seed=seed)
        truth = {f.name: src.truth.get(f.name, "") for f in pb.fields if f.name != "matter"}
        given["matter"] = matter
        return _png(src.image), "png", truth, given
    values = {**person.to_fields(), "matter": matter, "remarks": REMARKS[n]}
    if n == 2:
        values["email"] = ""        # an optional field the sheet does not show
    rows = [(f.name, f.label or f.name, values.get(f.name, "")) for f in pb.fields]
    src = render_intake_sheet(rows)
    return _png(src.image), "png", {f.name: values.get(f.name, "") for f in pb.fields}, given


def _png(image) -> bytes:
    buf = io.BytesIO()
    image.convert("L").save(buf, "PNG", optimize=True)
    return buf.getvalue()


def _jpeg(image) -> bytes:
    buf = io.BytesIO()
    image.convert("RGB").save(buf, "JPEG", quality=80, optimize=True)
    return buf.getvalue()


def _yaml_text(value: str) -> str:
    import json
    return json.dumps(value, ensure_ascii=False)


def expected_yaml(pb_id: str, n: int, truth: dict[str, str], given: dict[str, str],
                  form: FormModel) -> str:
    pb = load_playbook(LIBRARY / f"{pb_id}.yaml")
    person_seed, seed = CASES[n]
    truth = {k: halfwidth_alnum(v) if k in HALFWIDTH else v for k, v in truth.items()}
    flagged = FLAGGED.get((pb_id.split("-")[0], n), {})
    lines = [f"# Case {n + 1} of {pb_id}: make_person({person_seed}), source seed {seed}.",
             "# Written by installer/make_samples.py from the source's truth.", "fields:"]
    for f in pb.fields:
        if f.read is not None and f.read.clerk:
            continue
        value = truth.get(f.name, "")
        if f.name in flagged:
            lines.append(f"  {f.name}: {{status: invalid, value: {_yaml_text(value)}}}   "
                         f"# {flagged[f.name]}")
        else:
            lines.append(f"  {f.name}: " + (_yaml_text(value) if value else "{status: missing}"))
    if given:
        lines.append("given:                 # what the clerk picks in the review")
        lines += [f"  {k}: {_yaml_text(v)}" for k, v in given.items()]
    values = {**truth, **given}
    labels = {f.name: f.label for f in load_playbook(LIBRARY / "sample-qt-intake.yaml").fields}
    filled = pb.filled_names()
    lines.append("form:                   # the sample client after the fill")
    for box in form.boxes:
        if box.role == "button":
            continue
        name = next((k for k, v in labels.items() if v == box.label), None)
        value = values.get(name, "") if name in filled and name not in flagged else ""
        lines.append(f"  {box.label}: {_yaml_text(value)}")
    return "\n".join(lines) + "\n"


def write_samples(library: Path = LIBRARY) -> list[Path]:
    written = []
    for pb_id, kind in TARGET_FORMS.items():
        folder = library / "samples" / pb_id
        folder.mkdir(parents=True, exist_ok=True)
        form = client_form(kind)
        (folder / "form.yaml").write_text(dump_form(form, (
            f"The form of the sample {'Qt client' if kind == 'qt' else 'web form'} "
            "(app/sandbox/targets.py), written by installer/make_samples.py;\n"
            "tests/test_golden_e2e.py keeps it true against the real client.")),
            encoding="utf-8")
        for n in range(len(CASES)):
            data, suffix, truth, given = case_values(pb_id, n)
            if len(data) > MAX_BYTES:
                raise SystemExit(f"{pb_id} case {n + 1}: the picture is {len(data)} bytes, over "
                                 f"{MAX_BYTES}")
            case = folder / f"case-{n + 1}"
            case.mkdir(exist_ok=True)
            for old in case.glob("source.*"):
                old.unlink()
            (case / f"source.{suffix}").write_bytes(data)
            (case / "expected.yaml").write_text(expected_yaml(pb_id, n, truth, given, form),
                                                encoding="utf-8")
            written.append(case)
    return written


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--check", action="store_true", help="run deskhand test on the library after")
    args = p.parse_args(argv)
    for case in write_samples():
        print(case.relative_to(ROOT), sum(f.stat().st_size for f in case.iterdir()), "bytes")
    if args.check:
        from app.cli import main as deskhand
        return deskhand(["test", str(LIBRARY)])
    return 0


if __name__ == "__main__":
    sys.exit(main())
