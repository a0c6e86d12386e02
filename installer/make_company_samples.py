"""Write the expected text of the 企业开办 pack's documents for each scenario sample
(playbooks/library/company-setup/samples/scenario/<case>/documents/<output>.txt) from the
templates as they are now, for `deskhand test playbooks/library/company-setup`.

    PYTHONPATH=$PWD .venv/bin/python installer/make_company_samples.py

Read the written text before committing it: it is what the test will hold the templates to.
(The forms' expected boxes, expected.yaml, are written by hand from the sample case.)
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.cases import load_case  # noqa: E402
from app.docs.context import case_context  # noqa: E402
from app.docs.templates import read_template, template_environment  # noqa: E402
from app.golden.scenario import SCENARIO_SAMPLES, document_text  # noqa: E402
from playbooks.scenario import load_scenario  # noqa: E402

PACK = ROOT / "playbooks" / "library" / "company-setup"


def main() -> int:
    scenario = load_scenario(PACK)
    env = template_environment()
    written = 0
    with tempfile.TemporaryDirectory(prefix="company-samples-") as tmp:
        for case_dir in sorted(p for p in (PACK / "samples" / SCENARIO_SAMPLES).iterdir()
                               if p.is_dir()):
            context = case_context(load_case(case_dir / "case.json"))
            (case_dir / "documents").mkdir(exist_ok=True)
            for spec in scenario.documents:
                docx = Path(tmp) / f"{case_dir.name}-{spec.output}.docx"
                read_template(spec.template, env).render(context, docx)
                (case_dir / "documents" / f"{spec.output}.txt").write_text(
                    document_text(docx), encoding="utf-8")
                written += 1
    print(f"{written} documents' text written under {PACK / 'samples' / SCENARIO_SAMPLES}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
