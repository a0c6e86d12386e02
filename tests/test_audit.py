"""The audit log on real files and real sockets: masking, the chain, checkpoints to a
file and to a syslog collector on 127.0.0.1 (UDP and TCP), tampering named, export."""
from __future__ import annotations

import io
import json
import socket
import threading
from datetime import date, datetime
from pathlib import Path

import pytest

from app.audit import AuditLog
from app.audit.chain import ALG_UNKEYED
from app.audit.checkpoints import FileSink, SyslogSink, read_checkpoints
from app.audit.export import entries_between, render_export
from app.audit.verify import verify_log
from app.cli import main
from tests.log_scan import scan_logs, unmasked_ids

KEY = bytes(range(32))
ID = "350802199001011236"       # a real check digit (GB 11643)
PHONE = "13800138000"


def make_log(tmp_path: Path, n: int = 10, *, every: int = 5, key: bytes | None = KEY,
             sinks: list | None = None) -> tuple[Path, Path]:
    log, cps = tmp_path / "audit.jsonl", tmp_path / "checkpoints.jsonl"
    audit = AuditLog(log, key=lambda: (key, None if key else "no keyring"),
                     sinks=[FileSink(cps)] if sinks is None else sinks, checkpoint_every=every)
    for i in range(n - 1):          # the log_start entry makes n
        audit.append("capture", {"n": i, "fields": [{"name": "身份证号", "type": "id_number",
                                                     "value": ID, "status": "ok"}]})
    audit.close()
    return log, cps


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


def test_masks_every_personal_value(tmp_path):
    log, _cps = make_log(tmp_path, 2)
    audit = AuditLog(log, key=lambda: (KEY, None))
    audit.append("fill", {"id_number": ID, "phone": PHONE, "note": f"typed {ID} and {PHONE}",
                          "fields": [{"type": "phone", "value": "0597-2345678"}]})
    text = log.read_text(encoding="utf-8")
    assert ID not in text and PHONE not in text and "2345678" not in text
    assert "3508**********1236" in text and "138****8000" in text
    assert list(unmasked_ids(text)) == []
    assert verify_log(log, KEY, []).ok


def test_intact_log_and_checkpoints_verify(tmp_path):
    log, cps = make_log(tmp_path, 12)
    found = read_checkpoints(cps)
    assert [c.seq for c in found] == [5, 10, 12]          # every 5, then the session end
    assert [c.reason for c in found] == ["every", "every", "session end"]
    v = verify_log(log, KEY, [cps])
    assert v.ok and v.entries == 12 and v.checkpoints_matched == 3
    assert v.algorithms == ["HMAC-SM3"]


def test_an_edited_byte_is_named(tmp_path):
    log, cps = make_log(tmp_path)
    text = lines(log)
    text[6] = text[6].replace('"n":5', '"n":6')
    log.write_text("".join(text), encoding="utf-8")
    v = verify_log(log, KEY, [cps])
    assert (v.problem.kind, v.problem.seq, v.problem.line) == ("edited", 7, 7)
    assert "seq 7 (line 7) was edited" in v.problem.message


def test_a_damaged_line_is_named(tmp_path):
    log, cps = make_log(tmp_path)
    raw = bytearray(log.read_bytes())
    raw[raw.index(b'"seq":4') + 2] ^= 0x20      # 'seq' -> 'Seq': no longer an entry
    log.write_bytes(bytes(raw))
    v = verify_log(log, KEY, [cps])
    assert (v.problem.kind, v.problem.line) == ("edited", 4)


def test_an_entry_deleted_in_the_middle_is_named(tmp_path):
    log, cps = make_log(tmp_path)
    text = lines(log)
    del text[3]                                        # seq 4
    log.write_text("".join(text), encoding="utf-8")
    v = verify_log(log, KEY, [cps])
    assert (v.problem.kind, v.problem.seq, v.problem.line) == ("deleted", 5, 4)
    assert "seq 4–4 were deleted" in v.problem.message


def test_the_newest_three_deleted_are_caught_by_the_checkpoint(tmp_path):
    log, cps = make_log(tmp_path, 12)
    log.write_text("".join(lines(log)[:-3]), encoding="utf-8")
    assert verify_log(log, KEY, []).ok                 # the chain alone cannot see it
    v = verify_log(log, KEY, [cps])
    assert (v.problem.kind, v.problem.seq) == ("truncated", 10)
    assert "ends at seq 9" in v.problem.message and "seq 10–12" in v.problem.message


def test_two_entries_swapped_are_named_reordered(tmp_path):
    log, cps = make_log(tmp_path)
    text = lines(log)
    text[4], text[5] = text[5], text[4]               # seq 5 and 6
    log.write_text("".join(text), encoding="utf-8")
    v = verify_log(log, KEY, [cps])
    assert (v.problem.kind, v.problem.seq, v.problem.line) == ("reordered", 6, 5)


