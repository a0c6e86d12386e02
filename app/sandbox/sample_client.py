"""The sample approval client: a plain government intake form that reports what it holds.

    python -m app.sandbox.sample_client [--report-port N] [--title T]

It is the target the fill tests, the benchmark and `deskhand demo` type into.
Thirteen fields in a fixed tab order (see FIELDS); focus starts in 申请人姓名.

A small HTTP server on 127.0.0.1:<report-port> (0 = a free port) answers
    GET  /state  -> {"fields": {name: value}, "focused": name | null, "seq": n,
                     "active": bool, "status": "..."}
    POST /reset  -> clears every field, puts focus back in 申请人姓名, returns the state
    GET  /records -> {"records": [{"receipt": "SL000001", "fields": {...}, "at": "..."}]}:
                    what each press of 保存 kept (a record per save: saving the same person
                    twice makes two, so a batch that typed a case twice shows here)
    POST /clear-records -> forgets them (a reset does not)
and `READY port=<n>` is printed on stdout once the window is shown.

For batches (issue 15), `--form batch` (the same 13 fields): 保存 shows its 受理号 beside
保存成功; Ctrl+N brings an empty form (as a reset does); a 查询 box below (Ctrl+F focuses
it; Enter or the 查询 button asks) answers 已受理 受理号 … or 未找到 for a 证件号码: the
landed check. The other forms keep records too, but show neither (their widgets, which
the accessibility and golden tests list, are as they were).

Threading: widgets are only touched on the GUI thread. Every change updates a
snapshot (on the GUI thread, from signals) that the server thread reads under a
lock; a reset is handed to the GUI thread by a queued signal and the server
thread waits for it to finish.
"""
from __future__ import annotations

import argparse
import json
import sys
import threading
import time

from app.sandbox.report_server import reset_by, serve_reports
from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (QApplication, QButtonGroup, QComboBox, QFormLayout,
                               QGroupBox, QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit,
                               QPushButton, QRadioButton, QVBoxLayout, QWidget)

DEFAULT_TITLE = "城市审批系统 - 受理登记"

# (name, label) in tab order.
FIELDS: tuple[tuple[str, str], ...] = (
    ("applicant_name", "申请人姓名"),
    ("gender", "性别"),
    ("ethnicity", "民族"),
    ("birth_date", "出生日期"),
    ("id_number", "公民身份号码"),
    ("phone", "联系电话"),
    ("address", "住址"),
    ("employer", "工作单位"),
    ("credit_code", "统一社会信用代码"),
    ("matter", "办理事项"),
    ("postcode", "邮政编码"),
    ("email", "电子邮箱"),
    ("remarks", "备注"),
)
# `--form extended` adds these before 备注: 20 fields, for bench/fill.py.
EXTRA_FIELDS: tuple[tuple[str, str], ...] = (
    ("contact_name", "联系人"),
    ("contact_phone", "联系人电话"),
    ("household_address", "户籍地址"),
    ("property_address", "房屋坐落"),
    ("contract_no", "合同编号"),
    ("bank_name", "开户银行"),
    ("bank_account", "银行账号"),
)


# `--form secured` adds a password box before 备注 (issue 13: the recorder never keeps what
# is typed into one); its state reports what it holds, so a test can look for it elsewhere.
PASSWORD_FIELDS: tuple[tuple[str, str], ...] = (("operator_password", "经办人密码"),)


def fields_for(form: str) -> tuple[tuple[str, str], ...]:
    if form == "extended":
        return FIELDS[:-1] + EXTRA_FIELDS + FIELDS[-1:]
    if form == "secured":
        return FIELDS[:-1] + PASSWORD_FIELDS + FIELDS[-1:]
    return FIELDS


GENDERS = ("男", "女")
MATTERS = ("", "公积金提取", "道路运输从业资格证", "企业设立登记", "不动产登记")

STYLE = """
QWidget#form_root { background: #f3f5f8; }
QLabel#header { background: #1f4e8c; color: white; padding: 10px 16px;
                font-size: 18px; font-weight: bold; }
QLabel#subheader { color: #5b6573; padding: 0 16px; }
QGroupBox { background: white; border: 1px solid #c9d1dc; border-radius: 3px;
            margin-top: 14px; padding: 12px 10px 8px 10px; font-weight: bold; }
QGroupBox::title { subcontrol-origin: margin; left: 10px; padding: 0 4px; color: #1f4e8c; }
QGroupBox QLabel, QGroupBox QRadioButton { font-weight: normal; }
QLineEdit, QComboBox, QPlainTextEdit { font-weight: normal; border: 1px solid #aab4c2;
            border-radius: 2px; padding: 3px 5px; background: white; min-height: 20px; }
QLineEdit:focus, QComboBox:focus, QPlainTextEdit:focus { border: 1px solid #2d6cc0;
            background: #fffdf0; }
QPushButton#save { background: #1f4e8c; color: white; border: none; border-radius: 2px;
            padding: 6px 28px; font-size: 14px; }
QPushButton#save:focus { background: #2d6cc0; }
QLabel#status { color: #1a7f37; font-weight: bold; }
"""


