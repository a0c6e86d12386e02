"""`deskhand test` on a playbook pack (业务流程包, app/packs): its top-level playbooks and
each scenario folder in it, as `deskhand test` runs a playbook and a scenario pack.

    results = run_pack_folder(Path("unpacked"), pipeline, workdir)
"""
from __future__ import annotations

from pathlib import Path

from app.golden.runner import PlaybookResult, run_playbook
from app.golden.scenario import run_scenario_pack
from app.pipeline import Pipeline
from playbooks.scenario import SCENARIO_FILE

__all__ = ["run_pack_folder", "unpack_pack"]


def run_pack_folder(folder: Path, pipeline: Pipeline, workdir: Path) -> list[PlaybookResult]:
    """PlaybookErrors (exit 2) for a bad playbook, scenario or sample, as `deskhand test`."""
    results = [run_playbook(pipeline.playbook(str(p)), pipeline, workdir)
               for p in sorted(folder.glob("*.y*ml"))]
    for d in sorted(p.parent for p in folder.glob(f"*/{SCENARIO_FILE}")):
        results += run_scenario_pack(d, pipeline, workdir)
    return results


def unpack_pack(path: Path, into: Path) -> Path:
    """A pack's files (read as `deskhand pack` reads them: nothing outside, no links, no
    bombs; intact against its manifest) written into `into`."""
    from app.packs.install import unpack
    from app.packs.manifest import read_zip
    from app.packs.trust import PackPolicy, check_pack
    files = read_zip(path)
    check_pack(files, PackPolicy(), path)
    into.mkdir(parents=True, exist_ok=True)
    unpack(files, into)
    return into
