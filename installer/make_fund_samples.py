"""Write the 公积金提取 pack's golden samples (playbooks/library/provident-fund/samples/):
the portal's detail page for three applications, as Chromium shows it on a private Xvfb
(the window cut from the screen), the values each capture must give (from the
applications' truth, app/sandbox/fund_cases.py, never from what Deskhand read), what the
registry would fill given as the clerk's (`deskhand test` runs offline), and the fund
system's boxes after the fill; and the form model (form.yaml) from FUND.

    PYTHONPATH=. .venv/bin/python installer/make_fund_samples.py
"""
from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.sandbox.fund_cases import FundApplication, applications  # noqa: E402
from app.sandbox.fund_system import FUND  # noqa: E402
from app.sandbox.toolkits.spec import READONLY, SELECT  # noqa: E402

PACK = ROOT / "playbooks" / "library" / "provident-fund"
PLAYBOOK_ID = "provident-fund-withdrawal"
SEEDS = (1, 4, 2)      # 已婚 with property; 未婚 without; 离婚 with property
CAPTURED = ("application_no", "applicant_name", "id_number", "phone", "reason", "amount",
            "bank_card", "bank_name", "employer", "apply_date")
GIVEN = ("marital_status", "spouse_name", "estate_cert")


def q(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def form_yaml() -> str:
    lines = [f"# The form of '{FUND.title}' (app/sandbox/fund_system.py FUND), in tab order.",
             "# Written by installer/make_fund_samples.py.", "form: 1",
             f"window: {FUND.title}", f"focus: {FUND.by_name[FUND.first].label}", "boxes:"]
    for f in FUND.fields:
        if f.kind == READONLY:
            continue
        if f.kind == SELECT:
            choices = ", ".join(['""', *f.options])
            lines.append(f"  - {{label: {f.label}, role: combo, choices: [{choices}]}}")
        else:
            lines.append(f"  - {{label: {f.label}, role: text}}")
    lines.append(f"  - {{label: {FUND.submit}, role: button}}")
    return "\n".join(lines) + "\n"


def expected_yaml(n: int, app: FundApplication) -> str:
    truth = app.expected
    labels = {f.name: f.label for f in FUND.fields}
    out = [f"# Case {n} of {PLAYBOOK_ID}: application seed {app.seed} ({app.marital_status}).",
           "# Written by installer/make_fund_samples.py from the application's truth.", "fields:"]
    out += [f"  {k}: {q(truth[k])}" for k in CAPTURED]
    out += ["given:                 # the registry's (婚姻登记, 不动产登记); offline, the clerk's"]
    out += [f"  {k}: {q(truth[k])}" for k in GIVEN if truth[k]]
    out += ["form:                  # the fund system after the fill, before 保存 clears it"]
    out += [f"  {labels[k]}: {q(truth[k])}" for k in labels if k != "accept_no"]
    return "\n".join(out) + "\n"


def window_picture(session, window_id: int):
    from app.desktop.x11 import X11Desktop
    desktop = X11Desktop(session.display)
    try:
        w = next(w for w in desktop.list_windows() if w.id == window_id)
    finally:
        desktop.close()
    return session.screenshot().crop((w.x, w.y, w.x + w.width, w.y + w.height))


def write_samples(pack: Path = PACK) -> list[Path]:
    from app.sandbox.fund_portal import FundPortal, launch_portal
    from app.sandbox.xsession import XSession
    samples = pack / "samples" / PLAYBOOK_ID
    samples.mkdir(parents=True, exist_ok=True)
    (samples / "form.yaml").write_text(form_yaml(), encoding="utf-8")
    written = [samples / "form.yaml"]
    apps = applications(list(SEEDS))
    with tempfile.TemporaryDirectory(prefix="deskhand-fund-samples-") as tmp, XSession() as session:
        portal = FundPortal(apps).start()
        browser = launch_portal(session, portal, tmp)
        try:
            for n, app in enumerate(apps, 1):
                case = samples / f"case-{n}"
                shutil.rmtree(case, ignore_errors=True)
                case.mkdir()
                portal.show(app.seed)
                time.sleep(0.3)           # the window manager's frame repainted
                window_picture(session, browser.window_id).save(case / "source.png", optimize=True)
                (case / "expected.yaml").write_text(expected_yaml(n, app), encoding="utf-8")
                written += [case / "source.png", case / "expected.yaml"]
        finally:
            browser.close()
            portal.stop()
    return written


def main() -> int:
    for path in write_samples():
        print(path.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
