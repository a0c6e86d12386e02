"""The housing provident fund's own system (公积金管理系统 – 提取受理), a Qt form that keeps
what it saves: the target side of the 公积金提取 scenario.

    python -m app.sandbox.fund_system [--report-port N] [--title T]
    target = launch_fund_system(session, env=bus.env())     # a targets.Target

The form is `FUND` (a toolkits/spec.FormSpec drawn by qt_form.QtForm): selects for 提取原因
and 婚姻状况, 配偶姓名 enabled only when 已婚. **保存** checks the required boxes, issues the
next 受理号 (GJJTQ-20261205-0001, -0002 …) into its read-only box, keeps the record, shows
`保存成功（受理号 …）` and clears the boxes for the next application (focus back in the first);
the first edit after that clears the message and the 受理号 (a wait for 保存成功 is never met
by the previous save).
A required box left empty shows `保存失败：…` and keeps nothing. The **查询** box under the
form finds a kept record by 证件号码 or 网上申请编号 and shows `已受理：受理号 …` or `未找到`
(how a batch checks whether a case already landed before it retries). Ctrl+N empties the
form for a new application; Ctrl+F goes to the 查询 box.

Loopback reports (127.0.0.1):
    GET  /state              spec.state_document's shape, plus "records": n, "query": the
                             查询 result line
    GET  /records            [{"accept_no", "saved_at", "fields": {box: value}}, …] in save order
    POST /reset              clear the form (the records stay); /reset?records=1 clears them too
"""
from __future__ import annotations

import sys
import threading
from datetime import datetime

from app.sandbox.fund_cases import MARITAL, REASONS
from app.sandbox.toolkits.spec import READONLY, SELECT, Field, FormSpec

__all__ = ["FUND", "TITLE", "SAVED", "REQUIRED", "launch_fund_system", "accept_number"]

TITLE = "公积金管理系统 - 提取受理"
SAVED = "保存成功"
ACCEPT_PREFIX = "GJJTQ-20261205-"
REQUIRED = ("application_no", "applicant_name", "id_number", "reason", "amount", "bank_card")

_FIELDS = (
    Field("accept_no", "受理号", READONLY),
    Field("application_no", "网上申请编号"),
    Field("applicant_name", "申请人姓名"),
    Field("id_number", "证件号码"),
    Field("phone", "手机号码"),
    Field("employer", "工作单位"),
    Field("reason", "提取原因", SELECT, REASONS),
    Field("amount", "提取金额（元）"),
    Field("bank_card", "收款银行卡号"),
    Field("bank_name", "开户银行"),
    Field("apply_date", "申请日期"),
    Field("marital_status", "婚姻状况", SELECT, MARITAL),
    Field("spouse_name", "配偶姓名", enabled_when=("marital_status", "已婚")),
    Field("estate_cert", "不动产权证号"),
)
FUND = FormSpec("fund", TITLE, "公积金管理系统 · 提取受理", _FIELDS,
                tuple(f.name for f in _FIELDS if f.kind != READONLY),
                submit="保存", submitted_status=SAVED)


def accept_number(n: int) -> str:
    """The n-th 受理号 the system issues (1-based)."""
    return f"{ACCEPT_PREFIX}{n:04d}"


def launch_fund_system(session, *, env: dict[str, str] | None = None, timeout: float = 60.0):
    """Start the fund system on `session`; returns a targets.Target once its window is
    mapped and focus is in its first box. `env`: an accessibility bus's environment."""
    from app.sandbox.targets import launch_python_target
    target = launch_python_target(session, "fund-system",
                                  [sys.executable, "-m", "app.sandbox.fund_system"], TITLE, 0,
                                  timeout, env=env)
    try:
        target.wait_state(lambda s: s.get("focused") == FUND.first, timeout=10)
    except BaseException:
        target.close()
        raise
    return target


