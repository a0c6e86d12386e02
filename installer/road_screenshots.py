"""The screenshots of docs/road-transport.md, made on a private Xvfb: the sandbox 道路运政
system's grid (page 1) and the city approval system's 从业资格证 form filled from its
first row by Deskhand (GridSource, then Pipeline.fill).

    PYTHONPATH=. .venv/bin/python installer/road_screenshots.py
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

OUT = ROOT / "docs" / "road-transport"
PLAYBOOK = ROOT / "playbooks" / "library" / "road-transport" / "practitioners.yaml"


def shoot(session, window_id: int, path: Path) -> None:
    from app.sandbox.road_launch import window_picture
    window_picture(session, window_id).save(path, optimize=True)


def main() -> int:
    from app.batch.grid import GridSource
    from app.fill.engine import FillOptions
    from app.pipeline import PipelineOptions, build_pipeline
    from app.sandbox.road_launch import launch_road_transport
    from app.sandbox.toolkits.launch import launch_form
    from app.sandbox.toolkits.road_form import ROAD
    from app.sandbox.xsession import XSession
    from app.settings import Settings
    OUT.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="road-shots-"))
    with XSession() as session:
        os.environ["DISPLAY"] = session.display
        grid = launch_road_transport(session)
        pipe = build_pipeline(PipelineOptions(settings=Settings(), cases_dir=work,
                                              display=session.display))
        form = None
        try:
            session.activate(grid.window_id)
            time.sleep(0.4)
            shoot(session, grid.window_id, OUT / "grid-page-1.png")
            playbook = pipe.playbook(str(PLAYBOOK))
            items = list(GridSource(pipe, playbook, photos_dir=work / "photos").items())
            form = launch_form(session, "qt", spec=ROAD.name)
            session.activate(form.window_id)
            pipe.fill(playbook, items[0].case, work / "case.json",
                      FillOptions(wait_focus_s=5, failsafe=False, abort_keys=None))
            form.wait_state(lambda s: s["fields"]["photo"] != "", 5)
            time.sleep(0.3)
            shoot(session, form.window_id, OUT / "form-filled.png")
        finally:
            if form is not None:
                form.close()
            grid.close()
            pipe.close()
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