def test_a_copied_entry_is_named_inserted(tmp_path):
    log, cps = make_log(tmp_path)
    text = lines(log)
    text.insert(5, text[4])
    log.write_text("".join(text), encoding="utf-8")
    v = verify_log(log, KEY, [cps])
    assert (v.problem.kind, v.problem.seq, v.problem.line) == ("inserted", 5, 6)


def test_a_tail_rewritten_with_the_key_differs_from_the_checkpoint(tmp_path):
    """An attacker with the key cuts the tail and writes new entries: the chain is whole,
    the checkpoint of seq 10 is not."""
    log, cps = make_log(tmp_path, 12)
    log.write_text("".join(lines(log)[:8]), encoding="utf-8")
    forger = AuditLog(log, key=lambda: (KEY, None))
    for _ in range(4):
        forger.append("capture", {"forged": True})
    assert verify_log(log, KEY, []).ok
    v = verify_log(log, KEY, [cps])
    assert (v.problem.kind, v.problem.seq, v.problem.line) == ("checkpoint", 10, 10)


def test_a_replaced_log_is_named(tmp_path):
    log, cps = make_log(tmp_path)
    log.unlink()
    make_log(tmp_path, 3, sinks=[])
    assert verify_log(log, KEY, [cps]).problem.kind == "replaced"


def test_without_keyring_entries_are_chained_unkeyed_and_marked(tmp_path):
    log, cps = make_log(tmp_path, 4, key=None)
    v = verify_log(log, None, [cps])
    assert v.ok and v.unkeyed == 4 and v.algorithms == [ALG_UNKEYED]
    text = lines(log)
    del text[1]
    log.write_text("".join(text), encoding="utf-8")
    assert verify_log(log, None, [cps]).problem.kind == "deleted"


def test_keyed_entries_need_the_key(tmp_path):
    from app.errors import AuditError
    log, _cps = make_log(tmp_path, 3)
    with pytest.raises(AuditError, match="no key was given"):
        verify_log(log, None, [])


