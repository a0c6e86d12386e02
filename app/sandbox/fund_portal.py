"""The citizen portal's provident-fund pages (公积金网上服务大厅), served on 127.0.0.1 for
Chromium: the source side of the 公积金提取 scenario.

    portal = FundPortal(applications(range(1, 11))).start()
    browser = launch_portal(session, portal, work_dir)     # Chromium --app on the detail page
    portal.show(3)          # the page goes to application seed 3 and says when it is drawn
    portal.show(None)       # … to the list

    GET /                   the list of applications (申请编号, 申请人, 提取原因, 金额, 申请日期, 状态)
    GET /application/NO     an application's detail page (DETAIL_LABELS, one row each)
    GET /export.csv         the list with every detail column (UTF-8 with BOM, as Excel opens it)
    GET /export.xlsx        the same as a workbook (openpyxl)
    GET /control            {"shown": NO, "generation": g} — the detail page polls it and
                            goes to that one when g changes (show() again reloads it)
    POST /drawn             {"no": NO} — the detail page says it has been drawn

Window titles: 公积金网上服务大厅 - 提取申请详情 / - 提取申请列表 (distinct from every other
sample client). Values are printed as a portal prints them: the amount with thousands
separators (38,500.00), the card in groups of four; the playbook cleans them.
"""
from __future__ import annotations

import csv
import html
import io
import json
import shutil
import subprocess
import tempfile
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from app.sandbox.fund_cases import FundApplication
from app.sandbox.report_server import QuietHTTPServer

__all__ = ["FundPortal", "DETAIL_TITLE", "LIST_TITLE", "DETAIL_LABELS", "export_rows",
           "launch_portal", "Portal"]

DETAIL_TITLE = "公积金网上服务大厅 - 提取申请详情"
LIST_TITLE = "公积金网上服务大厅 - 提取申请列表"
# field name → label, in the order the detail page prints them
DETAIL_LABELS = {"application_no": "申请编号", "applicant_name": "申请人",
                 "id_number": "证件号码", "phone": "手机", "reason": "提取原因",
                 "amount": "金额（元）", "bank_card": "银行卡号", "bank_name": "开户行",
                 "employer": "单位", "apply_date": "申请日期"}

_STYLE = """
body { margin: 0; font-family: "Noto Sans CJK SC", sans-serif; background: #f3f5f8; color: #222; }
header { background: #c0392b; color: #fff; padding: 14px 28px; font-size: 22px; font-weight: bold; }
main { padding: 18px 28px; }
h2 { font-size: 20px; margin: 0 0 14px 0; }
table.detail { border-collapse: collapse; background: #fff; }
table.detail th { text-align: right; font-weight: normal; color: #555; padding: 9px 14px 9px 18px;
                  font-size: 18px; white-space: nowrap; width: 130px; }
table.detail td { padding: 9px 18px; font-size: 18px; min-width: 520px; }
table.detail tr { border-bottom: 1px solid #e3e6ea; }
table.list { border-collapse: collapse; background: #fff; font-size: 16px; }
table.list th, table.list td { border: 1px solid #d5d9de; padding: 6px 12px; }
table.list th { background: #eef1f4; }
.tools { margin: 10px 0; font-size: 15px; }
"""

_POLL = """
<script>
const shown = %s, generation = %d;
async function poll() {
  try {
    const r = await fetch('/control', {cache: 'no-store'});
    const c = await r.json();
    if (c.generation !== generation) {
      location.href = (c.shown ? '/application/' + c.shown : '/list') + '?g=' + c.generation;
      return; }
  } catch (e) {}
  setTimeout(poll, 120);
}
// told once the page has been painted (two frames), so a capture sees it whole
requestAnimationFrame(() => requestAnimationFrame(() => {
  fetch('/drawn', {method: 'POST', body: JSON.stringify({no: shown})}).finally(poll);
}));
</script>
"""


