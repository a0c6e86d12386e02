"""`deskhand record` on bad input and without a display: a sentence and an exit code, no
traceback; `--recording FILE` compiles a saved recording without listening, and keeps it
beside the playbook (the listening path under Xvfb: tests/test_record_listen.py)."""
from __future__ import annotations

import io
import json

import pytest

from app.cli import main
from recorders.outcome import load_compiler
from recorders.recording import Event, RecordedSource, RecordedWidget, RecordedWindow, Recording, \
    SourceLine


def run(*argv: str, env: dict | None = None, monkeypatch=None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def a_recording() -> Recording:
    win = RecordedWindow(title="城市审批系统", wm_class="python3.sample", pid=5)
    box = RecordedWidget(role="text", name="姓名", label="* 姓名：", x=1, y=2, width=3, height=4)
    return Recording(started="2026-12-05T06:00:00+00:00",
                     source=RecordedSource(kind="image", image="x.source.png", width=10, height=10,
                                           lines=(SourceLine("姓名 张伟", 0, 0, 8, 2),)),
                     events=(Event(0.1, "window", win), Event(0.2, "text", win, box, text="张"),
                             Event(0.3, "value", win, box, text="张伟")), stopped=1.0)


@pytest.mark.parametrize("argv,needle", [
    (("record", "-o", "x.txt", "--source-image", "a.png"), ".yaml"),
    (("record", "-o", "no/such/folder/x.yaml", "--source-image", "a.png"), "does not exist"),
    (("record", "-o", "x.yaml", "--source-image", "a.png", "--source-screen"), "not allowed"),
    (("record", "-o", "x.yaml", "--recording", "missing.json"), "cannot read"),
    (("record", "-o", "x.yaml", "--source-image", "missing.png"), "missing.png"),
    (("record", "-o", "x.yaml", "--recording", "r.json", "--source-screen"), "leave out"),
    (("record", "-o", "x.yaml", "--stop-key", "s"), "no Ctrl, Alt or Win"),
    (("record", "-o", "x.yaml", "--stop-key", "ctrl+alt+r"), "different keys"),
])
def test_bad_usage_is_a_sentence_and_exit_2(argv, needle, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "r.json").write_text(a_recording().to_json(), encoding="utf-8")
    monkeypatch.setenv("DESKHAND_LANG", "en")
    code, out, err = run(*argv)
    assert code == 2, (out, err)
    assert needle in err and "Traceback" not in err


def test_a_file_that_is_not_a_recording_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("DESKHAND_LANG", "en")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": 1, "started": "x", "source": None,
                               "events": [{"t": 0, "kind": "typing"}]}), encoding="utf-8")
    code, _, err = run("record", "-o", str(tmp_path / "p.yaml"), "--recording", str(bad))
    assert code == 2 and "kind 'typing'" in err and "deskhand record" in err


def test_no_display_is_exit_3_with_a_sentence(tmp_path, monkeypatch):
    monkeypatch.setenv("DESKHAND_LANG", "en")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.setenv("DESKHAND_DESKTOP", "x11")
    code, _, err = run("record", "-o", str(tmp_path / "p.yaml"), "--source-image",
                       "resources/samples/idcard-front.jpg")
    assert code == 3 and "DISPLAY" in err and "Traceback" not in err
    assert not (tmp_path / "p.recording.json").exists()


def test_a_saved_recording_is_compiled_and_kept_beside_the_playbook(tmp_path, monkeypatch):
    monkeypatch.setenv("DESKHAND_LANG", "en")
    saved = tmp_path / "elsewhere.json"
    a_recording().save(saved)
    out_yaml = tmp_path / "new.yaml"
    code, out, err = run("record", "-o", str(out_yaml), "--recording", str(saved))
    kept = tmp_path / "new.recording.json"
    assert Recording.load(kept) == Recording.load(saved)
    if load_compiler() is None:
        assert code == 1 and "not installed" in out and not out_yaml.exists()
    else:
        assert code == 0 and out_yaml.is_file(), (out, err)


def test_questions_asked_on_a_terminal_become_an_answers_file(tmp_path):
    """The answers typed for the compiler's questions (recorders/ask.py), merged with an
    answers file given before; Enter leaves a value to the clerk; a password box's
    question takes a vault name (its default on Enter)."""
    import yaml
    from types import SimpleNamespace as Q
    from recorders.ask import ask_questions, question_line, write_answers
    given = tmp_path / "given.yaml"
    # (备注： is the file's other spelling of 备注: the answer typed now replaces it)
    given.write_text("answers:\n  办理事项: {constant: 不动产登记}\n  备注：: {constant: 无}\n",
                     encoding="utf-8")
    questions = [Q(id="q1", box="备注", kind="value", shown="材**", why="matches nothing"),
                 Q(id="q2", box="工作单位", kind="value", shown="龙**", why=""),
                 Q(id="q3", box="联系人", kind="value", shown="", why=""),
                 Q(id="q4", box="经办人密码", kind="vault", shown="", why="",
                   default="client.operator_password")]
    out = io.StringIO()
    doc = ask_questions(questions, given, out, io.StringIO("c 材料齐全\ns 单位名称\n\n\n"))
    assert doc == {"answers": {"办理事项": {"constant": "不动产登记"},
                               "备注": {"constant": "材料齐全"}, "工作单位": {"source": "单位名称"}},
                   "vault": {"经办人密码": "client.operator_password"}}
    assert "[q1] “备注” 材** matches nothing" in out.getvalue()
    assert question_line(questions[2]) == "[q3] “联系人”"
    path = tmp_path / "new.answers.yaml"
    write_answers(doc, path)
    assert yaml.safe_load(path.read_text(encoding="utf-8")) == doc
    # input ends early: what was answered is kept, the rest left to the clerk
    assert ask_questions(questions, None, io.StringIO(), io.StringIO("c x\n")) == \
        {"answers": {"备注": {"constant": "x"}}}
