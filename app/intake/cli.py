"""`deskhand intake SCENARIO -o CASE.json`: the 一张表单 that writes a scenario's case.

    deskhand intake SCENARIO [--case EXISTING] [--id-card [WHO=]IMG]… -o CASE.json
        opens the form (app/ui/intake_dialog.py); 保存 writes the case
    deskhand intake SCENARIO --from answers.json [--id-card [WHO=]IMG]… -o CASE.json --yes
        no dialog: the answers (a case file, or a bare file shaped like the pack's
        samples/case.json) and the cards fill the same form, the same checks run

Exit codes (DESIGN.md §4): 0 written, every value fine; 1 written, but values need a person
(listed; `deskhand docs` and `deskhand fill` refuse the case until they are corrected);
2 bad usage, answers or image; 3 a fault (OCR could not run, the dialog has no display).
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from app.errors import UsageError
from app.i18n import _, n_

if TYPE_CHECKING:  # pragma: no cover
    from app.intake.model import Intake
    from app.pipeline import Pipeline

__all__ = ["add_arguments", "cmd_intake", "card_reader"]


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("scenario", help="the scenario the case is for (a pack folder or its "
                                    "scenario.yaml), e.g. playbooks/library/company-setup")
    p.add_argument("-o", "--output", required=True, metavar="CASE", help="the case file to write")
    p.add_argument("--case", metavar="EXISTING", help="a case to open in the form and go on with")
    p.add_argument("--from", dest="answers", metavar="ANSWERS",
                   help="the form's answers (JSON shaped like the pack's samples/case.json)")
    p.add_argument("--id-card", action="append", default=[], metavar="[WHO=]IMAGE",
                   help="an ID-card image read into the form; WHO is legal_rep (default), "
                        "supervisor, agent, or a group row such as shareholders:2")
    p.add_argument("--yes", action="store_true", help="no dialog: check and write the case")
    p.add_argument("--json", action="store_true", help="one JSON document on stdout (with --yes)")


def card_reader(pipeline: "Pipeline"):
    """read(image_path) -> {"name", "id_number"} FieldValues, with the pipeline's OCR engine."""
    from app.intake.card import CARD_PLAYBOOK, read_id_card

    def read(path: str | Path) -> dict:
        playbook = pipeline.playbook(CARD_PLAYBOOK)
        source = pipeline.load_image(playbook, path)
        return read_id_card(playbook, source.image, pipeline.engine(), source.provenance,
                            source.scale)
    return read


def _cards(specs: list[str]) -> list[tuple[str, str]]:
    from app.intake.card import parse_who
    cards = []
    for spec in specs:
        who, sep, image = spec.partition("=")
        if not sep:
            who, image = "legal_rep", spec
        parse_who(who)    # a wrong WHO is refused before any image is read
        if not Path(image).is_file():
            raise UsageError(_("The ID-card image {path} does not exist.", path=image))
        cards.append((who, image))
    return cards


def _start(args: argparse.Namespace) -> "Intake":
    from app.cases import load_case
    from app.intake.model import Intake
    if args.case and args.answers:
        raise UsageError(_("Give either --case (a case to go on with) or --from (answers), not "
                           "both."))
    given = args.case or args.answers
    return Intake.from_case(load_case(given)) if given else Intake()


def cmd_intake(args: argparse.Namespace, pipeline: "Pipeline", out: TextIO, err: TextIO) -> int:
    from app.cases import save_case
    from app.intake.card import put_person
    from app.intake.checks import check_intake
    from playbooks.scenario import load_scenario
    scenario = load_scenario(args.scenario)
    if not args.yes and args.json:
        raise UsageError(_("--json is for --yes (no dialog)."))
    cards = _cards(args.id_card)
    intake = _start(args)
    read = card_reader(pipeline)
    for who, image in cards:
        put_person(intake, who, read(image))
    output = Path(args.output)
    if not args.yes:
        from app.ui.intake_dialog import run_intake_dialog
        return run_intake_dialog(intake, read, output, scenario.name)
    whole = check_intake(intake)
    save_case(intake.to_case(scenario.name), output)
    problems = [f"{where}: {sentence}" for where, sentence in intake.problems()] + whole
    code = 1 if problems else 0
    if args.json:
        print(json.dumps({"case": str(output), "exit_code": code, "needs_person": problems},
                         ensure_ascii=False, indent=2), file=out)
        return code
    for line in problems:
        print("✗ " + line, file=out)
    if problems:
        print(n_("{count} value needs a person; the case was written to {path}, but documents "
                 "and forms are refused until it is corrected (deskhand intake {scenario} --case "
                 "{path} -o {path}).",
                 "{count} values need a person; the case was written to {path}, but documents "
                 "and forms are refused until they are corrected (deskhand intake {scenario} "
                 "--case {path} -o {path}).", len(problems), count=len(problems), path=output,
                 scenario=args.scenario), file=err)
    else:
        print(_("Case written to {path}: every value checked.", path=output), file=out)
    return code