def test_two_writers_on_one_log_keep_one_chain(tmp_path):
    """The tray and a command line at once: each chains onto the other's last entry."""
    log = tmp_path / "audit.jsonl"
    writers = [AuditLog(log, key=lambda: (KEY, None)) for _ in range(2)]

    def work(w: AuditLog) -> None:
        for i in range(40):
            w.append("fill", {"i": i})

    threads = [threading.Thread(target=work, args=(w,)) for w in writers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    v = verify_log(log, KEY, [])
    assert v.ok and v.entries == 81


class Collector:
    """A syslog collector on 127.0.0.1 writing what it receives to a file, as rsyslog would."""

    def __init__(self, kind: str, out: Path) -> None:
        self.kind, self.out, self.got = kind, out, []
        self.sock = socket.socket(socket.AF_INET,
                                  socket.SOCK_DGRAM if kind == "udp" else socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        if kind == "tcp":
            self.sock.listen()
        self.sock.settimeout(0.1)
        self.stop = threading.Event()
        self.url = f"{kind}://127.0.0.1:{self.sock.getsockname()[1]}"
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                if self.kind == "udp":
                    data, _addr = self.sock.recvfrom(65536)
                    self._keep(data)
                else:
                    conn, _addr = self.sock.accept()
                    conn.settimeout(5)
                    with conn:
                        buf = b""
                        while chunk := conn.recv(65536):
                            buf += chunk
                    while buf:      # octet counting: "LEN SP MSG"
                        size, _sp, rest = buf.partition(b" ")
                        self._keep(rest[:int(size)])
                        buf = rest[int(size):]
            except socket.timeout:
                continue
            except OSError:
                return

    def _keep(self, data: bytes) -> None:
        self.got.append(data.decode())
        with open(self.out, "a", encoding="utf-8") as f:
            f.write("Dec  5 10:00:00 collector " + data.decode() + "\n")

    def close(self) -> None:
        self.stop.set()
        self.thread.join(5)
        self.sock.close()


@pytest.mark.parametrize("kind", ["udp", "tcp"])
def test_checkpoints_reach_a_syslog_collector_as_rfc5424(tmp_path, kind):
    received = tmp_path / "collector.log"
    collector = Collector(kind, received)
    try:
        log, _ = make_log(tmp_path, 12, sinks=[SyslogSink(collector.url)])
        for _ in range(100):
            if len(collector.got) == 3:
                break
            threading.Event().wait(0.02)
    finally:
        collector.close()
    assert len(collector.got) == 3
    first = collector.got[0]
    assert first.startswith("<110>1 ") and "[checkpoint@32473 log=" in first
    assert 'seq="5"' in first
    assert verify_log(log, KEY, [received]).checkpoints_matched == 3
    log.write_text("".join(lines(log)[:-3]), encoding="utf-8")
    v = verify_log(log, KEY, [received])
    assert (v.problem.kind, v.problem.seq) == ("truncated", 10)


def test_export_keeps_the_range_and_states_the_verdict(tmp_path):
    log, cps = make_log(tmp_path, 4)
    text = lines(log)
    e = json.loads(text[1])
    e["time"] = "2020-01-01T12:00:00.000000Z"          # out of range: the export skips it
    text[1] = json.dumps(e, ensure_ascii=False, separators=(",", ":")) + "\n"
    log.write_text("".join(text), encoding="utf-8")
    today = datetime.now().date()
    entries = entries_between(log, today, today)
    assert [x["seq"] for x in entries] == [1, 3, 4]
    assert entries_between(log, date(2020, 1, 1), date(2020, 1, 1))[0]["seq"] == 2
    v = verify_log(log, KEY, [cps])
    csv_text = render_export(entries, v, None, today, today, "csv")
    assert csv_text.startswith("序号,时间(UTC),事件,用户,计算机,内容(已脱敏)")
    assert "校验结论" in csv_text and "seq 2 (line 2) was edited" in csv_text


def test_cli_verify_and_export(tmp_path):
    log, cps = make_log(tmp_path)
    keyfile = tmp_path / "key.hex"
    keyfile.write_text(KEY.hex())
    args = ["audit", "verify", "--log", str(log), "--checkpoints", str(cps), "--key-file",
            str(keyfile)]
    out, err = io.StringIO(), io.StringIO()
    assert main(args + ["--json"], out, err) == 0
    assert json.loads(out.getvalue())["ok"] is True
    log.write_text("".join(lines(log)[:-2]), encoding="utf-8")
    out = io.StringIO()
    assert main(args, out, err) == 1
    assert out.getvalue().startswith("Broken (truncated)")
    target = tmp_path / "export.csv"
    day = datetime.now().date().isoformat()
    assert main(["audit", "export", "--log", str(log), "--checkpoints", str(cps), "--key-file",
                 str(keyfile), "--from", day, "--to", day, "--format", "csv", "-o",
                 str(target)], io.StringIO(), io.StringIO()) == 0
    body = target.read_text(encoding="utf-8-sig")
    assert body.count("\ncapture,") == 0 and ",capture," in body and "The log is broken" in body


def test_the_log_scan_finds_a_planted_id_and_not_masked_ones(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "deskhand.log").write_text(f"ok 3508**********1236\nx {ID} y\n")
    (tmp_path / "case.json").write_text(ID)             # a case file, not a log
    (tmp_path / "rotated.log.2").write_text("350802199001011234\n")   # wrong check digit
    (tmp_path / "000003.log").write_bytes(b"\0\1" + ID.encode())        # leveldb, binary
    try:
        assert scan_logs(tmp_path) == [f"{tmp_path / 'sub' / 'deskhand.log'}:2: 3508**********1236"]
    finally:        # the run's own scan (conftest) would find it too
        (tmp_path / "sub" / "deskhand.log").unlink()


def test_the_preset_places_the_log_and_its_checkpoints(tmp_path, monkeypatch):
    from app.audit import open_audit
    from app.settings import SettingsStore
    preset = tmp_path / "preset.yaml"
    preset.write_text(f"settings: {{ocr_engine: rapidocr}}\naudit:\n  dir: {tmp_path / 'a'}\n"
                      f"  checkpoint_file: {tmp_path / 'it' / 'cp.jsonl'}\n"
                      "  checkpoint_every: 2\n", encoding="utf-8")
    SettingsStore(tmp_path / "user.yaml", preset).load()     # `audit:` is a preset section
    audit = open_audit(preset_path=preset, key=lambda: (KEY, None), at_exit=False)
    for i in range(2):
        audit.append("capture", {"n": i})
    audit.close()
    assert audit.path == tmp_path / "a" / "audit.jsonl"
    assert [c.seq for c in read_checkpoints(tmp_path / "it" / "cp.jsonl")] == [2, 3]
    preset.write_text("audit: {checkpoint_evry: 2}\n", encoding="utf-8")
    from app.errors import PresetError
    with pytest.raises(PresetError, match="unknown key 'audit.checkpoint_evry'"):
        open_audit(preset_path=preset, at_exit=False)


def test_a_checkpoint_follows_within_the_minutes_while_running(tmp_path):
    cps = tmp_path / "cp.jsonl"
    audit = AuditLog(tmp_path / "audit.jsonl", key=lambda: (KEY, None), sinks=[FileSink(cps)],
                     checkpoint_every=100, checkpoint_minutes=0.002)     # 0.12 s
    audit.append("fill", {})
    for _ in range(100):
        if cps.exists():
            break
        threading.Event().wait(0.05)
    audit.close()
    assert [(c.seq, c.reason) for c in read_checkpoints(cps)] == [(2, "timer")]