def main(argv: list[str] | None = None) -> int:     # pragma: no cover - runs as a program
    import argparse

    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtGui import QFont, QKeySequence, QShortcut
    from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QLineEdit, QPushButton

    from app.sandbox.report_server import QuietHTTPServer, make_report_handler
    from app.sandbox.toolkits.qt_form import Poster, QtForm
    from app.sandbox.toolkits.serve import on_gui

    ap = argparse.ArgumentParser(prog="python -m app.sandbox.fund_system")
    ap.add_argument("--report-port", type=int, default=0)
    ap.add_argument("--title", default=TITLE)
    args = ap.parse_args(argv)

    class FundForm(QtForm):
        """QtForm whose 保存 keeps a record, and a 查询 box to find one."""

        def __init__(self, title: str) -> None:
            super().__init__(title, FUND)
            self.records: list[dict] = []
            row = QHBoxLayout()
            label = QLabel("查询（证件号码或网上申请编号）：")
            self.query = QLineEdit()
            label.setBuddy(self.query)
            self.query_button = QPushButton("查询")
            self.query_button.clicked.connect(self._on_query)
            self.query.returnPressed.connect(self._on_query)
            self.query_result = QLabel("")
            row.addWidget(label)
            row.addWidget(self.query, 1)
            row.addWidget(self.query_button)
            self.layout().insertLayout(self.layout().count() - 1, row)
            self.layout().insertWidget(self.layout().count() - 1, self.query_result)
            # Typing the next application clears the last one's 保存成功 and 受理号: a later
            # wait for 保存成功 must not be met by the previous save.
            self._quiet = False
            for f in FUND.fields:
                w = self.widgets[f.name]
                if f.kind == SELECT:
                    w.currentIndexChanged.connect(self._edited)
                elif f.kind != READONLY:
                    w.textChanged.connect(self._edited)

            # Ctrl+N is QtForm's (new_form), here with the 受理号 cleared too
            QShortcut(QKeySequence("Ctrl+F"), self,
                      activated=lambda: self.query.setFocus(Qt.ShortcutFocusReason))

        def new_form(self) -> None:
            """Ctrl+N: an empty form (the last save's message and 受理号 gone)."""
            self.reset()
            self.widgets["accept_no"].clear()

        def _edited(self, *_args) -> None:
            if not self._quiet and (self.status_text or self.widgets["accept_no"].text()):
                self.status_text = ""
                self.status.clear()
                self.widgets["accept_no"].clear()
                self.submitted = None

        def _on_submit(self) -> None:       # 保存
            values = self.values()
            empty = [f.label for f in FUND.fields if f.name in REQUIRED and not values[f.name]]
            if empty:
                self.status_text = "保存失败：" + "、".join(empty) + " 为必填项"
                self.status.setText(self.status_text)
                return
            number = accept_number(len(self.records) + 1)
            values["accept_no"] = number
            self.records.append({"accept_no": number,
                                 "saved_at": datetime.now().isoformat(timespec="seconds"),
                                 "fields": values})
            self._quiet = True
            try:
                self.reset()               # ready for the next application
            finally:
                self._quiet = False
            self.widgets["accept_no"].setText(number)
            self.submitted = values
            self.status_text = SAVED
            self.status.setText(f"{SAVED}（受理号 {number}）")

        def _on_query(self) -> None:
            q = self.query.text().strip()
            hits = [r for r in self.records if q and q in (r["fields"]["id_number"],
                                                          r["fields"]["application_no"])]
            self.query_result.setText(
                "未找到" if not hits else "；".join(
                    f"已受理：受理号 {r['accept_no']} {r['fields']['applicant_name']} "
                    f"{r['fields']['amount']}" for r in hits))

        def state(self) -> dict:
            return {**super().state(), "records": len(self.records),
                    "query": self.query_result.text()}

    app = QApplication(sys.argv[:1])
    font = QFont()
    font.setFamilies(["Noto Sans CJK SC", "Noto Sans SC", "Sans Serif"])
    font.setPointSize(11)
    app.setFont(font)
    form = FundForm(args.title)
    form.show()
    form.raise_()
    form.activateWindow()
    poster = Poster()
    lock = threading.Lock()

    def state() -> dict:
        ok, value = on_gui(poster.call.emit, form.state, 5.0)
        return value if ok and isinstance(value, dict) else {"error": "the form did not answer"}

    def records() -> list:
        ok, value = on_gui(poster.call.emit, lambda: [dict(r) for r in form.records], 5.0)
        return value if ok else []

    def reset(timeout: float, everything: bool = False) -> bool:
        def run() -> None:
            form.reset()
            form.widgets["accept_no"].clear()
            form.query.clear()
            form.query_result.clear()
            if everything:
                form.records.clear()
        with lock:
            return on_gui(poster.call.emit, run, timeout)[0]

    base = make_report_handler(state, reset)

    class Handler(base):  # type: ignore[misc, valid-type]
        def do_GET(self) -> None:  # noqa: N802
            if self.path.split("?")[0] == "/records":
                self._send(200, records())
            else:
                super().do_GET()

        def do_POST(self) -> None:  # noqa: N802
            if self.path.split("?")[0] == "/reset" and "records=1" in self.path:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                ok = reset(5.0, everything=True)
                self._send(200 if ok else 504, state() if ok else {"error": "no reset in 5 s"})
            else:
                super().do_POST()

    server = QuietHTTPServer(("127.0.0.1", args.report_port), Handler)
    threading.Thread(target=server.serve_forever, name="report-server", daemon=True).start()

    def ready() -> None:
        form.widgets[FUND.first].setFocus(Qt.OtherFocusReason)
        print(f"READY port={server.server_address[1]}", flush=True)

    QTimer.singleShot(0, ready)
    try:
        return int(app.exec() or 0)
    finally:
        server.shutdown()
        server.server_close()


if __name__ == "__main__":      # pragma: no cover
    sys.exit(main())