class ReportState:
    """The snapshot the server thread reads; written only by the GUI thread."""

    def __init__(self, fields: tuple[tuple[str, str], ...] = FIELDS) -> None:
        self._lock = threading.Lock()
        self._data: dict = {"fields": {n: "" for n, _ in fields}, "focused": None, "seq": 0,
                            "active": False, "status": ""}

    def set(self, fields: dict, focused: str | None, active: bool, status: str) -> None:
        with self._lock:
            new = {"fields": dict(fields), "focused": focused, "active": active, "status": status}
            old = {k: self._data[k] for k in new}
            if new != old:
                new["seq"] = self._data["seq"] + 1
                self._data = new

    def get(self) -> dict:
        with self._lock:
            return json.loads(json.dumps(self._data))


class Records:
    """What 保存 kept, read by the server thread: written only by the GUI thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[dict] = []
        self._issued = 0

    def add(self, fields: dict[str, str]) -> str:
        with self._lock:
            self._issued += 1     # never reused, even after clear: a receipt names one save
            receipt = f"SL{self._issued:06d}"
            self._records.append({"receipt": receipt, "fields": dict(fields),
                                  "at": time.strftime("%Y-%m-%dT%H:%M:%S")})
            return receipt

    def find(self, id_number: str) -> str | None:
        """The receipt of the latest record with this 公民身份号码, or None."""
        want = id_number.strip().upper()
        with self._lock:
            for r in reversed(self._records):
                if r["fields"].get("id_number", "").strip().upper() == want:
                    return r["receipt"]
        return None

    def get(self) -> dict:
        with self._lock:
            return {"records": json.loads(json.dumps(self._records))}

    def clear(self) -> dict:
        with self._lock:
            self._records.clear()
        return {"records": []}


class Bridge(QObject):
    """Carries requests from the server thread to the GUI thread."""

    reset_requested = Signal(object)   # a threading.Event set when the reset is done


class IntakeForm(QWidget):
    def __init__(self, title: str, report: ReportState, bridge: Bridge,
                 fields: tuple[tuple[str, str], ...] = FIELDS,
                 records: Records | None = None, batch: bool = False) -> None:
        super().__init__()
        self.fields = fields
        self.records = records if records is not None else Records()
        self.batch = batch
        self.report = report
        self._built = False
        self.setObjectName("form_root")
        self.setWindowTitle(title)
        self.setStyleSheet(STYLE)
        self.resize(760, 820)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 12)
        header = QLabel("城市审批系统 · 受理登记")
        header.setObjectName("header")
        sub = QLabel("请据实填写申请人信息，带 * 的为必填项。")
        sub.setObjectName("subheader")
        outer.addWidget(header)
        outer.addWidget(sub)

        box = QGroupBox("申请人信息")
        form = QFormLayout(box)
        form.setLabelAlignment(Qt.AlignRight | Qt.AlignVCenter)
        form.setFormAlignment(Qt.AlignLeft | Qt.AlignTop)
        form.setHorizontalSpacing(14)
        form.setVerticalSpacing(9)
        form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)

        self.widgets: dict[str, QWidget] = {}
        self.focus_names: dict[QWidget, str] = {}
        optional = {"remarks", "email"}
        chain: list[QWidget] = []
        for name, label in self.fields:
            text = f"{label}：" if name in optional else f"* {label}："
            if name == "gender":
                row = QWidget()
                lay = QHBoxLayout(row)
                lay.setContentsMargins(0, 0, 0, 0)
                self.gender_group = QButtonGroup(self)
                self.gender_group.setExclusive(True)
                self.gender_buttons: list[QRadioButton] = []
                for g in GENDERS:
                    rb = QRadioButton(g)
                    rb.setObjectName(f"gender_{g}")
                    self.gender_group.addButton(rb)
                    self.gender_buttons.append(rb)
                    lay.addWidget(rb)
                    self.focus_names[rb] = name
                    rb.installEventFilter(self)
                    chain.append(rb)
                lay.addStretch(1)
                self.gender_group.buttonToggled.connect(self._changed)
                self.widgets[name] = row
                form.addRow(text, row)
                continue
            if name == "matter":
                w = QComboBox()
                w.setEditable(False)
                for item in MATTERS:
                    w.addItem(item if item else "（请选择）", item)
                w.currentIndexChanged.connect(self._changed)
            elif name == "remarks":
                w = QPlainTextEdit()
                w.setTabChangesFocus(True)
                w.setFixedHeight(72)
                w.textChanged.connect(self._changed)
            else:
                w = QLineEdit()
                if name.endswith("password"):
                    w.setEchoMode(QLineEdit.EchoMode.Password)
                w.textChanged.connect(self._changed)
            w.setObjectName(name)
            self.widgets[name] = w
            self.focus_names[w] = name
            chain.append(w)
            form.addRow(text, w)
        holder = QHBoxLayout()
        holder.setContentsMargins(16, 0, 16, 0)
        holder.addWidget(box)
        outer.addLayout(holder)
        # the label widgets get object names too (handy for anchors and inspection)
        for name, _ in self.fields:
            lab = form.labelForField(self.widgets[name])
            if lab is not None:
                lab.setObjectName(f"label_{name}")

        buttons = QHBoxLayout()
        buttons.setContentsMargins(16, 6, 16, 0)
        self.status = QLabel("")
        self.status.setObjectName("status")
        self.save = QPushButton("保存")
        self.save.setObjectName("save")
        self.save.clicked.connect(self._save)
        if batch:     # only here: the other forms' widgets are as the a11y tests list them
            self.receipt = QLabel("")
            self.receipt.setObjectName("receipt")
            self.query = QLineEdit()
            self.answer = QLabel("")
            buttons.addWidget(self.status)
            buttons.addWidget(self.receipt, 1)
        else:
            buttons.addWidget(self.status, 1)
        buttons.addWidget(self.save)
        outer.addLayout(buttons)
        if batch:
            outer.addLayout(self._query_row())
            QShortcut(QKeySequence("Ctrl+N"), self, activated=lambda: self._reset(None))
            QShortcut(QKeySequence("Ctrl+F"), self, activated=self._focus_query)
        outer.addStretch(1)

        chain.append(self.save)
        for a, b in zip(chain, chain[1:]):
            QWidget.setTabOrder(a, b)
        self.first = self.widgets["applicant_name"]
        self._built = True

        bridge.reset_requested.connect(self._reset, Qt.QueuedConnection)
        QApplication.instance().focusChanged.connect(lambda *_: self._changed())

    def _query_row(self) -> QHBoxLayout:
        """查询 by 证件号码: is a case already saved here (a batch's landed check)."""
        row = QHBoxLayout()
        row.setContentsMargins(16, 10, 16, 0)
        label = QLabel("查询证件号码：")
        self.query.setObjectName("query_id")
        self.query.setAccessibleName("查询证件号码")
        label.setBuddy(self.query)
        self.query.returnPressed.connect(self._ask)
        ask = QPushButton("查询")
        ask.setObjectName("ask")
        ask.clicked.connect(self._ask)
        self.answer.setObjectName("answer")
        for w in (label, self.query, ask):
            row.addWidget(w)
        row.addWidget(self.answer, 1)
        return row

    def _focus_query(self) -> None:
        self.query.setFocus(Qt.ShortcutFocusReason)
        self.query.selectAll()

    def _ask(self) -> None:
        text = self.query.text().strip()
        receipt = self.records.find(text) if text else None
        self.answer.setText("请输入证件号码" if not text else
                            f"已受理 受理号 {receipt}" if receipt else "未找到")

    # ------------------------------------------------------------ keyboard like a browser form
    # The 性别 radio group behaves as in a browser (and so as in the web form):
    # it is one tab stop; tabbing in (either way) lands on the checked button, or
    # with none checked on 男 (as Chromium does); arrow keys move round the group
    # AND check the button they land on, whether or not one was checked before
    # (Qt's own arrow handling only checks when the focused button was checked).
    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: N802 (Qt name)
        stops: list[object] = [self.widgets[n] if n != "gender" else "gender" for n, _ in self.fields]
        stops.append(self.save)
        fw = self.focusWidget()
        here = "gender" if fw in self.gender_buttons else fw
        if here not in stops:
            return super().focusNextPrevChild(next)
        stop = stops[(stops.index(here) + (1 if next else -1)) % len(stops)]
        if stop == "gender":
            stop = self.gender_group.checkedButton() or self.gender_buttons[0]
        stop.setFocus(Qt.TabFocusReason if next else Qt.BacktabFocusReason)
        return True

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt name)
        if obj in self.gender_buttons and event.type() == event.Type.KeyPress \
                and not event.modifiers() & (Qt.ControlModifier | Qt.AltModifier | Qt.MetaModifier):
            step = {Qt.Key_Right: 1, Qt.Key_Down: 1, Qt.Key_Left: -1, Qt.Key_Up: -1}.get(event.key())
            if step:
                i = self.gender_buttons.index(obj)
                nxt = self.gender_buttons[(i + step) % len(self.gender_buttons)]
                nxt.setFocus(Qt.OtherFocusReason)
                nxt.setChecked(True)
                return True
        return super().eventFilter(obj, event)

    # ------------------------------------------------------------ state
    def values(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for name, _ in self.fields:
            w = self.widgets[name]
            if name == "gender":
                b = self.gender_group.checkedButton()
                out[name] = b.text() if b is not None else ""
            elif name == "matter":
                out[name] = w.currentData() or ""
            elif name == "remarks":
                out[name] = w.toPlainText()
            else:
                out[name] = w.text()
        return out

    def focused_name(self) -> str | None:
        fw = self.focusWidget()
        while fw is not None:
            if fw in self.focus_names:
                return self.focus_names[fw]
            if fw is self.save:
                return "save"
            fw = fw.parentWidget()
        return None

    @Slot()
    def _changed(self, *_args) -> None:
        if not self._built:
            return
        self.report.set(self.values(), self.focused_name(), self.isActiveWindow(),
                        self.status.text())

    def changeEvent(self, event) -> None:  # noqa: N802
        if event.type() == event.Type.ActivationChange:
            self._changed()
        super().changeEvent(event)

    def _save(self) -> None:
        receipt = self.records.add(self.values())
        self.status.setText("保存成功")
        if self.batch:
            self.receipt.setText(f"受理号 {receipt}")
        self._changed()

    @Slot(object)
    def _reset(self, done: threading.Event | None = None) -> None:
        for name, _ in self.fields:
            w = self.widgets[name]
            if name == "gender":
                self.gender_group.setExclusive(False)
                for b in self.gender_buttons:
                    b.setChecked(False)
                self.gender_group.setExclusive(True)
            elif name == "matter":
                w.setCurrentIndex(0)
            else:
                w.clear()
        self.status.clear()
        if self.batch:
            for w in (self.receipt, self.query, self.answer):
                w.clear()
        self.first.setFocus(Qt.OtherFocusReason)
        self._changed()
        if done is not None:
            done.set()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m app.sandbox.sample_client",
                                 description="Sample approval client (城市审批系统) for Deskhand.")
    ap.add_argument("--report-port", type=int, default=0,
                    help="port for GET /state and POST /reset on 127.0.0.1 (0 = pick a free one)")
    ap.add_argument("--title", default=DEFAULT_TITLE, help="window title")
    ap.add_argument("--form", choices=("intake", "extended", "secured", "batch"),
                    default="intake",
                    help="extended: 20 fields (7 more text fields before 备注), for the benchmark; "
                         "secured: a password box (经办人密码) before 备注; batch: the intake "
                         "fields, the 受理号 shown, Ctrl+N and a 查询 box (the landed check)")
    args = ap.parse_args(argv)

    app = QApplication(sys.argv[:1])
    app.setApplicationName("sample-approval-client")
    f = QFont()
    f.setFamilies(["Noto Sans CJK SC", "Noto Sans SC", "WenQuanYi Micro Hei", "Sans Serif"])
    f.setPointSize(11)
    app.setFont(f)

    fields = fields_for(args.form)
    report = ReportState(fields)
    bridge = Bridge()
    records = Records()
    form = IntakeForm(args.title, report, bridge, fields, records, batch=args.form == "batch")

    server = serve_reports(args.report_port, report.get, reset_by(bridge.reset_requested.emit),
                           gets={"/records": records.get}, posts={"/clear-records": records.clear})
    threading.Thread(target=server.serve_forever, name="report-server", daemon=True).start()

    form.show()
    form.raise_()
    form.activateWindow()
    form.first.setFocus(Qt.OtherFocusReason)
    form._changed()

    def ready() -> None:
        form.first.setFocus(Qt.OtherFocusReason)
        form._changed()
        print(f"READY port={server.server_address[1]}", flush=True)

    QTimer.singleShot(0, ready)
    try:
        return app.exec()
    finally:
        server.shutdown()
        server.server_close()


if __name__ == "__main__":
    sys.exit(main())