def export_rows(apps: list[FundApplication]) -> list[list[str]]:
    """The export's rows: a header of the detail page's labels, then one row an application
    with the values as printed."""
    rows = [list(DETAIL_LABELS.values())]
    rows += [[a.portal[k] for k in DETAIL_LABELS] for a in apps]
    return rows


class FundPortal:
    """The portal's server: which application the detail page should show, and which it
    says it has drawn."""

    def __init__(self, apps: list[FundApplication], port: int = 0) -> None:
        self.apps = {a.application_no: a for a in apps}
        self._order = [a.application_no for a in apps]
        self._port = port
        self._httpd: QuietHTTPServer | None = None
        self._cond = threading.Condition()
        self._shown: str | None = self._order[0] if self._order else None
        self._drawn: tuple[str | None, int] = (None, 0)     # (no, count)
        self._generation = 0         # grows with each show(): the page reloads on a change

    # ------------------------------------------------------------ lifecycle
    def start(self) -> "FundPortal":
        if self._httpd is None:
            self._httpd = QuietHTTPServer(("127.0.0.1", self._port), self._handler())
            threading.Thread(target=self._httpd.serve_forever, name="fund-portal",
                             daemon=True).start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    @property
    def url(self) -> str:
        assert self._httpd is not None, "start() the portal first"
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def detail_url(self, no: str | None = None) -> str:
        return f"{self.url}/application/{no or self._shown}"

    # ------------------------------------------------------------ the page shown
    def show(self, which: int | str | None, timeout: float = 15.0) -> FundApplication | None:
        """Send the open page to application `which` (a seed or an application number;
        None: the list) and wait until it says it has been drawn."""
        no = "" if which is None else which if isinstance(which, str) else next(
            n for n, a in self.apps.items() if a.seed == which)
        with self._cond:
            count = self._drawn[1]
            self._shown = no
            self._generation += 1
            ok = self._cond.wait_for(lambda: self._drawn[0] == no and self._drawn[1] > count,
                                     timeout)
        if not ok:
            raise TimeoutError(f"the portal page did not show {no or 'the list'} within {timeout} s")
        return self.apps.get(no)

    def wait_drawn(self, timeout: float = 30.0) -> str:
        with self._cond:
            if not self._cond.wait_for(lambda: self._drawn[0] is not None, timeout):
                raise TimeoutError(f"the portal page was not drawn within {timeout} s")
            return str(self._drawn[0])

    def _was_drawn(self, no: str) -> None:
        with self._cond:
            self._drawn = (no, self._drawn[1] + 1)
            self._cond.notify_all()

    # ------------------------------------------------------------ pages
    def detail_page(self, no: str, generation: int) -> str:
        app = self.apps[no]
        rows = "".join(f"<tr><th>{html.escape(label)}：</th><td>{html.escape(app.portal[k])}</td></tr>"
                       for k, label in DETAIL_LABELS.items())
        return (f"<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'>"
                f"<title>{DETAIL_TITLE}</title><style>{_STYLE}</style></head><body>"
                f"<header>公积金网上服务大厅</header><main><h2>提取申请详情</h2>"
                f"<table class='detail'>{rows}</table></main>"
                + _POLL % (json.dumps(no), generation) + "</body></html>")

    def list_page(self, generation: int) -> str:
        cols = ("application_no", "applicant_name", "reason", "amount", "apply_date")
        head = "".join(f"<th>{DETAIL_LABELS[c]}</th>" for c in cols) + "<th>状态</th>"
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(a.portal[c])}</td>" for c in cols)
            + f"<td><a href='/application/{a.application_no}'>待受理</a></td></tr>"
            for a in (self.apps[n] for n in self._order))
        return (f"<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'>"
                f"<title>{LIST_TITLE}</title><style>{_STYLE}</style></head><body>"
                f"<header>公积金网上服务大厅</header><main><h2>提取申请列表</h2>"
                f"<div class='tools'>导出：<a href='/export.xlsx'>Excel（.xlsx）</a> · "
                f"<a href='/export.csv'>CSV</a></div>"
                f"<table class='list'><tr>{head}</tr>{body}</table></main>"
                + _POLL % ('""', generation) + "</body></html>")

    def export_csv(self) -> bytes:
        out = io.StringIO()
        csv.writer(out, lineterminator="\r\n").writerows(
            export_rows([self.apps[n] for n in self._order]))
        return "\ufeff".encode("utf-8") + out.getvalue().encode("utf-8")

    def export_xlsx(self) -> bytes:
        from openpyxl import Workbook
        wb = Workbook()
        ws = wb.active
        ws.title = "提取申请"
        for row in export_rows([self.apps[n] for n in self._order]):
            ws.append(row)
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        portal = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _send(self, code: int, body: bytes, ctype: str, extra: dict | None = None) -> None:
                self.send_response(code)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                for k, v in (extra or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            def _html(self, text: str) -> None:
                self._send(200, text.encode("utf-8"), "text/html; charset=utf-8")

            def do_GET(self) -> None:  # noqa: N802
                path = self.path.split("?")[0]
                query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
                with portal._cond:
                    generation = int(query.get("g", [portal._generation])[0])
                if path in ("/", "/list"):
                    self._html(portal.list_page(generation))
                elif path.startswith("/application/") and path[13:] in portal.apps:
                    self._html(portal.detail_page(path[13:], generation))
                elif path == "/control":
                    with portal._cond:
                        control = {"shown": portal._shown, "generation": portal._generation}
                    self._send(200, json.dumps(control).encode(), "application/json")
                elif path == "/export.csv":
                    self._send(200, portal.export_csv(), "text/csv; charset=utf-8",
                               {"Content-Disposition": "attachment; filename=tiqu.csv"})
                elif path == "/export.xlsx":
                    self._send(200, portal.export_xlsx(), "application/vnd.openxmlformats-"
                               "officedocument.spreadsheetml.sheet",
                               {"Content-Disposition": "attachment; filename=tiqu.xlsx"})
                else:
                    self._send(404, b"not found", "text/plain")

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                if self.path.split("?")[0] == "/drawn":
                    try:
                        portal._was_drawn(str(json.loads(raw.decode("utf-8"))["no"]))
                    except (ValueError, KeyError, TypeError):
                        self._send(400, b"bad report", "text/plain")
                        return
                    self._send(200, b"{}", "application/json")
                else:
                    self._send(404, b"not found", "text/plain")

            def log_message(self, *args) -> None:
                pass

        return Handler


class Portal:
    """Chromium showing the portal's detail page on a private display (end it with close())."""

    def __init__(self, session, proc: subprocess.Popen, window_id: int, profile: str) -> None:
        self.session, self.proc, self.window_id, self._profile = session, proc, window_id, profile

    def close(self) -> None:
        self.session.end(self.proc)
        shutil.rmtree(self._profile, ignore_errors=True)


def launch_portal(session, portal: FundPortal, work_dir: Path | str | None = None, *,
                  position: tuple[int, int] = (0, 0), size: tuple[int, int] = (900, 720),
                  env: dict[str, str] | None = None, timeout: float = 45.0) -> Portal:
    """Chromium (a fresh profile in `work_dir`) as an app window on the detail page of the
    application `portal` shows; returns once the page says it has been drawn."""
    from app.sandbox.web_form import chromium_argv
    profile = tempfile.mkdtemp(prefix="deskhand-portal-", dir=work_dir)
    argv = chromium_argv(portal.detail_url(), profile, window_size=size, window_position=position)
    proc = session.spawn(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         **({"env": env} if env is not None else {}))
    try:
        wid = session.wait_window(DETAIL_TITLE + "*", timeout, pid=proc.pid)
        portal.wait_drawn(timeout)
    except BaseException:
        session.end(proc)
        shutil.rmtree(profile, ignore_errors=True)
        raise
    return Portal(session, proc, wid, profile)
