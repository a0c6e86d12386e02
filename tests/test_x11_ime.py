"""The input method put in English for a fill and back (app/desktop/x11_ime.py), as pure
logic over a stand-in for `fcitx5-remote`; the real thing is tests/test_x11_fcitx5.py."""
from __future__ import annotations

import subprocess

from app.desktop.x11_ime import InputMethodSwitch


class Remote:
    """Answers like fcitx5-remote: prints 2 (on) / 1 (off); -c turns off, -o on."""

    def __init__(self, state: str = "2", broken: bool = False) -> None:
        self.state, self.broken, self.calls = state, broken, []

    def __call__(self, argv, **kwargs):
        self.calls.append(argv[1:])
        if self.broken:
            raise subprocess.TimeoutExpired(argv, kwargs.get("timeout", 1))
        if argv[1:] == ["-c"]:
            self.state = "1"
        elif argv[1:] == ["-o"]:
            self.state = "2"
        return subprocess.CompletedProcess(argv, 0, stdout=self.state + "\n" if not argv[1:] else "")


def switch(remote: Remote, installed: bool = True, running: bool = True) -> InputMethodSwitch:
    return InputMethodSwitch(which=lambda name: f"/usr/bin/{name}" if installed else None,
                             run=remote, running=lambda: running)


def test_pinyin_on_is_turned_off_for_the_fill_and_on_again_after():
    remote = Remote("2")
    ime = switch(remote)
    assert ime.tool == "/usr/bin/fcitx5-remote"
    assert ime.english() and remote.state == "1"
    ime.restore()
    assert remote.state == "2" and remote.calls == [[], ["-c"], [], ["-o"]]
    ime.restore()                                   # once only
    assert remote.calls[-1] == ["-o"] and len(remote.calls) == 4


def test_an_input_method_already_off_is_left_as_the_clerk_had_it():
    remote = Remote("1")
    ime = switch(remote)
    assert not ime.english()
    ime.restore()
    assert remote.state == "1" and remote.calls == [[]]


def test_no_input_method_or_one_that_does_not_answer_changes_nothing():
    nothing = Remote("2")
    ime = switch(nothing, installed=False)
    assert ime.tool is None and not ime.english()
    ime.restore()
    assert nothing.calls == []
    stuck = Remote("2", broken=True)
    ime = switch(stuck)
    assert not ime.english()
    ime.restore()
    assert stuck.calls == [[]]


def test_fcitx_installed_but_not_running_is_never_asked():
    # asking would have D-Bus start fcitx5 (its package installs a service file for that)
    remote = Remote("2")
    ime = switch(remote, running=False)
    assert not ime.english()
    ime.restore()
    assert remote.calls == []
