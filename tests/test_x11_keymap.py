"""Pure logic of typing characters the layout lacks on X11 (app/desktop/x11_keymap.py) and
the order in which X11Desktop binds spare keycodes, waits for the target and types.
The real thing, judged by real forms, is tests/test_keys_toolkits.py."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from app.desktop.x11 import X11Desktop
from app.desktop.x11_keymap import (KeycodePool, Keymap, Stroke, char_keysym, char_keysyms,
                                    runs, segments)

SYM = {ch: char_keysym(ch) for ch in "张三李四王五赵六"}


def test_two_characters_per_spare_keycode_plain_first():
    pool = KeycodePool([50, 51])
    assert len(pool) == 4
    bindings, wait = pool.plan([SYM["张"], SYM["三"], SYM["李"]])
    assert wait == 0
    # both plain levels before a shifted one: a shifted character costs two more events
    assert [b for b, _sym in bindings] == [Stroke(50), Stroke(51), Stroke(50, True)]
    for stroke, sym in bindings:
        pool.bind(stroke, sym)
    assert pool.lookup(SYM["李"]) == Stroke(50, True)
    assert pool.row(50) == [SYM["张"], SYM["李"]]
    # an empty level repeats the other: Shift (or none) never makes the key type nothing
    assert pool.row(51) == [SYM["三"], SYM["三"]]
    with pytest.raises(ValueError):
        pool.plan([SYM[c] for c in "张三李四王"])  # five characters, four slots


def test_pool_never_rebinds_a_used_slot_without_waiting_or_a_sync():
    now = [0.0]
    pool = KeycodePool([50], reuse_gap_s=0.25, clock=lambda: now[0])
    bindings, _ = pool.plan([1, 2])
    for stroke, sym in bindings:
        pool.bind(stroke, sym)
        pool.used(stroke)
    now[0] = 0.1
    bindings, wait = pool.plan([3])
    assert wait == pytest.approx(0.15)   # both slots were typed with 0.1 s ago, unsettled
    assert pool.unsettled()
    pool.settle()                        # e.g. the target's pong or a read-back
    assert pool.plan([3])[1] == 0 and not pool.unsettled()


def test_pool_never_evicts_a_character_the_same_piece_still_needs():
    now = [10.0]
    pool = KeycodePool([50, 51], clock=lambda: now[0])
    for stroke, sym in zip((Stroke(50), Stroke(51), Stroke(50, True), Stroke(51, True)),
                           (1, 2, 3, 4)):
        pool.bind(stroke, sym)
        pool.used(stroke)
        now[0] += 1                      # 1 (in 50 plain) is the least recently used
    pool.settle()
    bindings, _ = pool.plan([5, 1])
    assert [b for b, _sym in bindings] == [Stroke(51)]   # not 50, where 1 still sits
    pool.bind(Stroke(51), 5)
    assert pool.lookup(1) == Stroke(50) and pool.lookup(5) == Stroke(51)
    assert pool.lookup(2) is None        # evicted, and no longer found
    pool.clear()
    assert pool.bound() == [] and pool.lookup(1) is None


def test_one_mapping_request_per_run_of_neighbouring_keycodes():
    assert runs([62, 50, 51, 52, 60, 63, 51]) == [(50, 3), (60, 1), (62, 2)]
    assert runs([]) == []


def test_java_gets_a_character_beyond_the_bmp_as_its_utf16_halves():
    assert char_keysyms("𠀾") == [0x0102003E]
    assert char_keysyms("𠀾", utf16=True) == [0x0100D840, 0x0100DC3E]
    assert char_keysyms("张", utf16=True) == [SYM["张"]]
    assert char_keysyms("a", utf16=True) == [0x61]


def test_pieces_fit_the_spare_slots_and_keep_the_text():
    km = Keymap(10, [[0x61, 0x41], [0, 0], [0, 0]], set())       # 'a' plus two spare codes
    text = "张a三a李张a𠀾aaaa王三"
    pieces = segments(text, km, capacity=4)
    assert "".join(pieces) == text
    assert pieces == ["张a三a李张a𠀾aaaa", "王三"]
    assert all(len(km.missing_chars(p)) <= 4 for p in pieces)
    # for Java 𠀾 takes two slots, so it starts the second piece
    assert segments(text, km, capacity=4, utf16=True) == ["张a三a李张a", "𠀾aaaa王三"]
    assert segments("aaa", km, capacity=4) == ["aaa"] and segments("", km, 4) == []


class _Recorder:
    """Stands in for the X connection and the ping: records the order of what is done."""

    def __init__(self, pong: bool) -> None:
        self.calls: list[tuple] = []
        self.pong = pong

    def change_keyboard_mapping(self, first: int, rows: list[list[int]]) -> None:
        self.calls.append(("map", first, [list(r) for r in rows]))

    def sync(self) -> None:
        self.calls.append(("sync",))

    def caught_up(self, _target) -> bool:
        self.calls.append(("ping",))
        return self.pong


def _desktop(rec: _Recorder, sleeps: list[float]):
    km = Keymap(50, [[0, 0], [0, 0], [0x61, 0x41], [0, 0]], set())   # spare: 50, 51, 53
    stub = SimpleNamespace(keymap=km, pool=KeycodePool(km.spare), d=rec, bind_settle_s=0.05,
                           _caught_up=rec.caught_up)
    return stub, (lambda s: sleeps.append(s))


def test_binding_is_one_request_per_run_then_a_sync_with_the_target(monkeypatch):
    rec, sleeps = _Recorder(pong=True), []
    stub, sleep = _desktop(rec, sleeps)
    monkeypatch.setattr("app.desktop.x11.time.sleep", sleep)
    X11Desktop._bind_missing(stub, "张三李a", None, False)
    # 50 and 51 in one request, the target's pong before any key, no blind pause
    assert rec.calls == [("map", 50, [[SYM["张"], SYM["张"]], [SYM["三"], SYM["三"]]]),
                         ("map", 53, [[SYM["李"], SYM["李"]]]), ("sync",), ("ping",)]
    assert sleeps == []
    rec.calls.clear()
    X11Desktop._bind_missing(stub, "三a张", None, False)          # all bound: nothing to do
    assert rec.calls == []


def test_a_used_slot_is_rebound_only_after_the_target_has_read_its_keys(monkeypatch):
    rec, sleeps = _Recorder(pong=True), []
    stub, sleep = _desktop(rec, sleeps)
    monkeypatch.setattr("app.desktop.x11.time.sleep", sleep)
    X11Desktop._bind_missing(stub, "张三李四王五", None, False)      # every slot
    for slot in stub.pool.slots:
        stub.pool.used(slot.stroke)
    rec.calls.clear()
    X11Desktop._bind_missing(stub, "赵", None, False)
    assert [c[0] for c in rec.calls] == ["ping", "map", "sync", "ping"]
    assert sleeps == []


def test_a_target_that_does_not_answer_pings_gets_the_pauses(monkeypatch):
    rec, sleeps = _Recorder(pong=False), []
    stub, sleep = _desktop(rec, sleeps)
    monkeypatch.setattr("app.desktop.x11.time.sleep", sleep)
    X11Desktop._bind_missing(stub, "张三李四王五", None, False)
    assert sleeps == [0.05]                                  # after the mapping, before keys
    for slot in stub.pool.slots:
        stub.pool.used(slot.stroke)
    X11Desktop._bind_missing(stub, "赵", None, False)
    assert sleeps[1] == pytest.approx(0.25, abs=0.05)        # the reuse gap, then the pause
    assert sleeps[2:] == [0.05]


def test_characters_typed_later_ride_along_with_a_change_made_anyway(monkeypatch):
    rec, sleeps = _Recorder(pong=True), []
    stub, sleep = _desktop(rec, sleeps)
    monkeypatch.setattr("app.desktop.x11.time.sleep", sleep)
    X11Desktop._bind_missing(stub, "a", None, False, "张三")     # nothing missing: no change
    assert rec.calls == []
    X11Desktop._bind_missing(stub, "张", None, False, "a三李四王五赵")
    # one change for 张 and what the next values lack, as far as the six slots go
    assert [c[0] for c in rec.calls] == ["map", "map", "sync", "ping"]
    bound = [ch for ch in "张三李四王五赵" if stub.pool.lookup(SYM[ch])]
    assert bound == list("张三李四王五")
    rec.calls.clear()
    X11Desktop._bind_missing(stub, "三李四王五", None, False, "赵")  # typed with no change
    assert rec.calls == []


def test_slots_for_later_characters_are_only_ones_free_to_rebind_now():
    now = [1.0]
    pool = KeycodePool([50, 51], clock=lambda: now[0])
    pool.bind(Stroke(50), 1)
    pool.used(Stroke(50))                # its keys may still wait in the target's queue
    pool.bind(Stroke(51), 2)             # settled, but 2 is still to be typed
    got = pool.plan_ahead([3, 4, 5], taken={Stroke(50, True)}, later={2, 3, 4, 5})
    assert got == [(Stroke(51, True), 3)]


def test_a_slot_holding_a_character_still_to_be_typed_is_evicted_last():
    now = [1.0]
    pool = KeycodePool([50], clock=lambda: now[0])
    for stroke, sym in ((Stroke(50), 1), (Stroke(50, True), 2)):
        pool.bind(stroke, sym)
        pool.used(stroke)
        now[0] += 1                      # 1 is the least recently used
    pool.settle()
    assert pool.plan([3])[0] == [(Stroke(50), 3)]
    assert pool.plan([3], later={1})[0] == [(Stroke(50, True), 3)]
